"""`visual_checks`: every check kind passes and fails on constructed pictures, with its sentence.

Pictures are drawn with Pillow (no browser). The properties (hypothesis): the value is in [0, 1]
or None, the same on every call, and the same whether the canvas comes alone or inside an output
with letterbox bands.
"""

from __future__ import annotations

import io
import json
import pickle
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import rewards
from codepaint_env.render import RenderResult, is_blank, pixel_sha256
from rewards.base import Sample
from rewards.checks import AREAS, KINDS, NO_CHECKS, SHAPES, CheckError, VisualChecks, parse_checks
from support.pictures import infra_sample
from support.pictures import sample as failed_sample
from support.shapes_pictures import checked, colour, picture


@pytest.fixture(scope="module")
def reward():
    return VisualChecks()


def verdict(reward, image, check, **kwargs):
    """``(passed, sentence)`` of one check on a picture."""
    result = reward.score([checked(image, [check], **kwargs)])[0]
    [value] = result.breakdown.values()
    return value, result.rationale


def rel(a: str, relation: str, b: str) -> dict:
    return {"kind": "relation", "a": a, "relation": relation, "b": b}


THREE_RED = picture("black", ("circle", "red", 0.2, 0.2, 0.08), ("circle", "red", 0.5, 0.2, 0.08),
                    ("circle", "red", 0.8, 0.2, 0.08), ("square", "blue", 0.5, 0.75, 0.1))


# ---------------------------------------------------------------------- each kind, passing and failing
def test_background(reward):
    assert verdict(reward, THREE_RED, {"kind": "background", "colour": "black"})[0] == 1.0
    value, why = verdict(reward, THREE_RED, {"kind": "background", "colour": "white"})
    assert value == 0.0 and "Expected a white background, found mostly black along the edges" in why


def test_a_background_of_the_right_colour_on_too_little_of_the_border_is_not_called_another_colour(reward):
    # a white canvas whose edges a big disc mostly covers: the border is still mostly white, but less
    # than the check asks; the rationale must not read "expected white, found mostly white"
    big = picture("white", ("circle", "yellow", 0.5, 0.5, 0.5))
    value, why = verdict(reward, big, {"kind": "background", "colour": "white", "min_share": 0.95})
    assert value == 0.0
    assert "on at least 95% of the border" in why and "something drawn covers the rest" in why
    assert "found mostly white" not in why


def test_colour_is_presence_only(reward):
    # presence: an object of the colour, however much of it there is (the amount is size's and coverage's)
    assert verdict(reward, THREE_RED, {"kind": "colour", "colour": "red"})[0] == 1.0
    huge = picture("black", ("circle", "red", 0.5, 0.5, 0.45))  # one object drawn far too large
    value, why = verdict(reward, huge, {"kind": "colour", "colour": "red"})
    assert value == 1.0 and why == "all 1 checks passed"
    value, why = verdict(reward, THREE_RED, {"kind": "colour", "colour": "green"})
    assert value == 0.0
    assert "Expected something green (at least 0.1% of the canvas in one piece), found none" in why
    # specks of the colour (anti-aliasing, a stray pixel) are not an object of it
    specks = picture("black", *[("circle", "green", 0.1 + 0.1 * i, 0.5, 0.01) for i in range(8)])
    value, why = verdict(reward, specks, {"kind": "colour", "colour": "green"})
    assert value == 0.0 and "found only specks covering" in why
    assert verdict(reward, specks, {"kind": "colour", "colour": "green", "min_area": 0.0001})[0] == 1.0


def test_a_colour_amount_is_refused_with_what_to_write_instead():
    for field in ("min", "max"):
        with pytest.raises(CheckError, match=r"check 1 \(colour\): a colour check asks whether the colour is "
                                             r"there.*write a 'size' check.*or a 'coverage' check"):
            parse_checks([{"kind": "colour", "colour": "red", field: 0.1}])


