"""A picture as the checks see it: scaled to one analysis size, in CIELAB, with cached masks.

Every check reads the program's own canvas (``RenderResult.canvas_image``, never the letterbox
bands), scaled (box filter, aspect kept) so that its longer side is ``side`` pixels (default
160): a measure does not depend on the size the picture was rendered at, and one picture costs
a few milliseconds. Every pixel is also named once by its colour term
(:func:`rewards.checks.colour_names.terms_of`): a check that names a term reads that map.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from codepaint_env.core.images import srgb_to_lab
from rewards.checks.colour_names import TERMS, terms_of
from rewards.checks.colours import Colour, delta_e
from rewards.checks.regions import Region, regions_of

#: The analysis size: the longer side of the scaled picture, in pixels.
ANALYSIS_SIDE = 160
#: The border ring the background is read from: 3 % of the shorter side (at least 2 pixels).
BORDER = 0.03


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
        self.lab = srgb_to_lab(np.asarray(im))
        self._terms: np.ndarray | None = None
        self.height, self.width = self.lab.shape[:2]
        self._masks: dict[tuple[str, float], np.ndarray] = {}
        self._regions: dict[tuple[str, float, float], list[Region]] = {}
        self._background: tuple[np.ndarray, np.ndarray] | None = None
        self._seams: np.ndarray | None = None
        self._full: Picture | None = None

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
            self._regions[key] = regions_of(self.mask(colour, tolerance) & ~self.seams, min_area)
        return self._regions[key]

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
                p, ca, cb = (rgb[c] for c in parts)
                d = cb - ca
                along = np.clip(((p - ca) * d).sum(-1) / np.maximum((d * d).sum(-1), 1e-9), 0.0, 1.0)
                off = np.linalg.norm(p - (ca + along[..., None] * d), axis=-1)
                seams[parts[0]] |= named & (off <= 24.0)
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
