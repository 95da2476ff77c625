"""A trainer's row -> the task it describes: every door reads rows here, so no door names a column.

A row is what a trainer hands a door: a TRL dataset row, parquet's ``extra_info``, a SkyRL row,
an OpenRLHF label. :func:`row_columns` takes its task columns (:data:`ROW_COLUMNS`: the task's
own, :data:`~codepaint_env.tasks.task.TASK_COLUMNS`, and the render seed) as plain values, and
:func:`task_from_row` builds the :class:`~codepaint_env.tasks.Task`. A column added to the task
reaches every door without touching one.

    >>> task, seed = task_from_row({"language": "svg", "prompt": "A red dot.", "seed": 3})
    >>> task.language, task.size, seed
    ('svg', (512, 512), 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from codepaint_env.tasks.task import TASK_COLUMNS
from rewards.base import prompt_text

if TYPE_CHECKING:
    from codepaint_env.tasks.task import Task

__all__ = ["ROLLOUT_COLUMNS", "ROW_COLUMNS", "row_columns", "task_from_row"]

#: What a rollout adds to its task's columns: the fact cards its searches returned (``retrieved``, what
#: ``search_recall`` reads) and its tool calls. An episode with search tools hands them to its reward; a
#: trainer that searched outside codepaint passes them in its rows (verl's ``extra_info``, a label...).
ROLLOUT_COLUMNS: tuple[str, ...] = ("retrieved", "tool_calls")
#: The columns a reward receives: the task's (what ``Task.columns()`` writes: the gate's text rules
#: ``allow_text`` and ``ocr`` and the ``checks`` of ``visual_checks`` among them), the render seed, and
#: the rollout's (:data:`ROLLOUT_COLUMNS`, when a row has them).
ROW_COLUMNS: tuple[str, ...] = (*TASK_COLUMNS, "seed", *ROLLOUT_COLUMNS)


def row_columns(row: Mapping[str, Any] | None, *, size: Any = "512", seed: int = 0) -> dict[str, Any]:
    """A row's :data:`ROW_COLUMNS` as plain values, with the size and seed when it has none.

    Values read back from parquet may be numpy arrays or scalars; they become lists and numbers.

    Args:
        row: The row (other keys are ignored).
        size: The render size when the row has none (``512``, ``"640x480"``, ``[W, H]``).
        seed: The render seed when the row has none.
    """
    row = row or {}
    out: dict[str, Any] = {}
    for key in ROW_COLUMNS:
        value = row.get(key)
        if value is None:
            continue
        out[key] = value.tolist() if hasattr(value, "tolist") else value
    size = out.get("size", size)
    out["size"] = [size, size] if isinstance(size, int) else size  # [W, H] or "WxH", never one int
    out.setdefault("seed", seed)
    return out


def task_from_row(row: Mapping[str, Any], *, size: Any = "512", seed: int = 0, prompt: Any = None,
                  where: str = "a codepaint row", hint: str = "", default_id: str = "task"
                  ) -> tuple[Task, int]:
    """The task a trainer's row describes, and the seed its programs render with.

    Args:
        row: The row's task columns (:meth:`Task.columns <codepaint_env.tasks.Task.columns>`; parquet's
            ``extra_info``, a TRL dataset row, a label...). Other keys are ignored.
        size: The render size when the row has none.
        seed: The render seed when the row has none.
        prompt: The prompt: text, or chat messages (the last user message's text is the prompt).
            Default: the row's ``prompt``.
        where: What the row is, for messages.
        hint: Said after a missing prompt or language (how to write rows that have them).
        default_id: The task's id when the row has no ``task_id``.

    Returns:
        ``(task, seed)``.

    Raises:
        ValueError: The row has no prompt or no language.
        TaskError: A column that is not valid (a ``ValueError`` too), naming ``where`` and the field.
    """
    from codepaint_env.tasks.task import Task

    columns = row_columns(row, size=size, seed=seed)
    text = prompt_text(prompt if prompt is not None else row.get("prompt"))
    if not text or not columns.get("language"):
        raise ValueError(f"{where} needs a prompt and a language{hint}")
    task = Task.from_columns(columns, prompt=text, where=where, default_id=default_id)
    return task, int(columns["seed"])
