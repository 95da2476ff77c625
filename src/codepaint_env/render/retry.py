"""Trying a render again when the machine, not the program, could not do it (``infra``).

A trainer wants an ``infra`` render answered at once: its sample is ``None`` (unjudged), the batch
goes on, and the sample is not lost to a wait. A command a person waits on (``codepaint demo``,
``score``, ``eval``) must give an answer instead: on an overloaded machine, a browser killed from
outside or a worker restarted, the same render a little later usually succeeds. So a renderer
made with ``infra_retries=N`` starts an ``infra`` render again, up to ``N`` times, after a backoff
that doubles (1 s, 2 s, 4 s, ...), and never starts a try later than ``infra_retry_budget_s`` after
the first. What the program did is never retried: ``ok`` and every program fault (``timeout``
included: the load rule in :mod:`codepaint_env.render.load` already told it from a starved
machine) are answered as they come. The last try's result is the answer, ``infra`` included.

The retries and the seconds they added (from the first ``infra`` answer to the final one) are
counted in ``Renderer.stats()`` (``infra_retries``, ``infra_retry_s``), so a command can say
what its answer cost.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from codepaint_env.core.result import RenderResult

#: The first backoff in seconds; each retry waits twice the last one.
FIRST_BACKOFF_S = 1.0
#: ``infra_retries`` of the commands a person waits on for an answer (``demo``, ``score``, ``eval``).
COMMAND_RETRIES = 3


class InfraRetries:
    """A renderer's retries of ``infra`` renders: the policy, the pending backoffs and the counters.

    Args:
        retries: Tries after the first for a render answered ``infra`` (0: none).
        budget_s: No try starts later than this many seconds after the render's first.
        first_backoff_s: The wait before the first retry, doubled before each next one
            (default :data:`FIRST_BACKOFF_S`).
    """

    def __init__(self, retries: int, budget_s: float, first_backoff_s: float | None = None) -> None:
        self.retries = int(retries)
        self.budget_s = float(budget_s)
        self.first_backoff_s = FIRST_BACKOFF_S if first_backoff_s is None else float(first_backoff_s)
        self._lock = threading.Lock()
        #: Each render waiting on a backoff -> its timer and its last (``infra``) result.
        self._waiting: dict[concurrent.futures.Future, tuple[threading.Timer, RenderResult]] = {}
        self.count = 0
        self.seconds = 0.0

    def start(self, start: Callable[[], concurrent.futures.Future]) -> concurrent.futures.Future:
        """``start()``'s render, started again while it answers ``infra`` and the policy allows."""
        first = start()
        if self.retries < 1:
            return first
        out: concurrent.futures.Future = concurrent.futures.Future()
        began = time.monotonic()
        first_infra: list[float] = []  # when the first infra answer came (seconds counted from it)

        def landed(fut: concurrent.futures.Future, tries: int) -> None:
            if fut.cancelled():
                out.cancel()
                return
            error = fut.exception()
            if error is not None:
                _settle(out, error=error)
                return
            result: RenderResult = fut.result()
            now = time.monotonic()
            wait = self.first_backoff_s * 2 ** (tries - 1)
            if result.error_kind == "infra" and tries <= self.retries and now + wait - began <= self.budget_s:
                first_infra[:1] = first_infra[:1] or [now]
                timer = threading.Timer(wait, again, args=(tries,))
                timer.daemon = True
                with self._lock:
                    self._waiting[out] = (timer, result)
                    self.count += 1
                timer.start()
                return
            if first_infra:
                with self._lock:
                    self.seconds += now - first_infra[0]
            _settle(out, result=result)

        def again(tries: int) -> None:
            with self._lock:
                if self._waiting.pop(out, None) is None:
                    return  # the renderer was closed during the backoff: answered already
            try:
                fut = start()
            except BaseException as e:  # a broken installation found on the retry: its exception
                _settle(out, error=e)
                return
            fut.add_done_callback(lambda f: landed(f, tries + 1))

        first.add_done_callback(lambda f: landed(f, 1))
        return out

    def close(self) -> None:
        """Answer every render waiting on a backoff with its last (``infra``) result; start no more."""
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for out, (timer, result) in waiting.items():
            timer.cancel()
            _settle(out, result=result)

    def stats(self) -> dict[str, float]:
        """``infra_retries`` (tries started again) and ``infra_retry_s`` (seconds they added)."""
        with self._lock:
            return {"infra_retries": self.count, "infra_retry_s": round(self.seconds, 3)}


def describe_retries(stats: dict[str, Any]) -> str:
    """A command's line on its retries, from a renderer's ``stats()``.

    ``"2 renders tried again after an infra answer (the machine, not the program): 3.1 s"``.
    """
    return (f"{stats.get('infra_retries', 0)} renders tried again after an infra answer (the machine, not "
            f"the program): {stats.get('infra_retry_s', 0.0):.1f} s")


def _settle(fut: concurrent.futures.Future, *, result: RenderResult | None = None,
            error: BaseException | None = None) -> None:
    with contextlib.suppress(concurrent.futures.InvalidStateError):
        if error is not None:
            fut.set_exception(error)
        else:
            fut.set_result(result)
