"""The README's `codepaint doctor` sample is the real output: the same lines, in the same order.

Each line's status and name (``[ ok ] JS assets``) are compared with a real run of ``codepaint
doctor`` in the checkout; the details (paths, milliseconds) are this machine's and are not.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^\[(.{4})\] (.{16}) ", re.M)


def doctor_lines(text: str) -> list[tuple[str, str]]:
    """(status, name) of each check line."""
    return [(status.strip(), name.strip()) for status, name in LINE.findall(text)]


def test_the_readme_sample_has_the_real_lines_in_order():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = readme[readme.index("$ codepaint doctor\n"):]
    sample = sample[:sample.index("```")]
    real = subprocess.run([sys.executable, "-m", "codepaint_env.cli", "doctor"], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert real.returncode == 0, real.stdout + real.stderr
    assert doctor_lines(sample) == doctor_lines(real.stdout)
    assert sample.rstrip().endswith(real.stdout.rstrip().splitlines()[-1])  # "all good"
