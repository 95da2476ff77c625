"""Shared fixtures: one real browser-backed Renderer for the session, a loopback canary server.

Helpers live in tests/support/ (on the path: pyproject's pythonpath), markers in pyproject.
"""

from __future__ import annotations

import pytest

from codepaint_env.render import Renderer
from support.canary import Canary


@pytest.fixture(scope="session")
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




def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test that asks for the shared renderer is a browser test, whatever its module says.
    for item in items:
        if "renderer" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
