"""`visible_change`: did an edit change the picture?

Self-refinement loops claim changes they don't make; this measures them.

:func:`measure_change` compares two renders:

* ``pixel_fraction``: the fraction of pixels whose colour moved by more than ``tolerance``
  (per channel, 0-255; default 24, so SwiftShader's few-pixel jitter between identical p5.brush
  renders and anti-aliasing noise do not count);
* ``mean_abs``: the mean absolute difference over all channels, 0-1;
* ``perceptual``: 1 - SSIM of the two pictures as 64x64 greyscale (structure, not exact pixels), 0-1;
* ``changed``: ``pixel_fraction >= min_fraction`` (default 0.5 % of the canvas) or
  ``perceptual >= min_perceptual`` (default 0.02).

The :class:`VisibleChange` reward's value is ``pixel_fraction`` (0 = nothing visible changed,
1 = every pixel did); the other measures are in the breakdown. Pictures of different sizes are
compared at the first one's size.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from PIL import Image

from codepaint_env.render import RenderResult

from .base import Reward, RewardResult, Sample


@dataclass(frozen=True)
class ChangeMeasure:
    """How much one picture differs from another (see the module docstring)."""

    pixel_fraction: float
    mean_abs: float
    perceptual: float
    changed: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


NO_CHANGE = ChangeMeasure(0.0, 0.0, 0.0, False)
ALL_CHANGED = ChangeMeasure(1.0, 1.0, 1.0, True)


def measure_change(before: Image.Image | RenderResult | None, after: Image.Image | RenderResult | None, *,
                   tolerance: int = 24, min_fraction: float = 0.005,
                   min_perceptual: float = 0.02) -> ChangeMeasure:
    """Measure the visible difference between two pictures (renders or PIL images).

    A failed render counts as "no picture": none -> none is no change, none -> picture (or
    back) is a complete change.
    """
    a, b = _picture(before), _picture(after)
    if a is None or b is None:
        return NO_CHANGE if a is None and b is None else ALL_CHANGED
    if b.size != a.size:
        b = b.resize(a.size, Image.Resampling.BILINEAR)
    x = np.asarray(a, dtype=np.int16)
    y = np.asarray(b, dtype=np.int16)
    diff = np.abs(x - y)
    pixel_fraction = float((diff.max(axis=2) > tolerance).mean())
    mean_abs = float(diff.mean() / 255.0)
    perceptual = float(np.clip(1.0 - ssim(_grey64(a), _grey64(b)), 0.0, 1.0))
    changed = pixel_fraction >= min_fraction or perceptual >= min_perceptual
    return ChangeMeasure(pixel_fraction, mean_abs, perceptual, bool(changed))


def ssim(x: np.ndarray, y: np.ndarray, window: int = 7) -> float:
    """Mean structural similarity of two greyscale images in [0, 1] (uniform window)."""
    c1, c2 = 0.01**2, 0.03**2
    mx, my = _box(x, window), _box(y, window)
    vx = _box(x * x, window) - mx * mx
    vy = _box(y * y, window) - my * my
    cxy = _box(x * y, window) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(s.mean())


def _box(a: np.ndarray, w: int) -> np.ndarray:
    # Mean over every w x w window ("valid" positions) through an integral image.
    c = np.pad(a, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    return (c[w:, w:] - c[:-w, w:] - c[w:, :-w] + c[:-w, :-w]) / (w * w)


def _grey64(im: Image.Image) -> np.ndarray:
    return np.asarray(im.convert("L").resize((64, 64), Image.Resampling.BOX), dtype=np.float64) / 255.0


def _picture(x: Image.Image | RenderResult | None) -> Image.Image | None:
    if x is None:
        return None
    if isinstance(x, RenderResult):
        return x.image if x.png is not None and (x.ok or x.error_kind == "blank") else None
    return x.convert("RGB")


class VisibleChange(Reward):
    """How much of the picture an edit changed (id ``visible_change``, alias ``change``).

    Compares each sample's render with ``sample.previous``; through ``__call__``, the previous
    program comes from the ``previous_code`` column. Value: ``pixel_fraction`` in [0, 1].
    Without a previous render the value is ``None`` (nothing to compare with).

    Args:
        tolerance: Per-channel difference (0-255) under which a pixel counts as unchanged.
        min_fraction: ``changed`` threshold on ``pixel_fraction``.
        min_perceptual: ``changed`` threshold on the perceptual (1 - SSIM) difference.
        **kwargs: Those of :class:`~rewards.base.Reward`.
    """

    id = "visible_change"
    value_range = (0.0, 1.0)

    def __init__(self, *, tolerance: int = 24, min_fraction: float = 0.005, min_perceptual: float = 0.02,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0 <= tolerance < 255:
            raise ValueError("tolerance is a per-channel difference in 0..254, e.g. 24")
        self.tolerance = tolerance
        self.min_fraction = min_fraction
        self.min_perceptual = min_perceptual

    def measure(self, before: Any, after: Any) -> ChangeMeasure:
        """:func:`measure_change` with this reward's thresholds."""
        return measure_change(before, after, tolerance=self.tolerance, min_fraction=self.min_fraction,
                              min_perceptual=self.min_perceptual)

    def score_one(self, sample: Sample) -> RewardResult:
        """Compare the sample's render with its previous one."""
        if sample.previous is None:
            return RewardResult.unjudged("no previous render to compare with (pass previous_code)")
        if sample.previous.error_kind == "infra":
            return RewardResult.unjudged("the previous render could not be done (infra): "
                                         "nothing to compare with")
        m = self.measure(sample.previous, sample.render)
        return RewardResult(
            m.pixel_fraction,
            breakdown={"pixel_fraction": m.pixel_fraction, "mean_abs": m.mean_abs,
                       "perceptual": m.perceptual, "changed": float(m.changed)},
            rationale=(f"{m.pixel_fraction:.1%} of pixels changed (perceptual {m.perceptual:.3f})"
                       if m.changed else "no visible change"),
        )
