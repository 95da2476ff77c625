"""`BrowserPool`: one long-lived, contained Chromium that renders many programs at once.

Isolation model (measured: see ``benchmarks/render_bench.py`` and the README):

* **Between concurrent renders: a browser context each.** The pool has ``max_pages`` *slots*;
  a slot is one browser context (own cookies, storage, cache and renderer process) with one page,
  and runs one render at a time. A busy loop, a crash or an out-of-memory kill in one slot cannot
  touch another.
* **Between successive renders in a slot: a fresh origin and a fresh document.** Each render is a
  navigation to ``http://r<N>.codepaint.invalid/``, a new origin: a new JS realm, and
  ``localStorage``, ``sessionStorage``, IndexedDB, Cache Storage all partitioned away from every
  other render. Cookies are cleared and the page's history reset after every render, and a
  per-render init script (seed, limits) is installed for that one navigation. What survives is
  only what the browser keeps per site: the HTTP and V8 code caches of our own pinned JS, which is
  exactly what makes this fast (p5.js stays compiled instead of being parsed from scratch in a new
  process each time: 3-4x the throughput of a fresh context per render here).
* **Slots are recycled**: after a timeout, a crash, or ``slot_renders`` renders, the slot's
  context is closed and a new one made; the whole browser is relaunched every ``recycle_every``
  renders, and immediately when it dies (the in-flight renders are retried once).

Containment (promises of RELIABILITY.md): request routing serves the private site from memory and
aborts everything else (the OS-level network namespace is the real block, see ``chromium.py``);
WebSockets are refused; service workers blocked; dialogs dismissed; popups closed; navigation
away blocked and reported; busy scripts stopped with V8's ``terminateExecution``.

This module is asyncio code; :class:`~codepaint_env.render.renderer.Renderer` runs it on a
background event loop and gives callers a plain synchronous API.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import io
import itertools
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from PIL import Image

from codepaint_env.core.errors import RendererUnavailable
from codepaint_env.render.browser.assets import JSAssets
from codepaint_env.render.browser.chromium import (
    BrowserBinary,
    BrowserCgroup,
    PageCgroup,
    cgroup_v1_available,
    netns_command,
    remove_stale_cgroups,
    swiftshader_icd,
    write_launcher,
)
from codepaint_env.render.browser.pages import PageSpec, is_ours, render_url, shared_asset
from codepaint_env.render.browser.webgl import GPU_BACKENDS, SOFTWARE_ARGS, WEBGL_PROBE, is_software_webgl
from codepaint_env.render.load import CpuStall, CpuTimes, cpu_times, starved

log = logging.getLogger("codepaint.render")

#: Chromium switches on top of Playwright's defaults: quiet start-up, and WebRTC kept off UDP.
#: WebGL's path is added per ``gpu`` mode (SOFTWARE_ARGS / GPU_BACKENDS below): ANGLE on Vulkan,
#: on SwiftShader's Vulkan driver or the GPU's. Forcing ``--use-angle=swiftshader`` (ANGLE's old
#: GL backend) measured ~30x slower here, and no rasterisation switch measured faster
#: (benchmarks/render_bench.py). A slot's successive renders stay in one
#: renderer process without any switch: they are same-site navigations in one tab.
CHROMIUM_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--mute-audio",
    "--hide-scrollbars",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
)

#: Chromium's own WebGL driver chatter, not the program's output.
_NOISE_PREFIXES = ("[.WebGL-", "GL Driver Message", "WebGL: too many errors")
T = TypeVar("T")
_MAX_CONSOLE = 60
_MAX_BLOCKED = 20
_WARM_UP_PAGE = b'<!doctype html><meta charset="utf-8"><script src="/w.js"></script>'
#: Bound on making a slot (context, page, routing, warm-up), and on a page opening a render.
_SETUP_TIMEOUT_S = 30.0
#: Launch attempts in a row before the installation is declared broken.
_LAUNCH_ATTEMPTS = 3


class BrowserDied(Exception):
    """The browser went away during a render (infrastructure, not the program)."""


class _PageLost(Exception):
    """The render's page crashed with no sign that the program did it (no memory-limit kill)."""


