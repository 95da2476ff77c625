"""A pytest plugin: every test's duration (setup + call + teardown) to a JSON file, slowest first.

``make test`` loads it (``pytest -p support.durations``): ``.test-durations.json`` maps each test's
node id to its seconds, the form pytest-split's ``--durations-path`` reads. ``--durations-file PATH``
writes elsewhere. What a run does not reach (deselected, not collected) is not in the file.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

DEFAULT_PATH = ".test-durations.json"
_seconds: defaultdict[str, float] = defaultdict(float)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--durations-file", default=DEFAULT_PATH, metavar="PATH",
                     help=f"where support.durations writes each test's seconds (default {DEFAULT_PATH})")
    parser.addoption("--durations-append", action="store_true",
                     help="keep the file's other tests (make test's second pass adds to its first)")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds[report.nodeid] += report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not _seconds or hasattr(session.config, "workerinput"):  # an xdist worker: its controller writes
        return
    path = Path(str(session.config.getoption("durations_file")))
    if not path.is_absolute():
        path = Path(session.config.rootpath) / path
    seconds = {k: round(v, 3) for k, v in _seconds.items()}
    if session.config.getoption("durations_append") and path.exists():
        seconds = {**json.loads(path.read_text()), **seconds}
    ranked = dict(sorted(seconds.items(), key=lambda kv: -kv[1]))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(ranked, indent=1) + "\n")
    os.replace(tmp, path)  # whole: a reader never sees half a file


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _seconds:
        path = terminalreporter.config.getoption("durations_file")
        terminalreporter.write_line(f"durations of {len(_seconds)} tests: {path} (slowest first)")
