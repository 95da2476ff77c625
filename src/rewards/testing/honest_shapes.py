"""The honest artist's own outlines, geometry and SVG (:mod:`.honest`): how a person might draw each kind.

Nothing here comes from the ``shapes`` generator (:mod:`codepaint_env.tasks.shapes.geometry`): a
circle is a ``<circle>`` or an ``<ellipse>``, a ring a stroked circle or an even-odd path with a
hole of 50-80 % of its radius, a square a ``<rect>`` turned a little (with or without slightly
rounded corners) or a polygon, a triangle any triangle whose angles are all 40-80° turned any way,
a star five- or six-pointed with an inner radius of 38-50 % turned any way, a stripe a band right
across the canvas turned a little, a wave a stroked sine of one to four periods across the canvas.

Sizes are a *reach*: the longer side of the object's axis-aligned box, a fraction of the canvas
(what "at most a fifth of the canvas across" bounds). Coordinates are fractions of the canvas,
``y`` down; a turn is clockwise in degrees (SVG's ``rotate``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

import numpy as np

from rewards.checks.colour_names import NAMED_COLOURS
from rewards.checks.colours import delta_e, parse_colour

#: The most a square, stripe or wave is turned from the axes (degrees): a person's "slightly off".
MAX_TURN = 8.0
RING_HOLE = (0.55, 0.85)  # a ring's hole radius over its outer radius
STAR_INNER = (0.38, 0.5)  # a star's inner radius over its outer one
TRIANGLE_ANGLES = (40.0, 80.0)  # every angle of a triangle
ROUNDED = 0.06  # the most a square's corners are rounded (radius over side)
WAVE_PERIODS = (1.0, 4.0)
_CIRCLE_STEPS = 48
_WAVE_STEPS = 160
#: A shade stands this far (ΔE76) from the background's: a person picks one that shows.
SHADE_CONTRAST = 30.0
#: CSS names left out: resvg 0.48 (the fast SVG path) draws ``rebeccapurple`` (CSS Color 4) black,
#: where Chromium draws it purple; a renderer's difference, not the checks' (docs/honest-drawings.md).
UNRENDERED = frozenset({"rebeccapurple"})


@dataclass(frozen=True)
class Look:
    """How one object looks, apart from where it is and how large.

    Attributes:
        kind: circle, square, triangle, star, ring, stripe or wave.
        turn: Clockwise turn, degrees.
        inner: A ring's hole radius or a star's inner radius, over the outer radius.
        points: A star's points.
        angles: A triangle's angles (degrees; the first two at its base before the turn).
        rounded: A square's corner radius over its side.
        mirrored: Drawn as its mirror image (the right-hand object of a mirror-symmetric row).
        style: Which SVG element writes it (0 or 1: see :func:`element`).
    """

    kind: str
    turn: float = 0.0
    inner: float = 0.0
    points: int = 0
    angles: tuple[float, float, float] = (60.0, 60.0, 60.0)
    rounded: float = 0.0
    mirrored: bool = False
    style: int = 0

    def mirror(self) -> Look:
        """Its mirror image (about a vertical line)."""
        return replace(self, mirrored=not self.mirrored, turn=-self.turn)


def sample_look(rng: random.Random, kind: str, *, symmetric: bool = False) -> Look:
    """A look for ``kind``; ``symmetric``: its own mirror image (the middle of a mirror-symmetric row)."""
    style = rng.randrange(2)
    if kind in ("circle", "ring"):
        return Look(kind, inner=rng.uniform(*RING_HOLE) if kind == "ring" else 0.0, style=style)
    if kind == "square":
        rounded = rng.uniform(0.0, ROUNDED) if rng.random() < 0.25 else 0.0
        return Look(kind, 0.0 if symmetric else rng.uniform(-MAX_TURN, MAX_TURN), rounded=rounded,
                    style=style if not rounded else 0)
    if kind == "triangle":
        lo, hi = TRIANGLE_ANGLES
        if symmetric:  # isosceles, pointing up or down
            apex = rng.uniform(lo, hi)
            return Look(kind, rng.choice((0.0, 180.0)), angles=((180 - apex) / 2, (180 - apex) / 2, apex),
                        style=style)
        a = rng.uniform(lo, hi)
        b = rng.uniform(max(lo, 180 - a - hi), min(hi, 180 - a - lo))
        return Look(kind, rng.uniform(0, 360), angles=(a, b, 180 - a - b), style=style)
    if kind == "star":
        points = 6 if rng.random() < 0.2 else 5
        turn = rng.choice((0.0, 180.0 / points)) if symmetric else rng.uniform(0, 360)
        return Look(kind, turn, inner=rng.uniform(*STAR_INNER), points=points, style=style)
    if kind in ("stripe", "wave"):
        return Look(kind, rng.uniform(-MAX_TURN, MAX_TURN), style=style)
    raise ValueError(f"no look for {kind!r}")


def turned(points: np.ndarray, degrees: float) -> np.ndarray:
    """Points turned clockwise on the screen (``y`` down) about the origin."""
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    return points @ np.array([[c, s], [-s, c]])


def _raw_outline(look: Look) -> np.ndarray:
    """The outline before the turn (any scale, any place)."""
    k = look.kind
    if k in ("circle", "ring"):
        t = np.linspace(0, 2 * math.pi, _CIRCLE_STEPS, endpoint=False)
        return np.stack([np.cos(t), np.sin(t)], axis=1) * 0.5
    if k == "square":
        return np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    if k == "triangle":
        a, b, c = (math.radians(x) for x in look.angles)
        side_b = math.sin(b) / math.sin(c)  # the side from the first vertex to the apex (law of sines)
        return np.array([[0.0, 0.0], [1.0, 0.0], [side_b * math.cos(a), -side_b * math.sin(a)]])
    if k == "star":
        n = 2 * look.points
        t = -math.pi / 2 + np.arange(n) * math.pi / look.points
        r = np.where(np.arange(n) % 2 == 0, 1.0, look.inner)
        return np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    raise ValueError(f"{k!r} has no outline of its own (a band spans the canvas)")


def unit_outline(look: Look) -> np.ndarray:
    """The object's outline turned, centred on its box's centre, its box's longer side 1."""
    pts = _raw_outline(look)
    if look.mirrored:
        pts = pts * np.array([-1.0, 1.0])
    pts = turned(pts, look.turn)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return (pts - (lo + hi) / 2) / float((hi - lo).max())


