"""A model byte for byte another's that is evaluated already takes that evaluation (a step-0 checkpoint)."""

from __future__ import annotations

import json
from pathlib import Path

from codepaint_env.policy.learning.experiment import load_plan
from codepaint_env.policy.learning.experiment.commands import Model, evaluations
from codepaint_env.policy.learning.experiment.stages import (
    evaluate_model,
    finished_eval,
    model_fingerprint,
    same_model_evaluated,
)

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "benchmarks" / "learning" / "plans" / "learning-run-5.toml"


def _model(folder: Path, weights: bytes, marker: dict | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(weights)
    (folder / "config.json").write_text('{"model_type": "qwen2"}')
    if marker is not None:  # the learner's note of the round a checkpoint was taken from
        (folder / "codepaint-round.json").write_text(json.dumps(marker))
    return folder


def _evaluated(plan, tag: str, model: Path) -> None:
    """Finished evaluation folders of ``tag`` (every sample judged), as ``codepaint eval`` leaves them."""
    for _, _, folder in evaluations(plan, Model(tag, "any"), "-"):
        folder.mkdir(parents=True)
        (folder / "run.json").write_text(json.dumps({"model": str(model), "seed": 7373}))
        (folder / "summary.json").write_text(json.dumps({"missing_samples": 0, "mean_reward": {}}))
        (folder / "rollouts.jsonl").write_text(json.dumps({"task_id": folder.name, "reward": 0.5}) + "\n")


def test_a_checkpoint_chosen_at_step_0_takes_its_starts_evaluation(tmp_path):
    plan = load_plan(PLAN, root=ROOT, overrides=[f'run="{tmp_path / "run"}"'])
    start = _model(tmp_path / "B-sft-s1" / "final", b"the same weights")
    chosen = _model(tmp_path / "B-s1" / "chosen", b"the same weights", marker={"step": 0})
    _evaluated(plan, "B-sft-s1", start)
    assert model_fingerprint(start) == model_fingerprint(chosen)  # the learner's note is not the model
    assert same_model_evaluated(plan, "B-s1", str(chosen)) == "B-sft-s1"

    evaluate_model(plan, "B-s1", str(chosen))  # would run codepaint eval if it did not take the copy

    assert finished_eval(plan, "B-s1")
    mine = evaluations(plan, Model("B-s1", "any"), "-")
    theirs = evaluations(plan, Model("B-sft-s1", "any"), "-")
    for (_, _, folder), (_, _, source) in zip(mine, theirs, strict=True):
        assert (folder / "rollouts.jsonl").read_text() == (source / "rollouts.jsonl").read_text()
        record = json.loads((folder / "run.json").read_text())
        assert record["model"] == str(chosen)  # what was asked for, and where its samples came from
        assert record["same_model_as"] == {"tag": "B-sft-s1", "model": str(start), "folder": str(source)}


def test_other_weights_are_evaluated_on_their_own(tmp_path):
    plan = load_plan(PLAN, root=ROOT, overrides=[f'run="{tmp_path / "run"}"'])
    start = _model(tmp_path / "B-sft-s0" / "final", b"the start's weights")
    stepped = _model(tmp_path / "B-s0" / "chosen", b"the weights after 10 steps")
    same_size = _model(tmp_path / "B-s0" / "other", b"the start's weightz")
    _evaluated(plan, "B-sft-s0", start)
    assert same_model_evaluated(plan, "B-s0", str(stepped)) is None
    assert same_model_evaluated(plan, "B-s0", str(same_size)) is None  # same sizes, one byte differs
    assert same_model_evaluated(plan, "B-s0", "qwen2.5-coder-0.5b") is None  # a name, not a folder
    assert same_model_evaluated(plan, "B-sft-s0", str(start)) is None  # never itself
