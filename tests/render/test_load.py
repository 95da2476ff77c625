"""The rule that tells a program's own time-out from a starved one, given readings of the machine.

Each case injects what Linux would report: the program's CPU run and run-queue wait
(``CpuTimes``) and the machine's pressure-stall readings (``Pressure``, parsed from files written
the way ``/proc/pressure`` has them). The real-load tests, with CPU hogs, are in
``sandbox/test_program_faults.py``: one answered ``infra``, one given its time and rendered.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codepaint_env.render.load import GRACE_FACTOR, CpuTimes, Deadline, Pressure, Stalls, owed, starved

QUIET = Stalls(cpu=0.02, memory=0.0, io=0.01)


@pytest.mark.parametrize(("delta", "stalls", "want"), [
    # a busy loop given its CPU: its own time-out, whatever else the machine does
    (CpuTimes(run_s=2.8, wait_s=0.1), QUIET, False),
    (CpuTimes(run_s=2.1, wait_s=0.8), Stalls(cpu=1.0, memory=0.9, io=0.9), False),
    # the failure of issue 57: ran a third and more of its 3 s, waited as long for a CPU (before,
    # a third was its due and it was blamed)
    (CpuTimes(run_s=1.3, wait_s=1.5), Stalls(cpu=0.4, memory=0.0, io=0.0), True),
    (CpuTimes(run_s=1.5, wait_s=0.8), None, True),  # held back, pressure unknown
    # neither ran nor waited: blocked on the disk or on memory other processes thrash
    (CpuTimes(run_s=0.4, wait_s=0.1), Stalls(cpu=0.1, memory=0.0, io=0.6), True),
    (CpuTimes(run_s=0.4, wait_s=0.1), Stalls(cpu=0.1, memory=0.3, io=0.0), True),
    # neither ran nor waited on a machine short of CPU alone: a program measured whole (a sandbox's
    # process tree) was not starved, or it would have waited on a run queue: it slept
    (CpuTimes(run_s=0.1, wait_s=0.0), Stalls(cpu=0.95, memory=0.0, io=0.01), False),
    # neither ran nor waited on a quiet machine: it waited on itself (an endless sleep or await)
    (CpuTimes(run_s=0.1, wait_s=0.0), QUIET, False),
    (CpuTimes(run_s=0.1, wait_s=0.0), Stalls(cpu=0.3, memory=0.1, io=0.2), False),
    (CpuTimes(run_s=0.1, wait_s=0.0), None, False),  # no pressure files: a timeout is the program's
    (CpuTimes(), Stalls(), False),
])
def test_a_program_is_blamed_only_when_it_had_its_time(delta: CpuTimes, stalls: Stalls | None,
                                                        want: bool) -> None:
    assert starved(delta, 3.0, stalls) is want


def test_a_page_that_waits_on_the_browser_is_infra_when_the_machine_is_short_of_cpu() -> None:
    # A page's renderer is measured alone: its frame may wait on the starved browser and GPU processes.
    idle = CpuTimes(run_s=0.4, wait_s=0.1)
    short_of_cpu = Stalls(cpu=0.7, memory=0.0, io=0.0)
    assert starved(idle, 3.0, short_of_cpu, waits_on_others=True) is True
    assert starved(idle, 3.0, short_of_cpu) is False
    assert starved(idle, 3.0, Stalls(cpu=0.3, memory=0.0, io=0.0), waits_on_others=True) is False


def test_the_due_is_a_share_of_the_timeout() -> None:
    ran_two = CpuTimes(run_s=2.0, wait_s=2.0)
    assert starved(ran_two, 3.0) is False  # two thirds of 3 s: its due
    assert starved(ran_two, 6.0) is True  # a third of 6 s, and as long again on a run queue


def test_a_starved_render_is_owed_the_time_it_was_held_back() -> None:
    # 3 s on the clock, 2.5 s of it on a run queue: it had 0.5 s of fair time and is owed 2.5 s more
    assert owed(CpuTimes(run_s=0.4, wait_s=2.5), 3.0, 3.0) == pytest.approx(2.5)
    # blocked on the disk 60 % of the time: 1.8 s held back
    assert owed(CpuTimes(run_s=0.4, wait_s=0.1), 3.0, 3.0, Stalls(io=0.6)) == pytest.approx(1.8)
    # a program that had its due, or slept on a quiet machine, is owed nothing: answered at once
    assert owed(CpuTimes(run_s=2.8, wait_s=0.1), 3.0, 3.0) == 0.0
    assert owed(CpuTimes(run_s=0.1, wait_s=0.0), 3.0, 3.0, QUIET) == 0.0


def test_the_grace_ends_at_its_factor_of_the_timeout_and_comes_in_steps() -> None:
    held = CpuTimes(run_s=0.2, wait_s=8.0)
    assert owed(held, 8.5, 3.0) == pytest.approx(GRACE_FACTOR * 3.0 - 8.5)  # only the room left
    assert owed(held, GRACE_FACTOR * 3.0, 3.0) == 0.0  # then the answer: still starved, infra
    assert starved(held, 3.0)
    # fair time already past the timeout (held back less than it waited in wall time): a quarter step
    assert owed(CpuTimes(run_s=1.5, wait_s=0.8), 5.0, 3.0) == pytest.approx(0.75)


@given(run=st.floats(0, 30), wait=st.floats(0, 30), elapsed=st.floats(0.01, 30), timeout=st.floats(0.1, 10),
       io=st.none() | st.floats(0, 1))
def test_owed_time_is_bounded_and_only_for_the_starved(run: float, wait: float, elapsed: float,
                                                        timeout: float, io: float | None) -> None:
    delta, stalls = CpuTimes(run_s=run, wait_s=wait), Stalls(cpu=0.0, memory=0.0, io=io)
    more = owed(delta, elapsed, timeout, stalls)
    assert 0.0 <= more <= max(0.0, GRACE_FACTOR * timeout - elapsed) + 1e-9
    if more > 0:
        assert starved(delta, timeout, stalls)
        assert more >= min(0.25 * timeout, GRACE_FACTOR * timeout - elapsed) - 1e-9  # never a tight loop


class _Readings:
    """A program's CPU times as a test says: ``now`` is what ``measure()`` returns."""

    def __init__(self, now: CpuTimes | None) -> None:
        self.now = now

    def __call__(self) -> CpuTimes | None:
        return self.now


