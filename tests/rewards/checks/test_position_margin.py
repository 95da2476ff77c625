"""A ``position`` check's centre lies :data:`POSITION_MARGIN` inside its area's inner edges.

Read by hand in learning run 4's samples (docs/learning-run-4/full-passes.png): the base drew "a
green circle on the left half" as a circle centred on the canvas, and it passed, the bound being
inclusive. One centred object then passed the left, right, top and bottom halves at once. Every
picture is SVG rendered by resvg at 512 px, as a policy's is.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codepaint_env.tasks.shapes.adversary import render_svgs
from codepaint_env.tasks.shapes.levels import level_scenes
from codepaint_env.tasks.shapes.oracle import SceneRaster
from rewards.checks.evaluate import POSITION_MARGIN, evaluate, inner_area
from rewards.checks.picture import Picture
from rewards.checks.spec import AREAS, parse_checks

HALVES = ("left-half", "right-half", "top-half", "bottom-half")


def disc(x: float, y: float, r: float = 0.08) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
            '<rect width="100" height="100" fill="white"/>'
            f'<circle cx="{x * 100:.3f}" cy="{y * 100:.3f}" r="{r * 100:.3f}" fill="green"/></svg>')


def passed_areas(code: str, areas: tuple[str, ...]) -> set[str]:
    image = render_svgs([code], 512)[0].image
    assert image is not None
    checks = parse_checks([{"kind": "position", "colour": "green", "area": a} for a in areas])
    return {o.check.name.split(" ", 1)[1] for o in evaluate(checks, Picture(image), code, "svg") if o.passed}


def test_an_object_centred_on_the_middle_line_is_in_neither_half():
    assert passed_areas(disc(0.5, 0.5), HALVES) == set()
    assert passed_areas(disc(0.5, 0.5, r=0.4), HALVES) == set()  # the base's sample: r = 0.4


def test_an_object_clearly_inside_a_half_passes_it_alone():
    assert passed_areas(disc(0.3, 0.5), HALVES) == {"left-half"}
    assert passed_areas(disc(0.7, 0.25), HALVES) == {"right-half", "top-half"}


@settings(max_examples=25, deadline=None)
@given(x=st.floats(0.12, 0.88), y=st.floats(0.12, 0.88))
def test_an_object_passes_at_most_one_of_two_opposite_halves(x, y):
    got = passed_areas(disc(x, y), HALVES)
    assert not {"left-half", "right-half"} <= got
    assert not {"top-half", "bottom-half"} <= got
    # and where its centre is clearly inside (a pixel's rounding aside), it passes
    if x < 0.5 - POSITION_MARGIN - 0.005:
        assert "left-half" in got
    if y > 0.5 + POSITION_MARGIN + 0.005:
        assert "bottom-half" in got


def test_the_areas_edges_on_the_canvas_edge_do_not_move():
    assert inner_area("left-half") == (0, 0, 0.5 - POSITION_MARGIN, 1)
    assert inner_area("anywhere") == AREAS["anywhere"]


@pytest.mark.parametrize("level", [2, 4])  # the levels with position claims
def test_the_generators_objects_lie_well_inside_their_areas(level):
    # measured over 800 train + 200 eval scenes a level: at least 0.133 inside; 60 a split here
    closest = 1.0
    for split in ("train", "eval"):
        for scene in level_scenes(level, 60, seed=0, split=split):
            raster = None
            for claim in scene.claims:
                if claim["kind"] != "position":
                    continue
                raster = raster or SceneRaster(scene)
                left, top, right, bottom = AREAS[claim["area"]]
                for i, shape in enumerate(scene.shapes):
                    if shape.colour == claim["colour"]:
                        x, y = raster.centroid(i)
                        closest = min([closest, *(abs(v - b) for v, b in ((x, left), (x, right), (y, top),
                                                                          (y, bottom)) if 0 < b < 1)])
    assert closest > POSITION_MARGIN + 0.1
