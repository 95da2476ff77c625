"""Scenes of the ``shapes`` suite, sampled from a seed: what is drawn, and what the prompt says of it.

A :class:`Scene` is a background and shapes in drawing order (:mod:`.geometry`), a description
("three yellow stars above a blue wave on a black background") and the claims that description
makes, written as checks (:mod:`rewards.checks.spec`): counts, shapes, positions, relations,
symmetry. :mod:`.checks` adds what every picture must satisfy (background, colours, sizes,
nothing cut, coverage, no embedded image).

Objects sit in the cells of a 3x3 grid (centre jittered by at most 0.02, sizes at most 0.115; a
container with an object inside may be larger), so positions and relations hold or fail by a wide
margin; two objects of one colour never touch, and two that touch only just overlap. Every claim of
every scene holds of the scene itself (tests/tasks/test_scene_claims.py asks the oracle, over
thousands of scenes a level).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from codepaint_env.tasks.shapes.geometry import CELL_SHAPES, Shape
from rewards.checks.colours import parse_colour

#: The fixed suite: :data:`SCENES` scenes from :data:`SEED`, every :data:`EVAL_EVERY`-th one ``eval``.
SEED = 27
SCENES = 120
EVAL_EVERY = 5
OBJECT_COLOURS: tuple[str, ...] = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "cyan")
BACKGROUNDS: tuple[str, ...] = ("black", "white", "navy", "cream")
MIN_DELTA_E = 45.0  # between an object's colour and the background
JITTER = 0.02
TOUCH_OVERLAP = 0.03  # how much two touching objects overlap, in the smaller one's size
Cell = tuple[int, int]  # (row, column)
#: Areas a group may be asked to fill: the cells it may use, and how the prompt says it.
GROUP_AREAS: dict[str, tuple[list[Cell], str]] = {
    "top-left": ([(0, 0)], "in the top-left corner"), "top-right": ([(0, 2)], "in the top-right corner"),
    "bottom-left": ([(2, 0)], "in the bottom-left corner"),
    "bottom-right": ([(2, 2)], "in the bottom-right corner"),
    "centre": ([(1, 1)], "in the centre"),
    "top-row": ([(0, 0), (0, 1), (0, 2)], "in a row along the top"),
    "middle-row": ([(1, 0), (1, 1), (1, 2)], "in a row across the middle"),
    "bottom-row": ([(2, 0), (2, 1), (2, 2)], "in a row along the bottom"),
    "left-column": ([(0, 0), (1, 0), (2, 0)], "in a column down the left side"),
    "right-column": ([(0, 2), (1, 2), (2, 2)], "in a column down the right side"),
    "top-half": ([(0, 0), (0, 1), (0, 2)], "in the top half"),
    "bottom-half": ([(2, 0), (2, 1), (2, 2)], "in the bottom half"),
    "left-half": ([(0, 0), (1, 0), (2, 0)], "on the left half"),
    "right-half": ([(0, 2), (1, 2), (2, 2)], "on the right half"),
}
_NUMBERS = {2: "two", 3: "three", 4: "four"}
_RELATION_WORDS = {"above": "above", "below": "below", "left_of": "to the left of",
                   "right_of": "to the right of"}
_ROW_WORDS = {0: ("top-row", "along the top"), 1: ("middle-row", "across the middle"),
              2: ("bottom-row", "along the bottom")}


@dataclass(frozen=True)
class Scene:
    """One picture to ask for.

    Attributes:
        index: Its number in the suite (from 1).
        template: Which kind of scene (``group``, ``pair``, ``band``, ``nested``, ``touching``,
            ``symmetric``, ``stripes``).
        background: A palette name.
        shapes: The objects, in drawing order.
        description: What the prompt asks for, in words.
        claims: What the description states, as check objects.
        level: Its difficulty level (:mod:`.levels`), ``None`` for the fixed suite's scenes.
    """

    index: int
    template: str
    background: str
    shapes: tuple[Shape, ...]
    description: str
    claims: tuple[dict[str, Any], ...]
    level: int | None = None


#: Beginnings of words whose first sound is not their first letter's: a consonant after a vowel
#: letter ("a unicorn", "a one-page"), a vowel after a consonant letter ("an hour").
_CONSONANT_SOUNDS = ("one", "once", "uni", "use", "usu", "eu", "ewe")
_VOWEL_SOUNDS = ("hour", "honest", "honour", "heir")


def article(word: str) -> str:
    """``a`` or ``an`` before ``word``, by its first sound (``an orange``, ``a unicorn``, ``an hour``)."""
    low = word.lower()
    if low.startswith(_VOWEL_SOUNDS):
        return "an"
    if low.startswith(_CONSONANT_SOUNDS):
        return "a"
    return "an" if low[:1] in tuple("aeiou") else "a"


def indefinite(*words: str) -> str:
    """The words after their article: ``indefinite("orange", "wave")`` is ``"an orange wave"``.

    Every "a"/"an" a scene's words say comes from here (or :func:`article`): an f-string's fixed
    "a {colour} wave" said "a orange wave".
    """
    text = " ".join(w for w in words if w)
    return f"{article(text)} {text}"


def plural(kind: str) -> str:
    """The plural of a shape's name."""
    return kind + "s"


