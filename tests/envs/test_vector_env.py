"""`CodePaintVectorEnv`: Gymnasium's vector-env contract, the same answers as sync, one batch per step."""

from __future__ import annotations

import threading

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import codepaint_env  # noqa: F401  (registers the ids)
from codepaint_env.envs.vector import CodePaintVectorEnv
from rewards.base import Reward
from rewards.gate import ExecutionGate

pytestmark = pytest.mark.browser

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" '
       'fill="#eee"/><circle cx="%d" cy="32" r="14" fill="#36c"/></svg>')
BROKEN = '<svg xmlns="http://www.w3.org/2000/svg"><circle cx="5"'
N = 4


class CountingGate(ExecutionGate):
    """The real execution gate, recording the size of every ``score`` batch."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.batches: list[int] = []

    def score(self, samples):
        self.batches.append(len(samples))
        return super().score(samples)


class Recording:
    """A real renderer, recording when each render is submitted and when its result is taken."""

    def __init__(self, renderer) -> None:
        self.renderer = renderer
        self.events: list[str] = []
        self.lock = threading.Lock()

    def render(self, *args, **kwargs):
        return self.renderer.render(*args, **kwargs)

    def submit(self, code, language, **kwargs):
        with self.lock:
            self.events.append("submit")
        future = self.renderer.submit(code, language, **kwargs)
        future.add_done_callback(lambda _: self.events.append("done"))
        return future


def actions(step: int) -> list[str]:
    # distinct programs, one broken, one repeated from the previous step (a no-op edit)
    out = [SVG % (10 + 7 * i + step) for i in range(N)]
    out[1] = BROKEN
    out[2] = SVG % 30
    return out


def run(envs, steps: int, seed: int = 0):
    obs, infos = envs.reset(seed=seed)
    trace = [(obs, infos)]
    for s in range(steps):
        trace.append(envs.step(actions(s)))
    envs.close()
    return trace


def assert_same(a, b) -> None:
    """Two vector-env traces agree: observations, rewards, flags and the info keys the env sets."""
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        obs_x, obs_y = x[0], y[0]
        for key in ("prompt", "code", "feedback"):
            assert tuple(obs_x[key]) == tuple(obs_y[key]), key
        assert np.array_equal(obs_x["image"], obs_y["image"]) and np.array_equal(obs_x["turn"], obs_y["turn"])
        for u, v in zip(x[1:-1], y[1:-1], strict=True):
            assert np.array_equal(u, v)
        info_x, info_y = x[-1], y[-1]
        for key in ("task_id", "turn", "judged", "no_change", "final_obs", "final_info"):
            assert (key in info_x) == (key in info_y), key
            if key in ("task_id", "turn", "judged", "no_change") and key in info_x:
                assert np.array_equal(info_x[key], info_y[key]), key


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
def test_answers_equal_the_sync_vector_env_through_autoresets(renderer, mode):
    kwargs = dict(size=64, max_turns=2, renderer=renderer, no_change_penalty=0.25, reward="execution_gate")
    ours = gym.make_vec("CodePaint/SVG-v4", num_envs=N, vectorization_mode="vector_entry_point",
                        vector_kwargs={}, autoreset_mode=mode, **kwargs)
    assert isinstance(ours.unwrapped, CodePaintVectorEnv) and ours.metadata["autoreset_mode"] == mode
    sync = gym.make_vec("CodePaint/SVG-v4", num_envs=N, vectorization_mode="sync",
                        vector_kwargs={"autoreset_mode": mode}, **kwargs)
    a, b = run(ours, 5), run(sync, 5)
    assert_same(a, b)
    rewards = np.stack([step[1] for step in a[1:]])
    # turn 1: the broken program gets the gate's minimum; turn 2: minus the no-change penalty too
    # (its second failure looks the same), and the repeated program passes minus the penalty
    assert rewards[0].tolist() == [1.0, -1.0, 1.0, 1.0] and rewards[1].tolist() == [1.0, -1.25, 0.75, 1.0]
    if mode == AutoresetMode.NEXT_STEP:
        # after a 2-turn episode ends, the next step resets: reward 0, not terminated, turn 0
        assert a[2][2].all() and (a[3][1] == 0).all() and not a[3][2].any() and (a[3][0]["turn"] == 0).all()
    else:
        assert "final_obs" in a[2][-1] and (a[2][0]["turn"] == 0).all()


def test_spaces_seeding_reset_mask_and_junk_actions(renderer):
    envs = gym.make_vec("CodePaint/SVG-v4", num_envs=N, vectorization_mode="vector_entry_point", size=48,
                        max_turns=3, renderer=renderer)
    obs, infos = envs.reset(seed=7)
    assert envs.observation_space.contains(obs) and len(infos["task_id"]) == N
    _, infos_again = envs.reset(seed=7)
    assert list(infos_again["task_id"]) == list(infos["task_id"])  # seeded task choice, per env
    envs.action_space.seed(0)
    obs, rewards, terminated, truncated, infos = envs.step(envs.action_space.sample())  # junk: scored
    assert envs.observation_space.contains(obs) and rewards.shape == (N,) and rewards.dtype == np.float64
    assert terminated.dtype == np.bool_ and truncated.shape == (N,) and infos["render"] is not None
    mask = np.array([True] + [False] * (N - 1))
    obs, _ = envs.reset(options={"reset_mask": mask})
    assert obs["turn"][0] == 0 and (obs["turn"][1:] == 1).all()
    envs.close()
    disabled = gym.make_vec("CodePaint/SVG-v4", num_envs=2, vectorization_mode="vector_entry_point", size=48,
                            renderer=renderer, autoreset_mode=AutoresetMode.DISABLED)
    disabled.reset(seed=0)
    disabled.step([SVG % 20, SVG % 30])  # max_turns=1: both ended
    with pytest.raises(ValueError, match="reset the environments that ended"):
        disabled.step([SVG % 20, SVG % 30])
    disabled.close()


def test_a_step_submits_every_render_first_and_scores_them_in_one_call(renderer):
    gate, recording = CountingGate(), Recording(renderer)
    envs = CodePaintVectorEnv(N, language="svg", reward=gate, renderer=recording, size=48, max_turns=2)
    envs.reset(seed=0)
    envs.step([SVG % (20 + i) for i in range(N)])
    assert recording.events[:N] == ["submit"] * N  # every render started before any was waited for
    assert gate.batches == [N]
    envs.step([SVG % (40 + i) for i in range(N)])
    envs.step([SVG % (60 + i) for i in range(N)])  # next-step autoreset: nothing rendered or scored
    assert gate.batches == [N, N]
    assert all(env.reward_fn is gate for env in envs.envs)
    envs.close()


def test_a_group_reward_sees_the_whole_step(renderer):
    class GroupSize(Reward):
        """Every sample's value is the number of samples it was scored with."""

        value_range = (0.0, 100.0)

        def score(self, samples):
            from rewards.base import RewardResult

            return [RewardResult(value=float(len(samples))) for _ in samples]

    envs = CodePaintVectorEnv(3, language="svg", reward=GroupSize(), renderer=renderer, size=48)
    envs.reset(seed=0)
    _, rewards, *_ = envs.step([SVG % 20, BROKEN, SVG % 30])
    assert rewards.tolist() == [3.0, 3.0, 3.0]
    envs.close()
