#!/usr/bin/env bash
# Make sure bubblewrap (bwrap) is installed: the Python/TikZ sandbox gives each program its own
# mount namespace (private /tmp, a fresh /proc, read-only system paths only) with it; idempotent.
set -u
if command -v bwrap >/dev/null 2>&1; then
  exit 0
fi
PKGS="bubblewrap"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "codepaint setup: installing bubblewrap for the program sandbox (apt-get, seconds)..."
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/dev/null 2>&1 \
     || { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/dev/null; }; then
    exit 0
  fi
fi
cat >&2 <<MSG
codepaint setup FAILED: the Python/TikZ sandbox needs bubblewrap (bwrap) to keep programs out of each
other's files and out of the host's.
Fix: as root on Debian/Ubuntu:  apt-get install -y --no-install-recommends $PKGS
MSG
exit 1
