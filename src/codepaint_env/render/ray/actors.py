"""The actors of a :class:`~codepaint_env.render.RayRenderer`: render workers and their registry.

A render worker holds one local :class:`~codepaint_env.render.Renderer` (its own browser, sandbox and
resvg workers; its cache off: the cache lives on the driver). The registry, a small actor on the
driver's node, is the one place workers are created and replaced (see :mod:`.renderer`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.core.result import RenderResult, failed
from codepaint_env.render.load import descendants
from codepaint_env.render.renderer import Renderer

if TYPE_CHECKING:
    from ray.actor import ActorHandle

NAMESPACE = "codepaint"
#: Renders queued inside a worker per page, beyond those its pages are rendering.
QUEUED_PER_PAGE = 1
#: A worker that has not started within this many seconds is replaced.
WORKER_START_TIMEOUT_S = 120.0
#: A worker slot whose new actor fails to start this many times in a row is given up.
START_ATTEMPTS = 3
#: A worker with renders in flight that answers nothing for twice the longest of their timeouts
#: plus this many seconds is taken for stuck (a frozen process): killed, replaced, renders retried.
STUCK_GRACE_S = 60.0
#: Bound on each step of :meth:`RayRenderer.close` (closing the browsers, the actors' deaths).
CLOSE_TIMEOUT_S = 30.0
#: Bound on a worker closing its renderer, before it kills what is left below it.
_WORKER_CLOSE_S = 20.0
#: ``worker_options`` keys the renderer manages itself.
_RESERVED_OPTIONS = ("name", "namespace", "lifetime", "get_if_exists", "max_restarts", "max_task_retries")
#: Calls beyond the renders a worker may run at once (ready, stats, version, close).
_SPARE_CALLS = 4
_MAX_DEFAULT_PAGES = 8  # the largest max_pages a Renderer picks by itself


def _import_ray() -> ModuleType:
    """The ``ray`` module, or the fix when it is not installed."""
    try:
        import ray
    except ImportError as e:
        raise DependencyNotInstalled("RayRenderer needs Ray, which is not installed: "
                                     "pip install 'codepaint[ray]'") from e
    return ray


# ---------------------------------------------------------------------- the actors
class _RenderWorker:
    """A render worker actor: one local :class:`Renderer` (browser, sandbox, resvg workers).

    Its methods run on the actor's event loop; the renderer's own loop and threads do the work.
    """

    def __init__(self, renderer_kwargs: dict[str, Any]) -> None:
        self._renderer = Renderer(**{**renderer_kwargs, "cache_size": 0, "infra_retries": 0})
        self._closing = False

    async def ready(self) -> dict[str, Any]:
        """Where it runs, and how many renders it runs at once."""
        import ray

        return {"node_id": ray.get_runtime_context().get_node_id(), "pid": os.getpid(),
                "max_pages": self._renderer.max_pages}

    async def render(self, text: str, lang: str, size: tuple[int, int], seed: int,
                     timeout_s: float | None, backend: str) -> RenderResult:
        """One prepared program (no extraction, a registered language)."""
        if self._closing:
            return failed(lang, "infra", "infra: the render worker was closing", seed=seed)
        return await self._renderer.arender(text, lang, size=size, seed=seed, timeout_s=timeout_s,
                                            renderer=backend)

    async def interact(self, text: str, lang: str, after: Any, size: tuple[int, int], seed: int,
                       timeout_s: float | None, after_timeout_s: float,
                       track_listeners: bool) -> tuple[RenderResult, Any]:
        """:meth:`Renderer.submit_interaction`, awaited."""
        if self._closing:
            return failed(lang, "infra", "infra: the render worker was closing", seed=seed), None
        fut = self._renderer.submit_interaction(text, lang, after=after, size=size, seed=seed,
                                                timeout_s=timeout_s, after_timeout_s=after_timeout_s,
                                                track_listeners=track_listeners)
        return await asyncio.wrap_future(fut)

    async def stats(self) -> dict[str, Any]:
        """The local renderer's :meth:`Renderer.stats`."""
        return self._renderer.stats()

    async def version(self) -> str:
        """The local renderer's :attr:`Renderer.version` (starts its browser)."""
        return await asyncio.to_thread(lambda: self._renderer.version)

    async def gpu_info(self) -> dict[str, str | None]:
        """The local renderer's :meth:`Renderer.gpu_info` (starts its browser)."""
        return await asyncio.to_thread(self._renderer.gpu_info)

    async def close(self) -> None:
        """Close the local renderer (its browser and workers); no process of it is left.

        New renders are refused first (on this loop, so none slips in), and every render already
        handed to the renderer's loop is let begin before it closes: a render that began after
        ``Renderer.close()`` would start a new browser pool on that loop and block it (the race
        is in ``BrowserBackend._render``). Whatever is still below this process afterwards (a
        close that did not finish in time) is killed.
        """
        self._closing = True
        await asyncio.to_thread(self._close_renderer)

    def _close_renderer(self) -> None:
        loop = self._renderer._local().context.loop_started  # None: nothing to let begin
        if loop is not None:
            with contextlib.suppress(Exception):
                loop.submit(asyncio.sleep(0)).result(timeout=_WORKER_CLOSE_S)
        closer = threading.Thread(target=self._renderer.close, name="codepaint-worker-close", daemon=True)
        closer.start()
        closer.join(_WORKER_CLOSE_S)
        for pid in descendants([os.getpid()]) - {os.getpid()}:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


class _Registry:
    """The actor that owns a renderer's workers: the one place they are created and replaced."""

    def __init__(self, name: str, num_workers: int, options: dict[str, Any],
                 renderer_kwargs: dict[str, Any]) -> None:
        import ray

        self._cls = ray.remote(_RenderWorker)
        self._name = name
        self._options = options
        self._kwargs = renderer_kwargs
        self._slots: list[tuple[int, ActorHandle]] = [(0, self._spawn(i, 0)) for i in range(num_workers)]

    def _spawn(self, index: int, generation: int) -> ActorHandle:
        """A new worker, named ``<registry>.w<index>.<generation>`` in the registry's namespace."""
        actor: Any = self._cls.options(name=f"{self._name}.w{index}.{generation}", namespace=NAMESPACE,
                                       **self._options).remote(self._kwargs)
        return actor

    def workers(self) -> list[tuple[int, ActorHandle]]:
        """``(generation, handle)`` of each worker slot."""
        return list(self._slots)

    def replace(self, index: int, generation: int) -> tuple[int, ActorHandle]:
        """Replace slot ``index``'s worker if it is still the given generation; the current one."""
        import ray

        gen, old = self._slots[index]
        if gen == generation:
            with contextlib.suppress(Exception):
                ray.kill(old, no_restart=True)
            self._slots[index] = (gen + 1, self._spawn(index, gen + 1))
        return self._slots[index]

    def close(self, timeout_s: float) -> None:
        """Close every worker's renderer (a bounded wait), then kill the workers."""
        import ray

        handles = [h for _, h in self._slots]
        ray.wait([h.close.remote() for h in handles], num_returns=len(handles), timeout=timeout_s)
        for h in handles:
            with contextlib.suppress(Exception):
                ray.kill(h, no_restart=True)
        self._slots = []
