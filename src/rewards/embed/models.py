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

A missing package raises :class:`~codepaint_env.errors.DependencyNotInstalled`; a model that
cannot be loaded (no network, not cached, unknown name, a folder without weights) raises
:class:`~codepaint_env.errors.CodePaintError` saying how to prepare a local copy. Random weights
are never substituted. Loaded models are shared within a process (keyed by name and device).
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from codepaint_env.errors import CodePaintError, DependencyNotInstalled

DEFAULT_IMAGE_MODEL = "vit_small_patch14_dinov2.lvd142m"
DEFAULT_TEXT_IMAGE_MODEL = "ViT-B-32:laion2b_s34b_b79k"
INSTALL = "pip install 'codepaint[embed]'"
_OFFLINE_HINT = ("If the weights are already in the Hugging Face cache, set HF_HUB_OFFLINE=1 so nothing "
                 "tries the network.")


def require(module: str) -> Any:
    """Import an ``embed`` dependency (torchvision made importable first).

    Raises:
        DependencyNotInstalled: The package is missing; the message names the extra.
    """
    try:
        importlib.import_module("torch")
    except ImportError as e:
        raise DependencyNotInstalled(f"embedding rewards need torch: {INSTALL}") from e
    from codepaint_env.compat import ensure_torchvision

    ensure_torchvision()
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise DependencyNotInstalled(
            f"embedding rewards need the package {module.split('.')[0]!r} ({e}): {INSTALL}") from e


def resolve_device(device: str | None = "auto") -> str:
    """``"auto"`` (or ``None``) -> ``"cuda"`` when available, else ``"cpu"``; anything else is checked.

    Raises:
        CodePaintError: A CUDA device was asked for on a machine without one.
    """
    torch = require("torch")
    if device is None or device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    device = str(device)
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise CodePaintError(f"device {device!r} asked for, but torch sees no CUDA device here "
                             "(pass device='cpu' or 'auto')")
    try:
        torch.device(device)
    except RuntimeError as e:
        raise CodePaintError(f"unknown device {device!r} ({e}); use 'auto', 'cpu' or 'cuda[:N]'") from e
    return device


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


def _read_json(path: Path) -> dict[str, Any]:
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
        cfg = _read_json(cfg_file)
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


