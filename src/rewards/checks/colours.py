"""Colours a check names: a colour term (``"red"``, ``"navy"``...) or any ``#rrggbb``.

A named colour is a colour *term*: a pixel is that colour when a person would call it by that name
(:mod:`rewards.checks.colour_names`: the nearest of a labelled table of CSS, xcolor and palette
colours), so ``fill="navy"``, ``#000080`` and the palette's ``#1a237e`` are all navy. A ``#rrggbb``
colour is matched by distance instead: within the check's ``tolerance`` of CIE76 ΔE in CIELAB (D65;
about 2.3 is the smallest difference a person sees). :data:`PALETTE` gives each term the value the
``shapes`` suite's reference programs draw it with. Contrast is WCAG's ratio of relative luminances
(1 for two equal colours, 21 for black on white).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from codepaint_env.core.images import srgb_to_lab

#: Every colour term a check may name, with the value the ``shapes`` suite's reference programs
#: draw it with (Material Design 600s, and a cream).
PALETTE: dict[str, str] = {
    "black": "#000000",
    "white": "#ffffff",
    "red": "#e53935",
    "orange": "#fb8c00",
    "yellow": "#fdd835",
    "green": "#43a047",
    "blue": "#1e88e5",
    "purple": "#8e24aa",
    "pink": "#f48fb1",
    "cyan": "#26c6da",
    "navy": "#1a237e",
    "cream": "#fff3d6",
    "grey": "#9e9e9e",
    "brown": "#795548",
}
_ALIASES = {"gray": "grey"}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Colour:
    """A colour a check names: its words for sentences, its sRGB and Lab value, and its term.

    Attributes:
        name: The words for sentences (the term, or the hex value).
        hex: ``#rrggbb`` (for a term, the palette's value).
        rgb: The sRGB value.
        lab: The Lab value.
        term: The colour term a pixel must be called by (``None`` for a hex colour, which is
            matched within a ΔE tolerance instead).
    """

    name: str
    hex: str
    rgb: tuple[int, int, int]
    lab: tuple[float, float, float]
    term: str | None = None


def parse_colour(value: Any) -> Colour:
    """A palette name (``"red"``) or ``"#rrggbb"`` as a :class:`Colour`.

    Raises:
        ValueError: Anything else; the message lists the palette names.
    """
    if isinstance(value, str):
        key = _ALIASES.get(value.strip().lower(), value.strip().lower())
        if key in PALETTE:
            return _colour(key, PALETTE[key], key)
        if _HEX.match(key):
            return _colour(key, key)
    raise ValueError(f"a palette colour ({', '.join(PALETTE)}) or '#rrggbb'")


@lru_cache(maxsize=1024)
def _colour(name: str, hex_value: str, term: str | None = None) -> Colour:
    rgb = rgb_of(hex_value)
    lab = srgb_to_lab(np.array(rgb, dtype=np.uint8))
    return Colour(name, hex_value, rgb, (float(lab[0]), float(lab[1]), float(lab[2])), term)


def rgb_of(hex_value: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` -> ``(r, g, b)``."""
    return int(hex_value[1:3], 16), int(hex_value[3:5], 16), int(hex_value[5:7], 16)


def delta_e(lab: np.ndarray, colour: Colour | Sequence[float] | np.ndarray) -> np.ndarray:
    """CIE76 ΔE of every Lab value in ``lab`` (``(..., 3)``) from one colour (a Colour or a Lab value)."""
    ref = np.asarray(colour.lab if isinstance(colour, Colour) else colour, dtype=np.float64)
    diff = lab - ref
    return np.sqrt(np.einsum("...i,...i->...", diff, diff))


def relative_luminance(rgb: Any) -> float:
    """WCAG relative luminance of an sRGB colour (0-255 channels; floats allowed)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def contrast_ratio(rgb_a: Any, rgb_b: Any) -> float:
    """WCAG contrast ratio of two sRGB colours, from 1 (equal) to 21 (black on white)."""
    la, lb = relative_luminance(rgb_a), relative_luminance(rgb_b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)
