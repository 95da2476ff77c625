"""`make_reward`: a reward from any spec; `reward_funcs`: the same spec as TRL's ``(funcs, weights)``.

    >>> import rewards
    >>> gate = rewards.make_reward("execution_gate", fail_value=0.0)
    >>> offline = rewards.make_reward("gate:0.3,classic:0.7")                # gated composite
    >>> judge = rewards.make_reward("pairwise_vlm", k=2, rubric="new")      # doctest: +SKIP
    >>> mine = rewards.make_reward("my_pkg.rewards:Sharpness", radius=2)     # doctest: +SKIP

Every part of codepaint that reads a reward spec (the env, the CLI, ``codepaint serve``, the
trainer adapters, the examples) calls these two functions, so a spec means the same everywhere:
the grammar, the gate rule and the weight checks are :mod:`rewards.spec`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rewards.base import Reward
from rewards.composite import SHARED_KEYS, CompositeReward
from rewards.instantiate import instantiate, reward_class
from rewards.spec import Component, RewardPlan, RewardSpecError, parse_spec

#: Arguments that configure the composite itself, not its components.
COMPOSITE_KEYS = ("name", "gate_threshold", "missing")


def make_reward(spec: Any, *, trusted: bool = True, **config: Any) -> Reward:
    """Build the reward a spec stands for (see :mod:`rewards.spec` for every form).

    Args:
        spec: An id, an alias, ``"module:Class"``, ``"id:weight,..."``, a mapping or list of
            weighted components, a Reward class or a Reward.
        trusted: ``False`` for specs from a network request: ``module:Class`` and classes refused.
        **config: Keyword arguments. For one reward, its own (over the registered defaults); with
            ``ray_actor_options`` (a dict) the reward is built once in a shared Ray actor and this
            returns an :class:`~rewards.actor.ActorReward` talking to it. For components:
            ``renderer``, ``language``, ``size`` and ``seed`` go to every component, ``name``,
            ``gate_threshold`` and ``missing`` to the composite, and any other key to each
            component that takes it (a key none takes is an error).

    Returns:
        The reward object (a :class:`~rewards.base.Reward`).

    Raises:
        RewardSpecError: A malformed spec or a weight that means nothing (the message names it).
        UnknownReward: An unknown id (the message lists near matches).
        DependencyNotInstalled: The backend needs a pip extra that is not installed.
        TypeError: A configuration key no component takes, or a spec that builds no ``Reward``.
    """
    plan = parse_spec(spec, trusted=trusted)
    if not plan.weighted:
        [component] = plan.components
        if config.get("ray_actor_options") is not None:
            from rewards.actor import ActorReward

            return ActorReward(component.reward, **config)
        config.pop("ray_actor_options", None)
        return instantiate(component.reward, **config)
    composite = {k: config.pop(k) for k in (*SHARED_KEYS, *COMPOSITE_KEYS) if k in config}
    return CompositeReward(_route(plan, config), **composite)


def reward_funcs(spec: Any, *, async_judges: bool = True, split_checks: bool | Sequence[str] = False,
                 **config: Any) -> tuple[list[Any], list[float]]:
    """A spec as TRL's ``GRPOTrainer(reward_funcs=..., args=GRPOConfig(reward_weights=...))``.

    Without a gate, one function per component and its weight (TRL sums them and logs each). With
    one (``execution_gate`` among the components), one function, the gated composite, weight 1:
    TRL's weighted sum cannot skip the other components for programs the gate fails, and the
    composite logs each component's mean through TRL's ``log_metric`` anyway.

    With ``split_checks`` (a gated spec with ``visual_checks``), the gate and one gated function per
    check kind instead (:mod:`rewards.split`), so that ``multi_objective_aggregation=
    "normalize_then_sum"`` normalises each kind within its group; their weighted sum is the
    composite's value.

    Args:
        spec: Any spec :func:`make_reward` takes.
        async_judges: Wrap rewards that wait on a judge so TRL awaits them concurrently.
        split_checks: ``True`` (every check kind) or the check kinds to give a function each.
        **config: As :func:`make_reward`.
    """
    plan = parse_spec(spec)
    if split_checks:
        from rewards.split import split_funcs

        composite = make_reward(spec, **config)
        if not isinstance(composite, CompositeReward):
            raise RewardSpecError(f"split_checks needs a gated spec with visual checks, e.g. "
                                  f"gate:0.2,checks:0.8, not {spec!r}")
        kinds = None if split_checks is True else list(split_checks)
        return split_funcs(plan, composite, kinds)  # type: ignore[return-value]
    if not plan.weighted or plan.gate is not None:
        funcs, weights = [make_reward(spec, **config)], [1.0]
    else:
        for k in COMPOSITE_KEYS:
            config.pop(k, None)  # one function per component: there is no composite to configure
        shared = {k: config.pop(k) for k in SHARED_KEYS if k in config}
        routed = _route(plan, config)
        funcs = [instantiate(c.reward, **{**shared, **dict(c.config)}) if not isinstance(c.reward, Reward)
                 else c.reward for c in routed.components]
        weights = [c.weight for c in routed.components]
    if async_judges:
        funcs = [f.as_async() if getattr(f, "awaits_judge", False) else f for f in funcs]
    return funcs, weights


def _route(plan: RewardPlan, config: Mapping[str, Any]) -> RewardPlan:
    """The plan with each configuration key given to every component that takes it."""
    if not config:
        return plan
    takes = [_config_keys(c.reward) for c in plan.components]
    unused = [k for k in config if not any(k in t for t in takes)]
    if unused:
        raise TypeError(f"no component of {[c.reward for c in plan.components]} takes "
                        f"{', '.join(map(repr, unused))}")
    comps = tuple(Component(c.reward, c.weight, {**{k: v for k, v in config.items() if k in t}, **c.config})
                  for c, t in zip(plan.components, takes, strict=True))
    return RewardPlan(comps, plan.weighted)


def _config_keys(reward: Any) -> set[str]:
    if isinstance(reward, Reward):
        return set()
    cls = reward_class(reward)
    return cls.config_keys() if issubclass(cls, Reward) else set()
