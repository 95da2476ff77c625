"""`BrowserPool`: one long-lived, contained Chromium that renders many programs at once.

Isolation model (measured: see ``benchmarks/speed/render_bench.py`` and the README): a browser context
per concurrent render, a fresh origin and a fresh document per successive render in a slot, slots
and browsers recycled. The pieces, one module each:

* :mod:`.slots`: a launched browser (``Generation``), a slot (one context, one page, one render
  at a time), the render it runs (``Job``), what a page gave back (``PageCapture``);
* :mod:`.launch`: starting Chromium (switches, WebGL path, cgroup, a few attempts);
* :mod:`.containment`: request routing and the page's event handlers (what a page may do);
* :mod:`.render_steps`: one render on a slot's page, from opening it to leaving it clean.

This module takes a slot for each render (making one when none is idle, in the current browser,
launching one when there is none or it died), runs the render in it, retries a render once when
the browser died or the page was killed from outside, and gives the slot back: kept for the next
render, or recycled after a timeout, a crash, or ``slot_renders`` renders; the whole browser is
relaunched every ``recycle_every`` renders, and immediately when it dies.

This module is asyncio code; :class:`~codepaint_env.render.renderer.Renderer` runs it on a
background event loop and gives callers a plain synchronous API.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from typing import Any

from codepaint_env.core.errors import RendererUnavailable
from codepaint_env.render.browser.assets import JSAssets
from codepaint_env.render.browser.containment import (
    on_console,
    on_crash,
    on_dialog,
    on_navigated,
    on_popup,
    on_request_sent,
    refuse_websocket,
    route_request,
)
from codepaint_env.render.browser.launch import BrowserLauncher
from codepaint_env.render.browser.pages import INIT_JS, PageSpec, render_url, slot_scripts
from codepaint_env.render.browser.render_steps import (
    interact,
    open_render,
    reset,
    screenshot,
    terminate,
    timed_out,
)
from codepaint_env.render.browser.slots import (
    SETUP_TIMEOUT_S,
    AfterHook,
    BrowserDied,
    Generation,
    Job,
    PageCapture,
    PageLost,
    PoolConfig,
    Slot,
    first_line,
)
from codepaint_env.render.load import CpuTimes, Deadline

log = logging.getLogger("codepaint.render")

_WARM_UP_PAGE = b'<!doctype html><meta charset="utf-8"><script src="/w.js"></script>'


class BrowserPool:
    """A contained Chromium rendering up to ``max_pages`` programs at a time."""

    def __init__(self, config: PoolConfig, assets: JSAssets) -> None:
        self.config = config
        self.assets = assets
        self._launcher = BrowserLauncher(config)
        self._gen: Generation | None = None
        self._lock: asyncio.Lock | None = None
        self._sem: asyncio.Semaphore | None = None
        self._idle: list[Slot] = []
        self._ids = itertools.count(1)
        self._scripts: dict[tuple[str, ...], list[str]] = {}
        self.retries = 0
        self.slots_made = 0

    @property
    def netns(self) -> tuple[str, ...] | None:
        """The command that puts the browser in a network namespace of its own (None: none)."""
        return self._launcher.netns

    @property
    def memory_capped(self) -> bool:
        """Whether the last browser launched is in a memory-capped cgroup."""
        return self._launcher.memory_capped

    @property
    def launches(self) -> int:
        """Browsers launched so far."""
        return self._launcher.launches

    @property
    def gpu_backend(self) -> str | None:
        """The hardware WebGL path in use (a GPU_BACKENDS key), or None for Chromium's software one."""
        return self._launcher.gpu_backend

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Start Playwright (the browser itself starts on the first render)."""
        if self._launcher.pw is not None:
            return
        self._lock = asyncio.Lock()
        self._sem = asyncio.Semaphore(self.config.max_pages)
        await self._launcher.start()
        if self._launcher.gpu_args is None:  # gpu="auto"/"on": choose the WebGL path now, before any render
            async with self._lock:
                self._gen = await self._launcher.launch()

    async def close(self) -> None:
        """Close the browser and Playwright; no process is left behind."""
        self._idle.clear()
        if self._gen is not None:
            await self._gen.close()
            self._gen = None
        await self._launcher.stop()

    async def webgl_renderer(self) -> str | None:
        """The WebGL renderer string of the browser in use (starts it)."""
        return await self._launcher.probe_webgl(await self._current_generation())

    async def _current_generation(self) -> Generation:
        assert self._lock is not None
        async with self._lock:
            gen = self._gen
            if gen is None or not gen.usable:
                if gen is not None and gen.in_flight == 0:
                    await gen.close()
                self._gen = gen = await self._launcher.launch()
            return gen

    async def _take_slot(self, engine: tuple[str, ...]) -> Slot:
        """An idle slot (one that already has this pinned JS first), else a new one."""
        while self._idle:
            same = [i for i, s in enumerate(self._idle) if s.engine == engine]
            slot = self._idle.pop(same[-1] if same else -1)
            if slot.gen.usable and not slot.broken and not slot.page.is_closed():
                return slot
            await self._discard(slot)
        gen = await self._current_generation()
        return await self._new_slot(gen)

    def _slot_scripts(self, engine: tuple[str, ...]) -> list[str]:
        if engine not in self._scripts:
            self._scripts[engine] = slot_scripts(engine, self.assets)
        return self._scripts[engine]

    async def _new_slot(self, gen: Generation) -> Slot:
        from playwright.async_api import Error as PlaywrightError

        made: list[Any] = []  # the context, then the slot: closed again if set-up fails
        try:
            slot = await gen.run(self._set_up_slot(gen, made), SETUP_TIMEOUT_S)
        except (PlaywrightError, asyncio.TimeoutError, PageLost) as e:
            for thing in made:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(thing.close(self.config.close_timeout_s)
                                           if isinstance(thing, Slot) else thing.close(),
                                           self.config.close_timeout_s + 1)
            if gen.dead or not gen.browser.is_connected():
                raise BrowserDied(str(e)) from e
            if isinstance(e, asyncio.TimeoutError):
                # (Playwright's new_page never returns on a browser killed at the wrong moment.)
                gen.retired = True
                raise BrowserDied(f"the browser did not set up a page in {SETUP_TIMEOUT_S:g} s") from e
            raise PageLost(f"could not set up a browser context ({first_line(e)})") from e
        self.slots_made += 1
        ctx, page = slot.ctx, slot.page
        ctx.on("page", lambda p: on_popup(slot, p))
        page.on("console", lambda m: on_console(slot, m))
        page.on("dialog", lambda d: on_dialog(slot, d))
        page.on("crash", lambda _p: on_crash(slot))
        page.on("framenavigated", lambda f: on_navigated(slot, f))
        return slot

    async def _set_up_slot(self, gen: Generation, made: list[Any]) -> Slot:
        """A context with one page, its CDP session, routing, and its renderer process known."""
        ctx = await gen.browser.new_context(
            device_scale_factor=1,
            service_workers="block",
            timezone_id="UTC",
            locale="en-US",
            accept_downloads=False,
            color_scheme="light",
            reduced_motion="reduce",
        )
        made.append(ctx)
        page = await ctx.new_page()
        cdp = await ctx.new_cdp_session(page)
        await cdp.send("Page.enable")  # needed for this session's init scripts to apply
        # The harness's first part, in every document of the slot before anything else (the
        # pinned JS a render needs is added after it: open_render).
        await cdp.send("Page.addScriptToEvaluateOnNewDocument", {"source": INIT_JS})
        slot = Slot(gen, ctx, page, cdp)
        # Request ids name the renderer process: its run-queue wait tells overload from a
        # slow program. No bodies are buffered for this session.
        cdp.on("Network.requestWillBeSent", lambda e: on_request_sent(slot, e))
        await cdp.send("Network.enable", {"maxTotalBufferSize": 0, "maxResourceBufferSize": 0})
        # Routing is set up before the slot is used: a browser dying here is a BrowserDied
        # like any other, retried by render().
        await ctx.route("**/*", lambda route: route_request(slot, route, self.assets))
        with contextlib.suppress(AttributeError):  # Playwright < 1.48 has no WebSocket routing
            await ctx.route_web_socket("**", lambda ws: refuse_websocket(slot, ws))
        if gen.cgroup is not None and self.config.memory_limit_mb:
            # (the slot is closed, and with it its group, if set-up fails from here on)
            slot.cgroup = gen.cgroup.page(f"page-{next(self._ids)}")
            made.append(slot)
            try:
                slot.cgroup.create(self.config.memory_limit_mb * 1024 * 1024)
            except OSError as e:
                raise PageLost(f"could not create the page's memory group ({e})") from e
        await self._warm_up(slot)
        if slot.cgroup is not None and slot.renderer_pid is None:
            raise PageLost("the page's renderer process could not be identified (no request from it)")
        return slot

    async def _warm_up(self, slot: Slot) -> None:
        """Load one empty document of the render site, so the slot's renderer process is known.

        The renderer process a page runs in is chosen at its first navigation to our site and
        kept for every later render of the slot (same site); its script request names it.
        """
        warm = Job(PageSpec(files={"/": (_WARM_UP_PAGE, "text/html; charset=utf-8"),
                                   "/w.js": (b"", "text/javascript")}),
                   render_url(next(self._ids)))
        slot.job = warm
        try:
            await slot.page.goto(warm.url, wait_until="load", timeout=30_000)
            await slot.cdp.send("Page.resetNavigationHistory")  # the first render sees none of it
        finally:
            slot.job = None

    async def _discard(self, slot: Slot) -> None:
        if not await slot.close(self.config.close_timeout_s):
            slot.gen.retired = True  # a context that will not close means a wedged browser

    async def _give_back(self, slot: Slot) -> None:
        gen = slot.gen
        gen.in_flight -= 1
        gen.renders += 1
        if gen.renders >= self.config.recycle_every:
            gen.retired = True
        keep = (gen.usable and not slot.broken and slot.renders < self.config.slot_renders
                and not slot.page.is_closed())
        if keep:
            self._idle.append(slot)
        elif not gen.dead:
            await self._discard(slot)
        if not gen.usable and gen.in_flight == 0:
            self._idle = [s for s in self._idle if s.gen is not gen]
            assert self._lock is not None
            async with self._lock:
                if self._gen is gen:
                    self._gen = None
            await gen.close()

    def browser_pids(self) -> list[int]:
        """PIDs of the current browser's process tree (for soak tests and doctor)."""
        gen = self._gen
        return [] if gen is None or gen.cgroup is None else gen.cgroup.pids()

    # ------------------------------------------------------------------ rendering
    async def render(
        self, spec: PageSpec, width: int, height: int, timeout_s: float, *,
        after: AfterHook | None = None, after_timeout_s: float = 30.0,
    ) -> PageCapture:
        """Render one page. Never raises for anything the page or the browser does.

        A browser that dies under the render (or while its slot is set up) is relaunched and
        the render retried once in a fresh slot; so is a page that crashed with no memory-limit
        kill in its own memory group (killed from outside). A second failure of that kind gives
        the outcome ``"infra"``, with the reason in ``PageCapture.infra_reason``.

        Args:
            spec: The page.
            width: Viewport width.
            height: Viewport height.
            timeout_s: Bound on loading the page up to its finished frame.
            after: Optional hook run on the live page after the capture, only when the render
                finished (outcome ``"done"``), before the slot is reset; bounded by
                ``after_timeout_s``. Its return value (or its error) is kept in
                ``PageCapture.interaction``; it never raises out of here and never changes the
                capture: what the page logs, loads, navigates or opens meanwhile is reported in
                the :class:`~.slots.Interaction`, not in the render's own fields. The existing
                containment (routing, dialogs, popups, navigation) applies throughout. On a
                retry (the browser died) the hook runs again on the fresh page.
            after_timeout_s: Bound on the hook; a page left unresponsive is stopped and its slot
                recycled.

        Raises:
            RendererUnavailable: Only for a broken installation: the browser never starts, or
                no longer starts after it died (``_LAUNCH_ATTEMPTS`` attempts in a row:
                :mod:`.launch`).
        """
        assert self._sem is not None, "call start() first"
        async with self._sem:
            t0 = time.perf_counter()
            why: list[str] = []
            for attempt in range(2):
                slot: Slot | None = None
                try:
                    slot = await self._take_slot(tuple(spec.engine))
                    slot.gen.in_flight += 1
                    cap = await self._render_in(slot, spec, width, height, timeout_s,
                                                after, after_timeout_s)
                    cap.total_ms = (time.perf_counter() - t0) * 1000
                    return cap
                except BrowserDied as e:
                    if slot is not None:
                        slot.gen.dead = slot.broken = True
                    why.append(f"the browser died ({first_line(e)})")
                except PageLost as e:
                    why.append(str(e))
                except RendererUnavailable:
                    raise
                except Exception as e:  # a bug of ours must not take a batch down: log, say so
                    log.exception("codepaint: unexpected error in a browser render")
                    if slot is not None:
                        slot.broken = True
                    why.append(f"internal error {type(e).__name__}: {first_line(e)}")
                finally:
                    if slot is not None:
                        with contextlib.suppress(Exception):
                            await self._give_back(slot)
                if self._launcher.pw is None:
                    why.append("the renderer was closed")
                    break
                if attempt == 0:
                    self.retries += 1
            cap = PageCapture(outcome="infra", infra_reason="; then ".join(why))
            cap.total_ms = (time.perf_counter() - t0) * 1000
            return cap

    async def _render_in(
        self, slot: Slot, spec: PageSpec, width: int, height: int, timeout_s: float,
        after: AfterHook | None = None, after_timeout_s: float = 30.0,
    ) -> PageCapture:
        from playwright.async_api import Error as PlaywrightError

        job = Job(spec, render_url(next(self._ids)))
        slot.job = job
        slot.renders += 1
        cap, page = job.cap, slot.page
        job.oom0 = slot.oom_kills() or 0
        job.cpu0 = slot.page_cpu()
        # waits on while the machine holds the page back (the browser's GPU process included); measured
        # from job.cpu0, which containment resets when the page turns out to run in another process
        deadline = Deadline(timeout_s, lambda: _since(slot.page_cpu(), job.cpu0), baseline=CpuTimes(),
                            waits_on_others=True, pressure0=job.pressure0)
        try:
            try:
                await slot.gen.run(open_render(slot, job, width, height, timeout_s, self._slot_scripts),
                                   timeout_s + SETUP_TIMEOUT_S)
            except (PlaywrightError, asyncio.TimeoutError) as e:
                # Nothing of the program has run before the commit: a page that cannot even
                # load our document is the browser's failure, not the program's.
                if slot.gen.dead or not slot.gen.browser.is_connected():
                    raise BrowserDied(str(e)) from e
                slot.broken = True
                raise PageLost(f"the page did not load its document ({first_line(e)})") from e
            done = asyncio.ensure_future(page.evaluate("window.__codepaint.done()"))
            done.add_done_callback(lambda f: f.cancelled() or f.exception())
            finished: set[asyncio.Future] = set()
            while not finished and (left := deadline.left()) > 0:
                finished, _ = await asyncio.wait({done, job.ended, slot.gen.died}, timeout=max(0.05, left),
                                                 return_when=asyncio.FIRST_COMPLETED)
            if slot.gen.died.done():
                raise BrowserDied("the browser died during the render")
            if job.ended in finished:
                cap.outcome = job.ended.result()
            elif done in finished and done.exception() is None:
                cap.outcome = "done"
                cap.info = done.result() or {}
            elif done in finished:
                # the evaluate failed: the page crashed, navigated or the browser went away
                await asyncio.sleep(0)
                if slot.gen.dead or not slot.gen.browser.is_connected():
                    raise BrowserDied(str(done.exception()))
                cap.outcome = job.ended.result() if job.ended.done() else "crash"
            else:
                timed_out(slot, cap, deadline)
                await terminate(slot)
            if not done.done():
                done.cancel()
            if cap.outcome in ("done", "navigation") and not page.is_closed():
                await screenshot(slot, cap, width, height)
            if cap.outcome == "navigation" and not cap.info:
                with contextlib.suppress(PlaywrightError, asyncio.TimeoutError):
                    cap.info = await asyncio.wait_for(page.evaluate(
                        "window.__codepaint && window.__codepaint.collect"
                        " ? window.__codepaint.collect() : {}"), 1.0)
            if after is not None and cap.outcome == "done" and not page.is_closed():
                await interact(slot, cap, after, after_timeout_s)
        except (PlaywrightError, asyncio.TimeoutError) as e:
            # asyncio.TimeoutError: a CDP call (capture, terminate) outlived its bound; Playwright's
            # TimeoutError (navigation) is a PlaywrightError. Either way the page is not trusted.
            if slot.gen.dead or not slot.gen.browser.is_connected():
                raise BrowserDied(str(e)) from e
            slot.broken = True
            if job.ended.done():
                cap.outcome = job.ended.result()
            elif isinstance(e, asyncio.TimeoutError) or "Timeout" in type(e).__name__:
                cap.console.append("codepaint: the page did not answer in time")
                timed_out(slot, cap, deadline)
            else:
                cap.console.append(f"codepaint: page error during render: {e}"[:500])
                cap.outcome = "crash"
        if slot.gen.dead:
            raise BrowserDied("browser disconnected during render")
        oom = slot.oom_kills()
        if cap.outcome == "crash" and oom is not None and oom > job.oom0:
            cap.crash_reason = (f"the program used more than its page's {self.config.memory_limit_mb} MB "
                                "of memory (the kernel stopped it)")
        if cap.outcome == "crash" and oom is not None and oom == job.oom0:
            # The renderer died with no memory-limit kill in its own group: not the program's
            # allocation (that is what the page's limit stops), so something outside killed it
            # (another page's memory death never counts here: each page has its own group).
            slot.broken = True
            await reset(slot, cap.outcome, self.config.close_timeout_s)
            raise PageLost("the page's renderer process was killed with no memory-limit kill "
                           "(from outside the browser)")
        await reset(slot, cap.outcome, self.config.close_timeout_s)
        return cap


def _since(now: CpuTimes | None, start: CpuTimes | None) -> CpuTimes | None:
    """What the page's renderer got since ``start`` (``None`` while either reading is unknown)."""
    return None if now is None or start is None else now - start
