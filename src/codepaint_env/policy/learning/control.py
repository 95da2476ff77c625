"""The zero-step control: the base merged with an untrained adapter, through the trained models' path.

A trained model reaches the evaluation as the base with a LoRA adapter merged in (``final/``,
:func:`~.lora.save_merged`), saved in float32 by transformers, then converted to CTranslate2 int8 by
``codepaint eval --engine ct2``. The base itself is converted from its bundled weights. A difference
between "base" and "trained" could come from that path (a save, a merge, a conversion) rather than
from training. The control walks the same path with nothing learned: an adapter of the run's rank,
its ``lora_B`` zero (PEFT's initialisation, set again here so it does not hang on a default), merged
and saved as a trained model is. Evaluated like one (stage ``control``), it measures the path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.lora import LoraSettings, save_merged, with_adapter


def untrained_adapter(model: Any, settings: LoraSettings | None = None) -> Any:
    """``model`` with a new LoRA adapter whose every ``lora_B`` weight is zero (the adapter adds nothing)."""
    from codepaint_env.policy.loading import import_torch

    torch, _ = import_torch()
    peft_model = with_adapter(model, settings)
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.zero_()
    return peft_model


def control_model(model: str, out: str | Path, settings: LoraSettings | None = None, *,
                  device: str = "cpu", threads: int | None = None) -> Path:
    """Save the control (``model`` merged with an untrained adapter) into ``out/final``; its folder.

    Done once: a folder that holds it is returned as it is. ``out/adapter`` keeps the adapter.
    """
    from codepaint_env.policy import load_policy

    out = Path(out)
    final = out / "final"
    if (final / "config.json").exists():
        return final
    settings = settings or LoraSettings()
    policy = load_policy(model, device=device, threads=threads)
    peft_model = untrained_adapter(policy.model, settings)
    peft_model.save_pretrained(str(out / "adapter"))
    save_merged(peft_model, policy.tokenizer, final)
    (final / "codepaint-round.json").write_text(json.dumps({"rounds": 0, "control": True,
                                                            "lora": settings.__dict__}) + "\n")
    return final
