"""A tiny random causal language model and tokenizer, built locally in a few seconds.

Tests and smoke runs of the training stack need a model that loads the way a real checkpoint does
(``AutoTokenizer.from_pretrained(path)`` / ``AutoModelForCausalLM.from_pretrained(path)``) without
reaching a model hub. :func:`build_tiny_lm` writes one: a randomly initialised Llama-architecture
model of about a hundred thousand parameters and a byte-level BPE tokenizer trained on a small built-in
corpus of creative-code snippets, so it encodes any text and its samples look vaguely code-like.
:func:`tiny_grpo_config` is a ``trl.GRPOConfig`` sized so that two GRPO steps on it run in seconds
on a CPU.

Example::

    from trl import GRPOTrainer
    from codepaint_env.testing import build_tiny_lm, tiny_grpo_config

    path = build_tiny_lm("/tmp/tiny-lm")
    trainer = GRPOTrainer(model=str(path), reward_funcs=my_reward, train_dataset=dataset,
                          args=tiny_grpo_config("/tmp/tiny-run"))
    trainer.train()
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
from typing import TYPE_CHECKING, Any

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.testing.build import (
    build_atomically,
    dependency_hint,
    import_deps,
    save_quietly,
    train_byte_bpe,
)

if TYPE_CHECKING:
    import trl

__all__ = ["MARKER_FILE", "build_tiny_lm", "tiny_grpo_config"]

#: Written last into a finished build; holds the build parameters that :func:`build_tiny_lm` compares.
MARKER_FILE = "codepaint_tiny_lm.json"

#: Bumped whenever the build recipe (corpus, architecture, template) changes, so old builds are redone.
_FORMAT_VERSION = 1

_ENDOFTEXT = "<|endoftext|>"
_PAD = "<|pad|>"
_BOS = "<|startoftext|>"
_IM_START = "<|im_start|>"
_IM_END = "<|im_end|>"
_SPECIAL_TOKENS = (_ENDOFTEXT, _PAD, _BOS, _IM_START, _IM_END)

_HEAD_DIM = 16
_MAX_POSITIONS = 2048

# ChatML-like: every message is ``<|im_start|>role\ncontent<|im_end|>\n``. Content may be a string or a
# list of ``{"type": "text", "text": ...}`` parts (other part types are dropped).
_CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' -}}"
    "{%- if message['content'] is string -%}"
    "{{- message['content'] -}}"
    "{%- else -%}"
    "{%- for part in message['content'] -%}"
    "{%- if part['type'] == 'text' -%}{{- part['text'] -}}{%- endif -%}"
    "{%- endfor -%}"
    "{%- endif -%}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)


def _train_tokenizer(transformers: Any, vocab_size: int) -> Any:
    """Train a byte-level BPE tokenizer on the built-in corpus and wrap it for transformers."""
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=train_byte_bpe(vocab_size, _SPECIAL_TOKENS),
        bos_token=_BOS,
        eos_token=_ENDOFTEXT,
        pad_token=_PAD,
        chat_template=_CHAT_TEMPLATE,
        model_max_length=_MAX_POSITIONS,
        padding_side="left",
        clean_up_tokenization_spaces=False,
    )


def _build_into(
    out: pathlib.Path,
    *,
    seed: int,
    hidden_size: int,
    num_layers: int,
    vocab_size: int,
    init_std: float | None,
    marker: dict[str, Any],
) -> None:
    """Build tokenizer and model into the (empty) folder ``out``; the marker is written last."""
    torch, transformers = import_deps()

    tokenizer = _train_tokenizer(transformers, vocab_size)
    bos_id = tokenizer.convert_tokens_to_ids(_BOS)
    eos_id = tokenizer.convert_tokens_to_ids(_ENDOFTEXT)
    pad_id = tokenizer.convert_tokens_to_ids(_PAD)
    im_end_id = tokenizer.convert_tokens_to_ids(_IM_END)

    num_heads = hidden_size // _HEAD_DIM
    config = transformers.LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=max(1, num_heads // 2),
        max_position_embeddings=_MAX_POSITIONS,
        head_dim=_HEAD_DIM,
        tie_word_embeddings=True,
        bos_token_id=bos_id,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
        dtype="float32",
    )
    if init_std is not None:
        config.initializer_range = init_std
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = transformers.AutoModelForCausalLM.from_config(config)
    model.generation_config = transformers.GenerationConfig(
        bos_token_id=bos_id,
        eos_token_id=[eos_id, im_end_id],
        pad_token_id=pad_id,
    )
    save_quietly(transformers, model, out)
    tokenizer.save_pretrained(out)
    (out / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def build_tiny_lm(
    path: str | os.PathLike,
    *,
    seed: int = 0,
    hidden_size: int = 64,
    num_layers: int = 2,
    vocab_size: int = 1024,
    init_std: float | None = None,
    overwrite: bool = False,
) -> pathlib.Path:
    """Build a tiny random causal LM and its tokenizer into ``path``, without any download.

    The model is a randomly initialised Llama-architecture ``AutoModelForCausalLM`` (float32, tied
    embeddings, 16-dimensional attention heads, grouped-query attention). Llama rather than Qwen2
    because ``AutoTokenizer`` loads a Llama folder's ``tokenizer.json`` as written, whereas for
    ``qwen2`` it rebuilds the tokenizer with Qwen's own normaliser and pre-tokenizer.

    The tokenizer is a byte-level BPE trained on a small built-in corpus of p5.js, p5.brush, SVG,
    HTML and Python snippets and English prompts, so it encodes any text losslessly. It has
    ``<|startoftext|>`` (bos), ``<|endoftext|>`` (eos) and ``<|pad|>`` (pad) special tokens, is not
    made to add any of them by itself, and has a ChatML-like chat template (one
    ``<|im_start|>ROLE``, newline, ``CONTENT<|im_end|>``, newline per message), so conversational
    prompts work with ``apply_chat_template(..., add_generation_prompt=True)``.
    Generation stops at ``<|endoftext|>`` or ``<|im_end|>``. The folder loads with
    ``AutoTokenizer.from_pretrained(path)`` and ``AutoModelForCausalLM.from_pretrained(path)``.

    The build is idempotent: a finished build carries a marker file (:data:`MARKER_FILE`) with its
    parameters; when it matches and ``overwrite`` is false the folder is returned untouched. A folder
    built with other parameters is rebuilt. The build happens in a sibling temporary folder that is
    renamed into place, so an interrupted build never leaves a half-written model behind. It takes
    well under a second, plus the first import of torch and transformers.

    Args:
        path: Folder to build into. Created if missing, together with its parents.
        seed: Seed for the random weights (the global torch RNG state is left untouched).
        hidden_size: Model width; a positive multiple of 16.
        num_layers: Number of transformer layers.
        vocab_size: Size of the tokenizer vocabulary: the 256 byte tokens, 5 special tokens and
            learned merges. The built-in corpus runs out of merges at about 1,500 tokens, so larger
            values give a smaller vocabulary; the model's embedding matrix always has exactly
            ``len(tokenizer)`` rows. At least 262.
        init_std: The standard deviation of the random weights (``None``: transformers' 0.02). At
            0.02 the logits are nearly flat and greedy decoding repeats one token; around 0.5 a greedy
            reply varies from token to token with clear margins between the first and second choice,
            which tests comparing two engines token for token need.
        overwrite: Rebuild even if ``path`` already holds a matching build, and replace a non-empty
            folder that holds no tiny model.

    Returns:
        The absolute path of the built folder.

    Raises:
        ValueError: If a size parameter is out of range, or ``path`` is a filesystem root.
        FileExistsError: If ``path`` is a file, or a non-empty folder that was not built by this
            function, and ``overwrite`` is false.
        DependencyNotInstalled: If torch, transformers or tokenizers is missing.
    """
    if hidden_size < _HEAD_DIM or hidden_size % _HEAD_DIM:
        raise ValueError(f"hidden_size must be a positive multiple of {_HEAD_DIM}, got {hidden_size}")
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1, got {num_layers}")
    min_vocab = 256 + len(_SPECIAL_TOKENS) + 1
    if vocab_size < min_vocab:
        raise ValueError(f"vocab_size must be at least {min_vocab} (bytes + specials), got {vocab_size}")

    marker: dict[str, Any] = {
        "format": _FORMAT_VERSION,
        "seed": seed,
        "hidden_size": hidden_size,
        "num_layers": num_layers,
        "vocab_size": vocab_size,
    }
    if init_std is not None:  # only when set: builds made before this parameter still match
        if not init_std > 0:
            raise ValueError(f"init_std must be positive, got {init_std}")
        marker["init_std"] = init_std
    import_deps()  # fail before creating anything

    def build_into(out: pathlib.Path) -> None:
        _build_into(out, seed=seed, hidden_size=hidden_size, num_layers=num_layers, vocab_size=vocab_size,
                    init_std=init_std, marker=marker)

    return build_atomically(path, marker, MARKER_FILE, overwrite=overwrite, build_into=build_into)


def tiny_grpo_config(output_dir: str | os.PathLike, **overrides: Any) -> trl.GRPOConfig:  # pyright: ignore[reportPrivateImportUsage]
    """Return a ``trl.GRPOConfig`` for a two-step GRPO smoke run on a CPU.

    One prompt per step with four completions of at most 48 tokens each (the generation batch, 4,
    is a multiple of ``num_generations``), float32 on the CPU, no activation checkpointing, no
    reference model (``beta=0``), no checkpoints, no progress bars and no external loggers. With
    the model of :func:`build_tiny_lm` the two steps take well under a second.

    Args:
        output_dir: Where the trainer writes its (few) outputs.
        **overrides: Any ``GRPOConfig`` field, replacing the defaults here (for example
            ``max_steps=10`` or ``num_generations=2``). ``gradient_checkpointing`` is passed on as
            ``activation_checkpointing`` where transformers has renamed it.

    Returns:
        The config.

    Raises:
        DependencyNotInstalled: If trl is missing.
    """
    try:
        from trl import GRPOConfig  # pyright: ignore[reportPrivateImportUsage]  (trl's lazy exports)
    except ImportError as exc:
        raise DependencyNotInstalled(dependency_hint("trl")) from exc

    kwargs: dict[str, Any] = {
        "output_dir": os.fspath(output_dir),
        "max_steps": 2,
        "per_device_train_batch_size": 4,
        "gradient_accumulation_steps": 1,
        "num_generations": 4,  # generation_batch_size = 4 * 1 * 1, divisible by num_generations
        "max_completion_length": 48,
        "learning_rate": 1e-5,
        "beta": 0.0,
        "logging_steps": 1,
        "report_to": "none",
        "save_strategy": "no",
        "use_cpu": True,
        "bf16": False,
        "fp16": False,
        "gradient_checkpointing": False,
        "seed": 0,
        "data_seed": 0,
        "dataloader_num_workers": 0,
        "dataloader_pin_memory": False,
        "disable_tqdm": True,
    }
    kwargs.update(overrides)
    # transformers 5 renamed `gradient_checkpointing*` to `activation_checkpointing*` and warns when the old
    # name is set, which TRL's configs do by default; use the new name where it exists.
    fields = {f.name for f in dataclasses.fields(GRPOConfig)}
    for old, new in (
        ("gradient_checkpointing", "activation_checkpointing"),
        ("gradient_checkpointing_kwargs", "activation_checkpointing_kwargs"),
    ):
        if new in fields and old in kwargs:
            kwargs.setdefault(new, kwargs.pop(old))
    return GRPOConfig(**kwargs)
