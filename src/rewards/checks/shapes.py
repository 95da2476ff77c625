"""What shape a region looks like, from six measures of it that do not depend on its size.

* ``aspect``: its upright box's width over height;
* ``extent``: the share of its upright box the region fills (holes filled): 1 square, 0.785 disc,
  0.5 triangle, about 0.36 five-pointed star;
* ``solidity``: the share of its convex hull it fills: about 1 for convex shapes, 0.6 for a star,
  under 0.8 for a wave;
* ``holes``: the share of the filled region that is hole: 0.36 for a ring of inner radius 0.6;
* ``corners``: how much of the four corners of its upright box it fills (right triangles with
  legs a quarter of the box's shorter side): 1 square, 0 disc and star, 0.5 upright triangle;
* ``tilt``: how far it is turned from upright, in degrees (0-45);
* the **ninths** of its box as drawn (the 3x3 cells of its axis-aligned box, how much of each it
  fills), for the shapes that are only themselves upright: ``top_corners`` (the lesser of the two top
  cells'), ``bottom_corners`` (the greater of the two bottom cells'), ``updown`` (the first less
  the second: a disc or a ring stands level, 0; a heart's lobes lift it to 0.6-0.8), ``corner_cells``
  (the greatest corner cell's), ``arms`` (the least of the four edge-middle cells') and ``middle`` (the centre
  cell's). A **cross** (the Red Cross, a plus sign) fills its middle and arms and none of its
  corners, and is not convex (a diamond fills its corners a little, 13 %, and is); a **heart** fills
  its top corners with its lobes and leaves its bottom corners by the point. Measured on the
  ``knowledge`` suite's references and drawings by another hand (tests/tasks/test_knowledge_honest.py):
  the Red Cross 0 / 1.0 / 1.0 (corners, arms, middle), the heart's top corners 0.86 and bottom 0.04,
  against a disc's 0.54 and 0.54 and a diamond's 0.13 and 0.13; a heart drawn by another hand, round
  enough to pass every other measure of a circle, has top corners 0.84 and bottom 0.20.

A region is the shape when it fits the rule **as drawn** (its axis-aligned box, its own pixels: how
the ranges were set) **or in its upright frame** (:func:`~rewards.checks.regions.upright_frame`:
the smallest rectangle around it, the measures read in that rectangle's coordinates). So a square
drawn 10° off the axes is measured as the square it is, not as the octagon its axis-aligned box
makes of it (its box's extent falls to 0.75 at 10°: every square rotated 5° lost its check).

A shape is a conjunction of ranges of these (:data:`SHAPE_RULES`). Turning, decided as a person
names shapes:

* a **square**, a **stripe** and a **wave** are squares, stripes and waves within
  :data:`MAX_TILT` (17.5°) of the axes: any shape the prompt asks for passes turned by up to ±10°
  (the measured tilt of a square is within ±2.5° of its drawn turn from radius 5 % of the canvas up),
  and from 25° on a square is a diamond, a stripe a diagonal, which the prompt did not ask for;
* a **triangle** and a **star** are triangles and stars at any turn (a triangle's sides give it
  three frames, one of them always within 15° of the axes), as are circles and rings, which have
  no turn.

A **lozenge** (the diamonds suit: a rhombus on a corner, taller or not) is read only as drawn
(:data:`LOZENGE`): it fills about half its box and none of the box's corners. A **diamond** is a square
turned at least :data:`DIAMOND_TILT` from the axes (a priority road sign). A **trapezium** (Kuwait's at
the hoist, :data:`TRAPEZIUM`) is read as drawn too, and may meet the canvas's edge (:data:`AT_EDGE`).

Three rules hold beyond the frame a shape fits in: a triangle's extent also holds in its smallest
frame (:data:`SMALLEST_FRAME`: a turned bar fits a triangle's axis-box measures), a star fills
its middle ninth (:data:`STAR_MIDDLE`: an arc fits a star's other measures), and a wave is evenly
thick (:data:`EVEN`: a star's cap cut by the canvas's edge fits a wave's other measures). All three
were found by the issue 54 adversary.

The ranges were set on the ``shapes`` suite's 600 references rendered at 160 and 512 pixels
(objects of radius 5 % of the canvas and up), with a margin on each side, and checked on every
shape turned from -45° to 45° (tests/rewards/checks/test_shape_turns.py).
"""

