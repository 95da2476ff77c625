"""`pairwise_vlm`: the candidate's win rate against references from the rated pool.

For each candidate, ``k`` references (default 2) are drawn from the pool: same language, the
given tiers (default ``love``), best matching subject and colour family first (see
:meth:`ReferencePool.sample <rewards.pool.ReferencePool.sample>`), seeded by the task, so every
completion in a GRPO group meets the same references. Each comparison is judged in both orders
(:class:`~rewards.judge.judged.PairwiseJudge`); a disagreement is a tie.

A candidate is never compared with a near-copy of itself: references it nearly copies
(:class:`~rewards.gate.copies.CopyIndex`: perceptual hash and SSIM) are left out of its draw, so a
copied reference meets other references, never its own original (a tie that pays a copy half a
win, and a judge asked to tell two copies apart).

Value: wins / comparisons in [0, 1] (a tie counts one half). A program that failed to render
scores 0 without a request. If any comparison could not be judged, the value is ``None`` with the
reason (the judgments that succeeded are cached, so a retry pays only for the rest).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from typing import Any

from PIL import Image

from rewards.base import RewardResult, Sample
from rewards.gate.copies import CopyIndex
from rewards.judge.judged import JudgedReward, PairwiseJudge, add_costs
from rewards.pool import SUBJECTS, Reference, ReferencePool
from rewards.references import PoolReward, excluded_references


def subject_in(prompt: str | None) -> str | None:
    """The first pool subject named in a prompt ("a peach hibiscus..." -> ``hibiscus``), if any."""
    text = " " + re.sub(r"[^a-z]+", " ", (prompt or "").lower()) + " "
    for subject in SUBJECTS:
        words = subject.replace("_", " ")
        if f" {words} " in text or f" {words}s " in text:
            return subject
    return None


class PairwiseJudgeReward(PoolReward, JudgedReward):
    """Win rate against pool references, judged by a VLM (id ``pairwise_vlm``, alias ``pairwise``).

    Args:
        pool: A :class:`~rewards.pool.ReferencePool`, a pool folder, or ``None`` (the default pool).
        k: References per candidate.
        tiers: Tiers references are drawn from.
        match: Prefer references with the task's ``subject`` (the column, else a pool subject the
            prompt names) and ``colour_family`` columns.
        reference_language: Language of the references (default: the candidate's).
        reference_seed: Seed of the reference draw (mixed with the task id or prompt).
        rubric: ``new`` (default), ``old`` or a rubric file path.
        both_orders: Judge each pair in both orders (position bias cancels).
        **kwargs: :class:`~rewards.judge.client.JudgeConfig` fields (``base_url``, ``model``...) or
            ``client=``, and the :class:`~rewards.base.Reward` arguments.
    """

    id = "pairwise_vlm"
    value_range = (0.0, 1.0)

    def __init__(self, *, pool: ReferencePool | str | os.PathLike[str] | None = None, k: int = 2,
                 tiers: tuple[str, ...] | list[str] | str = ("love",), match: bool = True,
                 reference_language: str | None = None, reference_seed: int = 0, rubric: str = "new",
                 both_orders: bool = True, **kwargs: Any) -> None:
        super().__init__(rubric=rubric, pool=pool, tiers=tiers, reference_language=reference_language,
                         **kwargs)
        if k < 1:
            raise ValueError("k (references per candidate) must be at least 1")
        self.k = k
        self.match = match
        self.reference_seed = reference_seed
        self.both_orders = both_orders
        self.judge = PairwiseJudge(self.client, self.rubric, both_orders)
        self._images: dict[str, Image.Image] = {}
        self._copies: CopyIndex | None = None

    def references_for(self, sample: Sample) -> list[Reference]:
        """The references a sample is compared with (deterministic per task; never its own original)."""
        language = self.reference_language_for(sample)
        pool = self.pool.filter(language=language, tier=self.tiers)
        task = str(sample.meta.get("task_id") or sample.prompt or "")
        seed = int(hashlib.sha256(f"{self.reference_seed}\x00{task}".encode()).hexdigest()[:16], 16)
        subject = sample.meta.get("subject") or subject_in(sample.prompt)
        match = {"subject": subject, "colour_family": sample.meta.get("colour_family")}
        exclude = excluded_references(sample)
        image = sample.render.image if sample.ok else None
        if image is not None:
            if self._copies is None:
                self._copies = CopyIndex(self.pool)
            exclude |= {m.reference_id for m in self._copies.matches(image, language, exclude=exclude)}
        return pool.sample(self.k, seed, match if self.match else None, exclude=exclude)

    def _reference_image(self, ref: Reference) -> Image.Image:
        im = self._images.get(ref.id)
        if im is None:
            im = self._images[ref.id] = ref.image()
        return im

    async def ascore_one(self, sample: Sample) -> RewardResult:
        """Judge one sample against its references."""
        if not sample.ok or sample.render.image is None:
            return self.failed_render(sample)
        refs = await asyncio.to_thread(self.references_for, sample)  # reads the pool once (copy index)
        if not refs:
            return self.no_references(self.reference_language_for(sample))
        images = await asyncio.to_thread(lambda: [self._reference_image(r) for r in refs])
        comparisons = await asyncio.gather(*(
            self.judge.acompare(sample.render.image, im, prompt=sample.prompt, language=sample.language,
                                second_id=ref.id)
            for ref, im in zip(refs, images, strict=True)))
        cost: dict[str, float] = {}
        for c in comparisons:
            add_costs(cost, c.cost)
        pairs = zip(refs, comparisons, strict=True)  # no empty notes (an unjudged pair has none)
        rationale = " | ".join(f"vs {r.id}: {c.rationale.strip()}" for r, c in pairs if c.rationale.strip())
        failed = [c.reason for c in comparisons if c.score is None]
        if failed:
            return RewardResult.unjudged(f"judge failed: {failed[0]}", rationale=rationale, cost=cost)
        scores = [c.score for c in comparisons if c.score is not None]
        return RewardResult(
            sum(scores) / len(scores),
            breakdown={"wins": float(sum(s == 1 for s in scores)),
                       "ties": float(sum(s == 0.5 for s in scores)),
                       "losses": float(sum(s == 0 for s in scores)),
                       "order_disagreements": float(sum(len(set(c.outcomes)) > 1 for c in comparisons))},
            rationale=rationale, cost=cost)
