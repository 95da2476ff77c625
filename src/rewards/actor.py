"""Any reward as a shared Ray actor: one model per cluster, batched across every caller.

    >>> import rewards
    >>> dino = rewards.make_reward("dino", model="models/dinov2-s",              # doctest: +SKIP
    ...                            ray_actor_options={"num_gpus": 0.25})
    >>> dino(completions, prompts=prompts, language="p5brush")                   # doctest: +SKIP

:func:`~rewards.make_reward` with ``ray_actor_options`` (a dict, ``{}`` included) builds an
:class:`ActorReward`: the reward itself (``dino``, ``clip``, any id, ``"module:Class"`` or class)
is built once, inside a Ray actor, with the other keyword arguments; every caller in the cluster
that builds the same configuration talks to that one actor.

How it works:

* **Rendering stays with the caller.** ``__call__`` renders the completions with the caller's
  renderer (``build_samples``), and :meth:`ActorReward.score` sends the rendered
  :class:`~rewards.base.Sample` objects to the actor, which runs the real reward's ``score``
  (``ascore``, so the judges stay concurrent). The renderer and the rendering arguments
  (``renderer``, ``language``, ``size``, ``seed``) and ``name`` stay on the caller's side and are
  not part of the actor's configuration.
* **What travels.** A sample pickles as its code, prompt, dataset columns and its
  :class:`~codepaint_env.render.RenderResult`, whose picture is its PNG bytes. The decoded PIL
  image a render caches on first use (``RenderResult.image``, ~3 bytes a pixel) is dropped before
  sending: the actor decodes the PNG again. A sample costs its PNG plus a few hundred bytes.
* **One actor per configuration.** The actor is named ``codepaint-reward-<id>-<hash>`` in the
  Ray namespace ``codepaint``, where the hash is a SHA-256 over the reward (its id or
  ``module:Class``), its arguments (a pool by its folder and content hash, a path as text,
  objects that pickle as their arguments by those arguments), the ``ray_actor_options``, the
  batching settings and codepaint's version. It is created with ``get_if_exists=True`` and the
  given ``ray_actor_options`` (``num_gpus``, ``num_cpus``, ``resources``, ``lifetime``...), so
  the first caller creates it and the others, in any process, find it. The actor builds the
  reward once (its model and its reference embeddings with it). When the reward takes a
  ``device`` and none was given, the actor uses ``cuda`` if Ray gave it a GPU, else ``cpu``.
  A cluster with no GPU at all runs an actor asked for ``num_gpus`` on CPU (with a warning), so
  the same code runs on a laptop.
* **Batching.** The actor is an async actor. A request waits up to ``batch_wait_ms`` for others
  (or until ``max_batch`` samples are waiting); the waiting requests are scored in one call of
  the reward over their concatenated samples and each caller gets its own slice, in order.
  Batches run one at a time; requests arriving meanwhile wait for the next. A reward that scores
  samples against their group (``scores_groups``) scores each request on its own, since
  another caller's samples would join its groups. When a batch raises, each of its requests is
  scored again on its own, so only the request that raises gets the exception.
  :meth:`ActorReward.stats` says how many requests, batches and samples the actor has seen.
* **Faults.** An actor that dies (``ray.kill``, its node lost, out of memory) or does not answer
  within ``timeout_s`` gives ``None`` for every sample of the call, with the reason
  (``infra: the reward actor died: ...``): never a score, never an exception. The next call
  creates the actor again. An exception raised by the reward itself is raised to the caller, as
  it would be in-process. Ray not installed raises
  :class:`~codepaint_env.core.errors.DependencyNotInstalled` (``pip install 'codepaint[ray]'``).
  A reward that cannot be built (a model that does not load) raises when the
  :class:`ActorReward` is made, and the actor is removed.
* **Ray.** When this process is not connected to Ray, it connects: to ``address`` when given
  (or ``RAY_ADDRESS``), else it starts a local Ray. The actor belongs to the process that
  created it (Ray's default), so it lives as long as that process (the trainer, usually); pass
  ``ray_actor_options={"lifetime": "detached"}`` for one that outlives it.
* **Pickling.** An :class:`ActorReward` pickles as its arguments (``core.pickling``): the copy in
  another process (connected to the same cluster) finds the same named actor; nothing is loaded
  again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import importlib
import os
import pickle
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from codepaint_env.core.errors import CodePaintError, DependencyNotInstalled
from codepaint_env.core.version import __version__
from codepaint_env.render import RenderResult
from rewards.base import Reward, RewardResult, Sample

#: The Ray namespace the reward actors are named in.
NAMESPACE = "codepaint"
#: The keyword arguments that stay with the caller (rendering and the logged name).
CALLER_KEYS = frozenset({"renderer", "language", "size", "seed", "name"})
INSTALL = "pip install 'codepaint[ray]'"
#: How long a new actor waits for a dead one's name to be released.
RELEASE_WAIT_S = 30.0


def require_ray() -> Any:
    """Import ray.

    Raises:
        DependencyNotInstalled: Ray is not installed; the message says how to install it.
    """
    try:
        return importlib.import_module("ray")
    except ImportError as e:
        raise DependencyNotInstalled(f"reward actors need Ray ({e}): {INSTALL}") from e


# ---------------------------------------------------------------------- the caller's side
class ActorReward(Reward):
    """A reward scored by a shared Ray actor (see the module docstring).

    Args:
        spec: The reward: an id, an alias, ``"module:Class"`` or a :class:`~rewards.base.Reward`
            subclass (not a built reward: its model would already be loaded here).
        ray_actor_options: Ray's actor options (``num_gpus``, ``num_cpus``, ``resources``,
            ``lifetime``, ``max_restarts``...); ``name``, ``namespace`` and ``get_if_exists`` are
            set here.
        max_batch: The most samples one batch takes (a larger request is scored alone).
        batch_wait_ms: How long a request waits for others before its batch runs.
        address: The Ray cluster to connect to when this process is not connected yet (``None``:
            ``RAY_ADDRESS``, else a new local Ray).
        timeout_s: How long a call waits for the actor before its samples are unjudged
            (``None``: no limit).
        **config: The reward's keyword arguments (``renderer``, ``language``, ``size``, ``seed``
            and ``name`` stay here; the others go to the actor).

    Raises:
        DependencyNotInstalled: Ray is not installed.
        CodePaintError: The actor could not build the reward (the reward's own error, e.g. a
            model that does not load, is raised as it is).
        TypeError: ``spec`` is a built reward.
        ValueError: ``max_batch`` < 1 or ``batch_wait_ms`` < 0.
    """

    id = "actor"

    def __init__(self, spec: Any, *, ray_actor_options: Mapping[str, Any] | None = None,
                 max_batch: int = 256, batch_wait_ms: float = 5.0, address: str | None = None,
                 timeout_s: float | None = None, **config: Any) -> None:
        super().__init__(**{k: v for k, v in config.items() if k in CALLER_KEYS})
        if isinstance(spec, Reward):
            raise TypeError(f"{spec!r} is already built (its model is loaded here): give its id or class "
                            "and its arguments, e.g. make_reward('dino', ..., ray_actor_options={...})")
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        if batch_wait_ms < 0:
            raise ValueError("batch_wait_ms must be >= 0")
        self.spec = spec
        self.config = {k: v for k, v in config.items() if k not in CALLER_KEYS}
        self.ray_actor_options = dict(ray_actor_options or {})
        for key in ("name", "namespace", "get_if_exists"):
            if key in self.ray_actor_options:
                raise ValueError(f"ray_actor_options[{key!r}] is set by codepaint (one named actor per "
                                 "reward configuration)")
        self.max_batch = int(max_batch)
        self.batch_wait_ms = float(batch_wait_ms)
        self.address = address
        self.timeout_s = timeout_s
        self.actor_name = actor_name(spec, self.config, self.ray_actor_options, self.max_batch,
                                     self.batch_wait_ms)
        self._ray = require_ray()
        self._lock = threading.Lock()
        self._actor: Any = None
        self._dead: set[str] = set()  # the actors this object saw die (their ids)
        info = self._connect(first=True)
        self.value_range = tuple(info["value_range"])  # type: ignore[misc]
        self.deterministic = bool(info["deterministic"])  # type: ignore[misc]
        self.scores_groups = bool(info["scores_groups"])  # type: ignore[misc]
        self.id = str(info["id"])  # type: ignore[misc]
        self.reward_repr = str(info["repr"])
        if config.get("name") is None:
            self.__name__ = str(info["name"])

    def __repr__(self) -> str:
        return f"ActorReward({self.reward_repr}, actor={self.actor_name!r})"

    # ------------------------------------------------------------------ the actor
    @property
    def actor(self) -> Any:
        """The Ray actor handle (created again if it died)."""
        with self._lock:
            if self._actor is None:
                self._connect()
            return self._actor

    def stats(self) -> dict[str, Any]:
        """The actor's counters and where it runs.

        Returns:
            ``requests`` (calls received), ``batches`` (calls of the reward), ``samples`` (scored),
            ``builds`` (rewards this actor built: 1), ``pid`` (its process) and ``device`` (where its
            model runs, for a reward with one).
        """
        return self._ray.get(self.actor.stats.remote())

    def _connect(self, *, first: bool = False) -> dict[str, Any]:
        """Find or create the named actor and wait until its reward is built; its description.

        Called with ``self._lock`` held, or from ``__init__``.
        """
        ray = self._ray
        if not ray.is_initialized():
            ray.init(address=self.address)
        options = dict(self.ray_actor_options)
        if float(options.get("num_gpus") or 0) > 0 and not ray.cluster_resources().get("GPU"):
            warnings.warn(f"the Ray cluster has no GPU: the {self.actor_name} actor runs on CPU "
                          f"(ray_actor_options asked for num_gpus={options['num_gpus']})", RuntimeWarning,
                          stacklevel=3)
            options["num_gpus"] = 0
        remote = _remote_class(ray)
        # A dead actor's name is released a moment after its death is seen: until then
        # get_if_exists returns the dead actor again. Wait for the name, not for a new death.
        deadline = time.monotonic() + RELEASE_WAIT_S
        while True:
            actor = remote.options(name=self.actor_name, namespace=NAMESPACE, get_if_exists=True,
                                   **options).remote(self.spec, self.config, self.max_batch,
                                                     self.batch_wait_ms)
            try:
                info = ray.get(actor.describe.remote(), timeout=self.timeout_s)
            except ray.exceptions.RayTaskError as e:
                ray.kill(actor, no_restart=True)  # it could not build the reward: don't keep it
                cause = getattr(e, "cause", None)
                if first and isinstance(cause, Exception):
                    raise cause from e  # the reward's own error (a model that does not load...)
                raise
            except ray.exceptions.RayActorError:
                if _actor_id(actor) in self._dead and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise
            except ray.exceptions.GetTimeoutError as e:
                if first:
                    raise CodePaintError(
                        f"the reward actor {self.actor_name} was not ready within {self.timeout_s} s: can "
                        f"the cluster place it (ray_actor_options={self.ray_actor_options})? ({e})") from e
                raise
            self._actor = actor
            return info

    def _forget(self, actor: Any) -> None:
        with self._lock:
            self._dead.add(_actor_id(actor))
            if self._actor is actor:
                self._actor = None

    # ------------------------------------------------------------------ scoring
    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score rendered samples on the actor (``None`` with the reason when the actor died)."""
        samples = [wire_sample(s) for s in samples]
        if not samples:
            return []
        ray = self._ray
        try:
            actor = self.actor
        except (ray.exceptions.RayError, CodePaintError) as e:
            return self._unjudged(None, e, len(samples))
        try:
            out = ray.get(actor.score.remote(samples), timeout=self.timeout_s)
        except ray.exceptions.RayTaskError:
            raise  # the reward's own exception, as in-process
        except ray.exceptions.RayError as e:
            return self._unjudged(actor, e, len(samples))
        return _checked(out, len(samples))

    async def ascore(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """:meth:`score` for async callers (awaits the actor without holding a thread)."""
        samples = [wire_sample(s) for s in samples]
        if not samples:
            return []
        ray = self._ray
        try:
            actor = self._actor or await asyncio.to_thread(lambda: self.actor)
        except (ray.exceptions.RayError, CodePaintError) as e:
            return self._unjudged(None, e, len(samples))
        try:
            ref = actor.score.remote(samples)
            out = await asyncio.wait_for(asyncio.wrap_future(ref.future()), self.timeout_s)
        except ray.exceptions.RayTaskError:
            raise  # the reward's own exception, as in-process
        except (ray.exceptions.RayError, asyncio.TimeoutError) as e:
            return self._unjudged(actor, e, len(samples))
        return _checked(out, len(samples))

    def _unjudged(self, actor: Any, error: BaseException, n: int) -> list[RewardResult]:
        if actor is not None:
            self._forget(actor)
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        if isinstance(error, (self._ray.exceptions.GetTimeoutError, asyncio.TimeoutError)):
            why = f"infra: the reward actor {self.actor_name} did not answer within {self.timeout_s} s"
        elif actor is None:
            why = f"infra: the reward actor {self.actor_name} could not be started: {first}"
        else:
            why = f"infra: the reward actor died: {type(error).__name__}: {first}"
        return [RewardResult.unjudged(why) for _ in range(n)]


def _actor_id(actor: Any) -> str:
    return str(getattr(actor, "_actor_id", None) or id(actor))


def _checked(out: Any, n: int) -> list[RewardResult]:
    if not isinstance(out, list) or len(out) != n:
        raise CodePaintError(f"the reward actor answered {type(out).__name__} for {n} samples")
    return out


def wire_render(r: RenderResult) -> RenderResult:
    """The render as it is sent: without the decoded picture it may cache (the PNG travels)."""
    return dataclasses.replace(r) if "image" in vars(r) else r


def wire_sample(s: Sample) -> Sample:
    """The sample as it is sent to the actor: its code, prompt, columns and PNG renders."""
    return dataclasses.replace(s, render=wire_render(s.render),
                               previous=None if s.previous is None else wire_render(s.previous))


# ---------------------------------------------------------------------- naming
def actor_name(spec: Any, config: Mapping[str, Any], ray_actor_options: Mapping[str, Any],
               max_batch: int, batch_wait_ms: float) -> str:
    """The actor's name: ``codepaint-reward-<id>-<hash of everything that defines it>``."""
    from rewards.registry import ALIASES

    if isinstance(spec, str):
        key: Any = ALIASES.get(spec, spec)
        label = key.rsplit(":", 1)[-1]
    elif isinstance(spec, type):
        key = f"{spec.__module__}:{spec.__qualname__}"
        label = spec.__qualname__
    else:
        raise TypeError(f"a reward actor is made from an id, 'module:Class' or a Reward class, not {spec!r}")
    payload = canonical({"reward": key, "config": dict(config), "options": dict(ray_actor_options),
                         "max_batch": max_batch, "batch_wait_ms": batch_wait_ms, "version": __version__})
    digest = hashlib.sha256(repr(payload).encode()).hexdigest()[:16]
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in label)[:40]
    return f"codepaint-reward-{safe}-{digest}"


