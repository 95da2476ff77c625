"""The README's count of built-in tasks and suites is the code's: ``builtin_suites()`` and the suites' rows.

The README says "over N built-in tasks in S JSONL suites (`name` count, ...)": N, S, every suite's
name and count must be what :func:`codepaint_env.tasks.builtin_suites` and
:func:`~codepaint_env.tasks.load_suite` give, and any other "N built-in tasks" in it the same N.
"""

from __future__ import annotations

import re
from pathlib import Path

from codepaint_env.tasks import builtin_suites, load_suite

README = Path(__file__).resolve().parents[2] / "README.md"
_CLAIM = re.compile(r"over\s+([\d,]+)\s+built-in\s+tasks\s+in\s+(\d+)\s+JSONL\s+suites\s+\(([^)]*)\)")
_SUITE = re.compile(r"`([a-z_]+)`\s+([\d,]+)")
_ANY_COUNT = re.compile(r"([\d,]+)\s+built-in\s+tasks")


def number(text: str) -> int:
    return int(text.replace(",", ""))


def readme_claim() -> tuple[int, int, dict[str, int]]:
    """(tasks, suites, {suite: tasks}) as the README states them."""
    found = _CLAIM.findall(README.read_text(encoding="utf-8"))
    assert len(found) == 1, f"README.md should state the built-in tasks once as {_CLAIM.pattern!r}: {found}"
    tasks, suites, listed = found[0]
    return number(tasks), int(suites), {name: number(n) for name, n in _SUITE.findall(listed)}


def test_the_readme_counts_the_built_in_tasks_and_suites_as_the_code_does():
    tasks, suites, per_suite = readme_claim()
    actual = {name: len(load_suite(name)) for name in builtin_suites()}
    assert per_suite == actual
    assert suites == len(actual) and tasks == sum(actual.values())
    others = {number(n) for n in _ANY_COUNT.findall(README.read_text(encoding="utf-8"))}
    assert others == {tasks}, f"README.md gives other built-in task counts: {sorted(others - {tasks})}"
