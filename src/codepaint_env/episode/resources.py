"""`EpisodeResources`: what the episodes of a door share: the settings, the renderer, the reward, the tasks.

One per process or server: the Gym env (and its vector env), TRL's tool env, a verl worker, the
verifiers taskset, the OpenEnv server hold one and start each episode from it::

    resources = EpisodeResources(EpisodeSettings.from_config(max_turns=3), tasks="svg", language="svg")
    episode = resources.episode(task_id="svg-hibiscus")     # or task=..., prompt=..., seed=...
    ...
    resources.close()

**The reward**: an object is used as it is (a non-string spec through :func:`rewards.make_reward`); a
spec string, or ``None`` (the trainer config's ``CODEPAINT_REWARD``, else the one default of
every door, :func:`~codepaint_env.tasks.defaults.default_reward` of the tasks), is built from the
trainer config (a ``codepaint serve`` URL, Ray, the render timeout apply): once per process and
configuration when the renderer is the config's, else over the renderer given.
**The renderer**: the one given, else the reward's, else the process's shared one.
**Task choice** (:meth:`EpisodeResources.choose`): a task, a task row, a task id of the tasks, an
ad-hoc prompt, or a draw from the tasks (seeded).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from codepaint_env.core.pickling import PicklesAsArguments
from codepaint_env.episode.core import Episode
from codepaint_env.episode.settings import EpisodeSettings
from codepaint_env.scoring.trainer import TrainerConfig, reward_for
from codepaint_env.tasks.defaults import carries_checks, default_reward
from rewards.spec import DEFAULT_REWARD, default_spec, spec_text

if TYPE_CHECKING:
    from codepaint_env.render.service import RenderService
    from codepaint_env.tasks import Task
    from rewards.base import Reward

__all__ = ["EpisodeResources", "episode_reward", "task_from_row"]


def task_from_row(row: Mapping[str, Any], config: TrainerConfig | None = None, *, prompt: Any = None,
                  where: str = "a codepaint row", hint: str = "", default_id: str = "task"
                  ) -> tuple[Task, int]:
    """The task a trainer's row describes and its render seed, the config's size and seed by default.

    :func:`codepaint_env.tasks.task_from_row` with the trainer config's defaults (default: the
    environment's); the arguments are its own.
    """
    from codepaint_env.tasks.rows import task_from_row as from_row

    config = config or TrainerConfig.from_environ()
    return from_row(row, size=config.size, seed=config.seed, prompt=prompt, where=where, hint=hint,
                    default_id=default_id)


def episode_reward(reward: Any = None, *, config: TrainerConfig | None = None,
                   renderer: RenderService | None = None) -> Reward:
    """The reward an episode scores with.

    Args:
        reward: A spec over the config's (``"gate:0.2,checks:0.8"``), ``None`` (the config's own), or
            anything else :func:`rewards.make_reward` takes (a reward object is used as it is).
        config: The trainer config (default: the environment's ``CODEPAINT_*`` variables).
        renderer: A render service of the caller's own; ``None``: the config's (the process's shared
            renderer, Ray actors...), and the reward is built once per configuration and process
            (:func:`~codepaint_env.scoring.trainer.reward_for`).

    Raises:
        UnknownReward, DependencyNotInstalled: As :func:`rewards.make_reward` does.
    """
    if reward is not None and not isinstance(reward, str):
        import rewards

        return rewards.make_reward(reward)
    config = config or TrainerConfig.from_environ()
    if reward is not None and reward.strip():
        config = dataclasses.replace(config, reward=reward.strip())
    if renderer is None:
        return reward_for(config)
    return config.build_reward(renderer=renderer)


class EpisodeResources(PicklesAsArguments):
    """The settings, renderer, reward and tasks a door's episodes share (see the module docstring).

    A pickled copy travels as its arguments: it builds its reward (and, if it owns one, its renderer)
    again on first use in the other process.

    Args:
        settings: How episodes run (default: :meth:`EpisodeSettings.from_config` of the environment).
        reward: A reward object, a spec, or ``None`` (see the module docstring).
        renderer: The render service (default: the reward's, else the process's shared one).
        tasks: The tasks to draw from: anything :func:`~codepaint_env.tasks.resolve_tasks` takes
            (``None``: every built-in task of ``language``), or ``()``: none (every episode is given
            its task).
        language: The language of the tasks and of ad-hoc prompts (``None``: any).
        split: The split of the tasks (``None``: both).
        own_renderer: Make a :class:`~codepaint_env.render.Renderer` of its own when none is given,
            closed by :meth:`close` (a server's).
        shared: With the config's renderer, use the process's reward for the configuration (built
            once per process: doors that make resources per trajectory); ``False``: a reward of
            their own (the Gym env's, built when the env is).

    Raises:
        TaskError: Tasks that cannot be loaded.
    """

    def __init__(self, settings: EpisodeSettings | None = None, *, reward: Any = None,
                 renderer: RenderService | None = None, tasks: Any = (), language: str | None = None,
                 split: str | None = None, own_renderer: bool = False, shared: bool = True) -> None:
        from codepaint_env.tasks.loading import resolve_tasks

        self.settings = settings if settings is not None else EpisodeSettings.from_config()
        self.language = language
        self.tasks: list[Task] = [] if isinstance(tasks, (tuple, list)) and not tasks else \
            resolve_tasks(tasks, language, split)
        self._reward_arg = reward
        if reward is None:  # with no task list, the default decides per sample (a row's checks, or not)
            reward = self.settings.config.reward or (
                default_reward(self.tasks) if self.tasks else DEFAULT_REWARD)
        #: How the reward is recorded (``info["reward_spec"]``): the spec as written, an object by its repr.
        self.reward_spec = spec_text(reward)
        self._given_renderer = renderer
        self._own_renderer = own_renderer and renderer is None
        self._shared = shared
        self._lock = threading.Lock()
        self._renderer: RenderService | None = renderer
        self._reward: Reward | None = None
        self._rng = np.random.default_rng()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.settings, self._reward_arg, self._given_renderer, self.tasks, self.language,
                           self._own_renderer, self._shared))

    # ------------------------------------------------------------------ the shared parts
    @property
    def reward(self) -> Reward:
        """The reward object (built on first use)."""
        with self._lock:
            if self._reward is None:
                self._reward = self._build_reward()
            return self._reward

    @property
    def renderer(self) -> RenderService:
        """The render service (the one given, else the reward's, else the process's shared one)."""
        if self._renderer is not None:
            return self._renderer
        reward = self.reward
        with self._lock:
            if self._renderer is None:
                self._renderer = getattr(reward, "renderer", None)
            if self._renderer is None:
                from codepaint_env.render import default_renderer

                self._renderer = default_renderer()
            return self._renderer

    @property
    def ready(self) -> bool:
        """Whether the reward and the renderer are built (an async caller builds them off its loop first)."""
        return self._reward is not None and self._renderer is not None

    def prepare(self) -> None:
        """Build the reward and the renderer now (they are built on first use otherwise)."""
        _ = self.renderer  # the reward first, then its renderer or the shared one

    def _build_reward(self) -> Reward:
        if self._own_renderer and self._renderer is None:
            from codepaint_env.render import Renderer

            self._renderer = Renderer()
        given = self._reward_arg
        if given is not None and not isinstance(given, str):
            return episode_reward(given)
        spec = given if given is not None else self.reward_spec
        config = dataclasses.replace(self.settings.config, reward=spec)
        try:
            if self._renderer is None and self._shared:
                return reward_for(config)
            return config.build_reward(renderer=self._renderer)
        except BaseException:
            if self._own_renderer and self._renderer is not None:
                self._renderer.close()
                self._renderer = None
            raise

    def spec_for(self, task: Task) -> str:
        """The spec a task is scored with (the default's resolved for the task's kind)."""
        if self.reward_spec == DEFAULT_REWARD:
            return default_spec(carries_checks(task))
        return self.reward_spec

    @property
    def deterministic(self) -> bool:
        """Whether the same programs get the same rewards (False with a sampling judge)."""
        return bool(getattr(self.reward, "deterministic", True))

    # ------------------------------------------------------------------ episodes
    def choose(self, task: Any = None, *, task_id: str | None = None, prompt: str | None = None,
               seed: int | None = None, rng: np.random.Generator | None = None) -> Task:
        """An episode's task: the one named, an ad-hoc one, or one drawn from the tasks.

        Args:
            task: A :class:`~codepaint_env.tasks.Task`, a task row, or a task id.
            task_id: A task id of the tasks.
            prompt: An ad-hoc task's prompt (in the resources' language).
            seed: Seeds the draw (with no task, id or prompt).
            rng: Draws with this generator instead (the Gym door's ``np_random``).

        Returns:
            The task, in the resources' language when they have one: a task of another language is the
            same scene asked in it where its suite can ask it there
            (:func:`~codepaint_env.tasks.retarget.in_language`).

        Raises:
            ValueError: An unknown task id, nothing to draw from, or a task of another language whose suite
                cannot ask its scene in the resources' (a :class:`~codepaint_env.tasks.TaskError`).
        """
        from codepaint_env.tasks import Task

        if isinstance(task, Task):
            return self._in_language(task)
        if isinstance(task, Mapping):
            return self._in_language(Task.from_row({"language": self.language, **task}, "the episode's task"))
        if isinstance(task, str):
            task_id = task
        if task_id is not None:
            for known in self.tasks:
                if known.id == task_id:
                    return known
            raise ValueError(f"no task {task_id!r} in this environment's {len(self.tasks)} tasks")
        if prompt:
            if self.language is None:
                raise ValueError("an ad-hoc prompt needs a language: give EpisodeResources(language=...)")
            size = self.settings.size or _config_size(self.settings.config)
            return Task(id="custom", prompt=str(prompt), language=self.language, size=size, suite="custom")
        if not self.tasks:
            raise ValueError(f"no tasks for {self.language}: pass tasks=... or a prompt")
        draw = rng if rng is not None else (np.random.default_rng(seed) if seed is not None else self._rng)
        return self._in_language(self.tasks[int(draw.integers(len(self.tasks)))])

    def _in_language(self, task: Task) -> Task:
        """The task in the resources' language: an env keeps its language (another's task is re-targeted)."""
        if self.language is None or task.language == self.language:
            return task
        from codepaint_env.tasks.retarget import in_language

        return in_language(task, self.language)

    def episode(self, task: Any = None, *, task_id: str | None = None, prompt: str | None = None,
                seed: int | None = None, rng: np.random.Generator | None = None,
                render_seed: int | None = None, curriculum: Any = None, **settings: Any) -> Episode:
        """A new episode on a task :meth:`choose` picks.

        Args:
            task: See :meth:`choose` (with a ``curriculum`` and no task: the curriculum's next task).
            task_id: See :meth:`choose`.
            prompt: See :meth:`choose`.
            seed: See :meth:`choose`.
            rng: See :meth:`choose`.
            render_seed: The seed its programs render with (a row's; default: the settings' rule).
            curriculum: A :class:`~codepaint_env.tasks.Curriculum`: told the result when the episode ends.
            **settings: Settings of this episode over the resources' (``max_turns=3``...).

        Raises:
            ValueError: No such task, or a setting out of range.
        """
        if curriculum is not None and task is None and task_id is None and not prompt:
            task = curriculum.sample()
        chosen = self.choose(task, task_id=task_id, prompt=prompt, seed=seed, rng=rng)
        own = self.settings.replace(**settings) if settings else None
        return Episode(self, chosen, settings=own, render_seed=render_seed, curriculum=curriculum)

    def close(self) -> None:
        """Close the renderer if it is the resources' own (idempotent; used again, they start afresh)."""
        with self._lock:
            renderer = self._renderer if self._own_renderer else None
            if self._own_renderer:
                self._renderer, self._reward = None, None
        if renderer is not None:
            renderer.close()


def _config_size(config: TrainerConfig) -> tuple[int, int]:
    from codepaint_env.render import parse_size

    return parse_size(config.size)


def _rebuild(settings: EpisodeSettings, reward: Any, renderer: Any, tasks: Sequence[Task],
             language: str | None, own_renderer: bool, shared: bool) -> EpisodeResources:
    return EpisodeResources(settings, reward=reward, renderer=renderer, tasks=list(tasks), language=language,
                            own_renderer=own_renderer, shared=shared)
