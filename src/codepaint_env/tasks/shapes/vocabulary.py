r"""How each language spells the colours a ``shapes`` prompt names, and what its prompt must define.

The checks judge colour terms (:mod:`rewards.checks.colour_names`), so a program may write a
colour in its language's own words. Every colour a prompt names must be one the language knows,
or the prompt defines it:

* the ``css`` vocabulary (SVG, HTML, p5.js and Python: matplotlib and Pillow) has the CSS colour
  names; ``cream`` is not one, so a prompt that names it says its value;
* the ``xcolor`` vocabulary (TikZ) has xcolor's base colours. It has no ``navy`` and no ``cream``,
  and its ``purple`` is a crimson that people call red, so a prompt that names them gives the
  ``\definecolor`` lines, and the program then writes the defined name;
* a language with no colour names (``""``) gets every colour's value in its prompt.

Which vocabulary a language has is its entry in the language table (``LanguageSpec.colour_names``).

:func:`spelling` is what a program writes for a colour (the language's own name, or the defined
value); :func:`definitions` is what the prompt adds.
"""

from __future__ import annotations

from codepaint_env.render.languages import LANGUAGES
from rewards.checks.colour_names import NAMED_COLOURS
from rewards.checks.colours import PALETTE

#: The names of each colour vocabulary (``LanguageSpec.colour_names``).
CSS_NAMES: frozenset[str] = frozenset(n for n in NAMED_COLOURS if ":" not in n)
XCOLOR_NAMES: frozenset[str] = frozenset(n.split(":", 1)[1] for n in NAMED_COLOURS if n.startswith("xcolor:"))
VOCABULARIES: dict[str, frozenset[str]] = {"css": CSS_NAMES, "xcolor": XCOLOR_NAMES, "": frozenset()}
#: The vocabularies whose programs may define a colour under its name (xcolor's ``\definecolor``).
DEFINABLE: frozenset[str] = frozenset({"xcolor"})


def vocabulary(language: str) -> str:
    """The colour vocabulary of a registered language (``"css"``, ``"xcolor"`` or ``""``).

    Raises:
        ValueError: A language that is not registered.
    """
    spec = LANGUAGES.get(language)
    if spec is None:
        raise ValueError(f"unknown language {language!r}; registered: {', '.join(LANGUAGES)}")
    return spec.colour_names


def known_names(language: str) -> frozenset[str]:
    """The colour names a language's programs understand."""
    return VOCABULARIES[vocabulary(language)]


def _key(vocab: str, colour: str) -> str:
    """The colour's key in :data:`NAMED_COLOURS` (xcolor's names are prefixed)."""
    return f"{vocab}:{colour}" if vocab and vocab != "css" else colour


def _native_in(vocab: str, colour: str) -> bool:
    """Whether the vocabulary's own ``colour`` is a colour people call ``colour``."""
    return colour in VOCABULARIES[vocab] and NAMED_COLOURS[_key(vocab, colour)][1] == colour


def _native(language: str, colour: str) -> bool:
    """Whether the language's own ``colour`` is a colour people call ``colour``."""
    return _native_in(vocabulary(language), colour)


def defined(language: str, colours: list[str] | tuple[str, ...]) -> list[str]:
    """The colours (in order, once each) the language does not know and the prompt must define."""
    vocab = vocabulary(language)
    return [c for c in dict.fromkeys(colours) if not _native_in(vocab, c)]


def spelling(language: str, colour: str) -> str:
    """What a program in ``language`` writes for ``colour``: its own name, or (undefined) the value."""
    vocab = vocabulary(language)
    if _native_in(vocab, colour) or vocab in DEFINABLE:  # xcolor: the name the prompt's \\definecolor gives
        return colour
    return PALETTE[colour]


def definitions(language: str, colours: list[str] | tuple[str, ...]) -> str:
    """The sentence a prompt adds for the colours the language lacks (``""`` when it knows them all)."""
    missing = defined(language, colours)
    if not missing:
        return ""
    if vocabulary(language) == "xcolor":
        lines = " ".join(tikz_definition(c) for c in missing)
        return f" Define these colours first: {lines}"
    values = ", ".join(f"{c} is {PALETTE[c]}" for c in missing)
    return f" ({values}.)"


def honest_values(colour: str) -> list[tuple[int, int, int]]:
    """The sRGB values an honest program may draw ``colour`` with: the palette's, and each vocabulary's."""
    values = {PALETTE[colour]}
    for vocab in VOCABULARIES:
        if _native_in(vocab, colour):
            values.add(NAMED_COLOURS[_key(vocab, colour)][0])
    return [(int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)) for h in sorted(values)]


def tikz_definition(colour: str) -> str:
    r"""The ``\definecolor`` line for a palette colour."""
    return f"\\definecolor{{{colour}}}{{HTML}}{{{PALETTE[colour][1:].upper()}}}"
