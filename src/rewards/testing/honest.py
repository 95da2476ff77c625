"""An honest artist: draws a ``shapes`` prompt as a person might, from its words alone.

    >>> from rewards.testing.honest import draw
    >>> d = draw("Draw three yellow stars in the top-right corner on a black background, "
    ...          "as an SVG image. No text.", seed=0)
    >>> d.svg.startswith("<svg")
    True

What a reward's checks must accept is every picture a person could draw from the prompt, not the
pictures the task generator draws. So this artist is independent of the generator: it reads the
prompt with a grammar of its own (:mod:`.honest_words`: a prompt it cannot read raises
:class:`~rewards.testing.honest_words.PromptError` with the words it stopped at), draws with
outlines of its own (:mod:`.honest_shapes`), and imports nothing of :mod:`codepaint_env.tasks`
(``rewards`` sits below the tasks layer: the import contract in pyproject.toml holds it there).

Each drawing is random within what the words allow (docs/honest-drawings.md has the table):

* **sizes**: a size word's stated reach (the box's longer side: "at most a fifth of the canvas
  across", "at least half"); an object with no size word any reach that fits, from
  :data:`MIN_REACH` (and :data:`MIN_AREA` of the canvas: visible with room to spare over the
  checks' speck of 0.15 %) to :data:`LARGE_MAX`; the objects of a group one size or each its own;
* **positions**: anywhere the words allow, at least :data:`EDGE` from the canvas's edges (not cut)
  and :data:`GAP` from any other object unless "touching" or "inside" is asked; in a named area
  each object's whole box (in a row or a column, lined up); "above" etc.: wholly above, and more
  above than beside; "touching": in contact, overlapping by up to 4 % of the smaller one, from
  any direction; "inside": anywhere within the container with room to spare, at most half its side
  (a square's) or within 85 % of its hole (a ring's); a mirror-symmetric row: the sides mirror
  each other about an axis within 8 % of the canvas's middle, the middle object its own mirror image;
* **looks**: turned by up to ±8° (squares, stripes, waves) or any angle (triangles, stars); any
  triangle with angles of 40-80°; five- or six-pointed stars; rings with a hole of 50-80 %;
* **colours**: the colour's CSS name (or the prompt's definition of it) or, half the time, another
  CSS colour a person calls by that term (crimson for red), written as a name, ``#rrggbb`` or
  ``rgb()``; anti-aliased by the renderer like any picture.

:func:`wrong_kind` redraws a drawing with one group's objects of the wrong kind (a square for a
circle, a disc for a ring, a straight band for a wave...): the issue-54 probe that a ``shape``
claim must fail.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from rewards.testing.honest_shapes import (
    Look,
    Obj,
    distance,
    fill_share,
    sample_look,
    spell,
    svg_document,
    unit_outline,
    within,
)
from rewards.testing.honest_words import Request, Things, parse_prompt

EDGE = 0.02  # the least distance from any object to the canvas's edge
GAP = 0.02  # the least distance between two objects that are not asked to touch
MIN_REACH = 0.06  # the least reach of an object (its box's longer side)
MIN_AREA = 0.0025  # the least share of the canvas an object covers
LARGE_MAX = 0.9  # the most an object reaches across the canvas
MIN_BAND = 0.015  # the least width of a ring's band
STRIPE_THICKNESS = (0.03, 0.2)
WAVE_STROKE = (0.02, 0.06)
WAVE_AMPLITUDE = 0.12  # the most a wave swings from its middle line (and at least its stroke width)
TOUCH_OVERLAP = 0.04  # the most two touching objects overlap, in the smaller one's reach
#: The wrong kind :func:`wrong_kind` draws for each kind (the issue-54 probe).
WRONG_KIND: dict[str, str] = {"circle": "square", "square": "circle", "triangle": "square", "star": "square",
                              "ring": "circle", "wave": "stripe", "stripe": "square"}
_TRIES = 300
Box = tuple[float, float, float, float]


class LayoutError(RuntimeError):
    """Words the artist reads but cannot lay out (no room, or a form it does not draw)."""


@dataclass(frozen=True)
class Drawing:
    """One honest drawing of a prompt.

    Attributes:
        prompt: The prompt.
        seed: The seed it was drawn with.
        request: What the prompt asks for, as read.
        objects: The objects, in drawing order.
        fills: How each colour term is written, and the background's (key ``"background"``).
        svg: The SVG document.
        notes: How it was drawn (layout choices), for reports.
    """

    prompt: str
    seed: int
    request: Request
    objects: tuple[Obj, ...]
    fills: dict[str, str]
    svg: str
    notes: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> list[dict[str, Any]]:
        """Each object's kind, colour, reach, place and look (for reports)."""
        out = []
        for o in self.objects:
            row: dict[str, Any] = {"group": o.group, "kind": o.look.kind, "colour": o.colour,
                                   "fill": self.fills[o.colour], "reach": round(o.reach, 4),
                                   "x": round(o.x, 4), "y": round(o.y, 4), "turn": round(o.look.turn, 1)}
            if o.look.kind in ("ring", "star"):
                row["inner"] = round(o.look.inner, 3)
            if o.look.kind == "star":
                row["points"] = o.look.points
            if o.look.kind == "triangle":
                row["angles"] = [round(a, 1) for a in o.look.angles]
            if o.look.rounded:
                row["rounded"] = round(o.look.rounded, 3)
            if o.look.kind == "wave":
                row.update(amplitude=round(o.amplitude, 4), periods=round(o.periods, 2))
            out.append(row)
        return out


