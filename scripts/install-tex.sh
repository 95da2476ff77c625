#!/usr/bin/env bash
# Make sure pdflatex (+ TikZ, standalone) and pdftoppm are installed for the tikz renderer; idempotent.
set -u
if command -v pdflatex >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
   && kpsewhich standalone.cls >/dev/null 2>&1 && kpsewhich tikz.sty >/dev/null 2>&1; then
  exit 0
fi
PKGS="texlive-latex-base texlive-pictures texlive-latex-extra poppler-utils"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "codepaint setup: installing TeX Live (LaTeX, PGF/TikZ, standalone) and poppler (apt-get, ~1 minute)..."
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/dev/null 2>&1 \
     || { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/dev/null; }; then
    exit 0
  fi
fi
cat >&2 <<MSG
codepaint setup FAILED: the tikz renderer needs pdflatex with TikZ and the standalone class, and pdftoppm.
Fix: as root on Debian/Ubuntu:  apt-get install -y --no-install-recommends $PKGS
     (elsewhere: a TeX Live with pgf + standalone, and poppler-utils)
MSG
exit 1
