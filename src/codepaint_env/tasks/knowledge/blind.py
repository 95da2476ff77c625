"""Pictures that draw no fact, and every fact drawn by another hand than its reference's.

**Fact-blind pictures** (:func:`bank`): what a policy that knows no fact draws when asked for one
(a blank page, two or three stripes in the common flag colours, a disc or a square on a page, a
cross, two halves, concentric rings, a grid of dots, a triangle), each an SVG written by a generic
procedure from a few words. None is a fact of the suite: no stripes in a striped flag's colours,
order and orientation (``tests/tasks/test_knowledge_fact_blind.py`` holds it so), no red disc in the
middle of white, no red cross on white, no black dots in a die's places. Some are a fact's near
miss, which its card must tell apart by what it states: Kuwait's stripes without the black
trapezoid, a Nordic cross in the middle where the card says it is shifted toward the hoist, an
upright white cross on blue where Scotland's is diagonal, Bangladesh's and Palau's discs in the
middle, a white square on red where Switzerland's is a cross. Every card's stated checks must fail
every one of them (a full pass: every stated check), but for :data:`KNOWN_GAPS`;
``docs/knowledge.md`` ("Fact-blind pictures") has what the bank found.

**Another hand** (:func:`other_hand`): a fact's scene as the ``shapes`` writers draw it, but in the
palette's values instead of the colour names (``#e53935`` for ``red``, ``#1e88e5`` for ``blue``)
and placed otherwise: a thing that fills the canvas zoomed in by 3 % about the middle (its bands
and crosses off their reference places, the outer bands cut), a thing on a page drawn 8 % smaller
and off the middle by 2 % across and 1.5 % down. It draws the fact, so it passes every check of
its own card, and it is not the reference picture the cross-card matrix tells apart
(``tests/tasks/test_knowledge_cross_cards.py``).
"""

from __future__ import annotations

from codepaint_env.tasks.knowledge.fact import Fact
from codepaint_env.tasks.knowledge.suite import scene_of
from codepaint_env.tasks.shapes.programs import SIDE, svg

#: The canvas the bank's pictures are drawn on (SVG user units, a square).
CANVAS = 512
_HEAD = (
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{CANVAS}" height="{CANVAS}" '
    f'viewBox="0 0 {CANVAS} {CANVAS}">'
)
_PAIRS = (("red", "blue"), ("green", "red"), ("black", "yellow"), ("blue", "white"), ("green", "white"),
          ("yellow", "red"), ("white", "black"))
_TRIPLES = (("red", "yellow", "blue"), ("black", "white", "green"), ("yellow", "blue", "red"),
            ("white", "red", "white"), ("blue", "yellow", "blue"), ("green", "yellow", "green"),
            ("red", "black", "red"))
#: The bank's stripes, ``(colours from the top or from the hoist, vertical)``, in the CSS names a person
#: writes: each pair and triple both ways, and three triples one way only (the other way is a flag of
#: the suite: France, the Netherlands, Italy).
STRIPES: tuple[tuple[tuple[str, ...], bool], ...] = (
    *((colours, vertical) for colours in _PAIRS for vertical in (False, True)),
    (("red", "white", "blue"), True),
    (("blue", "white", "red"), False),
    (("green", "white", "red"), False),
    *((colours, vertical) for colours in _TRIPLES for vertical in (False, True)),
)
#: ``(card, bank picture) -> why``: the fact-blind pictures a card's checks pass because no check
#: kind reads what tells them apart. The tests hold the matrix to exactly this list.
KNOWN_GAPS: dict[tuple[str, str], str] = {
    ("chessboard", "halves-white-black"): (
        "the canvas cut along its diagonal, black and white: a chessboard's dark squares touch at "
        "their corners, so at canvas size they are one region of half the canvas, as wide as it is "
        "tall (or 32 squares, or anything between, as anti-aliasing joins them); no check kind "
        "counts squares whatever their corners do"
    ),
}


