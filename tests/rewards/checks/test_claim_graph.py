"""The claim graph (rewards.checks.graph): credit follows the scene.

* On verdicts (hypothesis, every level's checks): one more check passing never lowers the value, one
  more failing never raises it; the kinds' parts sum to the value; a guard never pays.
* On pictures (hypothesis over held-out scenes, drawn by the honest artist, which reads the prompt and
  imports nothing of the generator): making one more of the scene's objects right never lowers the
  reward, breaking one never raises it.
* The graph's shape: an object's claims wait on its kind, the page on some object, relations on both.
"""

from __future__ import annotations

import json
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rewards
from codepaint_env.render import Renderer
from codepaint_env.tasks.shapes.suite import level_tasks
from rewards.base import Sample
from rewards.checks.graph import GUARD_FACTOR, build, containers, credit, objects, roots
from rewards.checks.reward import parts_by_kind
from rewards.checks.spec import parse_checks
from rewards.testing.honest import draw, wrong_kind


@cache
def _tasks(level: int) -> tuple:
    return tuple(level_tasks(level, 12, seed=72, split="eval", languages=["svg"]))


def _checks(level: int, index: int):
    return parse_checks(list(_tasks(level)[index].checks))


@given(level=st.integers(0, 4), index=st.integers(0, 11), data=st.data())
@settings(max_examples=300, deadline=None, derandomize=True)
def test_one_more_pass_never_lowers_the_value(level, index, data):
    checks = _checks(level, index)
    verdicts = {c.name: data.draw(st.booleans(), label=c.name) for c in checks}
    base = credit(checks, verdicts)
    assert base.value is not None and 0.0 <= base.value <= 1.0
    flip = data.draw(st.sampled_from([c.name for c in checks]), label="flip")
    more = credit(checks, {**verdicts, flip: not verdicts[flip]})
    if verdicts[flip]:
        assert more.value <= base.value + 1e-12, (flip, base, more)
    else:
        assert more.value >= base.value - 1e-12, (flip, base, more)
    assert sum(parts_by_kind(checks, verdicts).values()) == pytest.approx(base.value)


def test_guards_earn_nothing_and_each_broken_one_halves():
    checks = _checks(0, 0)
    every = dict.fromkeys((c.name for c in checks), True)
    guards = [n.check.name for n in build(checks) if n.guard]
    assert {"only", "no_image"} <= {n.split(":")[0] for n in guards}
    assert credit(checks, every).value == 1.0
    assert credit(checks, {**every, **dict.fromkeys(guards, False)}).value == GUARD_FACTOR ** len(guards)
    no_claims = {name: (name in guards) for name in every}
    assert credit(checks, no_claims).value == 0.0  # every guard kept, no claim: nothing earned


def test_an_object_s_claims_wait_on_its_kind_and_the_page_on_some_object():
    checks = parse_checks([
        {"kind": "background", "colour": "navy"},
        {"kind": "colour", "colour": "red"}, {"kind": "count", "colour": "red", "count": 2},
        {"kind": "shape", "colour": "red", "shape": "star"},
        {"kind": "colour", "colour": "blue"}, {"kind": "shape", "colour": "blue", "shape": "circle"},
        {"kind": "relation", "a": "red", "relation": "above", "b": "blue"},
        {"kind": "only", "colours": ["red", "blue"]}, {"kind": "no_image"},
    ])
    assert roots(checks) == {"red": ("shape:red",), "blue": ("shape:blue",)}
    assert objects(checks) == {"red": ("shape:red", "count:red"), "blue": ("shape:blue",)}
    every = dict.fromkeys((c.name for c in checks), True)
    # discs in both colours on the right page, in the right order: only the blue circle's claims pay
    discs = credit(checks, {**every, "shape:red": False})
    assert set(discs.unpaid) == {"colour:red", "count:red", "relation:red above blue"}
    assert discs.value == pytest.approx(3 / 7)  # background, colour:blue, shape:blue of 7 claims
    # one red star where the prompt says two: the kind pays, its colour and relation wait on the count
    one = credit(checks, {**every, "count:red": False})
    assert set(one.unpaid) == {"colour:red", "relation:red above blue"}
    assert one.value == pytest.approx(4 / 7)
    # none of the scene's kinds: nothing pays, the page and the right count of red included
    blind = credit(checks, {**every, "shape:red": False, "shape:blue": False})
    assert blind.value == 0.0 and {"background", "count:red"} <= set(blind.unpaid)


def test_a_band_is_known_by_its_proportions_where_no_shape_is_stated():
    checks = parse_checks([
        {"kind": "count", "colour": "green", "count": 1}, {"kind": "aspect", "colour": "green", "max": 0.75},
        {"kind": "position", "colour": "green", "area": "left-column"},
    ])
    assert roots(checks) == {"green": ("aspect:green", "position:green left-column")}
    assert credit(checks, {"count:green": True, "aspect:green": False,
                           "position:green left-column": True}).value == 0.0
    # a green band in the wrong place is no band of this flag: nothing pays, its proportions included
    assert credit(checks, {"count:green": True, "aspect:green": True,
                           "position:green left-column": False}).value == 0.0


# ---------------------------------------------------------------------- on pictures
@pytest.fixture(scope="module")
def fast():
    r = Renderer(cache_size=0)
    yield r
    r.close()


