"""Telling a program that ran out of time from a machine that gave it no time.

A render that hits its timeout is the program's fault (``timeout``) when the program was busy
(a loop that never ends) or idle (an ``await`` that never resolves). It is the machine's fault
(``infra``) when the program's processes were *runnable but not running*: waiting on a CPU run
queue, because other work had the cores. Linux counts both per thread in
``/proc/<pid>/task/<tid>/schedstat`` (nanoseconds on a CPU, nanoseconds waiting on a run
queue), so the renderers snapshot the processes that run a program when the render starts and
again at its timeout, and ask :func:`starved`.

The rule (:func:`starved`), for the program's own processes over the render:

1. it ran at least a third of the timeout (:data:`RUN_SHARE`): it got its due, ``timeout``
   (a busy loop on a machine shared with a few other renders runs well over that);
2. it waited for a CPU longer than it ran, and for at least a quarter of the timeout
   (:data:`WAIT_SHARE`): the machine held it back, ``infra``;
3. it neither ran nor waited much: it was waiting on something. When the whole machine was
   stalled for CPU at least half of the render's time (Linux's pressure-stall information,
   ``/proc/pressure/cpu``, :data:`STALL_SHARE`), that something may be the starved browser or
   driver delivering its finished frame: ``infra``. Otherwise it waited on itself (an
   ``await`` that never resolves): ``timeout``.

    >>> before, stall0 = cpu_times([pid]), CpuStall.now()           # doctest: +SKIP
    >>> ...                                                         # the render times out
    >>> starved(cpu_times([pid]) - before, 20, CpuStall.now().share_since(stall0))  # doctest: +SKIP
    False

Where ``/proc`` has no schedstat or pressure files, every count is zero and nothing is ever
starved: a timeout is then always the program's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

#: A timed-out render that ran at least this share of its timeout got its due (``timeout``).
RUN_SHARE = 1 / 3
#: ...one that waited for a CPU at least this share of it (and longer than it ran) was held back.
WAIT_SHARE = 0.25
#: ...and one that did neither, while the machine was stalled for CPU this share of the time.
STALL_SHARE = 0.5


@dataclass(frozen=True)
class CpuTimes:
    """Seconds on a CPU and seconds waiting on a run queue, summed over some threads."""

    run_s: float = 0.0
    wait_s: float = 0.0

    def __sub__(self, other: CpuTimes) -> CpuTimes:
        return CpuTimes(max(0.0, self.run_s - other.run_s), max(0.0, self.wait_s - other.wait_s))

    def describe(self) -> str:
        """``"ran 1.2 s, waited 6.3 s for a CPU"``."""
        return f"ran {self.run_s:.1f} s, waited {self.wait_s:.1f} s for a CPU"


def descendants(pids: Iterable[int]) -> set[int]:
    """The given processes and every process below them (``/proc/<pid>/task/*/children``)."""
    seen: set[int] = set()
    todo = [int(p) for p in pids]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        todo.extend(children(pid))
    return seen


def cpu_times(pids: Iterable[int], *, tree: bool = True) -> CpuTimes:
    """Run and run-queue wait time of every thread of ``pids`` (and, with ``tree``, their descendants).

    Processes that are gone count as zero: call it before killing what you measure.
    """
    run = wait = 0
    for pid in descendants(pids) if tree else {int(p) for p in pids}:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as fh:
                    fields = fh.read().split()
                run += int(fields[0])
                wait += int(fields[1])
            except (OSError, ValueError, IndexError):
                continue
    return CpuTimes(run / 1e9, wait / 1e9)


def children(pid: int) -> list[int]:
    """The direct children of a process (any of its threads may have started them)."""
    out: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return out


def starved(delta: CpuTimes, timeout_s: float, stall: float | None = None) -> bool:
    """True when the machine, not the program, used up the render's time (the module's rule).

    Args:
        delta: What the program's processes got during the render (end minus start).
        timeout_s: The render's timeout.
        stall: The share of the render's wall time the whole machine was stalled for CPU
            (:meth:`CpuStall.share_since`), when known.
    """
    if delta.run_s >= RUN_SHARE * timeout_s:
        return False
    if delta.wait_s > delta.run_s and delta.wait_s >= WAIT_SHARE * timeout_s:
        return True
    return stall is not None and stall >= STALL_SHARE


@dataclass(frozen=True)
class CpuStall:
    """A reading of the machine's CPU pressure: time during which some task waited for a CPU."""

    at_s: float  # monotonic clock
    stalled_s: float | None  # cumulative "some" stall time, None without /proc/pressure/cpu

    @classmethod
    def now(cls) -> CpuStall:
        """Read ``/proc/pressure/cpu`` (Linux 4.20+ with PSI)."""
        try:
            with open("/proc/pressure/cpu") as fh:
                first = fh.readline().split()
            total = next(f for f in first if f.startswith("total="))
            stalled: float | None = int(total[6:]) / 1e6
        except (OSError, StopIteration, ValueError):
            stalled = None
        return cls(time.monotonic(), stalled)

    def share_since(self, earlier: CpuStall) -> float | None:
        """The share of the time since ``earlier`` that the machine was stalled for CPU."""
        if self.stalled_s is None or earlier.stalled_s is None or self.at_s <= earlier.at_s:
            return None
        return min(1.0, (self.stalled_s - earlier.stalled_s) / (self.at_s - earlier.at_s))
