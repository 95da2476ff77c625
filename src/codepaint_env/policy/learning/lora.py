"""LoRA on a CPU: the adapter, one supervised pass over kept completions, saving and loading.

The policy is the bundled model's float32 transformers weights with a LoRA adapter (PEFT) on every
linear layer: rank 16-64 trains about 1-4 % of Qwen2.5-Coder-0.5B's parameters, the optimiser's
state is the adapter's only, and a learning rate around 1e-4 ("LoRA Without Regret": LoRA wants
about ten times full fine-tuning's). :func:`sft_pass` trains on (prompt, completion) token ids,
the loss on the completion's tokens only (the end-of-turn token included), averaged per token over
a step of ``batch`` sequences split into ``micro`` at a time (the sequences of a micro-batch padded
to the longest, padding masked, moved to the device of the model's parameters). An example may carry
a mask over its completion (1: trained, 0: not):
a conversation with tools trains on the policy's replies, never on the tools' answers between them
(:mod:`.searching`).
"""

from __future__ import annotations

import contextlib
import math
import random
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.policy.loading import import_torch

#: What installs PEFT (named in the error).
PEFT_FIX = "pip install 'codepaint[train]'"


@dataclass(frozen=True)
class LoraSettings:
    """The adapter: rank, scale, dropout, the layers it wraps."""

    rank: int = 32
    alpha: int = 64
    dropout: float = 0.0
    targets: str = "all-linear"

    def __post_init__(self) -> None:
        if not 1 <= self.rank <= 512:
            raise ValueError(f"rank must be in 1..512, not {self.rank!r}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), not {self.dropout!r}")


def _peft() -> Any:
    try:
        import peft
    except ImportError as e:
        raise DependencyNotInstalled(f"LoRA training needs PEFT ({e}). Fix: {PEFT_FIX}") from None
    return peft


def with_adapter(model: Any, settings: LoraSettings | None = None, adapter: str | Path | None = None) -> Any:
    """The model with a LoRA adapter: a new one, or the one saved in ``adapter`` (trainable either way)."""
    peft = _peft()
    settings = settings or LoraSettings()
    if adapter is not None:
        return peft.PeftModel.from_pretrained(model, str(adapter), is_trainable=True)
    config = peft.LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                             target_modules=settings.targets, task_type="CAUSAL_LM", bias="none")
    return peft.get_peft_model(model, config)


def native_bf16(device: str = "cpu") -> bool:
    """Whether ``device`` (``cpu`` or ``cuda``) multiplies bfloat16 matrices natively, so autocast pays.

    A CPU without it (AVX2 only: no AVX512-BF16, AVX512 or AMX, as oneDNN reports) falls back to
    torch's reference matmul: a 512 x 896 by 896 x 4,864 product took 2.43 s in bfloat16 against
    0.066 s in float32 on such a CPU (37x slower; docs/speed.md), where it was 1.9x faster on one
    with AVX512-BF16.
    """
    torch, _ = import_torch()
    if device == "cuda":
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    return _cpu_has_native_bf16()


def _cpu_has_native_bf16() -> bool:
    torch, _ = import_torch()
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


_WARNED: set[str] = set()


def bf16_in_force(asked: bool, device: str = "cpu") -> bool:
    """Whether a learner asked for bfloat16 (``asked``) trains in it on ``device``: only where it is native.

    Asked for where it is not (:func:`native_bf16`), the answer is ``False``, with a warning once a
    process: asked-for bfloat16 must not make a run 37x slower.
    """
    if not asked:
        return False
    if native_bf16(device):
        return True
    if device not in _WARNED:
        _WARNED.add(device)
        warnings.warn(f"bf16 asked, but this {device} has no native bfloat16 matmul (oneDNN: no "
                      "AVX512-BF16, AVX512 or AMX): the LoRA passes run in float32, faster here "
                      "(bfloat16 falls back to a reference matmul, 37x slower)", RuntimeWarning, stacklevel=2)
    return False


def bf16_autocast(device: str = "cpu") -> Any:
    """A LoRA pass's bfloat16 autocast on ``device`` (``cpu`` or ``cuda``), without the weight cache.

    Autocast keeps a leaf parameter's bfloat16 cast for as long as its context is open: with the
    cache, a pass run in one context takes every step's gradient at the adapter it began with.
    Where the device has no native bfloat16 (:func:`bf16_in_force`), no autocast: float32.
    """
    torch, _ = import_torch()
    if not bf16_in_force(True, device):
        return contextlib.nullcontext()
    return torch.autocast(device, dtype=torch.bfloat16, cache_enabled=False)


def fresh_adapter(model: Any, settings: LoraSettings | None = None, *, seed: int = 0) -> Any:
    """The base under ``model`` (its adapter dropped, not merged) with a new adapter, seeded.

    ReST-EM's round: fine-tune the base afresh, not the last model. PEFT starts ``lora_B`` at zero, so
    the new adapter leaves the base's outputs as they are until it is trained.
    """
    torch, _ = import_torch()
    base = model.unload() if hasattr(model, "peft_config") else model
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return with_adapter(base, settings)


def load_adapter(model: Any, checkpoint: str | Path) -> None:
    """Load a saved checkpoint's LoRA weights into ``model`` (a peft model with the same adapter).

    What a run whose budget was spent before this call merges: the trained adapter, not the fresh
    one the trainer was built with.
    """
    import peft
    from safetensors.torch import load_file

    weights = load_file(str(Path(checkpoint) / "adapter_model.safetensors"), device=str(model_device(model)))
    result = peft.set_peft_model_state_dict(model, weights)
    if result.unexpected_keys:
        raise RuntimeError(f"{checkpoint}: adapter weights the model has no place for: "
                           f"{result.unexpected_keys[:3]}")


