"""The reward card's counting rules: loss, worth, false pass and false fail, and the intervals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codepaint_env.scoring.card_rules import (
    HALF,
    PROBE_WORTH,
    bootstrap_mean,
    false_fail,
    false_pass,
    judge,
    loss,
    one_claim,
    wilson,
    worth,
)

EPS = 1e-9
finite = st.floats(-10, 10, allow_nan=False)


def test_loss_is_the_share_of_the_reference_margin_lost():
    assert loss(1.0, 1.0, 0.0) == 0.0 and loss(0.0, 1.0, 0.0) == 1.0
    assert loss(0.4, 0.8, -0.2) == pytest.approx(0.4)  # (0.8 - 0.4) / (0.8 + 0.2)
    assert loss(0.9, 0.8, 0.0) < 0  # above the reference
    with pytest.raises(ValueError, match="above the minimum"):
        loss(0.0, 0.0, 0.0)


def test_worth_is_the_broken_stated_weight_over_every_check():
    # a level-0 task: background and count stated (2 + 2), six implied checks (1 each): 10 in all
    assert worth([2.0], 10.0) == pytest.approx(0.2) and worth([2.0, 2.0], 10.0) == pytest.approx(0.4)
    assert one_claim([2.0, 2.0], 10.0) == pytest.approx(0.2)
    assert one_claim([], 4.0) == pytest.approx(0.25)  # a task that states nothing: its lightest check
    with pytest.raises(ValueError, match="weigh"):
        worth([1.0], 0.0)


def test_a_mutant_losing_just_under_half_its_worth_is_a_false_pass_and_just_over_is_not():
    w = worth([2.0], 10.0)  # one broken stated claim of a 10-weight task: 0.2
    assert false_pass(HALF * w - EPS, w) and not false_pass(HALF * w + EPS, w)
    # the same on the reward's own scale: reference 0.9, minimum -0.3, margin 1.2
    just_under = 0.9 - (HALF * w - 1e-6) * 1.2
    just_over = 0.9 - (HALF * w + 1e-6) * 1.2
    assert judge("bad", just_under, 0.9, -0.3, w)[1] and not judge("bad", just_over, 0.9, -0.3, w)[1]
    # a dense reward that takes exactly the claim's share off is doing its job (the old card called
    # any picture within 0.9 of the reference a pass)
    assert not judge("bad", 0.9 - w * 1.2, 0.9, -0.3, w)[1]


def test_a_probe_is_worth_the_whole_margin():
    assert PROBE_WORTH == 1.0
    assert judge("bad", 0.55, 1.0, 0.0, PROBE_WORTH)[1]  # lost 0.45 < 0.5
    assert not judge("bad", 0.45, 1.0, 0.0, PROBE_WORTH)[1]  # lost 0.55
    assert not judge("bad", 0.0, 1.0, 0.0, PROBE_WORTH)[1]  # scored the minimum


def test_a_good_picture_losing_more_than_half_a_claim_is_a_false_fail():
    claim = one_claim([2.0, 2.0, 2.0], 12.0)  # 1/6
    assert judge("good", 1.0 - HALF * claim - 1e-6, 1.0, 0.0, claim)[1]
    assert not judge("good", 1.0 - HALF * claim + 1e-6, 1.0, 0.0, claim)[1]
    assert not false_fail(0.0, claim) and not false_fail(-0.2, claim)  # scoring above the reference is fine


def test_a_picture_set_apart_or_not_judged_is_never_wrong():
    assert judge("apart", 1.0, 1.0, 0.0, 0.0) == (0.0, False)
    assert judge("bad", None, 1.0, 0.0, 0.3) == (None, False)
    assert judge("good", None, 1.0, 0.0, 0.3) == (None, False)


@given(finite, finite, st.floats(0.01, 10), st.floats(0.01, 5), finite, st.floats(0, 1), st.floats(0, 1))
def test_verdicts_do_not_depend_on_the_rewards_scale(value, minimum, margin, scale, shift, w, claim):
    """Any reward a v + b (a > 0) gets the same verdicts: the card reads shares of a margin."""
    reference = minimum + margin

    def affine(x: float) -> float:
        return scale * x + shift

    for expected, pw in (("bad", w), ("good", claim)):
        a = judge(expected, value, reference, minimum, pw)
        b = judge(expected, affine(value), affine(reference), affine(minimum), pw)
        assert a[1] == b[1] or abs(a[0] - HALF * pw) < 1e-6  # type: ignore[operator]  (float rounding at the edge)


@given(st.floats(-1, 2), st.floats(-1, 2), st.floats(0, 1), st.floats(0, 1))
def test_losing_more_never_makes_a_bad_picture_a_false_pass(l1, l2, w1, w2):
    lo, hi = sorted((l1, l2))
    if false_pass(hi, w1):
        assert false_pass(lo, w1)
    small, big = sorted((w1, w2))
    if false_pass(l1, small):  # the more a picture is worth, the more it must lose
        assert false_pass(l1, big)
    if false_fail(lo, w1):  # the more a good picture loses, the surer its false fail
        assert false_fail(hi, w1)


@given(st.integers(0, 200), st.integers(1, 200))
def test_the_wilson_interval_brackets_the_rate(k, n):
    k = min(k, n)
    lo, hi = wilson(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    assert wilson(0, 0) == (0.0, 1.0)


@given(st.lists(st.floats(-1, 2), min_size=2, max_size=60), st.integers(0, 2**31))
def test_the_bootstrap_interval_is_seeded_and_inside_the_data(values, seed):
    interval = bootstrap_mean(values, seed, resamples=200)
    assert interval is not None and interval == bootstrap_mean(values, seed, resamples=200)
    lo, hi = interval
    assert min(values) - 1e-12 <= lo <= hi <= max(values) + 1e-12


def test_the_bootstrap_interval_needs_two_scenes():
    assert bootstrap_mean([0.3], 0) is None and bootstrap_mean([], 0) is None
    lo, hi = bootstrap_mean([0.0, 1.0] * 20, 0)  # type: ignore[misc]
    assert lo < 0.5 < hi