def canonical(value: Any) -> Any:
    """A form of ``value`` whose ``repr`` is the same in every process for equal configurations.

    Pools by their folder and content hash, paths as their text, mappings and sets sorted, objects that
    pickle as their arguments (``core.pickling``) by class and arguments, classes by name; any
    other object by a hash of its pickle.
    """
    from codepaint_env.core.pickling import PicklesAsArguments
    from rewards.pool import ReferencePool

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return ("bytes", hashlib.sha256(value).hexdigest())
    if isinstance(value, os.PathLike):
        return os.fspath(value)  # a path and its text name the same thing
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, Mapping):
        items = [(canonical(k), canonical(v)) for k, v in value.items()]
        return ("map", sorted(items, key=repr))
    if isinstance(value, (set, frozenset)):
        return ("set", sorted((canonical(v) for v in value), key=repr))
    if isinstance(value, type):
        return ("class", f"{value.__module__}:{value.__qualname__}")
    if isinstance(value, ReferencePool):
        return ("pool", str(value.root), value.content_hash)
    if isinstance(value, PicklesAsArguments):
        args, kwargs = value._built_with
        return ("built", f"{type(value).__module__}:{type(value).__qualname__}", canonical(args),
                canonical(kwargs))
    return ("pickle", f"{type(value).__module__}:{type(value).__qualname__}",
            hashlib.sha256(pickle.dumps(value, protocol=4)).hexdigest())


