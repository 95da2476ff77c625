"""Near-copies of reference-pool pictures: a perceptual hash and an information-weighted colour SSIM.

A policy that has seen the pool (through a pairwise judge's references, or because the pool is
public) can submit one of its pictures. :class:`CopyIndex` finds, for a render, the pool
references it nearly copies, with no learned embedding:

* **perceptual hash** (pHash, as in the ``imagehash`` package): the 32x32 greyscale picture's
  2-D DCT, its 8x8 lowest frequencies thresholded at their median: 64 bits that survive
  rescaling, compression and small colour changes;
* **colour structural similarity weighted by information** (:func:`copy_similarity`): SSIM with
  a uniform 7-px window on each of the two pictures' R, G and B planes at 64x64, each window
  weighted by its information content as in IW-SSIM (Wang and Li, "Information content
  weighting for perceptual image quality assessment", IEEE TIP 2011):
  ``log((1 + var_x / C2) (1 + var_y / C2))``, with SSIM's own ``C2 = 0.03**2``.

A reference is nearly copied when the hashes differ in at most ``max_hamming`` bits *and* that
similarity is at least ``min_ssim``.

Why colour and why that weight. Until issue 54 the similarity was SSIM in grey, each window
weighted by the sum of the two local standard deviations plus 1e-3. A flat two-colour picture
whose colours differ in hue more than in brightness is nearly flat in grey: a yellow triangle on
cream (``#ffff00`` on ``#fff3d6``) differs by 0.07 in grey and by 0.84 in blue. Against a pale
pool landscape (``svg-landscape-03``: a white page, a faint horizon, a pale hill and sun) three
things added up to 0.75 and a "copy" (the level-0 reference ``shapes-l0-4dd7d2c035-svg`` of
suite version 3; its hash was 8 bits away, as near-flat pictures' low DCT bits are close to their
median): windows where one picture has an edge of grey contrast ~0.03 and the other none scored
about 0.5-0.9, because SSIM's constant ``C2`` is as large as that contrast (the formula reads
such structure as noise, while the weight counted it as structure); flat-on-flat windows, each
weighted 1e-3, were a fifth of the weight at 0.9996; and the triangle's strong colour edge was
not seen at all. In colour the triangle's edge is as strong as it looks, and with the
information weight a window counts by how far its contrast rises above ``C2``: flat-on-flat
counts nothing, a faint horizon little, a colour edge against an empty sky much, where SSIM
scores it near 0. The same picture now scores 0.16.

Measured (issue 54; ``tests/rewards/gate/test_copies.py`` holds it) on the repository's pool
(216 references, every tier and language) and on the ``shapes`` references, neither made for
this check. Every reference matches itself, and its near-copies score at least 0.986 (a 256-px
round trip, noise of +-8 levels, a JPEG at quality 60; the hash keeps 216, 210 and 214 of 216
within 8 bits: the misses are near-blank rejects), a brightness change of +-15 % or a hue turn of
15 degrees at least 0.69 (5th percentile 0.92; caught with the hash 90-100 %, as before). No two
distinct pool references of a language are within 8 hash bits; the most similar pair is 0.975
(two near-blank p5.brush rejects, 40 bits apart): both tests are needed. The SVG references of
suite version 3, level 0 (400, seeds 21 and 22), come no nearer to any pool picture than 0.49
(the old measure: 0.89, and 0.75 within 8 bits: the false copy); version 4's, 1,000 a level, see
docs/reference-validity.md. ``min_ssim`` stays 0.7 and ``max_hamming`` 8: copies lie at 0.986 and
above, shifted colours at 0.69 and above, every shapes reference at 0.49 and below. Mirrored,
shifted or rescaled-in-place copies are *not* caught (both measures are positional), nor are
copies with strokes drawn over them (six random strokes: 10 of 216, as before).
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from PIL import Image

from rewards.pool import ReferencePool

_N = 32
_I = np.arange(_N)
#: The orthonormal DCT-II matrix (``D @ x`` transforms the columns of ``x``).
_DCT = np.sqrt(2 / _N) * np.cos(np.pi * (2 * _I[None, :] + 1) * _I[:, None] / (2 * _N))
_DCT[0] /= np.sqrt(2)
#: SSIM's constants for values in [0, 1] (Wang et al. 2004: K1 = 0.01, K2 = 0.03).
_C1, _C2 = 0.01**2, 0.03**2
#: The SSIM window (pixels of the thumbnail) and the thumbnail's side.
_WINDOW, _SIDE = 7, 64


def perceptual_hash(image: Image.Image) -> np.ndarray:
    """The 64-bit pHash of a picture, as 64 booleans."""
    grey = np.asarray(image.convert("L").resize((_N, _N), Image.Resampling.LANCZOS), dtype=np.float64)
    low = (_DCT @ grey @ _DCT.T)[:8, :8].ravel()
    return low > np.median(low)


def colour_thumbnail(image: Image.Image, side: int = _SIDE) -> np.ndarray:
    """The picture's R, G and B planes at ``side`` x ``side`` (box-averaged) in [0, 1]: (3, side, side)."""
    rgb = np.asarray(image.convert("RGB").resize((side, side), Image.Resampling.BOX), dtype=np.float64)
    return rgb.transpose(2, 0, 1) / 255.0


def _box(a: np.ndarray) -> np.ndarray:
    # Mean over every window x window block ("valid" positions) of the last two axes, by an integral image.
    w = _WINDOW
    c = np.pad(a, [(0, 0)] * (a.ndim - 2) + [(1, 0), (1, 0)]).cumsum(-2).cumsum(-1)
    return (c[..., w:, w:] - c[..., :-w, w:] - c[..., w:, :-w] + c[..., :-w, :-w]) / (w * w)


