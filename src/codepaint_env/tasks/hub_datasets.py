"""codepaint's data as Hugging Face datasets: the rated pool with its pictures, the task suites, rollouts.

    codepaint export pool --out data/codepaint-pool
    codepaint export tasks --suite svg --out data/codepaint-svg
    codepaint export rollouts runs/eval/rollouts.jsonl --out data/eval

Each command writes the Hub's layout: ``OUT/data/<split>-00000-of-00001.parquet`` (pictures embedded
as PNG bytes in an ``Image`` column, so the Hub's viewer shows them) and ``OUT/README.md``, a
dataset card saying what the columns are. ``huggingface-cli upload ORG/NAME OUT --repo-type
dataset`` publishes it; ``datasets.load_dataset("parquet", data_dir=OUT)`` or
``load_dataset("ORG/NAME")`` opens it.

Nested values with no fixed shape (a task's ``checks``, its ``reference_programs``, a render's
JSON, a reward's breakdown) are JSON text, so every row of a dataset has one schema.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled

__all__ = ["pool_dataset", "rollouts_dataset", "save_for_hub", "suite_dataset"]

INSTALL = "pip install datasets (it comes with 'codepaint[train]')"


def _datasets() -> Any:
    try:
        import datasets
    except ImportError as e:  # a broken installation: say how to fix it
        raise DependencyNotInstalled(
            f"codepaint's Hub datasets need the datasets package ({e}): {INSTALL}"
        ) from e
    return datasets


def _plain(value: Any) -> Any:
    """A value a parquet column holds the same in every row: nested mappings and lists of them as JSON."""
    if isinstance(value, Mapping) or (
        isinstance(value, (list, tuple)) and any(isinstance(v, (Mapping, list, tuple)) for v in value)
    ):
        return json.dumps(value, sort_keys=True)
    return list(value) if isinstance(value, tuple) else value


def _with_pictures(datasets: Any, rows: list[dict[str, Any]]) -> Any:
    """A dataset of ``rows`` whose ``image`` column (PNG bytes or ``None``) is an ``Image`` feature."""
    features = datasets.Dataset.from_list([{k: v for k, v in r.items() if k != "image"}
                                           for r in rows]).features
    features["image"] = datasets.Image()
    return datasets.Dataset.from_list(rows, features=features)


def pool_dataset(pool: Any = None) -> Any:
    """The rated reference pool: one row per reference, its program and its picture.

    Args:
        pool: A :class:`~rewards.pool.ReferencePool` or its folder (default: the repository's).

    Returns:
        A ``datasets.Dataset`` with the manifest's columns, ``code`` and ``image``.
    """
    datasets = _datasets()
    from rewards.pool import ReferencePool

    pool = pool if isinstance(pool, ReferencePool) else ReferencePool(pool)
    rows = []
    for ref in pool:
        row = {k: _plain(v) for k, v in ref.to_row().items()}
        row["code"] = ref.code()
        row["image"] = {"bytes": ref.image_file.read_bytes(), "path": None}
        rows.append(row)
    return _with_pictures(datasets, rows)


def suite_dataset(name: str, split: str | None = None) -> Any:
    """A built-in task suite: one row per task (``checks`` and ``reference_programs`` as JSON text)."""
    datasets = _datasets()
    from codepaint_env.tasks import load_suite

    return datasets.Dataset.from_list(
        [{k: _plain(v) for k, v in t.to_row().items()} for t in load_suite(name, split=split)]
    )


def rollouts_dataset(path: str | Path) -> Any:
    """``codepaint eval``'s ``rollouts.jsonl``: one row per sample, its picture when the file has one.

    A row's ``png`` / ``picture`` / ``image`` path (relative to the file) becomes the ``image`` column.
    """
    datasets = _datasets()
    path = Path(path)
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        picture = next((raw.pop(k) for k in ("png", "picture", "image") if isinstance(raw.get(k), str)), None)
        row = {k: _plain(v) for k, v in raw.items()}
        file = path.parent / picture if picture else None
        row["image"] = {"bytes": file.read_bytes(), "path": None} if file and file.is_file() else None
        rows.append(row)
    return _with_pictures(datasets, rows)


_CARD = """---
license: mit
tags: [codepaint, creative-code, reinforcement-learning, rl-environment, image]
configs:
- config_name: default
  data_files:
{files}
---

# {title}

Made by `{command}` from codepaint
(reinforcement learning on programs that draw). Columns: {columns}.

Nested values with no fixed shape are JSON text; pictures are PNGs in the `image` column.
"""


def save_for_hub(splits: Mapping[str, Any], out: str | Path, *, title: str, command: str) -> list[Path]:
    """Write datasets in the Hub's layout: ``OUT/data/<split>-00000-of-00001.parquet`` and a card.

    Returns:
        The parquet files written.
    """
    out = Path(out)
    (out / "data").mkdir(parents=True, exist_ok=True)
    written = []
    for split, ds in splits.items():
        file = out / "data" / f"{split}-00000-of-00001.parquet"
        ds.to_parquet(str(file))
        written.append(file)
    columns = sorted({c for ds in splits.values() for c in ds.column_names})
    files = "\n".join(f"  - split: {s}\n    path: data/{s}-00000-of-00001.parquet" for s in splits)
    (out / "README.md").write_text(
        _CARD.format(files=files, title=title, command=command, columns=", ".join(f"`{c}`" for c in columns))
    )
    return written
