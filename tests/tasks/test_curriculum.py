"""`Curriculum`: the frontier level moves with the all-stated pass rate among gate-passing samples.

The decision rule on recorded outcomes; the tasks it draws (its window, fresh train scenes); the
dataset TRL reads (live: a move shows in the next row); and the two ways results come back, each
through real renders and the real reward: TRL's weight-0 feedback function and a gym episode
started with ``reset(options={"curriculum": ...})``.
"""

from __future__ import annotations

import pickle

import gymnasium as gym
import pytest

import codepaint_env  # noqa: F401  (registers the ids)
import rewards
from codepaint_env.tasks import Curriculum
from codepaint_env.tasks.shapes.levels import split_of_description


def passes(c: Curriculum, n: int, *, level: int | None = None, ok: bool = True, gate: bool = True) -> None:
    for _ in range(n):
        c.record(c.frontier if level is None else level, gate_passed=gate, all_stated=ok if gate else None)


def test_the_frontier_moves_up_above_the_band_and_down_below_it():
    c = Curriculum(band=(0.4, 0.75), min_samples=8, levels=(0, 1, 2))
    passes(c, 7)
    assert c.frontier == 0 and c.trace == []  # not enough samples yet
    passes(c, 1)
    assert c.frontier == 1 and c.trace[-1].pass_rate == 1.0 and c.trace[-1].to == 1
    passes(c, 3, ok=True)
    passes(c, 5, ok=False)  # 3/8 < 0.4
    assert c.frontier == 0 and c.trace[-1].level == 1 and c.trace[-1].to == 0
    passes(c, 4, ok=True)
    passes(c, 4, ok=False)  # 4/8 = 0.5: inside the band, it stays and counts again
    assert c.frontier == 0 and c.trace[-1].to == 0 and len(c.trace) == 3


def test_only_gate_passing_samples_at_the_frontier_count():
    c = Curriculum(min_samples=4, levels=(0, 1))
    passes(c, 20, level=1)  # not the frontier
    passes(c, 20, gate=False)  # the gate failed: nothing said about the scene
    assert c.frontier == 0 and c.recorded == 40
    passes(c, 4)
    assert c.frontier == 1
    passes(c, 10)  # the top level: it stays
    assert c.frontier == 1 and [m.to for m in c.trace] == [1, 1, 1]


def test_tasks_come_from_the_window_and_are_fresh_train_scenes():
    c = Curriculum(levels=(0, 1, 2, 3), start=2, window=2, seed=5)
    tasks = [c.sample() for _ in range(40)]
    assert {t.level for t in tasks} == {1, 2}
    assert all(t.language == "svg" and t.split == "train" and t.checks for t in tasks)
    assert all(split_of_description(t.prompt) == "train" or t.split == "train" for t in tasks)
    again = Curriculum(levels=(0, 1, 2, 3), start=2, window=2, seed=5)
    assert [t.id for t in tasks] == [again.sample().id for _ in range(40)]


def test_bad_settings_say_what_to_change():
    with pytest.raises(ValueError, match="band must be"):
        Curriculum(band=(0.8, 0.2))
    with pytest.raises(ValueError, match="start must be one of the levels"):
        Curriculum(levels=(1, 2), start=0)
    with pytest.raises(ValueError, match="gated spec"):
        Curriculum().feedback(spec="checks")


def test_the_dataset_is_read_live():
    c = Curriculum(min_samples=2, levels=(0, 3), window=1)
    rows = iter(c.dataset(system_prompt="Answer with one SVG."))
    first = next(rows)
    assert first["level"] == 0 and first["prompt"][0]["role"] == "system" and first["checks"]
    passes(c, 2)
    assert next(rows)["level"] == 3  # the move shows in the very next row


@pytest.mark.browser
def test_trls_feedback_function_moves_the_frontier_with_real_scores(renderer):
    c = Curriculum(min_samples=4, levels=(0, 1))
    funcs, _weights = rewards.reward_funcs("gate:0.2,checks:0.8", split_checks=["background", "count"],
                                          renderer=renderer, size=160)
    feedback = c.feedback(funcs)
    tasks = [c.sample() for _ in range(4)]
    columns = {k: [t.columns()[k] for t in tasks] for k in tasks[0].columns()}
    completions = [t.reference_programs["svg"] for t in tasks]
    logged = {}
    for f in [*funcs, feedback]:  # as TRL calls them: the same batch, one function after another
        values = f(completions, prompts=[t.prompt for t in tasks], log_metric=logged.__setitem__, **columns)
    assert values == [0.0] * 4  # the feedback's value is the level (weight 0: logged, never paid)
    assert c.frontier == 1 and c.trace[0].pass_rate == 1.0
    assert logged["codepaint/curriculum/frontier"] == 1.0 and logged["codepaint/checks/all_stated"] == 1.0
    again = pickle.loads(pickle.dumps(feedback))
    assert again.handle.curriculum is c  # a pickled feedback still feeds the one curriculum


@pytest.mark.browser
def test_a_gym_episode_draws_from_the_curriculum_and_records_its_result(renderer):
    c = Curriculum(min_samples=3, levels=(0, 2), window=1)
    env = gym.make("CodePaint/SVG-v4", tasks=[], reward="gate:0.2,checks:0.8", renderer=renderer, size=160)
    for _ in range(3):
        obs, _info = env.reset(options={"curriculum": c})
        task = env.unwrapped.task
        assert task.level == 0 and obs["prompt"] == task.prompt
        _, value, terminated, _, _ = env.step(task.reference_programs["svg"])
        assert terminated and value == 1.0
    assert c.frontier == 2
    _obs, _info = env.reset(options={"curriculum": c})
    assert env.unwrapped.task.level == 2
    env.close()