_REWARD = rewards.make_reward("checks")


def _values(renderer: Renderer, task, svgs: list[str]) -> list[float]:
    results = renderer.render_many(svgs, "svg", size=512, renderer="fast")
    assert all(r.ok for r in results)
    samples = [Sample(code=s, language="svg", render=r, meta={"checks": json.dumps(list(task.checks))})
               for s, r in zip(svgs, results, strict=True)]
    return [r.value for r in _REWARD.score(samples)]


@given(level=st.integers(0, 4), index=st.integers(0, 11), seed=st.integers(0, 3), data=st.data())
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_one_more_object_right_never_lowers_the_reward(fast, level, index, seed, data):
    task = _tasks(level)[index]
    honest = draw(task.prompt, seed)
    groups = sorted({o.group for o in honest.objects})
    broken = data.draw(st.sets(st.sampled_from(groups)), label="broken")
    extra = data.draw(st.sampled_from(groups), label="one more broken")
    fewer, more = honest, honest
    for g in sorted(broken):
        fewer = wrong_kind(fewer, g)
    for g in sorted(broken | {extra}):
        more = wrong_kind(more, g)
    right, wrong = _values(fast, task, [fewer.svg, more.svg])
    assert wrong <= right + 1e-9, (task.prompt, sorted(broken), extra, right, wrong)
    if not broken:
        assert right == pytest.approx(1.0), task.prompt  # the honest drawing itself is paid in full


def test_a_count_of_none_is_a_guard_and_an_area_contrast_a_claim():
    checks = parse_checks([
        {"kind": "count", "colour": "blue", "count": 0},
        {"kind": "shape", "colour": "red", "shape": "circle"},
        {"kind": "contrast", "a": "top-left", "b": "background", "min": 1.05},
    ])
    assert roots(checks) == {"red": ("shape:red",)}
    nodes = {n.check.kind: n for n in build(checks)}
    assert nodes["count"].guard and not nodes["contrast"].guard
    # no blue, no red circle: the absence of blue earns nothing; the area contrast waits on an object
    assert credit(checks, {"count:blue": True, "shape:red": False, "contrast:top-left/background": True}
                  ).value == 0.0
    assert credit(checks, {"count:blue": False, "shape:red": True, "contrast:top-left/background": True}
                  ).value == GUARD_FACTOR


def test_an_object_no_claim_names_the_kind_of_is_known_by_all_its_claims_together():
    # Brazil's yellow: one region, in the centre; a yellow stripe anywhere earned the count alone
    checks = parse_checks([
        {"kind": "count", "colour": "yellow", "count": 1},
        {"kind": "position", "colour": "yellow", "area": "centre"},
        {"kind": "background", "colour": "green"},
    ])
    assert roots(checks) == {"yellow": ("count:yellow", "position:yellow centre")}
    assert credit(checks, {"count:yellow": True, "position:yellow centre": False, "background": True}
                  ).value == 0.0
    assert credit(checks, dict.fromkeys(("count:yellow", "position:yellow centre", "background"), True)
                  ).value == 1.0


def test_an_object_inside_another_is_found_only_with_its_container():
    # Argentina: the sun (yellow, in the centre) inside the white band; a yellow disc in the middle of
    # a white page was paid the sun's claims without the band it sits on (the fact-blind template)
    checks = parse_checks([
        {"kind": "count", "colour": "white", "count": 1},
        {"kind": "position", "colour": "white", "area": "middle-row"},
        {"kind": "count", "colour": "yellow", "count": 1},
        {"kind": "position", "colour": "yellow", "area": "centre"},
        {"kind": "relation", "a": "yellow", "relation": "inside", "b": "white"},
    ])
    band = ("count:white", "position:white middle-row")
    sun = ("count:yellow", "position:yellow centre")
    assert containers(checks) == {"yellow": ("white",)}
    nodes = {n.check.name: n for n in build(checks)}
    assert all(set(band) <= set(nodes[name].needs_all) for name in sun)
    no_band = {**dict.fromkeys(sun, True), **dict.fromkeys(band, False),
               "relation:yellow inside white": False}
    assert credit(checks, no_band).value == 0.0 and set(credit(checks, no_band).unpaid) == set(sun)
    # the band alone still pays its own claims; both drawn is the whole scene
    assert credit(checks, {**no_band, **dict.fromkeys(band, True)}).value == pytest.approx(2 / 5 + 2 / 5)
    assert credit(checks, dict.fromkeys(nodes, True)).value == 1.0


def test_containment_follows_nested_containers_and_survives_a_cycle():
    checks = parse_checks([
        {"kind": "shape", "colour": "red", "shape": "circle"},
        {"kind": "shape", "colour": "blue", "shape": "square"},
        {"kind": "shape", "colour": "green", "shape": "square"},
        {"kind": "relation", "a": "red", "relation": "inside", "b": "blue"},
        {"kind": "relation", "a": "blue", "relation": "inside", "b": "green"},
        {"kind": "relation", "a": "green", "relation": "inside", "b": "red"},  # impossible; must not loop
    ])
    assert containers(checks) == {"red": ("blue", "green"), "blue": ("green", "red"),
                                  "green": ("red", "blue")}