def test_a_deadline_waits_on_for_a_held_back_program_and_answers_when_it_had_its_due() -> None:
    readings = _Readings(CpuTimes())
    deadline = Deadline(0.2, readings, baseline=CpuTimes())
    time.sleep(0.21)
    readings.now = CpuTimes(run_s=0.01, wait_s=0.2)  # it spent the time on a run queue
    more = deadline.left()
    assert more > 0.1 and deadline.extended_s == more
    time.sleep(more + 0.01)
    readings.now = CpuTimes(run_s=0.19, wait_s=0.2)  # then it ran its due: its own timeout
    assert deadline.left() == 0.0 and not deadline.starved()
    assert "ran 0.2 s" in deadline.describe() and "more while held back" in deadline.describe()


def test_a_deadline_without_readings_never_extends() -> None:
    deadline = Deadline(0.05, _Readings(None))
    time.sleep(0.06)
    assert deadline.left() == 0.0 and not deadline.starved() and deadline.extended_s == 0.0
    plain = Deadline(0.05)
    time.sleep(0.06)
    assert plain.left() == 0.0 and not plain.starved()


def _write_pressure(root: Path, cpu_us: int, memory_us: int, io_us: int) -> None:
    for name, total in (("cpu", cpu_us), ("memory", memory_us), ("io", io_us)):
        (root / name).write_text(f"some avg10=0.00 avg60=0.00 avg300=0.00 total={total}\n"
                                 f"full avg10=0.00 avg60=0.00 avg300=0.00 total={total // 2}\n")


def test_pressure_is_read_from_the_some_lines_and_turned_into_shares(tmp_path: Path) -> None:
    _write_pressure(tmp_path, 1_000_000, 5_000_000, 0)
    before = Pressure.now(tmp_path)
    assert (before.cpu_s, before.memory_s, before.io_s) == (1.0, 5.0, 0.0)
    later = Pressure(before.at_s + 4.0, cpu_s=2.0, memory_s=5.5, io_s=3.0)
    stalls = later.stalls_since(before)
    assert stalls == Stalls(cpu=0.25, memory=0.125, io=0.75)
    assert stalls.pressed() == ["io"]
    assert stalls.describe() == "the machine was stalled for CPU 25%, memory 12%, I/O 75% of the time"


def test_a_machine_without_pressure_files_reads_as_unknown(tmp_path: Path) -> None:
    (tmp_path / "cpu").write_text("some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n")
    reading = Pressure.now(tmp_path)  # no memory or io file, as on a kernel built without them
    assert reading.cpu_s == 7e-6 and reading.memory_s is None and reading.io_s is None
    stalls = Pressure(reading.at_s + 1, cpu_s=0.9, memory_s=None, io_s=None).stalls_since(reading)
    assert stalls.memory is None and stalls.pressed() == ["cpu"]
    assert stalls.describe() == "the machine was stalled for CPU 90% of the time"
    assert Stalls().describe() == "" and Stalls().pressed() == []
    assert Pressure.now(tmp_path / "absent").stalls_since(reading) == Stalls()


def test_this_machine_reports_its_pressure_when_the_kernel_has_psi() -> None:
    if not Path("/proc/pressure/cpu").exists():
        pytest.skip("no pressure-stall information in this kernel")
    reading = Pressure.now()
    assert reading.cpu_s is not None and reading.cpu_s >= 0
