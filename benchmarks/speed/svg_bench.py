"""SVG rasterisers: Chromium (the Renderer) against resvg (``render_svg_fast``) and CairoSVG.

    .venv/bin/python benchmarks/speed/svg_bench.py            # ~20-30 s on 2 cores
    .venv/bin/python benchmarks/speed/svg_bench.py --no-isolation --repeats 1

Everything runs on the parity set (``tests/support/data/svg_parity/*.svg``) at 256x256, in one run (this
machine is noisy: compare ratios, not absolute numbers). Prints

1. **fidelity**: mean per-pixel absolute difference (0-255, over RGB) of resvg and of CairoSVG
   against Chromium, per file;
2. **throughput** (renders/s) of Chromium (``Renderer(cache_size=0)``, one at a time and
   ``render_many``), ``render_svg_fast`` (one at a time and one thread per worker) and CairoSVG
   (in-process), with ratios to Chromium;
3. **isolation cost** (unless ``--no-isolation``): resvg in-process against the sandboxed worker
   (``render_svg_fast``) and against a one-shot ``run_sandboxed`` process per render (python start
   and ``import resvg_py`` each time).

CairoSVG and in-process resvg get the same prepared document as ``render_svg_fast`` (root sized
to the fitted box, external references dropped) and the same white composite, so only the
rasteriser differs.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from codepaint_env.render import Renderer
from codepaint_env.render.resvg.fast_svg import (
    FONTS,
    _finish,
    _on_white,
    _prepare,
    _Prepared,
    _request,
    render_svg_fast,
    shutdown_workers,
)
from codepaint_env.render.sandbox.process import Limits, run_sandboxed

SIZE = 256
PARITY = Path(__file__).resolve().parents[2] / "tests" / "support" / "data" / "svg_parity"

_ONESHOT = r"""
import json, sys, resvg_py
req = json.load(open("req.json"))
open("out.png", "wb").write(resvg_py.svg_to_bytes(**req))
"""


def _diff(a: Image.Image, b: Image.Image) -> float:
    x = np.asarray(a.convert("RGB"), dtype=np.int16)
    y = np.asarray(b.convert("RGB"), dtype=np.int16)
    return float(np.abs(x - y).mean())


def _cairo(prep: _Prepared) -> Image.Image:
    import cairosvg

    png = cairosvg.svg2png(bytestring=prep.doc.encode(), background_color=prep.background)
    with Image.open(io.BytesIO(png)) as im:
        pic = _on_white(im)
    return _finish(pic, 0.0, prep, SIZE, SIZE, {}, 0.0).image


def _resvg_inprocess(prep: _Prepared) -> Image.Image:
    import resvg_py

    png = resvg_py.svg_to_bytes(**_request(prep, None))
    with Image.open(io.BytesIO(png)) as im:
        pic = _on_white(im)
    return _finish(pic, 0.0, prep, SIZE, SIZE, {}, 0.0).image


def _resvg_oneshot(prep: _Prepared) -> Image.Image:
    import json

    res = run_sandboxed([sys.executable, "-I", "-c", _ONESHOT],
                        files={"req.json": json.dumps(_request(prep, "."))},
                        collect=("out.png",), timeout_s=20, limits=Limits(memory_mb=2048))
    with Image.open(io.BytesIO(res.files["out.png"])) as im:
        pic = _on_white(im)
    return _finish(pic, 0.0, prep, SIZE, SIZE, {}, 0.0).image


def _rate(fn, items: list, repeats: int, threads: int = 1) -> float:
    """Renders per second of ``fn`` over ``items`` x ``repeats`` (``threads`` at a time)."""
    work = items * repeats
    t0 = time.perf_counter()
    if threads == 1:
        for it in work:
            fn(it)
    else:
        with ThreadPoolExecutor(threads) as ex:
            list(ex.map(fn, work))
    return len(work) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=2, help="passes over the parity set per measure")
    ap.add_argument("--no-isolation", action="store_true", help="skip the isolation-cost section")
    args = ap.parse_args()
    files = sorted(PARITY.glob("*.svg"))
    codes = {f.stem: f.read_text() for f in files}
    preps = {k: _prepare(c, SIZE, SIZE) for k, c in codes.items()}
    assert all(isinstance(p, _Prepared) for p in preps.values())
    threads = max(2, min(8, os.cpu_count() or 2))
    t_start = time.perf_counter()

    with Renderer(cache_size=0) as renderer:
        renderer.render(codes[files[0].stem], "svg", size=SIZE)  # start the browser
        chrome = {k: renderer.render(c, "svg", size=SIZE) for k, c in codes.items()}
        fast = {k: render_svg_fast(c, SIZE, SIZE) for k, c in codes.items()}
        cairo = {k: _cairo(p) for k, p in preps.items()}  # type: ignore[arg-type]

        print(f"fidelity at {SIZE}x{SIZE}: mean |difference| to Chromium (0-255, RGB)")
        print(f"  {'file':24s} {'resvg':>7s} {'cairosvg':>9s}")
        rs, cs = [], []
        for k in codes:
            r, c = _diff(fast[k].image, chrome[k].image), _diff(cairo[k], chrome[k].image)
            rs.append(r)
            cs.append(c)
            print(f"  {k:24s} {r:7.2f} {c:9.2f}")
        print(f"  {'mean':24s} {statistics.mean(rs):7.2f} {statistics.mean(cs):9.2f}")
        print(f"  {'worst':24s} {max(rs):7.2f} {max(cs):9.2f}\n")

        items = list(codes.values())
        rows = [
            ("Chromium Renderer, one at a time", _rate(
                lambda c: renderer.render(c, "svg", size=SIZE), items, args.repeats)),
            (f"Chromium render_many ({renderer.max_pages} pages)", _rate(
                lambda batch: renderer.render_many(batch, "svg", size=SIZE), [items], args.repeats)
             * len(items)),
        ]
    rows += [
        ("resvg render_svg_fast, one at a time", _rate(
            lambda c: render_svg_fast(c, SIZE, SIZE), items, args.repeats)),
        (f"resvg render_svg_fast, {threads} threads", _rate(
            lambda c: render_svg_fast(c, SIZE, SIZE), items, args.repeats, threads)),
        ("cairosvg in-process, one at a time", _rate(_cairo, list(preps.values()), args.repeats)),
    ]
    base = rows[0][1]
    print(f"throughput at {SIZE}x{SIZE} over {len(items)} files x {args.repeats}")
    print(f"  {'renderer':44s} {'renders/s':>10s} {'vs Chromium':>12s}")
    for name, rate in rows:
        print(f"  {name:44s} {rate:10.1f} {rate / base:11.1f}x")

    if not args.no_isolation:
        # Interleaved, per-render medians: robust to the load of a shared machine.
        modes = {
            "resvg in-process (no isolation)": lambda k: _resvg_inprocess(preps[k]),
            "resvg sandboxed worker (render_svg_fast)": lambda k: render_svg_fast(codes[k], SIZE, SIZE),
            "resvg one-shot run_sandboxed per render": lambda k: _resvg_oneshot(preps[k]),
        }
        times: dict[str, list[float]] = {m: [] for m in modes}
        for _ in range(args.repeats):
            for k in codes:
                for m, fn in modes.items():
                    t0 = time.perf_counter()
                    fn(k)
                    times[m].append((time.perf_counter() - t0) * 1000)
        print("\nisolation cost (one at a time, interleaved; median over the set)")
        print(f"  {'mode':44s} {'ms/render':>10s} {'renders/s':>10s}")
        for m, ts in times.items():
            med = statistics.median(ts)
            print(f"  {m:44s} {med:10.1f} {1000 / med:10.1f}")
    shutdown_workers()
    print(f"\nfonts: {FONTS['sans_serif_family']} / {FONTS['serif_family']} / "
          f"{FONTS['monospace_family']}; wall {time.perf_counter() - t_start:.1f}s")


if __name__ == "__main__":
    main()
