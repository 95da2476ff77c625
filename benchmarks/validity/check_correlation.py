"""Do the check kinds make one claim each? Phi between kinds' pass/fail over real policy samples.

    nice -n 10 .venv/bin/python benchmarks/validity/check_correlation.py      # ~2.5 min on 2 shared cores
    .venv/bin/python benchmarks/validity/check_correlation.py --report-only   # re-print from the JSON

Issue 46 made ``colour`` a presence check (it also tested an amount, from a third of the smallest
object to three times the total, so one object drawn too large failed ``colour`` as well as
``size`` and ``coverage``), measured shapes in their own upright frame and symmetry about the
drawing's own middle. This measures what that did to the dependence between kinds, over the
programs a real policy writes: Qwen2.5-Coder-0.5B's substrate samples
(``runs/substrate-v3/qwen2.5-coder-0.5b/level-L/rollouts.jsonl``: ``codepaint eval --suite shapes
--level L --split eval --limit 48 --seed 0 --language svg``, one sample a task, ct2 int8).

1. The code before the issue (commit :data:`OLD_COMMIT`) is extracted to ``/tmp/cp-old/src``.
2. Every sample's SVG is rendered once with resvg (the fast SVG backend) at its task's size (the
   size the eval used: the task's default, 512x512) and saved as PNG.
3. Two worker subprocesses score the same PNGs: one with ``PYTHONPATH=/tmp/cp-old/src`` (the old
   suite from the same ``load_suite`` call, the old gate and checks), one with the current ``src``.
   Each gives, per sample, whether the execution gate of that code's own default reward
   (``gate:0.2,checks:0.8``) let it in, the reward, and per check kind whether every check of that
   kind in the task passed. Tasks are matched by id (the old and new suites give the same 48 ids a
   level; the script stops if they do not).
4. Counted: rendered samples that passed that code's own gate. The phi coefficient of each pair of
   kinds (failure = 1) over the counted samples where both kinds are checked (``-`` where n < 10,
   ``n/a`` where one kind is constant there: phi is undefined), pooled over levels; each kind's
   failure rate; for the pairs that matter, 95 % bootstrap intervals (resampling samples) and the
   paired change on the samples both gates let in; the verdicts each kind changed on those samples;
   why ``colour`` failed (from its sentences); and how the resvg renders and the current code agree
   with the eval's own rows (Chromium renders, scored by the code of their run).

Level 4's run has no samples (its ``rollouts.jsonl`` is empty): it is reported as such, and
``symmetry`` (checked at level 4 only) and ``aspect`` (in no ``shapes`` task) are not measured.

Writes ``docs/check-correlation.json`` (every sample's verdicts, and the tables) and prints markdown.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "runs" / "substrate-v3" / "qwen2.5-coder-0.5b"
OUT = ROOT / "docs" / "check-correlation.json"
WORK = Path("/tmp/check-correlation")
OLD_TREE = Path("/tmp/cp-old")
#: The last commit before issue 46's changes to the checks.
OLD_COMMIT = "19295a5"
LEVELS = (0, 1, 2, 3, 4)
SPEC = "gate:0.2,checks:0.8"
SIDES = ("old", "new")
MIN_N = 10
#: The pairs the issue is about (colour as a second size signal) and those its other changes touch.
#: (No ``shapes`` task has an ``aspect`` check, and ``symmetry`` is checked at level 4 only.)
PAIRS: tuple[tuple[str, str], ...] = (
    ("colour", "size"), ("colour", "coverage"), ("colour", "count"), ("colour", "not_cut"),
    ("colour", "relation"), ("colour", "shape"), ("size", "coverage"), ("count", "size"), ("shape", "size"))
BOOTSTRAP = 2000


# ---------------------------------------------------------------------- the old tree
def extract_old_tree() -> Path:
    """``git archive OLD_COMMIT src`` into :data:`OLD_TREE` (once); its ``src`` folder."""
    src = OLD_TREE / "src"
    if not src.is_dir():
        OLD_TREE.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", OLD_COMMIT, "src"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(OLD_TREE)], input=archive, check=True)
    return src


# ---------------------------------------------------------------------- rendering (current code)
def read_rows(level: int) -> list[dict[str, Any]]:
    """The substrate samples of a level (none when the file is missing or empty)."""
    path = RUNS / f"level-{level}" / "rollouts.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def render_samples(work: Path, rows_per_level: int | None = None
                   ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Render every sample with resvg at its task's size; the jobs for the workers and a tally a level.

    A job is ``{"level", "task_id", "sample", "code", "png", "render"}`` (``render``: the
    :class:`RenderResult` as a dict, without the picture, which is the file ``png``).
    """
    from codepaint_env.render import Renderer
    from codepaint_env.tasks import load_suite

    jobs: list[dict[str, Any]] = []
    levels: dict[str, dict[str, Any]] = {}
    renderer = Renderer(cache_size=0)
    try:
        for level in LEVELS:
            rows = read_rows(level)[:rows_per_level]
            run = json.loads((RUNS / f"level-{level}" / "run.json").read_text(encoding="utf-8"))
            tally: dict[str, Any] = {"rows": len(rows), "rendered": 0, "not_rendered": {}}
            levels[str(level)] = tally
            if not rows:
                continue
            tasks = {t.id: t for t in load_suite("shapes", split=run["split"], language=run["language"],
                                                 level=level, count=run["limit"])}
            if list(tasks) != run["tasks"]:
                raise SystemExit(f"level {level}: load_suite's tasks are not the run's (run.json 'tasks')")
            folder = work / f"level-{level}"
            folder.mkdir(parents=True, exist_ok=True)
            for row in rows:
                task = tasks[row["task_id"]]
                res = renderer.render(row["code"], "svg", size=task.size, seed=0, renderer="fast")
                if not res.ok or res.png is None:
                    kind = res.error_kind or "no picture"
                    tally["not_rendered"][kind] = tally["not_rendered"].get(kind, 0) + 1
                    continue
                tally["rendered"] += 1
                png = folder / f"{task.id}-{row['sample']}.png"
                png.write_bytes(res.png)
                jobs.append({"level": level, "task_id": task.id, "sample": row["sample"], "code": row["code"],
                             "png": str(png), "render": res.to_dict()})
    finally:
        renderer.close()
    return jobs, levels


