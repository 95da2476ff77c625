"""`LocalDispatch`: renders in this process, on one instance of each backend a language needs."""

from __future__ import annotations

import logging
import threading
from typing import Any

from codepaint_env.render.backends import Backend, BrowserBackend
from codepaint_env.render.browser.pool import BrowserPool
from codepaint_env.render.dispatch import (
    BROWSER_COUNTERS,
    BackendContext,
    Hook,
    InteractionFuture,
    Job,
    RenderFuture,
    backend_class,
)
from codepaint_env.render.settings import RenderSettings

log = logging.getLogger("codepaint.render")


class LocalDispatch:
    """Renders in this process: one instance of each backend a language needs, made on first use."""

    def __init__(self, settings: RenderSettings) -> None:
        self.context = BackendContext(settings)
        self._lock = threading.Lock()
        self._backends: dict[type[Backend], Backend] = {}

    def backend(self, cls: type[Backend]) -> Backend:
        """This dispatch's instance of a backend class (made on first use)."""
        with self._lock:
            b = self._backends.get(cls)
            if b is None:
                b = self._backends[cls] = cls(self.context)
            return b

    def start(self, job: Job) -> RenderFuture:
        """Render on the job's backend."""
        cls = backend_class(job.language, job.backend)
        if cls is None:  # the front answers this before it dispatches
            raise ValueError(f"no backend renders {job.language!r}")
        return self.backend(cls).submit(job)

    def start_interaction(self, job: Job, hook: Hook) -> InteractionFuture:
        """Render in the browser and act on the page."""
        return self.browser().interact(job, hook)

    def browser(self) -> BrowserBackend:
        """The browser backend (its pool starts on first use)."""
        return self.backend(BrowserBackend)  # type: ignore[return-value]

    @property
    def pool(self) -> BrowserPool:
        """The browser pool (started on first use)."""
        return self.browser().pool

    def version(self) -> str:
        """The browser render stack's version (starts the browser)."""
        return self.browser().version()

    def gpu_info(self) -> dict[str, str | None]:
        """Which WebGL path the browser uses (starts it)."""
        browser = self.browser()
        pool = browser.pool
        return {"mode": self.context.settings.gpu, "backend": pool.gpu_backend or "software",
                "webgl_renderer": self.context.loop.submit(pool.webgl_renderer()).result(timeout=60)}

    def stats(self, **options: Any) -> dict[str, Any]:
        """The browser pool's counters (:data:`BROWSER_COUNTERS`; zero before it starts; no options)."""
        browser = self._backends.get(BrowserBackend)
        pool = getattr(browser, "_pool", None)
        if pool is None:
            return dict.fromkeys(BROWSER_COUNTERS, 0)
        return {"browser_launches": pool.launches, "browser_retries": pool.retries,
                "slots_made": pool.slots_made}

    def close(self) -> None:
        """Close every backend (the browser first, on the loop it runs on), then the threads."""
        with self._lock:
            backends, self._backends = list(self._backends.values()), {}
        for b in backends:
            try:
                b.close()
            except Exception:
                log.warning("codepaint: closing %s failed", type(b).__name__, exc_info=True)
        self.context.close()

    def after_fork(self) -> None:
        """The parent's backends are not this process's: forget them."""
        self._lock = threading.Lock()
        self._backends = {}
        self.context.after_fork()
