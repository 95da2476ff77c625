"""A reward call that can fail, hang or misbehave and still answers: :func:`score_guarded`.

A reward is code a user may have written, and its faults are the infrastructure's, not the
policy's: a reward that raises, runs past its deadline, or answers with the wrong number of
results gives every sample of the call an *unjudged* result (``None`` with a reason naming the
reward and what went wrong), never a score and never an exception out of a batch::

    results = score_guarded(reward, samples, timeout_s=600)   # one RewardResult per sample, always

The call runs on a daemon worker thread, so a call that hangs can be abandoned at its deadline: its
late result is dropped (and logged), and the caller goes on. Workers are reused
between calls, so a reward's thread-local state (an OCR engine per thread) is built once per
worker, not once per call. A call slower than :data:`SLOW_FRACTION` of its deadline is logged.

A *broken installation* still raises (:class:`~codepaint_env.core.errors.CodePaintError`: a missing
package, a judge that is not configured): its message says how to fix it, and an unjudged run on
it would only hide it.

Every door scores through this: the episode core (:func:`codepaint_env.episode.respond_all`, the
deadline :attr:`EpisodeSettings.reward_timeout_s <codepaint_env.episode.EpisodeSettings>`), the
trainers' batch scoring (:func:`codepaint_env.scoring.trainer.score_batch`:
``TrainerConfig.reward_timeout_s``), a reward called as TRL calls it (:meth:`Reward.__call__
<rewards.base.Reward.__call__>`) and ``codepaint serve``'s ``/score``; those last two take the
deadline from ``CODEPAINT_REWARD_TIMEOUT`` (:func:`default_timeout_s`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import math
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from codepaint_env.core.errors import CodePaintError
from codepaint_env.core.loop import after_fork
from rewards.result import RewardResult, Sample

__all__ = ["DEFAULT_REWARD_TIMEOUT_S", "REWARD_TIMEOUT_ENV", "SLOW_FRACTION", "MalformedAnswer", "OnFault",
           "RewardTimeout", "ascore_guarded", "check_timeout", "default_timeout_s", "score_guarded"]

log = logging.getLogger(__name__)

#: Seconds one reward call may take by default: above the judge's own bound on one judgment
#: (180 s, its retries included) for a batch that queues behind the judge's concurrency limit.
DEFAULT_REWARD_TIMEOUT_S = 600.0
#: The variable that sets the deadline for every door (``TrainerConfig.reward_timeout_s`` reads it).
REWARD_TIMEOUT_ENV = "CODEPAINT_REWARD_TIMEOUT"
#: A call that takes more than this fraction of its deadline is logged as slow.
SLOW_FRACTION = 0.5
_MAX_MESSAGE = 300

_pool: _Workers | None = None
_pool_lock = threading.Lock()


def check_timeout(value: Any, name: str = "reward_timeout_s") -> float:
    """``value`` as a deadline in seconds.

    Raises:
        ValueError: Not a positive, finite number (the message says what to give).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds (default "
                         f"{DEFAULT_REWARD_TIMEOUT_S:g}), not {value!r}")
    return float(value)


