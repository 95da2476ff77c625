r"""Language detection from the code itself (``--lang auto``).

The rule, first match wins (leading whitespace, comments and an XML prolog ignored):

1. ``\\documentclass``, ``\\begin{tikzpicture}`` or ``\\tikz`` -> ``tikz``
2. the document starts with ``<svg`` (after an optional ``<?xml ...?>`` / doctype) -> ``svg``
3. ``<!doctype html``, ``<html`` , ``<head`` or ``<body`` anywhere, or it starts with a tag -> ``html``
4. Python markers (``import matplotlib``, ``from PIL``, ``def main(``, ``plt.``, ``if __name__``)
   and no JS markers -> ``python``
5. ``brush.`` -> ``p5brush``
6. anything else -> ``p5``
"""

from __future__ import annotations

import re

_TIKZ = re.compile(r"\\documentclass|\\begin\{tikzpicture\}|\\tikz\b|\\usetikzlibrary")
_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*(<!doctype svg[^>]*>\s*)?", re.I | re.S)
_HTML = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
_PY = re.compile(
    r"^\s*(import\s+(matplotlib|numpy|PIL|math|random)|from\s+(matplotlib|PIL|numpy)\b)"
    r"|\bplt\.\w+\(|^\s*def\s+\w+\(.*\)\s*(->\s*[\w\[\], ]+)?:\s*$|if __name__ == ['\"]__main__['\"]",
    re.M,
)
_JS = re.compile(r"\bfunction\s+\w*\s*\(|=>|\bconst\s|\blet\s|\bvar\s|;\s*$|createCanvas\(", re.M)


def detect_language(code: str) -> str:
    """Guess the language of a program by the documented rule."""
    if _TIKZ.search(code):
        return "tikz"
    head = code[_PROLOG.match(code).end() :] if _PROLOG.match(code) else code
    if re.match(r"<svg[\s>]", head, re.I):
        return "svg"
    if _HTML.search(code) or re.match(r"\s*<[a-zA-Z!]", code):
        return "html"
    if _PY.search(code) and not _JS.search(code):
        return "python"
    if "brush." in code:
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
