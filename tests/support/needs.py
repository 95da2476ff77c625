"""A pytest plugin: marks that follow what a test uses, and a guard that keeps them honest.

tests/conftest.py loads it (``pytest_plugins``). Two halves:

* **Marks from fixtures.** A fixture that starts a browser, Ray, a trainer's venv or a torch model says
  so once, with :func:`needs`::

      @pytest.fixture(scope="module")
      @needs("browser")
      def env():
          ...

  and every test that requests it, directly or through other fixtures, gets those marks at collection,
  before ``-m`` deselects (the shared ``renderer`` fixture is one). A test that reaches a resource
  through a plain helper (``default_renderer()``, ``codepaint score`` in a subprocess) is marked by
  hand: ``pytestmark`` or a decorator.
* **A guard on every run.** A test without the ``browser`` mark runs (its setup, call and teardown)
  with ``$CODEPAINT_CHROMIUM`` pointing at :data:`NO_BROWSER`, a path that is not there and whose name
  says the fix, so a browser started in a subprocess fails; and with this process's browser backend
  refusing it (:func:`guarded`), so does a browser started here, or one a singleton started for an
  earlier test. A test that swallows the refusal fails all the same. Where Ray is imported, a test
  without the ``ray`` mark cannot start or join a Ray node either. So a test that needs a browser and
  is not marked fails in ``make test`` as it would in ``make fast``, and the marks cannot drift.

A process a fixture starts keeps the environment of the test that set the fixture up: a server that
renders, started for an unmarked test, has no browser for the marked tests after it. Declaring the
fixture with ``needs("browser")`` marks every test that uses it, which is what it needs anyway.

PYTEST_DONT_REWRITE: conftest imports :func:`needs` before pytest loads this module as a plugin (it
asserts nothing).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

#: The marks a fixture may give (pyproject's markers); ``make fast`` deselects each of them.
MARKS = ("browser", "ray", "trainer_venv", "embed", "soak")
#: The attribute :func:`needs` sets on a fixture's function.
ATTRIBUTE = "codepaint_needs"
#: What ``$CODEPAINT_CHROMIUM`` says while a test without the ``browser`` mark runs: no such file, so
#: Chromium's discovery fails with this path in its message (render/browser/chromium.py).
NO_BROWSER = "/test-not-marked-browser--mark-it-browser-or-use-the-renderer-fixture--tests-support-needs.py"
ENV_VAR = "CODEPAINT_CHROMIUM"

F = TypeVar("F", bound=Callable[..., Any])

_REACHED = pytest.StashKey[list[str]]()
#: The test running now (the guard's refusals are counted against it).
_current: list[pytest.Item] = []
#: The threads alive when it started (a refusal from one of them names an earlier test's leftover).
_threads_before: set[threading.Thread] = set()


def needs(*marks: str) -> Callable[[F], F]:
    """Declare what a fixture starts: every test that uses the fixture gets these marks.

    Args:
        *marks: Some of :data:`MARKS`.

    Returns:
        A decorator that returns the fixture function unchanged, but for the declaration (put it
        under ``@pytest.fixture``; above it works too).

    Raises:
        ValueError: No mark, or one that is not in :data:`MARKS`.
    """
    unknown = sorted(set(marks) - set(MARKS))
    if not marks or unknown:
        raise ValueError(f"needs() takes some of {MARKS}, got {marks}")

    def declare(func: F) -> F:
        wrapped = getattr(func, "_get_wrapped_function", None)  # above @pytest.fixture: its function too
        for target in (func, wrapped() if callable(wrapped) else None):
            if target is not None:
                setattr(target, ATTRIBUTE, tuple(dict.fromkeys((*getattr(target, ATTRIBUTE, ()), *marks))))
        return func

    return declare


def fixture_needs(item: pytest.Item) -> set[str]:
    """The marks the fixtures a test uses (its whole fixture closure) declare with :func:`needs`."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    out: set[str] = set()
    for name in getattr(item, "fixturenames", ()):
        # the definition the test gets, and the ones it overrides only where it asks for them by name
        for fixturedef in reversed(info.name2fixturedefs.get(name, ())):
            out.update(getattr(fixturedef.func, ATTRIBUTE, ()))
            if name not in fixturedef.argnames:
                break
    return out


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by its fixtures (first: conftest's ``alone`` and ``-m`` read these marks)."""
    for item in items:
        for mark in sorted(fixture_needs(item)):
            if item.get_closest_marker(mark) is None:
                item.add_marker(mark)


def refusal(nodeid: str, what: str = "the browser") -> str:
    """What a test that reaches a resource it is not marked for is told."""
    mark = "ray" if what == "Ray" else "browser"
    fixture = "a Ray fixture" if mark == "ray" else "the shared `renderer` fixture"
    return (f"{nodeid} reached {what} but is not marked {mark}: mark it (pytestmark = pytest.mark.{mark}, "
            f"or @pytest.mark.{mark}), or give it {what} through a fixture that needs it ({fixture}, or "
            f"one declared with support.needs.needs({mark!r})). `make fast` deselects the marked tests; "
            "see tests/support/needs.py.")


def _refuse(what: str) -> Any:
    item = _current[-1] if _current else None
    message = refusal(item.nodeid if item is not None else "a test", what) + _which_thread()
    if item is not None:
        item.stash.setdefault(_REACHED, []).append(message)
    return message


def _which_thread() -> str:
    """Where a refusal came from, when not the test's own thread: a refusal is charged to the test running
    now, so a thread that an earlier test left running is named as such (a pure test failing only beside
    others then says why)."""
    thread = threading.current_thread()
    if thread is threading.main_thread():
        return ""
    if thread in _threads_before:  # the objects, not their idents (an ident is reused)
        return (f" (It came from thread {thread.name!r}, which was running before this test started:"
                " a thread an earlier test in this process left running, not this test.)")
    return f" (It came from thread {thread.name!r}, started during this test.)"


@contextlib.contextmanager
def _no_browser() -> Iterator[None]:
    from codepaint_env.core.errors import RendererUnavailable
    from codepaint_env.render.backends import BrowserBackend

    def pool(self: BrowserBackend) -> Any:
        raise RendererUnavailable(_refuse("the browser"))

    before_env = os.environ.get(ENV_VAR)
    before_pool = BrowserBackend.__dict__["pool"]
    os.environ[ENV_VAR] = NO_BROWSER
    BrowserBackend.pool = property(pool)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        BrowserBackend.pool = before_pool  # type: ignore[method-assign]
        if before_env is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = before_env


@contextlib.contextmanager
def _no_ray() -> Iterator[None]:
    # Only where Ray is imported already (make test imports it while collecting the Ray tests): importing
    # it here would cost every run seconds, and a test that imports it itself is caught in make test.
    node = sys.modules.get("ray._private.node")
    if node is None:
        yield
        return

    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(_refuse("Ray"))

    before = node.Node.__dict__["__init__"]
    node.Node.__init__ = refuse
    try:
        yield
    finally:
        node.Node.__init__ = before


@contextlib.contextmanager
def guarded(item: pytest.Item) -> Iterator[None]:
    """Run a test closed to the resources it is not marked for (the browser; Ray where imported)."""
    with contextlib.ExitStack() as stack:
        _threads_before.clear()
        _threads_before.update(threading.enumerate())
        _current.append(item)
        stack.callback(_current.pop)
        if item.get_closest_marker("browser") is None:
            stack.enter_context(_no_browser())
        if item.get_closest_marker("ray") is None:
            stack.enter_context(_no_ray())
        yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Setup, call and teardown under :func:`guarded` (fixtures of any scope a test sets up included)."""
    with guarded(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A phase in which the test reached what it is not marked for fails, even if the test went on."""
    report = yield
    reached = item.stash.get(_REACHED, [])
    if reached:
        item.stash[_REACHED] = []
        if report.passed:
            report.outcome = "failed"
            report.longrepr = "\n".join(dict.fromkeys(reached))
    return report
