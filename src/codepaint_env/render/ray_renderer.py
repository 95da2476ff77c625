"""`RayRenderer`: the :class:`~codepaint_env.render.Renderer` API, with the renders spread over a Ray cluster.

    >>> from codepaint_env.render import RayRenderer
    >>> with RayRenderer(4, worker_options={"num_cpus": 2}, max_pages=2) as rr:   # doctest: +SKIP
    ...     results = rr.render_many(programs, "p5brush", size=256)

**Workers.** ``RayRenderer(N)`` starts N render worker actors; each holds a local ``Renderer``
built from the same keyword arguments (its own browser, sandbox and resvg workers; its own cache
off: the cache lives on the driver). A worker is an async actor that runs up to
:data:`QUEUED_PER_PAGE` + 1 times its ``max_pages`` renders at once through ``Renderer.arender``
(its ``max_pages`` renders at a time, the rest wait for a page inside it, so that a page that
frees never waits for a round trip to the driver). Ray places the workers by their resource
requests: ``worker_options`` goes to ``.options()`` (``num_cpus`` -- 1 unless given --,
``resources``, ``scheduling_strategy``, ``runtime_env``...). The workers are created and owned by
a small *registry* actor (no CPU, on the driver's node) named ``codepaint-render-<id>`` in the
``codepaint`` namespace: it alone replaces a dead worker (once per death, however many processes
notice it) and every copy of the renderer asks it for the current workers.

**Dispatch and backpressure.** Each renderer object has one dispatcher thread on the driver.
A render goes to the ready worker with the fewest renders in flight (ties: the one sent the
fewest so far). A worker never has more than (1 + :data:`QUEUED_PER_PAGE`) x its ``max_pages``
renders in flight; everything else waits on the driver, in submission order (retries first),
until a worker has room. :meth:`RayRenderer.submit` never blocks: it returns a
``concurrent.futures.Future`` at once whether or not a worker has room; only the small
``(program, options)`` record waits on the driver, never a picture. The bound is per renderer
object: copies in other processes each keep their own, and a worker runs at most its actor's
``max_concurrency`` calls at once (the rest wait in Ray's queue for that actor).

**Cache.** Validation, extraction, language detection, the size cap and the render cache are
the ``Renderer``'s own: the renderer keeps a driver-side ``Renderer`` that never renders and
uses its preparation, cache keys and cache. Identical renders in flight are de-duplicated (the
second shares the first's future), so rewards stacked on one batch -- one after another or at
the same time -- render each completion once. ``stats()`` reports ``cache_hits`` (in-flight
shares included), ``deduplicated`` and ``dispatched``.

**Faults.** A program that fails is an answer (its ``error_kind``), never retried. A worker
that dies (``ray.kill``, its process or node lost: ``RayActorError``, ``ActorDiedError``,
``ActorUnavailableError``) is killed for good and replaced by a new actor with the same options;
each of its renders in flight is retried once, on another worker (first in line); a render lost
twice (or lost to another Ray failure twice) is ``error_kind="infra"`` with the reason. A worker
that Ray still sees alive but that answers nothing (a frozen process) for twice the longest
timeout of its renders in flight plus :data:`STUCK_GRACE_S` is treated the same way. A worker
that cannot start (:data:`WORKER_START_TIMEOUT_S`, or its constructor failed) is replaced up to
:data:`START_ATTEMPTS` times in a row, then given up; with every worker given up, renders are
answered ``infra``. A broken installation on a worker (``RendererUnavailable``) raises, as
locally. Nothing else escapes: every future ends in a result.

**Pickling.** A pickled ``RayRenderer`` travels as the name of its registry (and its address,
options and arguments), not as new workers: the copy in another process (a Ray actor holding a
reward, a dataloader worker) reattaches to the same workers on first use, with its own
dispatcher and an empty cache and counters (:mod:`codepaint_env.core.pickling`'s rule for what
does not cross). A copy may replace a dead worker (through the registry), but only the object
that started the workers -- the owner -- kills them. A forked child is a copy too.

**Close.** ``close()`` stops the dispatcher and answers every render in flight or waiting with
``infra`` ("the renderer was closed"). The owner then closes each worker's ``Renderer`` (its
browser), kills the workers and the registry, and waits until Ray reports them dead: no actor and
no browser left behind. A copy only detaches. Safe to call twice; like ``Renderer``, a renderer
used again after ``close()`` starts afresh (the owner starts new workers). An owner forgotten
open is closed at exit. ``ray.init`` is called when no Ray session is running (``address`` is
passed to it; ``None`` starts a local one); the session is left running.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import logging
import os
import queue
import signal
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..core.errors import DependencyNotInstalled, RendererUnavailable
from ..core.loop import after_fork
from .browser import AfterHook, Interaction
from .load import descendants
from .renderer import RENDERERS, Renderer, Size, gather_many, parse_size
from .result import RenderResult, failed

if TYPE_CHECKING:
    from ray.actor import ActorHandle

__all__ = ["NAMESPACE", "QUEUED_PER_PAGE", "START_ATTEMPTS", "STUCK_GRACE_S", "WORKER_START_TIMEOUT_S",
           "RayRenderer"]

log = logging.getLogger("codepaint.render.ray")

#: The Ray namespace the registry actors are named in.
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
        self._renderer = Renderer(**{**renderer_kwargs, "cache_size": 0})
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

    async def interact(self, text: str, lang: str, after: AfterHook, size: tuple[int, int], seed: int,
                       timeout_s: float | None, after_timeout_s: float,
                       track_listeners: bool) -> tuple[RenderResult, Interaction | None]:
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
        loop = self._renderer._loop  # None: never rendered, nothing to let begin
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


# ---------------------------------------------------------------------- the dispatcher
@dataclass(eq=False)
class _Task:
    """One render (or interaction) to do, and the future its answer goes to."""

    method: str  # "render" or "interact"
    args: tuple[Any, ...]
    lang: str
    seed: int
    pair: bool  # an interaction: answered (result, interaction)
    patience_s: float  # how long it may take on a worker once started (timeouts, the hook's included)
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)
    tries: int = 0

    def answer(self, value: Any) -> None:
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            self.future.set_result(value)

    def infra(self, why: str) -> None:
        res = failed(self.lang, "infra", f"infra: {why}"[:500], seed=self.seed)
        self.answer((res, None) if self.pair else res)


@dataclass(eq=False)
class _Slot:
    """One worker slot: its current actor and the renders it is doing."""

    index: int
    generation: int
    handle: Any
    ready: bool = False
    started: float = field(default_factory=time.monotonic)
    failures: int = 0  # failed starts in a row
    broken: str | None = None  # why the slot was given up
    node_id: str | None = None
    pid: int | None = None
    max_pages: int = 1
    running: dict[Any, _Task] = field(default_factory=dict)  # ObjectRef -> task, this generation's
    heard: float = 0.0  # when it last answered, or last went from idle to busy
    sent: int = 0
    peak: int = 0

    @property
    def room(self) -> int:
        """Renders it may still be sent (its bound minus those in flight)."""
        return self.max_pages * (1 + QUEUED_PER_PAGE) - len(self.running)


class _Dispatcher:
    """The driver side of one renderer object: one thread that assigns, collects and retries.

    Every piece of its state is changed on its own thread only; callers and Ray's completion
    callbacks post events to its queue.
    """

    def __init__(self, ray: ModuleType, registry: Any, workers: list[tuple[int, Any]],
                 broken: str | None = None) -> None:
        self._ray = ray
        self.registry = registry
        self.slots = [_Slot(i, gen, h) for i, (gen, h) in enumerate(workers)]
        self._events: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._pending: deque[_Task] = deque()
        self.broken = broken
        self.retries = 0
        self.replaced = 0
        self.dispatched = 0
        self.started = threading.Condition()  # notified when a worker starts or is given up
        self._thread = threading.Thread(target=self._run, name="codepaint-ray-dispatch", daemon=True)
        for slot in self.slots:
            self._watch_start(slot)
        self._thread.start()

    # ------------------------------------------------------------------ from other threads
    def submit(self, task: _Task) -> None:
        """Queue a task (any thread); its future is answered whatever happens."""
        self._events.put(("task", task))

    @property
    def pending(self) -> int:
        """Tasks waiting on the driver for a worker with room."""
        return len(self._pending)

    def stop(self) -> None:
        """Stop the thread; answer every task it holds (in flight or waiting) as closed."""
        self._events.put(("stop",))
        if threading.current_thread() is not self._thread:
            self._thread.join(CLOSE_TIMEOUT_S)
        tasks = list(self._pending)
        self._pending.clear()
        for slot in self.slots:
            tasks += slot.running.values()
        with contextlib.suppress(queue.Empty):
            while True:
                event = self._events.get_nowait()
                tasks += [x for x in event if isinstance(x, _Task)]
        for task in tasks:
            task.infra("the renderer was closed while this render was in flight")

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        while True:
            try:
                event = self._events.get(timeout=1.0)
            except queue.Empty:
                event = None
            if event is not None and event[0] == "stop":
                return
            try:
                if event is not None:
                    self._handle(event)
                self._check_times()
                self._assign()
            except Exception:  # a bug of ours: log it, keep answering
                log.exception("codepaint: the Ray render dispatcher failed on %r", event and event[0])

    def _handle(self, event: tuple[Any, ...]) -> None:
        kind = event[0]
        if kind == "task":
            task: _Task = event[1]
            if self.broken is not None:
                task.infra(self.broken)
            else:
                self._pending.append(task)
        elif kind == "done":
            self._on_done(*event[1:])
        elif kind == "started":
            self._on_started(*event[1:])

    def _assign(self) -> None:
        """Send waiting tasks to the ready workers with the fewest in flight, within their bound."""
        while self._pending:
            ready = [s for s in self.slots if s.ready and s.room > 0]
            if not ready:
                return
            slot = min(ready, key=lambda s: (len(s.running), s.sent))
            self._send(slot, self._pending.popleft())

    def _send(self, slot: _Slot, task: _Task) -> None:
        gen = slot.generation
        try:
            ref = getattr(slot.handle, task.method).remote(*task.args)
        except Exception as e:  # the handle is unusable (its actor is gone)
            why = f"the render worker could not be reached ({type(e).__name__})"
            self._lost(slot, gen, why)
            self._retry(task, why)
            return
        if not slot.running:
            slot.heard = time.monotonic()
        slot.running[ref] = task
        slot.sent += 1
        slot.peak = max(slot.peak, len(slot.running))
        if task.tries == 0:
            self.dispatched += 1
        ref.future().add_done_callback(lambda f: self._events.put(("done", slot, gen, ref, task, f)))

    def _on_done(self, slot: _Slot, gen: int, ref: Any, task: _Task, fut: concurrent.futures.Future) -> None:
        ex = self._ray.exceptions
        if slot.generation != gen:
            return  # from a worker since replaced: its renders were retried when it was
        slot.running.pop(ref, None)
        slot.heard = time.monotonic()
        try:
            value = fut.result()
        except RendererUnavailable as e:  # a broken installation on that node: raise, as locally
            cause = getattr(e, "cause", None)  # Ray's wrapper holds the worker's own exception
            with contextlib.suppress(concurrent.futures.InvalidStateError):
                task.future.set_exception(cause if isinstance(cause, RendererUnavailable) else e)
        except ex.RayActorError as e:  # the worker died or cannot be reached: replace it
            why = f"a render worker was lost ({type(e).__name__})"
            self._lost(slot, gen, why)
            self._retry(task, why)
        except ex.RayTaskError as e:  # an exception inside our worker code: a bug, not the program
            log.error("codepaint: a render failed inside a Ray render worker", exc_info=e)
            last = (str(e).strip().splitlines() or [repr(e)])[-1]
            task.infra(f"internal error in the render worker: {last}")
        except ex.RayError as e:  # the object or its node was lost, the node ran out of memory...
            self._retry(task, f"Ray lost the render ({type(e).__name__})")
        except Exception as e:
            log.error("codepaint: a Ray render failed", exc_info=e)
            task.infra(f"internal error {type(e).__name__}: {e}")
        else:
            task.answer(value)

    def _retry(self, task: _Task, why: str) -> None:
        """Retry once (on another worker: a lost one is replaced), first in line; then ``infra``."""
        task.tries += 1
        if task.tries > 1:
            task.infra(f"{why}; it had been retried once on another worker already")
        elif self.broken is not None:
            task.infra(f"{why}; {self.broken}")
        else:
            self.retries += 1
            self._pending.appendleft(task)

    def _lost(self, slot: _Slot, gen: int, why: str) -> None:
        """A worker of this generation died: replace it (once, whoever notices it first)."""
        if slot.generation == gen and slot.broken is None:
            self._replace(slot, why)

    def _replace(self, slot: _Slot, why: str) -> None:
        """A new actor in the slot (the registry kills the old one); retry what the old one had."""
        lost, slot.running = list(slot.running.values()), {}
        try:
            gen, handle = self._ray.get(self.registry.replace.remote(slot.index, slot.generation),
                                        timeout=CLOSE_TIMEOUT_S)
        except Exception as e:  # the registry is gone: the owner closed it or its node died
            self._break(f"the render workers' registry is gone ({type(e).__name__}): the RayRenderer "
                        "that started them was closed, or its process ended")
        else:
            if gen != slot.generation:
                self.replaced += 1
            slot.generation, slot.handle, slot.ready = gen, handle, False
            self._watch_start(slot)
        for task in reversed(lost):  # first in line, in their order; answers of the old one are ignored
            self._retry(task, why)

    def _watch_start(self, slot: _Slot) -> None:
        gen = slot.generation
        slot.started = time.monotonic()
        try:
            ref = slot.handle.ready.remote()
        except Exception as e:
            self._start_failed(slot, f"{type(e).__name__}: {e}")
            return
        ref.future().add_done_callback(lambda f: self._events.put(("started", slot, gen, f)))

    def _on_started(self, slot: _Slot, gen: int, fut: concurrent.futures.Future) -> None:
        if slot.generation != gen or slot.broken is not None:
            return
        try:
            info = fut.result()
        except Exception as e:
            self._start_failed(slot, type(e).__name__)
            return
        slot.node_id, slot.pid, slot.max_pages = info["node_id"], info["pid"], int(info["max_pages"])
        with self.started:
            slot.ready, slot.failures = True, 0
            self.started.notify_all()

    def _check_times(self) -> None:
        """Replace workers that did not start in time, and workers that stopped answering."""
        now = time.monotonic()
        for slot in self.slots:
            if slot.broken is not None:
                continue
            if not slot.ready and now - slot.started > WORKER_START_TIMEOUT_S:
                self._start_failed(slot, f"not started after {WORKER_START_TIMEOUT_S:.0f} s (no room "
                                   "in the cluster for its worker_options?)")
            elif slot.running:
                limit = 2 * max(t.patience_s for t in slot.running.values()) + STUCK_GRACE_S
                if now - slot.heard > limit:
                    log.warning("codepaint: Ray render worker %d answered nothing for %.0f s with %d renders "
                                "in flight: replacing it", slot.index, now - slot.heard, len(slot.running))
                    self._lost(slot, slot.generation, f"a render worker answered nothing for "
                               f"{now - slot.heard:.0f} s (stuck)")

    def _start_failed(self, slot: _Slot, why: str) -> None:
        slot.failures += 1
        log.warning("codepaint: Ray render worker %d could not start (%s)", slot.index, why)
        if slot.failures < START_ATTEMPTS:
            self._replace(slot, f"a render worker could not start ({why})")
            return
        with self.started:
            slot.broken = f"render worker {slot.index} could not be started {START_ATTEMPTS} times ({why})"
            self.started.notify_all()
        if all(s.broken is not None for s in self.slots):
            self._break("no render worker could be started: " + "; ".join(s.broken or "" for s in self.slots))

    def _break(self, why: str) -> None:
        """Nothing can be rendered any more: answer what waits, and everything that comes."""
        self.broken = why
        while self._pending:
            self._pending.popleft().infra(why)


# ---------------------------------------------------------------------- the renderer
class RayRenderer:
    """:class:`Renderer`'s API, rendering on ``num_workers`` Ray actors (see the module docstring).

    Args:
        num_workers: Render worker actors to start; each is a ``Renderer(**renderer_kwargs)``.
        address: The Ray cluster to join when no Ray session is running in this process
            (``ray.init(address=...)``; ``None`` starts a local one). A running session is joined.
        worker_options: Passed to each worker's ``.options()``: ``num_cpus`` (default 1),
            ``num_gpus``, ``memory``, ``resources``, ``scheduling_strategy``, ``runtime_env``,
            ``max_concurrency``... (``name``, ``namespace``, ``lifetime``, ``get_if_exists``,
            ``max_restarts`` and ``max_task_retries`` are the renderer's own).
        **renderer_kwargs: :class:`Renderer` arguments: the workers' renderers are built with them
            (without their cache); ``cache_size`` and ``cache_mb`` size the driver's cache.

    Raises:
        DependencyNotInstalled: When Ray is not installed.
        ValueError: On a bad argument (checked here, before any actor starts).
    """

    def __init__(self, num_workers: int = 1, *, address: str | None = None,
                 worker_options: dict[str, Any] | None = None, **renderer_kwargs: Any) -> None:
        if num_workers < 1:
            raise ValueError("num_workers must be at least 1")
        reserved = sorted(set(worker_options or {}) & set(_RESERVED_OPTIONS))
        if reserved:
            raise ValueError(f"worker_options {', '.join(reserved)}: set by RayRenderer itself")
        _import_ray()
        self._setup(num_workers, address, dict(worker_options or {}), renderer_kwargs,
                    registry_name=None, owner=True)
        self._dispatcher(raise_errors=True)  # start the workers now: errors show here, placement too
        # Registered after ray's own exit hook (ray is imported by now), so it runs before it.
        atexit.register(_close_at_exit, weakref.ref(self))

    def _setup(self, num_workers: int, address: str | None, worker_options: dict[str, Any],
               renderer_kwargs: dict[str, Any], *, registry_name: str | None, owner: bool) -> None:
        self.num_workers = num_workers
        self.address = address
        self.worker_options = worker_options
        self.renderer_kwargs = dict(renderer_kwargs)
        #: The driver half of a Renderer: validation, extraction, cache keys, the cache, counting.
        self._front = Renderer(**renderer_kwargs)
        self._owner = owner
        self._registry_name = registry_name
        self._lock = threading.Lock()
        self._disp: _Dispatcher | None = None
        self._closed = False
        after_fork(obj=self)

    # ------------------------------------------------------------------ lifecycle
    def _dispatcher(self, *, raise_errors: bool = False) -> _Dispatcher:
        """This object's dispatcher: started (owner) or attached (copy) on first use.

        A cluster that cannot be reached is an exception when the renderer is built
        (``raise_errors``); later, a dispatcher that answers every render ``infra`` with the reason.
        """
        with self._lock:
            if self._disp is None:
                self._disp = self._connect(raise_errors)
                self._closed = False
            return self._disp

    def _connect(self, raise_errors: bool) -> _Dispatcher:
        ray = _import_ray()
        registry = None
        try:
            if not ray.is_initialized():
                ray.init(address=self.address)
            if self._owner:
                registry = self._start_registry(ray)
            else:
                registry = ray.get_actor(self._registry_name or "", namespace=NAMESPACE)
            workers = ray.get(registry.workers.remote(), timeout=CLOSE_TIMEOUT_S)
        except Exception as e:
            if self._owner and registry is not None:
                with contextlib.suppress(Exception):
                    ray.kill(registry, no_restart=True)  # takes any worker it made with it
            if raise_errors:
                raise
            if isinstance(e, ValueError) and not self._owner:  # get_actor: no such actor
                why = (f"the render workers' registry {self._registry_name!r} is gone: the RayRenderer "
                       "that started them was closed, or its process ended")
            else:
                why = f"the Ray cluster could not be reached ({type(e).__name__}: {e})"
            return _Dispatcher(ray, None, [], broken=why[:300])
        return _Dispatcher(ray, registry, workers)

    def _start_registry(self, ray: ModuleType) -> Any:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        pages = self.renderer_kwargs.get("max_pages") or _MAX_DEFAULT_PAGES
        options = {"num_cpus": 1, "max_concurrency": pages * (1 + QUEUED_PER_PAGE) + _SPARE_CALLS,
                   **self.worker_options, "max_restarts": 0, "max_task_retries": 0}
        self._registry_name = f"codepaint-render-{uuid.uuid4().hex[:12]}"
        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=True)
        cls = ray.remote(_Registry)
        registry = cls.options(name=self._registry_name, namespace=NAMESPACE, num_cpus=0,
                               max_restarts=0, scheduling_strategy=here)
        return registry.remote(self._registry_name, self.num_workers, options, self.renderer_kwargs)

    def close(self) -> None:
        """Answer every render in flight (``infra``); the owner also closes and kills its workers.

        Safe to call twice. The owner closes each worker's renderer (its browser), kills the
        workers and their registry, and waits until Ray reports each actor dead. A copy (an
        unpickled renderer) only detaches. The renderer starts afresh if it is used again.
        """
        with self._lock:
            disp, self._disp = self._disp, None
            self._closed = True
        if disp is not None:
            disp.stop()
        self._front.close()  # answers any caller's future still open
        if disp is not None and self._owner and disp.registry is not None:
            self._shut_down(disp)

    def _shut_down(self, disp: _Dispatcher) -> None:
        ray = disp._ray
        if not ray.is_initialized():  # the session ended: its actors ended with it (never re-init here)
            return
        handles = [s.handle for s in disp.slots]
        with contextlib.suppress(Exception):  # the current ones: a copy may have replaced some
            handles = [h for _, h in ray.get(disp.registry.workers.remote(), timeout=CLOSE_TIMEOUT_S)]
        try:
            ray.get(disp.registry.close.remote(CLOSE_TIMEOUT_S), timeout=2 * CLOSE_TIMEOUT_S)
        except Exception:
            log.warning("codepaint: the render workers' registry did not close them; killing them",
                        exc_info=True)
        actors = [*handles, disp.registry]
        for h in actors:
            with contextlib.suppress(Exception):
                ray.kill(h, no_restart=True)
        _wait_dead(ray, actors)

    def _after_fork(self) -> None:
        # A forked child is a copy: it reattaches on first use and never kills the workers.
        self._lock = threading.Lock()
        self._disp, self._owner = None, False

    def __reduce__(self) -> tuple[Any, ...]:
        disp = self._disp
        address = self.address
        if disp is not None:
            with contextlib.suppress(Exception):
                address = disp._ray.get_runtime_context().gcs_address
        state = {"num_workers": self.num_workers, "address": address, "worker_options": self.worker_options,
                 "renderer_kwargs": self.renderer_kwargs, "registry_name": self._registry_name}
        return (_attach, (state,))

    def __enter__(self) -> RayRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def workers(self) -> list[Any]:
        """The worker actors' handles, one per slot (a replaced worker's slot holds its replacement)."""
        if self._closed:
            return []
        return [s.handle for s in self._dispatcher().slots]

    def wait_ready(self, timeout_s: float = WORKER_START_TIMEOUT_S) -> bool:
        """Wait until every worker has started (or been given up); True when all are ready.

        Rendering needs no wait (renders wait on the driver for a started worker); this is for
        callers that want the whole cluster up first, e.g. before timing it.
        """
        disp = self._dispatcher()
        with disp.started:
            return disp.started.wait_for(
                lambda: all(s.ready or s.broken is not None for s in disp.slots), timeout_s
            ) and all(s.ready for s in disp.slots)

    @property
    def name(self) -> str | None:
        """The registry actor's name in :data:`NAMESPACE`; its workers are ``<name>.w<i>.<generation>``."""
        return self._registry_name

    @property
    def owner(self) -> bool:
        """True for the object that started the workers (only its ``close()`` kills them)."""
        return self._owner

    @property
    def version(self) -> str:
        """The renderer stack's version, as a worker reports it (starts its browser).

        Raises:
            RendererUnavailable: When there is no worker to ask, or its browser cannot start.
        """
        disp = self._dispatcher()
        if not disp.slots:
            raise RendererUnavailable(f"no render worker to ask for the version: {disp.broken}")
        return disp._ray.get(disp.slots[0].handle.version.remote())

    def stats(self, *, workers_timeout_s: float = 10.0) -> dict[str, Any]:
        """How renders ended, what the cache saved, and what each worker did.

        Args:
            workers_timeout_s: Bound on asking the workers for their browser counters.

        Returns:
            :meth:`Renderer.stats`'s keys (``renders``, ``kinds``, ``cache_hits`` -- in-flight
            shares included --, and the workers' summed ``browser_launches``,
            ``browser_retries``, ``slots_made`` where they answered), plus ``deduplicated``
            (renders that shared one in flight), ``dispatched`` (renders sent to a worker,
            retries excluded), ``retries``, ``workers_replaced``, ``pending`` (waiting on the
            driver), ``in_flight`` (on the workers) and ``workers``: per slot ``index``,
            ``generation``, ``ready``, ``node_id``, ``pid``, ``max_in_flight``, ``in_flight``,
            ``peak_in_flight``, ``sent`` and ``broken``; ``broken`` (why nothing can be rendered
            any more, else ``None``).
        """
        out = self._front.stats()
        disp = self._disp
        slots = [] if disp is None else list(disp.slots)
        out.update(dispatched=disp.dispatched if disp else 0, retries=disp.retries if disp else 0,
                   workers_replaced=disp.replaced if disp else 0, pending=disp.pending if disp else 0,
                   in_flight=sum(len(s.running) for s in slots), broken=disp.broken if disp else None)
        out["workers"] = [{"index": s.index, "generation": s.generation, "ready": s.ready,
                           "node_id": s.node_id, "pid": s.pid,
                           "max_in_flight": s.max_pages * (1 + QUEUED_PER_PAGE), "in_flight": len(s.running),
                           "peak_in_flight": s.peak, "sent": s.sent, "broken": s.broken} for s in slots]
        if disp is not None:
            out.update(_worker_counters(disp._ray, [s.handle for s in slots if s.ready], workers_timeout_s))
        return out

    # ------------------------------------------------------------------ rendering
    def render(self, code: Any, language: str = "auto", *, size: Size = 512, seed: int = 0,
               timeout_s: float | None = None, extract: bool = False, renderer: str = "auto") -> RenderResult:
        """Render one program on a worker: :meth:`Renderer.render`, same arguments and answers.

        Raises:
            UnknownLanguage: For a language name that is not registered.
            RendererUnavailable: When the installation on the worker's node is broken.
        """
        return self._submit(code, language, size, seed, timeout_s, extract, renderer).result()

    async def arender(self, code: Any, language: str = "auto", **kwargs: Any) -> RenderResult:
        """:meth:`render` for async callers (any event loop)."""
        fut = self._submit(code, language, kwargs.get("size", 512), kwargs.get("seed", 0),
                           kwargs.get("timeout_s"), kwargs.get("extract", False),
                           kwargs.get("renderer", "auto"))
        return await asyncio.wrap_future(fut)

    def submit(self, code: Any, language: str = "auto", *, size: Size = 512, seed: int = 0,
               timeout_s: float | None = None, extract: bool = False,
               renderer: str = "auto") -> concurrent.futures.Future:
        """Start one render and return at once: a future of its :class:`RenderResult`.

        It never blocks: when every worker is full, the render waits on the driver (in order)
        until one has room.
        """
        return self._submit(code, language, size, seed, timeout_s, extract, renderer)

    def render_many(self, codes: Iterable[Any], language: str | Sequence[str] = "auto", *, size: Size = 512,
                    seed: int = 0, timeout_s: float | None = None, extract: bool = False,
                    progress: bool | str = False, renderer: str = "auto") -> list[RenderResult]:
        """Render many programs over the workers; results keep input order (see :meth:`Renderer.render_many`).

        Args:
            codes: Programs (or completions, with ``extract=True``).
            language: One language for all, or one per program.
            size: Output size for all.
            seed: Seed for all.
            timeout_s: Per-render timeout.
            extract: Extract each program from a completion first.
            progress: Show a tqdm bar (a string sets its description).
            renderer: See :meth:`Renderer.render`.
        """
        def submit(code: Any, lang: str) -> concurrent.futures.Future:
            return self._submit(code, lang, size, seed, timeout_s, extract, renderer)

        return gather_many(submit, codes, language, progress)

    def interact(self, code: Any, language: str = "html", *, after: AfterHook, size: Size = 512,
                 seed: int = 0, timeout_s: float | None = None, after_timeout_s: float = 30.0,
                 track_listeners: bool = True) -> tuple[RenderResult, Interaction | None]:
        """:meth:`Renderer.interact` on a worker; ``after`` is pickled to it.

        Raises:
            TypeError: When ``after`` cannot be pickled (``interaction.hook(...)`` can).
        """
        return self.submit_interaction(code, language, after=after, size=size, seed=seed, timeout_s=timeout_s,
                                       after_timeout_s=after_timeout_s,
                                       track_listeners=track_listeners).result()

    def submit_interaction(self, code: Any, language: str = "html", *, after: AfterHook, size: Size = 512,
                           seed: int = 0, timeout_s: float | None = None, after_timeout_s: float = 30.0,
                           track_listeners: bool = True) -> concurrent.futures.Future:
        """:meth:`interact` without waiting: a future of ``(RenderResult, Interaction | None)``."""
        seed = int(seed)
        lang, text, early = self._front._prepare(code, language, seed, extract=False)
        width, height = parse_size(size)
        if early is not None:
            return self._front._guard(_done((early, None)), lang, seed, pair=True)
        disp = self._dispatcher()
        hook = after if disp.broken is not None else _put_hook(disp._ray, after)
        task = _Task("interact", (text, lang, hook, (width, height), seed, timeout_s, float(after_timeout_s),
                                  track_listeners), lang, seed, pair=True,
                     patience_s=self._patience(timeout_s) + float(after_timeout_s))
        disp.submit(task)
        return self._front._guard(task.future, lang, seed, pair=True)

    # ------------------------------------------------------------------ internals
    def _submit(self, code: Any, language: str, size: Size, seed: int, timeout_s: float | None,
                extract: bool, renderer: str) -> concurrent.futures.Future:
        """Validate and prepare here (the Renderer's own code), then the cache, then a worker."""
        if renderer not in RENDERERS:
            raise ValueError(f"renderer {renderer!r}: choose one of {', '.join(RENDERERS)}")
        seed = int(seed)
        lang, text, early = self._front._prepare(code, language, seed, extract)
        if early is not None:
            return self._front._guard(_done(early), lang, seed)
        width, height = parse_size(size)
        cls = Renderer._backend_class(lang, renderer)  # raises for a renderer that cannot do lang
        task = _Task("render", (text, lang, (width, height), seed, timeout_s, renderer), lang, seed,
                     pair=False, patience_s=self._patience(timeout_s))
        if cls is None:  # no backend installed: the worker's renderer answers "unsupported"
            self._dispatcher().submit(task)
            return self._front._guard(task.future, lang, seed)
        key = self._front._cache_key(lang, text, width, height, seed, cls.name)
        return self._front._guard(self._cached_or_sent(key, task), lang, seed)

    def _patience(self, timeout_s: float | None) -> float:
        """How long one render may take on a worker: its timeout, or the default, whichever is longer."""
        return max(float(timeout_s or 0), self._front.timeout_s)

    def _cached_or_sent(self, key: str, task: _Task) -> concurrent.futures.Future:
        """The cached result, the same render already in flight, or ``task`` sent to a worker."""

        def send() -> concurrent.futures.Future:
            self._dispatcher().submit(task)
            return task.future

        return self._front._cached_or_started(key, send)


