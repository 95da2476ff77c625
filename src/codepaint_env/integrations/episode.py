"""One episode, whatever the trainer: the row's task, the reward, each turn's record, the feedback, the score.

The multi-turn adapters (TRL's :class:`~codepaint_env.integrations.trl.CodePaintToolEnv`, SkyRL's
:class:`~codepaint_env.integrations.skyrl.CodePaintTextEnv`, verl's
:class:`~codepaint_env.integrations.verl_agent.CodePaintAgentLoop`, the verifiers ``Env`` and the
OpenEnv ``Environment``) run their episodes through this module and keep only their platform's
glue (how a reply arrives, where the message goes, what the trainer receives). So the same row and
the same program get the same value, judged flag and error kind through every door:

* **the task**: :func:`task_from_row` reads every column of
  :data:`~codepaint_env.tasks.task.TASK_COLUMNS` a row carries (:meth:`Task.from_columns
  <codepaint_env.tasks.Task.from_columns>`), with the size and seed defaults of the trainer
  config. A column added to the task reaches every door without touching an adapter.
* **the reward and the renderer**: :func:`episode_reward`, from
  :class:`~codepaint_env.scoring.trainer.TrainerConfig` (the ``CODEPAINT_*`` environment: the
  reward spec, a ``codepaint serve`` URL, Ray, the render timeout), an explicit spec over it, or a
  reward object as it is.
* **the turns**: :class:`Episode` steps a :class:`~codepaint_env.envs.env.CodePaintEnv` reset on
  the task (the one turn every door runs: render, score, feedback) and keeps one :class:`Turn`
  per program, the same record for every door (``to_dict()``: JSON).
* **the feedback**: :meth:`Episode.feedback_message`, with or without the picture, in a user
  message or as the answer to a ``submit_code`` call (the text pieces are
  :mod:`codepaint_env.envs.vlm_messages`').
* **the episode's reward**: :func:`aggregate` over the turns: the ``last`` program's (the answer
  the policy ends with), the ``best`` judged one, or the ``mean`` of the judged ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PIL import Image

from codepaint_env.envs import vlm_messages
from codepaint_env.scoring.trainer import Scored, TrainerConfig, reward_for, task_columns
from rewards.base import prompt_text

if TYPE_CHECKING:
    import gymnasium as gym

    from codepaint_env.envs.env import CodePaintEnv
    from codepaint_env.render.service import RenderService
    from codepaint_env.tasks import Task
    from rewards.base import Reward

__all__ = ["AGGREGATIONS", "Episode", "Outcome", "Turn", "aggregate", "episode_reward", "task_from_row"]

#: How an episode's turns make its reward: the last program's, the best judged one, the judged mean.
AGGREGATIONS: tuple[str, ...] = ("last", "best", "mean")


# ---------------------------------------------------------------------- the task
def task_from_row(row: Mapping[str, Any], config: TrainerConfig | None = None, *, prompt: Any = None,
                  where: str = "a codepaint row", hint: str = "", default_id: str = "task"
                  ) -> tuple[Task, int]:
    """The task a trainer's row describes, and the seed its programs render with.

    Args:
        row: The row's task columns (:meth:`Task.columns <codepaint_env.tasks.Task.columns>`; parquet's
            ``extra_info``, a TRL dataset row, a label...). Other keys are ignored.
        config: The trainer config: the size and seed when the row has none (default: the environment's).
        prompt: The prompt: text, or chat messages (the last user message's text is the prompt).
            Default: the row's ``prompt``.
        where: What the row is, for messages.
        hint: Said after a missing prompt or language (how to write rows that have them).
        default_id: The task's id when the row has no ``task_id``.

    Returns:
        ``(task, seed)``.

    Raises:
        ValueError: The row has no prompt or no language.
        TaskError: A column that is not valid (a ``ValueError`` too), naming ``where`` and the field.
    """
    from codepaint_env.tasks import Task

    config = config or TrainerConfig.from_environ()
    columns = task_columns(row, config)
    text = prompt_text(prompt if prompt is not None else row.get("prompt"))
    if not text or not columns.get("language"):
        raise ValueError(f"{where} needs a prompt and a language{hint}")
    task = Task.from_columns(columns, prompt=text, where=where, default_id=default_id)
    return task, int(columns["seed"])


# ---------------------------------------------------------------------- the reward
def episode_reward(reward: Any = None, *, config: TrainerConfig | None = None,
                   renderer: RenderService | None = None) -> Reward:
    """The reward an episode scores with.

    Args:
        reward: A spec over the config's (``"gate:0.2,checks:0.8"``), ``None`` (the config's own), or
            anything else :func:`rewards.make_reward` takes (a reward object is used as it is).
        config: The trainer config (default: the environment's ``CODEPAINT_*`` variables).
        renderer: A render service of the caller's own (a server that closes it on shutdown); ``None``:
            the config's (the process's shared renderer, Ray actors...), and the reward is built once
            per configuration and process (:func:`~codepaint_env.scoring.trainer.reward_for`).

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


# ---------------------------------------------------------------------- the turn record
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
        reward: The environment's step reward (the value, shaped by the env's settings, or its
            ``unjudged_reward``).
        feedback: The environment's feedback text.
        breakdown: The reward's named parts.
        monitors: The training monitors of the program (:func:`rewards.monitors.sample_monitors`).
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

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready values."""
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


# ---------------------------------------------------------------------- the episode
class Episode:
    """One task's turns over a :class:`~codepaint_env.envs.env.CodePaintEnv` already reset on it.

    Args:
        env: The environment (or a Gymnasium wrapper of it), reset on the episode's task.

    Raises:
        ValueError: The environment has no task (reset it first).
    """

    def __init__(self, env: gym.Env | CodePaintEnv) -> None:
        core: CodePaintEnv = env.unwrapped  # type: ignore[assignment]
        if core.task is None:
            raise ValueError("reset the environment on the episode's task before starting the episode")
        self.env = env
        self.core = core
        self.turns: list[Turn] = []
        self.done = False
        #: The environment's ``info`` of the last step.
        self.last_info: dict[str, Any] = {}

    @classmethod
    def start(cls, task: Task, reward: Reward, *, max_turns: int = 1, seed: int = 0,
              size: Any = None, renderer: RenderService | None = None, **env_kwargs: Any) -> Episode:
        """A one-task environment over ``reward``, reset on ``task``: a new episode.

        Args:
            task: The task.
            reward: The reward (:func:`episode_reward`).
            max_turns: Programs in the episode.
            seed: The render seed.
            size: The render size (default: the task's).
            renderer: What renders (default: the reward's renderer, else the process's shared one).
            **env_kwargs: Further :class:`~codepaint_env.envs.env.CodePaintEnv` arguments
                (``feedback``, ``success_threshold``, ``unjudged_reward``, ``reward_mode``...).
        """
        from codepaint_env.envs.env import CodePaintEnv

        env = CodePaintEnv(language=task.language, reward=reward, tasks=[task], split=None,
                           max_turns=max_turns, size=size or task.size, render_seed=seed,
                           renderer=renderer if renderer is not None else getattr(reward, "renderer", None),
                           **env_kwargs)
        env.reset(options={"task": task})
        return cls(env)

    @property
    def task(self) -> Task:
        """The episode's task."""
        assert self.core.task is not None
        return self.core.task

    @property
    def max_turns(self) -> int:
        """Programs allowed in the episode."""
        return self.core.max_turns

    def step(self, program: str) -> Turn:
        """Render and score one program (a reply: fences are fine); its record.

        Raises:
            RuntimeError: The episode is over.
        """
        if self.done:
            raise RuntimeError("the episode is over: start another")
        obs, reward, terminated, truncated, info = self.env.step(program)
        turn = _turn(obs, float(reward), info, self.core)
        self.turns.append(turn)
        self.last_info = info
        self.done = bool(terminated or truncated)
        return turn

    def outcome(self, how: str = "last") -> Outcome:
        """The episode's reward so far (:func:`aggregate`)."""
        return aggregate(self.turns, how)

    def picture(self, max_side: int | None = None) -> Image.Image | None:
        """The last program's picture (RGB), at most ``max_side`` a side; ``None`` when none was drawn."""
        res = self.core.last_result
        picture = None if res is None or res.png is None else res.image
        if picture is None:
            return None
        if max_side is not None and max(picture.size) > max_side:
            picture = picture.copy()
            picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return picture

    def feedback_message(self, *, images: bool = False, tool: bool = False, tool_call_id: str | None = None,
                         instruction: str | None = None, form: str = "image_url", max_side: int | None = None
                         ) -> tuple[dict[str, Any], Image.Image | None]:
        """The last turn's feedback as the policy's next message, and the picture in it.

        Args:
            images: Show the policy its picture (a vision-language policy); a text policy is never
                told of pictures.
            tool: Answer a ``submit_code`` call (a ``tool`` message) instead of a user message.
            tool_call_id: That call's id.
            instruction: The request that closes the text (default: ``vlm_messages.EDIT_INSTRUCTION`` for
                the message's kind).
            form: How the picture is given (see :func:`~codepaint_env.envs.vlm_messages.feedback_content`).
            max_side: Downscale the picture to at most this many pixels a side.

        Returns:
            ``(message, picture)``; the picture is ``None`` when none is shown.
        """
        if not self.turns:
            raise RuntimeError("no turn yet: nothing to give feedback on")
        turn = self.turns[-1]
        picture = self.picture(max_side) if images else None
        if instruction is None:
            instruction = vlm_messages.EDIT_INSTRUCTION["tool" if tool else "user"]
        text = vlm_messages.feedback_text(turn.feedback, instruction=instruction, shown=picture is not None,
                                          images=images, infra=turn.error_kind == "infra")
        content = vlm_messages.feedback_content(text, picture, form=form)
        message = vlm_messages.feedback_message(content, tool=tool, tool_call_id=tool_call_id)
        return message, picture


def _turn(obs: Mapping[str, Any], reward: float, info: Mapping[str, Any], core: CodePaintEnv) -> Turn:
    """The record of one environment step, with its program's training monitors."""
    from rewards.base import RewardResult, Sample
    from rewards.monitors import MONITOR_KEYS, sample_monitors

    result = RewardResult(**info["reward"])
    render = info["render"]
    res = core.last_result
    monitors: dict[str, float | None] = dict.fromkeys(MONITOR_KEYS)  # every record has every key
    if res is not None:
        monitors = sample_monitors(Sample(code=obs["code"], language=core.language, render=res), result)
    return Turn(turn=int(info["turn"]), code=str(obs["code"]), value=result.value,
                judged=bool(info["judged"]), reason=result.reason, rendered=bool(render.get("ok")),
                error_kind=render.get("error_kind"), picture=res is not None and res.png is not None,
                no_change=bool(info.get("no_change")), reward=reward, feedback=str(obs["feedback"]),
                breakdown=dict(result.breakdown), monitors=monitors)