def default_timeout_s() -> float:
    """The deadline of a reward call: ``CODEPAINT_REWARD_TIMEOUT``, else :data:`DEFAULT_REWARD_TIMEOUT_S`.

    Raises:
        ValueError: A variable that is not a positive number of seconds.
    """
    raw = os.environ.get(REWARD_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_REWARD_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    return check_timeout(value, f"{REWARD_TIMEOUT_ENV}={raw!r}")


#: What a caller may do with a fault: ``on_fault(reason, error)`` (``error``: what the reward raised, or
#: a ``TimeoutError`` / ``TypeError`` naming the deadline or the malformed answer). Whatever it raises
#: propagates (``codepaint serve`` answers 500 naming the reward); else the samples are unjudged.
OnFault = Callable[[str, Exception], None]


def score_guarded(reward: Any, samples: Sequence[Sample], *, timeout_s: float | None = None,
                  on_fault: OnFault | None = None) -> list[RewardResult]:
    """``reward.score(samples)``, one result per sample whatever the reward does (module docstring).

    Args:
        reward: A reward (anything with ``score(samples) -> list[RewardResult]``).
        samples: The rendered samples.
        timeout_s: The call's deadline (default :func:`default_timeout_s`).
        on_fault: Told of a fault before the samples are answered unjudged (see :data:`OnFault`).

    Raises:
        CodePaintError: The reward raised one (a broken installation: the message says how to fix it).
    """
    samples = list(samples)
    if not samples:
        return []
    deadline = default_timeout_s() if timeout_s is None else check_timeout(timeout_s)
    context = contextvars.copy_context()  # the caller's context variables reach the reward
    start = time.perf_counter()
    future = _workers().submit(context.run, reward.score, samples)
    done, _ = concurrent.futures.wait([future], timeout=deadline)
    if not done:
        future.add_done_callback(lambda f: _late(reward, len(samples), start, f))
        return _fault(reward, samples, on_fault, RewardTimeout(reward, deadline))
    return _settled(reward, samples, on_fault, start, deadline, future)


async def ascore_guarded(reward: Any, samples: Sequence[Sample], *, timeout_s: float | None = None,
                         on_fault: OnFault | None = None) -> list[RewardResult]:
    """:func:`score_guarded` for async callers: ``await reward.ascore(samples)`` with the same guarantees.

    A reward without an ``ascore`` of its own runs its ``score`` on the workers (as
    :func:`score_guarded` does); a coroutine past its deadline is cancelled.
    """
    samples = list(samples)
    if not samples:
        return []
    deadline = default_timeout_s() if timeout_s is None else check_timeout(timeout_s)
    start = time.perf_counter()
    future = None
    if getattr(getattr(type(reward), "ascore", None), "_runs_score", False):  # Reward's: score in a thread
        future = _workers().submit(contextvars.copy_context().run, reward.score, samples)
        call: asyncio.Future[Any] = asyncio.wrap_future(future)
    else:
        call = asyncio.ensure_future(reward.ascore(samples))
    done, _ = await asyncio.wait({call}, timeout=deadline)
    if not done:
        call.cancel()
        if future is not None:
            future.add_done_callback(lambda f: _late(reward, len(samples), start, f))
        return _fault(reward, samples, on_fault, RewardTimeout(reward, deadline))
    return _settled(reward, samples, on_fault, start, deadline, call)


# ---------------------------------------------------------------------- what a fault answers
def _name(reward: Any) -> str:
    return str(getattr(reward, "__name__", None) or getattr(reward, "id", None) or type(reward).__name__)


class RewardTimeout(TimeoutError):
    """A reward call that ran past its deadline (what ``on_fault`` is told)."""

    def __init__(self, reward: Any, deadline: float) -> None:
        super().__init__(f"the reward {_name(reward)!r} ran past its deadline of {deadline:g} s")


class MalformedAnswer(TypeError):
    """A reward's answer that is not one :class:`RewardResult` per sample."""


def _answer(reward: Any, samples: Sequence[Sample], on_fault: OnFault | None,
            error: BaseException) -> list[RewardResult]:
    """What the reward raised: a broken installation raises again; anything else is a fault."""
    if isinstance(error, CodePaintError) or not isinstance(error, Exception):
        raise error  # the fix is in its message (or a KeyboardInterrupt, SystemExit: not ours to keep)
    return _fault(reward, samples, on_fault, error)


def _fault(reward: Any, samples: Sequence[Sample], on_fault: OnFault | None, error: Exception
           ) -> list[RewardResult]:
    """Every sample unjudged, the reason naming the reward and the fault; logged, told to ``on_fault``."""
    if isinstance(error, RewardTimeout):
        reason = str(error)
        log.warning("%s (%d sample(s) not judged; %s; a late result will be dropped)", reason, len(samples),
                    _render_seconds(samples))
    elif isinstance(error, MalformedAnswer):
        reason = str(error)
        log.warning("%s: not judged", reason)
    else:
        said = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        reason = f"the reward {_name(reward)!r} failed: {said[:_MAX_MESSAGE]}"
        log.warning("%s (%d sample(s) not judged)", reason, len(samples), exc_info=error)
    if on_fault is not None:
        on_fault(reason, error)
    return [RewardResult.unjudged(reason) for _ in samples]


def _settled(reward: Any, samples: Sequence[Sample], on_fault: OnFault | None, start: float, deadline: float,
             done: concurrent.futures.Future[Any] | asyncio.Future[Any]) -> list[RewardResult]:
    """The answer of a call that finished in time: its results, or unjudged ones for a fault."""
    _note_slow(reward, samples, time.perf_counter() - start, deadline)
    error = done.exception()
    if error is not None:
        return _answer(reward, samples, on_fault, error)
    return _checked(reward, samples, on_fault, done.result())


def _checked(reward: Any, samples: Sequence[Sample], on_fault: OnFault | None, answer: Any
             ) -> list[RewardResult]:
    """The reward's results if they are one :class:`RewardResult` per sample, else unjudged ones."""
    results = list(answer) if isinstance(answer, (list, tuple)) else None
    if results is not None and len(results) == len(samples) and \
            all(isinstance(r, RewardResult) for r in results):
        return results
    what = type(answer).__name__ if results is None else \
        f"{len(results)} result(s) ({', '.join(sorted({type(r).__name__ for r in results}))})"
    error = MalformedAnswer(f"the reward {_name(reward)!r} answered {what} for {len(samples)} sample(s)")
    return _fault(reward, samples, on_fault, error)


def _note_slow(reward: Any, samples: Sequence[Sample], seconds: float, deadline: float) -> None:
    if seconds > SLOW_FRACTION * deadline:
        log.warning("slow reward call: %r took %.2f s for %d sample(s) (deadline %g s; %s)", _name(reward),
                    seconds, len(samples), deadline, _render_seconds(samples))


def _late(reward: Any, n: int, start: float, future: concurrent.futures.Future[Any]) -> None:
    if future.cancelled():
        return
    log.warning("the reward %r finished %.2f s after its call began (%d sample(s)), past its deadline: "
                "its result was dropped", _name(reward), time.perf_counter() - start, n)


def _render_seconds(samples: Sequence[Sample]) -> str:
    """What the samples' renders took (``timings_ms["total"]``), for a log line."""
    totals = [s.render.timings_ms.get("total") for s in samples]
    known = [t for t in totals if t is not None]
    if not known:
        return "render times unknown"
    return f"renders {sum(known) / 1000:.2f} s in all, the slowest {max(known) / 1000:.2f} s"


# ---------------------------------------------------------------------- the workers
class _Workers:
    """Daemon worker threads, reused between calls (LIFO: the warmest first), one more when none is idle.

    Not a ``ThreadPoolExecutor``: its threads are joined at interpreter exit, so one hung reward would
    keep the process from ending; and a pool with a cap fills with hung calls. A hung call holds its
    thread (logged once its deadline passes); the others go on.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[Any]] = []
        self.started = 0

    def submit(self, fn: Any, *args: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            jobs = self._idle.pop() if self._idle else None
            if jobs is None:
                self.started += 1
                jobs = queue.SimpleQueue()
                threading.Thread(target=self._run, args=(jobs,), daemon=True,
                                 name=f"codepaint-reward-{self.started}").start()
        jobs.put((future, fn, args))
        return future

    def _run(self, jobs: queue.SimpleQueue[Any]) -> None:
        while True:
            future, fn, args = jobs.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as e:  # the caller decides what it means
                    future.set_exception(e)
            del future, fn, args  # nothing of a finished call stays alive while the worker waits
            with self._lock:
                self._idle.append(jobs)


def _workers() -> _Workers:
    """The process's reward workers (started on first use, afresh in a forked child)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = _Workers()
        return _pool


def _reset_after_fork() -> None:
    global _pool, _pool_lock
    _pool = None  # the parent's worker threads do not exist here
    _pool_lock = threading.Lock()


after_fork(_reset_after_fork)
