"""`Batcher`: concurrent requests to one local policy decoded together, in one thread, with a bounded queue.

Each request is some rows (its ``n`` choices). One daemon thread takes the oldest waiting request,
collects more for a few milliseconds (``window_ms``) or until ``max_batch`` rows, and decodes them
all in one :meth:`~codepaint_env.policy.local.LocalPolicy.generate_rows` call (left-padded; each row
keeps its own settings and seed). While a batch decodes, new requests wait; the next batch takes as
many of them as fit. At most ``max_queue`` requests wait: one more is refused at once with
:class:`QueueFull` (``codepaint policy-server`` answers it ``503`` with ``Retry-After``), so a burst
never queues without bound.
"""

from __future__ import annotations

import collections
import concurrent.futures
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.core.errors import CodePaintError
from codepaint_env.policy.local import Choice, Row

__all__ = ["Batcher", "QueueFull"]


class QueueFull(CodePaintError):
    """The batcher's queue is full; ``retry_after`` is a guess in whole seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Job:
    rows: list[Row]
    future: concurrent.futures.Future[list[Choice]] = field(default_factory=concurrent.futures.Future)


class Batcher:
    """Batches requests to ``policy`` (see the module docstring): :meth:`start`, then :meth:`close`.

    Args:
        policy: Anything with ``generate_rows(rows) -> choices`` (a :class:`LocalPolicy`).
        max_batch: Most rows decoded together.
        max_queue: Most requests waiting; one more raises :class:`QueueFull`.
        window_ms: How long an idle batcher waits for more requests after the first.
    """

    def __init__(self, policy: Any, *, max_batch: int = 8, max_queue: int = 64,
                 window_ms: float = 5.0) -> None:
        if max_batch < 1 or max_queue < 1:
            raise ValueError("max_batch and max_queue must be at least 1")
        if not window_ms >= 0:
            raise ValueError("window_ms must be at least 0")
        self.policy = policy
        self.max_batch, self.max_queue, self.window_s = max_batch, max_queue, window_ms / 1000
        self._queue: collections.deque[_Job] = collections.deque()
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        self.running = 0  # requests in the batch being decoded
        self.batches = 0
        self.refused = 0
        self._recent: collections.deque[float] = collections.deque(maxlen=16)  # batch seconds

    @property
    def queued(self) -> int:
        """Requests waiting for a batch."""
        return len(self._queue)

    def start(self) -> Batcher:
        """Start the batching thread (idempotent); returns self."""
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="codepaint-policy-batcher",
                                                daemon=True)
                self._thread.start()
        return self

    def close(self) -> None:
        """Stop the thread after the batch in progress; waiting requests fail. Idempotent."""
        with self._cond:
            self._closed = True
            waiting = list(self._queue)
            self._queue.clear()
            self._cond.notify_all()
        for job in waiting:
            job.future.set_exception(CodePaintError("the policy server is shutting down"))
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=60)

    def retry_after_s(self) -> int:
        """Whole seconds until the queue has probably drained (at least 1)."""
        per_batch = sum(self._recent) / len(self._recent) if self._recent else 1.0
        ahead = sum(len(j.rows) for j in self._queue) / self.max_batch + 1
        return max(1, math.ceil(per_batch * ahead))

    def submit(self, rows: Sequence[Row]) -> concurrent.futures.Future[list[Choice]]:
        """Queue one request's rows; a future of its choices, in order.

        Raises:
            ValueError: No rows, or more than ``max_batch``.
            QueueFull: ``max_queue`` requests are waiting already.
        """
        if not rows:
            raise ValueError("a request needs at least one row")
        if len(rows) > self.max_batch:
            raise ValueError(f"n={len(rows)} is more than this server decodes at once (--max-batch "
                             f"{self.max_batch})")
        job = _Job(list(rows))
        with self._cond:
            if self._closed:
                raise CodePaintError("the policy server is shutting down")
            if len(self._queue) >= self.max_queue:
                self.refused += 1
                wait = self.retry_after_s()
                raise QueueFull(f"busy: {len(self._queue)} requests are waiting, the most this server queues "
                                f"(--max-queue {self.max_queue}); retry after {wait} s", wait)
            self._queue.append(job)
            self._cond.notify_all()
        return job.future

    def _take(self) -> list[_Job] | None:
        """The next batch: the oldest request and whatever joins it within the window and fits."""
        with self._cond:
            while not self._queue and not self._closed:
                self._cond.wait()
            if self._closed:
                return None
            jobs = [self._queue.popleft()]
            rows = len(jobs[0].rows)
            deadline = time.monotonic() + self.window_s
            while rows < self.max_batch:
                if self._queue:
                    if rows + len(self._queue[0].rows) > self.max_batch:
                        break
                    jobs.append(self._queue.popleft())
                    rows += len(jobs[-1].rows)
                    continue
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    break
                self._cond.wait(left)
            self.running = len(jobs)
            return jobs

    def _loop(self) -> None:
        while True:
            jobs = self._take()
            if jobs is None:
                return
            rows = [r for j in jobs for r in j.rows]
            started = time.perf_counter()
            try:
                choices = self.policy.generate_rows(rows)
            except Exception as e:  # the policy failed: every request of the batch hears why
                for j in jobs:
                    j.future.set_exception(e)
            else:
                at = 0
                for j in jobs:
                    j.future.set_result(choices[at:at + len(j.rows)])
                    at += len(j.rows)
            finally:
                self._recent.append(time.perf_counter() - started)
                self.batches += 1
                with self._cond:
                    self.running = 0
