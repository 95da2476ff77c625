"""`rewards.guard`: a reward that raises, hangs or answers wrongly is unjudged; a broken installation raises.

The rewards here are real reward classes; the slow ones sleep on purpose (the only sleeps). The
doors' answers for a reward at fault are the contract test's (tests/integrations/test_contract.py).
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from PIL import Image

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.episode import EpisodeResources, EpisodeSettings
from codepaint_env.episode.core import respond_all
from codepaint_env.scoring.trainer import TrainerConfig
from rewards.base import Reward, RewardResult, Sample
from rewards.guard import DEFAULT_REWARD_TIMEOUT_S, ascore_guarded, default_timeout_s, score_guarded
from support import contract


class Fixed(Reward):
    """0.5 for every sample, after ``sleep_s`` seconds."""

    id = "fixed"

    def __init__(self, sleep_s: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sleep_s = sleep_s

    def score_one(self, sample: Sample) -> RewardResult:
        time.sleep(self.sleep_s)
        return RewardResult(0.5)


class NotInstalled(Reward):
    id = "not_installed"

    def score_one(self, sample: Sample) -> RewardResult:
        raise DependencyNotInstalled("pip install 'codepaint[embed]'")


class Short(Reward):
    id = "short"

    def score(self, samples):
        return [RewardResult(1.0)] * (len(samples) - 1)


class Hangs(Reward):
    """An async reward that never answers in time."""

    id = "hangs"

    async def ascore(self, samples):
        await asyncio.sleep(contract.SLEEP_S)
        return [RewardResult(1.0) for _ in samples]


def samples(n: int = 3) -> list[Sample]:
    pictures = [Image.new("RGB", (16, 16), (40 * i, 90, 200)) for i in range(n)]
    return [Sample.from_image(p, language="svg") for p in pictures]


def test_a_reward_that_raises_is_unjudged_for_every_sample_and_logged(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="rewards.guard"):
        results = score_guarded(contract.Raises(), samples())
    assert [r.value for r in results] == [None] * 3
    said = "the reward 'raises' failed: RuntimeError: a bug in the user's reward"
    assert {r.reason for r in results} == {said}
    assert any("not judged" in m for m in caplog.messages) and "score_one" in caplog.text  # the traceback


def test_a_reward_past_its_deadline_is_abandoned_and_unjudged() -> None:
    start = time.perf_counter()
    results = score_guarded(Fixed(sleep_s=contract.SLEEP_S), samples(1), timeout_s=contract.FAULT_TIMEOUT_S)
    assert time.perf_counter() - start < contract.SLEEP_S
    assert results[0].value is None
    assert results[0].reason == "the reward 'fixed' ran past its deadline of 0.2 s"
    hung = asyncio.run(ascore_guarded(Hangs(), samples(2), timeout_s=contract.FAULT_TIMEOUT_S))
    assert [r.value for r in hung] == [None, None] and "deadline of 0.2 s" in str(hung[0].reason)


def test_a_slow_call_is_logged_and_kept(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="rewards.guard"):
        results = score_guarded(Fixed(sleep_s=1.1), samples(1), timeout_s=2.0)  # past half its deadline
    assert results[0].value == 0.5
    said = [m for m in caplog.messages if m.startswith("slow reward call: 'fixed' took")]
    assert said and "deadline 2 s" in said[0], caplog.messages


def test_a_wrong_answer_is_unjudged_and_a_broken_installation_raises() -> None:
    short = score_guarded(Short(), samples(3))
    assert [r.value for r in short] == [None] * 3
    assert short[0].reason == "the reward 'short' answered 2 result(s) (RewardResult) for 3 sample(s)"
    with pytest.raises(DependencyNotInstalled, match="pip install"):
        score_guarded(NotInstalled(), samples(1))
    assert asyncio.run(ascore_guarded(Fixed(), samples(2))) == [RewardResult(0.5)] * 2  # async, the same path


def test_trl_s_call_answers_none_and_the_deadline_comes_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_timeout_s() == DEFAULT_REWARD_TIMEOUT_S == TrainerConfig().reward_timeout_s == 600.0
    monkeypatch.setenv("CODEPAINT_REWARD_TIMEOUT", "0.2")
    assert TrainerConfig.from_environ().reward_timeout_s == 0.2
    assert EpisodeSettings.from_config().reward_timeout_s == 0.2  # the episodes' default: the config's
    assert EpisodeSettings(reward_timeout_s=5).reward_timeout_s == 5.0
    monkeypatch.setenv("CODEPAINT_REWARD_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="CODEPAINT_REWARD_TIMEOUT"):
        TrainerConfig.from_environ()
    with pytest.raises(ValueError, match="positive number of seconds"):
        EpisodeSettings(reward_timeout_s=0)


def test_a_batch_of_episodes_completes_when_their_reward_hangs() -> None:
    stub = contract.stub_renderer()
    task = contract.task_of(contract.rows()[0])
    settings = EpisodeSettings(reward_timeout_s=contract.FAULT_TIMEOUT_S, unjudged_reward=-0.25, max_turns=2)
    resources = EpisodeResources(settings, reward=contract.Sleeps(renderer=stub), renderer=stub)
    episodes = [resources.episode(task) for _ in range(3)]
    start = time.perf_counter()
    steps = respond_all(episodes, [contract.GOOD, contract.OTHER, contract.BROKEN])
    assert time.perf_counter() - start < contract.SLEEP_S  # one call for the three, abandoned at its deadline
    assert [s.turn.value if s.turn else 0 for s in steps] == [None, None, None]
    assert [s.reward for s in steps] == [-0.25] * 3 and all(not s.done for s in steps)  # the settings' value
    assert [s.turn.error_kind if s.turn else 0 for s in steps] == [None, None, "syntax"]  # the renders stand
