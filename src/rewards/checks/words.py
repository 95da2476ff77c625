"""The words a check's sentence uses: shares, grid cells and the names people give colours."""

from __future__ import annotations

from typing import Any

from rewards.checks.colour_names import term_of
from rewards.checks.colours import Colour


# ---------------------------------------------------------------------- words
def pct(x: float) -> str:
    """A share as a percentage with the precision it needs."""
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"


def share_range(lo: float, hi: float) -> str:
    """``"2%-8%"``, ``"at least 2%"`` or ``"at most 8%"``."""
    if hi >= 1.0:
        return f"at least {pct(lo)}"
    if lo <= 0.0:
        return f"at most {pct(hi)}"
    return f"{pct(lo)}-{pct(hi)}"


def cell_of(x: float, y: float) -> str:
    """The 3x3 grid cell a point is in (``top-left``, ``top``, ... ``centre`` ...)."""
    row = ("top", "", "bottom")[min(2, int(y * 3))]
    col = ("left", "", "right")[min(2, int(x * 3))]
    return "-".join(p for p in (row, col) if p) or "centre"


def nearest_name(rgb: Any) -> str:
    """What a person calls an sRGB colour: its colour term (``"navy"`` for ``#000080``)."""
    return term_of(rgb)


def regions_word(n: int, colour: Colour) -> str:
    """``"1 red region"``, ``"3 red regions"``."""
    return f"{n} {colour.name} region" + ("" if n == 1 else "s")
