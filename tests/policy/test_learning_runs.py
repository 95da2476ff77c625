"""Both CPU learners run end to end on a tiny random model, save what a resumed run needs, and resume.

The model is :func:`~codepaint_env.testing.build_tiny_lm`'s Llama, saved and loaded as a user's
folder; its programs never pass the gate, so these tests check the runs' mechanics (rollouts from
the CTranslate2 engine, the reward's parts, the saved rounds and checkpoints, the CPU budget, the
refusal of another configuration, the merged model), and :func:`sft_pass` is checked to learn on
examples of its own. Learning run 3 (docs/learning-run.md) is where they learn a scene.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import json
import warnings

import pytest

pytestmark = [pytest.mark.embed, pytest.mark.browser]  # the learners score their samples: renders

if any(importlib.util.find_spec(m) is None for m in ("ctranslate2", "torch", "peft", "trl")):
    pytest.skip("needs the local-model and train extras: pip install 'codepaint[local-model,train]'",
                allow_module_level=True)

from codepaint_env.policy import load_policy  # noqa: E402
from codepaint_env.policy.learning.grpo import GRPOSettings, run_grpo  # noqa: E402
from codepaint_env.policy.learning.lora import LoraSettings, sft_pass, with_adapter  # noqa: E402
from codepaint_env.policy.learning.rft import RFTConfig, run_rft  # noqa: E402
from codepaint_env.testing import build_tiny_lm  # noqa: E402

LORA = LoraSettings(rank=4, alpha=8)


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    """A fresh ``$CODEPAINT_CACHE_DIR`` (the engine's conversions)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CODEPAINT_CACHE_DIR", str(tmp_path_factory.mktemp("learn-cache")))
        yield


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_lm(tmp_path_factory.mktemp("tiny") / "lm", init_std=0.5)


def test_a_lora_pass_lowers_the_loss_on_its_completions_only(tiny):
    policy = load_policy(str(tiny), "cpu", threads=1)
    model = with_adapter(policy.model, LORA)
    ids = policy.prompt_ids([{"role": "user", "content": "Draw a red circle."}])
    svg = "<svg><circle r='9' fill='red'/></svg>"
    completion = policy.tokenizer(svg, add_special_tokens=False)["input_ids"]
    first = sft_pass(model, [(ids, completion)] * 4, lr=1e-2, epochs=1, batch=4, micro=2)
    later = sft_pass(model, [(ids, completion)] * 4, lr=1e-2, epochs=6, batch=4, micro=2)
    assert first.tokens == 4 * len(completion)  # the prompt is not trained on
    assert later.last_loss < first.first_loss / 2


def test_expert_iteration_saves_each_round_resumes_and_refuses_another_way_of_learning(tiny, tmp_path):
    config = RFTConfig(model=str(tiny), levels=(0, 1), scenes=2, k=2, max_tokens=24, lora=LORA, threads=1)
    out = tmp_path / "rft"
    final = run_rft(config, out, stop_after=1, log=lambda _: None)
    report = json.loads((out / "rounds" / "round-000" / "report.json").read_text())
    assert report["samples"] == 4 and report["levels"] == {"0": 2, "1": 2}
    assert report["gate_pass"] == 0.0 and report["kept"] == 0  # a random model draws nothing
    assert set(report["seconds"]) >= {"generate", "score", "train", "convert"} and report["cpu_s"] > 0
    assert report["memory"]["resident_gb"] > 0.1 and report["memory"]["released_gb"] >= 0  # glibc: measured
    samples = (out / "rounds" / "round-000" / "samples.jsonl").read_text().splitlines()
    assert len(samples) == 4 and all(json.loads(s)["kept"] is False for s in samples)
    assert (out / "rounds" / "round-000" / "adapter" / "adapter_config.json").exists()
    assert json.loads((final / "codepaint-round.json").read_text()) == {"rounds": 1}

    run_rft(config, out, stop_after=1, log=lambda _: None)  # resumes after round 0
    assert sorted(p.name for p in (out / "rounds").iterdir()) == ["round-000", "round-001"]
    assert json.loads((final / "codepaint-round.json").read_text()) == {"rounds": 2}
    assert load_policy(str(final), "cpu", threads=1).model is not None  # the merged model loads

    spent = RFTConfig(**{**config.__dict__, "cpu_budget_s": 0.0})  # a budget is not the run: it may change
    run_rft(spent, out, log=lambda _: None)
    assert len(list((out / "rounds").iterdir())) == 2  # spent: no round more
    other = RFTConfig(**{**config.__dict__, "lr": 3e-4})
    with pytest.raises(ValueError, match=r"another configuration.*lr differ"):
        run_rft(other, out, log=lambda _: None)


def test_grpo_takes_its_rollouts_from_the_engine_checkpoints_and_stops_on_its_budget(tiny, tmp_path):
    settings = GRPOSettings(model=str(tiny), levels=(0,), scenes_per_level=4, num_generations=2, batch=2,
                            micro=2, steps=3, max_tokens=16, lora=LORA, threads=1, save_every=1)
    out = tmp_path / "grpo"
    final = run_grpo(settings, out, stop_after=1, log=lambda _: None)
    assert (final / "config.json").exists()
    rows = (out / "curves.csv").read_text().splitlines()
    assert len(rows) >= 2 and "codepaint/time/generate" in rows[0] and "codepaint/time/convert" in rows[0]
    useful = [r["codepaint/useful_groups"] for r in csv.DictReader(rows) if r.get("codepaint/useful_groups")]
    assert useful and all(float(v) == 0.0 for v in useful)  # a random model's groups: none useful
    assert json.loads((out / "cpu_seconds.json").read_text())["step"] == 1
    assert any(p.name.startswith("checkpoint-") for p in out.iterdir())

    run_grpo(settings, out, stop_after=1, log=lambda _: None)  # resumes from the checkpoint
    assert json.loads((out / "cpu_seconds.json").read_text())["step"] == 2

    import shutil

    for checkpoint in out.glob("checkpoint-*"):  # a checkout that kept the rows (save_runs), not the weights
        shutil.rmtree(checkpoint)
    said: list[str] = []
    run_grpo(settings, out, stop_after=1, log=said.append)  # starts again: no CPU counted for lost steps
    assert json.loads((out / "lost-0" / "cpu_seconds.json").read_text())["step"] == 2
    assert json.loads((out / "cpu_seconds.json").read_text())["step"] == 1
    assert any("holds no checkpoint" in line for line in said)


def test_a_run_4_round_tops_up_flat_groups_validates_keeps_its_buffer_and_chooses_by_its_plan(tiny, tmp_path):
    config = RFTConfig(model=str(tiny), levels=(0,), scenes=2, k=2, max_tokens=16, lora=LORA, threads=1,
                       zero_variance="top-up", top_up_max=2, replay=8, rounds_from="base", graded=True,
                       validation=1, validation_samples=1)
    out = tmp_path / "rft4"
    run_rft(config, out, stop_after=1, log=lambda _: None)
    rounds = out / "rounds"
    report = json.loads((rounds / "round-000" / "report.json").read_text())
    # a random model passes no gate: every group is flat, starved and topped up to its cap (2 + 2)
    assert report["samples"] == 8 and report["top_up_samples"] == 4 and report["topped_up_groups"] == 2
    assert report["useful_groups_first"] == 0.0 and report["useful_groups"] == 0.0
    assert report["replay"] == {"size": 0, "passed": {}, "white_background_passes": 0}
    assert report["trained_on"] == 0
    lines = (rounds / "round-000" / "samples.jsonl").read_text().splitlines()
    groups = [json.loads(s)["group"] for s in lines]
    assert groups == sorted(groups) and groups.count(0) == 4  # each group's samples together
    assert report["validation"]["samples"] == 1 and report["validation"]["gate_pass"] == 0.0
    plan, base = out / "plan.md", rounds / "validation-base.json"
    assert plan.stat().st_mtime_ns <= base.stat().st_mtime_ns  # the rule was written before the first look
    assert "highest checks share among gate-passing samples" in plan.read_text()
    chosen = json.loads((out / "chosen" / "codepaint-round.json").read_text())
    assert chosen["rounds"] == 0 and chosen["of"] == 1  # a tie (nothing passes): the earlier round
    assert (rounds / "round-000" / "replay.json").exists()

    run_rft(config, out, stop_after=1, log=lambda _: None)  # resumes: the buffer and the plan are kept
    assert json.loads((out / "chosen" / "codepaint-round.json").read_text())["of"] == 2
    assert load_policy(str(out / "chosen"), "cpu", threads=1).model is not None


def _adapter_weights(folder) -> dict:
    from safetensors.torch import load_file

    return load_file(str(folder / "adapter_model.safetensors"))


def test_a_rest_em_round_is_trained_again_from_its_rows_in_a_checkout_without_its_weights(tiny, tmp_path):
    import shutil

    import torch

    config = RFTConfig(model=str(tiny), levels=(0,), scenes=2, k=2, max_tokens=16, lora=LORA, threads=1,
                       replay=8, rounds_from="base", validation=1, validation_samples=1)
    out = tmp_path / "rest"
    run_rft(config, out, stop_after=1, log=lambda _: None)
    round0 = out / "rounds" / "round-000"
    saved = _adapter_weights(round0 / "adapter")
    shutil.rmtree(round0 / "adapter")  # what scripts/save_runs.py leaves behind: the rows, no weights
    shutil.rmtree(out / "final")
    run_rft(config, out, stop_after=1, log=lambda _: None)
    rebuilt = _adapter_weights(round0 / "adapter")
    assert json.loads((round0 / "rebuilt.json").read_text())["examples"] == 0
    assert set(rebuilt) == set(saved) and all(torch.equal(v, rebuilt[k]) for k, v in saved.items())
    assert (out / "rounds" / "round-001" / "report.json").exists()

    last = dataclasses.replace(config, rounds_from="last")
    shutil.rmtree(out / "rounds" / "round-001" / "adapter")
    with pytest.raises(ValueError, match="only a ReST-EM round"):
        from codepaint_env.policy.learning.rft import rebuild_adapter

        rebuild_adapter(last, out / "rounds", 1, load_policy(str(tiny), "cpu", threads=1).model, None)


def test_a_round_s_training_is_the_same_pass_when_done_again(tiny):
    import torch

    from codepaint_env.policy.learning.rft import train_round

    config = RFTConfig(model=str(tiny), lora=LORA, rounds_from="base", seed=3)
    tokenizer = load_policy(str(tiny), "cpu", threads=1).tokenizer
    examples = [([1, 2, 3], [4, 5, 6, 7]), ([2, 3], [9, 8, 7]), ([5], [6, 6, 6, 6, 6])] * 3
    states = []
    for _ in range(2):
        torch.manual_seed(len(states) * 99)  # whatever the process did before, the pass is the round's
        model, trained = train_round(config, load_policy(str(tiny), "cpu", threads=1).model, tokenizer,
                                     examples, 2)
        assert trained.steps > 0
        states.append({k: v.clone() for k, v in model.state_dict().items() if "lora_" in k})
    assert all(torch.equal(v, states[1][k]) for k, v in states[0].items())
    assert any(not torch.equal(v, torch.zeros_like(v)) for k, v in states[0].items() if "lora_B" in k)


def test_dropping_flat_groups_keeps_none_of_them(tiny, tmp_path):
    config = RFTConfig(model=str(tiny), levels=(0,), scenes=2, k=2, max_tokens=16, lora=LORA, threads=1,
                       zero_variance="drop")
    run_rft(config, tmp_path / "drop", stop_after=1, log=lambda _: None)
    report = json.loads((tmp_path / "drop" / "rounds" / "round-000" / "report.json").read_text())
    assert report["dropped_groups"] == 2 and report["useful_groups"] == 0.0 and report["samples"] == 4
    rows = (tmp_path / "drop" / "rounds" / "round-000" / "samples.jsonl").read_text().splitlines()
    assert all(json.loads(r)["dropped"] for r in rows)


def test_the_zero_step_control_is_the_base_through_the_trained_models_path(tiny, tmp_path):
    import torch

    from codepaint_env.policy.engines import Row, engine_from_name
    from codepaint_env.policy.learning.control import control_model

    final = control_model(str(tiny), tmp_path / "control", LORA, threads=1)
    assert json.loads((final / "codepaint-round.json").read_text())["control"] is True
    base = load_policy(str(tiny), "cpu", threads=1).model
    control = load_policy(str(final), "cpu", threads=1).model
    mine = control.state_dict()
    assert set(mine) == set(base.state_dict())
    assert all(torch.equal(v, mine[k]) for k, v in base.state_dict().items())  # the adapter added nothing
    rows = [Row((1, 2, 3), temperature=0.9, max_tokens=8, seed=s) for s in range(3)]
    texts = []
    for model in (str(tiny), str(final)):  # the same conversion and engine: the same samples
        engine, _ = engine_from_name(model, compute_type="int8", device="cpu", threads=1)
        texts.append([c.token_ids for c in engine.decode(rows)])
        engine.close()
    assert texts[0] == texts[1]
    assert control_model(str(tiny), tmp_path / "control", LORA) == final  # done once


def test_a_run_that_has_spent_its_budget_merges_its_last_checkpoint_not_a_fresh_adapter(tiny, tmp_path):
    """Running a finished GRPO run again (to evaluate it) writes the trained model, not the base."""
    import torch
    from safetensors.torch import load_file, save_file

    settings = GRPOSettings(model=str(tiny), levels=(0,), scenes_per_level=4, num_generations=2, batch=2,
                            micro=2, steps=3, max_tokens=16, lora=LORA, threads=1, save_every=1)
    out = tmp_path / "grpo"
    run_grpo(settings, out, stop_after=1, log=lambda _: None)
    (checkpoint,) = out.glob("checkpoint-*")
    adapter = checkpoint / "adapter_model.safetensors"
    weights = load_file(str(adapter))
    generator = torch.Generator().manual_seed(0)
    trained = {k: (torch.randn(v.shape, generator=generator) * 0.05 if "lora_B" in k else v)
               for k, v in weights.items()}  # what training moves: a fresh adapter's B is zero
    save_file(trained, str(adapter))

    said: list[str] = []
    spent = dataclasses.replace(settings, cpu_budget_s=0.0)
    final = run_grpo(spent, out, log=said.append)
    assert any("spent its CPU budget" in line and checkpoint.name in line for line in said)
    base = load_policy(str(tiny), "cpu", threads=1).model.state_dict()
    merged = load_policy(str(final), "cpu", threads=1).model.state_dict()
    changed = [k for k, v in base.items() if not torch.equal(v, merged[k])]
    targets = {k.split(".lora_B")[0].removeprefix("base_model.model.") for k in trained if "lora_B" in k}
    assert changed and {k.removesuffix(".weight") for k in changed} == targets


def test_the_fast_options_train_the_same_pass_in_bfloat16_and_sample_without_logprobs(
        tiny, tmp_path, monkeypatch):
    """--bf16: the same examples' loss within 2 % of float32's, not bit-equal (autocast ran);
    --prefix-reuse: a round's rollouts ask no logprobs and the run goes on as without it."""
    import torch

    from codepaint_env.policy.learning import lora

    # the autocast path, whatever this CPU's bfloat16 (where it is not native, bf16 falls back: below)
    monkeypatch.setattr(lora, "_cpu_has_native_bf16", lambda: True)
    from codepaint_env.policy.learning.rft import _sampler, train_round

    tokenizer = load_policy(str(tiny), "cpu", threads=1).tokenizer
    examples = [([1, 2, 3], [4, 5, 6, 7]), ([2, 3], [9, 8, 7]), ([5], [6, 6, 6, 6, 6])] * 3
    passes = {}
    for bf16 in (False, True):
        config = RFTConfig(model=str(tiny), lora=LORA, rounds_from="base", seed=3, bf16=bf16,
                           batch=len(examples), epochs=4, lr=1e-3)  # a step a pass over all: losses compare
        model, trained = train_round(config, load_policy(str(tiny), "cpu", threads=1).model, tokenizer,
                                     examples, 2)
        adapter = {k: v.clone() for k, v in model.state_dict().items() if "lora_B" in k}
        passes[bf16] = (trained.first_loss, adapter, trained.last_loss)
    assert passes[True][0] == pytest.approx(passes[False][0], rel=0.02)
    assert any(not torch.equal(v, passes[True][1][k]) for k, v in passes[False][1].items())
    # every step's gradient is taken at the adapter as it is then, not as the pass began: the bfloat16
    # pass learns what the float32 pass learns (with autocast's weight cache it never moved off its start)
    assert passes[False][2] < passes[False][0] * 0.98
    assert passes[True][2] == pytest.approx(passes[False][2], rel=0.02)

    fast = RFTConfig(model=str(tiny), levels=(0,), scenes=2, k=2, max_tokens=16, lora=LORA, threads=1,
                     prefix_reuse=True, bf16=True)
    assert _sampler(fast).keywords == {"logprobs": False}
    run_rft(fast, tmp_path / "fast", stop_after=1, log=lambda _: None)
    report = json.loads((tmp_path / "fast" / "rounds" / "round-000" / "report.json").read_text())
    assert report["samples"] == 4

    grpo = GRPOSettings(model=str(tiny), levels=(0,), scenes_per_level=4, num_generations=2, batch=2,
                        micro=2, steps=2, max_tokens=16, lora=LORA, threads=1, save_every=1, bf16=True)
    run_grpo(grpo, tmp_path / "grpo-bf16", stop_after=1, log=lambda _: None)  # TRL's CPU autocast
    assert json.loads((tmp_path / "grpo-bf16" / "trainer_state.json").read_text())["global_step"] == 1


def test_bf16_asked_on_a_cpu_without_native_bfloat16_trains_in_float32_and_says_so(tiny, monkeypatch):
    # bfloat16 without AVX512-BF16 or AMX falls back to a reference matmul (37x slower here): the
    # pass runs in float32 (the same adapter, bit for bit), with a warning that says why
    import torch

    from codepaint_env.policy.learning import lora
    from codepaint_env.policy.learning.rft import train_round

    monkeypatch.setattr(lora, "_cpu_has_native_bf16", lambda: False)
    monkeypatch.setattr(lora, "_WARNED", set())
    tokenizer = load_policy(str(tiny), "cpu", threads=1).tokenizer
    examples = [([1, 2, 3], [4, 5, 6, 7]), ([2, 3], [9, 8, 7])]
    adapters = {}
    for bf16 in (False, True):
        config = RFTConfig(model=str(tiny), lora=LORA, rounds_from="base", seed=3, bf16=bf16, batch=2,
                           epochs=2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            base = load_policy(str(tiny), "cpu", threads=1).model
            model, _ = train_round(config, base, tokenizer, examples, 0)
        adapters[bf16] = {k: v.clone() for k, v in model.state_dict().items() if "lora_B" in k}
        said = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
        assert bool([m for m in said if "bf16 asked" in m and "float32" in m]) == bf16, said
    assert all(torch.equal(v, adapters[True][k]) for k, v in adapters[False].items())
    assert not lora.bf16_in_force(True, "cpu") and not lora.bf16_in_force(False, "cpu")
    monkeypatch.setattr(lora, "_cpu_has_native_bf16", lambda: True)
    assert lora.bf16_in_force(True, "cpu") and not lora.bf16_in_force(False, "cpu")


def test_grpo_validates_its_steps_chooses_one_by_its_plan_and_logs_issue_73_s_measures(tiny, tmp_path):
    from codepaint_env.policy.learning.validation import evaluated

    settings = GRPOSettings(model=str(tiny), levels=(0,), scenes_per_level=4, num_generations=2,
                            scenes_per_step=1, micro=2, steps=3, max_tokens=16, lora=LORA, threads=1,
                            save_every=1, validation=1, validation_samples=1, validate_every=2,
                            gate_failure="zero")
    out = tmp_path / "grpo5"
    run_grpo(settings, out, log=lambda _: None)
    records = json.loads((out / "validation" / "records.json").read_text())["records"]
    assert [r["step"] for r in records] == [0, 2, 3]  # the base, every 2nd step and the last
    assert all(r["samples"] == 1 for r in records)
    plan = (out / "plan.md").read_text()
    assert "a round is a validated step" in plan and "every 2 steps" in plan
    chosen = json.loads((out / "chosen" / "codepaint-round.json").read_text())
    assert (chosen["step"], chosen["last_step"], chosen["validated_steps"]) == (0, 3, [0, 2, 3])  # tie: base
    assert evaluated(out) == (out / "chosen", "chosen")
    rows = list(csv.DictReader((out / "curves.csv").read_text().splitlines()))
    assert rows and all(float(r["codepaint/distinct_prompts"]) == 1.0 for r in rows)
    assert all(float(r["codepaint/mixed_groups"]) == 0.0 for r in rows)  # a random model passes no gate
    assert load_policy(str(out / "chosen"), "cpu", threads=1).model is not None


def test_an_rft_round_records_the_ranking_the_time_split_the_prompts_and_the_pages(tiny, tmp_path):
    config = RFTConfig(model=str(tiny), levels=(0,), scenes=2, k=2, max_tokens=16, lora=LORA, threads=1,
                       gate_failure="zero", replay=8, replay_background="non-white", train_max=4)
    out = tmp_path / "rft5"
    run_rft(config, out, stop_after=1, log=lambda _: None)
    report = json.loads((out / "rounds" / "round-000" / "report.json").read_text())
    assert report["ranking"] == {"mixed_groups": 0, "passers_in_mixed_groups": 0,
                                 "passers_below_failure_neutral": None, "passers_below_failure_zero": None}
    split = report["time_split"]
    assert split["sampling_s"] > 0 and 0 < split["sampling_share_run"] <= 1
    assert (report["distinct_prompts"], report["samples_per_prompt"]) == (2, 2.0)
    assert report["replay"]["white_background_passes"] == 0
    rows = [json.loads(s) for s in (out / "rounds" / "round-000" / "samples.jsonl").read_text().splitlines()]
    assert all(r["page"] for r in rows)  # every level-0 scene states its page


def test_grpo_s_chosen_folder_merges_the_chosen_step_s_adapter(tiny, tmp_path):
    import torch

    from codepaint_env.policy.learning.validation import ValidatedSteps

    policy = load_policy(str(tiny), "cpu", threads=1)
    model = with_adapter(policy.model, LORA)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.fill_(0.05)  # a trained adapter: the merged weights differ from the base's
    steps = ValidatedSteps(tmp_path)
    steps.add(0, {"gate_pass": 0.1, "checks_share_gated": 0.2})
    assert steps.add(4, {"gate_pass": 0.2, "checks_share_gated": 0.5}, model)
    expected = {k: v.clone() for k, v in model.merge_and_unload().state_dict().items()}
    folder = steps.save_chosen(load_policy(str(tiny), "cpu", threads=1).model, policy.tokenizer)
    assert folder is not None and json.loads((folder / "codepaint-round.json").read_text())["step"] == 4
    chosen = load_policy(str(folder), "cpu", threads=1).model.state_dict()
    assert all(torch.allclose(chosen[k], v, atol=1e-5) for k, v in expected.items() if k in chosen)
    base = load_policy(str(tiny), "cpu", threads=1).model.state_dict()
    assert any(not torch.allclose(chosen[k], base[k]) for k in base if k in chosen)
