"""Render throughput: codepaint's BrowserPool against a fresh browser per render.

    .venv/bin/python benchmarks/speed/render_bench.py --quick      # under 3 minutes on 2 cores
    .venv/bin/python benchmarks/speed/render_bench.py --repeats 12

Both sides render the same programs through the same page harness and the same Chromium; the
baseline does what a simple Puppeteer/Playwright script does per program: launch a browser, open
a page, load the sketch, wait for the frame, ``page.screenshot()``, close the browser. Everything is
measured in one run (this machine is noisy, so compare ratios, not absolute numbers). Prints a
table per sketch kind (throughput, in-page time, overhead = total / in-page) and a final line
``speedup: X`` (pool throughput over per-render throughput, all kinds together).
"""

from __future__ import annotations

import argparse
import statistics
import time

from codepaint_env.render import Renderer
from codepaint_env.render.browser.assets import load_assets
from codepaint_env.render.browser.chromium import find_browser
from codepaint_env.render.browser.launch import CHROMIUM_ARGS
from codepaint_env.render.browser.pages import INIT_JS, build_page, render_url, shared_asset, slot_scripts

SIZE = 256

SKETCHES: dict[str, tuple[str, str]] = {
    "simple strokes (p5)": ("p5", """
function setup() {
  createCanvas(256, 256);
  background(245);
  stroke(30); strokeWeight(2);
  for (let i = 0; i < 40; i++) line(random(256), random(256), random(256), random(256));
}"""),
    "watercolour fills (p5brush)": ("p5brush", """
function setup() {
  createCanvas(256, 256, WEBGL);
  background('#f6f1e8');
  brush.noStroke();
  for (let i = 0; i < 3; i++) {
    brush.fill(['#d7567a', '#3f7cac', '#e3b341'][i], 110);
    brush.fillBleed(0.3);
    brush.circle(-60 + 60 * i, 10 * i, 45);
  }
  brush.set('HB', '#2f2a26', 1);
  brush.line(-100, 90, 100, 90);
}"""),
    "svg scene": ("svg", """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<defs><linearGradient id="g" x1="0" x2="0" y1="0" y2="1"><stop offset="0" stop-color="#fda"/>
<stop offset="1" stop-color="#f86"/></linearGradient></defs>
<rect width="100" height="65" fill="url(#g)"/><rect y="65" width="100" height="35" fill="#357"/>
<circle cx="70" cy="45" r="12" fill="#ffe"/><path d="M48 20 L48 62 L30 62 Z" fill="#fff"/></svg>"""),
    "html page": ("html", """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><style>body{margin:0;font-family:sans-serif;
background:linear-gradient(#1e3c72,#2a5298);height:100vh;display:flex;align-items:center;
justify-content:center}.c{background:#fff;border-radius:12px;padding:16px;width:60%}</style>
</head><body><div class="c"><h3>Studio</h3><p>$12 / month</p><button>Choose</button></div>
</body></html>"""),
}


def bench_pool(kinds: list[str], repeats: int) -> dict[str, dict[str, float]]:
    out = {}
    with Renderer(cache_size=0) as r:
        r.render(SKETCHES[kinds[0]][1], SKETCHES[kinds[0]][0], size=SIZE)  # start the browser
        for kind in kinds:
            lang, code = SKETCHES[kind]
            # distinct programs (a comment differs) so nothing could be cached anywhere
            codes = [f"{code}\n// variant {i}" if lang != "svg" else code.replace(
                "</svg>", f"<!-- {i} --></svg>") for i in range(repeats)]
            t = time.perf_counter()
            res = r.render_many(codes, lang, size=SIZE)
            wall = time.perf_counter() - t
            assert all(x.ok for x in res), [x.messages for x in res if not x.ok][:2]
            out[kind] = {
                "per_s": repeats / wall,
                "page_ms": statistics.median(x.timings_ms["page"] for x in res),
                "total_ms": statistics.median(x.timings_ms["total"] for x in res),
            }
    return out


