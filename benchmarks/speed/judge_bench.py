"""Judge throughput: concurrent pairwise judgments against the stand-in server, and the cache path.

    .venv/bin/python benchmarks/speed/judge_bench.py            # about 20 s
    .venv/bin/python benchmarks/speed/judge_bench.py --latency-ms 500 --n 4 16 64

The stand-in judge (a real OpenAI-compatible HTTP server on loopback, started as its own process
with ``codepaint judge-server`` so that, like a remote model, it does not share this process's
CPU time and GIL) answers every request after a fixed artificial latency. For N concurrent
pairwise comparisons (one request each, ``both_orders=False``; and both orders, two requests
each) it prints wall time over the single-request latency measured in the same run: 1.0 means N
judgments cost one round trip. Then the cache-hit path: the same N judgments again, served from
the sqlite cache, no request.
Target: ratio <= 1.5 for N = 16.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

from rewards.base import run_sync
from rewards.judge.client import JudgeClient
from rewards.judge.judged import PairwiseJudge
from rewards.judge.rubric import load_rubric


@contextlib.contextmanager
def judge_server(latency_ms: float) -> Iterator[str]:
    """``codepaint judge-server`` in a subprocess; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "codepaint_env.cli",
            "judge-server",
            "--port",
            str(port),
            "--latency-ms",
            str(latency_ms),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{url}/models", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def requests_served(url: str) -> int:
    return int(httpx.get(url.replace("/v1", "/admin/stats")).json()["requests"])


def picture(seed: int) -> Image.Image:
    im = Image.new("RGB", (256, 256), (246, 241, 232))
    d = ImageDraw.Draw(im)
    for i in range(6):
        x, y = (seed * 37 + i * 53) % 200, (seed * 91 + i * 29) % 200
        d.ellipse((x, y, x + 40 + i * 5, y + 40), fill=((seed * 40 + i * 30) % 255, 120, (i * 60) % 255))
    return im


def run_batch(judge: PairwiseJudge, pairs: list[tuple[Image.Image, Image.Image]]) -> float:
    async def batch() -> list:
        return await asyncio.gather(*(judge.acompare(a, b, prompt="a flower") for a, b in pairs))

    t0 = time.perf_counter()
    out = run_sync(batch())
    elapsed = time.perf_counter() - t0
    if any(c.score is None for c in out):
        raise SystemExit(
            f"judge_bench: a comparison failed: {[c.reason for c in out if c.score is None][:1]}"
        )
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--latency-ms", type=float, default=250.0, help="stand-in latency per request (250)")
    ap.add_argument("--n", type=int, nargs="+", default=[1, 4, 16, 32], help="concurrent judgments")
    ap.add_argument("--concurrency", type=int, default=32, help="client max_concurrency (default 32)")
    args = ap.parse_args()
    with judge_server(args.latency_ms) as url, tempfile.TemporaryDirectory() as tmp:

        def client(cache: str | None) -> JudgeClient:
            return JudgeClient(
                base_url=url,
                api_key="x",
                model="standin",
                max_concurrency=args.concurrency,
                cache=str(Path(tmp) / f"{cache}.sqlite") if cache else False,
            )

        rubric = load_rubric("new")
        single = statistics.median(
            run_batch(PairwiseJudge(client(None), rubric, both_orders=False), [(picture(0), picture(1))])
            for _ in range(5)
        )
        print(
            f"\njudge_bench: stand-in latency {args.latency_ms:.0f} ms, max_concurrency {args.concurrency}; "
            f"single request {single * 1000:.0f} ms (median of 5)\n"
        )
        hdr = (f"{'N':>4}{'orders':>8}{'requests':>10}{'wall s':>9}{'wall/single':>13}{'cached s':>10}"
               f"{'speedup':>9}")
        print(hdr)
        print("-" * len(hdr))
        results = {}
        for n in args.n:
            pairs = [(picture(2 * i + 7 * n), picture(2 * i + 1 + 7 * n)) for i in range(n)]
            for both in (False, True):
                judge = PairwiseJudge(client(f"n{n}-{both}"), rubric, both_orders=both)
                before = requests_served(url)
                wall = run_batch(judge, pairs)
                sent = requests_served(url) - before
                before = requests_served(url)
                hit = run_batch(judge, pairs)
                assert requests_served(url) == before, "cache hits must not send requests"
                results[(n, both)] = wall / single
                print(
                    f"{n:>4}{2 if both else 1:>8}{sent:>10}{wall:>9.3f}{wall / single:>13.2f}{hit:>10.4f}"
                    f"{wall / hit:>8.0f}x"
                )
        if (16, False) in results:
            print(
                f"\nN=16 one order: wall/single = {results[(16, False)]:.2f} (target <= 1.5); both orders "
                f"(32 requests): {results[(16, True)]:.2f}"
            )


if __name__ == "__main__":
    main()
