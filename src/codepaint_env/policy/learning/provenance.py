"""Which code a learner's run started (and each time it resumed) on: the reward is the commit's."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def record_commit(out: Path, root: Path) -> str:
    """Append the time and ``root``'s git commit to ``out/commits.txt``; returns the commit."""
    out.mkdir(parents=True, exist_ok=True)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                          check=False).stdout.strip() or "unknown"
    with (out / "commits.txt").open("a") as f:
        f.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {head}\n")
    return head
