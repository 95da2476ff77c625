"""Committed evaluation rows scored again under this commit's checks, beside their published figures.

    python benchmarks/validity/rescore_rows.py            # writes docs/claim-graph-rescore.json and .md

Issue 72 changed what the checks pay (version 5: the claim graph, :mod:`rewards.checks.graph`) and
the ``knowledge`` cards' checks. The published learning results were computed under version 4. This
renders every committed program again (SVG, resvg) and scores it with ``visual_checks`` against its
task's checks as they are now; the old figures are read from the rows as committed. Per model:

* ``share``: the checks share with gate failures as 0 (a program that did not render or was gated
  out earns 0), old (as committed) and new;
* ``share_passers``: the same among gate-passers (gate as committed; a sample whose program no longer
  renders here is counted as failed and said);
* ``full``: full passes (every stated check), old and new.

The rows: ``docs/learning-run-4/rows-*.jsonl.gz`` (levels 0-2, 48 eval scenes a level x 2) and
``docs/search-learning/rows-*.jsonl.gz`` (37 eval facts x 2).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
RUNS = {"learning-run-4": "shapes", "search-learning": "knowledge"}


def _tasks(suite: str) -> dict[str, Any]:
    from codepaint_env.policy.learning.eval_rows import eval_tasks
    from codepaint_env.tasks import load_suite

    if suite == "shapes":
        return eval_tasks((0, 1, 2), 48)
    return {t.id: t for t in load_suite("knowledge", split="eval", language="svg")}


def _old(row: dict[str, Any]) -> tuple[float | None, bool, bool]:
    """The committed (share, gate passed, full pass) of a row, from either run's row form."""
    gate = bool(row.get("gate_pass"))
    if "share" in row:  # learning run 4
        return (row["share"] if gate else 0.0), gate, bool(row.get("all_stated")) and gate
    metrics = row.get("metrics") or {}
    share = metrics.get("checks/share")
    full = bool(metrics.get("checks/all_stated")) and gate
    return (share if gate and share is not None else 0.0), gate, full


def rescore(run: str, suite: str) -> dict[str, Any]:
    """One run's models: old and new shares and full passes."""
    import rewards
    from codepaint_env.policy.learning.eval_rows import read_rows
    from codepaint_env.render import default_renderer
    from rewards.base import Sample

    tasks = _tasks(suite)
    reward = rewards.make_reward("checks")
    renderer = default_renderer()
    out: dict[str, Any] = {}
    for path in sorted((DOCS / run).glob("rows-*.jsonl.gz")):
        model = path.name[len("rows-"):-len(".jsonl.gz")]
        rows = [r for r in read_rows(path) if r["task_id"] in tasks]
        codes = [r.get("code") or r.get("program") or "" for r in rows]
        renders = renderer.render_many(codes, "svg", size=512, renderer="fast")
        samples = [Sample(code=c, language="svg", render=x, meta=tasks[r["task_id"]].columns())
                   for c, x, r in zip(codes, renders, rows, strict=True)]
        results = reward.score(samples)
        old, new, old_p, new_p, old_full, new_full, lost = [], [], [], [], 0, 0, 0
        for row, res in zip(rows, results, strict=True):
            share, gate, full = _old(row)
            old.append(share)
            old_full += full
            value = res.value if gate and res.value is not None else 0.0
            lost += gate and res.value is None
            new.append(value)
            new_full += gate and bool(res.metrics.get("checks/all_stated"))
            if gate:
                old_p.append(share)
                new_p.append(value)
        out[model] = {"samples": len(rows), "gate_passers": len(old_p), "not_scored_here": lost,
                      "share_old": round(statistics.fmean(old), 4),
                      "share_new": round(statistics.fmean(new), 4),
                      "share_passers_old": round(statistics.fmean(old_p), 4) if old_p else None,
                      "share_passers_new": round(statistics.fmean(new_p), 4) if new_p else None,
                      "full_old": old_full, "full_new": new_full}
    return out


def markdown(data: dict[str, Any]) -> str:
    """The report as a page."""
    lines = ["# Published learning rows, scored again under the checks' version 5", "",
             "Written by `python benchmarks/validity/rescore_rows.py` "
             "(module docstring: what each column is). "
             "Old: as committed (checks version 4, a flat weighted share); new: this commit (the claim "
             "graph, and the knowledge cards of issue 72).", ""]
    for run, models in data["runs"].items():
        lines += [f"## {run} ({data['suites'][run]})", "",
                  "| model | samples | share (failures 0) old → new | among gate-passers old → new "
                  "| full passes old → new |", "|---|---|---|---|---|"]
        for model, m in models.items():
            passers = (f"{m['share_passers_old']:.3f} → {m['share_passers_new']:.3f}"
                       if m["share_passers_old"] is not None else "–")
            lines.append(f"| {model} | {m['samples']} | {m['share_old']:.3f} → {m['share_new']:.3f} | "
                         f"{passers} | {m['full_old']} → {m['full_new']} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Rescore every run's rows; write docs/claim-graph-rescore.json and .md."""
    del argv
    data: dict[str, Any] = {"suites": RUNS, "runs": {}}
    for run, suite in tqdm(RUNS.items(), desc="runs"):
        data["runs"][run] = rescore(run, suite)
    (DOCS / "claim-graph-rescore.json").write_text(json.dumps(data, indent=1) + "\n")
    (DOCS / "claim-graph-rescore.md").write_text(markdown(data))
    print(markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
