"""Training monitors (`rewards.monitors`): measured on real renders, logged through every trainer's path.

Each monitor is checked on programs that should move it (a drawing, a canvas filled with one colour,
a blank picture, a syntax error, text on a text-free task, an invented p5 function); then TRL's
``log_metric`` hook, verl's ``reward_extra_info`` and OpenRLHF's ``extra_logs`` are shown to carry
them. A hypothesis property: every rate is in [0, 1] and every batch mean lies between its rows'
extremes.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rewards
from codepaint_env.scoring import openrlhf as openrlhf_contract
from codepaint_env.scoring.trainer import TrainerConfig, score_batch
from rewards.base import RewardResult
from rewards.monitors import (
    FAILURE_KINDS,
    MONITOR_KEYS,
    MONITOR_PREFIX,
    batch_monitors,
    monitors_for,
    sample_monitors,
)

pytestmark = pytest.mark.browser

DRAWING = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" '
           'fill="#1a237e"/><circle cx="30" cy="30" r="18" fill="#fdd835"/><rect x="55" y="50" width="30" '
           'height="40" fill="#e53935"/></svg>')
FILLED = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" '
          'fill="#e53935"/><rect x="49" y="49" width="2" height="2" fill="#ffffff"/></svg>')
BLANK = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"></svg>'
BROKEN = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><circle cx='
TEXT = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100"><rect width="200" height="100" '
        'fill="#ffffff"/><text x="10" y="60" font-size="40" fill="#000000">HELLO</text></svg>')
RATES = ("draws_something", "blank", "near_uniform", "text_flag", "copy_flag", "invented_api", "unjudged",
         *(f"failed/{k}" for k in FAILURE_KINDS))


@pytest.fixture(scope="module")
def gate(renderer):
    return rewards.make_reward("execution_gate", renderer=renderer, size=96)


def scored(gate, programs, language="svg", **columns):
    samples = gate.build_samples(programs, language=[language] * len(programs), **columns)
    return samples, gate.score(samples)


def test_each_monitor_moves_with_the_picture_that_should_move_it(gate):
    samples, results = scored(gate, [DRAWING, FILLED, BLANK, BROKEN, TEXT], allow_text=[False] * 5)
    rows = [sample_monitors(s, r) for s, r in zip(samples, results, strict=True)]
    drawing, filled, blank, broken, text = rows
    assert set(drawing) == set(MONITOR_KEYS)
    assert drawing["draws_something"] == 1.0 and drawing["near_uniform"] == 0.0
    assert drawing["colour_entropy"] > 1.0 and drawing["edge_density"] > 0.0
    assert drawing["text_flag"] == 0.0 and drawing["program_chars"] == len(DRAWING)
    assert filled["near_uniform"] == 1.0 and filled["colour_entropy"] < drawing["colour_entropy"]
    assert blank["blank"] == 1.0 and blank["draws_something"] == 0.0 and blank["colour_entropy"] is None
    assert broken["failed/syntax"] == 1.0 and broken["draws_something"] == 0.0
    assert broken["edge_density"] is None and broken["unjudged"] == 0.0  # a broken program is judged
    assert text["text_flag"] == 1.0  # the gate found the SVG's <text> on a task that allows none
    means = monitors_for(samples, results)
    assert means["draws_something"] == pytest.approx(3 / 5)  # drawing, filled, text
    assert means["failed/syntax"] == pytest.approx(1 / 5)
    assert means["colour_entropy"] == pytest.approx(
        (drawing["colour_entropy"] + filled["colour_entropy"] + text["colour_entropy"]) / 3, abs=1e-3)


def test_an_invented_function_and_an_unjudged_item_are_counted(gate, renderer):
    samples, results = scored(gate, ["function setup(){ createCanvas(64, 64); background(200); "
                                     "paintMagicSky(3); }"], language="p5")
    row = sample_monitors(samples[0], results[0])
    assert row["invented_api"] == 1.0
    assert sample_monitors(samples[0], RewardResult.unjudged("judge down"))["unjudged"] == 1.0
    assert sample_monitors(samples[0], None)["unjudged"] is None


def test_trl_log_metric_receives_the_monitors(gate):
    logged: dict[str, list[float]] = {}

    def log_metric(name: str, value: float) -> None:  # TRL's GRPOTrainer._log_metric contract
        logged.setdefault(name, []).append(value)

    gate([DRAWING, BROKEN], language=["svg", "svg"], log_metric=log_metric)
    assert logged[MONITOR_PREFIX + "draws_something"] == [0.5]
    assert logged[MONITOR_PREFIX + "failed/syntax"] == [0.5]
    assert MONITOR_PREFIX + "colour_entropy" in logged


def test_verl_and_openrlhf_answers_carry_the_monitors(renderer, monkeypatch):
    from codepaint_env.integrations import verl

    monkeypatch.setenv("CODEPAINT_REWARD", "execution_gate")
    monkeypatch.setenv("CODEPAINT_SIZE", "96")
    answers = verl.compute_score_batch(["shapes", "shapes"], [f"```svg\n{DRAWING}\n```", BROKEN],
                                       [None, None], [{"language": "svg"}, {"language": "svg"}])
    assert answers[0][MONITOR_PREFIX + "draws_something"] == 1.0
    assert answers[1][MONITOR_PREFIX + "failed/syntax"] == 1.0
    assert {k for k in answers[0] if k.startswith(MONITOR_PREFIX)} == {k for k in answers[1]
                                                                    if k.startswith(MONITOR_PREFIX)}
    config = TrainerConfig(reward="execution_gate", size="96")
    batch = score_batch([DRAWING, BROKEN], None, [{"language": "svg", "size": [96, 96]}] * 2, config)
    rewards_, judged = [s.reward for s in batch], [s.judged for s in batch]
    answer = openrlhf_contract.openrlhf_answer(rewards_, judged, [True, True], (-1.0, 1.0),
                                               monitors=[s.monitors for s in batch])
    logs = answer["extra_logs"]
    assert logs[MONITOR_PREFIX + "draws_something"] == [1.0, 0.0]
    assert MONITOR_PREFIX + "colour_entropy" not in logs  # the broken program has none: floats only
    assert all(isinstance(v, float) for values in logs.values() for v in values)


monitor_rows = st.lists(st.fixed_dictionaries({
    key: st.one_of(st.none(), st.sampled_from([0.0, 1.0]) if key in RATES
                   else st.floats(0, 1e4, allow_nan=False)) for key in MONITOR_KEYS}),
    min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(monitor_rows)
def test_batch_means_lie_between_the_rows_extremes(rows):
    means = batch_monitors(rows)
    for key, mean in means.items():
        values = [r[key] for r in rows if r[key] is not None]
        assert values and min(values) - 1e-4 <= mean <= max(values) + 1e-4
        assert math.isfinite(mean)
        if key in RATES:
            assert 0.0 <= mean <= 1.0
    assert set(means) == {k for k in MONITOR_KEYS if any(r[k] is not None for r in rows)}
