"""`Turn`: the one wire record of a program of an episode; :func:`aggregate`: the episode's reward.

Every door sends :meth:`Turn.to_dict` (JSON) as it is: TRL's ``history``, verl's
``extra_fields["codepaint_turns"]``, SkyRL's step ``metadata``, verifiers' ``trace.info``, OpenEnv's
observation. A field added here reaches every door without an edit to one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.scoring.trainer import Scored

__all__ = ["AGGREGATIONS", "Outcome", "Turn", "aggregate"]

#: How an episode's turns make its reward: the last program's, the best judged one, the judged mean.
AGGREGATIONS: tuple[str, ...] = ("last", "best", "mean")


@dataclass(frozen=True)
class Turn:
    """What every door keeps of one program of an episode.

    Attributes:
        turn: Its number (1 for the first program).
        code: The program (extracted from the reply).
        value: The reward's value, ``None`` when it could not be judged.
        judged: ``value is not None``.
        reason: Why it was not judged.
        rendered: The program rendered a picture.
        error_kind: Why it did not (``None`` when it did; ``"infra"``: the render could not be done).
        picture: A picture was drawn (one the policy can be shown).
        no_change: The edit changed nothing visible.
        reward: The turn's reward (the value, shaped by the settings' ``reward_mode`` and
            ``no_change_penalty``, or the ``unjudged_reward``).
        feedback: The feedback text (what rendered or failed, the reward, the notes, the change).
        breakdown: The reward's named parts.
        monitors: The training monitors of the program (:func:`rewards.monitors.sample_monitors`).
        tool_calls: The tool calls the episode had made before this program (0 without tools).
        retrieved: The fact cards its searches had returned by then (card ids, once each, first seen
            first): the ``retrieved`` column the ``search_recall`` reward reads.
    """

    turn: int
    code: str
    value: float | None
    judged: bool
    reason: str | None
    rendered: bool
    error_kind: str | None
    picture: bool
    no_change: bool
    reward: float
    feedback: str
    breakdown: dict[str, float | None] = field(default_factory=dict)
    monitors: dict[str, float | None] = field(default_factory=dict)
    tool_calls: int = 0
    retrieved: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready values: what every door sends."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Outcome:
    """An episode's reward and the turn that stands for it.

    Attributes:
        value: The episode's value (``None``: not judged).
        turn: The turn whose render stands for the episode (``last`` and ``mean``: the last;
            ``best``: the best judged one, else the last).
        turns: How many turns there were.
        unjudged_turns: How many of them were not judged.
    """

    value: float | None
    turn: Turn
    turns: int
    unjudged_turns: int

    @property
    def judged(self) -> bool:
        """Whether the episode's value is a judgment (not made up)."""
        return self.value is not None

    def scored(self, unjudged_reward: float = 0.0) -> Scored:
        """The outcome as the float a trainer takes (``unjudged_reward`` when not judged) and its meaning."""
        return Scored(reward=unjudged_reward if self.value is None else float(self.value), value=self.value,
                      judged=self.judged, rendered=self.turn.rendered, error_kind=self.turn.error_kind,
                      reason=self.turn.reason, breakdown=dict(self.turn.breakdown),
                      monitors=dict(self.turn.monitors))


def aggregate(turns: Sequence[Turn], how: str = "last") -> Outcome:
    """The episode's reward from its turns.

    Args:
        turns: The turns, in order (at least one).
        how: ``"last"`` (the last program's value: the answer the policy ends with; ``None`` when it
            was not judged), ``"best"`` (the best judged value) or ``"mean"`` (the mean of the judged
            values); ``None`` when no turn was judged.

    Raises:
        ValueError: No turns, or another ``how``.
    """
    if how not in AGGREGATIONS:
        raise ValueError(f"reward_aggregation must be one of {', '.join(AGGREGATIONS)}, not {how!r}")
    if not turns:
        raise ValueError("an episode without turns has no reward")
    last = turns[-1]
    judged = [t for t in turns if t.value is not None]
    unjudged = len(turns) - len(judged)
    if how == "last" or not judged:
        return Outcome(last.value if how == "last" else None, last, len(turns), unjudged)
    if how == "best":
        best = max(judged, key=lambda t: t.value if t.value is not None else float("-inf"))
        return Outcome(best.value, best, len(turns), unjudged)
    mean = sum(t.value for t in judged if t.value is not None) / len(judged)
    return Outcome(mean, last, len(turns), unjudged)
