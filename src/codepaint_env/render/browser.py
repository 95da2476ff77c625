"""`BrowserPool`: one long-lived, contained Chromium that renders many programs at once.

Each render gets a fresh browser context (its own cookies, storage, cache and renderer
process), a page on a private in-memory origin, and a hard timeout. The pool survives what the
programs do to it: busy loops (the script is terminated and the context discarded), crashes
(reported as ``crash``), a killed browser (relaunched; the in-flight render is retried once),
popups, dialogs and navigation attempts (contained and reported). The browser is recycled every
``recycle_every`` renders so nothing accumulates.

This module is asyncio code; :class:`~codepaint_env.render.renderer.Renderer` runs it on a
background event loop and gives callers a plain synchronous API.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from PIL import Image

from ..errors import RendererUnavailable
from .assets import JSAssets
from .chromium import (
    BrowserBinary,
    BrowserCgroup,
    cgroup_v1_available,
    netns_command,
    remove_stale_cgroups,
    write_launcher,
)
from .pages import INDEX_URL, ORIGIN, PageSpec, vendored_asset

#: Chromium switches on top of Playwright's defaults. Each was measured (see benchmarks/):
#: none of them slows the in-page time; WebGL stays on Chromium's default backend (SwiftShader
#: through ANGLE when there is no GPU), which is ~30x faster here than forcing
#: ``--use-angle=swiftshader``.
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
    "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
)

#: Chromium's own WebGL driver chatter, not the program's output.
_NOISE_PREFIXES = ("[.WebGL-", "GL Driver Message", "WebGL: too many errors")


class BrowserDied(Exception):
    """The browser went away during a render (infrastructure, not the program)."""


@dataclass
class PoolConfig:
    """How the pool runs Chromium."""

    browser: BrowserBinary
    max_pages: int = 2
    recycle_every: int = 500
    memory_limit_mb: int | None = 4096  # per browser, when cgroups are available
    max_pids: int = 512
    use_netns: bool = True
    headless: bool = True
    extra_args: tuple[str, ...] = ()
    close_timeout_s: float = 5.0


@dataclass
class PageCapture:
    """What the page gave back; the renderer turns it into a RenderResult."""

    outcome: str  # "done", "timeout", "crash", "navigation"
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
    total_ms: float = 0.0  # from a free page slot to the capture, queueing excluded


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
        browser.on("disconnected", lambda _b: setattr(self, "dead", True))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.browser.close(), 10)
        if self.cgroup is not None:
            self.cgroup.remove()
        with contextlib.suppress(OSError):
            os.unlink(self.launcher)


class BrowserPool:
    """A contained Chromium rendering up to ``max_pages`` pages at a time."""

    def __init__(self, config: PoolConfig, assets: JSAssets) -> None:
        self.config = config
        self.assets = assets
        self._pw: Any = None
        self._gen: _Generation | None = None
        self._lock: asyncio.Lock | None = None
        self._sem: asyncio.Semaphore | None = None
        self.netns: tuple[str, ...] | None = None
        self.memory_capped = False
        self.launches = 0
        self.retries = 0
        self._launch_seq = 0

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

    async def close(self) -> None:
        """Close the browser and Playwright; no process is left behind."""
        if self._gen is not None:
            await self._gen.close()
            self._gen = None
        if self._pw is not None:
            with contextlib.suppress(Exception):
                await self._pw.stop()
            self._pw = None

    async def _launch(self) -> _Generation:
        cfg = self.config
        cgroup = None
        if cfg.memory_limit_mb and cgroup_v1_available():
            self._launch_seq += 1
            cgroup = BrowserCgroup(
                f"codepaint-{os.getpid()}-{self._launch_seq}",
                cfg.memory_limit_mb * 1024 * 1024,
                cfg.max_pids,
            )
            try:
                cgroup.create()
            except OSError:
                cgroup = None
        self.memory_capped = cgroup is not None
        launcher = write_launcher(cfg.browser.path, netns=self.netns, cgroup=cgroup)
        try:
            browser = await self._pw.chromium.launch(
                executable_path=launcher,
                headless=cfg.headless,
                args=[*CHROMIUM_ARGS, *cfg.extra_args],
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

    async def _acquire(self) -> _Generation:
        assert self._lock is not None
        async with self._lock:
            gen = self._gen
            if gen is None or gen.dead or gen.retired:
                if gen is not None and gen.in_flight == 0:
                    await gen.close()
                self._gen = gen = await self._launch()
            gen.in_flight += 1
            return gen

    async def _release(self, gen: _Generation) -> None:
        gen.in_flight -= 1
        gen.renders += 1
        if gen.renders >= self.config.recycle_every:
            gen.retired = True
        if (gen.dead or gen.retired) and gen.in_flight == 0 and gen is not self._gen:
            await gen.close()
        elif (gen.dead or gen.retired) and gen.in_flight == 0:
            assert self._lock is not None
            async with self._lock:
                if self._gen is gen:
                    self._gen = None
            await gen.close()

    def browser_pids(self) -> list[int]:
        """PIDs of the current browser's process tree (for soak tests and doctor)."""
        gen = self._gen
        if gen is None or gen.cgroup is None:
            return []
        try:
            text = (gen.cgroup.dirs[1] / "cgroup.procs").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    # ------------------------------------------------------------------ rendering
    async def render(
        self, spec: PageSpec, width: int, height: int, timeout_s: float
    ) -> PageCapture:
        """Render one page; a browser that dies under it is relaunched and the render retried once.

        Raises:
            BrowserDied: When the browser died twice on this page.
        """
        assert self._sem is not None, "call start() first"
        async with self._sem:
            t0 = time.perf_counter()
            for attempt in range(2):
                gen = await self._acquire()
                try:
                    cap = await self._render_in(gen, spec, width, height, timeout_s)
                    cap.total_ms = (time.perf_counter() - t0) * 1000
                    return cap
                except BrowserDied:
                    gen.dead = True
                    if attempt == 1:
                        raise
                    self.retries += 1
                finally:
                    await self._release(gen)
        raise AssertionError("unreachable")

    async def _render_in(
        self, gen: _Generation, spec: PageSpec, width: int, height: int, timeout_s: float
    ) -> PageCapture:
        from playwright.async_api import Error as PlaywrightError

        cap = PageCapture(outcome="timeout")
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[str] = loop.create_future()

        def end(outcome: str) -> None:
            if not ended.done():
                ended.set_result(outcome)

        try:
            ctx = await gen.browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=1,
                service_workers="block",
                timezone_id="UTC",
                locale="en-US",
                accept_downloads=False,
                color_scheme="light",
                reduced_motion="reduce",
            )
        except PlaywrightError as e:
            raise BrowserDied(str(e)) from e
        page = None
        try:
            page = await self._prepare(ctx, spec, cap, end)
            t0 = time.perf_counter()
            await page.goto(INDEX_URL, wait_until="commit", timeout=timeout_s * 1000)
            done = asyncio.ensure_future(page.evaluate("window.__codepaint.done()"))
            done.add_done_callback(lambda f: f.exception() if not f.cancelled() else None)
            remaining = max(0.05, timeout_s - (time.perf_counter() - t0))
            finished, _ = await asyncio.wait({done, ended}, timeout=remaining,
                                             return_when=asyncio.FIRST_COMPLETED)
            if ended in finished:
                cap.outcome = ended.result()
            elif done in finished and done.exception() is None:
                cap.outcome = "done"
                cap.info = done.result() or {}
            elif done in finished:
                # the evaluate failed: the page crashed, navigated or the browser went away
                await asyncio.sleep(0)
                if gen.dead or not gen.browser.is_connected():
                    raise BrowserDied(str(done.exception()))
                cap.outcome = ended.result() if ended.done() else "crash"
            else:
                cap.outcome = "timeout"
                await self._terminate(ctx, page)
            if not done.done():
                done.cancel()
            if cap.outcome in ("done", "navigation") and not page.is_closed():
                await self._capture(ctx, page, cap, width, height)
            if cap.outcome == "navigation" and not cap.info:
                with contextlib.suppress(PlaywrightError, asyncio.TimeoutError):
                    cap.info = await asyncio.wait_for(
                        page.evaluate("window.__codepaint && window.__codepaint.collect"
                                      " ? window.__codepaint.collect() : {}"), 1.0)
        except PlaywrightError as e:
            if gen.dead or not gen.browser.is_connected():
                raise BrowserDied(str(e)) from e
            if not ended.done() and cap.outcome == "timeout" and "crash" in str(e).lower():
                cap.outcome = "crash"
            elif ended.done():
                cap.outcome = ended.result()
            else:
                cap.console.append(f"codepaint: page error during render: {e}"[:500])
                cap.outcome = "crash"
        finally:
            try:
                await asyncio.wait_for(ctx.close(), self.config.close_timeout_s)
            except (PlaywrightError, asyncio.TimeoutError):
                # A context that will not close means a wedged browser: retire it.
                gen.retired = True
        if gen.dead:
            raise BrowserDied("browser disconnected during render")
        return cap

    async def _prepare(self, ctx: Any, spec: PageSpec, cap: PageCapture, end: Any) -> Any:
        """Routing, init script and event handlers for one render's context."""
        assets = self.assets
        max_msgs = 60
        state = {"main_nav": 0}

        async def route(route: Any) -> None:
            req = route.request
            url = req.url
            if req.is_navigation_request() and _is_main(req.frame):
                state["main_nav"] += 1
                if state["main_nav"] > 1:
                    cap.navigations.append(url[:300])
                    end("navigation")
                    await route.abort("blockedbyclient")
                    return
            if url.startswith(ORIGIN + "/"):
                path = urlsplit(url).path
                hit = spec.files.get(path)
                if hit is not None:
                    await route.fulfill(status=200, body=hit[0], content_type=hit[1])
                else:
                    await route.fulfill(status=404, body=b"not found", content_type="text/plain")
                return
            vendored = vendored_asset(url, assets)
            if vendored is not None:
                await route.fulfill(status=200, body=vendored[0], content_type=vendored[1],
                                    headers={"access-control-allow-origin": "*"})
                return
            if len(cap.blocked) < 20:
                cap.blocked.append(url[:300])
            await route.abort("blockedbyclient")

        await ctx.route("**/*", route)
        with contextlib.suppress(AttributeError):  # Playwright < 1.48 has no WebSocket routing
            await ctx.route_web_socket("**", _refuse_websocket(cap))
        await ctx.add_init_script(spec.init_script())

        def on_console(msg: Any) -> None:
            text = msg.text
            if text.startswith(_NOISE_PREFIXES):
                return
            if len(cap.console) < max_msgs:
                cap.console.append(f"console.{msg.type}: {text}"[:500])
            else:
                cap.dropped_messages += 1

        def on_dialog(dialog: Any) -> None:
            cap.dialogs += 1
            asyncio.ensure_future(_quietly(dialog.dismiss()))

        page = await ctx.new_page()

        def on_popup(popup: Any) -> None:
            if popup is page:
                return
            cap.popups += 1
            asyncio.ensure_future(_quietly(popup.close()))

        ctx.on("page", on_popup)
        page.on("console", on_console)
        page.on("dialog", on_dialog)
        page.on("crash", lambda _p: end("crash"))

        def on_nav(frame: Any) -> None:
            if frame == page.main_frame and not frame.url.startswith(ORIGIN + "/"):
                cap.navigations.append(frame.url[:300])
                end("navigation")

        page.on("framenavigated", on_nav)
        return page

    async def _terminate(self, ctx: Any, page: Any) -> None:
        """Stop a busy script: V8's terminateExecution works even while JS is spinning."""
        with contextlib.suppress(Exception):
            cdp = await asyncio.wait_for(ctx.new_cdp_session(page), 2)
            await asyncio.wait_for(cdp.send("Runtime.terminateExecution"), 2)

    async def _capture(
        self, ctx: Any, page: Any, cap: PageCapture, width: int, height: int
    ) -> None:
        """Screenshot the viewport through CDP (Playwright's page.screenshot waits for far more)."""
        t = time.perf_counter()
        cdp = await ctx.new_cdp_session(page)
        shot = await asyncio.wait_for(
            cdp.send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                    "optimizeForSpeed": True,
                },
            ),
            30,
        )
        import base64

        png = base64.b64decode(shot["data"])
        with Image.open(io.BytesIO(png)) as im:
            image = im.convert("RGB")
        if image.size != (width, height):
            image = image.resize((width, height))
        cap.image = image
        cap.png = png if image.size == (width, height) else None
        cap.capture_ms = (time.perf_counter() - t) * 1000


def _is_main(frame: Any) -> bool:
    try:
        return frame.parent_frame is None
    except Exception:
        return False


def _refuse_websocket(cap: PageCapture) -> Any:
    async def handler(ws: Any) -> None:
        if len(cap.blocked) < 20:
            cap.blocked.append(ws.url[:300])
        with contextlib.suppress(Exception):
            await ws.close(code=1008, reason="blocked by codepaint")

    return handler


async def _quietly(coro: Any) -> None:
    with contextlib.suppress(Exception):
        await coro
