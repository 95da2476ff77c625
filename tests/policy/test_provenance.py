"""A learner's run records the commit it started and resumed on (learning run 4's reward is that commit's)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from codepaint_env.policy.learning.provenance import record_commit

ROOT = Path(__file__).resolve().parents[2]


def test_each_start_appends_the_commit(tmp_path):
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()
    assert record_commit(tmp_path / "rft-s0", ROOT) == head
    record_commit(tmp_path / "rft-s0", ROOT)  # a resume
    lines = (tmp_path / "rft-s0" / "commits.txt").read_text().splitlines()
    stamp = rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d {head}"
    assert len(lines) == 2 and all(re.fullmatch(stamp, x) for x in lines)


def test_outside_git_it_says_unknown(tmp_path):
    assert record_commit(tmp_path / "out", tmp_path) == "unknown"
