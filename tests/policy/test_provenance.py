"""A learner's run records the commit it started and resumed on (learning run 4's reward is that commit's)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from codepaint_env.policy.learning.provenance import machine, record_commit, record_machine

ROOT = Path(__file__).resolve().parents[2]


def test_each_start_appends_the_commit(tmp_path):
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()
    assert record_commit(tmp_path / "rft-s0", ROOT) == head
    record_commit(tmp_path / "rft-s0", ROOT)  # a resume
    lines = (tmp_path / "rft-s0" / "commits.txt").read_text().splitlines()
    stamp = rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d {head}"
    assert len(lines) == 2 and all(re.fullmatch(stamp, x) for x in lines)


def test_outside_git_it_says_unknown(tmp_path):
    assert record_commit(tmp_path / "out", tmp_path) == "unknown"


CPUINFO = """processor\t: 0
model name\t: Intel(R) Xeon(R) Processor
flags\t\t: fpu sse avx2 avx512f avx512_bf16 amx_bf16 amx_tile
processor\t: 1
model name\t: Intel(R) Xeon(R) Processor
flags\t\t: fpu sse avx2 avx512f avx512_bf16 amx_bf16 amx_tile
"""


def test_each_start_records_the_cpu_a_cpu_second_was_spent_on(tmp_path):
    said = machine(CPUINFO)
    assert said.startswith('cpu="Intel(R) Xeon(R) Processor" cpus=')
    assert said.endswith(" flags=avx2,avx512f,avx512_bf16,amx_bf16")
    assert machine("model name : Old\nflags : fpu avx2\n").endswith("flags=avx2")
    assert machine("").startswith('cpu="unknown"') and machine("").endswith("flags=-")
    record_machine(tmp_path / "grpo-s0")
    record_machine(tmp_path / "grpo-s0")  # a resume, maybe on another machine
    lines = (tmp_path / "grpo-s0" / "machines.txt").read_text().splitlines()
    assert len(lines) == 2 and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d cpu=.* cpus=\d+ flags=.*", x)
                                   for x in lines)


def test_the_report_says_which_cpu_each_trained_model_spent_its_budget_on():
    from codepaint_env.policy.learning.experiment.rows_report import machines_text

    fast = 'cpu="Xeon" cpus=2 flags=avx2,avx512f,avx512_bf16,amx_bf16'
    slow = 'cpu="Xeon" cpus=2 flags=avx2'
    text = machines_text({"base": {"stage": "base"}, "A-s0": {"machine": fast}, "A-s1": {"machine": fast},
                          "B-s0": {"machine": slow}})
    assert f"- A-s0, A-s1: {fast}" in text and f"- B-s0: {slow}" in text
    assert machines_text({"base": {"stage": "base"}}) == ""  # run 4's models name no machine: no line