# ---------------------------------------------------------------------- the actor's side
_REMOTE: Any = None
_REMOTE_LOCK = threading.Lock()


def _remote_class(ray: Any) -> Any:
    global _REMOTE
    with _REMOTE_LOCK:
        if _REMOTE is None:
            _REMOTE = ray.remote(RewardActor)
        return _REMOTE


class RewardActor:
    """The actor: builds the reward once and scores batches of every caller's requests.

    Not used directly: :class:`ActorReward` creates it (``ray.remote(RewardActor)``).

    Args:
        spec: The reward (id, ``"module:Class"`` or class).
        config: Its keyword arguments.
        max_batch: The most samples one batch takes.
        batch_wait_ms: How long a request waits for others.
    """

    def __init__(self, spec: Any, config: dict[str, Any], max_batch: int, batch_wait_ms: float) -> None:
        self.max_batch = max_batch
        self.batch_wait_s = batch_wait_ms / 1000.0
        self.requests = 0
        self.batches = 0
        self.samples = 0
        self.builds = 0
        self.error: BaseException | None = None
        self.reward: Reward | None = None
        self._queue: list[tuple[list[Sample], asyncio.Future[list[RewardResult]]]] = []
        self._pending = 0
        self._wake: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None
        try:
            self.reward = self._build(spec, dict(config))
            self.builds += 1
        except Exception as e:  # said by describe(), raised in the caller
            self.error = e

    @staticmethod
    def _build(spec: Any, config: dict[str, Any]) -> Reward:
        from rewards.instantiate import instantiate, reward_class

        cls = reward_class(spec)
        if "device" not in config and isinstance(cls, type) and issubclass(cls, Reward) \
                and "device" in cls.config_keys():
            import ray

            config["device"] = "cuda" if ray.get_gpu_ids() else "cpu"
        return instantiate(spec, **config)

    async def describe(self) -> dict[str, Any]:
        """The reward's id, range, flags, name and repr (raises the error that stopped its build)."""
        if self.reward is None:
            assert self.error is not None
            raise self.error
        r = self.reward
        return {"id": r.id, "value_range": tuple(r.value_range), "deterministic": bool(r.deterministic),
                "scores_groups": bool(r.scores_groups), "name": r.__name__, "repr": repr(r)}

    async def stats(self) -> dict[str, Any]:
        """The counters (see :meth:`ActorReward.stats`)."""
        encoder = getattr(self.reward, "encoder", None)
        return {"requests": self.requests, "batches": self.batches, "samples": self.samples,
                "builds": self.builds, "pid": os.getpid(), "device": getattr(encoder, "device", None)}

    async def score(self, samples: list[Sample]) -> list[RewardResult]:
        """Score one request's samples (batched with the other requests waiting)."""
        if self.reward is None:
            assert self.error is not None
            raise self.error
        loop = asyncio.get_running_loop()
        if self._wake is None:
            self._wake = asyncio.Event()
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._work())
        self.requests += 1
        fut: asyncio.Future[list[RewardResult]] = loop.create_future()
        self._queue.append((list(samples), fut))
        self._pending += len(samples)
        self._wake.set()
        return await fut

    async def _work(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        while True:
            while not self._queue:
                self._wake.clear()
                await self._wake.wait()
            deadline = loop.time() + self.batch_wait_s
            while self._pending < self.max_batch and (left := deadline - loop.time()) > 0:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), left)
                except asyncio.TimeoutError:
                    break
            await self._run(self._take())

    def _take(self) -> list[tuple[list[Sample], asyncio.Future[list[RewardResult]]]]:
        """The waiting requests of the next batch (whole requests, up to ``max_batch`` samples)."""
        assert self.reward is not None
        batch = [self._queue.pop(0)]
        n = len(batch[0][0])
        if not self.reward.scores_groups:
            while self._queue and n + len(self._queue[0][0]) <= self.max_batch:
                n += len(self._queue[0][0])
                batch.append(self._queue.pop(0))
        self._pending -= n
        return batch

    async def _run(self, batch: list[tuple[list[Sample], asyncio.Future[list[RewardResult]]]]) -> None:
        assert self.reward is not None
        flat = [s for samples, _ in batch for s in samples]
        self.batches += 1
        self.samples += len(flat)
        try:
            results = await self.reward.ascore(flat)
            if len(results) != len(flat):
                raise CodePaintError(f"{self.reward!r} returned {len(results)} results for "
                                     f"{len(flat)} samples")
        except Exception as e:
            if len(batch) > 1:  # score each request alone: only the one that raises gets the error
                for one in batch:
                    await self._run([one])
                return
            if not batch[0][1].done():
                batch[0][1].set_exception(e)
            return
        i = 0
        for samples, fut in batch:
            if not fut.done():
                fut.set_result(list(results[i:i + len(samples)]))
            i += len(samples)
