"""The prompt is the contract: every word a prompt states about its scene is one stated check,
and nothing it does not state is demanded beyond sanity (docs/visual-checks.md).

The stated attributes are read here from each generated :class:`Scene` (its shapes, its background)
and from its description's words, with this test's own phrase table (not the generator's): the
background; each colour, its count and its kind (a stripe is horizontal: the ``shape`` rule holds it
within 17.5° of the axes); a size word and the bound the prompt says with it; a named area; a
relation; mirror symmetry; and "nothing else". The suite's stated checks must be exactly those, one
per attribute; the other checks only the sanity kinds (not cut, contrast, no embedded image).
Over 1,000 scenes a level, levels 0-4, and the fixed 120-scene suite.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from codepaint_env.tasks.shapes.checks import scene_checks
from codepaint_env.tasks.shapes.levels import LEVELS, level_scene, level_scenes
from codepaint_env.tasks.shapes.scenes import Scene, build_scenes

#: The sanity kinds: what any honest picture satisfies whatever its prompt says.
SANITY = {"not_cut", "contrast", "no_image"}
#: Phrases naming an area, and the area a ``position`` check must then name (this test's own table).
AREA_PHRASES = {
    "in the top-left corner": "top-left", "in the top-right corner": "top-right",
    "in the bottom-left corner": "bottom-left", "in the bottom-right corner": "bottom-right",
    "in the centre": "centre", "in a row along the top": "top-row",
    "in a row across the middle": "middle-row", "in a row along the bottom": "bottom-row",
    "in a column down the left side": "left-column", "in a column down the right side": "right-column",
    "in the top half": "top-half", "in the bottom half": "bottom-half", "on the left half": "left-half",
    "on the right half": "right-half",
}
ROW_PHRASES = {"along the top": ("top", "top-row"), "across the middle": ("centre", "middle-row"),
               "along the bottom": ("bottom", "bottom-row")}
RELATION_PHRASES = {"above": "above", "below": "below", "to the left of": "left_of",
                    "to the right of": "right_of", "touching": "touching", "inside": "inside"}
SIZE_PHRASES = {"small": ("at most a fifth of the canvas across", "max_extent", 0.2),
                "large": ("at least half the canvas across", "min_extent", 0.5)}


def key(check: dict) -> tuple:
    """What a stated check asserts, without its weights and thresholds."""
    kind = check["kind"]
    if kind in ("colour", "count", "shape", "size", "position"):
        extra = {"count": check.get("count"), "shape": check.get("shape"), "position": check.get("area")}
        bound = next(((k, check[k]) for k in ("max_extent", "min_extent") if k in check), None)
        return (kind, check["colour"], extra.get(kind) if kind != "size" else bound)
    if kind == "relation":
        return (kind, check["a"], check["relation"], check["b"])
    if kind == "only":
        return (kind, tuple(sorted(check["colours"])), check.get("background"))
    if kind == "background":
        return (kind, check["colour"])
    return (kind,)


def stated_attributes(scene: Scene) -> Counter:
    """The attributes the scene's words state, each as the key of the check that must hold it."""
    text = scene.description
    groups: dict[str, list[str]] = {}
    for shape in scene.shapes:
        groups.setdefault(shape.colour, []).append(shape.kind)
    want: Counter = Counter({("background", scene.background): 1})
    for colour, kinds in groups.items():
        assert len(set(kinds)) == 1, f"{text}: one colour, one kind"
        want[("colour", colour, None)] += 1
        want[("count", colour, len(kinds))] += 1
        want[("shape", colour, kinds[0])] += 1
        if kinds[0] == "stripe":
            assert "horizontal" in text, f"{text}: a stripe is said to be horizontal"
    want[("only", tuple(sorted(groups)), scene.background)] += 1
    colours = list(groups)
    for word, (bound_words, field, bound) in SIZE_PHRASES.items():
        for colour in colours:
            if re.search(rf"\b{word} {colour}\b", text) and " inside " not in text:
                assert bound_words in text, f"{text}: the size word says its bound"
                want[("size", colour, (field, bound))] += 1
    for phrase, area in AREA_PHRASES.items():
        if phrase in text:
            # the area is the group's (one colour), or the container's in "x inside y <area>"
            colour = colours[0] if " inside " not in text else scene.shapes[0].colour
            want[("position", colour, area)] += 1
    if "mirror-symmetric" in text:
        want[("symmetry",)] += 1
        middle, sides = scene.shapes[1].colour, scene.shapes[0].colour
        cell, row = next(v for k, v in ROW_PHRASES.items() if f"row {k}" in text)
        want[("position", middle, cell)] += 1
        want[("position", sides, row)] += 1
    for phrase, relation in RELATION_PHRASES.items():
        if f" {phrase} " in text:
            a, b = _related(scene, relation)
            want[("relation", a, relation, b)] += 1
    return want


def _related(scene: Scene, relation: str) -> tuple[str, str]:
    """The two colours a relation names: the subject is the first colour the words name."""
    words = scene.description
    order = sorted({s.colour for s in scene.shapes}, key=lambda c: words.index(f" {c} "))
    return order[0], order[1]


def contract_breaches(scenes: list[Scene], checks_of=scene_checks) -> list[str]:
    out = []
    for scene in scenes:
        checks = checks_of(scene)
        stated = Counter(key(c) for c in checks if c.get("stated"))
        want = stated_attributes(scene)
        if stated != want:
            missing, extra = want - stated, stated - want
            out.append(f"{scene.description}: missing {sorted(missing, key=str)}, "
                       f"unstated {sorted(extra, key=str)}")
        hidden = [c["kind"] for c in checks if not c.get("stated") and c["kind"] not in SANITY]
        if hidden:
            out.append(f"{scene.description}: demands {hidden} the prompt does not state")
        if any(c.get("stated") and c.get("weight") != 2 for c in checks):
            out.append(f"{scene.description}: a stated check weighs other than 2")
    return out


@pytest.mark.parametrize("level", LEVELS)
def test_every_stated_word_is_one_check_and_nothing_else_is_demanded(level):
    rng = random.Random(f"prompt-contract-{level}")  # both splits; level 0 has ~500 distinct prompts
    scenes = [level_scene(rng, level, i) for i in range(1000)]
    assert contract_breaches(scenes) == []


def test_the_fixed_suite_keeps_the_contract():
    assert contract_breaches(build_scenes()) == []


def test_a_missing_stated_check_or_a_hidden_rule_is_a_breach():
    """The test can fail: a scene whose checks lack its kind (as level 0's did until version 4), or
    carry a rule the prompt does not state (the hidden coverage range)."""
    scene = level_scenes(0, 1, seed=3)[0]
    assert contract_breaches([scene]) == []
    no_kind = contract_breaches([scene], lambda s: [c for c in scene_checks(s) if c["kind"] != "shape"])
    hidden = contract_breaches([scene], lambda s: [*scene_checks(s), {"kind": "coverage", "max": 0.1}])
    assert len(no_kind) == 1 and "missing [('shape'" in no_kind[0]
    assert len(hidden) == 1 and "demands ['coverage']" in hidden[0]
