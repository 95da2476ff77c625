"""Time limits for tests counted in the CPU share a test was given, not in wall seconds.

A limit on a test (pytest-timeout's ``timeout = 300``, or ``subprocess.run(timeout=...)``) is there to
catch a test that will never finish. Counted in wall seconds it also catches a healthy test on a busy
machine: beside another ``make test`` (load 8-12 on 2 cores) healthy tests took 2-4 times their quiet
time, and 15 tests of a fresh clone failed on such limits alone (issue 57, item 6).

So a limit here is counted on a :class:`FairClock`: each wall second counts as the share of a CPU
that one runnable task would get on this machine at that moment, ``min(1, CPUs / runnable tasks)``
(``procs_running`` of ``/proc/stat``, read every :data:`POLL_S`; the reader itself not counted). On a
quiet machine that is the wall clock; at load 10 on 2 cores a second counts as 0.2 s. A test run under
``nice`` gets less than that beside tasks at a higher priority (at nice 19 beside two busy tasks at 0,
1.5 % of a CPU, not 100 %): there each runnable task is read from ``/proc/*/task/*/stat`` and counted by
the scheduler's weight of its nice value (:func:`weighted_share`; exact where the tasks share one
autogroup, as a shell's jobs do). A test that hangs
(a deadlock, a child that never answers) is still caught, after the same fair seconds as before: on a
quiet machine in the same wall time. The limits keep their values; only the unit changed.

pytest-timeout counts wall time only, so its setting is replaced by :func:`watch` (a hook in
tests/conftest.py) and ``subprocess.run`` limits by :func:`run`.

On a hang the stacks of every thread are written to stderr and the test fails with the reason
(``SIGALRM`` in the main thread, as pytest-timeout's ``signal`` method does). If the main thread does
not come back within :data:`GRACE_S` wall seconds, the process exits (pytest-xdist reports a crash).
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

#: A test's limit, in fair seconds (pyproject's pytest-timeout setting was 300 wall seconds).
LIMIT_S = 300.0
#: How often the clock reads the machine's run queue (wall seconds).
POLL_S = 0.5
#: Wall seconds the main thread has to leave a hung test after the signal before the process exits.
GRACE_S = 60.0


def runnable_tasks() -> int:
    """Tasks running or waiting for a CPU on this machine now (``procs_running``), the reader not counted."""
    try:
        with open("/proc/stat") as fh:
            for line in fh:
                if line.startswith("procs_running "):
                    return max(1, int(line.split()[1]) - 1)
    except (OSError, ValueError):
        pass
    return 1


def fair_share(cpus: int, runnable: int) -> float:
    """The share of a CPU one of ``runnable`` tasks gets on ``cpus`` CPUs (at most 1)."""
    return min(1.0, cpus / max(1, runnable))


def nice_weight(nice: int) -> float:
    """The Linux scheduler's weight of a task at ``nice``: 1024 at 0, 1.25 times less a step up."""
    return 1024.0 / 1.25**nice


def weighted_share(cpus: int, own_nice: int, runnable_nices: Sequence[int]) -> float:
    """The share of a CPU a task at ``own_nice`` gets beside runnable tasks at ``runnable_nices`` (at most 1).

    The task itself is counted once, whether or not it is among ``runnable_nices`` at the moment.
    """
    own = nice_weight(own_nice)
    total = max(own, sum(nice_weight(n) for n in runnable_nices))
    return min(1.0, cpus * own / total)


