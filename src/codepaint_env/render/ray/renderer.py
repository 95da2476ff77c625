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

**Cache.** Validation, extraction, language detection, the size cap and the render cache are the
render front's (:mod:`codepaint_env.render.front`), the same as a local ``Renderer``'s: a
``RayRenderer`` is that front over :class:`~.dispatch.RayDispatch`. Identical renders in flight are
de-duplicated (the second shares the first's future), so rewards stacked on one batch -- one after
another or at the same time -- render each completion once. ``stats()`` reports ``cache_hits`` (in-
flight shares included), ``deduplicated`` and ``dispatched``.

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

import atexit
import contextlib
import threading
import weakref
from typing import Any

from codepaint_env.core.loop import after_fork
from codepaint_env.render.front import RenderFront
from codepaint_env.render.ray.actors import (
    _RESERVED_OPTIONS,
    NAMESPACE,
    QUEUED_PER_PAGE,
    START_ATTEMPTS,
    STUCK_GRACE_S,
    WORKER_START_TIMEOUT_S,
    _import_ray,
)
from codepaint_env.render.ray.dispatch import RayDispatch
from codepaint_env.render.settings import RenderSettings

__all__ = ["NAMESPACE", "QUEUED_PER_PAGE", "START_ATTEMPTS", "STUCK_GRACE_S", "WORKER_START_TIMEOUT_S",
           "RayRenderer"]


class RayRenderer(RenderFront):
    """:class:`~codepaint_env.render.Renderer`'s API, rendering on ``num_workers`` Ray actors.

    See the module docstring for dispatch, faults, pickling and close.

    Args:
        num_workers: Render worker actors to start; each is a ``Renderer(**renderer_kwargs)``.
        address: The Ray cluster to join when no Ray session is running in this process
            (``ray.init(address=...)``; ``None`` starts a local one). A running session is joined.
        worker_options: Passed to each worker's ``.options()``: ``num_cpus`` (default 1),
            ``num_gpus``, ``memory``, ``resources``, ``scheduling_strategy``, ``runtime_env``,
            ``max_concurrency``... (``name``, ``namespace``, ``lifetime``, ``get_if_exists``,
            ``max_restarts`` and ``max_task_retries`` are the renderer's own).
        **renderer_kwargs: :class:`~codepaint_env.render.Renderer` arguments (checked here: an
            unknown one is a ``TypeError``); the workers' renderers are built with them (without
            their cache); ``cache_size`` and ``cache_mb`` size the driver's cache.

    Raises:
        DependencyNotInstalled: When Ray is not installed.
        ValueError: On a bad argument (checked here, before any actor starts).
        TypeError: On an argument ``Renderer`` does not take.
    """

    def __init__(self, num_workers: int = 1, *, address: str | None = None,
                 worker_options: dict[str, Any] | None = None, **renderer_kwargs: Any) -> None:
        if num_workers < 1:
            raise ValueError("num_workers must be at least 1")
        reserved = sorted(set(worker_options or {}) & set(_RESERVED_OPTIONS))
        if reserved:
            raise ValueError(f"worker_options {', '.join(reserved)}: set by RayRenderer itself")
        settings = RenderSettings.from_kwargs(renderer_kwargs, what="RayRenderer")
        _import_ray()
        self._setup(num_workers, address, dict(worker_options or {}), renderer_kwargs, settings,
                    registry_name=None, owner=True)
        self._connect(raise_errors=True)  # start the workers now: errors show here, placement too
        # Registered after ray's own exit hook (ray is imported by now), so it runs before it.
        atexit.register(_close_at_exit, weakref.ref(self))

    def _setup(self, num_workers: int, address: str | None, worker_options: dict[str, Any],
               renderer_kwargs: dict[str, Any], settings: RenderSettings, *, registry_name: str | None,
               owner: bool) -> None:
        self._init_front(settings)
        self.num_workers = num_workers
        self.address = address
        self.worker_options = worker_options
        self.renderer_kwargs = dict(renderer_kwargs)
        self._owner = owner
        self._registry_name = registry_name
        self._lock = threading.Lock()
        self._ray: RayDispatch | None = None
        self._closed = False
        after_fork(obj=self)

    # ------------------------------------------------------------------ the dispatch
    def dispatch(self) -> RayDispatch:
        """The workers: started (owner) or attached to (copy) on first use."""
        return self._connect(raise_errors=False)

    def _connect(self, *, raise_errors: bool) -> RayDispatch:
        with self._lock:
            self._closed = False
            if self._ray is None:
                self._ray, self._registry_name = RayDispatch.connect(
                    _import_ray(), address=self.address, owner=self._owner, registry_name=self._registry_name,
                    num_workers=self.num_workers, worker_options=self.worker_options,
                    renderer_kwargs=self.renderer_kwargs, raise_errors=raise_errors)
            return self._ray

    def _close_dispatch(self) -> None:
        with self._lock:
            ray, self._ray = self._ray, None
            self._closed = True
        if ray is not None:
            ray.close()

    def _after_fork(self) -> None:
        # A forked child is a copy: it reattaches on first use and never kills the workers.
        self._after_fork_front()
        self._lock = threading.Lock()
        self._ray, self._owner = None, False

    def __reduce__(self) -> tuple[Any, ...]:
        address = self.address
        if self._ray is not None:
            with contextlib.suppress(Exception):
                address = self._ray._ray.get_runtime_context().gcs_address
        state = {"num_workers": self.num_workers, "address": address, "worker_options": self.worker_options,
                 "renderer_kwargs": self.renderer_kwargs, "registry_name": self._registry_name}
        return (_attach, (state,))

    def __enter__(self) -> RayRenderer:
        return self

    # ------------------------------------------------------------------ the workers
    @property
    def workers(self) -> list[Any]:
        """The worker actors' handles, one per slot (a replaced worker's slot holds its replacement)."""
        return [] if self._closed else [s.handle for s in self.dispatch().slots]

    def wait_ready(self, timeout_s: float = WORKER_START_TIMEOUT_S) -> bool:
        """Wait until every worker has started (or been given up); True when all are ready.

        Rendering needs no wait (renders wait on the driver for a started worker); this is for
        callers that want the whole cluster up first, e.g. before timing it.
        """
        return self.dispatch().wait_ready(timeout_s)

    @property
    def name(self) -> str | None:
        """The registry actor's name in :data:`NAMESPACE`; its workers are ``<name>.w<i>.<generation>``."""
        return self._registry_name

    @property
    def owner(self) -> bool:
        """True for the object that started the workers (only its ``close()`` kills them)."""
        return self._owner

    def stats(self, *, workers_timeout_s: float = 10.0) -> dict[str, Any]:
        """How renders ended, what the cache saved, and what each worker did.

        Args:
            workers_timeout_s: Bound on asking the workers for their browser counters.

        Returns:
            The front's keys (see :meth:`RenderFront.stats`) plus ``dispatched`` (renders sent to a
            worker, retries excluded), ``retries``, ``workers_replaced``, ``pending`` (waiting on
            the driver), ``in_flight`` (on the workers), ``workers`` (per slot ``index``,
            ``generation``, ``ready``, ``node_id``, ``pid``, ``max_in_flight``, ``in_flight``,
            ``peak_in_flight``, ``sent`` and ``broken``), the workers' summed ``browser_launches``,
            ``browser_retries``, ``slots_made``, and ``broken`` (why nothing can be rendered any
            more, else ``None``).
        """
        out = super().stats()
        ray = self._ray
        if ray is None:
            out.update(dispatched=0, retries=0, workers_replaced=0, pending=0, in_flight=0, broken=None,
                       workers=[])
        else:
            out.update(ray.stats(workers_timeout_s))
        return out


def _attach(state: dict[str, Any]) -> RayRenderer:
    """Unpickle: a copy that reattaches to the owner's workers on first use."""
    rr = RayRenderer.__new__(RayRenderer)
    settings = RenderSettings.from_kwargs(state["renderer_kwargs"], what="RayRenderer")
    rr._setup(state["num_workers"], state["address"], state["worker_options"], state["renderer_kwargs"],
              settings, registry_name=state["registry_name"], owner=False)
    return rr



def _close_at_exit(ref: weakref.ref[RayRenderer]) -> None:
    # An owner forgotten open still closes its workers' browsers before Ray goes down.
    rr = ref()
    if rr is not None:
        with contextlib.suppress(Exception):
            rr.close()
