"""The two generation engines on a tiny random model: same tokens, logprobs and stops; conversion cached.

The model is :func:`~codepaint_env.testing.build_tiny_lm`'s Llama with weights of standard deviation
0.5 (at transformers' 0.02 a greedy reply repeats one token), saved and loaded as a user's folder;
the CTranslate2 engine runs it converted to float32, the transformers engine in float32. Needs the
local-model extra (torch, transformers, ctranslate2); the LoRA test needs peft (the train extra).
"""

from __future__ import annotations

import filecmp
import importlib.util
import json
import math
import sys

import pytest

pytestmark = pytest.mark.embed

if importlib.util.find_spec("ctranslate2") is None or importlib.util.find_spec("torch") is None:
    pytest.skip("needs the local-model extra: pip install 'codepaint[local-model]'", allow_module_level=True)

from codepaint_env.core.errors import DependencyNotInstalled, ModelNotConvertible  # noqa: E402
from codepaint_env.policy import Row, load_policy  # noqa: E402
from codepaint_env.policy.engines import (  # noqa: E402
    CT2Engine,
    TransformersEngine,
    convert_folder,
    engine_from_model,
    trl_rollout,
)
from codepaint_env.testing import build_tiny_lm  # noqa: E402

CHATS = [[{"role": "user", "content": "Draw a red circle."}],
         [{"role": "system", "content": "You write SVG programs for a drawing class."},
          {"role": "user", "content": "Draw a big blue square in the middle of a white page, please."}],
         [{"role": "user", "content": "A tree."}]]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A fresh ``$CODEPAINT_CACHE_DIR`` for the module (conversions, remembered hashes)."""
    folder = tmp_path_factory.mktemp("engines-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CODEPAINT_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_lm(tmp_path_factory.mktemp("tiny") / "lm", init_std=0.5)


@pytest.fixture(scope="module")
def both(tiny, cache):
    return {"transformers": load_policy(str(tiny), "cpu", threads=1),
            "ct2": load_policy(str(tiny), "cpu", engine="ct2", compute_type="float32", threads=1)}


@pytest.fixture(scope="module")
def prompts(both):
    ids = [both["transformers"].prompt_ids(c) for c in CHATS]
    assert ids == [both["ct2"].prompt_ids(c) for c in CHATS]  # one tokenizer, one chat template
    return ids


def forced_logprobs(model, prompt, tokens, temperature, *, end_ids=(), min_tokens=0):
    """``log_softmax(logits / T)`` of ``tokens`` after ``prompt``, from one forward pass (TRL's way)."""
    import torch

    ids = torch.tensor([list(prompt) + list(tokens)])
    with torch.no_grad():
        logits = model(ids).logits[0, len(prompt) - 1:-1].double()
    logits[:min_tokens, list(end_ids)] = float("-inf")
    scaled = torch.log_softmax(logits / (temperature or 1.0), dim=-1)
    return scaled.gather(1, torch.tensor(tokens)[:, None])[:, 0].tolist()


def test_greedy_decoding_gives_the_same_tokens_in_both_engines(both, prompts):
    rows = [Row(p, temperature=0.0, max_tokens=24) for p in prompts]
    ref, ct2 = both["transformers"].generate_rows(rows), both["ct2"].generate_rows(rows)
    assert [c.token_ids for c in ct2] == [c.token_ids for c in ref]
    assert [(c.text, c.finish_reason, c.completion_tokens) for c in ct2] == \
        [(c.text, c.finish_reason, c.completion_tokens) for c in ref]
    assert all(len(set(c.token_ids)) >= 10 for c in ref)  # a varied reply, not one token repeated
    for a, b in zip(ref, ct2, strict=True):  # greedy: log_softmax of the logits
        assert a.logprobs is not None and b.logprobs is not None
        assert b.logprobs == pytest.approx(a.logprobs, abs=1e-4)
        assert all(lp <= 0 for lp in b.logprobs)
    assert both["ct2"].describe() == {**both["ct2"].describe(), "engine": "ct2", "compute_type": "float32"}
    assert both["transformers"].describe()["compute_type"] == "float32"


@pytest.mark.parametrize("temperature", [1.0, 0.7])
def test_each_engines_logprobs_are_the_models_own_at_the_sampling_temperature(both, prompts, temperature):
    model = both["transformers"].model
    end_ids = both["transformers"].end_ids
    rows = [Row(p, temperature=temperature, max_tokens=16, seed=11 + i) for i, p in enumerate(prompts)]
    rows.append(Row(prompts[0], temperature=temperature, max_tokens=8, seed=5, min_tokens=4))
    for engine in ("transformers", "ct2"):
        for row, choice in zip(rows, both[engine].generate_rows(rows), strict=True):
            assert choice.logprobs is not None and len(choice.logprobs) == len(choice.token_ids)
            want = forced_logprobs(model, row.prompt_ids, choice.token_ids, temperature, end_ids=end_ids,
                                   min_tokens=row.min_tokens)
            assert choice.logprobs == pytest.approx(want, rel=1e-4, abs=1e-4), engine  # float32 rounding
    # asked for none, none are given (the ct2 engine then fetches no logits)
    [quiet] = both["ct2"].generate_rows([Row(prompts[0], temperature=temperature, max_tokens=4,
                                             logprobs=False)])
    assert quiet.logprobs is None and len(quiet.token_ids) == 4


def test_calls_split_to_bound_the_fetched_logits_give_the_same_logprobs(both, prompts):
    engine = CT2Engine(both["ct2"].source, device="cpu", compute_type="float32", threads=1,
                       logits_budget_bytes=1)  # one row a call
    rows = [Row(p, temperature=0.7, max_tokens=10, seed=3 + i) for i, p in enumerate(prompts)]
    try:
        choices = engine.decode(rows)
        assert [c.token_ids for c in engine.decode(rows)] == [c.token_ids for c in choices]
    finally:
        engine.close()
    for row, choice in zip(rows, choices, strict=True):
        want = forced_logprobs(both["transformers"].model, row.prompt_ids, choice.token_ids, 0.7)
        assert choice.logprobs == pytest.approx(want, rel=1e-4, abs=1e-4)


def test_sampling_with_a_seed_is_reproducible_in_each_engine(both, prompts):
    rows = [Row(p, temperature=1.0, top_p=0.9, max_tokens=12, seed=7 + i) for i, p in enumerate(prompts)]
    other = [Row(r.prompt_ids, r.temperature, r.top_p, r.max_tokens, seed=r.seed + 100) for r in rows]
    for engine in ("transformers", "ct2"):
        policy = both[engine]
        first = [c.token_ids for c in policy.generate_rows(rows)]
        assert [c.token_ids for c in policy.generate_rows(rows)] == first, engine
        assert [c.token_ids for c in policy.generate_rows(other)] != first, engine
    # transformers: a row's tokens do not depend on its neighbours
    ref = both["transformers"]
    assert ref.generate_rows([rows[1]])[0].token_ids == ref.generate_rows(rows)[1].token_ids
    # ct2 seeds per batch by default; seeding="row" gives each row its own stream
    engine = CT2Engine(both["ct2"].source, device="cpu", compute_type="float32", threads=1, seeding="row")
    try:
        alone = engine.decode([rows[1]])[0].token_ids
        assert engine.decode(rows)[1].token_ids == alone
        assert engine.decode([rows[2], rows[1]])[1].token_ids == alone
    finally:
        engine.close()


def test_stop_strings_and_token_budgets_end_replies_alike_in_both_engines(both, prompts):
    [greedy] = both["transformers"].generate_rows([Row(prompts[1], temperature=0.0, max_tokens=24)])
    text = greedy.text
    stop = text[len(text) // 2:][:3]
    assert stop.strip() and text.find(stop) > 0, text
    row = Row(prompts[1], temperature=0.0, max_tokens=24, stop=(stop, "never said"))
    budgets = [Row(p, temperature=0.0, max_tokens=n) for p, n in zip(prompts, (3, 7, 1), strict=True)]
    results = {e: both[e].generate_rows([row, *budgets]) for e in ("transformers", "ct2")}
    for engine, (stopped, *ended) in results.items():
        assert stopped.text == text[:text.find(stop)] and stopped.finish_reason == "stop", engine
        assert [(c.completion_tokens, c.finish_reason) for c in ended] == [(3, "length"), (7, "length"),
                                                                          (1, "length")], engine
    assert [c.token_ids for c in results["ct2"]] == [c.token_ids for c in results["transformers"]]


def test_a_model_in_memory_is_converted_once_and_left_as_it_was(tiny, cache):
    import torch
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny)
    model = transformers.AutoModelForCausalLM.from_pretrained(tiny)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    engine, first = engine_from_model(model, tokenizer, compute_type="float32", threads=1, keep=1)
    again, second = engine_from_model(model, tokenizer, compute_type="float32", threads=1, keep=1)
    assert not first.cached and second.cached and second.path == first.path and second.key == first.key
    assert first.seconds["convert"] > 0 and second.seconds["convert"] == 0 and second.seconds["merge"] == 0
    assert first.parameters == sum(p.numel() for p in model.parameters())
    assert first.path.parent == cache / "models" / "ct2"
    # the converter takes the model it reads apart: it read a copy, so the model still runs as before
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert hasattr(model.model.layers[0], "self_attn")
    prompt = tuple(tokenizer.apply_chat_template(CHATS[0], add_generation_prompt=True, return_dict=False))
    rows = [Row(prompt, temperature=0.0, max_tokens=16)]
    want = TransformersEngine(model.eval(), tokenizer).decode(rows)[0].token_ids
    assert engine.decode(rows)[0].token_ids == want == again.decode(rows)[0].token_ids
    # other weights, another conversion; keep=1 removes the older in-memory conversion
    with torch.no_grad():
        model.model.norm.weight[0] += 1.0
    _, third = engine_from_model(model, tokenizer, compute_type="float32", threads=1, keep=1)
    assert not third.cached and third.key != first.key
    assert third.path.is_dir() and not first.path.exists()
    for e in (engine, again):
        e.close()


def test_an_int8_conversion_leaves_the_model_in_memory_as_it_was(tiny, cache):
    # CTranslate2 quantizes a float32 weight through a numpy view of it (value *= scale): a weight the
    # copy shared with the model (the tied embeddings, or every weight of a model without LoRA) came
    # back as int8 codes, up to 127, and the next training step trained on those
    import torch
    import transformers

    model = transformers.AutoModelForCausalLM.from_pretrained(tiny, dtype=torch.float32).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny)
    assert model.get_input_embeddings().weight is model.get_output_embeddings().weight  # tied
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    engine, first = engine_from_model(model, tokenizer, compute_type="int8", threads=1, keep=1)
    again, second = engine_from_model(model, tokenizer, compute_type="int8", threads=1, keep=1)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert second.cached and second.key == first.key  # the same weights, so the same key
    for e in (engine, again):
        e.close()