from __future__ import annotations

import numpy as np

from rewards.checks.regions import Frame, Region

_INF = float("inf")
#: The most a square, stripe or wave may be turned from the axes (degrees; see the module docstring).
MAX_TILT = 17.5
#: A ``diamond`` is a square turned at least this far from the axes (a priority road sign stands on a
#: corner, 45°; a square turned 25° already reads as a diamond to :func:`looks_like`).
DIAMOND_TILT = 30.0
_ROUND = (0.8, 1.25)  # the aspect of a shape as wide as it is tall
_SOLID = (0.0, 0.25)  # holes: none to speak of (a small object inside a square leaves one)
#: A disc has no hole; one whose hole is a tenth of it or more is a ring (the adversary of issue 54
#: drew rings of inner radius 0.45-0.5, holes 21-25 %, that passed "circle" under the shared 25 %).
_DISC = (0.0, 0.1)
#: A pointed top against a round one: the width 5 % of the height down over the width 20 % down
#: (a point grows as the depth, a round lobe as its square root; the spades of six public designs
#: 0.18-0.36, their clubs 0.60-0.69, a disc 0.55: docs/suit-glyphs.md; the threshold between the suits).
TIP = 0.47
#: A notch under a club's top lobe: the most the outline narrows, above its widest row, after it
#: has widened (a share of the box's width; the public clubs 0.024-0.22, their spades and a disc 0).
LOBES = 0.008
#: A stem that flares at its base: the most the outline widens again, below its widest row, after it
#: has narrowed (the public suits 0.061-0.234; a diamond, a heart or a disc 0; half the least).
FLARE = 0.03
#: The least share of its box's middle ninth a star fills: a five-pointed star fills all of it
#: (0.99-1.0 from radius 5 % to 30 % of the canvas, at 160 and 512 px), a star with points a quarter
#: as deep as long most of it; an arc of a ring, 0.
STAR_MIDDLE = 0.5
#: ``shape -> {measure: (low, high)}``: a region is the shape when every measure is in its range.
SHAPE_RULES: dict[str, dict[str, tuple[float, float]]] = {
    "circle": {"aspect": _ROUND, "extent": (0.62, 0.9), "solidity": (0.85, _INF), "holes": _DISC,
               "corners": (0.0, 0.45), "updown": (-0.25, 0.25)},
    "square": {"aspect": _ROUND, "extent": (0.85, _INF), "holes": _SOLID, "corners": (0.6, _INF),
               "tilt": (0.0, MAX_TILT)},
    "triangle": {"aspect": (0.4, 2.5), "extent": (0.38, 0.68), "solidity": (0.78, _INF), "holes": _SOLID,
                 "corners": (0.15, 0.6)},
    # A star is filled at its middle: the measures above also fit an arc (a ring cut by a corner of the
    # canvas, paid as "a pink star" by the issue 54 adversary, L4-09), whose middle ninth is empty.
    "star": {"aspect": _ROUND, "extent": (0.0, 0.55), "solidity": (0.0, 0.72), "holes": _SOLID,
             "middle": (STAR_MIDDLE, _INF)},
    "ring": {"aspect": _ROUND, "extent": (0.62, 0.9), "holes": (_DISC[1], _INF), "corners": (0.0, 0.45),
             "updown": (-0.25, 0.25)},
    "stripe": {"aspect": (3.0, _INF), "extent": (0.8, _INF), "tilt": (0.0, MAX_TILT)},
    "wave": {"aspect": (2.0, _INF), "extent": (0.0, 0.8), "solidity": (0.0, 0.85), "holes": _SOLID,
             "tilt": (0.0, MAX_TILT)},
    "cross": {"aspect": _ROUND, "solidity": (0.0, 0.85), "holes": _SOLID, "corner_cells": (0.0, 0.1),
              "arms": (0.4, _INF), "middle": (0.8, _INF)},
    "heart": {"aspect": (0.75, 1.35), "solidity": (0.8, _INF), "holes": _SOLID, "top_corners": (0.5, _INF),
              "bottom_corners": (0.0, 0.35), "updown": (0.4, _INF)},
    # the playing-card suits: a spade's top is a point, a club's a round lobe with a notch below it
    # (docs/suit-glyphs.md: six public designs of each, tip 0.18-0.36 against 0.60-0.69)
    "spade": {"aspect": (0.6, 1.25), "holes": _SOLID, "top_corners": (0.0, 0.4), "tip": (0.0, TIP),
              "widest": (0.3, 0.75), "flare": (FLARE, _INF)},
    "club": {"aspect": (0.6, 1.25), "holes": _SOLID, "top_corners": (0.0, 0.4), "tip": (TIP, _INF),
             "lobes": (LOBES, _INF), "widest": (0.3, 0.75), "flare": (FLARE, _INF)},
}
#: A ``lozenge`` (the diamonds suit: a rhombus standing on a corner, docs/suit-glyphs.md), read in its box as
#: drawn: it fills about half its box (a rhombus exactly half; rounded corners more), none of the box's
#: corner triangles, its middle ninth, and stands level (top corner cells as full as the bottom ones);
#: convex. Six public designs (five icon sets and DejaVu's U+2666): extent 0.51-0.61, corners 0, corner
#: cells 0.13-0.24, solidity 0.94-0.97, updown within 0.01. What it tells apart: a rectangle (extent 1,
#: corners 1), an ellipse (extent 0.78), a hexagon (0.75), an upright triangle (corners 0.38, updown
#: -0.77), a kite (updown 0.26). A square on its corner is one (the suit card's aspect says taller).
LOZENGE: dict[str, tuple[float, float]] = {"extent": (0.44, 0.68), "corners": (0.0, 0.1),
                                           "corner_cells": (0.0, 0.32), "middle": (0.9, _INF),
                                           "solidity": (0.9, _INF), "holes": _SOLID, "updown": (-0.15, 0.15)}
