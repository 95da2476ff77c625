"""codepaint rewards: swappable, composable reward backends for programs that draw.

    >>> import rewards
    >>> rewards.list_rewards()                                      # doctest: +SKIP
    ['classic', 'clip', 'composite', 'dino', 'execution_gate', ...]
    >>> gate = rewards.make_reward("execution_gate")
    >>> gate(["function setup(){createCanvas(64,64);background(200,40,40)}"])   # doctest: +SKIP
    [1.0]

Every reward is a picklable callable class that TRL's ``GRPOTrainer`` accepts as it is (see
:mod:`rewards.base` for the protocol). Importing this package imports no torch, open_clip or
playwright; backends are imported when made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codepaint_env.core.packages import check_rewards_package

check_rewards_package()  # another distribution's top-level `rewards` colliding: named, with the fix

from rewards.registry import (  # noqa: E402
    ALIASES,
    REGISTRY,
    RewardSpec,
    list_rewards,
    register_reward,
    reward_spec,
)
from rewards.spec import (  # noqa: E402
    CHECKS_REWARD,
    DEFAULT_REWARD,
    MAX_WEIGHT,
    PLAIN_REWARD,
    RewardPlan,
    default_spec,
    parse_spec,
)

if TYPE_CHECKING:  # imported when first used (``__getattr__`` below)
    from rewards.base import AsyncReward, Reward, RewardResult, Sample
    from rewards.factory import make_reward, reward_funcs

__all__ = [
    "ALIASES",
    "CHECKS_REWARD",
    "DEFAULT_REWARD",
    "MAX_WEIGHT",
    "PLAIN_REWARD",
    "REGISTRY",
    "AsyncReward",
    "Reward",
    "RewardPlan",
    "RewardResult",
    "RewardSpec",
    "Sample",
    "default_spec",
    "list_rewards",
    "make_reward",
    "parse_spec",
    "register_reward",
    "reward_funcs",
    "reward_spec",
]

_LAZY = {"Reward": "base", "RewardResult": "base", "Sample": "base", "AsyncReward": "base",
         "make_reward": "factory", "reward_funcs": "factory"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'rewards' has no attribute {name!r}")