def test_a_lora_model_is_merged_into_a_copy_and_converted(tiny, cache):
    if importlib.util.find_spec("peft") is None:
        pytest.skip("needs peft: pip install 'codepaint[train]'")
    import copy

    import peft
    import torch
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny)
    base = transformers.AutoModelForCausalLM.from_pretrained(tiny)
    plain = TransformersEngine(transformers.AutoModelForCausalLM.from_pretrained(tiny).eval(), tokenizer)
    lora = peft.get_peft_model(base, peft.LoraConfig(r=4, lora_alpha=8, target_modules="all-linear",
                                                     init_lora_weights=False))
    merged = copy.deepcopy(lora).merge_and_unload().eval()
    prompt = tuple(tokenizer.apply_chat_template(CHATS[1], add_generation_prompt=True, return_dict=False))
    ids = torch.tensor([prompt])
    with torch.no_grad():
        logits_before = lora(ids).logits
    engine, conversion = engine_from_model(lora, tokenizer, compute_type="float32", threads=1)
    assert conversion.source["lora"] and not conversion.cached and conversion.seconds["merge"] > 0
    rows = [Row(prompt, temperature=0.0, max_tokens=16)]
    got = engine.decode(rows)[0].token_ids
    assert got == TransformersEngine(merged, tokenizer).decode(rows)[0].token_ids
    assert got != plain.decode(rows)[0].token_ids  # the adapters changed the reply
    # the model being trained keeps its adapters, unmerged
    assert any("lora_A" in name for name, _ in lora.named_parameters())
    with torch.no_grad():
        assert torch.equal(lora(ids).logits, logits_before)
    _, again = engine_from_model(lora, tokenizer, compute_type="float32", threads=1)
    assert again.cached and again.path == conversion.path
    engine.close()