def test_count(reward):
    assert verdict(reward, THREE_RED, {"kind": "count", "colour": "red", "count": 3})[0] == 1.0
    two = picture("black", ("circle", "red", 0.2, 0.2, 0.08), ("circle", "red", 0.8, 0.2, 0.08))
    value, why = verdict(reward, two, {"kind": "count", "colour": "red", "count": 3})
    assert value == 0.0 and why == "Expected 3 red regions, found 2."
    value, why = verdict(reward, two, {"kind": "count", "colour": "red", "min": 3})
    assert value == 0.0 and why == "Expected at least 3 red regions, found 2."
    assert verdict(reward, two, {"kind": "count", "colour": "red", "min": 1, "max": 2})[0] == 1.0


def test_specks_and_seams_are_not_regions(reward):
    # a one-pixel line of red between two blocks, and a few red dots: no red region
    im = picture("white", ("rect", "blue", 0.0, 0.0, 0.5, 1.0), ("rect", "green", 0.5, 0.0, 1.0, 1.0),
                 ("rect", "red", 0.5, 0.0, 0.5, 1.0), ("rect", "red", 0.2, 0.2, 0.21, 0.21))
    assert verdict(reward, im, {"kind": "count", "colour": "red", "count": 0})[0] == 1.0
    # two canvas pixels wide (1 % of this canvas, 1.6 analysis pixels): a thin red bar a person sees
    # (read at the canvas's resolution, Picture.with_thin)
    bar = picture("white", ("rect", "blue", 0.0, 0.0, 0.5, 1.0), ("rect", "green", 0.5, 0.0, 1.0, 1.0),
                  ("rect", "red", 0.5, 0.0, 0.505, 1.0))
    assert verdict(reward, bar, {"kind": "count", "colour": "red", "count": 1})[0] == 1.0


def test_size(reward):
    check = {"kind": "size", "colour": "red", "min": 0.01, "max": 0.05}
    assert verdict(reward, THREE_RED, check)[0] == 1.0
    big = picture("black", ("circle", "red", 0.5, 0.5, 0.3))
    value, why = verdict(reward, big, check)
    assert value == 0.0 and re.search(r"to cover 1.0%-5.0% of the canvas; 1 of 1 covers 2[89]%", why), why
    assert why.startswith("Expected each red region")
    value, why = verdict(reward, picture("black", ("square", "blue", 0.5, 0.5, 0.1)), check)
    assert value == 0.0 and "found no red region" in why


def test_aspect(reward):
    wide = picture("white", ("rect", "purple", 0.1, 0.4, 0.9, 0.5))
    assert verdict(reward, wide, {"kind": "aspect", "colour": "purple", "min": 4})[0] == 1.0
    value, why = verdict(reward, THREE_RED, {"kind": "aspect", "colour": "red", "min": 4})
    assert value == 0.0 and re.search(r"width/height in 4-1000; 3 of 3 is 1\.0\d\.$", why), why


def test_position(reward):
    assert verdict(reward, THREE_RED, {"kind": "position", "colour": "red", "area": "top-row"})[0] == 1.0
    assert verdict(reward, THREE_RED, {"kind": "position", "colour": "blue", "area": "bottom"})[0] == 1.0
    value, why = verdict(reward, THREE_RED, {"kind": "position", "colour": "red", "area": "top-left"})
    assert value == 0.0 and why == ("Expected every red region's centre in the top-left; "
                                    "2 of 3 is centred in the top.")
    assert verdict(reward, THREE_RED, {"kind": "position", "colour": "blue", "area": "center"})[0] == 0.0


SHAPE_PICTURES = {
    "circle": ("circle", "orange", 0.5, 0.5, 0.2), "square": ("square", "orange", 0.5, 0.5, 0.2),
    "triangle": ("triangle", "orange", 0.5, 0.55, 0.25), "star": ("star", "orange", 0.5, 0.5, 0.25),
    "ring": ("ring", "orange", 0.5, 0.5, 0.25), "stripe": ("stripe", "orange", 0.5, 0.5, 0.06),
}


