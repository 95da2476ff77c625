"""The encoders: timm, transformers and open_clip models behind one interface (``encode_images``...)."""

from __future__ import annotations

import difflib
import hashlib
import importlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from codepaint_env.core.errors import CodePaintError, DependencyNotInstalled
from rewards.embed.names import INSTALL, ModelRef, read_json


def require(module: str) -> Any:
    """Import an ``embed`` dependency (torchvision made importable first).

    Raises:
        DependencyNotInstalled: The package is missing; the message names the extra.
    """
    try:
        importlib.import_module("torch")
    except ImportError as e:
        raise DependencyNotInstalled(f"embedding rewards need torch: {INSTALL}") from e
    from rewards.embed.compat import ensure_torchvision

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
    cfg = read_json(folder / "config.json")
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
