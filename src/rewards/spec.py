"""The one reward spec: what every form a user may write means, parsed in one place.

A spec is any of:

* an id or an alias: ``"execution_gate"``, ``"gate"``, ``"classic"``;
* ``"package.module:Class"`` (your own reward; only where the spec is *trusted*: never from a
  network request);
* weighted components ``"gate:0.3,classic:0.7"`` (a weight left out is 1; each component an id,
  an alias or, trusted, ``module:Class``);
* a mapping ``{"gate": 0.3, "classic": 0.7}``, or a list of ``(spec, weight)`` /
  ``(spec, weight, config)`` / plain specs (weight 1);
* a :class:`~rewards.base.Reward` class or instance.

**The gate rule.** A spec of several components is a weighted sum, gated by ``execution_gate``
when it is one of them: samples it fails skip the other components, which count at their minimum
(no judge is paid to score a broken program).

**Weights.** Finite, at most :data:`MAX_WEIGHT` in size, the gate's not negative, and not all 0
(weight 0 logs a component without rewarding it; all 0 would reward nothing). Anything else is a
:class:`~codepaint_env.core.errors.RewardSpecError` naming the weight, wherever the spec came from
(``make_reward``, the env, the CLI, ``codepaint serve``). So every value a composite gives is a
finite sum of finite values, within the range its weights and components document.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.core.errors import RewardSpecError
from rewards.registry import ALIASES, REGISTRY, reward_spec

#: The largest weight a component may have (either sign). Rewards are of order 1; a weight of
#: 1e308 is a typo or an attack, and its value would swamp any advantage a trainer computes.
MAX_WEIGHT = 1000.0
#: The id of the component that gates the others.
GATE_ID = "execution_gate"
#: The reward of a task without checks when none is configured: offline, no judge and no model.
PLAIN_REWARD = "gate:0.3,classic:0.7"
#: The reward of a task that carries verifiable checks when none is configured (same gate weight).
CHECKS_REWARD = "gate:0.3,checks:0.7"
#: The reward used when none is configured: :data:`CHECKS_REWARD` for a task with checks, else
#: :data:`PLAIN_REWARD`, decided per sample (:class:`rewards.default.DefaultReward`).
DEFAULT_REWARD = "default"


def default_spec(has_checks: bool) -> str:
    """The spec the default reward applies to a task with (or without) checks."""
    return CHECKS_REWARD if has_checks else PLAIN_REWARD


def spec_text(reward: Any) -> str:
    """How a reward argument is recorded: a spec as written, a class by its path, an object by its repr."""
    if isinstance(reward, str):
        return reward
    if isinstance(reward, type):
        return f"{reward.__module__}:{reward.__qualname__}"
    return repr(reward) if hasattr(reward, "score") else str(reward)


@dataclass(frozen=True)
class Component:
    """One component of a spec: what to build, its weight, and its own configuration."""

    reward: Any  # an id, "module:Class", a Reward class or a Reward
    weight: float = 1.0
    config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str | None:
        """Its registered id (aliases resolved), or ``None`` for a class, an object, ``module:Class``."""
        if isinstance(self.reward, str) and not is_entry_point(self.reward):
            return reward_spec(self.reward).id
        rid = getattr(self.reward, "id", None)
        return rid if isinstance(rid, str) else None


@dataclass(frozen=True)
class RewardPlan:
    """What a spec means: one reward, or components summed with their weights (gated by the rule)."""

    components: tuple[Component, ...]
    weighted: bool  # several components, or weights given: a composite

    @property
    def gate(self) -> int | None:
        """The index of the gating component (``execution_gate``), or ``None``."""
        if not self.weighted:
            return None
        return next((i for i, c in enumerate(self.components) if c.id == GATE_ID), None)

    def ids(self) -> list[str | None]:
        """Each component's registered id (``None`` for ones named by class or entry point)."""
        return [c.id for c in self.components]


def is_entry_point(text: str) -> bool:
    """True for ``"package.module:Class"`` (a colon, no number after it, no registered id before it)."""
    head, sep, tail = text.rpartition(":")
    return bool(sep and head and tail and not _is_number(tail)) and not _registered(head)


def _registered(name: str) -> bool:
    return name.strip() in REGISTRY or name.strip() in ALIASES