@pytest.mark.parametrize("shape", sorted(SHAPE_PICTURES))
def test_shape_recognised_and_told_apart(reward, shape):
    im = picture("navy", SHAPE_PICTURES[shape])
    assert verdict(reward, im, {"kind": "shape", "colour": "orange", "shape": shape})[0] == 1.0
    for other in SHAPE_PICTURES:
        if other != shape:
            value, why = verdict(reward, im, {"kind": "shape", "colour": "orange", "shape": other})
            assert value == 0.0, (shape, other)
            assert f"Expected every orange region to look like a {other}; 1 of 1 looks like a {shape}" in why


def test_wave_shape(reward):
    from codepaint_env.tasks.shapes.geometry import Shape
    from codepaint_env.tasks.shapes.programs import python
    from codepaint_env.tasks.shapes.scenes import Scene
    from support.shapes_pictures import run_python_reference

    scene = Scene(1, "stripes", "white", (Shape("wave", "blue", 0.5, 0.5, 0.04, 1.0),), "a blue wave", ())
    im = run_python_reference(python(scene), 200)
    assert verdict(reward, im, {"kind": "shape", "colour": "blue", "shape": "wave"})[0] == 1.0
    assert verdict(reward, im, {"kind": "shape", "colour": "blue", "shape": "stripe"})[0] == 0.0


def test_a_square_holding_a_named_object_has_no_hole(reward):
    """The object the prompt puts inside a square is the square's own, not a hole; the page is a hole."""
    holding = picture("white", ("square", "green", 0.5, 0.5, 0.2), ("square", "pink", 0.5, 0.5, 0.11))
    plain = {"kind": "shape", "colour": "green", "shape": "square"}
    value, why = verdict(reward, holding, plain)
    assert value == 0.0 and "looks like" in why  # a 30 % hole: no known shape
    assert verdict(reward, holding, {**plain, "holding": ["pink"]})[0] == 1.0
    frame = picture("white", ("square", "green", 0.5, 0.5, 0.2), ("square", "white", 0.5, 0.5, 0.14),
                    ("square", "pink", 0.5, 0.5, 0.04))
    assert verdict(reward, frame, {**plain, "holding": ["pink"]})[0] == 0.0  # the page shows: a frame


def test_an_outline_around_a_named_object_is_no_other_object(reward):
    """'Nothing else' counts objects, not the dark outline an artist draws around a named one."""
    from PIL import ImageDraw

    only = {"kind": "only", "colours": ["red"], "background": "white"}
    outlined = picture("white")
    ImageDraw.Draw(outlined).ellipse((60, 60, 140, 140), fill=colour("red"), outline="#222222", width=4)
    assert verdict(reward, outlined, only)[0] == 1.0
    beside = picture("white", ("circle", "red", 0.5, 0.5, 0.2))
    ImageDraw.Draw(beside).rectangle((10, 10, 40, 40), fill="#222222")  # the same grey, an object of its own
    value, why = verdict(reward, beside, only)
    assert value == 0.0 and "Expected nothing but red" in why
    # found by the adversary: a red ring's blended rim on cream reads pink, yet the ring is no pink
    # square's outline; a navy shape wedged between two blue stripes is no one stripe's outline
    ring = picture("cream", ("square", "pink", 0.5, 0.6, 0.15), ("ring", "red", 0.4, 0.17, 0.07))
    assert verdict(reward, ring, {"kind": "only", "colours": ["pink"], "background": "cream"})[0] == 0.0
    wedge = picture("cream", ("rect", "blue", 0.0, 0.3, 1.0, 0.4), ("rect", "blue", 0.0, 0.45, 1.0, 0.55),
                    ("rect", "navy", 0.4, 0.4, 0.48, 0.45))
    assert verdict(reward, wedge, {"kind": "only", "colours": ["blue"], "background": "cream"})[0] == 0.0


def test_a_band_runs_across_the_canvas(reward):
    """A stripe spans the canvas; a long upright bar in a corner (a shape cut by the edge) is none."""
    bar = picture("white", ("rect", "red", 0.3, 0.0, 0.6, 0.05))
    value, why = verdict(reward, bar, {"kind": "shape", "colour": "red", "shape": "stripe"})
    assert value == 0.0 and "across only 3" in why  # 30 %, and a pixel
    band = picture("white", ("rect", "red", 0.05, 0.4, 0.95, 0.48))
    assert verdict(reward, band, {"kind": "shape", "colour": "red", "shape": "stripe"})[0] == 1.0


