"""Keep a long run's rows in the repository, so a fresh checkout can go on where the last one stopped.

    .venv/bin/python scripts/save_runs.py save       # runs/ -> runs-saved/ (gzip), then commit runs-saved/
    .venv/bin/python scripts/save_runs.py restore    # runs-saved/ -> runs/, where runs/ has less
    .venv/bin/python scripts/save_runs.py list       # what would be saved, with sizes

``runs/`` is ignored by git: a benchmark or a learning run that takes several sessions writes its
per-scene, per-task and per-round rows there, and a new checkout starts without them. ``save``
copies the rows (not model weights, pictures or converted engines) to ``runs-saved/<path>.gz``;
``restore`` writes each back unless ``runs/`` already holds a copy at least as long (a run that went on
since the save keeps its rows). What is saved: JSON, JSON Lines, Markdown, text and CSV files of
at most 16 MB, outside the folders that hold models (``adapter/``, ``final/``, ``chosen/``, any
folder with a weights file) and pictures; but a trainer's ``trainer_state.json`` (its step log: what
the validation stage reads of a GRPO seed) is kept from the checkpoint folder beside its weights.
Save after each finished seed or evaluation and commit: a machine can be replaced between sessions.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "runs"
SAVED = ROOT / "runs-saved"
SUFFIXES = {".json", ".jsonl", ".md", ".txt", ".csv"}
SKIPPED_FOLDERS = {"adapter", "final", "chosen", "pictures", "engines", "ct2", "merged"}
WEIGHTS = ("*.safetensors", "*.bin", "*.gguf", "*.pt", "*.ckpt")
LARGEST = 16 * 1024 * 1024
#: Records kept even from a folder that holds weights (a trainer's step log is not a model).
RECORDS = {"trainer_state.json"}


def _holds_weights(folder: Path) -> bool:
    return any(next(folder.glob(pattern), None) is not None for pattern in WEIGHTS)


def rows(runs: Path = RUNS) -> Iterator[Path]:
    """The files ``save`` keeps, in path order."""
    for path in sorted(runs.rglob("*")):
        if not path.is_file() or path.suffix not in SUFFIXES or path.stat().st_size > LARGEST:
            continue
        folders = path.relative_to(runs).parts[:-1]
        if any(f in SKIPPED_FOLDERS for f in folders):
            continue
        if path.name not in RECORDS and any(_holds_weights(runs.joinpath(*folders[:i + 1]))
                                            for i in range(len(folders))):
            continue
        yield path


def save(runs: Path = RUNS, saved: Path = SAVED) -> int:
    """Write each row file to ``saved`` (gzip, no timestamp: an unchanged file gives the same bytes)."""
    count = 0
    for path in rows(runs):
        target = saved / (str(path.relative_to(runs)) + ".gz")
        data = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
        if target.exists() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        count += 1
    return count


def restore(runs: Path = RUNS, saved: Path = SAVED) -> int:
    """Write each saved file back to ``runs`` unless a copy at least as long is there."""
    count = 0
    for target in sorted(saved.rglob("*.gz")):
        path = runs / str(target.relative_to(saved))[: -len(".gz")]
        data = gzip.decompress(target.read_bytes())
        if path.exists() and path.stat().st_size >= len(data):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("action", choices=("save", "restore", "list"))
    args = ap.parse_args(argv)
    if args.action == "list":
        for path in rows():
            print(f"{path.stat().st_size:>10,}  {path.relative_to(ROOT)}")
    elif args.action == "save":
        print(f"saved {save()} changed file(s) to {SAVED.relative_to(ROOT)}/")
    else:
        print(f"restored {restore()} file(s) to {RUNS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
