"""Shared fixtures: one real browser-backed Renderer for the session, a loopback canary server.

Helpers live in tests/support/ (on the path: pyproject's pythonpath), markers in pyproject. Marks follow
what a test uses (support/needs.py): a fixture that starts a browser, Ray, a trainer's venv or a torch
model marks the tests that use it, and a test without the ``browser`` mark cannot reach a browser.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from codepaint_env.render import Renderer
from support.canary import Canary
from support.needs import needs
from support.watchdog import watch

pytest_plugins = ("support.needs",)


@pytest.fixture(scope="session")
@needs("browser")
def renderer():
    """The renderer most tests share (real Chromium, netns + cgroup where permitted)."""
    r = Renderer(timeout_s=20, cache_size=0)
    yield r
    r.close()


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


#: The folders whose tests ``make test`` runs two at a time (``-n 2``, a module to a worker): most of
#: their time is spent waiting on processes of their own (a trainer's venv, an example, a doc snippet, a
#: server, a model loading), and none of them tells a render's time-out from an overloaded machine.
#: Every other test is ``alone``: the renderers call a render that ran out of time ``infra`` when the
#: machine's CPU pressure says it was starved (codepaint_env.render.load), and a second worker is that
#: pressure; so are Ray clusters and soaks, which measure the machine (memory, processes left).
SIDE_BY_SIDE = ("cli", "docs", "examples", "integrations", "policy", "tasks")
_TESTS = Path(__file__).resolve().parent


def _alone(item: pytest.Item) -> bool:
    if item.get_closest_marker("ray") or item.get_closest_marker("soak"):
        return True
    folder = Path(str(item.path)).resolve().relative_to(_TESTS).parts[0]
    return folder not in SIDE_BY_SIDE


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Each test's setup, call and teardown fail past 300 fair seconds (support/watchdog.py)."""
    with watch(item.nodeid):
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # After support.needs has marked each test by its fixtures (a Ray fixture makes a test alone).
    for item in items:
        if _alone(item):
            item.add_marker(pytest.mark.alone)


#: ``-m "not a and not b and c"``: a conjunction (adding marks never re-includes a test that its
#: ``not`` terms exclude).
_ONLY_EXCLUDES = re.compile(r"^\s*(not\s+)?\w+(\s+and\s+(not\s+)?\w+)*\s*$")


def _module_marks(path: Path) -> set[str]:
    """The marks a test module gives all its tests (``pytestmark = pytest.mark.x`` or a list of them)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark"
                                                 for t in node.targets):
            values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            return {v.attr for v in values if isinstance(v, ast.Attribute)
                    and isinstance(v.value, ast.Attribute) and v.value.attr == "mark"}
    return set()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # `make fast` deselects by need: a module every test of which needs what the expression excludes
    # is not even imported (its imports are often the need itself: torch, TRL, a trainer's package),
    # which saves most of the collection. Only for conjunctions (make fast's two passes add `and [not]
    # alone`), so nothing is lost.
    expression = config.getoption("markexpr") or ""
    if not _ONLY_EXCLUDES.match(expression) or collection_path.suffix != ".py" \
            or not collection_path.name.startswith("test_"):
        return None
    excluded = set(re.findall(r"not\s+(\w+)", expression))
    return True if _module_marks(collection_path) & excluded else None