def test_not_cut(reward):
    assert verdict(reward, THREE_RED, {"kind": "not_cut", "colour": "red"})[0] == 1.0
    cut = picture("black", ("circle", "red", 0.02, 0.5, 0.1))
    value, why = verdict(reward, cut, {"kind": "not_cut", "colour": "red"})
    assert value == 0.0 and why == ("Expected no red region cut by the canvas edge; "
                                    "1 of 1 touches the left edge.")


@pytest.mark.parametrize(("relation", "holds"), [("above", True), ("below", False), ("left_of", False),
                                                 ("right_of", False), ("touching", False), ("inside", False)])
def test_directional_relations(reward, relation, holds):
    value, why = verdict(reward, THREE_RED, rel("red", relation, "blue"))
    assert value == float(holds), why
    if not holds:
        assert why.startswith(f"Expected red {relation.replace('_', ' ')} blue")


def test_left_right_inside_touching(reward):
    pair = picture("white", ("circle", "green", 0.25, 0.5, 0.1), ("square", "purple", 0.75, 0.5, 0.1))
    assert verdict(reward, pair, rel("green", "left_of", "purple"))[0] == 1.0
    value, why = verdict(reward, pair, rel("green", "right_of", "purple"))
    assert value == 0.0 and "1 of 1 green region is not (centre at 25% of the width, purple at 75%)" in why
    nested = picture("white", ("ring", "blue", 0.5, 0.5, 0.25), ("circle", "red", 0.5, 0.5, 0.07),
                     ("square", "green", 0.15, 0.85, 0.06), ("circle", "yellow", 0.27, 0.85, 0.07))
    assert verdict(reward, nested, rel("red", "inside", "blue"))[0] == 1.0
    value, why = verdict(reward, nested, rel("green", "inside", "blue"))
    assert value == 0.0 and "lies only 0.0% inside" in why
    assert verdict(reward, nested, rel("green", "touching", "yellow"))[0] == 1
    value, why = verdict(reward, nested, rel("red", "touching", "green"))
    assert value == 0.0 and "more than 2.0% of the canvas apart" in why
    value, why = verdict(reward, nested, rel("red", "above", "cyan"))
    assert value == 0.0 and why == "Expected red above cyan, found no cyan region."


def test_directional_margin_is_relative_to_the_objects(reward):
    """GenEval's rule: the centres lie apart by 0.1 x the two objects' extents added, not by a fixed
    share of the canvas (two small squares wholly one above the other, 7 % apart, are "above")."""
    small = picture("white", ("square", "red", 0.5, 0.40, 0.025), ("square", "blue", 0.5, 0.47, 0.025))
    assert verdict(reward, small, rel("red", "above", "blue"))[0] == 1.0
    assert verdict(reward, small, rel("blue", "above", "red"))[0] == 0.0
    # two large discs side by side, centres 5 % apart in height: neither is above (margin 8 %)
    large = picture("white", ("circle", "red", 0.28, 0.45, 0.2), ("circle", "blue", 0.72, 0.5, 0.2))
    value, why = verdict(reward, large, rel("red", "above", "blue"))
    assert value == 0.0 and "is not (centre at" in why


def test_coverage(reward):
    assert verdict(reward, THREE_RED, {"kind": "coverage", "min": 0.05, "max": 0.3})[0] == 1.0
    value, why = verdict(reward, THREE_RED, {"kind": "coverage", "background": "white", "max": 0.5})
    assert value == 0.0 and "Expected at most 50% of the canvas covered (not background), found 100%" in why


def test_symmetry(reward):
    assert verdict(reward, THREE_RED, {"kind": "symmetry"})[0] == 1.0
    lopsided = picture("black", ("circle", "red", 0.2, 0.5, 0.1), ("square", "blue", 0.5, 0.8, 0.1))
    value, why = verdict(reward, lopsided, {"kind": "symmetry", "axis": "vertical"})
    assert value == 0.0 and "Expected left-right mirror symmetry" in why
    assert verdict(reward, lopsided, {"kind": "symmetry", "axis": "horizontal"})[0] == 0.0
    assert verdict(reward, picture("black", ("circle", "red", 0.5, 0.5, 0.2)), {"kind": "symmetry",
                                                                             "axis": "horizontal"})[0] == 1.0


