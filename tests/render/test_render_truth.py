"""Right answers on programs that used to get wrong ones (issue: render truth).

Each test failed before its fix: a uniform non-square canvas passed as `ok` (the letterbox bands
counted as content), an async setup awaiting a refused request waited out the whole timeout, and
`frames=N` timed out on a sketch that stops looping.
"""

from __future__ import annotations

import time

import pytest

from codepaint_env.render import Renderer

pytestmark = pytest.mark.browser

UNIFORM = {
    "p5 2D": ("function setup(){ createCanvas(720, 400); background(0); }", "p5"),
    "p5 WEBGL": ("function setup(){ createCanvas(720, 400, WEBGL); background(20, 40, 90); }", "p5"),
    "p5 tall": ("function setup(){ createCanvas(200, 640); background(255, 200, 0); }", "p5"),
    "p5brush": ("function setup(){ createCanvas(720, 400, WEBGL); background(250, 245, 235); }", "p5brush"),
    "svg sized": ('<svg xmlns="http://www.w3.org/2000/svg" width="720" height="400">'
                  '<rect width="720" height="400" fill="#000"/></svg>', "svg"),
    "svg viewBox": ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 400">'
                    '<rect width="720" height="400" fill="#123456"/></svg>', "svg"),
}


@pytest.mark.parametrize("name", sorted(UNIFORM))
@pytest.mark.parametrize("size", [256, (320, 100)])
def test_a_uniform_picture_is_blank_whatever_the_aspect_ratio(renderer, name, size):
    code, lang = UNIFORM[name]
    res = renderer.render(code, lang, size=size)
    assert res.error_kind == "blank", (name, size, res.error_kind, res.messages)


def test_a_non_square_picture_with_one_mark_is_not_blank(renderer):
    p5 = "function setup(){ createCanvas(720, 400); background(0); fill(255); circle(700, 380, 30); }"
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 400"><rect width="720" height="400" '
           'fill="#123456"/><circle cx="700" cy="380" r="15" fill="#fff"/></svg>')
    for code, lang in ((p5, "p5"), (svg, "svg")):
        for size in (256, (320, 100)):
            res = renderer.render(code, lang, size=size)
            assert res.ok, (lang, size, res.messages)


@pytest.mark.parametrize("call", [
    "await loadImage('https://example.com/cat.png')",
    "await loadFont('https://fonts.example.com/serif.ttf')",
    "await (await fetch('https://api.example.com/palette.json')).json()",
])
def test_an_async_setup_awaiting_a_refused_request_fails_at_once(renderer, call):
    code = f"async function setup(){{ createCanvas(64, 64); background(200); {call}; circle(9, 9, 9); }}"
    t = time.perf_counter()
    res = renderer.render(code, "p5", size=64)
    took = time.perf_counter() - t
    assert res.error_kind == "runtime", res.messages
    assert took < 5, f"took {took:.1f} s: the refused request waited for the timeout"
    url = call.split("'")[1]
    assert res.messages[0] == (f"runtime: the program needed {url}, which was refused: "
                               "no network in the sandbox"), res.messages


def test_requests_nobody_waits_for_do_not_fail_the_program(renderer):
    # p5: a load that is never awaited; HTML: an <img> from a remote host. Both still render.
    p5 = ("function setup(){ createCanvas(64, 64); background(220); loadImage('https://example.com/a.png');"
          " fill(200, 0, 0); circle(32, 32, 30); }")
    html = ('<!doctype html><body style="margin:0;background:#fc0"><img src="https://example.com/a.png">'
            '<p>hello</p></body>')
    for code, lang in ((p5, "p5"), (html, "html")):
        res = renderer.render(code, lang, size=64)
        assert res.ok, (lang, res.messages)
        assert any("blocked request: https://example.com/a.png" in m for m in res.messages), res.messages


def test_frames_n_captures_a_sketch_that_stops_looping():
    no_loop_in_setup = ("function setup(){ createCanvas(64, 64); noLoop(); }"
                        " function draw(){ background(230); fill(0, 90, 200); circle(32, 32, 40); }")
    no_loop_in_draw = ("let n = 0; function setup(){ createCanvas(64, 64); }"
                       " function draw(){ background(230); fill(200, 0, 0); circle(10 + 20 * n++, 32, 16);"
                       " if (n === 2) noLoop(); }")
    looping = ("let n = 0; function setup(){ createCanvas(64, 64); }"
               " function draw(){ background(n++ * 40); fill(255); circle(32, 32, 20); }")
    with Renderer(frames=3, timeout_s=10, cache_size=0) as r:
        t = time.perf_counter()
        res = r.render(no_loop_in_setup, "p5", size=64)
        assert res.ok and time.perf_counter() - t < 8, res.messages
        res = r.render(no_loop_in_draw, "p5", size=64)
        assert res.ok, res.messages
        assert res.image.getpixel((30, 32)) == (200, 0, 0)  # the second frame's circle
        res = r.render(looping, "p5", size=64)
        assert res.ok and res.image.getpixel((5, 5)) == (80, 80, 80)  # frame 3 (n = 2)
