"""Learners with the search tool (issue 56): conversations as one token sequence, tool answers masked,
the search's reward parts, and an expert-iteration run on the knowledge facts with a warm start.

The token layout is checked against the real Qwen2.5 chat template (the model the learning runs
train): the prompt, the policy's replies and the bridges, concatenated, are exactly the text the
template writes for the whole conversation. The run uses :func:`~codepaint_env.testing.build_tiny_lm`'s
model (a ChatML template without tools: the ``tag`` form); its drawings never pass the gate, so the
run checks the mechanics: written first calls that retrieve the scene's card, masks that leave the
card's text out of the loss, the search figures in the round's report and the validation.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

pytestmark = pytest.mark.embed

if any(importlib.util.find_spec(m) is None for m in ("ctranslate2", "torch", "peft")):
    pytest.skip("needs the local-model and train extras: pip install 'codepaint[local-model,train]'",
                allow_module_level=True)

from codepaint_env.episode import EpisodeResources, EpisodeSettings  # noqa: E402
from codepaint_env.episode.tools import schemas, text_calls  # noqa: E402
from codepaint_env.policy import load_policy  # noqa: E402
from codepaint_env.policy.engines import engine_from_model  # noqa: E402
from codepaint_env.policy.evaluate import messages_for  # noqa: E402
from codepaint_env.policy.learning.lora import LoraSettings, _padded, sft_pass, with_adapter  # noqa: E402
from codepaint_env.policy.learning.rft import RFTConfig, run_rft  # noqa: E402
from codepaint_env.policy.learning.rollouts import Scorer  # noqa: E402
from codepaint_env.policy.learning.searching import (  # noqa: E402
    DRAWING_OPENING,
    ToolSampling,
    ToolScorer,
    bridge_ids,
    converse_groups,
    forced_call,
    subject_query,
)
from codepaint_env.scoring.trainer import TrainerConfig  # noqa: E402
from codepaint_env.tasks import load_suite  # noqa: E402
from codepaint_env.testing import build_tiny_lm  # noqa: E402

LORA = LoraSettings(rank=4, alpha=8)
REWARD = "gate:0.2,checks:0.7"


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    """A fresh ``$CODEPAINT_CACHE_DIR`` for the engine's conversions (the bundled model's stays put)."""
    from codepaint_env.policy.loading import cache_root

    models = cache_root()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CODEPAINT_CACHE_DIR", str(tmp_path_factory.mktemp("search-cache")))
        yield models


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_lm(tmp_path_factory.mktemp("tiny") / "lm", init_std=0.5)


@pytest.fixture(scope="module")
def facts():
    return load_suite("knowledge", split="train", language="svg")


def _episode(task):
    settings = EpisodeSettings.from_config(TrainerConfig(), max_turns=1, tools=("search",), max_tool_calls=2,
                                           search_index="train")
    return EpisodeResources(settings).episode(task, render_seed=0)


def test_the_bridge_is_what_qwen_s_template_writes_between_a_call_and_the_next_reply(cache, facts):
    from transformers import AutoTokenizer

    from codepaint_env.policy.loading import convert_bundled

    tokenizer = AutoTokenizer.from_pretrained(str(convert_bundled("qwen2.5-coder-0.5b", cache_dir=cache)))
    tools = schemas(("search",))
    for task in (facts[0], facts[40]):
        episode = _episode(task)
        opening = episode.opening(messages_for(task, "allowlist"), tool_form="call")
        prompt = tokenizer.apply_chat_template(opening, tools=tools, tokenize=False,
                                               add_generation_prompt=True)
        reply = forced_call(task, "call")
        step = episode.call_tools(text_calls(reply))
        bridge = bridge_ids(tokenizer, opening, reply, step.messages, tools=tools)
        ids = (tokenizer(prompt, add_special_tokens=False)["input_ids"]
               + tokenizer(reply, add_special_tokens=False)["input_ids"] + bridge)
        said = [*opening, {"role": "assistant", "content": reply}, *step.messages]
        whole = tokenizer.apply_chat_template(said, tools=tools, tokenize=False, add_generation_prompt=True)
        assert tokenizer.decode(ids) == whole
        between = tokenizer.decode(bridge)
        assert between.startswith("<|im_end|>") and between.endswith("<|im_start|>assistant\n")
        assert "<tool_response>" in between and f"({task.facts[0]})" in between  # its card


def test_a_written_call_names_the_scene_s_subject_and_finds_its_card(facts):
    assert subject_query(facts[0]) == "flag of France"
    for task in facts:
        episode = _episode(task)
        episode.call_tools(text_calls(forced_call(task, "tag")))
        assert task.facts[0] in episode.search_log.calls[0]["ids"][:3], task.id


@pytest.mark.browser  # its Scorer renders the drawings (SVG in Chromium)
def test_search_recall_is_paid_where_the_gate_passed_and_the_first_call_bonus_whatever_the_drawing(facts):
    task = facts[0]
    drawing = task.reference_programs["svg"]  # the fact's own reference drawing
    scorer = ToolScorer(Scorer(REWARD), recall_weight=0.1, call_bonus=0.05)
    assert scorer.names[-2:] == ["search_recall", "first_call"] and scorer.weights[-2:] == [0.1, 0.05]
    drawn, broken, none = scorer.score([task] * 3, [f"```svg\n{drawing}\n```", "no code at all", drawing],
                                       [1.0, 1.0, None])
    assert drawn[0]["gate"] == 1.0 and drawn[0]["search_recall"] == 1.0 and drawn[0]["first_call"] == 1.0
    assert broken[0]["gate"] < 0 and broken[0]["search_recall"] == 0.0 and broken[0]["first_call"] == 1.0
    assert none[0]["search_recall"] == 0.0 and none[0]["first_call"] == 0.0  # no call: nothing found
    paid = scorer.value(drawn[0])
    assert paid is not None and paid == pytest.approx(Scorer(REWARD).value(drawn[0]) + 0.1 + 0.05)
    with pytest.raises(ValueError, match="0 or more"):
        ToolScorer(Scorer(REWARD), call_bonus=-0.1)


@pytest.mark.browser  # its Scorer renders the replies' programs (SVG in Chromium)
def test_a_conversation_is_one_sequence_whose_tool_answers_are_masked_out(tiny, facts):
    policy = load_policy(str(tiny), "cpu", threads=1)
    engine, _ = engine_from_model(policy.model, policy.tokenizer, compute_type="int8", threads=1)
    scorer = ToolScorer(Scorer(REWARD), call_bonus=0.1)
    sampling = ToolSampling(forced_call=True, drawing_opening=DRAWING_OPENING)
    rollouts = converse_groups(engine, facts[:2], 2, scorer, sampling=sampling, max_tokens=12, seed=3)
    engine.close()
    assert len(rollouts) == 4 and [r.group for r in rollouts] == [0, 0, 1, 1]
    tok = policy.tokenizer
    for r in rollouts:
        task = facts[r.group]
        assert len(r.mask) == len(r.completion_ids) == len(r.logprobs)
        assert r.replies[0] == forced_call(task, "tag") and r.text == r.replies[-1]
        assert len(r.replies) == 2 and r.replies[1].startswith(DRAWING_OPENING)  # the fence, written
        assert r.searches[0]["query"] == subject_query(task) and r.first_recall == 1.0
        assert r.parts["first_call"] == 1.0
        assert r.parts["search_recall"] == 0.0  # the tiny model draws nothing: no gate pass, no recall paid
        hidden = tok.decode([t for t, m in zip(r.completion_ids, r.mask, strict=True) if not m])
        trained = tok.decode([t for t, m in zip(r.completion_ids, r.mask, strict=True) if m])
        assert "<information>" in hidden and f"({task.facts[0]})" in hidden  # the card, never trained on
        assert trained.startswith(forced_call(task, "tag")) and "<information>" not in trained
        assert DRAWING_OPENING.strip() in trained  # the written fence is trained on, as the call is
        assert all(lp == 0.0 for lp, m in zip(r.logprobs, r.mask, strict=True) if not m)


def test_conversations_with_prefix_reuse_and_no_logprobs_decode_as_without(tiny, facts):
    from codepaint_env.policy.learning.searching import converse

    policy = load_policy(str(tiny), "cpu", threads=1)
    sampling = ToolSampling(forced_call=True, drawing_opening=DRAWING_OPENING)
    chats = {}
    for reuse in (False, True):
        engine, _ = engine_from_model(policy.model, policy.tokenizer, compute_type="float32", threads=1,
                                      prefix_reuse=reuse)
        chats[reuse] = converse(engine, facts[:2] * 2, [1, 2, 3, 4], sampling, temperature=0.0, max_tokens=12,
                                logprobs=not reuse)
        engine.close()
    assert [c.completion_ids for c in chats[True]] == [c.completion_ids for c in chats[False]]
    assert [c.mask for c in chats[True]] == [c.mask for c in chats[False]]
    assert all(lp == 0.0 for c in chats[True] for lp in c.logprobs)  # none asked, none fetched


def test_a_masked_example_trains_on_its_kept_tokens_only(tiny):
    policy = load_policy(str(tiny), "cpu", threads=1)
    model = with_adapter(policy.model, LORA)
    ids = policy.prompt_ids([{"role": "user", "content": "Draw a red circle."}])
    completion = policy.tokenizer("<search>red</search> answer <svg/>", add_special_tokens=False)["input_ids"]
    mask = [1] * 4 + [0] * (len(completion) - 6) + [1] * 2
    done = sft_pass(model, [(ids, completion, mask)] * 2, lr=1e-3, epochs=1, batch=2, micro=1)
    assert done.tokens == 2 * sum(mask)


def test_the_loss_reads_logits_only_where_a_token_is_trained_and_equals_the_full_loss(tiny):
    # logits_to_keep: the prompt's and the cards' logits are never made; the loss is the same number
    import torch

    policy = load_policy(str(tiny), "cpu", threads=1)
    model = with_adapter(policy.model, LORA)
    tok = policy.tokenizer
    ids = policy.prompt_ids([{"role": "user", "content": "Draw the flag of France, as an SVG image."}])
    short = tok("<search>france</search> <svg/>", add_special_tokens=False)["input_ids"]
    long = tok("<search>flag of France</search> [1] blue white red ```svg <svg></svg>```",
               add_special_tokens=False)["input_ids"]
    examples = [(ids, short, [1] * 4 + [0] * (len(short) - 6) + [1] * 2), (ids[:5], long, None)]
    seen: list[int] = []
    hook = model.get_output_embeddings().register_forward_hook(lambda _m, _i, out: seen.append(out.shape[1]))
    done = sft_pass(model, examples, lr=0.0, epochs=1, batch=2, micro=2)
    hook.remove()
    p_ids, labels, mask = _padded(torch, examples, 0)
    width = p_ids.shape[1]
    trained_positions = int((labels[:, 1:] != -100).any(dim=0).sum())  # a position before a trained token
    assert seen == [trained_positions] and trained_positions < width - 1  # the prompt's logits never made
    with torch.no_grad():
        model.train()
        logits = model(input_ids=p_ids, attention_mask=mask).logits[:, :-1, :].float()
        flat = logits.reshape(-1, logits.shape[-1])
        full = torch.nn.functional.cross_entropy(flat, labels[:, 1:].reshape(-1), ignore_index=-100,
                                                 reduction="sum")
    assert done.tokens == sum(examples[0][2]) + len(long)
    assert done.first_loss == pytest.approx(float(full) / done.tokens, rel=1e-5)


@pytest.mark.browser  # the round scores its samples: SVG rendered in Chromium
def test_expert_iteration_on_the_facts_warm_starts_with_written_calls_then_samples_its_own(tiny, tmp_path):
    config = RFTConfig(model=str(tiny), reward=REWARD, suite="knowledge", tools="search", warm_start_rounds=1,
                       scenes=2, k=2, max_tokens=12, lora=LORA, threads=1, validation=2, validation_samples=1)
    out = tmp_path / "rft-search"
    run_rft(config, out, stop_after=2, log=lambda _: None)
    warm = json.loads((out / "rounds" / "round-000" / "report.json").read_text())
    cold = json.loads((out / "rounds" / "round-001" / "report.json").read_text())
    assert warm["warm_start"] is True and warm["search"]["call_rate"] == 1.0
    assert warm["search"]["recall_at_3"] == 1.0
    # every fact's written call is trained on, kept or not (a random model keeps no drawing): 2 facts
    assert warm["kept"] == 0 and warm["trained_on"] == 2
    assert cold["warm_start"] is False
    assert cold["search"]["call_rate"] < 1.0  # a random model rarely writes a tag
    assert set(warm["validation"]) >= {"call_rate", "recall_at_3", "gate_pass"}
    lines = (out / "rounds" / "round-000" / "samples.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    assert all(r["replies"][0].startswith("<search>") and r["searches"] for r in rows)
    assert all(r["replies"][1].startswith(DRAWING_OPENING) for r in rows)  # then the model's own drawing
    held = {t.strip("`* ") for t in (out / "plan.md").read_text().splitlines() if t.startswith("* `")}
    assert len(held) == 2 and not held & {r["task_id"] for r in rows}  # validation facts are never trained on
    with pytest.raises(ValueError, match="need tools='search'"):
        RFTConfig(call_bonus=0.1)


@pytest.mark.browser  # the step scores its rollouts: SVG rendered in Chromium
def test_grpo_with_the_tool_scores_the_program_and_masks_the_cards(tiny, facts, tmp_path):
    import csv
    from collections import defaultdict
    from types import SimpleNamespace

    import rewards
    from codepaint_env.policy.learning import grpo

    # TRL's real GRPOTrainer runs a step with conversations (the tiny model rarely calls: the plumbing)
    settings = grpo.GRPOSettings(model=str(tiny), reward=REWARD, suite="knowledge", tools="search",
                                 call_bonus=0.05, num_generations=2, batch=2, micro=2, steps=2, max_tokens=12,
                                 lora=LORA, threads=1, save_every=1)
    final = grpo.run_grpo(settings, tmp_path / "grpo-search", stop_after=1, log=lambda _: None)
    assert (final / "config.json").exists()
    rows = list(csv.DictReader((tmp_path / "grpo-search" / "curves.csv").read_text().splitlines()))
    assert any(r.get("codepaint/tool_call_rate") not in (None, "") for r in rows)

    # the rollout function, its first replies written as calls: cards masked, the program is the last reply
    policy = load_policy(str(tiny), "cpu", threads=1)
    trainer = SimpleNamespace(model=policy.model, state=SimpleNamespace(global_step=0),
                              _metrics={"train": defaultdict(list)})
    rollout = grpo.tool_rollouts(policy.tokenizer, facts[:2], ToolSampling(forced_call=True), temperature=0.9,
                            max_tokens=12, threads=1)
    prompts = [[{"role": "user", "content": t.prompt}] for t in facts[:2]]
    out = rollout(prompts, trainer)
    assert [0 in m and 1 in m for m in out["env_mask"]] == [True, True]
    assert all(len(m) == len(c) for m, c in zip(out["env_mask"], out["completion_ids"], strict=True))
    assert out["first_recall"] == [1.0, 1.0] and out["tool_calls"] == [1, 1]
    funcs, _ = rewards.reward_funcs(REWARD, split_checks=True, async_judges=False)
    columns = {k: [t.columns()[k] for t in facts[:2]] for k in facts[0].columns()}
    texts = [policy.tokenizer.decode(c) for c in out["completion_ids"]]
    gate = grpo.OnProgram(funcs[0])(texts, prompts=prompts, program=out["program"], **columns)
    assert gate == funcs[0](out["program"], prompts=prompts, **columns)  # the program, not the conversation
    kwargs = {"prompts": prompts, "program": out["program"], "first_recall": out["first_recall"], **columns}
    assert grpo.SearchPart(funcs[0])(texts, **kwargs) == [0.0, 0.0]  # no drawing passed the gate
    assert grpo.SearchPart(funcs[0], gated=False)(texts, **kwargs) == [1.0, 1.0]


def test_a_warm_round_trains_each_facts_first_reply_alone_once():
    from codepaint_env.policy.learning.rft import first_turns
    from codepaint_env.policy.learning.rollouts import Rollout

    def rollout(task: str, mask: list[int]) -> Rollout:
        return Rollout(task_id=task, level=None, group=0, prompt_ids=[1, 2],
                       completion_ids=list(range(10, 10 + len(mask))), logprobs=None, text="",
                       finish_reason="stop", gate_passed=False, parts={}, advantage=0.0, mask=mask)

    got = first_turns([rollout("a", [1, 1, 1, 0, 0, 1, 1]), rollout("a", [1, 1, 1, 0, 0, 1]),
                       rollout("b", [1, 1, 0, 1]), rollout("c", [1, 1, 1])])  # c never called: no bridge
    assert got == [([1, 2], [10, 11, 12], [1, 1, 1]), ([1, 2], [10, 11], [1, 1])]