def test_symmetry_reads_colour_terms():
    """A cream block behind a symmetric row on a white page breaks the symmetry (the adversary's L4-05).

    Cream lies within ΔE 20 of white, so when colours were matched by distance alone the block was
    page and agreed with the page in its mirror image: 85 %, a pass. Cream is its own colour term.
    """
    reward = VisualChecks()
    row = [("circle", "cyan", 0.2, 0.5, 0.07), ("ring", "pink", 0.5, 0.5, 0.1),
           ("circle", "cyan", 0.8, 0.5, 0.07)]
    check = {"kind": "symmetry", "axis": "vertical"}
    assert verdict(reward, picture("white", *row), check)[0] == 1.0
    behind = picture("white", ("rect", "cream", 0.06, 0.1, 0.62, 0.9), *row)
    value, why = verdict(reward, behind, check)
    assert value == 0.0 and "Expected left-right mirror symmetry" in why


def test_contrast(reward):
    im = picture("white", ("circle", "yellow", 0.3, 0.5, 0.15), ("circle", "navy", 0.7, 0.5, 0.15))
    assert verdict(reward, im, {"kind": "contrast", "a": "navy", "min": 7})[0] == 1.0
    value, why = verdict(reward, im, {"kind": "contrast", "a": "yellow", "b": "background", "min": 3})
    assert value == 0.0 and why == ("Expected a contrast of at least 3 between yellow and background, "
                                    "found 1.4.")
    halves = picture("white", ("rect", "black", 0.0, 0.0, 1.0, 0.5))
    check = {"kind": "contrast", "a": "top-half", "b": "bottom-half", "min": 15}
    assert verdict(reward, halves, check)[0] == 1.0
    value, why = verdict(reward, im, {"kind": "contrast", "a": "red", "min": 2})
    assert value == 0.0 and "found no red region" in why


@pytest.mark.parametrize(("language", "code", "found"), [
    ("svg", '<svg><image href="data:image/png;base64,AAAA"/></svg>', "data:image/"),
    ("html", '<img src="cat.png">', "<img"),
    ("p5", "let img; function preload() { img = loadImage('a.png'); }", "loadImage("),
    ("python", "from PIL import Image\nim = Image.open('x.png')", "Image.open("),
    ("tikz", "\\includegraphics{cat}", "\\includegraphics"),
])
def test_no_image(reward, language, code, found):
    im = picture("white", ("circle", "red", 0.5, 0.5, 0.2))
    value, why = verdict(reward, im, {"kind": "no_image"}, language=language, code=code)
    assert value == 0.0 and found in why and why.startswith("Expected no embedded raster image")
    assert verdict(reward, im, {"kind": "no_image"}, language=language, code="circle(1, 2, 3)")[0] == 1.0


def test_svg_elements_and_checks_that_do_not_apply(reward):
    code = "<svg><circle r='1'/><circle r='2'/><!-- <circle r='3'/> --><rect/></svg>"
    im = picture("white", ("circle", "red", 0.5, 0.5, 0.2))
    check = {"kind": "svg_elements", "element": "circle", "min": 2, "max": 2}
    assert verdict(reward, im, check, code=code)[0] == 1.0
    value, why = verdict(reward, im, {**check, "min": 3, "max": 3}, code=code)
    assert value == 0.0 and why == "Expected 3 <circle> elements, found 2."
    # in Python the element count does not apply: left out of the score, None in the breakdown
    both = [check, {"kind": "colour", "colour": "red"}]
    result = reward.score([checked(im, both, language="python")])[0]
    assert result.value == 1.0 and result.breakdown == {"svg_elements:circle": None, "colour:red": 1.0}
    only = reward.score([checked(im, [check], language="python")])[0]
    assert only.value is None and "none of the task's checks applies to a python program" in only.reason


