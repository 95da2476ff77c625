"""Shapes for the ``knowledge`` suite's scenes, built from the ``shapes`` suite's primitives.

Coordinates are fractions of the canvas, ``y`` down (:mod:`codepaint_env.tasks.shapes.geometry`).
Curved outlines (a heart, a crescent's horns, a trefoil's blades) are polygons of enough points
that every language draws the same picture.

A rectangle or polygon that reaches the canvas edge is drawn past it by :data:`BLEED` (its
vertices on the edge pushed out along their inner edges' lines), so what shows inside the canvas is
the same and the margin a TikZ picture keeps around its bounding box (the ``standalone`` class's
4 pt border) shows the shape that reaches the edge there, not the background.
"""

from __future__ import annotations

import math

from codepaint_env.tasks.shapes.geometry import Shape

Point = tuple[float, float]
#: How far past the canvas edge a shape that reaches it is drawn (a fraction of the canvas).
BLEED = 0.05


def _r(v: float) -> float:
    return round(v, 4)


def _out(v: float) -> float:
    """A coordinate on the canvas edge pushed out by :data:`BLEED` (others as they are)."""
    return -BLEED if v <= 0.0 else 1.0 + BLEED if v >= 1.0 else v


def _on_edge(p: Point) -> bool:
    return p[0] <= 0.0 or p[0] >= 1.0 or p[1] <= 0.0 or p[1] >= 1.0


def bleed(points: list[Point]) -> list[Point]:
    """A polygon's vertices on the canvas edge pushed out (see the module docstring).

    A vertex on the edge next to an inner vertex moves along the line from that neighbour, so the
    edge between them keeps its line; one between two edge vertices moves straight out.
    """
    out = []
    n = len(points)
    for i, v in enumerate(points):
        if not _on_edge(v):
            out.append(v)
            continue
        inner = [u for u in (points[i - 1], points[(i + 1) % n]) if not _on_edge(u)]
        if not inner:
            out.append((_out(v[0]), _out(v[1])))
            continue
        u = inner[0]
        dx, dy = v[0] - u[0], v[1] - u[1]
        length = max(abs(dx), abs(dy)) or 1.0
        out.append((v[0] + BLEED * dx / length * 1.5, v[1] + BLEED * dy / length * 1.5))
    return out


def rect(c: str, x0: float, y0: float, x1: float, y1: float) -> Shape:
    """An upright rectangle from ``(x0, y0)`` to ``(x1, y1)`` (drawn past the canvas edge it reaches)."""
    x0, y0, x1, y1 = _out(x0), _out(y0), _out(x1), _out(y1)
    return Shape("rect", c, _r((x0 + x1) / 2), _r((y0 + y1) / 2), 0.0, width=_r(x1 - x0), height=_r(y1 - y0))


def bar(c: str, x: float, y: float, length: float, thickness: float, angle: float = 0.0) -> Shape:
    """A rectangle ``length`` long and ``thickness`` thick centred on ``(x, y)``, turned ``angle`` degrees."""
    return Shape("rect", c, _r(x), _r(y), 0.0, width=_r(length), height=_r(thickness), angle=angle)


def poly(c: str, points: list[Point] | tuple[Point, ...]) -> Shape:
    """A polygon through ``points`` (its turning centre: the mean of its vertices; drawn past the edge)."""
    pts = tuple((_r(x), _r(y)) for x, y in bleed(list(points)))
    return Shape(
        "polygon",
        c,
        _r(sum(p[0] for p in pts) / len(pts)),
        _r(sum(p[1] for p in pts) / len(pts)),
        0.0,
        points=pts,
    )


def disc(c: str, x: float, y: float, r: float) -> Shape:
    """A disc of radius ``r`` (a fraction of the canvas)."""
    return Shape("circle", c, _r(x), _r(y), _r(r))


def ring(c: str, x: float, y: float, r: float, inner: float = 0.6) -> Shape:
    """A ring of outer radius ``r`` whose hole has radius ``inner * r``."""
    return Shape("ring", c, _r(x), _r(y), _r(r), inner=inner)


def star(c: str, x: float, y: float, r: float, angle: float = 0.0) -> Shape:
    """A five-pointed star of circumradius ``r``, one point up (turned by ``angle`` degrees)."""
    return Shape("star", c, _r(x), _r(y), _r(r), angle=angle)


def square(c: str, x: float, y: float, half: float, angle: float = 0.0) -> Shape:
    """A square of half-side ``half`` (turned by ``angle`` degrees: 45 makes a diamond)."""
    return Shape("square", c, _r(x), _r(y), _r(half), angle=angle)


def regular(c: str, x: float, y: float, r: float, sides: int, start: float = 0.0) -> Shape:
    """A regular polygon of circumradius ``r``; its first vertex at ``start`` degrees clockwise from up."""
    return poly(
        c,
        [
            (
                x + r * math.sin(math.radians(start + 360 * k / sides)),
                y - r * math.cos(math.radians(start + 360 * k / sides)),
            )
            for k in range(sides)
        ],
    )


def triangle(c: str, a: Point, b: Point, d: Point) -> Shape:
    """The triangle through three points."""
    return poly(c, [a, b, d])


def arc_points(x: float, y: float, r: float, start: float, end: float, steps: int) -> list[Point]:
    """Points along a circle, from ``start`` to ``end`` degrees clockwise from up."""
    return [
        (
            x + r * math.sin(math.radians(start + (end - start) * i / steps)),
            y - r * math.cos(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def sector(c: str, x: float, y: float, r0: float, r1: float, start: float, end: float) -> Shape:
    """The ring between radii ``r0`` < ``r1``, from ``start`` to ``end`` degrees clockwise from up."""
    steps = max(4, round(abs(end - start) / 6))
    outer = arc_points(x, y, r1, start, end, steps)
    inner = arc_points(x, y, r0, end, start, steps) if r0 > 0 else [(x, y)]
    return poly(c, outer + inner)


def heart(c: str, x: float, y: float, s: float) -> Shape:
    """A heart about ``2 s`` wide centred near ``(x, y)`` (the classic parametric curve)."""
    pts = []
    for i in range(48):
        t = 2 * math.pi * i / 48
        hx = 16 * math.sin(t) ** 3
        hy = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((x + s * hx / 16, y - s * (hy + 2.5) / 16))
    return poly(c, pts)


def spade_blade(c: str, x: float, y: float, s: float) -> Shape:
    """An upside-down heart: the blade of a spade."""
    up = heart(c, x, y, s)
    return poly(c, [(px, 2 * y - py) for px, py in up.points])
