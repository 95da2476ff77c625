"""The honest artist (rewards.testing.honest) and what its drawings measure of the ``shapes`` checks.

* The grammar reads every prompt form the levels make and agrees with the checks on what each says
  (counts, kinds, sizes, places, relations); a phrase it does not know raises, quoting the phrase.
* The artist is independent of the generator (it imports nothing of codepaint_env.tasks) and keeps
  what the words say: sizes within the stated reach, nothing cut, objects apart unless asked to touch.
* Rendered (resvg, 512 px), a fixed set of drawings -- 40 prompts a level, levels 0-4, seeds fixed --
  passes every stated claim. Fixed seeds make the result a function of the prompts, the checks and
  the renderer: nothing is random at test time, so the test cannot be flaky, where a margin on a
  random sample would be (at a 99.5 % pass rate, 200 drawings all pass only 37 % of the time). The
  1,000 drawings a level are benchmarks/validity/honest_drawings.py's job; the cases it found the checks wrong
  on are the single-object tests below.
* The wrong-kind probe (issue 54): an upright object of the wrong kind fails the ``shape`` claim, and
  so do the turned ones the probe found passing (a square as a circle, a straight band as a wave).
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import random
from functools import cache
from typing import Any

import numpy as np
import pytest

from codepaint_env.render import Renderer
from codepaint_env.tasks import load_suite
from rewards.checks.evaluate import evaluate
from rewards.checks.picture import Picture
from rewards.checks.spec import parse_checks
from rewards.testing import honest, honest_shapes, honest_words
from rewards.testing.honest import EDGE, GAP, Drawing, draw, wrong_kind
from rewards.testing.honest_shapes import Look, Obj, distance, svg_document
from rewards.testing.honest_words import PromptError, parse_prompt

LEVELS = (0, 1, 2, 3, 4)
PER_LEVEL = 40
SIDE = 512


@cache
def _tasks(level: int) -> tuple[Any, ...]:
    n_eval = PER_LEVEL // 5
    return (*load_suite("shapes", level=level, count=PER_LEVEL - n_eval, language="svg"),
            *load_suite("shapes", level=level, count=n_eval, split="eval", language="svg"))


@pytest.fixture(scope="module")
def fast():
    r = Renderer(cache_size=0)
    yield r
    r.close()


def _render(renderer: Renderer, svgs: list[str]) -> list[Any]:
    results = renderer.render_many(svgs, "svg", size=SIDE, renderer="fast")
    assert all(r.ok for r in results), [r.messages[:1] for r in results if not r.ok]
    return [r.canvas_image for r in results]


# ---------------------------------------------------------------------- the grammar
def test_the_grammar_reads_each_prompt_form():
    r = parse_prompt("Draw a small blue star, at most a fifth of the canvas across, on a white background, "
                     "as an SVG image. No text.")
    (g,) = r.groups
    assert (r.background, g.count, g.colour, g.kind, g.size, g.max_reach, g.reach_stated) == (
        "white", 1, "blue", "star", "small", 0.2, True)
    r = parse_prompt("Draw a large red circle (at least half the canvas across) on a cream background, "
                     "as an SVG image. No text. (cream is #fff3d6.)")
    assert (r.groups[0].min_reach, r.defined) == (0.5, {"cream": "#fff3d6"})
    r = parse_prompt("Draw three yellow stars in the top-right corner on a black background, "
                     "as a TikZ picture (one tikzpicture). No text. Define these colours first: "
                     "\\definecolor{navy}{HTML}{1A237E}")
    assert (r.groups[0].count, r.where and r.where.name, r.defined) == (3, "top-right corner",
                                                                          {"navy": "#1a237e"})
    r = parse_prompt("Draw two cyan stars above a horizontal yellow stripe on a cream background, in p5.js. "
                     "No text.")
    assert (r.relation, [g.kind for g in r.groups]) == ("above", ["star", "stripe"])
    r = parse_prompt("Draw a small pink circle inside a green square in the bottom-right corner on a navy "
                     "background, as an SVG image. No text.")
    where = r.where and r.where.name
    assert (r.relation, where, r.groups[0].max_reach) == ("inside", "bottom-right corner", None)  # relative
    r = parse_prompt("Draw a green square between two yellow stars in a mirror-symmetric row across the "
                     "middle on a white background, as an SVG image. No text.")
    assert (r.relation, r.groups[1].count, r.where and r.where.name) == ("between", 2, "middle row")


@pytest.mark.parametrize("words, unread", [
    ("a tiny red circle", "a tiny red circle"),  # an unknown size word
    ("a magenta circle", "a magenta circle"),  # an unknown colour
    ("a red hexagon", "a red hexagon"),  # an unknown kind
    ("three red circle", "three red circle"),  # a count with the singular
    ("a red circle near a blue square", " near a blue square"),  # an unknown relation
    ("a red circle in the top-middle corner", " in the top-middle corner"),  # an unknown area
    ("a red circle, about a third of the canvas across,", ", about a third of the canvas across,"),
    ("a red circle and a blue square", " and a blue square"),
])
def test_a_phrase_the_grammar_does_not_know_raises_quoting_it(words, unread):
    with pytest.raises(PromptError, match="could not read") as e:
        parse_prompt(f"Draw {words} on a white background, as an SVG image. No text.")
    assert repr(unread) in str(e.value)


def test_a_prompt_without_its_frame_or_with_unknown_trailing_words_raises():
    for prompt in ("Paint a red circle on a white background, as an SVG image. No text.",
                   "Draw a red circle on a white background, as an SVG image.",
                   "Draw a red circle on a white background, as an SVG image. No text. Make it pretty.",
                   "Draw a red circle on a red background, as an SVG image. No text."):
        with pytest.raises(PromptError):
            parse_prompt(prompt)


@pytest.mark.parametrize("level", LEVELS)
def test_the_grammar_reads_what_the_checks_say(level):
    """Every level's prompt, read by the artist's grammar, says what its stated checks hold."""
    for task in _tasks(level):
        request = parse_prompt(task.prompt)
        stated = [c for c in task.checks if c.get("stated")]
        by_colour = {g.colour: g for g in request.groups}
        background = next(c["colour"] for c in stated if c["kind"] == "background")
        assert request.background == background, task.prompt
        assert {c: g.count for c, g in by_colour.items()} == {
            c["colour"]: c["count"] for c in stated if c["kind"] == "count"}, task.prompt
        assert {c: g.kind for c, g in by_colour.items()} == {
            c["colour"]: c["shape"] for c in stated if c["kind"] == "shape"}, task.prompt
        sizes = {c["colour"]: (c.get("min_extent"), c.get("max_extent"))
                 for c in stated if c["kind"] == "size"}
        assert {c: (g.min_reach, g.max_reach) for c, g in by_colour.items() if g.reach_stated} == sizes
        relations = [(c["a"], c["relation"], c["b"]) for c in stated if c["kind"] == "relation"]
        if request.relation in (None, "between"):
            assert not relations, task.prompt
        else:
            assert relations == [(request.groups[0].colour, request.relation, request.groups[1].colour)]


# ---------------------------------------------------------------------- the artist
def test_the_artist_imports_nothing_of_the_generator():
    for module in (honest, honest_shapes, honest_words):
        tree = ast.parse(inspect.getsource(module))
        imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(m.startswith("codepaint_env") for m in imported), (module.__name__, imported)


def test_a_drawing_is_a_function_of_its_prompt_and_seed():
    prompt = _tasks(3)[0].prompt
    assert draw(prompt, 5).svg == draw(prompt, 5).svg
    assert len({draw(prompt, s).svg for s in range(6)}) == 6


def _kept_words(d: Drawing) -> None:
    """What the words say, held of a drawing's geometry: sizes, edges, gaps, places, relations."""
    r = d.request
    objs = list(d.objects)
    for o in objs:
        left, top, right, bottom = o.box()
        assert min(top, 1 - bottom) >= EDGE - 1e-9, (d.prompt, d.seed)
        if not o.band:
            assert min(left, 1 - right) >= EDGE - 1e-9, (d.prompt, d.seed)
            g = r.groups[o.group]
            reach = max(right - left, bottom - top)
            assert (g.min_reach or 0) - 1e-9 <= reach <= (g.max_reach or 1) + 1e-9, (d.prompt, d.seed, reach)
            assert reach == pytest.approx(o.reach, rel=1e-6)
    if r.relation not in ("touching", "inside"):
        for i, a in enumerate(objs):
            for b in objs[i + 1:]:
                assert distance(a.outline(), b.outline()) >= GAP - 1e-9, (d.prompt, d.seed)
    if r.where is not None and r.relation != "between" and r.where.arrangement != "centre":
        left, top, right, bottom = r.where.box
        for o in objs:
            if o.group == (1 if r.relation == "inside" else 0):
                box = o.box()
                assert left - 1e-9 <= box[0] and box[2] <= right + 1e-9, (d.prompt, d.seed)
                assert top - 1e-9 <= box[1] and box[3] <= bottom + 1e-9, (d.prompt, d.seed)
    if r.relation in ("above", "below", "left_of", "right_of"):
        (b,) = [o for o in objs if o.group == 1]
        bl, bt, br, bb = b.box()
        for a in (o for o in objs if o.group == 0):
            al, at, ar, ab = a.box()
            assert {"above": ab < bt, "below": at > bb, "left_of": ar < bl, "right_of": al > br}[r.relation]
    if r.relation == "touching":
        a, b = objs
        assert distance(a.outline(), b.outline()) == 0.0
    if r.relation == "between":
        left, mid, right = objs
        axis = mid.x
        assert left.x + right.x == pytest.approx(2 * axis) and left.y == right.y
        assert np.allclose(np.sort(left.outline()[:, 1]), np.sort(right.outline()[:, 1]))