# ---------------------------------------------------------------------- the score
def test_value_is_the_weighted_share_and_the_rationale_names_each_failure(reward):
    checks = [{"kind": "count", "colour": "red", "count": 3, "weight": 2},
              {"kind": "count", "colour": "blue", "count": 2, "weight": 1},
              {"kind": "background", "colour": "white", "weight": 1, "name": "white paper"}]
    result = reward.score([checked(THREE_RED, checks)])[0]
    assert result.value == pytest.approx(2 / 4)
    assert result.breakdown == {"count:red": 1.0, "count:blue": 0.0, "white paper": 0.0}
    assert result.rationale == ("Expected 2 blue regions, found 1. Expected a white background, found mostly "
                                "black along the edges (0.0% of the border is white).")
    assert reward.score([checked(THREE_RED, checks[:1])])[0].rationale == "all 1 checks passed"


def test_duplicate_names_are_numbered(reward):
    twice = [{"kind": "coverage", "max": 0.5}, {"kind": "coverage", "min": 0.5}]
    result = reward.score([checked(THREE_RED, twice)])[0]
    assert list(result.breakdown) == ["coverage", "coverage#2"] and result.value == 0.5


def test_no_checks_failed_render_and_infra(reward):
    for none in (None, [], ""):
        r = reward.score([checked(THREE_RED, none)])[0]  # type: ignore[arg-type]
        assert r.value is None and r.reason == NO_CHECKS
    assert reward.score([Sample.from_image(THREE_RED)])[0].reason == "no checks for this task"
    broken = failed_sample(None, checks=[{"kind": "no_image"}])
    r = reward.score([broken])[0]
    assert r.value == 0.0 == reward.value_range[0] and r.rationale.startswith("render failed (runtime)")
    r = reward.score([infra_sample(checks=[{"kind": "no_image"}])])[0]
    assert r.value is None and "infra" in r.reason


def test_checks_as_json_text_are_the_same_checks(reward):
    checks = [{"kind": "count", "colour": "red", "count": 3}, {"kind": "symmetry"}]
    a = reward.score([checked(THREE_RED, checks)])[0]
    b = reward.score([checked(THREE_RED, json.dumps(checks))])[0]
    assert a.to_dict() == b.to_dict()


def test_registered_aliased_composed_and_picklable():
    assert rewards.reward_spec("checks").id == "visual_checks" == rewards.reward_spec("visual_checks").id
    reward = rewards.make_reward("checks", analysis_side=96)
    assert isinstance(reward, VisualChecks) and reward.analysis_side == 96
    copy = pickle.loads(pickle.dumps(reward))
    assert isinstance(copy, VisualChecks) and copy.analysis_side == 96
    with pytest.raises(ValueError, match="analysis_side"):
        VisualChecks(analysis_side=8)
    both = rewards.make_reward("gate:0.2,checks:0.8")
    sample = checked(THREE_RED, [{"kind": "count", "colour": "red", "count": 3},
                                 {"kind": "count", "colour": "blue", "count": 2}])
    result = both.score([sample])[0]
    assert result.value == pytest.approx(0.2 * 1 + 0.8 * 0.5), result.to_dict()
    broken = failed_sample(None, checks=[{"kind": "no_image"}])
    assert both.score([broken])[0].value == pytest.approx(-0.2)  # the gate's minimum, the checks' 0


