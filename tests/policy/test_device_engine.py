"""The batched transformers engine: one forward pass a step for all its rows, on the model's device.

On :func:`~codepaint_env.testing.build_tiny_lm`'s Llama (weights of standard deviation 0.5, so greedy
replies vary with clear margins): a batch decodes what each of its rows decodes alone (greedy and
seeded sampling), stop strings and per-row token budgets end each row where they should, the
batched choice is the one-row rule, every tensor the model is handed lives where its parameters
do, and a model lent by a trainer goes back in training mode. Each test runs on the CPU, and on a
GPU too where torch sees one.
"""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.embed

if importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None:
    pytest.skip("needs the local-model extra: pip install 'codepaint[local-model]'", allow_module_level=True)

import torch  # noqa: E402
import transformers  # noqa: E402

from codepaint_env.policy import Row  # noqa: E402
from codepaint_env.policy.engines import TransformersEngine  # noqa: E402
from codepaint_env.policy.engines.sampling import sample_token  # noqa: E402
from codepaint_env.policy.engines.transformers_engine import pick_tokens  # noqa: E402
from codepaint_env.testing import build_tiny_lm  # noqa: E402

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]
CHATS = [[{"role": "user", "content": "Draw a red circle."}],
         [{"role": "system", "content": "You write SVG programs for a drawing class."},
          {"role": "user", "content": "Draw a big blue square in the middle of a white page, please."}],
         [{"role": "user", "content": "A tree."}],
         [{"role": "user", "content": "Two green triangles side by side on a black background."}]]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_lm(tmp_path_factory.mktemp("tiny") / "lm", init_std=0.5)


@pytest.fixture(scope="module")
def tokenizer(tiny):
    return transformers.AutoTokenizer.from_pretrained(tiny)


@pytest.fixture(scope="module", params=DEVICES)
def engine(request, tiny, tokenizer):
    torch.set_num_threads(1)
    model = transformers.AutoModelForCausalLM.from_pretrained(tiny, dtype=torch.float32).to(request.param)
    return TransformersEngine(model.eval(), tokenizer)


@pytest.fixture(scope="module")
def prompts(tokenizer):
    return [tuple(tokenizer.apply_chat_template(c, add_generation_prompt=True, return_dict=False))
            for c in CHATS]


class ForwardDevices:
    """Records the device of every tensor handed to a model's forward (a forward pre-hook)."""

    def __init__(self, model):
        self.seen: set[str] = set()
        self.calls = 0
        self.handle = model.register_forward_pre_hook(self, with_kwargs=True)

    def __call__(self, module, args, kwargs):
        self.calls += 1
        for value in [*args, *kwargs.values()]:
            if isinstance(value, torch.Tensor):
                self.seen.add(str(value.device))

    def close(self):
        self.handle.remove()


def test_a_batch_decodes_greedily_what_each_row_decodes_alone(engine, prompts):
    budgets = (24, 5, 40, 13)  # rows end at different steps: the batch narrows as they do
    rows = [Row(p, temperature=0.0, max_tokens=n) for p, n in zip(prompts, budgets, strict=True)]
    widths: list[int] = []
    handle = engine.model.register_forward_pre_hook(
        lambda module, args, kwargs: widths.append(kwargs["input_ids"].shape[0]), with_kwargs=True)
    try:
        together = engine.decode(rows)
    finally:
        handle.remove()
    # one pass a step for the whole batch (40 steps), which drops its ended rows once they are half of it
    assert len(widths) == 40 and widths[0] == 4 and widths[-1] == 1 and 2 in widths
    alone = [engine.decode([r])[0] for r in rows]
    assert [c.token_ids for c in together] == [c.token_ids for c in alone]
    assert [c.text for c in together] == [c.text for c in alone]
    assert [(c.completion_tokens, c.finish_reason) for c in together] == [(n, "length") for n in budgets]
    assert all(len(set(c.token_ids)) >= 4 for c in together)  # varied replies, not one token repeated
    for a, b in zip(together, alone, strict=True):
        assert a.logprobs is not None and b.logprobs is not None
        assert a.logprobs == pytest.approx(b.logprobs, abs=1e-4) and all(lp <= 0 for lp in a.logprobs)
    # a batch split by max_batch decodes the same
    split = TransformersEngine(engine.model, engine.tokenizer, max_batch=2).decode(rows)
    assert [c.token_ids for c in split] == [c.token_ids for c in together]


def test_greedy_logprobs_are_the_models_own_from_one_forward_pass(engine, prompts):
    rows = [Row(p, temperature=0.0, max_tokens=12) for p in prompts[:2]]
    for row, choice in zip(rows, engine.decode(rows), strict=True):
        ids = torch.tensor([list(row.prompt_ids) + choice.token_ids], device=engine.model.device)
        with torch.no_grad():
            logits = engine.model(ids).logits[0, len(row.prompt_ids) - 1:-1].double()
        chosen = torch.tensor(choice.token_ids, device=ids.device)[:, None]
        want = torch.log_softmax(logits, -1).gather(1, chosen)
        assert choice.logprobs == pytest.approx(want[:, 0].tolist(), rel=1e-4, abs=1e-4)


