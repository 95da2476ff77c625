"""Processes a test counts (Chromium PIDs, their memory) or starts (CPU hogs: an overloaded machine)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

from codepaint_env.render.load import descendants


def chromium_pids(*, ours: bool = False) -> set[int]:
    """PIDs of running Chromium processes: every one on this machine, or (``ours``) this test process's.

    ``ours`` keeps the machine's other work (another test run, a browser someone else started)
    out of a measurement: only processes below this one count.
    """
    mine = descendants([os.getpid()]) if ours else None
    out = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read().split(b"\0")[0]
        except OSError:
            continue
        browser = cmd.endswith((b"chromium", b"chrome", b"headless_shell", b"chrome-headless-shell"))
        if browser and (mine is None or int(d) in mine):
            out.add(int(d))
    return out


def rss_mb(pids: set[int]) -> float:
    """Summed resident memory of the given processes, in MB."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            continue
    return total / 2**20


HOG = ("import signal, sys\n"
       "signal.alarm({secs})\n"                       # never outlives the test
       "print('up', flush=True)\n"
       "while True: pass\n")


def _top_priority(pid: int = 0) -> None:
    """The highest priority for a process (``0``: this one), also for its autogroup.

    In a hog, it runs between fork and exec. (With the kernel's autogroup scheduling, each
    session is weighed as a group: nice values only rank processes inside one. So each hog gets
    a session of its own, and that session's group the highest priority too; else the machine
    would not be short of CPU for a render running in its own session, as sandboxed programs do.)
    """
    os.setpriority(os.PRIO_PROCESS, pid, -19)
    with contextlib.suppress(OSError), open(f"/proc/{pid or 'self'}/autogroup", "w") as fh:
        fh.write("-19")


def overload(seconds: float = 120, n: int = 8, cpus: set[int] | None = None) -> list[subprocess.Popen]:
    """``n`` CPU-bound processes at the highest priority: no CPU to spare (on ``cpus``, default
    all). Kill them when done (they end by themselves after ``seconds``, a safety net).

    Returns once every one of them is running.
    """
    def start() -> None:
        _top_priority()
        if cpus is not None:
            os.sched_setaffinity(0, cpus)

    hogs = [subprocess.Popen([sys.executable, "-c", HOG.format(secs=max(1, round(seconds)))],
                             stdout=subprocess.PIPE, start_new_session=True, preexec_fn=start)
            for _ in range(n)]
    for h in hogs:
        assert h.stdout is not None and h.stdout.readline() == b"up\n"
    return hogs


def pin(pid: int, cpus: set[int]) -> None:
    """Every thread of a process onto ``cpus``."""
    for tid in _threads(pid):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(tid, cpus)


@contextlib.contextmanager
def threads_kept_off(cpus: set[int]) -> Iterator[None]:
    """While inside, every thread of this process runs off ``cpus`` (their masks given back after).

    With hogs on ``cpus``, the test, whose watch over the time is what is tested, must not be
    starved with them, and every thread counts: one that holds the GIL on a starved CPU stops the
    whole process. (With hogs on every CPU, the test process in CI took 163 s to notice a 3 s
    timeout.)
    """
    me = os.getpid()
    own = os.sched_getaffinity(0)
    masks = {tid: os.sched_getaffinity(tid) for tid in _threads(me)}
    for tid, mask in masks.items():
        with contextlib.suppress(OSError):
            os.sched_setaffinity(tid, (mask - cpus) or mask)
    try:
        yield
    finally:
        for tid in _threads(me):
            with contextlib.suppress(OSError):
                os.sched_setaffinity(tid, masks.get(tid, own))


@contextlib.contextmanager
def children_pinned(cpus: set[int], *, every_s: float = 0.005) -> Iterator[None]:
    """While inside, every process this one starts (and theirs) runs on ``cpus`` only.

    A watcher moves each new descendant onto ``cpus`` as soon as it sees it; a child forked
    after that inherits the mask. What ran before (a browser of an earlier test, the hogs) keeps
    its CPUs.
    """
    def pin_all(pids: set[int]) -> None:
        for pid in pids:
            with contextlib.suppress(OSError):  # gone already
                pin(pid, cpus)

    with _each_new_child(pin_all, descendants([os.getpid()]), every_s):
        yield


