"""Rows of models evaluated on different days are scored again under one commit's checks (issue 55).

A rollout row keeps what the policy wrote; its render, reward and verdicts are made again by the
real renderer and reward, so a row scored by yesterday's checks reads as today's would.
"""

from __future__ import annotations

import json

import pytest

from codepaint_env.policy.learning.eval_rows import eval_tasks, rescore, rows_of_folders, sample_row

pytestmark = pytest.mark.browser  # rescore renders the rows' SVG programs in Chromium


def _stale(task, code: str, sample: int) -> dict:
    """A rollout row as an evaluation with older checks might have left it: everything failed."""
    return {"task_id": task.id, "sample": sample, "level": task.level, "code": code, "completion": code,
            "reward": -0.2, "gate": -1.0, "gate_pass": False, "breakdown": {"visual_checks/background": 0.0},
            "metrics": {}, "render": {"ok": False}, "finish_reason": "stop", "completion_tokens": 9}


def test_rescore_makes_render_reward_and_verdicts_again_and_keeps_what_the_policy_wrote(tmp_path):
    tasks = eval_tasks([0], 2)
    first, second = tasks.values()
    rows = [_stale(first, first.reference_programs["svg"], 0), _stale(second, "<svg xmlns='x'><broken", 1)]
    again = rescore(rows, tasks, "gate:0.2,checks:0.8")
    good, bad = (sample_row(r, tasks[r["task_id"]]) for r in again)
    assert good["gate_pass"] and good["reward"] > 0.9 and good["all_stated"] == 1.0
    assert all(good["checks"][n] is True for n in good["stated"])  # the reference keeps every stated claim
    assert not bad["gate_pass"] and bad["reward"] == -0.2 and bad["share"] is None  # a broken program
    assert [r["code"] for r in again] == [r["code"] for r in rows] and again[0]["completion_tokens"] == 9
    # the same through an eval folder's rollouts file
    folder = tmp_path / "level-0"
    folder.mkdir()
    (folder / "rollouts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    kept = rows_of_folders([folder], tasks)
    assert not kept[0]["gate_pass"]  # as evaluated
    assert rows_of_folders([folder], tasks, rescore_with="gate:0.2,checks:0.8")[0] == good
