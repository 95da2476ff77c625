"""A plan that looks again at models already judged declares a stricter level (``goal.alpha``), and the
goal is judged at it (docs/learning-run-5-d-confirm-plan.md: arm D's second look, α = 0.025)."""

from __future__ import annotations

from pathlib import Path

from codepaint_env.policy.learning.compare import ALPHA, Comparison
from codepaint_env.policy.learning.experiment import plan_from_text
from codepaint_env.policy.learning.experiment.rows_report import comparison_table
from codepaint_env.policy.learning.experiment.scene_report import alpha, seed_goal

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "benchmarks" / "learning" / "plans"


def _plan(name: str):
    return plan_from_text((PLANS / f"{name}.toml").read_text(), root=ROOT)


def _gain(holm: float, diff: float = 0.06) -> dict[str, list[Comparison]]:
    return {"1": [Comparison("1", "D-s3", "D-sft-s3", "c", diff=diff, p=holm / 2, tasks=288, holm=holm)]}


def test_the_second_look_declares_half_the_first_look_s_level():
    assert alpha(_plan("learning-run-5-d")) == ALPHA == 0.05
    assert alpha(_plan("learning-run-5-d-confirm")) == 0.025


def test_a_gain_significant_at_0_05_but_not_at_0_025_fails_only_the_second_look():
    first, second = _plan("learning-run-5-d"), _plan("learning-run-5-d-confirm")
    assert seed_goal(first, "D-s3", "D-sft-s3", _gain(0.03), [], None)["criteria"]["rl_gain"] is True
    assert seed_goal(second, "D-s3", "D-sft-s3", _gain(0.03), [], None)["criteria"]["rl_gain"] is False
    assert seed_goal(second, "D-s3", "D-sft-s3", _gain(0.02), [], None)["criteria"]["rl_gain"] is True
    # significant but under +0.05: not met at any level
    assert seed_goal(second, "D-s3", "D-sft-s3", _gain(0.001, 0.04), [], None)["criteria"]["rl_gain"] is False


def test_the_comparison_table_bolds_at_the_level_it_is_given():
    row = _gain(0.03)["1"][0].to_dict()
    assert "**" in comparison_table([row], "start")[-1]
    assert "**" not in comparison_table([row], "start", 0.025)[-1]


def test_a_second_look_s_rows_merge_beside_the_first_look_s(tmp_path):
    import json

    from codepaint_env.policy.learning.experiment.rows import merge

    first = [{"run": 5, "stage": "D", "level": 0, "eval": "48x2", "eval_seed": 7373, "v": 1}]
    path = tmp_path / "learning-run.json"
    path.write_text(json.dumps({"runs": first}))
    second = [{"run": 5, "stage": "D", "level": 0, "eval": "95x2", "eval_seed": 8484, "v": 2}]
    merge({"run": 5, "runs": second}, path)
    assert json.loads(path.read_text())["runs"] == first + second
    again = [{**second[0], "v": 3}]  # the same evaluation reported again: replaced
    merge({"run": 5, "runs": again}, path)
    assert json.loads(path.read_text())["runs"] == first + again
