"""Fail the set-up early, with the fix, when the disk cannot hold what it installs.

pip's own "[Errno 28] No space left on device" comes after minutes of downloads, in the middle of its
output, and the Makefile's message after it can only guess at a cause. This check runs first and names
the free space, what the set-up needs and where space usually went: a learning run's weights under
``runs/`` (each round keeps a full model; ``scripts/save_runs.py save`` keeps the rows worth keeping).

Usage: ``python scripts/check_disk.py NEED_GB [PATH]`` (PATH defaults to the current folder).
Exits 0 when at least NEED_GB are free, 1 with a message on stderr otherwise.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

GB = 1024**3


def folder_size(path: Path) -> int:
    """Bytes held by the regular files under ``path`` (0 when it does not exist).

    Args:
        path: The folder to measure.

    Returns:
        The total size in bytes; files that vanish while it is counted are skipped.
    """
    total = 0
    for file in path.rglob("*") if path.is_dir() else ():
        try:
            if file.is_file() and not file.is_symlink():
                total += file.stat().st_size
        except OSError:
            continue
    return total


def message(free: int, need_gb: float, where: Path) -> str:
    """The failure message: free space, need, and the repository's own large folders.

    Args:
        free: Free bytes on the file system that holds ``where``.
        need_gb: What the set-up needs, in GB.
        where: The folder the set-up installs into.

    Returns:
        One paragraph for stderr.
    """
    runs = where / "runs"
    runs_size = folder_size(runs) / GB
    hint = (
        f" {runs} holds {runs_size:.1f} GB (learning runs' weights; `python scripts/save_runs.py save` keeps"
        " their rows, then delete the weights)."
        if runs_size >= 1
        else ""
    )
    return (
        f"codepaint setup FAILED: only {free / GB:.1f} GB free on the disk that holds {where.resolve()};"
        f" the set-up needs about {need_gb:g} GB (a fresh clone set up for `make test` held 8.9 GB: the"
        " venv 4.2 GB, the trainers' venvs, the JS assets and pip's temporary files)."
        f" Free some space and run make again.{hint}"
    )


def main(argv: list[str]) -> int:
    """Check the free space; print the message and return 1 when it is short.

    Args:
        argv: ``[NEED_GB]`` or ``[NEED_GB, PATH]``.

    Returns:
        The exit status.
    """
    if not 1 <= len(argv) <= 2:
        print("usage: python scripts/check_disk.py NEED_GB [PATH]", file=sys.stderr)
        return 2
    need_gb = float(argv[0])
    where = Path(argv[1] if len(argv) == 2 else ".")
    free = shutil.disk_usage(where).free
    if free >= need_gb * GB:
        return 0
    print(message(free, need_gb, where), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
