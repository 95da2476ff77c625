"""Thin objects: a ring drawn as a stroke a few canvas pixels wide is an object to the checks.

At the 160 px analysis size a 4-pixel stroke of a 512 px canvas is a line one pixel wide, blended
with the page: it had no 2x2 core and was no object, so "a blue circle" with a thin blue ring beside
it kept ``count`` and ``shape`` (the adversary's false full passes, issue 54), and an honest ring
drawn as a thin stroke failed. The checks now read such traces at the canvas's own resolution
(:meth:`rewards.checks.picture.Picture.with_thin`); the adversary's oracle calls objects thinner
than :data:`~codepaint_env.tasks.shapes.adversary.THIN` no verdict. Every picture is SVG rendered by
resvg at 512 px, as a policy's is.
"""

from __future__ import annotations

import pytest

from codepaint_env.tasks.shapes.adversary import THIN, render_svgs, thickness, thin_terms
from codepaint_env.tasks.shapes.geometry import Shape
from codepaint_env.tasks.shapes.oracle import SceneRaster
from codepaint_env.tasks.shapes.scenes import Scene
from rewards.checks.colour_names import term_of
from rewards.checks.colours import parse_colour
from rewards.checks.evaluate import DETAIL_BELOW, evaluate
from rewards.checks.picture import Picture
from rewards.checks.shapes import looks_like
from rewards.checks.spec import DEFAULT_MIN_AREA, parse_checks


def svg(background: str, *parts: str) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400">'
            f'<rect width="400" height="400" fill="{background}"/>{"".join(parts)}</svg>')


def ring(x: float, y: float, r: float, band: float, colour: str) -> str:
    """A ring of outer radius ``r`` and band ``band`` (canvas fractions), drawn as one stroke."""
    return (f'<circle cx="{x * 400:.2f}" cy="{y * 400:.2f}" r="{(r - band / 2) * 400:.2f}" fill="none" '
            f'stroke="{colour}" stroke-width="{band * 400:.2f}"/>')


def disc(x: float, y: float, r: float, colour: str) -> str:
    return f'<circle cx="{x * 400:.2f}" cy="{y * 400:.2f}" r="{r * 400:.2f}" fill="{colour}"/>'


def picture(code: str) -> Picture:
    image = render_svgs([code], 512)[0].image
    assert image is not None
    return Picture(image)


def verdicts(code: str, checks: list[dict]) -> dict[str, tuple[bool, str]]:
    outcomes = evaluate(parse_checks(checks), picture(code), code, "svg")
    return {o.check.name: (o.passed, o.sentence) for o in outcomes}


PAIRS = [("#1e88e5", "#000000"), ("#e53935", "#fff8e1"), ("#fdd835", "#ffffff"), ("#8e24aa", "#1a237e")]


@pytest.mark.parametrize("band", [0.006, 0.008, 0.012])  # 3, 4 and 6 canvas pixels at 512
@pytest.mark.parametrize("radius", [0.05, 0.12, 0.35])
@pytest.mark.parametrize("colour, page", PAIRS)
def test_an_honest_ring_drawn_as_a_thin_stroke_is_one_ring(band, radius, colour, page):
    pic = picture(svg(page, ring(0.47, 0.53, radius, band, colour)))
    named = parse_colour(term_of(parse_colour(colour).rgb))
    found = pic.regions(named, 20.0, DEFAULT_MIN_AREA)
    seen = [looks_like(pic.detailed(r, named, 20.0) if min(r.crop.shape) < DETAIL_BELOW else r)
            for r in found]
    assert seen == ["a ring"]


def test_a_thin_ring_beside_the_circle_is_a_second_object():
    # the adversary's L0-03: "a blue circle", and a blue ring with a 4-pixel band beside it
    code = svg("#000000", disc(0.3, 0.5, 0.12, "#1e88e5"), ring(0.72, 0.5, 0.08, 0.008, "#1e88e5"))
    out = verdicts(code, [{"kind": "count", "colour": "blue", "count": 1},
                          {"kind": "shape", "colour": "blue", "shape": "circle"}])
    assert out["count:blue"] == (False, "expected 1 blue region, found 2")
    assert out["shape:blue"][0] is False and "looks like a ring" in out["shape:blue"][1]


def test_a_thin_ring_of_another_colour_is_something_else():
    code = svg("#000000", disc(0.3, 0.5, 0.12, "#1e88e5"), ring(0.72, 0.5, 0.1, 0.008, "#e53935"))
    passed, why = verdicts(code, [{"kind": "only", "colours": ["blue"]}])["only"]
    assert passed is False and "found red" in why


def test_a_thin_ring_found_in_pieces_is_one_object():
    # a 5-pixel band: parts of it are thick enough at 160 px, the rest is not; one ring, not pieces
    for radius in (0.1, 0.2, 0.3, 0.42):
        code = svg("#000000", ring(0.5, 0.5, radius, 0.0098, "#1e88e5"))
        assert verdicts(code, [{"kind": "count", "colour": "blue", "count": 1}])["count:blue"][0] is True


def test_an_outline_is_still_part_of_its_object():
    # a thin dark outline drawn around the named disc is no other object (the outline rule still holds)
    code = svg("#ffffff", disc(0.5, 0.5, 0.2, "#e53935"),
               '<circle cx="200" cy="200" r="81" fill="none" stroke="#1a237e" stroke-width="3"/>')
    assert verdicts(code, [{"kind": "only", "colours": ["red"]}])["only"][0] is True


def test_the_oracle_calls_objects_thinner_than_thin_no_verdict():
    scene = Scene(1, "group", "black", (
        Shape("circle", "blue", 0.3, 0.5, 0.12), Shape("ring", "red", 0.7, 0.5, 0.1, inner=0.93)), "", ())
    assert thickness(scene.shapes[1]) < THIN <= thickness(Shape("ring", "red", 0.7, 0.5, 0.1, inner=0.9))
    assert thin_terms(SceneRaster(scene)) == {"red"}
    assert thickness(Shape("rect", "red", 0.5, 0.5, 0.0, width=0.5, height=0.004)) == pytest.approx(0.004)
