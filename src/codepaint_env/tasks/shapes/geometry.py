"""The shapes of the ``shapes`` suite: their outlines (for the programs) and their insides (for the oracle).

Coordinates are fractions of the canvas, ``y`` down. Every shape is placed by its centre of mass
(a triangle by its centroid, not its box), so a shape's ``(x, y)`` is what a ``position`` check
measures. ``size`` is the radius of circles and rings, the circumradius of triangles and stars,
half the side of squares and half the thickness of stripes and waves.

Shapes beyond the suite's own (the ``knowledge`` suite draws flags, signs and symbols with them):
``rect``, an axis-aligned rectangle of its own ``width`` and ``height`` (full extents) centred on
``(x, y)``; ``polygon``, any simple polygon through ``points`` (canvas fractions; ``(x, y)`` is the
centre it turns about); a ring of its own thickness (``inner``: the hole's radius over the outer
one). Any shape but a band may be turned clockwise (on the screen, ``y`` down) by ``angle`` degrees
about ``(x, y)``: a turned square or rectangle, like a triangle, star or polygon, is drawn from its
outline (circles and rings look the same at any angle). The defaults leave every other shape as it
was, so the suite's programs are the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

CELL_SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star", "ring")
BANDS: tuple[str, ...] = ("stripe", "wave")
#: The kinds the ``knowledge`` suite adds (see the module docstring).
EXTRA_KINDS: tuple[str, ...] = ("rect", "polygon")
STAR_INNER = 0.45  # a star's inner radius over its outer one
RING_INNER = 0.6  # a ring's hole radius over its outer one
WAVE_AMPLITUDE = 0.045
WAVE_PERIODS = 2
_WAVE_STEPS = 48


@dataclass(frozen=True)
class Shape:
    """One object of a scene.

    Attributes:
        kind: One of :data:`CELL_SHAPES` or :data:`BANDS`.
        colour: A palette name.
        x: Its centre, as a fraction of the width (ignored for bands, which span the width).
        y: Its centre, as a fraction of the height.
        size: See the module docstring.
        phase: A wave's phase (radians).
        width: A ``rect``'s full width (fraction of the canvas width).
        height: A ``rect``'s full height (fraction of the canvas height).
        points: A ``polygon``'s vertices, in order (fractions of the canvas).
        angle: Clockwise turn about ``(x, y)``, in degrees (not for bands).
        inner: A ring's hole radius over its outer radius.
    """

    kind: str
    colour: str
    x: float
    y: float
    size: float
    phase: float = 0.0
    width: float = 0.0
    height: float = 0.0
    points: tuple[tuple[float, float], ...] = ()
    angle: float = 0.0
    inner: float = RING_INNER

    def __post_init__(self) -> None:
        if self.angle and self.kind in BANDS:
            raise ValueError(f"a {self.kind} spans the canvas and cannot be turned (angle {self.angle})")
        if self.kind == "polygon" and len(self.points) < 3:
            raise ValueError(f"a polygon needs at least 3 points, not {len(self.points)}")
        if not 0.0 <= self.inner < 1.0:
            raise ValueError(f"a ring's inner ratio must be in [0, 1), not {self.inner}")

    @property
    def is_band(self) -> bool:
        """Whether it spans the canvas's width (a stripe or a wave)."""
        return self.kind in BANDS

    def moved(self, x: float, y: float) -> Shape:
        """The same shape centred elsewhere."""
        return replace(self, x=x, y=y)

    def box(self) -> tuple[float, float, float, float]:
        """``(left, top, right, bottom)`` of its outline."""
        if self.kind == "stripe":
            return (0.0, self.y - self.size, 1.0, self.y + self.size)
        if self.kind == "wave":
            return (0.0, self.y - self.size - WAVE_AMPLITUDE, 1.0, self.y + self.size + WAVE_AMPLITUDE)
        points = self.outline()
        if points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            return (min(xs), min(ys), max(xs), max(ys))
        return (self.x - self.size, self.y - self.size, self.x + self.size, self.y + self.size)

    def area(self) -> float:
        """Its area (the ring's without its hole), as a share of the canvas, uncut and unhidden."""
        r = self.size
        if self.kind == "rect":
            return self.width * self.height
        if self.kind == "polygon":
            return polygon_area(list(self.points))
        return {"circle": math.pi * r * r, "square": 4 * r * r,
                "ring": math.pi * r * r * (1 - self.inner ** 2), "triangle": 3 * math.sqrt(3) / 4 * r * r,
                "star": 5 * r * r * STAR_INNER * math.sin(math.pi / 5),
                "stripe": 2 * r, "wave": 2 * r}[self.kind]

    def outline(self) -> list[tuple[float, float]]:
        """The polygon of a triangle, a star, a wave, a rect, a polygon or a turned square (else ``[]``)."""
        points = self._upright_outline()
        if self.angle and points:
            return turned(points, self.x, self.y, self.angle)
        return points

    @property
    def is_polygon(self) -> bool:
        """Whether programs draw it from its outline (not as a circle, ring, band or upright box)."""
        if self.kind in ("circle", "ring", *BANDS):
            return False
        return bool(self.angle) or self.kind not in ("square", "rect")

    def _upright_outline(self) -> list[tuple[float, float]]:
        x, y, r = self.x, self.y, self.size
        if self.kind == "rect":
            w, h = self.width / 2, self.height / 2
            return [(x - w, y - h), (x + w, y - h), (x + w, y + h), (x - w, y + h)]
        if self.kind == "polygon":
            return list(self.points)
        if self.kind == "square" and self.angle:
            return [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
        if self.kind == "triangle":  # apex up, centroid at (x, y)
            return [(x, y - r), (x + r * math.sqrt(3) / 2, y + r / 2), (x - r * math.sqrt(3) / 2, y + r / 2)]
        if self.kind == "star":  # five points, the first straight up
            points = []
            for k in range(10):
                rr = r if k % 2 == 0 else r * STAR_INNER
                points.append((x + rr * math.sin(k * math.pi / 5), y - rr * math.cos(k * math.pi / 5)))
            return points
        if self.kind == "wave":
            xs = [-0.01 + 1.02 * i / _WAVE_STEPS for i in range(_WAVE_STEPS + 1)]
            centre = [y + WAVE_AMPLITUDE * math.sin(2 * math.pi * WAVE_PERIODS * u + self.phase) for u in xs]
            return ([(u, c - r) for u, c in zip(xs, centre, strict=True)]
                    + [(u, c + r) for u, c in reversed(list(zip(xs, centre, strict=True)))])
        return []

    def contains(self, px: np.ndarray, py: np.ndarray, *, filled: bool = False) -> np.ndarray:
        """Which points ``(px, py)`` it covers (``filled``: a ring's hole counts as inside)."""
        x, y, r = self.x, self.y, self.size
        if self.kind in ("circle", "ring"):
            d2 = (px - x) ** 2 + (py - y) ** 2
            inside = d2 <= r * r
            return inside if (self.kind == "circle" or filled) else inside & (d2 >= (self.inner * r) ** 2)
        if self.kind == "rect" and not self.angle:
            return (np.abs(px - x) <= self.width / 2) & (np.abs(py - y) <= self.height / 2)
        if self.kind == "square" and not self.angle:
            return (np.abs(px - x) <= r) & (np.abs(py - y) <= r)
        if self.kind == "stripe":
            return np.abs(py - y) <= r
        if self.kind == "wave":
            centre = y + WAVE_AMPLITUDE * np.sin(2 * np.pi * WAVE_PERIODS * px + self.phase)
            return np.abs(py - centre) <= r
        return polygon_contains(self.outline(), px, py)


def polygon_contains(polygon: list[tuple[float, float]], px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Even-odd point-in-polygon test, vectorised over the points."""
    inside = np.zeros(np.broadcast(px, py).shape, dtype=bool)
    for (xa, ya), (xb, yb) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if ya == yb:
            continue
        crosses = (ya > py) != (yb > py)
        x_at = xa + (py - ya) * (xb - xa) / (yb - ya)
        inside ^= crosses & (px < x_at)
    return inside


def polygon_area(polygon: list[tuple[float, float]]) -> float:
    """The area of a simple polygon (the shoelace formula)."""
    pairs = zip(polygon, polygon[1:] + polygon[:1], strict=True)
    twice = sum(xa * yb - xb * ya for (xa, ya), (xb, yb) in pairs)
    return abs(twice) / 2


def turned(points: list[tuple[float, float]], cx: float, cy: float, angle: float
           ) -> list[tuple[float, float]]:
    """``points`` turned clockwise on the screen (``y`` down) by ``angle`` degrees about ``(cx, cy)``."""
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    return [(cx + (px - cx) * c - (py - cy) * s, cy + (px - cx) * s + (py - cy) * c) for px, py in points]


def mirrored(shape: Shape) -> Shape:
    """The shape reflected left-right about the canvas's vertical centre line."""
    if shape.kind == "wave":  # sin(2πk(1-u) + φ) = sin(2πku + π - φ) for a whole number k of periods
        return replace(shape, phase=(math.pi - shape.phase) % (2 * math.pi))
    if shape.kind == "polygon" or shape.angle:  # a mirror turns the other way
        return replace(shape, x=1.0 - shape.x, angle=-shape.angle,
                       points=tuple((1.0 - px, py) for px, py in shape.points))
    return replace(shape, x=1.0 - shape.x)
