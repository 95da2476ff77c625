"""`codepaint eval` records what produced its rows, and `--resume` refuses to mix rows made under another.

Two policies where a real model is not the point: the scripted policy behind a real
OpenAI-compatible server on loopback (an endpoint: /v1/models recorded, no hash), and a tiny
random causal LM in a folder (a local model: the hash of its weight file). Renders are real
(Chromium), the reward is the execution gate.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json

import pytest

from codepaint_env.core.version import __version__
from codepaint_env.policy.evaluate import EvalConfig, EvalError, run_eval
from codepaint_env.policy.hashing import files_sha256
from codepaint_env.policy.provenance import tasks_sha256
from codepaint_env.tasks import Task, load_tasks
from codepaint_env.testing.scripted_policy import POLICY_MODEL, REFLECTION_MODEL, ScriptedPolicyServer

pytestmark = pytest.mark.browser

SVG = {"a red square": '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
                       '<rect x="8" y="8" width="48" height="48" fill="#d22"/></svg>',
       "a blue disc": '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
                      '<circle cx="32" cy="32" r="24" fill="#23d"/></svg>'}


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """The remembered sha256s in the test's own folder."""
    monkeypatch.setenv("CODEPAINT_CACHE_DIR", str(tmp_path / "cache"))


def _task_file(path, *, second_prompt="Draw a blue disc."):
    tasks = [Task(id="prov-a", prompt="Draw a red square.", language="svg", size=(64, 64), split="eval"),
             Task(id="prov-b", prompt=second_prompt, language="svg", size=(64, 64), split="eval")]
    path.write_text("".join(json.dumps(t.to_row()) + "\n" for t in tasks), encoding="utf-8")
    return path


def _rows(out):
    return (out / "rollouts.jsonl").read_text().splitlines()


def test_an_endpoint_run_records_its_models_list_and_resume_refuses_another_suite(tmp_path, renderer):
    tasks_file = _task_file(tmp_path / "tasks.jsonl")
    out = tmp_path / "run"
    programs = {"red square": [SVG["a red square"]], "blue disc": [SVG["a blue disc"]]}
    with ScriptedPolicyServer(programs) as server:
        def config(samples: int, resume: bool = True) -> EvalConfig:
            return EvalConfig(out=out, base_url=server.url, served_model=POLICY_MODEL, suite=str(tasks_file),
                              samples=samples, reward="execution_gate", size=64, max_tokens=64,
                              resume=resume, progress=False)

        summary = run_eval(config(1, resume=False), renderer=renderer, log=lambda _: None)
        prov = summary["provenance"]
        assert prov == json.loads((out / "run.json").read_text())["provenance"]
        assert prov["codepaint"]["version"] == __version__
        model = prov["model"]
        assert model["kind"] == "endpoint" and model["base_url"] == server.url and model["sha256"] is None
        assert "cannot be read from here" in model["reason"]
        assert [m["id"] for m in model["models"]] == [POLICY_MODEL, REFLECTION_MODEL]
        assert all("created" not in m for m in model["models"])  # a time, not an identity
        used = [t for t in load_tasks(tasks_file) if t.split == "eval"]
        assert prov["suite"]["id"] == str(tasks_file) and prov["suite"]["tasks"] == 2
        assert prov["suite"]["sha256"] == tasks_sha256(used)
        assert prov["reward"] == "execution_gate" and prov["seeds"]["seed"] == 0
        assert summary["gate_pass_rate"] == 1.0  # the scripted programs draw
        assert "model sha256</td><td>none: an endpoint" in (out / "index.html").read_text()

        # the same provenance: resuming adds rows
        run_eval(config(2), renderer=renderer, log=lambda _: None)
        assert len(_rows(out)) == 4
        # a task's text changed (same ids, so the settings match): new rows would be mixed with old ones
        _task_file(tasks_file, second_prompt="Draw a blue disc on white.")
        with pytest.raises(EvalError) as e:
            run_eval(config(3), renderer=renderer, log=lambda _: None)
        assert "other provenance (suite.sha256: " in str(e.value) and "choose another --out" in str(e.value)
        assert len(_rows(out)) == 4 and json.loads((out / "run.json").read_text())["provenance"] == prov
        # nothing to add: no row is mixed, and the folder keeps the provenance of the rows it holds
        again = run_eval(config(2), renderer=renderer, log=lambda _: None)
        assert again["provenance"] == prov and again["samples"] == 4


@pytest.mark.embed
def test_a_local_model_is_named_by_its_weights_and_resume_refuses_other_weights(tmp_path, renderer):
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None:
        pytest.skip("needs the local-model extra: pip install 'codepaint[local-model]'")
    from codepaint_env.testing import build_tiny_lm

    folder = build_tiny_lm(tmp_path / "lm", seed=0)
    out = tmp_path / "run"

    def config(samples: int, resume: bool = True) -> EvalConfig:
        return EvalConfig(out=out, model=str(folder), suite="svg", limit=1, samples=samples,
                          reward="execution_gate", size=64, max_tokens=8, device="cpu", threads=1,
                          resume=resume, progress=False)

    summary = run_eval(config(1, resume=False), renderer=renderer, log=lambda _: None)
    model = summary["provenance"]["model"]
    weights = sorted(p.name for p in folder.iterdir() if p.suffix == ".safetensors")
    assert model["kind"] == "folder" and model["path"] == str(folder) and weights
    assert model["sha256"] == files_sha256([(n, folder / n) for n in weights])[0]
    assert [f["name"] for f in model["files"]] == weights
    assert f"model sha256</td><td>{model['sha256']}" in (out / "index.html").read_text()
    packages = summary["provenance"]["packages"]
    for name in ("torch", "transformers", "trl"):
        installed = importlib.util.find_spec(name) is not None
        assert packages[name] == (importlib.metadata.version(name) if installed else None)

    build_tiny_lm(folder, seed=1, overwrite=True)  # other weights in the same folder
    with pytest.raises(EvalError, match=r"other provenance \(model.sha256: "):
        run_eval(config(2), renderer=renderer, log=lambda _: None)
    assert len(_rows(out)) == 1

    # rows from before provenance was recorded cannot be told apart from new ones
    record = json.loads((out / "run.json").read_text())
    del record["provenance"]
    (out / "run.json").write_text(json.dumps(record))
    with pytest.raises(EvalError, match="before codepaint recorded what made them"):
        run_eval(config(2), renderer=renderer, log=lambda _: None)