def counted(n: int, colour: str, kind: str, adjective: str = "") -> str:
    """``"three yellow stars"``, ``"an orange circle"``, ``"a small red square"``."""
    words = " ".join(w for w in (adjective, colour) if w)
    return indefinite(words, kind) if n == 1 else f"{_NUMBERS[n]} {words} {plural(kind)}"


def cell_centre(cell: Cell) -> tuple[float, float]:
    """The centre ``(x, y)`` of a grid cell."""
    return ((cell[1] + 0.5) / 3, (cell[0] + 0.5) / 3)


def object_size(rng: random.Random, kind: str) -> float:
    """A size for an object in a cell (stars and triangles a little larger: they fill less)."""
    ranges = {"triangle": (0.085, 0.115), "star": (0.09, 0.115), "ring": (0.08, 0.11)}
    lo, hi = ranges.get(kind, (0.07, 0.105))
    return round(rng.uniform(lo, hi), 3)


def colours_for(rng: random.Random, background: str, n: int) -> list[str]:
    """``n`` distinct object colours that stand apart from the background."""
    bg = np.array(parse_colour(background).lab)
    usable = [c for c in OBJECT_COLOURS if np.linalg.norm(np.array(parse_colour(c).lab) - bg) >= MIN_DELTA_E]
    return rng.sample(usable, n)


def placed(rng: random.Random, kind: str, colour: str, cells: list[Cell], size: float) -> list[Shape]:
    """One object of ``kind`` per cell, centres jittered."""
    out = []
    for cell in cells:
        x, y = cell_centre(cell)
        out.append(Shape(kind, colour, round(x + rng.uniform(-JITTER, JITTER), 3),
                         round(y + rng.uniform(-JITTER, JITTER), 3), size))
    return out


# What a description states, as checks (weight 2, ``stated``: the prompt says it in words).
def _count(colour: str, n: int) -> dict[str, Any]:
    return {"kind": "count", "colour": colour, "count": n, "weight": 2, "stated": True}


def _shape(colour: str, kind: str) -> dict[str, Any]:
    return {"kind": "shape", "colour": colour, "shape": kind, "weight": 2, "stated": True}


def _relation(a: str, relation: str, b: str) -> dict[str, Any]:
    return {"kind": "relation", "a": a, "relation": relation, "b": b, "weight": 2, "stated": True}


def _position(colour: str, area: str) -> dict[str, Any]:
    return {"kind": "position", "colour": colour, "area": area, "weight": 2, "stated": True}


Drawn = tuple[list[Shape], str, list[dict[str, Any]]]


# ---------------------------------------------------------------------- templates
def group(rng: random.Random, bg: str) -> Drawn:
    """``n`` objects of one shape and colour, anywhere or in a stated area."""
    (colour,) = colours_for(rng, bg, 1)
    kind = rng.choice(CELL_SHAPES)
    n = rng.choice((1, 1, 2, 3, 3, 4))
    claims = [_count(colour, n), _shape(colour, kind)]
    where = ""
    areas = [a for a, (cells, _) in GROUP_AREAS.items() if len(cells) >= n]
    if rng.random() < 0.65 and areas:
        area = rng.choice(areas)
        cells, where = GROUP_AREAS[area]
        cells = rng.sample(cells, n)
        where = " " + where
        claims.append(_position(colour, area))
    else:
        cells = rng.sample([(r, c) for r in range(3) for c in range(3)], n)
    shapes = placed(rng, kind, colour, cells, object_size(rng, kind))
    return shapes, f"{counted(n, colour, kind)}{where}", claims


