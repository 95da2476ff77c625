"""`CodePaintToolEnv`: :class:`~codepaint_env.envs.CodePaintEnv` as a TRL ``environment_factory`` environment.

TRL's ``GRPOTrainer(environment_factory=...)`` (TRL >= 1.x, transformers >= 5.2) creates one instance
per concurrent rollout, calls ``reset(**example)`` with the dataset row before generation, exposes
every *public method* of the class as a tool the model may call, and calls ``get_reward()`` once the
rollout is complete::

    from trl import GRPOTrainer
    from codepaint_env.integrations.trl import CodePaintToolEnv

    trainer = GRPOTrainer(
        model="Qwen/Qwen3-0.6B",
        train_dataset=Dataset.from_list(tasks_to_rows(load_suite("svg", split="train"))),
        environment_factory=lambda: CodePaintToolEnv("CodePaint/SVG-v1", reward="execution_gate",
                                                     max_turns=3),
        args=GRPOConfig(max_tool_calling_iterations=3, ...),
    )

The model answers by calling the one tool, ``submit_code(code)``; each call is one turn of the
underlying Gymnasium environment (render, score, feedback) and the feedback text is the tool result
the model sees before it revises. ``reward_funcs`` become optional: the environment owns the reward
(logged as ``rewards/CodePaintToolEnv/mean``).

Requirements on the TRL side: the tokenizer's chat template must render tool calls and tool messages,
and TRL must know how to parse the model's tool calls (``tokenizer.response_template``; TRL sets it
for the templates of the model families it knows, e.g. Qwen2.5/Qwen3, Llama 3.1, GPT-OSS). Set
``max_tool_calling_iterations >= max_turns`` and leave room in ``max_completion_length`` for the
tool results (the feedback counts against it; a result that does not fit is dropped by TRL, although
the submission was already scored).

Decisions:

* **The episode** is every adapter's (:mod:`codepaint_env.integrations.episode`): the task from the
  row's columns, each submission's record (``history``), the episode's reward.
* **Reward of an episode**: the reward value of the *last* submission (``reward_aggregation="last"``,
  the default): the program the model ends with is its answer, so a worse late revision costs it.
  ``"best"`` takes the best judged value instead (more forgiving, but rewards trying variants), and
  ``"mean"`` the mean of the judged values (every draft counts). It is the reward object's value for
  the program (absolute), not the environment's shaped step reward (``reward_mode="improvement"``
  and ``no_change_penalty`` shape ``step`` rewards only). A reward spec is built from the trainer
  config (:class:`~codepaint_env.scoring.trainer.TrainerConfig`: ``CODEPAINT_SERVE_URL`` and the
  other variables apply), once per process.
* **No submission** (the model never called the tool, or its calls failed to parse): the rollout
  scores ``no_submission_reward`` (default -1.0, the minimum of ``execution_gate``, so silence is no
  better than a broken program).
* **Could not be judged** (judge down): ``get_reward`` returns ``None`` (with ``"last"``: when the last
  submission was not judged; with ``"best"`` and ``"mean"``: when none was). TRL turns ``None`` into
  NaN, leaves the rollout out of its group's baseline and gives it zero advantage; a 0.0 would be
  learned from.
* **Instruction**: ``reset`` returns a short paragraph (starting with a blank line, since TRL
  concatenates it onto the last user message as is) that names the ``submit_code`` tool and the
  turn budget. Without it a tool-calling model tends to answer in plain text, which scores as no
  submission.
* **Pictures for vision-language policies** (``images=True``): ``submit_code`` returns the render as
  an image content part next to the feedback, ``[{"type": "image", "image": <PIL.Image>},
  {"type": "text", "text": feedback}]``. TRL 1.16 passes a tool's list result through as the tool
  message's content, collects its images, tokenizes them with the processor's chat template (one
  image placeholder per part, expanded to the image's tokens) and runs the image processor on them
  for the generation after the tool call and for the training forward pass (``pixel_values`` /
  ``image_grid_thw``), so the policy sees its picture each turn. It needs a vision-language model
  whose chat template renders images inside tool messages (Qwen3-VL's does; Qwen2.5-VL's template
  has no tool calling at all). A submission with no picture (the program failed before drawing, or
  the render could not be done) returns the feedback text alone, a plain string, which TRL handles
  as a text-only tool message. ``image_size`` caps the picture's longer side (fewer image tokens).
  The default, ``images=False``, returns text only: a text model's tokenizer cannot take images
  (the picture is then only in ``env`` / ``history``).
* **Tool surface**: only ``reset``, ``get_reward`` and ``submit_code`` are public functions (TRL turns
  every other public function into a tool); the rest is private or read-only properties. Close the
  underlying environment with ``tool_env.env.close()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import gymnasium as gym

from codepaint_env.core.pickling import PicklesAsArguments
from codepaint_env.envs.vlm_messages import feedback_content
from codepaint_env.integrations.episode import AGGREGATIONS, Episode, aggregate, episode_reward, task_from_row
from codepaint_env.render.languages import LANGUAGES
from rewards.base import prompt_text

if TYPE_CHECKING:
    from codepaint_env.envs.env import CodePaintEnv

__all__ = ["CodePaintToolEnv", "ToolResult"]

#: What ``submit_code`` returns: the feedback text, or (``images=True`` and a picture was drawn) the content
#: parts ``[{"type": "image", "image": PIL.Image}, {"type": "text", "text": feedback}]``.
ToolResult = str | list[dict[str, Any]]


class CodePaintToolEnv(PicklesAsArguments):
    """A CodePaint environment for TRL's ``GRPOTrainer(environment_factory=...)``.

    Every argument has a default, so the class itself is a valid factory
    (``environment_factory=CodePaintToolEnv``); bind arguments with a lambda or ``functools.partial``.

    Args:
        env_id: A registered CodePaint environment id (``"CodePaint/SVG-v1"``...).
        reward: The reward (an id, an object, or weighted components; see ``CodePaintEnv``).
            ``None``: the one default of every door (``codepaint_env.default_reward`` of the tasks).
        max_turns: Submissions per episode (1 = single answer, more = the model may revise).
        size: Render size of the environment (an int or ``(W, H)``).
        reward_aggregation: ``"last"`` (the reward of the final submission), ``"best"`` (the best
            judged submission) or ``"mean"`` (the mean of the judged submissions) as the episode's reward.
        no_submission_reward: The reward of an episode without any submission.
        images: Return each render as an image content part next to the feedback (for vision-language
            policies; see the module docstring). Default: text only.
        image_size: With ``images``, the largest side of the picture sent to the policy, in pixels
            (downscaled keeping its aspect ratio; never upscaled). ``None`` sends the render as it is.
        **env_kwargs: Passed to ``gymnasium.make`` (``renderer``, ``success_threshold``,
            ``tasks``...). ``split`` defaults to ``None`` so that every task of the language, train
            or eval, can be found by the ``task_id`` of a dataset row.
    """

    def __init__(
        self,
        env_id: str = "CodePaint/P5Brush-v0",
        *,
        reward: Any = None,
        max_turns: int = 3,
        size: Any = 256,
        reward_aggregation: str = "last",
        no_submission_reward: float = -1.0,
        images: bool = False,
        image_size: int | None = None,
        **env_kwargs: Any,
    ) -> None:
        if reward_aggregation not in AGGREGATIONS:
            raise ValueError(f"reward_aggregation must be one of {', '.join(AGGREGATIONS)}, "
                             f"not {reward_aggregation!r}")
        if image_size is not None and image_size < 1:
            raise ValueError(f"image_size must be a positive number of pixels or None, not {image_size!r}")
        env_kwargs.setdefault("split", None)
        self._config = {"env_id": env_id, "reward": reward, "max_turns": max_turns, "size": size,
                        "reward_aggregation": reward_aggregation,
                        "no_submission_reward": no_submission_reward, "images": images,
                        "image_size": image_size, **env_kwargs}
        if reward is not None:  # None: the environment's own default
            reward = episode_reward(reward, renderer=env_kwargs.get("renderer"))
        self._env = gym.make(env_id, reward=reward, max_turns=max_turns, size=size, **env_kwargs)
        self._max_turns = int(max_turns)
        self._aggregation = reward_aggregation
        self.no_submission_reward = float(no_submission_reward)
        self._images = bool(images)
        self._image_size = image_size
        self._history: list[dict[str, Any]] = []
        self._episode: Episode | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._config['env_id']!r}, max_turns={self._max_turns})"

    # ------------------------------------------------------------------ read-only state (not tools)
    @property
    def env(self) -> gym.Env:
        """The underlying Gymnasium environment (``env.unwrapped`` is the ``CodePaintEnv``)."""
        return self._env

    @property
    def _core(self) -> CodePaintEnv:
        return cast("CodePaintEnv", self._env.unwrapped)

    @property
    def language(self) -> str:
        """The language programs are written in."""
        return self._core.language

    @property
    def max_turns(self) -> int:
        """Submissions allowed per episode."""
        return self._max_turns

    @property
    def images(self) -> bool:
        """Whether ``submit_code`` returns the picture as an image content part."""
        return self._images

    @property
    def history(self) -> list[dict[str, Any]]:
        """One record per submission: the turn's record and the environment's ``info``.

        The record is every door's (:class:`~codepaint_env.integrations.episode.Turn`: ``turn``,
        ``code``, ``value``, ``judged``, ``reason``, ``error_kind``, ``feedback``...).
        """
        return list(self._history)

    @property
    def turns_left(self) -> int:
        """Submissions still allowed in this episode (0 once it has ended)."""
        return 0 if self.done else self._max_turns - len(self._history)

    @property
    def done(self) -> bool:
        """True once the episode has ended (turn budget spent or success threshold reached)."""
        return self._episode is not None and self._episode.done

    # ------------------------------------------------------------------ the TRL interface
    def reset(self, **example: Any) -> str | None:
        """Start an episode on the dataset row's task; return the instruction appended to the prompt.

        The task is the row's ``task_id`` when the environment has it, else an ad-hoc task built from
        the row's columns and prompt text (the last user message), else, with no prompt at all, one
        the environment draws (its prompt is then part of the returned text).

        Args:
            **example: The dataset row (``prompt``, ``task_id``, ``language``, ``subject``...).

        Returns:
            Text that TRL appends to the last user message.

        Raises:
            ValueError: When the row's ``language`` is not the environment's.
        """
        language = example.get("language")
        if language is not None and language != self.language:
            raise ValueError(f"dataset row in {language!r} (task {example.get('task_id')!r}) given to a "
                             f"{self.language!r} environment ({self._config['env_id']})")
        text = prompt_text(example.get("prompt")) or ""
        self._env.reset(options=self._task_options(example, text))
        self._episode = Episode(self._env)
        self._history = []
        instruction = self._instruction()
        if not text.strip():
            task = self._core.task
            return "\n\n".join((task.prompt if task is not None else "", instruction))
        return "\n\n" + instruction

    def submit_code(self, code: str) -> ToolResult:
        """Submit a complete program for the current task: it is rendered and scored.

        Each call is one submission. Send the whole program every time, not a diff; you may revise
        while submissions remain.

        Args:
            code: The complete program (for example an SVG document or a p5.js sketch), with or without
                Markdown code fences.

        Returns:
            Feedback: render status and errors, the reward, the visible change and the submissions left.
        """
        episode = self._episode
        if episode is None:
            return "No task has been started yet; there is nothing to submit to."
        if episode.done:
            return self._ended_message()
        turn = episode.step(code if isinstance(code, str) else str(code))
        self._history.append({**turn.to_dict(), "info": episode.last_info})
        text = turn.feedback + "\n" + self._budget_line()
        picture = episode.picture(self._image_size) if self._images else None
        return feedback_content(text, picture, form="image")

    def get_reward(self) -> float | None:
        """The episode's reward (see the module docstring).

        Returns:
            ``no_submission_reward`` without any submission; else the value of the last (or the best)
            submission; ``None`` when that could not be judged.
        """
        if self._episode is None or not self._episode.turns:
            return self.no_submission_reward
        return aggregate(self._episode.turns, self._aggregation).value

    # ------------------------------------------------------------------ internals
    def _task_options(self, example: Mapping[str, Any], text: str) -> dict[str, Any]:
        task_id = example.get("task_id")
        if text.strip():  # the row's task: every column it carries (checks, text rules...) for the reward
            task, _ = task_from_row({**example, "language": self.language}, prompt=text,
                                    where=f"dataset row {task_id!r}" if task_id else "dataset row",
                                    default_id="custom")
            return {"task": task}
        if task_id is not None and any(t.id == task_id for t in self._core.tasks):
            return {"task": task_id}
        return {}  # the environment draws one of its tasks

    def _instruction(self) -> str:
        program = LANGUAGES[self.language].noun if self.language in LANGUAGES else "program"
        scored = {"last": "your last submission is scored", "best": "your best submission is scored",
                  "mean": "the mean of your submissions' rewards is scored"}[self._aggregation]
        if self._max_turns == 1:
            budget = "You have one submission; it is scored."
        else:
            budget = (f"You may revise and resubmit up to {self._max_turns - 1} more "
                      f"time{'s' if self._max_turns > 2 else ''} ({self._max_turns} submissions in all); "
                      f"{scored}.")
        return (f"Submit your answer by calling the `submit_code` tool with the complete {program} as "
                "`code`. It is rendered and scored, and you get back whether it rendered, any errors and its "
                "reward. " + budget)

    def _budget_line(self) -> str:
        if not self.done:
            left = self._max_turns - len(self._history)
            return (f"You have {left} submission{'s' if left != 1 else ''} left: call `submit_code` again "
                    "with the whole revised program to improve it, or stop here.")
        if len(self._history) < self._max_turns:
            return ("The task is solved: the reward reached the success threshold. "
                    "No more submissions are needed.")
        return "That was your last submission."

    def _ended_message(self) -> str:
        if len(self._history) < self._max_turns:
            return "The task is already solved; this submission was not scored."
        return (f"You have used all {self._max_turns} submissions; this one was not scored. "
                "Your earlier submissions stand.")
