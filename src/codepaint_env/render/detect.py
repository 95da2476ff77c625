r"""Language detection from the code itself (``--lang auto``).

Detection looks at code, not at what the code quotes: string literals and comments are blanked
out before any JavaScript or Python marker is looked for, so ``'/assets/brush.png'`` does not
make a sketch ``p5brush`` and a ``"const "`` in a Python string does not make it JavaScript.
The rule, first match wins:

1. the document starts with ``<svg`` after an optional XML declaration, comments and an SVG
   doctype (with or without an internal subset, ``<!DOCTYPE svg [ <!ENTITY ...> ]>``) -> ``svg``
2. Python: a line that only Python writes (``import x`` / ``from x import y`` at the start of
   a line, ``def f(...):``, ``if __name__ == "__main__":``, a ``plt.`` call) and no JavaScript
   construct (``function f(``, ``=>``, ``const``/``let``/``var`` declarations,
   ``createCanvas(``) -> ``python`` (before TikZ: a matplotlib program may quote LaTeX)
3. ``\documentclass``, ``\begin{tikzpicture}``, ``\tikz`` or ``\usetikzlibrary`` -> ``tikz``
4. ``<!doctype html``, ``<html``, ``<head`` or ``<body``, or the document starts with a tag -> ``html``
5. a use of ``brush.<name>`` in the code (not in a string or comment), where the program does
   not declare a ``brush`` of its own -> ``p5brush``
6. anything else -> ``p5``

Each rule is the ``detect`` test of its language in the registry
(:mod:`codepaint_env.core.languages`), tried in ``detect_order``: a new language adds its own.
"""

from __future__ import annotations

import functools
import re

from codepaint_env.core.languages import LANGUAGES, by_suffix

_TIKZ = re.compile(r"\\documentclass|\\begin\{tikzpicture\}|\\tikz\b|\\usetikzlibrary")
# XML declaration, comments, processing instructions and an SVG doctype (its internal subset
# may hold entity declarations with ">" inside quoted values).
_PROLOG = re.compile(
    r"""\A\ufeff?\s*(?:<\?xml.*?\?>\s*)?(?:(?:<!--.*?-->|<\?.*?\?>)\s*)*"""
    r"""(?:<!doctype\s+svg\b(?:[^\[>"']|"[^"]*"|'[^']*')*(?:\[.*?\]\s*)?>\s*)?"""
    r"""(?:(?:<!--.*?-->|<\?.*?\?>)\s*)*""",
    re.I | re.S,
)
_HTML = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
_PY = re.compile(
    r"^(?:import\s+[\w.]+|from\s+[.\w]+\s+import\s)"
    r"|^[ \t]*def[ \t]+\w+[ \t]*\(.*\)[ \t]*(?:->[^:\n]+)?:[ \t]*$"
    r"|^if\s+__name__\s*=="
    r"|\bplt\.\w+\(",
    re.M,
)
_JS = re.compile(r"\bfunction\s*\*?\s*[\w$]*\s*\(|=>|\b(?:const|let|var)\s+[\w${\[]|\bcreateCanvas\s*\(")
_BRUSH_USE = re.compile(r"(?<![\w$.])brush\s*\.\s*[A-Za-z_$]")
_BRUSH_OWN = re.compile(r"\b(?:const|let|var|function|class)\s+brush\b|(?<![\w$.])brush\s*=[^=]")

