"""Degenerate pictures that are not blank: a near-uniform canvas, a frame, a single flat block of colour.

The render layer calls a picture ``blank`` when every pixel is within 2 levels of one colour. A
policy escapes that with a few pixels of noise on an empty canvas, or one flat rectangle; a
judge or ``classic`` may still pay for either. :func:`measure_shape` measures, on the picture
scaled (nearest neighbour) to at most 256 px:

* ``painted``: the share of pixels more than 12 levels (any channel) from the most common colour
  (the background);
* ``flat``: the share of painted pixels of exactly the colour of their four neighbours (fills are
  exact; brush texture is not);
* ``one_colour``: the share of painted pixels within 12 levels of the painted area's most
  common colour;
* ``at_edges``: the share of painted pixels within :data:`EDGE` (6 %) of the shorter side from the
  picture's edges.

Verdicts (:meth:`PictureShape.problem`): **near-uniform** when less than 1 % is painted (any
language), or, for a task whose checks count objects, less than the smallest object those checks
count (:func:`painted_floor`: their ``min_area``, 0.15 % of the canvas by default); **a single
flat block** when at least 95 % of the painted area is flat *and* one colour, for the languages
whose pictures always have texture (the table's ``textured``: ``p5brush``, whose watercolour
washes and strokes are never flat); **a frame**, in every language, when at least
:data:`MAX_AT_EDGES` (98 %) of the painted pixels lie along the edges: a flat fill inside a thin frame
of another colour (the frame is what differs from the most common colour), or a border drawn round
an empty page. Nothing is drawn inside; the frame only moves the picture's most common colour off
the blank verdict (learning run 3's seed 0 learned exactly this: the object's colour over the whole
canvas in a 3-pixel frame of the background's). Measured: no reference of the pool and no reference
of the ``shapes`` or ``knowledge`` suites has more than 60 % of its paint along the edges
(tests/rewards/gate/test_degenerate_frames.py). Measured on the repository's pool: the least-painted
``love`` / ``okay`` / ``supplement`` reference paints 9.5 % (p5brush), 14.7 % (SVG), 5.7 % (HTML);
the flattest p5brush reference is 82 % flat and the most one-coloured 92 % one colour, never both.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from codepaint_env.render.languages import LANGUAGES

_SIDE = 256
#: Less painted than this is near-uniform, unless the task's checks count smaller objects.
MIN_PAINTED = 0.01
#: The ring along the edges, as a share of the shorter side, where a frame's paint lies.
EDGE = 0.06
#: At least this share of the painted pixels along the edges makes a picture a frame.
MAX_AT_EDGES = 0.98


@dataclass(frozen=True)
class PictureShape:
    """How much of a picture is painted, and how flat and one-coloured the painted part is."""

    painted: float
    flat: float
    one_colour: float
    at_edges: float = 0.0

    def problem(self, language: str, *, min_painted: float = MIN_PAINTED, max_flat: float = 0.95,
                textured_languages: Collection[str] | None = None) -> str | None:
        """What is degenerate about the picture, or ``None``.

        ``textured_languages``: where a single flat block is degenerate (default: the languages the
        table marks ``textured``).
        """
        if self.painted < min_painted:
            return (f"near-uniform: {1 - self.painted:.1%} of the picture is one colour "
                    f"(at least {min_painted:.0%} must be painted)")
        if self.at_edges >= MAX_AT_EDGES:
            return (f"a frame: {self.at_edges:.0%} of what is painted lies along the edges and nothing "
                    f"inside ({1 - self.painted:.1%} of the picture is one colour)")
        if textured_languages is None:
            spec = LANGUAGES.get(language)
            textured = spec is not None and spec.textured
        else:
            textured = language in textured_languages
        if textured and self.flat >= max_flat and self.one_colour >= max_flat:
            return (f"a single flat block of colour: {self.flat:.0%} of the painted area is flat and "
                    f"{self.one_colour:.0%} one colour ({language} pictures have texture)")
        return None


def painted_floor(sample: Any) -> float:
    """The least painted share of a sample's picture that is not near-uniform.

    :data:`MIN_PAINTED` (1 %), lowered for a task whose checks count objects to the smallest object
    they count: a "small orange circle on a cream background" covers 0.5-0.8 % of the canvas,
    which is exactly what the prompt asks for, and a gate that called it near-uniform gave a
    quarter of the ``shapes`` suite's level-0 references the failure value (measured: 50 of 200
    train and 32 of 100 eval scenes). The least ``min_area`` of the task's object checks (0.15 % by
    default) is that size; a picture with less paint than one object the checks would count has
    drawn nothing they could judge. Malformed checks leave the floor alone (the checks reward
    reports them).
    """
    from rewards.checks.spec import CheckError, parse_checks

    raw = getattr(sample, "meta", {}).get("checks")
    if not raw:
        return MIN_PAINTED
    try:
        checks = parse_checks(raw)
    except CheckError:
        return MIN_PAINTED
    areas = [c.params["min_area"] for c in checks if "min_area" in c.params]
    return min([MIN_PAINTED, *areas])


def measure_shape(image: Image.Image) -> PictureShape:
    """Measure a picture (see the module docstring)."""
    im = image.convert("RGB")
    if max(im.size) > _SIDE:
        scale = _SIDE / max(im.size)
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                       Image.Resampling.NEAREST)
    a = np.asarray(im, dtype=np.int16)
    q = ((a[..., 0] >> 4) << 8) | ((a[..., 1] >> 4) << 4) | (a[..., 2] >> 4)
    background = _mode_colour(a.reshape(-1, 3), q.ravel())
    painted = (np.abs(a - background) > 12).any(axis=2)
    if not painted.any():
        return PictureShape(0.0, 0.0, 0.0)
    h, w = a.shape[:2]
    k = max(1, round(EDGE * min(h, w)))
    inner = np.zeros_like(painted)
    inner[k:h - k, k:w - k] = True
    at_edges = float((painted & ~inner).sum() / painted.sum())
    # flat: a pixel with exactly the colour of its four neighbours (fills are exact; texture is not)
    packed = (a[..., 0].astype(np.int32) << 16) | (a[..., 1].astype(np.int32) << 8) | a[..., 2]
    flat = np.zeros(painted.shape, dtype=bool)
    if min(a.shape[:2]) >= 3:
        c = packed[1:-1, 1:-1]
        flat[1:-1, 1:-1] = ((c == packed[1:-1, 2:]) & (c == packed[1:-1, :-2])
                            & (c == packed[2:, 1:-1]) & (c == packed[:-2, 1:-1]))
    pixels = a[painted]
    main = _mode_colour(pixels, q[painted])
    one = float((np.abs(pixels - main) <= 12).all(axis=1).mean())
    return PictureShape(float(painted.mean()), float(flat[painted].mean()), one, at_edges)


def _mode_colour(pixels: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The mean colour of the most common 16-level colour bin."""
    top = np.bincount(keys, minlength=4096).argmax()
    return pixels[keys == top].mean(axis=0)
