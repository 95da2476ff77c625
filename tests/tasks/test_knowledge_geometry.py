"""What the knowledge suite adds to the ``shapes`` geometry and writers: rect, polygon, turning, ring width.

The suite's own scenes must be written as before, byte for byte: ``data/shapes_programs_golden.json``
holds 24 hand-made scenes of every original kind in all five languages and both spellings, written
by the writers before these kinds existed (and the shipped ``shapes.jsonl`` is checked against the
generator by ``test_shapes_suite``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codepaint_env.tasks.knowledge.draw import BLEED, bleed
from codepaint_env.tasks.shapes.geometry import Shape, mirrored, polygon_area, polygon_contains, turned
from codepaint_env.tasks.shapes.programs import reference_programs
from codepaint_env.tasks.shapes.scenes import Scene

GOLDEN = Path(__file__).parent / "data" / "shapes_programs_golden.json"
LANGS = ("svg", "p5", "html", "python", "tikz")


def test_the_original_kinds_are_written_byte_for_byte_as_before():
    rows = json.loads(GOLDEN.read_text())
    assert len(rows) == 24
    for n, row in enumerate(rows, start=1):
        shapes = tuple(Shape(k, c, x, y, r, phase) for k, c, x, y, r, phase in row["shapes"])
        scene = Scene(n, "golden", row["background"], shapes, "", ())
        for how in ("names", "palette"):
            assert reference_programs(scene, how, LANGS) == row["programs"][how], (n, how)


def _grid(n: int = 101) -> tuple[np.ndarray, np.ndarray]:
    g = (np.arange(n) + 0.5) / n
    return np.meshgrid(g, g)


def test_rect_polygon_and_turned_square_cover_what_their_outlines_do():
    px, py = _grid()
    rect = Shape("rect", "red", 0.5, 0.4, 0.0, width=0.6, height=0.2)
    assert rect.area() == pytest.approx(0.12)
    assert rect.box() == pytest.approx((0.2, 0.3, 0.8, 0.5))
    assert rect.contains(px, py).mean() == pytest.approx(0.12, abs=0.01)
    tri = Shape("polygon", "blue", 0.3, 0.3, 0.0, points=((0.1, 0.1), (0.5, 0.1), (0.1, 0.5)))
    assert tri.area() == pytest.approx(0.08)
    assert tri.contains(px, py).mean() == pytest.approx(0.08, abs=0.01)
    diamond = Shape("square", "red", 0.5, 0.5, 0.2, angle=45)
    assert diamond.is_polygon and not Shape("square", "red", 0.5, 0.5, 0.2).is_polygon
    top = min(y for _, y in diamond.outline())
    assert top == pytest.approx(0.5 - 0.2 * math.sqrt(2))
    assert diamond.contains(np.array([0.5]), np.array([0.25]))[
        0
    ]  # a corner of the diamond, outside the square
    assert not diamond.contains(np.array([0.32]), np.array([0.32]))[0]  # a corner of the square, outside it
    thin = Shape("ring", "red", 0.5, 0.5, 0.3, inner=0.9)
    assert thin.area() == pytest.approx(math.pi * 0.09 * (1 - 0.81))
    assert not thin.contains(np.array([0.5]), np.array([0.5 - 0.25]))[0]  # in the hole of a thin ring


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="cannot be turned"):
        Shape("stripe", "red", 0.5, 0.5, 0.1, angle=10)
    with pytest.raises(ValueError, match="at least 3 points"):
        Shape("polygon", "red", 0.5, 0.5, 0.0, points=((0, 0), (1, 1)))
    with pytest.raises(ValueError, match="inner ratio"):
        Shape("ring", "red", 0.5, 0.5, 0.1, inner=1.2)


def test_every_writer_writes_the_new_kinds():
    scene = Scene(
        1,
        "t",
        "white",
        (
            Shape("rect", "red", 0.5, 0.5, 0.0, width=0.4, height=0.2),
            Shape("rect", "blue", 0.5, 0.5, 0.0, width=0.4, height=0.1, angle=30),
            Shape("polygon", "green", 0.2, 0.2, 0.0, points=((0.1, 0.1), (0.3, 0.1), (0.2, 0.3))),
            Shape("ring", "navy", 0.7, 0.7, 0.1, inner=0.8),
        ),
        "",
        (),
    )
    programs = reference_programs(scene)
    assert '<rect x="120" y="160" width="160" height="80" fill="red"/>' in programs["svg"]
    assert programs["svg"].count("<polygon") == 2  # the turned rect and the polygon
    assert 'stroke-width="8"' in programs["svg"]  # the thin ring: 0.1 * 400 * (1 - 0.8)
    assert "rect(120, 160, 160, 80);" in programs["p5"]
    assert 'box(120, 160, 160, 80, "red");' in programs["html"]
    assert 'draw.rectangle(points([(300, 400), (700, 600)]), fill="red")' in programs["python"]
    assert "\\fill[red] (3,4) rectangle (7,6);" in programs["tikz"]
    assert "circle[radius=0.8]" in programs["tikz"]  # the thin ring's hole: 0.1 * 0.8 * 10 cm


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.2, 0.8), st.floats(0.2, 0.8), st.floats(0.05, 0.4), st.floats(0.05, 0.4), st.floats(-180, 180)
)
def test_a_turned_rect_keeps_its_area_and_contains_what_its_outline_does(x, y, w, h, angle):
    shape = Shape("rect", "red", x, y, 0.0, width=w, height=h, angle=angle)
    outline = shape.outline()
    assert polygon_area(outline) == pytest.approx(w * h, rel=1e-9)
    px, py = _grid(41)
    assert np.array_equal(shape.contains(px, py), polygon_contains(outline, px, py))
    back = turned(outline, x, y, -angle)
    xs, ys = [p[0] for p in back], [p[1] for p in back]
    assert (max(xs) - min(xs), max(ys) - min(ys)) == pytest.approx((w, h), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.05, 0.95), st.floats(0.05, 0.95)), min_size=3, max_size=8),
    st.floats(-90, 90),
)
def test_a_mirrored_polygon_is_the_mirror_image(points, angle):
    shape = Shape("polygon", "red", 0.5, 0.5, 0.0, points=tuple(points), angle=angle)
    image = mirrored(shape)
    want = [c for px, py in shape.outline() for c in (1 - px, py)]
    assert [c for p in image.outline() for c in p] == pytest.approx(want, abs=1e-9)


def test_bleed_moves_only_vertices_on_the_edge_and_keeps_their_lines():
    tri = [(0.0, 0.0), (1 / 3, 0.5), (0.0, 1.0)]
    out = bleed(tri)
    assert out[1] == tri[1]
    assert out[0][0] < -BLEED / 2 and out[2][0] < -BLEED / 2
    # the edge from the inner vertex keeps its line: (0,0) moved along (1/3, 0.5) -> (0, 0)
    (ax, ay), (bx, by) = out[0], tri[1]
    assert ay / ax == pytest.approx(by / bx)