def similarities(x: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """:func:`copy_similarity` of one thumbnail ``x`` (3, s, s) with each of ``ys`` (n, 3, s, s)."""
    x = x[None]
    mx, my = _box(x), _box(ys)
    vx = np.maximum(_box(x * x) - mx * mx, 0.0)
    vy = np.maximum(_box(ys * ys) - my * my, 0.0)
    cxy = _box(x * ys) - mx * my
    s = ((2 * mx * my + _C1) * (2 * cxy + _C2)) / ((mx * mx + my * my + _C1) * (vx + vy + _C2))
    # information content (IW-SSIM): flat-on-flat windows weigh nothing, contrast below C2 little;
    # the tiny floor makes two wholly flat pictures their plain SSIM (same colour: 1)
    weight = np.log1p(vx / _C2) + np.log1p(vy / _C2) + 1e-12
    return (s * weight).sum(axis=(1, 2, 3)) / weight.sum(axis=(1, 2, 3))


def copy_similarity(x: np.ndarray, y: np.ndarray) -> float:
    """Colour SSIM of two :func:`colour_thumbnail` arrays, windows weighted by their information content.

    1 for the same picture; a picture with structure where the other has none, or other
    structure, scores near 0 there, and those windows count by their contrast (see the module
    docstring).
    """
    return float(similarities(x, y[None])[0])


@dataclass(frozen=True)
class CopyMatch:
    """A pool reference a picture nearly copies (or, from :meth:`CopyIndex.closest`, is nearest to)."""

    reference_id: str
    hamming: int
    ssim: float

    def describe(self) -> str:
        """One line for a rationale."""
        return (f"a near-copy of reference {self.reference_id} (colour SSIM {self.ssim:.2f}, hash distance "
                f"{self.hamming}/64)")


@dataclass(frozen=True)
class _Features:
    ids: tuple[str, ...]
    hashes: np.ndarray  # (n, 64) bool
    thumbs: np.ndarray  # (n, 3, 64, 64) float


_FEATURES: dict[tuple[str, str, str], _Features] = {}
_LOCK = threading.Lock()


def _compute_features(pool: ReferencePool) -> _Features:
    refs = list(pool)
    images = [r.image() for r in refs]
    hashes = np.array([perceptual_hash(im) for im in images], dtype=bool).reshape(len(refs), 64)
    thumbs = np.array([colour_thumbnail(im) for im in images], dtype=np.float64)
    thumbs = thumbs.reshape(len(refs), 3, _SIDE, _SIDE)
    return _Features(tuple(r.id for r in refs), hashes, thumbs)


class CopyIndex:
    """The pool's references, indexed for near-copy search (see the module docstring).

    Features are computed once per process, pool content and language, on first use (reading
    the language's renders: about 1 s for 156 p5.brush references) and shared by every index.

    Args:
        pool: The references a picture must not copy.
        max_hamming: Most hash bits (of 64) a near-copy may differ in.
        min_ssim: Least :func:`copy_similarity` of a near-copy.
    """

    def __init__(self, pool: ReferencePool, *, max_hamming: int = 8, min_ssim: float = 0.7) -> None:
        if not 0 <= max_hamming <= 64:
            raise ValueError("max_hamming counts hash bits: 0-64")
        if not -1 <= min_ssim <= 1:
            raise ValueError("min_ssim is an SSIM: -1 to 1")
        self.pool = pool
        self.max_hamming = int(max_hamming)
        self.min_ssim = float(min_ssim)

    def _features(self, language: str | None) -> _Features:
        key = (str(self.pool.root), self.pool.content_hash, language or "")
        with _LOCK:  # held while computing: concurrent first calls wait for one computation
            found = _FEATURES.get(key)
            if found is None:
                pool = self.pool if language is None else self.pool.filter(language=language)
                found = _FEATURES[key] = _compute_features(pool)
            return found

    def matches(self, image: Image.Image, language: str, *, exclude: Collection[str] = ()) -> list[CopyMatch]:
        """Every reference of ``language`` that ``image`` nearly copies, closest first."""
        feats = self._features(language)
        if not feats.ids:
            return []
        distances = (feats.hashes != perceptual_hash(image)[None, :]).sum(axis=1)
        near = [i for i in np.flatnonzero(distances <= self.max_hamming) if feats.ids[i] not in exclude]
        if not near:
            return []
        found = similarities(colour_thumbnail(image), feats.thumbs[near])
        out = [CopyMatch(feats.ids[i], int(distances[i]), float(s))
               for i, s in zip(near, found, strict=True) if s >= self.min_ssim]
        return sorted(out, key=lambda m: (-m.ssim, m.hamming, m.reference_id))

    def find(self, image: Image.Image, language: str, *, exclude: Collection[str] = ()) -> CopyMatch | None:
        """The reference ``image`` most nearly copies, or ``None``."""
        found = self.matches(image, language, exclude=exclude)
        return found[0] if found else None

    def closest(self, image: Image.Image, language: str | None = None, *,
                exclude: Collection[str] = ()) -> CopyMatch | None:
        """The reference of ``language`` (``None``: any) most similar to ``image``, whatever the thresholds.

        A margin, not a verdict: how near a picture comes to being called a copy (its hash
        distance to that reference is given too). ``None`` for an empty pool.
        """
        feats = self._features(language)
        keep = [i for i, rid in enumerate(feats.ids) if rid not in exclude]
        if not keep:
            return None
        found = similarities(colour_thumbnail(image), feats.thumbs[keep])
        best = keep[int(np.argmax(found))]
        hamming = int((feats.hashes[best] != perceptual_hash(image)).sum())
        return CopyMatch(feats.ids[best], hamming, float(found.max()))
