"""The other families: symbols, card suits, boards and dice, traffic lights, the rainbow and planets."""

from __future__ import annotations

import itertools
import math
from typing import Any

from codepaint_env.tasks.knowledge.draw import disc, heart, poly, rect, ring, spade_blade, triangle
from codepaint_env.tasks.knowledge.fact import (
    Fact,
    across,
    aspect,
    background,
    colour,
    count,
    not_cut,
    only,
    position,
    relation,
    shape,
    size,
    symmetry,
)
from codepaint_env.tasks.shapes.geometry import Shape

RAINBOW = ("red", "orange", "yellow", "green", "blue", "navy", "purple")
#: How big a suit's prompt asks its symbol (the words the ``shapes`` suite uses for "large"): a die's
#: pip is no suit.
SUIT_SIZE = "at least half the canvas across"
_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
_PIPS = {
    1: [(0.5, 0.5)],
    2: [(0.27, 0.27), (0.73, 0.73)],
    3: [(0.27, 0.27), (0.5, 0.5), (0.73, 0.73)],
    4: [(0.27, 0.27), (0.73, 0.27), (0.27, 0.73), (0.73, 0.73)],
    5: [(0.27, 0.27), (0.73, 0.27), (0.5, 0.5), (0.27, 0.73), (0.73, 0.73)],
    6: [(0.27, 0.22), (0.27, 0.5), (0.27, 0.78), (0.73, 0.22), (0.73, 0.5), (0.73, 0.78)],
}
_PIP_WORDS = {
    1: "a single pip in the centre",
    2: "two pips in opposite corners",
    3: "three pips in a diagonal line from corner to corner",
    4: "four pips, one in each corner",
    5: "five pips, one in each corner and one in the centre",
    6: "six pips in two columns of three",
}


def _fact(
    key: str,
    family: str,
    title: str,
    name: str,
    text: str,
    aliases: tuple[str, ...],
    field: str,
    shapes: list[Shape],
    checks: list[dict[str, Any]],
    canvas: str,
) -> Fact:
    return Fact(
        id=key,
        title=title,
        name=name,
        aliases=aliases,
        family=family,
        text=text,
        background=field,
        shapes=tuple(shapes),
        checks=tuple(checks),
        canvas=canvas,
    )


def symbol_facts() -> list[Fact]:
    """The Olympic rings and the yin-yang."""
    r, top, low = 0.13, 0.43, 0.56
    rings = [
        ring(c, x, y, r, 0.8)
        for c, x, y in (
            ("blue", 0.22, top),
            ("yellow", 0.36, low),
            ("black", 0.5, top),
            ("green", 0.64, low),
            ("red", 0.78, top),
        )
    ]
    big = 0.4
    yin_yang = [
        disc("white", 0.5, 0.5, big),
        poly("black", [(0.5 + big * _sin(a), 0.5 - big * _cos(a)) for a in range(0, 181, 6)]),
        disc("white", 0.5, 0.5 - big / 2, big / 2),
        disc("black", 0.5, 0.5 + big / 2, big / 2),
        disc("black", 0.5, 0.5 - big / 2, big / 7),
        disc("white", 0.5, 0.5 + big / 2, big / 7),
    ]
    return [
        _fact(
            "olympic-rings",
            "symbol",
            "Olympic rings",
            "the Olympic rings",
            "The Olympic rings are five interlaced rings of equal size on a white ground, three above and "
            "two "
            "below: from left to right blue, yellow, black, green and red, with blue, black and red in the "
            "top "
            "row and yellow and green below.",
            ("Olympic symbol", "five rings", "Olympic flag"),
            "white",
            rings,
            [
                colour("blue"),
                colour("black"),
                colour("green"),
                colour("red"),
                relation("blue", "left_of", "black", 0.03),
                relation("black", "left_of", "red", 0.03),
            ],
            "white",
        ),
        _fact(
            "yin-yang",
            "symbol",
            "Yin and yang symbol",
            "the yin-yang symbol",
            "The yin-yang symbol (taijitu) is a disc divided into a black and a white half by an S-shaped "
            "curve; "
            "each half holds a small dot of the other colour.",
            ("taijitu", "yin yang"),
            "grey",
            yin_yang,
            [count("black", 2), count("white", 2)],
            "grey",
        ),
    ]


def _sin(degrees: float) -> float:
    return math.sin(math.radians(degrees))


def _cos(degrees: float) -> float:
    return math.cos(math.radians(degrees))