@pytest.mark.parametrize("level", LEVELS)
def test_each_drawing_keeps_what_the_words_say(level):
    for i, task in enumerate(_tasks(level)):
        for seed in (i, i + 1000):
            _kept_words(draw(task.prompt, seed))


# ---------------------------------------------------------------------- rendered and scored
def _stated_failures(drawing: Drawing, task: Any, image: Any) -> list[dict[str, Any]]:
    outcomes = evaluate(parse_checks(list(task.checks)), Picture(image), drawing.svg, "svg")
    return [{"name": o.check.name, "kind": o.check.kind, "sentence": o.sentence}
            for o in outcomes if o.check.stated and o.passed is False]


@pytest.mark.parametrize("level", LEVELS)
def test_honest_drawings_pass_every_stated_claim(fast, level):
    tasks = _tasks(level)
    drawings = [draw(t.prompt, 7919 * level + i) for i, t in enumerate(tasks)]
    images = _render(fast, [d.svg for d in drawings])
    failed = [(d.prompt, d.seed, f["name"], f["sentence"], d.describe())
              for task, d, image in zip(tasks, drawings, images, strict=True)
              for f in _stated_failures(d, task, image)]
    assert not failed, failed


def test_a_thin_stripe_turned_under_a_degree_is_a_stripe(fast):
    """Found by the honest drawings: within a degree of upright a thin stripe was read in its axis box."""
    checks = parse_checks([{"kind": "shape", "colour": "red", "shape": "stripe"}])
    objs = [Obj(0, "red", Look("stripe", turn), 0.04, 0.5, 0.5) for turn in (-1.0, -0.9, -0.8, 0.8, 0.9, 1.0)]
    images = _render(fast, [svg_document([o], {"red": "red"}, "white", _rng(i)) for i, o in enumerate(objs)])
    assert all(evaluate(checks, Picture(im), "", "svg")[0].passed for im in images)


