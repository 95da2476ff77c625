"""``examples/search_then_draw.py`` runs as its docstring says: offline, SVG drawn in Chromium, no model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser  # the example draws in Chromium


def test_the_scripted_policy_that_searches_draws_what_it_found(tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    command = [sys.executable, "examples/search_then_draw.py", "--limit", "4", "--json", str(out)]
    proc = subprocess.run(command,
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert len(rows) == 4
    for row in rows:
        searched, guessed = row["search"], row["guess"]
        # the search found the task's card from the thing the prompt names, and drawing it passed every check
        assert searched["card"] == row["facts"][0]
        assert searched["recall"] == 1.0 and searched["tool_calls"] == 1
        assert searched["reward"] > 0.99 and searched["all_stated"] == 1.0
        # the policy that cannot look things up drew another flag: no recall, checks missed
        assert guessed["recall"] == 0.0 and guessed["tool_calls"] == 0 and guessed["reward"] < 0.9
    assert "search: mean reward 1.000, every card check passed 100%, recall 1.00 (4 tasks)" in proc.stdout
