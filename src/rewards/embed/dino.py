"""`dino`: image-image similarity between a render and the rated pool's references.

Each render is embedded by an image encoder (DINOv2 by default, any timm / transformers /
open_clip image model by name or local folder: see :mod:`rewards.embed.models`) and compared by
cosine with every reference of the sample's language (or ``reference_language``) in the chosen
tiers (default ``love``). The cosines are aggregated (``max``: the nearest reference; ``mean``;
``topk``: the mean of the ``k`` nearest) and mapped to [0, 1] as ``(cos + 1) / 2``.

The references' embeddings are computed once per model, preprocessing and pool and cached in
memory and on disk (:mod:`rewards.embed.cache`). Renders are embedded in batches of
``batch_size``; identical pictures once. A program that failed to render scores 0 without a
forward pass; a language with no references gives ``None`` with the reason.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from rewards.base import RewardResult, Sample
from rewards.embed.cache import ReferenceEmbeddings, reference_embeddings
from rewards.embed.models import DEFAULT_IMAGE_MODEL, Encoder, encode_samples, load_image_encoder
from rewards.pool import ReferencePool
from rewards.references import PoolReward, excluded_references

AGGREGATES = ("max", "mean", "topk")


class DinoReward(PoolReward):
    """Cosine similarity to the pool's references in an image encoder's space (id ``dino``).

    Args:
        model: The image encoder: a timm name, a transformers repo id, or a local folder (see
            :mod:`rewards.embed.models`).
        pool: A :class:`~rewards.pool.ReferencePool`, a pool folder, or ``None`` (the default pool).
        tiers: Tiers the references come from.
        reference_language: Language of the references (default: each sample's own).
        aggregate: ``max`` (nearest reference), ``mean`` (all references) or ``topk`` (mean of the
            ``k`` nearest).
        k: For ``topk``.
        batch_size: Images per forward pass.
        device: ``auto`` (CUDA when available, else CPU), ``cpu``, ``cuda:0``...
        cache_dir: Folder of the reference-embedding cache (``None``: the default;
            ``False``: memory only).
        **kwargs: The :class:`~rewards.base.Reward` arguments.

    Raises:
        CodePaintError: The model cannot be loaded (raised here, not at the first score), or the
            pool / tiers are invalid.
        DependencyNotInstalled: The ``embed`` extra is not installed.
    """

    id = "dino"
    value_range = (0.0, 1.0)
    deterministic = True

    def __init__(self, *, model: str = DEFAULT_IMAGE_MODEL,
                 pool: ReferencePool | str | os.PathLike[str] | None = None,
                 tiers: tuple[str, ...] | list[str] | str = ("love",), reference_language: str | None = None,
                 aggregate: str = "max", k: int = 3, batch_size: int = 32, device: str = "auto",
                 cache_dir: str | os.PathLike[str] | bool | None = None, **kwargs: Any) -> None:
        super().__init__(pool=pool, tiers=tiers, reference_language=reference_language, **kwargs)
        if aggregate not in AGGREGATES:
            raise ValueError(f"aggregate must be one of {AGGREGATES}, not {aggregate!r}")
        if k < 1:
            raise ValueError("k (references averaged by aggregate='topk') must be at least 1")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.model = model
        self.aggregate = aggregate
        self.k = k
        self.batch_size = batch_size
        self.device = device
        self.cache_dir = cache_dir
        self._encoder: Encoder | None = None
        _ = self.encoder  # and on a model that cannot be loaded

    def __repr__(self) -> str:
        return f"DinoReward(model={self.model!r}, aggregate={self.aggregate!r}, tiers={self.tiers!r})"

    @property
    def encoder(self) -> Encoder:
        """The image encoder (loaded on first use; one per model and device in a process)."""
        if self._encoder is None:
            self._encoder = load_image_encoder(self.model, self.device)
        return self._encoder

    def references(self, language: str) -> ReferenceEmbeddings:
        """The embeddings of the pool's ``language`` references in :attr:`tiers` (cached)."""
        return reference_embeddings(self.encoder, self.pool, language=language, tiers=self.tiers,
                                    cache_dir=self.cache_dir, batch_size=self.batch_size)

    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score rendered samples (one batched pass over the distinct renders)."""
        samples = list(samples)
        results: list[RewardResult | None] = [None] * len(samples)
        todo: list[int] = []
        for i, s in enumerate(samples):
            if not s.ok or s.render.image is None:
                results[i] = self.failed_render(s)
            else:
                todo.append(i)
        refs: dict[str, ReferenceEmbeddings] = {}
        judged: list[int] = []
        for i in todo:
            lang = self.reference_language_for(samples[i])
            if lang not in refs:
                refs[lang] = self.references(lang)
            if len(refs[lang]):
                judged.append(i)
            else:
                results[i] = self.no_references(lang)
        if judged:
            t0 = time.perf_counter()
            vecs = encode_samples(self.encoder, [samples[i] for i in judged], self.batch_size)
            seconds = (time.perf_counter() - t0) / len(judged)
            for i, v in zip(judged, vecs, strict=True):
                lang = self.reference_language_for(samples[i])
                results[i] = self._result(samples[i], v, refs[lang], lang, seconds)
        return [r for r in results if r is not None]

    def _result(self, sample: Sample, vec: np.ndarray, refs: ReferenceEmbeddings, lang: str,
                seconds: float) -> RewardResult:
        sims = refs.vectors.astype(np.float64) @ vec.astype(np.float64)
        ids = list(refs.ids)
        exclude = excluded_references(sample)
        if exclude:
            keep = [j for j, rid in enumerate(ids) if rid not in exclude]
            if not keep:
                return RewardResult.unjudged(f"every {lang} reference is excluded for this sample")
            sims, ids = sims[keep], [ids[j] for j in keep]
        if self.aggregate == "max":
            cos = float(sims.max())
        elif self.aggregate == "mean":
            cos = float(sims.mean())
        else:
            cos = float(np.sort(sims)[-min(self.k, len(sims)):].mean())
        best = int(np.argmax(sims))
        return RewardResult(
            min(1.0, max(0.0, (cos + 1.0) / 2.0)),
            breakdown={"cos": cos, "cos_max": float(sims[best]), "cos_mean": float(sims.mean()),
                       "references": float(len(sims))},
            rationale=f"nearest {lang} reference {ids[best]} (cos {sims[best]:.3f}); {self.aggregate} "
                      f"over {len(sims)} references: cos {cos:.3f}",
            cost={"seconds": seconds})