# String literals, comments and regular-expression literals of JavaScript (template literals
# whole, their ${...} included), and strings and comments of Python. An unterminated one runs to
# the end of its line (or, for block comments, templates and triple quotes, of the text), as in
# the language itself: no start is ever scanned twice, so hostile input stays linear.
_EOL = r"(?:\n|\Z)"
_ESC = r"\\(?:.|\Z)"  # an escape; a backslash that ends the text ends it
_JS_NOISE = re.compile(
    rf"//[^\n]*|/\*(?:.*?\*/|.*)|`(?:{_ESC}|[^`\\])*(?:`|\Z)"
    rf"|\"(?:{_ESC}|[^\"\\\n])*(?:\"|{_EOL})|'(?:{_ESC}|[^'\\\n])*(?:'|{_EOL})"
    # a regular-expression literal: a slash where an operand starts (after ( , = : [ ! & | ? { } ;)
    rf"|(?<=[(,=:\[!&|?{{}};])\s*/(?![*/])(?:{_ESC}|\[(?:{_ESC}|[^\]\\\n])*(?:\]|(?=\n)|\Z)|[^/\\\n\[])*(?:/[a-z]*|{_EOL})",
    re.S,
)
_PY_NOISE = re.compile(
    r"#[^\n]*"
    rf'|[rRbBuUfF]{{0,2}}(?:"""(?:{_ESC}|[^\\])*?(?:"""|\Z)|\'\'\'(?:{_ESC}|[^\\])*?(?:\'\'\'|\Z)'
    rf"|\"(?:{_ESC}|[^\"\\\n])*(?:\"|{_EOL})|'(?:{_ESC}|[^'\\\n])*(?:'|{_EOL}))",
    re.S,
)


def _blank(pattern: re.Pattern[str], code: str) -> str:
    """The code with every match of ``pattern`` (strings, comments) replaced by a space."""
    return pattern.sub(" ", code)


def code_only(js: str) -> str:
    """JavaScript with its string literals, comments and regular-expression literals blanked."""
    return _blank(_JS_NOISE, js)


class Source:
    """A program as detection looks at it.

    Its text, and (computed once, on demand) the text as Python and as JavaScript would read it,
    strings and comments blanked.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def python(self) -> str:
        """The code as Python would read it."""
        return _blank(_PY_NOISE, self.text)

    @functools.cached_property
    def javascript(self) -> str:
        """The code as JavaScript would read it."""
        return code_only(self.text)


# ---------------------------------------------------------------------- the built-in tests
def is_svg(src: Source) -> bool:
    """A document that starts with ``<svg`` after a prolog (XML declaration, comments, doctype)."""
    prolog = _PROLOG.match(src.text)
    head = src.text[prolog.end():] if prolog else src.text
    return re.match(r"<svg[\s>/]", head, re.I) is not None


def is_python(src: Source) -> bool:
    """A line only Python writes, and no JavaScript construct.

    (Tried before TikZ: a matplotlib program may quote LaTeX.)
    """
    return _PY.search(src.python) is not None and _JS.search(src.python) is None


def is_tikz(src: Source) -> bool:
    r"""``\documentclass``, ``\begin{tikzpicture}``, ``\tikz`` or ``\usetikzlibrary``."""
    return _TIKZ.search(src.text) is not None


def is_html(src: Source) -> bool:
    """An HTML doctype, ``<html>``, ``<head>`` or ``<body>``, or a document that starts with a tag."""
    return _HTML.search(src.text) is not None or re.match(r"\s*<[a-zA-Z!]", src.text) is not None


def is_p5brush(src: Source) -> bool:
    """A use of ``brush.<name>`` by a program that does not declare a ``brush`` of its own."""
    return _BRUSH_USE.search(src.javascript) is not None and _BRUSH_OWN.search(src.javascript) is None


#: The language detection falls back to.
FALLBACK = "p5"


def detect_language(code: str) -> str:
    """Guess the language of a program.

    The registered languages' tests, in their ``detect_order`` (the module docstring gives the
    built-in rule); :data:`FALLBACK` when none says yes.
    """
    src = Source(code)
    for spec in sorted((s for s in LANGUAGES.values() if s.detect is not None), key=lambda s: s.detect_order):
        if spec.detect(src):  # type: ignore[misc]
            return spec.name
    return FALLBACK


def language_from_path(path: str, code: str) -> str:
    """The language of a file: by its name's ending (the registered suffixes), else by its code."""
    return by_suffix(path) or detect_language(code)
