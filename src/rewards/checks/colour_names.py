"""Colour names as a person uses them: every sRGB colour gets the basic colour term it is called by.

A check that names a colour ("a red circle") passes for any colour a person would call by that
name, not only for pixels near one hex value the prompt never states. The mechanism is one
labelled table and one rule:

* :data:`NAMED_COLOURS` holds the CSS / X11 named colours (the names SVG, HTML, p5.js, matplotlib
  and Pillow all understand), xcolor's base colours (TikZ) and the palette's own values, each with
  the colour term a person calls it by (``"navy"`` is navy, ``"darkturquoise"`` is cyan,
  ``"saddlebrown"`` is brown) or ``None`` when people disagree (``"teal"``, ``"coral"``,
  ``"magenta"``...): those are not used to decide anything.
* A colour is called by the term of the nearest labelled colour (CIE76 ΔE in CIELAB, D65): the
  terms are the Voronoi cells of the labelled colours. So every labelled colour is called by its
  own term, and a colour between two terms goes to the closer one.

The terms (:data:`TERMS`) are the basic colour terms of English (Berlin & Kay: black, white, grey,
red, orange, yellow, green, blue, purple, pink, brown) plus the three the ``shapes`` suite names
that are not basic: cyan, navy and cream. Where an unlabelled colour lands is documented, not
guessed: :func:`boundary_table` lists every unlabelled named colour and the term it gets
(``docs/visual-checks.md`` prints it, and a test keeps the two equal).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from codepaint_env.core.images import srgb_to_lab

#: The colour terms, in a fixed order (their index is what :func:`terms_of` returns).
TERMS: tuple[str, ...] = ("black", "white", "grey", "red", "orange", "yellow", "green", "cyan", "blue",
                          "navy", "purple", "pink", "brown", "cream")

# name -> (#rrggbb, the term a person calls it by, or None where people disagree)
_CSS: dict[str, tuple[str, str | None]] = {
    "aliceblue": ("#f0f8ff", "white"), "antiquewhite": ("#faebd7", "cream"),
    "aqua": ("#00ffff", "cyan"), "aquamarine": ("#7fffd4", None), "azure": ("#f0ffff", "white"),
    "beige": ("#f5f5dc", "cream"), "bisque": ("#ffe4c4", None), "black": ("#000000", "black"),
    "blanchedalmond": ("#ffebcd", "cream"), "blue": ("#0000ff", "blue"),
    "blueviolet": ("#8a2be2", "purple"), "brown": ("#a52a2a", None), "burlywood": ("#deb887", None),
    "cadetblue": ("#5f9ea0", None), "chartreuse": ("#7fff00", None), "chocolate": ("#d2691e", None),
    "coral": ("#ff7f50", None), "cornflowerblue": ("#6495ed", "blue"), "cornsilk": ("#fff8dc", "cream"),
    "crimson": ("#dc143c", "red"), "cyan": ("#00ffff", "cyan"), "darkblue": ("#00008b", "navy"),
    "darkcyan": ("#008b8b", "cyan"), "darkgoldenrod": ("#b8860b", None), "darkgray": ("#a9a9a9", "grey"),
    "darkgreen": ("#006400", "green"), "darkgrey": ("#a9a9a9", "grey"), "darkkhaki": ("#bdb76b", None),
    "darkmagenta": ("#8b008b", "purple"), "darkolivegreen": ("#556b2f", "green"),
    "darkorange": ("#ff8c00", "orange"), "darkorchid": ("#9932cc", "purple"), "darkred": ("#8b0000", "red"),
    "darksalmon": ("#e9967a", None), "darkseagreen": ("#8fbc8f", "green"),
    "darkslateblue": ("#483d8b", None), "darkslategray": ("#2f4f4f", None),
    "darkslategrey": ("#2f4f4f", None), "darkturquoise": ("#00ced1", "cyan"),
    "darkviolet": ("#9400d3", "purple"), "deeppink": ("#ff1493", "pink"), "deepskyblue": ("#00bfff", "blue"),
    "dimgray": ("#696969", "grey"), "dimgrey": ("#696969", "grey"), "dodgerblue": ("#1e90ff", "blue"),
    "firebrick": ("#b22222", "red"), "floralwhite": ("#fffaf0", "white"), "forestgreen": ("#228b22", "green"),
    "fuchsia": ("#ff00ff", None), "gainsboro": ("#dcdcdc", "grey"), "ghostwhite": ("#f8f8ff", "white"),
    "gold": ("#ffd700", "yellow"), "goldenrod": ("#daa520", None), "gray": ("#808080", "grey"),
    "green": ("#008000", "green"), "greenyellow": ("#adff2f", None), "grey": ("#808080", "grey"),
    "honeydew": ("#f0fff0", None), "hotpink": ("#ff69b4", "pink"), "indianred": ("#cd5c5c", "red"),
    "indigo": ("#4b0082", "purple"), "ivory": ("#fffff0", None), "khaki": ("#f0e68c", None),
    "lavender": ("#e6e6fa", None), "lavenderblush": ("#fff0f5", None), "lawngreen": ("#7cfc00", "green"),
    "lemonchiffon": ("#fffacd", None), "lightblue": ("#add8e6", "blue"), "lightcoral": ("#f08080", None),
    "lightcyan": ("#e0ffff", None), "lightgoldenrodyellow": ("#fafad2", None),
    "lightgray": ("#d3d3d3", "grey"), "lightgreen": ("#90ee90", "green"), "lightgrey": ("#d3d3d3", "grey"),
    "lightpink": ("#ffb6c1", "pink"), "lightsalmon": ("#ffa07a", None), "lightseagreen": ("#20b2aa", None),
    "lightskyblue": ("#87cefa", "blue"), "lightslategray": ("#778899", "grey"),
    "lightslategrey": ("#778899", "grey"), "lightsteelblue": ("#b0c4de", None),
    "lightyellow": ("#ffffe0", None), "lime": ("#00ff00", "green"), "limegreen": ("#32cd32", "green"),
    "linen": ("#faf0e6", None), "magenta": ("#ff00ff", None), "maroon": ("#800000", None),
    "mediumaquamarine": ("#66cdaa", None), "mediumblue": ("#0000cd", "blue"),
    "mediumorchid": ("#ba55d3", "purple"), "mediumpurple": ("#9370db", "purple"),
    "mediumseagreen": ("#3cb371", "green"), "mediumslateblue": ("#7b68ee", None),
    "mediumspringgreen": ("#00fa9a", "green"), "mediumturquoise": ("#48d1cc", "cyan"),
    "mediumvioletred": ("#c71585", None), "midnightblue": ("#191970", "navy"),
    "mintcream": ("#f5fffa", "white"),
    "mistyrose": ("#ffe4e1", None), "moccasin": ("#ffe4b5", None), "navajowhite": ("#ffdead", None),
    "navy": ("#000080", "navy"), "oldlace": ("#fdf5e6", None), "olive": ("#808000", None),
    "olivedrab": ("#6b8e23", None), "orange": ("#ffa500", "orange"), "orangered": ("#ff4500", None),
    "orchid": ("#da70d6", None), "palegoldenrod": ("#eee8aa", None), "palegreen": ("#98fb98", "green"),
    "paleturquoise": ("#afeeee", "cyan"), "palevioletred": ("#db7093", "pink"),
    "papayawhip": ("#ffefd5", "cream"), "peachpuff": ("#ffdab9", None), "peru": ("#cd853f", "brown"),
    "pink": ("#ffc0cb", "pink"), "plum": ("#dda0dd", None), "powderblue": ("#b0e0e6", None),
    "purple": ("#800080", "purple"), "rebeccapurple": ("#663399", "purple"), "red": ("#ff0000", "red"),
    "rosybrown": ("#bc8f8f", None), "royalblue": ("#4169e1", "blue"), "saddlebrown": ("#8b4513", "brown"),
    "salmon": ("#fa8072", None), "sandybrown": ("#f4a460", None), "seagreen": ("#2e8b57", "green"),
    "seashell": ("#fff5ee", "white"), "sienna": ("#a0522d", "brown"), "silver": ("#c0c0c0", "grey"),
    "skyblue": ("#87ceeb", "blue"), "slateblue": ("#6a5acd", None), "slategray": ("#708090", "grey"),
    "slategrey": ("#708090", "grey"), "snow": ("#fffafa", "white"), "springgreen": ("#00ff7f", "green"),
    "steelblue": ("#4682b4", "blue"), "tan": ("#d2b48c", None), "teal": ("#008080", None),
    "thistle": ("#d8bfd8", None), "tomato": ("#ff6347", None), "turquoise": ("#40e0d0", "cyan"),
    "violet": ("#ee82ee", None), "wheat": ("#f5deb3", None), "white": ("#ffffff", "white"),
    "whitesmoke": ("#f5f5f5", "white"), "yellow": ("#ffff00", "yellow"), "yellowgreen": ("#9acd32", None),
}
# xcolor's base colours (what a TikZ picture gets for these names without any option), as the
# renderer's pdftoppm draws them: xcolor defines cyan, magenta and yellow in CMYK, which comes out as
# process colours (cyan #00adef is a sky blue people split between cyan and blue). Its ``purple`` is a
# crimson (0.75, 0, 0.25) people call red. So TikZ prompts define cyan and purple (and navy, cream,
# which xcolor lacks) themselves.
_XCOLOR: dict[str, tuple[str, str | None]] = {
    "xcolor:red": ("#ff0000", "red"), "xcolor:green": ("#00ff00", "green"),
    "xcolor:blue": ("#0000ff", "blue"),
    "xcolor:cyan": ("#00adef", None), "xcolor:magenta": ("#ec008c", None),
    "xcolor:yellow": ("#fff200", "yellow"), "xcolor:black": ("#000000", "black"),
    "xcolor:gray": ("#808080", "grey"), "xcolor:white": ("#ffffff", "white"),
    "xcolor:darkgray": ("#404040", "grey"), "xcolor:lightgray": ("#bfbfbf", "grey"),
    "xcolor:brown": ("#bf8040", "brown"), "xcolor:lime": ("#bfff00", None), "xcolor:olive": ("#808000", None),
    "xcolor:orange": ("#ff8000", "orange"), "xcolor:pink": ("#ffbfbf", "pink"),
    "xcolor:purple": ("#bf0040", None), "xcolor:teal": ("#008080", None),
    "xcolor:violet": ("#800080", "purple"),
}
# The palette the shapes suite draws its references with (Material Design 600s, and a cream).
_PALETTE_VALUES: dict[str, tuple[str, str | None]] = {
    "palette:red": ("#e53935", "red"), "palette:orange": ("#fb8c00", "orange"),
    "palette:yellow": ("#fdd835", "yellow"), "palette:green": ("#43a047", "green"),
    "palette:blue": ("#1e88e5", "blue"), "palette:purple": ("#8e24aa", "purple"),
    "palette:pink": ("#f48fb1", "pink"), "palette:cyan": ("#26c6da", "cyan"),
    "palette:navy": ("#1a237e", "navy"), "palette:cream": ("#fff3d6", "cream"),
    "palette:grey": ("#9e9e9e", "grey"), "palette:brown": ("#795548", "brown"),
    "palette:black": ("#000000", "black"), "palette:white": ("#ffffff", "white"),
}
#: Every named colour the rule knows: ``name -> (#rrggbb, term or None)`` (CSS names bare; xcolor's
#: and the palette's with a prefix).
NAMED_COLOURS: dict[str, tuple[str, str | None]] = {**_CSS, **_XCOLOR, **_PALETTE_VALUES}


def _rgb(hex_value: str) -> tuple[int, int, int]:
    return int(hex_value[1:3], 16), int(hex_value[3:5], 16), int(hex_value[5:7], 16)


@lru_cache(maxsize=1)
def _prototypes() -> tuple[np.ndarray, np.ndarray]:
    """The labelled colours in Lab and their terms' indices (distinct values only)."""
    seen: dict[str, str] = {}
    for hex_value, term in NAMED_COLOURS.values():
        if term is None:
            continue
        if seen.setdefault(hex_value, term) != term:  # one value, two terms: the table is wrong
            raise AssertionError(f"{hex_value} is labelled both {seen[hex_value]} and {term}")
    rgb = np.array([_rgb(h) for h in seen], dtype=np.uint8)
    lab = srgb_to_lab(rgb).astype(np.float64)
    terms = np.array([TERMS.index(t) for t in seen.values()], dtype=np.int8)
    return lab, terms


