"""The transformers engine: a causal LM in torch, its own batched decoding loop with the KV cache.

Rows of different prompts *and* different sampling settings decode together: prompts left-padded
into one batch (an attention mask over the padding, positions counted from each row's first
token), one forward pass per step for the whole batch, and every step's choice made for the whole
batch at once on the model's device (greedy rows: the arg max; sampled rows: temperature, nucleus
cut, then one draw). Only the step's chosen token ids (one integer a row) come back to the host
each step, to end rows at their end-of-turn token, their stop strings and their own ``max_tokens``;
the logprobs stay on the device until the batch is done. Rows that have ended are dropped from the
batch (and from the KV cache) once they are half of it, so a batch's long tail runs narrow.

**Seeds.** Each sampled row draws one uniform number a step from its own ``torch.Generator`` seeded
with the row's seed (drawn up front, on the CPU, whatever the device); the token is the one where
that number falls in the cumulative distribution of the (nucleus-cut) probabilities. A row's
tokens therefore depend on its prompt, its settings and its seed, not on which other rows share its
batch (up to float rounding in batched matrix products, which can differ in the last bits between
batch shapes), nor on the device's random state.

``max_batch`` splits a call into batches of at most that many rows (``None``: one batch);
``autocast`` (``bfloat16`` or ``float16``) runs the forward passes of a float32 model under torch
autocast (a GPU's fast path; the choice and the logprobs are still taken in float32/float64).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Sequence
from typing import Any

from codepaint_env.policy.engines.rows import Choice, Row
from codepaint_env.policy.engines.sampling import end_ids_of, make_choice, stop_tail, stopped
from codepaint_env.policy.loading import import_torch

__all__ = ["AUTOCAST_TYPES", "TransformersEngine", "pick_tokens"]

#: What ``autocast`` may be.
AUTOCAST_TYPES: tuple[str, ...] = ("bfloat16", "float16")


def pick_tokens(torch: Any, logits: Any, *, greedy: Any, scale: Any, top_p: Any, uniform: Any,
                nucleus: bool, sampled: bool) -> Any:
    """One token a row, for a batch, on the logits' device (see the module docstring).

    Args:
        torch: The torch module.
        logits: ``(rows, vocabulary)`` float32, the end-of-turn tokens already masked where needed.
        greedy: ``(rows,)`` bool: the rows decoded greedily (temperature 0).
        scale: ``(rows,)`` float32: each row's temperature (1 for greedy rows).
        top_p: ``(rows,)`` float32: each row's nucleus mass (1: off).
        uniform: ``(rows,)`` float64 in ``[0, 1)``: each row's draw for this step.
        nucleus: Whether any sampled row has ``top_p < 1`` (the probabilities are sorted only then,
            and used sorted only for those rows: a row's token never depends on the rows beside it).
        sampled: Whether any row samples (else only the arg max is taken).

    Returns:
        ``(rows,)`` long: the chosen token ids.
    """
    best = logits.argmax(dim=-1)
    if not sampled:
        return best
    probs = torch.softmax(logits / scale[:, None], dim=-1)
    order = None
    if nucleus:
        # the rows with a nucleus draw from their most probable tokens first, cut where the mass
        # reaches top_p (the first always kept); the others from the vocabulary's order, as alone
        ordered, order = torch.sort(probs, dim=-1, descending=True)
        ordered = ordered * ((torch.cumsum(ordered, dim=-1) - ordered) < top_p[:, None])
        cut = (top_p < 1.0)[:, None]
        probs = torch.where(cut, ordered, probs)
        order = torch.where(cut, order, torch.arange(probs.shape[-1], device=probs.device)[None, :])
    cdf = torch.cumsum(probs, dim=-1, dtype=torch.float64)
    total = cdf[:, -1:]
    index = torch.searchsorted(cdf, uniform[:, None] * total, right=True)
    # a draw rounded up to the total would fall past the end: the last token with any mass instead
    index = torch.minimum(index, (cdf < total).sum(dim=-1, keepdim=True))
    chosen = index[:, 0] if order is None else order.gather(1, index)[:, 0]
    return torch.where(greedy, best, chosen)


def _cache_argument(model: Any) -> str:
    """The name the model's forward takes its KV cache by: ``cache`` (transformers 5.2x) or the older one."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model  # a PEFT model's own
    try:
        names = inspect.signature(base.forward).parameters
    except (TypeError, ValueError):
        return "past_key_values"
    return "cache" if "cache" in names else "past_key_values"


def _can_drop_rows(past: Any) -> bool:
    """Whether a KV cache can drop batch rows: a plain ``DynamicCache`` of full-attention layers only.

    Other caches (sliding windows, static, linear-attention states) keep the batch at its width.
    """
    if type(past).__name__ != "DynamicCache" or not hasattr(past, "batch_select_indices"):
        return False
    layers = getattr(past, "layers", None)  # transformers 4.5x and later: one object a layer
    return layers is None or all(type(layer).__name__ == "DynamicLayer" for layer in layers)


class TransformersEngine:
    """Decodes rows with a transformers causal LM (see the module docstring).

    Args:
        model: A transformers causal LM (a PEFT model over one too). It is put in eval mode while it
            decodes and given back in the mode it was in.
        tokenizer: Its tokenizer.
        device: Where the model lives, for records (default: its parameters' device). The batches
            are always built on the device of the model's parameters.
        name: For messages.
        max_batch: The most rows one batch decodes (``None``: every row of a call together).
        autocast: ``bfloat16`` or ``float16``: the forward passes under torch autocast (``None``: off).
    """

    kind = "transformers"

    def __init__(self, model: Any, tokenizer: Any, *, device: str | None = None, name: str = "",
                 max_batch: int | None = None, autocast: str | None = None) -> None:
        self.torch, _ = import_torch()
        if max_batch is not None and max_batch < 1:
            raise ValueError(f"max_batch must be at least 1 (or None), not {max_batch!r}")
        if autocast is not None and autocast not in AUTOCAST_TYPES:
            raise ValueError(f"autocast {autocast!r}: one of {', '.join(AUTOCAST_TYPES)} (or None)")
        self.model, self.tokenizer = model, tokenizer
        first = next(iter(model.parameters()))
        self.device = str(device) if device is not None else str(first.device)
        self.max_batch, self.autocast = max_batch, autocast
        self.end_ids = end_ids_of(tokenizer, getattr(model, "generation_config", None), name)
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else min(self.end_ids))
        self.compute_type = str(first.dtype).removeprefix("torch.")
        self._cache_arg = _cache_argument(model)

    def parameters(self) -> int:
        """The model's parameter count."""
        return sum(p.numel() for p in self.model.parameters())

    def describe(self) -> dict[str, Any]:
        """What run records say about the engine."""
        out = {"engine": self.kind, "compute_type": self.compute_type, "device": self.device}
        if self.autocast:
            out["autocast"] = self.autocast
        return out

    def decode(self, rows: Sequence[Row]) -> list[Choice]:
        """Decode ``rows`` in batches (left-padded, KV cache), each row with its own settings; in order."""
        rows = list(rows)
        if not rows:
            return []
        size = self.max_batch or len(rows)
        model = self.model
        training = bool(getattr(model, "training", False))
        if training:
            model.eval()
        try:
            out: list[Choice] = []
            for start in range(0, len(rows), size):
                out += self._batch(rows[start:start + size])
            return out
        finally:
            if training:
                model.train()

    def _precision(self, where: Any) -> Any:
        if self.autocast is None:
            return contextlib.nullcontext()
        return self.torch.autocast(where.type, dtype=getattr(self.torch, self.autocast))

    def _batch(self, rows: list[Row]) -> list[Choice]:
        """One batch: every step's forward pass and choice for all its rows at once."""
        torch = self.torch
        where = next(iter(self.model.parameters())).device
        batch = len(rows)
        lengths = [len(r.prompt_ids) for r in rows]
        width = max(lengths)
        ids = torch.full((batch, width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((batch, width), dtype=torch.long)
        for i, r in enumerate(rows):
            if r.prompt_ids:
                ids[i, width - lengths[i]:] = torch.tensor(r.prompt_ids, dtype=torch.long)
                mask[i, width - lengths[i]:] = 1
        steps = max(r.max_tokens for r in rows)
        # each sampled row's draws, from its own generator (the same on any device)
        uniform = torch.zeros((batch, steps), dtype=torch.float64)
        for i, r in enumerate(rows):
            if r.temperature > 0:
                uniform[i] = torch.rand(steps, generator=torch.Generator().manual_seed(r.seed),
                                        dtype=torch.float64)
        ids, mask, uniform = ids.to(where), mask.to(where), uniform.to(where)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        temperature = torch.tensor([r.temperature for r in rows], dtype=torch.float32, device=where)
        greedy = temperature <= 0
        scale = torch.where(greedy, torch.ones_like(temperature), temperature)
        top_p = torch.tensor([r.top_p for r in rows], dtype=torch.float32, device=where)
        min_tokens = torch.tensor([r.min_tokens for r in rows], dtype=torch.long, device=where)
        most_min = max(r.min_tokens for r in rows)
        end_index = torch.tensor(sorted(self.end_ids), dtype=torch.long, device=where)
        sampled = any(r.temperature > 0 for r in rows)
        nucleus = any(r.temperature > 0 and r.top_p < 1.0 for r in rows)
        want_logprobs = any(r.logprobs for r in rows)

        tokens: list[list[int]] = [[] for _ in rows]
        finish: list[str | None] = [None] * batch
        tail = stop_tail(rows)
        active = list(range(batch))  # the original index of each row still in the batch, in order
        logprob_steps: list[Any] = []  # one (len(active),) float64 tensor a step, on the device
        taken: list[list[tuple[int, int]]] = []  # a step's (row, position in that step's tensor) pairs
        past: Any = None
        step_ids, step_positions = ids, positions
        compact: bool | None = None  # whether the cache can drop rows (known after the first pass)
        with torch.inference_mode(), self._precision(where):
            for step in range(steps):
                out = self.model(input_ids=step_ids, attention_mask=mask, position_ids=step_positions,
                                 use_cache=True, logits_to_keep=1, **{self._cache_arg: past})
                past = getattr(out, self._cache_arg)
                if compact is None:
                    compact = _can_drop_rows(past)
                logits = out.logits[:, -1, :].float()
                if step < most_min:  # no end-of-turn token before a row's min_tokens
                    blocked = (min_tokens > step)[:, None]
                    logits[:, end_index] = torch.where(blocked, float("-inf"), logits[:, end_index])
                chosen = pick_tokens(torch, logits, greedy=greedy, scale=scale, top_p=top_p,
                                     uniform=uniform[:, step], nucleus=nucleus, sampled=sampled)
                if want_logprobs:
                    scaled = logits.double() / scale.double()[:, None]
                    logprob_steps.append(scaled.gather(1, chosen[:, None])[:, 0]
                                         - torch.logsumexp(scaled, dim=-1))
                picked = chosen.tolist()
                pairs = []
                for j, i in enumerate(active):
                    if finish[i] is not None:
                        continue
                    r, token = rows[i], picked[j]
                    tokens[i].append(token)
                    pairs.append((i, j))
                    if token in self.end_ids or (r.stop and stopped(self.tokenizer, tokens[i][-tail:],
                                                                    r.stop)):
                        finish[i] = "stop"
                    elif len(tokens[i]) >= r.max_tokens:
                        finish[i] = "length"
                taken.append(pairs)
                still = [j for j, i in enumerate(active) if finish[i] is None]
                if not still:
                    break
                # a finished row is fed its own last token: its outputs are never read again
                step_ids = chosen[:, None]
                step_positions = step_positions[:, -1:] + 1
                grown = torch.ones((mask.shape[0], 1), dtype=mask.dtype, device=where)
                mask = torch.cat([mask, grown], dim=1)
                if compact and len(still) * 2 <= len(active):
                    keep = torch.tensor(still, dtype=torch.long, device=where)
                    past.batch_select_indices(keep)
                    active = [active[j] for j in still]
                    step_ids, step_positions, mask = step_ids[keep], step_positions[keep], mask[keep]
                    uniform, greedy, scale = uniform[keep], greedy[keep], scale[keep]
                    top_p, min_tokens = top_p[keep], min_tokens[keep]
        logprobs: list[list[float]] = [[] for _ in rows]
        if want_logprobs and logprob_steps:
            flat = torch.cat(logprob_steps).tolist()
            at = 0
            for values, pairs in zip(logprob_steps, taken, strict=True):
                for i, j in pairs:
                    logprobs[i].append(flat[at + j])
                at += values.shape[0]
        return [make_choice(self.tokenizer, self.end_ids, r, t, lp if r.logprobs else None, f or "length")
                for r, t, lp, f in zip(rows, tokens, logprobs, finish, strict=True)]

    def close(self) -> None:
        """Nothing to release (the model is garbage-collected with the engine)."""
