"""One row, one program, the same answer through every door that takes a renderer, on a `StubDispatch`.

A ``shapes`` SVG task with visual checks ("a green square to the right of an orange square on a
navy background"), a program whose canned picture meets them, one whose squares are swapped and a
broken one, scored by TRL's reward functions, ``TrainerConfig``'s reward, TRL's
``environment_factory`` (``CodePaintToolEnv``), the episode core, the Gymnasium env and ``codepaint
serve``'s ``/score``: every door gives the same value, judged flag and error kind. No browser: the
real-renderer version of this contract is tests/integrations/test_doors.py.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

import rewards
from codepaint_env.envs.env import CodePaintEnv
from codepaint_env.episode import EpisodeResources, EpisodeSettings, episode_reward, task_from_row
from codepaint_env.integrations.trl import CodePaintToolEnv
from codepaint_env.render import Renderer
from codepaint_env.scoring.trainer import TrainerConfig
from codepaint_env.serve.app import create_app
from codepaint_env.tasks import all_tasks, tasks_to_rows
from codepaint_env.testing import StubDispatch

SPEC = "gate:0.2,checks:0.8"
TASK = next(t for t in all_tasks(language="svg") if t.id == "shapes-0002-svg")
ROW = tasks_to_rows([TASK])[0]
COLUMNS = {k: v for k, v in ROW.items() if k != "prompt"}
RIGHT = '<svg xmlns="http://www.w3.org/2000/svg"><!-- orange left, green right --></svg>'
SWAPPED = '<svg xmlns="http://www.w3.org/2000/svg"><!-- green left, orange right --></svg>'
BROKEN = '<svg xmlns="http://www.w3.org/2000/svg"><rect x='
PROGRAMS = (RIGHT, SWAPPED, BROKEN)


def squares(left: str, right: str) -> Image.Image:
    im = Image.new("RGB", (512, 512), "navy")
    draw = ImageDraw.Draw(im)
    draw.rectangle((80, 200, 200, 320), fill=left)
    draw.rectangle((300, 200, 420, 320), fill=right)
    return im


def stub() -> Renderer:
    canned = {RIGHT: squares("orange", "green"), SWAPPED: squares("green", "orange"), BROKEN: "syntax"}
    return Renderer(dispatch=StubDispatch(canned))


def test_the_row_s_checks_decide_the_value_through_the_trl_reward_functions():
    funcs, weights = rewards.reward_funcs(SPEC, renderer=stub())
    assert weights == [1.0]  # a gated spec is one function, the composite
    completions = [[{"role": "assistant", "content": f"```svg\n{p}\n```"}] for p in PROGRAMS]
    values = funcs[0](completions=completions, prompts=[ROW["prompt"]] * 3, completion_ids=[[1]] * 3,
                      **{k: [v] * 3 for k, v in COLUMNS.items()})
    right, swapped, broken = values
    assert right == 1.0 and 0.8 < swapped < 1.0  # the relation check fails, the others pass
    assert broken == rewards.make_reward(SPEC).value_range[0]


def door_answers() -> dict[str, list[tuple[float | None, bool, str | None]]]:
    """``(value, judged, error_kind)`` of each program through each door."""
    answers: dict[str, list[tuple[float | None, bool, str | None]]] = {}

    reward = TrainerConfig(reward=SPEC).build_reward(renderer=stub())
    samples = reward.build_samples(list(PROGRAMS), prompts=[ROW["prompt"]] * 3,
                                   **{k: [v] * 3 for k, v in COLUMNS.items()})
    answers["TrainerConfig"] = [(r.value, r.value is not None, s.render.error_kind)
                                for r, s in zip(reward.score(samples), samples, strict=True)]

    task, seed = task_from_row(ROW, prompt=ROW["prompt"])
    answers["episode core"] = []
    answers["gym env"] = []
    answers["TRL environment_factory"] = []
    for program in PROGRAMS:
        renderer = stub()
        resources = EpisodeResources(EpisodeSettings.from_config(TrainerConfig()),
                                     reward=episode_reward(SPEC, renderer=renderer), renderer=renderer)
        turn = resources.episode(task, render_seed=seed).respond(program).turn
        answers["episode core"].append((turn.value, turn.judged, turn.error_kind))

        env = CodePaintEnv("svg", reward=SPEC, tasks=[task], split=None, renderer=stub())
        env.reset(options={"task": task.id})
        _, value, _, _, info = env.step(program)
        answers["gym env"].append((value, info["judged"], info["render"]["error_kind"]))

        tool_env = CodePaintToolEnv("CodePaint/SVG-v4", reward=SPEC, max_turns=1, size=512, renderer=stub())
        tool_env.reset(**ROW)
        tool_env.submit_code(program)
        record = tool_env.history[-1]
        answers["TRL environment_factory"].append(
            (tool_env.get_reward(), record["judged"], record["error_kind"]))

    with TestClient(create_app(SPEC, renderer=stub())) as client:
        results = client.post("/score", json={"completions": list(PROGRAMS), "prompts": [ROW["prompt"]] * 3,
                                              "columns": COLUMNS}).json()["results"]
    answers["serve /score"] = [(r["value"], r["value"] is not None, r["render"]["error_kind"])
                               for r in results]
    return answers


def test_every_door_gives_the_same_value_judged_flag_and_error_kind():
    answers = door_answers()
    (right, swapped, broken) = answers["TrainerConfig"]
    assert right == (1.0, True, None) and swapped[1:] == (True, None) and broken[1:] == (True, "syntax")
    for door, got in answers.items():
        assert [g[1:] for g in got] == [right[1:], swapped[1:], broken[1:]], door
        assert [g[0] for g in got] == pytest.approx([right[0], swapped[0], broken[0]]), door