#: A ``trapezium`` (Kuwait's at the hoist: one side of its box whole, the opposite side shorter), read in
#: its box as drawn. Its extent is (1 + s) / 2 for a short side s of the long one, whatever its depth:
#: Kuwait's (s = 1/3) 0.67. Measured at 160 and 512 px (tests/rewards/checks/test_trapezium.py): Kuwait's
#: reference and trapezia by another hand (s 1/4 to 1/2, 1/5 to 1/3 of the flag deep) extent 0.63-0.75,
#: side corners (the fuller side's emptier corner cell) 0.83-0.88, far corners (the opposite side's
#: fuller one) 0.10-0.38; a band extent 1.00, a rounded band 0.95, a triangle 0.52, a half disc or half
#: ellipse at the hoist 0.78-0.79. So extent 0.58-0.76 tells it apart (s from 0.16 to 0.52). Still
#: passes: a segment of a disc cut by the hoist narrower than a half (noted in docs/knowledge.md).
TRAPEZIUM: dict[str, tuple[float, float]] = {"extent": (0.58, 0.76), "side_corners": (0.7, _INF),
                                             "far_corners": (0.0, 0.5), "solidity": (0.9, _INF),
                                             "holes": _SOLID}
#: The shapes read only in their box as drawn, each with its rule.
AS_DRAWN: dict[str, dict[str, tuple[float, float]]] = {"lozenge": LOZENGE, "trapezium": TRAPEZIUM}
#: Shapes drawn against the canvas's edge (a flag's hoist trapezium): read whole where they meet it.
AT_EDGE: tuple[str, ...] = ("trapezium",)
#: The measures read from the ninths of the box as drawn (in every frame: they say how the shape stands).
NINTHS: tuple[str, ...] = ("top_corners", "bottom_corners", "updown", "corner_cells", "arms", "middle",
                          "side_corners", "far_corners")
