"""``only``: an object of another colour partly behind a named one is another object, not its outline.

The adversary's L1-18 ("four red triangles on a black background", runs/adversary-v8): a cream
triangle drawn behind a red ring shows a tip above the ring (0.09 % of the canvas, a speck) and a
cap 3.5 % of the canvas thick in the top of the ring's hole (0.29 %). The oracle reads the triangle
as an object (0.78 of what shows lies within the outline's reach of the ring) and ``only`` as plainly
broken. The check read the cap at the 160 px analysis size, where it is five pixels thick, its far
row is a blended seam and the outline's square reach covers it from three sides: 0.93 within reach,
so an outline of the ring, and ``only`` passed. Read at the canvas's own resolution with the reach a
distance (:func:`rewards.checks.evaluate.outline_share`) the cap lies 0.74 within reach. Every
picture is SVG rendered by resvg, as a policy's is.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import rewards.checks.page as page_module
from codepaint_env.tasks.shapes.adversary import render_svgs
from codepaint_env.tasks.shapes.drawings import Drawing, oracle_scene, svg
from codepaint_env.tasks.shapes.geometry import Shape
from codepaint_env.tasks.shapes.oracle import SceneRaster, truth
from codepaint_env.tasks.shapes.scenes import Scene
from codepaint_env.tasks.shapes.suite import scene_tasks
from rewards.checks.evaluate import OUTLINE_SHARE, evaluate, outline_share
from rewards.checks.picture import Picture
from rewards.checks.regions import dilate_disc
from rewards.checks.spec import Check, parse_checks

RED, CREAM = "#e53935", "#fff3d6"
#: Level 1's scene 18 of ``level_scenes(1, 50, seed=54, split="eval")``.
L1_18 = Scene(18, "group", "black", tuple(Shape("triangle", "red", x, y, 0.111) for x, y in (
    (0.509, 0.185), (0.834, 0.85), (0.843, 0.171), (0.169, 0.51))),
    "four red triangles on a black background",
    ({"kind": "count", "colour": "red", "count": 4, "weight": 2, "stated": True},
     {"kind": "shape", "colour": "red", "shape": "triangle", "weight": 2, "stated": True}), level=1)
ONLY = next(c for c in parse_checks(list(scene_tasks(L1_18, ("svg",))[0].checks)) if c.kind == "only")
RING = Shape("ring", RED, 0.834, 0.85, 0.111, inner=0.612)
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def overpaid(cream: Shape) -> Drawing:
    """The adversary's picture, with the cream triangle given."""
    return Drawing("#000000", (Shape("triangle", RED, 0.509, 0.185, 0.111, angle=-3.28), cream, RING,
                               Shape("triangle", RED, 0.798, 0.269, 0.111)))


def only_passes(code: str, size: int = 512, check: Check = ONLY) -> tuple[bool, str]:
    image = render_svgs([code], size)[0].image
    assert image is not None
    [outcome] = evaluate([check], Picture(image), code, "svg")
    assert outcome.passed is not None
    return outcome.passed, outcome.sentence


def test_the_adversarys_cream_triangle_behind_a_red_ring_is_another_object():
    drawing = overpaid(Shape("triangle", CREAM, 0.823, 0.778, 0.078))
    code = svg(drawing)
    assert 'points="329.2,280 356.22,326.8 302.18,326.8" fill="#fff3d6"' in code  # the run's picture
    oracle = truth(ONLY, SceneRaster(oracle_scene(L1_18, drawing)))
    assert not oracle.holds and not oracle.ambiguous
    for size in (512, 256):  # the task's size, and half of it
        passed, sentence = only_passes(code, size)
        assert not passed and "found cream" in sentence, (size, sentence)


