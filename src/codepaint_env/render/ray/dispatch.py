"""`RayDispatch`: renders sent to the render worker actors of a Ray cluster (see :mod:`.renderer`).

One dispatcher thread per renderer object on the driver: it assigns each render to the ready worker
with the fewest in flight (within its bound), collects answers, retries a render lost with its
worker once on another, replaces dead or stuck workers through the registry, and answers ``infra``
when nothing can render any more.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import queue
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from codepaint_env.core.errors import RendererUnavailable
from codepaint_env.core.result import failed
from codepaint_env.render.dispatch import BROWSER_COUNTERS, Hook, Job
from codepaint_env.render.load import GRACE_FACTOR
from codepaint_env.render.ray.actors import (
    _MAX_DEFAULT_PAGES,
    _SPARE_CALLS,
    CLOSE_TIMEOUT_S,
    NAMESPACE,
    QUEUED_PER_PAGE,
    START_ATTEMPTS,
    STUCK_GRACE_S,
    WORKER_START_TIMEOUT_S,
    _Registry,
)

log = logging.getLogger("codepaint.render.ray")


# ---------------------------------------------------------------------- the dispatcher
@dataclass(eq=False)
class _Task:
    """One render (or interaction) to do, and the future its answer goes to."""

    method: str  # "render" or "interact"
    args: tuple[Any, ...]
    lang: str
    seed: int
    pair: bool  # an interaction: answered (result, interaction)
    patience_s: float  # how long it may take on a worker once started (timeouts with their grace for a
    # starved render, the hook's included)
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


class RayDispatch:
    """A RayRenderer's :class:`~codepaint_env.render.dispatch.Dispatch`: its workers, reached by a registry.

    Built by :meth:`connect`: an owner starts a registry and its workers, a copy (an unpickled
    renderer, a forked child) attaches to the owner's registry by name. Only the owner's
    :meth:`close` kills the workers; a copy's only detaches.
    """

    def __init__(self, ray: ModuleType, registry: Any, workers: list[tuple[int, Any]], *, owner: bool,
                 broken: str | None = None) -> None:
        self._ray = ray
        self.registry = registry
        self.owner = owner
        self._disp = _Dispatcher(ray, registry, workers, broken=broken)

    @classmethod
    def connect(cls, ray: ModuleType, *, address: str | None, owner: bool, registry_name: str | None,
                num_workers: int, worker_options: dict[str, Any], renderer_kwargs: dict[str, Any],
                raise_errors: bool) -> tuple[RayDispatch, str | None]:
        """Start (owner) or attach to (copy) the registry; ``(dispatch, registry name)``.

        A cluster that cannot be reached raises with ``raise_errors`` (when the renderer is built);
        otherwise the dispatch answers every render ``infra`` with the reason.
        """
        registry = None
        try:
            if not ray.is_initialized():
                ray.init(address=address)
            if owner:
                registry_name = f"codepaint-render-{uuid.uuid4().hex[:12]}"
                registry = _start_registry(ray, registry_name, num_workers, worker_options, renderer_kwargs)
            else:
                registry = ray.get_actor(registry_name or "", namespace=NAMESPACE)
            workers = ray.get(registry.workers.remote(), timeout=CLOSE_TIMEOUT_S)
        except Exception as e:
            if owner and registry is not None:
                with contextlib.suppress(Exception):
                    ray.kill(registry, no_restart=True)  # takes any worker it made with it
            if raise_errors:
                raise
            if isinstance(e, ValueError) and not owner:  # get_actor: no such actor
                why = (f"the render workers' registry {registry_name!r} is gone: the RayRenderer that "
                       "started them was closed, or its process ended")
            else:
                why = f"the Ray cluster could not be reached ({type(e).__name__}: {e})"
            return cls(ray, None, [], owner=owner, broken=why[:300]), registry_name
        return cls(ray, registry, workers, owner=owner), registry_name

    # ------------------------------------------------------------------ the Dispatch contract
    def start(self, job: Job) -> concurrent.futures.Future:
        """Send a render to a worker (or wait on the driver, in order, until one has room)."""
        task = _Task("render", (job.code, job.language, (job.width, job.height), job.seed, job.timeout_s,
                                job.backend), job.language, job.seed, pair=False,
                     patience_s=GRACE_FACTOR * job.timeout_s)
        self._disp.submit(task)
        return task.future

    def start_interaction(self, job: Job, hook: Hook) -> concurrent.futures.Future:
        """Send an interaction to a worker; the hook goes through Ray's object store once."""
        after = hook.after if self._disp.broken is not None else _put_hook(self._ray, hook.after)
        args = (job.code, job.language, after, (job.width, job.height), job.seed, job.timeout_s,
                hook.after_timeout_s, hook.track_listeners)
        task = _Task("interact", args, job.language, job.seed, pair=True,
                     patience_s=GRACE_FACTOR * job.timeout_s + hook.after_timeout_s)
        self._disp.submit(task)
        return task.future

    def version(self) -> str:
        """The renderer stack's version, as a worker reports it (starts its browser).

        Raises:
            RendererUnavailable: When there is no worker to ask, or its browser cannot start.
        """
        return self._ask("version")

    def gpu_info(self) -> dict[str, str | None]:
        """A worker's WebGL path (starts its browser)."""
        return self._ask("gpu_info")

    def _ask(self, method: str) -> Any:
        if not self._disp.slots:
            raise RendererUnavailable(f"no render worker to ask: {self._disp.broken}")
        return self._ray.get(getattr(self._disp.slots[0].handle, method).remote())

    def stats(self, workers_timeout_s: float = 10.0) -> dict[str, Any]:
        """The dispatcher's counters, each worker slot, and the workers' summed browser counters."""
        disp = self._disp
        slots = list(disp.slots)
        out: dict[str, Any] = {
            "dispatched": disp.dispatched, "retries": disp.retries, "workers_replaced": disp.replaced,
            "pending": disp.pending, "in_flight": sum(len(s.running) for s in slots), "broken": disp.broken}
        out["workers"] = [{"index": s.index, "generation": s.generation, "ready": s.ready,
                           "node_id": s.node_id, "pid": s.pid,
                           "max_in_flight": s.max_pages * (1 + QUEUED_PER_PAGE), "in_flight": len(s.running),
                           "peak_in_flight": s.peak, "sent": s.sent, "broken": s.broken} for s in slots]
        out.update(_worker_counters(self._ray, [s.handle for s in slots if s.ready], workers_timeout_s))
        return out

    def close(self) -> None:
        """Stop the dispatcher (its renders end ``infra``); the owner also closes and kills its workers."""
        self._disp.stop()
        if self.owner and self.registry is not None:
            self._shut_down()

    def after_fork(self) -> None:
        """Not used: a forked child drops its parent's dispatch and attaches anew (see the renderer)."""

    # ------------------------------------------------------------------ the workers
    @property
    def slots(self) -> list[_Slot]:
        """The worker slots, each with its current actor."""
        return self._disp.slots

    def wait_ready(self, timeout_s: float) -> bool:
        """Wait until every worker has started (or been given up); True when all are ready."""
        disp = self._disp
        with disp.started:
            return disp.started.wait_for(
                lambda: all(s.ready or s.broken is not None for s in disp.slots), timeout_s
            ) and all(s.ready for s in disp.slots)

    def _shut_down(self) -> None:
        ray = self._ray
        if not ray.is_initialized():  # the session ended: its actors ended with it (never re-init here)
            return
        handles = [s.handle for s in self._disp.slots]
        with contextlib.suppress(Exception):  # the current ones: a copy may have replaced some
            handles = [h for _, h in ray.get(self.registry.workers.remote(), timeout=CLOSE_TIMEOUT_S)]
        try:
            ray.get(self.registry.close.remote(CLOSE_TIMEOUT_S), timeout=2 * CLOSE_TIMEOUT_S)
        except Exception:
            log.warning("codepaint: the render workers' registry did not close them; killing them",
                        exc_info=True)
        actors = [*handles, self.registry]
        for h in actors:
            with contextlib.suppress(Exception):
                ray.kill(h, no_restart=True)
        _wait_dead(ray, actors)


