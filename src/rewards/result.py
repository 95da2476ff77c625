"""What a reward scores and what it answers: :class:`Sample` and :class:`RewardResult`.

The protocol is :mod:`rewards.base`'s (which exports both); they live here so that the modules
:class:`~rewards.base.Reward` relies on (:mod:`rewards.guard`) can build results without importing it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.render import RenderResult

__all__ = ["RewardResult", "Sample"]


@dataclass
class Sample:
    """One rendered completion, with the task it answers.

    Attributes:
        code: The extracted program.
        language: The language it was rendered as.
        render: Its :class:`RenderResult`.
        prompt: The task prompt (text), when known.
        meta: The dataset columns for this completion (``task_id``, ``subject``,
            ``colour_family``, ...).
        previous: The render this one refines (multi-turn), for rewards that measure change.
    """

    code: str
    language: str
    render: RenderResult
    prompt: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    previous: RenderResult | None = None

    @property
    def ok(self) -> bool:
        """True when the program rendered a non-blank picture."""
        return bool(self.render.ok)

    @classmethod
    def from_image(cls, image: Any, *, language: str = "p5brush", prompt: str | None = None, code: str = "",
                   **meta: Any) -> Sample:
        """A sample from an existing picture (a PIL image or a PNG path), to score without rendering."""
        import io

        from PIL import Image

        from codepaint_env.render import is_blank, pixel_sha256

        if isinstance(image, (str, os.PathLike)):
            image = Image.open(image)
        im = image.convert("RGB")
        buf = io.BytesIO()
        im.save(buf, "PNG")
        blank = is_blank(im)
        render = RenderResult(ok=not blank, language=language, error_kind="blank" if blank else None,
                              png=buf.getvalue(), size=im.size, sha256=pixel_sha256(im), renderer="image")
        return cls(code=code, language=language, render=render, prompt=prompt, meta=dict(meta))


@dataclass
class RewardResult:
    """What a reward says about one sample.

    Attributes:
        value: The score, or ``None`` when it could not be judged (see ``reason``). Never NaN or
            infinite: such a value becomes ``None`` with a reason.
        breakdown: Named parts of the score (sub-scores, checks, component rewards).
        rationale: Human-readable explanation (a judge's reason, the failed checks).
        reason: Why ``value`` is ``None``.
        cost: What it took: ``requests``, ``cached``, ``prompt_tokens``, ``completion_tokens``,
            ``seconds``, ... (only the keys a backend measures).
        metrics: Measurements of the sample that trainers log as training monitors (their names
            are :data:`rewards.monitors.MONITOR_KEYS`, e.g. ``checks/count``), not part of the score.
    """

    value: float | None
    breakdown: dict[str, float | None] = field(default_factory=dict)
    rationale: str = ""
    reason: str | None = None
    cost: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.value is not None:
            v = float(self.value)
            if not math.isfinite(v):
                self.reason = f"non-finite value {v!r} from the backend" + (
                    f" ({self.reason})" if self.reason else "")
                self.value = None
            else:
                self.value = v
        self.breakdown = {k: _finite_or_none(v) for k, v in self.breakdown.items()}
        self.metrics = {k: _finite_or_none(v) for k, v in self.metrics.items()}

    @classmethod
    def unjudged(cls, reason: str, **kwargs: Any) -> RewardResult:
        """A result that could not be judged, with the reason."""
        return cls(None, reason=reason, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"value": self.value, "breakdown": dict(self.breakdown), "rationale": self.rationale,
                "reason": self.reason, "cost": dict(self.cost), "metrics": dict(self.metrics)}


def _finite_or_none(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None
