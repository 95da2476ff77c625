r"""The checks read from the program rather than the picture: ``no_image`` and ``svg_elements``.

``no_image``: the picture is drawn, not pasted: no embedded or loaded raster image (an SVG
``<image>``, an HTML ``<img>``, a ``data:image/`` URI, p5's ``loadImage``, canvas ``drawImage``,
Pillow's ``Image.open``, TikZ's ``\\includegraphics``...: each language's ``raster_patterns`` in the
language table). ``svg_elements``: how many elements of one tag an SVG (or an HTML page's inline
SVG) has: it applies to the languages whose ``markup`` is SVG or HTML.
"""

from __future__ import annotations

import re
from typing import Any

from codepaint_env.render.languages import LANGUAGES

_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_ANY_LANGUAGE = [r"data:image/", r"https?://[^\s\"')]+\.(?:png|jpe?g|gif|webp|bmp)"]


def program_check(kind: str, params: dict[str, Any], code: str, language: str) -> tuple[bool | None, str]:
    """Evaluate a program check: ``(passed or None when it does not apply, sentence)``."""
    if kind == "no_image":
        return no_image(code, language)
    if kind == "svg_elements":
        return svg_elements(code, language, params["element"], params["min"], params["max"])
    raise ValueError(f"{kind!r} is not a program check")


def no_image(code: str, language: str) -> tuple[bool, str]:
    """No raster image is embedded in or loaded by the program."""
    spec = LANGUAGES.get(language)
    for pattern in [*_ANY_LANGUAGE, *(spec.raster_patterns if spec is not None else ())]:
        found = re.search(pattern, code, flags=re.I)
        if found:
            return False, f"expected no embedded raster image, found {found.group(0)[:40]!r} in the program"
    return True, "no raster image in the program"


def svg_elements(code: str, language: str, element: str, lo: int, hi: int) -> tuple[bool | None, str]:
    """The number of ``<element>`` tags in an SVG or HTML program is in ``lo..hi``."""
    spec = LANGUAGES.get(language)
    if spec is None or spec.markup not in ("svg", "html"):
        return None, f"does not apply to {language} (SVG and HTML only)"
    n = len(re.findall(rf"<\s*{re.escape(element)}\b", _COMMENTS.sub("", code), flags=re.I))
    expected = f"{lo}" if lo == hi else f"at least {lo}" if hi >= 1000 else f"{lo}-{hi}"
    if lo <= n <= hi:
        return True, f"{n} <{element}> elements"
    return False, f"expected {expected} <{element}> elements, found {n}"
