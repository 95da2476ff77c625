"""Is a word the OCR read made of letters, or of the picture's objects (numpy only)?

A text recogniser reads a row of separate shapes as a word: Tesseract read three filled
triangles as "AAA" and a ring, a square and a ring as "OHO"; PP-OCR reads three rings as "ooo".
A person reads no word there, and the ``no_text`` check must not fail an honest picture of
"three triangles in a row". A line made only of the letters shapes are read as (o, O, 0, A, H, I...)
is measured; two measures of a word's letters tell them apart (:func:`object_like`),
on the word's box split into ink and background at Otsu's threshold of each pixel's colour distance
from the box's edge (the ink is the side with more letters clear of the box's edge). Colour, not
grey: blue rings on black are 29 grey levels from the page and a pink ring 207, so grey's threshold
left the blue rings with the page and a row of three rings measured as one letter (a level-4 p5
reference, "a pink ring between two blue rings ... on a black background", failed its gate as
"ooo" in the issue 54 reference-validity run):

* **solid**: a letter's stroke is thin — the widest stroke of a bold sans-serif letter is about a
  third of its height — while a filled triangle or square is as thick as it is tall (0.54-1.0). A
  line whose letters are mostly solid is shapes;
* **spaced**: letters sit close — the median gap between a line's letters, over its letters'
  height, was 0.18 (median) and 0.27 (90th percentile) on 378 lines PP-OCR read in words written
  over pictures in 9 fonts — while the objects of a scene stand a cell apart (rows of rings read as
  "ooo": 0.54-1.8).

"Letters" are the ink's connected components clear of the box's edge and at least a quarter of its
height (dots, commas and accents are left out); a word with fewer than two is judged by the
recogniser alone. A word whose box is taller than wide (a column of rings reads "OOO" too) is
measured along its height.
"""

from __future__ import annotations

import itertools

import numpy as np

from rewards.checks.regions import erode, label

#: A letter whose widest stroke is at least this share of its height is a solid shape.
SOLID = 0.45
#: A word whose letters' median gap is at least this share of their height is separate objects.
SPACED = 0.5
_LETTER = 0.25  # a component at least this share of the crop's height is a letter


def otsu(values: np.ndarray) -> int:
    """Otsu's threshold of 8-bit values: the level that best splits them into two classes."""
    hist = np.bincount(values.astype(np.uint8).ravel(), minlength=256).astype(np.float64)
    p = hist / max(1.0, hist.sum())
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(256))
    between = (mu[-1] * omega - mu) ** 2 / (omega * (1 - omega) + 1e-12)
    return int(np.argmax(between))


def stroke(component: np.ndarray) -> int:
    """The widest stroke of a component, in pixels: twice the 3x3 erosions it survives."""
    steps, mask = 0, component
    while mask.any():
        mask = erode(mask)
        steps += 1
    return 2 * steps


def distance_from_edge(crop: np.ndarray) -> np.ndarray:
    """Each pixel's colour distance from the crop's edge (the median of its border), scaled to 0-255.

    Args:
        crop: ``(h, w, 3)`` RGB, or ``(h, w)`` grey (its distance is the grey difference).
    """
    pixels = crop.astype(np.float64)
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    distance = np.sqrt(((pixels - np.median(border, axis=0)) ** 2).sum(axis=-1))
    return np.clip(distance / np.sqrt(pixels.shape[-1]), 0, 255)  # the largest distance is 255·√channels


def letters(crop: np.ndarray) -> list[tuple[int, int, int, float]]:
    """A word crop's letter-sized ink components along its line: ``(start, end, size, stroke/size)``.

    The crop is the reader's box with a margin, so what touches its edge is background, a band's
    edge or a neighbour, never a letter: of the two sides of Otsu's threshold of the colour distance
    from the edge (:func:`distance_from_edge`), the ink is the one with more letter-sized components
    clear of the edge, and on a tie the side far from the edge's colour (letters' holes are the
    page's colour: written "ooo" has three). The line runs along the crop's longer side (a column of
    shapes reads as a word too); a letter's ``size`` is its extent across the line, ``start`` and
    ``end`` its extent along it.

    Args:
        crop: The line's box, ``(h, w, 3)`` RGB (or ``(h, w)`` grey).
    """
    distance = distance_from_edge(crop)
    near = distance <= otsu(distance)
    if crop.shape[0] > crop.shape[1]:  # a column: read it as a row
        near = near.T
    best: list[tuple[int, int, int, float]] = []
    for mask in (~near, near):  # the far side first: on a tie the ink is not the edge's colour
        found = _clear_components(mask)
        if len(found) > len(best):
            best = found
    return sorted(best)


def _clear_components(mask: np.ndarray) -> list[tuple[int, int, int, float]]:
    labels, n = label(mask)
    h, w = mask.shape
    tall = _LETTER * h
    out = []
    for i in range(1, n + 1):
        component = labels == i
        ys, xs = np.nonzero(component)
        size = int(ys.max() - ys.min() + 1)
        touches = ys.min() == 0 or xs.min() == 0 or ys.max() == h - 1 or xs.max() == w - 1
        if touches or size < tall or component.sum() < 6:
            continue
        box = component[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        out.append((int(xs.min()), int(xs.max()), size, stroke(box) / size))
    return out


#: The letters a circle, ring, square, triangle, bar or star is read as: a line of nothing else may be
#: shapes. PP-OCR reads a row of five-pointed stars as "大大大" (0.95: a level-3 p5 reference, "three
#: green stars above an orange wave", failed its gate so in the issue 54 reference-validity run).
SHAPE_LETTERS = frozenset("oO0QDAHIl1|大")


def object_like(crop: np.ndarray, text: str) -> str | None:
    """Why a line read as ``text`` is a row of the picture's objects, not letters; ``None``: letters.

    Only a line whose letters are all ones a shape is read as (:data:`SHAPE_LETTERS`: "ooo", "AAA",
    "OHO") is measured: a line with any other letter is text whatever its spacing (its crop may
    take in a band's edge or a neighbour, which a measure of letters would misjudge).

    Args:
        crop: The line's box in RGB (or grey), with a few pixels of margin.
        text: What was read there.
    """
    if not (chars := [ch for ch in text if not ch.isspace()]) or not set(chars) <= SHAPE_LETTERS:
        return None
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