def _svg(*body: str) -> str:
    return _HEAD + "".join(body) + "</svg>\n"


def _page(colour: str) -> str:
    return f'<rect width="{CANVAS}" height="{CANVAS}" fill="{colour}"/>'


def blank(colour: str) -> str:
    """A page of one colour."""
    return _svg(_page(colour))


def stripes(colours: tuple[str, ...], *, vertical: bool = False) -> str:
    """Equal stripes of ``colours``, from the top (or from the hoist, the left)."""
    size = CANVAS / len(colours)
    out = []
    for i, c in enumerate(colours):
        box = (
            f'x="{i * size:.1f}" y="0" width="{size:.1f}" height="{CANVAS}"'
            if vertical
            else f'x="0" y="{i * size:.1f}" width="{CANVAS}" height="{size:.1f}"'
        )
        out.append(f'<rect {box} fill="{c}"/>')
    return _svg(*out)


def disc(colour: str, x: float = 0.5, y: float = 0.5, r: float = 0.3, page: str = "white") -> str:
    """A disc of ``colour`` centred on ``(x, y)`` (fractions of the canvas), on a ``page``."""
    k = CANVAS
    return _svg(_page(page), f'<circle cx="{x * k:.1f}" cy="{y * k:.1f}" r="{r * k:.1f}" fill="{colour}"/>')


def square(colour: str, x: float = 0.5, y: float = 0.5, half: float = 0.25, page: str = "white") -> str:
    """An upright square of ``colour`` centred on ``(x, y)``, ``2 * half`` across, on a ``page``."""
    k = CANVAS
    return _svg(
        _page(page),
        f'<rect x="{(x - half) * k:.1f}" y="{(y - half) * k:.1f}" width="{2 * half * k:.1f}" '
        f'height="{2 * half * k:.1f}" fill="{colour}"/>',
    )


def cross(colour: str, field: str, thickness: float = 0.2, reach: float = 1.0) -> str:
    """An upright cross of ``colour`` in the middle of a ``field``, its arms ``reach`` of the canvas long."""
    k = CANVAS
    t, lo = thickness * k, (1 - reach) / 2 * k
    mid = (k - t) / 2
    return _svg(
        _page(field),
        f'<rect x="{mid:.1f}" y="{lo:.1f}" width="{t:.1f}" height="{reach * k:.1f}" fill="{colour}"/>',
        f'<rect x="{lo:.1f}" y="{mid:.1f}" width="{reach * k:.1f}" height="{t:.1f}" fill="{colour}"/>',
    )


def halves(first: str, second: str) -> str:
    """The canvas cut along its diagonal from the top-left corner: ``first`` above it, ``second`` below."""
    k = CANVAS
    return _svg(_page(first), f'<polygon points="0,0 0,{k} {k},{k}" fill="{second}"/>')


def rings(colours: tuple[str, ...], page: str = "white") -> str:
    """Concentric discs from the outside in (so the ``colours`` show as rings), on a ``page``."""
    k = CANVAS
    step = 0.42 / len(colours)
    return _svg(
        _page(page),
        *(
            f'<circle cx="{k / 2:g}" cy="{k / 2:g}" r="{(0.42 - i * step) * k:.1f}" fill="{c}"/>'
            for i, c in enumerate(colours)
        ),
    )


def dots(colour: str, rows: int, columns: int, page: str = "white", r: float = 0.06) -> str:
    """A grid of ``rows`` x ``columns`` dots of ``colour`` spread evenly over the page."""
    k = CANVAS
    return _svg(
        _page(page),
        *(
            f'<circle cx="{(j + 1) / (columns + 1) * k:.1f}" cy="{(i + 1) / (rows + 1) * k:.1f}" '
            f'r="{r * k:.1f}" fill="{colour}"/>'
            for i in range(rows)
            for j in range(columns)
        ),
    )


