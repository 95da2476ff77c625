"""Connected regions of a mask, and what a check measures of each (numpy only, no scipy).

:func:`label` finds connected components from the mask's runs (one union-find over the runs of
each row: fast on pictures made of shapes, which have few runs). :func:`regions_of` keeps the
components that are objects, not specks: at least ``min_area`` of the canvas, with a core that
survives a 2x2 erosion (an anti-aliased one-pixel seam between two colours is a long thin line
of a third colour; it never survives, while the two pure pixels across a small ring's band do:
a 3x3 erosion lost every ring of radius 5 % rendered at 256 px). Seams that touch an object of
their colour are taken out before (:attr:`~rewards.checks.picture.Picture.seams`). Each
:class:`Region` knows its area, centroid, box, holes and convex hull, in fractions of the canvas
so that every measure is independent of the size the picture was rendered at.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


def _runs(mask: np.ndarray) -> list[list[tuple[int, int]]]:
    """Per row, the ``(start, end)`` (end exclusive) of its runs of set pixels."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)  # row-major: each row's runs in order
    ends = np.nonzero(steps == -1)[1]
    bounds = np.searchsorted(rows, np.arange(h + 1))
    starts_list, ends_list = starts.tolist(), ends.tolist()
    return [list(zip(starts_list[a:b], ends_list[a:b], strict=True))
            for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)]


def label(mask: np.ndarray, connectivity: int = 8) -> tuple[np.ndarray, int]:
    """Connected components of a 2-D bool mask.

    Args:
        mask: The pixels to group.
        connectivity: 8 (diagonal neighbours connect) or 4.

    Returns:
        ``(labels, n)``: an int32 array (0 outside the mask, 1..n for the components, in order
        of their first pixel in row-major order) and the number of components.
    """
    reach = 1 if connectivity == 8 else 0
    parent: list[int] = []

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows: list[list[tuple[int, int, int]]] = []  # per row: (start, end, run id)
    previous: list[tuple[int, int, int]] = []
    for runs in _runs(mask):
        current = []
        j = 0  # runs are sorted and disjoint: the previous row's candidates only move right
        for start, end in runs:
            rid = len(parent)
            parent.append(rid)
            while j < len(previous) and previous[j][1] + reach <= start:
                j += 1
            k = j
            while k < len(previous) and previous[k][0] < end + reach:
                a, b = find(previous[k][2]), find(rid)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                k += 1
            current.append((start, end, rid))
        rows.append(current)
        previous = current
    labels = np.zeros(mask.shape, dtype=np.int32)
    numbers: dict[int, int] = {}
    for y, current in enumerate(rows):
        for start, end, rid in current:
            root = find(rid)
            labels[y, start:end] = numbers.setdefault(root, len(numbers) + 1)
    return labels, len(numbers)


def erode(mask: np.ndarray) -> np.ndarray:
    """3x3 erosion (a pixel stays when it and its 8 neighbours are set; outside counts as unset)."""
    p = np.pad(mask, 1, constant_values=False)
    h, w = mask.shape
    out = np.ones_like(mask)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            out &= p[dy:dy + h, dx:dx + w]
    return out


def erode_2x2(mask: np.ndarray) -> np.ndarray:
    """2x2 erosion: a pixel stays when it and its right, lower and lower-right neighbours are set.

    A one-pixel line never survives it; a line two pixels wide (a small ring's pure colour) does.
    """
    out = mask.copy()
    out[:-1, :] &= mask[1:, :]
    out[:, :-1] &= mask[:, 1:]
    out[:-1, :-1] &= mask[1:, 1:]
    out[-1, :] = False
    out[:, -1] = False
    return out


def dilate(mask: np.ndarray, steps: int = 1) -> np.ndarray:
    """3x3 dilation, ``steps`` times (a Chebyshev distance of ``steps`` pixels)."""
    out = mask.copy()
    h, w = mask.shape
    for _ in range(steps):
        p = np.pad(out, 1, constant_values=False)
        grown = np.zeros_like(out)
        for dy in (0, 1, 2):
            for dx in (0, 1, 2):
                grown |= p[dy:dy + h, dx:dx + w]
        out = grown
    return out


