"""Faults outside the program: a browser or page killed from outside, a closed renderer, an
overloaded machine. Each is `infra` (or recovered from), never the program's `crash`/`timeout`,
and nothing raises out of a batch."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import threading
import time

import pytest

from codepaint_env.render import ERROR_KINDS, Renderer
from codepaint_env.render.browser.chromium import cgroup_v1_available
from support.processes import children_first, overload, pin
from support.programs import SIMPLE_P5

pytestmark = pytest.mark.browser

#: Waits 1.5 s inside an async setup(): a render that is in flight long enough to be hit.
SLOW = ("async function setup(){ createCanvas(64,64); background(250); fill(0); circle(32,32,20);"
        " await new Promise(r => setTimeout(r, 1500)); }")


def kill_browser(r: Renderer) -> None:
    for pid in r.pool.browser_pids():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


class BrowserKiller(threading.Thread):
    """Kills every browser the renderer launches, ``delay`` seconds after it appears."""

    def __init__(self, r: Renderer, delay: float) -> None:
        super().__init__(daemon=True)
        self.r, self.delay, self.stop = r, delay, threading.Event()
        self.kills = 0

    def run(self) -> None:
        seen = None
        while not self.stop.is_set():
            gen = self.r.pool._gen
            if gen is not None and gen is not seen:
                seen = gen
                if self.stop.wait(self.delay):
                    return
                kill_browser(self.r)
                self.kills += 1
            time.sleep(0.02)


def test_browser_killed_under_both_attempts_is_infra_not_crash():
    with Renderer(max_pages=2, cache_size=0) as r:
        assert r.render(SIMPLE_P5, "p5", size=64).ok
        killer = BrowserKiller(r, delay=0.7)
        killer.start()
        try:
            res = r.render(SLOW, "p5", size=64)
        finally:
            killer.stop.set()
            killer.join()
        assert res.error_kind == "infra" and not res.ok, (res.error_kind, res.messages)
        assert "the browser died" in res.messages[0], res.messages
        assert res.png is None
        # and the renderer recovers by itself
        assert r.render(SIMPLE_P5.replace("240", "230"), "p5", size=64).ok
        assert r.stats()["kinds"]["infra"] == 1


def test_browser_killed_while_slots_are_being_made_never_raises():
    # slot_renders=1: a fresh browser context (and its routing set-up) for every render, so the
    # kills land in slot set-up as well as in renders. Before the fix a TargetClosedError from
    # BrowserContext.route escaped render_many.
    progs = [SLOW.replace("250", str(200 + i)).replace("1500", "300") for i in range(24)]
    with Renderer(max_pages=2, slot_renders=1, cache_size=0) as r:
        assert r.render(SIMPLE_P5, "p5", size=64).ok
        stop = threading.Event()

        def chaos() -> None:
            while not stop.wait(1.2):
                kill_browser(r)

        t = threading.Thread(target=chaos, daemon=True)
        t.start()
        try:
            out = r.render_many(progs, "p5", size=64)
        finally:
            stop.set()
            t.join()
        kinds = [o.error_kind for o in out]
        assert set(kinds) <= {None, "infra"}, kinds
        assert r.pool.launches > 2
        assert r.render(SIMPLE_P5, "p5", size=64).ok


def test_closing_the_renderer_answers_every_render_in_flight():
    r = Renderer(max_pages=2, cache_size=0)
    assert r.render(SIMPLE_P5, "p5", size=64).ok
    futs = [r.submit(SLOW.replace("250", str(200 + i)), "p5", size=64) for i in range(6)]
    time.sleep(0.5)
    r.close()
    out = [f.result(timeout=30) for f in futs]
    assert all(o.error_kind in (None, "infra") for o in out), [o.error_kind for o in out]
    assert any(o.error_kind == "infra" and "closed" in o.messages[0] for o in out)
    # a closed renderer starts afresh when used again
    assert r.render(SIMPLE_P5, "p5", size=64).ok
    r.close()


@pytest.mark.skipif(not cgroup_v1_available(), reason="needs the browser's memory cgroup to tell an "
                    "out-of-memory kill from a kill from outside")
def test_page_killed_from_outside_is_retried_and_a_memory_hog_stays_crash():
    with Renderer(max_pages=2, cache_size=0, timeout_s=30, memory_limit_mb=1024) as r:
        assert r.render(SIMPLE_P5, "p5", size=64).ok
        slot = r.pool._idle[-1]
        pid = slot.renderer_pid
        assert pid in r.pool.browser_pids()
        threading.Timer(0.8, os.kill, (pid, signal.SIGKILL)).start()
        retries = r.pool.retries
        res = r.render(SLOW, "p5", size=64)  # lands in the slot whose renderer is killed
        assert res.ok, res.messages
        assert r.pool.retries == retries + 1
        hog = ("function setup(){ createCanvas(64,64); const keep=[];"
               " for(;;){ const a=new Float64Array(16*1024*1024); a.fill(1); keep.push(a); } }")
        res = r.render(hog, "p5", size=64)
        assert res.error_kind == "crash", (res.error_kind, res.messages)
        assert r.pool.retries == retries + 1, "an out-of-memory kill is the program's: not retried"


@pytest.mark.skipif(not cgroup_v1_available(), reason="needs the pages' memory cgroups")
def test_another_pages_memory_death_never_turns_a_kill_from_outside_into_crash():
    """Two pages of one browser: one program dies of its own memory while the other page's
    renderer is killed from outside. The first is `crash`; the second is retried (and renders),
    never blamed for the other page's memory (each page has its own memory group)."""
    busy = ("function setup(){ createCanvas(64,64); background(250); fill(0); circle(32,32,20);"
            " const t = Date.now(); while (Date.now() - t < 10000) {} }")
    hog = ("function setup(){ createCanvas(64,64); const keep=[];"
           " for(;;){ const a=new Float64Array(16*1024*1024); a.fill(1); keep.push(a); } }")
    with Renderer(max_pages=2, cache_size=0, timeout_s=40, memory_limit_mb=512) as r:
        assert r.render(SIMPLE_P5, "p5", size=64).ok
        retries = r.pool.retries
        (slot,) = r.pool._idle  # the warm slot: the busy program's render takes it
        good = r.submit(busy, "p5", size=64)
        time.sleep(1.0)  # its page is busy
        assert slot.job is not None and not slot.job.unserved, "the busy render runs in the warm slot"
        assert r.submit(hog, "p5", size=64).result(timeout=60).error_kind == "crash"
        assert not good.done()
        os.kill(slot.renderer_pid, signal.SIGKILL)
        res = good.result(timeout=90)
        assert res.ok, (res.error_kind, res.messages)
        assert r.pool.retries == retries + 1


