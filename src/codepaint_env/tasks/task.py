"""The :class:`Task` record and its validation.

A task is one JSON object per line of a ``.jsonl`` file::

    {"id": "wc-hibiscus-peach", "prompt": "Paint a single peach hibiscus ...", "language": "p5brush",
     "subject": "hibiscus", "colour_family": "orange", "tags": ["flower"], "allow_text": false,
     "split": "train"}

Only ``id``, ``prompt`` and ``language`` are required. A task may carry ``checks``: verifiable
assertions about its picture, which the ``visual_checks`` reward evaluates (see
:mod:`rewards.checks.spec`), and ``reference_programs``: a program per language that draws it.
:meth:`Task.from_row` checks every field
and raises :class:`TaskError` naming the file, the line, the field and what is expected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from codepaint_env.core.errors import CodePaintError
from codepaint_env.core.images import COLOUR_FAMILIES
from codepaint_env.render.languages import LANGUAGES  # the one table: a task may ask for any of them
from rewards.checks.spec import CheckError, parse_checks  # what a task's checks may say
from rewards.gate.text import text_allowed  # the one rule for text on a task's picture

SPLITS: tuple[str, ...] = ("train", "eval")
REQUIRED: tuple[str, ...] = ("id", "prompt", "language")
#: The per-task columns of a dataset row: what :meth:`Task.columns` writes, what every reward receives
#: and what every door reads back (:meth:`Task.from_columns`). ``task_id`` is the task's ``id``; every
#: other column is the field of its name, so a field named here reaches every door.
TASK_COLUMNS: tuple[str, ...] = ("task_id", "language", "size", "subject", "colour_family", "allow_text",
                                 "ocr", "checks", "level", "facts")
MIN_SIZE, MAX_SIZE = 16, 4096

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_WORD = re.compile(r"^[a-z][a-z0-9_]*$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class TaskError(CodePaintError, ValueError):
    """A task file or row that cannot be used; the message names the file, line and field."""


@dataclass(frozen=True)
class Task:
    """One thing to draw.

    Attributes:
        id: Unique id: lowercase letters, digits, ``_``, ``.``, ``-``.
        prompt: What the model is asked to draw.
        language: One of :data:`LANGUAGES`.
        size: Canvas ``(width, height)`` in pixels.
        subject: A lowercase snake_case subject (the reference pool's vocabulary where it applies).
        colour_family: One of :data:`COLOUR_FAMILIES`, or ``None``.
        palette: Suggested ``#rrggbb`` colours (lowercase).
        tags: Categories (``flower``, ``counting``, ``game``, ``refinement``...).
        references: Reference-pool ids that fit this task.
        allow_text: Whether the picture may contain text (a clock's numerals, a map's labels: yes; a
            watercolour: no); ``None``: the language's default (none for ``p5brush``, allowed
            elsewhere). Rewards receive it as the ``allow_text`` column (``execution_gate``'s
            ``no_text`` check).
        ocr: Whether the gate reads this task's pictures with OCR for the no-text check (``False``
            where renders are cheap and the instrumentation is enough); ``None``: the gate's setting.
        split: ``"train"`` or ``"eval"``.
        suite: The built-in suite it comes from (``""`` for a user file without one).
        checks: Verifiable assertions about the picture (check objects, see
            :mod:`rewards.checks.spec`); rewards receive them as the ``checks`` column (JSON text),
            which ``visual_checks`` evaluates.
        reference_programs: A program that draws the task, per language (``{"svg": "<svg ..."}``).
        level: Its difficulty level (``0`` easiest; the ``shapes`` generator's levels are 0-4), or
            ``None``: rewards and curricula receive it as the ``level`` column.
        facts: The fact cards the picture needs (card ids of the ``knowledge`` suite's corpus);
            rewards receive them as the ``facts`` column (JSON text), which ``search_recall`` reads.
    """

    id: str
    prompt: str
    language: str
    size: tuple[int, int] = (512, 512)
    subject: str | None = None
    colour_family: str | None = None
    palette: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    allow_text: bool | None = None
    ocr: bool | None = None
    split: str = "train"
    suite: str = ""
    checks: tuple[dict[str, Any], ...] = field(default=(), hash=False)
    reference_programs: dict[str, str] = field(default_factory=dict, hash=False)
    level: int | None = None
    facts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for k, v in Task._check(values, f"Task {self.id!r}").items():
            object.__setattr__(self, k, v)  # normalised: tuples, lowercase hex

    def to_row(self) -> dict[str, Any]:
        """The task as a JSON-ready dict (tuples become lists)."""
        row = asdict(self)
        for k in ("size", "palette", "tags", "references", "checks", "facts"):
            row[k] = list(row[k])
        return row

    @property
    def text_allowed(self) -> bool:
        """Whether the picture may contain text (``allow_text``, else the language's default)."""
        return text_allowed(self.language, self.allow_text)

    def columns(self) -> dict[str, Any]:
        """The per-task dataset columns (:data:`TASK_COLUMNS`) a reward receives as keyword arguments in TRL.

        Tuples become lists; ``checks`` and ``facts`` are their JSON text (``None`` without any), one
        string per row.
        """
        out: dict[str, Any] = {}
        for name in TASK_COLUMNS:
            value = self.id if name == "task_id" else getattr(self, name)
            if name in ("checks", "facts"):
                value = json.dumps(list(value)) if value else None
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out

    @classmethod
    def from_columns(cls, row: Mapping[str, Any], *, prompt: str | None = None, where: str = "row",
                     default_id: str = "task") -> Task:
        """The task a row's columns describe: the inverse of :meth:`columns`, with the prompt.

        Every column of :data:`TASK_COLUMNS` the row carries is read; other keys are ignored (a
        trainer's row carries its own: ``split``, ``index``, ``seed``...). Values read back from
        parquet become plain ones (numpy arrays lists, numpy scalars numbers, NaN ``None``), and a
        size may also be ``"WxH"`` text.

        Args:
            row: The columns (``task_id``, ``language``, ``size``...).
            prompt: The prompt text (default: the row's ``prompt``).
            where: Where the row comes from, for messages.
            default_id: The id when the row has no ``task_id`` (nor ``id``).

        Raises:
            TaskError: A column that is not valid, naming ``where`` and the field.
        """
        fields_: dict[str, Any] = {}
        for name in TASK_COLUMNS:
            value = _plain(row.get(name))
            if value is not None:
                fields_["id" if name == "task_id" else name] = value
        fields_.setdefault("id", _plain(row.get("id")) or default_id)
        text = prompt if prompt is not None else row.get("prompt")
        if text is not None:
            fields_["prompt"] = text
        if isinstance(fields_.get("size"), str):
            from codepaint_env.render import parse_size

            try:
                fields_["size"] = list(parse_size(fields_["size"]))
            except ValueError as e:
                raise TaskError(f'{where}: "size" {e}') from None
        return cls.from_row(fields_, where)

    @classmethod
    def known_fields(cls) -> tuple[str, ...]:
        """Every field a row may have."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_row(cls, row: Any, where: str = "task") -> Task:
        """Validate a decoded JSON row and build the task.

        Args:
            row: The decoded JSON object.
            where: Where the row comes from, for messages (e.g. ``"tasks.jsonl line 7"``).

        Raises:
            TaskError: On the first problem, naming ``where`` and the field.
        """
        return cls(**cls._check(row, where))

    @classmethod
    def _check(cls, row: Any, where: str) -> dict[str, Any]:
        """Validate ``row``; return the normalised keyword arguments of the task."""
        if not isinstance(row, Mapping):
            raise TaskError(f"{where}: a task must be a JSON object, not {type(row).__name__}")
        known = cls.known_fields()
        unknown = sorted(str(k) for k in row if k not in known)
        if unknown:
            raise TaskError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; "
                            f"known fields are {', '.join(known)}")
        for k in REQUIRED:
            if k not in row or row[k] is None:
                raise TaskError(f'{where}: missing required field "{k}" (required: {", ".join(REQUIRED)})')

        def bad(name: str, expected: str) -> TaskError:
            return TaskError(f'{where}: "{name}" must be {expected}, not {row[name]!r}')

        out: dict[str, Any] = {}
        if not isinstance(row["id"], str) or not _ID.match(row["id"]):
            raise bad("id", "a string of lowercase letters, digits, '_', '.', '-' (e.g. 'wc-rose-01')")
        out["id"] = row["id"]
        if not isinstance(row["prompt"], str) or not row["prompt"].strip():
            raise bad("prompt", "a non-empty string")
        out["prompt"] = row["prompt"]
        if row["language"] not in LANGUAGES:
            raise bad("language", f"one of {', '.join(LANGUAGES)}")
        out["language"] = row["language"]
        if "size" in row:
            out["size"] = _size(row["size"], bad)
        for k in ("subject", "colour_family"):
            v = row.get(k)
            if v is None:
                continue
            if k == "subject" and not (isinstance(v, str) and _WORD.match(v)):
                raise bad(k, "null or a lowercase snake_case word (e.g. hibiscus, world_map)")
            if k == "colour_family" and v not in COLOUR_FAMILIES:
                raise bad(k, f"null or one of {', '.join(COLOUR_FAMILIES)}")
            out[k] = v
        if "palette" in row:
            pal = _str_list(row["palette"], _HEX, bad, "palette", "a list of '#rrggbb' hex colours")
            out["palette"] = tuple(c.lower() for c in pal)
        if "tags" in row:
            out["tags"] = _str_list(row["tags"], _TAG, bad, "tags", "a list of lowercase tags")
        if "references" in row:
            out["references"] = _str_list(row["references"], _ID, bad, "references",
                                          "a list of reference-pool ids")
        for k, default in (("allow_text", "the language's default"), ("ocr", "the gate's setting")):
            if row.get(k) is not None:
                if not isinstance(row[k], bool):
                    raise bad(k, f"true, false or null (null: {default})")
                out[k] = row[k]
        if "split" in row:
            if row["split"] not in SPLITS:
                raise bad("split", f"one of {', '.join(SPLITS)}")
            out["split"] = row["split"]
        if "suite" in row:
            if not isinstance(row["suite"], str):
                raise bad("suite", "a string")
            out["suite"] = row["suite"]
        if row.get("checks") is not None:
            out["checks"] = _checks(row["checks"], where)
        if row.get("reference_programs") is not None:
            out["reference_programs"] = _programs(row["reference_programs"], bad)
        if row.get("level") is not None:
            level = row["level"]
            if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 99:
                raise bad("level", "null or a whole number from 0 (easiest) to 99")
            out["level"] = row["level"]
        if row.get("facts") is not None:
            out["facts"] = _facts(row["facts"], bad)
        return out


def _plain(value: Any) -> Any:
    """A value read back from parquet or numpy as a plain one (NaN, a missing number, is ``None``)."""
    if hasattr(value, "tolist"):  # a numpy array or scalar
        value = value.tolist()
    if isinstance(value, float) and value != value:
        return None
    return value


def _size(value: Any, bad: Any) -> tuple[int, int]:
    """``[w, h]`` or a single int, each a pixel count in ``MIN_SIZE..MAX_SIZE``."""
    expected = f"[width, height] or a single integer, each in {MIN_SIZE}..{MAX_SIZE}"
    dims = [value, value] if isinstance(value, int) else value
    if not (isinstance(dims, (list, tuple)) and len(dims) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) and MIN_SIZE <= x <= MAX_SIZE
                    for x in dims)):
        raise bad("size", expected)
    return (dims[0], dims[1])


def _checks(value: Any, where: str) -> tuple[dict[str, Any], ...]:
    """A list of check objects (or its JSON text: the ``checks`` column), validated.

    The message names the check and its field.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as e:
            raise TaskError(f'{where}: "checks" is not valid JSON ({e.msg} at column {e.colno})') from None
    if not isinstance(value, (list, tuple)) or not all(isinstance(c, Mapping) for c in value):
        raise TaskError(f'{where}: "checks" must be a list of check objects, not {value!r}')
    try:
        text = json.dumps(list(value))
    except (TypeError, ValueError) as e:
        raise TaskError(f'{where}: "checks" must hold JSON values only ({e})') from None
    try:
        parse_checks(text)  # by its text: parsed once, however often a task is built
    except CheckError as e:
        raise TaskError(f'{where}: "checks": {e}') from None
    return tuple(dict(c) for c in value)


def _facts(value: Any, bad: Any) -> tuple[str, ...]:
    """A list of card ids (or its JSON text: the ``facts`` column)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise bad("facts", "a list of fact card ids (or its JSON text)") from None
    return _str_list(value, _ID, bad, "facts", "a list of fact card ids (e.g. ['flag-sweden'])")


def _programs(value: Any, bad: Any) -> dict[str, str]:
    """``{language: program}`` with known languages and non-empty programs."""
    if not (isinstance(value, Mapping) and all(k in LANGUAGES and isinstance(v, str) and v.strip()
                                                for k, v in value.items())):
        raise bad("reference_programs",
                  f"an object of non-empty programs by language ({', '.join(LANGUAGES)})")
    return dict(value)


def _str_list(value: Any, pattern: re.Pattern[str], bad: Any, name: str, expected: str) -> tuple[str, ...]:
    if not (isinstance(value, (list, tuple))
            and all(isinstance(x, str) and pattern.match(x) for x in value)):
        raise bad(name, expected)
    return tuple(value)