def _nearest_terms(lab: np.ndarray) -> np.ndarray:
    """The term index of each Lab value (``(n, 3)``), by the nearest labelled colour."""
    protos, terms = _prototypes()
    out = np.empty(len(lab), dtype=np.int8)
    for start in range(0, len(lab), 4096):  # bounded memory: 4096 x prototypes distances at a time
        chunk = lab[start:start + 4096]
        d = ((chunk[:, None, :] - protos[None, :, :]) ** 2).sum(axis=-1)
        out[start:start + 4096] = terms[d.argmin(axis=1)]
    return out


def terms_of(rgb: np.ndarray) -> np.ndarray:
    """The term index (into :data:`TERMS`) of every pixel of an ``(..., 3)`` uint8 sRGB array.

    Each distinct colour is named once (a picture of shapes has few), so a 160x160 picture costs a
    few milliseconds.
    """
    rgb = np.asarray(rgb, dtype=np.uint8)
    flat = rgb.reshape(-1, 3).astype(np.uint32)
    packed = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    table = _term_table()
    named = table[packed]
    missing = named < 0
    if missing.any():  # colours not seen before in this process: named once, then looked up
        unique = np.unique(packed[missing])
        colours = np.stack([(unique >> 16) & 255, (unique >> 8) & 255, unique & 255], axis=1).astype(np.uint8)
        table[unique] = _nearest_terms(srgb_to_lab(colours).astype(np.float64))
        named = table[packed]
    return named.reshape(rgb.shape[:-1])


@lru_cache(maxsize=1)
def _term_table() -> np.ndarray:
    """Every 24-bit sRGB colour's term index, -1 where not named yet (16 MB, filled as colours come).

    A pixel's term depends on its colour alone, so naming a colour once per process is exact; the
    table spares each picture sorting its pixels to find the distinct colours (the adversary scores
    thousands of pictures a scene).
    """
    return np.full(1 << 24, -1, dtype=np.int8)


def term_of(rgb: tuple[int, int, int] | np.ndarray) -> str:
    """The colour term of one sRGB colour (0-255 channels)."""
    value = np.clip(np.rint(np.asarray(rgb, dtype=np.float64)), 0, 255).astype(np.uint8).reshape(1, 3)
    return TERMS[int(terms_of(value)[0])]


def boundary_table() -> list[tuple[str, str, str]]:
    """Every named colour people disagree on, with the term the rule gives it: ``(name, hex, term)``."""
    return [(name, hex_value, term_of(_rgb(hex_value)))
            for name, (hex_value, term) in NAMED_COLOURS.items() if term is None]