@dataclass
class PoolConfig:
    """How the pool runs Chromium."""

    browser: BrowserBinary
    max_pages: int = 2
    recycle_every: int = 1000
    slot_renders: int = 100
    memory_limit_mb: int | None = 4096  # per page, when cgroups are available (see _launch_once)
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


class _Job:
    """The render a slot is running: what its page may load, and where its events go."""

    def __init__(self, spec: PageSpec, url: str) -> None:
        self.spec = spec
        self.url = url
        self.cap = PageCapture(outcome="timeout")
        self.script: dict | None = None  # the CDP identifier of this render's init script
        self.cpu0: CpuTimes | None = None  # the page's processes when the render started
        self.unserved = set(spec.files)  # the render's own files (the program) not yet served
        self.stall0 = CpuStall.now()  # the machine's CPU pressure when the render started
        self.oom0 = 0  # the page's memory-limit kills when the render started (_Slot.oom_kills)
        self.ended: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def end(self, outcome: str) -> None:
        if not self.ended.done():
            self.ended.set_result(outcome)


class _Generation:
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
        return not (self.dead or self.retired)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.browser.close(), 10)
        if self.cgroup is not None:
            self.cgroup.remove()
        with contextlib.suppress(OSError):
            os.unlink(self.launcher)


class _Slot:
    """A browser context with one page that runs one render at a time."""

    def __init__(self, gen: _Generation, ctx: Any, page: Any, cdp: Any) -> None:
        self.gen, self.ctx, self.page, self.cdp = gen, ctx, page, cdp
        self.job: _Job | None = None
        self.renders = 0
        self.broken = False
        self.viewport: tuple[int, int] | None = None
        self.frozen = False
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


