"""The reward card's counting rules and statistics, as plain functions of numbers.

A reward's scores are compared on one scale whatever the reward: the share of the margin between
the scene's reference picture (value ``r``) and the reward's minimum ``m`` that a picture loses,

    loss = (r - v) / (r - m)

(0: scored like the reference; 1: scored the minimum; negative: scored above the reference). What a
picture *should* lose is read off the task's checks (weights: a stated check 2, an implied one 1):

* a wrong-scene mutant is worth the weight of the stated checks it breaks over the weight of all
  the task's checks; it is a **false pass** when it loses less than half its worth;
* a hack probe breaks the prompt's premise (a drawing of the scene) rather than one check, so it is
  worth the whole margin (1): a false pass when it loses less than half of it;
* a known-good picture is a **false fail** when it loses more than half of one stated claim's worth
  (the lightest stated check's weight over the total).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: The share of its worth a known-bad picture must lose not to be a false pass, and the share of one
#: claim a known-good picture may lose before it is a false fail.
HALF = 0.5
#: A hack probe's worth: the whole margin.
PROBE_WORTH = 1.0
#: Bootstrap resamples behind a mean's interval.
RESAMPLES = 2000


def loss(value: float, reference: float, minimum: float) -> float:
    """The share of the reference's margin over the minimum that ``value`` loses.

    Raises:
        ValueError: A reference at or below the minimum (it has no margin to lose).
    """
    if not reference > minimum:
        raise ValueError(f"the reference ({reference:g}) must score above the minimum ({minimum:g})")
    return (reference - value) / (reference - minimum)


def worth(broken_weights: Sequence[float], total_weight: float) -> float:
    """What breaking these checks is worth: their weight over the weight of every check of the task.

    Raises:
        ValueError: A total weight that is not positive.
    """
    if not total_weight > 0:
        raise ValueError(f"the task's checks must weigh something, not {total_weight:g}")
    return float(sum(broken_weights)) / total_weight


def one_claim(stated_weights: Sequence[float], total_weight: float) -> float:
    """The worth of one stated claim: the lightest stated check's weight over the total.

    A task that states nothing counts its lightest check as the claim (every ``shapes`` task states
    at least its background).
    """
    return worth([min(stated_weights)], total_weight) if stated_weights else 1.0 / max(1.0, total_weight)


def false_pass(picture_loss: float, picture_worth: float) -> bool:
    """Whether a known-bad picture lost less than half of what it is worth."""
    return picture_loss < HALF * picture_worth


def false_fail(picture_loss: float, claim_worth: float) -> bool:
    """Whether a known-good picture lost more than half of one claim."""
    return picture_loss > HALF * claim_worth


def judge(expected: str, value: float | None, reference: float, minimum: float,
          picture_worth: float) -> tuple[float | None, bool]:
    """One picture's ``(loss, wrong)``: ``wrong`` is a false fail (``good``) or a false pass (``bad``).

    ``picture_worth`` is one claim's worth for a good picture, the broken claims' (or a probe's 1) for
    a bad one; a picture set apart (``apart``) or not judged (``value`` None) is never wrong.
    """
    if value is None:
        return None, False
    lost = loss(value, reference, minimum)
    if expected == "good":
        return lost, false_fail(lost, picture_worth)
    return lost, expected == "bad" and false_pass(lost, picture_worth)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of ``k`` successes in ``n`` (``(0, 1)`` for none)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # clamped to the rate as well as [0, 1]: at k = 0 (or n) rounding left the bound 3e-17 off the rate
    return (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def bootstrap_mean(values: Sequence[float], seed: int, resamples: int = RESAMPLES,
                   level: float = 0.95) -> tuple[float, float] | None:
    """A percentile bootstrap interval of the mean (``None`` for fewer than two values).

    Each value is one scene's (a kind has at most one picture per scene), so resampling values is
    resampling scenes. Seeded: the same values and seed give the same interval.
    """
    if len(values) < 2:
        return None
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(resamples, len(data)))].mean(axis=1)
    tail = (1 - level) / 2
    lo, hi = np.quantile(means, [tail, 1 - tail])
    return (float(lo), float(hi))
