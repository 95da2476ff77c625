"""`clip`: text-image similarity between a sample's prompt and its render (CLIP / SigLIP).

The prompt and the render are embedded by an open_clip model (by ``ARCH:TAG``, ``hf-hub:`` name
or local folder: see :mod:`rewards.embed.models`) and compared by cosine, mapped to [0, 1] as
``(cos + 1) / 2``. Raw CLIP cosines between a picture and a matching caption sit around 0.2-0.35,
so values cluster near 0.6-0.68: compare values, don't read them as probabilities.

Renders are embedded in batches of ``batch_size`` (identical pictures once); prompt embeddings
are kept in memory (a GRPO group shares one prompt). A program that failed to render scores 0
without a forward pass; a sample without a prompt gives ``None`` with the reason.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from rewards.base import Reward, RewardResult, Sample
from rewards.embed.models import (
    DEFAULT_TEXT_IMAGE_MODEL,
    OpenClipModel,
    encode_samples,
    load_text_image_model,
)


class ClipReward(Reward):
    """Cosine between prompt and render in a text-image model's space (id ``clip``).

    Args:
        model: The open_clip model: ``ARCH:TAG``, ``hf-hub:org/repo`` or a local folder.
        batch_size: Images (and prompts) per forward pass.
        device: ``auto`` (CUDA when available, else CPU), ``cpu``, ``cuda:0``...
        text_cache_size: Prompt embeddings kept in memory.
        **kwargs: The :class:`~rewards.base.Reward` arguments.

    Raises:
        CodePaintError: The model cannot be loaded (raised here, not at the first score).
        DependencyNotInstalled: The ``embed`` extra is not installed.
    """

    id = "clip"
    value_range = (0.0, 1.0)
    deterministic = True

    def __init__(self, *, model: str = DEFAULT_TEXT_IMAGE_MODEL, batch_size: int = 32, device: str = "auto",
                 text_cache_size: int = 4096, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.model = model
        self.batch_size = batch_size
        self.device = device
        self.text_cache_size = text_cache_size
        self._encoder: OpenClipModel | None = None
        self._texts: OrderedDict[str, np.ndarray] = OrderedDict()
        self._texts_lock = threading.Lock()
        _ = self.encoder  # fail now on a model that cannot be loaded

    def __repr__(self) -> str:
        return f"ClipReward(model={self.model!r})"

    @property
    def encoder(self) -> OpenClipModel:
        """The text-image model (loaded on first use; one per model and device in a process)."""
        if self._encoder is None:
            self._encoder = load_text_image_model(self.model, self.device)
        return self._encoder

    def text_embeddings(self, prompts: Sequence[str]) -> list[np.ndarray]:
        """Unit vectors of prompts (cached in memory; the missing ones embedded in one pass)."""
        with self._texts_lock:
            known = {p: self._texts[p] for p in set(prompts) if p in self._texts}
        missing = sorted(set(prompts) - set(known))
        if missing:
            vecs = self.encoder.encode_texts(missing, batch_size=self.batch_size)
            known.update(zip(missing, vecs, strict=True))
        with self._texts_lock:
            for p, v in known.items():
                self._texts[p] = v
                self._texts.move_to_end(p)
            while len(self._texts) > self.text_cache_size:
                self._texts.popitem(last=False)
        return [known[p] for p in prompts]

    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score rendered samples (one batched pass over the distinct renders and prompts)."""
        samples = list(samples)
        results: list[RewardResult | None] = [None] * len(samples)
        judged: list[int] = []
        for i, s in enumerate(samples):
            if not s.ok or s.render.image is None:
                results[i] = self.failed_render(s)
            elif not (s.prompt or "").strip():
                results[i] = RewardResult.unjudged("no prompt to compare the render with (pass prompts=)")
            else:
                judged.append(i)
        if judged:
            t0 = time.perf_counter()
            texts = self.text_embeddings([(samples[i].prompt or "").strip() for i in judged])
            images = encode_samples(self.encoder, [samples[i] for i in judged], self.batch_size)
            seconds = (time.perf_counter() - t0) / len(judged)
            for i, t, v in zip(judged, texts, images, strict=True):
                cos = float(np.dot(t.astype(np.float64), v.astype(np.float64)))
                results[i] = RewardResult(min(1.0, max(0.0, (cos + 1.0) / 2.0)), breakdown={"cos": cos},
                                          rationale=f"prompt-render cosine {cos:.3f}",
                                          cost={"seconds": seconds})
        return [r for r in results if r is not None]
