"""`Renderer`: the one object callers use to turn programs into pictures, over a transport.

It is the render front (:mod:`.front`: preparation, the render cache, sharing of identical renders
in flight, guards, counters, the public methods) over a transport, as httpx's
``Client(transport=...)``: by default the local one (:mod:`.local`: one event-loop thread, one set
of worker threads and one instance of each backend it needs, the browser pool, the subprocess
sandbox, the resvg workers, made on first use and all closed by :meth:`Renderer.close`);
``Renderer(dispatch=RayTransport(8))`` renders on Ray actors (:func:`~codepaint_env.render.RayRenderer`
builds that), ``Renderer(dispatch=StubDispatch({...}))`` answers from canned pictures (tests).

    >>> from codepaint_env.render import Renderer
    >>> with Renderer() as r:                                        # doctest: +SKIP
    ...     res = r.render("function setup(){createCanvas(64,64);background(200,0,0)}", "p5")
    ...     res.ok, res.size
    (True, (512, 512))
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Sequence
from typing import Any

from codepaint_env.core.loop import after_fork
from codepaint_env.core.pickling import PicklesAsArguments
from codepaint_env.core.result import RenderResult
from codepaint_env.render.backends import Backend
from codepaint_env.render.browser.pool import BrowserPool
from codepaint_env.render.dispatch import Dispatch
from codepaint_env.render.front import RenderFront
from codepaint_env.render.local import LocalDispatch
from codepaint_env.render.settings import RenderSettings


class Renderer(RenderFront, PicklesAsArguments):
    """Renders programs in every registered language over its transport; thread-safe; reuse one per process.

    A pickled renderer travels as its arguments (:mod:`codepaint_env.core.pickling`): the copy in
    another process starts its own browser and workers on first use (a Ray transport's copy
    reattaches to the same workers).

    Args:
        dispatch: The transport: where renders go (default: this process's backends). A transport
            with a ``bind(settings)`` method is given these settings (Ray starts its workers with them).
        executable: Chromium binary (default: the discovery rule of ``render.browser.chromium``).
        max_pages: Renders running at once (default: the number of CPUs, at least 2, at most 8).
        recycle_every: Relaunch the browser after this many renders.
        slot_renders: Renew a slot's browser context after this many renders (1 = a fresh
            context for every render: strictest isolation, ~3x slower).
        memory_limit_mb: Memory cap for each page's renderer process, the program's (cgroup v1,
            where available); the browser's whole tree gets ``max_pages`` times this plus 1 GB.
        use_netns: Start the browser in its own network namespace when permitted.
        timeout_s: Default per-render timeout in seconds.
        frames: p5 frames to draw before capturing (1 = the first frame after setup).
        max_code_bytes: Longer programs are rejected as ``too_large`` without running.
        max_canvas: Largest canvas side a p5 sketch may create.
        allowed_api: Optional allowlist of ``brush.*`` methods; calls outside it are reported in
            ``RenderResult.api_violations`` (the sketch still runs).
        max_messages: Cap on ``RenderResult.messages``.
        cache_size: Results kept in the in-memory render cache (0 disables it). It is sized for
            a trainer's whole batch, so several reward functions over one batch render each
            completion once.
        cache_mb: Bound on the PNG bytes the cache holds; the oldest results go first.
        gpu: WebGL's backend. ``"off"`` (default): Chromium's software path (SwiftShader), the
            same pixels on every machine (the reference pool was rendered so). ``"auto"``: a
            hardware path when one works here (ANGLE on Vulkan, then on EGL, each checked by
            the WebGL renderer string a probe page reports), else SwiftShader. ``"on"``: a
            hardware path or :class:`RendererUnavailable`. The path in use is in
            :meth:`gpu_info` and in every browser render's ``RenderResult.renderer``.
        infra_retries: Start a render answered ``infra`` (the machine could not do it) again
            this many times, with a doubling backoff (:mod:`codepaint_env.render.retry`). 0
            (default) answers ``infra`` at once, as a trainer wants (its sample is ``None``); the
            commands a person waits on (``codepaint demo``, ``score``, ``eval``) use 3.
        infra_retry_budget_s: No retry starts later than this after the render's first try.

    Raises:
        ValueError: A bad setting (the message says which and how to fix it).
    """

    def __init__(
        self,
        *,
        dispatch: Dispatch | None = None,
        executable: str | None = None,
        max_pages: int | None = None,
        recycle_every: int = 1000,
        slot_renders: int = 100,
        memory_limit_mb: int | None = 4096,
        use_netns: bool = True,
        timeout_s: float = 20.0,
        frames: int = 1,
        max_code_bytes: int = 1_000_000,
        max_canvas: int = 4096,
        allowed_api: Sequence[str] | None = None,
        max_messages: int = 50,
        cache_size: int = 4096,
        cache_mb: float = 512.0,
        gpu: str = "off",
        infra_retries: int = 0,
        infra_retry_budget_s: float = 300.0,
    ) -> None:
        settings = RenderSettings(
            executable=executable, max_pages=max_pages or 0, recycle_every=recycle_every,
            slot_renders=slot_renders, memory_limit_mb=memory_limit_mb, use_netns=use_netns,
            timeout_s=timeout_s,
            frames=frames, max_code_bytes=max_code_bytes, max_canvas=max_canvas,
            allowed_api=tuple(allowed_api) if allowed_api else None, max_messages=max_messages,
            cache_size=cache_size, cache_mb=cache_mb, gpu=gpu, infra_retries=infra_retries,
            infra_retry_budget_s=infra_retry_budget_s)
        transport: Dispatch = dispatch if dispatch is not None else LocalDispatch(settings)
        bind = getattr(transport, "bind", None)
        if callable(bind):
            bind(settings)
        self._init_front(settings, transport)
        _open_renderers.add(self)
        after_fork(obj=self)

    def __enter__(self) -> Renderer:
        return self

    def __repr__(self) -> str:
        return f"Renderer(dispatch={type(self._transport).__name__})"

    # ------------------------------------------------------------------ the local backends
    def _local(self) -> LocalDispatch:
        if not isinstance(self._transport, LocalDispatch):
            raise TypeError(f"this renderer renders through {type(self._transport).__name__}, not this "
                            "process's backends: it has no browser pool of its own")
        return self._transport

    @property
    def pool(self) -> BrowserPool:
        """The browser pool (started on first use; a renderer over this process's backends only)."""
        return self._local().pool

    def backend(self, cls: type[Backend]) -> Backend:
        """This renderer's instance of a backend class (made on first use; local transport only)."""
        return self._local().backend(cls)


# ---------------------------------------------------------------------- module-level default
_default: Renderer | None = None
_default_lock = threading.Lock()


def default_renderer() -> Renderer:
    """The process-wide renderer used by :func:`render` (created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Renderer()
        return _default


def render(code: Any, language: str = "auto", *, size: int | tuple[int, int] | str = 512, seed: int = 0,
           timeout_s: float | None = None, extract: bool = False, renderer: str = "auto") -> RenderResult:
    """Render one program with the process-wide default :class:`Renderer` (see :meth:`Renderer.render`)."""
    return default_renderer().render(code, language, size=size, seed=seed, timeout_s=timeout_s,
                                     extract=extract, renderer=renderer)


_open_renderers: weakref.WeakSet[Renderer] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    # Renderers their owners forgot to close still take their browser down with the process.
    for r in list(_open_renderers):
        r.close()


def _reset_after_fork() -> None:
    global _default, _default_lock
    _default = None
    _default_lock = threading.Lock()


after_fork(_reset_after_fork)