def test_seeded_sampling_is_reproducible_and_does_not_depend_on_the_rows_beside(engine, prompts):
    rows = [Row(p, temperature=1.0, top_p=0.9, max_tokens=16, seed=7 + i, min_tokens=3)
            for i, p in enumerate(prompts)]
    rows.append(Row(prompts[0], temperature=0.7, max_tokens=9, seed=3))  # other settings, same batch
    first = [c.token_ids for c in engine.decode(rows)]
    assert [c.token_ids for c in engine.decode(rows)] == first
    assert [engine.decode([r])[0].token_ids for r in rows] == first
    assert [c.token_ids for c in engine.decode(rows[::-1])] == first[::-1]
    other = [Row(r.prompt_ids, r.temperature, r.top_p, r.max_tokens, seed=r.seed + 100) for r in rows]
    assert [c.token_ids for c in engine.decode(other)] != first
    assert all(len(t) >= 3 for t in first)  # min_tokens: no end-of-turn token before 3


def test_stop_strings_and_each_rows_token_budget_end_it(engine, prompts):
    [greedy] = engine.decode([Row(prompts[1], temperature=0.0, max_tokens=24)])
    text = greedy.text
    stop = text[len(text) // 2:][:3]
    assert stop.strip() and text.find(stop) > 0, text
    rows = [Row(prompts[1], temperature=0.0, max_tokens=24, stop=(stop, "never said")),
            *[Row(p, temperature=0.0, max_tokens=n) for p, n in zip(prompts, (3, 7, 1), strict=False)],
            Row(prompts[3], temperature=0.9, max_tokens=5, seed=1, stop=("never said",))]
    stopped, *ended, sampled = engine.decode(rows)
    assert stopped.text == text[:text.find(stop)] and stopped.finish_reason == "stop"
    assert len(stopped.token_ids) < 24 and stopped.token_ids == greedy.token_ids[:len(stopped.token_ids)]
    assert [(c.completion_tokens, c.finish_reason) for c in ended] == [(3, "length"), (7, "length"),
                                                                      (1, "length")]
    assert sampled.completion_tokens <= 5
    assert engine.decode([]) == []


def test_the_batched_choice_is_the_one_row_rule():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 50, generator=generator) * 3
    logits[5, :] = float("-inf")
    logits[5, 7] = 0.0  # one token with all the mass
    temperature = [0.0, 1.0, 0.7, 1.3, 0.5, 1.0]
    top_p = [1.0, 1.0, 0.9, 0.5, 0.3, 0.8]
    for trial in range(20):
        uniform = torch.rand(6, generator=generator, dtype=torch.float64)
        if trial == 0:
            uniform[:] = 1 - 2**-52  # a draw at the very top still falls on a token with mass
        greedy = torch.tensor([t <= 0 for t in temperature])
        scale = torch.tensor([t if t > 0 else 1.0 for t in temperature])
        got = pick_tokens(torch, logits.clone(), greedy=greedy, scale=scale, top_p=torch.tensor(top_p),
                          uniform=uniform, nucleus=True, sampled=True).tolist()
        want = [sample_token(torch, logits[i], temperature[i], top_p[i], float(uniform[i])) for i in range(6)]
        assert got == want
        assert got[5] == 7 and got[0] == int(logits[0].argmax())
        probs = torch.softmax(logits / scale[:, None], -1)
        assert all(probs[i, t] > 0 for i, t in enumerate(got))
    # without a nucleus nothing is sorted, and the rule is the same
    uniform = torch.rand(6, generator=generator, dtype=torch.float64)
    plain = pick_tokens(torch, logits.clone(), greedy=torch.zeros(6, dtype=torch.bool), scale=torch.ones(6),
                        top_p=torch.ones(6), uniform=uniform, nucleus=False, sampled=True)
    assert plain.tolist() == [sample_token(torch, logits[i], 1.0, 1.0, float(uniform[i])) for i in range(6)]


def test_every_tensor_the_model_is_handed_lives_where_its_parameters_do(engine, prompts):
    record = ForwardDevices(engine.model)
    try:
        engine.decode([Row(p, temperature=0.8, top_p=0.9, max_tokens=6, seed=i, min_tokens=2)
                       for i, p in enumerate(prompts)])
    finally:
        record.close()
    assert record.calls >= 2 and record.seen == {str(next(engine.model.parameters()).device)}
    assert engine.describe()["device"] == str(next(engine.model.parameters()).device)


def test_a_model_lent_in_training_mode_goes_back_in_it(engine, prompts):
    modes: list[bool] = []
    handle = engine.model.register_forward_pre_hook(lambda module, args: modes.append(module.training))
    engine.model.train()
    try:
        engine.decode([Row(prompts[0], temperature=0.0, max_tokens=3)])
    finally:
        handle.remove()
        training = engine.model.training
        engine.model.eval()
    assert modes and not any(modes) and training  # decoded in eval mode, handed back training


def test_bad_engine_options_are_refused(engine):
    with pytest.raises(ValueError, match="max_batch"):
        TransformersEngine(engine.model, engine.tokenizer, max_batch=0)
    with pytest.raises(ValueError, match="bfloat16, float16"):
        TransformersEngine(engine.model, engine.tokenizer, autocast="int8")
