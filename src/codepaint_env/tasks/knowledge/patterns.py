"""Named drawings too special for a record's primitives: each returns a list of shapes.

A record's ``shapes`` name the :mod:`.draw` primitives (``rect``, ``disc``, ``star``...) with their
arguments; a few things are drawn by a rule no list of primitives says as well (the stripes of a
banded flag, a Nordic cross's proportions, a maple leaf's outline, fifty stars in rows). Those are
here, by name, and a record calls them the same way (``["nordic", "blue", "yellow", null, [5, 2, 9],
[4, 2, 4]]``). Those up to :func:`chequer` are the code that drew their facts before the facts became
data, unchanged, so every reference picture is the same byte for byte; the rest (:func:`star_points`,
:func:`crescent`, :func:`sun`, :func:`wheel`, :func:`half_disc`, :func:`rising_sun`, :func:`rays`,
:func:`hexagram`, :func:`block_letter`) draw the emblems of the facts added in suite version 3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from codepaint_env.tasks.knowledge.draw import bar, disc, poly, rect, ring, star
from codepaint_env.tasks.shapes.geometry import Shape


def bands(colours: Sequence[str], vertical: bool, ratios: Sequence[float] | None = None) -> list[Shape]:
    """Stripes across the whole canvas (left to right when ``vertical``, else top to bottom)."""
    weights = list(ratios or [1.0] * len(colours))
    total, edge, out = sum(weights), 0.0, []
    for c, w in zip(colours, weights, strict=True):
        lo, hi = edge / total, (edge + w) / total
        out.append(rect(c, lo, 0.0, hi, 1.0) if vertical else rect(c, 0.0, lo, 1.0, hi))
        edge += w
    return out


def nordic(field: str, cross: str, border: str | None, x: Sequence[float], y: Sequence[float]) -> list[Shape]:
    """A Nordic cross: ``x`` and ``y`` are the stripes' widths (field, [border,] cross, [border,] field)."""

    def edges(parts: Sequence[float]) -> list[float]:
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


def maple_leaf(c: str, x: float, y: float, s: float) -> list[Shape]:
    """Canada's eleven-pointed maple leaf, about ``s`` across, centred near ``(x, y)``."""
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
    return [poly(c, [(x + s * px, y + s * py) for px, py in right + left])]


def seven_point_star(c: str, x: float, y: float, r: float) -> list[Shape]:
    """A seven-pointed star of circumradius ``r`` (inner radius ``r / 2``), one point up."""
    pts = [
        (
            x + (r if k % 2 == 0 else 0.5 * r) * math.sin(k * math.pi / 7),
            y - (r if k % 2 == 0 else 0.5 * r) * math.cos(k * math.pi / 7),
        )
        for k in range(14)
    ]
    return [poly(c, pts)]


def us_stars(c: str) -> list[Shape]:
    """The fifty stars of the US flag's canton: nine rows of six and five in turn."""
    height = 7 / 13
    out = []
    for row in range(9):
        cy = height * (row + 1) / 10
        columns = (
            [(2 * j + 1) / 12 for j in range(6)] if row % 2 == 0 else [(2 * j + 2) / 12 for j in range(5)]
        )
        out += [star(c, 0.4 * cx, cy, 0.018) for cx in columns]
    return out


def star_ring(c: str, x: float, y: float, radius: float, r: float, n: int) -> list[Shape]:
    """``n`` five-pointed stars of circumradius ``r``, point up, on a circle of ``radius``, one at the top."""
    return [
        star(
            c,
            x + radius * math.sin(k * math.pi / (n / 2)),
            y - radius * math.cos(k * math.pi / (n / 2)),
            r,
        )
        for k in range(n)
    ]