def triangle(colour: str, page: str = "white", *, hoist: bool = False) -> str:
    """A triangle of ``colour`` pointing up in the middle of the page, or along the hoist (left) edge."""
    k = CANVAS
    corners = ((0, 0), (0.5, 0.5), (0, 1)) if hoist else ((0.5, 0.15), (0.88, 0.82), (0.12, 0.82))
    points = " ".join(f"{x * k:.1f},{y * k:.1f}" for x, y in corners)
    return _svg(_page(page), f'<polygon points="{points}" fill="{colour}"/>')


def bank() -> dict[str, str]:
    """The fact-blind pictures, by name (see the module docstring): 71 SVGs."""
    pictures: dict[str, str] = {}
    for c in ("white", "black", "red", "blue", "green", "yellow", "grey"):
        pictures[f"blank-{c}"] = blank(c)
    for colours, vertical in STRIPES:
        way = "v" if vertical else "h"
        pictures[f"{way}{len(colours)}-{'-'.join(colours)}"] = stripes(colours, vertical=vertical)
    for c in ("blue", "green", "yellow"):
        pictures[f"disc-{c}"] = disc(c)
    pictures["disc-red-top-left"] = disc("red", 0.22, 0.22, 0.15)
    for colour, field in (("white", "blue"), ("red", "green"), ("yellow", "blue"), ("yellow", "red"),
                          ("white", "red")):
        pictures[f"disc-{colour}-on-{field}"] = disc(colour, page=field)
    pictures["square-red-top-left"] = square("red", 0.2, 0.2, 0.12)
    pictures["square-blue"] = square("blue")
    pictures["square-black"] = square("black")
    pictures["square-white-on-red"] = square("white", half=0.2, page="red")
    for colour, field in (("white", "red"), ("yellow", "blue"), ("blue", "white"), ("white", "blue"),
                          ("white", "green")):
        pictures[f"cross-{colour}-on-{field}"] = cross(colour, field)
    pictures["cross-green-on-white-short"] = cross("green", "white", 0.16, 0.6)
    for a, b in (("red", "blue"), ("green", "yellow"), ("white", "red"), ("white", "black")):
        pictures[f"halves-{a}-{b}"] = halves(a, b)
    pictures["rings-red-white"] = rings(("red", "white", "red", "white"))
    pictures["rings-blue-yellow"] = rings(("blue", "yellow", "blue"))
    pictures["dots-black-3x3"] = dots("black", 3, 3)
    pictures["dots-red-2x2"] = dots("red", 2, 2)
    pictures["dots-blue-3x3"] = dots("blue", 3, 3)
    pictures["dots-black-1x5"] = dots("black", 1, 5, r=0.05)
    pictures["triangle-red"] = triangle("red")
    pictures["triangle-green"] = triangle("green")
    pictures["triangle-black-hoist-on-yellow"] = triangle("black", "yellow", hoist=True)
    pictures["triangle-red-hoist-on-white"] = triangle("red", "white", hoist=True)
    return pictures


def other_hand(fact: Fact) -> str:
    """The fact's scene drawn by another hand than the reference's (see the module docstring)."""
    head, page, *shapes, _ = svg(scene_of(fact), "palette").splitlines()
    middle = SIDE / 2
    # a thing that fills the canvas: zoomed in about the middle (its shapes reach past the edges by
    # BLEED, so the edges stay covered); a thing on a page: smaller, and off the middle
    zoom, dx, dy = (1.03, 0.0, 0.0) if fact.canvas == "fill" else (0.92, 0.02 * SIDE, 0.015 * SIDE)
    transform = (f"translate({middle + dx:g} {middle + dy:g}) scale({zoom:g}) "
                 f"translate({-middle:g} {-middle:g})")
    return "\n".join([head, page, f'<g transform="{transform}">', *shapes, "</g>", "</svg>"]) + "\n"