def pair(rng: random.Random, bg: str) -> Drawn:
    """Objects of one colour above, below, left or right of an object of another."""
    ca, cb = colours_for(rng, bg, 2)
    ka, kb = rng.choice(CELL_SHAPES), rng.choice(CELL_SHAPES)
    relation = rng.choice(tuple(_RELATION_WORDS))
    n = rng.choice((1, 1, 2))
    axis = 0 if relation in ("above", "below") else 1  # rows or columns
    line_b = rng.choice((1, 2)) if relation in ("above", "left_of") else rng.choice((0, 1))
    lines_a = [i for i in range(3) if (i < line_b if relation in ("above", "left_of") else i > line_b)]
    cells_a = rng.sample([(i, j) if axis == 0 else (j, i) for i in lines_a for j in range(3)], n)
    other = rng.randrange(3)
    cell_b = (line_b, other) if axis == 0 else (other, line_b)
    shapes = (placed(rng, ka, ca, cells_a, object_size(rng, ka))
              + placed(rng, kb, cb, [cell_b], object_size(rng, kb)))
    text = f"{counted(n, ca, ka)} {_RELATION_WORDS[relation]} {counted(1, cb, kb)}"
    claims = [_count(ca, n), _count(cb, 1), _shape(ca, ka), _shape(cb, kb), _relation(ca, relation, cb)]
    return shapes, text, claims


def band(rng: random.Random, bg: str) -> Drawn:
    """Objects above or below a horizontal stripe or wave."""
    ca, cb = colours_for(rng, bg, 2)
    kind = rng.choice(CELL_SHAPES)
    band_kind = rng.choice(("stripe", "wave"))
    relation = rng.choice(("above", "below"))
    y = round(rng.uniform(0.78, 0.82) if relation == "above" else rng.uniform(0.18, 0.22), 3)
    half = round(rng.uniform(0.045, 0.07) if band_kind == "stripe" else rng.uniform(0.035, 0.05), 3)
    strip = Shape(band_kind, cb, 0.5, y, half, round(rng.uniform(0, 6.283), 3))
    rows = (0, 1) if relation == "above" else (1, 2)
    n = rng.choice((1, 2, 3))
    cells = rng.sample([(r, c) for r in rows for c in range(3)], n)
    shapes = [strip, *placed(rng, kind, ca, cells, object_size(rng, kind))]
    band_words = indefinite("horizontal", cb, "stripe") if band_kind == "stripe" else indefinite(cb, "wave")
    claims = [_count(ca, n), _shape(ca, kind), _count(cb, 1), _shape(cb, band_kind),
              _relation(ca, relation, cb)]
    return shapes, f"{counted(n, ca, kind)} {relation} {band_words}", claims


def nested(rng: random.Random, bg: str) -> Drawn:
    """A small object inside a ring or a square, in the centre or a stated corner."""
    inner_colour, outer_colour = colours_for(rng, bg, 2)
    outer = rng.choice(("ring", "square"))
    inner = rng.choice(("circle", "square", "triangle"))
    area = rng.choice(("centre", "centre", "top-left", "top-right", "bottom-left", "bottom-right"))
    where = GROUP_AREAS[area][1]
    if area == "centre":  # alone in the scene, the pair may be large: its small object stays legible
        x = y = 0.5
        big = round(rng.uniform(0.17, 0.22), 3)
    else:
        x, y = (0.2 if "left" in area else 0.8), (0.2 if "top" in area else 0.8)
        big = round(rng.uniform(0.15, 0.17), 3)
    small = round(big * {"circle": 0.42, "square": 0.3, "triangle": 0.48}[inner], 3)
    shapes = [Shape(outer, outer_colour, x, y, big), Shape(inner, inner_colour, x, y, small)]
    text = f"{counted(1, inner_colour, inner, 'small')} inside {counted(1, outer_colour, outer)} {where}"
    outer_shape = _shape(outer_colour, outer)
    if outer == "square":  # the small object inside makes no hole in it (a ring's hole is its own)
        outer_shape["holding"] = [inner_colour]
    claims = [_count(inner_colour, 1), _count(outer_colour, 1), _shape(inner_colour, inner),
              outer_shape, _relation(inner_colour, "inside", outer_colour),
              _position(outer_colour, area)]
    return shapes, text, claims


def touching(rng: random.Random, bg: str) -> Drawn:
    """Two objects (circles or squares) side by side on one row, just touching.

    They overlap by 3 % of the smaller one's size: contact survives rounding the centres to a
    thousandth of the canvas in every language, and the one drawn first keeps at least 98.5 % of
    its width. (Until version 3 they overlapped by a fifth, and a square under a smaller one no
    longer looked square: the scene's own ``shape`` claim failed on its reference.)
    """
    ca, cb = colours_for(rng, bg, 2)
    ka, kb = rng.choice(("circle", "square")), rng.choice(("circle", "square"))
    ra, rb = round(rng.uniform(0.08, 0.11), 3), round(rng.uniform(0.08, 0.11), 3)
    row = rng.randrange(3)
    y = round(cell_centre((row, 1))[1] + rng.uniform(-JITTER, JITTER), 3)
    gap = (ra + rb - TOUCH_OVERLAP * min(ra, rb)) / 2  # half the distance between their centres
    sign = rng.choice((-1, 1))
    shapes = [Shape(ka, ca, round(0.5 - sign * gap, 3), y, ra),
              Shape(kb, cb, round(0.5 + sign * gap, 3), y, rb)]
    text = f"{counted(1, ca, ka)} touching {counted(1, cb, kb)}"
    claims = [_count(ca, 1), _count(cb, 1), _shape(ca, ka), _shape(cb, kb), _relation(ca, "touching", cb)]
    return shapes, text, claims