def suit_facts() -> list[Fact]:
    """The four French playing-card suits."""
    club = [
        disc("black", 0.5, 0.33, 0.14),
        disc("black", 0.35, 0.55, 0.14),
        disc("black", 0.65, 0.55, 0.14),
        disc("black", 0.5, 0.5, 0.08),
        triangle("black", (0.5, 0.5), (0.62, 0.85), (0.38, 0.85)),
    ]
    spade = [spade_blade("black", 0.5, 0.45, 0.3), triangle("black", (0.5, 0.5), (0.62, 0.85), (0.38, 0.85))]
    suit: list[tuple[str, str, str, list[Shape], list[dict[str, Any]]]] = [
        (
            "hearts",
            "a red heart",
            "red",
            [heart("red", 0.5, 0.5, 0.32)],
            [symmetry("vertical"), count("white", 1), shape("red", "heart")],
        ),
        (
            "diamonds",
            "a red rhombus standing on a corner, taller than it is wide",
            "red",
            [poly("red", [(0.5, 0.14), (0.76, 0.5), (0.5, 0.86), (0.24, 0.5)])],
            [symmetry("vertical"), symmetry("horizontal"), aspect("red", hi=0.95)],
        ),
        (
            "spades",
            "a black upside-down heart (a spearhead) on a short stem that flares at the base",
            "black",
            spade,
            [symmetry("vertical"), shape("black", "spade")],
        ),
        (
            "clubs",
            "a black trefoil of three round lobes on a short stem that flares at the base",
            "black",
            club,
            [symmetry("vertical"), shape("black", "club")],
        ),
    ]
    return [
        _fact(
            f"suit-{key}",
            "suit",
            f"{key.capitalize()} (playing-card suit)",
            f"the {key} suit symbol of playing cards, {SUIT_SIZE}",
            f"The {key} suit symbol of French playing cards is {looks}.",
            (f"{key} symbol", f"{key[:-1]} suit", f"card suit {key}"),
            "white",
            shapes,
            [count(c, 1), position(c, "centre"), not_cut(c), across(c, 0.5), *extra, only([c], "white")],
            "white",
        )
        for key, looks, c, shapes, extra in suit
    ]


def game_facts() -> list[Fact]:
    """A chessboard and the six faces of a die."""
    board = [
        rect("black", col / 8, row / 8, (col + 1) / 8, (row + 1) / 8)
        for row in range(8)
        for col in range(8)
        if (row + col) % 2 == 1
    ]
    out = [
        _fact(
            "chessboard",
            "game",
            "Chessboard",
            "a chessboard seen from above",
            "A chessboard is a square board of 64 squares, 8 by 8, alternately dark and light (drawn black "
            "and white); seen from White's side the bottom-right corner square (h1) is light, so half the "
            "board is dark.",
            ("chess board", "checkerboard for chess"),
            "white",
            board,
            [
                colour("black"),
                colour("white"),
                {
                    "kind": "coverage",
                    "background": "white",
                    "min": 0.4,
                    "max": 0.6,
                    "weight": 2,
                    "stated": True,
                },
            ],
            "fill",
        )
    ]
    for n, spots in _PIPS.items():
        checks = [background("white"), count("black", n), shape("black", "circle")]
        if n in (1, 4, 5, 6):
            checks += [symmetry("vertical"), symmetry("horizontal")]
        if n == 1:
            checks.append(position("black", "centre"))
        out.append(
            _fact(
                f"die-{n}",
                "game",
                f"Die face showing {n}",
                f"the face of a die showing {_NUMBERS[n]}",
                f"The face of a standard die showing {n} is white with {_PIP_WORDS[n]}; the pips are black "
                "dots.",
                (f"dice {n}", f"die {_NUMBERS[n]}", f"{_NUMBERS[n]} on a die"),
                "white",
                [rect("white", 0, 0, 1, 1), *(disc("black", x, y, 0.085) for x, y in spots)],
                checks,
                "fill",
            )
        )
    return out


def traffic_light_facts() -> list[Fact]:
    """A traffic light showing stop and showing go."""

    def light(lit: str) -> list[Shape]:
        lamps = {"red": "grey", "green": "grey"}
        lamps[lit] = lit
        return [
            rect("black", 0.37, 0.08, 0.63, 0.92),
            disc(lamps["red"], 0.5, 0.23, 0.1),
            disc("grey", 0.5, 0.5, 0.1),
            disc(lamps["green"], 0.5, 0.77, 0.1),
        ]

    common = (
        "A traffic light is a black upright housing with three round lamps, red at the top, amber in the "
        "middle and green at the bottom; only the lit lamp shines, the others stay dark."
    )
    return [
        _fact(
            "traffic-light-stop",
            "traffic_light",
            "Traffic light showing stop",
            "a traffic light showing stop",
            common + " To show stop, the red lamp at the top is lit.",
            ("red traffic light", "stop light"),
            "white",
            light("red"),
            [colour("red"), position("red", "top-half"), *_housing("red")],
            "white",
        ),
        _fact(
            "traffic-light-go",
            "traffic_light",
            "Traffic light showing go",
            "a traffic light showing go",
            common + " To show go, the green lamp at the bottom is lit.",
            ("green traffic light", "go light"),
            "white",
            light("green"),
            [colour("green"), position("green", "bottom-half"), *_housing("green")],
            "white",
        ),
    ]


