"""``codepaint export pool|tasks|rollouts|parquet``: codepaint's data for the Hub and for trainers.

    codepaint export pool --out data/codepaint-pool            the rated pool with its pictures
    codepaint export tasks --suite shapes --out data/shapes    a task suite, train and eval splits
    codepaint export rollouts runs/eval/rollouts.jsonl --out data/eval    codepaint eval's samples
    codepaint export parquet --suite svg --split train --out data/svg-train.parquet   verl's rows
    codepaint export parquet --suite svg --for skyrl --out data/skyrl.parquet         SkyRL's rows

``pool``, ``tasks`` and ``rollouts`` write the Hub's layout (``DIR/data/<split>-00000-of-00001.parquet``,
pictures as PNG bytes in an ``Image`` column the Hub's viewer shows) and ``DIR/README.md``, a
dataset card whose YAML header names the configs, splits and tags. ``huggingface-cli upload
ORG/NAME DIR --repo-type dataset`` publishes it; ``datasets.load_dataset("parquet",
data_dir="DIR/data")`` opens it. See :mod:`codepaint_env.tasks.hub_datasets`.

``parquet`` writes one file of the rows verl (or SkyRL) trains on: a chat prompt, the task id as
the ground truth and the task's columns in ``extra_info`` (:mod:`codepaint_env.tasks.parquet`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_OK, EXIT_USAGE

_HUB = ("Writes DIR/data/<split>-00000-of-00001.parquet (pictures as PNG bytes in an Image column the Hub's "
        "viewer shows) and DIR/README.md, a dataset card whose YAML header names the configs, splits and "
        "tags. Publish it with `huggingface-cli upload ORG/NAME DIR --repo-type dataset`; open it with "
        "datasets.load_dataset(\"parquet\", data_dir=\"DIR/data\").")


def add_parser(sub: Any) -> None:
    """Register ``codepaint export`` and its four kinds."""
    p = sub.add_parser("export", help="write the pool, a task suite or eval rollouts as a Hub dataset; "
                       "tasks as verl/SkyRL parquet rows",
                       description="Write codepaint's data: a Hugging Face dataset folder (pool, tasks, "
                       "rollouts) or the parquet rows verl and SkyRL train on (parquet).")
    kinds = p.add_subparsers(dest="what", metavar="KIND", required=True)
    pool = kinds.add_parser("pool", help="the rated reference pool with its pictures",
                            description=f"The rated reference pool as a Hub dataset folder. {_HUB}")
    pool.add_argument("--pool", default=None, help="its folder (default: reference_pool/)")
    tasks = kinds.add_parser("tasks", help="a built-in task suite, train and eval splits",
                             description=f"A built-in task suite as a Hub dataset folder. {_HUB}")
    tasks.add_argument("--suite", required=True, help="a built-in suite (svg, shapes, watercolour...)")
    rollouts = kinds.add_parser("rollouts", help="codepaint eval's samples (rollouts.jsonl)",
                                description=f"codepaint eval's samples as a Hub dataset folder. {_HUB}")
    rollouts.add_argument("file", metavar="rollouts.jsonl", help="the file codepaint eval wrote")
    for kind in (pool, tasks, rollouts):
        kind.add_argument("--out", "-o", required=True, help="the dataset folder to write")
        kind.set_defaults(run=run_hub)
    _add_parquet(kinds)
    for kind in kinds.choices.values():  # a usage error shows the kind's own usage
        kind.set_defaults(command_parser=kind)


def _add_parquet(kinds: Any) -> None:
    from codepaint_env.tasks import builtin_suites
    from codepaint_env.tasks.parquet import FLAVOURS

    p = kinds.add_parser("parquet", help="tasks as the parquet rows verl (or SkyRL) trains on",
                         description="Write a task selection as one parquet file of verl rows (data_source, "
                         "prompt, ability, reward_model, extra_info) or SkyRL rows (--for skyrl: env_class "
                         "and reward_spec). The ground truth is the task id; extra_info holds the task's "
                         "columns. Exit 2 when the selection is empty or unknown.")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--suite", help=f"a built-in suite ({', '.join(builtin_suites())}); default: all")
    source.add_argument("--tasks", help="a task file (.jsonl) of your own")
    p.add_argument("--split", choices=["train", "eval", "all"], default="train", help="default train")
    p.add_argument("--language", "--lang", dest="language", help="keep only this language")
    p.add_argument("--for", dest="flavour", choices=FLAVOURS, default="verl",
                   help="row format (default verl)")
    p.add_argument("--no-system-prompt", action="store_true", help="leave the system message out")
    p.add_argument("--data-source", help="the data_source column (default codepaint/<suite>)")
    p.add_argument("--out", "-o", required=True, help="the parquet file to write")
    p.set_defaults(run=run_parquet)


def run_hub(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``codepaint export pool|tasks|rollouts``; returns the exit code."""
    from codepaint_env.tasks import builtin_suites
    from codepaint_env.tasks.hub_datasets import (
        pool_dataset,
        rollouts_dataset,
        save_for_hub,
        suite_dataset,
    )

    if args.what == "tasks":
        if args.suite not in builtin_suites():
            parser.error(f"export tasks: unknown task suite {args.suite!r}; --suite is one of "
                         f"{', '.join(builtin_suites())}")
        splits = {s: suite_dataset(args.suite, s) for s in ("train", "eval")}
        title, command = f"codepaint task suite '{args.suite}'", f"tasks --suite {args.suite}"
    elif args.what == "rollouts":
        splits = {"train": rollouts_dataset(args.file)}
        title, command = "codepaint rollouts", f"rollouts {args.file}"
    else:
        splits = {"train": pool_dataset(args.pool)}
        title, command = "codepaint reference pool", "pool"
    for f in save_for_hub(splits, args.out, title=title, command=f"codepaint export {command}"):
        print(f)
    return EXIT_OK


def run_parquet(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``codepaint export parquet``: write the selected tasks' rows; returns the exit code."""
    from codepaint_env.tasks import TaskError, all_tasks, load_suite, load_tasks
    from codepaint_env.tasks.parquet import task_rows, write_parquet

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
        print(f"codepaint export parquet: {e}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {len(rows)} {args.flavour} rows to {out}")
    return EXIT_OK
