"""What every trainer adapter shares: configuration from the environment, and batch scoring.

Trainers load reward code by file path or entry point in processes of their own (verl's reward
workers, OpenRLHF's vLLM actors, SkyRL's generator), so the configuration travels as
environment variables, read once per process by :meth:`TrainerConfig.from_environ`:

=============================  ===========================================================
``CODEPAINT_REWARD``           the reward: an id (``execution_gate``, ``classic``,
                               ``pairwise_vlm``...), weighted ids ``gate:0.3,classic:0.7``
                               (gated by ``execution_gate`` when it is one of them) or
                               ``module:Class``. Default ``gate:0.3,classic:0.7`` (offline);
                               with ``CODEPAINT_SERVE_URL``, the server's own reward.
``CODEPAINT_SERVE_URL``        score on a ``codepaint serve`` server (``RemoteReward``):
                               nothing renders in the trainer's process.
``CODEPAINT_TOKEN``            that server's token, the variable every codepaint server
                               reads (or ``CODEPAINT_TOKEN_FILE``: a file holding it; the
                               older ``CODEPAINT_SERVE_TOKEN`` last, with a warning).
``CODEPAINT_UNJUDGED_REWARD``  the float a trainer receives for an item that could not be
                               judged (default ``0.0``; see :class:`Scored`), or
                               ``group_mean``: in batch forms, the mean of the judged items of
                               its group (same task), so its GRPO/RLOO advantage is exactly 0.
``CODEPAINT_SIZE``             render size when a row has none (``512`` or ``640x480``).
``CODEPAINT_SEED``             render seed when a row has none (default 0).
``CODEPAINT_RENDER_TIMEOUT``   seconds a render may take (the renderer's default otherwise).
``CODEPAINT_RAY_WORKERS``      render on a Ray cluster with this many render actors
                               (``RayRenderer``); ``CODEPAINT_RAY_ADDRESS`` (default ``auto``).
``CODEPAINT_REQUIRE_JUDGED``   ``1``: a judge reward with no endpoint or model stops the run at
                               start-up (``JudgeNotConfigured``) instead of scoring unjudged 0s.
``CODEPAINT_TOOLS``            the search tools a multi-turn episode offers before drawing
                               (``search``, ``search_references``, comma-separated; default none).
``CODEPAINT_MAX_TOOL_CALLS``   the tool calls an episode may make (default 3).
``CODEPAINT_SEARCH_INDEX``     the cards ``search`` looks in: ``auto`` (default: a train task's
                               episode searches the train facts' cards only, any other every
                               card), ``train`` or ``all``.
``CODEPAINT_REWARD_TIMEOUT``   seconds one reward call may take (default 600): a reward that
                               runs past it, or raises, leaves its items unjudged
                               (:mod:`rewards.guard`), never a score, never an exception.
=============================  ===========================================================

Judges read their own variables (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``,
``CODEPAINT_JUDGE_MODEL``).
"""

from __future__ import annotations

import asyncio
import os
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.core.auth import TOKEN_ENV, TOKEN_FILE_ENV, resolve_token
from codepaint_env.tasks.rows import ROW_COLUMNS, row_columns
from rewards.base import Reward, RewardResult, Sample
from rewards.guard import (
    DEFAULT_REWARD_TIMEOUT_S,
    REWARD_TIMEOUT_ENV,
    ascore_guarded,
    check_timeout,
    score_guarded,
)
from rewards.monitors import sample_monitors
from rewards.spec import DEFAULT_REWARD

#: The rewards that ask a VLM judge (``require_judged`` applies to them).
JUDGE_IDS = frozenset({"pairwise_vlm", "pointwise_vlm", "group_pairwise"})

#: The columns a reward receives (:data:`codepaint_env.tasks.rows.ROW_COLUMNS`: the task's and the seed).
TASK_COLUMNS: tuple[str, ...] = ROW_COLUMNS

