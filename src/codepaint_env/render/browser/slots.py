"""The browser pool's parts: a launched browser, its slots, the render a slot runs, what it gives back.

Isolation model (measured: see ``benchmarks/speed/render_bench.py`` and the README):

* **Between concurrent renders: a browser context each.** The pool has ``max_pages`` *slots*
  (:class:`Slot`); a slot is one browser context (own cookies, storage, cache and renderer
  process) with one page, and runs one render (:class:`Job`) at a time. A busy loop, a crash or
  an out-of-memory kill in one slot cannot touch another.
* **Slots are recycled**: after a timeout, a crash, or ``slot_renders`` renders, the slot's
  context is closed and a new one made; the whole browser (a :class:`Generation`) is relaunched
  every ``recycle_every`` renders, and immediately when it dies (the in-flight renders are
  retried once).

Also here: how the pool runs Chromium (:class:`PoolConfig`), what a page gave back
(:class:`PageCapture`, :class:`Interaction`), and the two failures that are not the program's
(:class:`BrowserDied`, :class:`PageLost`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from PIL import Image

from codepaint_env.render.browser.chromium import BrowserBinary, BrowserCgroup, PageCgroup
from codepaint_env.render.browser.pages import PageSpec
from codepaint_env.render.load import CpuTimes, Pressure, cpu_times

log = logging.getLogger("codepaint.render")

T = TypeVar("T")
#: Bound on making a slot (context, page, routing, warm-up), and on a page opening a render.
SETUP_TIMEOUT_S = 30.0


class BrowserDied(Exception):
    """The browser went away during a render (infrastructure, not the program)."""


class PageLost(Exception):
    """The render's page crashed with no sign that the program did it (no memory-limit kill)."""


