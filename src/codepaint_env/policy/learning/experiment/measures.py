"""Learning runs 2 and 3's measures, from a ``codepaint eval`` folder's rollouts (one definition of each).

Run 4 and later report from committed rows (:mod:`..compare`); these read an evaluation folder's
``rollouts.jsonl``, as runs 2 and 3, the substrate table (``benchmarks/learning/substrate.py``) and
the knowledge-search measurement (``benchmarks/search/knowledge_search.py``) do.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

#: The verifiable reward of learning runs 2-4: the execution gate and the task's own checks.
REWARD = "gate:0.2,checks:0.8"

Row = dict[str, Any]


def rows_of(folder: Path) -> list[Row]:
    """An evaluation's rollouts (none: the folder holds no ``rollouts.jsonl``)."""
    path = folder / "rollouts.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def judged_in_full(out: Path) -> bool:
    """Whether ``codepaint eval`` finished in ``out`` with every sample made and judged.

    A folder with missing or unjudged samples (an endpoint or a render that failed for the
    infrastructure's sake) is not done: ``--resume`` makes those samples again.
    """
    summary = out / "summary.json"
    if not summary.exists():
        return False
    made = json.loads(summary.read_text())
    return not made.get("missing_samples") and not made.get("mean_reward", {}).get("unjudged")


def metric(row: Row, key: str) -> float | None:
    """A rollout's metric (``checks/share``...), ``None`` where it has none."""
    value = (row.get("metrics") or {}).get(key)
    return None if value is None else float(value)


def measures(rows: list[Row]) -> dict[str, Any]:
    """The four rates of the learning-run table, and the share among all samples."""
    gated = [r for r in rows if r.get("gate_pass") and metric(r, "checks/share") is not None]

    def mean(values: list[float]) -> float | None:
        return round(statistics.fmean(values), 4) if values else None

    return {
        "samples": len(rows),
        "draws_something": mean([float(bool(r.get("draws_something"))) for r in rows]),
        "gate_pass": mean([float(bool(r.get("gate_pass"))) for r in rows]),
        "checks_share_gated": mean([metric(r, "checks/share") or 0.0 for r in gated]),
        "checks_share_all": mean([(metric(r, "checks/share") or 0.0) if r in gated else 0.0 for r in rows]),
        "all_checks_pass": mean([metric(r, "checks/all_stated") or 0.0 for r in gated]),
    }


def per_task_share(rows: list[Row]) -> dict[str, float]:
    """Each task's mean checks share over its gate-passing samples (a task with none left out)."""
    out: dict[str, list[float]] = {}
    for r in rows:
        share = metric(r, "checks/share")
        if r.get("gate_pass") and share is not None:
            out.setdefault(r["task_id"], []).append(share)
    return {t: statistics.fmean(v) for t, v in out.items()}


def per_task_gate(rows: list[Row]) -> dict[str, float]:
    """Per task, the share of its samples that passed the gate."""
    out: dict[str, list[float]] = {}
    for r in rows:
        out.setdefault(r["task_id"], []).append(float(bool(r.get("gate_pass"))))
    return {t: statistics.fmean(v) for t, v in out.items()}


def step_seconds(curves: list[dict[str, str]]) -> dict[str, float | None]:
    """Mean seconds of a GRPO step spent generating, rendering and scoring (from the curves)."""
    def mean(key: str) -> float | None:
        vals = [float(r[key]) for r in curves if r.get(key) not in (None, "")]
        return round(statistics.fmean(vals), 2) if vals else None

    return {"generate": mean("codepaint/time/generate"), "render": mean("codepaint/time/render"),
            "score": mean("codepaint/time/score"), "step": mean("step_time")}


def monitors(rows: list[Row]) -> dict[str, float]:
    """The hack monitors over an eval's samples: text, copies, degenerate pictures, invented API."""
    def share(pred: Any) -> float:
        return round(sum(1 for r in rows if pred(r)) / len(rows), 4) if rows else 0.0

    def failed(r: Row, check: str) -> bool:
        breakdown = r.get("breakdown") or {}
        return any(k.endswith(check) and v == 0.0 for k, v in breakdown.items())

    return {"text": share(lambda r: failed(r, "no_text")), "copy": share(lambda r: failed(r, "not_copy")),
            "degenerate": share(lambda r: failed(r, "not_degenerate")),
            "invented_api": share(lambda r: failed(r, "known_api"))}


def kinds_passed(rows: list[Row]) -> dict[str, tuple[float, int]]:
    """Per check kind, over the gate-passing samples that state it: ``(pass share, samples)``."""
    seen: dict[str, list[float]] = {}
    for r in rows:
        if not r.get("gate_pass"):
            continue
        for key, value in (r.get("metrics") or {}).items():
            kind = key[len("checks/"):]
            if key.startswith("checks/") and value is not None and kind not in ("share", "all_stated"):
                seen.setdefault(kind, []).append(float(value))
    return {k: (statistics.fmean(v), len(v)) for k, v in sorted(seen.items())}


def kinds_table(models: dict[str, list[Row]]) -> list[str]:
    """Markdown: a row per model, a column per check kind (pass share among gate-passers, levels pooled)."""
    per = {tag: kinds_passed(rows) for tag, rows in models.items()}
    kinds = sorted({k for v in per.values() for k in v if k not in ("no_image",)})
    out = ["| model | " + " | ".join(kinds) + " |", "| --- |" + " --- |" * len(kinds)]
    for tag, v in per.items():
        cells = [f"{100 * v[k][0]:.0f} % ({v[k][1]})" if k in v else "-" for k in kinds]
        out.append(f"| {tag} | " + " | ".join(cells) + " |")
    return out
