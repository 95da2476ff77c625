"""`PoolReward`: what every reward that compares a render with rated references shares.

``pairwise_vlm``, ``classic`` and ``dino`` all take a pool (a :class:`~rewards.pool.ReferencePool`,
a folder, or ``None`` for the default pool), the tiers references come from, and an optional
reference language; they load the pool on first use, fail at construction on a bad pool or tier,
pickle as the pool's source (not its contents), honour a sample's ``exclude_references`` column
and say the same thing when a language has no references.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from rewards.base import Reward, RewardResult, Sample
from rewards.pool import ANY_LANGUAGE, ReferencePool


class PoolReward(Reward):
    """Base of the rewards that compare with pool references (see the module docstring).

    Args:
        pool: A :class:`~rewards.pool.ReferencePool`, a pool folder, or ``None`` (the default pool).
        tiers: Tiers the references come from.
        reference_language: Language of the references (default: each sample's own).
        **kwargs: The :class:`~rewards.base.Reward` arguments.
    """

    def __init__(self, *, pool: ReferencePool | str | os.PathLike[str] | None = None,
                 tiers: Iterable[str] | str = ("love",), reference_language: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool_source = pool
        self.tiers = (tiers,) if isinstance(tiers, str) else tuple(tiers)
        self.reference_language = reference_language
        self._pool: ReferencePool | None = pool if isinstance(pool, ReferencePool) else None
        self._languages: set[str] | None = None
        self.pool.filter(tier=self.tiers)  # fail now on a bad pool or tier, not mid-training

    @property
    def pool(self) -> ReferencePool:
        """The reference pool (loaded on first use)."""
        if self._pool is None:
            src = self.pool_source
            self._pool = src if isinstance(src, ReferencePool) else ReferencePool(src)
        return self._pool

    def reference_language_for(self, sample: Sample) -> str:
        """The language of the references a sample is compared with (``ANY_LANGUAGE``: every one).

        ``reference_language`` when set; else the sample's own language where the tiers hold
        references of it; else :data:`~rewards.pool.ANY_LANGUAGE`: a p5, Python or TikZ picture
        (the shipped pool has none of their language) is compared with the pictures of every
        language, so a pool reward judges every language instead of answering None for some.
        """
        if self.reference_language:
            return self.reference_language
        known = self._languages_with_references()
        return sample.language if sample.language in known else ANY_LANGUAGE

    def _languages_with_references(self) -> set[str]:
        if self._languages is None:
            self._languages = {r.language for r in self.pool.filter(tier=self.tiers)}
        return self._languages

    def no_references(self, language: str) -> RewardResult:
        """The unjudged result for a language with no references in the tiers."""
        which = "" if language == ANY_LANGUAGE else f"{language} "
        return RewardResult.unjudged(
            f"no {which}references in tiers {list(self.tiers)} of the pool at {self.pool.root} "
            "(set reference_language= or tiers=, or add references)")


def excluded_references(sample: Sample) -> set[str]:
    """The reference ids in the sample's ``exclude_references`` column (an id or a list)."""
    value = sample.meta.get("exclude_references")
    if not value:
        return set()
    return {value} if isinstance(value, str) else set(value)
