"""`Renderer`: the one object callers use to turn programs into pictures.

It is the one render service of a process: it owns one event loop thread, one set of worker
threads, and one instance of each backend it needs (:mod:`.backends`: the browser pool, the
subprocess sandbox, the resvg workers), made on first use and all closed by :meth:`Renderer.close`.
It dispatches each program to the backend its language names (:mod:`codepaint_env.core.languages`),
and keeps an in-memory render cache keyed by (language, code, size, seed, options, backend,
version), so stacking several rewards on one completion renders it once.

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
import os
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tqdm.auto import tqdm

from ..core.errors import RendererUnavailable
from ..core.loop import LoopThread, after_fork
from ..core.pickling import PicklesAsArguments
from ..core.version import __version__
from .backends import Backend, BrowserBackend, Job
from .browser import AfterHook, BrowserPool, Interaction
from .detect import detect_language
from .extract import extract_code
from .languages import LANGUAGES
from .languages import language as language_spec
from .result import ERROR_KINDS, RenderResult, failed
from .webgl import GPU_MODES

Size = int | tuple[int, int] | str
log = logging.getLogger("codepaint.render")


#: What a caller may ask for (``renderer=``): ``"auto"`` (the language's own backend), or a
#: backend by name: ``"browser"`` (Chromium), ``"fast"`` (resvg: SVG only).
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


class Renderer(PicklesAsArguments):
    """Renders programs in every registered language; thread-safe; reuse one per process.

    A pickled renderer travels as its arguments (:mod:`codepaint_env.core.pickling`): the copy in
    another process starts its own browser and workers on first use.

    Args:
        executable: Chromium binary (default: the discovery rule in ``codepaint_env.render.chromium``).
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
        gpu: str = "off",
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive, e.g. 20")
        if frames < 1:
            raise ValueError("frames must be at least 1 (1 = capture the first frame)")
        if gpu not in GPU_MODES:
            raise ValueError(f"gpu={gpu!r}: choose one of {', '.join(GPU_MODES)}")
        self.gpu = gpu
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
        self._loop: LoopThread | None = None
        self._workers: concurrent.futures.ThreadPoolExecutor | None = None
        self._backends: dict[type[Backend], Backend] = {}
        self.cache_hits = 0
        #: Renders that shared an identical render already in flight (counted in ``cache_hits`` too).
        self.deduplicated = 0
        self._flights: dict[str, concurrent.futures.Future] = {}  # cache key -> the render in flight
        # Futures handed out and not yet answered (each with its language and seed), so that
        # close() can answer them; and how every render ended.
        self._inflight: dict[concurrent.futures.Future, tuple[str, int]] = {}
        self._inflight_lock = threading.Lock()
        self._kinds: Counter[str] = Counter()
        _open_renderers.add(self)
        after_fork(obj=self)

    # ------------------------------------------------------------------ lifecycle
    @property
    def loop(self) -> LoopThread:
        """The event loop thread backends run their asyncio work on (started on first use)."""
        with self._start_lock:
            if self._loop is None:
                self._loop = LoopThread("codepaint-render")
            return self._loop

    @property
    def workers(self) -> concurrent.futures.ThreadPoolExecutor:
        """Threads for blocking renders (sandboxed subprocesses, resvg workers)."""
        with self._start_lock:
            if self._workers is None:
                self._workers = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.max_pages, thread_name_prefix="codepaint-native")
            return self._workers

    def backend(self, cls: type[Backend]) -> Backend:
        """This renderer's instance of a backend class (made on first use)."""
        with self._start_lock:
            b = self._backends.get(cls)
            if b is None:
                b = self._backends[cls] = cls(self)
            return b

    @property
    def pool(self) -> BrowserPool:
        """The browser pool (started on first use)."""
        return self._browser().pool

    def _browser(self) -> BrowserBackend:
        return self.backend(BrowserBackend)  # type: ignore[return-value]

    @property
    def version(self) -> str:
        """The renderer stack's version: codepaint, every JS asset and the browser."""
        return self._browser().version()

    def gpu_info(self) -> dict[str, str | None]:
        """Which WebGL path the browser uses (starts it).

        Returns:
            ``mode`` (the ``gpu`` argument), ``backend`` (``"vulkan"`` or ``"egl"`` for a
            hardware path, ``"software"`` otherwise) and ``webgl_renderer`` (the
            ``UNMASKED_RENDERER_WEBGL`` string a page reports, e.g. ``"ANGLE (Google, Vulkan
            1.3.0 (SwiftShader Device ...))"`` or the GPU's name; ``None`` without WebGL).
        """
        pool = self.pool
        return {"mode": self.gpu, "backend": pool.gpu_backend or "software",
                "webgl_renderer": self.loop.submit(pool.webgl_renderer()).result(timeout=60)}

    def close(self) -> None:
        """Close every backend (browser, resvg workers), the loop and the worker threads.

        Safe to call twice. Renders still in flight are answered with ``error_kind="infra"``
        ("the renderer was closed"); the renderer starts afresh if it is used again.
        """
        with self._start_lock:
            backends, self._backends = list(self._backends.values()), {}
        for b in backends:  # first: the browser closes on the loop it runs on
            try:
                b.close()
            except Exception:
                log.warning("codepaint: closing %s failed", type(b).__name__, exc_info=True)
        with self._start_lock:
            loop, self._loop = self._loop, None
            workers, self._workers = self._workers, None
        if loop is not None:
            loop.stop()
        if workers is not None:
            workers.shutdown(wait=False, cancel_futures=True)
        with self._inflight_lock:
            pending = list(self._inflight.items())
        for fut, (lang, seed) in pending:
            self._answer(fut, failed(lang, "infra", "infra: the renderer was closed while this "
                                     "render was in flight", seed=seed))

    def _after_fork(self) -> None:
        # In a forked child (a vector-env worker) the parent's threads and processes are not
        # ours: forget them; everything starts afresh on first use.
        self._start_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._inflight_lock = threading.Lock()
        self._loop, self._workers, self._backends, self._inflight = None, None, {}, {}
        self._flights = {}  # the parent's renders in flight are not this process's

    def stats(self) -> dict[str, Any]:
        """How renders ended, and what the pool did.

        Returns:
            ``renders`` (answered since creation, cache hits included), ``kinds`` (``"ok"`` or
            the ``error_kind`` -> count; every kind, zeros included), ``cache_hits`` (answered from
            the cache or by sharing an identical render in flight), ``deduplicated`` (those that
            shared one in flight), ``cache_hit_rate`` (``cache_hits / renders``), and, once
            the browser has started, ``browser_launches``, ``browser_retries`` (renders retried
            after the browser or a page died) and ``slots_made``.
        """
        kinds = {k: self._kinds.get(k, 0) for k in ("ok", *ERROR_KINDS)}
        renders = sum(kinds.values())
        out: dict[str, Any] = {"renders": renders, "kinds": kinds, "cache_hits": self.cache_hits,
                               "deduplicated": self.deduplicated,
                               "cache_hit_rate": self.cache_hits / renders if renders else 0.0}
        browser = self._backends.get(BrowserBackend)
        pool = getattr(browser, "_pool", None)
        if pool is not None:
            out.update(browser_launches=pool.launches, browser_retries=pool.retries,
                       slots_made=pool.slots_made)
        return out

    def __enter__(self) -> Renderer:
        return self

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
        def submit(code: Any, lang: str) -> concurrent.futures.Future:
            return self._submit(code, lang, size, seed, timeout_s, extract, renderer)

        return gather_many(submit, codes, language, progress)

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
        spec = LANGUAGES[lang]
        if early is None and not (spec.interactive and spec.backend is BrowserBackend):
            early = failed(lang, "unsupported", f"{lang!r} is not rendered in the browser: there is no "
                           "page to interact with", seed=seed)
        if early is not None:
            return self._guard(_done((early, None)), lang, seed, pair=True)
        job = Job(lang, text, width, height, seed, float(timeout_s or self.timeout_s))
        return self._guard(self._browser().interact(job, after, float(after_timeout_s), track_listeners),
                           lang, seed, pair=True)

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
        cls = self._backend_class(lang, renderer)
        if cls is None:
            return _done(failed(lang, "unsupported", f"no renderer for {lang!r} is installed in this "
                                "version of codepaint", seed=seed))
        key = self._cache_key(lang, text, width, height, seed, cls.name)
        job = Job(lang, text, width, height, seed, float(timeout_s or self.timeout_s))
        return self._cached_or_started(key, lambda: self.backend(cls).submit(job))

    def _cached_or_started(self, key: str, start: Callable[[], concurrent.futures.Future]
                           ) -> concurrent.futures.Future:
        """The cached result, the identical render already in flight, or ``start()``'s new one.

        Identical completions (common in a GRPO group early in training) render once even when
        they arrive together: the second shares the first's future. With the cache off
        (``cache_size=0``) every render is its own.
        """
        if not self.cache_size:
            return start()
        with self._cache_lock:
            hit = self._cache_get_locked(key)
            if hit is not None:
                return _done(hit)
            shared = self._flights.get(key)
            if shared is not None:
                self.deduplicated += 1
                self.cache_hits += 1
                return shared
            fut = start()
            self._flights[key] = fut
        fut.add_done_callback(lambda f: self._landed(key, f))
        return fut

    def _landed(self, key: str, fut: concurrent.futures.Future) -> None:
        """A render in flight came back: into the cache (by the cache's rule), out of the flights."""
        if not fut.cancelled() and fut.exception() is None:
            self._cache_put(key, fut.result())
        with self._cache_lock:
            if self._flights.get(key) is fut:
                del self._flights[key]

    @staticmethod
    def _backend_class(lang: str, renderer: str) -> type[Backend] | None:
        """The backend class for ``renderer=`` (``auto``: the language's own)."""
        spec = LANGUAGES[lang]
        if renderer == "auto" or (spec.backend is not None and spec.backend.name == renderer):
            return spec.backend
        if renderer in spec.alternatives:
            return spec.alternatives[renderer]
        named = [n for n in (spec.backend.name if spec.backend else None, *spec.alternatives) if n]
        raise ValueError(f"renderer={renderer!r} does not render {lang!r}; it has "
                         f"{', '.join(named) or 'none'}")

    def _prepare(self, code: Any, language: str, seed: int,
                 extract: bool) -> tuple[str, str, RenderResult | None]:
        """(language, program, failure or None): validation, extraction, detection and size cap."""
        lang = language or "auto"
        if lang != "auto":
            language_spec(lang)  # raises UnknownLanguage with the registered names
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

    def _cache_key(self, lang: str, code: str, w: int, h: int, seed: int, backend: str) -> str:
        parts = [lang, str(w), str(h), str(seed), str(self.frames), str(self.max_canvas),
                 ",".join(self.allowed_api or []), __version__, backend, code]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()

    def _cache_get(self, key: str) -> RenderResult | None:
        if not self.cache_size:
            return None
        with self._cache_lock:
            return self._cache_get_locked(key)

    def _cache_get_locked(self, key: str) -> RenderResult | None:
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