# ---------------------------------------------------------------------- fingerprints
def weights_fingerprint(module: Any, samples_per_tensor: int = 4096) -> str:
    """SHA-256 over every parameter's name, shape, dtype and a strided sample of its values.

    Cheap even for large models, and different for any two checkpoints that differ beyond a
    handful of weights (e.g. two trainings, or two random initialisations).
    """
    h = hashlib.sha256()
    for key, t in module.state_dict().items():
        h.update(f"{key}|{tuple(t.shape)}|{t.dtype}".encode())
        flat = t.detach().reshape(-1)
        n = flat.numel()
        if n > samples_per_tensor:
            flat = flat[:: n // samples_per_tensor][:samples_per_tensor]
        h.update(flat.float().cpu().numpy().tobytes())
    return h.hexdigest()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------- encoders
class Encoder:
    """A loaded model that embeds images (and, for text-image models, texts) as unit vectors.

    Attributes:
        ref: The parsed :class:`ModelRef`.
        device: Where the model runs.
        model: The torch module.
        model_id: SHA-256 of the model's identity: source name, configuration and weights.
        preprocess_id: SHA-256 of the preprocessing's description.
        preprocess_repr: That description (the transform's repr or the processor's JSON).
        forward_passes: Image forward passes run so far (one per batch).
        images_encoded: Images embedded so far.
    """

    def __init__(self, ref: ModelRef, device: str, model: Any, config_text: str,
                 preprocess_repr: str) -> None:
        self.ref = ref
        self.device = device
        self.model = model.eval().to(device)
        self.model_id = _sha(f"{ref.backend}\x00{config_text}\x00{weights_fingerprint(self.model)}")
        self.preprocess_repr = preprocess_repr
        self.preprocess_id = _sha(preprocess_repr)
        self.forward_passes = 0
        self.images_encoded = 0
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The model string it was loaded from."""
        return self.ref.name

    @property
    def cache_id(self) -> str:
        """What embeddings computed with this encoder depend on: the model and its preprocessing."""
        return _sha(f"{self.model_id}\x00{self.preprocess_id}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.ref.name!r}, device={self.device!r})"

    def pixel_values(self, images: list[Any]) -> Any:
        """The preprocessed batch (a float tensor ``[n, 3, H, W]`` on the CPU)."""
        raise NotImplementedError

    def _image_features(self, pixels: Any) -> Any:
        raise NotImplementedError

    def encode_images(self, images: list[Any], batch_size: int = 32) -> np.ndarray:
        """Unit-norm embeddings ``[n, d]`` (float32) of PIL images, ``batch_size`` at a time."""
        torch = require("torch")
        out = []
        for i in range(0, len(images), max(1, batch_size)):
            batch = list(images[i:i + max(1, batch_size)])
            pixels = self.pixel_values(batch)
            with torch.inference_mode():
                feats = self._image_features(pixels.to(self.device))
                feats = torch.nn.functional.normalize(feats.float(), dim=-1)
            out.append(feats.cpu().numpy().astype(np.float32))
            with self._lock:
                self.forward_passes += 1
                self.images_encoded += len(batch)
        if not out:
            return np.zeros((0, 0), dtype=np.float32)
        return np.concatenate(out, axis=0)


class TimmEncoder(Encoder):
    """A timm model with ``num_classes=0`` (its pooled features); timm's own data config."""

    def __init__(self, ref: ModelRef, device: str) -> None:
        timm = require("timm")
        require("timm.data")
        if ref.local is not None and not timm_supports_local_dir():
            model = _timm_from_folder(timm, ref.local)
        else:
            model = timm.create_model(ref.target, pretrained=True, num_classes=0)
        data_cfg = timm.data.resolve_data_config({}, model=model)
        self.transform = timm.data.create_transform(**data_cfg)
        cfg = {k: v for k, v in dict(getattr(model, "pretrained_cfg", {}) or {}).items()
               if k not in ("file", "source", "hf_hub_id", "url")}
        config_text = json.dumps({"class": type(model).__name__, "pretrained_cfg": cfg}, sort_keys=True,
                                 default=str)
        super().__init__(ref, device, model, config_text, repr(self.transform))

    def pixel_values(self, images: list[Any]) -> Any:
        """The timm transform applied to each image, stacked."""
        torch = require("torch")
        return torch.stack([self.transform(im.convert("RGB")) for im in images])

    def _image_features(self, pixels: Any) -> Any:
        return self.model(pixels)


def timm_supports_local_dir() -> bool:
    """Whether this timm loads ``local-dir:`` folders itself (recent versions; else codepaint does)."""
    hub = importlib.import_module("timm.models._hub")
    return hasattr(hub, "load_model_config_from_path")


def _timm_from_folder(timm: Any, folder: Path) -> Any:
    """A ``save_for_hf`` folder loaded by an older timm: its architecture, arguments and weights file."""
    cfg = _read_json(folder / "config.json")
    weights = next((folder / n for n in ("model.safetensors", "pytorch_model.bin") if (folder / n).is_file()),
                   None)
    if weights is None:
        raise FileNotFoundError(f"no model.safetensors or pytorch_model.bin in {folder}")
    overlay = {k: v for k, v in dict(cfg.get("pretrained_cfg") or {}).items()
               if k not in ("hf_hub_id", "url")}
    for k in ("input_size", "test_input_size", "min_input_size", "pool_size"):
        if isinstance(overlay.get(k), list):
            overlay[k] = tuple(overlay[k])  # as timm's own folder loading does
    overlay["file"] = str(weights)
    args = {k: v for k, v in dict(cfg.get("model_args") or {}).items() if k != "num_classes"}
    return timm.create_model(cfg["architecture"], pretrained=True, pretrained_cfg_overlay=overlay,
                             num_classes=0, **args)


class HFEncoder(Encoder):
    """A transformers vision model: ``pooler_output`` (else the CLS token); its image processor."""

    def __init__(self, ref: ModelRef, device: str) -> None:
        torch = require("torch")
        transformers = require("transformers")
        major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
        dtype_kw = "dtype" if (major, minor) >= (4, 56) else "torch_dtype"  # renamed in 4.56
        model, info = transformers.AutoModel.from_pretrained(ref.target, output_loading_info=True,
                                                             **{dtype_kw: torch.float32})
        missing = sorted(info.get("missing_keys") or ())
        if missing:
            raise CodePaintError(
                f"model {ref.name!r}: the checkpoint lacks {len(missing)} weight(s) of "
                f"{type(model).__name__} (e.g. {missing[:3]}); refusing to use randomly initialised layers")
        self.processor = transformers.AutoImageProcessor.from_pretrained(ref.target)
        cfg = model.config.to_dict()
        for k in ("_name_or_path", "transformers_version", "torch_dtype", "dtype"):
            cfg.pop(k, None)
        config_text = json.dumps({"class": type(model).__name__, "config": cfg}, sort_keys=True, default=str)
        proc = json.loads(self.processor.to_json_string())
        proc.pop("processor_class", None)
        proc_repr = f"{type(self.processor).__name__}{json.dumps(proc, sort_keys=True)}"
        super().__init__(ref, device, model, config_text, proc_repr)

    def pixel_values(self, images: list[Any]) -> Any:
        """The image processor's ``pixel_values``."""
        batch = self.processor(images=[im.convert("RGB") for im in images], return_tensors="pt")
        return batch["pixel_values"]

    def _image_features(self, pixels: Any) -> Any:
        if hasattr(self.model, "get_image_features"):  # a full CLIP/SigLIP-style model
            feats = self.model.get_image_features(pixel_values=pixels)
            return getattr(feats, "pooler_output", feats)
        out = self.model(pixel_values=pixels)
        pooled = getattr(out, "pooler_output", None)
        return pooled if pooled is not None else out.last_hidden_state[:, 0]


class OpenClipModel(Encoder):
    """An open_clip model: image and text towers, its preprocessing transform and tokenizer.

    Attributes:
        texts_encoded: Texts embedded so far.
    """

    def __init__(self, ref: ModelRef, device: str) -> None:
        open_clip = require("open_clip")
        kwargs: dict[str, Any] = {}
        if ref.local is not None and not hasattr(open_clip.factory, "LOCAL_DIR_PREFIX"):
            raise CodePaintError(
                f"this open_clip_torch ({getattr(open_clip, '__version__', '?')}) cannot load model folders "
                "('local-dir:' support): pip install -U open_clip_torch, or pass "
                "'ARCH:/path/to/open_clip_model.safetensors' (an architecture and its weights file)")
        if ref.local is not None:
            weights = [p for ext in ("*.safetensors", "*.bin", "*.pth", "*.pt") for p in ref.local.glob(ext)]
            if not weights:
                raise CodePaintError(
                    f"model folder {str(ref.local)!r} has open_clip_config.json but no weights "
                    "(*.safetensors / *.bin / *.pth); refusing to use random weights")
        if ref.pretrained is not None:
            arch = ref.target
            if arch not in open_clip.list_models():
                near = difflib.get_close_matches(arch, open_clip.list_models(), n=3, cutoff=0.6)
                raise CodePaintError(f"unknown open_clip architecture {arch!r}"
                                     + (f"; did you mean {', '.join(near)}?" if near else "")
                                     + " (open_clip.list_models() lists them)")
            tags = open_clip.list_pretrained_tags_by_model(arch)
            if ref.pretrained not in tags and not os.path.isfile(os.path.expanduser(ref.pretrained)):
                raise CodePaintError(f"open_clip has no pretrained tag {ref.pretrained!r} for {arch} "
                                     f"(known: {', '.join(tags) or 'none'}), and it is not a weights file")
            tag_cfg = open_clip.get_pretrained_cfg(arch, ref.pretrained) or {}
            if tag_cfg.get("quick_gelu"):
                kwargs["force_quick_gelu"] = True
            pretrained = os.path.expanduser(ref.pretrained) if os.path.isfile(
                os.path.expanduser(ref.pretrained)) else ref.pretrained
            model, preprocess = open_clip.create_model_from_pretrained(
                arch, pretrained=pretrained, device="cpu", **kwargs)
        else:
            model, preprocess = open_clip.create_model_from_pretrained(ref.target, device="cpu")
        self.preprocess = preprocess
        self.tokenizer = open_clip.get_tokenizer(ref.target)
        model_cfg = open_clip.get_model_config(ref.target) if ref.pretrained is None else {
            "arch": ref.target, "cfg": open_clip.get_model_config(ref.target)}
        config_text = json.dumps({"class": type(model).__name__, "config": model_cfg,
                                  "tokenizer": type(self.tokenizer).__name__}, sort_keys=True, default=str)
        self.texts_encoded = 0
        super().__init__(ref, device, model, config_text, repr(preprocess))

    def pixel_values(self, images: list[Any]) -> Any:
        """open_clip's transform applied to each image, stacked."""
        torch = require("torch")
        return torch.stack([self.preprocess(im.convert("RGB")) for im in images])

    def _image_features(self, pixels: Any) -> Any:
        return self.model.encode_image(pixels)

    def encode_texts(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Unit-norm embeddings ``[n, d]`` (float32) of texts (tokenised with the model's tokenizer)."""
        torch = require("torch")
        out = []
        for i in range(0, len(texts), max(1, batch_size)):
            batch = list(texts[i:i + max(1, batch_size)])
            tokens = self.tokenizer(batch).to(self.device)
            with torch.inference_mode():
                feats = torch.nn.functional.normalize(self.model.encode_text(tokens).float(), dim=-1)
            out.append(feats.cpu().numpy().astype(np.float32))
            with self._lock:
                self.texts_encoded += len(batch)
        if not out:
            return np.zeros((0, 0), dtype=np.float32)
        return np.concatenate(out, axis=0)


# ---------------------------------------------------------------------- loading
_LOADED: dict[tuple[str, str], Encoder] = {}
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
    """Forget every model loaded in this process (they are freed once nothing else holds them)."""
    with _LOAD_LOCK:
        _LOADED.clear()


def _load(ref: ModelRef, device: str) -> Encoder:
    key = (ref.key, device)
    with _LOAD_LOCK:
        enc = _LOADED.get(key)
        if enc is not None:
            return enc
        cls = {"timm": TimmEncoder, "hf": HFEncoder, "open_clip": OpenClipModel}[ref.backend]
        if ref.backend == "timm" and ref.local is None and not ref.target.startswith("hf-hub:"):
            _check_timm_name(ref)
        try:
            enc = cls(ref, device)
        except (CodePaintError, DependencyNotInstalled):
            raise
        except ImportError as e:
            raise DependencyNotInstalled(
                f"loading {ref.name!r} needs a missing package ({e}): {INSTALL}") from e
        except Exception as e:
            raise CodePaintError(load_failure_message(ref, e)) from e
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
        return f"{r.sha256}|{tuple(r.size) if r.size else ''}"
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
    vecs = encoder.encode_images([unique[k].render.image for k in order], batch_size=batch_size)
    row = {k: vecs[i] for i, k in enumerate(order)}
    return [row[k] for k in keys]