def stop_letters(
    top: float = 0.42, height: float = 0.16, width: float = 0.11, gap: float = 0.03
) -> list[Shape]:
    """The word STOP in white block letters across the middle (the O's and P's holes red)."""
    st, mid, out = 0.035, top + height / 2, []
    for k, letter in enumerate("STOP"):
        x0 = 0.5 - (4 * width + 3 * gap) / 2 + k * (width + gap)
        x1, y1 = x0 + width, top + height
        bars = {
            "S": [
                (x0, top, x1, top + st),
                (x0, mid - st / 2, x1, mid + st / 2),
                (x0, y1 - st, x1, y1),
                (x0, top, x0 + st, mid),
                (x1 - st, mid, x1, y1),
            ],
            "T": [(x0, top, x1, top + st), ((x0 + x1 - st) / 2, top, (x0 + x1 + st) / 2, y1)],
            "O": [(x0, top, x1, y1)],
            "P": [(x0, top, x1, mid + st / 2), (x0, top, x0 + st, y1)],
        }[letter]
        out += [rect("white", *b) for b in bars]
        if letter in "OP":
            bottom = y1 - st if letter == "O" else mid - st / 2
            out.append(rect("red", x0 + st, top + st, x1 - st, bottom))
    return out


def yin_yang(x: float, y: float, r: float) -> list[Shape]:
    """The taijitu of radius ``r``: a white disc, its black half, the two half-size discs and the dots."""

    def sin(degrees: float) -> float:
        return math.sin(math.radians(degrees))

    def cos(degrees: float) -> float:
        return math.cos(math.radians(degrees))

    return [
        disc("white", x, y, r),
        poly("black", [(x + r * sin(a), y - r * cos(a)) for a in range(0, 181, 6)]),
        disc("white", x, y - r / 2, r / 2),
        disc("black", x, y + r / 2, r / 2),
        disc("black", x, y - r / 2, r / 7),
        disc("white", x, y + r / 2, r / 7),
    ]


def chequer(c: str, n: int) -> list[Shape]:
    """An ``n`` by ``n`` board's squares of ``c``: those whose row and column add up to an odd number."""
    return [
        rect(c, col / n, row / n, (col + 1) / n, (row + 1) / n)
        for row in range(n)
        for col in range(n)
        if (row + col) % 2 == 1
    ]


def star_points(c: str, x: float, y: float, r: float, n: int, inner: float = 0.5) -> list[Shape]:
    """A star of ``n`` points (circumradius ``r``, inner radius ``inner * r``), one point up."""
    pts = [
        (
            x + (r if k % 2 == 0 else inner * r) * math.sin(k * math.pi / n),
            y - (r if k % 2 == 0 else inner * r) * math.cos(k * math.pi / n),
        )
        for k in range(2 * n)
    ]
    return [poly(c, pts)]


def crescent(c: str, x: float, y: float, r: float, dx: float, dy: float, inner: float) -> list[Shape]:
    """The disc of radius ``r`` at ``(x, y)`` less the disc of radius ``inner`` at ``(x + dx, y + dy)``.

    The crescent opens toward ``(dx, dy)``; its outline is the outer circle's arc outside the inner
    disc and the inner circle's arc inside the outer one, so it is one polygon in every language.
    """
    d = math.hypot(dx, dy)
    phi = math.atan2(dy, dx)
    a = math.acos(max(-1.0, min(1.0, (r * r + d * d - inner * inner) / (2 * r * d))))
    b = math.acos(max(-1.0, min(1.0, (inner * inner + d * d - r * r) / (2 * inner * d))))
    steps = 40
    outer = [
        (x + r * math.cos(t), y + r * math.sin(t))
        for t in (phi + a + (2 * math.pi - 2 * a) * i / steps for i in range(steps + 1))
    ]
    back = [
        (x + dx + inner * math.cos(t), y + dy + inner * math.sin(t))
        for t in (phi + math.pi - b + 2 * b * i / steps for i in range(steps + 1))
    ]
    if math.dist(back[0], outer[-1]) > math.dist(back[-1], outer[-1]):
        back.reverse()
    return [poly(c, outer + back[1:-1])]


def sun(c: str, x: float, y: float, r: float, rays: int, inner: float = 0.6) -> list[Shape]:
    """A sun of ``rays`` pointed rays: a star polygon reaching ``r``, its body of radius ``inner * r``."""
    return star_points(c, x, y, r, rays, inner)


