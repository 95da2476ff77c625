"""The ``trapezium`` shape (Kuwait's black trapezium at the hoist): a trapezium against the canvas's
edge, its short side toward the fly, at any proportion a hand would draw; not the band, the triangle or
the half disc a card's other claims also pay there (property-based, the ``shape`` check itself)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from rewards.checks import parse_checks
from rewards.checks.evaluate import evaluate
from rewards.checks.picture import Picture

WIDTH, HEIGHT = 512, 256  # a flag 2:1, as Kuwait's

CHECKS = parse_checks([{"kind": "count", "colour": "black", "count": 1},
                       {"kind": "shape", "colour": "black", "shape": "trapezium"}])


def _trapezium(draw_it) -> bool:
    """Whether the one black region drawn on Kuwait's bands is a trapezium, as the ``shape`` check reads
    it."""
    im = Image.new("RGB", (WIDTH, HEIGHT), "white")
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, WIDTH, HEIGHT // 3), fill="#007a3d")
    d.rectangle((0, 2 * HEIGHT // 3, WIDTH, HEIGHT), fill="#ce1126")
    draw_it(d)
    one, shape = evaluate(CHECKS, Picture(im), "", "svg")
    assert one.passed
    return bool(shape.passed)


#: a trapezium's depth (a share of the flag's width) and its short side (a share of the long side)
depths, shorts = st.floats(0.15, 0.35), st.floats(0.2, 0.5)


@settings(max_examples=60, deadline=None)
@given(depths, shorts)
def test_a_trapezium_at_the_hoist_is_one_at_any_depth_and_short_side(depth, short):
    x, gap = depth * WIDTH, (1 - short) / 2 * HEIGHT
    assert _trapezium(lambda d: d.polygon([(0, 0), (x, gap), (x, HEIGHT - gap), (0, HEIGHT)], fill="black"))


@settings(max_examples=40, deadline=None)
@given(depths, st.sampled_from(("band", "triangle", "half disc", "rounded band")))
def test_the_same_place_filled_otherwise_is_not(depth, other):
    x = depth * WIDTH
    shapes = {
        "band": lambda d: d.rectangle((0, 0, x, HEIGHT), fill="black"),
        "triangle": lambda d: d.polygon([(0, 0), (x, HEIGHT / 2), (0, HEIGHT)], fill="black"),
        "half disc": lambda d: d.ellipse((-x, 0, x, HEIGHT), fill="black"),
        "rounded band": lambda d: d.rounded_rectangle((-x / 2, 0, x, HEIGHT), radius=x / 2, fill="black"),
    }
    assert not _trapezium(shapes[other])
