"""Small truths of a step: feedback after a failed render, the code limit, bytes as an action."""

from __future__ import annotations

import pytest

from codepaint_env.envs.env import CodePaintEnv

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    '<rect width="64" height="64" fill="#eee"/>'
    '<circle cx="%d" cy="32" r="14" fill="#36c"/></svg>'
)
BROKEN = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="20"'


def test_a_failed_render_after_a_good_picture_is_called_a_failed_render(renderer):
    env = CodePaintEnv("svg", max_turns=4, size=64, renderer=renderer)
    env.reset(seed=0)
    env.step(SVG % 20)
    obs, _, _, _, info = env.step(BROKEN)
    assert not info["render"]["ok"]
    assert "of the pixels" not in obs["feedback"] and "broke the render" in obs["feedback"]
    obs, _, _, _, _ = env.step(BROKEN + " ")
    assert "still fails" in obs["feedback"] and "of the pixels" not in obs["feedback"]
    obs, _, _, _, info = env.step(SVG % 44)
    assert info["render"]["ok"] and "fixed the render" in obs["feedback"]