_ENV = {
    "reward": "CODEPAINT_REWARD",
    "serve_url": "CODEPAINT_SERVE_URL",
    "unjudged_reward": "CODEPAINT_UNJUDGED_REWARD",
    "size": "CODEPAINT_SIZE",
    "seed": "CODEPAINT_SEED",
    "render_timeout_s": "CODEPAINT_RENDER_TIMEOUT",
    "ray_workers": "CODEPAINT_RAY_WORKERS",
    "require_judged": "CODEPAINT_REQUIRE_JUDGED",
    "ray_address": "CODEPAINT_RAY_ADDRESS",
    "tools": "CODEPAINT_TOOLS",
    "max_tool_calls": "CODEPAINT_MAX_TOOL_CALLS",
    "search_index": "CODEPAINT_SEARCH_INDEX",
    "reward_timeout_s": REWARD_TIMEOUT_ENV,
}
#: The token's former variable, read when neither ``CODEPAINT_TOKEN`` nor ``CODEPAINT_TOKEN_FILE`` is set.
LEGACY_TOKEN_ENV = "CODEPAINT_SERVE_TOKEN"
#: Every environment variable :meth:`TrainerConfig.from_environ` reads.
ENV_VARS: tuple[str, ...] = (*_ENV.values(), TOKEN_ENV, TOKEN_FILE_ENV, LEGACY_TOKEN_ENV)


@dataclass(frozen=True)
class TrainerConfig:
    """How a trainer adapter scores (see the module docstring for the environment variables)."""

    reward: str | None = field(default=None, metadata={
        "help": "reward spec; None: gate:0.3,classic:0.7 here, or the server's own with serve_url"})
    serve_url: str | None = field(default=None, metadata={"help": "a codepaint serve URL (RemoteReward)"})
    serve_token: str | None = field(default=None, metadata={"help": "the server's token"})
    unjudged_reward: float = field(default=0.0, metadata={"help": "what an unjudged item is sent as"})
    unjudged_group_mean: bool = field(default=False, metadata={
        "help": "batch forms: an unjudged item gets its group's judged mean (zero GRPO advantage)"})
    size: str = field(default="512", metadata={"help": "render size when a row has none"})
    seed: int = field(default=0, metadata={"help": "render seed when a row has none"})
    render_timeout_s: float | None = field(default=None, metadata={"help": "seconds a render may take"})
    ray_workers: int = field(default=0, metadata={"help": "render actors on Ray (0: render here)"})
    ray_address: str | None = field(default=None, metadata={"help": "the Ray cluster (default auto)"})
    require_judged: bool = field(default=False, metadata={
        "help": "a judge reward with no endpoint or model is an error at start-up, not a run on unjudged 0s"})
    tools: tuple[str, ...] = field(default=(), metadata={
        "help": "search tools a multi-turn episode offers (the episode checks the names)"})
    max_tool_calls: int = field(default=3, metadata={"help": "tool calls an episode may make"})
    search_index: str = field(default="auto", metadata={
        "help": "the cards search looks in: auto (a train task: train cards only), train or all"})
    reward_timeout_s: float = field(default=DEFAULT_REWARD_TIMEOUT_S, metadata={
        "help": "seconds one reward call may take; past it (or when it raises) its items are unjudged"})

    def __post_init__(self) -> None:
        from codepaint_env.render import parse_size

        if self.reward is not None and not self.reward.strip():
            raise ValueError(f"{_ENV['reward']} is empty: give a reward spec such as gate:0.3,classic:0.7, "
                             "or leave it unset")
        try:
            parse_size(self.size)
        except ValueError as e:
            raise ValueError(f"{_ENV['size']}={self.size!r}: {e}") from e
        if self.render_timeout_s is not None and not self.render_timeout_s > 0:
            raise ValueError(f"{_ENV['render_timeout_s']} must be a positive number of seconds")
        if isinstance(self.tools, str):  # a comma-separated list, as the variable holds it
            object.__setattr__(self, "tools", tuple(t.strip() for t in self.tools.split(",") if t.strip()))
        object.__setattr__(self, "tools", tuple(self.tools))
        object.__setattr__(self, "reward_timeout_s",
                           check_timeout(self.reward_timeout_s, _ENV["reward_timeout_s"]))
        if self.max_tool_calls < 0:
            raise ValueError(f"{_ENV['max_tool_calls']} must be 0 or more tool calls")
        if self.search_index not in ("auto", "train", "all"):
            raise ValueError(f"{_ENV['search_index']} must be auto, train or all, not {self.search_index!r}")
        if self.ray_workers < 0:
            raise ValueError(f"{_ENV['ray_workers']} must be 0 (render here) or a number of render actors")
        if self.serve_url and (self.ray_workers or self.render_timeout_s is not None):
            raise ValueError(f"{_ENV['serve_url']} is set: the server renders, so "
                             f"{_ENV['ray_workers']} and {_ENV['render_timeout_s']} do not apply here")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> TrainerConfig:
        """The configuration the environment variables give (unset ones keep their defaults).

        Raises:
            ValueError: A variable that cannot be read (the message names it and what it takes).
        """
        env = os.environ if environ is None else environ
        kwargs: dict[str, Any] = {}
        for name, var in _ENV.items():
            raw = env.get(var)
            if raw is None or raw == "":
                continue
            if name == "unjudged_reward" and raw.strip() == "group_mean":
                kwargs["unjudged_group_mean"] = True
                continue
            try:
                if name == "require_judged":
                    if raw.strip().lower() not in ("1", "true", "yes", "0", "false", "no"):
                        raise ValueError
                    kwargs[name] = raw.strip().lower() in ("1", "true", "yes")
                elif name in ("seed", "ray_workers", "max_tool_calls"):
                    kwargs[name] = int(raw)
                elif name in ("unjudged_reward", "render_timeout_s", "reward_timeout_s"):
                    kwargs[name] = float(raw)
                else:
                    kwargs[name] = raw
            except ValueError:
                what = "1 or 0" if name == "require_judged" else "a number"
                raise ValueError(f"{var}={raw!r} is not {what}"
                                 + (" (or group_mean)" if name == "unjudged_reward" else "")) from None
        if kwargs.get("serve_url"):  # the servers' own rule (core.auth): one token source for every door
            kwargs["serve_token"] = resolve_token(environ=env, legacy_env=LEGACY_TOKEN_ENV,
                                                  warn=lambda said: warnings.warn(said, stacklevel=3))
        return cls(**kwargs)

    def build_reward(self, renderer: Any = None) -> Reward:
        """The reward this configuration names (a ``RemoteReward`` with ``serve_url``).

        Args:
            renderer: A render service of the caller's own for the reward (default: the
                configuration's: Ray actors, a renderer with the timeout, or the process's shared one).

        Raises:
            UnknownReward, DependencyNotInstalled: As :func:`rewards.make_reward` does.
        """
        from rewards import make_reward, parse_spec

        if self.serve_url:
            from rewards.remote import RemoteReward

            return RemoteReward(self.serve_url, reward=self.reward, token=self.serve_token,
                                size=self.size, seed=self.seed)
        renderer = renderer if renderer is not None else self._renderer()
        extra: dict[str, Any] = {"size": self.size, "seed": self.seed}  # for every component of a composite
        if renderer is not None:
            extra["renderer"] = renderer
        spec = (self.reward or DEFAULT_REWARD).strip()
        if self.require_judged and any(rid in JUDGE_IDS for rid in parse_spec(spec).ids()):
            extra["require_judge"] = True  # JudgeNotConfigured now, not a run on unjudged zeros
        return make_reward(spec, **extra)

    def _renderer(self) -> Any:
        if self.ray_workers:
            from codepaint_env.render import RayRenderer

            if self.render_timeout_s is None:
                return RayRenderer(self.ray_workers, address=self.ray_address or "auto")
            return RayRenderer(self.ray_workers, address=self.ray_address or "auto",
                               timeout_s=self.render_timeout_s)
        if self.render_timeout_s is not None:
            from codepaint_env.render import Renderer

            return Renderer(timeout_s=self.render_timeout_s)
        return None  # the process-wide shared renderer


