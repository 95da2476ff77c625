"""What a task's ``checks`` column may say: the check kinds, their fields, and their validation.

A check is a JSON object with a ``kind`` and that kind's fields, e.g.
``{"kind": "count", "colour": "red", "count": 3}``. Every check may also have ``weight`` (a
positive number, default 1), ``name`` (its key in the reward's breakdown; default
``kind:subject``, e.g. ``count:red``) and ``stated`` (true when the prompt states it in words, as
opposed to what any honest picture of the prompt satisfies; the "all stated checks pass" rate counts
these). A colour is a colour term (``"red"``: any colour a person calls red) or ``"#rrggbb"``
(matched within ``tolerance`` ΔE76, which a term ignores). :func:`parse_checks` validates a list
of them (or its JSON text) and raises :class:`CheckError` naming the check (its 1-based position
and kind) and the field; an unknown kind lists the known ones. The kinds are documented in
``docs/visual-checks.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rewards.checks.colours import parse_colour

#: Named areas of the canvas, ``(left, top, right, bottom)`` in fractions of its width and height:
#: the 3x3 grid's cells, the halves, the rows and columns, and the whole canvas.
AREAS: dict[str, tuple[float, float, float, float]] = {
    "top-left": (0, 0, 1 / 3, 1 / 3), "top": (1 / 3, 0, 2 / 3, 1 / 3), "top-right": (2 / 3, 0, 1, 1 / 3),
    "left": (0, 1 / 3, 1 / 3, 2 / 3), "centre": (1 / 3, 1 / 3, 2 / 3, 2 / 3),
    "right": (2 / 3, 1 / 3, 1, 2 / 3), "bottom-left": (0, 2 / 3, 1 / 3, 1),
    "bottom": (1 / 3, 2 / 3, 2 / 3, 1), "bottom-right": (2 / 3, 2 / 3, 1, 1),
    "top-half": (0, 0, 1, 0.5), "bottom-half": (0, 0.5, 1, 1),
    "left-half": (0, 0, 0.5, 1), "right-half": (0.5, 0, 1, 1),
    "top-row": (0, 0, 1, 1 / 3), "middle-row": (0, 1 / 3, 1, 2 / 3), "bottom-row": (0, 2 / 3, 1, 1),
    "left-column": (0, 0, 1 / 3, 1), "centre-column": (1 / 3, 0, 2 / 3, 1), "right-column": (2 / 3, 0, 1, 1),
    "anywhere": (0, 0, 1, 1),
}
_AREA_ALIASES = {"center": "centre", "center-column": "centre-column"}
#: The shapes a ``shape`` check recognises (axis-aligned squares; upright triangles and stars).
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star", "ring", "stripe", "wave", "cross", "heart",
                           "spade", "club", "diamond", "lozenge", "trapezium")
#: Relations between the regions of two colours.
RELATIONS: tuple[str, ...] = ("above", "below", "left_of", "right_of", "inside", "touching")
AXES: tuple[str, ...] = ("vertical", "horizontal")
#: Where a ``symmetry`` check's mirror line runs: the middle of what is drawn (its own axis), or the
#: canvas's middle line (a flag filling the canvas is symmetric about the canvas's middle).
SYMMETRY_ABOUT: tuple[str, ...] = ("drawing", "canvas")
DEFAULT_TOLERANCE = 20.0  # ΔE76: half the smallest distance between two palette colours
DEFAULT_MIN_AREA = 0.0015  # regions smaller than this share of the canvas are specks, not objects
_REQUIRED = object()
_TAG = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*$")


class CheckError(ValueError):
    """A malformed check: the message names the check (position and kind) and the field."""


@dataclass(frozen=True)
class Check:
    """One validated check.

    Attributes:
        index: Its 1-based position in the task's list.
        kind: One of :data:`KINDS`.
        name: Its key in the breakdown (unique within the list).
        weight: Its weight in the score.
        stated: Whether the prompt states it (see the module docstring).
        params: The kind's fields, validated (colours as :class:`~rewards.checks.colours.Colour`,
            defaults filled in).
        source: The object as written.
    """

    index: int
    kind: str
    name: str
    weight: float
    params: dict[str, Any] = field(hash=False)
    source: dict[str, Any] = field(hash=False)
    stated: bool = False


# ---------------------------------------------------------------------- field parsers
# Each returns the normalised value or raises ValueError with what is expected.
def _number(lo: float, hi: float) -> Callable[[Any], float]:
    def parse(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            raise ValueError(f"a number in {lo:g}..{hi:g}")
        return float(v)
    return parse


def _integer(lo: int, hi: int) -> Callable[[Any], int]:
    def parse(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"a whole number in {lo}..{hi}")
        return v
    return parse


def _choice(options: Sequence[str], aliases: Mapping[str, str] | None = None) -> Callable[[Any], str]:
    def parse(v: Any) -> str:
        key = (aliases or {}).get(v, v) if isinstance(v, str) else v
        if key not in options:
            raise ValueError(f"one of {', '.join(options)}")
        return key
    return parse


def _target(v: Any) -> tuple[str, Any]:
    """A ``contrast`` side: ``"background"``, a named area or a colour."""
    if v == "background":
        return ("background", None)
    if isinstance(v, str) and _AREA_ALIASES.get(v, v) in AREAS:
        return ("area", _AREA_ALIASES.get(v, v))
    try:
        return ("colour", parse_colour(v))
    except ValueError:
        raise ValueError("'background', a named area or a colour (a palette name or '#rrggbb')") from None


def _tag(v: Any) -> str:
    if not (isinstance(v, str) and _TAG.match(v)):
        raise ValueError("an SVG element name such as 'circle' or 'path'")
    return v.lower()


MAX_ONLY_COLOURS = 16


def _colours(v: Any) -> tuple[Any, ...]:
    """``only``'s colours: a list of 1-16 colours (terms or ``#rrggbb``)."""
    if isinstance(v, (str, bytes)) or not isinstance(v, Sequence) or not 1 <= len(v) <= MAX_ONLY_COLOURS:
        raise ValueError(f"a list of 1-{MAX_ONLY_COLOURS} colours (palette names or '#rrggbb')")
    out = []
    for item in v:
        try:
            out.append(parse_colour(item))
        except (ValueError, TypeError):
            raise ValueError(f"a list of colours (palette names or '#rrggbb'); {item!r} is none") from None
    return tuple(out)


