"""A task in another language: the same scene where its suite asks it there, else refused with the fix."""

from __future__ import annotations

import dataclasses

import pytest

from codepaint_env.tasks import TaskError, all_tasks, load_suite
from codepaint_env.tasks.retarget import in_language, retargeted
from codepaint_env.tasks.shapes.suite import SUITE_LANGUAGES


def test_every_scene_of_the_multi_language_suites_is_its_sibling_in_each_language():
    tasks = [t for t in all_tasks() if t.suite in ("shapes", "knowledge")]
    by_id = {t.id: t for t in tasks}
    assert len(tasks) == 600 + 765  # every scene of both suites (knowledge version 4: 153 facts x 5)
    for task in tasks:
        stem = task.id[: -len(task.language) - 1]
        for language in SUITE_LANGUAGES:
            assert in_language(task, language) == by_id[f"{stem}-{language}"], (task.id, language)


def test_a_generated_level_task_gets_the_generators_prompt_for_the_language():
    tasks = load_suite("shapes", level=3, count=4)  # not in the shipped file: re-worded, not looked up
    by_id = {t.id: t for t in tasks}
    for task in tasks:
        stem = task.id[: -len(task.language) - 1]
        for language in SUITE_LANGUAGES:
            assert retargeted(task, language) == by_id[f"{stem}-{language}"], (task.id, language)


def test_the_rest_of_the_task_is_kept():
    task = dataclasses.replace(load_suite("shapes", language="python")[3], size=(96, 64), split="eval")
    svg = in_language(task, "svg")
    assert (svg.size, svg.split, svg.checks, svg.reference_programs) == (
        task.size, task.split, task.checks, task.reference_programs)
    assert in_language(svg, "svg") is svg


@pytest.mark.parametrize(("task", "language", "why"), [
    (load_suite("svg")[0], "python", "its suite 'svg' (one language per task)"),
    (load_suite("watercolour")[0], "svg", "its suite 'watercolour' (one language per task)"),
    (load_suite("shapes", language="svg")[0], "p5brush", "its suite 'shapes' cannot"),  # no writer for it
    (dataclasses.replace(load_suite("knowledge", language="svg")[0], prompt="Draw the French flag."),
     "tikz", "its suite 'knowledge' cannot"),  # the user's own words: not the suite's to re-word
])
def test_a_scene_the_suite_cannot_ask_there_is_refused_with_the_fix(task, language, why):
    assert retargeted(task, language) is None
    with pytest.raises(TaskError) as refused:
        in_language(task, language, env_id=f"CodePaint/{language}")
    said = str(refused.value)
    assert isinstance(refused.value, ValueError) and why in said
    assert f"this environment (CodePaint/{language}) keeps {language}" in said
    assert f"give a task in {language} (load_suite(..., language={language!r}))" in said
    assert f"make the environment for {task.language} (CodePaint/" in said
