"""Where prepared renders go: the :class:`Dispatch` contract between the render front and what renders.

The render front (:class:`~codepaint_env.render.front.RenderFront`) validates, extracts, detects,
caps, caches and shares renders; a *dispatch* does the rendering: the local dispatch
(:mod:`.local`: this process's backends: the browser pool, the subprocess sandbox, the resvg
workers) or
:class:`~codepaint_env.render.ray.dispatch.RayDispatch` (render worker actors on a Ray cluster).
A dispatch answers every :class:`Job` with a future that ends in a result; a broken installation
is the future's exception (:class:`~codepaint_env.core.errors.RendererUnavailable`), anything else
the front turns into ``error_kind="infra"``.

Backends get a :class:`BackendContext` (the settings, the event-loop thread, the worker threads),
never the renderer.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from codepaint_env.core.languages import LANGUAGES
from codepaint_env.core.loop import LoopThread
from codepaint_env.render.settings import RenderSettings

log = logging.getLogger("codepaint.render")

#: A future of one :class:`RenderResult`; of ``(RenderResult, Interaction | None)`` for an interaction.
RenderFuture = concurrent.futures.Future
InteractionFuture = concurrent.futures.Future

#: The browser counters in every dispatch's stats, local or Ray: zero until a browser has started, so
#: the stats keep one shape while browsers start, restart or (on Ray) a replaced worker starts.
BROWSER_COUNTERS = ("browser_launches", "browser_retries", "slots_made")


@dataclass(frozen=True)
class Job:
    """One program to render, resolved: language, program, output size, seed, timeout, backend name."""

    language: str
    code: str
    width: int
    height: int
    seed: int
    timeout_s: float
    backend: str


@dataclass(frozen=True)
class Hook:
    """What an interaction does after its render (see ``Renderer.interact``)."""

    after: Callable[..., Awaitable[Any]]  # ``async after(page, cdp, capture)``
    after_timeout_s: float
    track_listeners: bool


class Dispatch(Protocol):
    """What the render front needs of whatever renders."""

    def start(self, job: Job) -> RenderFuture:
        """Render ``job``; a future of its :class:`RenderResult` (program failures are results)."""
        ...

    def start_interaction(self, job: Job, hook: Hook) -> InteractionFuture:
        """Render ``job`` in the browser, then run ``hook`` on the live page."""
        ...

    def version(self) -> str:
        """The renderer stack's version (codepaint, the JS, the browser)."""
        ...

    def gpu_info(self) -> dict[str, str | None]:
        """Which WebGL path the browser uses."""
        ...

    def stats(self, **options: Any) -> dict[str, Any]:
        """The dispatch's own counters (:data:`BROWSER_COUNTERS` always, workers...)."""
        ...

    def close(self) -> None:
        """Release everything it holds; renders in flight end (the front answers them ``infra``)."""
        ...

    def after_fork(self) -> None:
        """In a forked child: forget the parent's threads and processes."""
        ...


class Binds(Protocol):
    """A transport told its renderer's settings when the renderer is made (:meth:`bind`)."""

    def bind(self, settings: RenderSettings) -> None:
        """Take the renderer's settings (a Ray transport starts its workers with them)."""
        ...


def backend_class(language: str, name: str) -> type | None:
    """The backend class a language renders with under ``renderer=name`` (``"auto"``: its own).

    Raises:
        ValueError: ``name`` is not one of the language's backends.
    """
    spec = LANGUAGES[language]
    own = spec.backend
    if name == "auto" or (own is not None and own.name == name):
        return own
    if name in spec.alternatives:
        return spec.alternatives[name]
    named = [n for n in (own.name if own else None, *spec.alternatives) if n]
    raise ValueError(f"renderer={name!r} does not render {language!r}; it has {', '.join(named) or 'none'}")


class BackendContext:
    """What a backend may use: the settings, one event-loop thread and one set of worker threads.

    Both are started on first use and stopped by :meth:`close` (then started afresh if used again).
    """

    def __init__(self, settings: RenderSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._loop: LoopThread | None = None
        self._workers: concurrent.futures.ThreadPoolExecutor | None = None

    @property
    def loop(self) -> LoopThread:
        """The event-loop thread asyncio backends (the browser) run on."""
        with self._lock:
            if self._loop is None:
                self._loop = LoopThread("codepaint-render")
            return self._loop

    @property
    def loop_started(self) -> LoopThread | None:
        """The loop if it has started (``None``: nothing asyncio ran yet)."""
        return self._loop

    @property
    def workers(self) -> concurrent.futures.ThreadPoolExecutor:
        """Threads for blocking renders (sandboxed subprocesses, resvg workers)."""
        with self._lock:
            if self._workers is None:
                self._workers = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.settings.max_pages, thread_name_prefix="codepaint-native")
            return self._workers

    def close(self) -> None:
        """Stop the loop (cancelling what still runs on it) and the worker threads."""
        with self._lock:
            loop, self._loop = self._loop, None
            workers, self._workers = self._workers, None
        if loop is not None:
            loop.stop()
        if workers is not None:
            workers.shutdown(wait=False, cancel_futures=True)

    def after_fork(self) -> None:
        """Forget the parent's threads (a forked child starts its own on first use)."""
        self._lock = threading.Lock()
        self._loop, self._workers = None, None


def done(value: Any) -> concurrent.futures.Future:
    """A future that already holds ``value``."""
    fut: concurrent.futures.Future = concurrent.futures.Future()
    fut.set_result(value)
    return fut


__all__ = ["BackendContext", "Binds", "Dispatch", "Hook", "Job", "backend_class", "done"]