def dilate_disc(mask: np.ndarray, radius: float) -> np.ndarray:
    """Dilation by a disc: the pixels whose centres lie within ``radius`` pixels (Euclidean) of a set one.

    :func:`dilate`'s square reaches 1.41 times as far along the diagonals. The disc is a stack of rows,
    each row a run as wide as the disc is there: the mask is widened once per run width (with a
    running sum), and each row of the disc ORs in that widening, shifted.
    """
    h, w = mask.shape
    out = np.zeros_like(mask)
    if not mask.any():
        return out
    runs = np.zeros((h, w + 1), dtype=np.int32)
    np.cumsum(mask, axis=1, out=runs[:, 1:])
    x = np.arange(w)
    widened: dict[int, np.ndarray] = {}
    reach = min(int(radius), h - 1)
    for dy in range(-reach, reach + 1):
        half = int(np.sqrt(max(0.0, radius * radius - dy * dy)) + 1e-9)
        if half not in widened:
            lo, hi = np.clip(x - half, 0, w), np.clip(x + half + 1, 0, w)
            widened[half] = runs[:, hi] > runs[:, lo]
        row = widened[half]
        if dy >= 0:
            out[dy:] |= row[:h - dy]
        else:
            out[:h + dy] |= row[-dy:]
    return out


def inner_distance(mask: np.ndarray) -> np.ndarray:
    """Each set pixel's Euclidean distance to the region's outline, in pixels (0 outside the region).

    The distance from a pixel's centre to the nearest unset pixel's centre (outside the mask counts
    as unset), less half a pixel: where the outline runs between them. Exact, in two passes: along
    the longer axis with running indices, then, row by row of the shorter axis, the least of the
    first pass's squares plus the squared offset (memory of one row pair at a time).
    """
    m = np.pad(mask, 1, constant_values=False)
    turned = m.shape[0] > m.shape[1]
    if turned:
        m = m.T
    h, w = m.shape
    idx = np.arange(w)
    far = 4 * (h + w)
    left = np.maximum.accumulate(np.where(m, -far, idx), axis=1)
    right = np.minimum.accumulate(np.where(m, far, idx)[:, ::-1], axis=1)[:, ::-1]
    along = np.minimum(idx - left, right - idx).astype(np.float64) ** 2
    ys = np.arange(h, dtype=np.float64)
    squared = np.empty((h, w))
    for y in range(h):
        squared[y] = np.min(along + ((ys - y) ** 2)[:, None], axis=0)
    out = np.where(m, np.sqrt(squared) - 0.5, 0.0)
    if turned:
        out = out.T
    return out[1:-1, 1:-1]


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """The mask with its holes filled (unset pixels that cannot reach the border, 4-connected)."""
    outside, n = label(~np.pad(mask, 1, constant_values=False), connectivity=4)
    if n == 0:
        return mask.copy()
    # the padded border is one component of the outside: the one holding pixel (0, 0)
    return (outside != outside[0, 0])[1:-1, 1:-1] | mask