def polygon_area(points: np.ndarray) -> float:
    """The area inside a simple polygon (shoelace)."""
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def fill_share(look: Look) -> float:
    """The share of a ``1 x 1``-reach object's box it covers (a ring less its hole)."""
    share = polygon_area(unit_outline(look))
    return share * (1 - look.inner ** 2) if look.kind == "ring" else share


@dataclass(frozen=True)
class Obj:
    """One object placed on the canvas.

    Attributes:
        group: Which group of the request it belongs to (0: the subject).
        colour: Its colour term.
        look: How it looks.
        reach: Its box's longer side (a band: its thickness, or a wave's stroke width).
        x: Its box's centre (a band: 0.5).
        y: Its box's centre (a band: its middle line).
        amplitude: A wave's amplitude.
        periods: A wave's periods across the canvas.
        phase: A wave's phase (radians).
    """

    group: int
    colour: str
    look: Look
    reach: float
    x: float
    y: float
    amplitude: float = 0.0
    periods: float = 0.0
    phase: float = 0.0

    @property
    def band(self) -> bool:
        """Whether it spans the canvas (a stripe or a wave)."""
        return self.look.kind in ("stripe", "wave")

    def outline(self) -> np.ndarray:
        """Its outline on the canvas (a band: its box across the canvas)."""
        if self.band:
            left, top, right, bottom = self.box()
            return np.array([[left, top], [right, top], [right, bottom], [left, bottom]])
        return unit_outline(self.look) * self.reach + np.array([self.x, self.y])

    def wave_line(self) -> np.ndarray:
        """A wave's middle line, from beyond the left edge to beyond the right one."""
        xs = np.linspace(-0.08, 1.08, _WAVE_STEPS)
        ys = self.amplitude * np.sin(2 * math.pi * self.periods * xs + self.phase)
        return turned(np.stack([xs - 0.5, ys], axis=1), self.look.turn) + np.array([0.5, self.y])

    def box(self) -> tuple[float, float, float, float]:
        """Its axis-aligned box on the canvas, ``(left, top, right, bottom)`` (a band: where it crosses)."""
        if self.look.kind == "stripe":
            t = math.radians(self.look.turn)
            half = self.reach / 2 / math.cos(t) + 0.5 * abs(math.tan(t))
            return (0.0, self.y - half, 1.0, self.y + half)
        if self.look.kind == "wave":
            line = self.wave_line()
            seen = line[(line[:, 0] >= 0) & (line[:, 0] <= 1)]
            half = self.reach / 2
            return (0.0, float(seen[:, 1].min()) - half, 1.0, float(seen[:, 1].max()) + half)
        if self.look.kind in ("circle", "ring"):
            r = self.reach / 2
            return (self.x - r, self.y - r, self.x + r, self.y + r)
        pts = self.outline()
        (left, top), (right, bottom) = pts.min(axis=0), pts.max(axis=0)
        return (float(left), float(top), float(right), float(bottom))

    def area(self) -> float:
        """How much of the canvas it covers (a band: across the whole width)."""
        if self.look.kind == "stripe":
            return self.reach / math.cos(math.radians(self.look.turn))
        if self.look.kind == "wave":
            line = self.wave_line()
            return float(np.linalg.norm(np.diff(line, axis=0), axis=1).sum()) / 1.16 * self.reach
        return fill_share(self.look) * self.reach ** 2