def test_a_triangle_with_a_forty_degree_angle_is_a_triangle_at_any_turn(fast):
    """Found by the honest drawings: a 50-50-80 triangle turned 90 degrees was 'no known shape'."""
    checks = parse_checks([{"kind": "shape", "colour": "red", "shape": "triangle"}])
    objs = [Obj(0, "red", Look("triangle", turn, angles=angles), 0.3, 0.5, 0.5)
            for angles in ((50.0, 50.0, 80.0), (70.0, 70.0, 40.0), (40.0, 60.0, 80.0))
            for turn in range(0, 360, 30)]
    images = _render(fast, [svg_document([o], {"red": "red"}, "white", _rng(i)) for i, o in enumerate(objs)])
    assert all(evaluate(checks, Picture(im), "", "svg")[0].passed for im in images)


def _rng(seed: int) -> random.Random:
    return random.Random(seed)


# ---------------------------------------------------------------------- the wrong-kind probe
@pytest.mark.parametrize("kind, wrong", [("circle", "square"), ("square", "circle"), ("triangle", "square"),
                                         ("star", "square"), ("ring", "circle"), ("stripe", "square"),
                                         ("wave", "stripe")])
def test_an_upright_object_of_the_wrong_kind_fails_the_shape_claim(fast, kind, wrong):
    """Issue 54: at level 0 the kind was not checked, and every wrong-kind drawing kept every stated claim."""
    prompts = {"stripe": "a horizontal red stripe", "wave": "a red wave"}
    prompt = f"Draw {prompts.get(kind, f'a red {kind}')} on a white background, as an SVG image. No text."
    checks = parse_checks([{"kind": "shape", "colour": "red", "shape": kind}])
    upright = []
    for seed in range(8):
        d = draw(prompt, seed, shades=False)
        d = _upright(wrong_kind(d))
        assert {o.look.kind for o in d.objects} == {wrong}
        upright.append(d)
    for d, image in zip(upright, _render(fast, [d.svg for d in upright]), strict=True):
        passed = evaluate(checks, Picture(image), d.svg, "svg")[0].passed
        assert passed is False, (d.prompt, d.seed, d.describe())


