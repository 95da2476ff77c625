"""An environment on the ``shapes`` suite: its tasks' checks reach ``visual_checks``, its default reward."""

from __future__ import annotations

import gymnasium as gym
import pytest

import codepaint_env  # noqa: F401  (registers the CodePaint/* ids)
from codepaint_env.envs.env import CodePaintEnv
from codepaint_env.envs.vector import CodePaintVectorEnv
from codepaint_env.tasks import load_suite
from rewards.checks import VisualChecks
from rewards.classic import ClassicReward
from rewards.default import DefaultReward
from rewards.gate import ExecutionGate
from rewards.spec import CHECKS_REWARD, PLAIN_REWARD

pytestmark = pytest.mark.browser

TASKS = load_suite("shapes", split="eval", language="svg")


def test_reset_with_a_shapes_task_and_step_its_reference(renderer):
    env = gym.make("CodePaint/SVG-v4", tasks=TASKS, reward="visual_checks", renderer=renderer, size=160)
    task, other = TASKS[0], next(t for t in TASKS if t.tags[1] != TASKS[0].tags[1])
    obs, info = env.reset(options={"task": task})
    assert info["task_id"] == task.id and obs["prompt"] == task.prompt
    _, reward, terminated, _, info = env.step(task.reference_programs["svg"])
    assert reward == 1.0 and terminated and info["judged"]
    assert info["reward"]["rationale"] == f"all {len(task.checks)} checks passed"
    env.reset(options={"task": task.id})  # by id too
    obs, reward, _, _, info = env.step(other.reference_programs["svg"])  # another task's picture
    assert 0.0 <= reward < 0.7 and "Expected" in info["reward"]["rationale"]
    assert "Expected" in obs["feedback"]  # the policy reads the failed checks
    env.close()


def test_the_default_reward_is_the_one_default_of_every_door():
    env = CodePaintEnv("svg", tasks="shapes", split="eval")
    components = {type(reward) for _, reward, _ in env.reward_fn.components}
    assert components == {ExecutionGate, VisualChecks}
    assert env.reward_spec == CHECKS_REWARD == "gate:0.3,checks:0.7"
    assert [w for _, _, w in env.reward_fn.components] == [0.3, 0.7]
    plain = CodePaintEnv("svg", tasks="svg")  # no checks
    assert plain.reward_spec == PLAIN_REWARD == "gate:0.3,classic:0.7"
    assert {type(r) for _, r, _ in plain.reward_fn.components} == {ExecutionGate, ClassicReward}
    mixed = CodePaintEnv("svg")  # every SVG task: some with checks, some without
    assert mixed.reward_spec == "default" and isinstance(mixed.reward_fn, DefaultReward)
    assert isinstance(CodePaintEnv("svg", tasks="shapes", reward="checks").reward_fn, VisualChecks)
    vector = CodePaintVectorEnv(2, language="svg", tasks="shapes")
    assert {type(r) for _, r, _ in vector.envs[0].reward_fn.components} == {ExecutionGate, VisualChecks}
    assert vector.envs[0].reward_fn is vector.envs[1].reward_fn
    assert vector.envs[0].reward_spec == CHECKS_REWARD
    vector.close()