@dataclass(frozen=True, eq=False)
class Region:
    """One connected region of a colour, measured on a picture of ``width x height`` pixels.

    Attributes:
        crop: The region's pixels within its box (bool, ``(bottom - top, right - left)``).
        left: The box's left column in the picture.
        top: The box's top row in the picture.
        width: The picture's width in pixels.
        height: The picture's height in pixels.
    """

    crop: np.ndarray
    left: int
    top: int
    width: int
    height: int

    @cached_property
    def pixels(self) -> int:
        """Its pixel count."""
        return int(self.crop.sum())

    @property
    def area(self) -> float:
        """Its share of the canvas."""
        return self.pixels / (self.width * self.height)

    @cached_property
    def centroid(self) -> tuple[float, float]:
        """``(x, y)`` of its centre of mass, in fractions of the canvas width and height."""
        ys, xs = np.nonzero(self.crop)
        return ((self.left + xs.mean() + 0.5) / self.width, (self.top + ys.mean() + 0.5) / self.height)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """``(left, top, right, bottom)`` in fractions of the canvas."""
        h, w = self.crop.shape
        return (self.left / self.width, self.top / self.height, (self.left + w) / self.width,
                (self.top + h) / self.height)

    @property
    def aspect(self) -> float:
        """Width over height of its upright frame (:attr:`frame`; within 1° of upright, its own box)."""
        return self.frame.aspect

    @property
    def tilt(self) -> float:
        """How far it is turned from upright, in degrees in (-45, 45] (see :func:`upright_frame`)."""
        return self.frame.tilt

    @cached_property
    def frame(self) -> Frame:
        """Its upright frame and the measures read in it (:func:`upright_frame`)."""
        return upright_frame(self.filled)

    @cached_property
    def frames(self) -> tuple[Frame, ...]:
        """The frames a shape may be read in: as drawn (its box, tilt 0), and its upright frame."""
        mask = self.filled
        h, w = mask.shape
        box = Frame(0.0, w / h, float(mask.mean()), _pixel_corners(mask))
        return (box,) if self.frame == box else (box, self.frame)

    @cached_property
    def filled(self) -> np.ndarray:
        """The crop with its holes filled."""
        return fill_holes(self.crop)

    @property
    def hole_share(self) -> float:
        """The share of the filled region that is hole (0 for a disc, 0.36 for a 0.6-ring)."""
        filled = int(self.filled.sum())
        return (filled - self.pixels) / filled if filled else 0.0

    @cached_property
    def evenness(self) -> float:
        """How evenly thick the filled region is: its mean inner distance over its greatest.

        A band of even thickness (a stripe, a wave drawn with one stroke) is about 0.5: its distances
        run evenly from 0 at its outline to half its thickness in its middle. A shape that tapers is
        about 1/3: a disc, a triangle, a star's cap (see :data:`rewards.checks.shapes.EVEN`).
        """
        d = inner_distance(self.filled)[self.filled]
        top = float(d.max()) if d.size else 0.0
        return float(d.mean()) / top if top > 0 else 0.0

    @property
    def extent(self) -> float:
        """The filled region's share of its upright frame (1 square, 0.785 disc, 0.5 triangle)."""
        return self.frame.extent

    @cached_property
    def solidity(self) -> float:
        """The filled region's share of its convex hull (1 for convex shapes, about 0.6 for a star)."""
        hull = convex_hull_area(self.filled)
        return float(self.filled.sum()) / hull if hull else 0.0

    @property
    def corners(self) -> float:
        """How much of its upright frame's four corners it fills (1 square, 0 disc, ring or upright star).

        Each corner is the right triangle whose legs are a quarter of the frame's shorter side: a
        disc never reaches it, a square fills it, an upright triangle fills the two at its base.
        """
        return self.frame.corners

    def edges_touched(self, margin: int = 0) -> list[str]:
        """The canvas edges the region reaches (within ``margin`` pixels)."""
        h, w = self.crop.shape
        out = []
        if self.left <= margin:
            out.append("left")
        if self.left + w >= self.width - margin:
            out.append("right")
        if self.top <= margin:
            out.append("top")
        if self.top + h >= self.height - margin:
            out.append("bottom")
        return out

    def paint(self, into: np.ndarray, *, filled: bool = False) -> None:
        """Set the region's pixels (its filled pixels with ``filled``) in a picture-sized mask."""
        crop = self.filled if filled else self.crop
        h, w = crop.shape
        into[self.top:self.top + h, self.left:self.left + w] |= crop


def regions_of(mask: np.ndarray, min_area: float) -> list[Region]:
    """The object regions of a mask (see the module docstring), largest first."""
    h, w = mask.shape
    labels, n = label(mask)
    if n == 0:
        return []
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    cores = np.bincount(labels[erode_2x2(mask)].ravel(), minlength=n + 1)
    min_pixels = max(1.0, min_area * w * h)
    out = []
    for i in range(1, n + 1):
        if sizes[i] < min_pixels or cores[i] < max(1.0, 0.2 * min_pixels):
            continue
        ys, xs = np.nonzero(labels == i)
        top, left = int(ys.min()), int(xs.min())
        crop = labels[top:int(ys.max()) + 1, left:int(xs.max()) + 1] == i
        out.append(Region(crop, left, top, w, h))
    out.sort(key=lambda r: -r.pixels)
    return out


def hull_points(mask: np.ndarray) -> list[tuple[float, float]]:
    """The convex hull of a mask's pixels (as unit squares), counter-clockwise ``(x, y)`` corners."""
    ys = np.flatnonzero(mask.any(axis=1))
    if ys.size == 0:
        return []
    rows = mask[ys]
    first = rows.argmax(axis=1).astype(np.float64)
    last = (rows.shape[1] - rows[:, ::-1].argmax(axis=1)).astype(np.float64)
    top, bottom = ys.astype(np.float64), ys + 1.0
    xs = np.concatenate([first, first, last, last])
    yv = np.concatenate([top, bottom, top, bottom])
    return _hull(sorted(set(zip(xs.tolist(), yv.tolist(), strict=True))))


def convex_hull_area(mask: np.ndarray) -> float:
    """The area of the convex hull of a mask's pixels (as unit squares), in pixels."""
    hull = hull_points(mask)
    area = 0.0
    for (xa, ya), (xb, yb) in zip(hull, hull[1:] + hull[:1], strict=True):
        area += xa * yb - xb * ya
    return abs(area) / 2.0


#: A rectangle this little larger than the smallest one around a shape is as good a frame for it.
_NEAR_SMALLEST = 1.01
_UPRIGHT_WITHIN = 1.0  # degrees: a shape this close to upright is measured on its own pixels