def draw(prompt: str, seed: int = 0, *, shades: bool = True) -> Drawing:
    """Draw ``prompt`` honestly (``seed`` picks one drawing of the many the words allow).

    Args:
        prompt: A ``shapes`` task's prompt (any language's: the artist always draws SVG).
        seed: Which drawing.
        shades: Whether a colour may be another shade of its term (else its CSS name or the
            prompt's definition).

    Raises:
        PromptError: Words the grammar cannot read.
        LayoutError: Words it reads but cannot lay out.
    """
    request = parse_prompt(prompt)
    rng = random.Random(f"honest:{seed}:{prompt}")
    notes: dict[str, Any] = {}
    for _ in range(_TRIES):
        objects = _lay_out(rng, request, notes)
        if objects is not None:
            break
        notes.clear()
    else:
        raise LayoutError(f"no layout found for {prompt!r} in {_TRIES} tries")
    fills = _fills(rng, request, shades)
    return _finish(prompt, seed, request, objects, fills, notes)


def _finish(prompt: str, seed: int, request: Request, objects: list[Obj], fills: dict[str, str],
            notes: dict[str, Any]) -> Drawing:
    svg = svg_document(objects, fills, fills["background"], random.Random(f"svg:{seed}:{prompt}"))
    return Drawing(prompt, seed, request, tuple(objects), fills, svg, notes)


def _fills(rng: random.Random, request: Request, shades: bool) -> dict[str, str]:
    background, value = spell(rng, request.background, request.defined, shade=shades and rng.random() < 0.5)
    fills = {"background": background}
    for colour in request.colours:
        fills[colour] = spell(rng, colour, request.defined, shade=shades and rng.random() < 0.5,
                              away_from=value)[0]
    return fills


def wrong_kind(drawing: Drawing, group: int = 0) -> Drawing:
    """The drawing with ``group``'s objects of the wrong kind (:data:`WRONG_KIND`), same places and sizes."""
    rng = random.Random(f"wrong:{drawing.seed}:{drawing.prompt}")
    objects = []
    for o in drawing.objects:
        if o.group != group:
            objects.append(o)
            continue
        kind = WRONG_KIND[o.look.kind]
        if kind == "stripe":  # a straight band where the wave was
            objects.append(Obj(o.group, o.colour, Look("stripe", o.look.turn), max(0.03, o.reach), 0.5, o.y))
        elif o.band:  # a square in the middle of where the stripe was
            objects.append(Obj(o.group, o.colour, Look("square"), 0.12, 0.5, o.y))
        else:
            look = sample_look(rng, kind)
            objects.append(Obj(o.group, o.colour, look, o.reach, o.x, o.y))
    notes = {**drawing.notes, "wrong_kind": group}
    return _finish(drawing.prompt, drawing.seed, drawing.request, objects, drawing.fills, notes)


