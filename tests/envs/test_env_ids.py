"""One id rule for every door (gym.make's), and an environment that keeps its language."""

from __future__ import annotations

import gymnasium as gym
import pytest
from gymnasium import error as gym_error
from gymnasium.envs.registration import _find_spec  # gym.make's own id lookup

import codepaint_env  # noqa: F401  (registers the ids)
from codepaint_env.core.errors import DeprecatedEnvironment, UnknownEnvironment
from codepaint_env.registration import env_ids, env_language, resolve_env_id
from codepaint_env.tasks import TaskError, load_suite, tasks_to_rows

pytestmark = [pytest.mark.filterwarnings("ignore:.*latest versioned environment"),
              pytest.mark.filterwarnings("ignore:.*is out of date")]

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" '
       'fill="#1a237e"/><circle cx="32" cy="32" r="14" fill="#fb8c00"/></svg>')


@pytest.mark.parametrize("asked", ["CodePaint/SVG", "CodePaint/P5Brush", "CodePaint/TikZ"])
def test_an_id_resolves_to_what_gym_make_resolves(asked):
    assert resolve_env_id(asked) == _find_spec(asked).id
    assert env_language(asked) == env_ids()[_find_spec(asked).id]


@pytest.mark.parametrize(("asked", "ours", "theirs"), [
    ("CodePaint/SVG-v2", DeprecatedEnvironment, gym_error.DeprecatedEnv),
    ("CodePaint/SVG-v3", DeprecatedEnvironment, gym_error.DeprecatedEnv),  # the checks' version 5 (issue 72)
    ("CodePaint/SVG-v9", UnknownEnvironment, gym_error.VersionNotFound),
    ("CodePaint/Nope-v0", UnknownEnvironment, gym_error.NameNotFound),
    ("CodePaint/Nope", UnknownEnvironment, gym_error.Error),
])
def test_an_id_gym_make_refuses_is_refused_with_the_id_to_use(asked, ours, theirs):
    with pytest.raises(theirs):
        _find_spec(asked)
    with pytest.raises(ours) as refused:
        resolve_env_id(asked)
    assert isinstance(refused.value, ValueError)
    if ours is DeprecatedEnvironment or "SVG" in asked:
        assert "use 'CodePaint/SVG-v4'" in str(refused.value)
    else:
        assert "known: CodePaint/HTML-v4, " in str(refused.value)


def test_trls_door_takes_what_gym_make_takes():
    from codepaint_env.integrations.trl import CodePaintToolEnv

    assert CodePaintToolEnv("CodePaint/SVG", reward="execution_gate").language == "svg"
    with pytest.raises(DeprecatedEnvironment, match="use 'CodePaint/SVG-v4' instead"):
        CodePaintToolEnv("CodePaint/SVG-v2")


def test_trls_door_refuses_a_row_of_another_language_with_the_fix():
    from codepaint_env.integrations.trl import CodePaintToolEnv

    env = CodePaintToolEnv("CodePaint/SVG", reward="execution_gate")
    row = tasks_to_rows(load_suite("shapes", language="python")[:1])[0]  # its prompt is already in the chat
    with pytest.raises(ValueError) as refused:
        env.reset(**row)
    said = str(refused.value)
    assert "give rows in svg (tasks_to_rows(load_suite(..., language='svg')))" in said
    assert "make the environment for python (CodePaintToolEnv('CodePaint/Python-v4'))" in said


def test_a_task_of_another_language_is_the_same_scene_in_the_envs(renderer):
    python_task = load_suite("shapes", language="python")[0]
    env = gym.make("CodePaint/SVG", reward="execution_gate", size=64, renderer=renderer)
    _, info = env.reset(options={"task": python_task})
    task = env.unwrapped.episode.task
    assert info["task_id"] == task.id == "shapes-0001-svg" and task.language == "svg"
    assert task.prompt.endswith("as an SVG image. No text.") and "Python" not in task.prompt
    assert task.checks == python_task.checks and "svg" in task.reference_programs
    _, reward, *_ = env.step(SVG)  # an SVG reply is an SVG program, not a Python syntax error
    assert reward == 1.0
    _, info = env.reset(options={"task": python_task.to_row()})  # a row of another language too
    assert info["task_id"] == "shapes-0001-svg"


def test_a_task_no_suite_asks_in_the_envs_language_is_refused_with_the_fix(renderer):
    env = gym.make("CodePaint/SVG", reward="execution_gate", renderer=renderer)
    with pytest.raises(TaskError) as refused:
        env.reset(options={"task": load_suite("watercolour")[0]})
    said = str(refused.value)
    assert "keeps svg" in said and "load_suite(..., language='svg')" in said
    assert "make the environment for p5brush (CodePaint/P5Brush-v0)" in said


def test_the_vector_env_keeps_its_language_too(renderer):
    envs = gym.make_vec("CodePaint/SVG", num_envs=2, vectorization_mode="vector_entry_point",
                        reward="execution_gate", renderer=renderer)
    try:
        envs.reset(options={"task": load_suite("knowledge", language="tikz")[0]})
        assert {e.episode.task.language for e in envs.unwrapped.envs} == {"svg"}
        assert {e.episode.task.id for e in envs.unwrapped.envs} == {"knowledge-flag-france-svg"}
    finally:
        envs.close()
