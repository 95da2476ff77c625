"""Arm B end to end on a tiny random model, through the run-5 plan and the one runner (issue 73 item 3):
the supervised start is fitted on train scenes' reference programs within its budget, saved and merged;
the arm's learner starts from it with what is left of the arm's budget; the start is skipped once done;
the start alone is evaluated as ``B-sft-s0`` and family 2 compares ``B-s0`` against it; the report
judges issue 73's goal from the rows."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.embed, pytest.mark.browser]  # the learner scores, the evaluation renders

if any(importlib.util.find_spec(m) is None for m in ("ctranslate2", "torch", "peft")):
    pytest.skip("needs the local-model and train extras: pip install 'codepaint[local-model,train]'",
                allow_module_level=True)

from codepaint_env.policy.learning.eval_rows import eval_tasks, read_rows  # noqa: E402
from codepaint_env.policy.learning.experiment.runner import main  # noqa: E402
from codepaint_env.testing import build_tiny_lm  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PLAN = str(ROOT / "benchmarks" / "learning" / "plans" / "learning-run-5.toml")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_lm(tmp_path_factory.mktemp("tiny") / "lm", init_std=0.5)


def _with_rft(folder: Path) -> str:
    """Run 5's plan with rft in both arms: the supervised start comes first, whichever learner follows."""
    text = Path(PLAN).read_text().replace('learner = "grpo"', 'learner = "rft"')
    grpo_only = ("num_generations", "scenes_per_step", "validate_every")
    path = folder / "learning-run-5.toml"
    path.write_text("\n".join(line for line in text.splitlines() if not line.startswith(grpo_only)) + "\n")
    return str(path)


def test_arm_b_fits_its_start_trains_from_it_and_is_compared_with_it(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("CODEPAINT_CACHE_DIR", str(tmp_path / "cache"))
    run, out = tmp_path / "run", tmp_path / "docs"
    sets = [f'run="{run}"', f'out="{out}"', 'status="final"', 'written=""', f'model.name="{tiny}"',
            "model.bigger=[]", "eval.control=false", 'comparisons.3.against="base"',
            'train.reward="gate:0.2,checks:0.8"', "train.cpu_budget_s=3600", "train.max_tokens=400",
            "train.threads=1", "train.lora={rank=4, alpha=8}",
            "arms.A.seeds=[0]", "arms.B.seeds=[0]", 'comparisons.1.models=["A-s0", "B-s0"]',
            'comparisons.2.models=["B-s0"]', 'comparisons.3.models=["A-s0", "B-s0"]',
            "arms.B.settings.sft_budget_s=120", "arms.B.settings.sft_scenes=3",
            "arms.B.settings.sft_epochs=2", "arms.B.settings.sft_batch=2", "arms.B.settings.sft_lr=0.01",
            "arms.B.settings.k=2", "arms.B.settings.scenes=2", "eval.seed=7",
            'eval.reward="gate:0.2,checks:0.8"', 'eval.folder="eval-1x2-seed7"',
            'eval.rescore="gate:0.2,checks:0.8"', "eval.levels=[0]",
            "eval.tasks=1", "eval.samples=2", "eval.max_tokens=12"]
    args = [_with_rft(tmp_path), *(a for s in sets for a in ("--set", s))]
    assert main([*args, "--stage", "train", "--arm", "B", "--seed", "0", "--pieces", "1"], root=ROOT) == 0

    start = run / "B-sft-s0"
    report = json.loads((start / "report.json").read_text())
    assert report["examples"] > 0 and report["optimizer_steps"] > 0 and report["cpu_s"] > 0
    assert report["loss"]["last"] < report["loss"]["first"]  # it learns its reference programs
    data = json.loads((start / "data.json").read_text())
    assert data["splits"] == ["train"] and data["task_ids"]
    assert not set(data["task_ids"]) & set(eval_tasks([0, 1, 2], 48))  # no eval scene
    assert (start / "final" / "config.json").exists() and (start / "adapter" / "adapter_config.json").exists()
    learner = json.loads((run / "B-s0" / "config.json").read_text())
    assert learner["model"] == str(start / "final")  # the learner starts from the supervised start
    assert learner["cpu_budget_s"] == pytest.approx(3600 - report["cpu_s"])  # inside the arm's budget
    assert (run / "B-s0" / "rounds" / "round-000" / "report.json").exists()

    written = (start / "report.json").stat().st_mtime_ns
    assert main([*args, "--stage", "train", "--arm", "B", "--seed", "0", "--pieces", "1"], root=ROOT) == 0
    assert (start / "report.json").stat().st_mtime_ns == written  # done: skipped
    assert (run / "B-s0" / "rounds" / "round-001" / "report.json").exists()  # the learner resumed

    assert main([*args, "--stage", "eval", "--unfinished"], root=ROOT) == 0
    assert [len(read_rows(out / f"rows-{tag}.jsonl.gz")) for tag in ("B-sft-s0", "B-s0")] == [2, 2]
    models = json.loads((out / "models.json").read_text())
    assert models["B-sft-s0"]["stage"] == "B-sft"
    assert models["B-sft-s0"]["evaluated"].endswith("B-sft-s0/final")
    assert "not trained" in models["A-s0"]["why"]
    result = json.loads((out / "report.json").read_text())
    two = result["families"]["2"]
    assert [(c["after"], c["before"], c["measure"]) for c in two] == [("B-s0", "B-sft-s0", "c")]
    assert two[0]["p"] is not None  # both evaluated: compared
    assert result["run"] == 5 and {"B-sft-s0", "B-s0", "base"} <= set(result["collapse"])
    assert result["goal"]["arms"]["B"]["seeds"][0]["start"] == "B-sft-s0"
    assert result["goal"]["reached"] is not True  # a tiny random model reaches nothing
    text = (out / "report.md").read_text()
    assert "| B-s0 (from B-sft-s0) | (c) all stated claims pass |" in text
    assert "final: the supervised start alone" in text and "template_collapse:" in text
