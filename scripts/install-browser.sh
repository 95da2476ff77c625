#!/usr/bin/env bash
# Make sure a Chromium codepaint can drive is installed; idempotent.
# Order: one codepaint already finds (explicit $CODEPAINT_CHROMIUM, Playwright's own, Debian's)
#        -> Debian's `chromium` via apt-get when root -> `playwright install chromium`.
set -u
PY="${1:-.venv/bin/python}"
if "$PY" -c "from codepaint_env.render.browser.chromium import find_browser; find_browser()" 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "codepaint setup: installing Debian's chromium (apt-get)..."
  if DEBIAN_FRONTEND=noninteractive apt-get update -qq \
     && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; then
    exit 0
  fi
  echo "codepaint setup: apt-get could not install chromium; trying Playwright's browser." >&2
fi
echo "codepaint setup: installing Playwright's Chromium (python -m playwright install chromium)..."
if "$PY" -m playwright install chromium; then
  exit 0
fi
cat >&2 <<'MSG'
codepaint setup FAILED: no Chromium could be installed.
Fix one of:
  * as root on Debian/Ubuntu:  apt-get install -y chromium
  * with network access:       .venv/bin/python -m playwright install chromium
  * or set CODEPAINT_CHROMIUM to an existing Chromium/Chrome binary.
MSG
exit 1
