#!/usr/bin/env bash
# Make sure Tesseract OCR and its English data are installed for the text-on-the-canvas check
# (rewards.gate.text); idempotent.
set -u
if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx eng; then
  exit 0
fi
PKGS="tesseract-ocr tesseract-ocr-eng"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "codepaint setup: installing Tesseract OCR with English data (apt-get, under a minute)..."
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/dev/null 2>&1 \
     || { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/dev/null; }; then
    exit 0
  fi
fi
cat >&2 <<MSG
codepaint setup FAILED: the text-on-the-canvas check (execution_gate's no_text) needs Tesseract OCR with English data.
Fix: as root on Debian/Ubuntu:  apt-get install -y --no-install-recommends $PKGS
     (elsewhere: Tesseract >= 4 with eng.traineddata; or turn OCR off: execution_gate(ocr=False))
MSG
exit 1
