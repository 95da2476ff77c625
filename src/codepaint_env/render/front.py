"""`RenderFront`: the one front of every renderer, whatever renders behind it.

It owns what a render needs before and after the rendering itself: validation, extraction,
language detection and the size cap (:meth:`RenderFront.prepare`); the render cache and the
sharing of identical renders in flight; the guard that turns anything but a broken installation
into ``error_kind="infra"``; the counters; and the public methods (``render``, ``arender``,
``submit``, ``render_many``, ``interact``, ``submit_interaction``, ``stats``, ``close``).
The rendering itself goes to its *transport*, a :class:`~codepaint_env.render.dispatch.Dispatch`,
as httpx's ``Client(transport=...)`` sends requests: this process's backends (the default),
Ray actors (:class:`~codepaint_env.render.ray.transport.RayTransport`), or canned answers
(:class:`~codepaint_env.testing.StubDispatch`). :class:`~codepaint_env.render.Renderer` is this
front over one of them; nothing overrides the front, so no renderer can drift from another.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from tqdm.auto import tqdm

from codepaint_env.core.errors import RendererUnavailable
from codepaint_env.core.languages import LANGUAGES
from codepaint_env.core.languages import language as language_spec
from codepaint_env.core.result import ERROR_KINDS, RenderResult, failed
from codepaint_env.core.version import __version__
from codepaint_env.render.detect import detect_language
from codepaint_env.render.dispatch import Dispatch, Hook, Job, backend_class, done
from codepaint_env.render.extract import extract_code
from codepaint_env.render.retry import InfraRetries
from codepaint_env.render.settings import RenderSettings

Size = int | tuple[int, int] | str
#: A future of ``(RenderResult, Interaction | None)``.
PairFuture = concurrent.futures.Future[tuple[RenderResult, Any]]
log = logging.getLogger("codepaint.render")

#: What a caller may ask for (``renderer=``): ``"auto"`` (the language's own backend), or a
#: backend by name: ``"browser"`` (Chromium), ``"fast"`` (resvg: SVG only).
RENDERERS: tuple[str, ...] = ("auto", "browser", "fast")
#: The name of the browser backend (interactions need a live page).
BROWSER = "browser"


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


class RenderFront:
    """Preparation, cache, sharing, guards, counters and the public API of a renderer over its transport."""

    settings: RenderSettings

    def _init_front(self, settings: RenderSettings, transport: Dispatch) -> None:
        self.settings = settings
        self._transport = transport
        self._cache: OrderedDict[str, RenderResult] = OrderedDict()
        self._cache_bytes = 0
        self._cache_lock = threading.Lock()
        self.cache_hits = 0
        #: Renders that shared an identical render already in flight (counted in ``cache_hits`` too).
        self.deduplicated = 0
        self._flights: dict[str, concurrent.futures.Future] = {}  # cache key -> the render in flight
        # Futures handed out and not yet answered (with their language and seed), so close() can
        # answer them; and how every render ended (counted under the same lock).
        self._inflight: dict[concurrent.futures.Future, tuple[str, int]] = {}
        self._inflight_lock = threading.Lock()
        self._kinds: Counter[str] = Counter()
        self._retries = InfraRetries(settings.infra_retries, settings.infra_retry_budget_s)

    def _after_fork(self) -> None:
        # In a forked child (a vector-env worker) the parent's threads, processes and renders in
        # flight are not ours: forget them; the transport starts afresh (or reattaches) on first use.
        self._cache_lock = threading.Lock()
        self._inflight_lock = threading.Lock()
        self._inflight, self._flights = {}, {}
        self._retries = InfraRetries(self.settings.infra_retries, self.settings.infra_retry_budget_s)
        self._transport.after_fork()

    # ------------------------------------------------------------------ the transport
    @property
    def transport(self) -> Dispatch:
        """Where renders go: the local backends, Ray actors, a stub (started on first use)."""
        return self._transport

    def dispatch(self) -> Dispatch:
        """The transport (:attr:`transport`)."""
        return self._transport

    # ------------------------------------------------------------------ settings callers read
    @property
    def timeout_s(self) -> float:
        """The default per-render timeout."""
        return self.settings.timeout_s

    @property
    def max_pages(self) -> int:
        """Renders one process runs at once."""
        return self.settings.max_pages

    @property
    def version(self) -> str:
        """The renderer stack's version: codepaint, every JS asset and the browser (starts it)."""
        return self.dispatch().version()

    def gpu_info(self) -> dict[str, str | None]:
        """Which WebGL path the browser uses (starts it).

        Returns:
            ``mode`` (the ``gpu`` setting), ``backend`` (``"vulkan"`` or ``"egl"`` for a hardware
            path, ``"software"`` otherwise) and ``webgl_renderer`` (the ``UNMASKED_RENDERER_WEBGL``
            string a page reports; ``None`` without WebGL).
        """
        return self.dispatch().gpu_info()

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Release what renders (browser, workers, actors) and answer every render in flight ``infra``.

        Safe to call twice; a renderer used again afterwards starts afresh.
        """
        self._retries.close()
        self._transport.close()
        with self._inflight_lock:
            pending = list(self._inflight.items())
        for fut, (lang, seed) in pending:
            self._answer(fut, failed(lang, "infra", "infra: the renderer was closed while this render was "
                                     "in flight", seed=seed))

    def __enter__(self) -> RenderFront:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stats(self, **options: Any) -> dict[str, Any]:
        """How renders ended, what the cache saved, and what the transport did.

        Returns:
            ``renders`` (answered since creation, cache hits included), ``kinds`` (``"ok"`` or the
            ``error_kind`` -> count; every kind, zeros included), ``cache_hits`` (answered from the
            cache or by sharing an identical render in flight), ``deduplicated`` (those that shared
            one in flight), ``cache_hit_rate``, and the transport's own counters: always
            ``browser_launches``, ``browser_retries``, ``slots_made`` (zero before a browser starts;
            on Ray summed over the workers that answer), ``infra_retries`` and ``infra_retry_s``
            (renders started again after an ``infra`` answer, and the seconds that added:
            ``Renderer(infra_retries=...)``), and Ray's own (see
            :meth:`RayTransport.stats <codepaint_env.render.ray.transport.RayTransport.stats>`).
            The keys never depend on timing.

        Args:
            **options: The transport's (Ray's ``workers_timeout_s``).
        """
        with self._inflight_lock:
            kinds = {k: self._kinds.get(k, 0) for k in ("ok", *ERROR_KINDS)}
        renders = sum(kinds.values())
        return {"renders": renders, "kinds": kinds, "cache_hits": self.cache_hits,
                "deduplicated": self.deduplicated,
                "cache_hit_rate": self.cache_hits / renders if renders else 0.0,
                **self._retries.stats(), **self._transport.stats(**options)}

    # ------------------------------------------------------------------ rendering
    def render(self, code: Any, language: str = "auto", *, size: Size = 512, seed: int = 0,
               timeout_s: float | None = None, extract: bool = False, renderer: str = "auto") -> RenderResult:
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
            ValueError: For a malformed size, or a ``renderer`` the language does not have.
            RendererUnavailable: When the installation is broken (no browser, no JS assets).
        """
        return self.submit(code, language, size=size, seed=seed, timeout_s=timeout_s, extract=extract,
                           renderer=renderer).result()

    async def arender(self, code: Any, language: str = "auto", *, size: Size = 512, seed: int = 0,
                      timeout_s: float | None = None, extract: bool = False,
                      renderer: str = "auto") -> RenderResult:
        """:meth:`render` for async callers (any event loop)."""
        fut = self.submit(code, language, size=size, seed=seed, timeout_s=timeout_s, extract=extract,
                          renderer=renderer)
        return await asyncio.wrap_future(fut)

    def submit(self, code: Any, language: str = "auto", *, size: Size = 512, seed: int = 0,
               timeout_s: float | None = None, extract: bool = False,
               renderer: str = "auto") -> concurrent.futures.Future[RenderResult]:
        """Start one render and return at once: a future of its :class:`RenderResult`.

        Arguments are those of :meth:`render`; submit many, then collect, to render in parallel
        with per-program sizes and seeds (``render_many`` shares one of each). The future always
        ends in a result (``infra`` when the render could not be done); only a broken installation
        is its exception.
        """
        if renderer not in RENDERERS:
            raise ValueError(f"renderer {renderer!r}: choose one of {', '.join(RENDERERS)}")
        seed = int(seed)
        lang, text, early = self.prepare(code, language, seed, extract)
        if early is not None:
            return self._guard(done(early), lang, seed)
        width, height = parse_size(size)
        cls = backend_class(lang, renderer)  # raises for a renderer= the language does not have
        if cls is None:
            return self._guard(done(failed(lang, "unsupported", f"no renderer for {lang!r} is installed in "
                                           "this version of codepaint", seed=seed)), lang, seed)
        job = Job(lang, text, width, height, seed, float(timeout_s or self.settings.timeout_s), cls.name)
        started = self._cached_or_started(self._cache_key(job),
                                          lambda: self._retries.start(lambda: self.dispatch().start(job)))
        return self._guard(started, lang, seed)

    def render_many(self, codes: Iterable[Any], language: str | Sequence[str] = "auto", *, size: Size = 512,
                    seed: int = 0, timeout_s: float | None = None, extract: bool = False,
                    progress: bool | str = False, renderer: str = "auto") -> list[RenderResult]:
        """Render many programs concurrently; results keep input order.

        Args:
            codes: Programs (or completions, with ``extract=True``).
            language: One language for all, or one per program.
            size: Output size for all.
            seed: Seed for all.
            timeout_s: Per-render timeout.
            extract: Extract each program from a completion first.
            progress: Show a tqdm bar (a string sets its description).
            renderer: See :meth:`render`.

        Raises:
            ValueError: A list of languages of another length than the programs.
        """
        codes = list(codes)
        langs = [language] * len(codes) if isinstance(language, str) else list(language)
        if len(langs) != len(codes):
            raise ValueError(f"{len(langs)} languages for {len(codes)} programs")
        futs = [self.submit(c, lang, size=size, seed=seed, timeout_s=timeout_s, extract=extract,
                            renderer=renderer) for c, lang in zip(codes, langs, strict=True)]
        out: list[RenderResult | None] = [None] * len(futs)
        index = {id(f): i for i, f in enumerate(futs)}
        desc = progress if isinstance(progress, str) else "render"
        with tqdm(total=len(futs), desc=desc, disable=not progress, unit="prog") as bar:
            for f in concurrent.futures.as_completed(futs):
                out[index[id(f)]] = f.result()
                bar.update()
        return out  # type: ignore[return-value]

    # ------------------------------------------------------------------ interaction
    def interact(self, code: Any, language: str = "html", *, after: Callable[..., Awaitable[Any]],
                 size: Size = 512, seed: int = 0, timeout_s: float | None = None,
                 after_timeout_s: float = 30.0, track_listeners: bool = True) -> tuple[RenderResult, Any]:
        """Render one program, then act on the live page with ``after`` before it is reset.

        The render is always a fresh one: the cache is neither read nor written (a cached
        picture has no page to act on), so an interaction never changes what :meth:`render`
        returns. The :class:`RenderResult` is that of a plain render of the same program; what
        the page does during the hook (console, blocked requests and navigations, dialogs,
        popups) is reported in the ``Interaction`` only.

        Args:
            code: The program (already extracted).
            language: A registered language whose pages can be interacted with, or ``"auto"``.
            after: ``async after(page, cdp, cap)``, run with the Playwright page, its CDP session
                and the render's ``PageCapture``, only when the render finished; its return value
                becomes ``Interaction.result``. Keep it re-entrant: it runs again if the browser
                dies and the render is retried. On a Ray cluster it must pickle.
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
        return self.submit_interaction(code, language, after=after, size=size, seed=seed, timeout_s=timeout_s,
                                       after_timeout_s=after_timeout_s,
                                       track_listeners=track_listeners).result()

    def submit_interaction(self, code: Any, language: str = "html", *, after: Callable[..., Awaitable[Any]],
                           size: Size = 512, seed: int = 0, timeout_s: float | None = None,
                           after_timeout_s: float = 30.0,
                           track_listeners: bool = True) -> PairFuture:
        """:meth:`interact` without waiting: a future of ``(RenderResult, Interaction | None)``."""
        seed = int(seed)
        lang, text, early = self.prepare(code, language, seed, extract=False)
        width, height = parse_size(size)
        spec = LANGUAGES[lang]
        in_browser = spec.backend is not None and spec.backend.name == BROWSER
        if early is None and not (spec.interactive and in_browser):
            early = failed(lang, "unsupported", f"{lang!r} is not rendered in the browser: there is no page "
                           "to interact with", seed=seed)
        if early is not None:
            return self._guard(done((early, None)), lang, seed, pair=True)
        job = Job(lang, text, width, height, seed, float(timeout_s or self.settings.timeout_s), BROWSER)
        hook = Hook(after, float(after_timeout_s), bool(track_listeners))
        return self._guard(self.dispatch().start_interaction(job, hook), lang, seed, pair=True)

    # ------------------------------------------------------------------ preparation
    def prepare(self, code: Any, language: str, seed: int,
                extract: bool) -> tuple[str, str, RenderResult | None]:
        """``(language, program, failure or None)``: validation, extraction, detection and the size cap.

        Raises:
            UnknownLanguage: For a language name that is not registered.
        """
        lang = language or "auto"
        if lang != "auto":
            language_spec(lang)  # raises UnknownLanguage with the registered names
        text = extract_code(code, lang) if extract else ("" if code is None else str(code))
        if lang == "auto":
            lang = detect_language(text) if text.strip() else "p5"
        if not text.strip():
            return lang, text, failed(lang, "empty", "no code to render", seed=seed)
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > self.settings.max_code_bytes:
            limit = self.settings.max_code_bytes
            return lang, text, failed(lang, "too_large", f"the program is {size} bytes; the limit is {limit} "
                                      "(Renderer(max_code_bytes=...))", seed=seed)
        return lang, text, None

    # ------------------------------------------------------------------ cache and sharing
    def _cache_key(self, job: Job) -> str:
        s = self.settings
        parts = [job.language, str(job.width), str(job.height), str(job.seed), str(s.frames),
                 str(s.max_canvas), ",".join(s.allowed_api or ()), __version__, job.backend, job.code]
        return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def _cached_or_started(self, key: str, start: Callable[[], concurrent.futures.Future]
                           ) -> concurrent.futures.Future:
        """The cached result, the identical render already in flight, or ``start()``'s new one.

        Identical completions (common in a GRPO group early in training) render once even when
        they arrive together: the second shares the first's future. With the cache off
        (``cache_size=0``) every render is its own.
        """
        if not self.settings.cache_size:
            return start()
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.cache_hits += 1
                return done(hit)
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

    def _cache_put(self, key: str, result: RenderResult) -> None:
        # Timeouts and crashes may be the machine's fault (load), infra always is: never cached.
        if result.error_kind in ("timeout", "crash", "infra"):
            return
        limit = self.settings.cache_mb * 2**20
        with self._cache_lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._cache_bytes -= len(old.png or b"")
            self._cache[key] = result
            self._cache_bytes += len(result.png or b"")
            while self._cache and (len(self._cache) > self.settings.cache_size or self._cache_bytes > limit):
                _, dropped = self._cache.popitem(last=False)
                self._cache_bytes -= len(dropped.png or b"")

    # ------------------------------------------------------------------ the guard
    def _guard(self, fut: concurrent.futures.Future, lang: str, seed: int, *,
               pair: bool = False) -> concurrent.futures.Future:
        """The future callers get: it always ends in a result, never in an exception.

        Anything but a broken installation (``RendererUnavailable``) that escapes a dispatch, a
        cancellation (the renderer closed) included, becomes ``error_kind="infra"``: the render
        could not be done, which says nothing about the program.
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
        res = value[0] if isinstance(value, tuple) else value
        with self._inflight_lock:
            if self._inflight.pop(fut, None) is None:
                return  # answered already (close() raced the render)
            self._kinds[res.error_kind or "ok"] += 1
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            fut.set_result(value)
