"""Claims about the scene's objects: each colour's presence, count, size, proportions, place and kind.

Also whether the canvas edge cuts an object (``not_cut``).
Each check reads the connected regions of one colour (:meth:`~rewards.checks.picture.Picture.regions`).
In the claim graph (:mod:`rewards.checks.graph`) ``shape`` is an object's kind, the root its other
claims hang from; ``not_cut`` is a guard, not credit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rewards.checks.colours import Colour
from rewards.checks.picture import Picture
from rewards.checks.regions import Region, dilate
from rewards.checks.shapes import AT_EDGE, is_shape, looks_like
from rewards.checks.spec import AREAS
from rewards.checks.words import cell_of, pct, regions_word, share_range

#: A ``position`` check's centre must lie this far (a share of the canvas) inside its area's edges that
#: cut the canvas: an object centred on the middle line is in neither half. Read by hand in learning
#: run 4's samples: a circle centred at (0.5, 0.5) passed "on the left half" (its centre 0.500, the
#: bound inclusive), so one centred object passed every half at once. The oracle calls a centre this
#: close to an edge too close to call (``tasks/shapes/oracle.py``), so no check verdict it can decide
#: changes; the generator's references lie at least 0.133 inside (3,771 objects, levels 0-4,
#: ``tests/rewards/test_position_margin.py``).
POSITION_MARGIN = 0.015


#: A stripe or a wave reaches at least this share of the canvas along its length: a band runs across
#: (the generator, the honest artist and every flag draw them edge to edge); a triangle cut by the top
#: edge showed a long, upright trapezoid 29 % wide and passed "stripe" (the adversary, issue 54).
BAND_SPAN = 0.5


#: A region narrower than this (analysis pixels) has its shape read at the canvas's own resolution.
DETAIL_BELOW = 40


#: The shapes that span the canvas: a ``shape`` check lets them reach its edges.
BANDS: tuple[str, ...] = ("stripe", "wave")


#: A region lying along a canvas edge for more than this share of its width there is cut by it.
CUT_CONTACT = 0.25


#: Pixels, of the picture a reach is read on, granted to a ``size`` check's reach across the canvas
#: (``min_extent``/``max_extent``) in the passing direction. Measured on 2,544 renders of the suite's
#: triangles, stars, circles, squares and rings (reach 0.1-0.35, turned 0-40°, issue 54): read
#: at the canvas's own resolution, a reach is at most 0.007 of the canvas under the drawn one and 0.004
#: over on a 512 px canvas (3.6 and 1.8 px; 0.013 and 0.006 at 256 px); read at the analysis size, 0.023
#: under and 0.011 over. So a small region's reach plus one pixel is within 0.009 (0.017 at 256) of the
#: truth, inside the oracle's 10 % margin at the 0.2 bound (0.02); a large one's within 0.017 over, 0.029
#: under, inside it at 0.5 (0.05). Two analysis pixels at the analysis size passed a triangle 22 % wide
#: as "at most a fifth" (the adversary's L0-15).
EXTENT_SLACK = 1


def regions_for(pic: Picture, p: dict[str, Any], key: str = "colour") -> list[Region]:
    """The regions of a check's colour (its ``tolerance`` and ``min_area``)."""
    return pic.regions(p[key], p["tolerance"], p["min_area"])


def each_region(regions: list[Region], colour: Colour, ok: Callable[[Region], bool], expected: str,
                describe: Callable[[Region], str]) -> tuple[bool, str]:
    """A check that every region of a colour passes: the sentence names the first that does not."""
    if not regions:
        return False, f"expected {expected}, found no {colour.name} region"
    bad = [r for r in regions if not ok(r)]
    if not bad:
        return True, f"all {regions_word(len(regions), colour)} as expected"
    return False, f"expected {expected}; {len(bad)} of {len(regions)} {describe(bad[0])}"


