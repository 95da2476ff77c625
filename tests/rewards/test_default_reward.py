"""One default reward: every door pays a task with checks and a task without the same values.

The doors are the Gymnasium env (``gym.make`` with no ``reward``), the trainers' configuration
(``TrainerConfig()``: TRL, verl, OpenRLHF, SkyRL), ``codepaint serve``'s ``/score`` with no reward
named and ``codepaint score`` with no ``--reward``; ``codepaint eval`` records its spec (its own
test reads ``run.json``). Each is compared with the spec ``codepaint_env.default_reward`` names,
built and scored on its own.
"""

from __future__ import annotations

import json

import gymnasium as gym
import pytest
from fastapi.testclient import TestClient

import codepaint_env
import rewards
from codepaint_env.cli import main
from codepaint_env.scoring.trainer import TrainerConfig
from codepaint_env.serve import create_app
from codepaint_env.tasks import load_suite
from rewards.default import DefaultReward
from rewards.spec import CHECKS_REWARD, PLAIN_REWARD

pytestmark = pytest.mark.browser

SHAPES = load_suite("shapes", split="eval", language="svg")
PLAIN = [t for t in load_suite("svg", split="eval") if not t.checks]
CHECKED = SHAPES[0]
OTHER = next(t for t in SHAPES if t.tags[1] != CHECKED.tags[1])  # another scene: some checks fail
PROGRAMS = [CHECKED.reference_programs["svg"], OTHER.reference_programs["svg"], "<svg"]


def test_default_reward_names_one_spec_for_tasks_rows_and_mixes():
    assert codepaint_env.default_reward(SHAPES[:3]) == CHECKS_REWARD == "gate:0.3,checks:0.7"
    assert codepaint_env.default_reward(PLAIN[:3]) == PLAIN_REWARD == "gate:0.3,classic:0.7"
    assert codepaint_env.default_reward([]) == PLAIN_REWARD
    assert codepaint_env.default_reward([{"checks": CHECKED.checks}, {"checks": []}]) == "default"
    assert codepaint_env.default_reward([{"prompt": "a sun"}]) == PLAIN_REWARD
    assert rewards.DEFAULT_REWARD == "default"


def expected(renderer, task, programs):
    """What the spec default_reward names for the task pays each program, scored on its own."""
    spec = codepaint_env.default_reward([task])
    columns = {"checks": [task.checks] * len(programs)} if task.checks else {}
    reward = rewards.make_reward(spec, renderer=renderer, size=160)
    return [round(v, 6) for v in reward(programs, prompts=[task.prompt] * len(programs), **columns)]


@pytest.mark.parametrize("task", [CHECKED, PLAIN[0]], ids=["with-checks", "without-checks"])
def test_every_door_pays_what_the_named_spec_pays(renderer, task, tmp_path):
    want = expected(renderer, task, PROGRAMS)
    assert want[0] > want[2] == -0.3  # the reference beats a broken program, which gets the minimum

    env = gym.make("CodePaint/SVG-v4", tasks=[task], renderer=renderer, size=160)
    paid = []
    for program in PROGRAMS:
        env.reset(seed=0)
        _, reward, _, _, info = env.step(program)
        paid.append(round(reward, 6))
        assert info["reward_spec"] == codepaint_env.default_reward([task])
    env.close()
    assert paid == want

    columns = {"checks": [task.checks] * 3} if task.checks else {}
    trainer = TrainerConfig().build_reward(renderer=renderer)
    assert isinstance(trainer, DefaultReward)
    trainer_values = trainer(PROGRAMS, prompts=[task.prompt] * 3, size=160, **columns)
    assert [round(v, 6) for v in trainer_values] == want

    with TestClient(create_app(renderer=renderer, close_renderer=False)) as client:
        answer = client.post("/score", json={"completions": PROGRAMS, "prompts": [task.prompt] * 3,
                                             "columns": {"size": 160, **columns}})
    assert answer.status_code == 200, answer.text
    assert [round(r["value"], 6) for r in answer.json()["results"]] == want

    path = tmp_path / "picture.svg"
    path.write_text(PROGRAMS[0])
    args = ["score", str(path), "--size", "160", "--prompt", task.prompt, "--json"]
    if task.checks:
        args += ["--column", f"checks={json.dumps(task.checks)}"]
    assert main(args) == 0


def test_a_mixed_batch_is_scored_by_each_rows_own_spec(renderer):
    reward = rewards.make_reward("default", renderer=renderer, size=160)
    programs = [CHECKED.reference_programs["svg"], PLAIN[0].reference_programs.get("svg", PROGRAMS[0])]
    values = reward(programs, prompts=[CHECKED.prompt, PLAIN[0].prompt], checks=[CHECKED.checks, None])
    assert [round(v, 6) for v in values] == [expected(renderer, CHECKED, programs[:1])[0],
                                             expected(renderer, PLAIN[0], programs[1:])[0]]
