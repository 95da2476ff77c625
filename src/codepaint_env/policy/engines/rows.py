"""What every generation engine takes and gives: :class:`Row` in, :class:`Choice` out.

A :class:`Row` is one sequence to sample: a tokenized prompt and its own settings (temperature,
top-p, token budget, stop strings, seed, minimum length). A :class:`Choice` is what came of it: the
text, why it ended, and the sampled ``token_ids`` with the ``logprobs`` of each (the log-softmax of the
temperature-scaled logits at that step, end-of-turn masking included; see :mod:`.sampling`).

:func:`trl_rollout` turns rows and their choices into what TRL's ``GRPOTrainer(rollout_func=...)``
expects back.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Choice", "Row", "check_sampling", "row_seed", "trl_rollout"]


@dataclass(frozen=True)
class Row:
    """One sequence to sample: a tokenized prompt and its own settings.

    Attributes:
        prompt_ids: The prompt, chat template applied, as token ids.
        temperature: 0 is greedy decoding.
        top_p: Nucleus sampling's probability mass (1: off).
        max_tokens: Most tokens sampled (the end-of-turn token included).
        stop: Strings that end the reply (cut off, with what follows).
        seed: The row's seed (see each engine for what it makes reproducible).
        min_tokens: No end-of-turn token before this many (vLLM's ``min_tokens``).
        logprobs: Whether the choice carries the log-probability of each sampled token. Off, the
            CTranslate2 engine need not fetch the logits at temperatures other than 0 and 1.
    """

    prompt_ids: tuple[int, ...]
    temperature: float = 0.7
    top_p: float = 1.0
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    seed: int = 0
    min_tokens: int = 0
    logprobs: bool = True


@dataclass
class Choice:
    """One sampled reply.

    Attributes:
        text: The reply (a stop string and what followed it cut off; the end-of-turn token left out).
        finish_reason: ``"stop"`` (end-of-turn token or a stop string) or ``"length"``.
        completion_tokens: Tokens sampled (the end-of-turn token included).
        token_ids: The sampled tokens, in order (the end-of-turn token included, as TRL and vLLM
            count it; a stop string's tokens too: only ``text`` is cut).
        logprobs: ``log_softmax(logits / temperature)`` of each sampled token (``temperature`` 1 when
            decoding greedily), one per ``token_ids``; ``None`` when the row did not ask for them.
    """

    text: str
    finish_reason: str
    completion_tokens: int
    token_ids: list[int] = field(default_factory=list)
    logprobs: list[float] | None = None


def row_seed(seed: int | None, index: int) -> int:
    """The seed of choice ``index`` of a request seeded ``seed`` (``None``: a fresh random one)."""
    if seed is None:
        return secrets.randbits(63)
    digest = hashlib.sha256(f"{int(seed)}/{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def check_sampling(*, n: int, temperature: float, top_p: float, max_tokens: int) -> None:
    """Raise ``ValueError`` naming the first sampling setting out of range."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, not {n!r}")
    if not 0 <= temperature <= 2:
        raise ValueError(f"temperature must be between 0 and 2, not {temperature!r}")
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], not {top_p!r}")
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise ValueError(f"max_tokens must be a positive integer, not {max_tokens!r}")


def trl_rollout(rows: Sequence[Row], choices: Sequence[Choice], **extra: list[Any]) -> dict[str, Any]:
    """What TRL's ``GRPOTrainer(rollout_func=...)`` wants back, from rows and their choices.

    TRL 1.16 (``GRPOTrainer._generate``) calls ``rollout_func(prompts, trainer)`` with the prompts of
    this process, each already repeated ``num_generations`` times in a row by its ``RepeatSampler``,
    and needs one completion per prompt it passed, in order: a dict with ``prompt_ids``,
    ``completion_ids`` and ``logprobs`` (lists of lists, one per completion; other keys go to the
    reward functions as columns). ``logprobs`` become ``sampling_per_token_logps``: TRL compares them
    with its own ``log_softmax(logits / temperature)`` of the same tokens (no top-p renormalisation;
    :class:`Choice` holds that quantity) for the importance-sampling correction
    (``vllm_importance_sampling_correction``, applied only with ``use_vllm``) and the off-policy
    sequence mask (``off_policy_mask_threshold``); otherwise they are carried and unused. A ``None``
    in a list becomes NaN, which TRL ignores.

    Args:
        rows: The rows that were decoded (their ``prompt_ids``).
        choices: Their choices, in order.
        **extra: More columns for the reward functions, one value per completion.

    Raises:
        ValueError: Rows and choices differ in number, or a choice carries no logprobs.
    """
    if len(rows) != len(choices):
        raise ValueError(f"{len(rows)} rows but {len(choices)} choices")
    if any(c.logprobs is None for c in choices):
        raise ValueError("a choice has no logprobs: decode its row with logprobs=True")
    return {"prompt_ids": [list(r.prompt_ids) for r in rows],
            "completion_ids": [list(c.token_ids) for c in choices],
            "logprobs": [list(c.logprobs or ()) for c in choices], **extra}
