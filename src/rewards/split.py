"""One gated spec as several TRL reward functions: the gate, and one function per check kind.

TRL's ``GRPOConfig(multi_objective_aggregation="normalize_then_sum")`` normalises each reward
function within its group before summing (the GDPO recipe). A gated composite is one function, so
there is nothing to normalise apart; :func:`split_funcs` gives the parts instead::

    funcs, weights = rewards.reward_funcs("gate:0.2,checks:0.8", split_checks=True)
    # [gate, checks/background, checks/colour, checks/count, ...], [0.2, 0.8, 0.8, 0.8, ...]

* ``gate``: the execution gate's value (``-1`` failed, ``1`` passed), weight the gate's;
* ``checks/<kind>``: the part of ``visual_checks`` that checks of that kind earn: their passed
  weight over the weight of all the task's applied checks (the parts sum to the checks' value);
  ``None`` for a program the gate failed (so a kind's group statistics are over programs that ran)
  and for a task without checks of that kind; weight the checks';
* any other component: its value, or its minimum where the gate failed (as the composite counts it).

With TRL's default ``sum_then_normalize`` the weighted sum of the parts is the composite's value,
sample for sample (``None`` adds nothing, as ``nansum`` does). Every part scores through one shared
composite, which renders and scores a batch once: the parts called after the first with the same
batch read its results. The first also logs the seconds the batch took to render
(``codepaint/time/render``) and to score (``codepaint/time/score``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from codepaint_env.core.errors import RewardSpecError
from codepaint_env.core.pickling import PicklesAsArguments
from rewards.base import RewardResult, Sample
from rewards.checks.reward import parts_by_kind, sample_checks
from rewards.checks.spec import KINDS
from rewards.composite import CompositeReward
from rewards.guard import score_guarded
from rewards.spec import RewardPlan

CHECKS_ID = "visual_checks"


class SharedScoring(PicklesAsArguments):
    """A composite that scores each batch once for every part that asks (the last few batches kept)."""

    def __init__(self, composite: CompositeReward) -> None:
        self.composite = composite
        self._lock = threading.Lock()
        self._recent: list[tuple[Any, tuple[list[Sample], list[RewardResult]]]] = []

    def results(self, completions: Sequence[Any], prompts: Sequence[Any] | None,
                kwargs: dict[str, Any]) -> tuple[list[Sample], list[RewardResult], bool]:
        """The batch's samples and results, and whether this call scored them (False: read back)."""
        key = _batch_key(completions, prompts, kwargs)
        with self._lock:
            for k, found in self._recent:
                if k == key:
                    return found[0], found[1], False
        start = time.perf_counter()
        samples = self.composite.build_samples(completions, prompts=prompts, **kwargs)
        rendered = time.perf_counter()
        results = score_guarded(self.composite, samples)  # a fault or a hang: None (rewards.guard)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric):  # where a step's time goes (the generation is the trainer's to time)
            log_metric("codepaint/time/render", rendered - start)
            log_metric("codepaint/time/score", time.perf_counter() - rendered)
        with self._lock:
            self._recent = [*self._recent[-3:], (key, (samples, results))]
        return samples, results, True


def _batch_key(completions: Sequence[Any], prompts: Sequence[Any] | None, kwargs: dict[str, Any]) -> Any:
    """What identifies a batch: its completions, prompts and columns (TRL passes equal ones to each part)."""
    columns = tuple(sorted((k, repr(v)) for k, v in kwargs.items()
                           if k not in ("trainer_state", "log_extra", "log_metric", "environments")))
    return (repr(list(completions)), repr(None if prompts is None else list(prompts)), columns)


class RewardPart(PicklesAsArguments):
    """One part of a gated composite as a TRL reward function (see the module docstring).

    Args:
        shared: The composite every part of the split scores through.
        part: ``"gate"``, ``"checks/<kind>"`` or a component's name.
    """

    def __init__(self, shared: SharedScoring, part: str) -> None:
        self.shared = shared
        self.part = part
        self.__name__ = part

    def __repr__(self) -> str:
        return f"RewardPart({self.part!r})"

    def __call__(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                 **kwargs: Any) -> list[float | None]:
        """One value (or ``None``) per completion: this part of the composite's score."""
        composite = self.shared.composite
        samples, results, scored = self.shared.results(completions, prompts, kwargs)
        if scored:  # the part that scored the batch logs the composite's metrics and monitors once
            composite._log(results, kwargs, samples)
        return [self.value(s, r) for s, r in zip(samples, results, strict=True)]

    def value(self, sample: Sample, result: RewardResult) -> float | None:
        """This part of one scored sample."""
        composite = self.shared.composite
        gate_value = result.breakdown.get(composite.gate or "")
        if result.value is None and gate_value is None:
            return None  # the gate itself could not judge it (infrastructure)
        gated_out = bool(result.breakdown.get("gated"))
        if self.part == "gate":
            return gate_value
        if self.part.startswith("checks/"):
            return None if gated_out or result.value is None else kind_part(
                sample, result, _checks_name(composite), self.part.split("/", 1)[1])
        return result.breakdown.get(self.part)


def _checks_name(composite: CompositeReward) -> str:
    return next(n for n, r, _ in composite.components if getattr(r, "id", None) == CHECKS_ID)


def kind_part(sample: Sample, result: RewardResult, checks_name: str, kind: str) -> float | None:
    """The share of the checks' value that claims of ``kind`` were paid (``None``: the task has none).

    Paid as the claim graph pays (:func:`rewards.checks.reward.parts_by_kind`): the parts sum to the
    checks' value; a guard's kind is 0 (it earns nothing, a broken one lowers every other part).
    """
    checks = sample_checks(sample)
    verdicts = {c.name: result.breakdown.get(f"{checks_name}/{c.name}") for c in checks}
    if not any(c.kind == kind and verdicts[c.name] is not None for c in checks):
        return None
    return parts_by_kind(checks, verdicts).get(kind, 0.0)


def split_funcs(plan: RewardPlan, composite: CompositeReward,
                kinds: Sequence[str] | None = None) -> tuple[list[RewardPart], list[float]]:
    """The parts of a gated spec with ``visual_checks`` and their weights (see the module docstring).

    Args:
        plan: The parsed spec.
        composite: The composite built from it.
        kinds: The check kinds to give a function each (default: every kind of
            :data:`rewards.checks.spec.KINDS`; pass the kinds your tasks use to keep the logs short).

    Raises:
        RewardSpecError: A spec without the gate or without ``visual_checks``, or an unknown kind.
    """
    ids = plan.ids()
    if plan.gate is None or CHECKS_ID not in ids:
        raise RewardSpecError("split_checks needs a gated spec with visual checks, e.g. gate:0.2,checks:0.8 "
                              f"(got components {ids})")
    kinds = tuple(KINDS if kinds is None else kinds)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise RewardSpecError(f"unknown check kind(s) {', '.join(map(repr, unknown))}; "
                              f"kinds: {', '.join(KINDS)}")
    shared = SharedScoring(composite)
    funcs: list[RewardPart] = []
    weights: list[float] = []
    for (name, reward, weight), component in zip(composite.components, plan.components, strict=True):
        if name == composite.gate:
            funcs.append(RewardPart(shared, "gate"))
            weights.append(weight)
        elif getattr(reward, "id", None) == CHECKS_ID:
            funcs += [RewardPart(shared, f"checks/{k}") for k in kinds]
            weights += [weight] * len(kinds)
        elif component.weight != 0:
            funcs.append(RewardPart(shared, name))
            weights.append(weight)
    return funcs, weights
