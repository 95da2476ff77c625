"""codepaint tasks as the parquet rows verl and SkyRL train on (``codepaint export parquet``).

    codepaint export parquet --suite svg --split train --out data/svg-train.parquet
    codepaint export parquet --suite svg --split eval --out data/svg-eval.parquet
    codepaint export parquet --suite watercolour --for skyrl --out data/wc.parquet

Rows are data about tasks, so they live with the tasks (below every trainer adapter: the
``codepaint`` command writes them, and verl's and SkyRL's adapters read the same columns).

A verl row (the columns of verl's own ``examples/data_preprocess`` scripts)::

    {"data_source": "codepaint/svg",
     "prompt": [{"role": "system", ...}, {"role": "user", "content": "Draw an SVG of ..."}],
     "ability": "creative_code",
     "reward_model": {"style": "rule", "ground_truth": "svg-coffee-mug"},
     "extra_info": {"split": "train", "index": 3, "task_id": "svg-coffee-mug", "language": "svg",
                    "size": [512, 512], "subject": "mug", "colour_family": "brown",
                    "prompt": "Draw an SVG of ...", "suite": "svg"}}

codepaint has no answer key (the picture is judged), so ``ground_truth`` is the task id;
``extra_info`` carries the task columns every reward receives and the prompt text judges read.
A SkyRL row (``--for skyrl``) is the same with ``env_class: "codepaint"`` and
``reward_spec: {"method": "rule", "ground_truth": ...}`` in place of ``reward_model``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.tasks.prompts import system_prompt as language_system_prompt
from codepaint_env.tasks.task import Task

__all__ = ["ABILITY", "ENV_CLASS", "FLAVOURS", "task_rows", "write_parquet"]

#: verl's ``ability`` column for every codepaint row.
ABILITY = "creative_code"
#: SkyRL's ``env_class`` for codepaint rows (``codepaint_env.integrations.skyrl`` registers it).
ENV_CLASS = "codepaint"
FLAVOURS: tuple[str, ...] = ("verl", "skyrl")


def task_rows(tasks: Iterable[Task], *, flavour: str = "verl", system_prompt: str | bool | None = True,
              data_source: str | None = None) -> list[dict[str, Any]]:
    """One verl (or SkyRL) row per task.

    Args:
        tasks: The tasks (:func:`codepaint_env.tasks.load_suite`, :func:`~codepaint_env.tasks.load_tasks`).
        flavour: ``"verl"`` or ``"skyrl"``.
        system_prompt: ``True``: the language's default system prompt; a string: that one;
            ``None``/``False``: no system message.
        data_source: The ``data_source`` column (default ``codepaint/<suite>``; verl reports
            validation metrics per data source).

    Raises:
        ValueError: An unknown flavour.
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour must be one of {', '.join(FLAVOURS)}, not {flavour!r}")
    rows = []
    for index, task in enumerate(tasks):
        system = language_system_prompt(task.language) if system_prompt is True else system_prompt or None
        prompt = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": task.prompt}]
        extra = {"split": task.split, "index": index, **task.columns(), "prompt": task.prompt,
                 "suite": task.suite}
        row: dict[str, Any] = {"data_source": data_source or f"codepaint/{task.suite or 'custom'}",
                               "prompt": prompt}
        if flavour == "verl":
            row |= {"ability": ABILITY, "reward_model": {"style": "rule", "ground_truth": task.id}}
        else:
            row |= {"env_class": ENV_CLASS, "reward_spec": {"method": "rule", "ground_truth": task.id}}
        row["extra_info"] = extra
        rows.append(row)
    return rows


def write_parquet(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write rows to a parquet file (folders made as needed); returns the path.

    Raises:
        DependencyNotInstalled: pyarrow is missing (``pip install 'codepaint[train]'``).
        ValueError: No rows.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        raise DependencyNotInstalled(f"writing parquet needs pyarrow ({e}): "
                                     "pip install 'codepaint[train]'") from e
    if not rows:
        raise ValueError("no rows to write: the task selection is empty")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(list(rows)), out)
    return out
