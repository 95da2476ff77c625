"""codepaint tasks as the parquet rows verl and SkyRL train on.

    python -m codepaint_env.integrations.parquet --suite svg --split train --out data/svg-train.parquet
    python -m codepaint_env.integrations.parquet --suite svg --split eval --out data/svg-eval.parquet
    python -m codepaint_env.integrations.parquet --suite watercolour --for skyrl --out data/wc.parquet

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

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.tasks import Task, TaskError, all_tasks, builtin_suites, load_suite, load_tasks
from codepaint_env.tasks.prompts import system_prompt as language_system_prompt

#: verl's ``ability`` column for every codepaint row.
ABILITY = "creative_code"
#: SkyRL's ``env_class`` for codepaint rows (:mod:`codepaint_env.integrations.skyrl` registers it).
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


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m codepaint_env.integrations.parquet``: write a task selection as parquet rows."""
    p = argparse.ArgumentParser(prog="python -m codepaint_env.integrations.parquet",
                                description="Write codepaint tasks as verl (or SkyRL) parquet rows.")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--suite", help=f"a built-in suite ({', '.join(builtin_suites())}); default: all")
    src.add_argument("--tasks", help="a task file (.jsonl) of your own")
    p.add_argument("--split", choices=["train", "eval", "all"], default="train", help="default train")
    p.add_argument("--language", help="keep only this language")
    p.add_argument("--for", dest="flavour", choices=FLAVOURS, default="verl",
                   help="row format (default verl)")
    p.add_argument("--no-system-prompt", action="store_true", help="leave the system message out")
    p.add_argument("--data-source", help="the data_source column (default codepaint/<suite>)")
    p.add_argument("--out", required=True, help="the parquet file to write")
    args = p.parse_args(argv)
    split = None if args.split == "all" else args.split
    try:
        if args.tasks:
            tasks = [t for t in load_tasks(args.tasks) if (split is None or t.split == split)
                     and (args.language is None or t.language == args.language)]
        elif args.suite:
            tasks = load_suite(args.suite, split=split, language=args.language)
        else:
            tasks = all_tasks(split=split, language=args.language)
        rows = task_rows(tasks, flavour=args.flavour, system_prompt=None if args.no_system_prompt else True,
                         data_source=args.data_source)
        out = write_parquet(rows, args.out)
    except (TaskError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(rows)} {args.flavour} rows to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
