"""The one default reward: what every door scores with when no reward is named.

    >>> import codepaint_env
    >>> codepaint_env.default_reward(codepaint_env.tasks.load_suite("shapes")[:3])
    'gate:0.3,checks:0.7'
    >>> codepaint_env.default_reward(codepaint_env.tasks.load_suite("svg")[:3])
    'gate:0.3,classic:0.7'

The environment, ``codepaint eval``, ``codepaint score``, ``codepaint serve``, the trainers'
adapters (TrainerConfig) and the OpenEnv and verifiers servers all use it. Where the tasks are
known up front (the environment, eval) the spec is resolved here and recorded (the env's
``info["reward_spec"]``, eval's ``run.json``); where rows of both kinds may arrive (a server, a
trainer's reward function), the ``default`` reward applies the same rule to each sample.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rewards.spec import DEFAULT_REWARD, default_spec


def carries_checks(task: Any) -> bool:
    """Whether a task (a :class:`~codepaint_env.tasks.Task` or a dataset row) has verifiable checks."""
    checks = task.get("checks") if isinstance(task, Mapping) else getattr(task, "checks", None)
    return bool(checks)


def default_reward(tasks: Iterable[Any]) -> str:
    """The reward spec the tasks are scored with when none is named.

    Args:
        tasks: :class:`~codepaint_env.tasks.Task` objects or dataset rows (their ``checks`` column).

    Returns:
        ``gate:0.3,checks:0.7`` when every task carries checks, ``gate:0.3,classic:0.7`` when none
        does (or there are no tasks), and ``default`` (the same rule per sample) for a mix.
    """
    kinds = {carries_checks(t) for t in tasks}
    if len(kinds) > 1:
        return DEFAULT_REWARD
    return default_spec(kinds == {True})
