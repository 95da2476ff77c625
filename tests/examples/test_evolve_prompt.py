"""Prompt evolution: the scripted endpoint behaves as written, and examples/evolve_prompt.py runs offline.

The example runs as a user runs it (a subprocess): GEPA, the scripted policy and reflection on a
loopback HTTP server, real renders, the stand-in judge.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from codepaint_env.render.extract import extract_code
from codepaint_env.tasks.prompts import system_prompt
from codepaint_env.testing.scripted_policy import (
    INVENTED,
    POLICY_MODEL,
    REFLECTION_MODEL,
    ScriptedPolicy,
    ScriptedPolicyServer,
    ScriptedReflection,
    invention_rate,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TASK = "Paint a single peach hibiscus in loose watercolour."
SKETCH = "function setup() {\n  createCanvas(64, 64, WEBGL);\n  background(250);\n}\n"
ALLOWLIST, REFERENCE = system_prompt("p5brush", "allowlist"), system_prompt("p5brush", "reference")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "examples/evolve_prompt.py", *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)


def test_the_scripted_policy_invents_more_under_a_prompt_that_documents_more():
    policy = ScriptedPolicy({TASK: [SKETCH]})
    assert invention_rate(ALLOWLIST) == pytest.approx(0.1) and invention_rate(REFERENCE) == pytest.approx(0.8)
    rates = {}
    for name, prompt in (("allowlist", ALLOWLIST), ("reference", REFERENCE)):
        made_up = [policy.write(prompt, TASK, seed)[1] for seed in range(300)]
        rates[name] = sum(m is not None for m in made_up) / len(made_up)
    assert rates["allowlist"] < 0.2 < 0.65 < rates["reference"]
    # a prompt never suffers a made-up method it names; the program still carries the call it invents
    forbidding = REFERENCE + "\nNever call brush.bleed or brush.glaze."
    seen = {policy.write(forbidding, TASK, seed)[1] for seed in range(300)}
    assert seen and not seen & {"brush.bleed", "brush.glaze"}
    reply, invented = next(r for r in (policy.write(REFERENCE, TASK, s) for s in range(50)) if r[1])
    assert f"{invented}(0.4);" in extract_code(reply, "p5brush")
    assert policy.write(ALLOWLIST, "Paint a bicycle.", 0) == (
        "I was only scripted for a few tasks; I have no program for this one.", None)


def test_the_scripted_reflection_edits_through_gepas_own_prompt_and_parser():
    from gepa.strategies.instruction_proposal import InstructionProposalSignature as Sig

    dataset = [{"Inputs": {"task": TASK}, "Generated Outputs": SKETCH,
                "Feedback": "program 1: rendered; invented API: brush.bleed (not p5.brush methods)"}]
    prompt = Sig.prompt_renderer({"current_instruction_doc": REFERENCE, "dataset_with_feedback": dataset})
    assert isinstance(prompt, str)
    new = Sig.output_extractor(ScriptedReflection().propose(prompt))["new_instruction"]
    assert "Never call brush.bleed" in new and "one ```js block" in new  # the inner fence survives
    assert invention_rate(new) < invention_rate(REFERENCE) and len(new) < len(REFERENCE) + 60
    # nothing to forbid or delete: the allowlist prompt comes back as it was
    quiet = [{"Inputs": {"task": TASK}, "Generated Outputs": SKETCH, "Feedback": "program 1: rendered"}]
    prompt = Sig.prompt_renderer({"current_instruction_doc": ALLOWLIST, "dataset_with_feedback": quiet})
    assert isinstance(prompt, str)
    assert Sig.output_extractor(ScriptedReflection().propose(prompt))["new_instruction"] == ALLOWLIST.strip()


def test_the_scripted_server_answers_as_an_openai_endpoint():
    with ScriptedPolicyServer({TASK: [SKETCH]}) as server:
        client = openai.OpenAI(base_url=server.url, api_key="x", max_retries=0)
        assert {m.id for m in client.models.list()} == {POLICY_MODEL, REFLECTION_MODEL}
        reply = client.chat.completions.create(model=POLICY_MODEL, seed=3, messages=[
            {"role": "system", "content": ALLOWLIST}, {"role": "user", "content": TASK}])
        code = extract_code(reply.choices[0].message.content or "", "p5brush")
        assert "createCanvas(64, 64, WEBGL)" in code
        with pytest.raises(openai.BadRequestError):
            client.chat.completions.create(model=POLICY_MODEL, messages=[])
        assert server.stats()["policy"] == 1 and server.stats()["bad_request"] == 1
    assert len(INVENTED) >= 3


def test_evolve_prompt_smoke_and_compare_run_offline(tmp_path):
    out = run("--smoke", "--iterations", "2", "--output-dir", str(tmp_path / "evolve"))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "SCRIPTED policy and reflection" in out.stdout and "stand-in judge" in out.stdout
    run_dir = tmp_path / "evolve"
    rows = json.loads((run_dir / "candidates.json").read_text())
    assert rows[0]["candidate"] == 0 and rows[0]["prompt_chars"] == len(REFERENCE)  # the seed prompt
    for key in ("mean_reward", "invented_api_rate", "render_failure_rate", "unjudged", "prompt_chars",
                "best"):
        assert all(key in r for r in rows)
    assert rows[0]["invented_api_rate"] == 1.0  # the scripted policy under the long reference
    with (run_dir / "candidates.csv").open() as fh:
        assert len(list(csv.DictReader(fh))) == len(rows)
    best = next(r for r in rows if r["best"])
    front = json.loads((run_dir / "pareto_front.json").read_text())
    assert set(front) == {"gepa_front_per_task", "trade_off_front", "prompts"}
    best_prompt = front["prompts"][str(best["candidate"])]
    assert (run_dir / "best_prompt.txt").read_text().strip() == best_prompt.strip()
    assert (run_dir / "evolution.png").stat().st_size > 5000
    # the reflection model read the feedback: every proposal forbids the methods the programs made up
    log = (run_dir / "gepa" / "run_log.txt").read_text()
    assert log.count("Proposed new text") == 2 and log.count("Never call brush.") >= 2

    out = run("--smoke", "--compare", "allowlist,reference", "--output-dir", str(tmp_path / "compare"))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "SCRIPTED" in out.stdout
    compared = {r["prompt"]: r for r in json.loads((tmp_path / "compare" / "compare.json").read_text())}
    assert set(compared) == {"allowlist", "reference"}
    assert compared["allowlist"]["invented_api_rate"] < compared["reference"]["invented_api_rate"]
    assert compared["allowlist"]["mean_reward"] > compared["reference"]["mean_reward"]
    assert compared["allowlist"]["prompt_chars"] < compared["reference"]["prompt_chars"]
    assert (tmp_path / "compare" / "compare.csv").is_file()
