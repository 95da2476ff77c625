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
"""

from __future__ import annotations

import re

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


def detect_language(code: str) -> str:
    """Guess the language of a program by the documented rule."""
    prolog = _PROLOG.match(code)
    head = code[prolog.end():] if prolog else code
    if re.match(r"<svg[\s>/]", head, re.I):
        return "svg"
    py_code = _blank(_PY_NOISE, code)  # the code as Python would read it
    if _PY.search(py_code) and not _JS.search(py_code):
        return "python"
    if _TIKZ.search(code):
        return "tikz"
    if _HTML.search(code) or re.match(r"\s*<[a-zA-Z!]", code):
        return "html"
    js_code = code_only(code)  # the code as JavaScript would read it
    if _BRUSH_USE.search(js_code) and not _BRUSH_OWN.search(js_code):
        return "p5brush"
    return "p5"


#: File-name endings that name a language (checked before looking at the code).
SUFFIXES: tuple[tuple[str, str], ...] = (
    (".p5brush.js", "p5brush"),
    (".brush.js", "p5brush"),
    (".p5.js", "p5"),
    (".svg", "svg"),
    (".html", "html"),
    (".htm", "html"),
    (".py", "python"),
    (".tex", "tikz"),
    (".tikz", "tikz"),
)


def language_from_path(path: str, code: str) -> str:
    """The language of a file: by its name's ending (see :data:`SUFFIXES`), else by its code."""
    name = path.lower()
    for suffix, lang in SUFFIXES:
        if name.endswith(suffix):
            return lang
    return detect_language(code)
