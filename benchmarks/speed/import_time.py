r"""How long importing codepaint takes, and what each import loads: best of N fresh interpreters.

    .venv/bin/python benchmarks/speed/import_time.py                 # best of 15 launches each
    .venv/bin/python benchmarks/speed/import_time.py --runs 30 --json runs/import_time.json

    # before and after in one run: the src/ of an older commit, measured beside this checkout's
    mkdir -p /tmp/cp-before && git archive 456c5f7 src | tar -x -C /tmp/cp-before
    .venv/bin/python benchmarks/speed/import_time.py --before /tmp/cp-before/src

Each statement runs in a new ``python -c`` process, ``--runs`` times, the statements interleaved
round by round (so a busy moment of the machine hits all of them alike); a process measures its
own statement with ``time.perf_counter`` around ``exec`` (the interpreter's start-up is left out)
and reports which heavy packages ended up in ``sys.modules``. The table gives the best time in
ms, the median, and the best as a ratio to ``import numpy`` measured in the same run, so figures
taken on different machines or days compare as ratios. With ``--before SRC`` each statement is
also timed with ``SRC`` first on ``PYTHONPATH`` (an older checkout's ``src/``), in the same
rounds, and the table adds its best time and the ratio after / before.

What it checks as well as times: ``import gymnasium, codepaint_env`` registers the Gymnasium ids
(the ``CodePaint/...`` ids are in gymnasium's registry right after it, in either order), while
``import codepaint_env.render`` and ``import rewards`` load neither gymnasium, nor the env registry,
the environments or the episode core (``--check`` exits 1 when one of them does, or when the ids
are missing).

Measured for issue 48 (``import rewards`` loaded gymnasium through ``codepaint_env/__init__``)::

    git archive 5069b4b~1 src | tar -x -C /tmp/cp-before
    .venv/bin/python benchmarks/speed/import_time.py --before /tmp/cp-before/src --runs 15
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

#: What is timed: a label and the statement a fresh interpreter runs.
STATEMENTS: tuple[tuple[str, str], ...] = (
    ("import numpy", "import numpy"),
    ("import gymnasium", "import gymnasium"),
    ("import codepaint_env", "import codepaint_env"),
    ("import codepaint_env.render", "import codepaint_env.render"),
    ("import rewards", "import rewards"),
    ("import gymnasium, codepaint_env", "import gymnasium, codepaint_env"),
    ("import codepaint_env, gymnasium", "import codepaint_env, gymnasium"),
    ("import codepaint_env.envs", "import codepaint_env.envs"),
)
#: Packages whose presence in ``sys.modules`` after the statement is reported.
WATCHED: tuple[str, ...] = ("numpy", "gymnasium", "codepaint_env.registration", "codepaint_env.envs",
                            "codepaint_env.episode", "playwright", "torch")
#: Statements that must load none of these (the reward and render layers).
_ENV_LAYER = ("gymnasium", "codepaint_env.registration", "codepaint_env.envs", "codepaint_env.episode")
LIGHT: dict[str, tuple[str, ...]] = {"import rewards": _ENV_LAYER, "import codepaint_env.render": _ENV_LAYER}

_PROBE = r"""
import sys, time, json
t0 = time.perf_counter()
exec(compile(sys.argv[1], "<timed>", "exec"))
ms = (time.perf_counter() - t0) * 1000
ids = []
if "gymnasium" in sys.modules:
    from gymnasium.envs.registration import registry
    ids = sorted(k for k in registry if k.startswith("CodePaint/"))
print(json.dumps({"ms": ms, "loaded": [m for m in sys.argv[2].split(",") if m in sys.modules], "ids": ids}))
"""


def measure(statement: str, src: Path | None = None) -> dict:
    """One fresh interpreter: the statement's time, the watched packages it loaded, the ids."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(x for x in (str(src), env.get("PYTHONPATH", "")) if x)
    out = subprocess.run([sys.executable, "-c", _PROBE, statement, ",".join(WATCHED)], capture_output=True,
                         text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=15, help="fresh interpreters per statement (default 15)")
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    p.add_argument("--before", type=Path, default=None, metavar="SRC",
                   help="also time each statement with this src/ folder first on PYTHONPATH")
    p.add_argument("--check", action="store_true",
                   help="exit 1 when rewards or render load a module of LIGHT's, or the ids are missing")
    args = p.parse_args(argv)
    trees = {"after": None, "before": args.before} if args.before else {"after": None}
    times = {tree: {label: [] for label, _ in STATEMENTS} for tree in trees}
    last: dict[str, dict[str, dict]] = {tree: {} for tree in trees}
    for _ in range(args.runs):
        for label, statement in STATEMENTS:
            for tree, src in trees.items():
                res = measure(statement, src)
                times[tree][label].append(res["ms"])
                last[tree][label] = res
    base = min(times["after"]["import numpy"])
    rows = []
    extra = f" {'before':>8} {'a/b':>6}" if args.before else ""
    print(f"{'statement':34} {'best ms':>8} {'median':>8} {'/numpy':>7}{extra}  loads (after)")
    for label, _ in STATEMENTS:
        best, median = min(times["after"][label]), statistics.median(times["after"][label])
        loaded = ", ".join(m for m in last["after"][label]["loaded"] if m != "numpy") or "-"
        ids = len(last["after"][label]["ids"])
        row = {"statement": label, "best_ms": round(best, 2), "median_ms": round(median, 2),
               "ratio_to_numpy": round(best / base, 3), "loaded": last["after"][label]["loaded"],
               "codepaint_ids": last["after"][label]["ids"]}
        before = ""
        if args.before:
            was = min(times["before"][label])
            before = f" {was:8.1f} {best / was:6.2f}"
            row |= {"before_best_ms": round(was, 2), "after_over_before": round(best / was, 3),
                    "before_loaded": last["before"][label]["loaded"]}
        print(f"{label:34} {best:8.1f} {median:8.1f} {best / base:7.2f}{before}  {loaded}"
              + (f"; {ids} CodePaint ids registered" if ids else ""))
        rows.append(row)
    problems = [f"{label} loads {m}" for label, heavy in LIGHT.items()
                for m in heavy if m in last["after"][label]["loaded"]]
    if len(last["after"]["import gymnasium, codepaint_env"]["ids"]) < 6:
        problems.append("import gymnasium, codepaint_env registers fewer than 6 CodePaint ids")
    for problem in problems:
        print(f"problem: {problem}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": args.runs, "python": sys.version.split()[0], "rows": rows,
                                         "problems": problems}, indent=1) + "\n")
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
