"""`composite`: a weighted sum of rewards, gated by the execution gate when it is one of them.

    reward = CompositeReward({"execution_gate": 0.1, "pointwise_vlm": 0.8, "interactive": 0.1})
    reward = CompositeReward("gate:0.1,pairwise_vlm:0.9,visible_change:0")
    reward = rewards.make_reward("gate:0.1,pairwise_vlm:0.9")      # the same, from the one spec parser

Components are parsed by :mod:`rewards.spec` (the one grammar, weights checked there) and built
by :func:`rewards.instantiate.instantiate`; ``renderer``, ``language``, ``size`` and ``seed`` are
shared by every component built here.

Value: ``sum(weight_i * value_i)`` over the components. A component with weight 0 is a logged
metric: computed and reported in the breakdown, not part of the value.

The gate is one of the components: by default (``gate="auto"``) ``execution_gate`` when it is one
of them (the one gate rule of :mod:`rewards.spec`), else a component named by ``gate=``, or none
with ``gate=None``. Where a sample's gate value is
below ``gate_threshold`` (default: the middle of the gate's range, 0 for -1/1), the other
components are not computed for it (no judge is paid to score a broken program) and count at
the minimum of their range. So a failed render never outscores one that passed the gate.

A component that could not judge a sample (``None``) makes the composite ``None`` for it
(``missing="none"``, the default), or is left out with the other weights scaled up to the same
total (``missing="renormalize"``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from rewards.base import Reward, RewardResult, Sample, run_sync
from rewards.instantiate import instantiate
from rewards.registry import reward_spec
from rewards.spec import GATE_ID, RewardPlan, parse_spec

#: The arguments every reward takes, shared by the components a composite builds.
SHARED_KEYS: tuple[str, ...] = ("renderer", "language", "size", "seed")

#: AesCoder's weights: execution 0.1, static aesthetics 0.8, interaction 0.1.
AESCODER_WEIGHTS: dict[str, float] = {"execution_gate": 0.1, "pointwise_vlm": 0.8, "interactive": 0.1}


class CompositeReward(Reward):
    """Weighted sum of rewards with an optional gate (id ``composite``; see the module docstring).

    Args:
        rewards: Components: ``{spec: weight}``, a list of ``(spec, weight)`` or
            ``(spec, weight, config)``, a string ``"id:weight,..."``, or a parsed
            :class:`~rewards.spec.RewardPlan` (:mod:`rewards.spec`). A component is an id,
            ``"module:Class"``, a Reward class or a reward object.
        gate: ``"auto"`` (``execution_gate`` when it is a component), the component acting as the
            gate (its id, alias or name), or ``None``.
        gate_threshold: Gate values below this skip the other components.
        missing: ``"none"`` or ``"renormalize"`` (see the module docstring).
        **kwargs: The :class:`~rewards.base.Reward` arguments (renderer, language, size, seed, name).
    """

    id = "composite"

    def __init__(self, rewards: Any = None, *, gate: str | None = "auto", gate_threshold: float | None = None,
                 missing: str = "none", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if rewards is None:
            raise ValueError("composite needs components, e.g. CompositeReward({'execution_gate': 0.1, "
                             "'pointwise_vlm': 0.8, 'interactive': 0.1}, gate='execution_gate') "
                             "(AesCoder's weights: rewards.composite.AESCODER_WEIGHTS)")
        if missing not in ("none", "renormalize"):
            raise ValueError("missing must be 'none' or 'renormalize'")
        self.components: list[tuple[str, Reward, float]] = []
        plan = rewards if isinstance(rewards, RewardPlan) else parse_spec(rewards)
        shared = {k: kwargs[k] for k in SHARED_KEYS if kwargs.get(k) is not None}
        for comp in plan.components:
            spec, weight, config = comp.reward, comp.weight, dict(comp.config)
            reward = spec if isinstance(spec, Reward) else instantiate(spec, **{**shared, **config})
            name = getattr(reward, "__name__", str(spec))
            taken = {n for n, _, _ in self.components}
            base, i = name, 2
            while name in taken:
                name, i = f"{base}_{i}", i + 1
            self.components.append((name, reward, float(weight)))
        if gate == "auto":
            self.gate = next((n for n, r, _ in self.components if getattr(r, "id", None) == GATE_ID), None)
        else:
            self.gate = self._find(gate) if gate is not None else None
        if self.gate is not None:
            g = self._component(self.gate)
            lo, hi = g.value_range
            self.gate_threshold = (lo + hi) / 2 if gate_threshold is None else float(gate_threshold)
        else:
            self.gate_threshold = gate_threshold
        self.missing = missing
        lo = hi = 0.0
        for _, r, w in self.components:
            a, b = (w * r.value_range[0], w * r.value_range[1])
            lo, hi = lo + min(a, b), hi + max(a, b)
        self.value_range = (lo, hi)  # type: ignore[misc]

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}:{w:g}" for n, _, w in self.components)
        return f"CompositeReward({parts}, gate={self.gate!r})"

    @classmethod
    def aescoder(cls, **judge: Any) -> CompositeReward:
        """AesCoder's reward: gate 0.1, static judge 0.8, interaction 0.1 (``judge``: client settings)."""
        return cls([("execution_gate", 0.1, {}), ("pointwise_vlm", 0.8, judge), ("interactive", 0.1, {})],
                   gate="execution_gate")

    @property
    def deterministic(self) -> bool:  # type: ignore[override]
        """True when every component is."""
        return all(getattr(r, "deterministic", True) for _, r, _ in self.components)

    def _find(self, key: str) -> str:
        names = [n for n, _, _ in self.components]
        if key in names:
            return key
        try:
            rid = reward_spec(key).id
        except Exception:
            rid = key
        for n, r, _ in self.components:
            if getattr(r, "id", None) == rid:
                return n
        raise ValueError(f"gate {key!r} is not one of the components {names}")

    def _component(self, name: str) -> Reward:
        return next(r for n, r, _ in self.components if n == name)

    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score through :meth:`ascore` (components run concurrently)."""
        return run_sync(self.ascore(list(samples)))

    async def ascore(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """The gate first, then the other components on the samples it let through."""
        samples = list(samples)
        n = len(samples)
        values: dict[str, list[RewardResult | None]] = {name: [None] * n for name, _, _ in self.components}
        keep = list(range(n))
        if self.gate is not None:
            gate_results = await self._component(self.gate).ascore(samples)
            values[self.gate] = list(gate_results)
            keep = [i for i, r in enumerate(gate_results)
                    if r.value is not None and r.value >= (self.gate_threshold or 0.0)]
        others = [(name, r) for name, r, _ in self.components if name != self.gate]
        subset = [samples[i] for i in keep]
        if subset:
            outs = await asyncio.gather(*(r.ascore(subset) for _, r in others))
            for (name, _), res in zip(others, outs, strict=True):
                for i, rr in zip(keep, res, strict=True):
                    values[name][i] = rr
        kept = set(keep)
        return [self._combine(i, values, i in kept) for i in range(n)]

    def _combine(self, i: int, values: dict[str, list[RewardResult | None]], gated_in: bool) -> RewardResult:
        breakdown: dict[str, float | None] = {}
        metrics: dict[str, float | None] = {}
        notes, missing = [], []
        cost: dict[str, float] = {}
        total = weight_seen = weight_all = 0.0
        for name, reward, w in self.components:
            r = values[name][i]
            if r is None:  # skipped by the gate: the component's minimum
                v: float | None = reward.value_range[0]
            else:
                v = r.value
                for k, c in r.cost.items():
                    cost[k] = cost.get(k, 0.0) + c
                if r.rationale:
                    notes.append(f"{name}: {r.rationale}")
                for k, sub in r.breakdown.items():
                    breakdown[f"{name}/{k}"] = sub
                metrics.update(r.metrics)  # monitor names are global: no prefix
            breakdown[name] = v
            if w == 0:
                continue
            weight_all += abs(w)
            if v is None:
                missing.append(f"{name}: {r.reason if r else 'no value'}")
                continue
            weight_seen += abs(w)
            total += w * v
        breakdown["gated"] = float(not gated_in) if self.gate is not None else 0.0
        if missing and (self.missing == "none" or weight_seen == 0):
            return RewardResult.unjudged("; ".join(missing), breakdown=breakdown, rationale=" | ".join(notes),
                                         cost=cost, metrics=metrics)
        if missing:
            total *= weight_all / weight_seen
        return RewardResult(total, breakdown=breakdown, rationale=" | ".join(notes), cost=cost,
                            metrics=metrics)

    def logged(self, result: RewardResult) -> dict[str, float | None]:
        """The breakdown, without the parts of components that do not log theirs (visual checks)."""
        quiet = [f"{n}/" for n, r, _ in self.components if not r.logs_breakdown]
        return {k: v for k, v in result.breakdown.items() if not any(k.startswith(q) for q in quiet)}
