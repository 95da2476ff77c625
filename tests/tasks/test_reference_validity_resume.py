"""``benchmarks/validity/reference_validity.py`` keeps its verdicts across calls, and scores again a row
that has none.

A row whose render failed for the infrastructure's sake (``value`` None) is not a verdict on the
reference: the next call drops it from the rows file and scores the task again, and the report
never counts it as a failure.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "validity"))

import reference_validity  # noqa: E402
from codepaint_env.tasks import load_suite  # noqa: E402


def test_an_unjudged_row_is_scored_again_and_a_verdict_is_kept(tmp_path):
    tasks = [t for t in load_suite("shapes", level=0, count=2, seed=0, split="train") if t.language == "svg"]
    path = tmp_path / "rows.jsonl"
    verdict = {"task": tasks[0].id, "level": 0, "split": "train", "language": "svg", "size": 160,
               "value": 0.5, "passed": False, "failed": ["visual_checks/colour"], "why": "kept as written",
               "render": "ok", "render_s": 0.0, "score_s": 0.0, "ocr_reads": 0, "closest": None}
    infra = {**verdict, "task": tasks[1].id, "value": None, "failed": [], "why": "", "render": "infra"}
    path.write_text(json.dumps(verdict) + "\n" + json.dumps(infra) + "\n")

    summary = reference_validity.summarise({"svg": reference_validity.read_rows(path)}, {"svg": 2}, [0])
    assert [r["task"] for r in summary["failures"]] == [tasks[0].id]  # the infra row is no failure
    assert [r["task"] for r in summary["unjudged"]] == [tasks[1].id]
    assert summary["table"][(0, "svg")] == [0, 1]

    reference_validity.run_language("svg", tasks, path, 160, chunk=2, pages=1, deadline=float("inf"))
    rows = reference_validity.read_rows(path)
    assert [r["task"] for r in rows] == [tasks[0].id, tasks[1].id]
    assert rows[0] == verdict  # a verdict is never scored again
    assert rows[1]["value"] == pytest.approx(1.0) and rows[1]["passed"] and rows[1]["render"] != "infra"
