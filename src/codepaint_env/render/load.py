"""Telling a program that ran out of time from a machine that gave it no time.

A render that hits its timeout is the program's fault (``timeout``) when the program was busy
(a loop that never ends) or idle (an ``await`` that never resolves). It is the machine's fault
(``infra``) when the program's processes were *runnable but not running*: waiting on a CPU
run queue for longer than they ran, because other work had the cores. Linux counts both per
thread in ``/proc/<pid>/task/<tid>/schedstat`` (nanoseconds on a CPU, nanoseconds waiting on a
run queue), so the renderers snapshot the processes that run a program when the render starts
and again at its timeout, and ask :func:`starved`.

    >>> before = cpu_times([pid])                                   # doctest: +SKIP
    >>> ...                                                         # the render times out
    >>> starved(cpu_times([pid]) - before, timeout_s=20)            # doctest: +SKIP
    False

Where ``/proc`` has no schedstat (not Linux), every count is zero and nothing is ever starved:
a timeout is then always the program's.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

#: A timed-out render counts as starved when its processes waited for a CPU longer than they ran
#: and for at least this share of the timeout.
STARVED_SHARE = 0.25


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


def cpu_times(pids: Iterable[int], *, tree: bool = True,
              threads: Iterable[tuple[int, int]] = ()) -> CpuTimes:
    """Run and run-queue wait time of every thread of ``pids`` (and, with ``tree``, their descendants).

    Args:
        pids: Processes to measure, all their threads.
        tree: Include every process below them.
        threads: Single threads to add, as ``(pid, tid)``.

    Processes that are gone count as zero: call it before killing what you measure.
    """
    paths = []
    for pid in descendants(pids) if tree else {int(p) for p in pids}:
        try:
            paths += [f"/proc/{pid}/task/{tid}" for tid in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            continue
    paths += [f"/proc/{pid}/task/{tid}" for pid, tid in threads]
    run = wait = 0
    for path in paths:
        try:
            with open(f"{path}/schedstat") as fh:
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


def starved(delta: CpuTimes, timeout_s: float) -> bool:
    """True when the measured threads waited for a CPU longer than they ran, and for long.

    Args:
        delta: What the program's processes got during the render (end minus start).
        timeout_s: The render's timeout.
    """
    return delta.wait_s > delta.run_s and delta.wait_s >= STARVED_SHARE * timeout_s
