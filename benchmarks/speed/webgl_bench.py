"""WebGL path: in-page time of loved p5.brush watercolours on SwiftShader and on the GPU.

    .venv/bin/python benchmarks/speed/webgl_bench.py                 # gpu=off and gpu=auto, 8 sketches
    .venv/bin/python benchmarks/speed/webgl_bench.py --n 16 --size 512

Renders the pool's loved p5brush references (``reference_pool/``) once per ``gpu`` mode, in one
run, one at a time (so in-page time is the sketch's own, not a queue's), after one warm-up
render. Prints the WebGL renderer string each mode ended up on, the median in-page time (from
navigation to the finished frame) and total time per render, and the ratio. On a machine with
no GPU both modes run on SwiftShader: ``gpu=auto`` falls back (that is the expected output here).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from codepaint_env.render import Renderer

ROOT = Path(__file__).resolve().parents[2]


def loved_sketches(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "reference_pool" / "manifest.jsonl").read_text().splitlines()
            if line.strip()]
    rows = [r for r in rows if r["language"] == "p5brush" and r["tier"] == "love"][:n]
    return [(ROOT / "reference_pool" / r["code_path"]).read_text() for r in rows]


def measure(gpu: str, sketches: list[str], size: int) -> dict[str, object]:
    with Renderer(gpu=gpu, cache_size=0, timeout_s=120) as r:
        info = r.gpu_info()
        r.render(sketches[0], "p5brush", size=size)  # warm-up: the slot, p5 compiled
        page, total, failed = [], [], 0
        for code in sketches:
            t = time.perf_counter()
            res = r.render(code, "p5brush", size=size)
            total.append((time.perf_counter() - t) * 1000)
            if res.ok:
                page.append(res.timings_ms["page"])
            else:
                failed += 1
    return {"gpu": gpu, "backend": info["backend"], "webgl": info["webgl_renderer"],
            "page_ms": statistics.median(page) if page else float("nan"),
            "total_ms": statistics.median(total), "failed": failed, "renderer": res.renderer}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=8, help="loved p5brush references to render (default 8)")
    ap.add_argument("--size", type=int, default=512, help="output size (default 512)")
    ap.add_argument("--modes", nargs="+", default=["off", "auto"], choices=["off", "auto", "on"])
    args = ap.parse_args()
    sketches = loved_sketches(args.n)
    rows = [measure(mode, sketches, args.size) for mode in args.modes]
    print(f"\nwebgl_bench: {len(sketches)} loved p5brush references at {args.size}px, one at a time\n")
    for row in rows:
        print(f"gpu={row['gpu']:<5} {row['backend']:<9} webgl: {row['webgl']}")
    print(f"\n{'gpu':<6}{'backend':<10}{'page ms':>10}{'total ms':>10}{'failed':>8}")
    for row in rows:
        print(f"{row['gpu']:<6}{row['backend']:<10}{row['page_ms']:>10.0f}{row['total_ms']:>10.0f}{row['failed']:>8}")
    if len(rows) == 2:
        ratio = rows[0]["page_ms"] / rows[1]["page_ms"]  # type: ignore[operator]
        print(f"\nin-page {rows[0]['gpu']} / {rows[1]['gpu']}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
