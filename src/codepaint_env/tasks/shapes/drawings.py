"""Pictures an adversary may draw for a ``shapes`` task: any shapes, any colours, as SVG.

A :class:`Drawing` is a page colour and shapes in drawing order, each coloured ``#rrggbb``: the
suite's own kinds (circle, square, triangle, star, ring, stripe, wave), rectangles of any
proportion (bars, a frame: a rectangle inset from the edges with the page showing around it, a
fill of the whole canvas), at any size and position (cut by the edge too), turned by up to
:data:`MAX_TURN` degrees. :class:`DrawingVocabulary` makes random drawings and random changes of
one (``rewards.testing.adversary.Vocabulary``): add, remove, copy, recolour, move, resize, turn an
object, change its kind, restack it, change the page colour, add a frame or a fill.

Every drawing it makes is one the scene oracle can judge plainly, as a person would see it
(:func:`trouble` says why a drawing is not):

* each colour is clearly one colour term (the term of :mod:`rewards.checks.colour_names`, the same
  for every colour within 12 of each sRGB channel): a colour on the border between two terms is
  no verdict either way;
* two objects of one term keep 0.03 of the canvas apart (box to box), as the generator's scenes
  do: touching, they would read as one object;
* a rectangle's kind (:func:`codepaint_env.tasks.shapes.oracle.kind_of`: a square, a stripe or a
  rectangle) stays the same when it is 10 % wider or narrower, or turned 2 degrees more either way;
  one it calls a stripe, or whose part inside the canvas is one, either stays inside the canvas or
  spans its whole width upright (the oracle then judges it as the stripe it is: a band is never
  "cut"); a bar running off one edge is a stripe to some and a cut rectangle to others;
* a ring's hole is between :data:`RING_HOLES` of its radius (a ring, not a dot or a thin circle);
* the page is not the colour of an object the prompt names, and no object is the page's colour:
  where the page shows between objects it would be read as an object (a cyan page between two
  black bars *is* a cyan stripe on black, to a person), and an object of the page's colour drawn
  over another one cuts it (a red disc with a white disc on it, on a white page, *is* a ring).

The oracle's verdict on one object covered by others is no verdict either (see
:mod:`codepaint_env.tasks.shapes.adversary`): a person may name what shows or what is drawn.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import ClassVar

import numpy as np

from codepaint_env.tasks.shapes.geometry import BANDS, RING_INNER, Shape
from codepaint_env.tasks.shapes.oracle import kind_of
from codepaint_env.tasks.shapes.scenes import Scene
from rewards.checks.colour_names import NAMED_COLOURS, TERMS, terms_of
from rewards.checks.colours import PALETTE

#: The kinds a drawing's objects may be.
KINDS: tuple[str, ...] = ("circle", "square", "triangle", "star", "ring", "stripe", "wave", "rect")
#: Kinds a turn changes (a circle, a ring and the bands look the same or cannot turn).
TURNABLE: frozenset[str] = frozenset({"square", "triangle", "star", "rect"})
MAX_TURN = 15.0  # degrees: a small rotation
RING_HOLES = (0.45, 0.8)
MAX_OBJECTS = 12
SAME_TERM_GAP = 0.03  # mutations.valid's gap between two objects of one colour
_SIDE = 400  # the SVG's canvas
_CLEAR = 12  # a colour is clearly its term when every colour within this of each channel is too
_PALETTE_NAMES: dict[str, str] = {v: k for k, v in PALETTE.items()}


@dataclass(frozen=True)
class Drawing:
    """A picture: the page colour and shapes in drawing order (colours ``#rrggbb``).

    Attributes:
        background: The page's colour.
        shapes: The objects (:class:`~codepaint_env.tasks.shapes.geometry.Shape`, ``colour`` a hex value).
    """

    background: str
    shapes: tuple[Shape, ...] = ()


def from_scene(scene: Scene) -> Drawing:
    """The scene's own picture (its palette names as the palette's values)."""
    return Drawing(_hex(scene.background), tuple(replace(s, colour=_hex(s.colour)) for s in scene.shapes))


def _hex(colour: str) -> str:
    return PALETTE[colour] if colour in PALETTE else colour.lower()


# ---------------------------------------------------------------------- colours
@lru_cache(maxsize=8192)
def clear_term(colour: str) -> str | None:
    """The colour term ``#rrggbb`` is clearly called by (``None``: near the border of two terms)."""
    named = _PALETTE_NAMES.get(colour.lower())
    if named is not None:  # the palette's own value is its term's (what the references draw)
        return named
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.int32)
    steps = np.array([(a, b, c) for a in (-_CLEAR, 0, _CLEAR) for b in (-_CLEAR, 0, _CLEAR)
                      for c in (-_CLEAR, 0, _CLEAR)], dtype=np.int32)
    around = np.clip(rgb + steps, 0, 255).astype(np.uint8)
    found = np.unique(terms_of(around))
    return TERMS[int(found[0])] if len(found) == 1 else None


