"""Each check kind evaluated on a picture (and, for the program checks, on the code).

:func:`evaluate` gives one :class:`Outcome` per check: passed or failed with a sentence a person
reads ("expected 3 red regions, found 2"), or not applicable (a program check of another
language). Measures are in fractions of the canvas (see :mod:`rewards.checks.picture`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rewards.checks.colour_names import term_of
from rewards.checks.colours import Colour, contrast_ratio, parse_colour
from rewards.checks.picture import Picture
from rewards.checks.program import program_check
from rewards.checks.regions import Region, dilate, dilate_disc, label, regions_of
from rewards.checks.shapes import is_shape, looks_like
from rewards.checks.spec import AREAS, Check, target_words

#: Directional relations without a stated ``margin``: the centres must lie apart by this share of
#: the two sides' extents along the axis added together (GenEval's ``POSITION_THRESHOLD``, 0.1 x
#: (dim_a + dim_b)): "above" is relative to the objects, not a distance on the canvas no prompt states.
RELATION_SHARE = 0.1
#: ``touching``'s default reach, in fractions of the longer side.
TOUCH_DISTANCE = 0.02
#: A ``position`` check's centre must lie this far (a share of the canvas) inside its area's edges that
#: cut the canvas: an object centred on the middle line is in neither half. Read by hand in learning
#: run 4's samples: a circle centred at (0.5, 0.5) passed "on the left half" (its centre 0.500, the
#: bound inclusive), so one centred object passed every half at once. The oracle calls a centre this
#: close to an edge too close to call (``tasks/shapes/oracle.py``), so no check verdict it can decide
#: changes; the generator's references lie at least 0.133 inside (3,771 objects, levels 0-4,
#: ``tests/rewards/test_position_margin.py``).
POSITION_MARGIN = 0.015
INSIDE_SHARE = 0.9  # the share of a region that must lie inside the other colour's filled regions
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


@dataclass(frozen=True)
class Outcome:
    """What one check found.

    Attributes:
        check: The check.
        passed: True, False, or ``None`` when the check does not apply (a program check of another
            language): it is then left out of the score.
        sentence: What was found; for a failed check, what was expected and what was found instead.
    """

    check: Check
    passed: bool | None
    sentence: str


def evaluate(checks: Sequence[Check], picture: Picture, code: str, language: str) -> list[Outcome]:
    """Evaluate every check on a picture and its program."""
    out = []
    for check in checks:
        if check.kind in _PICTURE_CHECKS:
            passed, sentence = _PICTURE_CHECKS[check.kind](picture, check.params)
        else:
            passed, sentence = program_check(check.kind, check.params, code, language)
        out.append(Outcome(check, passed, sentence))
    return out


# ---------------------------------------------------------------------- words
def pct(x: float) -> str:
    """A share as a percentage with the precision it needs."""
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"


def share_range(lo: float, hi: float) -> str:
    """``"2%-8%"``, ``"at least 2%"`` or ``"at most 8%"``."""
    if hi >= 1.0:
        return f"at least {pct(lo)}"
    if lo <= 0.0:
        return f"at most {pct(hi)}"
    return f"{pct(lo)}-{pct(hi)}"


def cell_of(x: float, y: float) -> str:
    """The 3x3 grid cell a point is in (``top-left``, ``top``, ... ``centre`` ...)."""
    row = ("top", "", "bottom")[min(2, int(y * 3))]
    col = ("left", "", "right")[min(2, int(x * 3))]
    return "-".join(p for p in (row, col) if p) or "centre"


def nearest_name(rgb: Any) -> str:
    """What a person calls an sRGB colour: its colour term (``"navy"`` for ``#000080``)."""
    return term_of(rgb)


def _regions_word(n: int, colour: Colour) -> str:
    return f"{n} {colour.name} region" + ("" if n == 1 else "s")


def _regions(pic: Picture, p: dict[str, Any], key: str = "colour") -> list[Region]:
    return pic.regions(p[key], p["tolerance"], p["min_area"])


def _each(regions: list[Region], colour: Colour, ok: Callable[[Region], bool], expected: str,
          describe: Callable[[Region], str]) -> tuple[bool, str]:
    """A check that every region of a colour passes: the sentence names the first that does not."""
    if not regions:
        return False, f"expected {expected}, found no {colour.name} region"
    bad = [r for r in regions if not ok(r)]
    if not bad:
        return True, f"all {_regions_word(len(regions), colour)} as expected"
    return False, f"expected {expected}; {len(bad)} of {len(regions)} {describe(bad[0])}"


# ---------------------------------------------------------------------- picture checks
def _background(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    colour: Colour = p["colour"]
    share = float(pic.mask(colour, p["tolerance"])[pic.border()].mean())
    if share >= p["min_share"]:
        return True, f"{pct(share)} of the border is {colour.name}"
    found = nearest_name(pic.background()[1])
    if found == colour.name:  # the right colour, on too little of the border: say so, not "found mostly X"
        return False, (f"expected a {colour.name} background on at least {pct(p['min_share'])} of the "
                       f"border, found {pct(share)}: something drawn covers the rest of the edges")
    return False, (f"expected a {colour.name} background, found mostly {found} along the edges "
                   f"({pct(share)} of the border is {colour.name})")


def _colour(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    """Is the colour there: at least one object of it (a region of ``min_area`` or more)?

    Presence only: how much of the colour there is belongs to ``size`` (each object) and
    ``coverage`` (everything drawn), so that one object drawn too large fails the claims about
    size, not the claim that its colour is present.
    """
    regions = _regions(pic, p)
    colour: Colour = p["colour"]
    if regions:
        return True, (f"{colour.name} is there ({_regions_word(len(regions), colour)}, the largest "
                      f"{pct(regions[0].area)})")
    share = float(pic.mask(colour, p["tolerance"]).mean())
    found = "none" if share < 0.0005 else f"only specks covering {pct(share)}"
    return False, (f"expected something {colour.name} (at least {pct(p['min_area'])} of the canvas in one "
                   f"piece), found {found}")


def _count(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    n = len(_regions(pic, p))
    colour: Colour = p["colour"]
    if "count" in p:
        ok, expected = n == p["count"], _regions_word(p["count"], colour)
    else:
        lo, hi = p.get("min", 0), p.get("max")
        ok = lo <= n and (hi is None or n <= hi)
        what = f"{colour.name} regions"
        expected = (f"at least {lo} {what}" if hi is None else f"at most {hi} {what}" if lo == 0
                    else f"{lo}-{hi} {what}")
    return ok, f"found {_regions_word(n, colour)}" if ok else f"expected {expected}, found {n}"


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
    return _each(_regions(pic, p), p["colour"], ok,
                 f"each {p['colour'].name} region {' and '.join(parts) or 'to be any size'}",
                 lambda r: f"covers {pct(r.area)} and reaches {pct(reach(r)[0])} across")


def _aspect(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    lo, hi = p["min"], p["max"]
    return _each(_regions(pic, p), p["colour"], lambda r: lo <= r.aspect <= hi,
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

    return _each(_regions(pic, p), p["colour"], inside,
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

    def reach(r: Region) -> float:
        left, top, right, bottom = r.box
        return max(right - left, bottom - top)

    def spans(r: Region) -> bool:  # a stripe or a wave runs across the canvas, not a bar in a corner
        return not whole or reach(r) >= BAND_SPAN

    def describe(r: Region) -> str:
        edges = [] if whole else cut_by(r)
        cut = f", cut by the {' and '.join(edges)} edge" if edges else ""
        short = "" if spans(r) else f", across only {pct(reach(r))} of the canvas"
        return f"looks like {looks_like(seen(r))}{cut}{short}"

    return _each(_regions(pic, p), p["colour"],
                 lambda r: (whole or not cut_by(r)) and spans(r) and is_shape(seen(r), shape),
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
    return _each(_regions(pic, p), p["colour"], lambda r: not r.edges_touched(),
                 f"no {p['colour'].name} region cut by the canvas edge",
                 lambda r: f"touches the {' and '.join(r.edges_touched())} edge")


def _union_centroid(regions: list[Region]) -> tuple[float, float]:
    w = np.array([r.pixels for r in regions], dtype=np.float64)
    xs = np.array([r.centroid[0] for r in regions])
    ys = np.array([r.centroid[1] for r in regions])
    return float((xs * w).sum() / w.sum()), float((ys * w).sum() / w.sum())


def _relation(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    a: Colour = p["a"]
    b: Colour = p["b"]
    rel = p["relation"]
    words = f"{a.name} {rel.replace('_', ' ')} {b.name}"
    ra = pic.regions(a, p["tolerance"], p["min_area"])
    rb = pic.regions(b, p["tolerance"], p["min_area"])
    missing = [c.name for c, rs in ((a, ra), (b, rb)) if not rs]
    if missing:
        return False, f"expected {words}, found no {' and no '.join(missing)} region"
    if rel == "inside":
        return _inside(pic, ra, rb, words)
    if rel == "touching":
        return _touching(pic, ra, rb, words, p.get("margin", TOUCH_DISTANCE))
    bx, by = _union_centroid(rb)
    axis, sign = {"above": (1, -1), "below": (1, 1), "left_of": (0, -1), "right_of": (0, 1)}[rel]
    target = (bx, by)[axis]
    span_b = max(r.box[axis + 2] for r in rb) - min(r.box[axis] for r in rb)

    def margin(r: Region) -> float:  # a stated margin is a share of the canvas; else GenEval's rule
        stated = p.get("margin")
        return stated if stated is not None else RELATION_SHARE * (r.box[axis + 2] - r.box[axis] + span_b)

    bad = [r for r in ra if sign * (r.centroid[axis] - target) < margin(r)]
    if not bad:
        return True, f"{words}"
    unit = "height" if axis else "width"
    return False, (f"expected {words}; {len(bad)} of {_regions_word(len(ra), a)} is not (centre at "
                   f"{bad[0].centroid[axis]:.0%} of the {unit}, {b.name} at {target:.0%})")


def _inside(pic: Picture, ra: list[Region], rb: list[Region], words: str) -> tuple[bool, str]:
    container = np.zeros((pic.height, pic.width), dtype=bool)
    for r in rb:
        r.paint(container, filled=True)
    shares = []
    for r in ra:
        mine = np.zeros_like(container)
        r.paint(mine)
        shares.append(float((mine & container).sum()) / r.pixels)
    bad = [s for s in shares if s < INSIDE_SHARE]
    if not bad:
        return True, words
    return False, f"expected {words}; {len(bad)} of {len(ra)} lies only {pct(bad[0])} inside"


def _touching(pic: Picture, ra: list[Region], rb: list[Region], words: str, distance: float
              ) -> tuple[bool, str]:
    mask_a = np.zeros((pic.height, pic.width), dtype=bool)
    mask_b = np.zeros_like(mask_a)
    for r in ra:
        r.paint(mask_a)
    for r in rb:
        r.paint(mask_b)
    steps = max(1, round(distance * max(pic.width, pic.height)))
    if (dilate(mask_a, steps) & mask_b).any():
        return True, words
    return False, f"expected {words}; they are more than {pct(distance)} of the canvas apart"


#: A region of another colour whose pixels all but lie (:data:`OUTLINE_SHARE`) within this many analysis
#: pixels (1.9 % of the canvas) of one named object is an outline drawn around it, not another object:
#: "a red circle" drawn with a dark outline is a red circle (the reward cards' outlined pictures,
#: issue 54). One object: a shape wedged between two named ones is not an outline (the adversary).
#: The reach is a distance, read at the canvas's own resolution (:func:`outline_share`).
#: A drawn part with this share of it in the border ring is a frame: the page's, not the scene's.
FRAME_SHARE = 0.5
OUTLINE_REACH = 3
OUTLINE_SHARE = 0.9
#: A region whose surroundings are this much one named colour lies inside that object: a mark painted
#: on it, not its outline (an outline has the page, or another object, on its outer side).
ENCLOSED = 0.9


def enclosed_share(pic: Picture, region: Region, colours: Sequence[Colour], tolerance: float) -> float:
    """The most of a region's surroundings that one named colour covers (1.0: a mark inside that object).

    The surroundings: the analysis pixels two to three pixels out from the region (past its blended
    rim), seams left out. An outline drawn round an object has the object on its inner side and the
    page, the background or another object on its outer side (about half each); a star painted inside
    an orange square has orange all round (the adversary's L0-07: a pink star 11 % of the canvas
    across, inside the square, passed ``only`` as the square's outline, every pixel of it within the
    outline's reach of orange).
    """
    mask = np.zeros((pic.height, pic.width), dtype=bool)
    region.paint(mask)
    around = dilate(mask, 3) & ~dilate(mask, 1) & ~pic.seams
    total = int(around.sum())
    if not total:
        return 0.0
    return max((float((around & pic.mask(c, tolerance)).sum()) / total for c in colours), default=0.0)


def outline_share(pic: Picture, region: Region, named: Sequence[Region],
                  unknown: Callable[[Picture], np.ndarray], drawn: Callable[[Picture], np.ndarray],
                  min_area: float) -> float:
    """The most of a region of another colour that lies within the outline's reach of one named object.

    At least :data:`OUTLINE_SHARE`: the region is an outline drawn around that object. Read at the
    canvas's own resolution (as ``shape`` and ``size`` read small regions), the reach a distance
    (:func:`~rewards.checks.regions.dilate_disc`): the canvas is cut around the region; the region's
    pixels there are the ``unknown`` ones under it, a named object's the ``drawn`` ones (its colours')
    under it, each within one analysis pixel of it (their blended rims belong to no region at the
    analysis size). The reach is :data:`OUTLINE_REACH` analysis pixels in canvas pixels (9.6 at
    512 px) from the named object's edge, so half a pixel more from its pixels' centres. A region with
    fewer than ``min_area`` of the canvas of another colour there is a blend of the named colours at
    the analysis size, no object (1.0): a dark outline of a named colour is grey at 160 px.

    Read at the analysis size as a square of three pixels, a region a few pixels thick lost a row to
    its blended rim, and the square reached 1.4 times as far along the diagonals, so a compact region
    that a named object surrounds on three sides lay within reach: a cream cap 3.5 % of the canvas
    thick filling the top of a red ring's hole (a cream triangle behind the ring, the adversary's
    L1-18) lay 0.93 within it; read here, 0.74 at 512 px (0.73-0.79 from 160 to 1,024 px).
    """
    sw, sh = pic.source.size
    fx, fy = sw / pic.width, sh / pic.height
    reach = OUTLINE_REACH * max(fx, fy) + 0.5
    pad = OUTLINE_REACH + 2  # analysis pixels around the region: what lies within reach, and its rim
    ys, xs = np.nonzero(region.crop)
    top, left = max(0, region.top + int(ys.min()) - pad), max(0, region.left + int(xs.min()) - pad)
    bottom = min(pic.height, region.top + int(ys.max()) + 1 + pad)
    right = min(pic.width, region.left + int(xs.max()) + 1 + pad)
    near = [r for r in named if r.top < bottom and r.top + r.crop.shape[0] > top
            and r.left < right and r.left + r.crop.shape[1] > left]
    if not near:  # no named object within reach
        return 0.0
    x0, y0 = int(left * fx), int(top * fy)
    x1, y1 = min(sw, int(np.ceil(right * fx))), min(sh, int(np.ceil(bottom * fy)))
    cut = Picture(pic.source.crop((x0, y0, x1, y1)), side=max(x1 - x0, y1 - y0))
    rows = np.minimum(np.arange(y0, y1) * pic.height // sh, pic.height - 1)
    cols = np.minimum(np.arange(x0, x1) * pic.width // sw, pic.width - 1)

    def under(r: Region) -> np.ndarray:
        """The cut's pixels under a region of the analysis picture, or within one analysis pixel of it."""
        mask = np.zeros((pic.height, pic.width), dtype=bool)
        r.paint(mask)
        return dilate(mask, 1)[np.ix_(rows, cols)]

    mine = unknown(cut) & under(region)
    total = float(mine.sum())
    if total < max(1.0, min_area * sw * sh):
        return 1.0
    colours = drawn(cut)
    best = 0.0
    for other in near:
        pixels = colours & under(other)
        if pixels.any():
            best = max(best, float((mine & dilate_disc(pixels, reach)).sum()) / total)
    return best


def _only(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    """Nothing but the named colours: every other connected region is a speck.

    A pixel is accounted for when it is one of ``colours``, the named ``background`` or, with
    ``page`` (the default), the picture's own page: the colour term of the border ring's most common
    colour (a wrong page colour is the ``background`` claim's fault, not this one's; a white shape on
    a cream page is not the page; a picture that fills the canvas, a flag, has no page and says
    ``"page": false``). Seams (one-pixel blends where two colours meet)
    belong to nothing. What is left must hold no object (:func:`~rewards.checks.regions.regions_of`:
    ``min_area`` of the canvas with a core that survives the 2x2 erosion) that is not an outline
    hugging one named object (:func:`outline_share`).
    """
    tolerance = p["tolerance"]
    named: list[Colour] = [*p["colours"], *([p["background"]] if p.get("background") else [])]
    if p["page"]:  # the page by its colour term: a white shape on a cream page is not the page
        named.append(parse_colour(nearest_name(pic.background()[1])))

    def unknown(at: Picture) -> np.ndarray:
        known = np.zeros((at.height, at.width), dtype=bool)
        for colour in named:
            known |= at.mask(colour, tolerance)
        return ~known & ~at.seams

    def drawn(at: Picture) -> np.ndarray:  # the named colours' pixels (an outline's object is of one)
        out = np.zeros((at.height, at.width), dtype=bool)
        for colour in p["colours"]:
            out |= at.mask(colour, tolerance)
        return out & ~at.seams

    # the named colours' objects, not their pixels (which include the blended rim of another colour's
    # object: red on cream rims pink)
    named_objects = [r for colour in p["colours"] for r in pic.regions(colour, tolerance, p["min_area"])]
    rest = unknown(pic)
    found = regions_of(rest, p["min_area"])
    if pic.scale < 1.0:  # a thin object of another colour (see Picture.with_thin)
        objects = np.zeros_like(rest)
        for r in named_objects:
            r.paint(objects)
        # traced by colour term, as everything else here: a thin cream ring on a white page (ΔE 17,
        # within the tolerance of the page's colour) is an object of another colour (the adversary's L0-07)
        found = pic.with_thin(found, rest,
                              lambda cut: regions_of(unknown(cut), 0.0), p["min_area"], explained=objects)
    extra = [r for r in found
             if outline_share(pic, r, named_objects, unknown, drawn, p["min_area"]) < OUTLINE_SHARE
             or enclosed_share(pic, r, p["colours"], tolerance) >= ENCLOSED]
    words = " and ".join(dict.fromkeys(c.name for c in p["colours"]))
    if not extra:
        return True, f"nothing but {words} on the background"
    big = extra[0]
    mask = np.zeros((pic.height, pic.width), dtype=bool)
    big.paint(mask)
    found = nearest_name(pic.rgb[mask].mean(axis=0))
    more = f" ({len(extra)} such regions)" if len(extra) > 1 else ""
    return False, (f"expected nothing but {words} on the background; found {found} covering "
                   f"{pct(big.area)} in the {cell_of(*big.centroid)}{more}")


def _coverage(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    share = float(pic.content(p.get("background"), p["tolerance"]).mean())
    ok = p["min"] <= share <= p["max"]
    return ok, (f"{pct(share)} of the canvas is drawn on" if ok else
                f"expected {share_range(p['min'], p['max'])} of the canvas covered (not background), "
                f"found {pct(share)}")


def symmetry_score(pic: Picture, p: dict[str, Any]) -> float | None:
    """Mirror symmetry about the drawing's own axis: the middle of what is drawn, not of the canvas.

    "A mirror-symmetric row" says the row mirrors itself, not that it sits in the canvas's middle
    (where it sits is a ``position`` claim): a symmetric drawing moved 4 % to the side is still
    symmetric. The axis is the middle of the drawn pixels' extent along the flipped direction.
    Read at the canvas's own resolution: at the analysis size, the anti-aliased rims of a thin ring
    drawn symmetric are up to a fifth of its pixels and disagree with their mirror images (honest
    drawings, issue 54: 8 of 1,000 level-4 rows read 79-85 %). Colours are colour terms, as
    everywhere else: what is drawn is what is not the page's term, and a pixel agrees with its mirror
    image when both have one term and lie within ``tolerance`` (a cream square turned behind a
    symmetric row on a white page broke the symmetry to a person and to the adversary's oracle, and
    passed at 85 % when cream was within ΔE 20 of white). The page is the picture's own (its border's
    colour) and, where the check names one, the stated background as well: a row on a cream disc on a
    brown page is the row, not the disc (the adversary's L4-26 drew two blue circles of unlike sizes
    on an off-centre cream disc filling most of a brown page, and the near-symmetric disc read 88 %).
    Nor does a frame (:func:`frames`): it is symmetric about the canvas's middle and moves the axis
    there (the adversary's L4-08: a ghost-white frame 0.6 % of the canvas wide around a cream page
    lifted a row of unlike triangles from 67 % to 90 %).

    Returns:
        The share of the drawn pixels (and their mirror images' places) that agree with their mirror
        image, or ``None`` when nothing is drawn.
    """
    pic = pic.full
    flip = 1 if p["axis"] == "vertical" else 0
    page = parse_colour(nearest_name(pic.background()[1]))
    content = pic.content(page, p["tolerance"])  # by colour term: cream on a white page is drawn
    if p.get("background") is not None:
        content &= pic.content(p["background"], p["tolerance"])
    content &= ~frames(content, pic.border())
    if not content.any():
        return None
    along = np.flatnonzero(content.any(axis=1 - flip))
    n = content.shape[flip]
    # mirror index i -> lo + hi - i about the drawing's middle; outside the canvas counts as background
    index = along[0] + along[-1] - np.arange(n)
    valid = (index >= 0) & (index < n)
    inside = valid if flip else valid[:, None]  # a mirror image off the canvas is background
    safe = np.clip(index, 0, n - 1)
    mirrored_lab = np.take(pic.lab, safe, axis=flip)
    union = content | (np.take(content, safe, axis=flip) & inside)
    # a pixel agrees when its mirror image, or a neighbour of it across the axis, matches it: a
    # picture drawn symmetric but rasterised half a pixel off its centre is symmetric
    mirrored_terms = np.take(pic.terms, safe, axis=flip)
    agree = np.zeros(union.shape, dtype=bool)
    for shift in (-1, 0, 1):  # the same colour term, and near in colour
        near = np.linalg.norm(pic.lab - np.roll(mirrored_lab, shift, axis=flip), axis=-1) <= p["tolerance"]
        agree |= near & (pic.terms == np.roll(mirrored_terms, shift, axis=flip))
    return float((agree & inside & union).sum() / union.sum())


def frames(content: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """The parts of ``content`` that lie mostly (:data:`FRAME_SHARE`) in the border ``ring``: frames.

    Connected parts, so an object of the row that reaches into the ring (an honest row along the top,
    2 % from the edge) stays whole; cutting the ring out of everything failed two of 1,000 honest
    level-4 rows whose end object did.
    """
    labels, n = label(content)
    if not n:
        return np.zeros_like(content)
    inside = np.bincount(labels[content & ring], minlength=n + 1)
    total = np.bincount(labels[content], minlength=n + 1)
    framed = np.flatnonzero((total > 0) & (inside >= FRAME_SHARE * total))
    return np.isin(labels, framed[framed > 0])


def _symmetry(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    """Mirror symmetry about the drawing's own axis (:func:`symmetry_score`) of at least ``min``."""
    words = "left-right" if p["axis"] == "vertical" else "top-bottom"
    score = symmetry_score(pic, p)
    if score is None:
        return True, f"{words} mirror symmetry 100% (nothing drawn)"
    if score >= p["min"]:
        return True, f"{words} mirror symmetry {pct(score)}"
    return False, (f"expected {words} mirror symmetry (at least {pct(p['min'])} of the drawn pixels "
                   f"matching their mirror image), found {pct(score)}")


def _mean_rgb(pic: Picture, target: tuple[str, Any], p: dict[str, Any]) -> np.ndarray | None:
    what, value = target
    if what == "background":
        return pic.background()[1]
    if what == "area":
        left, top, right, bottom = AREAS[value]
        rows = slice(int(top * pic.height), max(int(top * pic.height) + 1, round(bottom * pic.height)))
        cols = slice(int(left * pic.width), max(int(left * pic.width) + 1, round(right * pic.width)))
        return pic.rgb[rows, cols].reshape(-1, 3).mean(axis=0)
    regions = pic.regions(value, p["tolerance"], p["min_area"])
    if not regions:
        return None
    mask = np.zeros((pic.height, pic.width), dtype=bool)
    for r in regions:
        r.paint(mask)
    return pic.rgb[mask].mean(axis=0)


def _contrast(pic: Picture, p: dict[str, Any]) -> tuple[bool, str]:
    words = f"{target_words(p['a'])} and {target_words(p['b'])}"
    means = [_mean_rgb(pic, p[side], p) for side in ("a", "b")]
    missing = [target_words(p[side]) for side, m in zip(("a", "b"), means, strict=True) if m is None]
    if missing:
        return False, (f"expected a contrast of at least {p['min']:g} between {words}, "
                       f"found no {missing[0]} region")
    ratio = contrast_ratio(means[0], means[1])
    ok = ratio >= p["min"]
    return ok, (f"contrast {ratio:.1f} between {words}" if ok else
                f"expected a contrast of at least {p['min']:g} between {words}, found {ratio:.1f}")


_PICTURE_CHECKS: dict[str, Callable[[Picture, dict[str, Any]], tuple[bool, str]]] = {
    "background": _background, "colour": _colour, "count": _count, "size": _size, "aspect": _aspect,
    "position": _position, "shape": _shape, "not_cut": _not_cut, "relation": _relation,
    "coverage": _coverage, "symmetry": _symmetry, "contrast": _contrast, "only": _only,
}
