"""Backends: what actually renders a program, one class per way of rendering.

A language's :class:`~codepaint_env.core.languages.LanguageSpec` names its backend class; a
renderer's local dispatch (:mod:`.local`) makes one instance of each backend it needs, on first
use, with a :class:`~.dispatch.BackendContext` (the settings, the event-loop thread, the worker
threads: never the renderer), and closes them all when it closes. A backend answers
:meth:`Backend.submit` with a future of the :class:`RenderResult`; every failure of the program
is a result, never an exception.

* :class:`BrowserBackend` -- p5, p5brush, SVG, HTML in the contained Chromium pool, on the
  context's event loop thread.
* :class:`PythonBackend`, :class:`TikzBackend` -- the subprocess sandbox, on the context's
  worker threads.
* :class:`FastSvgBackend` -- SVG through resvg in sandboxed worker processes of its own.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from codepaint_env.core.result import RenderResult, failed
from codepaint_env.core.version import __version__
from codepaint_env.render.browser.capture import capture_result
from codepaint_env.render.browser.pages import build_page
from codepaint_env.render.browser.pool import BrowserPool
from codepaint_env.render.browser.slots import PoolConfig
from codepaint_env.render.dispatch import BackendContext, Hook, Job
from codepaint_env.render.resvg.fast_svg import WorkerPool, render_svg_fast
from codepaint_env.render.sandbox.programs import render_python, render_tikz


class Backend:
    """Renders programs with what a :class:`~.dispatch.BackendContext` offers.

    Subclasses set :attr:`name` (part of every render-cache key) and implement :meth:`submit`.
    """

    #: The backend's name (``renderer=`` chooses among a language's backends by it).
    name: ClassVar[str] = "backend"

    def __init__(self, context: BackendContext) -> None:
        self.context = context

    def submit(self, job: Job) -> concurrent.futures.Future[RenderResult]:
        """Start rendering; a future of the result (failures are results)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the backend holds (processes, threads)."""


class BrowserBackend(Backend):
    """p5.js, p5.brush, SVG and HTML in the contained Chromium (:class:`BrowserPool`)."""

    name = "browser"

    def __init__(self, context: BackendContext) -> None:
        super().__init__(context)
        self._pool: BrowserPool | None = None
        self._lock = threading.Lock()

    @property
    def pool(self) -> BrowserPool:
        """The browser pool, started on the context's event loop on first use."""
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    from codepaint_env.render.browser.assets import load_assets
                    from codepaint_env.render.browser.chromium import find_browser

                    r = self.context.settings
                    pool = BrowserPool(PoolConfig(
                        browser=find_browser(r.executable), max_pages=r.max_pages,
                        recycle_every=r.recycle_every, slot_renders=r.slot_renders,
                        memory_limit_mb=r.memory_limit_mb, use_netns=r.use_netns, gpu=r.gpu), load_assets())
                    self.context.loop.submit(pool.start()).result()
                    self._pool = pool
        return self._pool

    def version(self, engine: list[str] | None = None) -> str:
        """The version of a render: codepaint, the JS it ran (``engine``; default all), the browser."""
        pool = self.pool
        browser = pool.config.browser.version.replace(" ", "-")
        js = pool.assets.version_string(engine)
        gpu = f"+webgl-{pool.gpu_backend}" if pool.gpu_backend else ""
        return f"codepaint-{__version__}+{js + '+' if js else ''}{browser}{gpu}"

    def submit(self, job: Job) -> concurrent.futures.Future[RenderResult]:
        """Render in the pool, on the context's event loop."""
        pool = self.pool
        return self.context.loop.submit(self._render(pool, job))

    def interact(self, job: Job, hook: Hook) -> concurrent.futures.Future:
        """Render, then run the hook on the live page: a future of ``(RenderResult, Interaction | None)``."""
        pool = self.pool
        return self.context.loop.submit(self._render(pool, job, hook))

    async def _render(self, pool: BrowserPool, job: Job, hook: Hook | None = None) -> Any:
        r = self.context.settings
        after = hook.after if hook is not None else None
        spec = build_page(job.language, job.code, assets=pool.assets, seed=job.seed, frames=r.frames,
                          max_canvas=r.max_canvas, allowed_api=list(r.allowed_api or []) or None)
        if hook is not None:
            spec.config["track_listeners"] = bool(hook.track_listeners)
        version = self.version(spec.engine)
        if spec.syntax_error:
            res = failed(job.language, "syntax", spec.syntax_error, seed=job.seed, renderer=version)
            res.messages = [spec.syntax_error, *spec.notes]
            return res if after is None else (res, None)
        cap = await pool.render(spec, job.width, job.height, job.timeout_s, after=after,
                                after_timeout_s=hook.after_timeout_s if hook is not None else 30.0)
        res = capture_result(job.language, cap, spec, seed=job.seed, version=version,
                             timeout=job.timeout_s, max_messages=r.max_messages)
        res.timings_ms["total"] = round(cap.total_ms, 2)
        return res if after is None else (res, cap.interaction)

    def close(self) -> None:
        """Close the browser (its in-flight renders end as ``infra``) and Playwright."""
        pool, self._pool = self._pool, None
        loop = self.context.loop_started
        if pool is not None and loop is not None:
            loop.submit(pool.close()).result(timeout=30)  # the loop it started on


class ProgramBackend(Backend):
    """A blocking render function, run on the context's worker threads."""

    #: ``run(code, width, height, *, timeout_s, seed) -> RenderResult``.
    run: ClassVar[Callable[..., RenderResult]]

    def submit(self, job: Job) -> concurrent.futures.Future[RenderResult]:
        """Run :attr:`run` on one of the context's worker threads."""
        return self.context.workers.submit(self._run, job)

    def _run(self, job: Job) -> RenderResult:
        return type(self).run(job.code, job.width, job.height, timeout_s=job.timeout_s, seed=job.seed)


class PythonBackend(ProgramBackend):
    """A matplotlib / Pillow ``draw.py`` in the subprocess sandbox (:mod:`.programs`)."""

    name = "python"
    run = staticmethod(render_python)


class TikzBackend(ProgramBackend):
    """TikZ through pdflatex and pdftoppm in the subprocess sandbox (:mod:`.programs`)."""

    name = "tikz"
    run = staticmethod(render_tikz)


class FastSvgBackend(ProgramBackend):
    """SVG through resvg, in sandboxed worker processes this backend owns (:mod:`.fast_svg`)."""

    name = "fast"

    def __init__(self, context: BackendContext) -> None:
        super().__init__(context)
        self.pool = WorkerPool(context.settings.max_pages)

    def _run(self, job: Job) -> RenderResult:
        return render_svg_fast(job.code, job.width, job.height, timeout_s=job.timeout_s, seed=job.seed,
                               workers=self.pool)

    def close(self) -> None:
        """Stop this backend's resvg workers."""
        self.pool.close()
