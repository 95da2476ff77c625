"""`classic`: similarity to the rated references by colour and structure, with no learned weights.

The offline default reward (what ``make demo`` uses): deterministic, fast (a few milliseconds a
picture on one core) and needs nothing but numpy and Pillow. It asks "does this look like the
pictures people rated highly?" in two ways:

* **colour** (weight 0.1): the CIELAB colour distribution. Half is the intersection of 4x6x6-bin
  L*a*b* histograms (0 = no colour in common, 1 = the same distribution); half is the palette
  distance: each of the candidate's five dominant colours to its nearest among the reference's,
  as ``exp(-ΔE / 25)`` weighted by how much of the picture it covers.
* **structure** (weight 0.9): edges (Sobel magnitude on a 128-px greyscale, above 12 % of the
  range). Half is the layout (the intersection of the two 16x16 maps of where the edges are),
  half the amount (``min / max`` of the two edge densities). A blank canvas has no edges and
  scores 0 here.

Per reference the score is ``0.1 * colour + 0.9 * structure`` (``colour_weight``); the value
is the mean of the ``k`` best references (``aggregate="topk"``, k = 3), or the ``max`` or
``mean`` over all references of the candidate's language in the given tiers (``love`` by default).
A reference is never compared with itself (same pixels, or listed in the sample's
``exclude_references`` column), so scoring the pool measures something.
Range [0, 1]; a program that failed to render scores 0.

Why mostly structure: scored against the p5.brush pool's human tiers
(``examples/reward_ablation.py``), colour similarity alone is *anti*-correlated with the ratings
(AUC love-vs-reject 0.32: the rejects are muddy mixes of the same palettes), structure alone
gives 0.78, and 0.1 colour + 0.9 structure gives 0.74 (love-vs-okay 0.51, okay-vs-reject 0.76).
The weight was chosen on that pool; re-measure on yours.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from codepaint_env.core.images import srgb_to_lab
from codepaint_env.render import pixel_sha256
from rewards.base import RewardResult, Sample
from rewards.pool import ReferencePool
from rewards.references import PoolReward, excluded_references

_SIDE = 128


@dataclass(frozen=True)
class Features:
    """What ``classic`` compares: a Lab histogram, a palette, an edge layout and density."""

    histogram: np.ndarray  # (144,), sums to 1
    palette: np.ndarray  # (k, 3) Lab colours
    palette_weights: np.ndarray  # (k,), sums to 1
    edge_layout: np.ndarray  # (256,), sums to 1 (zeros when there are no edges)
    edge_density: float  # fraction of edge pixels


def features(image: Image.Image, palette_size: int = 5) -> Features:
    """Compute the colour and structure features of a picture."""
    im = image.convert("RGB").resize((_SIDE, _SIDE), Image.Resampling.BOX)
    rgb = np.asarray(im)
    lab = srgb_to_lab(rgb).reshape(-1, 3)
    li = np.clip((lab[:, 0] / 100 * 4).astype(int), 0, 3)
    ai = np.clip(((lab[:, 1] + 64) / 128 * 6).astype(int), 0, 5)
    bi = np.clip(((lab[:, 2] + 64) / 128 * 6).astype(int), 0, 5)
    hist = np.bincount(li * 36 + ai * 6 + bi, minlength=144).astype(np.float64)
    hist /= hist.sum()
    # palette: the mean Lab colour of the most populated histogram bins
    top = np.argsort(hist)[::-1][:palette_size]
    top = top[hist[top] > 0]
    bins = li * 36 + ai * 6 + bi
    palette = np.array([lab[bins == t].mean(axis=0) for t in top])
    weights = hist[top] / hist[top].sum()
    grey = np.asarray(im.convert("L"), dtype=np.float64)
    gx = np.zeros_like(grey)
    gy = np.zeros_like(grey)
    gx[1:-1, 1:-1] = (grey[:-2, 2:] + 2 * grey[1:-1, 2:] + grey[2:, 2:]
                      - grey[:-2, :-2] - 2 * grey[1:-1, :-2] - grey[2:, :-2])
    gy[1:-1, 1:-1] = (grey[2:, :-2] + 2 * grey[2:, 1:-1] + grey[2:, 2:]
                      - grey[:-2, :-2] - 2 * grey[:-2, 1:-1] - grey[:-2, 2:])
    edges = np.hypot(gx, gy) > 0.12 * 4 * 255
    density = float(edges.mean())
    layout = edges.reshape(16, _SIDE // 16, 16, _SIDE // 16).mean(axis=(1, 3)).ravel()
    layout = layout / layout.sum() if layout.sum() > 0 else layout
    return Features(hist, palette, weights, layout, density)


def similarity(a: Features, b: Features) -> dict[str, float]:
    """Colour and structure similarity of two pictures' features, each in [0, 1]."""
    hist = float(np.minimum(a.histogram, b.histogram).sum())
    d = np.linalg.norm(a.palette[:, None, :] - b.palette[None, :, :], axis=-1)
    palette = float((a.palette_weights * np.exp(-d.min(axis=1) / 25.0)).sum())
    colour = 0.5 * hist + 0.5 * palette
    if a.edge_density == 0 or b.edge_density == 0:
        layout = amount = 0.0 if a.edge_density != b.edge_density else 1.0
    else:
        layout = float(np.minimum(a.edge_layout, b.edge_layout).sum())
        amount = min(a.edge_density, b.edge_density) / max(a.edge_density, b.edge_density)
    structure = 0.5 * layout + 0.5 * amount
    return {"colour": colour, "structure": structure, "histogram": hist, "palette": palette,
            "edge_layout": layout, "edge_amount": amount}