def first_line(e: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none), capped."""
    text = str(e).strip().splitlines()
    return (text[0] if text else type(e).__name__)[:300]


@dataclass
class PoolConfig:
    """How the pool runs Chromium."""

    browser: BrowserBinary
    max_pages: int = 2
    recycle_every: int = 1000
    slot_renders: int = 100
    memory_limit_mb: int | None = 4096  # per page, when cgroups are available (see launch.py)
    max_pids: int = 512
    use_netns: bool = True
    headless: bool = True
    extra_args: tuple[str, ...] = ()
    close_timeout_s: float = 5.0
    gpu: str = "off"  # GPU_MODES


@dataclass
class PageCapture:
    """What the page gave back; the renderer turns it into a RenderResult."""

    outcome: str  # "done", "timeout", "crash", "navigation", "infra"
    infra_reason: str = ""  # why, when the outcome is "infra" (not the program's doing)
    crash_reason: str = ""  # why, when the outcome is "crash" and the reason is known
    info: dict[str, Any] = field(default_factory=dict)  # the harness's report
    png: bytes | None = None
    image: Image.Image | None = None
    console: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)
    dialogs: int = 0
    popups: int = 0
    dropped_messages: int = 0
    capture_ms: float = 0.0
    total_ms: float = 0.0  # from a free slot to the capture, queueing excluded
    cpu: CpuTimes | None = None  # what the page's processes got until a timeout, when measured
    interaction: Interaction | None = None  # what an ``after`` hook did (BrowserPool.render)


#: ``after(page, cdp, cap)``: a coroutine acting on a rendered page before its slot is reset
#: (Playwright ``Page``, its CDP session, the render's :class:`PageCapture`); see BrowserPool.render.
AfterHook = Callable[[Any, Any, PageCapture], Awaitable[Any]]


@dataclass
class Interaction:
    """What an ``after`` hook did on a rendered page, and what the page did meanwhile.

    Attributes:
        result: What the hook returned (``None`` when it failed).
        error: Why the hook failed (an exception or its timeout), else ``None``.
        ms: How long it ran.
        console: Console messages during the hook (kept out of the render's own messages).
        blocked: Requests blocked during the hook.
        navigations: Navigations blocked during the hook (by request routing).
        dialogs: Dialogs dismissed during the hook.
        popups: Popups closed during the hook.
    """

    result: Any = None
    error: str | None = None
    ms: float = 0.0
    console: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)
    dialogs: int = 0
    popups: int = 0


class Job:
    """The render a slot is running: what its page may load, and where its events go."""

    def __init__(self, spec: PageSpec, url: str) -> None:
        self.spec = spec
        self.url = url
        self.cap = PageCapture(outcome="timeout")
        self.cpu0: CpuTimes | None = None  # the page's processes when the render started
        self.unserved = set(spec.files)  # the render's own files (the program) not yet served
        self.pressure0 = Pressure.now()  # the machine's stall counters when the render started
        self.oom0 = 0  # the page's memory-limit kills when the render started (Slot.oom_kills)
        self.ended: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def end(self, outcome: str) -> None:
        """End the render with this outcome (the first one given wins)."""
        if not self.ended.done():
            self.ended.set_result(outcome)


class Generation:
    """One launched browser and its bookkeeping."""

    def __init__(self, browser: Any, launcher: str, cgroup: BrowserCgroup | None) -> None:
        self.browser = browser
        self.launcher = launcher
        self.cgroup = cgroup
        self.renders = 0
        self.in_flight = 0
        self.dead = False
        self.retired = False
        self.died: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        browser.on("disconnected", lambda _b: self._on_disconnected())

    def _on_disconnected(self) -> None:
        self.dead = True
        if not self.died.done():
            self.died.set_result(None)

    async def run(self, aw: Awaitable[T], timeout_s: float) -> T:
        """Await a Playwright call on this browser, bounded, and given up the moment it dies.

        (Some Playwright calls, ``new_page`` among them, never return on a browser that was
        killed under them.)

        Raises:
            BrowserDied: The browser died meanwhile.
            asyncio.TimeoutError: It took longer than ``timeout_s``.
        """
        task = asyncio.ensure_future(aw)
        try:
            await asyncio.wait({task, self.died}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            task.cancel()
            raise
        if task.done():
            return task.result()
        task.cancel()
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        if self.died.done():
            raise BrowserDied("the browser died")
        raise asyncio.TimeoutError

    @property
    def usable(self) -> bool:
        """Neither dead nor retired: new slots may be made in it."""
        return not (self.dead or self.retired)

    async def close(self) -> None:
        """Close the browser, remove its cgroup and its launcher script."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.browser.close(), 10)
        if self.cgroup is not None:
            self.cgroup.remove()
        with contextlib.suppress(OSError):
            os.unlink(self.launcher)


class Slot:
    """A browser context with one page that runs one render at a time."""

    def __init__(self, gen: Generation, ctx: Any, page: Any, cdp: Any) -> None:
        self.gen, self.ctx, self.page, self.cdp = gen, ctx, page, cdp
        self.job: Job | None = None
        self.renders = 0
        self.broken = False
        self.viewport: tuple[int, int] | None = None
        self.frozen = False
        # The pinned JS this slot's documents are given (pages.slot_scripts), and the CDP
        # identifiers of those init scripts: changed only when a render needs other JS.
        self.engine: tuple[str, ...] = ()
        self.engine_scripts: list[dict] = []
        # The renderer process of this slot's page, from the CDP request ids Blink prefixes with
        # its process id (``"<pid>.<n>"``); stable across a slot's renders (same site).
        self.renderer_pid: int | None = None
        # The renderer's own memory group, once known (cgroups available): see chromium.py.
        self.cgroup: PageCgroup | None = None

    def oom_kills(self) -> int | None:
        """Memory-limit kills in this page's own group; ``None`` when there is no group."""
        return None if self.cgroup is None else self.cgroup.oom_kills()

    def adopt_renderer(self, pid: int) -> None:
        """Take the page's renderer process into the page's memory group (when there is one)."""
        self.renderer_pid = pid
        if self.cgroup is not None and not self.cgroup.adopt(pid):
            log.warning("codepaint: could not move renderer %d into its page's memory group", pid)

    def page_cpu(self) -> CpuTimes | None:
        """CPU run and run-queue wait of the page's renderer process (the program's), once known.

        Not the GPU process, where SwiftShader does WebGL work: it spins while a starved renderer
        keeps it waiting, which would read as the program running. A sketch blocked on a starved
        GPU process neither runs nor waits itself: the machine's CPU pressure decides (load.py).
        """
        if self.renderer_pid is None:
            return None
        return cpu_times([self.renderer_pid], tree=False)

    async def close(self, timeout: float) -> bool:
        """Close the context; False when it would not close (a wedged browser)."""
        try:
            await asyncio.wait_for(self.ctx.close(), timeout)
            return True
        except Exception:
            return False
        finally:
            if self.cgroup is not None:
                self.cgroup.remove()  # stays while the renderer lingers; the browser's removal ends it
