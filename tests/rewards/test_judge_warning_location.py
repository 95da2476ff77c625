"""The missing-judge warning names the user's line, whichever door built the judged reward."""

from __future__ import annotations

import warnings

import gymnasium as gym
import pytest

import codepaint_env  # noqa: F401  (registers the CodePaint ids)
import rewards
from codepaint_env.envs.env import CodePaintEnv
from rewards.judge import judged


@pytest.fixture(autouse=True)
def _no_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    """No judge endpoint configured, and the once-per-message memory empty for each test."""
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "CODEPAINT_JUDGE_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(judged, "_WARNED", set())


def the_warning(build) -> warnings.WarningMessage:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build()
    said = [w for w in caught if "no judge endpoint" in str(w.message)]
    assert len(said) == 1, [str(w.message) for w in caught]
    return said[0]


@pytest.mark.parametrize("door", ["make_reward", "env", "gym.make"])
def test_the_warning_points_at_the_callers_line(door):
    doors = {
        "make_reward": lambda: rewards.make_reward("pairwise_vlm"),
        "env": lambda: CodePaintEnv("svg", reward="pairwise_vlm"),
        "gym.make": lambda: gym.make("CodePaint/SVG-v4", reward="pairwise_vlm"),
    }
    said = the_warning(doors[door])
    assert said.category is UserWarning and said.filename == __file__
    with open(__file__, encoding="utf-8") as fh:
        assert f'"{door}": lambda' in fh.read().splitlines()[said.lineno - 1]  # the line that built it
