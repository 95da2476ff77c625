"""Building one reward object from one name: an id, an alias, ``module:Class``, a class or an instance.

:func:`rewards.make_reward` (:mod:`rewards.factory`) parses a whole spec and calls this for each
component; a Ray reward actor calls it inside the actor. Weights and composites are not its concern.
"""

from __future__ import annotations

from typing import Any

from rewards.base import Reward
from rewards.registry import load_entry_point, reward_spec
from rewards.spec import is_entry_point


def reward_class(spec: Any) -> type:
    """The class a name stands for (imported), or the class itself.

    Raises:
        UnknownReward: An unknown id (the message lists near matches) or entry point.
        DependencyNotInstalled: The backend needs a pip extra that is not installed.
        TypeError: ``spec`` names no class.
    """
    if isinstance(spec, str):
        if is_entry_point(spec):
            return load_entry_point(spec)
        s = reward_spec(spec)
        return s.load()
    if isinstance(spec, type):
        return spec
    raise TypeError(f"a reward is an id, 'module:Class', a Reward class or a Reward, not {spec!r}")


def instantiate(spec: Any, **config: Any) -> Reward:
    """One reward: ``config`` over the registered defaults; an instance passes through (no config).

    Raises:
        UnknownReward, DependencyNotInstalled: As :func:`reward_class`.
        TypeError: ``spec`` is none of those, builds something that is not a ``Reward``, or is a
            built reward given configuration.
    """
    if isinstance(spec, Reward):
        if config:
            raise TypeError(f"configuration {sorted(config)} given for an already-built reward {spec!r}")
        return spec
    if not isinstance(spec, (str, type)):
        raise TypeError(f"a reward is an id, 'module:Class', a Reward class or a Reward, not {spec!r}"
                        + (" (a plain function: subclass rewards.Reward and implement score())"
                           if callable(spec) else ""))
    defaults = reward_spec(spec).kwargs if isinstance(spec, str) and not is_entry_point(spec) else {}
    built = reward_class(spec)(**{**defaults, **config})
    if not isinstance(built, Reward):
        raise TypeError(f"{spec!r} built {type(built).__name__}, not a rewards.Reward subclass: "
                        "implement score() on a subclass of rewards.Reward")
    return built
