"""`RayTransport`: a renderer's transport to render worker actors on a Ray cluster.

    >>> from codepaint_env.render import Renderer
    >>> from codepaint_env.render.ray import RayTransport
    >>> transport = RayTransport(4, worker_options={"num_cpus": 2})                  # doctest: +SKIP
    >>> with Renderer(dispatch=transport, max_pages=2) as r:                          # doctest: +SKIP
    ...     results = r.render_many(programs, "p5brush", size=256)

:func:`~codepaint_env.render.ray.renderer.RayRenderer` builds exactly that. The workers, their
dispatch, faults, pickling and close are described in :mod:`codepaint_env.render.ray.renderer`;
this class holds what the transport needs between them: where the cluster is, the workers'
options and ``Renderer`` arguments, the registry's name, and whether it owns the workers.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import threading
import weakref
from typing import Any

from codepaint_env.render.dispatch import BROWSER_COUNTERS, Hook, Job
from codepaint_env.render.ray.actors import _RESERVED_OPTIONS, WORKER_START_TIMEOUT_S, _import_ray
from codepaint_env.render.ray.dispatch import RayDispatch
from codepaint_env.render.settings import RenderSettings

__all__ = ["RayTransport"]


class RayTransport:
    """Renders on ``num_workers`` Ray actors, each a local ``Renderer`` (see :mod:`.renderer`).

    Args:
        num_workers: Render worker actors to start.
        address: The Ray cluster to join when no Ray session is running in this process
            (``ray.init(address=...)``; ``None`` starts a local one). A running session is joined.
        worker_options: Passed to each worker's ``.options()``: ``num_cpus`` (default 1),
            ``num_gpus``, ``memory``, ``resources``, ``scheduling_strategy``, ``runtime_env``...
        renderer_kwargs: The workers' ``Renderer`` arguments (default: the renderer's own, given
            to :meth:`bind`: those that differ from the defaults).

    Raises:
        DependencyNotInstalled: When Ray is not installed.
        ValueError: On a bad argument (checked here, before any actor starts).
    """

    def __init__(self, num_workers: int = 1, *, address: str | None = None,
                 worker_options: dict[str, Any] | None = None,
                 renderer_kwargs: dict[str, Any] | None = None) -> None:
        if num_workers < 1:
            raise ValueError("num_workers must be at least 1")
        reserved = sorted(set(worker_options or {}) & set(_RESERVED_OPTIONS))
        if reserved:
            raise ValueError(f"worker_options {', '.join(reserved)}: set by RayRenderer itself")
        if renderer_kwargs is not None:
            RenderSettings.from_kwargs(renderer_kwargs, what="RayRenderer")  # an unknown one: TypeError now
        _import_ray()
        self._setup(num_workers, address, dict(worker_options or {}), renderer_kwargs, None, owner=True)

    def _setup(self, num_workers: int, address: str | None, worker_options: dict[str, Any],
               renderer_kwargs: dict[str, Any] | None, registry_name: str | None, *, owner: bool) -> None:
        self.num_workers = num_workers
        self.address = address
        self.worker_options = worker_options
        self.renderer_kwargs = None if renderer_kwargs is None else dict(renderer_kwargs)
        self._owner = owner
        self._registry_name = registry_name
        self._lock = threading.Lock()
        self._ray: RayDispatch | None = None
        self._closed = False

    def bind(self, settings: RenderSettings) -> None:
        """Take the renderer's settings and, as the owner, start the workers now (errors show here)."""
        if self.renderer_kwargs is None:
            defaults = RenderSettings()
            self.renderer_kwargs = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)
                                    if f.name != "max_pages"  # each worker's own default (its CPUs)
                                    and getattr(settings, f.name) != getattr(defaults, f.name)}
        if self._owner:
            self._connect(raise_errors=True)
            # Registered after ray's own exit hook (ray is imported by now), so it runs before it.
            atexit.register(_close_at_exit, weakref.ref(self))

    # ------------------------------------------------------------------ the workers
    def _connect(self, *, raise_errors: bool) -> RayDispatch:
        with self._lock:
            self._closed = False
            if self._ray is None:
                self._ray, self._registry_name = RayDispatch.connect(
                    _import_ray(), address=self.address, owner=self._owner, registry_name=self._registry_name,
                    num_workers=self.num_workers, worker_options=self.worker_options,
                    renderer_kwargs=dict(self.renderer_kwargs or {}), raise_errors=raise_errors)
            return self._ray

    @property
    def workers(self) -> list[Any]:
        """The worker actors' handles, one per slot (a replaced worker's slot holds its replacement)."""
        return [] if self._closed else [s.handle for s in self._connect(raise_errors=False).slots]

    def wait_ready(self, timeout_s: float = WORKER_START_TIMEOUT_S) -> bool:
        """Wait until every worker has started (or been given up); True when all are ready."""
        return self._connect(raise_errors=False).wait_ready(timeout_s)

    @property
    def name(self) -> str | None:
        """The registry actor's name; its workers are ``<name>.w<i>.<generation>``."""
        return self._registry_name

    @property
    def owner(self) -> bool:
        """True for the object that started the workers (only its ``close()`` kills them)."""
        return self._owner

    # ------------------------------------------------------------------ the Dispatch contract
    def start(self, job: Job) -> Any:
        """Send a render to a worker (see :meth:`RayDispatch.start`)."""
        return self._connect(raise_errors=False).start(job)

    def start_interaction(self, job: Job, hook: Hook) -> Any:
        """Send an interaction to a worker (see :meth:`RayDispatch.start_interaction`)."""
        return self._connect(raise_errors=False).start_interaction(job, hook)

    def version(self) -> str:
        """The renderer stack's version, as a worker reports it."""
        return self._connect(raise_errors=False).version()

    def gpu_info(self) -> dict[str, str | None]:
        """A worker's WebGL path."""
        return self._connect(raise_errors=False).gpu_info()

    def stats(self, *, workers_timeout_s: float = 10.0, **options: Any) -> dict[str, Any]:
        """The dispatcher's counters and each worker's (see :meth:`RayDispatch.stats`).

        Args:
            workers_timeout_s: Bound on asking the workers for their browser counters.
            **options: Others' options (ignored).
        """
        ray = self._ray
        if ray is None:
            return {"dispatched": 0, "retries": 0, "workers_replaced": 0, "pending": 0, "in_flight": 0,
                    "broken": None, "workers": [], **dict.fromkeys(BROWSER_COUNTERS, 0)}
        return ray.stats(workers_timeout_s)

    def close(self) -> None:
        """Stop the dispatcher; the owner closes and kills its workers, a copy only detaches."""
        with self._lock:
            ray, self._ray = self._ray, None
            self._closed = True
        if ray is not None:
            ray.close()

    def after_fork(self) -> None:
        """A forked child is a copy: it reattaches on first use and never kills the workers."""
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

    def __repr__(self) -> str:
        return f"RayTransport({self.num_workers}, name={self._registry_name!r}, owner={self._owner})"


def _attach(state: dict[str, Any]) -> RayTransport:
    """Unpickle: a copy that reattaches to the owner's workers on first use."""
    transport = RayTransport.__new__(RayTransport)
    transport._setup(state["num_workers"], state["address"], state["worker_options"],
                     state["renderer_kwargs"], state["registry_name"], owner=False)
    return transport


def _close_at_exit(ref: weakref.ref[RayTransport]) -> None:
    # An owner forgotten open still closes its workers' browsers before Ray goes down.
    transport = ref()
    if transport is not None:
        with contextlib.suppress(Exception):
            transport.close()
