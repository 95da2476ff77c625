"""Which code a learner's run started (and each time it resumed) on: the reward is the commit's."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def commit_of(root: Path, *, short: bool = False) -> str:
    """``root``'s git commit (``"unknown"`` outside a git checkout)."""
    done = subprocess.run(["git", "rev-parse", *(["--short"] if short else []), "HEAD"], cwd=root,
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def record_commit(out: Path, root: Path) -> str:
    """Append the time and ``root``'s git commit to ``out/commits.txt``; returns the commit."""
    out.mkdir(parents=True, exist_ok=True)
    head = commit_of(root, short=True)
    with (out / "commits.txt").open("a") as f:
        f.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {head}\n")
    return head
