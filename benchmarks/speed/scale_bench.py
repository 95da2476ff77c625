"""Scale: throughput through Ray workers and the HTTP service, against an in-process renderer.

    .venv/bin/python benchmarks/speed/scale_bench.py --quick     # about 3 minutes on 2 cores
    .venv/bin/python benchmarks/speed/scale_bench.py --n 96

Measured in one run (this machine is noisy: compare ratios, not absolute numbers):

* **throughput** (renders/s) of a batch of distinct programs (fast SVG, p5) through an in-process
  ``Renderer``, a ``RayRenderer`` with 1 worker and with 2 workers (a local Ray cluster, one CPU
  per worker);
* **overhead per render** of the Ray path and of the HTTP path (``codepaint serve`` on loopback,
  ``POST /render``) over an in-process render: the same program rendered one at a time, median
  latency, as a ratio;
* a **projection on paper** of what reaches 1,000 renders/s, from the measured rate per core.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from codepaint_env.render import Renderer

SIZE = 128


def svg(i: int) -> str:
    colour = f"#{(i * 2654435761) % 0xFFFFFF:06x}"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" '
            f'fill="#f4efe4"/><circle cx="{20 + i % 60}" cy="50" r="{10 + i % 20}" fill="{colour}"/>'
            f'<path d="M10 {90 - i % 30} L90 {10 + i % 40}" stroke="#223" stroke-width="3"/></svg>')


def p5(i: int) -> str:
    return (f"function setup(){{createCanvas({SIZE},{SIZE});background(245);stroke(30);strokeWeight(2);"
            f"for(let k=0;k<{20 + i % 20};k++) line(random({SIZE}),random({SIZE}),random({SIZE}),"
            f"random({SIZE}));fill({i * 37 % 255},90,120);circle({SIZE // 2},{SIZE // 2},{20 + i % 30});}}")


KINDS = {"fast svg": ("svg", "fast", svg), "p5": ("p5", "auto", p5)}


def throughput(r, lang: str, renderer: str, make, n: int, offset: int) -> float:
    codes = [make(offset + i) for i in range(n)]
    t = time.perf_counter()
    futs = [r.submit(c, lang, size=SIZE, renderer=renderer) for c in codes]
    res = [f.result() for f in futs]
    took = time.perf_counter() - t
    bad = [x.error_kind for x in res if not x.ok]
    assert not bad, bad[:5]
    return n / took


def latency(call, n: int) -> float:
    times = []
    for i in range(n):
        t = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("codepaint")
    proc = subprocess.Popen([str(exe), "serve", "--reward", "execution_gate", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("codepaint serve did not come up in 120 s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=64, help="programs per throughput batch")
    ap.add_argument("--latency-n", type=int, default=15, help="sequential renders per latency figure")
    ap.add_argument("--quick", action="store_true", help="n=32, latency-n=8")
    args = ap.parse_args()
    if args.quick:
        args.n, args.latency_n = 32, 8

    import ray

    from codepaint_env.render import RayRenderer

    ray.init(num_cpus=max(2, os.cpu_count() or 2), include_dashboard=False, log_to_driver=False)
    rates: dict[tuple[str, str], float] = {}
    lat: dict[tuple[str, str], float] = {}
    with Renderer() as local:
        for kind, (lang, which, make) in KINDS.items():
            throughput(local, lang, which, make, 4, 10_000)  # warm
            rates[("in-process", kind)] = throughput(local, lang, which, make, args.n, 0)
            lat[("in-process", kind)] = latency(
                lambda i, lang=lang, which=which, make=make: local.render(make(20_000 + i), lang, size=SIZE,
                                                                           renderer=which),
                args.latency_n)
    for workers in (1, 2):
        with RayRenderer(num_workers=workers, worker_options={"num_cpus": 1}) as rr:
            for kind, (lang, which, make) in KINDS.items():
                throughput(rr, lang, which, make, 4 * workers, 30_000 + 100 * workers)  # warm every worker
                rates[(f"ray x{workers}", kind)] = throughput(rr, lang, which, make, args.n, 1000 * workers)
                if workers == 1:
                    lat[("ray", kind)] = latency(
                        lambda i, lang=lang, which=which, make=make, rr=rr: rr.render(
                            make(40_000 + i), lang, size=SIZE, renderer=which), args.latency_n)
    ray.shutdown()

    port = free_port()
    server = start_server(port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for kind, (lang, which, make) in KINDS.items():
                def post(i: int, lang: str = lang, which: str = which, make=make) -> None:
                    body = {"items": [{"code": make(50_000 + i)}], "language": lang, "size": SIZE,
                            "renderer": which}
                    resp = client.post("/render", json=body)
                    resp.raise_for_status()
                post(-1)  # warm
                lat[("http", kind)] = latency(post, args.latency_n)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

    print(f"\nthroughput (renders/s, {args.n} distinct programs, {SIZE}px, {os.cpu_count()} cores)")
    print(f"{'path':14s}" + "".join(f"{k:>12s}" for k in KINDS))
    for path in ("in-process", "ray x1", "ray x2"):
        print(f"{path:14s}" + "".join(f"{rates[(path, k)]:12.1f}" for k in KINDS))
    print("\nlatency of one render, median ms (ratio over in-process)")
    for path in ("in-process", "ray", "http"):
        print(f"{path:14s}" + "".join(
            f"{lat[(path, k)]:8.1f} ({lat[(path, k)] / lat[('in-process', k)]:.2f}x)" for k in KINDS))
    cores = os.cpu_count() or 2
    print(f"\nprojection to 1,000 renders/s, from the measured in-process rate per core ({cores} cores here;"
          " a worker's browser uses every core it gets: Ray's num_cpus reserves, it does not pin)")
    for k in KINDS:
        per_core = rates[("in-process", k)] / cores
        need = 1000 / per_core
        print(f"  {k}: {per_core:.1f}/s per core -> {need:.0f} cores, e.g. {max(1, -(-round(need) // 60))} "
              f"node(s) of 64 cores running 30 workers of num_cpus=2 (4 cores left for Ray and the driver)")
    for k in KINDS:
        print(f"scaling {k}: ray x2 / ray x1 = {rates[('ray x2', k)] / rates[('ray x1', k)]:.2f}")


if __name__ == "__main__":
    main()
