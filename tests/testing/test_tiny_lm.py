"""The tiny local LM (codepaint_env.testing) and a real two-step TRL GRPO run on it, all offline on a CPU."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing here may reach a model hub


from rewards.embed.compat import ensure_torchvision

ensure_torchvision()  # before transformers/TRL import it (CPU torch + CUDA torchvision wheel)

from datasets import Dataset  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402
from trl import GRPOTrainer  # noqa: E402

from codepaint_env.core.errors import DependencyNotInstalled  # noqa: E402
from codepaint_env.testing import build_tiny_lm, tiny_grpo_config  # noqa: E402
from codepaint_env.testing import tiny_lm as tiny_lm_module  # noqa: E402

# TRL 1.16 itself calls the deprecated `model.is_gradient_checkpointing` of transformers 5.
pytestmark = [pytest.mark.filterwarnings("ignore:`is_gradient_checkpointing` is deprecated:FutureWarning"),
              pytest.mark.embed]

PROMPTS = [
    "Paint a watercolour sunset over the sea with p5.brush.",
    "Draw three overlapping circles in blue, gold and red.",
    "A field of sunflowers at dusk.",
    "A small red house on a hill, soft shadows.",
]


@pytest.fixture(scope="module")
def tiny_lm_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_tiny_lm(tmp_path_factory.mktemp("tiny-lm") / "model"))


# --- building and loading ------------------------------------------------------------------------------


def test_build_loads_with_auto_classes_round_trips_and_generates(tmp_path):
    import torch

    path = build_tiny_lm(tmp_path / "lm")
    assert path == tmp_path / "lm"
    assert {"config.json", "generation_config.json", "model.safetensors", "tokenizer.json"} <= {
        p.name for p in path.iterdir()
    }

    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    assert len(tok) == 1024 == model.config.vocab_size

    # Lossless byte-level round trip: braces, quotes, tabs, CRLF, leading spaces, non-ASCII, emoji.
    code = (
        'function draw() {\n\tbrush.fill("#e07a5f", 70);  // \'quoted\' → “smart”\r\n'
        "  text(`naïve café 世界 🎨 e\u0301`, 10, 20);\n}\n   \n"
    )
    ids = tok(code)["input_ids"]
    assert tok.decode(ids) == code
    assert tok.decode(ids, skip_special_tokens=True) == code
    assert len(ids) < len(code.encode())  # BPE merges learned from the corpus actually apply

    # Special tokens agree between tokenizer, model config and generation config.
    assert (tok.bos_token, tok.eos_token, tok.pad_token) == ("<|startoftext|>", "<|endoftext|>", "<|pad|>")
    assert model.config.bos_token_id == tok.bos_token_id
    assert model.config.eos_token_id == tok.eos_token_id
    assert model.config.pad_token_id == tok.pad_token_id
    gen = model.generation_config
    assert gen.pad_token_id == tok.pad_token_id and gen.bos_token_id == tok.bos_token_id
    assert gen.eos_token_id == [tok.eos_token_id, tok.convert_tokens_to_ids("<|im_end|>")]

    # ChatML-like template.
    messages = [{"role": "user", "content": "Draw a cat {with braces}"}]
    text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert text == "<|im_start|>user\nDraw a cat {with braces}<|im_end|>\n<|im_start|>assistant\n"
    parts = [{"role": "user", "content": [{"type": "text", "text": "Draw a cat {with braces}"}]}]
    assert tok.apply_chat_template(parts, tokenize=False, add_generation_prompt=True) == text

    enc = tok.apply_chat_template(messages, add_generation_prompt=True, return_dict=True, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**enc, max_new_tokens=6, do_sample=False, min_new_tokens=6)
    assert out.shape == (1, enc["input_ids"].shape[1] + 6)
    assert isinstance(tok.decode(out[0, enc["input_ids"].shape[1] :]), str)


def test_build_is_idempotent_deterministic_and_refuses_foreign_folders(tmp_path, monkeypatch):
    import torch
    from safetensors.torch import load_file

    builds = []
    real_build_into = tiny_lm_module._build_into

    def counting_build_into(out, **kwargs):
        builds.append(kwargs)
        real_build_into(out, **kwargs)

    monkeypatch.setattr(tiny_lm_module, "_build_into", counting_build_into)

    path = build_tiny_lm(tmp_path / "lm", seed=3)
    weights = path / "model.safetensors"
    mtime = weights.stat().st_mtime_ns
    first = load_file(weights)
    assert len(builds) == 1

    assert build_tiny_lm(str(tmp_path / "lm"), seed=3) == path  # str path, same params: no rebuild
    assert len(builds) == 1 and weights.stat().st_mtime_ns == mtime

    build_tiny_lm(path, seed=3, overwrite=True)  # rebuilt, and the same seed gives the same weights
    assert len(builds) == 2
    again = load_file(weights)
    assert first.keys() == again.keys() and all(torch.equal(first[k], again[k]) for k in first)

    build_tiny_lm(path, seed=4)  # other params: our own build is replaced
    assert len(builds) == 3
    assert not all(torch.equal(first[k], t) for k, t in load_file(weights).items())
    assert [p.name for p in tmp_path.iterdir()] == ["lm"]  # no staging folder left behind

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        build_tiny_lm(foreign)
    assert (foreign / "notes.txt").read_text() == "mine" and len(builds) == 3

    with pytest.raises(ValueError, match="hidden_size"):
        build_tiny_lm(tmp_path / "bad", hidden_size=40)


def test_missing_dependencies_say_how_to_install(tmp_path, monkeypatch):
    code = (
        "import sys\n"
        "for m in ('torch', 'transformers', 'tokenizers', 'trl'): sys.modules[m] = None\n"
        "import codepaint_env.testing\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)

    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with pytest.raises(DependencyNotInstalled, match=r"pip install 'codepaint\[train\]'"):
        build_tiny_lm(tmp_path / "lm")
    assert not (tmp_path / "lm").exists()
    monkeypatch.setitem(sys.modules, "trl", None)
    with pytest.raises(DependencyNotInstalled, match=r"pip install 'codepaint\[train\]'"):
        tiny_grpo_config(tmp_path)


# --- a real GRPO run --------------------------------------------------------------------------------------


def _text(completion) -> str:
    """A completion is a string (plain prompts) or a list of messages (conversational prompts)."""
    return completion if isinstance(completion, str) else "".join(m["content"] for m in completion)


class BraceReward:
    """Picklable callable-class reward: one point per ``{`` in the completion."""

    __name__ = "brace_reward"

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, completions, *, prompts=None, **kwargs) -> list[float]:
        # Extra dataset columns arrive as keyword arguments, one value per completion.
        assert kwargs["language"] == ["p5brush"] * len(completions)
        assert prompts is not None and len(prompts) == len(completions)
        self.calls += 1
        return [float(_text(c).count("{")) for c in completions]


class AsyncBraceReward:
    """The same reward with ``async def __call__``; TRL awaits it on its own event-loop thread."""

    __name__ = "async_brace_reward"

    def __init__(self) -> None:
        self.calls = 0
        self.threads: set[str] = set()

    async def __call__(self, completions, *, prompts=None, **kwargs) -> list[float]:
        await asyncio.sleep(0)
        assert kwargs["language"] == ["p5brush"] * len(completions)
        assert prompts is not None and len(prompts) == len(completions)
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        return [float(_text(c).count("{")) for c in completions]


def _train(model_path: str, reward, prompts, output_dir) -> GRPOTrainer:
    dataset = Dataset.from_dict({"prompt": prompts, "language": ["p5brush"] * len(prompts)})
    trainer = GRPOTrainer(
        model=model_path, reward_funcs=reward, train_dataset=dataset, args=tiny_grpo_config(output_dir)
    )
    trainer.train()
    return trainer


def _assert_logged_rewards(trainer: GRPOTrainer, name: str) -> None:
    assert trainer.state.global_step == 2
    steps = [entry for entry in trainer.state.log_history if "reward" in entry]
    assert [entry["step"] for entry in steps] == [1, 2]
    for entry in steps:
        for key in ("reward", "reward_std", f"rewards/{name}/mean", f"rewards/{name}/std", "loss"):
            assert isinstance(entry[key], float), key
        assert entry["reward"] == entry[f"rewards/{name}/mean"] >= 0.0  # one reward function, weight 1
        assert entry["completions/max_length"] <= 48


def test_grpo_trains_two_steps_with_a_callable_class_reward(tiny_lm_path, tmp_path):
    reward = BraceReward()
    trainer = _train(tiny_lm_path, reward, PROMPTS, tmp_path / "run")
    assert reward.calls == 2  # one generation batch of 1 prompt x 4 completions per step
    _assert_logged_rewards(trainer, "brace_reward")


def test_grpo_awaits_an_async_callable_class_reward_on_chat_prompts(tiny_lm_path, tmp_path):
    reward = AsyncBraceReward()
    chats = [[{"role": "user", "content": p}] for p in PROMPTS]
    trainer = _train(tiny_lm_path, reward, chats, tmp_path / "run")
    assert reward.calls == 2  # an un-awaited coroutine would never have run its body
    assert reward.threads and threading.current_thread().name not in reward.threads
    _assert_logged_rewards(trainer, "async_brace_reward")
