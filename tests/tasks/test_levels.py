"""Difficulty levels of the ``shapes`` generator: the API, the hash split, growth, and honest references.

``test_every_levels_references_pass_their_checks_in_every_language`` renders, at 160 px, one train and
one eval scene of every level in all five languages, with both spellings of their colours (the
language's own names, as the prompt asks, and the palette's values): 100 renders in the real
renderers (SVG by resvg, p5.js and HTML in Chromium, Python and TikZ in the sandbox).
"""

from __future__ import annotations

import json
import statistics

import pytest

from codepaint_env.tasks import TaskError, load_suite
from codepaint_env.tasks.shapes.checks import scene_checks
from codepaint_env.tasks.shapes.levels import LEVELS, level_scenes, split_of_description
from codepaint_env.tasks.shapes.oracle import SceneRaster, truth
from codepaint_env.tasks.shapes.programs import LANGUAGES, SPELLINGS, reference_programs
from codepaint_env.tasks.shapes.scenes import build_scenes, split_of
from rewards.base import Sample
from rewards.checks import VisualChecks, parse_checks


def test_load_suite_generates_a_level_seeded_in_every_language():
    tasks = load_suite("shapes", level=1, count=4, seed=3)
    assert len(tasks) == 4 * len(LANGUAGES)
    assert all(t.level == 1 and t.split == "train" and "level-1" in t.tags and t.checks for t in tasks)
    assert [t.id for t in tasks] == [t.id for t in load_suite("shapes", level=1, count=4, seed=3)]
    assert [t.id for t in tasks] != [t.id for t in load_suite("shapes", level=1, count=4, seed=4)]
    svg = load_suite("shapes", level=1, count=4, seed=3, language="svg")
    assert [t.id for t in svg] == [t.id for t in tasks if t.language == "svg"]
    assert all(t.columns()["level"] == 1 for t in svg)


def test_a_task_id_names_its_scene_so_the_same_scene_is_the_same_task_under_any_seed():
    a = {t.prompt: t.id for s in range(6)
         for t in load_suite("shapes", level=0, count=30, seed=s, language="svg")}
    by_id: dict[str, str] = {}
    for prompt, task_id in a.items():
        assert by_id.setdefault(task_id, prompt) == prompt


def test_eval_scenes_are_never_made_for_train():
    for level in LEVELS:
        train = {s.description for seed in range(3) for s in level_scenes(level, 60, seed=seed)}
        evals = {s.description for seed in range(3) for s in level_scenes(level, 40, seed=seed, split="eval")}
        assert not train & evals
        assert all(split_of_description(d) == "train" for d in train)
        assert all(split_of_description(d) == "eval" for d in evals)
    fixed_eval = {s.description for s in build_scenes() if split_of(s) == "eval"}
    train4 = {s.description for s in level_scenes(4, 200)}
    assert not train4 & fixed_eval  # the fixed suite's eval scenes stay unseen in training too


def test_each_level_has_enough_held_out_scenes_and_says_when_it_runs_out():
    for level in LEVELS:
        assert len(level_scenes(level, 48, split="eval")) == 48
    with pytest.raises(TaskError, match=r"shapes level 0: level 0 has no more than \d+ distinct eval scenes"):
        load_suite("shapes", level=0, count=10_000, split="eval")


def test_the_mean_number_of_claims_grows_with_the_level():
    """From level 1 on, each level states more; level 0 (one object, sometimes a size bound) states
    about as much as level 1 (a count, and a fifth of its scenes are stripes, which have no size
    word): since version 4 both state the kind, the colour and "nothing else"."""
    def mean_claims(level: int) -> float:
        scenes = level_scenes(level, 80)
        return statistics.mean(sum(1 for c in scene_checks(s) if c.get("stated")) for s in scenes)

    means = [mean_claims(level) for level in LEVELS]
    assert means[1:] == sorted(means[1:]) and len(set(means[1:])) == len(means) - 1, means
    assert means[0] < means[2], means


def test_what_each_level_states():
    def stated_kinds(level: int) -> set[str]:
        return {c["kind"] for s in level_scenes(level, 40) for c in scene_checks(s) if c.get("stated")}

    assert stated_kinds(0) == {"background", "colour", "count", "shape", "size", "only"}
    assert {"shape"} <= stated_kinds(1) and "position" not in stated_kinds(1)
    assert {"position"} <= stated_kinds(2) and "relation" not in stated_kinds(2)
    assert {"relation"} <= stated_kinds(3)
    assert {"relation", "position", "symmetry"} <= stated_kinds(4)
    for level in LEVELS:  # the ground truth of every check holds for the scene it was made from
        for scene in level_scenes(level, 20):
            raster = SceneRaster(scene)
            for check in parse_checks(scene_checks(scene)):
                assert truth(check, raster).holds, (level, scene.description, check.name)


def test_bad_level_requests_say_what_to_do():
    with pytest.raises(TaskError, match="give a level too"):
        load_suite("shapes", count=5)
    with pytest.raises(TaskError, match="suite 'svg' has no levels"):
        load_suite("svg", level=0)
    with pytest.raises(TaskError, match="level must be one of 0, 1, 2, 3, 4"):
        load_suite("shapes", level=7, count=1)
    with pytest.raises(TaskError, match="asked in p5, svg, html, python, tikz, not 'p5brush'"):
        load_suite("shapes", level=0, language="p5brush")


@pytest.mark.browser
def test_every_levels_references_pass_their_checks_in_every_language(renderer):
    reward = VisualChecks()
    jobs = []
    for level in LEVELS:
        for split in ("train", "eval"):
            for scene in level_scenes(level, 1, seed=11, split=split):
                checks = json.dumps(scene_checks(scene))
                for spelling in SPELLINGS:
                    programs = reference_programs(scene, spelling)
                    jobs += [(level, split, spelling, lang, programs[lang], checks) for lang in LANGUAGES]
    assert len(jobs) == 100  # 5 levels x 2 splits x 2 spellings x 5 languages
    failures = []
    for lang in LANGUAGES:
        mine = [j for j in jobs if j[3] == lang]
        results = renderer.render_many([j[4] for j in mine], lang, size=160,
                                       renderer="fast" if lang == "svg" else "auto")
        samples = [Sample(code=j[4], language=lang, render=res, meta={"checks": j[5]})
                   for j, res in zip(mine, results, strict=True)]
        for job, res, result in zip(mine, results, reward.score(samples), strict=True):
            if result.value != 1.0:
                failures.append((*job[:4], res.error_kind, result.rationale))
    assert failures == []
