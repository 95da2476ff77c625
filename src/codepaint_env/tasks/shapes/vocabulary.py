r"""How each language spells the colours a ``shapes`` prompt names, and what its prompt must define.

The checks judge colour terms (:mod:`rewards.checks.colour_names`), so a program may write a
colour in its language's own words. Every colour a prompt names must be one the language knows,
or the prompt defines it:

* SVG, HTML, p5.js and Python (matplotlib and Pillow) know the CSS colour names; ``cream`` is not
  one, so a prompt that names it says its value.
* TikZ knows xcolor's base colours. It has no ``navy`` and no ``cream``, and its ``purple`` is a
  crimson that people call red, so a TikZ prompt that names them gives the ``\definecolor`` lines.

:func:`spelling` is what a program writes for a colour (the language's own name, or the defined
value); :func:`definitions` is what the prompt adds.
"""

from __future__ import annotations

from rewards.checks.colour_names import NAMED_COLOURS
from rewards.checks.colours import PALETTE

#: The colour names each language knows (CSS names; xcolor's base colours for TikZ).
CSS_NAMES: frozenset[str] = frozenset(n for n in NAMED_COLOURS if ":" not in n)
XCOLOR_NAMES: frozenset[str] = frozenset(n.split(":", 1)[1] for n in NAMED_COLOURS if n.startswith("xcolor:"))
KNOWN_NAMES: dict[str, frozenset[str]] = {"svg": CSS_NAMES, "p5": CSS_NAMES, "html": CSS_NAMES,
                                          "python": CSS_NAMES, "tikz": XCOLOR_NAMES}


def _native(language: str, colour: str) -> bool:
    """Whether the language's own ``colour`` is a colour people call ``colour``."""
    if colour not in KNOWN_NAMES[language]:
        return False
    key = colour if language != "tikz" else f"xcolor:{colour}"
    return NAMED_COLOURS[key][1] == colour


def defined(language: str, colours: list[str] | tuple[str, ...]) -> list[str]:
    """The colours (in order, once each) the language does not know and the prompt must define."""
    if language not in KNOWN_NAMES:
        raise ValueError(f"the shapes generator writes {', '.join(KNOWN_NAMES)}, not {language!r}")
    return [c for c in dict.fromkeys(colours) if not _native(language, c)]


def spelling(language: str, colour: str) -> str:
    """What a program in ``language`` writes for ``colour``: its own name, or (undefined) the value."""
    if _native(language, colour) or language == "tikz":  # TikZ: the name the prompt's \\definecolor gives
        return colour
    return PALETTE[colour]


def definitions(language: str, colours: list[str] | tuple[str, ...]) -> str:
    """The sentence a prompt adds for the colours the language lacks (``""`` when it knows them all)."""
    missing = defined(language, colours)
    if not missing:
        return ""
    if language == "tikz":
        lines = " ".join(tikz_definition(c) for c in missing)
        return f" Define these colours first: {lines}"
    values = ", ".join(f"{c} is {PALETTE[c]}" for c in missing)
    return f" ({values}.)"


def honest_values(colour: str) -> list[tuple[int, int, int]]:
    """The sRGB values an honest program may draw ``colour`` with: the palette's, and each language's own."""
    values = {PALETTE[colour]}
    for language in KNOWN_NAMES:
        if _native(language, colour):
            values.add(NAMED_COLOURS[colour if language != "tikz" else f"xcolor:{colour}"][0])
    return [(int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)) for h in sorted(values)]


def tikz_definition(colour: str) -> str:
    r"""The ``\definecolor`` line for a palette colour."""
    return f"\\definecolor{{{colour}}}{{HTML}}{{{PALETTE[colour][1:].upper()}}}"