# ---------------------------------------------------------------------- layout
def min_reach(look: Look) -> float:
    """The least reach of an object of this look: :data:`MIN_REACH`, :data:`MIN_AREA`, a ring's band."""
    reach = max(MIN_REACH, math.sqrt(MIN_AREA / fill_share(look)))
    if look.kind == "ring":
        reach = max(reach, 2 * MIN_BAND / (1 - look.inner))
    return reach


def _inset(box: Box) -> Box:
    left, top, right, bottom = box
    return (max(left, EDGE), max(top, EDGE), min(right, 1 - EDGE), min(bottom, 1 - EDGE))


def _half_sizes(look: Look, reach: float) -> tuple[float, float]:
    if look.kind in ("circle", "ring"):
        return reach / 2, reach / 2
    pts = unit_outline(look) * reach
    return float(pts[:, 0].max()), float(pts[:, 1].max())


def _clear(obj: Obj, others: list[Obj], gap: float = GAP) -> bool:
    mine = obj.outline()
    return all(distance(mine, o.outline()) >= gap for o in others)


def _reach_range(things: Things, looks: list[Look], cap: float) -> tuple[float, float] | None:
    lo = max([min_reach(look) for look in looks] + [things.min_reach or 0.0])
    hi = min(cap, LARGE_MAX, things.max_reach if things.max_reach is not None else 1.0)
    return (lo, hi) if lo <= hi else None


def _place(rng: random.Random, group: int, things: Things, area: Box, arrangement: str, placed: list[Obj],
           *, cap: float = 1.0, centre: Box | None = None, accept: Any = None) -> list[Obj] | None:
    """``things`` in ``area`` (whole boxes inside it), clear of ``placed``; ``None`` when they do not fit.

    ``centre``: a box each object's centre must lie in; ``accept``: a further test of each object.
    """
    area = _inset(area)
    w, h = area[2] - area[0], area[3] - area[1]
    if w <= 0 or h <= 0:
        return None
    n = things.count
    looks = [sample_look(rng, things.kind) for _ in range(n)]
    if arrangement == "row":
        auto = min(h, (w - (n - 1) * GAP) / n)
    elif arrangement == "column":
        auto = min(w, (h - (n - 1) * GAP) / n)
    else:
        auto = min(w, h) if n == 1 else min(w, h, 0.9 * math.sqrt(w * h / n))
    bounds = _reach_range(things, looks, min(cap, auto))
    if bounds is None:
        return None
    lo, hi = bounds
    for _ in range(8):
        same = rng.uniform(lo, hi)
        reaches = [same] * n if rng.random() < 0.5 else [rng.uniform(lo, hi) for _ in range(n)]
        halves = [_half_sizes(look, r) for look, r in zip(looks, reaches, strict=True)]
        if arrangement in ("row", "column"):
            spots = _line_up(rng, area, halves, arrangement == "column")
        else:
            spots = _scatter(rng, area, halves, centre)
        if spots is not None:
            objs: list[Obj] = []
            for look, reach, (x, y) in zip(looks, reaches, spots, strict=True):
                obj = Obj(group, things.colour, look, reach, x, y)
                if not _clear(obj, placed + objs) or (accept is not None and not accept(obj)):
                    break
                objs.append(obj)
            else:
                return objs
        hi = lo + (hi - lo) * 0.7
    return None


def _scatter(rng: random.Random, area: Box, halves: list[tuple[float, float]], centre: Box | None
             ) -> list[tuple[float, float]] | None:
    """Centres for boxes of these half sizes inside ``area``, their outlines' boxes apart by :data:`GAP`."""
    spots: list[tuple[float, float]] = []
    for hw, hh in halves:
        xs = (area[0] + hw, area[2] - hw)
        ys = (area[1] + hh, area[3] - hh)
        if centre is not None:
            xs = (max(xs[0], centre[0]), min(xs[1], centre[2]))
            ys = (max(ys[0], centre[1]), min(ys[1], centre[3]))
        if xs[0] > xs[1] or ys[0] > ys[1]:
            return None
        for _ in range(60):
            x, y = rng.uniform(*xs), rng.uniform(*ys)
            if all(abs(x - px) >= hw + phw + GAP or abs(y - py) >= hh + phh + GAP
                   for (px, py), (phw, phh) in zip(spots, halves, strict=False)):
                spots.append((x, y))
                break
        else:
            return None
    return spots


