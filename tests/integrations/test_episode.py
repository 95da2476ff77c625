"""The episode core every door runs (``codepaint_env.episode``): rows, records, messages, scores.

Fast: no renders but the last test's (two SVG programs, the shared test renderer). The doors
themselves are ``test_doors.py``'s.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from PIL import Image

from codepaint_env.envs.vlm_messages import (
    DREW,
    DREW_NOTHING,
    EDIT_INSTRUCTION,
    feedback_content,
    feedback_message,
    feedback_text,
)
from codepaint_env.episode import AGGREGATIONS, Turn, aggregate, episode_reward, task_from_row
from codepaint_env.scoring.trainer import TrainerConfig
from codepaint_env.tasks import TaskError, load_suite
from rewards.base import Reward, RewardResult


def _turn(n: int, value: float | None, error_kind: str | None = None) -> Turn:
    return Turn(turn=n, code=f"program {n}", value=value, judged=value is not None,
                reason=None if value is not None else "judge down", rendered=error_kind is None,
                error_kind=error_kind, picture=error_kind is None, no_change=False,
                reward=0.0 if value is None else value, feedback=f"Turn {n}.")


def test_aggregation_last_best_mean() -> None:
    turns = [_turn(1, 0.2), _turn(2, 0.8), _turn(3, None), _turn(4, -1.0, "syntax")]
    assert AGGREGATIONS == ("last", "best", "mean")
    last, best, mean = (aggregate(turns, how) for how in AGGREGATIONS)
    assert (last.value, last.turn.turn, last.judged) == (-1.0, 4, True)
    assert (best.value, best.turn.turn) == (0.8, 2)
    assert mean.value == pytest.approx((0.2 + 0.8 - 1.0) / 3) and mean.turn.turn == 4  # judged turns only
    assert last.turns == 4 and last.unjudged_turns == 1
    # the last turn not judged: "last" is not judged; "best" and "mean" are while any turn was
    tail = [_turn(1, 0.5), _turn(2, None)]
    assert aggregate(tail, "last").value is None and aggregate(tail, "best").value == 0.5
    nothing = [_turn(1, None), _turn(2, None)]
    for how in AGGREGATIONS:
        outcome = aggregate(nothing, how)
        assert outcome.value is None and not outcome.judged and outcome.turn.turn == 2
    with pytest.raises(ValueError, match="reward_aggregation must be one of last, best, mean"):
        aggregate(turns, "median")
    with pytest.raises(ValueError, match="without turns"):
        aggregate([], "last")


def test_an_outcome_is_what_a_float_trainer_takes() -> None:
    scored = aggregate([_turn(1, None)], "last").scored(unjudged_reward=-0.25)
    assert (scored.reward, scored.value, scored.judged, scored.reason) == (-0.25, None, False, "judge down")
    scored = aggregate([_turn(1, 0.5), _turn(2, -1.0, "syntax")], "best").scored()
    assert (scored.reward, scored.rendered, scored.error_kind) == (0.5, True, None)


def test_a_turn_record_is_json() -> None:
    record = _turn(1, 0.5).to_dict()
    assert list(record) == [f.name for f in dataclasses.fields(Turn)]
    assert Turn(**record) == _turn(1, 0.5)  # verifiers keeps records in trace.info and reads them back


def test_feedback_text_speaks_of_pictures_only_to_a_policy_shown_them() -> None:
    edit = EDIT_INSTRUCTION["user"]
    assert edit == "Reply with the complete edited program."
    assert feedback_text(" Turn 1. ", instruction=edit) == f"Turn 1.\n\n{edit}"
    assert feedback_text("Turn 1.", instruction=edit, shown=True, images=True) == f"{DREW}\nTurn 1.\n\n{edit}"
    assert feedback_text("Turn 1.", images=True) == f"{DREW_NOTHING}\nTurn 1."
    assert feedback_text("Turn 1.", images=True, infra=True) == "Turn 1."  # nothing is known of the program


def test_feedback_content_and_message_forms() -> None:
    picture = Image.new("RGB", (40, 20), "red")
    assert feedback_content("text") == "text"
    url_part, text_part = feedback_content("text", picture, max_side=10)
    assert url_part["type"] == "image_url"
    assert url_part["image_url"]["url"].startswith("data:image/png;base64,")
    assert text_part == {"type": "text", "text": "text"}
    image_part, _ = feedback_content("text", picture, form="image")
    assert image_part == {"type": "image", "image": picture}
    with pytest.raises(ValueError, match="form"):
        feedback_content("text", picture, form="png")
    assert feedback_message("t") == {"role": "user", "content": "t"}
    assert feedback_message("t", tool=True, tool_call_id="c1") == {
        "role": "tool", "name": "submit_code", "content": "t", "tool_call_id": "c1"}
    assert "tool_call_id" not in feedback_message("t", tool=True)


def test_task_from_row_reads_every_column_as_a_trainer_hands_it() -> None:
    task = dataclasses.replace(next(t for t in load_suite("shapes", language="svg") if t.checks), level=3)
    columns = task.columns()
    # as parquet reads it back: numpy arrays and scalars, NaN for a missing number; a chat prompt
    row = {**columns, "size": np.array([96, 64]), "level": np.int64(3), "ocr": float("nan"),
           "split": "eval", "index": 7, "seed": 5}
    chat = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": task.prompt}]
    got, seed = task_from_row(row, TrainerConfig(), prompt=chat)
    assert seed == 5 and got.id == task.id and got.prompt == task.prompt
    assert got.size == (96, 64) and got.level == 3 and got.ocr is None and got.checks == task.checks
    assert {k: v for k, v in got.columns().items() if k != "size"} == {
        k: (None if k == "ocr" else v) for k, v in columns.items() if k != "size"}
    # the trainer config's size and seed when the row has none; a size as text
    bare, seed = task_from_row({"language": "svg", "prompt": "A dot."}, TrainerConfig(size="640x480", seed=9),
                               default_id="adhoc")
    assert (bare.id, bare.size, seed) == ("adhoc", (640, 480), 9)
    with pytest.raises(ValueError, match="a SkyRL row needs a prompt and a language: extra_info"):
        task_from_row({"language": "svg"}, TrainerConfig(), where="a SkyRL row", hint=": extra_info")
    with pytest.raises(TaskError, match='"level"'):
        task_from_row({**columns, "prompt": "x", "level": -1}, TrainerConfig())


class _Half(Reward):
    id = "half"

    def score_one(self, sample):  # pragma: no cover - never scored here
        return RewardResult(0.5)


def test_episode_reward_objects_specs_and_the_trainer_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODEPAINT_REWARD", raising=False)
    monkeypatch.delenv("CODEPAINT_SERVE_URL", raising=False)
    half = _Half()
    assert episode_reward(half) is half  # an object as it is
    config = TrainerConfig(reward="execution_gate")
    assert episode_reward(config=config) is episode_reward(config=config)  # built once per process
    assert episode_reward(" classic ", config=config).id == "classic"  # a spec over the config's
    monkeypatch.setenv("CODEPAINT_REWARD", "execution_gate")
    assert episode_reward().id == "execution_gate"  # the environment's


@pytest.mark.browser
def test_an_episode_records_each_turn(renderer) -> None:
    from codepaint_env.episode import EpisodeOver, EpisodeResources, EpisodeSettings, Reply

    task = dataclasses.replace(load_suite("svg")[0], size=(48, 48))
    resources = EpisodeResources(EpisodeSettings.from_config(TrainerConfig(), max_turns=2), renderer=renderer,
                                 reward=episode_reward("execution_gate", config=TrainerConfig()))
    episode = resources.episode(task)
    dot = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">'
           '<circle cx="4" cy="4" r="3" fill="red"/></svg>')
    first = episode.respond(f"```svg\n{dot}\n```").turn
    assert (first.turn, first.code, first.value, first.judged, first.rendered, first.picture) == (
        1, dot, 1.0, True, True, True)
    assert first.monitors["draws_something"] == 1.0 and not episode.done
    episode.settings = episode.settings.replace(images=True, image_size=24)
    message, picture = episode.message()
    assert picture is not None and picture.size == (24, 24)
    assert message["role"] == "user" and message["content"][1]["text"].startswith(DREW)
    episode.settings = episode.settings.replace(images=False, image_placement="tool")
    tool, none = episode.message(Reply.submission(dot, call_id="c1"))
    assert none is None and tool["content"].endswith(EDIT_INSTRUCTION["tool"])
    second = episode.respond("<svg").turn
    assert (second.error_kind, second.value, second.picture) == ("syntax", -1.0, False) and episode.done
    assert episode.outcome("best").value == 1.0 and math.isclose(episode.outcome("mean").value or 0, 0.0)
    with pytest.raises(EpisodeOver, match="ended"):
        episode.respond(dot)