def _boolean(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError("true or false")
    return v


def _weight(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1000:
        raise ValueError("a number in (0, 1000]")
    return float(v)


def _name(v: Any) -> str:
    if not isinstance(v, str) or not v.strip() or len(v) > 80:
        raise ValueError("a non-empty string of at most 80 characters")
    return v


_SHARE = _number(0.0, 1.0)
_TOLERANCE = _number(0.5, 100.0)
_COLOUR = parse_colour
_COLOUR_FIELDS = {"colour": (_COLOUR, _REQUIRED), "tolerance": (_TOLERANCE, DEFAULT_TOLERANCE)}
_REGION_FIELDS = {**_COLOUR_FIELDS, "min_area": (_SHARE, DEFAULT_MIN_AREA)}
_COUNT = _integer(0, 1000)

#: Every kind's own fields: ``name -> (parser, default)`` (``_REQUIRED``: must be given; ``None``:
#: optional, absent when not given).
KIND_FIELDS: dict[str, dict[str, tuple[Callable[[Any], Any], Any]]] = {
    "background": {**_COLOUR_FIELDS, "min_share": (_SHARE, 0.5)},
    "colour": {**_REGION_FIELDS},
    "count": {**_REGION_FIELDS, "count": (_COUNT, None), "min": (_COUNT, None), "max": (_COUNT, None)},
    "size": {**_REGION_FIELDS, "min": (_SHARE, 0.0), "max": (_SHARE, 1.0),
             "min_extent": (_SHARE, None), "max_extent": (_SHARE, None)},
    "aspect": {**_REGION_FIELDS, "min": (_number(0.0, 1000.0), 0.0), "max": (_number(0.0, 1000.0), 1000.0)},
    "position": {**_REGION_FIELDS, "area": (_choice(tuple(AREAS), _AREA_ALIASES), _REQUIRED)},
    "shape": {**_REGION_FIELDS, "shape": (_choice(SHAPES), _REQUIRED), "holding": (_colours, None)},
    "not_cut": {**_REGION_FIELDS},
    "relation": {"a": (_COLOUR, _REQUIRED), "relation": (_choice(RELATIONS), _REQUIRED),
                 "b": (_COLOUR, _REQUIRED),
                 "margin": (_number(0.0, 1.0), None), "tolerance": (_TOLERANCE, DEFAULT_TOLERANCE),
                 "min_area": (_SHARE, DEFAULT_MIN_AREA)},
    "coverage": {"min": (_SHARE, 0.0), "max": (_SHARE, 1.0), "background": (_COLOUR, None),
                 "tolerance": (_TOLERANCE, DEFAULT_TOLERANCE)},
    "symmetry": {"axis": (_choice(AXES), "vertical"), "min": (_SHARE, 0.85), "background": (_COLOUR, None),
                 "tolerance": (_TOLERANCE, DEFAULT_TOLERANCE), "about": (_choice(SYMMETRY_ABOUT), "drawing")},
    "contrast": {"a": (_target, _REQUIRED), "b": (_target, "background"),
                 "min": (_number(1.0, 21.0), _REQUIRED),
                 "tolerance": (_TOLERANCE, DEFAULT_TOLERANCE), "min_area": (_SHARE, DEFAULT_MIN_AREA)},
    "only": {"colours": (_colours, _REQUIRED), "background": (_COLOUR, None), "page": (_boolean, True),
             "tolerance": (_TOLERANCE, DEFAULT_TOLERANCE), "min_area": (_SHARE, DEFAULT_MIN_AREA)},
    "no_image": {},
    "svg_elements": {"element": (_tag, _REQUIRED), "min": (_COUNT, 0), "max": (_COUNT, 1000)},
}
#: The check kinds, in the order the documentation gives them.
KINDS: tuple[str, ...] = tuple(KIND_FIELDS)
#: The metrics every ``visual_checks`` result carries, per kind so they are the same for every task
#: (the training monitors of :mod:`rewards.monitors`).
CHECK_METRICS: tuple[str, ...] = ("checks/share", "checks/all_stated", *(f"checks/{k}" for k in KINDS))
_COMMON = {"kind", "weight", "name", "stated"}


def parse_checks(value: Any) -> tuple[Check, ...]:
    """Validate a task's checks: a list of check objects, or its JSON text.

    Raises:
        CheckError: Naming the check (``check 3 (count)``) and the field, or listing the known
            kinds for an unknown one.
    """
    if isinstance(value, str):
        return _parse_json(value)
    if isinstance(value, Mapping) or not isinstance(value, Sequence):
        raise CheckError("checks must be a list of check objects (or its JSON text), "
                         f"not {type(value).__name__}")
    checks = [parse_check(item, i) for i, item in enumerate(value, start=1)]
    return _unique_names(checks)


@lru_cache(maxsize=4096)
def _parse_json(text: str) -> tuple[Check, ...]:
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError as e:
        raise CheckError(f"checks are not valid JSON ({e.msg} at column {e.colno})") from e
    if isinstance(decoded, str):
        raise CheckError("checks must be a list of check objects, not a JSON string")
    return parse_checks(decoded)


def parse_check(item: Any, index: int = 1) -> Check:
    """Validate one check object (``index``: its 1-based position, for messages)."""
    if not isinstance(item, Mapping):
        raise CheckError(f"check {index}: must be an object with a 'kind', not {type(item).__name__}")
    kind = item.get("kind")
    if kind is None:
        raise CheckError(f"check {index}: missing field 'kind' (one of {', '.join(KINDS)})")
    if not isinstance(kind, str) or kind not in KIND_FIELDS:
        raise CheckError(f"check {index}: unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
    where = f"check {index} ({kind})"
    fields = KIND_FIELDS[kind]
    unknown = sorted(str(k) for k in item if k not in fields and k not in _COMMON)
    if kind == "colour" and {"min", "max"} & set(unknown):
        raise CheckError(f"{where}: a colour check asks whether the colour is there (an object of it, at "
                         f"least min_area of the canvas), not how much of it: its 'min' and 'max' fields "
                         f"were removed in version 3 of the checks. For an amount, write a 'size' check "
                         f"(each region of the colour) or a 'coverage' check (everything drawn)")
    if unknown:
        raise CheckError(f"{where}: unknown field {', '.join(map(repr, unknown))}; "
                         f"fields of {kind}: {', '.join([*fields, 'weight', 'name', 'stated'])}")
    params: dict[str, Any] = {}
    for key, (parse, default) in fields.items():
        if key not in item or item[key] is None:
            if default is _REQUIRED:
                raise CheckError(f"{where}: missing field {key!r}")
            if default is not None:
                params[key] = parse(default)
            continue
        params[key] = _field(where, key, item[key], parse)
    weight = _field(where, "weight", item.get("weight", 1.0), _weight)
    given = item.get("name")
    name = default_name(kind, params) if given is None else _field(where, "name", given, _name)
    _check_ranges(where, kind, params, item)
    stated = item.get("stated", False)
    if not isinstance(stated, bool):
        raise CheckError(f"{where}: field 'stated' must be true or false, not {stated!r}")
    return Check(index, kind, name, weight, params, dict(item), stated)


def _field(where: str, key: str, value: Any, parse: Callable[[Any], Any]) -> Any:
    try:
        return parse(value)
    except ValueError as e:
        raise CheckError(f"{where}: field {key!r} must be {e}, not {value!r}") from None


def _check_ranges(where: str, kind: str, params: dict[str, Any], item: Mapping[str, Any]) -> None:
    if kind == "count":
        if "count" in params and ("min" in params or "max" in params):
            raise CheckError(f"{where}: field 'count' and 'min'/'max' exclude each other (give one)")
        if not {"count", "min", "max"} & set(params):
            raise CheckError(f"{where}: missing field 'count' (or 'min' / 'max')")
    for low, high in (("min", "max"), ("min_extent", "max_extent")):
        lo, hi = params.get(low), params.get(high)
        if lo is not None and hi is not None and lo > hi:
            raise CheckError(f"{where}: field {low!r} ({item.get(low)!r}) is greater than "
                             f"{high!r} ({item.get(high)!r})")
    if kind == "relation" and params["a"] == params["b"]:
        raise CheckError(f"{where}: field 'b' must be another colour than 'a' ({item.get('a')!r})")


def default_name(kind: str, params: Mapping[str, Any]) -> str:
    """A check's breakdown key when it has no ``name``: its kind and subject."""
    if kind in ("colour", "count", "size", "aspect", "shape", "not_cut"):
        return f"{kind}:{params['colour'].name}"
    if kind == "position":
        return f"position:{params['colour'].name} {params['area']}"
    if kind == "relation":
        return f"relation:{params['a'].name} {params['relation']} {params['b'].name}"
    if kind == "symmetry":
        return f"symmetry:{params['axis']}"
    if kind == "contrast":
        return f"contrast:{target_words(params['a'])}/{target_words(params['b'])}"
    if kind == "svg_elements":
        return f"svg_elements:{params['element']}"
    return kind


def target_words(target: tuple[str, Any]) -> str:
    """The words for a ``contrast`` side."""
    what, value = target
    if what == "background":
        return "background"
    return value if what == "area" else value.name


def _unique_names(checks: list[Check]) -> tuple[Check, ...]:
    seen: dict[str, int] = {}
    out = []
    for c in checks:
        n = seen.get(c.name, 0) + 1
        seen[c.name] = n
        if n > 1:
            c = Check(c.index, c.kind, f"{c.name}#{n}", c.weight, c.params, c.source, c.stated)
        out.append(c)
    return tuple(out)