def _line_up(rng: random.Random, area: Box, halves: list[tuple[float, float]], down: bool
             ) -> list[tuple[float, float]] | None:
    """Centres for boxes lined up across ``area`` (a row) or down it (a column), in a random order of gaps."""
    if down:  # a column is a row with the axes swapped
        spots = _line_up(rng, (area[1], area[0], area[3], area[2]), [(b, a) for a, b in halves], False)
        return None if spots is None else [(y, x) for x, y in spots]
    free = (area[2] - area[0]) - sum(2 * hw for hw, _ in halves) - (len(halves) - 1) * GAP
    lows = [area[1] + hh for _, hh in halves]
    highs = [area[3] - hh for _, hh in halves]
    if free < 0 or max(lows) > min(highs):
        return None
    row = rng.uniform(max(lows), min(highs))
    weights = [rng.expovariate(1.0) for _ in range(len(halves) + 1)]
    x = area[0]
    spots = []
    for i, (hw, _) in enumerate(halves):
        x += free * weights[i] / sum(weights) + (GAP if i else 0.0) + hw
        y = min(max(row + rng.uniform(-0.015, 0.015), lows[i]), highs[i])
        spots.append((x, y))
        x += hw
    return spots


def _where(rng: random.Random, request: Request, notes: dict[str, Any]) -> tuple[Box, str, Box | None, float]:
    """The area, arrangement, centre box and reach cap the request's ``where`` gives (the canvas: none)."""
    where = request.where
    if where is None:
        return (0.0, 0.0, 1.0, 1.0), "free", None, 1.0
    if where.arrangement != "centre":
        return where.box, where.arrangement, None, 1.0
    notes["centre"] = mode = rng.choice(("ninth", "centred"))
    if mode == "ninth":  # the whole box in the middle ninth
        return where.box, "free", None, 1.0
    return (0.0, 0.0, 1.0, 1.0), "free", (0.42, 0.42, 0.58, 0.58), 0.8  # a larger object, centred


def _lay_out(rng: random.Random, request: Request, notes: dict[str, Any]) -> list[Obj] | None:
    first = request.groups[0]
    if request.relation is None:
        if first.band:
            return _bands(rng, first, request.spacing)
        area, arrangement, centre, cap = _where(rng, request, notes)
        return _place(rng, 0, first, area, arrangement, [], cap=cap, centre=centre)
    if request.relation in ("above", "below", "left_of", "right_of"):
        return _beside(rng, request)
    if request.relation == "touching":
        return _touching(rng, request, notes)
    if request.relation == "inside":
        return _inside(rng, request, notes)
    return _between(rng, request, notes)


def _bands(rng: random.Random, things: Things, spacing: str = "", room: Box = (0.0, 0.0, 1.0, 1.0)
           ) -> list[Obj] | None:
    """``things`` (stripes or waves) one under the other in ``room`` (``spacing`` ``even``: equally)."""
    n = things.count
    even = spacing == "even"
    looks = [sample_look(rng, things.kind)] * n if even else [sample_look(rng, things.kind) for _ in range(n)]
    top, bottom = max(room[1], EDGE), min(room[3], 1 - EDGE)
    objs = []
    for i, look in enumerate(looks):
        if i and even:
            objs.append(replace(objs[0]))
            continue
        if things.kind == "stripe":
            lo, hi = STRIPE_THICKNESS
            objs.append(Obj(0, things.colour, look, rng.uniform(lo, min(hi, 0.8 / n)), 0.5, 0.5))
        else:
            stroke = rng.uniform(*WAVE_STROKE)
            objs.append(Obj(0, things.colour, look, stroke, 0.5, 0.5,
                            amplitude=rng.uniform(max(stroke, 0.03), WAVE_AMPLITUDE),
                            periods=rng.uniform(1.0, 4.0), phase=rng.uniform(0, 2 * math.pi)))
    heights = [(o.y - o.box()[1], o.box()[3] - o.y) for o in objs]
    free = (bottom - top) - sum(a + b for a, b in heights) - (n - 1) * GAP
    if free < 0:
        return None
    weights = [1.0] * (n + 1) if even else [rng.expovariate(1.0) for _ in range(n + 1)]
    y = top
    out = []
    for i, (obj, (above, below)) in enumerate(zip(objs, heights, strict=True)):
        y += free * weights[i] / sum(weights) + (GAP if i else 0.0) + above
        out.append(replace(obj, y=y))
        y += below
    return out


