"""Where the picture goes: real chat templates keep it in a user message, far fewer in a tool message.

Runs ``benchmarks/validity/image_placement.py``'s measurement over the templates saved in
``benchmarks/data/chat_templates/`` (jinja only: no tokenizer, no model, no network), asserts the
classification ``index.json`` records for each, checks that ``docs/image-placement.md`` is what the
benchmark writes from this measurement (so the page cannot drift from the data), and that codepaint's
adapters default to the placement the measurement supports.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

pytest.importorskip("transformers")  # its renderer (render_jinja_template) is what is measured

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "validity" / "image_placement.py"
INTEGRATIONS = ROOT / "src" / "codepaint_env" / "integrations"


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("image_placement", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
TEMPLATES = bench.load_index()


@pytest.fixture(scope="module")
def results():
    return bench.measure(TEMPLATES)


def test_the_index_lists_every_saved_template_with_its_source():
    saved = {p.name for p in bench.TEMPLATES.glob("*.jinja")}
    assert saved == {t.file for t in TEMPLATES}
    for t in TEMPLATES:
        assert t.source.get("repo") or t.source.get("hub"), t.file
        assert t.source.get("path") and t.source.get("licence"), t.file
        assert set(t.expected) == {"user", "tool"} and t.placeholder, t.file
        assert t.placeholder in t.text or not t.vlm, f"{t.file}: its placeholder is not in the template"
    vlm = [t for t in TEMPLATES if t.vlm]
    assert len(vlm) >= 8 and len({t.family for t in vlm}) >= 8


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.file for t in TEMPLATES])
def test_each_template_does_what_the_index_says(template, results):
    got = {p: results[template.file][p].status for p in bench.PLACEMENTS}
    assert got == template.expected, {p: results[template.file][p].detail for p in bench.PLACEMENTS}
    for probe in results[template.file].values():
        assert probe.images in (0, 1)  # one picture, at most one placeholder


def test_the_families_behave_as_documented(results):
    def status(file: str, placement: str) -> str:
        return results[file][placement].status

    # the Qwen3-VL template (also codepaint's tiny test VLM) renders the call and keeps the picture
    qwen3_vl = results["trl-qwen3_vl.jinja"]["tool"]
    assert qwen3_vl.status == "kept" and qwen3_vl.call_rendered
    # Mistral and Llama 4 print a tool message's content list as text: the picture is lost without an error
    assert results["llamacpp-mistralai-Mistral-Small-3.1-24B-Instruct-2503.jinja"]["tool"].detail == \
        "content list printed as text"
    assert status("vllm-tool_chat_template_llama4_json.jinja", "tool") == "dropped"
    # templates with no tool role refuse the tool message
    for file in ("trl-gemma3.jinja", "vllm-template_pixtral_hf.jinja", "trl-llava_next.jinja"):
        assert status(file, "tool") == "error" and status(file, "user") == "kept"
    # the text-only control never renders a picture
    assert status("smollm2.jinja", "user") == status("smollm2.jinja", "tool") == "error"


def test_user_placement_works_with_most_templates(results):
    kept = bench.counts(TEMPLATES, results)
    assert kept["user"] > kept["tool"]
    assert bench.best_placement(TEMPLATES, results) == "user"


def test_the_doc_is_the_measurement(results):
    assert bench.DOC.read_text(encoding="utf-8") == bench.markdown(TEMPLATES, results), \
        "docs/image-placement.md is stale: run .venv/bin/python benchmarks/validity/image_placement.py"


def test_the_tiny_vlm_uses_the_measured_qwen3_vl_template():
    trl = pytest.importorskip("trl")
    shipped = Path(trl.__file__).parent / "chat_templates" / "qwen3_vl.jinja"
    saved = bench.TEMPLATES / "trl-qwen3_vl.jinja"
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (shipped, saved)]
    assert digest[0] == digest[1]
    source = (ROOT / "src" / "codepaint_env" / "testing" / "tiny_vlm.py").read_text(encoding="utf-8")
    assert "qwen3_vl_chat_template" in source


def _image_placement_defaults() -> dict[str, list[object]]:
    """Every default given to a parameter or field named ``image_placement`` in the adapters, by module."""
    found: dict[str, list[object]] = {}
    for path in sorted(INTEGRATIONS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                positional = args.posonlyargs + args.args
                with_default = positional[len(positional) - len(args.defaults):]
                pairs = list(zip(with_default, args.defaults, strict=True))
                pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                          if d is not None]
                for arg, default in pairs:
                    if arg.arg == "image_placement":
                        found.setdefault(path.name, []).append(ast.literal_eval(default))
            elif (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                  and node.target.id == "image_placement" and node.value is not None):
                found.setdefault(path.name, []).append(ast.literal_eval(node.value))
    return found


def test_the_adapters_default_to_the_measured_placement(results):
    best = bench.best_placement(TEMPLATES, results)
    defaults = _image_placement_defaults()
    assert "verifiers.py" in defaults  # load_environment(image_placement="user") and its config field
    assert all(d == best for ds in defaults.values() for d in ds), defaults


def test_the_env_sends_the_picture_in_a_user_message(results):
    from codepaint_env.envs.vlm_messages import observation_messages, revision_messages

    turn = revision_messages("<svg/>", np.zeros((4, 4, 3), np.uint8), "feedback", language="svg")
    assert [m["role"] for m in turn] == ["assistant", "user"]
    assert turn[1]["content"][0]["type"] == "image_url"
    obs = {"prompt": "Draw.", "code": "<svg/>", "image": np.full((4, 4, 3), 200, np.uint8), "feedback": "ok",
           "turn": 1}
    roles = [m["role"] for m in observation_messages(obs, system="s", picture=True)]
    assert "tool" not in roles and roles[-1] == "user"
    assert bench.best_placement(TEMPLATES, results) == "user"
    assert json.loads(bench.INDEX.read_text(encoding="utf-8"))["templates"]