def symmetric(rng: random.Random, bg: str) -> Drawn:
    """An object between two others in a mirror-symmetric row."""
    middle_colour, side_colour = colours_for(rng, bg, 2)
    km, ks = rng.choice(CELL_SHAPES), rng.choice(CELL_SHAPES)
    row = rng.randrange(3)
    area, where = _ROW_WORDS[row]
    y = round(cell_centre((row, 1))[1], 3)
    rs, rm = object_size(rng, ks), object_size(rng, km)
    shapes = [Shape(ks, side_colour, round(1 / 6, 3), y, rs), Shape(km, middle_colour, 0.5, y, rm),
              Shape(ks, side_colour, round(1 - 1 / 6, 3), y, rs)]
    text = (f"{counted(1, middle_colour, km)} between {counted(2, side_colour, ks)} "
            f"in a mirror-symmetric row {where}")
    claims = [_count(side_colour, 2), _count(middle_colour, 1), _shape(side_colour, ks),
              _shape(middle_colour, km),
              _position(middle_colour, ("top", "centre", "bottom")[row]), _position(side_colour, area),
              {"kind": "symmetry", "axis": "vertical", "min": 0.85, "weight": 2, "stated": True}]
    return shapes, text, claims


def stripes(rng: random.Random, bg: str) -> Drawn:
    """Horizontal stripes or waves of one colour (drawn evenly spaced; the prompt says how many)."""
    (colour,) = colours_for(rng, bg, 1)
    kind = rng.choice(("stripe", "stripe", "wave"))
    n = rng.choice((2, 3, 4) if kind == "stripe" else (2, 3))
    half = round(rng.uniform(0.04, min(0.08, 0.3 / n)) if kind == "stripe" else rng.uniform(0.03, 0.04), 3)
    phase = round(rng.uniform(0, 6.283), 3)
    shapes = [Shape(kind, colour, 0.5, round((i + 0.5) / n, 3), half, phase) for i in range(n)]
    # The words state what the checks hold: how many, what colour, stripes (horizontal) or waves.
    # (Until version 4 they also said "evenly spaced from top to bottom" / "one under the other",
    # which nothing checked: a prompt states nothing its checks do not hold.)
    text = (f"{_NUMBERS[n]} horizontal {colour} stripes" if kind == "stripe"
            else f"{_NUMBERS[n]} {colour} waves")
    return shapes, text, [_count(colour, n), _shape(colour, kind)]


TEMPLATES: dict[str, tuple[float, Callable[[random.Random, str], Drawn]]] = {
    "group": (0.25, group), "pair": (0.2, pair), "band": (0.15, band), "nested": (0.12, nested),
    "touching": (0.1, touching), "symmetric": (0.1, symmetric), "stripes": (0.08, stripes),
}


def sample_scene(rng: random.Random, index: int, template: str | None = None) -> Scene:
    """One scene (of ``template``, or one drawn by the templates' weights)."""
    if template is None:
        names = list(TEMPLATES)
        template = rng.choices(names, weights=[TEMPLATES[n][0] for n in names])[0]
    background = rng.choice(BACKGROUNDS)
    shapes, text, claims = TEMPLATES[template][1](rng, background)
    description = f"{text} on {article(background)} {background} background"
    return Scene(index, template, background, tuple(shapes), description, tuple(claims))


def build_scenes(seed: int = SEED, n: int = SCENES) -> list[Scene]:
    """``n`` scenes with distinct descriptions, from ``seed``."""
    rng = random.Random(seed)
    scenes: list[Scene] = []
    seen: set[str] = set()
    while len(scenes) < n:
        scene = sample_scene(rng, len(scenes) + 1)
        if scene.description not in seen:
            seen.add(scene.description)
            scenes.append(scene)
    return scenes


def split_of(scene: Scene) -> str:
    """``eval`` for every fifth scene, else ``train``."""
    return "eval" if scene.index % EVAL_EVERY == 0 else "train"
