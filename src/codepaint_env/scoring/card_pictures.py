"""The reward card's known-good variants of a reference: the same scene, drawn a little differently.

Two change the program (:func:`respelled`: the colours spelt the other way; :func:`outlined`: a dark
outline on every shape), two change the picture (:func:`moved` by 4 % of its side, :func:`scaled` by
90 % about its centre). A person still calls each one the scene the prompt asked for.
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from codepaint_env.tasks.shapes.vocabulary import CSS_NAMES
from rewards.checks.colours import PALETTE
from rewards.probes import background_colour

RGB = tuple[int, int, int]


def respelled(code: str) -> str:
    """The program with palette colour names written as their ``#hex`` (and palette ``#hex`` as names).

    A ``#hex`` becomes a name only where SVG knows the name (a CSS colour name): ``cream`` is the
    palette's but not CSS's, so ``fill="cream"`` would draw black, not the scene.
    """
    by_hex = {v.lower(): k for k, v in PALETTE.items() if k in CSS_NAMES}

    def swap(m: re.Match[str]) -> str:
        word = m.group(2)
        new = PALETTE.get(word) or by_hex.get(word.lower())
        return f'{m.group(1)}"{new}"' if new else m.group(0)

    return re.sub(r'((?:fill|stroke)=)"([^"]+)"', swap, code)


def outlined(code: str) -> str:
    """The program with a dark outline on every shape but the background (the first ``<rect>``)."""
    head, first, rest = code.partition("/>")  # the background rect ends first
    rest = re.sub(r"<(circle|rect|polygon|path|ellipse)\b(?![^>]*stroke=)",
                  r'<\1 stroke="#222222" stroke-width="3"', rest)
    return head + first + rest


def _room(drawn: np.ndarray) -> tuple[int, int]:
    """The way to move along one axis (+1 or -1) with the more room: ``(sign, room in pixels)``."""
    on = np.flatnonzero(drawn)
    if on.size == 0:
        return 1, drawn.size
    before, after = int(on[0]), int(drawn.size - 1 - on[-1])
    return (1, after) if after >= before else (-1, before)


def moved(image: Image.Image, share: float = 0.04, background: RGB | None = None) -> Image.Image:
    """The picture moved by ``share`` of its side, the gap filled with its background.

    Along each axis it moves the way the drawing has more room (a row along the bottom moves up), so
    that no object is pushed across an edge: an object cut by the edge shows another shape, and the
    picture would no longer be a good one. ``background``: the scene's page (default: the colour the
    picture's border shows most, which for a canvas of stripes may be a stripe's).
    """
    w, h = image.size
    page = background or background_colour(image)
    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    drawn = np.abs(rgb - np.array(page, dtype=np.int16)).sum(axis=-1) > 24
    (sx, _), (sy, _) = _room(drawn.any(axis=0)), _room(drawn.any(axis=1))
    out = Image.new("RGB", image.size, page)
    out.paste(image, (sx * round(share * w), sy * round(share * h)))
    return out


def scaled(image: Image.Image, factor: float = 0.9, background: RGB | None = None) -> Image.Image:
    """The picture scaled about its centre by ``factor``, on its background (see :func:`moved`)."""
    w, h = image.size
    small = image.resize((round(w * factor), round(h * factor)), Image.Resampling.LANCZOS)
    out = Image.new("RGB", image.size, background or background_colour(image))
    out.paste(small, ((w - small.width) // 2, (h - small.height) // 2))
    return out