def save_merged(model: Any, tokenizer: Any, out: str | Path) -> Path:
    """Save ``model`` with its LoRA adapter merged in (a plain model as it is), and its tokenizer.

    The folder is a transformers checkpoint: what ``load_policy`` and the engines' conversion read.
    """
    merged = model.merge_and_unload() if hasattr(model, "merge_and_unload") else model
    merged.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    return Path(out)


def trainable_parameters(model: Any) -> tuple[int, int]:
    """``(trainable, all)`` parameter counts."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters())


@dataclass
class PassResult:
    """What one supervised pass did."""

    sequences: int
    tokens: int  # completion tokens the loss was taken over
    steps: int
    mean_loss: float
    first_loss: float
    last_loss: float
    seconds: float


Example = tuple[Sequence[int], Sequence[int]] | tuple[Sequence[int], Sequence[int], Sequence[int] | None]


def trained_tokens(example: Example) -> int:
    """How many of an example's completion tokens the loss covers (those its mask keeps)."""
    mask = example[2] if len(example) > 2 else None
    return len(example[1]) if mask is None else sum(1 for m in mask if m)


def sft_pass(model: Any, examples: Sequence[Example], *, lr: float = 1e-4,
             epochs: int = 1, batch: int = 8, micro: int = 2, pad_id: int = 0, seed: int = 0,
             max_grad_norm: float = 1.0, optimizer: Any = None) -> PassResult:
    """Train ``model`` (a LoRA model) on ``(prompt_ids, completion_ids)`` pairs; the loss on completions only.

    Args:
        model: The model to train (its trainable parameters are the adapter's).
        examples: ``(prompt_ids, completion_ids)`` pairs, or ``(prompt_ids, completion_ids, mask)``: the
            loss only on the completion tokens whose mask is 1 (``None``: every one).
        lr: AdamW's learning rate.
        epochs: Passes over the examples (shuffled each time, by ``seed``).
        batch: Sequences per optimiser step.
        micro: Sequences per forward and backward pass (a divisor of ``batch`` is not required).
        pad_id: The padding token.
        seed: Shuffles the examples.
        max_grad_norm: Gradients clipped to this norm.
        optimizer: An AdamW to keep across calls (default: a fresh one).
    """
    import time

    from tqdm import tqdm

    torch, _ = import_torch()
    started = time.perf_counter()
    if not examples:
        return PassResult(0, 0, 0, math.nan, math.nan, math.nan, 0.0)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    device = model_device(model)
    opt = optimizer or torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    order = list(range(len(examples)))
    rng = random.Random(seed)
    losses: list[float] = []
    tokens_total = 0
    steps = 0
    bar = tqdm(total=epochs * math.ceil(len(order) / batch), desc="LoRA pass", unit="step", mininterval=30)
    for _ in range(epochs):
        rng.shuffle(order)
        for start in range(0, len(order), batch):
            chunk = [examples[i] for i in order[start:start + batch]]
            n_tokens = max(1, sum(trained_tokens(e) for e in chunk))
            opt.zero_grad(set_to_none=True)
            sums = []  # each micro-batch's loss sum, read back once the step is taken
            for m in range(0, len(chunk), micro):
                ids, labels, mask = _padded(torch, chunk[m:m + micro], pad_id, device)
                target = labels[:, 1:]
                # logits only where a token is trained on: a vocabulary of 152k makes the logits of a
                # 1,500-token conversation (a prompt, a card, a drawing) 0.9 GB a sequence, most of it
                # for the prompt and the tools' answers, which no loss reads
                keep = (target != -100).any(dim=0).nonzero().squeeze(-1)
                logits = model(input_ids=ids, attention_mask=mask, logits_to_keep=keep).logits.float()
                loss_sum = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                             target[:, keep].reshape(-1), ignore_index=-100,
                                                             reduction="sum")
                (loss_sum / n_tokens).backward()
                sums.append(loss_sum.detach())
            torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
            opt.step()
            steps += 1
            bar.update()
            tokens_total += n_tokens
            losses.append(sum(v / n_tokens for v in torch.stack(sums).tolist()))  # one read back a step
    bar.close()
    model.eval()
    return PassResult(len(examples) * epochs, tokens_total, steps, sum(losses) / len(losses), losses[0],
                      losses[-1], time.perf_counter() - started)


def model_device(model: Any) -> Any:
    """The device of ``model``'s parameters (its first trainable one's): where its batches are built."""
    first = None
    for p in model.parameters():
        if p.requires_grad:
            return p.device
        first = first if first is not None else p
    if first is None:
        raise ValueError("the model has no parameters")
    return first.device


def _padded(torch: Any, examples: Sequence[Example], pad_id: int, device: Any = None) -> tuple[Any, ...]:
    """Right-padded ids, labels (-100 on the prompt, masked-out tokens and padding), the attention mask.

    Built on the CPU, then moved to ``device`` (the model's) in one copy each.
    """
    width = max(len(e[0]) + len(e[1]) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), -100, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for i, example in enumerate(examples):
        prompt, completion = example[0], example[1]
        keep = example[2] if len(example) > 2 else None
        seq = list(prompt) + list(completion)
        ids[i, :len(seq)] = torch.tensor(seq, dtype=torch.long)
        targets = [t if keep is None or keep[j] else -100 for j, t in enumerate(completion)]
        labels[i, len(prompt):len(seq)] = torch.tensor(targets, dtype=torch.long)
        mask[i, :len(seq)] = 1
    if device is None:
        return ids, labels, mask
    return ids.to(device), labels.to(device), mask.to(device)
