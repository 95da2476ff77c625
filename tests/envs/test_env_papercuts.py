"""Small truths of a step: feedback after a failed render, the code limit, bytes as an action."""

from __future__ import annotations

import pytest

from codepaint_env.envs.env import MAX_CODE_CHARS, CodePaintEnv

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


def test_one_code_limit_and_a_cut_program_is_said_to_be_cut(renderer):
    env = CodePaintEnv("svg", max_turns=2, size=64, renderer=renderer)
    assert env.action_space.max_length == env.observation_space["code"].max_length == MAX_CODE_CHARS
    assert renderer.settings.max_code_bytes == MAX_CODE_CHARS
    env.reset(seed=0)
    at_limit = SVG % 20 + "<!--" + "x" * (MAX_CODE_CHARS - len(SVG % 20) - 7) + "-->"
    assert len(at_limit) == MAX_CODE_CHARS
    obs, _, _, _, info = env.step(at_limit)
    assert info["render"]["ok"] and obs["code"] == at_limit and not info["code_truncated"]
    assert "holds its first" not in obs["feedback"]
    too_long = at_limit + "<!-- one more -->"
    obs, _, _, _, info = env.step(too_long)
    assert info["render"]["error_kind"] == "too_large" and info["code_truncated"]
    assert obs["code"] == too_long[:MAX_CODE_CHARS] and env.observation_space.contains(obs)
    assert f"The program is {len(too_long):,} characters; obs['code'] holds its first" in obs["feedback"]


def test_utf8_bytes_are_a_program_and_other_bytes_a_clear_error(renderer):
    env = CodePaintEnv("svg", max_turns=2, size=64, renderer=renderer)
    env.reset(seed=0)
    obs, reward, _, _, info = env.step((SVG % 20).encode())
    assert info["render"]["ok"] and obs["code"] == SVG % 20 and reward > 0
    with pytest.raises(ValueError, match=r"not UTF-8 \(byte 0: b'\\xff'\).*pass a str"):
        env.step(b"\xff" + (SVG % 20).encode())
    assert env.step(SVG % 30)[0]["turn"] == 2  # the refused action took no turn
