"""SVG documents, for both SVG renderers (Chromium's and resvg's).

:func:`prepare_svg` checks a document and adds a missing namespace before rendering; :func:`fit_box`
says where it lands in the output: Chromium's ``<img style="width:100vw;height:100vh;
object-fit:contain">`` for a document's root, reproduced (within 0.7 mean |difference| of Chromium
on 32 root-sizing probes). The fast renderer draws the document into that box; the blank test of
both SVG renderers looks only inside it.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

_LENGTH = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(px|in|cm|mm|pt|pc|em|ex|%)?\s*$")
# em: Chromium's default 16px font; ex: the x-height of its default serif (Liberation Serif) there.
_UNIT_PX = {None: 1.0, "px": 1.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "pt": 96 / 72,
            "pc": 16.0, "em": 16.0, "ex": 7.36}


def _dim(value: str | None) -> tuple[str, float]:
    """A root ``width``/``height``: ``("abs", px)``, ``("pct", fraction)`` or ``("zero", 0)``.

    Missing, ``auto`` and unparseable values are the default, 100%; zero and negative lengths are
    ``zero`` (Chromium then draws the document unscaled).
    """
    m = _LENGTH.match(value) if value is not None else None
    if m is None:
        return "pct", 1.0
    num = float(m.group(1))
    if not math.isfinite(num) or num <= 0:
        return "zero", 0.0
    if m.group(2) == "%":
        return "pct", num / 100
    return "abs", num * _UNIT_PX[m.group(2)]


def _view_box(value: str | None) -> tuple[float, float, float, float] | None:
    """The ``viewBox``, or None when missing or invalid (negative sizes, junk): then ignored."""
    if value is None:
        return None
    try:
        nums = [float(v) for v in re.split(r"[\s,]+", value.strip()) if v]
    except ValueError:
        return None
    if len(nums) != 4 or not all(math.isfinite(v) for v in nums) or nums[2] < 0 or nums[3] < 0:
        return None
    return nums[0], nums[1], nums[2], nums[3]


@dataclass(frozen=True)
class Fit:
    """Where the picture goes in the output: box ``(x, y, w, h)`` and the root's new attributes.

    ``empty``: a zero-sized ``viewBox``, which disables rendering (the picture is the background).
    """

    x: int
    y: int
    w: int
    h: int
    view_box: str
    aspect: str
    empty: bool = False


def _snap(v: float) -> int:
    """Round half up, as Chromium snaps layout edges to pixels (not Python's half-to-even)."""
    return math.floor(v + 0.5)


def fit_box(root: ET.Element, width: int, height: int) -> Fit:
    """Chromium's ``<img style="width:100vw;height:100vh;object-fit:contain">`` for this root.

    The natural size comes from absolute ``width``/``height``; the natural ratio from both of
    them, else from the ``viewBox`` (unless ``preserveAspectRatio="none"``). With a ratio, the
    picture is the largest box of that ratio, centred, and the document (``viewBox`` and
    ``preserveAspectRatio`` as written, or a ``viewBox`` synthesised from the natural size, as
    Blink does for SVG images) is drawn into it. Without a ratio it fills the output: a side
    with an absolute length is stretched from that length, a percentage ``p`` of the output is
    drawn at ``1/p``, and a zero or negative length leaves the document unscaled. Box edges are
    rounded to whole pixels, as Chromium snaps them.
    """
    (kw, nw), (kh, nh) = _dim(root.get("width")), _dim(root.get("height"))
    vb = _view_box(root.get("viewBox"))
    aspect = (root.get("preserveAspectRatio") or "xMidYMid meet").strip()
    words = aspect.split()
    par_none = words[:1] == ["none"] or words[:2] == ["defer", "none"]
    if vb is not None and (vb[2] == 0 or vb[3] == 0):
        return Fit(0, 0, width, height, "0 0 1 1", "none", empty=True)
    ratio = None
    if kw == kh == "abs":
        ratio = nw / nh
    elif vb is not None and not par_none:
        ratio = vb[2] / vb[3]
    if ratio is None:
        bw, bh = float(width), float(height)
    elif width / height > ratio:
        bw, bh = height * ratio, float(height)
    else:
        bw, bh = float(width), width / ratio
    ox, oy = (width - bw) / 2, (height - bh) / 2
    x0, y0 = min(max(_snap(ox), 0), width - 1), min(max(_snap(oy), 0), height - 1)
    x1, y1 = max(_snap(ox + bw), x0 + 1), max(_snap(oy + bh), y0 + 1)
    if vb is not None:
        view_box = " ".join(f"{v:.10g}" for v in vb)
    else:
        if ratio is not None:
            vw, vh = nw, nh
        elif "zero" in (kw, kh):
            vw, vh = float(width), float(height)
        else:
            vw = nw if kw == "abs" else nw * width
            vh = nh if kh == "abs" else nh * height
        view_box, aspect = f"0 0 {vw:.10g} {vh:.10g}", "none"
    return Fit(x0, y0, x1 - x0, y1 - y0, view_box, aspect)


_SVG_ROOT = re.compile(r"<svg\b([^>]*)>", re.IGNORECASE)


def prepare_svg(code: str) -> tuple[str, list[str], str | None]:
    """Check an SVG is well-formed XML with an ``<svg>`` root; add a missing SVG namespace.

    Returns:
        The (possibly amended) SVG, notes about amendments, and a syntax error message or None.
    """
    notes: list[str] = []
    m = _SVG_ROOT.search(code)
    if m and "xmlns=" not in m.group(1):
        # Browsers show an <svg> without its namespace as an XML tree, not a picture; models
        # often leave it out. Add it and say so rather than fail on a technicality.
        start = m.start() + 4
        code = code[:start] + ' xmlns="http://www.w3.org/2000/svg"' + code[start:]
        notes.append('note: added the missing xmlns="http://www.w3.org/2000/svg"')
    if m and "xlink:" in code and "xmlns:xlink" not in code:
        start = _SVG_ROOT.search(code).start() + 4  # type: ignore[union-attr]
        code = code[:start] + ' xmlns:xlink="http://www.w3.org/1999/xlink"' + code[start:]
        notes.append("note: added the missing xmlns:xlink namespace")
    try:
        root = ET.fromstring(code)
    except ET.ParseError as e:
        return code, notes, f"SyntaxError: the SVG is not well-formed XML: {e}"
    if root.tag.rsplit("}", 1)[-1] != "svg":
        return code, notes, f"SyntaxError: the root element is <{root.tag}>, not <svg>"
    return code, notes, None