def parse_spec(spec: Any, *, trusted: bool = True) -> RewardPlan:
    """The plan a spec stands for (see the module docstring).

    Args:
        spec: What to parse.
        trusted: ``False`` for specs read from a network request: ``module:Class`` and classes are
            refused (they would import or run code of the caller's choosing).

    Raises:
        RewardSpecError: A malformed spec, a weight that means nothing, an untrusted entry point.
        UnknownReward: An id that is not registered (the message lists near matches).
    """
    if isinstance(spec, str):
        text = spec.strip()
        if not text:
            raise RewardSpecError("empty reward spec: give an id such as 'classic' or components such "
                                  "as 'gate:0.3,classic:0.7'")
        if "," in text or _weighted_part(text):
            return _plan([_component_of(part.strip(), text) for part in text.split(",") if part.strip()],
                         weighted=True, trusted=trusted, source=text)
        return _plan([Component(text)], weighted=False, trusted=trusted, source=text)
    if isinstance(spec, Mapping):
        return _plan([Component(k, _weight(w, repr(k), repr(spec))) for k, w in spec.items()], weighted=True,
                     trusted=trusted, source=repr(spec))
    if isinstance(spec, (list, tuple)):
        comps = []
        for entry in spec:
            if isinstance(entry, (list, tuple)):
                if len(entry) not in (2, 3):
                    raise RewardSpecError(f"component {entry!r}: give (spec, weight) or "
                                          "(spec, weight, config)")
                config = dict(entry[2]) if len(entry) == 3 else {}
                comps.append(Component(entry[0], _weight(entry[1], repr(entry[0]), repr(spec)), config))
            else:
                comps.append(Component(entry))
        return _plan(comps, weighted=True, trusted=trusted, source=repr(spec))
    return _plan([Component(spec)], weighted=False, trusted=trusted, source=repr(spec))


def _weighted_part(text: str) -> bool:
    head, sep, tail = text.rpartition(":")
    return bool(sep) and (_is_number(tail) or _registered(head))  # "gate:lots": a bad weight, said so


def _component_of(part: str, source: str) -> Component:
    head, sep, tail = part.rpartition(":")
    if sep and _is_number(tail):
        if not head.strip():
            raise RewardSpecError(f"{part!r} in {source!r}: a weight with no reward; write id:weight, "
                                  "e.g. 'gate:0.3,classic:0.7'")
        return Component(head.strip(), _weight(tail, head.strip(), source))
    if sep and _registered(head):
        _weight(tail, head.strip(), source)  # raises: the weight is not a number
    return Component(part)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _weight(value: Any, name: str, source: str) -> float:
    try:
        w = float(value)
    except (TypeError, ValueError):
        raise RewardSpecError(f"the weight of {name} in {source} is {value!r}, not a number") from None
    if not math.isfinite(w):
        raise RewardSpecError(f"the weight of {name} in {source} is {w}: weights must be finite numbers")
    if abs(w) > MAX_WEIGHT:
        raise RewardSpecError(f"the weight of {name} in {source} is {w:g}: weights are at most "
                              f"{MAX_WEIGHT:g} in size (rewards are of order 1; scale the learning rate)")
    return w


def _plan(components: list[Component], *, weighted: bool, trusted: bool, source: str) -> RewardPlan:
    if not components:
        raise RewardSpecError(f"no components in {source}: write them as id:weight, "
                              "e.g. 'gate:0.3,classic:0.7'")
    for c in components:
        if isinstance(c.reward, str):
            if is_entry_point(c.reward):
                if not trusted:
                    raise RewardSpecError(
                        f"reward {c.reward!r}: a request may name registered reward ids only (module:Class "
                        "would import code of the caller's choosing); configure your own reward where "
                        "the service starts (e.g. codepaint serve --reward module:Class)")
            else:
                reward_spec(c.reward)  # raises UnknownReward with near matches
        elif not trusted:
            raise RewardSpecError(f"reward {c.reward!r}: a request may name registered reward ids only")
    plan = RewardPlan(tuple(components), weighted)
    if weighted:
        if all(c.weight == 0 for c in components):
            raise RewardSpecError(f"every weight in {source} is 0: nothing would be rewarded (weight 0 only "
                                  "logs a component)")
        gate = plan.gate
        if gate is not None and components[gate].weight < 0:
            raise RewardSpecError(f"the gate's weight in {source} is {components[gate].weight:g}: a negative "
                                  "gate weight would reward the programs that fail it")
    return plan