# ---------------------------------------------------------------------- scoring (old or new code)
def worker(jobs_path: Path, out_path: Path) -> None:
    """Score the rendered jobs with whatever ``codepaint_env`` and ``rewards`` are on the path.

    Only APIs both trees have are used: ``load_suite``, ``RenderResult.from_dict``, ``Sample``,
    ``make_reward``, ``sample_checks``, ``Picture`` and ``evaluate``.
    """
    import rewards
    from codepaint_env.core.result import RenderResult
    from codepaint_env.tasks import load_suite
    from rewards.base import Sample
    from rewards.checks.evaluate import evaluate
    from rewards.checks.picture import Picture
    from rewards.checks.reward import sample_checks

    jobs = json.loads(jobs_path.read_text(encoding="utf-8"))
    reward = rewards.make_reward(SPEC)
    tasks: dict[str, Any] = {}
    for level in sorted({j["level"] for j in jobs}):
        run = json.loads((RUNS / f"level-{level}" / "run.json").read_text(encoding="utf-8"))
        for t in load_suite("shapes", split=run["split"], language=run["language"], level=level,
                            count=run["limit"]):
            tasks[t.id] = t
    out = []
    for job in jobs:
        task = tasks.get(job["task_id"])
        if task is None:
            raise SystemExit(f"{job['task_id']}: not in this tree's suite (ids differ: match by index)")
        res = RenderResult.from_dict(job["render"])
        res.png = Path(job["png"]).read_bytes()
        sample = Sample(code=job["code"], language="svg", render=res, prompt=task.prompt,
                        meta={**task.columns(), "size": list(task.size)})
        [scored] = reward.score([sample])
        gate = scored.breakdown.get("execution_gate")
        passed_gate = None if scored.value is None or gate is None else scored.breakdown.get("gated") == 0.0
        image = res.canvas_image
        assert image is not None
        outcomes = evaluate(sample_checks(sample), Picture(image), job["code"], "svg")
        kinds: dict[str, bool] = {}
        failed: list[str] = []
        for o in outcomes:
            if o.passed is None:
                continue
            kinds[o.check.kind] = kinds.get(o.check.kind, True) and bool(o.passed)
            if not o.passed:
                failed.append(f"{o.check.name}: {o.sentence}"[:300])
        out.append({"level": job["level"], "task_id": job["task_id"], "sample": job["sample"],
                    "gate": passed_gate, "reward": scored.value, "kinds": kinds, "failed": failed,
                    "gate_rationale": None if passed_gate else scored.rationale[:300]})
    out_path.write_text(json.dumps(out), encoding="utf-8")