def _colour(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    """Is the colour there: at least one object of it (a region of ``min_area`` or more)?

    Presence only: how much of the colour there is belongs to ``size`` (each object) and
    ``coverage`` (everything drawn), so that one object drawn too large fails the claims about
    size, not the claim that its colour is present.
    """
    regions = regions_for(pic, p)
    colour: Colour = p["colour"]
    if regions:
        return True, (f"{colour.name} is there ({regions_word(len(regions), colour)}, the largest "
                      f"{pct(regions[0].area)})")
    share = float(pic.mask(colour, p["tolerance"]).mean())
    found = "none" if share < 0.0005 else f"only specks covering {pct(share)}"
    return False, (f"expected something {colour.name} (at least {pct(p['min_area'])} of the canvas in one "
                   f"piece), found {found}")


def _count(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    n = len(regions_for(pic, p))
    colour: Colour = p["colour"]
    if "count" in p:
        ok, expected = n == p["count"], regions_word(p["count"], colour)
    else:
        lo, hi = p.get("min", 0), p.get("max")
        ok = lo <= n and (hi is None or n <= hi)
        what = f"{colour.name} regions"
        expected = (f"at least {lo} {what}" if hi is None else f"at most {hi} {what}" if lo == 0
                    else f"{lo}-{hi} {what}")
    return ok, f"found {regions_word(n, colour)}" if ok else f"expected {expected}, found {n}"


def across(region: Region) -> float:
    """How far a region reaches across the canvas: its box's longer side, in fractions of the canvas."""
    left, top, right, bottom = region.box
    return max(right - left, bottom - top)


def is_small(region: Region) -> bool:
    """Whether a region is read again at the canvas's own resolution (narrower than :data:`DETAIL_BELOW`)."""
    return min(region.crop.shape) < DETAIL_BELOW


def reach_of(pic: Picture, region: Region, colour: Colour, tolerance: float) -> tuple[float, float]:
    """A region's reach across the canvas (:func:`across`) and the slack it is granted.

    A small region's reach is read at the canvas's own resolution (:meth:`Picture.detailed`): at the
    analysis size its blended rims and thin tips belong to no region, and its reach reads up to 0.023
    of the canvas short (:data:`EXTENT_SLACK`). The slack is :data:`EXTENT_SLACK` pixels of the picture
    the reach was read on.
    """
    seen = pic.detailed(region, colour, tolerance) if is_small(region) else region
    return across(seen), EXTENT_SLACK / max(seen.width, seen.height)


def _size(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    """Every region's area and reach across the canvas in their ranges.

    The area is ``min``-``max`` of the canvas, the reach (:func:`reach_of`) ``min_extent``-``max_extent``,
    granted :data:`EXTENT_SLACK` pixels in the passing direction.
    """
    lo, hi = p["min"], p["max"]
    low, high = p.get("min_extent"), p.get("max_extent")

    def reach(r: Region) -> tuple[float, float]:
        return reach_of(pic, r, p["colour"], p["tolerance"])

    def wide(r: Region) -> bool:
        if low is None and high is None:
            return True
        x, slack = reach(r)
        return (low is None or low - slack <= x) and (high is None or x <= high + slack)

    def ok(r: Region) -> bool:
        return lo <= r.area <= hi and wide(r)

    parts = []
    if lo > 0 or hi < 1:
        parts.append(f"to cover {share_range(lo, hi)} of the canvas")
    if low is not None or high is not None:
        reach_words = share_range(low or 0.0, high if high is not None else 1.0)
        parts.append(f"to reach {reach_words} of the canvas across")
    return each_region(regions_for(pic, p), p["colour"], ok,
                 f"each {p['colour'].name} region {' and '.join(parts) or 'to be any size'}",
                 lambda r: f"covers {pct(r.area)} and reaches {pct(reach(r)[0])} across")


def _aspect(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    lo, hi = p["min"], p["max"]
    return each_region(regions_for(pic, p), p["colour"], lambda r: lo <= r.aspect <= hi,
                 f"each {p['colour'].name} region's width/height in {lo:g}-{hi:g}",
                 lambda r: f"is {r.aspect:.2f}")


def inner_area(area: str) -> tuple[float, float, float, float]:
    """``area``'s bounds, each edge inside the canvas moved :data:`POSITION_MARGIN` inwards."""
    left, top, right, bottom = AREAS[area]

    def inwards(bound: float, step: float) -> float:
        return bound + step if 0 < bound < 1 else bound

    return (inwards(left, POSITION_MARGIN), inwards(top, POSITION_MARGIN),
            inwards(right, -POSITION_MARGIN), inwards(bottom, -POSITION_MARGIN))


def _position(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    left, top, right, bottom = inner_area(p["area"])

    def inside(r: Region) -> bool:
        x, y = r.centroid
        return left <= x <= right and top <= y <= bottom

    return each_region(regions_for(pic, p), p["colour"], inside,
                 f"every {p['colour'].name} region's centre in the {p['area']}",
                 lambda r: f"is centred in the {cell_of(*r.centroid)}")


def _shape(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    shape = p["shape"]

    def seen(r: Region) -> Region:  # a small object's shape is read at the canvas's own resolution
        small = is_small(r)
        out = pic.detailed(r, p["colour"], p["tolerance"]) if small else r
        if p.get("holding") and shape != "ring":
            out = holding(pic.full if small else pic, out, p["holding"], p["tolerance"])
        return out

    # An object cut by the canvas edge does not show its kind (a square cut by the bottom edge shows a
    # rectangle, within the square's aspect); stripes and waves span the canvas and may reach it.
    whole = shape in BANDS
    at_edge = whole or shape in AT_EDGE  # drawn against the canvas's edge: read whole where it meets it

    def reach(r: Region) -> float:
        left, top, right, bottom = r.box
        return max(right - left, bottom - top)

    def spans(r: Region) -> bool:  # a stripe or a wave runs across the canvas, not a bar in a corner
        return not whole or reach(r) >= BAND_SPAN

    def describe(r: Region) -> str:
        edges = [] if at_edge else cut_by(r)
        cut = f", cut by the {' and '.join(edges)} edge" if edges else ""
        short = "" if spans(r) else f", across only {pct(reach(r))} of the canvas"
        return f"looks like {looks_like(seen(r))}{cut}{short}"

    return each_region(regions_for(pic, p), p["colour"],
                 lambda r: (at_edge or not cut_by(r)) and spans(r) and is_shape(seen(r), shape),
                 f"every {p['colour'].name} region to look like a {shape}", describe)


def holding(pic: Picture, region: Region, inner: Sequence[Colour], tolerance: float) -> Region:
    """The region with what the prompt puts inside it counted as its own, not as a hole.

    "A small pink square inside a green square": the pink square (and the one-pixel blend around it)
    makes a hole in the green region, and a person still sees a green square. The share of that hole
    follows the two sizes, which the prompt does not state (an honest drawing with the small square
    0.45 of the large one's side left a 25 % hole, issue 54). Only holes of the named colours are
    filled; one that shows the page stays a hole. ``pic`` is the picture the region was measured on.
    """
    box = (slice(region.top, region.top + region.crop.shape[0]),
           slice(region.left, region.left + region.crop.shape[1]))
    named = np.zeros((pic.height, pic.width), dtype=bool)
    for colour in inner:
        named |= pic.mask(colour, tolerance)
    inside = region.filled & ~region.crop & dilate(named, 1)[box]
    return Region(region.crop | inside, region.left, region.top, region.width, region.height)


def cut_by(region: Region) -> list[str]:
    """The canvas edges a region lies along for more than :data:`CUT_CONTACT` of its own width there.

    A shape cut by an edge lies along it (a square cut by the bottom edge, its whole width); one that
    only touches it does not (a circle drawn to touch the edges meets each at a point: found on
    Qwen's honest samples, issue 54). A square drawn flush with the edge cannot be told from a larger
    one cut there, and counts as cut, as ``not_cut`` counts it.
    """
    crop, out = region.crop, []
    lines = {"left": crop[:, 0], "right": crop[:, -1], "top": crop[0, :], "bottom": crop[-1, :]}
    for edge in region.edges_touched():
        line = lines[edge]
        if line.sum() > CUT_CONTACT * line.size:
            out.append(edge)
    return out


def _not_cut(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    return each_region(regions_for(pic, p), p["colour"], lambda r: not r.edges_touched(),
                 f"no {p['colour'].name} region cut by the canvas edge",
                 lambda r: f"touches the {' and '.join(r.edges_touched())} edge")


#: The object checks, by kind.
OBJECT_CHECKS: dict[str, Callable[[Picture, dict[str, Any]], tuple[bool, str]]] = {
    "colour": _colour, "count": _count, "size": _size, "aspect": _aspect, "position": _position,
    "shape": _shape, "not_cut": _not_cut,
}
