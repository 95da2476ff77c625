"""The reward card's known-good variants of a reference: the same scene, drawn a little differently.

Two change the program (:func:`respelled`: the colours spelt the other way; :func:`outlined`: a dark
outline on every shape), two change the picture (:func:`moved` by 4 % of its side, :func:`scaled` by
90 % about its centre). A person still calls each one the scene the prompt asked for.
"""

from __future__ import annotations

import re

from PIL import Image

from codepaint_env.tasks.shapes.vocabulary import CSS_NAMES
from rewards.checks.colours import PALETTE
from rewards.probes import background_colour


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


def moved(image: Image.Image, share: float = 0.04) -> Image.Image:
    """The picture moved right and down by ``share`` of its side, the gap filled with its background."""
    w, h = image.size
    out = Image.new("RGB", image.size, background_colour(image))
    out.paste(image, (round(share * w), round(share * h)))
    return out


def scaled(image: Image.Image, factor: float = 0.9) -> Image.Image:
    """The picture scaled about its centre by ``factor``, on its background."""
    w, h = image.size
    small = image.resize((round(w * factor), round(h * factor)), Image.Resampling.LANCZOS)
    out = Image.new("RGB", image.size, background_colour(image))
    out.paste(small, ((w - small.width) // 2, (h - small.height) // 2))
    return out
