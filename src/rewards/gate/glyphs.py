"""Is a word Tesseract read made of letters, or of the picture's objects (numpy only)?

Tesseract's line recogniser reads a row of separate solid shapes as a word: three filled
triangles are "AAA", a ring, a square and a ring "OHO". A person reads no word there, and the
``no_text`` check must not fail an honest picture of "three triangles in a row". Two measures of
a word's letters tell them apart (:func:`object_like`), on the word's box in the plane it was
read from, split into ink and background at Otsu's threshold (the ink is the side the box's
border is not):

* **solid**: a letter's stroke is thin — the widest stroke of a bold sans-serif letter is about a
  third of its height (measured: at most 0.35 on 1,571 words in 9 fonts, bold and italic
  included) — while a filled triangle or square is as thick as it is tall (0.54-1.0). A word
  whose letters are mostly solid is shapes;
* **spaced**: letters sit close — the median gap between a word's letters is at most 0.36 of
  their height on the same 1,571 words (99th percentile; 0.16 median) — while the objects of a
  scene stand a cell apart (0.5-1.2 of their height).

"Letters" are the ink's connected components at least 40 % of the box's height (dots, commas and
accents are left out); a word with fewer than two is judged by Tesseract alone.
"""

from __future__ import annotations

import itertools

import numpy as np

from rewards.checks.regions import erode, label

#: A letter whose widest stroke is at least this share of its height is a solid shape.
SOLID = 0.45
#: A word whose letters' median gap is at least this share of their height is separate objects.
SPACED = 0.5
_LETTER = 0.4  # a component at least this share of the box's height is a letter


def otsu(values: np.ndarray) -> int:
    """Otsu's threshold of 8-bit values: the level that best splits them into two classes."""
    hist = np.bincount(values.astype(np.uint8).ravel(), minlength=256).astype(np.float64)
    p = hist / max(1.0, hist.sum())
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(256))
    between = (mu[-1] * omega - mu) ** 2 / (omega * (1 - omega) + 1e-12)
    return int(np.argmax(between))


def ink(crop: np.ndarray) -> np.ndarray:
    """The ink of a grey crop: the side of Otsu's threshold that its border is not."""
    dark = crop <= otsu(crop)
    border = np.concatenate([dark[0], dark[-1], dark[:, 0], dark[:, -1]])
    return ~dark if border.mean() > 0.5 else dark


def stroke(component: np.ndarray) -> int:
    """The widest stroke of a component, in pixels: twice the 3x3 erosions it survives."""
    steps, mask = 0, component
    while mask.any():
        mask = erode(mask)
        steps += 1
    return 2 * steps


def letters(crop: np.ndarray) -> list[tuple[int, int, int, float]]:
    """A word crop's letter-sized ink components, left to right: ``(x0, x1, height, stroke/height)``."""
    mask = ink(crop)
    labels, n = label(mask)
    tall = _LETTER * mask.shape[0]
    out = []
    for i in range(1, n + 1):
        component = labels == i
        ys, xs = np.nonzero(component)
        height = int(ys.max() - ys.min() + 1)
        if height < tall or component.sum() < 6:
            continue
        box = component[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        out.append((int(xs.min()), int(xs.max()), height, stroke(box) / height))
    return sorted(out)


def object_like(crop: np.ndarray) -> str | None:
    """Why a word's crop (grey, its box with a margin) is a row of objects, not letters; ``None``: letters.

    Args:
        crop: The word's box in the grey plane it was read from, with a few pixels of margin.
    """
    found = letters(crop)
    if len(found) < 2:
        return None
    solid = sum(s >= SOLID for *_, s in found) / len(found)
    if solid >= 0.5:
        return f"{solid:.0%} of its letters are solid shapes"
    height = float(np.median([h for _, _, h, _ in found]))
    gap = float(np.median([(b[0] - a[1]) / height for a, b in itertools.pairwise(found)]))
    if gap >= SPACED:
        return f"its letters stand {gap:.1f} letter heights apart"
    return None