# ---------------------------------------------------------------------- malformed checks
@pytest.mark.parametrize(("checks", "message"), [
    ([{"kind": "count", "colour": "red", "count": 3}, {"kind": "count", "colour": "red", "count": "three"}],
     "check 2 (count): field 'count' must be a whole number in 0..1000, not 'three'"),
    ([{"kind": "count", "colour": "redd", "count": 1}],
     "check 1 (count): field 'colour' must be a palette colour (black, white, red"),
    ([{"kind": "position", "colour": "red"}], "check 1 (position): missing field 'area'"),
    ([{"kind": "position", "colour": "red", "area": "upstairs"}],
     "check 1 (position): field 'area' must be one of top-left, top, top-right"),
    ([{"kind": "size", "colour": "red", "min": 0.5, "max": 0.1}],
     "check 1 (size): field 'min' (0.5) is greater than 'max' (0.1)"),
    ([{"kind": "count", "colour": "red", "count": 1, "max": 2}],
     "check 1 (count): field 'count' and 'min'/'max'"),
    ([{"kind": "count", "colour": "red"}], "check 1 (count): missing field 'count'"),
    ([{"kind": "shape", "colour": "red", "shape": "blob"}],
     "check 1 (shape): field 'shape' must be one of circle, square, triangle, star, ring, stripe, wave"),
    ([rel("red", "near", "blue")], "check 1 (relation): field 'relation'"),
    ([rel("red", "above", "red")], "check 1 (relation): field 'b' must be"),
    ([{"kind": "background", "colour": "red", "colour_name": "x"}],
     "check 1 (background): unknown field 'colour_name'; fields of background: colour, tolerance, min_share"),
    ([{"kind": "no_image", "weight": -1}],
     "check 1 (no_image): field 'weight' must be a number in (0, 1000]"),
    ([{"colour": "red"}], "check 1: missing field 'kind' (one of background, colour, count"),
    (["count"], "check 1: must be an object with a 'kind', not str"),
    ({"kind": "count"}, "checks must be a list of check objects"),
    ("[{\"kind\": ", "checks are not valid JSON"),
])
def test_malformed_checks_name_the_check_and_the_field(reward, checks, message):
    with pytest.raises(CheckError) as e:
        parse_checks(checks)
    assert message in str(e.value)
    with pytest.raises(CheckError, match=r"checks?\b"):  # the reward raises it too: a data bug is loud
        reward.score([checked(THREE_RED, checks)])


def test_unknown_kind_lists_the_known_kinds():
    with pytest.raises(CheckError) as e:
        parse_checks([{"kind": "count", "colour": "red", "count": 1}, {"kind": "sparkle"}])
    assert str(e.value) == f"check 2: unknown kind 'sparkle'; known kinds: {', '.join(KINDS)}"
    assert isinstance(e.value, ValueError)


# ---------------------------------------------------------------------- properties
COLOURS = ["black", "white", "red", "orange", "yellow", "green", "blue", "purple", "pink", "cyan", "#123456"]
colours = st.sampled_from(COLOURS)
shares = st.floats(0, 1)


@st.composite
def ranges(draw, top=1.0):
    a, b = sorted((draw(st.floats(0, top)), draw(st.floats(0, top))))
    return {"min": a, "max": b}


@st.composite
def check_objects(draw):
    kind = draw(st.sampled_from([k for k in KINDS if k != "svg_elements"]))
    c = {"kind": kind}
    if kind in ("background", "colour", "count", "size", "aspect", "position", "shape", "not_cut"):
        c["colour"] = draw(colours)
    if kind == "count":
        c["count"] = draw(st.integers(0, 5))
    elif kind in ("size", "coverage"):
        c.update(draw(ranges()))
        if kind == "size" and draw(st.booleans()):
            lo, hi = draw(ranges()).values()
            c.update(min_extent=lo, max_extent=hi)
    elif kind == "only":
        c["colours"] = draw(st.lists(colours, min_size=1, max_size=3))
        if draw(st.booleans()):
            c["background"] = draw(colours)
    elif kind == "colour" and draw(st.booleans()):
        c["min_area"] = draw(st.floats(0, 0.2))
    elif kind == "aspect":
        c.update(draw(ranges(top=10.0)))
    elif kind == "position":
        c["area"] = draw(st.sampled_from(sorted(AREAS)))
    elif kind == "shape":
        c["shape"] = draw(st.sampled_from(SHAPES))
    elif kind == "relation":
        a, b = draw(st.lists(colours, min_size=2, max_size=2, unique=True))
        c.update(a=a, b=b, relation=draw(st.sampled_from(["above", "below", "left_of", "right_of", "inside",
                                                           "touching"])))
    elif kind == "symmetry":
        c.update(axis=draw(st.sampled_from(["vertical", "horizontal"])), min=draw(shares))
    elif kind == "contrast":
        c.update(a=draw(st.sampled_from([*COLOURS, "top-half", "centre"])), min=draw(st.floats(1, 21)))
    if draw(st.booleans()):
        c["weight"] = draw(st.floats(0.1, 5))
    return c


