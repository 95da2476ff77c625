"""`default`: the one reward every door uses when none is named.

A task that carries verifiable checks (its ``checks`` column) is scored by
:data:`~rewards.spec.CHECKS_REWARD` (``gate:0.3,checks:0.7``); any other task by
:data:`~rewards.spec.PLAIN_REWARD` (``gate:0.3,classic:0.7``). Both are offline: no judge, no
model weights. :func:`rewards.spec.default_spec` names the spec for one task and
``codepaint_env.default_reward(tasks)`` for a task list; this reward applies the same rule to
each sample of a batch, so a trainer or a server that scores rows of both kinds gives each row
the value the environment gives it. Both specs weigh the gate alike, so a program that fails to
render gets the same minimum (-0.3) whichever kind its task is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from rewards.base import Reward, RewardResult, Sample, run_sync
from rewards.spec import CHECKS_REWARD, PLAIN_REWARD


def has_checks(sample: Sample) -> bool:
    """Whether the sample's task carries checks (a non-empty ``checks`` column)."""
    raw = sample.meta.get("checks")
    return raw is not None and not (isinstance(raw, (str, list, tuple)) and len(raw) == 0)


class DefaultReward(Reward):
    """Per sample: ``gate:0.3,checks:0.7`` where the task has checks, else ``gate:0.3,classic:0.7``.

    Args:
        **kwargs: The :class:`~rewards.base.Reward` arguments (renderer, language, size, seed,
            name), given to both composites.
    """

    id = "default"
    value_range = (-0.3, 1.0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from rewards.factory import make_reward  # the factory builds the registered rewards, this one too

        shared = {k: v for k, v in kwargs.items() if k in ("renderer", "language", "size", "seed")}
        self.checks = make_reward(CHECKS_REWARD, **shared)
        self.plain = make_reward(PLAIN_REWARD, **shared)
        for part in (self.checks, self.plain):
            if tuple(part.value_range) != self.value_range:
                raise AssertionError(f"{part!r} ranges over {part.value_range}, not {self.value_range}")

    def __repr__(self) -> str:
        return f"DefaultReward(checks={CHECKS_REWARD!r}, plain={PLAIN_REWARD!r})"

    def resolve(self, meta: dict[str, Any]) -> Reward:
        """The composite that scores a task with these columns (an audit prices that, not the dispatcher)."""
        has = meta.get("checks")
        return self.plain if has is None or (isinstance(has, (str, list, tuple)) and len(has) == 0) \
            else self.checks

    @property
    def deterministic(self) -> bool:  # type: ignore[override]
        """True when both composites are."""
        return bool(self.checks.deterministic and self.plain.deterministic)

    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score through :meth:`ascore`."""
        return run_sync(self.ascore(list(samples)))

    async def ascore(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score each sample with the spec its task's kind calls for; results in the input order."""
        samples = list(samples)
        out: list[RewardResult] = [RewardResult.unjudged("not scored")] * len(samples)
        halves = [(reward, [i for i, s in enumerate(samples) if has_checks(s) is wanted])
                  for reward, wanted in ((self.checks, True), (self.plain, False))]
        halves = [(reward, index) for reward, index in halves if index]
        scored = await asyncio.gather(*(reward.ascore([samples[i] for i in index])
                                        for reward, index in halves))
        for (_, index), results in zip(halves, scored, strict=True):
            for i, result in zip(index, results, strict=True):
                out[i] = result
        return out

    def logged(self, result: RewardResult) -> dict[str, float | None]:
        """The breakdown as the composite that scored it logs it."""
        return self.checks.logged(result) if any(k.startswith("visual_checks") for k in result.breakdown) \
            else self.plain.logged(result)
