"""Learning run 4's evaluation end to end on a tiny random model, through its plan and the one runner: the
eval seed reaches ``codepaint eval``, every sample is exported as a committed row, and the report is made
from those rows alone, naming the models not yet evaluated (benchmarks/learning/plans/learning-run-4.toml;
issues 55 and 73)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.embed, pytest.mark.browser]  # codepaint eval in a subprocess renders

if any(importlib.util.find_spec(m) is None for m in ("ctranslate2", "torch", "peft")):
    pytest.skip("needs the local-model and train extras: pip install 'codepaint[local-model,train]'",
                allow_module_level=True)

from codepaint_env.policy.learning.eval_rows import read_rows  # noqa: E402
from codepaint_env.policy.learning.experiment.runner import main  # noqa: E402
from codepaint_env.testing import build_tiny_lm  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PLAN = str(ROOT / "benchmarks" / "learning" / "plans" / "learning-run-4.toml")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_lm(tmp_path_factory.mktemp("tiny") / "lm", init_std=0.5)


def test_run_4_evaluates_with_its_seed_exports_every_sample_and_reports_from_the_rows(tiny, tmp_path,
                                                                                       monkeypatch):
    monkeypatch.setenv("CODEPAINT_CACHE_DIR", str(tmp_path / "cache"))
    run, out = tmp_path / "run", tmp_path / "docs"
    (run / "rft-s0").mkdir(parents=True)  # a seed still training: not evaluated, and said so
    (run / "rft-s0" / "config.json").write_text(json.dumps({"cpu_budget_s": 7200.0}))
    big = f"base-{Path(tiny).name}"
    sets = [f'run="{run}"', f'out="{out}"', f'model.name="{tiny}"', f'model.bigger=["{tiny}"]',
            f'comparisons.3.against="{big}"', "eval.levels=[0]", "eval.tasks=1", "eval.samples=2",
            "eval.max_tokens=12", 'eval.folder="eval-1x2-seed5055"']
    args = [PLAN, *(a for s in sets for a in ("--set", s))]
    assert main([*args, "--stage", "eval", "--only", "base"], root=ROOT) == 0  # what one session trained
    assert (out / "rows-base.jsonl.gz").exists() and not (out / "rows-control.jsonl.gz").exists()
    assert not (run / "eval-1x2-seed5055" / "control").exists()
    assert main([*args, "--stage", "eval"], root=ROOT) == 0  # the rest; the base is not sampled again

    root = run / "eval-1x2-seed5055"
    record = json.loads((root / "base" / "level-0" / "run.json").read_text())
    assert record["seed"] == 5055 and record["samples"] == 2 and record["engine"] == "ct2"
    rows = read_rows(out / "rows-base.jsonl.gz")
    assert [r["sample"] for r in rows] == [0, 1] and {r["level"] for r in rows} == {0}
    assert {"task_id", "gate_pass", "checks", "reward", "program", "gate_parts"} <= set(rows[0])
    assert rows[0]["checks"] and all(v in (True, False, None) for v in rows[0]["checks"].values())
    # the control and the bigger base (here the tiny model again) sample what the base samples
    assert read_rows(out / "rows-control.jsonl.gz") == rows
    assert read_rows(out / f"rows-{big}.jsonl.gz") == rows
    models = json.loads((out / "models.json").read_text())
    assert models["control"]["evaluated"].endswith("control/final") and models["base"]["samples"] == 2
    # every program scored again at this commit: one set of checks for every model
    assert models["base"]["scored"]["reward"] == "gate:0.2,checks:0.8"
    assert len(models["base"]["scored"]["commit"]) == 40
    assert "training not finished" in models["rft-s0"]["why"] and "not trained" in models["grpo-s1"]["why"]

    report = json.loads((out / "report.json").read_text())
    two = report["families"]["2"]
    assert len(two) == 4 and all(c["p"] is not None and c["diff"] == 0.0 for c in two if c["tasks"])
    assert {c["after"] for c in report["families"]["1"] if c["p"] is None} == {"rft-s0", "rft-s1", "grpo-s0",
                                                                                "grpo-s1"}
    assert {(r["stage"], r["run"]) for r in report["runs"]} == {("base", 4), ("control", 4)}
    text = (out / "report.md").read_text()
    assert "not yet evaluated (training not finished:" in text and "sampling seed 5055" in text
    assert "benchmarks/learning/run.py benchmarks/learning/plans/learning-run-4.toml --stage report" in text

    # the report again from the rows alone: the same numbers, nothing evaluated
    (out / "report.json").unlink()
    assert main([*args, "--stage", "report"], root=ROOT) == 0
    assert json.loads((out / "report.json").read_text()) == report

    # --only: one model's rows exported again, every other model's rows and description untouched
    base_file, control_file = out / "rows-base.jsonl.gz", out / "rows-control.jsonl.gz"
    base_file.write_bytes(base_file.read_bytes())  # the same bytes, a known modification time
    before_base, before_control = base_file.stat().st_mtime_ns, control_file.stat().st_mtime_ns
    control_file.unlink()
    assert main([*args, "--stage", "export", "--only", "control"], root=ROOT) == 0
    assert base_file.stat().st_mtime_ns == before_base and control_file.stat().st_mtime_ns > before_control
    assert read_rows(control_file) == rows
    assert json.loads((out / "models.json").read_text())["base"] == models["base"]
