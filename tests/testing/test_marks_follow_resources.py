"""Marks follow what a test uses, and a test without the ``browser`` mark cannot reach a browser.

support/needs.py, the plugin tests/conftest.py loads, on a tree of a few tests of its own (run by
pytest in a subprocess): a fixture declared with ``needs`` marks the tests that use it, so ``make
fast``'s selection leaves them out; an unmarked test that renders in Chromium, here or in a child
process, fails saying how to mark it, even when it swallows the error; a marked one gets the browser.
Nothing here starts a browser or a Ray node.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from support.needs import MARKS, NO_BROWSER, needs
from support.watchdog import run

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
RAY = importlib.util.find_spec("ray") is not None

TREE = '''
import contextlib
import os
import subprocess
import sys
import threading

import pytest

from codepaint_env.core.errors import RendererUnavailable
from codepaint_env.render import Renderer
from codepaint_env.render.backends import BrowserBackend
from support.needs import NO_BROWSER, needs

P5 = "function setup() { createCanvas(8, 8); }"
FIND = "from codepaint_env.render.browser.chromium import find_browser; find_browser()"


def browser_is_open():
    assert os.environ.get("CODEPAINT_CHROMIUM") != NO_BROWSER
    assert BrowserBackend.__dict__["pool"].fget.__module__ == "codepaint_env.render.backends"


@pytest.fixture(scope="session")
@needs("browser")
def chromium():
    return "a browser"


@pytest.fixture
def page(chromium):
    return chromium


def test_an_unmarked_render():
    Renderer(cache_size=0).render(P5, "p5", size=8)


def test_an_unmarked_render_that_swallows_the_error():
    try:
        Renderer(cache_size=0).render(P5, "p5", size=8)
    except RendererUnavailable:
        pass


def test_an_unmarked_child_process():
    child = subprocess.run([sys.executable, "-c", FIND], capture_output=True, text=True, check=False)
    assert child.returncode != 0 and NO_BROWSER in child.stderr, child.stderr


@pytest.mark.browser
def test_a_marked_test():
    browser_is_open()


def test_through_a_fixture(page):
    browser_is_open()


_go = threading.Event()
_left = []


def _reach_the_browser_when_told():
    _go.wait(60)
    with contextlib.suppress(RendererUnavailable):
        Renderer(cache_size=0).render(P5, "p5", size=8)


@pytest.mark.browser
def test_a_marked_test_that_leaves_a_thread():
    _left.append(threading.Thread(target=_reach_the_browser_when_told, name="left-behind", daemon=True))
    _left[0].start()


def test_a_pure_test_after_it():
    _go.set()
    _left[0].join(60)
'''

RAY_TREE = '''

import ray._private.node


def test_an_unmarked_ray_node():
    ray._private.node.Node(None)


@pytest.mark.ray
def test_a_ray_marked_test():
    assert ray._private.node.Node.__init__.__module__ == "ray._private.node"
'''


def _fast_markers() -> str:
    found = re.search(r"^FAST_MARKERS\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert found, "the Makefile's FAST_MARKERS"
    return found.group(1).strip()


def _pytest(tree: Path, *args: str) -> str:
    path = [str(TESTS), *filter(None, [os.environ.get("PYTHONPATH")])]  # support.needs and its helpers
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    for name in ("CODEPAINT_CHROMIUM", "PYTEST_ADDOPTS"):  # as make test runs; the plugin sets the path
        env.pop(name, None)
    out = run([sys.executable, "-m", "pytest", "-p", "support.needs", "-p", "no:cacheprovider", *args],
              cwd=tree, env=env, capture_output=True, text=True, limit_s=120)
    return out.stdout + out.stderr


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("marks")
    lines = "\n".join(f"    {m}: {m}" for m in (*MARKS, "alone"))
    (root / "pytest.ini").write_text(f"[pytest]\nmarkers =\n{lines}\n")
    (root / "test_tree.py").write_text(textwrap.dedent(TREE) + (RAY_TREE if RAY else ""))
    return root


@pytest.fixture(scope="module")
def outcomes(tree: Path) -> dict[str, str]:
    """Each of the tree's tests: ``passed``, or its failure's message."""
    output = _pytest(tree, "-q", "--junitxml", str(tree / "report.xml"))
    assert (tree / "report.xml").is_file(), output
    out = {}
    for case in ET.parse(tree / "report.xml").getroot().iter("testcase"):
        failed = case.find("failure")
        if failed is None:
            failed = case.find("error")
        message = "passed" if failed is None else failed.get("message", "") + (failed.text or "")
        out[case.get("name", "")] = message
    return out


def test_an_unmarked_test_that_renders_fails_saying_how_to_mark_it(outcomes):
    for name in ("test_an_unmarked_render", "test_an_unmarked_render_that_swallows_the_error"):
        message = outcomes[name]
        assert message != "passed", name
        assert f"test_tree.py::{name} reached the browser but is not marked browser" in message, message
        assert "pytest.mark.browser" in message and "renderer` fixture" in message


def test_a_child_process_of_an_unmarked_test_is_pointed_at_no_browser(outcomes):
    # the child's own error names the fix: the path it was given says it
    assert outcomes["test_an_unmarked_child_process"] == "passed"
    assert "not-marked-browser" in NO_BROWSER and not Path(NO_BROWSER).exists()


def test_a_refusal_from_a_thread_an_earlier_test_left_says_so(outcomes):
    # the guard charges a refusal to the test running now; a pure test failing only beside others
    # then names the thread and that it was running before the test began
    message = outcomes["test_a_pure_test_after_it"]
    assert "reached the browser but is not marked browser" in message, message
    assert "thread 'left-behind', which was running before this test started" in message, message
    assert outcomes["test_a_marked_test_that_leaves_a_thread"] == "passed"


def test_a_test_marked_or_given_the_browser_by_a_fixture_reaches_it(outcomes):
    assert outcomes["test_a_marked_test"] == "passed"
    assert outcomes["test_through_a_fixture"] == "passed"


def test_an_unmarked_test_cannot_start_a_ray_node_where_ray_is_imported(outcomes):
    if not RAY:  # Ray is not installed: no test can start a node
        assert "test_an_unmarked_ray_node" not in outcomes
        return
    assert "reached Ray but is not marked ray" in outcomes["test_an_unmarked_ray_node"]
    assert outcomes["test_a_ray_marked_test"] == "passed"


def test_make_fast_leaves_out_every_test_a_fixture_marks(tree):
    output = _pytest(tree, "-q", "--collect-only", "-m", _fast_markers())
    collected = set(re.findall(r"test_tree\.py::(\w+)", output))
    assert "test_an_unmarked_render" in collected, output
    assert not collected & {"test_a_marked_test", "test_through_a_fixture", "test_a_ray_marked_test"}, output
    # and every mark a fixture can give is one make fast leaves out
    assert all(f"not {m}" in _fast_markers() for m in MARKS)


def test_needs_takes_only_the_marks_make_fast_knows():
    with pytest.raises(ValueError, match="needs"):
        needs("gpu")
    with pytest.raises(ValueError, match="needs"):
        needs()