# ---------------------------------------------------------------------- geometry
def _inside(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Which points lie inside a polygon (even-odd rule)."""
    x, y = points[:, 0:1], points[:, 1:2]
    ax, ay = polygon[:, 0], polygon[:, 1]
    bx, by = np.roll(ax, -1), np.roll(ay, -1)
    crosses = ((ay > y) != (by > y)) & (x < (bx - ax) * (y - ay) / np.where(by == ay, 1e-12, by - ay) + ax)
    return crosses.sum(axis=1) % 2 == 1


def _segment_distances(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Each point's distance to the polygon's boundary."""
    a = polygon
    b = np.roll(polygon, -1, axis=0)
    ab = b - a
    ap = points[:, None, :] - a[None, :, :]
    t = np.clip((ap * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0, 1)
    nearest = a[None] + t[..., None] * ab[None]
    return np.linalg.norm(points[:, None, :] - nearest, axis=-1).min(axis=1)


def _edges_cross(p: np.ndarray, q: np.ndarray) -> bool:
    a1, a2 = p, np.roll(p, -1, axis=0)
    b1, b2 = q, np.roll(q, -1, axis=0)

    def orient(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        (ux, uy), (vx, vy), (wx, wy) = (np.moveaxis(p, -1, 0) for p in (u, v, w))
        return (vx - ux) * (wy - uy) - (vy - uy) * (wx - ux)

    A1, A2 = a1[:, None, :], a2[:, None, :]
    B1, B2 = b1[None, :, :], b2[None, :, :]
    d1, d2 = orient(A1, A2, B1), orient(A1, A2, B2)
    d3, d4 = orient(B1, B2, A1), orient(B1, B2, A2)
    return bool((((d1 > 0) != (d2 > 0)) & ((d3 > 0) != (d4 > 0))).any())


def distance(p: np.ndarray, q: np.ndarray) -> float:
    """The distance between two polygons (0 when they overlap)."""
    if _inside(p, q).any() or _inside(q, p).any() or _edges_cross(p, q):
        return 0.0
    return float(min(_segment_distances(p, q).min(), _segment_distances(q, p).min()))


def within(points: np.ndarray, polygon: np.ndarray, clearance: float = 0.0) -> bool:
    """Whether every point lies inside a polygon, at least ``clearance`` from its boundary."""
    return bool(_inside(points, polygon).all() and _segment_distances(points, polygon).min() >= clearance)


# ---------------------------------------------------------------------- colours
def shades(term: str) -> list[str]:
    """The CSS named colours a person calls ``term`` (``crimson``, ``firebrick`` ... for red)."""
    return sorted(n for n, (_, t) in NAMED_COLOURS.items()
                  if ":" not in n and t == term and n not in UNRENDERED)


def spell(rng: random.Random, term: str, defined: dict[str, str], *, shade: bool,
          away_from: str | None = None) -> tuple[str, str]:
    """How a person writes ``term`` in SVG: ``(what the program writes, the #rrggbb it is)``.

    The colour is the prompt's definition of it, or the CSS colour of that name; with ``shade``, a
    CSS colour of the same term (``crimson`` for red) that stands :data:`SHADE_CONTRAST` from
    ``away_from`` (the background's value). Written as a name, ``#rrggbb`` or ``rgb()``.
    """
    names = shades(term)
    plain = defined.get(term) or (NAMED_COLOURS[term][0] if term in names else None)
    options = names if shade or plain is None else []
    if away_from is not None:
        page = parse_colour(away_from)
        options = [n for n in options
                   if float(delta_e(np.array(parse_colour(NAMED_COLOURS[n][0]).lab), page)) >= SHADE_CONTRAST]
    if options:
        name = rng.choice(options)
        value = NAMED_COLOURS[name][0]
    elif plain is not None:
        name, value = (term if term in names and term not in defined else plain), plain
    else:
        raise ValueError(f"no way to write {term!r}")
    form = rng.random()
    if name.startswith("#") or form < 0.3:
        return value, value
    if form < 0.4:
        r, g, b = (int(value[i:i + 2], 16) for i in (1, 3, 5))
        return f"rgb({r},{g},{b})", value
    return name, value


# ---------------------------------------------------------------------- SVG
def _n(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def element(obj: Obj, fill: str, side: float) -> str:
    """The SVG element that draws ``obj`` (coordinates in a ``side x side`` viewBox)."""
    k, look, s = obj.look.kind, obj.look, side
    cx, cy, reach = obj.x * s, obj.y * s, obj.reach * s
    if k == "circle":
        r = reach / 2
        return (f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" fill="{fill}"/>' if look.style == 0 else
                f'<ellipse cx="{_n(cx)}" cy="{_n(cy)}" rx="{_n(r)}" ry="{_n(r)}" fill="{fill}"/>')
    if k == "ring":
        outer, hole = reach / 2, reach / 2 * look.inner
        if look.style == 0:
            return (f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n((outer + hole) / 2)}" fill="none" '
                    f'stroke="{fill}" stroke-width="{_n(outer - hole)}"/>')
        arcs = "".join(f"M{_n(cx - r)} {_n(cy)}a{_n(r)} {_n(r)} 0 1 0 {_n(2 * r)} 0"
                       f"a{_n(r)} {_n(r)} 0 1 0 {_n(-2 * r)} 0Z" for r in (outer, hole))
        return f'<path d="{arcs}" fill="{fill}" fill-rule="evenodd"/>'
    if k == "square" and look.style == 0:
        t = math.radians(look.turn)
        side_len = reach / (abs(math.cos(t)) + abs(math.sin(t)))
        corner = f' rx="{_n(look.rounded * side_len)}"' if look.rounded else ""
        turn = f' transform="rotate({_n(look.turn)} {_n(cx)} {_n(cy)})"' if look.turn else ""
        return (f'<rect x="{_n(cx - side_len / 2)}" y="{_n(cy - side_len / 2)}" width="{_n(side_len)}" '
                f'height="{_n(side_len)}"{corner} fill="{fill}"{turn}/>')
    if k in ("square", "triangle", "star"):
        pts = obj.outline() * s
        if look.style == 0:
            return f'<polygon points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in pts)}" fill="{fill}"/>'
        path = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in pts) + "Z"
        return f'<path d="{path}" fill="{fill}"/>'
    if k == "stripe":
        if look.style == 0:
            turn = f' transform="rotate({_n(look.turn)} {_n(s / 2)} {_n(obj.y * s)})"' if look.turn else ""
            return (f'<rect x="{_n(-0.3 * s)}" y="{_n((obj.y - obj.reach / 2) * s)}" width="{_n(1.6 * s)}" '
                    f'height="{_n(reach)}" fill="{fill}"{turn}/>')
        corners = turned(np.array([[-0.8, -obj.reach / 2], [0.8, -obj.reach / 2], [0.8, obj.reach / 2],
                                   [-0.8, obj.reach / 2]]), look.turn) + np.array([0.5, obj.y])
        return f'<polygon points="{" ".join(f"{_n(x * s)},{_n(y * s)}" for x, y in corners)}" fill="{fill}"/>'
    if k == "wave":
        line = obj.wave_line() * s
        if look.style == 0:
            d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in line)
            return (f'<path d="{d}" fill="none" stroke="{fill}" stroke-width="{_n(reach)}" '
                    f'stroke-linejoin="round"/>')
        pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in line)
        return f'<polyline points="{pts}" fill="none" stroke="{fill}" stroke-width="{_n(reach)}"/>'
    raise ValueError(f"cannot draw {k!r}")


def svg_document(objects: list[Obj], fills: dict[str, str], background: str, rng: random.Random) -> str:
    """The whole picture: a background rectangle, then the objects in order, in a random viewBox size."""
    side = float(rng.choice((100, 200, 256, 300, 400, 500, 512, 800, 1000)))
    size = f' width="{int(side)}" height="{int(side)}"' if rng.random() < 0.5 else ""
    body = "\n  ".join(element(o, fills[o.colour], side) for o in objects)
    page = (f'<rect width="100%" height="100%" fill="{background}"/>' if rng.random() < 0.5 else
            f'<rect x="0" y="0" width="{int(side)}" height="{int(side)}" fill="{background}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg"{size} viewBox="0 0 {int(side)} {int(side)}">\n'
            f"  {page}\n  {body}\n</svg>\n")
