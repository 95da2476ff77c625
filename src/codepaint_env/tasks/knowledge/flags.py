"""The ``flag`` family: national flags (and two others), each drawn filling the whole square canvas.

A flag's card says what a person would: its colours, their order and orientation, and its emblem.
The reference scene draws the flag stretched to the square canvas the prompt asks to fill. Striped
flags are built by :func:`banded`, which writes the checks stripes imply (how many regions of each
colour, their order, where each lies, that they are stripes, that equal bands are equal, the mirror
symmetry); the others by hand. Every flag's checks end with :func:`~.fact.only` its colours. The
module is long because it is a table of facts (data).
A scene's ``navy`` is checked as the card's dark blue (:data:`~.fact.DARK_BLUE`). A colour whose
usual shade falls between colour terms is *loose* (Lithuania's golden yellow, ``yellow`` or
``orange`` to the checker; Thailand's grey-navy): the card names it, no check but ``only`` does.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from codepaint_env.tasks.knowledge.draw import bar, disc, poly, rect, star, triangle
from codepaint_env.tasks.knowledge.fact import (
    Fact,
    aspect,
    background,
    checked,
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

#: Colours no check names unless a fact says otherwise (see the module docstring): none.
LOOSE: frozenset[str] = frozenset()
_WORDS = {"navy": "dark blue", "grey": "grey", "cream": "cream"}
_ROWS = (("top-row", 0.0, 1 / 3), ("middle-row", 1 / 3, 2 / 3), ("bottom-row", 2 / 3, 1.0))
PRIDE = ("red", "orange", "yellow", "green", "blue", "purple")
_COLUMNS = (("left-column", 0.0, 1 / 3), ("centre-column", 1 / 3, 2 / 3), ("right-column", 2 / 3, 1.0))


def word(c: str) -> str:
    """A colour as a card writes it."""
    return _WORDS.get(c, c)


def listing(colours: Sequence[str]) -> str:
    """``"green, white and red"``."""
    words = [word(c) for c in colours]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def bands(colours: Sequence[str], *, vertical: bool, ratios: Sequence[float] | None = None) -> list[Shape]:
    """Stripes across the whole canvas (left to right when ``vertical``, else top to bottom)."""
    weights = list(ratios or [1.0] * len(colours))
    total, edge, out = sum(weights), 0.0, []
    for c, w in zip(colours, weights, strict=True):
        lo, hi = edge / total, (edge + w) / total
        out.append(rect(c, lo, 0.0, hi, 1.0) if vertical else rect(c, 0.0, lo, 1.0, hi))
        edge += w
    return out


def band_checks(
    colours: Sequence[str],
    *,
    vertical: bool,
    ratios: Sequence[float] | None = None,
    loose: frozenset[str] = LOOSE,
    symmetric: bool = True,
) -> list[dict[str, Any]]:
    """The checks stripes imply (see the module docstring); ``symmetric``: no emblem breaks the mirror."""
    weights = list(ratios or [1.0] * len(colours))
    total = sum(weights)
    centres, edge = [], 0.0
    for w in weights:
        centres.append((edge + w / 2) / total)
        edge += w
    checks: list[dict[str, Any]] = []
    firm = [c for c in dict.fromkeys(colours) if c not in loose]
    for c in firm:
        checks.append(count(checked(c), colours.count(c)))
        checks.append(aspect(checked(c), hi=0.75) if vertical else aspect(checked(c), lo=1.33))
        shares = {w / total for k, w in zip(colours, weights, strict=True) if k == c}
        if len(shares) == 1:  # every band of the colour is that share of the flag (to a fifth)
            share = shares.pop()
            checks.append(size(checked(c), round(0.8 * share, 4), round(1.2 * share, 4)))
    once = [
        (checked(c), x) for c, x in zip(colours, centres, strict=True) if c in firm and colours.count(c) == 1
    ]
    rel = "left_of" if vertical else "above"
    for (a, xa), (b, xb) in itertools.pairwise(once):
        if xb - xa >= 0.2:
            checks.append(relation(a, rel, b))
    for c, x in once:
        for area, lo, hi in _COLUMNS if vertical else _ROWS:
            if lo + 0.04 <= x <= hi - 0.04:
                checks.append(position(c, area))
    if symmetric:
        checks.append(symmetry("horizontal" if vertical else "vertical"))
        if list(colours) == list(reversed(colours)) and weights == list(reversed(weights)):
            checks.append(symmetry("vertical" if vertical else "horizontal"))
    return checks


def banded(
    key: str,
    country: str,
    colours: Sequence[str],
    *,
    vertical: bool,
    aliases: Sequence[str],
    ratios: Sequence[float] | None = None,
    note: str = "",
    loose: frozenset[str] = LOOSE,
    emblem: Sequence[Shape] = (),
    checks: Sequence[dict[str, Any]] = (),
    symmetric: bool | None = None,
    auto: bool = True,
    allow_text: bool = False,
) -> Fact:
    """A striped flag: its card text, scene and checks (``auto``: the stripes' own checks too)."""
    n = len(colours)
    kind = {2: "bicolour", 3: "tricolour"}.get(n, f"flag of {n} stripes")
    way = "vertical" if vertical else "horizontal"
    order = "from the hoist (left) to the fly" if vertical else "from top to bottom"
    sizes = (
        " in equal bands"
        if ratios is None or len(set(ratios)) == 1
        else (" of unequal widths (" + ":".join(f"{r:g}" for r in ratios) + ")")
    )
    text = f"The flag of {country} is a {way} {kind}{sizes} of {listing(colours)}, {order}."
    if note:
        text += " " + note
    own = list(checks)
    if auto:
        own = (
            band_checks(
                colours,
                vertical=vertical,
                ratios=ratios,
                loose=loose,
                symmetric=not emblem if symmetric is None else symmetric,
            )
            + own
        )
    own.append(only([*colours, *(e.colour for e in emblem)], loose=loose))
    return Fact(
        id=f"flag-{key}",
        title=f"Flag of {country}",
        name=f"the flag of {country}",
        aliases=tuple(aliases),
        family="flag",
        text=text,
        background=colours[0],
        shapes=(*bands(colours, vertical=vertical, ratios=ratios), *emblem),
        checks=tuple(own),
        allow_text=allow_text,
    )


def flag(
    key: str,
    country: str,
    text: str,
    field: str,
    shapes: Sequence[Shape],
    checks: Sequence[dict[str, Any]],
    aliases: Sequence[str],
    *,
    title: str | None = None,
    name: str | None = None,
    allow_text: bool = False,
) -> Fact:
    """A flag drawn by hand: its field colour, shapes and checks (and that it holds no other colour)."""
    return Fact(
        id=f"flag-{key}",
        title=title or f"Flag of {country}",
        name=name or f"the flag of {country}",
        aliases=tuple(aliases),
        family="flag",
        text=text,
        background=field,
        shapes=tuple(shapes),
        checks=(*checks, only(s.colour for s in shapes)),
        allow_text=allow_text,
    )


def nordic(
    field: str, cross: str, border: str | None, x: tuple[float, ...], y: tuple[float, ...]
) -> list[Shape]:
    """A Nordic cross: ``x`` and ``y`` are the stripes' widths (field, [border,] cross, [border,] field)."""

    def edges(parts: tuple[float, ...]) -> list[float]:
        total, out, acc = sum(parts), [0.0], 0.0
        for p in parts:
            acc += p
            out.append(acc / total)
        return out

    ex, ey = edges(x), edges(y)
    shapes = [rect(field, 0, 0, 1, 1)]
    if border is None:
        shapes += [rect(cross, ex[1], 0, ex[2], 1), rect(cross, 0, ey[1], 1, ey[2])]
    else:
        shapes += [
            rect(border, ex[1], 0, ex[4], 1),
            rect(border, 0, ey[1], 1, ey[4]),
            rect(cross, ex[2], 0, ex[3], 1),
            rect(cross, 0, ey[2], 1, ey[3]),
        ]
    return shapes


def _maple_leaf(c: str, x: float, y: float, s: float) -> Shape:
    right = [
        (0.0, -0.5),
        (0.08, -0.33),
        (0.19, -0.38),
        (0.16, -0.14),
        (0.33, -0.27),
        (0.3, -0.15),
        (0.45, -0.13),
        (0.38, -0.02),
        (0.43, 0.05),
        (0.2, 0.16),
        (0.23, 0.26),
        (0.03, 0.21),
        (0.03, 0.46),
    ]
    left = [(-px, py) for px, py in reversed(right[1:])]
    return poly(c, [(x + s * px, y + s * py) for px, py in right + left])


def _seven_point_star(c: str, x: float, y: float, r: float) -> Shape:
    pts = [
        (
            x + (r if k % 2 == 0 else 0.5 * r) * math.sin(k * math.pi / 7),
            y - (r if k % 2 == 0 else 0.5 * r) * math.cos(k * math.pi / 7),
        )
        for k in range(14)
    ]
    return poly(c, pts)


def _us_stars() -> list[Shape]:
    height = 7 / 13
    out = []
    for row in range(9):
        cy = height * (row + 1) / 10
        columns = (
            [(2 * j + 1) / 12 for j in range(6)] if row % 2 == 0 else [(2 * j + 2) / 12 for j in range(5)]
        )
        out += [star("white", 0.4 * cx, cy, 0.018) for cx in columns]
    return out


def striped_facts() -> list[Fact]:
    """The striped flags."""
    v, h = True, False
    return [
        banded(
            "france",
            "France",
            ["navy", "white", "red"],
            vertical=v,
            aliases=["French flag", "Tricolore", "drapeau français"],
            note="Its blue is a dark or medium blue; the bands are of equal width.",
        ),
        banded(
            "italy", "Italy", ["green", "white", "red"], vertical=v, aliases=["Italian flag", "Il Tricolore"]
        ),
        banded(
            "ireland",
            "Ireland",
            ["green", "white", "orange"],
            vertical=v,
            aliases=["Irish flag", "Irish tricolour"],
        ),
        banded(
            "belgium",
            "Belgium",
            ["black", "yellow", "red"],
            vertical=v,
            aliases=["Belgian flag"],
            note="Its yellow is a golden yellow.",
        ),
        banded("mali", "Mali", ["green", "yellow", "red"], vertical=v, aliases=["Malian flag"]),
        banded(
            "guinea",
            "Guinea",
            ["red", "yellow", "green"],
            vertical=v,
            aliases=["Guinean flag"],
            note="It is Mali's flag with the red and green swapped.",
        ),
        banded(
            "ivory-coast",
            "Côte d'Ivoire",
            ["orange", "white", "green"],
            vertical=v,
            aliases=["Ivory Coast flag", "Ivorian flag"],
            note="It is Ireland's flag reversed.",
        ),
        banded("nigeria", "Nigeria", ["green", "white", "green"], vertical=v, aliases=["Nigerian flag"]),
        banded(
            "peru",
            "Peru",
            ["red", "white", "red"],
            vertical=v,
            aliases=["Peruvian flag"],
            note="The civil flag has no coat of arms.",
        ),
        banded(
            "romania",
            "Romania",
            ["navy", "yellow", "red"],
            vertical=v,
            aliases=["Romanian flag"],
            note="Its blue is a dark cobalt blue.",
        ),
        banded(
            "canada",
            "Canada",
            ["red", "white", "red"],
            vertical=v,
            ratios=[1, 2, 1],
            aliases=["Canadian flag", "Maple Leaf flag"],
            emblem=[_maple_leaf("red", 0.5, 0.5, 0.4)],
            note="The white middle band is a square holding a red eleven-pointed maple leaf.",
            auto=False,
            checks=[count("red", 3), count("white", 1), position("white", "centre-column")],
        ),
        banded(
            "germany",
            "Germany",
            ["black", "red", "yellow"],
            vertical=h,
            aliases=["German flag"],
            note="The last band is gold, a golden yellow.",
        ),
        banded(
            "netherlands",
            "the Netherlands",
            ["red", "white", "navy"],
            vertical=h,
            aliases=["Dutch flag", "flag of Holland"],
            note="Its blue is a dark cobalt blue.",
        ),
        banded(
            "russia",
            "Russia",
            ["white", "navy", "red"],
            vertical=h,
            aliases=["Russian flag"],
            note="Its blue is a dark blue.",
        ),
        banded("austria", "Austria", ["red", "white", "red"], vertical=h, aliases=["Austrian flag"]),
        banded("hungary", "Hungary", ["red", "white", "green"], vertical=h, aliases=["Hungarian flag"]),
        banded("bulgaria", "Bulgaria", ["white", "green", "red"], vertical=h, aliases=["Bulgarian flag"]),
        banded(
            "lithuania",
            "Lithuania",
            ["yellow", "green", "red"],
            vertical=h,
            aliases=["Lithuanian flag"],
            loose=frozenset({"yellow"}),
            note="Its yellow is a deep golden yellow.",
        ),
        banded(
            "estonia",
            "Estonia",
            ["blue", "black", "white"],
            vertical=h,
            aliases=["Estonian flag"],
            note="Its blue is a medium sky blue.",
        ),
        banded(
            "armenia",
            "Armenia",
            ["red", "navy", "orange"],
            vertical=h,
            aliases=["Armenian flag"],
            note="Its blue is a dark blue and its orange an apricot.",
        ),
        banded("yemen", "Yemen", ["red", "white", "black"], vertical=h, aliases=["Yemeni flag"]),
        banded(
            "sierra-leone",
            "Sierra Leone",
            ["green", "white", "blue"],
            vertical=h,
            aliases=["Sierra Leonean flag"],
            note="Its blue is a light blue.",
        ),
        banded("gabon", "Gabon", ["green", "yellow", "blue"], vertical=h, aliases=["Gabonese flag"]),
        banded(
            "colombia",
            "Colombia",
            ["yellow", "navy", "red"],
            vertical=h,
            ratios=[2, 1, 1],
            aliases=["Colombian flag"],
            note="The yellow band takes the top half; its blue is dark.",
        ),
        banded(
            "bolivia",
            "Bolivia",
            ["red", "yellow", "green"],
            vertical=h,
            aliases=["Bolivian flag"],
            note="The civil flag has no coat of arms.",
        ),
        banded(
            "ukraine",
            "Ukraine",
            ["blue", "yellow"],
            vertical=h,
            aliases=["Ukrainian flag"],
            note="The two bands are of equal height.",
        ),
        banded("poland", "Poland", ["white", "red"], vertical=h, aliases=["Polish flag"]),
        banded(
            "indonesia",
            "Indonesia",
            ["red", "white"],
            vertical=h,
            aliases=["Indonesian flag", "Sang Merah Putih"],
            note="Monaco's flag looks the same.",
        ),
        banded(
            "mauritius",
            "Mauritius",
            ["red", "navy", "yellow", "green"],
            vertical=h,
            aliases=["Mauritian flag"],
            note="Four equal horizontal bands; its blue is dark.",
        ),
        banded(
            "thailand",
            "Thailand",
            ["red", "white", "navy", "white", "red"],
            vertical=h,
            ratios=[1, 1, 2, 1, 1],
            aliases=["Thai flag", "Trairanga"],
            loose=frozenset({"navy"}),
            note="The dark blue middle band is twice as tall as each of the others.",
        ),
        flag(
            "pride",
            "the rainbow pride movement",
            "The rainbow pride flag has six equal horizontal stripes, from "
            "top to bottom red, orange, yellow, green, blue and purple (the 1979 design).",
            "red",
            bands(PRIDE, vertical=h),
            band_checks(PRIDE, vertical=h),
            ["rainbow flag", "LGBT pride flag", "gay pride flag"],
            title="Rainbow pride flag",
            name="the rainbow pride flag",
        ),
    ]


def emblem_facts() -> list[Fact]:
    """Striped flags with an emblem, and fields with one."""
    h = False
    return [
        banded(
            "myanmar",
            "Myanmar",
            ["yellow", "green", "red"],
            vertical=h,
            aliases=["Burmese flag", "flag of Burma"],
            emblem=[star("white", 0.5, 0.53, 0.36)],
            note="A large white five-pointed star sits in the centre, across all three bands.",
            auto=False,
            checks=[
                count("white", 1),
                shape("white", "star"),
                position("white", "centre"),
                relation("yellow", "above", "red"),
                count("yellow", 1),
                count("red", 1),
            ],
        ),
        banded(
            "ghana",
            "Ghana",
            ["red", "yellow", "green"],
            vertical=h,
            aliases=["Ghanaian flag"],
            emblem=[star("black", 0.5, 0.51, 0.15)],
            note="A black five-pointed star sits in the centre of the yellow band.",
            auto=False,
            checks=[
                relation("black", "inside", "yellow"),
                shape("black", "star"),
                position("black", "centre"),
                relation("red", "above", "green"),
                count("red", 1),
                count("green", 1),
            ],
        ),
        banded(
            "burkina-faso",
            "Burkina Faso",
            ["red", "green"],
            vertical=h,
            aliases=["Burkinabe flag"],
            emblem=[star("yellow", 0.5, 0.51, 0.17)],
            note="A yellow five-pointed star sits in the centre, across both bands.",
            auto=False,
            checks=[
                relation("red", "above", "green"),
                count("yellow", 1),
                shape("yellow", "star"),
                position("yellow", "centre"),
            ],
        ),
        banded(
            "laos",
            "Laos",
            ["red", "navy", "red"],
            vertical=h,
            ratios=[1, 2, 1],
            aliases=["Lao flag"],
            emblem=[disc("white", 0.5, 0.5, 0.2)],
            note="The dark blue middle band is twice as tall as each red one and holds a white disc "
            "in the centre.",
            auto=False,
            checks=[
                count("red", 2),
                count("white", 1),
                shape("white", "circle"),
                position("white", "centre"),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
        ),
        banded(
            "cameroon",
            "Cameroon",
            ["green", "red", "yellow"],
            vertical=True,
            aliases=["Cameroonian flag"],
            emblem=[star("yellow", 0.5, 0.51, 0.12)],
            note="A yellow five-pointed star sits in the centre of the red band.",
            auto=False,
            checks=[
                count("yellow", 2),
                count("green", 1),
                count("red", 1),
                relation("green", "left_of", "red"),
                position("red", "centre-column"),
            ],
        ),
        banded(
            "uae",
            "the United Arab Emirates",
            ["green", "white", "black"],
            vertical=h,
            aliases=["UAE flag", "Emirati flag"],
            emblem=[rect("red", 0, 0, 0.25, 1)],
            note="A vertical red bar runs down the hoist side, a quarter of the flag's length.",
            auto=False,
            checks=[
                count("red", 1),
                count("green", 1),
                count("white", 1),
                count("black", 1),
                position("red", "left-column"),
                relation("green", "above", "white"),
                relation("white", "above", "black"),
                relation("red", "left_of", "white"),
                aspect("red", hi=0.5),
            ],
        ),
        banded(
            "palestine",
            "Palestine",
            ["black", "white", "green"],
            vertical=h,
            aliases=["Palestinian flag"],
            emblem=[triangle("red", (0, 0), (1 / 3, 0.5), (0, 1))],
            note="A red triangle points in from the hoist.",
            auto=False,
            checks=[
                count("black", 1),
                count("white", 1),
                count("green", 1),
                count("red", 1),
                relation("black", "above", "white"),
                relation("white", "above", "green"),
                position("red", "left"),
                relation("red", "left_of", "white"),
            ],
        ),
        banded(
            "sudan",
            "Sudan",
            ["red", "white", "black"],
            vertical=h,
            aliases=["Sudanese flag"],
            emblem=[triangle("green", (0, 0), (1 / 3, 0.5), (0, 1))],
            note="A green triangle points in from the hoist.",
            auto=False,
            checks=[
                count("red", 1),
                count("white", 1),
                count("black", 1),
                count("green", 1),
                relation("red", "above", "white"),
                relation("white", "above", "black"),
                position("green", "left"),
            ],
        ),
        banded(
            "kuwait",
            "Kuwait",
            ["green", "white", "red"],
            vertical=h,
            aliases=["Kuwaiti flag"],
            emblem=[poly("black", [(0, 0), (0.25, 1 / 3), (0.25, 2 / 3), (0, 1)])],
            note="A black trapezium stands at the hoist, its short side toward the fly.",
            auto=False,
            checks=[
                count("green", 1),
                count("white", 1),
                count("red", 1),
                count("black", 1),
                relation("green", "above", "red"),
                position("black", "left"),
                relation("black", "left_of", "white"),
            ],
        ),
        banded(
            "jordan",
            "Jordan",
            ["black", "white", "green"],
            vertical=h,
            aliases=["Jordanian flag"],
            emblem=[triangle("red", (0, 0), (0.5, 0.5), (0, 1)), _seven_point_star("white", 0.17, 0.5, 0.07)],
            note="A red triangle points in from the hoist, reaching half the length, with a small white "
            "seven-pointed star in it.",
            auto=False,
            checks=[
                count("black", 1),
                count("green", 1),
                count("white", 2),
                count("red", 1),
                relation("black", "above", "green"),
                position("red", "left"),
            ],
        ),
        banded(
            "benin",
            "Benin",
            ["yellow", "red"],
            vertical=h,
            aliases=["Beninese flag"],
            emblem=[rect("green", 0, 0, 0.4, 1)],
            note="A vertical green band runs down the hoist side (two fifths of the length); the yellow "
            "and red bands fill the rest.",
            auto=False,
            checks=[
                count("green", 1),
                count("yellow", 1),
                count("red", 1),
                position("green", "left-column"),
                relation("yellow", "above", "red"),
                relation("green", "left_of", "yellow"),
                aspect("green", hi=0.6),
            ],
        ),
        banded(
            "madagascar",
            "Madagascar",
            ["red", "green"],
            vertical=h,
            aliases=["Malagasy flag"],
            emblem=[rect("white", 0, 0, 1 / 3, 1)],
            note="A vertical white band runs down the hoist side (a third of the length); the red and "
            "green bands fill the rest.",
            auto=False,
            checks=[
                count("white", 1),
                count("red", 1),
                count("green", 1),
                position("white", "left-column"),
                relation("red", "above", "green"),
                relation("white", "left_of", "red"),
            ],
        ),
    ]


def field_facts() -> list[Fact]:
    """Flags with a field and a cross, a disc, stars or triangles."""
    sweden = nordic("blue", "yellow", None, (5, 2, 9), (4, 2, 4))
    denmark = nordic("red", "white", None, (12, 4, 21), (12, 4, 12))
    norway = nordic("red", "navy", "white", (6, 1, 2, 1, 12), (6, 1, 2, 1, 6))
    finland = nordic("white", "navy", None, (5, 3, 10), (4, 3, 4))
    iceland = nordic("blue", "red", "white", (7, 1, 2, 1, 14), (7, 1, 2, 1, 7))
    nordic_note = "the vertical arm of the cross is shifted toward the hoist (left) side"
    china = [
        rect("red", 0, 0, 1, 1),
        star("yellow", 0.167, 0.25, 0.15),
        *(
            star("yellow", x, y, 0.05, angle=a)
            for x, y, a in ((0.333, 0.1, 31), (0.4, 0.2, 8), (0.4, 0.35, -16), (0.333, 0.45, -38))
        ),
    ]
    eu = [rect("navy", 0, 0, 1, 1)]
    eu += [
        star(
            "yellow",
            0.5 + (1 / 3) * math.sin(k * math.pi / 6),
            0.5 - (1 / 3) * math.cos(k * math.pi / 6),
            0.055,
        )
        for k in range(12)
    ]
    uk = [
        rect("navy", 0, 0, 1, 1),
        bar("white", 0.5, 0.5, 1.5, 0.2, 45),
        bar("white", 0.5, 0.5, 1.5, 0.2, -45),
        bar("red", 0.5, 0.5, 1.5, 0.067, 45),
        bar("red", 0.5, 0.5, 1.5, 0.067, -45),
        rect("white", 0, 1 / 3, 1, 2 / 3),
        rect("white", 1 / 3, 0, 2 / 3, 1),
        rect("red", 0, 0.4, 1, 0.6),
        rect("red", 0.4, 0, 0.6, 1),
    ]
    us = [
        rect("white", 0, 0, 1, 1),
        *(rect("red", 0, k / 13, 1, (k + 1) / 13) for k in range(0, 13, 2)),
        rect("navy", 0, 0, 0.4, 7 / 13),
        *_us_stars(),
    ]
    return [
        flag(
            "sweden",
            "Sweden",
            f"The flag of Sweden is blue with a yellow Nordic cross that reaches the edges; {nordic_note}.",
            "blue",
            sweden,
            [background("blue"), count("blue", 4), count("yellow", 1), symmetry("horizontal")],
            ["Swedish flag", "Sveriges flagga"],
        ),
        flag(
            "denmark",
            "Denmark",
            "The flag of Denmark (the Dannebrog) is red with a white Nordic cross that "
            f"reaches the edges; {nordic_note}.",
            "red",
            denmark,
            [background("red"), count("red", 4), count("white", 1), symmetry("horizontal")],
            ["Danish flag", "Dannebrog"],
        ),
        flag(
            "norway",
            "Norway",
            "The flag of Norway is red with a dark blue Nordic cross edged in white, reaching "
            f"the edges; {nordic_note}.",
            "red",
            norway,
            [
                background("red"),
                count("red", 4),
                count("white", 4),  # the white edging, cut in four by the blue cross
                count(checked("navy"), 1),
                symmetry("horizontal"),
            ],
            ["Norwegian flag"],
        ),
        flag(
            "finland",
            "Finland",
            "The flag of Finland is white with a dark blue Nordic cross that reaches the "
            f"edges; {nordic_note}.",
            "white",
            finland,
            [background("white"), count("white", 4), symmetry("horizontal")],
            ["Finnish flag", "Siniristilippu"],
        ),
        flag(
            "iceland",
            "Iceland",
            "The flag of Iceland is blue with a red Nordic cross edged in white, reaching "
            f"the edges; {nordic_note}.",
            "blue",
            iceland,
            [
                background("blue"),
                count("blue", 4),
                count("red", 1),
                count("white", 4),
                symmetry("horizontal"),
            ],
            ["Icelandic flag"],
        ),
        flag(
            "switzerland",
            "Switzerland",
            "The flag of Switzerland is square and red, with a white cross of "
            "equal arms in the centre that does not touch the edges.",
            "red",
            [
                rect("red", 0, 0, 1, 1),
                bar("white", 0.5, 0.5, 0.625, 0.1875),
                bar("white", 0.5, 0.5, 0.1875, 0.625),
            ],
            [
                background("red"),
                count("white", 1),
                position("white", "centre"),
                not_cut("white"),
                relation("white", "inside", "red"),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
            ["Swiss flag"],
        ),
        flag(
            "england",
            "England",
            "The flag of England (St George's Cross) is white with a red upright cross "
            "through the centre, reaching all four edges.",
            "white",
            [rect("white", 0, 0, 1, 1), rect("red", 0.4, 0, 0.6, 1), rect("red", 0, 0.4, 1, 0.6)],
            [
                background("white"),
                count("white", 4),
                count("red", 1),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
            ["English flag", "St George's Cross", "Saint George's cross"],
        ),
        flag(
            "scotland",
            "Scotland",
            "The flag of Scotland (the Saltire, or St Andrew's Cross) is blue with a "
            "white diagonal cross from corner to corner.",
            "blue",
            [
                rect("blue", 0, 0, 1, 1),
                bar("white", 0.5, 0.5, 1.5, 0.2, 45),
                bar("white", 0.5, 0.5, 1.5, 0.2, -45),
            ],
            [
                background("blue"),
                count("blue", 4),
                count("white", 1),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
            ["Scottish flag", "Saltire", "St Andrew's Cross"],
        ),
        flag(
            "jamaica",
            "Jamaica",
            "The flag of Jamaica has a yellow diagonal cross (saltire) dividing it into four "
            "triangles: green at the top and bottom, black at the hoist and fly.",
            "green",
            [
                rect("green", 0, 0, 1, 1),
                triangle("black", (0, 0), (0.5, 0.5), (0, 1)),
                triangle("black", (1, 0), (0.5, 0.5), (1, 1)),
                bar("yellow", 0.5, 0.5, 1.5, 0.14, 45),
                bar("yellow", 0.5, 0.5, 1.5, 0.14, -45),
            ],
            [
                count("green", 2),
                count("black", 2),
                count("yellow", 1),
                aspect("green", lo=1.5),
                aspect("black", hi=0.67),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
            ["Jamaican flag"],
        ),
        flag(
            "japan",
            "Japan",
            "The flag of Japan (Hinomaru) is white with a red disc in the centre.",
            "white",
            [rect("white", 0, 0, 1, 1), disc("red", 0.5, 0.5, 0.3)],
            [
                background("white"),
                count("white", 1),
                count("red", 1),
                shape("red", "circle"),
                position("red", "centre"),
                not_cut("red"),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
            ["Japanese flag", "Hinomaru"],
        ),
        flag(
            "bangladesh",
            "Bangladesh",
            "The flag of Bangladesh is dark green with a red disc set slightly "
            "toward the hoist from the centre.",
            "green",
            [rect("green", 0, 0, 1, 1), disc("red", 0.45, 0.5, 0.3)],
            [
                background("green"),
                count("red", 1),
                shape("red", "circle"),
                position("red", "centre"),
                not_cut("red"),
                symmetry("horizontal"),
            ],
            ["Bangladeshi flag"],
        ),
        flag(
            "vietnam",
            "Vietnam",
            "The flag of Vietnam is red with a large yellow five-pointed star in the centre.",
            "red",
            [rect("red", 0, 0, 1, 1), star("yellow", 0.5, 0.52, 0.3)],
            [
                background("red", 0.75),  # the red field reaches every edge
                count("yellow", 1),
                shape("yellow", "star"),
                position("yellow", "centre"),
                not_cut("yellow"),
                symmetry("vertical"),
            ],
            ["Vietnamese flag"],
        ),
        flag(
            "somalia",
            "Somalia",
            "The flag of Somalia is light blue with a white five-pointed star in the centre.",
            "blue",
            [rect("blue", 0, 0, 1, 1), star("white", 0.5, 0.52, 0.25)],
            [
                background("blue"),
                count("white", 1),
                shape("white", "star"),
                position("white", "centre"),
                not_cut("white"),
                symmetry("vertical"),
            ],
            ["Somali flag"],
        ),
        flag(
            "china",
            "China",
            "The flag of China is red with five yellow five-pointed stars in the upper hoist "
            "corner: one large star and an arc of four small ones to its right.",
            "red",
            china,
            [
                background("red"),
                count("yellow", 5),
                position("yellow", "left-half"),
                position("yellow", "top-half"),
            ],
            ["Chinese flag", "Five-star Red Flag"],
        ),
        flag(
            "turkey",
            "Turkey",
            "The flag of Turkey is red with a white crescent toward the hoist, opening toward "
            "the fly, and a white five-pointed star beside it.",
            "red",
            [
                rect("red", 0, 0, 1, 1),
                disc("white", 0.33, 0.5, 0.25),
                disc("red", 0.39, 0.5, 0.2),
                star("white", 0.64, 0.5, 0.12, angle=-90),
            ],
            [background("red"), count("white", 2), symmetry("horizontal")],
            ["Turkish flag", "Türk bayrağı"],
        ),
        flag(
            "czechia",
            "the Czech Republic",
            "The flag of the Czech Republic has a white band over a red band, "
            "with a blue triangle pointing in from the hoist to the centre.",
            "white",
            [
                rect("white", 0, 0, 1, 0.5),
                rect("red", 0, 0.5, 1, 1),
                triangle("blue", (0, 0), (0.5, 0.5), (0, 1)),
            ],
            [
                count("white", 1),
                count("red", 1),
                count("blue", 1),
                relation("white", "above", "red"),
                position("blue", "left"),
                relation("blue", "left_of", "white"),
                aspect("blue", hi=0.7),
            ],
            ["Czech flag", "flag of Czechia"],
        ),
        flag(
            "philippines",
            "the Philippines",
            "The flag of the Philippines has a dark blue band over a red band, "
            "with a white equilateral triangle at the hoist holding a yellow sun and three yellow stars.",
            "navy",
            [
                rect("navy", 0, 0, 1, 0.5),
                rect("red", 0, 0.5, 1, 1),
                triangle("white", (0, 0), (0.433, 0.5), (0, 1)),
                disc("yellow", 0.15, 0.5, 0.06),
                star("yellow", 0.06, 0.12, 0.03),
                star("yellow", 0.06, 0.88, 0.03),
                star("yellow", 0.36, 0.5, 0.03),
            ],
            [
                count("white", 1),
                position("white", "left"),
                relation("white", "left_of", "red"),
                colour("yellow"),
                position("red", "bottom-half"),
            ],
            ["Philippine flag", "Filipino flag"],
        ),
        flag(
            "cuba",
            "Cuba",
            "The flag of Cuba has five horizontal stripes, dark blue and white in turn (blue at "
            "the top and bottom), and a red equilateral triangle at the hoist holding a white star.",
            "navy",
            [
                *bands(["navy", "white", "navy", "white", "navy"], vertical=False),
                triangle("red", (0, 0), (0.433, 0.5), (0, 1)),
                star("white", 0.15, 0.51, 0.09),
            ],
            [
                count("red", 1),
                position("red", "left"),
                count("white", 3),
                relation("red", "left_of", "white"),
            ],
            ["Cuban flag"],
        ),
        flag(
            "chile",
            "Chile",
            "The flag of Chile has a white band over a red band; a dark blue square in the "
            "upper hoist corner holds a white five-pointed star.",
            "white",
            [
                rect("white", 0, 0, 1, 0.5),
                rect("red", 0, 0.5, 1, 1),
                rect("navy", 0, 0, 1 / 3, 0.5),
                star("white", 1 / 6, 0.26, 0.1),
            ],
            [
                count("red", 1),
                position("red", "bottom-half"),
                relation("white", "above", "red"),
                count("white", 2),
            ],
            ["Chilean flag"],
        ),
        flag(
            "panama",
            "Panama",
            "The flag of Panama is quartered: a white quarter with a blue star at the upper "
            "hoist, red at the upper fly, blue at the lower hoist and a white quarter with a red star at the "
            "lower fly.",
            "white",
            [
                rect("white", 0, 0, 1, 1),
                rect("red", 0.5, 0, 1, 0.5),
                rect("blue", 0, 0.5, 0.5, 1),
                star("blue", 0.25, 0.26, 0.12),
                star("red", 0.75, 0.76, 0.12),
            ],
            [count("red", 2), count("blue", 2), colour("white")],
            ["Panamanian flag"],
        ),
        flag(
            "tanzania",
            "Tanzania",
            "The flag of Tanzania is divided by a black diagonal band edged in yellow, "
            "running from the lower hoist to the upper fly corner: green above it, light blue below.",
            "green",
            [
                rect("green", 0, 0, 1, 1),
                triangle("blue", (1, 0), (1, 1), (0, 1)),
                bar("yellow", 0.5, 0.5, 1.5, 0.3, -45),
                bar("black", 0.5, 0.5, 1.5, 0.2, -45),
            ],
            [
                count("green", 1),
                count("blue", 1),
                count("black", 1),
                count("yellow", 2),
                relation("green", "above", "blue"),
                relation("green", "left_of", "blue"),
            ],
            ["Tanzanian flag"],
        ),
        flag(
            "trinidad",
            "Trinidad and Tobago",
            "The flag of Trinidad and Tobago is red with a black diagonal band "
            "edged in white, running from the upper hoist to the lower fly corner.",
            "red",
            [
                rect("red", 0, 0, 1, 1),
                bar("white", 0.5, 0.5, 1.5, 0.3, 45),
                bar("black", 0.5, 0.5, 1.5, 0.2, 45),
            ],
            [background("red"), count("red", 2), count("black", 1), count("white", 2)],
            ["Trinidadian flag", "flag of Trinidad"],
        ),
        flag(
            "brazil",
            "Brazil",
            "The flag of Brazil is green with a large yellow rhombus whose corners stop short "
            "of the edges, holding a dark blue globe crossed by a white band and dotted with stars.",
            "green",
            [
                rect("green", 0, 0, 1, 1),
                poly("yellow", [(0.085, 0.5), (0.5, 0.12), (0.915, 0.5), (0.5, 0.88)]),
                disc("navy", 0.5, 0.5, 0.22),
                poly(
                    "white", [(0.29, 0.45), (0.5, 0.42), (0.71, 0.5), (0.71, 0.55), (0.5, 0.47), (0.29, 0.5)]
                ),
            ],
            [
                background("green"),
                count("yellow", 1),
                position("yellow", "centre"),
                relation("yellow", "inside", "green"),
            ],
            ["Brazilian flag", "Auriverde"],
            allow_text=True,
        ),
        flag(
            "usa",
            "the United States",
            "The flag of the United States has thirteen horizontal stripes, seven red "
            "and six white in turn (red at the top and bottom), and a dark blue rectangle in the upper hoist "
            "corner holding fifty small white stars.",
            "white",
            us,
            [count("red", 7), aspect("red", lo=3), colour("white")],
            ["US flag", "American flag", "Stars and Stripes", "Old Glory"],
        ),
        flag(
            "uk",
            "the United Kingdom",
            "The flag of the United Kingdom (the Union Jack) is dark blue, with the red "
            "cross of St George edged in white over the white diagonal cross of St Andrew and the red "
            "diagonal cross of St Patrick; the crosses cut the blue into eight triangles.",
            "navy",
            uk,
            [colour("red"), colour("white"), count(checked("navy"), 8)],
            ["Union Jack", "Union Flag", "British flag"],
        ),
        flag(
            "eu",
            "the European Union",
            "The flag of the European Union is dark blue with a circle of twelve "
            "yellow five-pointed stars, each standing point up.",
            "navy",
            eu,
            [count("yellow", 12), shape("yellow", "star"), symmetry("vertical")],
            ["EU flag", "European flag", "flag of Europe"],
            title="Flag of the European Union",
        ),
    ]


def facts() -> list[Fact]:
    """Every flag."""
    return [*striped_facts(), *emblem_facts(), *field_facts()]
