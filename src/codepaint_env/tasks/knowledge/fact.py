"""A fact of the ``knowledge`` suite: what a thing looks like, in words, in checks and as a scene.

A :class:`Fact` is one thing a prompt can name without describing it ("the flag of Sweden", "a
stop sign"): its card (title, aliases, family, a short text a person would write) and the checks
the card implies, with the scene its reference programs draw. The check helpers below write check
objects in the grammar of :mod:`rewards.checks.spec`; every one a card implies is ``stated`` (what
the *card* says, not the prompt) and weighs 2, as the ``shapes`` suite weighs what its prompt states.

Only checks every honest drawing of the card satisfies are written: colours present, counts of
regions, positions and relations of whole regions, mirror symmetry, stripes' orientation. A colour
is named in a check only when its usual shade and the colour word people use for it fall under the
same colour term (the dark blue of the Dutch flag is ``navy`` to the checker while many people write
``blue``, so no check names it: see ``docs/knowledge.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codepaint_env.tasks.shapes.geometry import Shape

STATED_WEIGHT = 2
#: The families a fact belongs to, with the words the docs use for them.
FAMILIES: dict[str, str] = {
    "flag": "national and other flags",
    "sign": "road and safety signs and emblems",
    "symbol": "the Olympic rings, the yin-yang and other symbols",
    "suit": "playing-card suits",
    "game": "boards and dice",
    "traffic_light": "traffic lights in a given state",
    "rainbow": "the rainbow's order",
    "planet": "planets and the Moon by colour",
}


@dataclass(frozen=True)
class Fact:
    """One thing to draw, its card and its reference scene.

    Attributes:
        id: The card id (``flag-sweden``): lowercase letters, digits and ``-``.
        title: The card's title (``Flag of Sweden``).
        name: How a prompt names it (``the flag of Sweden``).
        aliases: Other names people search for it by.
        family: One of :data:`FAMILIES`.
        text: What the card says: a short factual description.
        background: The scene's background (a palette colour).
        shapes: The scene's shapes, in drawing order.
        checks: The checks the card implies (``stated``, weight 2).
        canvas: How the prompt places it: ``fill`` (it fills the whole canvas) or a background colour
            the prompt names (``white``: on a white background).
        allow_text: Whether an honest picture may carry text (a stop sign's lettering).
    """

    id: str
    title: str
    name: str
    aliases: tuple[str, ...]
    family: str
    text: str
    background: str
    shapes: tuple[Shape, ...]
    checks: tuple[dict[str, Any], ...]
    canvas: str = "fill"
    allow_text: bool = False

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"fact {self.id}: unknown family {self.family!r} ({', '.join(FAMILIES)})")
        if not self.checks:
            raise ValueError(f"fact {self.id}: a fact implies at least one check")


def _stated(check: dict[str, Any]) -> dict[str, Any]:
    return {**check, "weight": STATED_WEIGHT, "stated": True}


def colour(c: str) -> dict[str, Any]:
    """A region of colour term ``c`` is present."""
    return _stated({"kind": "colour", "colour": c})


def count(c: str, n: int) -> dict[str, Any]:
    """Exactly ``n`` regions of ``c``."""
    return _stated({"kind": "count", "colour": c, "count": n})


def position(c: str, area: str) -> dict[str, Any]:
    """Every region of ``c`` is centred in ``area``."""
    return _stated({"kind": "position", "colour": c, "area": area})


def relation(a: str, rel: str, b: str, margin: float | None = None) -> dict[str, Any]:
    """Every region of ``a`` stands in ``rel`` to ``b``'s regions (``margin``: the spec's default)."""
    check: dict[str, Any] = {"kind": "relation", "a": a, "relation": rel, "b": b}
    if margin is not None:
        check["margin"] = margin
    return _stated(check)


def symmetry(axis: str) -> dict[str, Any]:
    """Mirror symmetry across the ``vertical`` (left-right) or ``horizontal`` (top-bottom) axis."""
    return _stated({"kind": "symmetry", "axis": axis})


def background(c: str) -> dict[str, Any]:
    """The picture's field (its border) is mostly ``c``."""
    return _stated({"kind": "background", "colour": c})


def shape(c: str, s: str) -> dict[str, Any]:
    """Every region of ``c`` looks like ``s`` (circle, star...)."""
    return _stated({"kind": "shape", "colour": c, "shape": s})


def not_cut(c: str) -> dict[str, Any]:
    """No region of ``c`` reaches the canvas edge."""
    return _stated({"kind": "not_cut", "colour": c})


def aspect(c: str, lo: float = 0.0, hi: float = 1000.0) -> dict[str, Any]:
    """Every region of ``c`` is ``lo``-``hi`` times as wide as it is tall."""
    return _stated({"kind": "aspect", "colour": c, "min": lo, "max": hi})


def size(c: str, lo: float = 0.0, hi: float = 1.0) -> dict[str, Any]:
    """Every region of ``c`` covers ``lo``-``hi`` of the canvas."""
    return _stated({"kind": "size", "colour": c, "min": lo, "max": hi})