def runnable_nices(exclude_tid: int | None = None) -> list[int]:
    """The nice value of each task running or waiting for a CPU now (``R`` in its ``stat``)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/task/[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the task ended while we read
            continue
        fields = text[text.rfind(")") + 2:].split()
        if fields and fields[0] == "R" and int(stat.parent.name) != exclude_tid:
            out.append(int(fields[16]))
    return out


class FairClock:
    """Seconds counted in the CPU share a task got (see the module docstring); reads ``/proc`` in a thread.

    Args:
        poll_s: How often the run queue is read.
    """

    def __init__(self, *, poll_s: float = POLL_S) -> None:
        self.cpus = len(os.sched_getaffinity(0))
        self.nice = os.getpriority(os.PRIO_PROCESS, 0)
        self.poll_s = poll_s
        self._elapsed = 0.0
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fair-clock", daemon=True)
        self._thread.start()

    def _advance(self) -> None:
        if self.nice > 0:  # run under nice: count every runnable task by its scheduler weight
            share = weighted_share(self.cpus, self.nice, runnable_nices(threading.get_native_id()))
        else:
            share = fair_share(self.cpus, runnable_tasks())
        with self._lock:
            now = time.monotonic()
            self._elapsed += (now - self._last) * share
            self._last = now

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            self._advance()

    def elapsed(self) -> float:
        """Fair seconds since the clock started."""
        self._advance()
        with self._lock:
            return self._elapsed

    def close(self) -> None:
        """Stop the reading thread."""
        self._stop.set()
        self._thread.join()


class Hung(pytest.fail.Exception):  # type: ignore[name-defined,misc]
    """Raised in the main thread when a test runs past its limit in fair seconds."""


@contextlib.contextmanager
def watch(nodeid: str, *, limit_s: float = LIMIT_S, grace_s: float = GRACE_S) -> Iterator[None]:
    """Fail what runs in this block (a test's setup, call and teardown) after ``limit_s`` fair seconds."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pid = os.getpid()
    clock = FairClock()
    stop = threading.Event()
    wall = time.monotonic()

    def on_alarm(signum: int, frame: object) -> None:
        raise Hung(f"{nodeid} ran past {limit_s:.0f} fair seconds "
                   f"({time.monotonic() - wall:.0f} wall seconds): hung", pytrace=True)

    def run() -> None:
        while not stop.wait(1.0):
            if clock.elapsed() >= limit_s:
                break
        else:
            return
        sys.stderr.write(f"\n+++ watchdog: {nodeid} ran past {limit_s:.0f} fair seconds "
                         f"({time.monotonic() - wall:.0f} wall seconds); every thread's stack:\n")
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        os.kill(pid, signal.SIGALRM)
        if not stop.wait(grace_s):
            sys.stderr.write(f"+++ watchdog: {nodeid} did not stop {grace_s:.0f} s after the signal\n")
            sys.stderr.flush()
            os._exit(1)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    thread = threading.Thread(target=run, name="test-watchdog", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        clock.close()
        signal.signal(signal.SIGALRM, previous)


def run(cmd: Sequence[str] | str, *, limit_s: float, **kwargs: Any) -> subprocess.CompletedProcess:
    """``subprocess.run`` with its ``timeout`` counted in fair seconds (``limit_s``).

    Takes ``subprocess.run``'s other arguments (``capture_output``, ``text``, ``input``, ``check``,
    ``env``, ``cwd``, ``shell``...). Past the limit the child is killed and ``TimeoutExpired`` raised,
    as ``subprocess.run`` does.
    """
    check = kwargs.pop("check", False)
    data = kwargs.pop("input", None)
    if kwargs.pop("capture_output", False):
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    if data is not None:
        kwargs["stdin"] = subprocess.PIPE
    clock = FairClock()
    try:
        with subprocess.Popen(cmd, **kwargs) as proc:
            result: list[Any] = [None, None]
            reader = threading.Thread(target=lambda: result.__setitem__(slice(0, 2), proc.communicate(data)),
                                      daemon=True)
            reader.start()
            while reader.is_alive():
                reader.join(1.0)
                if reader.is_alive() and clock.elapsed() >= limit_s:
                    proc.kill()
                    reader.join()
                    raise subprocess.TimeoutExpired(cmd, limit_s, output=result[0], stderr=result[1])
            out = subprocess.CompletedProcess(cmd, proc.returncode, result[0], result[1])
    finally:
        clock.close()
    if check:
        out.check_returncode()
    return out