#: The measures read from the outline's width row by row, as drawn.
OUTLINE: tuple[str, ...] = ("tip", "lobes", "widest", "flare")


def outline(mask: np.ndarray) -> dict[str, float]:
    """The outline measures of a filled region's crop: ``tip``, ``lobes``, ``widest`` and ``flare``.

    ``widest``: where its widest row lies in the upper four fifths (0 top, 1 bottom); ``tip``: its width
    5 % of the height down over its width 20 % down; ``lobes``: the most its width falls, going down to
    the widest row, below the widest it has been; ``flare``: the most it widens again, from the widest
    row down, above the narrowest it has been (shares of the box's width; see :data:`TIP`,
    :data:`LOBES`, :data:`FLARE`).
    """
    h, w = mask.shape
    on = mask.any(axis=1)
    first = np.where(on, mask.argmax(axis=1), 0)
    last = np.where(on, w - 1 - mask[:, ::-1].argmax(axis=1), -1)
    widths = (last - first + 1) / w
    upper = widths[: max(1, int(0.8 * h))]
    widest = int(np.argmax(upper))
    run = np.maximum.accumulate(widths[: widest + 1])
    at = [widths[min(h - 1, int(share * h))] for share in (0.05, 0.2)]
    below = widths[widest:]
    return {"tip": float(at[0] / at[1]) if at[1] > 0 else 0.0,
            "lobes": float((run - widths[: widest + 1]).max()), "widest": widest / h,
            "flare": float((below - np.minimum.accumulate(below)).max())}


def ninths(mask: np.ndarray) -> dict[str, float]:
    """The ninths measures of a filled region's crop (see the module docstring)."""
    h, w = mask.shape
    ys = [0, round(h / 3), round(2 * h / 3), h]
    xs = [0, round(w / 3), round(2 * w / 3), w]
    cell = np.array([[mask[ys[i]:ys[i + 1], xs[j]:xs[j + 1]].mean() if ys[i + 1] > ys[i] and xs[j + 1] > xs[j]
                      else 0.0 for j in range(3)] for i in range(3)])
    corners = [cell[0, 0], cell[0, 2], cell[2, 0], cell[2, 2]]
    top, bottom = float(min(cell[0, 0], cell[0, 2])), float(max(cell[2, 0], cell[2, 2]))
    # each side's two corner cells, and the opposite side's: (left, right), (right, left), (top, bottom), ...
    sides = [((cell[0, 0], cell[2, 0]), (cell[0, 2], cell[2, 2])),
             ((cell[0, 0], cell[0, 2]), (cell[2, 0], cell[2, 2]))]
    pairs = [(near, far) for a, b in sides for near, far in ((a, b), (b, a))]
    near, far = max(pairs, key=lambda pair: min(pair[0]))
    return {"top_corners": top, "bottom_corners": bottom, "updown": top - bottom,
            "corner_cells": float(max(corners)),
            "arms": float(min(cell[0, 1], cell[1, 0], cell[1, 2], cell[2, 1])), "middle": float(cell[1, 1]),
            "side_corners": float(min(near)), "far_corners": float(max(far))}


def measures(region: Region, frame: Frame | None = None) -> dict[str, float]:
    """The six measures of a region in a frame (default its upright frame; see the module docstring)."""
    f = frame or region.frame
    out = {"aspect": f.aspect, "extent": f.extent, "solidity": region.solidity,
           "holes": region.hole_share, "corners": f.corners, "tilt": abs(f.tilt)}
    out.update(ninths(region.filled))
    out.update(outline(region.filled))
    return out


def _fits(m: dict[str, float], shape: str, *, ignore: tuple[str, ...] = ()) -> bool:
    return all(lo <= m[key] <= hi for key, (lo, hi) in SHAPE_RULES[shape].items() if key not in ignore)


