"""The transformers engine: a causal LM in torch, its own batched decoding loop with the KV cache.

Rows of different prompts *and* different sampling settings decode together: prompts left-padded
into one batch, one forward pass per step, each row sampled with its own settings and its own
``torch.Generator`` seeded with the row's seed. A row's tokens therefore depend on its prompt, its
settings and its seed, not on which other rows share its batch (up to float rounding in batched
matrix products, which can differ in the last bits between batch shapes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from codepaint_env.policy.engines.rows import Choice, Row
from codepaint_env.policy.engines.sampling import (
    end_ids_of,
    make_choice,
    sample_token,
    stop_tail,
    stopped,
    token_logprob,
)
from codepaint_env.policy.loading import import_torch

__all__ = ["TransformersEngine"]


class TransformersEngine:
    """Decodes rows with a transformers causal LM (see the module docstring).

    Args:
        model: A transformers causal LM, in eval mode, on ``device``.
        tokenizer: Its tokenizer.
        device: Where the model lives (``cpu``, ``cuda``...).
        name: For messages.
    """

    kind = "transformers"

    def __init__(self, model: Any, tokenizer: Any, *, device: str = "cpu", name: str = "") -> None:
        self.torch, _ = import_torch()
        self.model, self.tokenizer, self.device = model, tokenizer, device
        self.end_ids = end_ids_of(tokenizer, getattr(model, "generation_config", None), name)
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else min(self.end_ids))
        dtype = next(iter(model.parameters())).dtype
        self.compute_type = str(dtype).removeprefix("torch.")

    def parameters(self) -> int:
        """The model's parameter count."""
        return sum(p.numel() for p in self.model.parameters())

    def describe(self) -> dict[str, Any]:
        """What run records say about the engine."""
        return {"engine": self.kind, "compute_type": self.compute_type, "device": self.device}

    def decode(self, rows: Sequence[Row]) -> list[Choice]:
        """Decode ``rows`` together (left-padded, KV cache), each with its own settings; in order."""
        if not rows:
            return []
        torch = self.torch
        rows = list(rows)
        batch = len(rows)
        lengths = [len(r.prompt_ids) for r in rows]
        width = max(lengths)
        ids = torch.full((batch, width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((batch, width), dtype=torch.long)
        for i, r in enumerate(rows):
            if r.prompt_ids:
                ids[i, width - lengths[i]:] = torch.tensor(r.prompt_ids, dtype=torch.long)
                mask[i, width - lengths[i]:] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        generators = [torch.Generator().manual_seed(r.seed) for r in rows]
        tokens: list[list[int]] = [[] for _ in rows]
        logprobs: list[list[float]] = [[] for _ in rows]
        finish: list[str | None] = [None] * batch
        tail = stop_tail(rows)
        past = None
        step_ids, step_positions = ids, positions
        with torch.inference_mode():
            for _ in range(max(r.max_tokens for r in rows)):
                out = self.model(input_ids=step_ids.to(self.device), attention_mask=mask.to(self.device),
                                 position_ids=step_positions.to(self.device), past_key_values=past,
                                 use_cache=True, logits_to_keep=1)
                past = out.past_key_values
                logits = out.logits[:, -1, :].float().cpu()
                chosen = []
                for i, r in enumerate(rows):
                    if finish[i] is not None:
                        chosen.append(self.pad_id)
                        continue
                    if len(tokens[i]) < r.min_tokens:
                        logits[i, list(self.end_ids)] = float("-inf")
                    token = sample_token(torch, logits[i], r.temperature, r.top_p, generators[i])
                    tokens[i].append(token)
                    if r.logprobs:
                        logprobs[i].append(token_logprob(torch, logits[i], token, r.temperature))
                    chosen.append(token)
                    if token in self.end_ids or stopped(self.tokenizer, tokens[i][-tail:], r.stop):
                        finish[i] = "stop"
                    elif len(tokens[i]) >= r.max_tokens:
                        finish[i] = "length"
                if all(f is not None for f in finish):
                    break
                step_ids = torch.tensor(chosen, dtype=torch.long)[:, None]
                step_positions = step_positions[:, -1:] + 1
                mask = torch.cat([mask, torch.ones((batch, 1), dtype=torch.long)], dim=1)
        return [make_choice(self.tokenizer, self.end_ids, r, t, lp if r.logprobs else None, f or "length")
                for r, t, lp, f in zip(rows, tokens, logprobs, finish, strict=True)]

    def close(self) -> None:
        """Nothing to release (the model is garbage-collected with the engine)."""