@pytest.mark.skipif(os.geteuid() != 0 or len(os.sched_getaffinity(0)) < 2,
                    reason="needs root (negative nice) and two CPUs")
def test_an_overloaded_machine_is_infra_and_a_busy_loop_is_the_programs_timeout():
    # ~15 s of CPU: more than the 6 s timeout either way. Given the CPU, the program used its
    # time (timeout); when the machine stops letting it run, the verdict is the machine's (infra).
    heavy = ("function setup(){createCanvas(64,64);let x=0;for(let i=0;i<1e10;i++){x+=i%7}"
             " background(x%255,9,9); fill(255); circle(32,32,30)}")
    busy = "function setup(){ createCanvas(64,64); for(;;){} }"
    with Renderer(max_pages=1, cache_size=0, timeout_s=6) as r:
        assert r.render(SIMPLE_P5, "p5", size=64).ok  # the slot (and its renderer process) exists
        with children_first():  # given the CPU, whatever else this machine runs
            assert r.render(busy, "p5", size=64).error_kind == "timeout"  # (a new slot after a timeout)
            assert r.render(SIMPLE_P5.replace("240", "235"), "p5", size=64).ok
            res = r.render(heavy, "p5", size=64)
            assert res.error_kind == "timeout" and "ran" in res.messages[0], res.messages
        assert r.render(SIMPLE_P5.replace("240", "230"), "p5", size=64).ok
        # Eight hogs at the highest priority take CPU 0; the browser, the driver and we keep CPU 1.
        # Once the page has fetched the program (it is running then: a slow machine takes longer to
        # get there), the page's renderer process is moved onto CPU 0: from then on it gets a ninth
        # of a CPU, for three times its timeout. The browser's processes have the highest priority,
        # as the hogs do, so the rest of the page (its navigation, its frames) is not starved by
        # other work on this machine: the program alone is held back.
        slot = r.pool._idle[0]
        hogs = overload(cpus={0})
        timer = threading.Thread(target=_pin_once_running, args=(slot, {0}), daemon=True)
        timer.start()
        try:
            with children_first():
                res = r.render(heavy, "p5", size=64)
        finally:
            timer.join()
            for h in hogs:
                h.kill()
                h.wait()
        assert res.error_kind == "infra", res.messages
        assert "overloaded" in res.messages[0], res.messages


