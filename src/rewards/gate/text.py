"""Text on a picture that should have none: whether a task allows it, and what the program drew.

A watercolour hibiscus has no words in it; a policy that finds the judge (or ``classic``) pays a
little for "10/10 MASTERPIECE" or the prompt written across the canvas will write them. Two
signals, both read by ``execution_gate``'s ``no_text`` check:

* **instrumentation**, from the program: the p5 harness counts ``text()``, ``textToPoints()``,
  ``textToContours()``, ``textToModel()`` and the canvas's ``fillText``/``strokeText`` calls with
  something visible to write into ``RenderResult.api_calls`` (:data:`TEXT_CALLS`); an SVG's
  ``<text>``, ``<tspan>``, ``<textPath>`` and ``<foreignObject>`` with visible characters are
  found by parsing the document (:func:`svg_text`), so comments, ``<title>``, ``<desc>`` and
  style sheets do not count;
* **OCR** of the render (:mod:`rewards.gate.ocr`), for words drawn any other way.

Whether a task allows text is its ``allow_text`` dataset column (a wall clock's numerals and a
map's labels are allowed; a watercolour is not). Without the column: no text for the languages
the table marks ``text_free`` (``LanguageSpec.text_free``: ``p5brush``), allowed elsewhere
(:func:`text_allowed`); SVG text elements are read from the languages whose ``markup`` is SVG.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection, Mapping
from typing import Any

from codepaint_env.render.languages import LANGUAGES

#: ``api_calls`` keys the p5 and page harnesses count for text drawn on a canvas.
TEXT_CALLS: tuple[str, ...] = ("p5.text", "p5.textToPoints", "p5.textToContours", "p5.textToModel",
                               "canvas.fillText", "canvas.strokeText")
#: SVG elements whose character content is drawn.
SVG_TEXT_ELEMENTS: frozenset[str] = frozenset({"text", "tspan", "textPath", "foreignObject"})

_TRUE = frozenset({"true", "yes", "1", "allowed", "allow"})
_FALSE = frozenset({"false", "no", "0", "none", "forbidden"})


def text_allowed(language: str, column: Any = None, *,
                 text_free_languages: Collection[str] | None = None) -> bool:
    """Whether a picture for a task may contain text.

    Args:
        language: The task's language.
        column: The task's ``allow_text`` value (a bool, ``"true"``/``"false"``, 0/1), or ``None``
            for the language's default.
        text_free_languages: Languages where text is not allowed by default (default: those the
            language table marks ``text_free``).

    Raises:
        ValueError: A column value that is not a yes or a no.
    """
    if column is None:
        if text_free_languages is None:
            spec = LANGUAGES.get(language)
            return not (spec is not None and spec.text_free)
        return language not in text_free_languages
    return yes_or_no(column, "allow_text")


def ocr_wanted(default: bool, meta: Mapping[str, Any]) -> bool:
    """Whether to read a sample's picture with OCR: its ``ocr`` column if set, else ``default``.

    A task whose renders are cheap (fast SVG) can set ``ocr: false`` to keep the instrumentation
    only; ``ocr: true`` asks for OCR from a gate built without it.
    """
    column = meta.get("ocr")
    return default if column is None else yes_or_no(column, "ocr")


def yes_or_no(value: Any, name: str) -> bool:
    """A column's yes/no value: a bool, ``"true"``/``"false"`` (and the like), 0 or 1.

    Raises:
        ValueError: Anything else, naming the column.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"{name} must be true, false or null, not {value!r}")


def sample_allows_text(language: str, meta: Mapping[str, Any], *,
                       text_free_languages: Collection[str] | None = None) -> bool:
    """:func:`text_allowed` for a sample's language and dataset columns."""
    return text_allowed(language, meta.get("allow_text"), text_free_languages=text_free_languages)


def instrumented_text(language: str, code: str, api_calls: Mapping[str, int]) -> list[str]:
    """What the program itself says it drew as text, one description per kind (empty: none).

    ``["p5 text() x3", "canvas fillText() x3"]`` from the harness's counts; for SVG,
    ``['<text> "10/10"']`` from the document.
    """
    found = [f"{key.replace('.', ' ', 1)}() x{n}" for key in TEXT_CALLS if (n := api_calls.get(key, 0))]
    spec = LANGUAGES.get(language)
    if spec is not None and spec.markup == "svg":
        found += [f'<{tag}> "{_short(text)}"' for tag, text in svg_text(code)]
    return found


def svg_text(code: str) -> list[tuple[str, str]]:
    """``(element, text)`` for each text-drawing element of an SVG document with visible characters.

    Parsed with the standard library's XML parser (expat: entity expansion is bounded, no
    external entities are fetched); a document that does not parse has no text here (it does
    not render either). Nested ``<tspan>`` text is reported with its outermost text element.
    """
    try:
        root = ET.fromstring(code.strip().lstrip("\ufeff"))
    except (ET.ParseError, ValueError):
        return []
    out: list[tuple[str, str]] = []
    inside: set[int] = set()
    for el in root.iter():
        tag = _local(el.tag)
        if tag not in SVG_TEXT_ELEMENTS or id(el) in inside:
            continue
        for child in el.iter():
            inside.add(id(child))
        text = " ".join("".join(el.itertext()).split())
        if text:
            out.append((tag, text))
    return out


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