def test_the_quicker_conversion_writes_what_ctranslate2_writes(tiny, tmp_path):
    from ctranslate2.converters import TransformersConverter

    TransformersConverter(str(tiny)).convert(str(tmp_path / "plain"), quantization="int8")
    ours = convert_folder(tiny, quantization="int8", cache_dir=tmp_path / "cache")
    for name in ("model.bin", "config.json", "vocabulary.json"):
        assert filecmp.cmp(tmp_path / "plain" / name, ours.path / name, shallow=False), name
    marker = json.loads((ours.path / "codepaint_ct2.json").read_text())
    assert marker["key"] == ours.key and marker["quantization"] == "int8"
    assert convert_folder(tiny, quantization="int8", cache_dir=tmp_path / "cache").cached


def test_an_architecture_ctranslate2_cannot_convert_is_refused_saying_so(tmp_path, cache):
    import transformers

    from codepaint_env.cli import EXIT_USAGE, main

    folder = tmp_path / "granite"
    transformers.GraniteConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                               num_attention_heads=2).save_pretrained(folder)
    with pytest.raises(ModelNotConvertible) as e:
        load_policy(str(folder), "cpu", engine="ct2")
    assert "cannot convert a 'granite' model" in str(e.value) and "--engine transformers" in str(e.value)
    assert "Llama" in str(e.value) and "Qwen2" in str(e.value)  # what it can convert
    code = main(["eval", "--model", str(folder), "--engine", "ct2", "--suite", "svg", "--limit", "1",
                 "--out", str(tmp_path / "run"), "--no-progress", "--device", "cpu"])
    assert code == EXIT_USAGE


