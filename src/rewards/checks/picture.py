"""A picture as the checks see it: scaled to one analysis size, in CIELAB, with cached masks.

Every check reads the program's own canvas (``RenderResult.canvas_image``, never the letterbox
bands), scaled (box filter, aspect kept) so that its longer side is ``side`` pixels (default
160): a measure does not depend on the size the picture was rendered at, and one picture costs
a few milliseconds. Every pixel is also named once by its colour term
(:func:`rewards.checks.colour_names.terms_of`): a check that names a term reads that map.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from codepaint_env.core.images import srgb_to_lab
from rewards.checks.colour_names import TERMS, terms_of
from rewards.checks.colours import Colour, delta_e
from rewards.checks.regions import Region, dilate, label, regions_of

#: The analysis size: the longer side of the scaled picture, in pixels.
ANALYSIS_SIDE = 160
#: The border ring the background is read from: 3 % of the shorter side (at least 2 pixels).
BORDER = 0.03
#: A trace of a colour that no object explains, this share of ``min_area`` in one piece, is looked
#: for at the canvas's own resolution (:meth:`Picture.regions`): a thin object may be there.
THIN_TRACE = 0.5
#: A thin object found at the canvas's resolution replaces analysis regions unless this share of it
#: lies on them already (then it is one of them, seen at another resolution).
SEEN_ALREADY = 0.5


class Picture:
    """One canvas, measured once per colour.

    Args:
        image: The program's own canvas.
        side: The analysis size (the longer side after scaling; smaller pictures are not enlarged).
    """

    def __init__(self, image: Image.Image, side: int = ANALYSIS_SIDE) -> None:
        im = image.convert("RGB")
        self.source = im  # the canvas as rendered: small regions' shapes are read there (:meth:`detailed`)
        scale = min(1.0, side / max(im.size))
        self.scale = scale
        if scale < 1.0:
            size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
            im = im.resize(size, Image.Resampling.BOX)
        self.rgb = np.asarray(im, dtype=np.float64)
        self._lab: np.ndarray | None = None
        self._terms: np.ndarray | None = None
        self.height, self.width = self.rgb.shape[:2]
        self._masks: dict[tuple[str, float], np.ndarray] = {}
        self._regions: dict[tuple[str, float, float], list[Region]] = {}
        self._background: tuple[np.ndarray, np.ndarray] | None = None
        self._seams: np.ndarray | None = None
        self._full: Picture | None = None

    @property
    def lab(self) -> np.ndarray:
        """The picture in CIELAB (computed on first use)."""
        if self._lab is None:
            self._lab = srgb_to_lab(self.rgb.astype(np.uint8))
        return self._lab

    @property
    def pixels(self) -> int:
        """The analysis picture's pixel count."""
        return self.width * self.height

    @property
    def terms(self) -> np.ndarray:
        """Each pixel's colour term, as an index into :data:`~rewards.checks.colour_names.TERMS`."""
        if self._terms is None:
            self._terms = terms_of(self.rgb.astype(np.uint8))
        return self._terms

    def mask(self, colour: Colour, tolerance: float) -> np.ndarray:
        """The pixels of ``colour``: called by its term, or (a hex colour) within ``tolerance`` ΔE76 of it."""
        key = (colour.term or colour.hex, tolerance if colour.term is None else 0.0)
        if key not in self._masks:
            if colour.term is not None:
                self._masks[key] = self.terms == TERMS.index(colour.term)
            else:
                self._masks[key] = delta_e(self.lab, colour) <= tolerance
        return self._masks[key]

    def regions(self, colour: Colour, tolerance: float, min_area: float) -> list[Region]:
        """The connected regions of ``colour`` that are objects (see :func:`regions_of`), largest first.

        Seam pixels (:attr:`seams`) belong to no object: the anti-aliased edge of one object, named
        another colour, would otherwise join an object of that colour it touches (the dark-yellow
        top edge of a yellow square is called green, and made the green circle touching it "no
        known shape").
        """
        key = (colour.term or colour.hex, tolerance if colour.term is None else 0.0, min_area)
        if key not in self._regions:
            found = regions_of(self.mask(colour, tolerance) & ~self.seams, min_area)
            if self.scale < 1.0:
                found = self.with_thin(found, self.leaning(colour),
                                       lambda cut: cut.regions(colour, tolerance, 0.0), min_area)
            self._regions[key] = found
        return self._regions[key]

    def leaning(self, colour: Colour) -> np.ndarray:
        """The pixels nearer ``colour`` than the page (ΔE76): where a blend of it over the page may be."""
        page = self.background()[0]
        return delta_e(self.lab, colour) < delta_e(self.lab, page)

    def with_thin(self, found: list[Region], trace: np.ndarray, ask: Callable[[Picture], list[Region]],
                  min_area: float, explained: np.ndarray | None = None) -> list[Region]:
        """``found`` with the thin objects the analysis size cannot see, read at the canvas's resolution.

        An object whose band is a few canvas pixels wide (a ring drawn as a 4-pixel stroke at 512 px)
        is a line one pixel wide, blended with the page, at the analysis size: it has no 2x2 core
        there and is no object, though a person sees it (the adversary's thin rings, issue 54). Where
        ``trace`` (pixels that may be a blend of the colour) holds pieces of :data:`THIN_TRACE` of
        ``min_area`` (bits one pixel apart are one piece) that no found region explains (within one
        pixel of it), the canvas as rendered is
        cut around those pieces and ``ask`` finds the colour's objects there; each is brought to the
        analysis grid (a pixel there is the object's when any canvas pixel under it is). One that lies
        mostly on found regions (:data:`SEEN_ALREADY`) is one of them; any other replaces the found
        regions it holds (pieces of it thick enough to be seen) and joins the list.

        Args:
            found: The regions found at the analysis size.
            trace: Analysis pixels that may belong to the colour's objects.
            ask: The same question asked of a picture at the canvas's own resolution (the cut).
            min_area: The smallest object, as a share of the canvas.
            explained: Analysis pixels that other objects explain (their blends are no trace).
        """
        seen = np.zeros((self.height, self.width), dtype=bool)
        for r in found:
            r.paint(seen)
        residue = trace & ~dilate(seen if explained is None else seen | explained, 1)
        labels, n = label(dilate(residue, 1))  # a thin trace blended with the page breaks into bits
        if n == 0:
            return found
        sizes = np.bincount(labels[residue], minlength=n + 1)
        big = np.flatnonzero(sizes >= max(2.0, THIN_TRACE * min_area * self.pixels))
        pieces = np.isin(labels, big[big > 0]) & residue
        if not pieces.any():
            return found
        out = list(found)
        for big in self._at_canvas(pieces, ask, min_area):
            small = self._down(big)
            held = np.zeros_like(seen)
            small.paint(held)
            if (held & seen).sum() >= SEEN_ALREADY * small.pixels:
                continue
            near = dilate(held, 1)
            out = [r for r in out if not (r in found and _painted(r, near).sum() >= SEEN_ALREADY * r.pixels)]
            out.append(small)
        out.sort(key=lambda r: -r.pixels)
        return out

    def _at_canvas(self, pieces: np.ndarray, ask: Callable[[Picture], list[Region]],
                   min_area: float) -> list[Region]:
        """``ask``'s regions of the canvas as rendered, cut around ``pieces`` (analysis pixels).

        The cut reaches three analysis pixels past the pieces; a region is kept when it is
        ``min_area`` of the whole canvas (``ask`` measures against the cut).
        """
        ys, xs = np.nonzero(pieces)
        sw, sh = self.source.size
        fx, fy = sw / self.width, sh / self.height
        box = (max(0, int((xs.min() - 3) * fx)), max(0, int((ys.min() - 3) * fy)),
               min(sw, int(np.ceil((xs.max() + 4) * fx))), min(sh, int(np.ceil((ys.max() + 4) * fy))))
        cut = Picture(self.source.crop(box), side=max(box[2] - box[0], box[3] - box[1]))
        return [Region(r.crop, r.left + box[0], r.top + box[1], sw, sh) for r in ask(cut)
                if r.pixels >= min_area * sw * sh]

    def _down(self, region: Region) -> Region:
        """A region of the canvas as rendered, on the analysis grid (a pixel is its when any under it is)."""
        ys, xs = np.nonzero(region.crop)
        ay = np.minimum(((ys + region.top) * self.height) // region.height, self.height - 1)
        ax = np.minimum(((xs + region.left) * self.width) // region.width, self.width - 1)
        if ay.size == 0:
            return Region(np.zeros((0, 0), dtype=bool), 0, 0, self.width, self.height)
        top, left = int(ay.min()), int(ax.min())
        crop = np.zeros((int(ay.max()) - top + 1, int(ax.max()) - left + 1), dtype=bool)
        crop[ay - top, ax - left] = True
        return Region(crop, left, top, self.width, self.height)

    def detailed(self, region: Region, colour: Colour, tolerance: float) -> Region:
        """A region read again at the canvas's own resolution, where the analysis picture is coarser.

        An object a few tens of pixels across at the analysis size (a small square, 12 pixels) has
        too few pixels for its shape to survive a turn of a few degrees; the canvas as rendered has
        two to three times as many a side. The region's box (with a margin) is cut from the canvas,
        the colour's pixels found there the same way (its term, its seams left out), and the largest
        of them returned, measured in fractions of the whole canvas. Where the canvas is no larger
        than the analysis picture, the region itself.
        """
        if self.scale >= 1.0:
            return region
        factor = 1.0 / self.scale
        left, top, right, bottom = region.box
        sw, sh = self.source.size
        margin = 2 * factor
        box = (max(0, int(left * sw - margin)), max(0, int(top * sh - margin)),
               min(sw, int(np.ceil(right * sw + margin))), min(sh, int(np.ceil(bottom * sh + margin))))
        cut = Picture(self.source.crop(box), side=max(sw, sh))
        found = regions_of(cut.mask(colour, tolerance) & ~cut.seams, 0.0)
        if not found:
            return region
        best = found[0]
        return Region(best.crop, best.left + box[0], best.top + box[1], sw, sh)

    @property
    def full(self) -> Picture:
        """The canvas measured at its own resolution (this picture itself where it was not scaled).

        For checks whose answer lives in a picture's edges, such as mirror symmetry: at the analysis
        size a ring's band is a few pixels wide and its anti-aliased rims are a large share of it.
        """
        if self.scale >= 1.0:
            return self
        if self._full is None:
            self._full = Picture(self.source, side=max(self.source.size))
        return self._full

    @property
    def seams(self) -> np.ndarray:
        """One-pixel blends: a pixel between two differently named neighbours whose colours it mixes.

        Across a row or a column, a pixel named unlike both its neighbours, which are named unlike
        each other, and whose colour lies within 24 levels of the line between theirs: where two
        colours meet, anti-aliasing leaves such a line one pixel wide. (A star's tip, pure red between
        a pink blend and the white page, mixes nothing and stays.)
        """
        if self._seams is None:
            t, rgb = self.terms, self.rgb
            seams = np.zeros(t.shape, dtype=bool)
            for axis in (0, 1):
                cut = [slice(None), slice(None)]
                parts = []
                for part in (slice(1, -1), slice(None, -2), slice(2, None)):
                    cut[axis] = part
                    parts.append(tuple(cut))
                mid, a, b = (t[c] for c in parts)
                named = (mid != a) & (mid != b) & (a != b)
                if not named.any():
                    continue
                # the colour test only where the names already say "seam" (a few pixels of a picture)
                p, ca, cb = (rgb[c][named] for c in parts)
                d = cb - ca
                along = np.clip(((p - ca) * d).sum(-1) / np.maximum((d * d).sum(-1), 1e-9), 0.0, 1.0)
                off = np.linalg.norm(p - (ca + along[..., None] * d), axis=-1)
                seam = np.zeros(named.shape, dtype=bool)
                seam[named] = off <= 24.0
                seams[parts[0]] |= seam
            self._seams = seams
        return self._seams

    def border(self) -> np.ndarray:
        """A mask of the border ring the background is read from."""
        k = max(2, round(BORDER * min(self.width, self.height)))
        ring = np.ones((self.height, self.width), dtype=bool)
        ring[k:-k, k:-k] = False
        return ring

    def background(self) -> tuple[np.ndarray, np.ndarray]:
        """The background as ``(lab, rgb)``: the mean of the border ring's most common colour.

        The ring's pixels are binned (16 levels per channel); the fullest bin is the background.
        """
        if self._background is None:
            ring = self.border()
            rgb = self.rgb[ring]
            bins = (rgb // 16).astype(np.int64)
            keys = bins[:, 0] * 256 + bins[:, 1] * 16 + bins[:, 2]
            top = np.bincount(keys).argmax()
            chosen = keys == top
            self._background = (self.lab[ring][chosen].mean(axis=0), rgb[chosen].mean(axis=0))
        return self._background

    def content(self, background: Colour | None, tolerance: float) -> np.ndarray:
        """The pixels that are not background (``background`` or, without it, the detected one)."""
        if background is not None:
            return ~self.mask(background, tolerance)
        return delta_e(self.lab, self.background()[0]) > tolerance


def _painted(region: Region, mask: np.ndarray) -> np.ndarray:
    """The region's pixels that lie on ``mask`` (a picture-sized mask)."""
    h, w = region.crop.shape
    return region.crop & mask[region.top:region.top + h, region.left:region.left + w]
