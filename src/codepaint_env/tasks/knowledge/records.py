"""The facts as data: the records under ``data/`` and the small vocabulary that turns one into a fact.

Every fact of the suite is one record in a JSON file under ``data/`` (:data:`DATA_FILES`, read in
that order; each file a list of records): its card, its reference scene and its checks. **Adding a
fact is adding a record.** A record's ``draw`` says how it is drawn:

``banded``
    A striped flag: ``country``, ``colours`` (from the hoist, or from the top), ``vertical``, and
    where they apply ``ratios`` (the bands' widths), a ``note`` (added to the card's text), ``loose``
    colours (named by no check but ``only``: a shade that falls between colour terms), an
    ``emblem`` (shapes drawn over the stripes), hand-written ``checks``, ``symmetric`` and
    ``auto``. The card's text ("The flag of Italy is a vertical tricolour in equal bands of...") and
    the stripes are written from these, and so are the checks stripes imply (:func:`band_checks`:
    how many regions of each colour, their order, where each lies, that they are stripes, that
    equal bands are equal, the mirror symmetry) unless ``"auto": false`` (an emblem that cuts a
    band in two). A flag of Italy's kind is four lines::

        {"id": "flag-italy", "draw": "banded", "country": "Italy",
         "colours": ["green", "white", "red"], "vertical": true,
         "aliases": ["Italian flag", "Il Tricolore"]}

``flag``
    A flag drawn by hand: ``country``, ``text``, ``field`` (its main colour), ``shapes`` and
    ``checks``.

``scene``
    Anything else: ``family``, ``title``, ``name`` (how a prompt names it), ``text``, ``field``,
    ``canvas`` (``fill``, the default, or the colour of the page the prompt names), ``shapes``,
    ``checks`` and ``only``.

Every record has an ``id`` and ``aliases``; a flag's ``title`` and ``name`` follow from its country
("Flag of Italy", "the flag of Italy") unless the record gives them, and ``allow_text`` says that an
honest picture may carry text. **Shapes** are ``[name, *arguments]``: a :mod:`.draw` primitive
(``["rect", "red", 0, 0, 1, 1]``, ``["star", "yellow", 0.5, 0.52, 0.3]``) or a named drawing of
:mod:`.patterns` (``["nordic", "blue", "yellow", null, [5, 2, 9], [4, 2, 4]]``), in drawing order; a
number may be written as a fraction (``"1/3"``). **Checks** are written as the checks themselves, in
the grammar of :mod:`rewards.checks.spec`, less their weight: every check a card implies is stated and
weighs 2 (:func:`~.fact.stated`), a check's ``navy`` is the card's dark blue
(:data:`~.fact.DARK_BLUE`, with its tolerance) and a ball's name its ball (``lit-red``, a traffic
light's lit red lamp: :data:`~.fact.BALLS`). The ``symmetry`` of a thing that fills the canvas is read
about the canvas's middle (:func:`about_canvas`). A flag's checks (and a scene's with ``"only": true``)
end with :func:`~.fact.only` the scene's colours (and a scene's ``also``: colours its card allows).

A record may name the public page its facts were checked against, ``"source": {"url": ...,
"says": ...}``; a fact whose record names none takes its line of ``sources.jsonl`` (one
``{"id", "url", "says"}`` a line, next to this module) where that file has one.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from codepaint_env.tasks.knowledge import draw, patterns
from codepaint_env.tasks.knowledge.fact import (
    BALLS,
    DARK_BLUE,
    Fact,
    Source,
    aspect,
    checked,
    count,
    only,
    position,
    relation,
    size,
    stated,
    symmetry,
)
from codepaint_env.tasks.shapes.geometry import Shape

#: The data files, in the order their facts are listed (flags, signs, the other families).
DATA_FILES: tuple[str, ...] = ("flags.json", "signs.json", "symbols.json")
#: Where they are, in the package.
DATA_DIR = "data"
#: The sources by card id (written apart from the records; optional).
SOURCES_FILE = "sources.jsonl"
#: What a record's shape may name: the :mod:`.draw` primitives and the :mod:`.patterns` drawings.
SHAPES: dict[str, Callable[..., Shape | list[Shape]]] = {
    "rect": draw.rect,
    "bar": draw.bar,
    "poly": draw.poly,
    "triangle": draw.triangle,
    "disc": draw.disc,
    "ring": draw.ring,
    "star": draw.star,
    "square": draw.square,
    "regular": draw.regular,
    "sector": draw.sector,
    "heart": draw.heart,
    "spade_blade": draw.spade_blade,
    "bands": patterns.bands,
    "nordic": patterns.nordic,
    "maple_leaf": patterns.maple_leaf,
    "seven_point_star": patterns.seven_point_star,
    "us_stars": patterns.us_stars,
    "star_ring": patterns.star_ring,
    "stop_letters": patterns.stop_letters,
    "yin_yang": patterns.yin_yang,
    "chequer": patterns.chequer,
    "star_points": patterns.star_points,
    "crescent": patterns.crescent,
    "sun": patterns.sun,
    "wheel": patterns.wheel,
    "half_disc": patterns.half_disc,
    "rising_sun": patterns.rising_sun,
    "rays": patterns.rays,
    "hexagram": patterns.hexagram,
    "block_letter": patterns.block_letter,
}
_COMMON = frozenset({"id", "draw", "aliases", "source"})
#: The fields each kind of record may have (besides ``id``, ``draw``, ``aliases`` and ``source``).
FIELDS: dict[str, frozenset[str]] = {
    "banded": frozenset(
        {
            "country",
            "colours",
            "vertical",
            "ratios",
            "note",
            "loose",
            "emblem",
            "checks",
            "symmetric",
            "auto",
            "allow_text",
            "title",
            "name",
            "text",
        }
    ),
    "flag": frozenset({"country", "text", "field", "shapes", "checks", "title", "name", "allow_text"}),
    "scene": frozenset(
        {
            "family",
            "title",
            "name",
            "text",
            "field",
            "canvas",
            "shapes",
            "checks",
            "allow_text",
            "only",
            "also",
        }
    ),
}
_FRACTION = re.compile(r"^-?\d+(?:\.\d+)?/\d+$")
_WORDS = {"navy": "dark blue", "grey": "grey", "cream": "cream"}
_ROWS = (("top-row", 0.0, 1 / 3), ("middle-row", 1 / 3, 2 / 3), ("bottom-row", 2 / 3, 1.0))
_COLUMNS = (("left-column", 0.0, 1 / 3), ("centre-column", 1 / 3, 2 / 3), ("right-column", 2 / 3, 1.0))


def word(c: str) -> str:
    """A colour as a card writes it."""
    return _WORDS.get(c, c)


def listing(colours: Sequence[str]) -> str:
    """``"green, white and red"``."""
    words = [word(c) for c in colours]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def band_checks(
    colours: Sequence[str],
    *,
    vertical: bool,
    ratios: Sequence[float] | None = None,
    loose: Iterable[str] = (),
    symmetric: bool = True,
) -> list[dict[str, Any]]:
    """The checks stripes imply (see the module docstring); ``symmetric``: no emblem breaks the mirror."""
    colours = list(colours)
    weights = list(ratios or [1.0] * len(colours))
    total = sum(weights)
    centres, edge = [], 0.0
    for w in weights:
        centres.append((edge + w / 2) / total)
        edge += w
    checks: list[dict[str, Any]] = []
    free = set(loose)
    firm = [c for c in dict.fromkeys(colours) if c not in free]
    for c in firm:
        checks.append(count(checked(c), colours.count(c)))
        checks.append(aspect(checked(c), hi=0.75) if vertical else aspect(checked(c), lo=1.33))
        shares = {w / total for k, w in zip(colours, weights, strict=True) if k == c}
        if len(shares) == 1:  # every band of the colour is that share of the flag (to a fifth)
            share = shares.pop()
            checks.append(size(checked(c), round(0.8 * share, 4), round(1.2 * share, 4)))
    once = [
        (checked(c), x) for c, x in zip(colours, centres, strict=True) if c in firm and colours.count(c) == 1
    ]
    rel = "left_of" if vertical else "above"
    for (a, xa), (b, xb) in itertools.pairwise(once):
        if xb - xa >= 0.2:
            checks.append(relation(a, rel, b))
    for c, x in once:
        for area, lo, hi in _COLUMNS if vertical else _ROWS:
            if lo + 0.04 <= x <= hi - 0.04:
                checks.append(position(c, area))
    if symmetric:
        checks.append(symmetry("horizontal" if vertical else "vertical"))
        if colours == list(reversed(colours)) and weights == list(reversed(weights)):
            checks.append(symmetry("vertical" if vertical else "horizontal"))
    return checks


def band_text(
    country: str, colours: Sequence[str], *, vertical: bool, ratios: Sequence[float] | None, note: str
) -> str:
    """A striped flag's card text: its orientation, its bands and their order (and the ``note``)."""
    n = len(colours)
    kind = {2: "bicolour", 3: "tricolour"}.get(n, f"flag of {n} stripes")
    way = "vertical" if vertical else "horizontal"
    order = "from the hoist (left) to the fly" if vertical else "from top to bottom"
    sizes = (
        " in equal bands"
        if ratios is None or len(set(ratios)) == 1
        else (" of unequal widths (" + ":".join(f"{r:g}" for r in ratios) + ")")
    )
    text = f"The flag of {country} is a {way} {kind}{sizes} of {listing(colours)}, {order}."
    return f"{text} {note}" if note else text


