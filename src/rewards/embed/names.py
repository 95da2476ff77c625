"""Embedding model names, parsed without importing torch (see :mod:`rewards.embed.models` for the forms)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codepaint_env.core.errors import CodePaintError

DEFAULT_IMAGE_MODEL = "vit_small_patch14_dinov2.lvd142m"
DEFAULT_TEXT_IMAGE_MODEL = "ViT-B-32:laion2b_s34b_b79k"
INSTALL = "pip install 'codepaint[embed]'"
_OFFLINE_HINT = ("If the weights are already in the Hugging Face cache, set HF_HUB_OFFLINE=1 so nothing "
                 "tries the network.")


# ---------------------------------------------------------------------- naming
@dataclass(frozen=True)
class ModelRef:
    """A parsed model string.

    Attributes:
        name: The string the user gave.
        backend: ``timm``, ``hf`` (transformers) or ``open_clip``.
        target: What the backend loads (a timm name, ``local-dir:DIR``, a repo id or folder...).
        pretrained: open_clip only: the pretrained tag or weights file.
        local: The local folder, when the model is one.
    """

    name: str
    backend: str
    target: str
    pretrained: str | None = None
    local: Path | None = None

    @property
    def key(self) -> str:
        """Identifies the model source (a local folder by its absolute path)."""
        return f"{self.backend}|{self.local.resolve() if self.local else self.target}|{self.pretrained}"


def _looks_like_path(s: str) -> bool:
    return s.startswith(("/", "./", "../", "~", ".\\")) or os.path.isabs(s) or s in (".", "..")


def _local_dir(path: str, name: str) -> Path:
    p = Path(path).expanduser()
    if not p.is_dir():
        raise CodePaintError(
            f"model {name!r}: no such directory {str(p)!r}. Pass a folder prepared on a machine with "
            "internet (see `python -c 'import rewards.embed; help(rewards.embed)'`), or a hub name.")
    return p


def read_json(path: Path) -> dict[str, Any]:
    """A model folder's JSON file (a config); a :class:`CodePaintError` saying which when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CodePaintError(f"cannot read {path}: {e}") from e
    if not isinstance(data, dict):
        raise CodePaintError(f"{path} is not a JSON object")
    return data


def _dir_image_ref(name: str, folder: Path) -> ModelRef:
    if (folder / "open_clip_config.json").is_file():
        return ModelRef(name, "open_clip", f"local-dir:{folder}", local=folder)
    cfg_file = folder / "config.json"
    if cfg_file.is_file():
        cfg = read_json(cfg_file)
        if "architecture" in cfg:
            return ModelRef(name, "timm", f"local-dir:{folder}", local=folder)
        if "model_type" in cfg:
            return ModelRef(name, "hf", str(folder), local=folder)
    raise CodePaintError(
        f"model folder {str(folder)!r} is not one codepaint can load: expected config.json with "
        "'architecture' (timm, from timm.models.save_for_hf), config.json with 'model_type' "
        "(transformers, from save_pretrained or `huggingface-cli download REPO --local-dir DIR`), "
        "or open_clip_config.json (open_clip)")


def parse_image_model(name: str) -> ModelRef:
    """Parse an image-encoder string (see the module docstring).

    Raises:
        CodePaintError: An empty name or a missing / unrecognised local folder.
    """
    if not isinstance(name, str) or not name.strip():
        raise CodePaintError(f"an image model name is a non-empty string, not {name!r}")
    name = name.strip()
    if name.startswith("timm:"):
        rest = name[len("timm:"):]
        if rest.startswith("local-dir:"):
            folder = _local_dir(rest[len("local-dir:"):], name)
            return ModelRef(name, "timm", f"local-dir:{folder}", local=folder)
        return ModelRef(name, "timm", rest)
    if name.startswith("hf-hub:"):
        return ModelRef(name, "timm", name)
    if name.startswith("hf:"):
        rest = name[len("hf:"):]
        if os.path.isdir(os.path.expanduser(rest)) or _looks_like_path(rest):
            folder = _local_dir(rest, name)
            return ModelRef(name, "hf", str(folder), local=folder)
        return ModelRef(name, "hf", rest)
    if name.startswith("local-dir:"):
        return _dir_image_ref(name, _local_dir(name[len("local-dir:"):], name))
    if os.path.isdir(os.path.expanduser(name)):
        return _dir_image_ref(name, Path(name).expanduser())
    if _looks_like_path(name):
        _local_dir(name, name)  # raises: no such directory
    if "/" in name:
        return ModelRef(name, "hf", name)
    return ModelRef(name, "timm", name)


def parse_text_image_model(name: str) -> ModelRef:
    """Parse a text-image (open_clip) model string (see the module docstring).

    Raises:
        CodePaintError: An empty name, a missing folder, a folder in another format, or an
            architecture without a pretrained tag.
    """
    if not isinstance(name, str) or not name.strip():
        raise CodePaintError(f"a text-image model name is a non-empty string, not {name!r}")
    name = name.strip()
    if name.startswith("hf-hub:"):
        return ModelRef(name, "open_clip", name)
    folder: Path | None = None
    if name.startswith("local-dir:"):
        folder = _local_dir(name[len("local-dir:"):], name)
    elif os.path.isdir(os.path.expanduser(name)):
        folder = Path(name).expanduser()
    elif _looks_like_path(name):
        _local_dir(name, name)
    if folder is not None:
        if not (folder / "open_clip_config.json").is_file():
            kind = ("a transformers or timm folder" if (folder / "config.json").is_file()
                    else "not a model folder")
            raise CodePaintError(
                f"{str(folder)!r} is {kind}; the clip reward loads open_clip folders (open_clip_config.json "
                "+ weights), e.g. `huggingface-cli download laion/CLIP-ViT-B-32-laion2B-s34B-b79K "
                "--local-dir DIR` or `huggingface-cli download timm/ViT-SO400M-14-SigLIP --local-dir DIR`")
        return ModelRef(name, "open_clip", f"local-dir:{folder}", local=folder)
    arch, sep, tag = name.partition(":")
    if not sep or not tag:
        raise CodePaintError(
            f"open_clip model {name!r} has no pretrained tag: write 'ARCH:TAG' (e.g. "
            f"'{DEFAULT_TEXT_IMAGE_MODEL}'), 'hf-hub:org/repo' or a local folder. Random weights are "
            "never used.")
    return ModelRef(name, "open_clip", arch, pretrained=tag)
