"""The ``shapes`` suite: generated from a seed, valid tasks, and references that pass their own checks.

What the reference test covers (``test_reference_programs_pass_their_checks_in_the_renderer``): in
the real renderers at 160 px, every scene (120) in SVG (resvg, ``renderer="fast"``), every eval
scene (24) as an HTML page (Chromium), and one scene of each template (seven, eval ones first) in
p5.js (Chromium), Python and TikZ (the sandbox): 120 + 24 + 3 x 7 renders.
``test_every_python_reference_passes_its_checks_at_two_sizes`` runs every scene's Python (Pillow)
program here, at 160 px (the eval scenes at 512 px too). ``benchmarks/validity/shapes_validity.py``
renders all 600 references.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from codepaint_env.tasks import Task, TaskError, load_suite, load_tasks, tasks_to_rows
from codepaint_env.tasks.shapes import build_scenes, suite_text
from codepaint_env.tasks.shapes.checks import scene_checks
from codepaint_env.tasks.shapes.mutations import MUTATIONS
from codepaint_env.tasks.shapes.oracle import SceneRaster, truth
from codepaint_env.tasks.shapes.suite import SUITE_LANGUAGES as LANGUAGES
from codepaint_env.tasks.shapes.suite import default_path, split_of
from rewards.base import Sample
from rewards.checks import VisualChecks, parse_checks
from support.shapes_pictures import run_python_reference

SHAPES = load_suite("shapes")


def by_scene(tasks: list[Task]) -> dict[str, list[Task]]:
    scenes: dict[str, list[Task]] = {}
    for t in tasks:
        scenes.setdefault(t.id.rsplit("-", 1)[0], []).append(t)
    return scenes


def test_the_shipped_file_is_the_generators_output():
    assert default_path().read_text(encoding="utf-8") == suite_text()


def test_splits_languages_ids_and_prompts():
    train, evals = load_suite("shapes", split="train"), load_suite("shapes", split="eval")
    assert len(train) >= 300 and len(evals) >= 100 and len(train) + len(evals) == len(SHAPES)
    assert {t.language for t in SHAPES} == set(LANGUAGES)
    scenes = by_scene(SHAPES)
    for name, tasks in scenes.items():
        assert [t.id for t in tasks] == [f"{name}-{lang}" for lang in LANGUAGES]
        assert len({t.split for t in tasks}) == 1  # split by scene: an eval scene is eval in every language
        assert len({json.dumps(t.checks) for t in tasks}) == 1
        assert all(t.reference_programs == tasks[0].reference_programs for t in tasks)
        assert sorted(tasks[0].reference_programs) == sorted(LANGUAGES)
    assert len({t.prompt for t in SHAPES}) == len(SHAPES)
    svg = next(t for t in SHAPES if t.language == "svg")
    assert svg.prompt.startswith("Draw ") and svg.prompt.endswith(", as an SVG image. No text.")
    assert all(t.allow_text is False and t.suite == "shapes" and t.subject == "shapes" for t in SHAPES)
    templates = Counter(t.tags[1] for t in SHAPES if t.language == "svg")
    assert set(templates) == {"group", "pair", "band", "nested", "touching", "symmetric", "stripes"}


def test_generation_is_deterministic_and_seeded():
    a = [s.description for s in build_scenes(seed=3, n=15)]
    assert a == [s.description for s in build_scenes(seed=3, n=15)]
    assert a != [s.description for s in build_scenes(seed=4, n=15)]


def test_checks_reach_the_reward_as_a_column():
    task = SHAPES[0]
    columns = task.columns()
    assert json.loads(columns["checks"]) == [dict(c) for c in task.checks]
    assert tasks_to_rows([task])[0]["checks"] == columns["checks"]
    assert Task(id="t", prompt="p", language="svg").columns()["checks"] is None
    # a task rebuilt from its columns (what the TRL environment adapter does) keeps its checks
    again = Task.from_row({"id": task.id, "prompt": task.prompt, "language": task.language,
                           "checks": columns["checks"]})
    assert again.checks == task.checks


def test_task_rows_with_bad_checks_or_programs_name_the_line_and_field(tmp_path):
    good = {"id": "t1", "prompt": "Draw a red circle.", "language": "svg"}
    path = tmp_path / "t.jsonl"
    rows = [good, {**good, "id": "t2", "checks": [{"kind": "count", "colour": "red", "count": 1},
                                                   {"kind": "count", "colour": "red", "count": -2}]}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(TaskError) as e:
        load_tasks(path)
    assert "t.jsonl line 2" in str(e.value) and '"checks": check 2 (count): field \'count\'' in str(e.value)
    with pytest.raises(TaskError, match=r'"checks": check 1: unknown kind \'blob\'; known kinds: background'):
        Task.from_row({**good, "checks": [{"kind": "blob"}]})
    with pytest.raises(TaskError, match='"checks" must be a list of check objects'):
        Task.from_row({**good, "checks": {"kind": "count"}})
    with pytest.raises(TaskError, match='"reference_programs" must be an object of non-empty programs'):
        Task.from_row({**good, "reference_programs": {"cobol": "DISPLAY 'HI'."}})
    task = Task.from_row({**good, "checks": [{"kind": "no_image"}], "reference_programs": {"svg": "<svg/>"}})
    assert load_tasks_round_trip(tmp_path, task) == task
    assert hash(task) == hash(Task.from_row({**good, "checks": [{"kind": "no_image"}]}))  # still hashable


def load_tasks_round_trip(tmp_path, task: Task) -> Task:
    path = tmp_path / "round.jsonl"
    path.write_text(json.dumps(task.to_row()) + "\n", encoding="utf-8")
    [back] = load_tasks(path)
    return back


def test_the_ground_truth_holds_for_every_scene_and_mutations_break_some_of_it():
    broken = Counter()
    for scene in build_scenes():
        checks = parse_checks(scene_checks(scene))
        raster = SceneRaster(scene)
        verdicts = [truth(c, raster) for c in checks]
        assert all(v.holds and not v.ambiguous for v in verdicts), (scene.description, checks, verdicts)
        if split_of(scene) == "eval":
            for name, mutation in MUTATIONS.items():
                mutant = mutation(scene, random.Random(f"{scene.index}-{name}"))
                if mutant is not None:
                    mutated = SceneRaster(mutant)
                    broken[name] += any(not truth(c, mutated).holds for c in checks)
    # each mutation breaks something in many of the 24 eval scenes (a move only where a position or a
    # relation is asked, a mirror only where left and right are)
    assert all(broken[name] >= 15 for name in MUTATIONS if name not in ("move", "mirror")), broken
    assert broken["move"] >= 5 and broken["mirror"] >= 2, broken


def test_every_python_reference_passes_its_checks_at_two_sizes():
    """Every scene's Python program (Pillow, run here) passes every check at 160 px (eval ones at 512 too)."""
    reward = VisualChecks()
    for tasks in by_scene(SHAPES).values():
        task = tasks[0]
        for size in (160, 512) if task.split == "eval" else (160,):
            image = run_python_reference(task.reference_programs["python"], size)
            sample = Sample.from_image(image, language="python", code=task.reference_programs["python"],
                                       checks=list(task.checks))
            result = reward.score([sample])[0]
            assert result.value == 1.0, (task.id, size, result.rationale)


