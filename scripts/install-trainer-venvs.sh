#!/usr/bin/env bash
# Separate virtual environments for the trainers whose pins cannot live in .venv, so the tests of
# codepaint_env.integrations run against the real packages; idempotent (a stamp per venv records
# this script's hash: a venv is rebuilt only when the script changed or the venv is missing).
#
#   .venvs/verl       verl 0.9.1 (pins transformers<5.11; .venv has 5.23), CPU torch, codepaint[ocr] (editable)
#   .venvs/openrlhf   not a venv: OpenRLHF 0.11.2's source (--no-deps: it pins deepspeed, flash-attn and
#                     vLLM, CUDA builds) plus aiohttp and pylatexenc, a folder the tests append to
#                     .venv's sys.path to run OpenRLHF's own reward code path (utils/agent.py)
#   .venvs/openenv    openenv-core 0.3.0 (wants pillow<13 via gradio; .venv has pillow 13), codepaint[ocr]
#                     (editable): codepaint_env.integrations.openenv served by OpenEnv's own app
#   .venvs/verifiers  verifiers 0.4.0 (pins openai<3; .venv has 3.x), codepaint[ocr] (editable):
#                     codepaint_env.integrations.verifiers run by verifiers' own eval runner
#
# Usage: scripts/install-trainer-venvs.sh [PYTHON] [NAME...]   (default: python3, every one)
set -u
STAMP_HASH=$(sha256sum "$0" | cut -c1-16)
cd "$(dirname "$0")/.." || exit 1
PYTHON=${1:-python3}
shift || true
NAMES=${*:-verl openrlhf openenv verifiers}

requirements() {
  case "$1" in
    # torch pinned as in constraints.txt: the CPU wheel where one is offered, and no CUDA download.
    # torchvision (Qwen-VL processors) is PyPI's CUDA build; codepaint's shim (rewards.embed.compat)
    # makes it import next to CPU torch. cachetools, fastapi, uvicorn: verl's agent loop imports them.
    verl) echo "verl==0.9.1 torch==2.13.0 torchvision==0.28.0 cachetools fastapi uvicorn" ;;
    openrlhf) echo "openrlhf==0.11.2 (source only) aiohttp pylatexenc" ;;
    openenv) echo "openenv-core==0.3.0" ;;
    verifiers) echo "verifiers==0.4.0" ;;
    *) echo "unknown trainer venv $1 (known: verl openrlhf openenv verifiers)" >&2; return 1 ;;
  esac
}

# codepaint itself goes in editable with the extras the tests use (execution_gate reads text on
# the canvas with RapidOCR); when pyproject.toml changes, it is only installed again (seconds).
CODEPAINT=".[ocr]"
DEPS_HASH=$(sha256sum pyproject.toml | cut -c1-16)

mkdir -p .venvs || exit 1

# Installing codepaint editable writes src/codepaint.egg-info in the checkout: one venv at a time
# (flock), after the venv's own requirements (installed at once with the others'); that second
# pip names them again, so one resolver run sees both.
editable() {
  flock .venvs/.editable.lock "$@"
}

# One venv: made when its stamp is missing, codepaint reinstalled when pyproject changed. Returns 1 on failure.
build() {
  local name=$1 venv=".venvs/$1"
  local stamp="$venv/.codepaint-$STAMP_HASH" deps_stamp="$venv/.codepaint-deps-$DEPS_HASH" reqs
  if [ -f "$stamp" ]; then
    [ "$name" = openrlhf ] || [ -f "$deps_stamp" ] && return 0
    if editable "$venv/bin/python" -m pip install -q -e "$CODEPAINT" >"$venv.log" 2>&1; then
      rm -f "$venv"/.codepaint-deps-* "$venv.log"; touch "$deps_stamp"; return 0
    fi
    echo "codepaint setup FAILED: could not install codepaint$CODEPAINT into $venv (pip's output: $venv.log)." >&2
    return 1
  fi
  reqs=$(requirements "$name") || return 1
  echo "codepaint setup: making $venv for the $name integration tests ($reqs; a few minutes, once)..."
  rm -rf "$venv"
  if [ "$name" = openrlhf ]; then
    installed() {
      "$PYTHON" -m pip install -q --no-deps --target "$venv" openrlhf==0.11.2 \
      && "$PYTHON" -m pip install -q --target "$venv" aiohttp pylatexenc
    }
  else
    installed() {
      "$PYTHON" -m venv "$venv" \
      && "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 \
      && "$venv/bin/python" -m pip install -q $reqs \
      && editable "$venv/bin/python" -m pip install -q $reqs -e "$CODEPAINT"
    }
  fi
  if installed >"$venv.log" 2>&1; then
    touch "$stamp" "$deps_stamp"
    rm -f "$venv.log"
  else
    echo "codepaint setup FAILED: could not install $reqs into $venv (pip's output: $venv.log)." >&2
    echo "  Fix: network to PyPI and Python >= 3.11 with venv; then run: scripts/install-trainer-venvs.sh $PYTHON $name" >&2
    return 1
  fi
}

# The venvs at once: each is mostly waiting on downloads and unpacking (measured one after the
# other: verl 152 s, verifiers 117 s, openenv 79 s, openrlhf 8 s). Each has its own folder and
# log; pip's cache takes concurrent writers (it writes a file aside, then renames it into place);
# what they share in the checkout is written under the lock above.
status=0
pids=()
for name in $NAMES; do
  build "$name" &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  wait "$pid" || status=1
done
# A venv's torchvision that cannot load beside its CPU torch gets the import hook (scripts/torchvision_fix.py).
for name in $NAMES; do
  [ "$name" = openrlhf ] || [ ! -x ".venvs/$name/bin/python" ] || ".venvs/$name/bin/python" scripts/torchvision_fix.py || status=1
done
exit $status