_rewards: dict[TrainerConfig, Reward] = {}
_lock = threading.Lock()


def reward_for(config: TrainerConfig | None = None) -> Reward:
    """The process's reward for ``config`` (default: from the environment), built once and reused."""
    config = config or TrainerConfig.from_environ()
    with _lock:
        reward = _rewards.get(config)
        if reward is None:
            reward = _rewards[config] = config.build_reward()
        return reward


@dataclass
class Scored:
    """One scored completion, as a trainer that takes floats only needs it.

    Attributes:
        reward: The float to hand the trainer: the value, or the configured ``unjudged_reward``
            when the item could not be judged.
        value: The reward's own value, ``None`` when it could not be judged.
        judged: ``value is not None``: filter or mask on it (a made-up 0 is not a judgment).
        rendered: The program rendered a picture (``None`` when a server scored it).
        error_kind: Why it did not render (``None`` when it did, or when a server scored it).
        reason: Why it was not judged.
        breakdown: The reward's named parts.
        monitors: The sample's training monitors (:func:`rewards.monitors.sample_monitors`; empty
            when a server scored it).
    """

    reward: float
    value: float | None
    judged: bool
    rendered: bool | None = None
    error_kind: str | None = None
    reason: str | None = None
    breakdown: dict[str, float | None] = field(default_factory=dict)
    monitors: dict[str, float | None] = field(default_factory=dict)