def run_worker(side: str, jobs_path: Path, old_src: Path) -> list[dict[str, Any]]:
    """Run :func:`worker` in a subprocess on the old tree or the current one; its results."""
    src = old_src if side == "old" else ROOT / "src"
    out_path = jobs_path.with_name(f"scored-{side}.json")
    env = {**os.environ, "PYTHONPATH": str(src),
           # the old tree has no pyproject.toml beside it, so name the (unchanged) pool explicitly
           "CODEPAINT_POOL_DIR": str(ROOT / "reference_pool")}
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", str(jobs_path), str(out_path)],
                   env=env, check=True, cwd=str(ROOT))
    return json.loads(out_path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------- statistics
def phi(a: np.ndarray, b: np.ndarray) -> float | None:
    """The phi coefficient of two boolean vectors (Pearson's r of 0/1); None when one is constant."""
    n = len(a)
    if n == 0:
        return None
    pa, pb = a.mean(), b.mean()
    denom = pa * (1 - pa) * pb * (1 - pb)
    if denom <= 0:
        return None
    return float(((a & b).mean() - pa * pb) / math.sqrt(denom))


def failures(samples: Sequence[dict[str, Any]], side: str, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    """Failure vectors of kinds ``x`` and ``y`` over the samples where both are checked."""
    both = [s[side]["kinds"] for s in samples if x in s[side]["kinds"] and y in s[side]["kinds"]]
    return (np.array([not k[x] for k in both], dtype=bool), np.array([not k[y] for k in both], dtype=bool))


def counted(samples: Sequence[dict[str, Any]], side: str) -> list[dict[str, Any]]:
    """The samples that side's own gate let in."""
    return [s for s in samples if s[side]["gate"]]


def phi_table(samples: Sequence[dict[str, Any]], side: str,
              kinds: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``"x|y" -> {"phi", "n", "both_fail", "x_only", "y_only", "neither"}`` for every pair of kinds."""
    table = {}
    for i, x in enumerate(kinds):
        for y in kinds[i + 1:]:
            fx, fy = failures(samples, side, x, y)
            table[f"{x}|{y}"] = {"phi": phi(fx, fy), "n": len(fx), "both_fail": int((fx & fy).sum()),
                                 "x_only": int((fx & ~fy).sum()), "y_only": int((~fx & fy).sum()),
                                 "neither": int((~fx & ~fy).sum())}
    return table


def bootstrap(pair: tuple[np.ndarray, np.ndarray], rng: np.random.Generator,
              paired: tuple[np.ndarray, np.ndarray] | None = None) -> list[float] | None:
    """A 95 % percentile interval of phi over resampled samples.

    With ``paired`` (the same samples' failures under the new code), of phi(paired) - phi(pair).
    """
    a, b = pair
    n = len(a)
    if n < MIN_N:
        return None
    stats = []
    for _ in range(BOOTSTRAP):
        idx = rng.integers(0, n, n)
        p = phi(a[idx], b[idx])
        if paired is not None:
            q = phi(paired[0][idx], paired[1][idx])
            p = None if p is None or q is None else q - p
        if p is not None:
            stats.append(p)
    if len(stats) < BOOTSTRAP // 2:
        return None
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return [round(float(lo), 3), round(float(hi), 3)]


def summarise(samples: Sequence[dict[str, Any]], kinds: Sequence[str]) -> dict[str, Any]:
    """The tables: phi before/after (counted samples) and on the common ones, failure rates, intervals."""
    before, after = counted(samples, "old"), counted(samples, "new")
    common = [s for s in samples if s["old"]["gate"] and s["new"]["gate"]]
    rng = np.random.default_rng(0)
    intervals = {}
    for x, y in PAIRS:
        same = [s for s in common if all(k in s[side]["kinds"] for k in (x, y) for side in SIDES)]
        intervals[f"{x}|{y}"] = {"before": bootstrap(failures(before, "old", x, y), rng),
                                 "after": bootstrap(failures(after, "new", x, y), rng),
                                 "delta_common": bootstrap(failures(same, "old", x, y), rng,
                                                           paired=failures(same, "new", x, y))}
    changed = {}
    for k in kinds:
        both = [(s["old"]["kinds"][k], s["new"]["kinds"][k]) for s in common
                if k in s["old"]["kinds"] and k in s["new"]["kinds"]]
        changed[k] = {"fail_to_pass": sum(not o and n for o, n in both),
                      "pass_to_fail": sum(o and not n for o, n in both), "n": len(both)}
    rates = {}
    for side, group in (("old", before), ("new", after)):
        rates[side] = {}
        for k in kinds:
            checked = [s[side]["kinds"][k] for s in group if k in s[side]["kinds"]]
            rates[side][k] = {"failed": sum(not v for v in checked), "n": len(checked)}
    return {"counted": {"before": len(before), "after": len(after), "common": len(common)},
            "phi": {"before": phi_table(before, "old", kinds), "after": phi_table(after, "new", kinds),
                    "common_before": phi_table(common, "old", kinds),
                    "common_after": phi_table(common, "new", kinds)},
            "intervals": intervals, "failure_rates": rates, "changed": changed}


# ---------------------------------------------------------------------- the report
def fmt_phi(cell: dict[str, Any] | None) -> str:
    """A phi cell: ``-`` under :data:`MIN_N` samples, ``n/a`` when undefined (a constant kind)."""
    if cell is None or cell["n"] < MIN_N:
        return "-"
    return "n/a" if cell["phi"] is None else f"{cell['phi']:+.2f}"


def fmt_interval(iv: list[float] | None) -> str:
    """``[lo, hi]`` or ``-``."""
    return "-" if iv is None else f"[{iv[0]:+.2f}, {iv[1]:+.2f}]"


def cell(table: dict[str, dict[str, Any]], x: str, y: str) -> dict[str, Any] | None:
    """The table's cell for a pair, in either order."""
    return table.get(f"{x}|{y}") or table.get(f"{y}|{x}")


def markdown(data: dict[str, Any]) -> str:
    """The report: samples, the pairs that matter, the full after-table, failure rates."""
    s = data["summary"]
    kinds: list[str] = data["kinds"]
    size = "x".join(str(v) for v in data["size"] or ())
    lines = [f"Command: `{data['command']}` ({data['wall_seconds']:.0f} s). Old code: commit "
             f"{data['old_commit']}; new: {data['new_commit']}. Renders: {data['renderer']} at {size}.", "",
             "| level | samples | rendered | old gate passed | new gate passed |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for level, t in data["levels"].items():
        if not t["rows"]:
            lines.append(f"| {level} | 0 (no samples: the run has none) | - | - | - |")
            continue
        lines.append(f"| {level} | {t['rows']} | {t['rendered']} | {t['gate_old']} | {t['gate_new']} |")
    e = data.get("eval_agreement")
    if e:
        lines += ["", f"Against the eval's own rows (Chromium renders, scored at commit "
                  f"{', '.join(e['commits'])}): rendered there {e['chromium_rendered']}, here "
                  f"{e['resvg_rendered']}; the current gate agrees on {e['gate'][0]} of {e['gate'][1]}, the "
                  f"current kinds' verdicts on {e['kinds'][0]} of {e['kinds'][1]}."]
    c = s["counted"]
    lines += ["", f"Counted: before {c['before']}, after {c['after']} (each code's own gate); "
              f"{c['common']} passed both.", "",
              "Phi of failures, the pairs that matter (n: samples where both kinds are checked):", "",
              "| pair | before (n) | 95 % | after (n) | 95 % | both gates: before -> after | change, 95 % |",
              "| --- | ---: | --- | ---: | --- | --- | --- |"]
    for x, y in PAIRS:
        b, a = cell(s["phi"]["before"], x, y), cell(s["phi"]["after"], x, y)
        cb, ca = cell(s["phi"]["common_before"], x, y), cell(s["phi"]["common_after"], x, y)
        iv = s["intervals"][f"{x}|{y}"]
        lines.append(f"| {x} - {y} | {fmt_phi(b)} ({b['n'] if b else 0}) | {fmt_interval(iv['before'])} | "
                     f"{fmt_phi(a)} ({a['n'] if a else 0}) | {fmt_interval(iv['after'])} | "
                     f"{fmt_phi(cb)} -> {fmt_phi(ca)} ({ca['n'] if ca else 0}) | "
                     f"{fmt_interval(iv['delta_common'])} |")
    lines += ["", "Colour against size and coverage, counts (both fail / colour only / other only / "
              "neither):", ""]
    for x, y in (("colour", "size"), ("colour", "coverage")):
        for label, key in (("before", "before"), ("after", "after")):
            t = cell(s["phi"][key], x, y)
            if t:
                lines.append(f"* {x} - {y}, {label}: {t['both_fail']} / {t['x_only']} / {t['y_only']} / "
                             f"{t['neither']} (n {t['n']})")
    present = [k for k in kinds if s["failure_rates"]["new"][k]["n"] or s["failure_rates"]["old"][k]["n"]]
    lines += ["", "All pairs after (phi of failures; `-`: n < 10; `n/a`: a kind that never or always fails "
              "there):", "", "| | " + " | ".join(present[1:]) + " |",
              "| --- |" + " ---: |" * (len(present) - 1)]
    for i, x in enumerate(present[:-1]):
        row = ["" if j <= i else fmt_phi(cell(s["phi"]["after"], x, y))
               for j, y in enumerate(present) if j > 0]
        lines.append(f"| {x} | " + " | ".join(row) + " |")
    lines += ["", "Each kind's failure rate over the counted samples where it is checked:", "",
              "| kind | before | after | verdicts changed (both gates): fail -> pass, pass -> fail, of |",
              "| --- | ---: | ---: | --- |"]
    for k in present:
        o, n, ch = s["failure_rates"]["old"][k], s["failure_rates"]["new"][k], s["changed"][k]
        lines.append(f"| {k} | {rate(o)} | {rate(n)} | {ch['fail_to_pass']}, {ch['pass_to_fail']}, "
                     f"of {ch['n']} |")
    reasons = data.get("colour_failures", {})
    if reasons:
        lines += ["", "Why `colour` failed (failed colour checks of counted samples, from their sentences):",
                  ""]
        for side, label in (("old", "before"), ("new", "after")):
            parts = ", ".join(f"{k} {v}" for k, v in sorted(reasons[side].items(), key=lambda kv: -kv[1]))
            lines.append(f"* {label}: {parts or 'none'}")
    return "\n".join(lines)


def rate(r: dict[str, int]) -> str:
    """``12 % (5/41)`` or ``-``."""
    return "-" if not r["n"] else f"{r['failed'] / r['n']:.0%} ({r['failed']}/{r['n']})"


# ---------------------------------------------------------------------- main
def colour_reasons(results: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Why the failed ``colour`` checks of gate-passing samples failed, read from their sentences.

    Before: "expected red to cover 1.1%-11% of the canvas, found 28%" (absent below 0.05 %); after:
    "expected something red (...), found none" or "... found only specks covering 0.1%".
    """
    out: dict[str, int] = {}
    for r in results:
        if not r["gate"]:
            continue
        for line in r["failed"]:
            if not line.startswith("colour:"):
                continue
            m = re.search(r"cover ([\d.]+)%-([\d.]+)% of the canvas, found ([\d.]+)%", line)
            if m:
                lo, hi, found = (float(v) for v in m.groups())
                why = ("absent" if found < 0.05 else "too much" if found > hi
                       else "too little" if found < lo else "other")
            elif "found none" in line:
                why = "absent"
            elif "only specks" in line:
                why = "only specks"
            else:
                why = "other"
            out[why] = out.get(why, 0) + 1
    return out


def eval_agreement(samples: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How the resvg renders and the current code compare with the eval's own rows.

    The rows were rendered in Chromium and scored by the code of their run (``run.json``'s
    provenance commit); each row's ``checks/<kind>`` metric is 1 when every check of the kind passed.
    """
    by_key = {(s["task_id"], s["sample"]): s for s in samples}
    out = {"chromium_rendered": 0, "resvg_rendered": len(samples), "gate": [0, 0], "kinds": [0, 0],
           "commits": sorted({json.loads((RUNS / f"level-{level}" / "run.json").read_text(encoding="utf-8"))
                              .get("provenance", {}).get("codepaint", {}).get("commit", "?")[:7]
                              for level in LEVELS})}
    for level in LEVELS:
        for row in read_rows(level):
            out["chromium_rendered"] += bool(row["render"]["ok"])
            mine = by_key.get((row["task_id"], row["sample"]))
            if mine is None:
                continue
            out["gate"][0] += bool(row["gate_pass"]) == bool(mine["new"]["gate"])
            out["gate"][1] += 1
            if not (row["gate_pass"] and mine["new"]["gate"]):
                continue
            for kind, passed in mine["new"]["kinds"].items():
                stored = row["metrics"].get(f"checks/{kind}")
                if stored is not None:
                    out["kinds"][0] += (stored == 1.0) == passed
                    out["kinds"][1] += 1
    return out


def measure(command: str, rows_per_level: int | None = None) -> dict[str, Any]:
    """Render, score with both trees, and summarise; the JSON document."""
    from rewards.checks.spec import KINDS

    t0 = time.perf_counter()
    old_src = extract_old_tree()
    WORK.mkdir(parents=True, exist_ok=True)
    jobs, levels = render_samples(WORK, rows_per_level)
    jobs_path = WORK / "jobs.json"
    jobs_path.write_text(json.dumps(jobs), encoding="utf-8")
    scored = {side: run_worker(side, jobs_path, old_src) for side in SIDES}
    samples = []
    for job, old, new in zip(jobs, scored["old"], scored["new"], strict=True):
        assert job["task_id"] == old["task_id"] == new["task_id"]
        samples.append({"level": job["level"], "task_id": job["task_id"], "sample": job["sample"],
                        **{side: {"gate": r["gate"], "reward": r["reward"], "kinds": r["kinds"],
                                  "failed": [f.split(": ", 1)[0] for f in r["failed"]]}
                           for side, r in (("old", old), ("new", new))}})
    for level, t in levels.items():
        mine = [s for s in samples if str(s["level"]) == level]
        t["gate_old"] = sum(bool(s["old"]["gate"]) for s in mine)
        t["gate_new"] = sum(bool(s["new"]["gate"]) for s in mine)
        t["gate_unjudged"] = {side: sum(s[side]["gate"] is None for s in mine) for side in SIDES}
    used = {k for s in samples for side in SIDES for k in s[side]["kinds"]}
    kinds = [k for k in KINDS if k in used] + sorted(used - set(KINDS))
    new_commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
    renderer = next((j["render"]["renderer"] for j in jobs), "")
    size = jobs[0]["render"]["size"] if jobs else None
    return {"command": command, "wall_seconds": round(time.perf_counter() - t0, 1), "old_commit": OLD_COMMIT,
            "new_commit": new_commit, "renderer": renderer, "size": size,
            "source": str(RUNS.relative_to(ROOT)), "spec": SPEC, "levels": levels, "kinds": kinds,
            "colour_failures": {side: colour_reasons(scored[side]) for side in SIDES},
            "eval_agreement": eval_agreement(samples),
            "summary": summarise(samples, kinds), "samples": samples}


def to_json(data: dict[str, Any]) -> str:
    """The document as JSON: the tables indented, one line a sample (a diff shows which changed)."""
    head = json.dumps({k: v for k, v in data.items() if k != "samples"}, indent=1)
    rows = ",\n".join("  " + json.dumps(s) for s in data["samples"])
    return head[:-2] + ',\n "samples": [\n' + rows + "\n ]\n}\n"


def main(argv: list[str] | None = None) -> int:
    """Measure and write the JSON, or (``--report-only``) re-print it."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--report-only", action="store_true", help=f"re-print the report from {OUT.name}")
    parser.add_argument("--no-write", action="store_true", help=f"print only (do not write {OUT.name})")
    parser.add_argument("--rows", type=int, default=None, metavar="N",
                        help="only the first N samples of each level (a quick look; writes nothing)")
    parser.add_argument("--worker", nargs=2, metavar=("JOBS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(Path(args.worker[0]), Path(args.worker[1]))
        return 0
    if args.report_only:
        data = json.loads(OUT.read_text(encoding="utf-8"))
        data["summary"] = summarise(data["samples"], data["kinds"])  # the same tables: deterministic
    else:
        given = argv if argv is not None else sys.argv[1:]
        command = "python benchmarks/validity/check_correlation.py " + " ".join(given)
        data = measure(command.strip(), args.rows)
        if not args.no_write and args.rows is None:
            OUT.write_text(to_json(data), encoding="utf-8")
    print(markdown(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
