"""What both engines decide the same way: the end-of-turn tokens, stop strings, the choice, a token's logprob.

The sampling itself (temperature, nucleus cut, one uniform draw a step from each row's own
generator) is the transformers engine's batched ``pick_tokens``; :func:`sample_token` is the same
rule for one row. CTranslate2 samples in C++ with the same semantics (temperature divides the
logits, the nucleus keeps the most probable tokens until their mass reaches ``top_p``, the first
always kept: its ``TopPMask`` is the rule here), from its own random stream. The logprob of a
sampled token is ``log_softmax(logits / temperature)[token]`` over the whole vocabulary, after the
end-of-turn tokens are masked for ``min_tokens`` (the distribution the token was drawn from, before
the nucleus cut): the quantity TRL's ``GRPOTrainer`` computes for the same tokens. Greedy decoding
(temperature 0) reports ``log_softmax(logits)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from codepaint_env.policy.engines.rows import Choice, Row

__all__ = ["end_ids_of", "make_choice", "sample_token", "stop_tail", "stopped", "token_logprob"]


def end_ids_of(tokenizer: Any, generation_config: Any, name: str) -> frozenset[int]:
    """Tokens that end a reply: EOS, the generation config's EOS ids, ``<|im_end|>`` where known.

    Raises:
        ValueError: None is found.
    """
    ids: set[int] = set()
    configured = getattr(generation_config, "eos_token_id", None)
    for value in (tokenizer.eos_token_id, configured):
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, (list, tuple)):
            ids.update(int(v) for v in value)
    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    if isinstance(im_end, int) and im_end != tokenizer.unk_token_id:
        ids.add(im_end)
    if not ids:
        raise ValueError(f"the tokenizer of {name!r} names no end-of-sequence token")
    return frozenset(ids)


def stop_tail(rows: Sequence[Row]) -> int:
    """How many last tokens to decode when looking for a stop string (its length in tokens, at most)."""
    return max((len(s) for r in rows for s in r.stop), default=0) + 8


def stopped(tokenizer: Any, tail: list[int], stops: tuple[str, ...]) -> bool:
    """Whether the text of the last tokens holds a stop string."""
    if not stops:
        return False
    text = tokenizer.decode(tail)
    return any(s in text for s in stops)


def make_choice(tokenizer: Any, end_ids: frozenset[int], row: Row, tokens: list[int],
                logprobs: list[float] | None, finish: str) -> Choice:
    """The choice of a decoded row: its text (end tokens left out, cut at the first stop string)."""
    text = tokenizer.decode([t for t in tokens if t not in end_ids], skip_special_tokens=True)
    cuts = [text.find(s) for s in row.stop if s and s in text]
    if cuts:
        text, finish = text[:min(cuts)], "stop"
    return Choice(text=text, finish_reason=finish, completion_tokens=len(tokens), token_ids=list(tokens),
                  logprobs=None if logprobs is None else list(logprobs))


def sample_token(torch: Any, logits: Any, temperature: float, top_p: float, uniform: float) -> int:
    """One row's token: greedy at temperature 0, else where ``uniform`` (in ``[0, 1)``) falls.

    It falls in the cumulative softmax (nucleus-cut, the most probable first, when ``top_p < 1``): the
    rule the transformers engine applies to a whole batch at once (``transformers_engine.pick_tokens``).
    """
    if temperature <= 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    order = None
    if top_p < 1.0:
        probs, order = torch.sort(probs, descending=True)
        probs = probs * ((torch.cumsum(probs, dim=-1) - probs) < top_p)  # the first token is always kept
    cdf = torch.cumsum(probs, dim=-1, dtype=torch.float64)
    total = cdf[-1]
    index = int(torch.searchsorted(cdf, torch.tensor([uniform * float(total)], dtype=torch.float64),
                                   right=True)[0])
    index = min(index, int((cdf < total).sum()))
    return index if order is None else int(order[index])


def token_logprob(torch: Any, logits: Any, token: int, temperature: float) -> float:
    """``log_softmax(logits / temperature)[token]`` (temperature 0 counts as 1), in float64."""
    scaled = logits.double() / (temperature if temperature > 0 else 1.0)
    return float(scaled[token] - torch.logsumexp(scaled, dim=-1))
