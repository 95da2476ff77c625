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

from typing import Any

from codepaint_env.core.images import (
    ALL_CHANGED,
    EDIT_LEVELS,
    NO_CHANGE,
    ChangeMeasure,
    measure_change,
    ssim,
)
from rewards.base import Reward, RewardResult, Sample

__all__ = ["ALL_CHANGED", "NO_CHANGE", "ChangeMeasure", "VisibleChange", "measure_change", "ssim"]


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

    def __init__(self, *, tolerance: int = EDIT_LEVELS, min_fraction: float = 0.005,
                 min_perceptual: float = 0.02, **kwargs: Any) -> None:
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
