"""A soak: hundreds of renders in a row keep memory flat and leave no process behind."""

from __future__ import annotations

import time

import pytest

from codepaint_env.render import Renderer
from support.processes import chromium_pids, rss_mb

pytestmark = [pytest.mark.browser, pytest.mark.soak]

N_WARMUP = 30
N_SOAK = 200


def sketch(i: int) -> str:
    return (f"function setup(){{createCanvas(64,64);background({i % 200 + 20});"
            f"fill({(i * 37) % 255},80,120);circle({i % 64},32,24);}}")


def test_soak_memory_flat_and_no_leftover_processes():
    # Only this renderer's browsers count: not another run's on the machine (they would move the
    # figures), nor the browsers of other renderers in this test process (a session fixture's).
    before = chromium_pids(ours=True)
    r = Renderer(recycle_every=10_000, cache_size=0)
    try:
        out = r.render_many([sketch(i) for i in range(N_WARMUP)], "p5", size=64)
        assert all(o.ok for o in out)
        ours = chromium_pids(ours=True) - before
        warm = rss_mb(ours)
        out = r.render_many([sketch(i) for i in range(N_WARMUP, N_WARMUP + N_SOAK)], "p5", size=64)
        assert all(o.ok for o in out), [o.messages for o in out if not o.ok][:3]
        ours_after = chromium_pids(ours=True) - before
        end = rss_mb(ours_after)
        assert r.pool.launches == 1
        # Flat: renderer processes come and go with their contexts; the total must not creep.
        assert end < warm * 1.5 + 150, f"browser RSS grew from {warm:.0f} MB to {end:.0f} MB"
        assert len(ours_after) <= len(ours) + 4, "renderer processes are piling up"
    finally:
        r.close()
    # Every browser process seen, and any still below this process (a late child), must be gone.
    seen = ours | ours_after

    def left() -> set[int]:
        return ((chromium_pids() & seen) | chromium_pids(ours=True)) - before

    deadline = time.time() + 10
    while left() and time.time() < deadline:
        time.sleep(0.2)
    assert left() == set(), "browser processes outlived Renderer.close()"
