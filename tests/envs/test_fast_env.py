"""The Gymnasium environment on a `StubDispatch`: episodes, rewards and feedback without a browser."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from codepaint_env.envs.env import CodePaintEnv
from codepaint_env.render import Renderer
from codepaint_env.tasks import Task
from codepaint_env.testing import StubDispatch, UnstubbedProgram
from support.stubbed import BLANK_SVG, BROKEN_SVG, GOOD_SVG, OTHER_SVG, drawing, stub_dispatch

TASK = Task(id="circle-and-square", prompt="a teal circle and an orange square on cream", language="svg")


def svg_env(**kwargs) -> CodePaintEnv:
    kwargs.setdefault("renderer", stub_dispatch())
    return CodePaintEnv("svg", tasks=[TASK], size=64, reward=kwargs.pop("reward", "execution_gate"), **kwargs)


def test_gym_make_takes_the_stub_and_check_env_passes():
    stub = StubDispatch({GOOD_SVG: drawing()}, default="syntax")  # check_env's random programs: syntax
    env = gym.make("CodePaint/SVG-v4", size=48, renderer=Renderer(dispatch=stub), reward="execution_gate")
    check_env(env.unwrapped, skip_render_check=True)
    assert stub.jobs  # it rendered through the stub, nothing else
    env.close()


def test_a_single_turn_episode_pays_the_gate_and_shows_the_picture():
    env = svg_env()
    obs, info = env.reset(seed=0)
    assert info["task_id"] == TASK.id and obs["prompt"] == TASK.prompt and obs["image"].max() == 0
    obs, reward, terminated, truncated, info = env.step(f"Here it is:\n```svg\n{GOOD_SVG}\n```")
    assert (reward, terminated, truncated) == (1.0, True, False)
    assert obs["code"] == GOOD_SVG and info["render"]["ok"] and info["judged"]
    assert obs["image"].shape == (64, 64, 3)
    assert np.array_equal(obs["image"], np.asarray(drawing()))  # the canned picture, as rendered
    assert obs["feedback"].startswith("Turn 1 of 1. The program rendered.")


@pytest.mark.parametrize(("program", "kind"), [(BROKEN_SVG, "syntax"), (BLANK_SVG, "blank"), ("", "empty")])
def test_programs_that_draw_nothing_get_the_gate_minimum_with_their_error_kind(program, kind):
    env = svg_env()
    env.reset(seed=0)
    obs, reward, terminated, _, info = env.step(program)
    assert reward == -1.0 and terminated and info["judged"]
    assert info["render"]["error_kind"] == kind and f"failed to render ({kind})" in obs["feedback"]


def test_refinement_turns_measure_change_and_end_on_the_budget():
    env = svg_env(max_turns=3, reward_mode="improvement", no_change_penalty=0.25)
    env.reset(seed=0)
    _, r1, t1, _, i1 = env.step(GOOD_SVG)
    assert r1 == 1.0 and not t1 and i1["visible_change"] is None
    _, r2, t2, _, i2 = env.step(GOOD_SVG)
    assert i2["no_change"] and r2 == pytest.approx(-0.25) and not t2
    obs, r3, t3, _, i3 = env.step(OTHER_SVG)
    assert not i3["no_change"] and i3["visible_change"]["pixel_fraction"] > 0.01 and r3 == 0.0
    assert t3 and obs["turn"] == 3


def test_an_infra_render_is_unjudged_never_a_score():
    env = svg_env(renderer=Renderer(dispatch=StubDispatch({GOOD_SVG: "infra"})), unjudged_reward=0.5)
    env.reset(seed=0)
    _, reward, _, _, info = env.step(GOOD_SVG)
    assert reward == 0.5 and not info["judged"] and info["reward"]["value"] is None
    assert info["render"]["error_kind"] == "infra"


def test_the_default_reward_of_plain_tasks_scores_the_picture_against_the_pool():
    env = svg_env(reward=None)
    assert env.reward_spec == "gate:0.3,classic:0.7"
    env.reset(seed=0)
    _, good, *_ = env.step(GOOD_SVG)
    env.reset(seed=0)
    _, broken, *_ = env.step(BROKEN_SVG)
    assert -0.3 < good <= 1.0 and broken == pytest.approx(-0.3)


def test_a_program_the_test_did_not_plan_fails_the_step_loudly():
    env = svg_env()
    env.reset(seed=0)
    with pytest.raises(UnstubbedProgram, match="no answer"):
        env.step("<svg>something unplanned</svg>")


def test_a_sync_vector_env_renders_every_copy_through_the_one_stub():
    stub = stub_dispatch()
    envs = gym.vector.SyncVectorEnv([lambda: svg_env(renderer=stub)] * 2)
    envs.reset(seed=0)
    _, rewards, terminated, _, _ = envs.step([GOOD_SVG, BROKEN_SVG])
    assert rewards.tolist() == [1.0, -1.0] and terminated.all()
    assert stub.transport.programs == [GOOD_SVG, BROKEN_SVG]
    envs.close()
