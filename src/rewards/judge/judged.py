"""What the VLM-judge rewards share.

:class:`JudgedReward` (a client, a rubric, async scoring) and :class:`PairwiseJudge`, the
both-orders comparison the pairwise and group rewards are built on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from PIL import Image

from codepaint_env.core.caller import warn_user
from codepaint_env.core.errors import JudgeNotConfigured
from rewards.base import Reward, RewardResult, Sample, run_sync
from rewards.judge.client import JudgeClient, JudgeConfig, JudgeReply
from rewards.judge.parsing import PairwiseVerdict, format_hint, parse_pairwise
from rewards.judge.rubric import Rubric, load_rubric

_CONFIG_FIELDS = frozenset(f.name for f in fields(JudgeConfig))


class JudgedReward(Reward):
    """Base of rewards that ask a VLM judge; sync :meth:`score` runs :meth:`ascore`.

    Args:
        rubric: A shipped rubric name or a rubric file path.
        client: A :class:`JudgeClient` to share; otherwise one is built from the
            :class:`JudgeConfig` fields among ``kwargs`` (``base_url``, ``model``, ``api_key``,
            ``max_concurrency``, ``cache``, ...).
        **kwargs: JudgeConfig fields and the :class:`~rewards.base.Reward` arguments.
    """

    awaits_judge = True

    rubric_kind = "pairwise"

    def __init__(self, *, rubric: str = "new", client: JudgeClient | None = None, require_judge: bool = False,
                 **kwargs: Any) -> None:
        judge_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _CONFIG_FIELDS}
        super().__init__(**kwargs)
        if client is not None and judge_kwargs:
            raise TypeError(f"give a client or judge settings {sorted(judge_kwargs)}, not both")
        self.client = client or JudgeClient(**judge_kwargs)
        self.require_judge = require_judge
        _say_when_unjudged(self.id, self.client, require_judge)
        self.rubric_name = rubric
        self.rubric: Rubric = load_rubric(rubric, self.rubric_kind)

    @classmethod
    def config_keys(cls) -> set[str]:
        """The constructor's arguments plus every :class:`JudgeConfig` field."""
        return super().config_keys() | _CONFIG_FIELDS

    @property
    def deterministic(self) -> bool:  # type: ignore[override]
        """A judge sampling at temperature > 0 may answer differently (uncached)."""
        return self.client.config.temperature == 0

    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score through :meth:`ascore` on the background loop."""
        return run_sync(self.ascore(list(samples)))

    async def ascore(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score every sample concurrently (the client's concurrency limit applies)."""
        return list(await asyncio.gather(*(self.ascore_one(s) for s in samples)))

    async def ascore_one(self, sample: Sample) -> RewardResult:
        """Score one sample (subclasses implement this, or :meth:`ascore` for a whole batch)."""
        raise NotImplementedError


@dataclass
class Comparison:
    """The judged preference between two pictures.

    Attributes:
        score: How much the *first* picture won: 1, 0.5 (tie, or the two orders disagree), 0;
            ``None`` when it could not be judged.
        outcomes: The first picture's result in each ordering asked (1 / 0.5 / 0 or ``None``).
        reason: Why ``score`` is ``None``.
        rationale: The judge's reasons.
        cost: Requests, cache hits and tokens spent.
    """

    score: float | None
    outcomes: tuple[float | None, ...] = ()
    reason: str | None = None
    rationale: str = ""
    cost: dict[str, float] = field(default_factory=dict)


