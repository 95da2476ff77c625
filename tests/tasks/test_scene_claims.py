"""Every claim of every generated scene holds of the scene itself (the oracle, no renderer).

A scene whose stated relation breaks another of its claims (two "touching" squares overlapping so
much that one no longer looks square) punishes the picture that draws exactly what was asked. The
oracle (``tasks/shapes/oracle.py``) decides each check's assertion from the scene's geometry; here
it must hold, plainly (not within a hair of its threshold), for every check of every scene.
"""

from __future__ import annotations

import pytest

from codepaint_env.tasks.shapes.checks import scene_checks
from codepaint_env.tasks.shapes.levels import LEVELS, level_scenes
from codepaint_env.tasks.shapes.oracle import SceneRaster, truth
from codepaint_env.tasks.shapes.scenes import TOUCH_OVERLAP, build_scenes
from rewards.checks.spec import parse_checks


def unmet_claims(scenes) -> list[tuple[str, str, str]]:
    out = []
    for scene in scenes:
        raster = SceneRaster(scene, grid=160)
        for check in parse_checks(scene_checks(scene)):
            found = truth(check, raster)
            if not found.holds or found.ambiguous:
                out.append((scene.description, check.name, "ambiguous" if found.holds else "broken"))
    return out


@pytest.mark.parametrize("level", LEVELS)
def test_every_claim_of_every_generated_scene_holds_of_the_scene(level):
    scenes = level_scenes(level, 160, seed=5, split="train") + level_scenes(level, 40, seed=5, split="eval")
    assert unmet_claims(scenes) == []


def test_every_claim_of_the_fixed_suite_holds():
    assert unmet_claims(build_scenes()) == []


def test_touching_objects_just_touch():
    scenes = [s for s in level_scenes(3, 400, seed=1) if s.template == "touching"]
    assert len(scenes) >= 40
    for scene in scenes:
        a, b = scene.shapes
        distance = abs(a.x - b.x)
        overlap = a.size + b.size - distance
        assert 0 < overlap <= TOUCH_OVERLAP * min(a.size, b.size) + 0.0015, (scene.description, overlap)
        # the one drawn first keeps nearly all of its width, so it still looks like what it is
        assert overlap / (2 * a.size) < 0.02