def number(value: Any) -> Any:
    """A record's argument with its fractions (``"1/3"``) read as numbers, in lists too."""
    if isinstance(value, str) and _FRACTION.match(value):
        top, bottom = value.split("/")
        return (float(top) if "." in top else int(top)) / int(bottom)
    if isinstance(value, list):
        return [number(v) for v in value]
    return value


def shapes_of(specs: Sequence[Sequence[Any]], where: str = "a record") -> list[Shape]:
    """The shapes a record's ``shapes`` (or ``emblem``) name, in order.

    Raises:
        ValueError: A shape that names no primitive or drawing, or whose arguments do not fit it.
    """
    out: list[Shape] = []
    for spec in specs:
        if not spec or spec[0] not in SHAPES:
            raise ValueError(f"{where}: unknown shape {spec!r} (one of {', '.join(SHAPES)})")
        try:
            made = SHAPES[spec[0]](*(number(a) for a in spec[1:]))
        except (TypeError, ValueError) as e:
            raise ValueError(f"{where}: shape {spec!r}: {e}") from None
        out += made if isinstance(made, list) else [made]
    return out


def check_of(literal: Mapping[str, Any], where: str = "a record") -> dict[str, Any]:
    """A record's check as the card states it (weight 2, ``stated``; ``navy``: the dark blue).

    A colour named in :data:`~.fact.BALLS` (``lit-red``..., in ``colours`` too) is written as the
    ball's value, with its tolerance.

    Raises:
        ValueError: A check with no ``kind``, one that sets its own weight, or one that names two
            balls (a check has one tolerance).
    """
    if "kind" not in literal or {"weight", "stated"} & set(literal):
        raise ValueError(f"{where}: a check names its kind and no weight: {dict(literal)!r}")
    named = [v for k, v in literal.items() if k in ("colour", "a", "b")] + list(literal.get("colours", ()))
    balls = {v for v in named if v in BALLS}
    if len(balls) > 1 or (balls and "tolerance" in literal):
        raise ValueError(f"{where}: a check names one ball of colours and no tolerance: {dict(literal)!r}")

    def one(v: Any) -> Any:
        return DARK_BLUE if v == "navy" else BALLS[v][0] if v in BALLS else v

    def colour(k: str, v: Any) -> Any:
        if k == "colours":
            return [BALLS[c][0] if c in BALLS else c for c in v]
        return one(v) if k in ("colour", "a", "b") else v

    check = {k: colour(k, v) for k, v in literal.items()}
    if balls:
        check["tolerance"] = BALLS[balls.pop()][1]
    return stated(check)


