"""The examples run as their docstrings say (offline: scripted policy, stand-in judge, tiny model)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from codepaint_env.testing.judge_server import JudgeServer

pytestmark = [pytest.mark.browser, pytest.mark.embed]

ROOT = Path(__file__).resolve().parents[2]

CLOCK = """import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(4, 4))
ax.add_patch(plt.Circle((0.5, 0.5), 0.4, fill=False, lw=4))
ax.plot([0.5, 0.5], [0.5, 0.8], lw=3)
ax.set_aspect("equal"); ax.axis("off")
plt.savefig(OUTPUT_PATH)
"""


def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def test_self_refine_flags_claims_that_change_nothing(tmp_path):
    v1 = tmp_path / "v1.py"
    v1.write_text(CLOCK)
    v2 = tmp_path / "v2.py"  # claims a change, changes only a comment
    v2.write_text("# CHANGES: made the hands thicker and added numerals\n" + CLOCK)
    v3 = tmp_path / "v3.py"  # claims a change and makes it
    v3.write_text(
        "# CHANGES: added the minute hand\n"
        + CLOCK.replace("plt.savefig", "ax.add_patch(plt.Circle((0.5, 0.5), 0.12, color='red'))\nplt.savefig")
    )
    with JudgeServer() as server:
        out = run(
            "examples/self_refine.py",
            "--scripted",
            str(v1),
            str(v2),
            str(v3),
            "--language",
            "python",
            "--prompt",
            "a wall clock showing 10:10",
            "--base-url",
            server.url,
            "--api-key",
            "x",
            "--judge-model",
            "standin",
            "--iterations",
            "3",
            "--size",
            "128",
            "--output-dir",
            str(tmp_path / "run"),
        )
    assert out.returncode == 0, out.stderr
    records = [json.loads((tmp_path / "run" / f"iter-0{i}" / "record.json").read_text()) for i in (1, 2, 3)]
    assert records[1]["flag"] == "claimed a change, pixels barely moved"
    assert records[2]["flag"] is None and records[2]["visible_change"]["pixel_fraction"] > 0.001
    assert "Image 1" in (tmp_path / "run" / "iter-01" / "critique.txt").read_text()  # the judge's critique
    assert "barely moved" in out.stdout


def test_reward_ablation_writes_a_report(tmp_path):
    out = run(
        "examples/reward_ablation.py",
        "--rewards",
        "execution_gate,classic",
        "--limit",
        "4",
        "--probes",
        "3",
        "--output-dir",
        str(tmp_path / "abl"),
    )
    assert out.returncode == 0, out.stderr
    report = (tmp_path / "abl" / "report.md").read_text()
    assert "AUC love vs reject" in report and "| classic |" in report and "Hacking probes" in report
    assert (tmp_path / "abl" / "distributions.png").stat().st_size > 1000
    assert (tmp_path / "abl" / "scatter.png").is_file() and (tmp_path / "abl" / "scores.csv").is_file()


def test_grpo_smoke_runs_two_steps(tmp_path):
    out = run("examples/grpo_trl.py", "--smoke", "--output-dir", str(tmp_path / "grpo"), timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "step 1: reward" in out.stdout and "step 2: reward" in out.stdout


def test_a_micro_batch_that_does_not_divide_the_batch_is_refused_before_anything_loads(tmp_path):
    out = run("examples/grpo_trl.py", "--model", "smollm2-135m", "--batch-size", "8",
              "--num-generations", "4", "--micro-batch", "3", "--output-dir", str(tmp_path / "never"),
              timeout=120)
    assert out.returncode == 2
    assert "--micro-batch 3 must divide the batch (8 completions a step)" in out.stderr
    assert not (tmp_path / "never").exists()


def test_grpo_smoke_with_a_curriculum_and_one_advantage_per_check_kind(tmp_path):
    """TRL reads the curriculum as its dataset, normalises each check kind apart, logs the split of a step."""
    out = run("examples/grpo_trl.py", "--smoke", "--language", "svg", "--levels", "0,1", "--curriculum",
              "--split-checks", "--aggregation", "normalize_then_sum", "--output-dir", str(tmp_path / "cur"),
              timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "step 2: reward" in out.stdout and "curriculum: frontier level 0 after 8 samples" in out.stdout
    state = json.loads((tmp_path / "cur" / "curriculum.json").read_text())
    assert state["frontier"] == 0 and state["recorded"] == 8  # the random model fails the gate: no move
    header = (tmp_path / "cur" / "curves.csv").read_text().splitlines()[0].split(",")
    assert "'rewards/checks/count/mean': None" in out.stdout  # a kind with no gate-passing sample: None
    for column in ("rewards/gate/mean", "rewards/curriculum/mean",
                   "codepaint/curriculum/frontier", "codepaint/time/generate", "codepaint/time/render",
                   "codepaint/time/score"):
        assert column in header, column


def test_grpo_vlm_smoke_shows_the_policy_its_pictures(tmp_path):
    out = run("examples/grpo_trl.py", "--vlm", "--smoke", "--output-dir", str(tmp_path / "vlm"), timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "step 1: reward" in out.stdout and "step 2: reward" in out.stdout
    # The scripted sailboat's render went back to the policy as a picture: encoded while it generated after
    # the tool call, and in the training forward pass.
    assert "pictures in the policy's forward passes: 1 while generating, 1 in training" in out.stdout
    # The environment's reward is the only one; the sailboat lifted the group mean above the floor (-1).
    step1 = re.search(r"step 1: reward (\S+) ± \S+  CodePaintToolEnv (\S+)\n", out.stdout)
    assert step1 and step1[1] == step1[2] and float(step1[1]) > -1.0


def test_gym_quickstart():
    out = run("examples/gym_quickstart.py")
    assert out.returncode == 0, out.stderr
    assert "turn 1: reward" in out.stdout, out.stdout
    if "turn 1: not judged" in out.stdout:
        # On a machine overloaded by other work the render is infra, said with its reason, and the
        # episode has no picture to compare the no-op edit with: both are the env's right answers.
        assert "infra" in out.stdout or "overloaded" in out.stdout, out.stdout
    else:
        assert "no visible change: True" in out.stdout, out.stdout