def wheel(c: str, x: float, y: float, r: float, spokes: int, width: float = 0.15) -> list[Shape]:
    """A spoked wheel: a rim of radius ``r`` (``width * r`` thick), ``spokes`` spokes and a hub."""
    out: list[Shape] = [ring(c, x, y, r, 1 - width), disc(c, x, y, 0.18 * r)]
    half = spokes // 2  # each bar through the hub is two spokes
    out += [bar(c, x, y, 2 * r * (1 - width / 2), 0.06 * r, 180 * k / half) for k in range(half)]
    return out


def half_disc(c: str, x: float, y: float, r: float, top: bool) -> list[Shape]:
    """The upper (``top``) or lower half of the disc of radius ``r`` at ``(x, y)``."""
    start = -90 if top else 90
    return [poly(c, [(x, y), *[(px, py) for px, py in _arc(x, y, r, start, start + 180)]])]


def _arc(x: float, y: float, r: float, start: float, end: float) -> list[tuple[float, float]]:
    steps = max(8, round(abs(end - start) / 5))
    return [
        (
            x + r * math.sin(math.radians(start + (end - start) * i / steps)),
            y - r * math.cos(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def rising_sun(c: str, x: float, y: float, r: float, reach: float, rays: int) -> list[Shape]:
    """A half sun rising from the line ``y``: a half disc of radius ``r``, ``rays`` rays out to ``reach``."""
    pts = [(x + r, y)]
    for k in range(1, 2 * rays):
        a = math.pi * k / (2 * rays)  # from the right, over the top, to the left
        rad = reach if k % 2 == 1 else r
        pts.append((x + rad * math.cos(a), y - rad * math.sin(a)))
    pts.append((x - r, y))
    return [poly(c, pts)]


def rays(c: str, x: float, y: float, targets: Sequence[Sequence[float]], width: float) -> list[Shape]:
    """Rays from ``(x, y)`` to each target point, each ``width`` wide where it meets the target."""
    out = []
    for tx, ty in targets:
        dx, dy = tx - x, ty - y
        length = math.hypot(dx, dy)
        nx, ny = -dy / length * width / 2, dx / length * width / 2
        out.append(poly(c, [(x, y), (tx + nx, ty + ny), (tx - nx, ty - ny)]))
    return out


def hexagram(c: str, x: float, y: float, r: float, stroke: float) -> list[Shape]:
    """A six-pointed star drawn as an outline: the edges of two triangles, ``stroke`` thick."""
    out = []
    for start in (0, 60):
        corners = [
            (x + r * math.sin(math.radians(start + 120 * k)), y - r * math.cos(math.radians(start + 120 * k)))
            for k in range(3)
        ]
        for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
            angle = math.degrees(math.atan2(by - ay, bx - ax))
            out.append(
                bar(c, (ax + bx) / 2, (ay + by) / 2, math.dist((ax, ay), (bx, by)) + stroke, stroke, angle)
            )
    return out


def block_letter(c: str, hole: str, letter: str, x: float, y: float, height: float) -> list[Shape]:
    """A capital ``P`` or ``H`` of block strokes, ``height`` tall, at ``(x, y)`` (the P's hole ``hole``)."""
    w, st = 0.62 * height, 0.18 * height
    x0, y0, x1, y1 = x - w / 2, y - height / 2, x + w / 2, y + height / 2
    if letter == "H":
        return [
            rect(c, x0, y0, x0 + st, y1),
            rect(c, x1 - st, y0, x1, y1),
            rect(c, x0, y - st / 2, x1, y + st / 2),
        ]
    if letter == "P":
        bowl = y0 + 0.58 * height
        return [
            rect(c, x0, y0, x0 + st, y1),
            rect(c, x0, y0, x1, bowl),
            rect(hole, x0 + st, y0 + st, x1 - st, bowl - st),
        ]
    raise ValueError(f"no block letter {letter!r} (P or H)")