def fact_of(record: Mapping[str, Any], source: Source | None = None) -> Fact:
    """The fact a record describes (``source``: the one to use where the record names none).

    Raises:
        ValueError: An unknown kind or field, a missing field, or a shape or check that does not read.
    """
    where = f"record {record.get('id', '?')!r}"
    kind = record.get("draw", "scene")
    if kind not in FIELDS:
        raise ValueError(f"{where}: unknown draw {kind!r} (one of {', '.join(FIELDS)})")
    extra = set(record) - _COMMON - FIELDS[kind]
    if extra:
        raise ValueError(f"{where}: unknown fields {sorted(extra)} for draw {kind!r}")
    try:
        return _fact(record, kind, where, _source(record.get("source")) or source)
    except KeyError as e:
        raise ValueError(f"{where}: missing field {e}") from None


def _source(row: Mapping[str, Any] | None) -> Source | None:
    return None if row is None else Source(str(row["url"]), str(row["says"]))


def _fact(record: Mapping[str, Any], kind: str, where: str, source: Source | None) -> Fact:
    checks = [check_of(c, where) for c in record.get("checks", ())]
    loose: list[str] = list(record.get("loose", ()))
    if kind == "banded":
        colours, vertical = list(record["colours"]), bool(record["vertical"])
        ratios = record.get("ratios")
        emblem = shapes_of(record.get("emblem", ()), where)
        if record.get("auto", True):
            symmetric = record.get("symmetric")
            symmetric = not emblem if symmetric is None else symmetric
            checks = band_checks(colours, vertical=vertical, ratios=ratios, loose=loose, symmetric=symmetric)
            checks += [check_of(c, where) for c in record.get("checks", ())]
        shapes = [*patterns.bands(colours, vertical, ratios), *emblem]
        text = record.get("text") or band_text(
            record["country"], colours, vertical=vertical, ratios=ratios, note=record.get("note", "")
        )
        field = colours[0]
    else:
        shapes, text = shapes_of(record["shapes"], where), record["text"]
        field = record["field"]
    if kind == "scene":
        family, title, name = record["family"], record["title"], record["name"]
        canvas, closed = record.get("canvas", "fill"), bool(record.get("only", False))
    else:
        family, canvas, closed = "flag", "fill", True
        title = record.get("title") or f"Flag of {record['country']}"
        name = record.get("name") or f"the flag of {record['country']}"
    if canvas == "fill":  # what fills the canvas is symmetric about the canvas's middle
        checks = [about_canvas(c) for c in checks]
    if closed:
        colours = [*(s.colour for s in shapes), *record.get("also", ())]
        checks.append(only(colours, None if canvas == "fill" else canvas, loose=loose))
    return Fact(
        id=record["id"],
        title=title,
        name=name,
        aliases=tuple(record["aliases"]),
        family=family,
        text=text,
        background=field,
        shapes=tuple(shapes),
        checks=tuple(checks),
        canvas=canvas,
        allow_text=bool(record.get("allow_text", False)),
        source=source,
    )


