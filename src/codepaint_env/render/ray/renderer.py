"""`RayRenderer`: a :class:`~codepaint_env.render.Renderer` whose renders are spread over a Ray cluster.

    >>> from codepaint_env.render import RayRenderer
    >>> with RayRenderer(4, worker_options={"num_cpus": 2}, max_pages=2) as rr:   # doctest: +SKIP
    ...     results = rr.render_many(programs, "p5brush", size=256)
    ...     rr.transport.workers                        # the Ray side: workers, wait_ready, name, owner

``RayRenderer(4, **kw)`` is ``Renderer(dispatch=RayTransport(4), **kw)``: the one render front over
a Ray transport (:class:`~codepaint_env.render.ray.transport.RayTransport`), as httpx's
``Client(transport=...)``; nothing of the front is re-implemented for Ray.

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

from typing import Any

from codepaint_env.render.ray.actors import (
    NAMESPACE,
    QUEUED_PER_PAGE,
    START_ATTEMPTS,
    STUCK_GRACE_S,
    WORKER_START_TIMEOUT_S,
)
from codepaint_env.render.ray.transport import RayTransport
from codepaint_env.render.renderer import Renderer

__all__ = ["NAMESPACE", "QUEUED_PER_PAGE", "START_ATTEMPTS", "STUCK_GRACE_S", "WORKER_START_TIMEOUT_S",
           "RayRenderer", "RayTransport"]


def RayRenderer(num_workers: int = 1, *, address: str | None = None,  # named for what it makes
                worker_options: dict[str, Any] | None = None, **renderer_kwargs: Any) -> Renderer:
    """A :class:`~codepaint_env.render.Renderer` rendering on ``num_workers`` Ray actors.

    See the module docstring for dispatch, faults, pickling and close; the Ray side is
    ``renderer.transport`` (:class:`RayTransport`: ``workers``, ``wait_ready``, ``name``, ``owner``).

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
    transport = RayTransport(num_workers, address=address, worker_options=worker_options,
                             renderer_kwargs=renderer_kwargs)
    return Renderer(dispatch=transport, **renderer_kwargs)
