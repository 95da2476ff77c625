"""Claims about the page and the picture as a whole.

The background, how much is drawn, nothing but the named colours, and contrast.
In the claim graph (:mod:`rewards.checks.graph`) the background pays once some object is found as
its stated kind; ``only`` and ``contrast`` are guards (a failed one costs, a passed one earns
nothing), as are the program checks (:mod:`rewards.checks.program`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rewards.checks.colours import Colour, contrast_ratio, parse_colour
from rewards.checks.picture import Picture
from rewards.checks.regions import Region, dilate, dilate_disc, regions_of
from rewards.checks.spec import AREAS, target_words
from rewards.checks.words import cell_of, nearest_name, pct, share_range


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


#: A region of another colour whose pixels all but lie (:data:`OUTLINE_SHARE`) within this many analysis
#: pixels (1.9 % of the canvas) of one named object is an outline drawn around it, not another object:
#: "a red circle" drawn with a dark outline is a red circle (the reward cards' outlined pictures,
#: issue 54). One object: a shape wedged between two named ones is not an outline (the adversary).
#: The reach is a distance, read at the canvas's own resolution (:func:`outline_share`).
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


#: The page checks, by kind.
PAGE_CHECKS: dict[str, Callable[[Picture, dict[str, Any]], tuple[bool, str]]] = {
    "background": _background, "coverage": _coverage, "only": _only, "contrast": _contrast,
}
