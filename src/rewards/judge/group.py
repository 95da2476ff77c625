"""`group_pairwise`: win rates inside a group of completions for the same prompt (Pref-GRPO).

TRL calls a reward once with every completion of a batch, the ``num_generations`` completions
of each prompt side by side. This reward groups them (by prompt text, or by a dataset column
such as ``task_id`` with ``group_by=``), judges every pair in the group in both orders, and
gives each completion its win rate against the rest of its group, in [0, 1] (a tie counts one
half). A completion that failed to render loses to every one that rendered without a request;
two failed completions tie. A group of one has nothing to be compared with: ``None``. A pair
that could not be judged makes both its members ``None``.

Costs ``G * (G - 1)`` requests per group of ``G`` (both orders), fewer with cache hits.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import Any

from rewards.base import RewardResult, Sample
from rewards.judge.judged import Comparison, JudgedReward, PairwiseJudge, add_costs


class GroupPairwiseReward(JudgedReward):
    """Within-group win rate judged by a VLM (id ``group_pairwise``, aliases ``group``, ``pref_grpo``).

    Args:
        group_by: ``"prompt"`` (default) or the name of a dataset column that identifies the group.
        rubric: ``new`` (default), ``old`` or a pairwise rubric file.
        both_orders: Judge each pair in both orders.
        **kwargs: :class:`~rewards.judge.client.JudgeConfig` fields or ``client=``, and the
            :class:`~rewards.base.Reward` arguments.
    """

    id = "group_pairwise"
    value_range = (0.0, 1.0)
    scores_groups = True

    def __init__(self, *, group_by: str = "prompt", rubric: str = "new", both_orders: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(rubric=rubric, **kwargs)
        self.group_by = group_by
        self.both_orders = both_orders
        self.judge = PairwiseJudge(self.client, self.rubric, both_orders)

    def group_key(self, sample: Sample) -> Any:
        """The group a sample belongs to."""
        if self.group_by != "prompt" and self.group_by in sample.meta:
            return ("column", repr(sample.meta[self.group_by]))
        return ("prompt", sample.prompt)

    async def ascore(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Group the samples, then score each group's pairs."""
        groups: dict[Any, list[int]] = {}
        for i, s in enumerate(samples):
            groups.setdefault(self.group_key(s), []).append(i)
        results: list[RewardResult | None] = [None] * len(samples)
        for members in groups.values():
            for i, r in zip(members, await self._score_group([samples[i] for i in members]), strict=True):
                results[i] = r
        return results  # type: ignore[return-value]

    async def _score_group(self, group: list[Sample]) -> list[RewardResult]:
        n = len(group)
        if n < 2:
            return [RewardResult.unjudged("a group of one: no other completion for this prompt to compare")]
        pairs = list(itertools.combinations(range(n), 2))
        comparisons: list[Comparison] = await asyncio.gather(
            *(self._compare(group[i], group[j]) for i, j in pairs))
        wins = [0.0] * n
        broken: dict[int, str] = {}
        costs: list[dict[str, float]] = [{} for _ in range(n)]
        notes: list[list[str]] = [[] for _ in range(n)]
        for (i, j), c in zip(pairs, comparisons, strict=True):
            for m in (i, j):
                add_costs(costs[m], {k: v / 2 for k, v in c.cost.items()})  # each member pays half
            if c.score is None:
                broken.setdefault(i, c.reason or "judge failed")
                broken.setdefault(j, c.reason or "judge failed")
                continue
            wins[i] += c.score
            wins[j] += 1.0 - c.score
            if c.rationale:
                notes[i].append(f"vs #{j}: {c.rationale}")
                notes[j].append(f"vs #{i} (as the other picture): {c.rationale}")
        out = []
        for m in range(n):
            if m in broken:
                out.append(RewardResult.unjudged(f"judge failed: {broken[m]}", cost=costs[m]))
            elif not group[m].ok:
                out.append(RewardResult(wins[m] / (n - 1), breakdown={"group_size": float(n)},
                                        rationale=self.failed_render(group[m]).rationale, cost=costs[m]))
            else:
                out.append(RewardResult(wins[m] / (n - 1), breakdown={"group_size": float(n)},
                                        rationale=" | ".join(notes[m][:4]), cost=costs[m]))
        return out

    async def _compare(self, a: Sample, b: Sample) -> Comparison:
        first, second = a.render.image if a.ok else None, b.render.image if b.ok else None
        a_ok, b_ok = first is not None, second is not None
        if first is None or second is None:
            score = 0.5 if a_ok == b_ok else float(a_ok)
            return Comparison(score, (score,), rationale="a failed render loses to any picture"
                              if a_ok != b_ok else "both failed to render: a tie")
        return await self.judge.acompare(first, second, prompt=a.prompt, language=a.language)