@lru_cache(maxsize=1)
def _labelled() -> tuple[str, ...]:
    """The named colours people agree on (CSS, xcolor) that are clearly their term."""
    values = sorted({h for h, t in NAMED_COLOURS.values() if t is not None})
    return tuple(h for h in values if clear_term(h) is not None)


def _random_hex(rng: random.Random) -> str:
    return "#" + "".join(f"{rng.randrange(256):02x}" for _ in range(3))


def pick_colour(rng: random.Random, scene_colours: tuple[str, ...]) -> str:
    """A colour: often one the scene names, else another term's value, a named colour or any clear hex."""
    roll = rng.random()
    if roll < 0.45 and scene_colours:
        return PALETTE[rng.choice(scene_colours)]
    if roll < 0.7:
        return PALETTE[rng.choice(TERMS)]
    if roll < 0.85:
        return rng.choice(_labelled())
    for _ in range(20):
        colour = _random_hex(rng)
        if clear_term(colour) is not None:
            return colour
    return PALETTE[rng.choice(TERMS)]


# ---------------------------------------------------------------------- SVG
def _n(v: float) -> str:
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def svg(drawing: Drawing) -> str:
    """The drawing as an SVG document (400 x 400, the page a rectangle, then each shape, no strokes)."""
    k = _SIDE
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{k}" height="{k}" viewBox="0 0 {k} {k}">',
             f'<rect width="{k}" height="{k}" fill="{drawing.background}"/>']
    for s in drawing.shapes:
        c, x, y, r = s.colour, s.x * k, s.y * k, s.size * k
        if s.kind == "circle":
            parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{c}"/>')
        elif s.kind == "ring":
            hole = r * s.inner
            d = "".join(f"M{_n(x - q)} {_n(y)}a{_n(q)} {_n(q)} 0 1 0 {_n(2 * q)} 0"
                        f"a{_n(q)} {_n(q)} 0 1 0 {_n(-2 * q)} 0Z" for q in (r, hole))
            parts.append(f'<path d="{d}" fill="{c}" fill-rule="evenodd"/>')
        elif s.kind == "stripe":
            parts.append(f'<rect x="0" y="{_n(y - r)}" width="{k}" height="{_n(2 * r)}" fill="{c}"/>')
        elif s.kind in ("square", "rect") and not s.angle:
            w, h = (2 * r, 2 * r) if s.kind == "square" else (s.width * k, s.height * k)
            parts.append(f'<rect x="{_n(x - w / 2)}" y="{_n(y - h / 2)}" width="{_n(w)}" height="{_n(h)}" '
                         f'fill="{c}"/>')
        else:
            points = " ".join(f"{_n(px * k)},{_n(py * k)}" for px, py in s.outline())
            parts.append(f'<polygon points="{points}" fill="{c}"/>')
    parts.append("</svg>")
    return "\n".join(parts)


# ---------------------------------------------------------------------- what the oracle can judge
def _gap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    return max(a[0] - b[2], b[0] - a[2], a[1] - b[3], b[1] - a[3])


#: Turns (degrees from the axes) between a stripe and a diagonal: the oracle's stripe ends at 10, the
#: prompt's words allow 10, a person names 25 and up a diagonal; the checks split the zone at 17.5.
BETWEEN_STRIPE_AND_DIAGONAL = (10.0, 25.0)


