"""A tiny random vision-language model and processor, built locally in a few seconds.

:func:`build_tiny_vlm` writes what a vision-language checkpoint folder holds, without any download: a
randomly initialised Qwen3-VL model (a two-layer vision tower, a two-layer text model, a few hundred
thousand parameters), a byte-level BPE tokenizer trained on the same built-in corpus as
:func:`~codepaint_env.testing.build_tiny_lm`'s with Qwen's vision and chat special tokens, a Qwen2-VL
image processor sized for tiny pictures, and Qwen3-VL's chat template (which renders tool calls, and
images inside tool messages). The folder loads with ``AutoProcessor.from_pretrained(path)`` and
``AutoModelForImageTextToText.from_pretrained(path)``, the path TRL's ``GRPOTrainer(model=path)``
takes, so a GRPO run on it exercises the code a real Qwen3-VL run does.

A random model never writes a parseable tool call, so a run on it never reaches the code after a tool
call. :func:`scripted_tool_calls_trainer` makes a ``GRPOTrainer`` subclass that replaces the first
completions of the first generation with given texts (tool calls written with
:func:`qwen_tool_call`): the tool loop then calls the environment, appends its results (pictures
included) and generates after them, as it does for a trained policy.

Example::

    from codepaint_env.testing import (build_tiny_vlm, qwen_tool_call, scripted_tool_calls_trainer,
                                       tiny_grpo_config)

    path = build_tiny_vlm("/tmp/tiny-vlm")
    trainer_cls = scripted_tool_calls_trainer([qwen_tool_call("submit_code", {"code": svg})])
    trainer = trainer_cls(model=str(path), train_dataset=dataset, args=tiny_grpo_config("/tmp/run"),
                          environment_factory=lambda: CodePaintToolEnv("CodePaint/SVG-v4", images=True))
    trainer.train()
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.testing.build import (
    INSTALL_HINT,
    build_atomically,
    import_deps,
    save_quietly,
    train_byte_bpe,
)

if TYPE_CHECKING:
    import trl

__all__ = ["VLM_MARKER_FILE", "build_tiny_vlm", "qwen_tool_call", "scripted_tool_calls_trainer"]

#: Written last into a finished build; holds the build parameters that :func:`build_tiny_vlm` compares.
VLM_MARKER_FILE = "codepaint_tiny_vlm.json"

#: Bumped whenever the build recipe (corpus, architecture, template, processor) changes.
_FORMAT_VERSION = 1

# Qwen's names: end of text (also the pad token), chat turns, and the vision placeholders the Qwen3-VL
# processor and chat template use.
_ENDOFTEXT = "<|endoftext|>"
_IM_START = "<|im_start|>"
_IM_END = "<|im_end|>"
_VISION_START = "<|vision_start|>"
_VISION_END = "<|vision_end|>"
_IMAGE_PAD = "<|image_pad|>"
_VIDEO_PAD = "<|video_pad|>"
_SPECIAL_TOKENS = (_ENDOFTEXT, _IM_START, _IM_END, _VISION_START, _VISION_END, _IMAGE_PAD, _VIDEO_PAD)

_HEAD_DIM = 16
_MAX_POSITIONS = 4096
_PATCH = 16  # Qwen3-VL's patch size; 2 x 2 patches merge into one image token
_MERGE = 2
_TEMPORAL_PATCH = 2


def _qwen3_vl_chat_template() -> str:
    """TRL's verbatim copy of Qwen3-VL's chat template, so TRL recognises it (its tool-call parser)."""
    try:
        from trl.chat_template_utils import qwen3_vl_chat_template
    except ImportError as exc:
        raise DependencyNotInstalled(
            f"trl is needed for the tiny VLM's chat template: {INSTALL_HINT}"
        ) from exc
    return qwen3_vl_chat_template


def _train_tokenizer(transformers: Any, vocab_size: int, chat_template: str) -> Any:
    """A byte-level BPE on the built-in corpus with Qwen's special tokens, wrapped for transformers."""
    tok = train_byte_bpe(vocab_size, _SPECIAL_TOKENS)
    # As in Qwen3-VL: <|im_end|> ends a turn and is the eos token (TRL trims tool suffixes at it),
    # <|endoftext|> pads.
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token=_IM_END,
        pad_token=_ENDOFTEXT,
        chat_template=chat_template,
        model_max_length=_MAX_POSITIONS,
        padding_side="left",
        clean_up_tokenization_spaces=False,
    )


