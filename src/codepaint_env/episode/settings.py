"""`EpisodeSettings`: how an episode runs, validated once, whatever door builds it.

Every door builds its settings with :meth:`EpisodeSettings.from_config`: the trainer config
(:class:`~codepaint_env.scoring.trainer.TrainerConfig`, the ``CODEPAINT_*`` environment: the
reward, a ``codepaint serve`` URL, Ray, the render timeout, the size and seed when a row has none,
the unjudged reward) with the door's explicit arguments over it. So ``CODEPAINT_REWARD`` or
``CODEPAINT_UNJUDGED_REWARD`` means the same through the Gym env, TRL, verl, SkyRL, verifiers and
OpenEnv, and a bad value is refused in one place with a message that says how to fix it.

    >>> s = EpisodeSettings.from_config(TrainerConfig(), max_turns=3, images=True, reward="classic")
    >>> s.max_turns, s.images, s.config.reward, s.unjudged_reward
    (3, True, 'classic', 0.0)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.episode.messages import PICTURE_FORMS
from codepaint_env.episode.tools import check_tools
from codepaint_env.episode.turn import AGGREGATIONS
from codepaint_env.render.front import parse_size
from codepaint_env.scoring.trainer import TrainerConfig
from rewards.guard import check_timeout

__all__ = ["FEEDBACK", "PLACEMENTS", "REWARD_MODES", "SEARCH_INDEXES", "EpisodeSettings"]

#: How a turn's reward is shaped: the value, or its change since the last judged turn.
REWARD_MODES: tuple[str, ...] = ("absolute", "improvement")
#: How much the feedback text says.
FEEDBACK: tuple[str, ...] = ("short", "full")
#: Where the feedback (and the picture) goes: a user message, or the answer to a ``submit_code`` call.
PLACEMENTS: tuple[str, ...] = ("user", "tool")
#: Which cards ``search`` looks in: ``auto`` (a train task's episode: the train facts' cards only; any
#: other: every card), ``train``, ``all`` (docs/knowledge-search.md, "The honest split") or
#: ``practice`` (the train cards and the practice flags': a supervised start's,
#: :mod:`~codepaint_env.tasks.knowledge.practice`).
SEARCH_INDEXES: tuple[str, ...] = ("auto", "train", "all", "practice")


@dataclass(frozen=True)
class EpisodeSettings:
    """How an episode runs (see the module docstring); every field is checked in ``__post_init__``."""

    config: TrainerConfig = field(default_factory=TrainerConfig, metadata={
        "help": "the trainer config: reward spec, serve URL, Ray, timeout, size and seed defaults"})
    max_turns: int = field(default=1, metadata={"help": "programs in an episode (1: single-turn)"})
    size: tuple[int, int] | None = field(default=None, metadata={
        "help": "render size (W, H); None: each task's own"})
    seed: int | None = field(default=None, metadata={
        "help": "render seed; None: the row's, else the config's"})
    reward_mode: str = field(default="absolute", metadata={
        "help": "a turn's reward: the value (absolute) or its change (improvement)"})
    no_change_penalty: float = field(default=0.0, metadata={
        "help": "subtracted from a judged turn whose edit changed nothing visible"})
    success_threshold: float | None = field(default=None, metadata={
        "help": "end the episode when a value reaches it (None: never)"})
    unjudged_reward: float = field(default=0.0, metadata={
        "help": "the reward of a turn that could not be judged (from CODEPAINT_UNJUDGED_REWARD)"})
    feedback: str = field(default="short", metadata={"help": "short or full feedback text"})
    reward_aggregation: str = field(default="last", metadata={
        "help": "the episode's value: the last turn's, the best judged, or the judged mean"})
    images: bool = field(default=False, metadata={"help": "show the policy its picture in the feedback"})
    image_placement: str = field(default="user", metadata={
        "help": "the feedback goes in a user message, or answers a submit_code call (tool)"})
    image_size: int | None = field(default=None, metadata={
        "help": "downscale the picture to at most this many pixels a side"})
    picture_form: str = field(default="image_url", metadata={
        "help": "image_url (a PNG data URL part) or image (a PIL image part)"})
    instruction: str | None = field(default=None, metadata={
        "help": "the request that closes the feedback (None: the one for its placement)"})
    tools: tuple[str, ...] = field(default=(), metadata={
        "help": "search tools offered before drawing: search, search_references (from CODEPAINT_TOOLS)"})
    max_tool_calls: int = field(default=3, metadata={
        "help": "tool calls an episode may make, refused ones included (from CODEPAINT_MAX_TOOL_CALLS)"})
    search_index: str = field(default="auto", metadata={
        "help": "the cards search looks in: auto (a train task: the train facts' cards only; else every "
                "card), train or all (from CODEPAINT_SEARCH_INDEX)"})
    reward_timeout_s: float | None = field(default=None, metadata={
        "help": "seconds one reward call may take before its turns are unjudged; None: the config's "
                "(CODEPAINT_REWARD_TIMEOUT, default 600)"})

    def __post_init__(self) -> None:
        if not isinstance(self.config, TrainerConfig):
            raise TypeError(f"config must be a TrainerConfig, not {type(self.config).__name__}")
        if isinstance(self.max_turns, bool) or not isinstance(self.max_turns, int) or self.max_turns < 1:
            raise ValueError(f"max_turns must be at least 1 (1 = single-turn), not {self.max_turns!r}")
        if self.size is not None:
            object.__setattr__(self, "size", parse_size(self.size))  # type: ignore[arg-type]
        if self.seed is not None:
            object.__setattr__(self, "seed", int(self.seed))
        _choice("reward_mode", self.reward_mode, REWARD_MODES)
        _choice("feedback", self.feedback, FEEDBACK)
        _choice("reward_aggregation", self.reward_aggregation, AGGREGATIONS)
        _choice("image_placement", self.image_placement, PLACEMENTS)
        _choice("picture_form", self.picture_form, PICTURE_FORMS)
        _choice("search_index", self.search_index, SEARCH_INDEXES)
        for name in ("no_change_penalty", "unjudged_reward"):
            _finite(name, getattr(self, name))
            object.__setattr__(self, name, float(getattr(self, name)))
        if self.success_threshold is not None:
            _finite("success_threshold", self.success_threshold)
            object.__setattr__(self, "success_threshold", float(self.success_threshold))
        if self.image_size is not None and (isinstance(self.image_size, bool) or int(self.image_size) < 1):
            raise ValueError("image_size must be a positive number of pixels or None, "
                             f"not {self.image_size!r}")
        object.__setattr__(self, "images", bool(self.images))
        object.__setattr__(self, "tools", check_tools(self.tools))
        if isinstance(self.max_tool_calls, bool) or not isinstance(self.max_tool_calls, int) \
                or self.max_tool_calls < 0:
            raise ValueError(f"max_tool_calls must be a whole number of calls, at least 0, not "
                             f"{self.max_tool_calls!r}")
        timeout = self.config.reward_timeout_s if self.reward_timeout_s is None else self.reward_timeout_s
        object.__setattr__(self, "reward_timeout_s", check_timeout(timeout))

    @classmethod
    def from_config(cls, config: TrainerConfig | None = None, *, reward: str | None = None,
                    **overrides: Any) -> EpisodeSettings:
        """The trainer config (default: the environment's) with a door's explicit settings over it.

        Args:
            config: The trainer config (default :meth:`TrainerConfig.from_environ`).
            reward: A reward spec over the config's (``None``, ``""``: the config's).
            **overrides: Any other field; ``None`` keeps the default (``unjudged_reward``, ``tools``,
                ``max_tool_calls`` and ``search_index``: the config's).

        Raises:
            TypeError: A field this class does not have (the message lists them).
            ValueError: A value out of range, or a bad ``CODEPAINT_*`` variable.
        """
        config = config or TrainerConfig.from_environ()
        if reward is not None and str(reward).strip():
            config = dataclasses.replace(config, reward=str(reward).strip())
        names = {f.name for f in dataclasses.fields(cls)} - {"config"}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise TypeError(f"unknown episode setting(s) {', '.join(unknown)}; known: reward, "
                            f"{', '.join(sorted(names))}")
        given = {k: v for k, v in overrides.items() if v is not None}
        given.setdefault("unjudged_reward", config.unjudged_reward)
        given.setdefault("tools", config.tools)
        given.setdefault("max_tool_calls", config.max_tool_calls)
        given.setdefault("search_index", config.search_index)
        return cls(config=config, **given)

    def replace(self, **changes: Any) -> EpisodeSettings:
        """These settings with some fields changed (checked again); ``reward`` replaces the config's spec."""
        reward = changes.pop("reward", None)
        config = self.config
        if reward is not None and str(reward).strip():
            config = dataclasses.replace(config, reward=str(reward).strip())
        return dataclasses.replace(self, config=config, **changes)

    def index_for(self, split: str | None) -> str:
        """The cards a task of ``split`` searches: ``train`` or ``all`` (``auto``: ``train`` for train tasks).

        Training must not read an eval fact's card, so a ``train`` task's episode searches the train
        facts' cards only; an ``eval`` task's (or one with no split) searches every card.
        """
        if self.search_index != "auto":
            return self.search_index
        return "train" if split == "train" else "all"

    def render_size(self, task_size: tuple[int, int]) -> tuple[int, int]:
        """The size an episode on a task of ``task_size`` renders at."""
        return self.size if self.size is not None else task_size

    def render_seed(self, row_seed: int | None = None) -> int:
        """The seed programs render with: the setting's, else the row's, else the config's."""
        if self.seed is not None:
            return self.seed
        return int(row_seed) if row_seed is not None else int(self.config.seed)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def _finite(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