def _pin_once_running(slot, cpus: set[int], limit_s: float = 120.0) -> None:
    """Pin the slot's renderer onto ``cpus`` once its render has fetched the program."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end and (slot.job is None or slot.job.unserved):
        time.sleep(0.01)
    time.sleep(0.2)  # the program has started
    pin(slot.renderer_pid, cpus)


def test_stats_count_every_kind():
    with Renderer(max_pages=2) as r:
        r.render(SIMPLE_P5, "p5", size=64)
        r.render(SIMPLE_P5, "p5", size=64)  # a cache hit is an answer too
        r.render("", "p5")
        r.render("<svg", "svg")
        st = r.stats()
    assert set(st["kinds"]) == {"ok", *ERROR_KINDS}
    assert st["kinds"]["ok"] == 2 and st["kinds"]["empty"] == 1 and st["kinds"]["syntax"] == 1
    assert st["renders"] == 4 and st["cache_hits"] == 1 and st["browser_launches"] == 1


def test_arender_and_interact_answer_infra_too():
    import asyncio

    async def noop(page, cdp, cap):
        return "acted"

    with Renderer(max_pages=2, cache_size=0) as r:
        assert r.render(SIMPLE_P5, "p5", size=64).ok
        killer = BrowserKiller(r, delay=0.7)
        killer.start()
        try:
            res = asyncio.run(r.arender(SLOW, "p5", size=64))
            html = ("<!doctype html><body><script>const t = Date.now(); while (Date.now() - t < 1500) {}"
                    "</script><p>slow</p></body>")
            res2, inter = r.interact(html, "html", after=noop, size=64)
        finally:
            killer.stop.set()
            killer.join()
        assert res.error_kind == "infra", res.messages
        assert res2.error_kind == "infra" and inter is None, res2.messages


@pytest.mark.skipif(not cgroup_v1_available(), reason="needs cgroups")
def test_closing_one_renderer_leaves_another_renderers_browser_alone():
    # Each browser gets a cgroup of its own: two pools once both named theirs codepaint-<pid>-1,
    # and closing one removed the group, killing the other's browser with it.
    with Renderer(max_pages=1, cache_size=0) as a:
        assert a.render(SIMPLE_P5, "p5", size=64).ok
        b = Renderer(max_pages=1, cache_size=0)
        assert b.render(SIMPLE_P5.replace("240", "230"), "p5", size=64).ok
        assert not set(a.pool.browser_pids()) & set(b.pool.browser_pids())
        launches = a.pool.launches
        b.close()
        assert a.render(SIMPLE_P5.replace("240", "220"), "p5", size=64).ok
        assert a.pool.launches == launches, "a's browser died when b closed"


def _pressures(cpu_share: float):
    """``Pressure.now`` as a machine stalled for CPU ``cpu_share`` of the time would answer it."""
    from codepaint_env.render.load import Pressure

    clock = itertools.count()

    def now(root: str = "/proc/pressure") -> Pressure:
        t = next(clock) * 10.0
        return Pressure(t, cpu_s=t * cpu_share, memory_s=0.0, io_s=0.0)
    return now


@pytest.mark.parametrize("cpu_share", [0.9, 0.0])
def test_a_browser_that_times_out_starting_is_infra_on_a_stalled_machine_and_broken_on_a_quiet_one(
        monkeypatch, cpu_share):
    # Playwright's own launch, made to time out as it does when a loaded machine cannot start the browser
    # in 60 s; the machine's pressure as the kernel would report it during that minute.
    from playwright.async_api import BrowserType
    from playwright.async_api import TimeoutError as LaunchTimeout

    from codepaint_env.core.errors import RendererUnavailable
    from codepaint_env.render.browser import launch as launch_module

    async def times_out(self, **kwargs):
        raise LaunchTimeout("BrowserType.launch: Timeout 60000ms exceeded.")

    monkeypatch.setattr(BrowserType, "launch", times_out)
    monkeypatch.setattr(launch_module.Pressure, "now", _pressures(cpu_share))
    with Renderer(max_pages=1, cache_size=0) as r:
        if cpu_share:
            res = r.render(SIMPLE_P5, "p5", size=64)  # the machine's: this render is infra, nothing raises
            assert res.error_kind == "infra", res.messages
            assert "did not start in 60 s: the machine was overloaded" in res.messages[0], res.messages
        else:  # on a quiet machine a browser that never starts is a broken installation
            with pytest.raises(RendererUnavailable, match="Chromium failed to start"):
                r.render(SIMPLE_P5, "p5", size=64)
