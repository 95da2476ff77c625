"""Tiny random embedding models saved to local folders, and a small reference pool (no downloads).

Shared by the embedding-reward tests (``test_embed_rewards.py``, ``test_ray_rewards.py``). Each model
is built with its library and saved the way that library saves models (timm's ``save_for_hf``,
transformers' ``save_pretrained``, open_clip's ``open_clip_config.json`` + weights), so it loads
through the same string users pass: the folder's path.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rewards.embed import models as embed_models
from rewards.pool import ReferencePool, default_pool_dir


def small_pool(dst: Path) -> ReferencePool:
    """Six references from the shipped pool, copied into ``dst``: 3 p5brush love, 1 okay, 2 svg love."""
    src = default_pool_dir()
    rows = [json.loads(line) for line in (src / "manifest.jsonl").read_text().splitlines() if line.strip()]
    want = {("p5brush", "love"): 3, ("p5brush", "okay"): 1, ("svg", "love"): 2}
    picked = []
    for row in rows:
        key = (row["language"], row["tier"])
        if want.get(key, 0) > 0:
            want[key] -= 1
            picked.append(row)
    for row in picked:
        for k in ("code_path", "image_path"):
            (dst / row[k]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src / row[k], dst / row[k])
    (dst / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in picked))
    return ReferencePool(dst)


def timm_dir(path: Path, mean: list[float] | None = None) -> Path:
    import timm
    import torch
    from timm.models import save_for_hf

    torch.manual_seed(0)
    model = timm.create_model("vit_tiny_patch16_224", pretrained=False, img_size=32, depth=1, num_classes=0)
    save_for_hf(model, str(path), model_args={"img_size": 32, "depth": 1}, safe_serialization=True)
    if mean is not None:
        cfg = json.loads((path / "config.json").read_text())
        cfg["pretrained_cfg"]["mean"] = mean
        (path / "config.json").write_text(json.dumps(cfg))
    return path


def hf_dir(path: Path, crop: int = 32) -> Path:
    import torch
    from transformers import BitImageProcessor, Dinov2Config, Dinov2Model

    torch.manual_seed(0)
    cfg = Dinov2Config(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                       image_size=32, patch_size=8)
    Dinov2Model(cfg).save_pretrained(path)
    BitImageProcessor(size={"shortest_edge": crop}, crop_size={"height": crop, "width": crop},
                      do_convert_rgb=True).save_pretrained(path)
    return path


OPEN_CLIP_CFG = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 8, "head_width": 16},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}


def open_clip_dir(path: Path, mean: tuple[float, ...] = (0.48145466, 0.4578275, 0.40821073),
                   weights: bool = True) -> Path:
    import open_clip
    import safetensors.torch
    import torch

    torch.manual_seed(0)
    path.mkdir(parents=True, exist_ok=True)
    if weights:
        model = open_clip.CLIP(**OPEN_CLIP_CFG)
        safetensors.torch.save_file(model.state_dict(), str(path / "open_clip_model.safetensors"))
    config = {"model_cfg": OPEN_CLIP_CFG,
              "preprocess_cfg": {"mean": list(mean), "std": [0.26862954, 0.26130258, 0.27577711]}}
    (path / "open_clip_config.json").write_text(json.dumps(config))
    return path


def model_dirs_in(root: Path) -> dict[str, Path]:
    """The three tiny models (``timm``, ``hf``, ``open_clip``) saved under ``root``."""
    embed_models.require("torch")  # makes torchvision importable before timm / transformers / open_clip
    return {"timm": timm_dir(root / "timm-tiny"), "hf": hf_dir(root / "dinov2-tiny"),
            "open_clip": open_clip_dir(root / "clip-tiny")}
