"""The reward protocol: :class:`Sample`, :class:`RewardResult` and the :class:`Reward` base class.

A reward is a picklable callable class. TRL's ``GRPOTrainer`` takes it as it is::

    reward = rewards.make_reward("execution_gate")
    reward(completions, prompts=prompts, language=["p5brush"] * len(completions))
    # -> [1.0, -1.0, ...]   (one float, or None when it could not be judged, per completion)

``__call__`` follows TRL's contract: completions (strings or chat message lists), ``prompts``,
and every dataset column as a keyword argument holding one value per completion (``language``,
``task_id``, ``subject``, ``colour_family``, ``size``, ``seed``...; a scalar applies to all).
It extracts the code, renders each completion through the shared renderer (whose cache means
five stacked rewards render a completion once), and calls :meth:`Reward.score`, which takes
already-rendered :class:`Sample` objects and returns a :class:`RewardResult` each: the value,
a breakdown, a rationale and the cost.

``None`` means "could not be judged" (judge down, model missing, a render the infrastructure
could not complete: ``error_kind="infra"``) and never becomes 0. A program that failed to
render gets the reward's minimum, which is a real score. Every reward, third-party ones
included, answers ``None`` for an ``infra`` render without ever seeing it: :class:`Reward`
wraps each subclass's ``score`` / ``ascore`` so (see :func:`infra_guarded`).

Backends bound by an API (the VLM judges) implement :meth:`Reward.ascore`; :meth:`Reward.as_async`
wraps any reward in a callable whose ``__call__`` is a coroutine function, which TRL awaits
concurrently with its other async rewards.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple, TypeVar

from codepaint_env.core.loop import LoopThread, after_fork
from codepaint_env.core.pickling import PicklesAsArguments
from codepaint_env.render import RenderResult, RenderService
from codepaint_env.render.extract import completion_text, extract_code
from rewards.guard import ascore_guarded, score_guarded
from rewards.result import RewardResult, Sample

T = TypeVar("T")

#: Keyword arguments TRL passes that are not dataset columns.
TRAINER_KWARGS = frozenset({"trainer_state", "log_extra", "log_metric", "completion_ids", "environments"})


class _PendingSample(NamedTuple):
    """A completion on its way to a :class:`Sample`: its program, columns and started renders."""

    code: str
    prompt: str | None
    meta: dict[str, Any]
    render: concurrent.futures.Future[RenderResult]
    previous: concurrent.futures.Future[RenderResult] | None

    def sample(self, res: RenderResult, previous: RenderResult | None) -> Sample:
        return Sample(code=self.code, language=res.language, render=res, prompt=self.prompt, meta=self.meta,
                      previous=previous)


class Reward(PicklesAsArguments):
    """Base class of every codepaint reward (see the module docstring for the protocol).

    Subclasses set :attr:`id` and :attr:`value_range`, and implement :meth:`score_one` (one
    sample at a time) or :meth:`score` / :meth:`ascore` (a batch, e.g. for concurrency).

    Args:
        renderer: The render service completions are rendered with (a ``Renderer`` or a
            ``RayRenderer``; default: the process-wide shared ``Renderer``, whose cache all
            rewards share).
        language: Language for completions whose ``language`` column is absent (``auto`` detects).
        size: Render size when the dataset has no ``size`` column.
        seed: Render seed when the dataset has no ``seed`` column.
        name: The name TRL logs this reward under (default: :attr:`id`).
    """

    #: Registry id.
    id: ClassVar[str] = "reward"
    #: The documented range of values (a failed render gets the minimum).
    value_range: ClassVar[tuple[float, float]] = (0.0, 1.0)
    #: False for rewards whose value may change between identical calls (a sampling judge).
    deterministic: ClassVar[bool] = True
    #: True for rewards that score samples against the others in their group (Pref-GRPO).
    scores_groups: ClassVar[bool] = False
    #: True for rewards that wait on a judge over HTTP (TRL should await them: :meth:`as_async`).
    awaits_judge: ClassVar[bool] = False
    #: False for rewards whose breakdown names per-task parts (one key per check of a task): logging
    #: each would make a sparse column per task; their :attr:`RewardResult.metrics` are logged instead.
    logs_breakdown: ClassVar[bool] = True

    def __init__(self, *, renderer: RenderService | None = None, language: str = "auto",
                 size: int | tuple[int, int] | str = 512,
                 seed: int = 0, name: str | None = None) -> None:
        self.renderer = renderer
        self.language = language
        self.size = size
        self.seed = seed
        self.__name__ = name or self.id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.__name__!r})"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("score", "ascore"):
            if name in cls.__dict__:
                setattr(cls, name, infra_guarded(cls.__dict__[name]))

    @classmethod
    def config_keys(cls) -> set[str]:
        """The keyword arguments the constructor takes (through the ``**kwargs`` chain)."""
        import inspect

        keys: set[str] = set()
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is None:
                continue
            params = inspect.signature(init).parameters.values()
            keys |= {p.name for p in params if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD}
            if not any(p.kind is p.VAR_KEYWORD for p in params):
                break
        keys.discard("self")
        return keys

    # ------------------------------------------------------------------ the TRL interface
    def __call__(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                 **kwargs: Any) -> list[float | None]:
        """Score completions (TRL's reward-function contract); one value or ``None`` each.

        The scoring is guarded (:func:`rewards.guard.score_guarded`): a reward that raises or runs
        past ``CODEPAINT_REWARD_TIMEOUT`` answers ``None`` for each completion, never an exception.
        """
        samples = self.build_samples(completions, prompts=prompts, **kwargs)
        results = score_guarded(self, samples)  # a fault or a hang: None with a reason (rewards.guard)
        self._log(results, kwargs, samples)
        return [r.value for r in results]

    async def acall(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                    **kwargs: Any) -> list[float | None]:
        """:meth:`__call__` for async callers."""
        samples = await self.abuild_samples(completions, prompts=prompts, **kwargs)
        results = await ascore_guarded(self, samples)
        self._log(results, kwargs, samples)
        return [r.value for r in results]

    def as_async(self) -> AsyncReward:
        """This reward as a callable whose ``__call__`` is async (TRL awaits it concurrently)."""
        return AsyncReward(self)

    # ------------------------------------------------------------------ scoring
    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score rendered samples; one :class:`RewardResult` per sample, in order."""
        return [self.score_one(s) for s in samples]

    async def ascore(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """:meth:`score` for async callers (default: runs :meth:`score` in a worker thread)."""
        return await asyncio.to_thread(self.score, list(samples))

    ascore._runs_score = True  # type: ignore[attr-defined]  # rewards.guard runs score on its own workers

    def score_one(self, sample: Sample) -> RewardResult:
        """Score one sample (subclasses implement this or :meth:`score`)."""
        raise NotImplementedError(f"{type(self).__name__} implements neither score_one nor score")

    def failed_render(self, sample: Sample, **breakdown: float | None) -> RewardResult:
        # (An infra render never gets here: score/ascore answer it with None first.)
        """The minimum, for a program that did not render a picture (a real score, not ``None``)."""
        r = sample.render
        why = f"render failed ({r.error_kind})" + (f": {r.messages[0]}" if r.messages else "")
        return RewardResult(self.value_range[0], breakdown=dict(breakdown), rationale=why)

    def logged(self, result: RewardResult) -> dict[str, float | None]:
        """What is logged as ``<name>/<key>``: the breakdown, unless :attr:`logs_breakdown` is off."""
        return dict(result.breakdown) if self.logs_breakdown else {}

    # ------------------------------------------------------------------ rendering
    def get_renderer(self) -> RenderService:
        """The renderer in use (the shared default unless one was given)."""
        if self.renderer is None:
            from codepaint_env.render import default_renderer

            return default_renderer()
        return self.renderer

    def build_samples(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                      **kwargs: Any) -> list[Sample]:
        """Extract and render completions into :class:`Sample` objects (in parallel)."""
        return [job.sample(job.render.result(), None if job.previous is None else job.previous.result())
                for job in self._start_renders(completions, prompts, kwargs)]

    async def abuild_samples(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                             **kwargs: Any) -> list[Sample]:
        """:meth:`build_samples` for async callers: the renders awaited on the running loop (no thread)."""
        jobs = self._start_renders(completions, prompts, kwargs)
        renders = await asyncio.gather(*(asyncio.wrap_future(job.render) for job in jobs))
        previous = await asyncio.gather(*(asyncio.wrap_future(job.previous) for job in jobs
                                          if job.previous is not None))
        earlier = iter(previous)
        return [job.sample(res, None if job.previous is None else next(earlier))
                for job, res in zip(jobs, renders, strict=True)]

    def _start_renders(self, completions: Sequence[Any], prompts: Sequence[Any] | None,
                       kwargs: Mapping[str, Any]) -> list[_PendingSample]:
        """Extract each completion's program and start its render (and its ``previous_code``'s)."""
        completions = list(completions)
        n = len(completions)
        columns = dataset_columns(n, kwargs)
        prompt_texts = [None] * n if prompts is None else [prompt_text(p) for p in _as_list(prompts, n)]
        renderer = self.get_renderer()
        jobs = []
        for i, completion in enumerate(completions):
            lang = columns[i].get("language") or self.language
            size, seed = columns[i].get("size") or self.size, columns[i].get("seed", self.seed)
            code = extract_code(completion, lang)
            render = renderer.submit(code, lang, size=size, seed=seed)
            prev = columns[i].get("previous_code")
            before = None if prev is None else renderer.submit(extract_code(prev, lang), lang, size=size,
                                                               seed=seed)
            jobs.append(_PendingSample(code, prompt_texts[i], columns[i], render, before))
        return jobs

    # ------------------------------------------------------------------ logging
    def _log(self, results: Sequence[RewardResult], kwargs: Mapping[str, Any],
             samples: Sequence[Sample] | None = None) -> None:
        """Log breakdown means, the unjudged fraction and the batch's monitors through TRL's ``log_metric``.

        The monitors (:mod:`rewards.monitors`, ``codepaint/<key>``) are the same for every reward
        function of one batch; TRL averages what it is given under one name, so two functions
        logging them change nothing. Without ``samples`` (a server scored them) there are none.
        """
        log_metric = kwargs.get("log_metric")
        if not callable(log_metric) or not results:
            return
        if samples is not None:
            from rewards.monitors import log_monitors

            log_monitors(log_metric, samples, results)
        keys: dict[str, list[float]] = {}
        for r in results:
            for k, v in self.logged(r).items():
                if v is not None:
                    keys.setdefault(k, []).append(v)
        for k, vals in keys.items():
            log_metric(f"{self.__name__}/{k}", sum(vals) / len(vals))
        log_metric(f"{self.__name__}/unjudged", sum(r.value is None for r in results) / len(results))


def infra_reason(sample: Sample) -> str | None:
    """Why a sample cannot be judged at all (its render is ``infra``), else ``None``."""
    r = sample.render
    if r.error_kind != "infra":
        return None
    return "not judged: the render could not be done (infra)" + (f": {r.messages[0]}" if r.messages else "")


def infra_guarded(method: Any) -> Any:
    """Wrap a ``score`` / ``ascore`` so ``infra`` samples get ``None`` and never reach it.

    The others are scored together, in order, by the wrapped method (a group reward ranks the
    samples that could be rendered among themselves). Idempotent.
    """
    if getattr(method, "_infra_guarded", False):
        return method

    def split(samples: Sequence[Sample]) -> tuple[list[Sample], list[RewardResult | None], list[int]]:
        samples = list(samples)
        out: list[RewardResult | None] = [None] * len(samples)
        keep = []
        for i, s in enumerate(samples):
            why = infra_reason(s)
            if why is None:
                keep.append(i)
            else:
                out[i] = RewardResult.unjudged(why)
        return samples, out, keep

    def merge(out: list[RewardResult | None], keep: list[int],
              scored: Sequence[RewardResult]) -> list[RewardResult]:
        for i, r in zip(keep, scored, strict=True):
            out[i] = r
        return out  # type: ignore[return-value]

    if asyncio.iscoroutinefunction(method):
        @functools.wraps(method)
        async def aguarded(self: Reward, samples: Sequence[Sample]) -> list[RewardResult]:
            samples, out, keep = split(samples)
            if len(keep) == len(samples):
                return await method(self, samples)
            return merge(out, keep, await method(self, [samples[i] for i in keep]) if keep else [])

        aguarded._infra_guarded = True  # type: ignore[attr-defined]
        return aguarded

    @functools.wraps(method)
    def guarded(self: Reward, samples: Sequence[Sample]) -> list[RewardResult]:
        samples, out, keep = split(samples)
        if len(keep) == len(samples):
            return method(self, samples)
        return merge(out, keep, method(self, [samples[i] for i in keep]) if keep else [])

    guarded._infra_guarded = True  # type: ignore[attr-defined]
    return guarded


class AsyncReward:
    """A reward whose ``__call__`` is a coroutine function (what TRL awaits concurrently).

    Picklable; ``__name__`` is the wrapped reward's.
    """

    def __init__(self, reward: Reward) -> None:
        self.reward = reward
        self.__name__ = reward.__name__

    async def __call__(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                       **kwargs: Any) -> list[float | None]:
        """Score completions; awaitable."""
        return await self.reward.acall(completions, prompts=prompts, **kwargs)

    def __repr__(self) -> str:
        return f"AsyncReward({self.reward!r})"


Reward.score = infra_guarded(Reward.score)  # type: ignore[method-assign]
Reward.ascore = infra_guarded(Reward.ascore)  # type: ignore[method-assign]


# ---------------------------------------------------------------------- helpers
def dataset_columns(n: int, kwargs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per-completion dicts of the dataset columns TRL passes (scalars apply to every row).

    A list of ``n`` values is one value per completion, as TRL passes every column. ``size`` may
    also be one ``(W, H)`` for all: a tuple always is, and a list of two ints is when there are
    not two completions (for two, ``[256, 128]`` is the column: sizes 256 and 128; write
    ``(256, 128)`` or ``"256x128"`` for one size).

    Raises:
        ValueError: A column whose length is not the number of completions.
    """
    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    for key, value in kwargs.items():
        if key in TRAINER_KWARGS:
            continue
        one_size = key == "size" and len(value) == 2 and all(isinstance(v, int) for v in value) and (
            isinstance(value, tuple) or n != 2) if isinstance(value, (list, tuple)) else False
        if isinstance(value, (list, tuple)) and not one_size:
            if len(value) != n:
                raise ValueError(f"column {key!r} has {len(value)} values for {n} completions")
            for row, v in zip(rows, value, strict=True):
                row[key] = v
        else:
            for row in rows:
                row[key] = value
    return rows


def prompt_text(prompt: Any) -> str | None:
    """The text of a prompt: a string, or a chat's last user message (its text parts).

    ``None`` for no prompt, and for a chat with no user message (a system prompt alone is not
    the request).
    """
    if prompt is None:
        return None
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list):
        users = [m for m in prompt if isinstance(m, Mapping) and m.get("role") == "user"]
        return completion_text([users[-1]]) if users else None
    return completion_text(prompt)


def _as_list(values: Sequence[Any], n: int) -> list[Any]:
    values = list(values)
    if len(values) != n:
        raise ValueError(f"{len(values)} prompts for {n} completions")
    return values


_loop_thread: LoopThread | None = None
_loop_lock = threading.Lock()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, even inside a running event loop.

    Uses one background loop thread per process, so objects bound to a loop (semaphores,
    HTTP clients) live on the same loop for every call.
    """
    return submit_coro(coro).result()


def submit_coro(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Schedule a coroutine on the process-wide background loop; a future of its result."""
    return asyncio.run_coroutine_threadsafe(coro, background_loop())


def background_loop() -> asyncio.AbstractEventLoop:
    """The process-wide event loop thread the judge client and async rewards run on.

    A :class:`~codepaint_env.core.loop.LoopThread` (the same kind the renderer runs its browser
    on), started on first use and started afresh in a forked child (``after_fork``).
    """
    global _loop_thread
    with _loop_lock:
        if _loop_thread is None or _loop_thread.loop.is_closed():
            _loop_thread = LoopThread("codepaint-rewards-loop")
        return _loop_thread.loop


def _reset_after_fork() -> None:
    global _loop_thread, _loop_lock
    _loop_thread = None  # the parent's thread does not exist here
    _loop_lock = threading.Lock()


after_fork(_reset_after_fork)