def _beside(rng: random.Random, request: Request) -> list[Obj] | None:
    """The first group above, below, left or right of the second (an object or a band)."""
    a, b = request.groups
    rel = request.relation
    if a.band or (b.band and rel not in ("above", "below")):
        raise LayoutError(f"the artist does not draw {a.kind}s {rel} a {b.kind}")
    if b.band:
        (band,) = _bands(rng, b) or [None]
        if band is None:
            return None
        band = replace(band, group=1)
        _, top, _, bottom = band.box()
        room = (0.0, 0.0, 1.0, top - GAP) if rel == "above" else (0.0, bottom + GAP, 1.0, 1.0)
        objs = _place(rng, 0, a, room, "free", [band])
        return None if objs is None else [band, *objs]
    others = _place(rng, 1, b, (0.0, 0.0, 1.0, 1.0), "free", [], cap=0.4)
    if not others:
        return None
    other = others[0]
    left, top, right, bottom = other.box()
    room = {"above": (0.0, 0.0, 1.0, top - GAP), "below": (0.0, bottom + GAP, 1.0, 1.0),
            "left_of": (0.0, 0.0, left - GAP, 1.0), "right_of": (right + GAP, 0.0, 1.0, 1.0)}[rel or ""]
    vertical = rel in ("above", "below")

    def more_than_beside(o: Obj) -> bool:  # more above (or beside) than off to the side
        dx, dy = abs(o.x - other.x), abs(o.y - other.y)
        return dx <= dy if vertical else dy <= dx

    objs = _place(rng, 0, a, room, "free", [other], cap=0.4, accept=more_than_beside)
    return None if objs is None else [other, *objs]


def _touching(rng: random.Random, request: Request, notes: dict[str, Any]) -> list[Obj] | None:
    """Two objects in contact, from any direction, overlapping by up to :data:`TOUCH_OVERLAP`."""
    a, b = request.groups
    if a.band or b.band or a.count != 1:
        raise LayoutError("the artist draws one object touching another, not bands")
    placed = _place(rng, 1, b, (0.0, 0.0, 1.0, 1.0), "free", [], cap=0.35)
    if not placed:
        return None
    other = placed[0]
    look = sample_look(rng, a.kind)
    bounds = _reach_range(a, [look], 0.35)
    if bounds is None:
        return None
    reach = rng.uniform(*bounds)
    angle = rng.uniform(0, 2 * math.pi)
    ux, uy = math.cos(angle), math.sin(angle)

    def at(d: float) -> Obj:
        return Obj(0, a.colour, look, reach, other.x + d * ux, other.y + d * uy)

    near, far = 0.0, 0.75 * (reach + other.reach) + 0.01
    target = other.outline()
    for _ in range(30):  # the distance at which they just meet
        mid = (near + far) / 2
        near, far = (mid, far) if distance(at(mid).outline(), target) == 0.0 else (near, mid)
    overlap = rng.uniform(0, TOUCH_OVERLAP) * min(reach, other.reach)
    obj = at(far - overlap)
    if not _in_canvas(obj):
        return None
    notes["overlap"] = round(overlap / min(reach, other.reach), 3)
    return [obj, other] if rng.random() < 0.5 else [other, obj]


def _in_canvas(obj: Obj) -> bool:
    left, top, right, bottom = obj.box()
    return left >= EDGE and top >= EDGE and right <= 1 - EDGE and bottom <= 1 - EDGE