#: Shapes that look the same at any turn: they must fit their rule in every frame, not in one.
ROUND: tuple[str, ...] = ("circle", "ring")
#: ``shape -> {measure: (low, high)}`` that must also hold in the shape's **smallest** frame, whichever
#: frame it fits in. A triangle fills at most half of any rectangle around it, and exactly half of the
#: smallest (a theorem of plane geometry), so its upright frame's extent is within the triangle's
#: range; a bar turned ~10° fills its axis-aligned box like a triangle (extent 0.6, corners 0.3) and
#: nearly all of its smallest frame (0.95). Found by the issue 54 adversary (L1-06: a red bar paid as
#: one of "four red triangles").
SMALLEST_FRAME: dict[str, dict[str, tuple[float, float]]] = {
    "triangle": {"extent": SHAPE_RULES["triangle"]["extent"]},
}
#: The least :attr:`~rewards.checks.regions.Region.evenness` of a wave: a wave is a band of even
#: thickness along its length. Measured: every wave of the suite's references (386 at 160 and 512 px,
#: levels 0-4) 0.409 and up, every honest wave (1,158 of rewards.testing.honest's, every amplitude,
#: cut by the edges or not) 0.379 and up, a band 0.49-0.65; a shape that tapers about 1/3 (a disc,
#: a square, a triangle 0.334-0.345 from 40 to 512 px), and the cap of a star cut by the canvas's
#: edge 0.28-0.29 (L1-46 of the issue 54 adversary, paid as one of "three purple waves").
EVEN = 0.35
#: ``shape -> {measure: (low, high)}`` read from the region itself (no frame), after its frame fits.
REGION_RULES: dict[str, dict[str, tuple[float, float]]] = {
    "wave": {"evenness": (EVEN, _INF)},
}


def is_shape(region: Region, shape: str) -> bool:
    """Whether the region looks like ``shape``, measured as drawn (its box) or in its upright frame.

    A circle or a ring has no turn, so it must fit in both frames: a square turned 6-8° fills its
    axis-aligned box like a disc (extent 0.8, corners 0.3-0.4), and only its upright frame tells it
    apart (found by the honest drawings of issue 54).
    """
    if shape == "diamond":  # a square stood on a corner: a square's measures, turned well off the axes
        m = measures(region)
        return m["tilt"] >= DIAMOND_TILT and _fits(m, "square", ignore=("tilt",))
    if shape in AS_DRAWN:  # read in its box as drawn (a lozenge, a trapezium)
        m = measures(region, region.frames[0])
        return all(lo <= m[key] <= hi for key, (lo, hi) in AS_DRAWN[shape].items())
    fits = [_fits(measures(region, f), shape) for f in region.frames]
    smallest = region.frame
    if not all(lo <= getattr(smallest, key) <= hi for key, (lo, hi) in SMALLEST_FRAME.get(shape, {}).items()):
        return False
    if not (all(fits) if shape in ROUND else any(fits)):
        return False
    return all(lo <= getattr(region, key) <= hi for key, (lo, hi) in REGION_RULES.get(shape, {}).items())


def looks_like(region: Region) -> str:
    """Words for what a region looks like: ``"a star"``, or its measures when no shape fits."""
    for shape in SHAPE_RULES:
        if is_shape(region, shape):
            return f"a {shape}"
    m = measures(region)
    turned_words = (("square", "a diamond"), ("stripe", "a diagonal stripe"), ("wave", "a diagonal wave"))
    for shape, turned in turned_words:
        if m["tilt"] > MAX_TILT and _fits(m, shape, ignore=("tilt",)):
            return f"{turned} (a {shape} turned {m['tilt']:.0f}° from the axes)"
    for shape in AS_DRAWN:
        if is_shape(region, shape):
            return f"a {shape}"
    return (f"no known shape (width/height {m['aspect']:.2f}, fills {m['extent']:.0%} of its box, "
            f"{m['solidity']:.0%} of its hull)")