@dataclass(frozen=True)
class Frame:
    """A shape's upright frame and what is measured in it.

    Attributes:
        tilt: The frame's turn from the axes, degrees in (-45, 45].
        aspect: The frame's width over its height.
        extent: The filled shape's share of the frame.
        corners: How much of the frame's four corner triangles (legs a quarter of its shorter side)
            the shape fills.
    """

    tilt: float
    aspect: float
    extent: float
    corners: float


def upright_frame(mask: np.ndarray) -> Frame:
    """A shape's upright frame: the smallest rectangle around it, and its measures there.

    The frame is the smallest rectangle around the shape's convex hull (rotating calipers over the
    hull's edges); of the rectangles within 1 % of the smallest, the one nearest the axes (a
    square's four sides give one frame; an equilateral triangle's three give three alike). Within 1°
    of the axes the shape is measured on its own pixels, as it always was (its box, the pixels near
    its corners). Turned further, it is measured in the frame's own coordinates: its pixels' centres
    turned into the frame, the extent its pixel count over the frame's area, the corners the share
    of each corner triangle's area that pixel centres fill. No resampling: a turned shape keeps
    every pixel it has, and the frame is the hull's, so one stray pixel cannot widen it much.
    """
    h, w = mask.shape
    hull = hull_points(mask)
    frames = []
    for (xa, ya), (xb, yb) in zip(hull, hull[1:] + hull[:1], strict=True):
        if (xa, ya) == (xb, yb):
            continue
        angle = np.arctan2(yb - ya, xb - xa)
        degrees = (np.degrees(angle) + 45.0) % 90.0 - 45.0  # the edge's direction, modulo a right angle
        frames.append((*_bounds(hull, np.radians(degrees)), float(degrees)))
    if not frames:
        return Frame(0.0, w / h, float(mask.mean()), _pixel_corners(mask))
    smallest = min((u1 - u0) * (v1 - v0) for u0, u1, v0, v1, _ in frames)
    near = [f for f in frames if (f[1] - f[0]) * (f[3] - f[2]) <= _NEAR_SMALLEST * smallest]
    tilt = min(near, key=lambda f: abs(f[4]))[4]
    if tilt <= -45.0 + 1e-9:
        tilt = 45.0
    # Within a degree of upright a shape is measured on its own pixels, but not a long thin one: turned
    # 0.75-1 degrees, a stripe's ends lift its box by more than its thickness and it filled under
    # 80 % of it (the honest drawings of issue 54); its turned frame is exact, read from pixel centres.
    elongated = max(w, h) >= 3 * min(w, h)
    if abs(tilt) < _UPRIGHT_WITHIN and (tilt == 0.0 or not elongated):
        return Frame(tilt, w / h, float(mask.mean()), _pixel_corners(mask))
    ys, xs = np.nonzero(mask)
    a = np.radians(tilt)
    u = (xs + 0.5) * np.cos(a) + (ys + 0.5) * np.sin(a)  # pixel centres in the frame
    v = -(xs + 0.5) * np.sin(a) + (ys + 0.5) * np.cos(a)
    # the frame's sides half a pixel past the outermost centres: a turned edge's staircase reaches
    # further with its pixels' corners than with the shape, so the hull's own extent would be loose
    u0, u1, v0, v1 = u.min() - 0.5, u.max() + 0.5, v.min() - 0.5, v.max() + 0.5
    width, height = u1 - u0, v1 - v0
    k = max(1.0, 0.25 * min(width, height))
    du, dv, eu, ev = u - u0, v - v0, u1 - u, v1 - v
    inside = ((du + dv < k) | (eu + dv < k) | (du + ev < k) | (eu + ev < k)).sum()
    return Frame(tilt, width / height, float(xs.size / (width * height)),
                 float(min(1.0, inside / (2 * k * k))))


def _bounds(hull: list[tuple[float, float]], angle: float) -> tuple[float, float, float, float]:
    """The hull's extent along a frame turned by ``angle``: ``(u0, u1, v0, v1)``."""
    points = np.array(hull)
    c, s = np.cos(angle), np.sin(angle)
    u = points[:, 0] * c + points[:, 1] * s
    v = -points[:, 0] * s + points[:, 1] * c
    return float(u.min()), float(u.max()), float(v.min()), float(v.max())


def _pixel_corners(mask: np.ndarray) -> float:
    """The share of the box's four corner triangles (legs a quarter of its shorter side) the mask fills."""
    h, w = mask.shape
    k = max(1, round(0.25 * min(h, w)))
    i, j = np.indices((h, w))
    near = (i + j < k) | (i + (w - 1 - j) < k) | ((h - 1 - i) + j < k) | ((h - 1 - i) + (w - 1 - j) < k)
    return float(mask[near].mean())


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain: the hull of sorted points, counter-clockwise."""
    if len(points) <= 2:
        return points

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]
