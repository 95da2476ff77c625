"""Launching the pool's Chromium: its switches, its WebGL path, its cgroup, a few attempts.

:class:`BrowserLauncher` starts Playwright and, on demand, a browser (a
:class:`~.slots.Generation`):

* **Switches**: :data:`CHROMIUM_ARGS` on top of Playwright's defaults, then the WebGL path's.
* **WebGL path**: with ``gpu="auto"``/``"on"``, each hardware path (``GPU_BACKENDS``) is tried
  once per pool and the first whose probe page is not on software kept; relaunches reuse the
  choice. Otherwise (and when none works under ``"auto"``) SwiftShader (``SOFTWARE_ARGS``).
* **Containment**: the launcher script (``chromium.py``) puts the browser in its own network
  namespace and, where cgroups are available, in a cgroup of its own, named uniquely in the
  process, capping the whole tree at ``max_pages`` pages plus the browser's own overhead.
* **Attempts**: a launch killed from outside is not a broken install; only ``_LAUNCH_ATTEMPTS``
  failures in a row are (``RendererUnavailable``). A launch that timed out while the machine was
  stalled (:func:`~codepaint_env.render.load.Stalls.pressed`) is the machine's: ``BrowserDied``,
  so the render is ``infra`` and the next one launches again.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
from typing import Any

from codepaint_env.core.errors import RendererUnavailable
from codepaint_env.render.browser.chromium import (
    BrowserCgroup,
    cgroup_v1_available,
    netns_command,
    remove_stale_cgroups,
    swiftshader_icd,
    write_launcher,
)
from codepaint_env.render.browser.slots import (
    SETUP_TIMEOUT_S,
    BrowserDied,
    Generation,
    PoolConfig,
    first_line,
)
from codepaint_env.render.browser.webgl import GPU_BACKENDS, SOFTWARE_ARGS, WEBGL_PROBE, is_software_webgl
from codepaint_env.render.load import LAUNCH_ALLOWANCE_S, Pressure

log = logging.getLogger("codepaint.render")

#: Chromium switches on top of Playwright's defaults: quiet start-up, and WebRTC kept off UDP.
#: WebGL's path is added per ``gpu`` mode (SOFTWARE_ARGS / GPU_BACKENDS below): ANGLE on Vulkan,
#: on SwiftShader's Vulkan driver or the GPU's. Forcing ``--use-angle=swiftshader`` (ANGLE's old
#: GL backend) measured ~30x slower here, and no rasterisation switch measured faster
#: (benchmarks/speed/render_bench.py). A slot's successive renders stay in one
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

#: Launch attempts in a row before the installation is declared broken.
_LAUNCH_ATTEMPTS = 3
#: Seconds a browser may take to start. One that times out on a machine stalled for CPU, memory or I/O
#: (render/load.py's pressure rule) is `infra`; on a quiet machine, a broken installation. A client
#: waiting on a render allows for it (load.answer_within_s).
_LAUNCH_TIMEOUT_S = LAUNCH_ALLOWANCE_S
_CGROUP_SEQ = itertools.count(1)  # process-wide: see _launch_once
#: Memory for the browser's own processes (browser, GPU, utilities) on top of its pages' limits.
_BROWSER_OVERHEAD_MB = 1024


class BrowserLauncher:
    """Starts Playwright, then the pool's browsers, contained, on the WebGL path chosen once."""

    def __init__(self, config: PoolConfig) -> None:
        self.config = config
        #: Playwright, from :meth:`start` to :meth:`stop` (``None``: not started, or closed).
        self.pw: Any = None
        self.netns: tuple[str, ...] | None = None
        self.memory_capped = False
        self.launches = 0
        #: The hardware WebGL path in use (a GPU_BACKENDS key), or None for Chromium's software one.
        self.gpu_backend: str | None = None
        #: The WebGL path's switches; ``None`` until chosen (``gpu="auto"``/``"on"``).
        self.gpu_args: tuple[str, ...] | None = None if self.config.gpu != "off" else SOFTWARE_ARGS

    async def start(self) -> None:
        """Start Playwright (no browser yet), after clearing cgroups a dead process left behind."""
        from playwright.async_api import async_playwright

        self.netns = netns_command() if self.config.use_netns else None
        remove_stale_cgroups()
        self.pw = await async_playwright().start()

    async def stop(self) -> None:
        """Stop Playwright (its browsers are closed by their generations)."""
        if self.pw is not None:
            pw, self.pw = self.pw, None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pw.stop(), 10)

    async def launch(self) -> Generation:
        """Start a browser: a few attempts (a launch killed from outside is not a broken install).

        Raises:
            BrowserDied: The pool was closed meanwhile (the render is ``infra``).
            RendererUnavailable: The browser did not start ``_LAUNCH_ATTEMPTS`` times in a row.
        """
        if self.gpu_args is None:
            hardware = await self._launch_on_gpu()
            if hardware is not None:
                return hardware
        attempts = _LAUNCH_ATTEMPTS
        for attempt in range(attempts):
            if self.pw is None:
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

    async def _launch_on_gpu(self) -> Generation | None:
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
            except (RendererUnavailable, BrowserDied) as e:  # BrowserDied: it timed out on a stalled machine
                seen.append(f"{name}: Chromium did not start ({first_line(e)})")
                continue
            renderer = await self.probe_webgl(gen)
            if not is_software_webgl(renderer):
                self.gpu_backend, self.gpu_args = name, flags
                log.info("codepaint: WebGL on the GPU through ANGLE %s: %s", name, renderer)
                return gen
            seen.append(f"{name}: {renderer or 'no WebGL'}")
            await gen.close()
        self.gpu_args = SOFTWARE_ARGS
        why = "; ".join(seen)
        if self.config.gpu == "on":
            raise RendererUnavailable(
                f"Renderer(gpu='on'): no hardware WebGL path works here ({why}). Fix: on a GPU machine "
                "install the GPU's Vulkan driver (libvulkan1 and the vendor's ICD, e.g. NVIDIA's "
                "nvidia_icd.json) or its EGL (libegl1 + the vendor's EGL), check with `codepaint "
                "doctor --gpu on`; or use gpu='auto' to fall back to SwiftShader.")
        log.info("codepaint: no hardware WebGL path (%s); WebGL runs on SwiftShader", why)
        return None

    async def probe_webgl(self, gen: Generation) -> str | None:
        """The WebGL renderer string a fresh page in this browser reports (None: no WebGL)."""
        ctx = None
        try:
            ctx = await gen.run(gen.browser.new_context(), SETUP_TIMEOUT_S)
            page = await gen.run(ctx.new_page(), SETUP_TIMEOUT_S)
            return await gen.run(page.evaluate(WEBGL_PROBE), SETUP_TIMEOUT_S)
        except Exception as e:
            return f"probe failed: {first_line(e)}"
        finally:
            if ctx is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(ctx.close(), 10)

    async def _launch_once(self, gpu_args: tuple[str, ...] | None = None) -> Generation:
        cfg = self.config
        cgroup = None
        if cfg.memory_limit_mb and cgroup_v1_available():
            # A name no other browser of this process has (every pool, every launch): two
            # renderers sharing a group would kill each other's browser when one closes.
            # Each page's renderer gets ``memory_limit_mb`` in a group of its own
            # (BrowserPool._set_up_slot); the browser's whole tree, every page plus the browser
            # and GPU processes, is capped at ``max_pages`` pages plus _BROWSER_OVERHEAD_MB.
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
        gpu = gpu_args if gpu_args is not None else (self.gpu_args or ())
        software = gpu == SOFTWARE_ARGS
        launcher = write_launcher(cfg.browser.path, netns=self.netns, cgroup=cgroup,
                                  vulkan_driver=swiftshader_icd(cfg.browser.path) if software else None)
        from playwright.async_api import TimeoutError as LaunchTimeout

        pressure0 = Pressure.now()
        try:
            browser = await self.pw.chromium.launch(
                executable_path=launcher,
                headless=cfg.headless,
                args=[*CHROMIUM_ARGS, *cfg.extra_args, *gpu],
                timeout=_LAUNCH_TIMEOUT_S * 1000,
            )
        except Exception as e:
            if cgroup is not None:
                cgroup.remove()
            with contextlib.suppress(OSError):
                os.unlink(launcher)
            stalls = Pressure.now().stalls_since(pressure0)
            if isinstance(e, LaunchTimeout) and stalls.pressed():
                # It did not fail: it did not finish, on a machine stalled for what it needs. That is the
                # machine (infra: this render's answer, and the next render launches again), not the
                # installation; a missing or crashing browser fails at once, whatever the load.
                raise BrowserDied(f"the browser did not start in {_LAUNCH_TIMEOUT_S:g} s: the machine was "
                                  f"overloaded ({stalls.describe()})") from e
            raise RendererUnavailable(
                f"Chromium failed to start ({cfg.browser.path}): {e}\n"
                "Run `codepaint doctor` to check the browser and the sandbox."
            ) from e
        self.launches += 1
        return Generation(browser, launcher, cgroup)