def _steady_kind(s: Shape) -> bool:
    """Whether a rectangle's kind holds 10 % wider or narrower and turned 2 degrees either way.

    A bar three times as long as it is wide, turned between a stripe and a diagonal
    (:data:`BETWEEN_STRIPE_AND_DIAGONAL`), has no steady kind either.
    """
    if s.kind != "rect":
        return True
    turn = abs((s.angle + 90.0) % 180.0 - 90.0)
    lo, hi = BETWEEN_STRIPE_AND_DIAGONAL
    if s.height > 0 and s.width / s.height >= 3.0 and lo < turn < hi:
        return False
    kind = kind_of(s)
    turns = (s.angle - 2.0, s.angle + 2.0) if s.angle or kind == "stripe" else ()
    near = [replace(s, width=s.width * f) for f in (1.1, 1 / 1.1)] + [replace(s, angle=a) for a in turns]
    return all(kind_of(t) == kind for t in near)


def _spans(s: Shape) -> bool:
    """Whether an upright rectangle spans the canvas's whole width (a band, drawn as a rectangle)."""
    return s.kind == "rect" and not s.angle and s.x - s.width / 2 <= 0.0 and s.x + s.width / 2 >= 1.0


def _cut_bar(s: Shape) -> bool:
    """Whether a rectangle that is a stripe, or shows as one, runs off the canvas without spanning it.

    What shows is the part inside the canvas: a 0.75 x 0.30 rectangle (a rectangle to the oracle)
    run off the bottom-right corner shows a bar 0.74 x 0.21 (a stripe to the checks and to some
    people; the adversary's L1-26, "two horizontal purple stripes").
    """
    if s.kind not in ("rect", "square") or _spans(s):
        return False
    left, top, right, bottom = s.box()
    if not (left < 0.0 or top < 0.0 or right > 1.0 or bottom > 1.0):
        return False
    shown = replace(s, kind="rect", width=min(right, 1.0) - max(left, 0.0),
                    height=min(bottom, 1.0) - max(top, 0.0))
    return "stripe" in (kind_of(s), kind_of(shown))


def trouble(drawing: Drawing, named: frozenset[str] = frozenset()) -> str | None:
    """Why the oracle could not judge the drawing plainly (``None``: it can; see the module docstring).

    ``named``: the colour terms of the objects the prompt names (the page must not be one of them).
    """
    page = clear_term(drawing.background)
    if page is None:
        return f"the page colour {drawing.background} is between two colour terms"
    if page in named:
        return f"the page is {page}, the colour of an object the prompt names"
    if len(drawing.shapes) > MAX_OBJECTS:
        return f"more than {MAX_OBJECTS} objects"
    terms = []
    for s in drawing.shapes:
        t = clear_term(s.colour)
        if t is None:
            return f"{s.colour} is between two colour terms"
        if t == page:
            return f"an object is the page's colour ({page})"
        if not _steady_kind(s):
            return f"a {s.width:.2f} x {s.height:.2f} rectangle turned {s.angle:g} is between two kinds"
        if _cut_bar(s):
            return "a stripe (drawn, or as the canvas cuts it) runs off the canvas without spanning it"
        if s.kind == "ring" and not RING_HOLES[0] <= s.inner <= RING_HOLES[1]:
            return f"a ring whose hole is {s.inner:.2f} of its radius"
        terms.append(t)
    boxes = [s.box() for s in drawing.shapes]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            if terms[i] == terms[j] and _gap(boxes[i], boxes[j]) < SAME_TERM_GAP:
                return f"two {terms[i]} objects touch (they would read as one)"
    return None


def oracle_scene(scene: Scene, drawing: Drawing) -> Scene:
    """The drawing as a scene the oracle judges: the task's scene with the drawing's page and shapes.

    Each colour is its colour term (what the prompt's colour words are checked against).
    """
    shapes = tuple(_as_band(replace(s, colour=clear_term(s.colour) or s.colour)) for s in drawing.shapes)
    return replace(scene, background=clear_term(drawing.background) or drawing.background, shapes=shapes)


def _as_band(s: Shape) -> Shape:
    """A rectangle spanning the canvas's width as the stripe it shows (upright, thin enough to be one)."""
    if _spans(s) and kind_of(s) == "stripe":
        return Shape("stripe", s.colour, 0.5, s.y, s.height / 2)
    return s