def test_without_ctranslate2_the_ct2_engine_says_how_to_install_it(tiny, monkeypatch):
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # what an environment without it imports
    with pytest.raises(DependencyNotInstalled) as e:
        load_policy(str(tiny), "cpu", engine="ct2")
    assert "pip install 'ctranslate2" in str(e.value) and "codepaint[local-model]" in str(e.value)


def test_bad_engine_settings_are_refused_with_what_works(tiny, cache):
    with pytest.raises(ValueError, match="one of transformers, ct2"):
        load_policy(str(tiny), "cpu", engine="vllm")
    with pytest.raises(ValueError, match="float32, float16, bfloat16"):
        load_policy(str(tiny), "cpu", compute_type="int8")
    with pytest.raises(ValueError, match="does not run on cpu"):
        load_policy(str(tiny), "cpu", engine="ct2", compute_type="float16")


def test_choices_make_trls_rollout_dict(both, prompts):
    rows = [Row(p, temperature=1.0, max_tokens=6, seed=i) for i, p in enumerate(prompts)]
    choices = both["ct2"].generate_rows(rows)
    out = trl_rollout(rows, choices, task=["a", "b", "c"])
    assert out["prompt_ids"] == [list(p) for p in prompts]
    assert out["completion_ids"] == [c.token_ids for c in choices] and out["task"] == ["a", "b", "c"]
    assert [len(lp) for lp in out["logprobs"]] == [len(c) for c in out["completion_ids"]]
    assert all(math.isfinite(x) and x <= 0 for lp in out["logprobs"] for x in lp)
    with pytest.raises(ValueError, match="logprobs=True"):
        trl_rollout(rows[:1], both["ct2"].generate_rows([Row(prompts[0], max_tokens=2, logprobs=False)]))


