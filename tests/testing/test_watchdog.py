"""The tests' time limits count fair seconds: a busy machine slows the clock, a hang still fails."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from support.processes import HOG
from support.watchdog import FairClock, Hung, fair_share, nice_weight, run, watch, weighted_share


def test_a_second_counts_as_the_cpu_share_one_task_gets():
    assert fair_share(2, 1) == 1.0
    assert fair_share(2, 2) == 1.0
    assert fair_share(2, 10) == pytest.approx(0.2)
    assert fair_share(2, 0) == 1.0  # the reader alone: a whole second


def test_under_nice_a_task_counts_by_the_scheduler_s_weight():
    assert nice_weight(0) == 1024.0 and nice_weight(19) == pytest.approx(14.8, abs=0.5)  # the kernel's 15
    assert weighted_share(2, 0, [0, 0, 0, 0]) == pytest.approx(fair_share(2, 4))  # all at one priority
    assert weighted_share(2, 19, [0, 0]) == pytest.approx(2 * 14.8 / (2048 + 14.8), rel=0.05)  # 1.5 %
    assert weighted_share(2, 19, []) == 1.0  # alone: a whole second
    assert weighted_share(2, 10, [10]) == 1.0


NICED_CLOCK = """
import sys, time
sys.path.insert(0, {tests!r})
from support.watchdog import FairClock
print("ready", flush=True)
sys.stdin.readline()  # "go": the busy tasks are up
clock = FairClock(poll_s=0.2)
start = time.monotonic()
time.sleep(3.0)
print(clock.elapsed() / (time.monotonic() - start))
"""


def test_a_clock_run_under_nice_slows_beside_busy_tasks_at_a_higher_priority():
    # as `nice make test` beside a training run: two busy tasks a CPU at nice 0, the clock's process at 19.
    # The clock's process starts (imports and all) before the busy tasks do: at nice 19 beside them its
    # start-up got 1.5 % of a CPU and could outlast them (on CI it took past the busy tasks' 30 s alarm, and
    # the clock then measured a quiet machine: 0.86). The busy tasks must still be up when it has measured.
    import os
    from pathlib import Path

    cpus = len(os.sched_getaffinity(0))
    code = NICED_CLOCK.format(tests=str(Path(__file__).resolve().parents[1]))
    clock = subprocess.Popen(["nice", "-n", "19", sys.executable, "-c", code], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    hogs: list[subprocess.Popen[bytes]] = []
    try:
        assert clock.stdout is not None and clock.stdout.readline() == "ready\n"
        hogs = [subprocess.Popen([sys.executable, "-c", HOG.format(secs=600)], stdout=subprocess.PIPE)
                for _ in range(cpus)]
        for h in hogs:
            assert h.stdout is not None and h.stdout.readline() == b"up\n"
        out, _ = clock.communicate("go\n", timeout=120)
        assert clock.returncode == 0
        assert all(h.poll() is None for h in hogs)  # measured beside them, not after them
    finally:
        clock.kill()
        clock.wait()
        for h in hogs:
            h.kill()
            h.wait()
    share = float(out.strip())
    assert 0.0 < share < 0.2, share  # counted by the plain run queue it would be about cpus / (cpus + 1)


def test_the_clock_slows_while_the_machine_is_overloaded():
    # plain busy loops at this test's own priority (not processes.overload's, which starves the test)
    hogs = [subprocess.Popen([sys.executable, "-c", HOG.format(secs=30)], stdout=subprocess.PIPE)
            for _ in range(8)]
    try:
        for h in hogs:
            assert h.stdout is not None and h.stdout.readline() == b"up\n"
        clock = FairClock(poll_s=0.2)
        start = time.monotonic()
        time.sleep(3.0)
        fair, wall = clock.elapsed(), time.monotonic() - start
        clock.close()
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    # 8 hogs (and this test) on the machine's CPUs: a second counts at most CPUs / 8
    assert fair <= wall * 0.5, (fair, wall)
    assert fair > 0.0


def test_a_blocked_test_still_fails_with_its_stacks():
    start = time.monotonic()
    with pytest.raises(Hung, match="ran past 1 fair seconds"), watch("blocked", limit_s=1.0):
        time.sleep(60)  # blocked: never finishes on its own
    assert time.monotonic() - start < 60


def test_run_gives_what_subprocess_run_gives_and_kills_a_hung_child():
    out = run([sys.executable, "-c", "import sys; print(sys.stdin.read().upper())"], limit_s=60,
              input="paint", capture_output=True, text=True)
    assert (out.returncode, out.stdout.strip()) == (0, "PAINT")
    with pytest.raises(subprocess.CalledProcessError):
        run([sys.executable, "-c", "raise SystemExit(3)"], limit_s=60, check=True)
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run([sys.executable, "-c", "import time; time.sleep(60)"], limit_s=1.0, capture_output=True)
    assert time.monotonic() - start < 60