@contextlib.contextmanager
def _each_new_child(apply: Callable[[set[int]], None], seen: set[int], every_s: float) -> Iterator[None]:
    """While inside, a watcher calls ``apply`` with the descendants of this process not yet ``seen``,
    and again with each one seen since in another session.

    A new session is a new autogroup at nice 0 (``start_new_session=True``: the sandbox's program).
    A child seen between its fork and its ``setsid`` (slow when it is starved) was raised in the old
    group, so it is raised again in its own.
    """
    me = os.getpid()
    done = threading.Event()
    known = {(pid, _session(pid)) for pid in seen}

    def watch() -> None:
        while not done.is_set():
            now = {(pid, _session(pid)) for pid in descendants([me]) - {me}}
            apply({pid for pid, _ in now - known})
            known.update(now)
            done.wait(every_s)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


@contextlib.contextmanager
def children_first(*, every_s: float = 0.005) -> Iterator[list[str]]:
    """While inside, every process below this one runs at the highest priority (and its autogroup).

    For a test that asserts what a program does *given the CPU* on a machine that others load
    (other test runs, other users): the renderers rightly call a program starved of CPU ``infra``,
    so a busy loop is the program's ``timeout`` only when it got its CPU. The processes already
    running (a browser, a resvg worker) are raised at once, the ones started inside as soon as a
    watcher sees them; on leaving, each gets back its priority (a new one: this process's nice,
    its autogroup's default), and this process's autogroup its own (a child raised before its
    ``setsid`` raised it). Needs root (negative nice).

    Yields:
        A log, one line per raise: when (s since entering), the process, its session, and its
        nice and autogroup as read back after the raise (or the error). A test puts it in its
        failure message, so that a program that did not get its priority shows why.
    """
    me = os.getpid()
    t0 = time.monotonic()
    fallback = (os.getpriority(os.PRIO_PROCESS, 0), 0)
    before = descendants([me]) - {me}
    saved: dict[int, tuple[int, int]] = {pid: _priority(pid, fallback) for pid in before}
    own_group = _priority(me, fallback)[1]  # raised with a child still in this session: given back
    log: list[str] = []

    def raise_all(pids: set[int]) -> None:
        for pid in pids:
            saved.setdefault(pid, fallback)
            errors = set()
            for tid in _threads(pid):
                try:
                    _top_priority(tid)
                except OSError as e:  # gone already, or refused: the log says which
                    errors.add(type(e).__name__)
            refused = f" {sorted(errors)}" if errors else ""
            log.append(f"{time.monotonic() - t0:.3f}s {_describe(pid)}{refused}")

    raise_all(before)
    try:
        with _each_new_child(raise_all, before, every_s):
            yield log
    finally:
        for pid, (nice, group_nice) in saved.items():
            for tid in _threads(pid):
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, tid, nice)
            with contextlib.suppress(OSError), open(f"/proc/{pid}/autogroup", "w") as fh:
                fh.write(str(group_nice))
        with contextlib.suppress(OSError), open(f"/proc/{me}/autogroup", "w") as fh:
            fh.write(str(own_group))


def _describe(pid: int) -> str:
    """A process's name, session, nice and autogroup, read now (for a log)."""
    try:
        with open(f"/proc/{pid}/comm") as fh:
            name = fh.read().strip()
        with open(f"/proc/{pid}/autogroup") as fh:
            group = fh.read().strip()
        return f"pid {pid} {name} sid {os.getsid(pid)} nice {os.getpriority(os.PRIO_PROCESS, pid)} {group}"
    except OSError:
        return f"pid {pid} (gone)"


def _session(pid: int) -> int | None:
    """A process's session (``None`` once it is gone)."""
    try:
        return os.getsid(pid)
    except OSError:
        return None


def _priority(pid: int, fallback: tuple[int, int]) -> tuple[int, int]:
    """A process's nice and its autogroup's (``fallback`` when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/autogroup") as fh:
            group_nice = int(fh.read().split()[-1])  # "/autogroup-123 nice 0"
        return os.getpriority(os.PRIO_PROCESS, pid), group_nice
    except (OSError, ValueError, IndexError):
        return fallback


def _threads(pid: int) -> list[int]:
    """The thread ids of a process (none when it is gone)."""
    try:
        return [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return []