def _start_registry(ray: ModuleType, name: str, num_workers: int, worker_options: dict[str, Any],
                    renderer_kwargs: dict[str, Any]) -> Any:
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    pages = renderer_kwargs.get("max_pages") or _MAX_DEFAULT_PAGES
    options = {"num_cpus": 1, "max_concurrency": pages * (1 + QUEUED_PER_PAGE) + _SPARE_CALLS,
               **worker_options, "max_restarts": 0, "max_task_retries": 0}
    here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=True)
    cls = ray.remote(_Registry)
    registry = cls.options(name=name, namespace=NAMESPACE, num_cpus=0, max_restarts=0,
                           scheduling_strategy=here)
    return registry.remote(name, num_workers, options, renderer_kwargs)


def _put_hook(ray: ModuleType, after: Any) -> Any:
    """The ``after`` hook in Ray's object store (sent once, retries included).

    Raises:
        TypeError: When the hook cannot be pickled (it runs on a worker).
    """
    try:
        return ray.put(after)
    except TypeError as e:
        raise TypeError(f"RayRenderer runs the after hook on a render worker, so it must be picklable "
                        f"(cloudpickle), like codepaint_env.render.browser.interaction.hook(...); "
                        f"{after!r} is not: "
                        f"{str(e).splitlines()[0]}") from e


def _worker_counters(ray: ModuleType, handles: list[Any], timeout_s: float) -> dict[str, int]:
    """The workers' browser counters, summed over those that answer in time (every key, zero at least)."""
    refs = [h.stats.remote() for h in handles]
    done, _ = ray.wait(refs, num_returns=len(refs), timeout=timeout_s) if refs else ([], [])
    out: dict[str, int] = dict.fromkeys(BROWSER_COUNTERS, 0)
    for ref in done:
        with contextlib.suppress(Exception):
            for k, v in ray.get(ref).items():
                if k in out:
                    out[k] += int(v)
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