class PairwiseJudge:
    """Compares two pictures with a judge, in both orders; disagreement between orders is a tie.

    Pixel-identical pictures are a tie without a request. With a deterministic judge,
    ``compare(a, b).score == 1 - compare(b, a).score``.

    Args:
        client: The judge client.
        rubric: A pairwise rubric.
        both_orders: Ask (A, B) and (B, A); False asks once (cheaper, position-biased).
    """

    def __init__(self, client: JudgeClient, rubric: Rubric, both_orders: bool = True) -> None:
        self.client = client
        self.rubric = rubric
        self.both_orders = both_orders
        self.hint = format_hint({"winner": "A", "reason": "one sentence"})

    def compare(self, first: Image.Image, second: Image.Image, **kwargs: Any) -> Comparison:
        """Synchronous :meth:`acompare`."""
        return run_sync(self.acompare(first, second, **kwargs))

    async def acompare(self, first: Image.Image, second: Image.Image, *, prompt: str | None = None,
                       language: str = "p5brush", first_id: str | None = None,
                       second_id: str | None = None) -> Comparison:
        """Judge ``first`` against ``second`` for ``prompt``.

        Args:
            first: The picture whose win is scored.
            second: The picture it is compared with.
            prompt: The task prompt both were made for.
            language: Fills the rubric's ``{medium}``.
            first_id: Reference id of ``first``, if it is one (goes into the cache key).
            second_id: Reference id of ``second``, if it is one.
        """
        if _same_pixels(first, second):
            return Comparison(0.5, (0.5,), rationale="identical pictures: a tie")
        system, user = self.rubric.render(prompt, language)
        orders = [(first, second, first_id, second_id, "A")]
        if self.both_orders:
            orders.append((second, first, second_id, first_id, "B"))
        replies: list[JudgeReply[PairwiseVerdict]] = await asyncio.gather(*(
            self.client.ajudge(
                system=system,
                content=[user, "Picture A:", a, "Picture B:", b],
                parse=parse_pairwise, hint=self.hint,
                tags={"rubric": self.rubric.key, "ids": [a_id, b_id]},
            ) for a, b, a_id, b_id, _ in orders))
        outcomes: list[float | None] = []
        notes = []
        for (_, _, _, _, first_is), reply in zip(orders, replies, strict=True):
            if reply.value is None:
                outcomes.append(None)
                continue
            w = reply.value.winner
            outcomes.append(0.5 if w == "tie" else float(w == first_is))
            notes.append(f"[{'AB' if first_is == 'A' else 'BA'}: {w}] {reply.value.reason}".strip())
        cost = {"requests": float(sum(r.requests for r in replies)),
                "cached": float(sum(r.cached for r in replies)),
                "prompt_tokens": float(sum(r.usage.get("prompt_tokens", 0) for r in replies)),
                "completion_tokens": float(sum(r.usage.get("completion_tokens", 0) for r in replies)),
                "refusals": float(sum(r.refused for r in replies))}
        failed = [r.reason for r in replies if r.value is None]
        if failed:
            return Comparison(None, tuple(outcomes), reason=failed[0], rationale=" ".join(notes), cost=cost)
        score = outcomes[0] if len(set(outcomes)) == 1 else 0.5
        if len(set(outcomes)) > 1:
            notes.append("(the two orders disagree: a tie)")
        return Comparison(score, tuple(outcomes), rationale=" ".join(notes), cost=cost)


def _same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and a.convert("RGB").tobytes() == b.convert("RGB").tobytes()


def add_costs(total: dict[str, float], cost: dict[str, float]) -> None:
    """Accumulate ``cost`` into ``total``."""
    for k, v in cost.items():
        total[k] = total.get(k, 0.0) + v


_WARNED: set[str] = set()


def _say_when_unjudged(reward_id: str, client: JudgeClient, require_judge: bool) -> None:
    """A judge with no endpoint or model: an error with ``require_judge``, else a warning once.

    Without it every sample would be ``None`` (unjudged) and a training run would go on, on zeros.
    """
    try:
        client.check_configured()
    except ValueError as e:
        message = (f"{reward_id}: {e}; until then every sample is unjudged (None; an env step gets "
                   "unjudged_reward). The judge's settings: OPENAI_BASE_URL, OPENAI_API_KEY, "
                   "CODEPAINT_JUDGE_MODEL. require_judge=True makes this an error")
        if require_judge:
            raise JudgeNotConfigured(message) from None
        if message not in _WARNED:
            _WARNED.add(message)
            warn_user(message)  # at the user's line, whichever door built the reward