def bench_fresh_browser(kinds: list[str], repeats: int) -> dict[str, dict[str, float]]:
    """A browser launched per render, as a simple script does (same harness, same binary)."""
    from playwright.sync_api import sync_playwright

    assets = load_assets()
    binary = find_browser()
    out = {}
    with sync_playwright() as pw:
        for kind in kinds:
            lang, code = SKETCHES[kind]
            pages_ms, totals = [], []
            t_all = time.perf_counter()
            for i in range(repeats):
                t = time.perf_counter()
                spec = build_page(lang, f"{code}\n// {i}" if lang != "svg" else code, assets=assets,
                                  seed=0, frames=1, max_canvas=4096, allowed_api=None)
                browser = pw.chromium.launch(executable_path=binary.path, args=list(CHROMIUM_ARGS))
                page = browser.new_page(viewport={"width": SIZE, "height": SIZE})
                page.route("**/*", _serve(spec.files, assets))
                for script in [INIT_JS, *slot_scripts(spec.engine, assets)]:
                    page.add_init_script(script)
                page.goto(spec.address(URL))
                info = page.evaluate("window.__codepaint.done()")
                page.screenshot()
                browser.close()
                pages_ms.append(info["page_ms"])
                totals.append((time.perf_counter() - t) * 1000)
            wall = time.perf_counter() - t_all
            out[kind] = {"per_s": repeats / wall, "page_ms": statistics.median(pages_ms),
                         "total_ms": statistics.median(totals)}
    return out


URL = render_url(0)


def _serve(files: dict, assets):
    def handler(route) -> None:  # one parameter: Playwright passes (route, request) to two
        url = route.request.url
        path = url.removeprefix(URL[:-1])
        if (asset := shared_asset(url, assets)) is not None:
            route.fulfill(path=asset, content_type="text/javascript",
                          headers={"access-control-allow-origin": "*"})
        elif path in files:
            route.fulfill(body=files[path][0], content_type=files[path][1])
        else:
            route.abort()

    return handler


def bench_svg_renderers(rounds: int) -> dict[str, float]:
    """SVG throughput through the Renderer: Chromium vs ``renderer="fast"`` (resvg), same files."""
    from pathlib import Path

    parity = Path(__file__).resolve().parents[2] / "tests" / "support" / "data" / "svg_parity"
    files = sorted(parity.glob("*.svg"))
    docs = [f.read_text() for f in files]
    out = {}
    with Renderer(cache_size=0) as r:
        for backend in ("browser", "fast"):
            r.render(docs[0], "svg", size=SIZE, renderer=backend)  # warm up
            t = time.perf_counter()
            for i in range(rounds):
                for doc in docs:
                    r.render(f"{doc}<!-- {i} -->", "svg", size=SIZE, renderer=backend)
            out[backend] = rounds * len(docs) / (time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few repeats (under 3 minutes here)")
    ap.add_argument("--repeats", type=int, default=None, help="renders per kind for the pool")
    args = ap.parse_args()
    repeats = args.repeats or (8 if args.quick else 24)
    fresh_repeats = max(2, repeats // 4)
    kinds = list(SKETCHES)
    t0 = time.perf_counter()
    pool = bench_pool(kinds, repeats)
    fresh = bench_fresh_browser(kinds, fresh_repeats)
    print(f"\nrender_bench: {SIZE}x{SIZE}px, pool {repeats} renders/kind, fresh browser "
          f"{fresh_repeats}/kind, {time.perf_counter() - t0:.0f}s in all\n")
    hdr = (f"{'sketch kind':<30}{'pool /s':>9}{'fresh /s':>10}{'ratio':>7}{'page ms':>9}"
           f"{'pool total ms':>15}{'overhead':>10}")
    print(hdr)
    print("-" * len(hdr))
    for kind in kinds:
        p, f = pool[kind], fresh[kind]
        print(f"{kind:<30}{p['per_s']:>9.2f}{f['per_s']:>10.2f}{p['per_s'] / f['per_s']:>7.1f}"
              f"{p['page_ms']:>9.0f}{p['total_ms']:>15.0f}{p['total_ms'] / max(p['page_ms'], 1):>9.1f}x")
    pool_rate = len(kinds) * repeats / sum(repeats / pool[k]["per_s"] for k in kinds)
    fresh_rate = len(kinds) * fresh_repeats / sum(fresh_repeats / fresh[k]["per_s"] for k in kinds)
    print(f"\npool throughput: {pool_rate:.2f} renders/s; fresh browser per render: "
          f"{fresh_rate:.2f} renders/s")
    print(f"speedup: {pool_rate / fresh_rate:.1f}")
    svg = bench_svg_renderers(1 if args.quick else 3)
    print(f"\nSVG renderers (tests/support/data/svg_parity, {SIZE} px, one at a time): "
          f"Chromium {svg['browser']:.1f}/s, fast (resvg) {svg['fast']:.1f}/s "
          f"-> fast/Chromium {svg['fast'] / svg['browser']:.1f}x")


if __name__ == "__main__":
    main()