def about_canvas(check: dict[str, Any]) -> dict[str, Any]:
    """A ``symmetry`` check of a thing that fills the canvas, read about the canvas's middle line.

    A flag (or a die face, a sign that fills the canvas) is symmetric about the canvas's middle; read
    about the drawing's own middle, one band of two or an emblem near the hoist is symmetric by
    itself. A check that names its ``about`` keeps it; any other kind is returned as it is.
    """
    if check["kind"] != "symmetry" or "about" in check:
        return check
    head = {k: v for k, v in check.items() if k not in ("weight", "stated")}
    return stated({**head, "about": "canvas"})


def read_records(text: str, where: str) -> list[dict[str, Any]]:
    """The records of one data file's JSON ``text`` (``where`` names it in messages).

    Raises:
        ValueError: Text that is not a JSON list of objects.
    """
    try:
        records = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{where}: not JSON ({e})") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError(f"{where}: not a list of records")
    return records


def read_sources(text: str, where: str) -> dict[str, Source]:
    """The sources of a ``sources.jsonl`` text, by card id.

    Raises:
        ValueError: A line that is not ``{"id", "url", "says"}``.
    """
    out: dict[str, Source] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out[str(row["id"])] = Source(str(row["url"]), str(row["says"]))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise ValueError(f"{where} line {n}: not a source ({type(e).__name__}: {e})") from None
    return out


def facts_from(
    records: Iterable[Mapping[str, Any]], sources: Mapping[str, Source] | None = None
) -> list[Fact]:
    """The facts of ``records``, in order (each with its record's source, or its line in ``sources``)."""
    known = sources or {}
    return [fact_of(r, known.get(str(r.get("id")))) for r in records]


@cache
def load_records(name: str) -> tuple[dict[str, Any], ...]:
    """The records of one of the package's data files (``flags.json``...; read once)."""
    package = resources.files("codepaint_env.tasks.knowledge")
    return tuple(read_records((package / DATA_DIR / name).read_text(encoding="utf-8"), f"{DATA_DIR}/{name}"))


@cache
def load_facts() -> tuple[Fact, ...]:
    """The facts of the package's data files, in :data:`DATA_FILES` order (read once)."""
    extra = resources.files("codepaint_env.tasks.knowledge") / SOURCES_FILE
    sources = read_sources(extra.read_text(encoding="utf-8"), SOURCES_FILE) if extra.is_file() else {}
    return tuple(facts_from([r for name in DATA_FILES for r in load_records(name)], sources))