def _housing(lit: str) -> list[dict[str, Any]]:
    """A traffic light's lit lamp: round, in one black upright housing."""
    return [
        count("black", 1),
        aspect("black", hi=0.7),
        count(lit, 1),
        shape(lit, "circle"),
        relation(lit, "inside", "black"),
    ]


def rainbow_facts() -> list[Fact]:
    """The rainbow's order, as stripes and as discs."""
    order = "red, orange, yellow, green, blue, indigo and violet"
    stripes = [rect(c, 0, k / 7, 1, (k + 1) / 7) for k, c in enumerate(RAINBOW)]
    discs = [disc(c, (k + 0.5) / 7, 0.5, 0.06) for k, c in enumerate(RAINBOW)]
    first = RAINBOW[:5]
    above = [relation(a, "above", b) for a, b in itertools.pairwise(first)]
    left = [relation(a, "left_of", b) for a, b in itertools.pairwise(first)]
    return [
        _fact(
            "rainbow-stripes",
            "rainbow",
            "Colours of the rainbow",
            "the colours of the rainbow as seven "
            "equal horizontal stripes, in the bow's order from its outer edge at the top",
            f"The rainbow's seven colours, from the outer edge of the bow inward, are {order} "
            "(remembered as ROYGBIV).",
            ("ROYGBIV", "rainbow colours", "spectrum order"),
            "red",
            stripes,
            # a seventh of the canvas each (a sixth is the pride flag's: told apart at the midpoint)
            [
                *(count(c, 1) for c in first[:4]),
                *above,
                position("red", "top-row"),
                *(size(c, 0.11, 0.155) for c in first[:4]),
            ],
            "fill",
        ),
        _fact(
            "rainbow-discs",
            "rainbow",
            "Rainbow colours in a row",
            "the colours of the rainbow as seven discs in "
            "a row, left to right in the bow's order from its outer edge",
            f"Counted from the outer edge of a rainbow, its colours are {order}; drawn in a row left to "
            f"right, "
            "red comes first and violet last.",
            ("rainbow order", "colours of the spectrum in order"),
            "white",
            discs,
            [*(count(c, 1) for c in first[:4]), *left],
            "white",
        ),
    ]


def planet_facts() -> list[Fact]:
    """Planets and the Moon by colour, on black space."""
    earth = [
        disc("blue", 0.5, 0.5, 0.33),
        poly("green", [(0.36, 0.3), (0.5, 0.26), (0.55, 0.4), (0.45, 0.52), (0.35, 0.45)]),
        poly("green", [(0.58, 0.55), (0.7, 0.5), (0.72, 0.66), (0.6, 0.72)]),
    ]
    inner = [disc(c, (k + 0.5) / 4, 0.5, 0.08) for k, c in enumerate(("grey", "cream", "blue", "red"))]
    one = [
        ("mars", "Mars", "Mars, the red planet, looks like a rust-red disc.", "red", ("red planet",)),
        ("neptune", "Neptune", "Neptune looks like a deep blue disc.", "blue", ("eighth planet",)),
        (
            "moon",
            "the full Moon",
            "The full Moon looks like a pale grey disc with darker grey patches (the maria).",
            "grey",
            ("full moon", "Earth's moon"),
        ),
    ]
    # a disc of one colour and nothing else: not the Earth, not the inner planets' row
    alone = {"neptune": [count("blue", 1), shape("blue", "circle"), only(["blue"], "black", loose=["blue"])]}
    out = [
        _fact(
            f"planet-{key}",
            "planet",
            title[0].upper() + title[1:],
            f"{title} as a disc in space",
            text,
            aliases,
            "black",
            [disc(c, 0.5, 0.5, 0.33)],
            [colour(c), position(c, "centre"), *alone.get(key, [])],
            "black",
        )
        for key, title, text, c, aliases in one
    ]
    out += [
        _fact(
            "planet-earth",
            "planet",
            "Earth",
            "the Earth as a disc in space",
            "Seen from space the Earth is a blue disc (its oceans) with green and brown land and white "
            "clouds.",
            ("blue planet", "planet Earth"),
            "black",
            earth,
            [colour("blue"), colour("green"), position("blue", "centre")],
            "black",
        ),
        _fact(
            "planet-inner-order",
            "planet",
            "Inner planets in order",
            "the four inner planets as discs in a row, left to right in their order from the Sun",
            "The four inner planets, from the Sun outward, are Mercury (grey), Venus (pale yellow-white), "
            "Earth (blue) and Mars (red).",
            ("terrestrial planets order", "Mercury Venus Earth Mars"),
            "black",
            inner,
            [
                colour("grey"),
                colour("blue"),
                colour("red"),
                relation("grey", "left_of", "blue"),
                relation("blue", "left_of", "red"),
            ],
            "black",
        ),
    ]
    return out


def facts() -> list[Fact]:
    """Every fact of these families."""
    return [
        *symbol_facts(),
        *suit_facts(),
        *game_facts(),
        *traffic_light_facts(),
        *rainbow_facts(),
        *planet_facts(),
    ]
