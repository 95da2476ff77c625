"""A ``size`` check's reach across the canvas agrees with the oracle wherever the oracle gives a verdict.

Real renders (resvg, no browser) of the shapes suite's own SVG writer. The oracle
(``tasks/shapes/oracle.py``) calls a reach within 10 % of a bound too close to call; outside that
margin the check must say what the geometry says, at any turn and size. A red triangle 22 % of the
canvas across passed "at most a fifth" when its reach was read at the analysis size (the adversary's
L0-15, issue 54).
"""

from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codepaint_env.render import default_renderer
from codepaint_env.tasks.shapes.geometry import Shape
from codepaint_env.tasks.shapes.programs import svg
from codepaint_env.tasks.shapes.scenes import BACKGROUNDS, MIN_DELTA_E, OBJECT_COLOURS, Scene
from rewards.base import Sample
from rewards.checks import VisualChecks
from rewards.checks.colours import parse_colour

#: The oracle's margin around a bound, as a share of it (``oracle._RELATIVE``).
MARGIN = 0.1
KINDS = ("triangle", "star", "circle", "square", "ring")
PAIRS = [(c, b) for c in OBJECT_COLOURS for b in BACKGROUNDS
         if np.linalg.norm(np.array(parse_colour(c).lab) - np.array(parse_colour(b).lab)) >= MIN_DELTA_E]
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def reach(shape: Shape) -> float:
    """How far a shape reaches across the canvas, from its geometry: its box's longer side."""
    left, top, right, bottom = shape.box()
    return max(right - left, bottom - top)


def verdict(shape: Shape, background: str, side: int, check: dict) -> float | None:
    """The check's verdict on the shape drawn alone by the suite's SVG writer and rendered by resvg."""
    scene = Scene(1, "single", background, (shape,), "", ())
    code = svg(scene)
    render = default_renderer().render(code, "svg", size=side, renderer="fast")
    assert render.ok, render.messages
    [result] = VisualChecks().score([Sample(code=code, language="svg", render=render,
                                            meta={"checks": json.dumps([check])})])
    [value] = result.breakdown.values()
    return value


@st.composite
def reaching(draw, low: float, high: float):
    """A shape whose true reach is in ``low``-``high``, turned 0-40° either way, anywhere it is not cut."""
    kind = draw(st.sampled_from(KINDS))
    colour, background = draw(st.sampled_from(PAIRS))
    angle = round(draw(st.floats(-40.0, 40.0)), 2)
    target = draw(st.floats(low, high))
    size = target / reach(Shape(kind, colour, 0.5, 0.5, 1.0, angle=angle))
    half = target / 2 + 0.02
    x, y = (draw(st.floats(half, 1 - half)) for _ in range(2))
    shape = Shape(kind, colour, round(x, 3), round(y, 3), round(size, 4), angle=angle)
    return shape, background, draw(st.sampled_from((256, 512)))


BOUND = 0.2  # "at most a fifth of the canvas across" (tasks/shapes/levels.py)


@SETTINGS
@given(reaching(BOUND * (1 + MARGIN) + 0.001, 0.3))
def test_a_shape_clearly_wider_than_max_extent_fails(drawn):
    shape, background, side = drawn
    got = verdict(shape, background, side, {"kind": "size", "colour": shape.colour, "max_extent": BOUND})
    assert got == 0.0, (shape, reach(shape), background, side)


@SETTINGS
@given(reaching(0.1, BOUND * (1 - MARGIN) - 0.001))
def test_a_shape_clearly_within_max_extent_passes(drawn):
    shape, background, side = drawn
    got = verdict(shape, background, side, {"kind": "size", "colour": shape.colour, "max_extent": BOUND})
    assert got == 1.0, (shape, reach(shape), background, side)


LARGE = 0.5  # "at least half the canvas across"


@SETTINGS
@given(reaching(0.3, LARGE * (1 - MARGIN) - 0.001))
def test_a_shape_clearly_narrower_than_min_extent_fails(drawn):
    shape, background, side = drawn
    got = verdict(shape, background, side, {"kind": "size", "colour": shape.colour, "min_extent": LARGE})
    assert got == 0.0, (shape, reach(shape), background, side)


@SETTINGS
@given(reaching(LARGE * (1 + MARGIN) + 0.001, 0.8))
def test_a_shape_clearly_wider_than_min_extent_passes(drawn):
    shape, background, side = drawn
    got = verdict(shape, background, side, {"kind": "size", "colour": shape.colour, "min_extent": LARGE})
    assert got == 1.0, (shape, reach(shape), background, side)


def test_the_adversarys_triangle_22_percent_across_is_not_small():
    # L0-15: "a small red star, at most a fifth of the canvas across"; this triangle reaches 0.2215
    code = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">'
            '<rect width="400" height="400" fill="#fff3d6"/>'
            '<polygon points="191.21,124.06 239.09,198.7 150.5,202.84" fill="#e53935"/></svg>')
    render = default_renderer().render(code, "svg", size=512, renderer="fast")
    check = {"kind": "size", "colour": "red", "max_extent": 0.2}
    [result] = VisualChecks().score([Sample(code=code, language="svg", render=render,
                                            meta={"checks": json.dumps([check])})])
    assert list(result.breakdown.values()) == [0.0]