class ClassicReward(PoolReward):
    """Colour + structure similarity to rated references (id ``classic``; see the module docstring).

    Args:
        pool: A :class:`~rewards.pool.ReferencePool`, a pool folder, or ``None`` (the default pool).
        tiers: Tiers the references come from.
        reference_language: Language of the references (default: the candidate's).
        aggregate: ``"topk"`` (mean of the ``k`` most similar), ``"max"`` or ``"mean"``.
        k: For ``topk``.
        colour_weight: Weight of colour; structure gets ``1 - colour_weight``.
        **kwargs: The :class:`~rewards.base.Reward` arguments.
    """

    id = "classic"
    value_range = (0.0, 1.0)

    def __init__(self, *, pool: ReferencePool | str | os.PathLike[str] | None = None,
                 tiers: tuple[str, ...] | list[str] | str = ("love",), reference_language: str | None = None,
                 aggregate: str = "topk", k: int = 3, colour_weight: float = 0.1, **kwargs: Any) -> None:
        super().__init__(pool=pool, tiers=tiers, reference_language=reference_language, **kwargs)
        if aggregate not in ("topk", "max", "mean"):
            raise ValueError("aggregate must be 'topk', 'max' or 'mean'")
        if not 0.0 <= colour_weight <= 1.0:
            raise ValueError("colour_weight must be in [0, 1] (structure gets the rest)")
        if k < 1:
            raise ValueError("k must be at least 1")
        self.aggregate = aggregate
        self.k = k
        self.colour_weight = float(colour_weight)
        self._features: dict[str, list[tuple[str, str, Features]]] = {}

    def reference_features(self, language: str) -> list[tuple[str, str, Features]]:
        """(id, pixel sha256, features) of every reference for ``language`` (computed once)."""
        if language not in self._features:
            refs = self.pool.filter(language=language, tier=self.tiers)
            found = []
            for r in refs:
                im = r.image()
                found.append((r.id, pixel_sha256(im), features(im)))
            self._features[language] = found
        return self._features[language]

    def score_one(self, sample: Sample) -> RewardResult:
        """Compare one render with the references."""
        mine_image = sample.render.canvas_image if sample.ok else None
        if mine_image is None:
            return self.failed_render(sample)
        language = self.reference_language_for(sample)
        # a reference is never compared with itself (scoring the pool, or a copied reference)
        skip = excluded_references(sample)
        refs = [(i, f) for i, sha, f in self.reference_features(language)
                if i not in skip and sha != sample.render.sha256]
        if not refs:
            return self.no_references(language)
        mine = features(mine_image)
        sims = [(ref_id, similarity(mine, f)) for ref_id, f in refs]
        w = self.colour_weight
        scored = sorted(((w * s["colour"] + (1 - w) * s["structure"], ref_id, s) for ref_id, s in sims),
                        key=lambda t: (-t[0], t[1]))
        chosen = scored[:self.k] if self.aggregate == "topk" else scored[:1] if self.aggregate == "max" \
            else scored
        value = float(np.mean([v for v, _, _ in chosen]))
        breakdown: dict[str, float | None] = {key: float(np.mean([s[key] for _, _, s in chosen]))
                     for key in ("colour", "structure", "histogram", "palette", "edge_layout", "edge_amount")}
        return RewardResult(value, breakdown=breakdown,
                            rationale="closest: " + ", ".join(f"{rid} {v:.2f}" for v, rid, _ in chosen[:3]))
