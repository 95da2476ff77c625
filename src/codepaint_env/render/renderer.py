"""`Renderer`: the one object callers use to turn programs into pictures.

It owns a background event loop and the shared :class:`BrowserPool`, dispatches each program to
the backend registered for its language, and keeps an in-memory render cache keyed by
(language, code, size, seed, options, renderer version), so stacking several rewards on one
completion renders it once.

    >>> from codepaint_env.render import Renderer
    >>> with Renderer() as r:                                        # doctest: +SKIP
    ...     res = r.render("function setup(){createCanvas(64,64);background(200,0,0)}", "p5")
    ...     res.ok, res.size
    (True, (512, 512))
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import hashlib
import logging
import math
import os
import re
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tqdm.auto import tqdm

from .. import __version__
from ..errors import RendererUnavailable, UnknownLanguage
from .browser import AfterHook, BrowserPool, Interaction, PageCapture, PoolConfig
from .detect import detect_language
from .extract import extract_code
from .pages import PageSpec, build_page
from .result import ERROR_KINDS, RenderResult, failed, is_blank, pixel_sha256

Size = int | tuple[int, int] | str
log = logging.getLogger("codepaint.render")
_CONFIG_FIELDS = ("executable", "max_pages", "recycle_every", "slot_renders", "memory_limit_mb",
                  "use_netns", "timeout_s", "frames", "max_code_bytes", "max_canvas", "allowed_api",
                  "max_messages", "cache_size", "cache_mb")


@dataclass(frozen=True)
class LanguageSpec:
    """A registered language: its backend kind and a one-line description."""

    name: str
    backend: str  # "browser", "subprocess", or "unsupported" until a renderer is installed for it
    description: str


LANGUAGES: dict[str, LanguageSpec] = {}


def register_language(name: str, backend: str, description: str) -> None:
    """Add (or replace) a language in the registry."""
    LANGUAGES[name] = LanguageSpec(name, backend, description)


register_language("p5brush", "browser", "p5.js 2.x + p5.brush watercolour sketch (WEBGL canvas)")
register_language("p5", "browser", "plain p5.js 2.x sketch (2D or WEBGL), global or instance mode")
register_language("svg", "browser", "an SVG document")
register_language("html", "browser", "an HTML page (rendered offline; remote resources blocked)")
register_language("python", "subprocess", "matplotlib / Pillow draw.py (sandboxed subprocess)")
register_language("tikz", "subprocess", "TikZ picture (pdflatex + pdftoppm, sandboxed subprocess)")

#: Backends a caller may ask for by name (``renderer=``): "browser" (Chromium), "fast" (resvg, SVG only).
RENDERERS: tuple[str, ...] = ("auto", "browser", "fast")


def parse_size(size: Size) -> tuple[int, int]:
    """``512`` / ``(512, 384)`` / ``"512x384"`` -> ``(width, height)``.

    Raises:
        ValueError: On a malformed or non-positive size.
    """
    if isinstance(size, str):
        parts = size.lower().split("x")
        if len(parts) not in (1, 2) or not all(p.strip().isdigit() for p in parts):
            raise ValueError(f"size {size!r}: expected W or WxH, e.g. 512 or 640x480")
        w, h = (int(parts[0]), int(parts[-1]))
    elif isinstance(size, int):
        w = h = size
    else:
        w, h = (int(size[0]), int(size[1]))
    if not (1 <= w <= 8192 and 1 <= h <= 8192):
        raise ValueError(f"size {w}x{h}: each side must be between 1 and 8192 pixels")
    return w, h


class _LoopThread:
    """An asyncio loop on a daemon thread, for a synchronous API over async Playwright."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="codepaint-render",
                                       daemon=True)
        self.thread.start()

    def submit(self, coro: Any) -> concurrent.futures.Future:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self) -> None:
        async def drain() -> None:  # what is still running is cancelled, then let finish
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=5)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(drain(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        if not self.thread.is_alive():
            self.loop.close()


class Renderer:
    """Renders programs in every registered language; thread-safe; reuse one per process.

    Args:
        executable: Chromium binary (default: the discovery rule in ``codepaint_env.render.chromium``).
        max_pages: Renders running at once (default: the number of CPUs, at least 2, at most 8).
        recycle_every: Relaunch the browser after this many renders.
        slot_renders: Renew a slot's browser context after this many renders (1 = a fresh
            context for every render: strictest isolation, ~3x slower).
        memory_limit_mb: Memory cap for the browser's process tree (cgroup v1, where available).
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
    """

    def __init__(
        self,
        *,
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
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive, e.g. 20")
        if frames < 1:
            raise ValueError("frames must be at least 1 (1 = capture the first frame)")
        self.executable = executable
        self.max_pages = max_pages or max(2, min(8, os.cpu_count() or 2))
        self.recycle_every = recycle_every
        self.slot_renders = slot_renders
        self.memory_limit_mb = memory_limit_mb
        self.use_netns = use_netns
        self.timeout_s = timeout_s
        self.frames = frames
        self.max_code_bytes = max_code_bytes
        self.max_canvas = max_canvas
        self.allowed_api = list(allowed_api) if allowed_api else None
        self.max_messages = max_messages
        self.cache_size = cache_size
        self.cache_mb = cache_mb
        self._cache_bytes = 0
        self._cache: OrderedDict[str, RenderResult] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._loop: _LoopThread | None = None
        self._pool: BrowserPool | None = None
        self._pool_threads: concurrent.futures.ThreadPoolExecutor | None = None
        self._pid = os.getpid()
        self.cache_hits = 0
        # Futures handed out and not yet answered (each with its language and seed), so that
        # close() can answer them; and how every render ended.
        self._inflight: dict[concurrent.futures.Future, tuple[str, int]] = {}
        self._inflight_lock = threading.Lock()
        self._kinds: Counter[str] = Counter()
        _open_renderers.add(self)

    # ------------------------------------------------------------------ lifecycle
    def _ensure_pool(self) -> BrowserPool:
        if self._pid != os.getpid():
            # A forked child (e.g. a vector env worker) cannot use the parent's loop thread.
            self._loop, self._pool, self._pid = None, None, os.getpid()
        if self._pool is not None:
            return self._pool
        with self._start_lock:
            if self._pool is None:
                from .assets import load_assets
                from .chromium import find_browser

                assets = load_assets()
                binary = find_browser(self.executable)
                pool = BrowserPool(
                    PoolConfig(
                        browser=binary,
                        max_pages=self.max_pages,
                        recycle_every=self.recycle_every,
                        slot_renders=self.slot_renders,
                        memory_limit_mb=self.memory_limit_mb,
                        use_netns=self.use_netns,
                    ),
                    assets,
                )
                loop = _LoopThread()
                loop.submit(pool.start()).result()
                self._loop, self._pool = loop, pool
        return self._pool

    @property
    def pool(self) -> BrowserPool:
        """The browser pool (started on first use)."""
        return self._ensure_pool()

    @property
    def version(self) -> str:
        """The renderer stack's version: codepaint, every JS asset and the browser."""
        return self._version()

    def _version(self, engine: list[str] | None = None) -> str:
        """The version string of one render: codepaint, the JS it ran (``engine``), the browser."""
        pool = self._ensure_pool()
        browser = pool.config.browser.version.replace(" ", "-")
        js = pool.assets.version_string(engine)
        return f"codepaint-{__version__}+{js + '+' if js else ''}{browser}"

    def close(self) -> None:
        """Close the browser and the loop thread. Safe to call twice.

        Renders still in flight are answered with ``error_kind="infra"`` ("the renderer was
        closed"); the renderer starts afresh if it is used again.
        """
        if self._pool is not None and self._loop is not None and self._pid == os.getpid():
            with contextlib.suppress(Exception):
                self._loop.submit(self._pool.close()).result(timeout=30)
            self._loop.stop()
        if self._pool_threads is not None and self._pid == os.getpid():
            self._pool_threads.shutdown(wait=False, cancel_futures=True)
        self._pool_threads = None
        self._pool, self._loop = None, None
        with self._inflight_lock:
            pending = list(self._inflight.items())
        for fut, (lang, seed) in pending:
            self._answer(fut, failed(lang, "infra", "infra: the renderer was closed while this "
                                     "render was in flight", seed=seed))

    def stats(self) -> dict[str, Any]:
        """How renders ended, and what the pool did.

        Returns:
            ``renders`` (answered since creation, cache hits included), ``kinds`` (``"ok"`` or
            the ``error_kind`` -> count; every kind, zeros included), ``cache_hits``, and, once
            the browser has started, ``browser_launches``, ``browser_retries`` (renders retried
            after the browser or a page died) and ``slots_made``.
        """
        kinds = {k: self._kinds.get(k, 0) for k in ("ok", *ERROR_KINDS)}
        out: dict[str, Any] = {"renders": sum(kinds.values()), "kinds": kinds,
                               "cache_hits": self.cache_hits}
        if self._pool is not None:
            out.update(browser_launches=self._pool.launches, browser_retries=self._pool.retries,
                       slots_made=self._pool.slots_made)
        return out

    def __enter__(self) -> Renderer:
        return self

    def __getstate__(self) -> dict[str, Any]:
        # Pickles as its configuration: the unpickled copy starts its own browser on first use
        # (reward objects and vector-env workers carry renderers into other processes).
        return {k: getattr(self, k) for k in _CONFIG_FIELDS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ rendering
    def render(
        self,
        code: Any,
        language: str = "auto",
        *,
        size: Size = 512,
        seed: int = 0,
        timeout_s: float | None = None,
        extract: bool = False,
        renderer: str = "auto",
    ) -> RenderResult:
        """Render one program.

        Args:
            code: The program (or, with ``extract=True``, a completion to pull it out of).
            language: A registered language or ``"auto"`` (see ``detect_language``).
            size: Output size: ``512``, ``(W, H)`` or ``"WxH"``.
            seed: Fixes ``Math.random``, p5's ``random``/``noise`` and p5.brush's randomness.
            timeout_s: Per-render timeout (default: the renderer's).
            extract: Treat ``code`` as a model completion and extract the program first.
            renderer: ``"auto"`` (the language's own backend), ``"browser"``, or ``"fast"`` (SVG
                only: the native resvg rasteriser, no browser).

        Returns:
            A RenderResult; a failed program is a result with ``ok=False``, not an exception.

        Raises:
            UnknownLanguage: For a language name that is not registered.
            RendererUnavailable: When the installation is broken (no browser, no JS assets).
        """
        return self._submit(code, language, size, seed, timeout_s, extract, renderer).result()

    async def arender(self, code: Any, language: str = "auto", **kwargs: Any) -> RenderResult:
        """:meth:`render` for async callers (any event loop)."""
        fut = self._submit(code, language, kwargs.get("size", 512), kwargs.get("seed", 0),
                           kwargs.get("timeout_s"), kwargs.get("extract", False),
                           kwargs.get("renderer", "auto"))
        return await asyncio.wrap_future(fut)

    def submit(
        self,
        code: Any,
        language: str = "auto",
        *,
        size: Size = 512,
        seed: int = 0,
        timeout_s: float | None = None,
        extract: bool = False,
        renderer: str = "auto",
    ) -> concurrent.futures.Future:
        """Start one render and return at once: a future of its :class:`RenderResult`.

        Arguments are those of :meth:`render`; submit many, then collect, to render in parallel
        with per-program sizes and seeds (``render_many`` shares one of each).
        """
        return self._submit(code, language, size, seed, timeout_s, extract, renderer)

    def render_many(
        self,
        codes: Iterable[Any],
        language: str | Sequence[str] = "auto",
        *,
        size: Size = 512,
        seed: int = 0,
        timeout_s: float | None = None,
        extract: bool = False,
        progress: bool | str = False,
        renderer: str = "auto",
    ) -> list[RenderResult]:
        """Render many programs concurrently (``max_pages`` at a time); results keep input order.

        Args:
            codes: Programs (or completions, with ``extract=True``).
            language: One language for all, or one per program.
            size: Output size for all.
            seed: Seed for all.
            timeout_s: Per-render timeout.
            extract: Extract each program from a completion first.
            progress: Show a tqdm bar (a string sets its description).
            renderer: See :meth:`render`.
        """
        codes = list(codes)
        langs = [language] * len(codes) if isinstance(language, str) else list(language)
        if len(langs) != len(codes):
            raise ValueError(f"{len(langs)} languages for {len(codes)} programs")
        futs = [self._submit(c, lang, size, seed, timeout_s, extract, renderer)
                for c, lang in zip(codes, langs, strict=True)]
        desc = progress if isinstance(progress, str) else "render"
        out: list[RenderResult | None] = [None] * len(futs)
        with tqdm(total=len(futs), desc=desc, disable=not progress, unit="prog") as bar:
            index = {id(f): i for i, f in enumerate(futs)}
            for f in concurrent.futures.as_completed(futs):
                out[index[id(f)]] = f.result()
                bar.update()
        return out  # type: ignore[return-value]

    # ------------------------------------------------------------------ interaction
    def interact(
        self,
        code: Any,
        language: str = "html",
        *,
        after: AfterHook,
        size: Size = 512,
        seed: int = 0,
        timeout_s: float | None = None,
        after_timeout_s: float = 30.0,
        track_listeners: bool = True,
    ) -> tuple[RenderResult, Interaction | None]:
        """Render one program, then act on the live page with ``after`` before it is reset.

        The render is always a fresh one: the cache is neither read nor written (a cached
        picture has no page to act on), so an interaction never changes what :meth:`render`
        returns. The :class:`RenderResult` is that of a plain render of the same program; what
        the page does during the hook (console, blocked requests and navigations, dialogs,
        popups) is reported in the :class:`~codepaint_env.render.browser.Interaction` only.

        Args:
            code: The program (already extracted).
            language: A registered language or ``"auto"``.
            after: ``async after(page, cdp, cap)``, run on the renderer's event loop with the
                Playwright page, its CDP session and the render's ``PageCapture``, only when
                the render finished; its return value becomes ``Interaction.result``. Keep it
                re-entrant: it runs again if the browser dies and the render is retried.
            size: Output size (and viewport).
            seed: Render seed.
            timeout_s: Bound on the render (default: the renderer's).
            after_timeout_s: Bound on the hook; a page it leaves busy is stopped and recycled.
            track_listeners: Record the event types every target listens to
                (``window.__codepaint.listeners(target)`` in the page).

        Returns:
            ``(result, interaction)``; ``interaction`` is ``None`` when the hook did not run
            (the program failed before or while rendering).
        """
        return self.submit_interaction(code, language, after=after, size=size, seed=seed,
                                       timeout_s=timeout_s, after_timeout_s=after_timeout_s,
                                       track_listeners=track_listeners).result()

    def submit_interaction(
        self,
        code: Any,
        language: str = "html",
        *,
        after: AfterHook,
        size: Size = 512,
        seed: int = 0,
        timeout_s: float | None = None,
        after_timeout_s: float = 30.0,
        track_listeners: bool = True,
    ) -> concurrent.futures.Future:
        """:meth:`interact` without waiting: a future of ``(RenderResult, Interaction | None)``."""
        seed = int(seed)
        lang, text, early = self._prepare(code, language, seed, extract=False)
        width, height = parse_size(size)
        if early is None and LANGUAGES[lang].backend != "browser":
            early = failed(lang, "unsupported", f"{lang!r} is not rendered in the browser: there is no "
                           "page to interact with", seed=seed)
        if early is not None:
            return self._guard(_done((early, None)), lang, seed, pair=True)
        pool = self._ensure_pool()
        assert self._loop is not None
        return self._guard(self._loop.submit(self._interact_browser(
            pool, lang, text, width, height, seed, float(timeout_s or self.timeout_s), after,
            float(after_timeout_s), track_listeners)), lang, seed, pair=True)

    async def _interact_browser(
        self, pool: BrowserPool, lang: str, code: str, w: int, h: int, seed: int, timeout: float,
        after: AfterHook, after_timeout_s: float, track_listeners: bool,
    ) -> tuple[RenderResult, Interaction | None]:
        spec = build_page(lang, code, assets=pool.assets, seed=seed, frames=self.frames,
                          max_canvas=self.max_canvas, allowed_api=self.allowed_api)
        spec.config["track_listeners"] = bool(track_listeners)
        version = self._version(spec.engine)
        if spec.syntax_error:
            res = failed(lang, "syntax", spec.syntax_error, seed=seed, renderer=version)
            res.messages = [spec.syntax_error, *spec.notes]
            return res, None
        cap = await pool.render(spec, w, h, timeout, after=after, after_timeout_s=after_timeout_s)
        res = self._to_result(lang, cap, spec, seed, version, timeout)
        res.timings_ms["total"] = round(cap.total_ms, 2)
        return res, cap.interaction

    # ------------------------------------------------------------------ internals
    def _submit(
        self, code: Any, language: str, size: Size, seed: int, timeout_s: float | None,
        extract: bool, renderer: str = "auto",
    ) -> concurrent.futures.Future:
        """Resolve everything that needs no browser here; a future of the result either way."""
        if renderer not in RENDERERS:
            raise ValueError(f"renderer {renderer!r}: choose one of {', '.join(RENDERERS)}")
        seed = int(seed)
        lang, text, early = self._prepare(code, language, seed, extract)
        return self._guard(self._start(lang, text, early, size, seed, timeout_s, renderer), lang, seed)

    def _start(self, lang: str, text: str, early: RenderResult | None, size: Size, seed: int,
               timeout_s: float | None, renderer: str) -> concurrent.futures.Future:
        if early is not None:
            return _done(early)
        width, height = parse_size(size)
        timeout = float(timeout_s or self.timeout_s)
        spec = LANGUAGES[lang]
        if spec.backend == "unsupported":
            return _done(failed(lang, "unsupported",
                                f"no renderer for {lang!r} is installed in this version of "
                                "codepaint", seed=seed))
        backend = spec.backend
        if renderer == "fast":
            if lang != "svg":
                raise ValueError(f"renderer='fast' renders SVG only, not {lang!r}")
            backend = "fast"
        key = self._cache_key(lang, text, width, height, seed, backend)
        hit = self._cache_get(key)
        if hit is not None:
            return _done(hit)
        if backend in ("subprocess", "fast"):
            fut = self._workers().submit(_render_native, backend, lang, text, width, height, seed, timeout)
            fut.add_done_callback(lambda f: f.cancelled() or f.exception() is not None
                                  or self._cache_put(key, f.result()))
            return fut
        pool = self._ensure_pool()
        assert self._loop is not None
        return self._loop.submit(
            self._render_browser(pool, key, lang, text, width, height, seed, timeout)
        )

    def _prepare(self, code: Any, language: str, seed: int,
                 extract: bool) -> tuple[str, str, RenderResult | None]:
        """(language, program, failure or None): validation, extraction, detection and size cap."""
        lang = language or "auto"
        if lang != "auto" and lang not in LANGUAGES:
            raise UnknownLanguage(
                f"unknown language {lang!r}; registered: {', '.join(LANGUAGES)} (or 'auto')"
            )
        text = extract_code(code, lang) if extract else ("" if code is None else str(code))
        if lang == "auto":
            lang = detect_language(text) if text.strip() else "p5"
        if not text.strip():
            return lang, text, failed(lang, "empty", "no code to render", seed=seed)
        if len(text.encode()) > self.max_code_bytes:
            return lang, text, failed(lang, "too_large", f"the program is {len(text.encode())} bytes; the "
                                      f"limit is {self.max_code_bytes} (Renderer(max_code_bytes=...))",
                                      seed=seed)
        return lang, text, None

    def _guard(self, fut: concurrent.futures.Future, lang: str, seed: int, *,
               pair: bool = False) -> concurrent.futures.Future:
        """The future callers get: it always ends in a result, never in an exception.

        Anything but a broken installation (``RendererUnavailable``) that escapes a backend,
        a cancellation (the renderer closed) included, becomes ``error_kind="infra"``: the
        render could not be done, which says nothing about the program.
        """
        out: concurrent.futures.Future = concurrent.futures.Future()
        with self._inflight_lock:
            self._inflight[out] = (lang, seed)

        def finish(f: concurrent.futures.Future) -> None:
            try:
                value = f.result()
            except RendererUnavailable as e:
                with self._inflight_lock:
                    self._inflight.pop(out, None)
                with contextlib.suppress(concurrent.futures.InvalidStateError):
                    out.set_exception(e)
                return
            except BaseException as e:  # CancelledError included: the renderer was closed
                if not isinstance(e, concurrent.futures.CancelledError):
                    log.error("codepaint: a render failed inside codepaint", exc_info=e)
                why = "the renderer was closed" if isinstance(e, concurrent.futures.CancelledError) \
                    else f"internal error {type(e).__name__}: {e}"
                value = failed(lang, "infra", f"infra: {why}"[:500], seed=seed)
                value = (value, None) if pair else value
            self._answer(out, value)

        fut.add_done_callback(finish)
        return out

    def _answer(self, fut: concurrent.futures.Future, value: Any) -> None:
        """Complete a future handed out by :meth:`_guard` (once) and count how it ended."""
        with self._inflight_lock:
            if self._inflight.pop(fut, None) is None:
                return  # answered already (close() raced the render)
        res = value[0] if isinstance(value, tuple) else value
        self._kinds[res.error_kind or "ok"] += 1
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            fut.set_result(value)

    def _workers(self) -> concurrent.futures.ThreadPoolExecutor:
        # Subprocess and native renders: threads that wait on sandboxed children.
        with self._start_lock:
            if self._pool_threads is None or self._pid != os.getpid():
                self._pool_threads = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.max_pages, thread_name_prefix="codepaint-native")
                self._pid = os.getpid()
            return self._pool_threads

    def _cache_key(self, lang: str, code: str, w: int, h: int, seed: int,
                   backend: str = "browser") -> str:
        parts = [lang, str(w), str(h), str(seed), str(self.frames), str(self.max_canvas),
                 ",".join(self.allowed_api or []), __version__, backend, code]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()

    def _cache_get(self, key: str) -> RenderResult | None:
        if not self.cache_size:
            return None
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.cache_hits += 1
            return hit

    def _cache_put(self, key: str, result: RenderResult) -> None:
        # Timeouts and crashes may be the machine's fault (load), infra always is: never cached.
        if not self.cache_size or result.error_kind in ("timeout", "crash", "infra"):
            return
        with self._cache_lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._cache_bytes -= len(old.png or b"")
            self._cache[key] = result
            self._cache_bytes += len(result.png or b"")
            limit = self.cache_mb * 2**20
            while self._cache and (len(self._cache) > self.cache_size or self._cache_bytes > limit):
                _, dropped = self._cache.popitem(last=False)
                self._cache_bytes -= len(dropped.png or b"")

    async def _render_browser(
        self, pool: BrowserPool, key: str, lang: str, code: str, w: int, h: int, seed: int,
        timeout: float,
    ) -> RenderResult:
        spec = build_page(lang, code, assets=pool.assets, seed=seed, frames=self.frames,
                          max_canvas=self.max_canvas, allowed_api=self.allowed_api)
        version = self._version(spec.engine)
        if spec.syntax_error:
            res = failed(lang, "syntax", spec.syntax_error, seed=seed, renderer=version)
            res.messages = [spec.syntax_error, *spec.notes]
            self._cache_put(key, res)
            return res
        cap = await pool.render(spec, w, h, timeout)
        res = self._to_result(lang, cap, spec, seed, version, timeout)
        res.timings_ms["total"] = round(cap.total_ms, 2)
        self._cache_put(key, res)
        return res

    def _to_result(
        self, lang: str, cap: PageCapture, spec: PageSpec, seed: int, version: str,
        timeout: float,
    ) -> RenderResult:
        info = cap.info or {}
        messages: list[str] = []
        errors = info.get("errors") or []
        unknown = list(dict.fromkeys(info.get("unknown_api") or []))
        error_kind: str | None = None
        for err in errors:
            name, msg = err.get("name", "Error"), err.get("message", "")
            messages.append(f"{name}: {msg}" if name != "codepaint" else f"codepaint: {msg}")
            ref = _undefined_name(name, msg)
            if ref and ref not in unknown:
                unknown.append(ref)
        if errors:
            first = errors[0]
            if str(first.get("message", "")).startswith("codepaint:too_large"):
                error_kind = "too_large"
            elif first.get("name") == "SyntaxError":
                error_kind = "syntax"
            else:
                error_kind = "runtime"
                if cap.blocked and _NETWORK_ERROR.search(f"{first.get('name')}: {first.get('message')}"):
                    messages.insert(0, f"runtime: the program needed {cap.blocked[0]}, which was refused: "
                                       "no network in the sandbox")
        messages += spec.notes  # after the program's own errors: the first message is what failed
        messages += cap.console
        messages += [f"blocked request: {u}" for u in cap.blocked]
        if info.get("network_errors"):
            messages.append(f"{info['network_errors']} uncaught error(s) from refused requests "
                            "(not counted as failures)")
        navigations = list(dict.fromkeys([*(info.get("navigations") or []), *cap.navigations]))
        messages += [f"blocked navigation: {u}" for u in navigations]
        if cap.dialogs:
            messages.append(f"dismissed {cap.dialogs} dialog(s)")
        popups = cap.popups + int(info.get("popups") or 0)
        if popups:
            messages.append(f"blocked {popups} popup(s)")
        if cap.outcome == "infra":
            return failed(lang, "infra", f"infra: {cap.infra_reason}"[:500], seed=seed,
                          renderer=version, timings_ms={"total": round(cap.total_ms, 2)})
        if cap.outcome == "timeout":
            error_kind = "timeout"
            messages.insert(0, f"timeout: no finished frame after {timeout:g}s (busy loop, "
                               "or a sketch that never completes its first frame)"
                            + (f"; the program's processes {cap.cpu.describe()}" if cap.cpu else ""))
        elif cap.outcome == "crash":
            error_kind = "crash"
            messages.insert(0, "crash: the page died while rendering (out of memory?)")
        elif cap.outcome == "navigation" or navigations:
            error_kind = error_kind or "navigation"
        canvas = info.get("canvas")
        if canvas and (canvas.get("width"), canvas.get("height")) != (cap.image.size if cap.image else None):
            messages.append(f"note: canvas {canvas.get('width')}x{canvas.get('height')} was scaled "
                            "to fit the output size")
        if cap.dropped_messages:
            messages.append(f"... {cap.dropped_messages} more console messages dropped")
        if len(messages) > self.max_messages:
            extra = len(messages) - self.max_messages + 1
            messages = [*messages[: self.max_messages - 1], f"... {extra} more messages dropped"]
        image = cap.image
        if error_kind == "syntax":
            image = None  # nothing of the program ran: a picture of the empty page says nothing
        if error_kind is None and image is not None and is_blank(
                program_picture(image, content_box(lang, spec, info, image.size))):
            error_kind = "blank"
            messages.append("blank: the picture is a single uniform colour")
        if error_kind is None and image is None:
            error_kind = "crash"
        res = RenderResult(
            ok=error_kind is None,
            language=lang,
            error_kind=error_kind,
            messages=messages,
            unknown_api=unknown,
            api_calls=dict(sorted((info.get("api_calls") or {}).items())),
            api_violations=list(info.get("api_violations") or []),
            png=cap.png if image is not None else None,
            size=image.size if image is not None else None,
            sha256=pixel_sha256(image) if image is not None else None,
            timings_ms={"page": round(float(info.get("page_ms") or 0.0), 2),
                        "capture": round(cap.capture_ms, 2)},
            seed=seed,
            renderer=version,
        )
        if image is not None:
            res.__dict__["image"] = image  # already decoded: spare the cached_property the work
        return res


def content_box(lang: str, spec: PageSpec, info: dict[str, Any],
                size: tuple[int, int]) -> tuple[float, float, float, float] | None:
    """Where the program's own picture landed in the viewport, ``(x, y, w, h)``; None: all of it.

    A p5 canvas is shown with ``object-fit: contain`` (scaled to fit, centred), so its box
    follows from its size as the harness reports it. An SVG is an ``<img>`` fitted the same way;
    its box is what the fast renderer's fitting computes (``fast_svg._fit``, measured to match
    Chromium). An HTML page is its own picture.
    """
    W, H = size
    if lang in ("p5", "p5brush"):
        canvas = info.get("canvas") or {}
        try:
            cw, ch = float(canvas["width"]), float(canvas["height"])
        except (KeyError, TypeError, ValueError):
            return None
        if not (cw > 0 and ch > 0):
            return None
        scale = min(W / cw, H / ch)
        return (W - cw * scale) / 2, (H - ch * scale) / 2, cw * scale, ch * scale
    if lang == "svg" and "/image.svg" in spec.files:
        import xml.etree.ElementTree as ET

        from .fast_svg import _fit

        try:
            fit = _fit(ET.fromstring(spec.files["/image.svg"][0]), W, H)
        except ET.ParseError:
            return None
        return None if fit.empty else (fit.x, fit.y, fit.w, fit.h)
    return None


def program_picture(image: Any, box: Any) -> Any:
    """The part of a capture that is the program's own picture, for the blank test.

    ``box`` is :func:`content_box`, ``(x, y, w, h)`` in viewport pixels: where the canvas (or
    the SVG image) landed after being scaled to fit; the letterbox bands around it are the
    page's, not the program's. Only whole pixels of the box count (an edge pixel the box covers
    in part is blended with the band). Without a box (HTML: the page is the picture) or with an
    unusable one, the whole capture.
    """
    try:
        x, y, w, h = (float(v) for v in box)
    except (TypeError, ValueError):
        return image
    if not all(math.isfinite(v) for v in (x, y, w, h)):
        return image
    left, top = max(0, math.ceil(x - 1e-6)), max(0, math.ceil(y - 1e-6))
    right, bottom = min(image.width, math.floor(x + w + 1e-6)), min(image.height, math.floor(y + h + 1e-6))
    if right - left < 1 or bottom - top < 1:
        return image.crop((0, 0, 1, 1))  # nothing of the program is visible: one pixel, blank
    return image.crop((left, top, right, bottom))


def _render_native(backend: str, lang: str, code: str, w: int, h: int, seed: int,
                   timeout: float) -> RenderResult:
    """A render that needs no browser: a sandboxed subprocess (python, tikz) or resvg (fast SVG)."""
    if backend == "fast":
        from .fast_svg import render_svg_fast

        return render_svg_fast(code, w, h, timeout_s=timeout, seed=seed)
    from .programs import render_python, render_tikz

    return (render_python if lang == "python" else render_tikz)(code, w, h, timeout_s=timeout, seed=seed)


def _done(result: RenderResult) -> concurrent.futures.Future:
    fut: concurrent.futures.Future = concurrent.futures.Future()
    fut.set_result(result)
    return fut


#: How a refused request surfaces in the page (fetch, FontFace, XHR).
_NETWORK_ERROR = re.compile(r"Failed to (?:fetch|load)|NetworkError|network error|Load failed", re.IGNORECASE)


def _undefined_name(name: str, message: str) -> str | None:
    if name != "ReferenceError":
        return None
    m = re.match(r"^(?:Uncaught ReferenceError: )?([\w$.]+) is not defined", message)
    return m.group(1) if m else None


# ---------------------------------------------------------------------- module-level default
_default: Renderer | None = None
_default_lock = threading.Lock()


def default_renderer() -> Renderer:
    """The process-wide renderer used by :func:`render` (created on first use)."""
    global _default
    with _default_lock:
        if _default is None or _default._pid != os.getpid():
            _default = Renderer()
        return _default


def render(code: Any, language: str = "auto", **kwargs: Any) -> RenderResult:
    """Render one program with the process-wide default :class:`Renderer`.

    Keyword arguments are those of :meth:`Renderer.render`.
    """
    return default_renderer().render(code, language, **kwargs)


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


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
