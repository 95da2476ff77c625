"""Image helpers every layer shares.

The blank test, the pixel hash, comparisons, palette and colour family, and the measure of how
much an edit changed a picture.

Pixel-difference thresholds, in one place (levels per channel, 0-255):

* :data:`BLANK_TOLERANCE` (2): a picture within it of one colour is blank;
* :data:`PIXEL_LEVELS` (16): a pixel that moved more than this differs (re-render checks, the
  interactive agent's effects);
* :data:`EDIT_LEVELS` (24): a pixel an edit changed, above the few-pixel jitter of identical
  p5.brush renders on SwiftShader (up to 8 levels) and anti-aliasing noise.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from PIL import Image

#: Per-channel tolerance under which an image counts as one uniform colour.
BLANK_TOLERANCE = 2
#: Per-channel difference above which two pixels differ.
PIXEL_LEVELS = 16
#: Per-channel difference above which an edit changed a pixel.
EDIT_LEVELS = 24
#: Colour families around the wheel, then the two without a clear hue (tasks, the reference pool).
COLOUR_FAMILIES: tuple[str, ...] = (
    "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "neutral",
)


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """``(..., 3)`` uint8 sRGB -> CIELAB (D65), L in [0, 100]."""
    c = rgb.astype(np.float64) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375],
                  [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = c @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def pixel_sha256(image: Image.Image) -> str:
    """SHA-256 over the image size and its RGB pixel bytes."""
    rgb = image.convert("RGB")
    h = hashlib.sha256(f"{rgb.width}x{rgb.height}:".encode())
    h.update(rgb.tobytes())
    return h.hexdigest()


def is_blank(image: Image.Image, tolerance: int = BLANK_TOLERANCE) -> bool:
    """True when every pixel is within ``tolerance`` of one colour (per channel)."""
    arr = np.asarray(image.convert("RGB"), dtype=np.int16)
    if arr.size == 0:
        return True
    spread = arr.reshape(-1, 3).max(axis=0) - arr.reshape(-1, 3).min(axis=0)
    return bool((spread <= tolerance).all())


def compare_images(a: Any, b: Any) -> tuple[bool, float, float]:
    """``(identical, mean |diff|, fraction of pixels off by more than PIXEL_LEVELS)`` of two images."""
    x = np.asarray(a.convert("RGB"), dtype=np.int16)
    y = np.asarray(b.convert("RGB"), dtype=np.int16)
    if x.shape != y.shape:
        return False, 255.0, 1.0
    d = np.abs(x - y)
    return bool(not d.any()), float(d.mean()), float((d.max(axis=2) > PIXEL_LEVELS).mean())


def palette_of(image: Any, n: int = 5) -> list[str]:
    """The ``n`` most frequent colours of an image (median-cut), most frequent first."""
    from PIL import Image

    q = image.convert("RGB").resize((128, 128)).quantize(colors=n, method=Image.Quantize.MEDIANCUT)
    pal = q.getpalette()[: 3 * n]
    counts = sorted(q.getcolors(), reverse=True)
    return [f"#{pal[3 * i]:02x}{pal[3 * i + 1]:02x}{pal[3 * i + 2]:02x}" for _, i in counts]


def colour_family_of(image: Any) -> str:
    """The dominant hue family of an image: pixels with colour vote by hue; too few -> neutral."""
    hsv = np.asarray(image.convert("RGB").resize((96, 96)).convert("HSV"), dtype=np.float32)
    h, s, v = hsv[..., 0] * 360 / 255, hsv[..., 1] / 255, hsv[..., 2] / 255
    coloured = (s > 0.2) & (v > 0.15)
    if coloured.mean() < 0.08:
        return "neutral"
    hue, sat, val = h[coloured], s[coloured], v[coloured]
    bins = {"red": (hue < 15) | (hue >= 345), "orange": (hue >= 15) & (hue < 40),
            "yellow": (hue >= 40) & (hue < 70), "green": (hue >= 70) & (hue < 160),
            "teal": (hue >= 160) & (hue < 195), "blue": (hue >= 195) & (hue < 255),
            "purple": (hue >= 255) & (hue < 295), "pink": (hue >= 295) & (hue < 345)}
    brown = ((hue < 45) | (hue >= 345)) & (val < 0.55) & (sat < 0.8)
    votes = {k: float(m.sum()) for k, m in bins.items()}
    votes["brown"] = float(brown.sum())
    for k in ("red", "orange", "yellow"):
        votes[k] -= float((bins[k] & brown).sum())
    return max(votes, key=lambda k: votes[k])


# ---------------------------------------------------------------------- visible change
@dataclass(frozen=True)
class ChangeMeasure:
    """How much one picture differs from another (see the module docstring)."""

    pixel_fraction: float
    mean_abs: float
    perceptual: float
    changed: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


NO_CHANGE = ChangeMeasure(0.0, 0.0, 0.0, False)
ALL_CHANGED = ChangeMeasure(1.0, 1.0, 1.0, True)


def measure_change(before: Any, after: Any, *, tolerance: int = EDIT_LEVELS, min_fraction: float = 0.005,
                   min_perceptual: float = 0.02) -> ChangeMeasure:
    """Measure the visible difference between two pictures (renders or PIL images).

    A failed render counts as "no picture": none -> none is no change, none -> picture (or
    back) is a complete change.
    """
    a, b = _picture(before), _picture(after)
    if a is None or b is None:
        return NO_CHANGE if a is None and b is None else ALL_CHANGED
    if b.size != a.size:
        b = b.resize(a.size, Image.Resampling.BILINEAR)
    x = np.asarray(a, dtype=np.int16)
    y = np.asarray(b, dtype=np.int16)
    diff = np.abs(x - y)
    pixel_fraction = float((diff.max(axis=2) > tolerance).mean())
    mean_abs = float(diff.mean() / 255.0)
    perceptual = float(np.clip(1.0 - ssim(_grey64(a), _grey64(b)), 0.0, 1.0))
    changed = pixel_fraction >= min_fraction or perceptual >= min_perceptual
    return ChangeMeasure(pixel_fraction, mean_abs, perceptual, bool(changed))


def ssim(x: np.ndarray, y: np.ndarray, window: int = 7) -> float:
    """Mean structural similarity of two greyscale images in [0, 1] (uniform window)."""
    c1, c2 = 0.01**2, 0.03**2
    mx, my = _box(x, window), _box(y, window)
    vx = _box(x * x, window) - mx * mx
    vy = _box(y * y, window) - my * my
    cxy = _box(x * y, window) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(s.mean())


def structure_ssim(x: np.ndarray, y: np.ndarray, window: int = 7) -> float:
    """SSIM averaged over where the pictures have structure: each window weighted by their local contrast.

    Plain :func:`ssim` averages every window alike, so two mostly flat pictures of similar brightness
    (a small star on cream, a pale landscape) score high wherever both are flat. Here a window
    counts by the sum of the two pictures' local standard deviations: flat-on-flat windows weigh
    almost nothing, and a copy must reproduce the other picture's edges and texture.
    """
    c1, c2 = 0.01**2, 0.03**2
    mx, my = _box(x, window), _box(y, window)
    vx = np.maximum(_box(x * x, window) - mx * mx, 0.0)
    vy = np.maximum(_box(y * y, window) - my * my, 0.0)
    cxy = _box(x * y, window) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    weight = np.sqrt(vx) + np.sqrt(vy) + 1e-3
    return float((s * weight).sum() / weight.sum())


def _box(a: np.ndarray, w: int) -> np.ndarray:
    # Mean over every w x w window ("valid" positions) through an integral image.
    c = np.pad(a, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    return (c[w:, w:] - c[:-w, w:] - c[w:, :-w] + c[:-w, :-w]) / (w * w)


def _grey64(im: Image.Image) -> np.ndarray:
    return np.asarray(im.convert("L").resize((64, 64), Image.Resampling.BOX), dtype=np.float64) / 255.0


def _picture(x: Any) -> Image.Image | None:
    """A PIL image, or a render's picture (a :class:`~.result.RenderResult`) when it has one."""
    if x is None:
        return None
    if isinstance(x, Image.Image):
        return x.convert("RGB")
    return x.canvas_image if x.png is not None and (x.ok or x.error_kind == "blank") else None