# ---------------------------------------------------------------------- the vocabulary
def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def _r3(v: float) -> float:
    return round(v, 3)


class DrawingVocabulary:
    """Random drawings and random changes of one, for a scene (``rewards.testing.adversary.Vocabulary``).

    Only drawings the oracle can judge plainly (:func:`trouble`) come out: a change that makes one it
    cannot is drawn again (up to ``tries`` times, then ``None``).

    Args:
        scene: The task's scene: its colours are the ones a change picks most often.
        tries: Draws of a change before giving up.
    """

    #: The changes :meth:`mutate` draws from, with their weights.
    CHANGES: ClassVar[dict[str, float]] = {
        "add": 1.0, "remove": 1.0, "copy": 0.6, "recolour": 1.4, "move": 1.6, "resize": 1.4, "turn": 0.6,
        "kind": 1.0, "restack": 0.4, "page": 0.8, "frame": 0.4, "fill": 0.3}

    def __init__(self, scene: Scene, *, tries: int = 12) -> None:
        self.scene = scene
        named = [scene.background, *(s.colour for s in scene.shapes)]
        self.colours: tuple[str, ...] = tuple(dict.fromkeys(named))
        self.tries = tries
        self.named = frozenset(s.colour for s in scene.shapes)  # palette names are their terms
        self._names = list(self.CHANGES)
        self._weights = [self.CHANGES[n] for n in self._names]

    def key(self, drawing: Drawing) -> str:
        """The drawing's SVG (two drawings with one SVG are one picture)."""
        return svg(drawing)

    def random(self, rng: random.Random) -> Drawing:
        """A page colour and one to five random objects."""
        for _ in range(self.tries * 4):
            shapes = tuple(self.random_shape(rng) for _ in range(rng.randint(1, 5)))
            drawing = Drawing(pick_colour(rng, self.colours), shapes)
            if trouble(drawing, self.named) is None:
                return drawing
        return Drawing(PALETTE[self.scene.background])

    def mutate(self, drawing: Drawing, rng: random.Random) -> Drawing | None:
        """The drawing with one random change (see the module docstring), or ``None``."""
        for _ in range(self.tries):
            name = rng.choices(self._names, weights=self._weights)[0]
            changed = getattr(self, f"_{name}")(drawing, rng)
            if changed is not None and changed != drawing and trouble(changed, self.named) is None:
                return changed
        return None

    def neighbours(self, drawing: Drawing, rng: random.Random) -> list[Drawing]:
        """The drawing's one-change neighbours, one of each kind of change first (round robin), then the rest.

        Each object in every other kind, in the scene's other colours, removed, moved, resized, turned,
        copied, restacked; the page in the scene's other colours; an object added in each; frames; a fill.
        """
        named = [PALETTE[c] for c in self.colours]
        groups: dict[str, list[Drawing | None]] = {}

        def put(group: str, made: Drawing | None) -> None:
            groups.setdefault(group, []).append(made)

        for i, s in enumerate(drawing.shapes):
            for kind in KINDS:
                if kind != s.kind:
                    put("kind", self._kind(drawing, rng, i, kind))
            for colour in [c for c in named if c != s.colour] + [pick_colour(rng, ()) for _ in range(2)]:
                put("recolour", self._recolour(drawing, rng, i, colour))
            put("remove", self._remove(drawing, rng, i))
            for _ in range(3):
                put("move", self._move(drawing, rng, i))
                put("resize", self._resize(drawing, rng, i))
            put("turn", self._turn(drawing, rng, i))
            put("copy", self._copy(drawing, rng, i))
            put("restack", self._restack(drawing, rng, i))
        pages = [c for c in named if c != drawing.background] + [pick_colour(rng, ()) for _ in range(2)]
        for colour in pages:
            put("page", self._page(drawing, rng, colour))
        for colour in [*named, pick_colour(rng, ()), pick_colour(rng, ())]:
            put("add", self._add(drawing, rng, colour))
        for _ in range(3):
            put("frame", self._frame(drawing, rng))
        put("fill", self._fill(drawing, rng))
        lists = list(groups.values())
        rng.shuffle(lists)
        for group in lists:
            rng.shuffle(group)
        out: dict[str, Drawing] = {}
        for rank in range(max(len(g) for g in lists)):
            for group in lists:
                made = group[rank] if rank < len(group) else None
                if made is not None and made != drawing and trouble(made, self.named) is None:
                    out.setdefault(svg(made), made)
        return list(out.values())

    # -------------------------------------------------------------- objects
    def random_shape(self, rng: random.Random, kind: str | None = None, colour: str | None = None) -> Shape:
        """One object of a random (or the given) kind and colour, anywhere."""
        kind = kind or rng.choice(KINDS)
        colour = colour or pick_colour(rng, self.colours)
        if kind in BANDS:
            top = 0.2 if kind == "stripe" else 0.06
            return Shape(kind, colour, 0.5, _r3(rng.uniform(0.03, 0.97)), _r3(_log_uniform(rng, 0.008, top)),
                         phase=_r3(rng.uniform(0, 2 * math.pi)))
        x, y = _r3(rng.uniform(0.05, 0.95)), _r3(rng.uniform(0.05, 0.95))
        angle = _r3(rng.uniform(-MAX_TURN, MAX_TURN)) if kind in TURNABLE and rng.random() < 0.4 else 0.0
        if kind == "rect":
            return Shape("rect", colour, x, y, 0.0, width=_r3(_log_uniform(rng, 0.03, 1.0)),
                         height=_r3(_log_uniform(rng, 0.03, 1.0)), angle=angle)
        inner = _r3(rng.uniform(*RING_HOLES)) if kind == "ring" else RING_INNER
        return Shape(kind, colour, x, y, _r3(_log_uniform(rng, 0.015, 0.45)), angle=angle, inner=inner)

    def _pick(self, drawing: Drawing, rng: random.Random) -> int | None:
        return rng.randrange(len(drawing.shapes)) if drawing.shapes else None

    def _with(self, drawing: Drawing, i: int, shape: Shape) -> Drawing:
        shapes = list(drawing.shapes)
        shapes[i] = shape
        return replace(drawing, shapes=tuple(shapes))

    def _add(self, drawing: Drawing, rng: random.Random, colour: str | None = None) -> Drawing | None:
        shapes = list(drawing.shapes)
        shapes.insert(rng.randint(0, len(shapes)), self.random_shape(rng, colour=colour))
        return replace(drawing, shapes=tuple(shapes))

    def _remove(self, drawing: Drawing, rng: random.Random, i: int | None = None) -> Drawing | None:
        i = self._pick(drawing, rng) if i is None else i
        if i is None:
            return None
        return replace(drawing, shapes=drawing.shapes[:i] + drawing.shapes[i + 1:])

    def _copy(self, drawing: Drawing, rng: random.Random, i: int | None = None) -> Drawing | None:
        i = self._pick(drawing, rng) if i is None else i
        if i is None:
            return None
        s = drawing.shapes[i]
        copy = replace(s, y=_r3(rng.uniform(0.03, 0.97))) if s.is_band else \
            s.moved(_r3(rng.uniform(0.05, 0.95)), _r3(rng.uniform(0.05, 0.95)))
        return replace(drawing, shapes=(*drawing.shapes, copy))

    def _recolour(self, drawing: Drawing, rng: random.Random, i: int | None = None,
                  colour: str | None = None) -> Drawing | None:
        i = self._pick(drawing, rng) if i is None else i
        if i is None:
            return None
        colour = colour or pick_colour(rng, self.colours)
        return self._with(drawing, i, replace(drawing.shapes[i], colour=colour))

    def _move(self, drawing: Drawing, rng: random.Random, i: int | None = None) -> Drawing | None:
        i = self._pick(drawing, rng) if i is None else i
        if i is None:
            return None
        s = drawing.shapes[i]
        if rng.random() < 0.25:  # a jump anywhere
            x, y = rng.uniform(-0.05, 1.05), rng.uniform(-0.05, 1.05)
        else:
            x, y = s.x + rng.gauss(0, 0.05), s.y + rng.gauss(0, 0.05)
        if s.is_band:
            return self._with(drawing, i, replace(s, y=_r3(min(1.05, max(-0.05, y)))))
        return self._with(drawing, i, s.moved(_r3(min(1.1, max(-0.1, x))), _r3(min(1.1, max(-0.1, y)))))

    def _resize(self, drawing: Drawing, rng: random.Random, i: int | None = None) -> Drawing | None:
        i = self._pick(drawing, rng) if i is None else i
        if i is None:
            return None
        s = drawing.shapes[i]
        f = math.exp(rng.gauss(0, 0.3))
        if s.kind == "rect":
            g = f if rng.random() < 0.4 else math.exp(rng.gauss(0, 0.3))
            return self._with(drawing, i, replace(s, width=_r3(min(1.2, max(0.01, s.width * f))),
                                                  height=_r3(min(1.2, max(0.01, s.height * g)))))
        top = 0.2 if s.kind == "stripe" else 0.06 if s.kind == "wave" else 0.6
        changed = replace(s, size=_r3(min(top, max(0.006, s.size * f))))
        if s.kind == "ring" and rng.random() < 0.3:
            changed = replace(changed, inner=_r3(rng.uniform(*RING_HOLES)))
        if s.kind == "wave" and rng.random() < 0.3:
            changed = replace(changed, phase=_r3(rng.uniform(0, 2 * math.pi)))
        return self._with(drawing, i, changed)

    def _turn(self, drawing: Drawing, rng: random.Random, i: int | None = None) -> Drawing | None:
        turnable = [j for j, s in enumerate(drawing.shapes) if s.kind in TURNABLE]
        if not turnable or (i is not None and i not in turnable):
            return None
        i = rng.choice(turnable) if i is None else i
        s = drawing.shapes[i]
        angle = min(MAX_TURN, max(-MAX_TURN, s.angle + rng.gauss(0, 6)))
        return self._with(drawing, i, replace(s, angle=_r3(angle)))

    def _kind(self, drawing: Drawing, rng: random.Random, i: int | None = None,
              kind: str | None = None) -> Drawing | None:
        i = self._pick(drawing, rng) if i is None else i
        if i is None:
            return None
        s = drawing.shapes[i]
        kind = kind or rng.choice([k for k in KINDS if k != s.kind])
        new = self.random_shape(rng, kind, s.colour)
        if kind in BANDS:
            new = replace(new, y=s.y)
        elif s.is_band:
            new = new.moved(new.x, s.y)
        elif kind == "rect":
            side = _r3(2 * s.size if s.kind != "rect" else s.width)
            new = replace(new, x=s.x, y=s.y, width=side, height=_r3(side * math.exp(rng.gauss(0, 0.5))))
        else:
            size = s.size if s.kind != "rect" else max(s.width, s.height) / 2
            new = replace(new, x=s.x, y=s.y, size=_r3(max(0.006, size)))
        return self._with(drawing, i, new)

    def _restack(self, drawing: Drawing, rng: random.Random, i: int | None = None) -> Drawing | None:
        i = self._pick(drawing, rng) if i is None else i
        if i is None or len(drawing.shapes) < 2:
            return None
        rest = list(drawing.shapes[:i] + drawing.shapes[i + 1:])
        rest.insert(0 if rng.random() < 0.5 else len(rest), drawing.shapes[i])
        return replace(drawing, shapes=tuple(rest))

    def _page(self, drawing: Drawing, rng: random.Random, colour: str | None = None) -> Drawing | None:
        return replace(drawing, background=colour or pick_colour(rng, self.colours))

    def _frame(self, drawing: Drawing, rng: random.Random) -> Drawing | None:
        """A rectangle inset from every edge, under the rest (the page shows around it)."""
        inset = _r3(_log_uniform(rng, 0.004, 0.12))
        rect = Shape("rect", pick_colour(rng, self.colours), 0.5, 0.5, 0.0, width=_r3(1 - 2 * inset),
                     height=_r3(1 - 2 * inset))
        page = drawing.background if rng.random() < 0.5 else pick_colour(rng, self.colours)
        return Drawing(page, (rect, *drawing.shapes))

    def _fill(self, drawing: Drawing, rng: random.Random) -> Drawing | None:
        """A rectangle over the whole canvas, under the rest."""
        rect = Shape("rect", pick_colour(rng, self.colours), 0.5, 0.5, 0.0, width=1.0, height=1.0)
        return replace(drawing, shapes=(rect, *drawing.shapes))
