"""`pointwise_vlm`: AesCoder's static aesthetics judge.

The judge sees the render and the task prompt and scores ``alignment`` (does it do what was
asked), ``aesthetics`` and ``structure``, 0-100 each, as one JSON object. Value: the weighted
mean of the three divided by 100, in [0, 1] (weights default to equal). A program that failed
to render scores 0 without a request; a reply that is not one valid score object is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rewards.base import RewardResult, Sample
from rewards.judge.judged import JudgedReward
from rewards.judge.parsing import format_hint, parse_scores

CRITERIA: tuple[str, ...] = ("alignment", "aesthetics", "structure")


class PointwiseJudgeReward(JudgedReward):
    """Rubric scores from a VLM judge (id ``pointwise_vlm``, aliases ``pointwise``, ``static``).

    Args:
        weights: Weight per criterion (``alignment``, ``aesthetics``, ``structure``); missing
            ones are 0. Default: equal.
        rubric: ``pointwise`` (shipped) or a pointwise rubric file path.
        **kwargs: :class:`~rewards.judge.client.JudgeConfig` fields or ``client=``, and the
            :class:`~rewards.base.Reward` arguments.
    """

    id = "pointwise_vlm"
    value_range = (0.0, 1.0)
    rubric_kind = "pointwise"

    def __init__(self, *, weights: Mapping[str, float] | None = None, rubric: str = "pointwise",
                 **kwargs: Any) -> None:
        super().__init__(rubric=rubric, **kwargs)
        w = dict(weights) if weights is not None else dict.fromkeys(CRITERIA, 1.0)
        unknown = set(w) - set(CRITERIA)
        if unknown:
            raise ValueError(f"unknown criteria {sorted(unknown)}; weights are for {CRITERIA}")
        if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
            raise ValueError("weights must be >= 0 with a positive sum, e.g. {'aesthetics': 1}")
        self.weights = {k: float(w.get(k, 0.0)) for k in CRITERIA}
        self.hint = format_hint({**dict.fromkeys(CRITERIA, 70), "reason": "one sentence"})

    async def ascore_one(self, sample: Sample) -> RewardResult:
        """Ask the judge for the rubric scores of one sample."""
        if not sample.ok or sample.render.image is None:
            return self.failed_render(sample, **dict.fromkeys(CRITERIA, 0.0))
        system, user = self.rubric.render(sample.prompt, sample.language)
        reply = await self.client.ajudge(
            system=system, content=[user, sample.render.image],
            parse=lambda text: parse_scores(text, CRITERIA), hint=self.hint,
            tags={"rubric": self.rubric.key})
        cost = {"requests": float(reply.requests), "cached": float(reply.cached),
                "prompt_tokens": float(reply.usage.get("prompt_tokens", 0)),
                "completion_tokens": float(reply.usage.get("completion_tokens", 0)),
                "refusals": float(reply.refused)}
        if reply.value is None:
            return RewardResult.unjudged(f"judge failed: {reply.reason}", cost=cost)
        scores = reply.value.scores
        total = sum(self.weights.values())
        value = sum(self.weights[k] * scores[k] for k in CRITERIA) / total / 100.0
        return RewardResult(value, breakdown={k: scores[k] / 100.0 for k in CRITERIA},
                            rationale=reply.value.reason, cost=cost)
