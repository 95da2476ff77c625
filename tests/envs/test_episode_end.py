"""Stepping an episode that ended is Gymnasium's usage error (``ResetNeeded``), not another turn."""

from __future__ import annotations

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import codepaint_env  # noqa: F401  (registers the ids)
from codepaint_env.envs.env import step_batch

pytestmark = pytest.mark.browser

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">'
       '<rect width="32" height="32" fill="#eee"/><circle cx="16" cy="16" r="9" fill="teal"/></svg>')


def test_step_after_the_last_turn_raises_reset_needed_and_renders_nothing(renderer, monkeypatch):
    submitted: list[str] = []
    submit = renderer.submit
    monkeypatch.setattr(renderer, "submit",
                        lambda code, *a, **k: submitted.append(code) or submit(code, *a, **k))
    env = gym.make("CodePaint/SVG-v4", size=32, renderer=renderer, max_turns=1, reward="execution_gate")
    env.reset(seed=0)
    _, value, terminated, _, info = env.step(SVG)
    assert terminated and value == 1.0 and info["turn"] == 1
    with pytest.raises(gym.error.ResetNeeded, match=r"ended .*turn 1 of 1.*reset\(\)"):
        env.step(SVG)
    assert len(submitted) == 1  # the refused step rendered nothing
    obs, _ = env.reset(seed=1)  # a new episode steps again, from turn 0
    assert obs["turn"] == 0
    _, _, terminated, _, info = env.step(SVG)
    assert terminated and info["turn"] == 1
    env.close()


def test_step_batch_refuses_before_any_render_when_one_env_ended(renderer):
    envs = [gym.make("CodePaint/SVG-v4", size=32, renderer=renderer, max_turns=n,
                     reward="execution_gate").unwrapped for n in (2, 1)]
    for env in envs:
        env.reset(seed=0)
    step_batch(envs, [SVG, SVG])  # the second env's episode ends here
    with pytest.raises(gym.error.ResetNeeded):
        step_batch(envs, [SVG, SVG])
    assert envs[0]._turn == 1  # the refused batch started no turn in the env still running


def test_check_env_still_passes_with_one_turn_episodes(renderer):
    env = gym.make("CodePaint/SVG-v4", size=32, renderer=renderer, max_turns=1)
    check_env(env.unwrapped, skip_render_check=True)
    env.close()
