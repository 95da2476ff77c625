"""A fact of the ``knowledge`` suite: what a thing looks like, in words, in checks and as a scene.

A :class:`Fact` is one thing a prompt can name without describing it ("the flag of Sweden", "a
stop sign"): its card (title, aliases, family, a short text a person would write) and the checks
the card implies, with the scene its reference programs draw. The check helpers below write check
objects in the grammar of :mod:`rewards.checks.spec`; every one a card implies is ``stated`` (what
the *card* says, not the prompt) and weighs 2, as the ``shapes`` suite weighs what its prompt states.

Only checks every honest drawing of the card satisfies are written: colours present, counts of
regions, positions, sizes and relations of whole regions, mirror symmetry, stripes' orientation, and
that nothing the card does not name is drawn (:func:`only`). A colour is named by its colour term
when its usual shade and the word people use for it fall under the same term; a card's dark blue,
which the terms split between ``navy`` and ``blue`` by shade, is named as every colour near one
blue (:data:`DARK_BLUE`). Every card's checks fail every other card's reference picture
(``tests/tasks/test_knowledge_cross_cards.py``; ``docs/knowledge.md``, "Cards told apart").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from codepaint_env.tasks.shapes.geometry import Shape

STATED_WEIGHT = 2
#: A card's dark blue (``navy`` in a scene) as the checks name it: every colour within
#: :data:`DARK_BLUE_TOLERANCE` (ΔE76) of this blue, which takes in the official dark blues of the
#: flags (``#012169``, ``#21468b``, ``#002395``, ``#0a3161``...), ``navy``, ``darkblue`` and the
#: ``blue`` (``#0000ff``) many people write for them, but no black, grey, green, cyan or light blue
#: (the nearest: ``#2d2a4a``, a grey-navy, at 60; Luxembourg's ``#00a1de`` at 75; black at 86).
#: The colour terms split these blues between ``navy`` and ``blue`` by shade, so no term names them.
DARK_BLUE = "#0f24a6"
DARK_BLUE_TOLERANCE = 58.0
#: Colours a record names by a ball around one value (``name -> (value, ΔE76 tolerance)``, the
#: card writes the value and the tolerance), where no colour term says what the card says:
#:
#: * a traffic light's **lit** lamp: its dark lamps are dim ones of the same hue (``#500`` is ``red``
#:   to the terms, ``#050`` ``green``), so "lit" holds the lit shades people write and none of the
#:   dim ones: the lit reds (``red``, the palette's ``#e53935``, ``#c1272d``, ``crimson``, ``tomato``)
#:   4.6-27.0 from the centre, the nearest dim one (``darkred``) 39.0; the lit greens (``green``
#:   ``#008000`` the farthest, ``lime``, ``#43a047``, ``#0c0``) 11.3-45.7, the nearest dim one
#:   (``#006600``) 57.1; amber as suite version 3 set it (``orange``, ``#ffbf00``, ``gold``, even
#:   ``#ffff00``; the red lamp 70, the green 77);
#: * a **dark** lamp: near black, the dim shades (``#000``-``#444``, ``#300``-``#700``, ``maroon``,
#:   ``darkred``, ``#030``-``#060``, ``darkgreen``, ``#430``, ``#553300``) 60.6 from the centre at
#:   most, every lit one 66.0 and more (``#388e3c``, ``#b71c1c``, ``#c1272d`` the nearest). A light's
#:   ``only`` names it, so a second lamp that shines is an extra object: a guard broken, never a
#:   claim that pays whenever a colour is absent;
#: * the radiation trefoil, **black or** (in the United States) **magenta**: black 65.6 and
#:   ``#ff00ff`` 64.8 from the centre (purples, greys and navy between), and no yellow (133 and
#:   more), white (91), red (79) or orange (114); its ``only`` allows the card's terms alone;
#: * a give way sign's inside, **white or** (in some countries) **yellow**: white 48.2, ``#ffff00``
#:   48.8, the palette's yellow 34.0, and no red (88 and more), orange (52.4) or light grey (50.2);
#: * the Olympic rings' **yellow**, the amber ball: their official ``#FCB131`` is ``orange`` to the
#:   terms, the newer ``#F4C300`` ``yellow``.
BALLS: dict[str, tuple[str, float]] = {
    "lit-red": ("#ff1e2d", 33.0),
    "lit-amber": ("#ffb800", 48.0),
    "lit-green": ("#6eff7d", 51.0),
    "dark-lamp": ("#211800", 63.0),
    "black-or-magenta": ("#781e78", 70.0),
    "white-or-yellow": ("#fff999", 50.0),
    "yellow-or-gold": ("#ffb800", 48.0),
}
#: The colour terms an honest drawing of a colour may be called by where its shade varies: the dark
#: blue of the Dutch flag is ``navy`` or ``blue`` to the checker (``#21468b`` navy, ``#1e4785``
#: blue), Lithuania's golden yellow ``yellow`` or ``orange``. An ``only`` check allows them all (for
#: ``navy`` always, for the others where a card calls them loose).
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "navy": ("navy", "blue"),
    "blue": ("blue", "navy"),
    "yellow": ("yellow", "orange"),
}
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
class Source:
    """The public page a card's facts were checked against.

    Attributes:
        url: The page's address.
        says: What the page says that the card relies on (a short quote or paraphrase).
    """

    url: str
    says: str

    def to_row(self) -> dict[str, str]:
        """The source as a JSON-ready dict."""
        return {"url": self.url, "says": self.says}


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
        source: The public page its facts were checked against, where one is recorded.
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
    source: Source | None = None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"fact {self.id}: unknown family {self.family!r} ({', '.join(FAMILIES)})")
        if not self.checks:
            raise ValueError(f"fact {self.id}: a fact implies at least one check")


def stated(check: dict[str, Any]) -> dict[str, Any]:
    """``check`` as a card states it: weight 2, ``stated`` (and the dark blue's tolerance where named)."""
    if DARK_BLUE in (check.get("colour"), check.get("a"), check.get("b")):
        check = {**check, "tolerance": DARK_BLUE_TOLERANCE}
    return {**check, "weight": STATED_WEIGHT, "stated": True}


def checked(c: str) -> str:
    """How a check names a scene's colour: its term, or :data:`DARK_BLUE` for ``navy``."""
    return DARK_BLUE if c == "navy" else c


def colour(c: str) -> dict[str, Any]:
    """A region of colour term ``c`` is present."""
    return stated({"kind": "colour", "colour": c})


def count(c: str, n: int | None = None, *, lo: int | None = None, hi: int | None = None) -> dict[str, Any]:
    """Exactly ``n`` regions of ``c`` (or, without ``n``, ``lo`` to ``hi`` of them)."""
    if n is not None:
        return stated({"kind": "count", "colour": c, "count": n})
    bounds = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
    return stated({"kind": "count", "colour": c, **bounds})


def position(c: str, area: str) -> dict[str, Any]:
    """Every region of ``c`` is centred in ``area``."""
    return stated({"kind": "position", "colour": c, "area": area})


def relation(a: str, rel: str, b: str, margin: float | None = None) -> dict[str, Any]:
    """Every region of ``a`` stands in ``rel`` to ``b``'s regions (``margin``: the spec's default)."""
    check: dict[str, Any] = {"kind": "relation", "a": a, "relation": rel, "b": b}
    if margin is not None:
        check["margin"] = margin
    return stated(check)


def symmetry(axis: str) -> dict[str, Any]:
    """Mirror symmetry across the ``vertical`` (left-right) or ``horizontal`` (top-bottom) axis."""
    return stated({"kind": "symmetry", "axis": axis})


def background(c: str, share: float | None = None) -> dict[str, Any]:
    """The picture's field (its border) is mostly ``c`` (at least ``share`` of the border, default half)."""
    check: dict[str, Any] = {"kind": "background", "colour": c}
    if share is not None:
        check["min_share"] = share
    return stated(check)


def names(colours: Iterable[str], loose: Iterable[str] = ()) -> list[str]:
    """The colour terms of ``colours``, each once, in order; a loose one's :data:`ALTERNATIVES` with it."""
    free = {"navy", *loose}
    return list(dict.fromkeys(t for c in colours for t in (ALTERNATIVES.get(c, (c,)) if c in free else (c,))))


def only(colours: Iterable[str], field: str | None = None, loose: Iterable[str] = ()) -> dict[str, Any]:
    """Nothing but ``colours`` on the ``field`` (or the picture's own): :func:`names` says which terms.

    The card names every colour of the thing, so a region of any other colour (a speck aside) is not it.
    Without a ``field`` the thing fills the canvas: it has no page, so the colour along its edges is
    held to the card's colours too (``"page": false``).
    """
    check: dict[str, Any] = {"kind": "only", "colours": names(colours, loose)}
    if field is not None:
        check["background"] = field
    else:
        check["page"] = False
    return stated(check)


def shape(c: str, s: str) -> dict[str, Any]:
    """Every region of ``c`` looks like ``s`` (circle, star...)."""
    return stated({"kind": "shape", "colour": c, "shape": s})


def not_cut(c: str) -> dict[str, Any]:
    """No region of ``c`` reaches the canvas edge."""
    return stated({"kind": "not_cut", "colour": c})


def aspect(c: str, lo: float = 0.0, hi: float = 1000.0) -> dict[str, Any]:
    """Every region of ``c`` is ``lo``-``hi`` times as wide as it is tall."""
    return stated({"kind": "aspect", "colour": c, "min": lo, "max": hi})


def size(c: str, lo: float = 0.0, hi: float = 1.0) -> dict[str, Any]:
    """Every region of ``c`` covers ``lo``-``hi`` of the canvas."""
    return stated({"kind": "size", "colour": c, "min": lo, "max": hi})


def across(c: str, lo: float) -> dict[str, Any]:
    """Every region of ``c`` reaches at least ``lo`` of the canvas across (its box's longer side)."""
    return stated({"kind": "size", "colour": c, "min_extent": lo})


def whole(check: dict[str, Any], min_area: float) -> dict[str, Any]:
    """``check`` reading only the regions of at least ``min_area`` of the canvas (not a letter's hole)."""
    return stated({k: v for k, v in check.items() if k not in ("weight", "stated")} | {"min_area": min_area})
