"""Telling a program that ran out of time from a machine that gave it no time.

A render that hits its timeout is the program's fault (``timeout``) only when the program had
its time: it ran (close to) its whole budget on a CPU (a loop that never ends), or it sat idle on
a quiet machine (an ``await`` that never resolves, a ``sleep``). It is the machine's fault
(``infra``) when it was starved: *runnable but not running* (waiting on a CPU run queue, because
other work had the cores), or blocked while the machine was stalled on memory or the disk. Linux
counts both per thread in ``/proc/<pid>/task/<tid>/schedstat`` (nanoseconds on a CPU,
nanoseconds waiting on a run queue), and the whole machine's stalls in its pressure-stall
information (PSI: ``/proc/pressure/{cpu,memory,io}``). The renderers snapshot both when the
render starts and again at its timeout, and ask :func:`starved`, a pure function of the two
readings.

The rule (:func:`starved`), for the program's own processes over the render:

1. it ran at least two thirds of the timeout (:data:`DUE_SHARE`): it got its due, ``timeout``
   (the rest of the budget goes to starting a sandbox or loading a page);
2. it waited for a CPU at least a quarter of the timeout (:data:`WAIT_SHARE`): it wanted the
   CPU it did not get, the machine held it back, ``infra``;
3. it neither ran its due nor waited much: it was blocked or idle. When the whole machine was
   stalled during the render for memory or I/O at least a quarter of the time (:data:`STALL_SHARES`,
   the "some" lines of PSI), what it waited on may be the disk (a page cache thrashed by other
   processes) or memory being reclaimed: ``infra``. So too when the machine was stalled for CPU
   at least half of the time and the program may wait on processes not measured (a page's
   renderer on the starved browser and GPU processes delivering its frame: ``waits_on_others``).
   Otherwise it waited on itself (a ``sleep``, an ``await`` that never resolves): ``timeout``.
   (A sandboxed program's whole process tree is measured: starved of CPU, it waits on a run queue.)

    >>> before, pressure0 = cpu_times([pid]), Pressure.now()        # doctest: +SKIP
    >>> ...                                                         # the render times out
    >>> starved(cpu_times([pid]) - before, 20, Pressure.now().stalls_since(pressure0))  # doctest: +SKIP
    False

Where ``/proc`` has no schedstat or pressure files, every count is zero and nothing is ever
starved: a timeout is then always the program's.

A starved render is first given its time, not blamed: a :class:`Deadline` that expires on a
starved program waits on for the time the machine held it back (:func:`owed`), up to
:data:`GRACE_FACTOR` times the timeout in all, and answers ``infra`` only when even that was not
enough. On a busy training node most such renders then finish and are judged, instead of being
left unjudged; a program that had its due is the program's ``timeout`` at the same second as
before.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: A timed-out render that ran at least this share of its timeout got its due (``timeout``).
DUE_SHARE = 2 / 3
#: ...one that did not, but waited for a CPU at least this share of it, was held back (``infra``).
WAIT_SHARE = 0.25
#: ...and one that did neither, while the machine was stalled on a resource at least this share of
#: the time (PSI "some": at least one task waited on it), may have been blocked by it (``infra``).
#: Memory and I/O stalls count for more than CPU's: there, tasks were blocked outright, not slowed.
STALL_SHARES = {"cpu": 0.5, "memory": 0.25, "io": 0.25}
#: A starved render may run on until this many times its timeout (wall clock) before it is ``infra``.
GRACE_FACTOR = 3.0
#: ...in steps of at least this share of the timeout, so a starved render is not polled in a tight loop.
_STEP_SHARE = 0.25
#: Seconds a render may wait for its browser to start (the launch's own bound, render.browser.launch).
LAUNCH_ALLOWANCE_S = 60.0
#: What a client of a server's renders waits on top of :func:`answer_within_s`: scoring, the network.
CLIENT_MARGIN_S = 60.0
#: What each resource is called in messages.
_RESOURCE_NAMES = {"cpu": "CPU", "memory": "memory", "io": "I/O"}

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


def answer_within_s(timeout_s: float) -> float:
    """The longest a render with this timeout may take, from its start to its answer.

    A starved render waits on up to :data:`GRACE_FACTOR` times its timeout (owed time), and the
    first render of a browser waits for it to start (:data:`LAUNCH_ALLOWANCE_S`). A client that
    waits on a server's renders (OpenEnv's, ``codepaint serve``'s) waits this long plus
    :data:`CLIENT_MARGIN_S`, or it gives up on an answer the server was still entitled to give.
    """
    return GRACE_FACTOR * float(timeout_s) + LAUNCH_ALLOWANCE_S


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


def starved(delta: CpuTimes, timeout_s: float, stalls: Stalls | None = None, *,
            waits_on_others: bool = False) -> bool:
    """True when the machine, not the program, used up the render's time (the module's rule).

    A pure function of its readings: tests give it the readings of an overloaded machine.

    Args:
        delta: What the program's processes got during the render (end minus start).
        timeout_s: The render's timeout.
        stalls: The share of the render's wall time the whole machine was stalled on each resource
            (:meth:`Pressure.stalls_since`), when known.
        waits_on_others: The program's processes may wait on processes ``delta`` does not count
            (a page's renderer on the browser's GPU process): then a CPU stall counts in rule 3.
    """
    if delta.run_s >= DUE_SHARE * timeout_s:
        return False
    if delta.wait_s >= WAIT_SHARE * timeout_s:
        return True
    pressed = stalls.pressed() if stalls is not None else []
    return any(name != "cpu" or waits_on_others for name in pressed)


def held_back_s(delta: CpuTimes, elapsed_s: float, stalls: Stalls | None = None, *,
                waits_on_others: bool = False) -> float:
    """Seconds of ``elapsed_s`` the machine held the program back.

    Its threads' run-queue wait, or the share of the time the machine was stalled on a resource that
    counts (:func:`starved`'s rule 3), whichever is longer; at most ``elapsed_s``.
    """
    held = delta.wait_s
    if stalls is not None:
        for name in stalls.pressed():
            if name != "cpu" or waits_on_others:
                held = max(held, (getattr(stalls, name) or 0.0) * elapsed_s)
    return min(max(0.0, held), max(0.0, elapsed_s))


def owed(delta: CpuTimes, elapsed_s: float, timeout_s: float, stalls: Stalls | None = None, *,
         waits_on_others: bool = False) -> float:
    """Seconds more a render at its deadline may run before it is answered; 0 to answer now.

    A render that had its due (not :func:`starved`) is owed nothing: the answer is ``timeout``. A
    starved one is owed the time the machine held it back (:func:`held_back_s`): its wall time less
    that is its fair time, and it may run until its fair time reaches the timeout, at least a
    :data:`_STEP_SHARE` of the timeout at a time, and never past :data:`GRACE_FACTOR` times the
    timeout since it started (then it is ``infra``). A pure function of its readings.

    Args:
        delta: What the program's processes got since the render started.
        elapsed_s: Wall seconds since the render started.
        timeout_s: The render's timeout.
        stalls: The machine's stall shares since the render started.
        waits_on_others: As for :func:`starved`.
    """
    if not starved(delta, timeout_s, stalls, waits_on_others=waits_on_others):
        return 0.0
    room = GRACE_FACTOR * timeout_s - elapsed_s
    if room <= 0:
        return 0.0
    fair_s = elapsed_s - held_back_s(delta, elapsed_s, stalls, waits_on_others=waits_on_others)
    return min(room, max(timeout_s - fair_s, _STEP_SHARE * timeout_s))


class Deadline:
    """A render's deadline that waits on while the machine, not the program, holds the render back.

    ``left()`` gives the seconds to wait before asking again; at the deadline it reads the program's
    CPU times and the machine's stalls and extends the deadline by what the program is :func:`owed`.
    When it gives 0 the render is over: :meth:`starved` then says whose fault that was, and
    :meth:`describe` what the program got.

        >>> deadline = Deadline(20.0, lambda: cpu_times([pid]))     # doctest: +SKIP
        >>> while (left := deadline.left()) > 0 and not finished(within=left): ...  # doctest: +SKIP

    Args:
        timeout_s: The render's timeout.
        measure: The program's CPU times now (``None``: unknown, so the deadline never extends and a
            timeout is the program's).
        baseline: ``measure()``'s reading when the render started (``None``: read it now).
        waits_on_others: As for :func:`starved`.
        pressure0: The machine's pressure reading when the render started (``None``: read it now).
    """

    def __init__(self, timeout_s: float, measure: Callable[[], CpuTimes | None] | None = None, *,
                 baseline: CpuTimes | None = None, waits_on_others: bool = False,
                 pressure0: Pressure | None = None) -> None:
        self.timeout_s = float(timeout_s)
        self.started = time.monotonic()
        self.end = self.started + self.timeout_s
        self.measure = measure
        self.baseline = baseline if baseline is not None or measure is None else measure()
        self.waits_on_others = waits_on_others
        self.pressure0 = pressure0 or Pressure.now()
        self.extended_s = 0.0
        self.spent: CpuTimes | None = None
        self.stalls: Stalls | None = None

    def left(self) -> float:
        """Seconds until the deadline, extended when the program is owed time; 0 when it is over."""
        now = time.monotonic()
        if now < self.end:
            return self.end - now
        if not self.read():
            return 0.0
        more = owed(self.spent, now - self.started, self.timeout_s, self.stalls,  # type: ignore[arg-type]
                    waits_on_others=self.waits_on_others)
        if more > 0:
            self.end = now + more
            self.extended_s += more
        return more

    def read(self) -> bool:
        """Take the readings since the start (``spent``, ``stalls``); False when the CPU times are unknown."""
        self.stalls = Pressure.now().stalls_since(self.pressure0)
        got = self.measure() if self.measure is not None else None
        if got is None or self.baseline is None:
            return False
        self.spent = got - self.baseline
        return True

    def starved(self) -> bool:
        """Whether the machine, not the program, used up the render's time (read at the last ``left()``)."""
        return self.spent is not None and starved(self.spent, self.timeout_s, self.stalls,
                                                  waits_on_others=self.waits_on_others)

    def describe(self, who: str = "the program") -> str:
        """``"by the 20 s timeout (waited on for 40 s more) the program ran 1.2 s, waited 6.3 s..."``."""
        grace = f" (and {self.extended_s:.0f} s more while held back)" if self.extended_s else ""
        got = f" {who} {self.spent.describe()}" if self.spent is not None else ""
        stalled = f", {said}" if self.stalls is not None and (said := self.stalls.describe()) else ""
        return f"by the {self.timeout_s:g} s timeout{grace}{got}{stalled}"


@dataclass(frozen=True)
class Stalls:
    """The share of some wall time the machine was stalled on each resource; ``None`` where unknown."""

    cpu: float | None = None
    memory: float | None = None
    io: float | None = None

    def pressed(self) -> list[str]:
        """The resources stalled at least their :data:`STALL_SHARES` of the time (``["io"]``)."""
        return [name for name, share in STALL_SHARES.items()
                if (got := getattr(self, name)) is not None and got >= share]

    def describe(self) -> str:
        """``"the machine was stalled for CPU 12%, memory 3%, I/O 61% of the time"`` (``""`` if unknown)."""
        known = [f"{_RESOURCE_NAMES[name]} {got:.0%}" for name in STALL_SHARES
                 if (got := getattr(self, name)) is not None]
        return f"the machine was stalled for {', '.join(known)} of the time" if known else ""


@dataclass(frozen=True)
class Pressure:
    """A reading of the machine's pressure-stall counters.

    Cumulative seconds during which some task waited for a CPU, for memory, for I/O (``None``
    where the kernel has no PSI).
    """

    at_s: float  # monotonic clock
    cpu_s: float | None = None
    memory_s: float | None = None
    io_s: float | None = None

    @classmethod
    def now(cls, root: str | os.PathLike[str] = "/proc/pressure") -> Pressure:
        """Read ``<root>/{cpu,memory,io}`` (Linux 4.20+ with PSI; ``root`` is for tests)."""
        at = time.monotonic()
        return cls(at, *(_some_total_s(os.path.join(root, name)) for name in STALL_SHARES))

    def stalls_since(self, earlier: Pressure) -> Stalls:
        """The share of the time since ``earlier`` that the machine was stalled on each resource."""
        elapsed = self.at_s - earlier.at_s

        def share(now: float | None, then: float | None) -> float | None:
            if now is None or then is None or elapsed <= 0:
                return None
            return min(1.0, max(0.0, now - then) / elapsed)

        return Stalls(share(self.cpu_s, earlier.cpu_s), share(self.memory_s, earlier.memory_s),
                      share(self.io_s, earlier.io_s))


def _some_total_s(path: str) -> float | None:
    """The ``total=`` of a PSI file's ``some`` line, in seconds; ``None`` when unreadable."""
    try:
        with open(path) as fh:
            first = fh.readline().split()
        if first[:1] != ["some"]:
            return None
        total = next(f for f in first if f.startswith("total="))
        return int(total[6:]) / 1e6
    except (OSError, StopIteration, ValueError):
        return None
