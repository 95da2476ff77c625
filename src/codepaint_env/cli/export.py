"""``codepaint export pool|tasks|rollouts --out DIR``: codepaint's data as a Hugging Face dataset folder.

    codepaint export pool --out data/codepaint-pool            the rated pool with its pictures
    codepaint export tasks --suite shapes --out data/shapes    a task suite, train and eval splits
    codepaint export rollouts runs/eval/rollouts.jsonl --out data/eval    codepaint eval's samples

Each writes the Hub's layout (``DIR/data/<split>-00000-of-00001.parquet``, pictures as PNG bytes in
an ``Image`` column the Hub's viewer shows) and ``DIR/README.md``, a dataset card whose YAML header
names the configs, splits and tags. ``huggingface-cli upload ORG/NAME DIR --repo-type dataset``
publishes it; ``datasets.load_dataset("parquet", data_dir="DIR/data")`` opens it.
See :mod:`codepaint_env.tasks.hub_datasets`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_OK, EXIT_USAGE


def add_parser(sub: Any) -> None:
    """Register ``codepaint export``."""
    p = sub.add_parser("export", help="write the pool, a task suite or eval rollouts as a Hub dataset",
                       description="Write codepaint's data as a Hugging Face dataset folder: DIR/data/"
                       "<split>-00000-of-00001.parquet (pictures as PNG bytes in an Image column the Hub's "
                       "viewer shows) and DIR/README.md, a dataset card whose YAML header names the "
                       "configs, splits and tags. Publish it with `huggingface-cli upload ORG/NAME DIR "
                       "--repo-type dataset`; open it with datasets.load_dataset(\"parquet\", "
                       "data_dir=\"DIR/data\").")
    p.add_argument("what", choices=("pool", "tasks", "rollouts"), help="what to export")
    p.add_argument("file", nargs="?", default=None, help="rollouts: the rollouts.jsonl file")
    p.add_argument("--suite", default=None, help="tasks: a built-in suite (svg, shapes, watercolour...)")
    p.add_argument("--pool", default=None, help="pool: its folder (default: reference_pool/)")
    p.add_argument("--out", "-o", required=True, help="the dataset folder to write")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``codepaint export``; returns the exit code."""
    from codepaint_env.tasks import builtin_suites
    from codepaint_env.tasks.hub_datasets import (
        pool_dataset,
        rollouts_dataset,
        save_for_hub,
        suite_dataset,
    )

    if args.file and args.what != "rollouts":
        print(f"codepaint export {args.what}: takes no file argument (only rollouts does)", file=sys.stderr)
        return EXIT_USAGE
    if args.what == "tasks":
        if args.suite not in builtin_suites():
            parser.error(f"export tasks: unknown task suite {args.suite!r}; --suite is one of "
                         f"{', '.join(builtin_suites())}")
        splits = {s: suite_dataset(args.suite, s) for s in ("train", "eval")}
        title, command = f"codepaint task suite '{args.suite}'", f"tasks --suite {args.suite}"
    elif args.what == "rollouts":
        if not args.file:
            parser.error("export rollouts: give the rollouts.jsonl file (codepaint eval writes it)")
        splits = {"train": rollouts_dataset(args.file)}
        title, command = "codepaint rollouts", f"rollouts {args.file}"
    else:
        splits = {"train": pool_dataset(args.pool)}
        title, command = "codepaint reference pool", "pool"
    for f in save_for_hub(splits, args.out, title=title, command=f"codepaint export {command}"):
        print(f)
    return EXIT_OK
