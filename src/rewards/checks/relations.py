"""Claims about how the scene's objects stand to each other, and the mirror symmetry of what is drawn.

The relations: above, below, beside, inside, touching.
In the claim graph (:mod:`rewards.checks.graph`) a relation pays only once both its objects are
found as their stated kinds, and symmetry once every object is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rewards.checks.colours import Colour, parse_colour
from rewards.checks.picture import Picture
from rewards.checks.regions import Region, dilate, label
from rewards.checks.words import nearest_name, pct, regions_word

#: Directional relations without a stated ``margin``: the centres must lie apart by this share of
#: the two sides' extents along the axis added together (GenEval's ``POSITION_THRESHOLD``, 0.1 x
#: (dim_a + dim_b)): "above" is relative to the objects, not a distance on the canvas no prompt states.
RELATION_SHARE = 0.1


#: ``touching``'s default reach, in fractions of the longer side.
TOUCH_DISTANCE = 0.02


INSIDE_SHARE = 0.9  # the share of a region that must lie inside the other colour's filled regions


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
    return False, (f"expected {words}; {len(bad)} of {regions_word(len(ra), a)} is not (centre at "
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
    if not (dilate(mask_a, steps) & mask_b).any():
        return False, f"expected {words}; they are more than {pct(distance)} of the canvas apart"
    inner = _lying_inside(pic, ra, rb) or _lying_inside(pic, rb, ra)
    if inner:
        return False, f"expected {words}; one lies inside the other ({inner}), not beside it"
    return True, words


def _lying_inside(pic: Picture, ra: list[Region], rb: list[Region]) -> str:
    """The words for a region of ``ra`` lying :data:`INSIDE_SHARE` inside ``rb``'s filled regions, or ``""``.

    Touching objects meet at their edges; a square drawn within another square is inside it, not
    touching it (the template adversary drew one colour's square inside the other's for every "a pink
    square touching an orange square" and was paid in full, issue 72).
    """
    container = np.zeros((pic.height, pic.width), dtype=bool)
    for r in rb:
        r.paint(container, filled=True)
    for r in ra:
        mine = np.zeros_like(container)
        r.paint(mine)
        share = float((mine & container).sum()) / r.pixels
        if share >= INSIDE_SHARE:
            return f"{pct(share)} of one inside the other"
    return ""


#: A drawn part with this share of it in the border ring is a frame: the page's, not the scene's.
FRAME_SHARE = 0.5


def symmetry_score(pic: Picture, p: dict[str, Any]) -> float | None:
    """Mirror symmetry about the drawing's own axis (the middle of what is drawn), or the canvas's.

    "A mirror-symmetric row" says the row mirrors itself, not that it sits in the canvas's middle
    (where it sits is a ``position`` claim): a symmetric drawing moved 4 % to the side is still
    symmetric. The axis is the middle of the drawn pixels' extent along the flipped direction
    (``about: "drawing"``, the default). With ``about: "canvas"`` it is the canvas's middle line:
    what fills the canvas (a flag) is symmetric about the canvas's middle, and a band or an emblem
    that is symmetric only about its own middle (one stripe of two, a disc near the hoist) is not.
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
    n = content.shape[flip]
    if p.get("about", "drawing") == "canvas":  # mirror index i -> n - 1 - i about the canvas's middle
        index = n - 1 - np.arange(n)
    else:  # mirror index i -> lo + hi - i about the drawing's middle; off the canvas counts as background
        along = np.flatnonzero(content.any(axis=1 - flip))
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
    """Mirror symmetry (:func:`symmetry_score`) of at least ``min``; a blank page has none to show.

    A picture with nothing drawn fails: it holds no drawing to be symmetric (until checks version 5
    it passed, so a blank page earned every symmetry claim of a card).
    """
    words = "left-right" if p["axis"] == "vertical" else "top-bottom"
    where = " about the canvas's middle" if p.get("about", "drawing") == "canvas" else ""
    score = symmetry_score(pic, p)
    if score is None:
        return False, f"expected {words} mirror symmetry{where}, found nothing drawn"
    if score >= p["min"]:
        return True, f"{words} mirror symmetry{where} {pct(score)}"
    return False, (f"expected {words} mirror symmetry{where} (at least {pct(p['min'])} of the drawn pixels "
                   f"matching their mirror image), found {pct(score)}")


#: The relation checks, by kind.
RELATION_CHECKS: dict[str, Callable[[Picture, dict[str, Any]], tuple[bool, str]]] = {
    "relation": _relation, "symmetry": _symmetry,
}
