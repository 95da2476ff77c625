"""The ``lozenge`` shape (the diamonds suit): a rhombus on its corner, at any proportion and size the
checks read, and none of the tall shapes the card's other claims also pay (property-based)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from rewards.checks import parse_checks
from rewards.checks.evaluate import evaluate
from rewards.checks.picture import Picture

SIDE = 512


CHECKS = parse_checks([{"kind": "count", "colour": "red", "count": 1},
                       {"kind": "shape", "colour": "red", "shape": "lozenge"}])


def _lozenge(draw_it) -> bool:
    """Whether the one red region drawn is a lozenge, as the ``shape`` check reads it (a small one at the
    canvas's own resolution)."""
    im = Image.new("RGB", (SIDE, SIDE), "white")
    draw_it(ImageDraw.Draw(im))
    one, shape = evaluate(CHECKS, Picture(im), "", "svg")
    assert one.passed
    return bool(shape.passed)


boxes = st.tuples(st.floats(0.2, 0.9), st.floats(0.45, 1.0), st.floats(0.35, 0.65), st.floats(0.35, 0.65))


def _box(height: float, aspect: float, cx: float, cy: float) -> tuple[float, float, float, float]:
    h = height * SIDE * min(1.0, 2 * min(cy, 1 - cy) / height * 0.98)
    w = min(h * aspect, 2 * min(cx, 1 - cx) * SIDE * 0.98)
    x, y = cx * SIDE, cy * SIDE
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


@settings(max_examples=60, deadline=None)
@given(boxes)
def test_a_rhombus_on_its_corner_is_a_lozenge_at_any_proportion_and_size(box):
    left, top, right, bottom = _box(*box)
    mid_x, mid_y = (left + right) / 2, (top + bottom) / 2
    assert _lozenge(lambda d: d.polygon([(mid_x, top), (right, mid_y), (mid_x, bottom), (left, mid_y)],
                                        fill="red"))


@settings(max_examples=60, deadline=None)
@given(boxes, st.sampled_from(("rectangle", "ellipse", "hexagon", "triangle", "kite")))
def test_the_same_box_filled_otherwise_is_not(box, other):
    left, top, right, bottom = _box(*box)
    w, h = right - left, bottom - top
    mid_x = (left + right) / 2
    shapes = {
        "rectangle": lambda d: d.rectangle((left, top, right, bottom), fill="red"),
        "ellipse": lambda d: d.ellipse((left, top, right, bottom), fill="red"),
        "hexagon": lambda d: d.polygon([(mid_x, top), (right, top + h / 4), (right, bottom - h / 4),
                                        (mid_x, bottom), (left, bottom - h / 4), (left, top + h / 4)],
                                       fill="red"),
        "triangle": lambda d: d.polygon([(mid_x, top), (right, bottom), (left, bottom)], fill="red"),
        "kite": lambda d: d.polygon([(mid_x, top), (right, top + h / 3), (mid_x, bottom),
                                     (left, top + h / 3)], fill="red"),
    }
    assert w > 0
    assert not _lozenge(shapes[other])
