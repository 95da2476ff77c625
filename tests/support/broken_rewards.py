"""Rewards with the bugs `check_reward` must catch, one each, and a correct one (``module:Class``).

Each broken reward is otherwise in order (a failed render gets its minimum, an infra render
``None``), so only its own invariant breaks: the tests of ``rewards.testing.check_reward`` name it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rewards.base import Reward, RewardResult, Sample


class Colourfulness(Reward):
    """A correct custom reward: the picture's mean saturation, 0..1 (a failed render: 0)."""

    id = "colourfulness"
    value_range = (0.0, 1.0)

    def score_one(self, sample: Sample) -> RewardResult:
        image = sample.render.image if sample.ok else None
        if image is None:
            return self.failed_render(sample)
        hsv = np.asarray(image.convert("HSV"), dtype=np.float64)
        return RewardResult(float(hsv[..., 1].mean() / 255.0))


class OutOfRange(Colourfulness):
    """Declares 0..1 and pays 2.12 for a picture."""

    def score_one(self, sample: Sample) -> RewardResult:
        return self.failed_render(sample) if not sample.ok else RewardResult(2.12)


class ByPosition(Colourfulness):
    """Pays the first sample of the batch more: its value depends on where it stands."""

    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        return [RewardResult(1.0 if i == 0 else 0.5) if s.ok else self.failed_render(s)
                for i, s in enumerate(samples)]


class PaysFailures(Colourfulness):
    """Pays a failed render more than a picture."""

    def score_one(self, sample: Sample) -> RewardResult:
        return RewardResult(0.5 if sample.ok else 1.0)


class Nondeterministic(Colourfulness):
    """Says it is deterministic (the default) and draws a random number."""

    def score_one(self, sample: Sample) -> RewardResult:
        return RewardResult(random.random()) if sample.ok else self.failed_render(sample)


class Mutates(Colourfulness):
    """Writes its verdict into the sample's columns."""

    def score_one(self, sample: Sample) -> RewardResult:
        result = super().score_one(sample)
        sample.meta["scored_by"] = self.id
        return result


class Unpicklable(Colourfulness):
    """Built with a lambda (a trainer's workers cannot receive it)."""

    def __init__(self, *, transform: Callable[[float], float] = float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transform = transform


class ReadsComments(Colourfulness):
    """An image reward that pays for a longer program (so a comment changes its value)."""

    def score_one(self, sample: Sample) -> RewardResult:
        if not sample.ok:
            return self.failed_render(sample)
        return RewardResult(min(1.0, len(sample.code) / 2000))