def _done(result: Any) -> concurrent.futures.Future:
    fut: concurrent.futures.Future = concurrent.futures.Future()
    fut.set_result(result)
    return fut


def _put_hook(ray: ModuleType, after: AfterHook) -> Any:
    """The ``after`` hook in Ray's object store (sent once, retries included).

    Raises:
        TypeError: When the hook cannot be pickled (it runs on a worker).
    """
    try:
        return ray.put(after)
    except TypeError as e:
        raise TypeError(f"RayRenderer runs the after hook on a render worker, so it must be picklable "
                        f"(cloudpickle), like codepaint_env.render.interaction.hook(...); {after!r} is not: "
                        f"{str(e).splitlines()[0]}") from e


def _attach(state: dict[str, Any]) -> RayRenderer:
    """Unpickle: a copy that reattaches to the owner's workers on first use."""
    rr = RayRenderer.__new__(RayRenderer)
    rr._setup(state["num_workers"], state["address"], state["worker_options"], state["renderer_kwargs"],
              registry_name=state["registry_name"], owner=False)
    return rr


def _worker_counters(ray: ModuleType, handles: list[Any], timeout_s: float) -> dict[str, int]:
    """The workers' browser counters, summed over those that answer in time."""
    refs = [h.stats.remote() for h in handles]
    done, _ = ray.wait(refs, num_returns=len(refs), timeout=timeout_s) if refs else ([], [])
    out: dict[str, int] = {}
    for ref in done:
        with contextlib.suppress(Exception):
            for k, v in ray.get(ref).items():
                if k in ("browser_launches", "browser_retries", "slots_made"):
                    out[k] = out.get(k, 0) + int(v)
    return out


def _wait_dead(ray: ModuleType, handles: list[Any]) -> None:
    """Wait (bounded) until each killed actor answers as dead."""
    deadline = time.monotonic() + CLOSE_TIMEOUT_S
    for h in handles:
        try:
            ref = h.__ray_ready__.remote()
        except Exception:
            continue
        with contextlib.suppress(Exception):
            ray.get(ref, timeout=max(0.1, deadline - time.monotonic()))


def _close_at_exit(ref: weakref.ref[RayRenderer]) -> None:
    # An owner forgotten open still closes its workers' browsers before Ray goes down.
    rr = ref()
    if rr is not None:
        with contextlib.suppress(Exception):
            rr.close()
