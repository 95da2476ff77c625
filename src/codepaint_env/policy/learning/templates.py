"""Template collapse, read from the programs alone (issue 73 item 1's failure condition).

A policy under RL can collapse to one cheap program that pays on every scene (learning run 4's GRPO
seed 1: one small circle for all 288 samples). Two monitors read it from committed rows, per model and
level, with no render:

* **Distinct templates among gate-passers.** A program's template (:func:`template_of`) is its code with
  comments dropped, string contents emptied, colour literals (``#rgb``, ``#rrggbb``, ``rgb()``/``rgba()``/
  ``hsl()``, the CSS and xcolor names) and numbers replaced by a placeholder, whitespace collapsed and
  dropped around punctuation: what is left is the program's structure (its elements and attributes, its
  calls). A model collapses when, at some level, its gate-passers hold fewer than ``template_share``
  (half) of the distinct templates the base's gate-passers hold (or, with ``start_share``, its own
  start's: a supervised start that writes like the generator's programs already holds few templates).
* **Colour entropy.** The Shannon entropy (bits) of the colour families of a model's samples at a level
  (every sample, gate failures too). A sample's colour family (:func:`colour_family`) is the colour term
  (:func:`rewards.checks.colour_names.term_of`: the nearest of the checks' 14 colour terms, the Voronoi
  cells of a labelled table of CSS and xcolor colours) of its first painted colour literal
  (:func:`first_colour`): the first ``fill``/``stroke`` attribute, CSS property or call that names a
  colour (``none`` and ``url(...)`` skipped), a page cover's (an SVG ``rect`` over the whole canvas, as
  the reference programs paint the page first) skipped so that the page's few colours do not stand for
  the drawing's; else the first colour literal anywhere, else ``unstated``. A code-level read, not a picture's
  (:func:`codepaint_env.core.images.colour_family_of` reads an image, and committed rows hold no image):
  a model collapses when the entropy falls under ``colour_entropy`` bits (0.2: nearly every sample in one
  colour). A model that paints each scene's own colours keeps a high entropy however narrow its
  templates; the template count is what catches that.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

#: A model whose distinct templates at a level fall under this share of the base's has collapsed.
TEMPLATE_SHARE = 0.5
#: A model whose colour entropy (bits) at a level falls under this has collapsed.
COLOUR_ENTROPY = 0.2
#: The colour family of a program that names no colour.
UNSTATED = "unstated"

_COMMENTS = re.compile(r"<!--.*?-->|/\*.*?\*/", re.S)
_STRINGS = re.compile(r'"[^"\n]*"|\'[^\'\n]*\'|`[^`]*`')
_LINE_COMMENTS = re.compile(r"(?<![:\w])//.*$|^\s*#(?![0-9a-fA-F]{3}).*$", re.M)
_HEX = r"#[0-9a-fA-F]{8}\b|#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3,4}\b"
_FUNCTION = r"\b(?:rgba?|hsla?)\s*\([^)]*\)"
_NUMBER = re.compile(r"(?<![\w#.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The named colours (name -> hex), and the patterns: a colour literal, a painted one, a name."""
    from rewards.checks.colour_names import NAMED_COLOURS

    named = {name.lower(): hex_value for name, (hex_value, _) in NAMED_COLOURS.items()}
    words = r"\b(?:" + "|".join(sorted(named, key=len, reverse=True)) + r")\b"
    literal = f"{_HEX}|{_FUNCTION}|{words}"
    opening = r"\b(?:fill|stroke)(?:Style)?\b\s*(?:=\s*[\"']?|:\s*[\"']?|\(\s*[\"']?)\s*"
    painted = re.compile(opening + "(" + literal + ")", re.I)
    return named, re.compile("(" + literal + ")", re.I), painted, re.compile(words, re.I)


