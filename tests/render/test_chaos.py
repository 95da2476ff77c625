"""Chaos soak: 174 renders of good and bad programs in every language while a thread SIGKILLs
the browser, the resvg worker and sandboxed subprocesses at random moments (every 1-3 s).

Every input is answered, in order, with no exception; every good program is `ok` or `infra`
(never `crash`/`timeout`); every bad one gets its own kind (or `infra` when a kill hit it twice);
`execution_gate` gives good programs 1 or None, never its minimum; afterwards a good render
works, memory is back to its level, and no process of ours is left (docs/RELIABILITY.md, "Chaos").
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from dataclasses import dataclass

import pytest

import rewards
from codepaint_env.render import Renderer
from codepaint_env.render.load import descendants
from codepaint_env.render.resvg.fast_svg import shutdown_workers
from rewards.base import Sample

pytestmark = [pytest.mark.browser, pytest.mark.soak]

SEED = 20261122


@dataclass
class Case:
    code: str
    language: str
    want: str | None  # the error kind the program deserves (None: it renders)
    renderer: str = "auto"
    timeout_s: float = 30.0


def good_cases(i: int) -> list[Case]:
    r, g, b = (i * 37) % 200 + 20, (i * 59) % 200 + 20, (i * 83) % 200 + 20
    x = 16 + i % 32
    return [
        Case(f"function setup(){{createCanvas(64,64);background(240);fill({r},{g},{b});circle({x},32,24);}}",
             "p5", None),
        Case(f"function setup(){{createCanvas(96,48);background(250);stroke({r},{g},{b});strokeWeight(4);"
             f"line(0,0,{x},48);}}", "p5", None),  # a non-square canvas that is not blank
        Case(f'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" '
             f'fill="#f4efe4"/><circle cx="{x}" cy="32" r="14" fill="rgb({r},{g},{b})"/></svg>', "svg", None),
        Case(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 72 40"><rect width="72" height="40" '
             f'fill="#223"/><rect x="{x % 40}" y="8" width="20" height="20" fill="rgb({r},{g},{b})"/></svg>',
             "svg", None, renderer="fast"),
        Case('<!doctype html><html><head><meta name="viewport" content="width=device-width"></head>'
             f'<body style="margin:0;background:#eee"><div style="width:{x}px;height:30px;'
             f'background:rgb({r},{g},{b})"></div></body></html>', "html", None),
        Case("from PIL import Image, ImageDraw\nim = Image.new('RGB', (64, 64), 'white')\n"
             f"ImageDraw.Draw(im).ellipse(({x - 10}, 20, {x + 10}, 40), fill=({r}, {g}, {b}))\n"
             "im.save(OUTPUT_PATH)\n", "python", None),
    ]


BRUSH = ("function setup(){{ createCanvas(64,64,WEBGL); background(250); brush.set('HB','#2f2a26',1);"
         " brush.line(-25,-20,25,{y}); }}")

BAD = [
    Case("function setup(){ createCanvas(64,64); for(;;){} }", "p5", "timeout", timeout_s=4),
    Case("function setup(){ createCanvas(64,64); const keep=[];"
         " for(;;){ const a=new Float64Array(16*1024*1024); a.fill(1); keep.push(a); } }", "p5", "crash"),
    Case("function setup( { createCanvas(64,64) }", "p5", "syntax"),
    Case("async function setup(){ createCanvas(64,64); background(200);"
         " await loadImage('https://example.com/cat.png'); }", "p5", "runtime"),
    Case("function setup(){ createCanvas(720,400); background(0); }", "p5", "blank"),
    Case('<svg xmlns="http://www.w3.org/2000/svg" width="720" height="400"><rect width="720" height="400" '
         'fill="#000"/></svg>', "svg", "blank"),
    Case('<svg xmlns="http://www.w3.org/2000/svg" width="720" height="400"><rect width="720" height="400" '
         'fill="#000"/></svg>', "svg", "blank", renderer="fast"),
    Case("<svg><rect></svg>", "svg", "syntax"),
    Case("while True:\n    pass\n", "python", "timeout", timeout_s=4),
    Case("import math\nprint(1 / 0)\n", "python", "runtime"),
    Case("def f(:\n  pass\n", "python", "syntax"),
]


def workload() -> list[Case]:
    rng = random.Random(SEED)
    cases = [c for i in range(20) for c in good_cases(i)]
    cases += [Case(BRUSH.format(y=10 + i), "p5brush", None) for i in range(10)]
    cases += [c for _ in range(4) for c in BAD]
    rng.shuffle(cases)
    return cases


def is_target(pid: int, kind: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read()
    except OSError:
        return False
    if kind == "resvg":
        return b"import resvg_py" in cmd and b"setpriv" not in cmd and b"unshare" not in cmd
    return b"runner.py" in cmd and b"setpriv" not in cmd and b"unshare" not in cmd


class Chaos(threading.Thread):
    """Every 1-3 s, SIGKILL one of: the browser, a resvg worker, a sandboxed python program."""

    def __init__(self, r: Renderer) -> None:
        super().__init__(daemon=True)
        self.r, self.stop = r, threading.Event()
        self.rng = random.Random(SEED + 1)
        self.kills: dict[str, int] = {"browser": 0, "resvg": 0, "sandbox": 0}

    def run(self) -> None:
        while not self.stop.wait(self.rng.uniform(1.0, 3.0)):
            kind = self.rng.choice(list(self.kills))
            if kind == "browser":
                pids = self.r.pool.browser_pids()
            else:
                pids = [p for p in descendants([os.getpid()]) if is_target(p, kind)]
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            self.kills[kind] += bool(pids)


def tree_rss_mb() -> float:
    total = 0
    for pid in descendants([os.getpid()]):
        with contextlib.suppress(OSError, ValueError, IndexError), open(f"/proc/{pid}/statm") as fh:
            total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return total / 2**20


def test_chaos_soak_every_answer_right_nothing_raises_nothing_left():
    cases = workload()
    assert len(cases) >= 170
    before = descendants([os.getpid()])
    r = Renderer(max_pages=2, cache_size=0, memory_limit_mb=1024)
    try:
        # Warm up on good programs (a busy loop would run to the default timeout, where a loaded
        # machine rightly answers `infra`): before any kill, every one renders.
        good = [c for c in cases if c.want is None and c.renderer == "auto"][:12]
        warm = r.render_many([c.code for c in good], [c.language for c in good], size=64)
        assert all(o.ok for o in warm), [(o.language, o.error_kind, o.messages[:1]) for o in warm]
        rss_warm = tree_rss_mb()
        chaos = Chaos(r)
        chaos.start()
        t0 = time.perf_counter()
        try:
            futures = [r.submit(c.code, c.language, size=64, timeout_s=c.timeout_s, renderer=c.renderer)
                       for c in cases]
            results = [f.result(timeout=600) for f in futures]
        finally:
            chaos.stop.set()
            chaos.join()
        took = time.perf_counter() - t0
        assert len(results) == len(cases)
        wrong = [(c.language, c.renderer, c.want, res.error_kind, res.messages[:1])
                 for c, res in zip(cases, results, strict=True)
                 if res.error_kind not in (c.want, "infra")]
        assert not wrong, wrong[:10]
        assert all(res.language == c.language for c, res in zip(cases, results, strict=True))
        good = [(c, res) for c, res in zip(cases, results, strict=True) if c.want is None]
        infra = sum(res.error_kind == "infra" for _, res in good)
        assert infra < len(good) * 0.25, f"{infra} of {len(good)} good programs were infra"
        assert sum(chaos.kills.values()) >= 10, chaos.kills
        # the execution gate: a good program gets its pass value or None, never the minimum
        gate = rewards.make_reward("execution_gate")
        values = [v.value for v in gate.score([Sample(code=c.code, language=c.language, render=res)
                                               for c, res in good])]
        assert set(values) <= {1.0, None}, values
        # afterwards: one good render works, memory is back to its level
        assert r.render(good[0][0].code, good[0][0].language, size=64).ok
        rss_end = tree_rss_mb()
        assert rss_end < rss_warm * 1.5 + 300, f"memory grew from {rss_warm:.0f} MB to {rss_end:.0f} MB"
        print(f"\nchaos soak: {len(cases)} renders in {took:.0f} s, kills {chaos.kills}, "
              f"good infra {infra}/{len(good)}, stats {r.stats()['kinds']}, "
              f"rss {rss_warm:.0f} -> {rss_end:.0f} MB")
    finally:
        r.close()
        shutdown_workers()
    deadline = time.monotonic() + 15
    while descendants([os.getpid()]) - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert descendants([os.getpid()]) - before == set(), "processes outlived the renderer"