@SETTINGS
@given(size=st.floats(0.06, 0.09), dx=st.floats(-0.03, 0.03), y=st.floats(0.74, 0.80))
@example(size=0.078, dx=0.0, y=0.778)  # the adversary's
@example(size=0.078, dx=0.015, y=0.778)
def test_where_the_oracle_calls_a_cream_triangle_behind_the_ring_plain_the_check_agrees(size, dx, y):
    drawing = overpaid(Shape("triangle", CREAM, round(0.823 + dx, 3), round(y, 3), round(size, 3)))
    oracle = truth(ONLY, SceneRaster(oracle_scene(L1_18, drawing)))
    if oracle.ambiguous:
        return
    passed, sentence = only_passes(svg(drawing))
    assert passed == oracle.holds, (oracle, sentence)


def outlined(shape: str, page: str, stroke: str, width: float) -> str:
    """A red shape with an outline ``width`` units of 400 wide (a stroke over its edge)."""
    body = {
        "circle": '<circle cx="200" cy="200" r="80"',
        "small triangle": '<polygon points="200,170 226,215 174,215"',
        "star": '<polygon points="200,100 223.5,167.6 295.1,169.1 238,212.4 258.8,280.9 200,240 141.2,280.9 '
                '162,212.4 104.9,169.1 176.5,167.6"',
        "square": '<rect x="130" y="130" width="140" height="140"',
        "ring": '<path fill-rule="evenodd" d="M120 200a80 80 0 1 0 160 0a80 80 0 1 0 -160 0Z'
                'M152 200a48 48 0 1 0 96 0a48 48 0 1 0 -96 0Z"',
    }[shape]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400"><rect width="400" height="400" '
            f'fill="{page}"/>{body} fill="{RED}" stroke="{stroke}" stroke-width="{width}"/></svg>')


@pytest.mark.parametrize("size", [512, 256])
@pytest.mark.parametrize("width", [3, 4, 5])  # 0.75-1.25 % of the canvas
@pytest.mark.parametrize("page, stroke, named", [
    ("#ffffff", "#222222", ["red"]), ("#000000", "#ffffff", ["red"]),
    ("#ffffff", "#222222", ["red", "black"]),  # an outline of a named colour: grey at 160 px, no object
])
@pytest.mark.parametrize("shape", ["circle", "small triangle", "star", "square", "ring"])
def test_an_outline_around_a_named_shape_is_still_no_other_object(shape, page, stroke, named, width, size):
    # read at 160 px, a 1-1.25 % outline round a star lay under 0.9 within reach on 256 px canvases
    background = "white" if page == "#ffffff" else "black"
    [check] = parse_checks([{"kind": "only", "colours": named, "background": background}])
    passed, sentence = only_passes(outlined(shape, page, stroke, width), size, check)
    assert passed, sentence


def test_the_cap_lies_plainly_outside_the_outlines_reach(monkeypatch):
    code = svg(overpaid(Shape("triangle", CREAM, 0.823, 0.778, 0.078)))
    shares: list[float] = []

    def spy(*args):
        shares.append(outline_share(*args))
        return shares[-1]

    monkeypatch.setattr(page_module, "outline_share", spy)
    assert not only_passes(code)[0]
    assert len(shares) == 1 and 0.65 < shares[0] < OUTLINE_SHARE - 0.1  # the cap: 0.74 at 512 (0.93 at 160)


def _brute_disc(mask: np.ndarray, radius: float) -> np.ndarray:
    h, w = mask.shape
    yy, xx = np.mgrid[0:h, 0:w]
    out = np.zeros_like(mask)
    for y, x in zip(*np.nonzero(mask), strict=True):
        out |= (yy - y) ** 2 + (xx - x) ** 2 <= radius * radius
    return out


@settings(max_examples=60, deadline=None, derandomize=True)
@given(mask=arrays(bool, st.tuples(st.integers(1, 24), st.integers(1, 24)), elements=st.booleans()),
       radius=st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 4.8, 7.5, 9.6, 10.6]))
def test_dilate_disc_is_a_euclidean_dilation(mask, radius):
    assert np.array_equal(dilate_disc(mask, radius), _brute_disc(mask, radius))
