"""The one reward spec: every form means the same everywhere; weights that mean nothing are refused.

Before the redesign ``make_reward("gate:0.3,classic:0.7")`` raised ``no module 'gate'`` and six
builders parsed the grammar with different gate rules; over HTTP ``classic:nan`` was a silent 0.0 and
``classic:1e308,gate:1e308`` a reward of 1.4e308.
"""

from __future__ import annotations

import math
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rewards
from codepaint_env.core.errors import RewardSpecError, UnknownReward
from rewards.base import Reward, RewardResult, Sample
from rewards.composite import CompositeReward
from rewards.spec import MAX_WEIGHT
from support.pictures import blank, painting, sample


class Constant(Reward):
    """A reward of one value, to compose."""

    id = "constant_for_tests"
    value_range = (-1.0, 1.0)

    def __init__(self, value: float | None = 0.5, **kwargs):
        super().__init__(**kwargs)
        self.value = value

    def score_one(self, s: Sample) -> RewardResult:
        return RewardResult(self.value) if s.ok else self.failed_render(s)


def test_every_form_of_one_spec_builds_the_same_gated_composite():
    forms = ["gate:0.3,classic:0.7", "execution_gate:0.3, classic:0.7", {"gate": 0.3, "classic": 0.7},
             [("gate", 0.3), ("classic", 0.7)], [("execution_gate", 0.3, {}), ("classic", 0.7, {})]]
    for form in forms:
        r = rewards.make_reward(form)
        assert isinstance(r, CompositeReward), form
        assert [(n, w) for n, _, w in r.components] == [("execution_gate", 0.3), ("classic", 0.7)], form
        assert r.gate == "execution_gate", form  # the one gate rule


def test_ids_aliases_entry_points_classes_and_objects():
    assert rewards.make_reward("gate").id == "execution_gate"
    assert rewards.make_reward("rewards.classic:ClassicReward").id == "classic"
    assert isinstance(rewards.make_reward(Constant), Constant)
    c = Constant(0.2)
    assert rewards.make_reward(c) is c
    assert rewards.make_reward([c, "gate"]).gate == "execution_gate"
    with pytest.raises(UnknownReward, match="did you mean 'classic'"):
        rewards.make_reward("clasic")


@pytest.mark.parametrize(("spec", "words"), [
    ("classic:nan", "is nan: weights must be finite"),
    ("classic:inf", "is inf"),
    ("classic:1e308,gate:1e308", "at most 1000"),
    ("gate:-1,classic:1", "negative gate weight"),
    ("gate:0,classic:0", "nothing would be rewarded"),
    ("gate:lots", "'lots', not a number"),
    ("", "empty reward spec"),
    (":0.5", "a weight with no reward"),
    ({"classic": "x"}, "not a number"),
])
def test_weights_that_mean_nothing_are_refused_with_the_weight_named(spec, words):
    with pytest.raises(RewardSpecError, match=words):
        rewards.make_reward(spec)


def test_untrusted_specs_name_registered_ids_only():
    assert rewards.make_reward("gate:0.3,classic:0.7", trusted=False).gate == "execution_gate"
    for spec in ("rewards.classic:ClassicReward", "gate:0.3,os:system", [Constant]):
        with pytest.raises(RewardSpecError, match="registered reward ids only"):
            rewards.make_reward(spec, trusted=False)


def test_configuration_goes_to_the_components_that_take_it_and_typos_are_errors():
    r = rewards.make_reward("gate:0.3,classic:0.7", size=96, fail_value=0.0, colour_weight=0.25)
    gate, classic = (rc for _, rc, _ in r.components)
    assert (gate.size, classic.size, r.size) == (96, 96, 96)
    assert gate.fail_value == 0.0 and classic.colour_weight == 0.25
    with pytest.raises(TypeError, match="takes 'colour_wieght'"):
        rewards.make_reward("gate:0.3,classic:0.7", colour_wieght=0.25)


def test_trl_gets_funcs_and_weights_from_the_same_parser():
    funcs, weights = rewards.reward_funcs("classic:0.7,change:0.3")
    assert [f.id for f in funcs] == ["classic", "visible_change"] and weights == [0.7, 0.3]
    funcs, weights = rewards.reward_funcs("gate:0.3,classic:0.7")  # TRL's sum cannot gate: one function
    assert len(funcs) == 1 and funcs[0].gate == "execution_gate" and weights == [1.0]
    judged, _ = rewards.reward_funcs("pairwise_vlm")
    assert type(judged[0]).__name__ == "AsyncReward"


_names = st.sampled_from(["gate", "classic", "change", "execution_gate", "visible_change"])
_weights = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from([0.0, -0.0, 1e308, -1e-3]))


@given(st.lists(st.tuples(_names, _weights), min_size=1, max_size=4))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_spec_either_builds_a_reward_whose_values_are_finite_or_none_or_is_refused(parts):
    text = ",".join(f"{n}:{w!r}" for n, w in parts)
    try:
        reward = rewards.make_reward(text)
    except RewardSpecError:
        assert any(not math.isfinite(w) or abs(w) > MAX_WEIGHT for _, w in parts) \
            or all(w == 0 for _, w in parts) \
            or any(n in ("gate", "execution_gate") and w < 0 for n, w in parts)
        return
    lo, hi = reward.value_range
    assert math.isfinite(lo) and math.isfinite(hi)
    for r in reward.score([sample(painting(3)), sample(blank()), sample(None)]):
        assert r.value is None or (math.isfinite(r.value) and lo - 1e-9 <= r.value <= hi + 1e-9)


def test_a_built_composite_pickles_as_its_spec():
    r = rewards.make_reward("gate:0.3,classic:0.7", size=64)
    r2 = pickle.loads(pickle.dumps(r))
    assert [(n, w) for n, _, w in r2.components] == [(n, w) for n, _, w in r.components]
    assert r2.gate == "execution_gate"
