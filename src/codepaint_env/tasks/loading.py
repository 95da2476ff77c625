"""Reading task files, the built-in suites, and turning tasks into TRL dataset rows.

A task file is JSON Lines: one task object per line; blank lines and lines starting with ``#``
are skipped. The built-in suites ship as package data in ``codepaint_env/tasks/suites/``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from codepaint_env.tasks.task import LANGUAGES, SPLITS, Task, TaskError

_SUITE_DIR = "suites"


def load_tasks(path: str | Path) -> list[Task]:
    """Load a user task file (JSON Lines).

    Args:
        path: The ``.jsonl`` file.

    Returns:
        The tasks in file order.

    Raises:
        TaskError: When the file does not exist or cannot be read, or a line is malformed (the
            message names the file, the line number and the field).
    """
    p = Path(path)
    if not p.is_file():
        raise TaskError(f"task file {str(path)!r} does not exist (expected a .jsonl file, one task per line)")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise TaskError(f"task file {str(path)!r} cannot be read: {e}") from e
    return _parse(text, str(path))


def _parse(text: str, name: str, suite: str | None = None) -> list[Task]:
    """Parse JSONL ``text``; ``suite`` fills the field in rows that do not set it."""
    tasks: list[Task] = []
    first_line: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{name} line {n}"
        try:
            row = json.loads(stripped)
        except json.JSONDecodeError as e:
            raise TaskError(f"{where}: not valid JSON ({e.msg} at column {e.colno}); "
                            "expected one JSON object per line") from e
        if suite is not None and isinstance(row, dict) and "suite" not in row:
            row["suite"] = suite
        task = Task.from_row(row, where)
        if task.id in first_line:
            raise TaskError(f'{where}: duplicate "id" {task.id!r} (first on line {first_line[task.id]})')
        first_line[task.id] = n
        tasks.append(task)
    return tasks


def builtin_suites() -> list[str]:
    """Names of the built-in suites, sorted."""
    return list(_suite_names())


@lru_cache(maxsize=1)
def _suite_names() -> tuple[str, ...]:
    folder = resources.files("codepaint_env.tasks") / _SUITE_DIR
    return tuple(sorted(f.name[: -len(".jsonl")] for f in folder.iterdir() if f.name.endswith(".jsonl")))


@cache
def _load_builtin(name: str) -> tuple[Task, ...]:
    res = resources.files("codepaint_env.tasks") / _SUITE_DIR / f"{name}.jsonl"
    return tuple(_parse(res.read_text(encoding="utf-8"), f"{_SUITE_DIR}/{name}.jsonl", suite=name))


def _check_filters(split: str | None, language: str | None) -> None:
    if split is not None and split not in SPLITS:
        raise TaskError(f"split must be one of {', '.join(SPLITS)} or None, not {split!r}")
    if language is not None and language not in LANGUAGES:
        raise TaskError(f"language must be one of {', '.join(LANGUAGES)} or None, not {language!r}")


def _filter(tasks: Iterable[Task], split: str | None, language: str | None) -> list[Task]:
    return [t for t in tasks
            if (split is None or t.split == split) and (language is None or t.language == language)]


#: Scenes a generated level gives when no ``count`` is asked for.
DEFAULT_LEVEL_COUNT = 100


def load_suite(name: str, split: str | None = None, language: str | None = None, *,
               level: int | None = None, count: int | None = None, seed: int = 0) -> list[Task]:
    """Load a built-in suite, or generate tasks of one of its difficulty levels.

    Args:
        name: One of :func:`builtin_suites`.
        split: Keep only ``"train"`` or ``"eval"`` tasks (default: both; a level: ``"train"``).
        language: Keep only tasks in this language (default: all).
        level: Generate tasks of this difficulty instead of loading the fixed suite (``shapes``
            only: levels 0-4, see :mod:`codepaint_env.tasks.shapes.levels`). Unlimited and seeded;
            ``eval`` descriptions are chosen by a hash, so a train task is never an eval one.
        count: With ``level``: how many scenes (each asked in every language, or in ``language``);
            default :data:`DEFAULT_LEVEL_COUNT`.
        seed: With ``level``: the scenes' seed.

    Raises:
        TaskError: For an unknown suite (the message lists the suites), split, language or level,
            or ``count`` / ``seed`` without ``level``.
    """
    if name not in _suite_names():
        near = difflib.get_close_matches(name, _suite_names(), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise TaskError(f"unknown task suite {name!r}{hint} (built-in suites: {', '.join(_suite_names())})")
    _check_filters(split, language)
    if level is None:
        if count is not None or seed != 0:
            raise TaskError("count and seed choose generated tasks: give a level too, "
                            "e.g. load_suite('shapes', level=0, count=50, seed=1)")
        return _filter(_load_builtin(name), split, language)
    if name != "shapes":
        raise TaskError(f"suite {name!r} has no levels: only the generated 'shapes' suite does (levels 0-4)")
    from codepaint_env.tasks.shapes.programs import languages as shapes_languages
    from codepaint_env.tasks.shapes.suite import level_tasks

    written = shapes_languages()  # every language whose table entry has a scene writer
    if language is not None and language not in written:
        raise TaskError(f"the shapes suite is asked in {', '.join(written)}, not {language!r}")
    try:
        return level_tasks(level, DEFAULT_LEVEL_COUNT if count is None else count, seed=seed,
                           split=split or "train", languages=(language,) if language else written)
    except ValueError as e:
        raise TaskError(f"shapes level {level}: {e}") from None


def all_tasks(split: str | None = None, language: str | None = None) -> list[Task]:
    """Every task of every built-in suite (suites in :func:`builtin_suites` order).

    Raises:
        TaskError: For a bad filter, or when two suites share a task id.
    """
    _check_filters(split, language)
    seen: dict[str, str] = {}
    out: list[Task] = []
    for name in _suite_names():
        for t in _load_builtin(name):
            if t.id in seen:
                raise TaskError(f'duplicate "id" {t.id!r} in suites {seen[t.id]!r} and {name!r}')
            seen[t.id] = name
            out.append(t)
    return _filter(out, split, language)


def tasks_to_rows(tasks: Iterable[Task], system_prompt: str | None = None) -> list[dict[str, Any]]:
    """Rows for a ``datasets.Dataset`` used with TRL's ``GRPOTrainer``.

    Each row is ``{"prompt": [system?, user], "task_id", "language", "size", "subject",
    "colour_family", "allow_text", "ocr"}``: a conversational prompt (the system message only when
    ``system_prompt`` is given) and the columns every reward receives as keyword arguments.

    Example:
        >>> from datasets import Dataset                             # doctest: +SKIP
        >>> ds = Dataset.from_list(tasks_to_rows(load_suite("svg", split="train")))  # doctest: +SKIP
    """
    rows = []
    for t in tasks:
        prompt = [{"role": "system", "content": system_prompt}] if system_prompt is not None else []
        prompt.append({"role": "user", "content": t.prompt})
        rows.append({"prompt": prompt, **t.columns()})
    return rows



def resolve_tasks(tasks: Any, language: str | None, split: str | None) -> list[Task]:
    """The tasks an episode draws from, from any form a user names them in.

    Args:
        tasks: ``None`` (every built-in task of ``language``), a built-in suite name, a JSONL path,
            or a list of :class:`Task` or task rows (a row without a language is in ``language``).
        language: Only this language's tasks (``None``: every language).
        split: ``"train"``, ``"eval"`` or ``None`` (both).

    Raises:
        TaskError: A bad filter, or a row that is not a valid task.
    """
    if tasks is None:
        return all_tasks(split=split, language=language)
    if isinstance(tasks, str) and tasks in builtin_suites():
        return load_suite(tasks, split=split, language=language)
    if isinstance(tasks, (str, Path)):
        return [t for t in load_tasks(tasks) if (split is None or t.split == split)
                and (language is None or t.language == language)]
    return [t if isinstance(t, Task) else Task.from_row({"language": language, **t}, "tasks=[...]")
            for t in tasks]