def task_columns(extra: Mapping[str, Any] | None, config: TrainerConfig) -> dict[str, Any]:
    """A row's task columns (:data:`TASK_COLUMNS`) as plain values, the config's size and seed by default."""
    return row_columns(extra, size=config.size, seed=config.seed)


def score_batch(completions: Sequence[Any], prompts: Sequence[Any] | None,
                rows: Sequence[Mapping[str, Any]], config: TrainerConfig | None = None) -> list[Scored]:
    """Score a batch: every program rendered concurrently, one reward call for the batch.

    Args:
        completions: The policy's answers (text or chat messages; the code is extracted).
        prompts: The task prompts (judges read them), or ``None``.
        rows: One dict of task columns per completion (see :func:`task_columns`).
        config: The configuration (default: from the environment).

    Returns:
        One :class:`Scored` per completion, in order. An infrastructure failure (a render, a judge,
        a reward that raises or runs past ``reward_timeout_s``) is an unjudged item, never an exception.
    """
    config = config or TrainerConfig.from_environ()
    reward = reward_for(config)
    columns = _column_lists(rows, len(completions))
    if _is_remote(reward):
        results = reward.request(completions, prompts=prompts, **columns)  # type: ignore[attr-defined]
        return [_scored(r, None, config) for r in results]
    samples = reward.build_samples(completions, prompts=prompts, **columns)
    results = score_guarded(reward, samples, timeout_s=config.reward_timeout_s)
    return [_scored(r, s, config) for r, s in zip(results, samples, strict=True)]


async def ascore_batch(completions: Sequence[Any], prompts: Sequence[Any] | None,
                       rows: Sequence[Mapping[str, Any]], config: TrainerConfig | None = None
                       ) -> list[Scored]:
    """:func:`score_batch` for async callers: renders and reward awaited (a server's request in a thread)."""
    config = config or TrainerConfig.from_environ()
    reward = reward_for(config)
    columns = _column_lists(rows, len(completions))
    if _is_remote(reward):
        results = await asyncio.to_thread(reward.request, completions,  # type: ignore[attr-defined]
                                          prompts=prompts, **columns)
        return [_scored(r, None, config) for r in results]
    samples = await reward.abuild_samples(completions, prompts=prompts, **columns)
    results = await ascore_guarded(reward, samples, timeout_s=config.reward_timeout_s)
    return [_scored(r, s, config) for r, s in zip(results, samples, strict=True)]


def fill_unjudged(scored: Sequence[Scored], groups: Sequence[Any], config: TrainerConfig) -> None:
    """With ``unjudged_group_mean``, give each unjudged item the mean of its group's judged values.

    A group is the completions of one task in the batch (GRPO's ``n`` rollouts of a prompt). The
    filled item then sits exactly at its group's mean, so GRPO's and RLOO's advantage for it is 0:
    it is masked out of the policy gradient. A group with no judged item keeps ``unjudged_reward``.
    """
    if not config.unjudged_group_mean:
        return
    values: dict[Any, list[float]] = {}
    for s, g in zip(scored, groups, strict=True):
        if s.value is not None:
            values.setdefault(g, []).append(s.value)
    for s, g in zip(scored, groups, strict=True):
        if s.value is None and values.get(g):
            s.reward = sum(values[g]) / len(values[g])


def _is_remote(reward: Reward) -> bool:
    from rewards.remote import RemoteReward

    return isinstance(reward, RemoteReward)


def _column_lists(rows: Sequence[Mapping[str, Any]], n: int) -> dict[str, list[Any]]:
    """Per-row dicts -> one list per column (TRL's form), ``None`` where a row lacks a column."""
    if len(rows) != n:
        raise ValueError(f"{len(rows)} rows of task columns for {n} completions")
    keys = sorted({k for row in rows for k in row})
    return {k: [row.get(k) for row in rows] for k in keys}


def _scored(result: RewardResult, sample: Sample | None, config: TrainerConfig) -> Scored:
    value = result.value
    render = None if sample is None else sample.render
    return Scored(
        reward=config.unjudged_reward if value is None else float(value),
        value=value,
        judged=value is not None,
        rendered=None if render is None else bool(render.ok),
        error_kind=None if render is None else render.error_kind,
        reason=result.reason,
        breakdown=dict(result.breakdown),
        monitors={} if sample is None else sample_monitors(sample, result),
    )