def _build_into(out: pathlib.Path, *, seed: int, hidden_size: int, num_layers: int, vocab_size: int,
                max_image_side: int, marker: Mapping[str, Any]) -> None:
    """Build processor and model into the (empty) folder ``out``; the marker is written last."""
    torch, transformers = import_deps()
    chat_template = _qwen3_vl_chat_template()
    tokenizer = _train_tokenizer(transformers, vocab_size, chat_template)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in _SPECIAL_TOKENS}

    # Every picture is resized to between one merged patch and max_image_side squared pixels (aspect kept),
    # so a 512 px render costs (max_image_side / 32) ** 2 image tokens: 4 at the default 64.
    pixels = {"shortest_edge": (_PATCH * _MERGE) ** 2, "longest_edge": max_image_side**2}
    image_processor = transformers.Qwen2VLImageProcessor(
        patch_size=_PATCH, merge_size=_MERGE, temporal_patch_size=_TEMPORAL_PATCH, size=pixels,
        image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5],
    )
    video_processor = transformers.Qwen3VLVideoProcessor(
        patch_size=_PATCH, merge_size=_MERGE, temporal_patch_size=_TEMPORAL_PATCH,
        size={"shortest_edge": pixels["shortest_edge"], "longest_edge": 2 * pixels["longest_edge"]},
    )
    processor = transformers.Qwen3VLProcessor(image_processor=image_processor, tokenizer=tokenizer,
                                              video_processor=video_processor, chat_template=chat_template)

    num_heads = hidden_size // _HEAD_DIM
    half = _HEAD_DIM // 2  # rotary frequencies per head, split over (time, height, width) as in Qwen3-VL
    text_config = {
        "vocab_size": len(tokenizer),
        "hidden_size": hidden_size,
        "intermediate_size": 2 * hidden_size,
        "num_hidden_layers": num_layers,
        "num_attention_heads": num_heads,
        "num_key_value_heads": max(1, num_heads // 2),
        "head_dim": _HEAD_DIM,
        "max_position_embeddings": _MAX_POSITIONS,
        "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "mrope_interleaved": True,
                            "mrope_section": [half - 2 * (half // 4), half // 4, half // 4]},
        "eos_token_id": ids[_IM_END],
        "pad_token_id": ids[_ENDOFTEXT],
        "tie_word_embeddings": True,
        "dtype": "float32",
    }
    vision_config = {
        "depth": 2,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_heads": 2,
        "patch_size": _PATCH,
        "spatial_merge_size": _MERGE,
        "temporal_patch_size": _TEMPORAL_PATCH,
        "out_hidden_size": hidden_size,
        "num_position_embeddings": 16,  # a 4 x 4 grid of learned positions, interpolated to any picture
        "deepstack_visual_indexes": [1],
    }
    config = transformers.Qwen3VLConfig(
        text_config=text_config,
        vision_config=vision_config,
        image_token_id=ids[_IMAGE_PAD],
        video_token_id=ids[_VIDEO_PAD],
        vision_start_token_id=ids[_VISION_START],
        vision_end_token_id=ids[_VISION_END],
        tie_word_embeddings=True,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = transformers.Qwen3VLForConditionalGeneration(config)
    model.generation_config = transformers.GenerationConfig(
        eos_token_id=[ids[_IM_END], ids[_ENDOFTEXT]], pad_token_id=ids[_ENDOFTEXT],
    )
    save_quietly(transformers, model, out)
    processor.save_pretrained(out)
    (out / VLM_MARKER_FILE).write_text(json.dumps(dict(marker), indent=2) + "\n", encoding="utf-8")


def build_tiny_vlm(
    path: str | os.PathLike,
    *,
    seed: int = 0,
    hidden_size: int = 64,
    num_layers: int = 2,
    vocab_size: int = 1024,
    max_image_side: int = 64,
    overwrite: bool = False,
) -> pathlib.Path:
    """Build a tiny random Qwen3-VL model and its processor into ``path``, without any download.

    The model is a randomly initialised ``Qwen3VLForConditionalGeneration`` (float32, tied embeddings,
    16-dimensional attention heads, interleaved multimodal rotary positions as in Qwen3-VL). The
    processor is a ``Qwen3VLProcessor``: the byte-level tokenizer (``<|im_end|>`` is eos, generation
    also stops at ``<|endoftext|>``, the pad token), a ``Qwen2VLImageProcessor`` with Qwen3-VL's 16 px
    patches that resizes every picture to at most ``max_image_side`` squared pixels (a 64 px picture is
    4 x 4 patches, 4 image tokens), and TRL's verbatim copy of Qwen3-VL's chat template, so TRL
    recognises it: tool calls are parsed as Qwen's ``<tool_call>`` JSON, and a tool message's image
    parts become image placeholders the processor expands.

    The build is idempotent and atomic as :func:`~codepaint_env.testing.build_tiny_lm`'s: a finished
    build carries a marker file (:data:`VLM_MARKER_FILE`) with its parameters and is returned untouched
    when they match; it is built in a sibling temporary folder that is renamed into place.

    Args:
        path: Folder to build into. Created if missing, together with its parents.
        seed: Seed for the random weights (the global torch RNG state is left untouched).
        hidden_size: Text model width; a positive multiple of 16.
        num_layers: Number of text transformer layers.
        vocab_size: Tokenizer vocabulary size (bytes, the 7 special tokens and learned merges); at least 264.
        max_image_side: Pictures are resized to at most this many pixels squared; a multiple of 32.
        overwrite: Rebuild even when ``path`` holds a matching build, and replace a non-empty folder that
            holds no tiny model.

    Returns:
        The absolute path of the built folder.

    Raises:
        ValueError: If a size parameter is out of range, or ``path`` is a filesystem root.
        FileExistsError: If ``path`` is a file, or a non-empty folder that was not built by this function,
            and ``overwrite`` is false.
        DependencyNotInstalled: If torch, transformers, tokenizers or trl is missing.
    """
    if hidden_size < _HEAD_DIM or hidden_size % _HEAD_DIM:
        raise ValueError(f"hidden_size must be a positive multiple of {_HEAD_DIM}, got {hidden_size}")
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1, got {num_layers}")
    min_vocab = 256 + len(_SPECIAL_TOKENS) + 1
    if vocab_size < min_vocab:
        raise ValueError(f"vocab_size must be at least {min_vocab} (bytes + specials), got {vocab_size}")
    if max_image_side < _PATCH * _MERGE or max_image_side % (_PATCH * _MERGE):
        raise ValueError(f"max_image_side must be a positive multiple of {_PATCH * _MERGE}, "
                         f"got {max_image_side}")

    marker = {"format": _FORMAT_VERSION, "seed": seed, "hidden_size": hidden_size, "num_layers": num_layers,
              "vocab_size": vocab_size, "max_image_side": max_image_side}
    import_deps()  # fail before creating anything
    _qwen3_vl_chat_template()

    def build_into(out: pathlib.Path) -> None:
        _build_into(out, seed=seed, hidden_size=hidden_size, num_layers=num_layers, vocab_size=vocab_size,
                    max_image_side=max_image_side, marker=marker)

    return build_atomically(path, marker, VLM_MARKER_FILE, overwrite=overwrite, build_into=build_into)


def qwen_tool_call(name: str, arguments: Mapping[str, Any]) -> str:
    """An assistant turn that calls one tool, as Qwen2.5 / Qwen3 / Qwen3-VL models write it.

    Args:
        name: The tool's name (``"submit_code"``).
        arguments: Its arguments (JSON-serialisable).

    Returns:
        ``<tool_call>`` JSON ``</tool_call>`` and the end-of-turn token, ready to tokenize.
    """
    call = json.dumps({"name": name, "arguments": dict(arguments)})
    return f"<tool_call>\n{call}\n</tool_call>{_IM_END}"


def scripted_tool_calls_trainer(completions: Sequence[str]) -> type[trl.GRPOTrainer]:  # pyright: ignore[reportPrivateImportUsage]
    """A ``trl.GRPOTrainer`` subclass whose first generation starts with the given completions.

    The first ``len(completions)`` completions of the trainer's first generation (before any tool
    call) are replaced by these texts, tokenized; everything else (parsing the tool calls, calling the
    environment's tools, appending their results and pictures, generating after them, scoring and the
    optimiser step) is TRL's own. It drives the tool loop with a random tiny model, which never writes a
    parseable call by itself. It overrides ``_generate_single_turn``, a private method of TRL 1.16.

    Args:
        completions: Assistant texts, e.g. :func:`qwen_tool_call` results; at most the generation batch.

    Returns:
        The subclass (instances record ``scripted_done``).

    Raises:
        DependencyNotInstalled: If trl is missing.
    """
    try:
        from transformers import ProcessorMixin
        from trl import GRPOTrainer  # pyright: ignore[reportPrivateImportUsage]  (trl's lazy exports)
    except ImportError as exc:
        raise DependencyNotInstalled(f"trl is needed for scripted GRPO runs: {INSTALL_HINT}") from exc
    scripted = tuple(completions)

    class ScriptedToolCallsGRPOTrainer(GRPOTrainer):
        """GRPOTrainer whose first generation starts with scripted completions."""

        scripted_done = False

        def _generate_single_turn(self, prompt_ids: Any, *args: Any, **kwargs: Any) -> Any:
            completion_ids, logprobs = super()._generate_single_turn(prompt_ids, *args, **kwargs)
            if not self.scripted_done:
                self.scripted_done = True
                pc = self.processing_class
                tokenizer: Any = pc.tokenizer if isinstance(pc, ProcessorMixin) else pc
                for i, text in enumerate(scripted[: len(completion_ids)]):
                    completion_ids[i] = tokenizer(text, add_special_tokens=False)["input_ids"]
            return completion_ids, logprobs

    return ScriptedToolCallsGRPOTrainer
