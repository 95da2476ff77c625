"""Group starts: where a door draws the task itself, the samples of one GRPO group start from one task.

TRL's dataset-less mode is run for real in tests/integrations/test_trl_env.py; here the rule itself,
and the seeded doors (Gym, OpenEnv), whose group is the samples reset with one seed.
"""

from __future__ import annotations

import gymnasium as gym
import pytest

import codepaint_env  # noqa: F401  (registers the ids)
from codepaint_env.episode import EpisodeResources
from codepaint_env.episode.groups import GroupStarts, shared_group_starts
from codepaint_env.tasks import load_suite

TASKS = load_suite("svg")


def test_consecutive_starts_share_a_task_and_one_pass_over_the_tasks_differs():
    starts = GroupStarts(TASKS, group_size=3, seed=11, rank=0, world=1)
    drawn = [starts.next().id for _ in range(3 * len(TASKS))]
    groups = [drawn[i:i + 3] for i in range(0, len(drawn), 3)]
    assert all(len(set(group)) == 1 for group in groups)
    assert sorted(group[0] for group in groups) == sorted(t.id for t in TASKS)  # each task once per pass
    again = GroupStarts(TASKS, group_size=3, seed=11, rank=0, world=1)
    assert [again.next().id for _ in range(len(drawn))] == drawn  # the seed decides the sequence
    other = GroupStarts(TASKS, group_size=3, seed=12, rank=0, world=1)
    assert [other.next().id for _ in range(len(drawn))] != drawn


def test_the_processes_of_a_run_draw_different_groups_of_one_sequence():
    run = GroupStarts(TASKS, group_size=2, seed=3, rank=0, world=1)
    per_process = [GroupStarts(TASKS, group_size=2, seed=3, rank=r, world=2) for r in range(2)]
    firsts = [[p.next().id for _ in range(8)][::2] for p in per_process]  # 4 groups each
    assert firsts[0] == [run.task_of(g).id for g in (0, 2, 4, 6)]
    assert firsts[1] == [run.task_of(g).id for g in (1, 3, 5, 7)]
    assert not set(firsts[0]) & set(firsts[1])


def test_environments_alike_share_one_count_and_others_do_not():
    a, b = shared_group_starts(TASKS, 4, 9001), shared_group_starts(TASKS, 4, 9001)
    assert a is b
    assert shared_group_starts(TASKS, 2, 9001) is not a and shared_group_starts(TASKS, 4, 9002) is not a


def test_bad_groups_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        GroupStarts(TASKS, group_size=0, seed=0)
    with pytest.raises(ValueError, match="no tasks"):
        GroupStarts([], group_size=4, seed=0)


def test_seeded_doors_group_the_samples_reset_with_one_seed():
    # Gym's vector env: one seed per sub-env; the same seed for a group's sub-envs gives them one task.
    envs = gym.make_vec("CodePaint/SVG-v4", num_envs=4, vectorization_mode="vector_entry_point",
                        reward="execution_gate")
    try:
        envs.reset(seed=[5] * 4)
        assert len({e.episode.task.id for e in envs.unwrapped.envs}) == 1
        envs.reset(seed=5)  # an int seeds sub-env i with 5 + i (Gymnasium's rule): not a group
        assert len({e.episode.task.id for e in envs.unwrapped.envs}) > 1
    finally:
        envs.close()
    # OpenEnv's reset(seed=...) is the resources' seeded draw: one seed, one task, one render seed.
    resources = EpisodeResources(tasks="svg", language="svg", reward="execution_gate")
    episodes = [resources.episode(seed=17) for _ in range(4)]
    assert len({(e.task.id, e.render_seed) for e in episodes}) == 1
