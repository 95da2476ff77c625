"""Loading embedding models from one string: image encoders (``dino``) and text-image models (``clip``).

One string names a model, the way timm and open_clip name theirs:

Image encoders (:func:`load_image_encoder`):

* ``"vit_small_patch14_dinov2.lvd142m"`` or ``"timm:vit_small_patch14_dinov2.lvd142m"``: a timm
  model with pretrained weights (``timm:hf-hub:org/repo`` and ``hf-hub:org/repo`` go to timm too);
* ``"facebook/dinov2-small"`` or ``"hf:facebook/dinov2-small"``: a transformers model
  (``AutoModel`` + ``AutoImageProcessor``; the embedding is the pooled output / CLS token);
* a local directory (or ``local-dir:DIR``): a timm folder (``config.json`` with ``architecture``,
  as :func:`timm.models.save_for_hf` writes it), a transformers folder (``config.json`` with
  ``model_type``, as ``save_pretrained`` writes it) or an open_clip folder (``open_clip_config.json``;
  its image tower is used).

Text-image models (:func:`load_text_image_model`, open_clip):

* ``"ViT-B-32:laion2b_s34b_b79k"``: an open_clip architecture and pretrained tag (or
  ``"ViT-B-32:/path/to/open_clip_pytorch_model.bin"``: an architecture and a weights file);
* ``"hf-hub:timm/ViT-SO400M-14-SigLIP"``: an open_clip model on the Hugging Face Hub;
* a local directory (or ``local-dir:DIR``) with ``open_clip_config.json`` and the weights (a
  download of the Hub repo of the model is one).

Preprocessing always comes from the model's own configuration (timm's ``resolve_data_config``
+ ``create_transform``, the transformers image processor, open_clip's returned transform).

A missing package raises :class:`~codepaint_env.core.errors.DependencyNotInstalled`; a model that
cannot be loaded (no network, not cached, unknown name, a folder without weights) raises
:class:`~codepaint_env.core.errors.CodePaintError` saying how to prepare a local copy. Random weights
are never substituted. Loaded models are shared within a process (keyed by name and device).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import threading
import time
from typing import Any

import numpy as np

from codepaint_env.core.errors import CodePaintError, DependencyNotInstalled
from rewards.embed.encoders import (
    Encoder,
    HFEncoder,
    OpenClipModel,
    TimmEncoder,
    require,
    resolve_device,
    timm_supports_local_dir,
    weights_fingerprint,
)
from rewards.embed.hub import unavailable
from rewards.embed.names import (
    _OFFLINE_HINT,
    DEFAULT_IMAGE_MODEL,
    DEFAULT_TEXT_IMAGE_MODEL,
    INSTALL,
    ModelRef,
    parse_image_model,
    parse_text_image_model,
)

__all__ = ["DEFAULT_IMAGE_MODEL", "DEFAULT_TEXT_IMAGE_MODEL", "INSTALL", "Encoder", "HFEncoder", "ModelRef",
           "OpenClipModel", "TimmEncoder", "clear_loaded_models", "encode_samples", "image_key",
           "load_failure_message", "load_image_encoder", "load_text_image_model", "parse_image_model",
           "parse_text_image_model", "require", "resolve_device", "timm_supports_local_dir",
           "weights_fingerprint"]


# ---------------------------------------------------------------------- loading
_LOADED: dict[tuple[str, str], Encoder] = {}
#: Models that could not be loaded here: why, and when (tried again after FAILURE_TTL_S, or
#: after :func:`clear_loaded_models`).
_FAILED: dict[tuple[str, str], tuple[str, float]] = {}
#: How long a failed load is answered from memory instead of tried again.
FAILURE_TTL_S = 600.0
_LOAD_LOCK = threading.Lock()


def load_image_encoder(name: str = DEFAULT_IMAGE_MODEL, device: str | None = "auto") -> Encoder:
    """Load (or reuse, within this process) an image encoder.

    Args:
        name: A model string (see the module docstring).
        device: ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda:1"``...

    Raises:
        DependencyNotInstalled: torch / timm / transformers / open_clip missing.
        CodePaintError: The model cannot be loaded; the message says how to prepare a local copy.
    """
    ref = parse_image_model(name)
    return _load(ref, resolve_device(device))


def load_text_image_model(name: str = DEFAULT_TEXT_IMAGE_MODEL, device: str | None = "auto") -> OpenClipModel:
    """Load (or reuse, within this process) an open_clip text-image model.

    Args:
        name: A model string (see the module docstring).
        device: ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda:1"``...

    Raises:
        DependencyNotInstalled: torch / open_clip missing.
        CodePaintError: The model cannot be loaded; the message says how to prepare a local copy.
    """
    ref = parse_text_image_model(name)
    enc = _load(ref, resolve_device(device))
    assert isinstance(enc, OpenClipModel)
    return enc


def clear_loaded_models() -> None:
    """Forget every model loaded in this process (freed once nothing else holds them), and every failure."""
    with _LOAD_LOCK:
        _LOADED.clear()
        _FAILED.clear()


def _load(ref: ModelRef, device: str) -> Encoder:
    key = (ref.key, device)
    with _LOAD_LOCK:
        enc = _LOADED.get(key)
        if enc is not None:
            return enc
        failed = _FAILED.get(key)
        if failed is not None and time.monotonic() - failed[1] < FAILURE_TTL_S:
            raise CodePaintError(failed[0])  # not tried again for a while: every request would pay for it
        cls = {"timm": TimmEncoder, "hf": HFEncoder, "open_clip": OpenClipModel}[ref.backend]
        if ref.backend == "timm" and ref.local is None and not ref.target.startswith("hf-hub:"):
            _check_timm_name(ref)
        try:
            why = unavailable(ref)  # cached or reachable? (the libraries retry the Hub for ~50 s)
            if why is not None:
                raise FileNotFoundError(why)
            enc = cls(ref, device)
        except (CodePaintError, DependencyNotInstalled):
            raise
        except ImportError as e:
            raise DependencyNotInstalled(
                f"loading {ref.name!r} needs a missing package ({e}): {INSTALL}") from e
        except Exception as e:
            message = load_failure_message(ref, e)
            _FAILED[key] = (message, time.monotonic())
            raise CodePaintError(message) from e
        _LOADED[key] = enc
        return enc


def _check_timm_name(ref: ModelRef) -> None:
    timm = require("timm")
    arch = ref.target.split(".", 1)[0]
    if timm.is_model(arch):
        return
    known = timm.list_models()
    near = difflib.get_close_matches(arch, known, n=3, cutoff=0.6)
    raise CodePaintError(
        f"unknown image model {ref.name!r}: not a timm model"
        + (f" (did you mean {', '.join(near)}?)" if near else "")
        + ". Use a timm name ('vit_small_patch14_dinov2.lvd142m'), a transformers repo "
        "('facebook/dinov2-small') or a local folder.")


def load_failure_message(ref: ModelRef, error: BaseException) -> str:
    """Why a model did not load, and how to make it loadable without network access."""
    why = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    head = f"could not load the {ref.backend} model {ref.name!r} ({why})."
    if ref.local is not None:
        return (f"{head} The folder {str(ref.local)!r} must hold a complete model as its library saves "
                "it (config and weights); re-create it on a machine with internet access.")
    base = ref.name.removeprefix("timm:").removeprefix("hf:").removeprefix("hf-hub:").split("/")[-1]
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in base)
    dest = f"models/{safe}"
    if ref.backend == "timm":
        target = ref.target.removeprefix("hf-hub:")
        if ref.target.startswith("hf-hub:"):
            repo = target
        else:
            repo = f"timm/{target}" if "." in target else f"timm/{target} (with its pretrained tag)"
        how = (
            "Without network access, pass a local folder instead. On a machine with internet:\n"
            f"    python -c \"import timm; from timm.models import save_for_hf; "
            f"save_for_hf(timm.create_model('{ref.target}', pretrained=True), '{dest}', "
            "safe_serialization=True)\"\n"
            f"  or: huggingface-cli download {repo} --local-dir {dest}\n"
            f"then copy {dest} here and pass model='{dest}'.")
    elif ref.backend == "hf":
        how = ("Without network access, pass a local folder instead. On a machine with internet:\n"
               f"    huggingface-cli download {ref.target} --local-dir {dest}   (or `hf download ...`)\n"
               f"then copy {dest} here and pass model='{dest}'.")
    else:
        repo = ref.target.removeprefix("hf-hub:") if ref.target.startswith("hf-hub:") else None
        if repo is None:
            try:
                open_clip = require("open_clip")
                repo = (open_clip.get_pretrained_cfg(ref.target, ref.pretrained or "") or {}).get("hf_hub")
            except Exception:  # only for the hint
                repo = None
        repo = (repo or "ORG/REPO").rstrip("/")
        how = ("Without network access, pass a local folder (open_clip_config.json + weights). On a "
               f"machine with internet:\n    huggingface-cli download {repo} --local-dir {dest}\n"
               f"then copy {dest} here and pass model='{dest}'"
               + (f" (or, with only a weights file, model='{ref.target}:/path/to/open_clip_model.bin')."
                  if ref.pretrained is not None else "."))
    offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    hint = ("HF_HUB_OFFLINE is set, so only the local Hugging Face cache was searched." if offline
            else _OFFLINE_HINT)
    return f"{head} {how} {hint}"


# ---------------------------------------------------------------------- samples
def image_key(sample: Any) -> str:
    """A key identifying a sample's picture (its pixel hash), for de-duplicating forward passes."""
    r = sample.render
    if r.sha256:
        return f"{r.sha256}|{tuple(r.size) if r.size else ''}|{r.canvas}"
    im = r.image
    return hashlib.sha256(im.tobytes() + repr(im.size).encode()).hexdigest()


def encode_samples(encoder: Encoder, samples: list[Any], batch_size: int = 32) -> list[np.ndarray]:
    """One unit vector per sample's render; identical pictures are embedded once.

    The distinct pictures are embedded in the order of their keys, so a batch's composition, and
    hence every value to the last bit, does not depend on the order of ``samples``.
    """
    keys = [image_key(s) for s in samples]
    unique: dict[str, Any] = {}
    for k, s in zip(keys, samples, strict=True):
        unique.setdefault(k, s)
    order = sorted(unique)
    vecs = encoder.encode_images([unique[k].render.canvas_image for k in order], batch_size=batch_size)
    row = {k: vecs[i] for i, k in enumerate(order)}
    return [row[k] for k in keys]
