"""The CPU learners' pure parts: GRPO's normalize_then_sum advantages, what expert iteration keeps,
and a run's settings as its folder stores them (the learners themselves ran in learning run 3)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codepaint_env.policy.learning.grpo import GRPOSettings
from codepaint_env.policy.learning.rft import RFTConfig, kept
from codepaint_env.policy.learning.rollouts import Rollout, advantages
from codepaint_env.policy.learning.settings import check_resume

parts = st.one_of(st.none(), st.floats(min_value=-1, max_value=1, allow_nan=False))
sample = st.fixed_dictionaries({"gate": parts, "checks/size": parts})
groups = st.lists(st.lists(sample, min_size=1, max_size=6), min_size=1, max_size=4)


@given(groups)
def test_advantages_are_finite_and_sum_to_zero_over_each_judged_part(gs):
    out = advantages(gs, ["gate", "checks/size"], [1.0, 1.0])
    assert [len(a) for a in out] == [len(g) for g in gs]
    for group, adv in zip(gs, out, strict=True):
        assert all(math.isfinite(a) for a in adv)
        # every part present: each standardised part sums to 0
        if all(p["gate"] is not None and p["checks/size"] is not None for p in group):
            assert abs(sum(adv)) < 1e-6


def test_a_better_sample_gets_the_larger_advantage_and_a_lone_or_unjudged_part_none():
    (adv,) = advantages([[{"gate": 1.0, "c": 0.9}, {"gate": 1.0, "c": 0.1}, {"gate": 1.0, "c": None}]],
                        ["gate", "c"], [1.0, 1.0])
    assert adv[0] > 0 > adv[1] and adv[2] == 0.0  # equal gates add nothing; the unjudged sample nothing
    assert advantages([[{"gate": 1.0}]], ["gate"], [1.0]) == [[0.0]]


def _rollout(text: str, *, advantage: float, gate: bool, task: str = "t") -> Rollout:
    return Rollout(task_id=task, level=0, group=0, prompt_ids=[1], completion_ids=[2], logprobs=None,
                   text=text, finish_reason="stop", advantage=advantage, gate_passed=gate)


def test_expert_iteration_keeps_gate_passers_above_their_group_once_each():
    rs = [_rollout("a", advantage=0.5, gate=True), _rollout("a", advantage=0.5, gate=True),
          _rollout("b", advantage=0.9, gate=False), _rollout("c", advantage=-0.1, gate=True),
          _rollout("a", advantage=0.2, gate=True, task="u")]
    assert [(r.task_id, r.text) for r in kept(rs)] == [("t", "a"), ("u", "a")]


def _scored(text: str, group: int, checks: float | None, advantage: float = 1.0) -> Rollout:
    r = _rollout(text, advantage=advantage, gate=checks is not None)
    r.group = group
    r.parts = {"gate": 1.0 if checks is not None else -1.0, "checks/size": checks}
    return r


def test_keeping_by_the_checks_uses_the_gate_as_a_filter_and_beats_the_groups_passers():
    rs = [_scored("a", 0, 0.8, advantage=-0.1), _scored("b", 0, 0.2), _scored("c", 0, None),  # group 0
          _scored("d", 1, 0.9), _scored("e", 1, None),  # a lone passer: above every passer's mean (0.6)
          _scored("f", 2, 0.5)]  # a lone passer below it
    assert [r.text for r in kept(rs, "checks")] == ["a", "d"]
    assert [r.text for r in kept(rs)] == ["b", "d", "f"]  # by advantage: b's group advantage, not its checks
    with pytest.raises(ValueError, match="keep must be"):
        kept(rs, "reward")


def test_keeping_full_passes_keeps_every_stated_check_passed_whatever_its_group():
    rs = [_scored("a", 0, 1.0, advantage=-0.2), _scored("b", 0, 0.9), _scored("a", 1, 1.0),
          _scored("c", 1, None), _scored("d", 2, 1.0)]
    rs[0].all_stated, rs[1].all_stated, rs[2].all_stated, rs[4].all_stated = True, False, True, True
    rs[4].dropped = True
    # a full pass below its group's mean advantage is kept; a near-miss is not; one copy of each text and
    # task; a gate failure (all_stated None) and a dropped group never
    assert [r.text for r in kept(rs, "full")] == ["a"]
    rs[2].task_id = "u"
    assert [(r.task_id, r.text) for r in kept(rs, "full")] == [("t", "a"), ("u", "a")]


def test_a_run_s_settings_round_trip_through_its_config_json():
    config = RFTConfig(levels=(0, 2), scenes=12, k=4, cpu_budget_s=2400)
    assert RFTConfig.from_dict(config.to_dict()) == config
    assert config.to_dict()["levels"] == [0, 2] and config.to_dict()["lora"]["rank"] == config.lora.rank
    assert set(RFTConfig().to_dict()) & set(GRPOSettings().to_dict()) >= {"model", "reward", "lora", "seed"}


def test_a_saved_run_resumes_under_a_larger_budget_and_fields_added_since_count_as_their_defaults(tmp_path):
    saved = RFTConfig(scenes=12, cpu_budget_s=2400).to_dict()
    del saved["keep"]  # a run started before RFTConfig had ``keep``
    (tmp_path / "config.json").write_text(json.dumps(saved))
    check_resume(tmp_path, RFTConfig(scenes=12, cpu_budget_s=7200))  # a limit raised: the same run
    assert json.loads((tmp_path / "config.json").read_text())["cpu_budget_s"] == 7200
    with pytest.raises(ValueError, match="keep differ"):
        check_resume(tmp_path, RFTConfig(scenes=12, keep="checks"))
    with pytest.raises(ValueError, match="scenes differ"):
        check_resume(tmp_path, RFTConfig(scenes=16))