def _upright(d: Drawing) -> Drawing:
    """The drawing with every object unturned."""
    objects = [dataclasses.replace(o, look=dataclasses.replace(o.look, turn=0.0)) for o in d.objects]
    svg = svg_document(objects, d.fills, d.fills["background"], random.Random(d.seed))
    return dataclasses.replace(d, objects=tuple(objects), svg=svg)


def test_a_square_turned_a_little_is_not_a_circle(fast):
    """Found by the wrong-kind probe: read as drawn, a square turned 6-8 degrees fills its box like a disc."""
    checks = parse_checks([{"kind": "shape", "colour": "red", "shape": "circle"}])
    objs = [Obj(0, "red", Look("square", turn), reach, 0.5, 0.5)
            for reach in (0.1, 0.3, 0.6) for turn in (-8.0, -7.0, -6.0, -4.0, 4.0, 6.0, 7.0, 8.0)]
    images = _render(fast, [svg_document([o], {"red": "red"}, "white", _rng(i)) for i, o in enumerate(objs)])
    assert not any(evaluate(checks, Picture(im), "", "svg")[0].passed for im in images)


def test_a_straight_band_turned_a_little_is_not_a_wave(fast):
    """Found by the wrong-kind probe: as drawn, a straight band turned 3-8 degrees fills little of its box."""
    checks = parse_checks([{"kind": "shape", "colour": "red", "shape": "wave"}])
    objs = [Obj(0, "red", Look("stripe", turn), thickness, 0.5, 0.5)
            for thickness in (0.03, 0.06, 0.15) for turn in (-8.0, -5.0, -3.0, -1.0, 1.0, 3.0, 5.0, 8.0)]
    images = _render(fast, [svg_document([o], {"red": "red"}, "white", _rng(i)) for i, o in enumerate(objs)])
    assert not any(evaluate(checks, Picture(im), "", "svg")[0].passed for im in images)


def test_the_layout_keeps_a_touching_pair_in_contact_and_an_inner_object_inside():
    for seed in range(20):
        d = draw("Draw a red circle touching a blue square on a white background, as an SVG image. No text.",
                 seed)
        assert distance(d.objects[0].outline(), d.objects[1].outline()) == 0.0
        d = draw("Draw a small red triangle inside a blue ring in the centre on a white background, "
                 "as an SVG image. No text.", seed)
        ring = next(o for o in d.objects if o.look.kind == "ring")
        inner = next(o for o in d.objects if o.look.kind == "triangle")
        hole = ring.reach / 2 * ring.look.inner
        assert (np.hypot(*(inner.outline() - [ring.x, ring.y]).T) < hole).all()