def template_of(code: str) -> str:
    """A program's template: its structure with numbers, colours, strings and comments normalised."""
    _, _, _, words = _names()
    text = _COMMENTS.sub("", code)
    text = _STRINGS.sub('""', text)
    text = _LINE_COMMENTS.sub("", text)
    text = re.sub(_HEX, "C", text)
    text = re.sub(_FUNCTION, "C", text, flags=re.I)
    text = words.sub("C", text)
    text = _NUMBER.sub("0", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ?([^\w ]) ?", r"\1", text)


def rgb_of_literal(literal: str) -> tuple[int, int, int] | None:
    """The sRGB value of a colour literal (``#rgb``, ``#rrggbb[aa]``, ``rgb()``, ``hsl()``, a name)."""
    named, _, _, _ = _names()
    text = literal.strip().lower()
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits[:3])
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    if text.startswith(("rgb", "hsl")):
        parts = [p for p in re.split(r"[\s,/]+", text[text.index("(") + 1:].rstrip(")")) if p][:3]
        try:
            values = [float(p.rstrip("%deg")) for p in parts]
        except ValueError:
            return None
        if len(values) < 3:
            return None
        if text.startswith("hsl"):
            import colorsys

            r, g, b = colorsys.hls_to_rgb((values[0] % 360) / 360, values[2] / 100, values[1] / 100)
            return round(r * 255), round(g * 255), round(b * 255)
        r, g, b = (max(0, min(255, round(v * 2.55 if p.endswith("%") else v)))
                   for v, p in zip(values, parts, strict=True))
        return r, g, b
    value = named.get(text)
    return None if value is None else (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


_ELEMENT = re.compile(r"<([A-Za-z][\w:-]*)\b([^>]*)>", re.S)


def _attribute(attrs: str, name: str) -> str:
    found = re.search(rf"(?<![\w-]){name}\s*=\s*[\"']([^\"']*)[\"']", attrs)
    return found.group(1).strip() if found else ""


def _number(text: str) -> float | None:
    try:
        return float(text.removesuffix("px"))
    except ValueError:
        return None


def _covers_page(tag: str, attrs: str, size: tuple[float | None, float | None]) -> bool:
    """Whether an SVG element is a page cover: a ``rect`` at the origin as wide and high as the canvas."""
    if tag.lower() != "rect" or any(_number(_attribute(attrs, k) or "0") not in (0.0, None) for k in "xy"):
        return False
    def covers(side: str, whole: float | None) -> bool:
        value = _number(side)
        return side == "100%" or (value is not None and whole is not None and value >= whole)

    return covers(_attribute(attrs, "width"), size[0]) and covers(_attribute(attrs, "height"), size[1])


def _canvas(attrs: str) -> tuple[float | None, float | None]:
    """An ``<svg>`` element's canvas size: its viewBox's, else its width and height."""
    box = _attribute(attrs, "viewBox").replace(",", " ").split()
    if len(box) == 4:
        return _number(box[2]), _number(box[3])
    return _number(_attribute(attrs, "width")), _number(_attribute(attrs, "height"))


def first_colour(code: str) -> str | None:
    """The program's first painted colour literal, a page cover's skipped (see the module docstring).

    In SVG, the first element whose ``fill``/``stroke`` (attribute or style) names a colour, a ``rect``
    that covers the whole canvas (the page) left out unless nothing else is painted; elsewhere (and for
    colours set in a ``<style>`` sheet) the first ``fill``/``stroke`` colour in the text; else the first
    colour literal anywhere.
    """
    _, literal, painted, _ = _names()
    text = _COMMENTS.sub("", code)
    size: tuple[float | None, float | None] = (None, None)
    page = None
    for element in _ELEMENT.finditer(text):
        tag, attrs = element.group(1), element.group(2)
        if tag.lower() == "svg" and size == (None, None):
            size = _canvas(attrs)
        found = painted.search(attrs)
        if found is None:
            continue
        if _covers_page(tag, attrs, size):
            page = page or found.group(1)
            continue
        return found.group(1)
    found = painted.search(text) or literal.search(text)
    return page or (found.group(1) if found else None)


def colour_family(code: str) -> str:
    """The colour term of the program's first painted colour (:data:`UNSTATED`: it names none)."""
    from rewards.checks.colour_names import term_of

    literal = first_colour(code)
    rgb = rgb_of_literal(literal) if literal else None
    return UNSTATED if rgb is None else term_of(rgb)


def entropy(labels: Iterable[str]) -> float | None:
    """The Shannon entropy (bits) of the labels' distribution (``None``: no label)."""
    counts = Counter(labels)
    n = sum(counts.values())
    if not n:
        return None
    return max(0.0, -sum(c / n * math.log2(c / n) for c in counts.values()))


def level_figures(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One model's figures at one level: gate-passers, distinct templates, colour entropy, top families."""
    passers = [r for r in rows if r.get("gate_pass")]
    templates = Counter(template_of(r.get("program") or "") for r in passers)
    families = [colour_family(r.get("program") or "") for r in rows]
    top = templates.most_common(1)
    value = entropy(families)
    return {"samples": len(rows), "gate_passers": len(passers), "templates": len(templates),
            "top_template_share": round(top[0][1] / len(passers), 4) if top else None,
            "colour_entropy": None if value is None else round(value, 4),
            "colour_families": dict(Counter(families).most_common(3))}


def collapse(models: Mapping[str, Sequence[Mapping[str, Any]]], *, base: str = "base",
             template_share: float | None = TEMPLATE_SHARE, colour_entropy: float = COLOUR_ENTROPY,
             starts: Mapping[str, str] | None = None, start_share: float | None = None
             ) -> dict[str, dict[str, Any]]:
    """Each model's monitor, level by level, against the base's templates (and its start's).

    Args:
        models: Each model's rows by tag.
        base: The tag whose templates the others are held against.
        template_share: Collapse under this share of the base's templates at a level (``None``: not judged).
        colour_entropy: Collapse under this colour entropy (bits) at a level.
        starts: Each trained model's start (``base``, or a supervised start): its ``start_ratio``. A
            model started from the base is held to ``start_share`` against the base's templates, so
            that a plan declaring only ``start_share`` still judges arm A's templates.
        start_share: Collapse under this share of its start's templates (``None``: not judged).

    Returns:
        Per tag: ``start`` (its start's tag, ``None``: none given), ``levels`` (each level's
        :func:`level_figures`, with ``base_templates``,
        ``template_ratio`` and, with a start, ``start_templates`` and ``start_ratio``),
        ``template_collapse`` (``True``: some level under a bar; ``None``: nothing to compare with),
        ``why`` (the levels and figures that collapsed), ``min_template_ratio``, ``min_start_ratio``
        and ``min_colour_entropy``.
    """
    by_level: dict[str, dict[Any, list[Mapping[str, Any]]]] = {}
    for tag, rows in models.items():
        for r in rows:
            by_level.setdefault(tag, {}).setdefault(r.get("level"), []).append(r)
    figures = {tag: {level: level_figures(rows) for level, rows in levels.items()}
               for tag, levels in by_level.items()}
    def templates(tag: str | None, level: Any) -> int | None:
        return figures.get(tag or "", {}).get(level, {}).get("templates")

    def ratio(n: int, known: int | None) -> float | None:
        return round(n / known, 4) if known else None

    out: dict[str, dict[str, Any]] = {}
    for tag, levels in figures.items():
        start = (starts or {}).get(tag)  # the base itself, for a model RL started from the base (arm A)
        shown, why, ratios, start_ratios, entropies = {}, [], [], [], []
        for level in sorted(levels, key=lambda v: (v is None, v)):
            f = dict(levels[level])
            f["base_templates"] = templates(base, level)
            f["template_ratio"] = ratio(f["templates"], f["base_templates"])
            if f["template_ratio"] is not None:
                ratios.append(f["template_ratio"])
                if template_share is not None and f["template_ratio"] < template_share:
                    why.append(f"level {level}: {f['templates']} templates against the base's "
                               f"{f['base_templates']}")
            if start is not None:
                f["start_templates"] = templates(start, level)
                f["start_ratio"] = ratio(f["templates"], f["start_templates"])
                if f["start_ratio"] is not None:
                    start_ratios.append(f["start_ratio"])
                    if start_share is not None and f["start_ratio"] < start_share:
                        why.append(f"level {level}: {f['templates']} templates against its start {start}'s "
                                   f"{f['start_templates']}")
            if f["colour_entropy"] is not None:
                entropies.append(f["colour_entropy"])
                if f["colour_entropy"] < colour_entropy:
                    why.append(f"level {level}: colour entropy {f['colour_entropy']:.2f} bits")
            shown[str(level)] = f
        judged = bool(ratios and template_share is not None) or bool(start_ratios and start_share is not None)
        out[tag] = {"start": start, "levels": shown,
                    "template_collapse": bool(why) if judged or why else None, "why": why,
                    "min_template_ratio": min(ratios) if ratios else None,
                    "min_start_ratio": min(start_ratios) if start_ratios else None,
                    "min_colour_entropy": min(entropies) if entropies else None}
    return out
