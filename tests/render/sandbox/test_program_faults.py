"""Python and TikZ renders: failures told right (the program's error, the program's crash, a kill
from outside, an overloaded machine), and their messages."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from codepaint_env.render.load import descendants
from codepaint_env.render.sandbox import process
from codepaint_env.render.sandbox.process import sandbox_mode
from codepaint_env.render.sandbox.programs import render_python, render_tikz
from support.processes import children_first, children_pinned, overload, threads_kept_off

PIL_OK = ("from PIL import Image, ImageDraw\nim = Image.new('RGB', (64, 64), 'white')\n"
          "ImageDraw.Draw(im).ellipse((10, 10, 50, 50), fill='teal')\nim.save(OUTPUT_PATH)\n")


def test_a_failing_savefig_of_the_open_figure_is_runtime_with_the_exception():
    code = ("import matplotlib.pyplot as plt\nplt.rcParams['text.usetex'] = True\n"
            "fig, ax = plt.subplots()\nax.set_title(r'$\\frac{1}{$')\nax.plot([1, 2, 3])\n")
    res = render_python(code, 128, 128, timeout_s=60)
    assert res.error_kind == "runtime", res.messages
    assert res.messages[0].startswith("RuntimeError: latex was not able to process"), res.messages


def test_the_first_message_is_the_exception_line_then_the_programs_frames():
    res = render_python("import math\nprint('hello')\n\ndef f(x):\n    return 1 / x\n\nf(0)\n", 64, 64)
    assert res.error_kind == "runtime"
    assert res.messages[:5] == ["ZeroDivisionError: division by zero", 'File "draw.py", line 7, in <module>',
                                "  f(0)", 'File "draw.py", line 5, in f', "  return 1 / x"], res.messages
    assert not any("runpy" in m or "<frozen" in m for m in res.messages)


@pytest.mark.parametrize(("code", "signal_name"), [
    ("import os\nos.abort()\n", "6"),
    ("import ctypes\nctypes.string_at(0)\n", "11"),
])
def test_a_program_that_kills_itself_is_its_own_crash(code, signal_name):
    res = render_python(code, 64, 64)
    assert res.error_kind == "crash", res.messages
    assert f"status {128 + int(signal_name)}" in res.messages[0]


def test_a_missing_latex_package_is_named():
    res = render_tikz("\\usepackage{siunitx}\n\\draw (0,0) circle (1);", 64, 64)
    assert res.error_kind == "syntax"
    assert res.messages[0] == "LaTeX package siunitx is not installed", res.messages
    assert "siunitx.sty' not found" in res.messages[1]


class Killer(threading.Thread):
    """SIGKILLs (from outside) every sandboxed python program it sees, up to ``times`` of them."""

    def __init__(self, times: int) -> None:
        super().__init__(daemon=True)
        self.times, self.killed, self.stop = times, 0, threading.Event()

    def run(self) -> None:
        seen: set[int] = set()
        while not self.stop.wait(0.02) and self.killed < self.times:
            for pid in descendants([os.getpid()]) - seen:
                with contextlib.suppress(OSError):
                    with open(f"/proc/{pid}/cmdline", "rb") as fh:
                        cmd = fh.read()
                    if b"runner.py" in cmd and b"setpriv" not in cmd and b"/bin/sh" not in cmd:
                        seen.add(pid)
                        os.kill(pid, signal.SIGKILL)
                        self.killed += 1


SLOW_OK = "import time\ntime.sleep(0.8)\n" + PIL_OK


@pytest.mark.parametrize(("kills", "want"), [(1, None), (2, "infra")])
def test_a_program_killed_from_outside_is_retried_then_infra(kills, want):
    killer = Killer(kills)
    killer.start()
    try:
        res = render_python(SLOW_OK, 64, 64, timeout_s=20)
    finally:
        killer.stop.set()
        killer.join()
    assert killer.killed == kills
    assert res.error_kind == want, res.messages
    if want == "infra":
        assert "killed by signal 9 from outside, twice" in res.messages[0], res.messages


@pytest.mark.skipif(os.geteuid() != 0 or len(os.sched_getaffinity(0)) < 2,
                    reason="needs root (negative nice) and two CPUs")
def test_an_overloaded_machine_is_infra_and_a_busy_program_is_its_own_timeout():
    busy = "while True:\n    pass\n"
    heavy = "x = 0\nfor i in range(10_000_000):\n    x += i % 7\n" + PIL_OK  # ~1 s of CPU here
    # Given the CPU (the highest priority: other work on this machine must not starve it, or the
    # verdict is rightly the machine's), a busy program used its time.
    with children_first():
        res = render_python(busy, 64, 64, timeout_s=3)
    assert res.error_kind == "timeout" and "ran" in res.messages[0], res.messages
    # Eight hogs at the highest priority take one CPU, and the sandbox (the program) is put there
    # from its first instant; this process, whose watch over the time is being tested, keeps the
    # others. Held back all along, it is given up to three times its timeout, then answered `infra`.
    # (The killed program exits only when the hogs let it.)
    cpu = min(os.sched_getaffinity(0))
    with threads_kept_off({cpu}):
        hogs = overload(seconds=30, cpus={cpu})  # past the render's grace (3x its timeout), then killed
        try:
            with children_pinned({cpu}):
                res = render_python(heavy, 64, 64, timeout_s=3)
        finally:
            for h in hogs:
                h.kill()
                h.wait()
    assert res.error_kind == "infra" and "overloaded" in res.messages[0], res.messages
    with children_first():
        res = render_python(heavy, 64, 64, timeout_s=3)  # the same program, given the CPU
    assert res.ok, (res.error_kind, res.messages)


@pytest.mark.skipif(os.geteuid() != 0 or len(os.sched_getaffinity(0)) < 2,
                    reason="needs root (negative nice) and two CPUs")
def test_a_program_held_back_for_a_while_is_given_its_time_and_renders():
    # Eight hogs share the program's CPU for its first 4 s, past its 3 s timeout: it gets a ninth of
    # that CPU, and waits on a run queue the rest. It is owed the time it waited, so it runs on after
    # its timeout and renders once the hogs are gone. It needs about 1 s of CPU here; the hogs and
    # it have the highest priority, so other work on this machine does not hold it back as well.
    heavy = "x = 0\nfor i in range(10_000_000):\n    x += i % 7\n" + PIL_OK
    cpu = min(os.sched_getaffinity(0))
    with threads_kept_off({cpu}):
        hogs = overload(seconds=4, cpus={cpu})
        try:
            with children_pinned({cpu}), children_first() as raised:
                res = render_python(heavy, 64, 64, timeout_s=3)
            hogs_left = [h.pid for h in hogs if h.poll() is None]  # each ends itself after 4 s
        finally:
            for h in hogs:
                h.kill()
                h.wait()
    assert res.ok, (res.error_kind, res.messages, res.timings_ms, f"hogs left: {hogs_left}", raised)
    assert res.timings_ms["total"] > 3000, res.timings_ms  # it ran past its timeout


def test_a_python_started_by_a_relative_path_renders():
    # `../.venv/bin/python` makes sys.executable a path through a folder the sandbox does not
    # mount: the program must still run (it was `crash`, status 127, for every program).
    here = Path(__file__).parent
    python = os.path.relpath(sys.executable, here)
    assert ".." in python
    code = ("from codepaint_env.render.sandbox.programs import render_python\n"
            f"r = render_python({PIL_OK!r}, 64, 64)\nprint(r.ok, r.error_kind, r.messages)\n")
    out = subprocess.run([python, "-c", code], cwd=here, capture_output=True, text=True, timeout=120)
    assert out.stdout.startswith("True None"), (out.stdout, out.stderr[-2000:])


def test_a_sandbox_probe_that_does_not_answer_is_infra_and_decides_nothing(tmp_path, monkeypatch):
    # On a machine too busy to answer the first probe of bwrap, the answer is `infra`, and no
    # weaker sandbox is settled on for the rest of the process: the next render probes again.
    mode = sandbox_mode()
    slow = tmp_path / "bwrap"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    with monkeypatch.context() as m:
        m.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
        m.setattr(process, "PROBE_TIMEOUT_S", 0.5)
        sandbox_mode.cache_clear()
        try:
            res = render_python(PIL_OK, 64, 64)
        finally:
            sandbox_mode.cache_clear()
    assert res.error_kind == "infra", res.messages
    assert "probe of bwrap did not answer in 0.5 s" in res.messages[0], res.messages
    assert sandbox_mode() == mode
    assert render_python(PIL_OK, 64, 64).ok


def test_the_status_file_is_out_of_the_programs_reach(tmp_path):
    # A program that plants a link where it might guess the status goes, then exits: nothing of
    # ours follows it (the status folder is the caller's alone).
    target = tmp_path / "victim"
    target.write_text("untouched")
    os.chmod(tmp_path, 0o777)
    code = ("import os, glob\n"
            f"for d in glob.glob('/tmp/codepaint-status-*') + ['.']:\n"
            f"    try:\n        os.symlink('{target}', os.path.join(d, 'status'))\n"
            "    except OSError:\n        pass\n" + PIL_OK)
    res = render_python(code, 64, 64)
    assert res.ok, res.messages
    assert target.read_text() == "untouched"
