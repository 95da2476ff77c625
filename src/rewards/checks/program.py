r"""The checks read from the program rather than the picture: ``no_image`` and ``svg_elements``.

``no_image``: the picture is drawn, not pasted: no embedded or loaded raster image (an SVG
``<image>``, an HTML ``<img>``, a ``data:image/`` URI, p5's ``loadImage``, canvas ``drawImage``,
Pillow's ``Image.open``, TikZ's ``\\includegraphics``...). ``svg_elements``: how many elements
of one tag an SVG (or an HTML page's inline SVG) has; it does not apply to the other languages.
"""

from __future__ import annotations

import re
from typing import Any

_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_ANY_LANGUAGE = [r"data:image/", r"https?://[^\s\"')]+\.(?:png|jpe?g|gif|webp|bmp)"]
#: Per language, what embeds or loads a raster image (regular expressions, case-insensitive).
RASTER_PATTERNS: dict[str, list[str]] = {
    "svg": [r"<\s*image\b", r"<\s*foreignObject\b", r"<\s*feImage\b"],
    "html": [r"<\s*image\b", r"<\s*img\b", r"<\s*picture\b", r"\bdrawImage\s*\(", r"\bnew\s+Image\s*\(",
             r"\bcreateImageBitmap\s*\(", r"\burl\s*\(", r"<\s*object\b", r"<\s*embed\b", r"<\s*iframe\b"],
    "p5": [r"\bloadImage\s*\(", r"\bcreateImg\s*\(", r"\bdrawImage\s*\("],
    "python": [r"\bImage\.open\s*\(", r"\bimread\s*\(", r"\bb64decode\s*\(", r"\burlopen\s*\(",
               r"\brequests\.", r"\bImage\.frombytes\s*\(", r"\bImage\.frombuffer\s*\("],
    "tikz": [r"\\includegraphics\b", r"\\pgfimage\b", r"\\pgfdeclareimage\b"],
}
RASTER_PATTERNS["p5brush"] = RASTER_PATTERNS["p5"]
_SVG_LANGUAGES = ("svg", "html")


def program_check(kind: str, params: dict[str, Any], code: str, language: str) -> tuple[bool | None, str]:
    """Evaluate a program check: ``(passed or None when it does not apply, sentence)``."""
    if kind == "no_image":
        return no_image(code, language)
    if kind == "svg_elements":
        return svg_elements(code, language, params["element"], params["min"], params["max"])
    raise ValueError(f"{kind!r} is not a program check")


def no_image(code: str, language: str) -> tuple[bool, str]:
    """No raster image is embedded in or loaded by the program."""
    for pattern in [*_ANY_LANGUAGE, *RASTER_PATTERNS.get(language, [])]:
        found = re.search(pattern, code, flags=re.I)
        if found:
            return False, f"expected no embedded raster image, found {found.group(0)[:40]!r} in the program"
    return True, "no raster image in the program"


def svg_elements(code: str, language: str, element: str, lo: int, hi: int) -> tuple[bool | None, str]:
    """The number of ``<element>`` tags in an SVG or HTML program is in ``lo..hi``."""
    if language not in _SVG_LANGUAGES:
        return None, f"does not apply to {language} (SVG and HTML only)"
    n = len(re.findall(rf"<\s*{re.escape(element)}\b", _COMMENTS.sub("", code), flags=re.I))
    expected = f"{lo}" if lo == hi else f"at least {lo}" if hi >= 1000 else f"{lo}-{hi}"
    if lo <= n <= hi:
        return True, f"{n} <{element}> elements"
    return False, f"expected {expected} <{element}> elements, found {n}"