def gather_many(submit: Callable[[Any, str], concurrent.futures.Future], codes: Iterable[Any],
                language: str | Sequence[str], progress: bool | str) -> list[RenderResult]:
    """``render_many``'s body, for ``Renderer`` and ``RayRenderer``: submit all, answer in input order.

    Raises:
        ValueError: A list of languages of another length than the programs.
    """
    codes = list(codes)
    langs = [language] * len(codes) if isinstance(language, str) else list(language)
    if len(langs) != len(codes):
        raise ValueError(f"{len(langs)} languages for {len(codes)} programs")
    futs = [submit(c, lang) for c, lang in zip(codes, langs, strict=True)]
    desc = progress if isinstance(progress, str) else "render"
    out: list[RenderResult | None] = [None] * len(futs)
    with tqdm(total=len(futs), desc=desc, disable=not progress, unit="prog") as bar:
        index = {id(f): i for i, f in enumerate(futs)}
        for f in concurrent.futures.as_completed(futs):
            out[index[id(f)]] = f.result()
            bar.update()
    return out  # type: ignore[return-value]


def _done(result: Any) -> concurrent.futures.Future:
    fut: concurrent.futures.Future = concurrent.futures.Future()
    fut.set_result(result)
    return fut


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


after_fork(_reset_after_fork)
