"""Pixel statistics are taken on the program's own canvas, never on the letterbox bands around it.

Real p5.js website examples on 720x400 canvases (``MouseIsPressed``, ``Numbers``) draw one grey with
a few pixels of a cursor cross in their first frame: the renderer rightly says ``ok``, but the gate
used to pass them (``painted_share`` 0.44, the white bands counted as paint).
"""

from __future__ import annotations

import pytest

import rewards
from codepaint_env.render import RenderResult
from rewards.base import Sample

pytestmark = pytest.mark.browser

# A one-grey wide canvas with a cursor cross: what p5.js's MouseIsPressed example draws first.
CURSOR_CROSS = """
function setup() { createCanvas(720, 400); }
function draw() {
  background(237, 34, 93);
  stroke(255); line(357, 200, 363, 200); line(360, 197, 360, 203);
  noLoop();
}
"""
# An honest wide sketch: a landscape across the whole canvas.
HONEST_WIDE = """
function setup() {
  createCanvas(720, 400); background(120, 180, 230); noStroke();
  fill(250, 220, 90); circle(560, 110, 120);
  fill(60, 140, 70); rect(0, 260, 720, 140);
  fill(40, 100, 50); triangle(60, 260, 220, 90, 380, 260); triangle(300, 260, 470, 120, 640, 260);
  fill(255); ellipse(200, 90, 160, 50); ellipse(420, 60, 120, 40);
}
"""
SQUARE = """
function setup() {
  createCanvas(200, 200); background(240, 230, 210); noStroke();
  fill(200, 60, 60); circle(70, 80, 90); fill(60, 90, 200); rect(110, 110, 70, 60);
  fill(40, 160, 90); triangle(20, 190, 100, 120, 180, 190);
}
"""


@pytest.fixture(scope="module")
def gate(renderer):
    return rewards.make_reward("execution_gate", renderer=renderer, size=256, ocr=False, copy_check=False)


def test_wide_canvas_box_is_the_band_between_the_letterbox(renderer):
    res = renderer.render(HONEST_WIDE, "p5", size=256)
    assert res.ok, res.messages
    x, y, w, h = res.canvas
    assert (x, w) == (0, 256)
    assert 140 <= h <= 142 and y == pytest.approx((256 - h) / 2, abs=1)
    assert res.canvas_image.size == (w, h)
    # the bands are the page's white; the canvas's first row is the program's sky
    assert res.image.getpixel((128, 2)) == (255, 255, 255)
    assert res.canvas_image.getpixel((5, 1))[2] > 200 and res.canvas_image.getpixel((5, 1))[0] < 160


def test_fast_svg_and_python_report_their_canvas(renderer):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="720" height="400">'
           '<rect width="720" height="400" fill="#336"/><circle cx="360" cy="200" r="90" fill="#fc3"/></svg>')
    for backend in ("fast", "browser"):
        res = renderer.render(svg, "svg", size=256, renderer=backend)
        assert res.ok, (backend, res.messages)
        x, _, w, h = res.canvas
        assert x == 0 and w == 256 and 140 <= h <= 143, (backend, res.canvas)
        assert res.canvas_image.getpixel((2, 2)) == (0x33, 0x33, 0x66), backend
    py = ("import matplotlib.pyplot as plt\nfig = plt.figure(figsize=(7.2, 4))\n"
          "fig.patch.set_facecolor('#336'); plt.plot([0, 1], [0, 1], lw=8, color='#fc3')\n"
          "plt.savefig(OUTPUT_PATH, facecolor=fig.get_facecolor())\n")
    res = renderer.render(py, "python", size=256)
    assert res.ok, res.messages
    assert res.canvas[0] == 0 and res.canvas[2] == 256 and res.canvas[3] < 150


def test_near_uniform_wide_canvas_fails_not_degenerate(renderer, gate):
    res = renderer.render(CURSOR_CROSS, "p5", size=256)
    assert res.ok, res.messages  # there is a mark: the renderer is right to say ok
    [r] = gate.score([Sample(code=CURSOR_CROSS, language="p5", render=res)])
    assert r.value == -1.0, r
    assert r.breakdown["painted_share"] < 0.01 and r.breakdown["not_degenerate"] == 0.0


def test_honest_wide_sketch_still_passes(renderer, gate):
    res = renderer.render(HONEST_WIDE, "p5", size=256)
    [r] = gate.score([Sample(code=HONEST_WIDE, language="p5", render=res)])
    assert r.value == 1.0, r


def test_square_pictures_score_as_before(renderer):
    res = renderer.render(SQUARE, "p5", size=256)
    assert res.canvas == (0, 0, 256, 256)
    assert res.canvas_image is res.image
    stripped = RenderResult.from_dict(res.to_dict(include_png=True) | {"canvas": None})
    for rid in ("execution_gate", "classic"):
        reward = rewards.make_reward(rid, renderer=renderer, size=256)
        a, b = reward.score([Sample(code=SQUARE, language="p5", render=r) for r in (res, stripped)])
        assert a.value == b.value and a.breakdown == b.breakdown, rid


def test_canvas_round_trips_through_json(renderer):
    res = renderer.render(HONEST_WIDE, "p5", size=128)
    back = RenderResult.from_dict(res.to_dict(include_png=True))
    assert back.canvas == res.canvas and back.canvas_image.size == res.canvas_image.size