@st.composite
def pictures(draw):
    w, h = draw(st.integers(24, 220)), draw(st.integers(24, 220))
    shapes = []
    for _ in range(draw(st.integers(0, 6))):
        shapes.append((draw(st.sampled_from(["circle", "square", "triangle", "ring", "star"])), draw(colours),
                       draw(st.floats(-0.1, 1.1)), draw(st.floats(-0.1, 1.1)), draw(st.floats(0.01, 0.4))))
    return picture(draw(colours), *shapes, size=(w, h))


_PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(image=pictures(), checks=st.lists(check_objects(), min_size=1, max_size=6))
def test_values_are_in_range_and_deterministic(image, checks):
    reward = VisualChecks()
    first = reward.score([checked(image, checks)])[0]
    assert first.value is None or 0.0 <= first.value <= 1.0
    again = VisualChecks().score([checked(image, checks)])[0]
    assert again.to_dict() == first.to_dict()
    assert set(first.breakdown) == {c.name for c in parse_checks(checks)}  # even for a blank picture
    if first.value is not None:
        assert all(v in (0.0, 1.0) for v in first.breakdown.values())


@_PROPERTY
@given(image=pictures(), checks=st.lists(check_objects(), min_size=1, max_size=6),
       band=st.sampled_from([(255, 255, 255), (0, 0, 0), (229, 57, 53)]), pad=st.integers(1, 80),
       vertical=st.booleans())
def test_the_letterbox_bands_change_nothing(image, checks, band, pad, vertical):
    alone = checked(image, checks)
    w, h = image.size
    out = Image.new("RGB", (w, h + 2 * pad) if vertical else (w + 2 * pad, h), band)
    at = (0, pad) if vertical else (pad, 0)
    out.paste(image, at)
    buf = io.BytesIO()
    out.save(buf, "PNG")
    blank = is_blank(image)  # as the renderer judges it: on the program's picture, not the bands
    boxed = RenderResult(ok=not blank, error_kind="blank" if blank else None, language="svg",
                         png=buf.getvalue(), size=out.size, sha256=pixel_sha256(out), canvas=(*at, w, h),
                         renderer="image")
    banded = Sample(code="", language="svg", render=boxed, meta={"checks": checks})
    reward = VisualChecks()
    assert reward.score([banded])[0].to_dict() == reward.score([alone])[0].to_dict()


WIDE = """
function setup() {
  createCanvas(720, 400); background("#1a237e"); noStroke();
  fill("#fdd835"); circle(120, 100, 90); circle(360, 100, 90); circle(600, 100, 90);
  fill("#e53935"); rect(300, 250, 120, 120);
}
"""


def test_a_real_letterboxed_render_scores_as_the_same_canvas_without_bands(renderer):
    checks = [{"kind": "background", "colour": "navy"}, {"kind": "count", "colour": "yellow", "count": 3},
              {"kind": "shape", "colour": "yellow", "shape": "circle"}, {"kind": "position", "colour": "red",
                                                                          "area": "bottom"},
              {"kind": "relation", "a": "yellow", "relation": "above", "b": "red"}, {"kind": "symmetry"},
              {"kind": "coverage", "background": "navy", "min": 0.05, "max": 0.4},
              {"kind": "not_cut", "colour": "yellow"}]
    boxed = renderer.render(WIDE, "p5", size=256)  # a 256x142 canvas between white bands
    plain = renderer.render(WIDE, "p5", size=(360, 200))  # the canvas alone
    assert boxed.canvas[1] > 0 and plain.canvas == (0, 0, 360, 200)
    reward = VisualChecks()
    a, b = (reward.score([Sample(code=WIDE, language="p5", render=r, meta={"checks": checks})])[0]
            for r in (boxed, plain))
    assert a.value == b.value == 1.0 and a.breakdown == b.breakdown, (a.rationale, b.rationale)