@pytest.mark.browser
def test_reference_programs_pass_their_checks_in_the_renderer(renderer):
    scenes = by_scene(SHAPES)
    evals = [tasks for tasks in scenes.values() if tasks[0].split == "eval"]
    one_per_template: dict[str, list[Task]] = {}
    for tasks in sorted(scenes.values(), key=lambda ts: ts[0].split != "eval"):
        one_per_template.setdefault(tasks[0].tags[1], tasks)
    jobs = [(tasks[0], "svg") for tasks in scenes.values()] + [(tasks[0], "html") for tasks in evals]
    jobs += [(tasks[0], lang) for tasks in one_per_template.values() for lang in ("p5", "python", "tikz")]
    assert len(jobs) == 120 + 24 + 3 * 7
    reward = VisualChecks()
    failures = []
    for lang in ("svg", "html", "p5", "python", "tikz"):
        mine = [task for task, language in jobs if language == lang]
        results = renderer.render_many([t.reference_programs[lang] for t in mine], lang, size=160,
                                       renderer="fast" if lang == "svg" else "auto")
        samples = [Sample(code=t.reference_programs[lang], language=lang, render=res,
                          meta={"checks": t.columns()["checks"]})
                   for t, res in zip(mine, results, strict=True)]
        for task, res, result in zip(mine, results, reward.score(samples), strict=True):
            if result.value != 1.0:
                failures.append((task.id, lang, res.error_kind, result.rationale))
    assert failures == []
