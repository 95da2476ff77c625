"""p5.js 1.x-era sketches render with the pinned p5.js 1.11; everything else with 2.x.

Code models learned p5 mostly from 1.x code (`preload()`, `curveVertex`, six-argument
`bezierVertex`, `img = loadImage(...)` without `await`), which p5.js 2 removed. Before the 1.x
engine these sketches failed (runtime errors, or a preload that never ends: a 20 s timeout).
"""

from __future__ import annotations

import time

import pytest

from codepaint_env.render import Renderer
from codepaint_env.render.browser.p5compat import uses_p5_v1

pytestmark = pytest.mark.browser

V1 = {
    "preload": ("let c; function preload(){ c = color(200, 40, 40); }"
                " function setup(){ createCanvas(64, 64); background(240); fill(c); circle(32, 32, 30); }"),
    "curveVertex": ("function setup(){ createCanvas(64, 64); background(250); noFill(); strokeWeight(3);"
                    " beginShape(); curveVertex(5, 5); curveVertex(5, 5); curveVertex(30, 50);"
                    " curveVertex(60, 10); curveVertex(60, 10); endShape(); }"),
    "bezierVertex x6": ("function setup(){ createCanvas(64, 64); background(250); noFill(); strokeWeight(3);"
                        " beginShape(); vertex(5, 5); bezierVertex(60, 5, 5, 60, 60, 60); endShape(); }"),
    "instance preload": ("new p5(p => { p.preload = () => {}; p.setup = () => { p.createCanvas(64, 64);"
                         " p.background(0, 100, 0); p.fill(255); p.circle(20, 20, 19); }; });"),
    "quadraticVertex": ("function setup(){ createCanvas(64, 64); background(250); noFill(); strokeWeight(3);"
                        " beginShape(); vertex(5, 60); quadraticVertex(32, -20, 60, 60); endShape(); }"),
}
V2 = {
    "async setup": ("async function setup(){ createCanvas(64, 64); background(240);"
                    " await new Promise(r => setTimeout(r, 10)); fill(0, 0, 200); circle(32, 32, 30); }"),
    "splineVertex": ("function setup(){ createCanvas(64, 64); background(250); noFill(); strokeWeight(3);"
                     " beginShape(); splineVertex(5, 5); splineVertex(30, 50); splineVertex(60, 10);"
                     " endShape(); }"),
    "strings only": ("function setup(){ createCanvas(64, 64); background(230); // preload() is gone\n"
                     " text('curveVertex(', 5, 30); circle(40, 40, 20); }"),
}


@pytest.mark.parametrize("name", sorted(V1))
def test_1x_sketches_render_with_p5_1x(renderer, name):
    assert uses_p5_v1(V1[name])
    res = renderer.render(V1[name], "p5", size=64)
    assert res.ok, (name, res.messages)
    assert "+p5-1.11." in res.renderer and "p5.brush" not in res.renderer, res.renderer
    assert any("p5.js 1.x" in m for m in res.messages)


@pytest.mark.parametrize("name", sorted(V2))
def test_other_sketches_stay_on_p5_2x(renderer, name):
    assert not uses_p5_v1(V2[name])
    res = renderer.render(V2[name], "p5", size=64)
    assert res.ok, (name, res.messages)
    assert "+p5-2." in res.renderer, res.renderer


def test_p5brush_stays_on_2x_even_with_1x_markers(renderer):
    code = ("function preload(){} function setup(){ createCanvas(64, 64, WEBGL); background(250);"
            " brush.set('HB', '#222', 1); brush.line(-20, -20, 20, 20); }")
    res = renderer.render(code, "p5brush", size=64)
    assert "+p5-2." in res.renderer and "p5.brush" in res.renderer, res.renderer


def test_a_preload_of_a_refused_file_fails_at_once(renderer):
    code = ("let img; function preload(){ img = loadImage('https://example.com/cat.png'); }"
            " function setup(){ createCanvas(64, 64); image(img, 0, 0); }")
    t = time.perf_counter()
    res = renderer.render(code, "p5", size=64)
    assert res.error_kind == "runtime" and time.perf_counter() - t < 5, res.messages
    assert res.messages[0] == ("runtime: the program needed https://example.com/cat.png, which was "
                               "refused: no network in the sandbox"), res.messages


def test_the_1x_engine_is_seeded_capped_and_framed_like_2x(renderer):
    rnd = ("function preload(){} function setup(){ createCanvas(64, 64); background(255); noStroke();"
           " for (let i = 0; i < 40; i++) { fill(random(255), random(255), random(255));"
           " circle(random(64), random(64), random(4, 14)); } }")
    a, b = renderer.render(rnd, "p5", size=64, seed=3), renderer.render(rnd, "p5", size=64, seed=3)
    c = renderer.render(rnd, "p5", size=64, seed=4)
    assert a.ok and a.sha256 == b.sha256 != c.sha256
    huge = "function preload(){} function setup(){ createCanvas(50000, 50000); }"
    assert renderer.render(huge, "p5", size=64).error_kind == "too_large"
    assert renderer.render("function preload(){} let x = 1;", "p5").error_kind == "runtime"  # no sketch
    wide = "function preload(){} function setup(){ createCanvas(720, 400); background(0); }"
    assert renderer.render(wide, "p5", size=64).error_kind == "blank"
    stops = ("function preload(){} function setup(){ createCanvas(64, 64); noLoop(); }"
             " function draw(){ background(230); circle(32, 32, 40); }")
    with Renderer(frames=3, cache_size=0) as r:
        assert r.render(stops, "p5", size=64).ok


def test_an_html_page_asking_a_cdn_for_p5_1x_gets_the_1x_copy(renderer):
    html = ('<!doctype html><html><head><script src="https://cdn.jsdelivr.net/npm/p5@1.9.0/lib/p5.min.js">'
            "</script><script>let c; function preload(){ c = color(200, 0, 0); }"
            " function setup(){ createCanvas(64, 64); background(c); circle(30, 30, 20); }</script>"
            "</head><body style='margin:0'></body></html>")
    res = renderer.render(html, "html", size=64)
    assert res.ok, res.messages
    assert res.image.getpixel((2, 2)) == (200, 0, 0)  # preload ran: a 1.x page, served 1.x