def _inside(rng: random.Random, request: Request, notes: dict[str, Any]) -> list[Obj] | None:
    """A small object anywhere inside a container (a ring's hole, a square's or a disc's inside)."""
    a, b = request.groups
    if b.kind not in ("ring", "square", "circle") or a.band:
        raise LayoutError(f"the artist draws things inside rings, squares and circles, not {b.kind}s")
    area, arrangement, centre, cap = _where(rng, request, notes)
    placed = _place(rng, 1, replace(b, min_reach=max(b.min_reach or 0.0, 0.15)), area, arrangement, [],
                    cap=cap, centre=centre)
    if not placed:
        return None
    box = placed[0]
    look = sample_look(rng, a.kind)
    radius = float(np.linalg.norm(unit_outline(look), axis=1).max())  # reach 1, from its box centre
    if b.kind == "square":
        t = math.radians(box.look.turn)
        side = box.reach / (abs(math.cos(t)) + abs(math.sin(t)))
        room, clearance, hi = box.outline(), max(0.01, 0.08 * side), 0.5 * side
    else:
        hole = box.reach / 2 * (box.look.inner if b.kind == "ring" else 0.9)
        clearance = max(0.01, 0.15 * hole)
        room, hi = None, 2 * (hole - clearance)  # its box within the hole's inner circle
        hi = min(hi, (hole - clearance) / radius)
    bounds = _reach_range(a, [look], hi)
    if bounds is None:
        return None
    reach = rng.uniform(max(bounds[0], 0.25 * hi), bounds[1]) if 0.25 * hi < bounds[1] else bounds[1]
    for _ in range(60):
        x, y = box.x + rng.uniform(-0.5, 0.5) * box.reach, box.y + rng.uniform(-0.5, 0.5) * box.reach
        obj = Obj(0, a.colour, look, reach, x, y)
        pts = obj.outline()
        if room is not None:
            fits = within(pts, room, clearance)
        else:
            fits = bool((np.linalg.norm(pts - np.array([box.x, box.y]), axis=1)
                         <= box.reach / 2 * (box.look.inner if b.kind == "ring" else 0.9) - clearance).all())
        if fits:
            notes["inner_share"] = round(reach / (hi if hi else 1), 3)
            return [box, obj]
    return None


def _between(rng: random.Random, request: Request, notes: dict[str, Any]) -> list[Obj] | None:
    """One object between two others in a mirror-symmetric row: the sides mirror each other."""
    middle, sides = request.groups
    if middle.band or sides.band or request.where is None:
        raise LayoutError("the artist draws a row of objects, not bands")
    area = _inset(request.where.box)
    mid_look = sample_look(rng, middle.kind, symmetric=True)
    side_look = sample_look(rng, sides.kind)
    h = area[3] - area[1]
    mid_bounds = _reach_range(middle, [mid_look], min(h, 0.3))
    side_bounds = _reach_range(sides, [side_look], min(h, 0.3))
    if mid_bounds is None or side_bounds is None:
        return None
    mid_reach, side_reach = rng.uniform(*mid_bounds), rng.uniform(*side_bounds)
    axis = rng.uniform(0.42, 0.58)
    mw, mh = _half_sizes(mid_look, mid_reach)
    sw, sh = _half_sizes(side_look, side_reach)
    lows, highs = (area[1] + sh, area[1] + mh), (area[3] - sh, area[3] - mh)
    if max(lows) > min(highs):
        return None
    y = rng.uniform(max(lows), min(highs))
    y_mid = min(max(y + rng.uniform(-0.015, 0.015), area[1] + mh), area[3] - mh)
    x_lo = max(area[0], 2 * axis - area[2]) + sw
    x_hi = axis - mw - GAP - sw
    if x_lo > x_hi:
        return None
    x = rng.uniform(x_lo, x_hi)
    left = Obj(1, sides.colour, side_look, side_reach, x, y)
    right = Obj(1, sides.colour, side_look.mirror(), side_reach, 2 * axis - x, y)
    mid = Obj(0, middle.colour, mid_look, mid_reach, axis, y_mid)
    if not (_clear(mid, [left, right]) and _clear(left, [right])):
        return None
    notes["axis"] = round(axis, 3)
    return [left, mid, right]