class BrowserPool:
    """A contained Chromium rendering up to ``max_pages`` programs at a time."""

    def __init__(self, config: PoolConfig, assets: JSAssets) -> None:
        self.config = config
        self.assets = assets
        self._pw: Any = None
        self._gen: _Generation | None = None
        self._lock: asyncio.Lock | None = None
        self._sem: asyncio.Semaphore | None = None
        self._idle: list[_Slot] = []
        self._ids = itertools.count(1)
        self.netns: tuple[str, ...] | None = None
        self.memory_capped = False
        self.launches = 0
        self.retries = 0
        self.slots_made = 0
        #: The hardware WebGL path in use (a GPU_BACKENDS key), or None for Chromium's software one.
        self.gpu_backend: str | None = None
        self._gpu_args: tuple[str, ...] | None = None if self.config.gpu != "off" else SOFTWARE_ARGS

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Start Playwright (the browser itself starts on the first render)."""
        if self._pw is not None:
            return
        from playwright.async_api import async_playwright

        self._lock = asyncio.Lock()
        self._sem = asyncio.Semaphore(self.config.max_pages)
        self.netns = netns_command() if self.config.use_netns else None
        remove_stale_cgroups()
        self._pw = await async_playwright().start()
        if self._gpu_args is None:  # gpu="auto"/"on": choose the WebGL path now, before any render
            async with self._lock:
                self._gen = await self._launch()

    async def close(self) -> None:
        """Close the browser and Playwright; no process is left behind."""
        self._idle.clear()
        if self._gen is not None:
            await self._gen.close()
            self._gen = None
        if self._pw is not None:
            pw, self._pw = self._pw, None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pw.stop(), 10)

    async def _launch(self) -> _Generation:
        """Start a browser: a few attempts (a launch killed from outside is not a broken install).

        Raises:
            BrowserDied: The pool was closed meanwhile (the render is ``infra``).
            RendererUnavailable: The browser did not start ``_LAUNCH_ATTEMPTS`` times in a row.
        """
        if self._gpu_args is None:
            hardware = await self._launch_on_gpu()
            if hardware is not None:
                return hardware
        attempts = _LAUNCH_ATTEMPTS
        for attempt in range(attempts):
            if self._pw is None:
                raise BrowserDied("the renderer was closed")
            try:
                return await self._launch_once()
            except RendererUnavailable:
                if attempt == attempts - 1:
                    raise
                log.warning("codepaint: relaunching the browser failed (attempt %d of %d)",
                            attempt + 1, attempts)
                await asyncio.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")

    async def _launch_on_gpu(self) -> _Generation | None:
        """Try each hardware WebGL path; keep the first whose probe page is not on software.

        Decided once per pool (relaunches reuse the choice). Returns None when no path works
        and ``gpu="auto"`` (the caller launches on software).

        Raises:
            RendererUnavailable: ``gpu="on"`` and no hardware path works here.
        """
        seen: list[str] = []
        for name, flags in GPU_BACKENDS.items():
            try:
                gen = await self._launch_once(flags)
            except RendererUnavailable as e:
                seen.append(f"{name}: Chromium did not start ({_first_line(e)})")
                continue
            renderer = await self._probe_webgl(gen)
            if not is_software_webgl(renderer):
                self.gpu_backend, self._gpu_args = name, flags
                log.info("codepaint: WebGL on the GPU through ANGLE %s: %s", name, renderer)
                return gen
            seen.append(f"{name}: {renderer or 'no WebGL'}")
            await gen.close()
        self._gpu_args = SOFTWARE_ARGS
        why = "; ".join(seen)
        if self.config.gpu == "on":
            raise RendererUnavailable(
                f"Renderer(gpu='on'): no hardware WebGL path works here ({why}). Fix: on a GPU machine "
                "install the GPU's Vulkan driver (libvulkan1 and the vendor's ICD, e.g. NVIDIA's "
                "nvidia_icd.json) or its EGL (libegl1 + the vendor's EGL), check with `codepaint "
                "doctor --gpu on`; or use gpu='auto' to fall back to SwiftShader.")
        log.info("codepaint: no hardware WebGL path (%s); WebGL runs on SwiftShader", why)
        return None

    async def _probe_webgl(self, gen: _Generation) -> str | None:
        """The WebGL renderer string a fresh page in this browser reports (None: no WebGL)."""
        ctx = None
        try:
            ctx = await gen.run(gen.browser.new_context(), _SETUP_TIMEOUT_S)
            page = await gen.run(ctx.new_page(), _SETUP_TIMEOUT_S)
            return await gen.run(page.evaluate(WEBGL_PROBE), _SETUP_TIMEOUT_S)
        except Exception as e:
            return f"probe failed: {_first_line(e)}"
        finally:
            if ctx is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(ctx.close(), 10)

    async def webgl_renderer(self) -> str | None:
        """The WebGL renderer string of the browser in use (starts it)."""
        return await self._probe_webgl(await self._current_generation())

    async def _launch_once(self, gpu_args: tuple[str, ...] | None = None) -> _Generation:
        cfg = self.config
        cgroup = None
        if cfg.memory_limit_mb and cgroup_v1_available():
            # A name no other browser of this process has (every pool, every launch): two
            # renderers sharing a group would kill each other's browser when one closes.
            # Each page's renderer gets ``memory_limit_mb`` in a group of its own (_set_up_slot);
            # the browser's whole tree, every page plus the browser and GPU processes, is capped
            # at ``max_pages`` pages plus _BROWSER_OVERHEAD_MB.
            cgroup = BrowserCgroup(
                f"codepaint-{os.getpid()}-{next(_CGROUP_SEQ)}",
                (cfg.memory_limit_mb * cfg.max_pages + _BROWSER_OVERHEAD_MB) * 1024 * 1024,
                cfg.max_pids,
            )
            try:
                cgroup.create()
            except OSError:
                cgroup = None
        self.memory_capped = cgroup is not None
        gpu = gpu_args if gpu_args is not None else (self._gpu_args or ())
        software = gpu == SOFTWARE_ARGS
        launcher = write_launcher(cfg.browser.path, netns=self.netns, cgroup=cgroup,
                                  vulkan_driver=swiftshader_icd(cfg.browser.path) if software else None)
        try:
            browser = await self._pw.chromium.launch(
                executable_path=launcher,
                headless=cfg.headless,
                args=[*CHROMIUM_ARGS, *cfg.extra_args, *gpu],
                timeout=60_000,
            )
        except Exception as e:
            if cgroup is not None:
                cgroup.remove()
            with contextlib.suppress(OSError):
                os.unlink(launcher)
            raise RendererUnavailable(
                f"Chromium failed to start ({cfg.browser.path}): {e}\n"
                "Run `codepaint doctor` to check the browser and the sandbox."
            ) from e
        self.launches += 1
        return _Generation(browser, launcher, cgroup)

    async def _current_generation(self) -> _Generation:
        assert self._lock is not None
        async with self._lock:
            gen = self._gen
            if gen is None or not gen.usable:
                if gen is not None and gen.in_flight == 0:
                    await gen.close()
                self._gen = gen = await self._launch()
            return gen

    async def _take_slot(self) -> _Slot:
        while self._idle:
            slot = self._idle.pop()
            if slot.gen.usable and not slot.broken and not slot.page.is_closed():
                return slot
            await self._discard(slot)
        gen = await self._current_generation()
        return await self._new_slot(gen)

    async def _new_slot(self, gen: _Generation) -> _Slot:
        from playwright.async_api import Error as PlaywrightError

        made: list[Any] = []  # the context, then the slot: closed again if set-up fails
        try:
            slot = await gen.run(self._set_up_slot(gen, made), _SETUP_TIMEOUT_S)
        except (PlaywrightError, asyncio.TimeoutError, _PageLost) as e:
            for thing in made:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(thing.close(self.config.close_timeout_s)
                                           if isinstance(thing, _Slot) else thing.close(),
                                           self.config.close_timeout_s + 1)
            if gen.dead or not gen.browser.is_connected():
                raise BrowserDied(str(e)) from e
            if isinstance(e, asyncio.TimeoutError):
                # (Playwright's new_page never returns on a browser killed at the wrong moment.)
                gen.retired = True
                raise BrowserDied(f"the browser did not set up a page in {_SETUP_TIMEOUT_S:g} s") from e
            raise _PageLost(f"could not set up a browser context ({_first_line(e)})") from e
        self.slots_made += 1
        ctx, page = slot.ctx, slot.page
        ctx.on("page", lambda p: self._on_popup(slot, p))
        page.on("console", lambda m: self._on_console(slot, m))
        page.on("dialog", lambda d: self._on_dialog(slot, d))
        page.on("crash", lambda _p: self._on_crash(slot))
        page.on("framenavigated", lambda f: self._on_navigated(slot, f))
        return slot

    async def _set_up_slot(self, gen: _Generation, made: list[Any]) -> _Slot:
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
        slot = _Slot(gen, ctx, page, cdp)
        # Request ids name the renderer process: its run-queue wait tells overload from a
        # slow program. No bodies are buffered for this session.
        cdp.on("Network.requestWillBeSent", lambda e: self._on_request_sent(slot, e))
        await cdp.send("Network.enable", {"maxTotalBufferSize": 0, "maxResourceBufferSize": 0})
        # Routing is set up before the slot is used: a browser dying here is a BrowserDied
        # like any other, retried by render().
        await ctx.route("**/*", lambda route: self._route(slot, route))
        with contextlib.suppress(AttributeError):  # Playwright < 1.48 has no WebSocket routing
            await ctx.route_web_socket("**", lambda ws: self._refuse_websocket(slot, ws))
        if gen.cgroup is not None and self.config.memory_limit_mb:
            # (the slot is closed, and with it its group, if set-up fails from here on)
            slot.cgroup = gen.cgroup.page(f"page-{next(self._ids)}")
            made.append(slot)
            try:
                slot.cgroup.create(self.config.memory_limit_mb * 1024 * 1024)
            except OSError as e:
                raise _PageLost(f"could not create the page's memory group ({e})") from e
        await self._warm_up(slot)
        if slot.cgroup is not None and slot.renderer_pid is None:
            raise _PageLost("the page's renderer process could not be identified (no request from it)")
        return slot

    async def _warm_up(self, slot: _Slot) -> None:
        """Load one empty document of the render site, so the slot's renderer process is known.

        The renderer process a page runs in is chosen at its first navigation to our site and
        kept for every later render of the slot (same site); its script request names it.
        """
        warm = _Job(PageSpec(files={"/": (_WARM_UP_PAGE, "text/html; charset=utf-8"),
                                    "/w.js": (b"", "text/javascript")}),
                    render_url(next(self._ids)))
        slot.job = warm
        try:
            await slot.page.goto(warm.url, wait_until="load", timeout=30_000)
            await slot.cdp.send("Page.resetNavigationHistory")  # the first render sees none of it
        finally:
            slot.job = None

    async def _discard(self, slot: _Slot) -> None:
        if not await slot.close(self.config.close_timeout_s):
            slot.gen.retired = True  # a context that will not close means a wedged browser

    async def _give_back(self, slot: _Slot) -> None:
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
                the :class:`Interaction`, not in the render's own fields. The existing
                containment (routing, dialogs, popups, navigation) applies throughout. On a
                retry (the browser died) the hook runs again on the fresh page.
            after_timeout_s: Bound on the hook; a page left unresponsive is stopped and its slot
                recycled.

        Raises:
            RendererUnavailable: Only for a broken installation: the browser never starts, or
                no longer starts after it died (``_LAUNCH_ATTEMPTS`` attempts in a row).
        """
        assert self._sem is not None, "call start() first"
        async with self._sem:
            t0 = time.perf_counter()
            why: list[str] = []
            for attempt in range(2):
                slot: _Slot | None = None
                try:
                    slot = await self._take_slot()
                    slot.gen.in_flight += 1
                    cap = await self._render_in(slot, spec, width, height, timeout_s,
                                                after, after_timeout_s)
                    cap.total_ms = (time.perf_counter() - t0) * 1000
                    return cap
                except BrowserDied as e:
                    if slot is not None:
                        slot.gen.dead = slot.broken = True
                    why.append(f"the browser died ({_first_line(e)})")
                except _PageLost as e:
                    why.append(str(e))
                except RendererUnavailable:
                    raise
                except Exception as e:  # a bug of ours must not take a batch down: log, say so
                    log.exception("codepaint: unexpected error in a browser render")
                    if slot is not None:
                        slot.broken = True
                    why.append(f"internal error {type(e).__name__}: {_first_line(e)}")
                finally:
                    if slot is not None:
                        with contextlib.suppress(Exception):
                            await self._give_back(slot)
                if self._pw is None:
                    why.append("the renderer was closed")
                    break
                if attempt == 0:
                    self.retries += 1
            cap = PageCapture(outcome="infra", infra_reason="; then ".join(why))
            cap.total_ms = (time.perf_counter() - t0) * 1000
            return cap

    async def _render_in(
        self, slot: _Slot, spec: PageSpec, width: int, height: int, timeout_s: float,
        after: AfterHook | None = None, after_timeout_s: float = 30.0,
    ) -> PageCapture:
        from playwright.async_api import Error as PlaywrightError

        job = _Job(spec, render_url(next(self._ids)))
        slot.job = job
        slot.renders += 1
        cap, page = job.cap, slot.page
        job.oom0 = slot.oom_kills() or 0
        job.cpu0 = self._page_cpu(slot)
        try:
            t0 = time.perf_counter()
            try:
                await slot.gen.run(self._open(slot, job, width, height, timeout_s),
                                   timeout_s + _SETUP_TIMEOUT_S)
            except (PlaywrightError, asyncio.TimeoutError) as e:
                # Nothing of the program has run before the commit: a page that cannot even
                # load our document is the browser's failure, not the program's.
                if slot.gen.dead or not slot.gen.browser.is_connected():
                    raise BrowserDied(str(e)) from e
                slot.broken = True
                raise _PageLost(f"the page did not load its document ({_first_line(e)})") from e
            done = asyncio.ensure_future(page.evaluate("window.__codepaint.done()"))
            done.add_done_callback(lambda f: f.cancelled() or f.exception())
            remaining = max(0.05, timeout_s - (time.perf_counter() - t0))
            finished, _ = await asyncio.wait({done, job.ended, slot.gen.died}, timeout=remaining,
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
                self._timed_out(slot, cap, timeout_s)
                await self._terminate(slot)
            if not done.done():
                done.cancel()
            if cap.outcome in ("done", "navigation") and not page.is_closed():
                await self._capture(slot, cap, width, height)
            if cap.outcome == "navigation" and not cap.info:
                with contextlib.suppress(PlaywrightError, asyncio.TimeoutError):
                    cap.info = await asyncio.wait_for(page.evaluate(
                        "window.__codepaint && window.__codepaint.collect"
                        " ? window.__codepaint.collect() : {}"), 1.0)
            if after is not None and cap.outcome == "done" and not page.is_closed():
                await self._interact(slot, cap, after, after_timeout_s)
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
                self._timed_out(slot, cap, timeout_s)
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
            await self._reset(slot, cap.outcome)
            raise _PageLost("the page's renderer process was killed with no memory-limit kill "
                            "(from outside the browser)")
        await self._reset(slot, cap.outcome)
        return cap

    async def _open(self, slot: _Slot, job: _Job, width: int, height: int, timeout_s: float) -> None:
        """Wake the slot's page, size it, install the render's init script, navigate to it."""
        page, cdp = slot.page, slot.cdp
        if slot.frozen:
            await cdp.send("Page.setWebLifecycleState", {"state": "active"})
            slot.frozen = False
        if slot.viewport != (width, height):
            await page.set_viewport_size({"width": width, "height": height})
            slot.viewport = (width, height)
        # The render's own init script (seed, limits), for every frame of this one document;
        # taken away again by _reset before the page moves on.
        job.script = await cdp.send("Page.addScriptToEvaluateOnNewDocument",
                                    {"source": job.spec.init_script()})
        await page.goto(job.url, wait_until="commit", timeout=timeout_s * 1000)

    def _page_cpu(self, slot: _Slot) -> CpuTimes | None:
        """CPU run and run-queue wait of the page's renderer process (the program's), once known.

        Not the GPU process, where SwiftShader does WebGL work: it spins while a starved renderer
        keeps it waiting, which would read as the program running. A sketch blocked on a starved
        GPU process neither runs nor waits itself: the machine's CPU pressure decides (load.py).
        """
        if slot.renderer_pid is None:
            return None
        return cpu_times([slot.renderer_pid], tree=False)

    def _timed_out(self, slot: _Slot, cap: PageCapture, timeout_s: float) -> None:
        """``timeout`` (the program's) or ``infra`` (the machine did not let it run); see load.py."""
        job = slot.job
        cap.outcome = "timeout"
        if job is None:
            return
        if job.unserved:
            cap.outcome = "infra"
            cap.infra_reason = (f"the page had not even loaded the program after {timeout_s:g} s "
                                "(the machine is overloaded)")
            return
        now = self._page_cpu(slot)
        if now is None or job.cpu0 is None:
            return
        cap.cpu = now - job.cpu0
        stall = CpuStall.now().share_since(job.stall0)
        if starved(cap.cpu, timeout_s, stall):
            cap.outcome = "infra"
            cap.infra_reason = (f"the machine was overloaded: by the {timeout_s:g} s timeout the "
                                f"program's processes {cap.cpu.describe()}"
                                + (f", the machine was stalled for CPU {stall:.0%} of the time"
                                   if stall is not None else ""))

    async def _interact(self, slot: _Slot, cap: PageCapture, after: AfterHook, timeout_s: float) -> None:
        """Run an ``after`` hook on the rendered page; its errors and side effects stay in its report."""
        marks = (len(cap.console), len(cap.blocked), len(cap.navigations), cap.dialogs, cap.popups,
                 cap.dropped_messages)
        inter = Interaction()
        t = time.perf_counter()
        try:
            inter.result = await asyncio.wait_for(after(slot.page, slot.cdp, cap), timeout_s)
        except asyncio.TimeoutError:
            inter.error = f"the interaction took longer than {timeout_s:g} s"
        except Exception as e:
            inter.error = f"{type(e).__name__}: {e}"[:500]
        inter.ms = (time.perf_counter() - t) * 1000
        # the render's own report stays what it was at the capture
        inter.console, cap.console[marks[0]:] = cap.console[marks[0]:], []
        inter.blocked, cap.blocked[marks[1]:] = cap.blocked[marks[1]:], []
        inter.navigations, cap.navigations[marks[2]:] = cap.navigations[marks[2]:], []
        inter.dialogs, inter.popups = cap.dialogs - marks[3], cap.popups - marks[4]
        cap.dialogs, cap.popups, cap.dropped_messages = marks[3], marks[4], marks[5]
        cap.interaction = inter
        if slot.gen.dead or slot.page.is_closed():
            return
        try:  # a page the hook left busy (a handler spinning) is stopped and never reused
            await asyncio.wait_for(slot.page.evaluate("0"), 2.0)
        except Exception:
            await self._terminate(slot)
            slot.broken = True

    async def _reset(self, slot: _Slot, outcome: str) -> None:
        """Leave the slot clean for the next render, or mark it for recycling."""
        job, slot.job = slot.job, None
        if outcome in ("timeout", "crash") or slot.page.is_closed():
            slot.broken = True  # a terminated or crashed page: never trust it again
            return
        try:
            async def clean() -> None:
                if job is not None and job.script:
                    await slot.cdp.send("Page.removeScriptToEvaluateOnNewDocument", job.script)
                # freeze the page: the program's timers, animation frames and tasks stop until
                # the next render navigates it away
                await asyncio.gather(slot.ctx.clear_cookies(),
                                     slot.cdp.send("Page.resetNavigationHistory"),
                                     slot.cdp.send("Page.setWebLifecycleState",
                                                   {"state": "frozen"}))
                slot.frozen = True

            await asyncio.wait_for(clean(), self.config.close_timeout_s)
        except Exception:
            slot.broken = True

    # ------------------------------------------------------------------ page events
    async def _route(self, slot: _Slot, route: Any) -> None:
        req = route.request
        url = req.url
        job = slot.job
        with contextlib.suppress(Exception):
            if job is None:  # between renders (the page is frozen): nothing may load
                await route.abort("blockedbyclient")
                return
            cap = job.cap
            if req.is_navigation_request() and _frameless(req):
                # The first navigation of a new window (a target=_blank link): aborted here, so
                # the window opens on an error page and is counted and closed as a popup. (Left
                # unanswered, the request would stall and the window never be reported.)
                await route.abort("blockedbyclient")
                return
            if req.is_navigation_request() and _is_main(req.frame) and url != job.url:
                cap.navigations.append(url[:300])
                job.end("navigation")
                await route.abort("blockedbyclient")
                return
            asset = shared_asset(url, self.assets)
            if asset is not None:
                await route.fulfill(status=200, body=_asset_bytes(asset),
                                    content_type="text/javascript; charset=utf-8",
                                    headers={"access-control-allow-origin": "*",
                                             "cache-control": "public, max-age=31536000, immutable"})
                return
            if url.startswith(job.url):
                path = urlsplit(url).path
                hit = job.spec.files.get(path)
                if hit is not None:
                    job.unserved.discard(path)
                    await route.fulfill(status=200, body=hit[0], content_type=hit[1])
                else:
                    await route.fulfill(status=404, body=b"not found", content_type="text/plain")
                return
            if not is_ours(url) and len(cap.blocked) < _MAX_BLOCKED:
                cap.blocked.append(url[:300])
            await route.abort("blockedbyclient")

    async def _refuse_websocket(self, slot: _Slot, ws: Any) -> None:
        if slot.job is not None and len(slot.job.cap.blocked) < _MAX_BLOCKED:
            slot.job.cap.blocked.append(ws.url[:300])
        with contextlib.suppress(Exception):
            await ws.close(code=1008, reason="blocked by codepaint")

    def _on_request_sent(self, slot: _Slot, event: dict) -> None:
        # Renderer-initiated requests have ids "<renderer pid>.<n>"; navigations have others.
        head, dot, _ = str(event.get("requestId", "")).partition(".")
        if not dot or not head.isdigit() or int(head) == slot.renderer_pid:
            return
        pid = int(head)
        cgroup = slot.gen.cgroup
        if cgroup is not None and pid not in cgroup.pids():
            return  # not a process of this browser: never measure a stranger
        slot.adopt_renderer(pid)  # (a page that moved process: its memory group follows it)
        if slot.job is not None:  # the render's start snapshot, for the process it really runs in
            slot.job.cpu0 = self._page_cpu(slot)

    def _on_console(self, slot: _Slot, msg: Any) -> None:
        job = slot.job
        if job is None:
            return
        text = msg.text
        if text.startswith(_NOISE_PREFIXES):
            return
        if len(job.cap.console) < _MAX_CONSOLE:
            job.cap.console.append(f"console.{msg.type}: {text}"[:500])
        else:
            job.cap.dropped_messages += 1

    def _on_dialog(self, slot: _Slot, dialog: Any) -> None:
        if slot.job is not None:
            slot.job.cap.dialogs += 1
        _spawn(dialog.dismiss())

    def _on_popup(self, slot: _Slot, popup: Any) -> None:
        if popup is slot.page:
            return
        if slot.job is not None:
            slot.job.cap.popups += 1
        _spawn(popup.close())

    def _on_crash(self, slot: _Slot) -> None:
        slot.broken = True
        if slot.job is not None:
            slot.job.end("crash")

    def _on_navigated(self, slot: _Slot, frame: Any) -> None:
        job = slot.job
        if job is None or frame != slot.page.main_frame:
            return
        if not frame.url.startswith(job.url):  # same-origin changes are pushState or routed
            job.cap.navigations.append(frame.url[:300])
            job.end("navigation")

    # ------------------------------------------------------------------ helpers
    async def _terminate(self, slot: _Slot) -> None:
        """Stop a busy script: V8's terminateExecution works even while JS is spinning."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(slot.cdp.send("Runtime.terminateExecution"), 2)

    async def _capture(self, slot: _Slot, cap: PageCapture, width: int, height: int) -> None:
        """Screenshot the viewport through CDP (Playwright's page.screenshot waits for far more)."""
        t = time.perf_counter()
        shot = await asyncio.wait_for(
            slot.cdp.send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                    "optimizeForSpeed": True,
                },
            ),
            30,
        )
        png = base64.b64decode(shot["data"])
        with Image.open(io.BytesIO(png)) as im:
            image = im.convert("RGB")
        if image.size != (width, height):
            image = image.resize((width, height))
            buf = io.BytesIO()
            image.save(buf, "PNG")
            png = buf.getvalue()
        cap.image, cap.png = image, png
        cap.capture_ms = (time.perf_counter() - t) * 1000


@functools.lru_cache(maxsize=16)
def _asset_bytes(path: str) -> bytes:
    """A pinned JS file's bytes, read once per process (they are served to every p5 render)."""
    return Path(path).read_bytes()


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return (text[0] if text else type(e).__name__)[:300]


def _is_main(frame: Any) -> bool:
    try:
        return frame.parent_frame is None
    except Exception:
        return False


def _frameless(req: Any) -> bool:
    """A request whose frame does not exist yet: the navigation creating a new window."""
    try:
        req.frame  # noqa: B018 - Playwright raises for a popup's first navigation
        return False
    except Exception:
        return True


_CGROUP_SEQ = itertools.count(1)  # process-wide: see _launch_once
#: Memory for the browser's own processes (browser, GPU, utilities) on top of its pages' limits.
_BROWSER_OVERHEAD_MB = 1024
_background: set[asyncio.Future] = set()


def _spawn(coro: Any) -> None:
    """Run a fire-and-forget coroutine, swallowing its errors, keeping a reference meanwhile."""

    async def quietly() -> None:
        with contextlib.suppress(Exception):
            await coro

    task = asyncio.ensure_future(quietly())
    _background.add(task)
    task.add_done_callback(_background.discard)
