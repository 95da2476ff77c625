"""The ct2 engine on a GPU only where its CUDA libraries load; elsewhere the transformers engine, said once.

CTranslate2 4.8's wheels are CUDA 12 builds: on a CUDA 13 machine the first generate fails with
"Library libcublas.so.12 is not found". :func:`~codepaint_env.policy.engines.usable_on` probes that
once a process, and the factories (:func:`engine_from_model`, :func:`engine_from_name`) give a
:class:`TransformersEngine` instead, with one warning. Here (a machine where CTranslate2 sees no
GPU) asking for ``cuda`` must give the transformers engine, warn once and not raise; the CPU keeps
the ct2 engine as before.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings

import pytest

pytestmark = pytest.mark.embed

if importlib.util.find_spec("ctranslate2") is None or importlib.util.find_spec("torch") is None:
    pytest.skip("needs the local-model extra: pip install 'codepaint[local-model]'", allow_module_level=True)

import ctranslate2  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402

from codepaint_env.core.errors import DependencyNotInstalled  # noqa: E402
from codepaint_env.policy import Row, load_policy  # noqa: E402
from codepaint_env.policy.engines import (  # noqa: E402
    CT2Engine,
    TransformersEngine,
    ct2_unusable,
    engine_from_model,
    engine_from_name,
    reset_probes,
    usable_on,
)
from codepaint_env.policy.engines.ct2_engine import missing_library  # noqa: E402
from codepaint_env.testing import build_tiny_lm  # noqa: E402

NO_GPU = ctranslate2.get_cuda_device_count() == 0
needs_no_gpu = pytest.mark.skipif(not NO_GPU, reason="CTranslate2 sees a GPU on this machine")


@pytest.fixture(autouse=True)
def fresh_probes():
    reset_probes()
    yield
    reset_probes()


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CODEPAINT_CACHE_DIR", str(tmp_path_factory.mktemp("fallback-cache")))
        yield


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_lm(tmp_path_factory.mktemp("tiny") / "lm", init_std=0.5)


@pytest.fixture(scope="module")
def model_and_tokenizer(tiny):
    torch.set_num_threads(1)
    return (transformers.AutoModelForCausalLM.from_pretrained(tiny, dtype=torch.float32).eval(),
            transformers.AutoTokenizer.from_pretrained(tiny))


def fallbacks(caught) -> list[str]:
    return [str(w.message) for w in caught if "ct2 engine unusable" in str(w.message)]


def test_the_cpu_is_always_usable_and_a_device_ct2_does_not_run_on_is_said():
    assert usable_on("cpu") == (True, "cpu")
    ok, reason = usable_on("mps")
    assert not ok and "cpu or cuda" in reason
    assert ct2_unusable("cpu") is None and ct2_unusable("mps") is None  # not the fallback's business


@needs_no_gpu
def test_without_a_gpu_cuda_is_unusable_and_auto_is_the_cpu():
    ok, reason = usable_on("cuda")
    assert not ok and "sees no CUDA GPU" in reason
    assert usable_on("cuda:1")[0] is False
    assert usable_on("auto") == (True, "cpu") and ct2_unusable("auto") is None
    assert ct2_unusable("cuda") == reason


def test_a_library_that_does_not_load_is_named():
    missing = missing_library(["libcodepaint-not-a-library.so.12"])
    assert missing is not None and missing.startswith("libcodepaint-not-a-library.so.12, which does not load")
    if sys.platform.startswith("linux"):
        assert missing_library(["libc.so.6"]) is None
    assert missing_library([]) is None


@needs_no_gpu
def test_cuda_without_a_usable_gpu_gives_the_transformers_engine_warns_once_and_does_not_raise(
        model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    prompt = tuple(tokenizer.apply_chat_template([{"role": "user", "content": "Draw a red circle."}],
                                                 add_generation_prompt=True, return_dict=False))
    rows = [Row(prompt, temperature=0.0, max_tokens=12), Row(prompt, temperature=0.9, max_tokens=8, seed=4)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine, conversion = engine_from_model(model, tokenizer, device="cuda", threads=1)
        again, _ = engine_from_model(model, tokenizer, device="cuda", threads=1)
    said = fallbacks(caught)
    assert len(said) == 1 and "cuda" in said[0] and "transformers engine on cpu" in said[0]
    assert "\n" not in said[0]
    assert isinstance(engine, TransformersEngine) and isinstance(again, TransformersEngine)
    assert engine.model is model and again.model is model
    assert engine.describe()["engine"] == "transformers" and engine.device == "cpu"
    assert conversion.cached and conversion.source["kind"] == "none" and conversion.key == ""
    assert "sees no CUDA GPU" in conversion.source["reason"] and conversion.seconds["convert"] == 0
    assert conversion.parameters == sum(p.numel() for p in model.parameters())
    want = TransformersEngine(model, tokenizer).decode(rows)
    assert [c.token_ids for c in engine.decode(rows)] == [c.token_ids for c in want]


def test_the_cpu_keeps_the_ct2_engine_without_a_warning(model_and_tokenizer, tiny):
    model, tokenizer = model_and_tokenizer
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine, conversion = engine_from_model(model, tokenizer, device="cpu", compute_type="float32",
                                               threads=1)
        named, _ = engine_from_name(str(tiny), device="cpu", compute_type="int8", threads=1)
    try:
        assert isinstance(engine, CT2Engine) and isinstance(named, CT2Engine)
        assert conversion.source["kind"] == "memory" and engine.probe() == (True, "cpu")
        assert not fallbacks(caught)
    finally:
        engine.close()
        named.close()


@needs_no_gpu
def test_a_name_asked_on_cuda_without_a_usable_gpu_loads_in_the_transformers_engine(tiny):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine, conversion = engine_from_name(str(tiny), device="cuda", threads=1)
    assert isinstance(engine, TransformersEngine) and len(fallbacks(caught)) == 1
    assert engine.device == ("cuda" if torch.cuda.is_available() else "cpu")
    assert conversion.path == tiny and conversion.source["engine"] == "transformers"
    [choice] = engine.decode([Row((1, 2, 3), temperature=0.0, max_tokens=4)])
    assert choice.completion_tokens == 4
    # load_policy's ct2 engine goes the same way: a policy that runs
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        policy = load_policy(str(tiny), "cuda", engine="ct2", threads=1)
    assert policy.engine.kind == "transformers" and policy.model is not None


def test_without_ctranslate2_cuda_falls_back_and_the_cpu_says_how_to_install_it(model_and_tokenizer,
                                                                                  monkeypatch):
    model, tokenizer = model_and_tokenizer
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # what an environment without it imports
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine, _ = engine_from_model(model, tokenizer, device="cuda")
    assert isinstance(engine, TransformersEngine)
    assert len(fallbacks(caught)) == 1 and "pip install 'ctranslate2" in fallbacks(caught)[0]
    with pytest.raises(DependencyNotInstalled, match="pip install 'ctranslate2"):
        engine_from_model(model, tokenizer, device="cpu")
    with pytest.raises(DependencyNotInstalled):
        engine_from_model(model, tokenizer, device="auto")  # as before: auto needs CTranslate2