@pytest.mark.browser
def test_codepaint_eval_runs_with_the_ct2_engine_and_records_it(tiny, tmp_path):
    import os
    import subprocess

    out = tmp_path / "run"
    args = [sys.executable, "-m", "codepaint_env.cli", "eval", "--model", str(tiny), "--engine", "ct2",
            "--compute-type", "float32", "--suite", "svg", "--limit", "1", "--samples", "2",
            "--max-tokens", "8", "--size", "64", "--reward", "execution_gate", "--threads", "1",
            "--device", "cpu", "--no-progress", "--out", str(out)]
    env = {**os.environ, "CODEPAINT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode in (0, 4), done.stderr  # 4: a tiny random model's program may not be judged
    assert "(ct2 float32) on cpu" in done.stderr
    rows = [json.loads(line) for line in (out / "rollouts.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and all(1 <= r["completion_tokens"] <= 8 for r in rows)
    record = json.loads((out / "run.json").read_text())
    assert (record["engine"], record["compute_type"]) == ("ct2", "float32")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["engine"]["engine"] == "ct2" and summary["engine"]["compute_type"] == "float32"
    assert summary["engine"]["ctranslate2"] and summary["samples"] == 2
    # rows made by one engine are not resumed with the other (refused before anything is loaded)
    from codepaint_env.policy.evaluate import EvalConfig, EvalError, run_eval

    config = EvalConfig(out=out, model=str(tiny), suite="svg", limit=1, samples=2, max_tokens=8, size=64,
                        reward="execution_gate", engine="transformers", resume=True, progress=False)
    with pytest.raises(EvalError, match="engine: 'ct2' then, 'transformers' now"):
        run_eval(config, log=lambda _: None)


def test_prefix_reuse_walks_the_shared_prompt_once_and_decodes_as_without(both, prompts):
    from codepaint_env.policy.engines.ct2_engine import MIN_SHARED_PREFIX, shared_prefix

    assert shared_prefix([[1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 9]]) == 2
    assert shared_prefix([[1, 2, 3], [1, 2, 3]]) == 2  # each row keeps a token of its own
    assert shared_prefix([[1, 2, 3]]) == 0
    system = CHATS[1][0]
    scenes = [both["ct2"].prompt_ids([system, {"role": "user", "content": text}])
              for text in ("Draw a red circle.", "Draw two green stripes on black.")]
    assert shared_prefix(scenes) >= MIN_SHARED_PREFIX  # the chat template's system turn
    group = [scenes[0]] * 4 + [scenes[1]] * 4  # two scenes' groups of samples
    greedy = [Row(p, temperature=0.0, max_tokens=16) for p in group]
    sampled = [Row(p, temperature=1.0, max_tokens=16, seed=5 + i) for i, p in enumerate(group)]
    engine = CT2Engine(both["ct2"].source, device="cpu", compute_type="float32", threads=1, prefix_reuse=True)
    try:
        assert [c.token_ids for c in engine.decode(greedy)] == \
            [c.token_ids for c in both["ct2"].engine.decode(greedy)]
        choices = engine.decode(sampled)
        assert len(choices) == len(sampled) and all(c.completion_tokens for c in choices)
        assert [c.token_ids for c in engine.decode(sampled)] == [c.token_ids for c in choices]  # seeded
        for row, choice in zip(sampled, choices, strict=True):  # each row's own prompt continued
            want = forced_logprobs(both["transformers"].model, row.prompt_ids, choice.token_ids, 1.0)
            assert choice.logprobs == pytest.approx(want, rel=1e-3, abs=1e-3)
    finally:
        engine.close()
