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
        environment_factory=lambda: CodePaintToolEnv("CodePaint/SVG-v4", reward="execution_gate",
                                                     max_turns=3),
        args=GRPOConfig(max_tool_calling_iterations=3, ...),
    )

The model answers by calling the one tool, ``submit_code(code)``; each call is one turn of the
episode core (:mod:`codepaint_env.episode`: render, score, feedback) and the feedback is the tool
result the model sees before it revises. ``reward_funcs`` become optional: the environment owns the
reward (logged as ``rewards/CodePaintToolEnv/mean``).

Requirements on the TRL side: the tokenizer's chat template must render tool calls and tool messages,
and TRL must know how to parse the model's tool calls (``tokenizer.response_template``; TRL sets it
for the templates of the model families it knows, e.g. Qwen2.5/Qwen3, Llama 3.1, GPT-OSS). Set
``max_tool_calling_iterations >= max_turns`` and leave room in ``max_completion_length`` for the
tool results (the feedback counts against it; a result that does not fit is dropped by TRL, although
the submission was already scored).

Decisions:

* **The episode** is every door's (:mod:`codepaint_env.episode`): the task from the row's columns
  and its seed, the settings from the trainer config (:class:`~codepaint_env.scoring.trainer.
  TrainerConfig`: ``CODEPAINT_REWARD``, ``CODEPAINT_SERVE_URL``, the Ray and timeout variables,
  ``CODEPAINT_UNJUDGED_REWARD``) with this class's arguments over it, each submission's record
  (``history``: :meth:`Turn.to_dict <codepaint_env.episode.Turn.to_dict>`), the episode's reward.
* **Without a dataset** (``GRPOTrainer(train_dataset=None, environment_factory=...)``, ``max_steps``
  set): TRL resets every rollout with the same placeholder row, an empty prompt, in the order of the
  generation batch, whose consecutive ``num_generations`` rollouts are one group; nothing else tells
  them apart. So the environments that draw from the same tasks with the same ``num_generations`` and
  ``task_seed`` share one count of their starts (:mod:`codepaint_env.episode.groups`): the ``n``-th start
  is in group ``n // num_generations``, and every start of a group gets the group's task (the same
  render seed, the settings' rule, for all). The groups of one pass over the tasks differ, and the
  sequence of tasks is a function of ``task_seed`` (default ``CODEPAINT_SEED``, else 0). Give
  ``num_generations`` as in ``GRPOConfig`` (8 is TRL's default too). A multi-process run draws per
  process (``RANK``, ``WORLD_SIZE``); a group must not straddle processes.
* **Ids** are read as ``gym.make`` reads them (:func:`~codepaint_env.registration.resolve_env_id`):
  ``"CodePaint/SVG"`` is the latest version, an older version raises with the id to use. A row of
  another language is refused (its prompt is already in the conversation: it cannot be re-worded).
* **Reward of an episode**: the reward value of the *last* submission (``reward_aggregation="last"``,
  the default): the program the model ends with is its answer, so a worse late revision costs it.
  ``"best"`` takes the best judged value instead (more forgiving, but rewards trying variants), and
  ``"mean"`` the mean of the judged values (every draft counts). It is the reward object's value for
  the program (absolute), not the turn's shaped reward (``reward_mode="improvement"`` and
  ``no_change_penalty`` shape the turns' ``reward`` only).
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
* **The feedback** is every chat door's: with ``images=True`` the picture first and "This is what
  your program drew." (or "Your program drew nothing." when it drew nothing), then the turn's
  feedback lines, then how many submissions are left (the request that closes TRL's feedback: the
  model may stop calling the tool).
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
  (the picture is then only in ``episode``).
* **Plain or async** (``asynchronous=True``): in the async form ``submit_code``, ``get_reward`` and the
  search tools are coroutine functions, and each submission is :meth:`Episode.arespond
  <codepaint_env.episode.Episode.arespond>` (the render awaited, the reward through
  :func:`~rewards.guard.ascore_guarded`: a judge's own ``ascore`` with no thread). TRL awaits them on
  its event loop. TRL 1.16's ``GRPOTrainer`` still takes the rollouts one at a time (its tool loop
  awaits one rollout's calls before the next one's, and ``get_reward`` env by env), so a group's
  renders do not overlap there and the async form gains nothing: ``benchmarks/speed/trl_async_step.py``
  measured a step with 8 rendered submissions at 9.5 s plain and 11.1 s async (2 busy cores). Use it
  where rollouts are awaited together: ``trl.experimental.async_grpo``'s rollout worker awaits each
  rollout's tools in its own task, so there the async form's turns overlap with no thread each (the
  plain form's run in its thread pool), and a judge's own ``ascore`` is awaited, not waited on.
  Calls of one rollout that TRL gathers take their turns in the order they were made (a call after
  the last turn gets the "used all" answer).
* **Tool surface**: only ``reset``, ``get_reward`` and ``submit_code`` are public functions (TRL turns
  every other public function into a tool); the rest is private or read-only properties
  (``episode``, ``task``, ``history``, ``resources``). ``tool_env.resources.close()`` closes a
  renderer the resources made themselves.
* **Search before drawing** (``tools=("search",)`` or ``("search", "search_references")``, or
  ``CODEPAINT_TOOLS``): the instance is of a subclass (still named ``CodePaintToolEnv``, so the reward
  column keeps its name) whose class also has the methods ``search(query, k=3)`` and
  ``search_references(query, k=2)`` for the tools named (TRL lists tools on the class). Each call is
  answered by the episode (:mod:`codepaint_env.episode.tools`: fact cards, or reference programs with
  their pictures when ``images=True``), counted against ``max_tool_calls`` (default 3; one past it is
  refused, not run) and draws nothing. The searches' cards reach the reward as the ``retrieved``
  column (``reward="gate:0.2,checks:0.7,search_recall:0.1"``), and every submission's record carries
  ``tool_calls`` and ``retrieved``. Set ``max_tool_calling_iterations >= max_turns + max_tool_calls``.
"""

from __future__ import annotations

from typing import Any

from codepaint_env.core.pickling import PicklesAsArguments
from codepaint_env.episode import (
    AGGREGATIONS,
    Episode,
    EpisodeOver,
    EpisodeResources,
    EpisodeSettings,
    Reply,
    ToolCall,
    Turn,
    task_from_row,
)
from codepaint_env.episode.groups import shared_group_starts
from codepaint_env.episode.tools import check_tools
from codepaint_env.registration import env_language
from codepaint_env.render.languages import LANGUAGES
from rewards.base import prompt_text

__all__ = ["CodePaintToolEnv", "ToolResult"]

#: What ``submit_code`` returns: the feedback text, or (``images=True`` and a picture was drawn) the content
#: parts ``[{"type": "image", "image": PIL.Image}, {"type": "text", "text": feedback}]``.
ToolResult = str | list[dict[str, Any]]
#: ``env_kwargs`` that choose the tasks and the renderer; every other one is an episode setting.
_RESOURCE_KEYS = ("tasks", "split", "renderer")


class CodePaintToolEnv(PicklesAsArguments):
    """A CodePaint environment for TRL's ``GRPOTrainer(environment_factory=...)``.

    Every argument has a default, so the class itself is a valid factory
    (``environment_factory=CodePaintToolEnv``); bind arguments with a lambda or ``functools.partial``.

    Args:
        env_id: A CodePaint environment id (``"CodePaint/SVG-v4"``, or ``"CodePaint/SVG"``: the latest
            version), read as ``gym.make`` reads it: its language.
        reward: The reward (an id, a spec, an object, or weighted components; see ``CodePaintEnv``).
            ``None``: ``CODEPAINT_REWARD``, else the one default of every door
            (``codepaint_env.default_reward`` of the tasks).
        max_turns: Submissions per episode (1 = single answer, more = the model may revise).
        size: Render size (an int or ``(W, H)``).
        reward_aggregation: ``"last"`` (the reward of the final submission), ``"best"`` (the best
            judged submission) or ``"mean"`` (the mean of the judged submissions) as the episode's reward.
        no_submission_reward: The reward of an episode without any submission.
        images: Return each render as an image content part next to the feedback (for vision-language
            policies; see the module docstring). Default: text only.
        image_size: With ``images``, the largest side of the picture sent to the policy, in pixels
            (downscaled keeping its aspect ratio; never upscaled). ``None`` sends the render as it is.
        tools: Search tools offered as methods (``("search",)``...; ``None``: ``CODEPAINT_TOOLS``, else
            none); see the module docstring.
        max_tool_calls: Their budget per episode (``None``: ``CODEPAINT_MAX_TOOL_CALLS``, else 3).
        asynchronous: The async form: ``submit_code``, ``get_reward`` and the search tools are coroutine
            functions, which TRL awaits on its event loop (see the module docstring). Default: plain methods.
        num_generations: The run's group size (``GRPOConfig.num_generations``): with no prompt and no
            ``task_id`` in the row (TRL's dataset-less mode), this many consecutive starts share a task
            (see the module docstring).
        task_seed: Seeds the sequence of those groups' tasks (``None``: the trainer config's seed,
            ``CODEPAINT_SEED``, else 0).
        **env_kwargs: ``tasks`` and ``split`` (the tasks a row's ``task_id`` is found in; ``split``
            defaults to ``None``: train and eval), ``renderer``, and any
            :class:`~codepaint_env.episode.EpisodeSettings` field (``success_threshold``,
            ``reward_mode``, ``feedback``...; ``render_seed`` is ``seed``).
    """

    #: The class a tool set's class was made from (itself for the class without tools).
    _tool_base: type | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> CodePaintToolEnv:
        """An instance of the class whose methods are the tools asked for (TRL lists tools on the class)."""
        tools = kwargs.get("tools")
        if tools is None:
            from codepaint_env.scoring.trainer import TrainerConfig

            tools = TrainerConfig.from_environ().tools
        base = cls._tool_base or cls
        made = _with_tools(base, check_tools(tools), bool(kwargs.get("asynchronous", False)))
        return PicklesAsArguments.__new__(made, *args, **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its arguments, rebuilt through the class without tools (it makes the tools' class)."""
        args, kwargs = self._built_with
        return (_rebuild_env, (self._tool_base or type(self), args, kwargs))

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
        tools: Any = None,
        max_tool_calls: int | None = None,
        asynchronous: bool = False,
        num_generations: int = 8,
        task_seed: int | None = None,
        **env_kwargs: Any,
    ) -> None:
        if reward_aggregation not in AGGREGATIONS:
            raise ValueError(f"reward_aggregation must be one of {', '.join(AGGREGATIONS)}, "
                             f"not {reward_aggregation!r}")
        if int(num_generations) < 1:
            raise ValueError(f"num_generations must be at least 1 (GRPOConfig's), not {num_generations!r}")
        self._config = {"env_id": env_id, "reward": reward, "max_turns": max_turns, "size": size,
                        "reward_aggregation": reward_aggregation,
                        "no_submission_reward": no_submission_reward, "images": images,
                        "image_size": image_size, "tools": tools, "max_tool_calls": max_tool_calls,
                        "asynchronous": asynchronous, "num_generations": num_generations,
                        "task_seed": task_seed, **env_kwargs}
        language = env_language(env_id)
        kept = {k: env_kwargs.pop(k) for k in _RESOURCE_KEYS if k in env_kwargs}
        if "render_seed" in env_kwargs:
            env_kwargs["seed"] = env_kwargs.pop("render_seed")
        settings = EpisodeSettings.from_config(
            reward=reward if isinstance(reward, str) else None, max_turns=max_turns, size=size,
            reward_aggregation=reward_aggregation, images=images, image_size=image_size,
            image_placement="tool", picture_form="image", tools=None if tools is None else check_tools(tools),
            max_tool_calls=max_tool_calls, **env_kwargs)
        self._resources = EpisodeResources(settings, reward=reward, renderer=kept.get("renderer"),
                                           tasks=kept.get("tasks"), language=language,
                                           split=kept.get("split"))
        self.no_submission_reward = float(no_submission_reward)
        self._num_generations = int(num_generations)
        self._task_seed = settings.config.seed if task_seed is None else int(task_seed)
        self._episode: Episode | None = None

    def __repr__(self) -> str:
        tools = self._resources.settings.tools
        return (f"{type(self).__name__}({self._config['env_id']!r}, max_turns={self.max_turns}"
                + (f", tools={tools!r})" if tools else ")"))

    # ------------------------------------------------------------------ read-only state (not tools)
    @property
    def resources(self) -> EpisodeResources:
        """The episodes' renderer, reward and tasks (``.resources.close()`` closes a renderer of its own)."""
        return self._resources

    @property
    def episode(self) -> Episode | None:
        """The episode under way (``None`` before the first ``reset``)."""
        return self._episode

    @property
    def task(self) -> Any:
        """The episode's task (``None`` before the first ``reset``)."""
        return None if self._episode is None else self._episode.task

    @property
    def language(self) -> str:
        """The language programs are written in."""
        return str(self._resources.language)

    @property
    def max_turns(self) -> int:
        """Submissions allowed per episode."""
        return self._resources.settings.max_turns

    @property
    def images(self) -> bool:
        """Whether ``submit_code`` returns the picture as an image content part."""
        return self._resources.settings.images

    @property
    def history(self) -> list[dict[str, Any]]:
        """One record per submission: the turn's record (:meth:`~codepaint_env.episode.Turn.to_dict`)."""
        return [t.to_dict() for t in self._turns]

    @property
    def turns_left(self) -> int:
        """Submissions still allowed in this episode (0 once it has ended)."""
        return 0 if self.done else self.max_turns - len(self._turns)

    @property
    def done(self) -> bool:
        """True once the episode has ended (turn budget spent or success threshold reached)."""
        return self._episode is not None and self._episode.done

    @property
    def _turns(self) -> list[Turn]:
        return [] if self._episode is None else self._episode.turns

    # ------------------------------------------------------------------ the TRL interface
    def reset(self, **example: Any) -> str | None:
        """Start an episode on the dataset row's task; return the instruction appended to the prompt.

        The task is the row's: every column it carries and its prompt text (the last user message),
        rendered with the row's seed; with no prompt, the task of its ``task_id``, else its group's,
        drawn from the tasks (see the module docstring; its prompt is then part of the returned text).

        Args:
            **example: The dataset row (``prompt``, ``task_id``, ``language``, ``subject``...).

        Returns:
            Text that TRL appends to the last user message.

        Raises:
            ValueError: When the row's ``language`` is not the environment's (the message says what to do).
        """
        language = example.get("language")
        if language is not None and language != self.language:
            own = getattr(LANGUAGES.get(language), "env_id", None)
            raise ValueError(
                f"dataset row in {language!r} (task {example.get('task_id')!r}) given to a {self.language!r} "
                f"environment ({self._config['env_id']}); an environment keeps its language and a row's "
                f"prompt cannot be re-worded: give rows in {self.language} (tasks_to_rows(load_suite(..., "
                f"language={self.language!r}))), or make the environment for {language}"
                + (f" (CodePaintToolEnv({own!r}))" if own else ""))
        text = prompt_text(example.get("prompt")) or ""
        task_id = example.get("task_id")
        if text.strip():  # the row's task: every column it carries (checks, text rules...) and its seed
            row = {**example, "language": self.language}
            task, seed = task_from_row(row, self._resources.settings.config, prompt=text, default_id="custom",
                                       where=f"dataset row {task_id!r}" if task_id else "dataset row")
            self._episode = self._resources.episode(task, render_seed=seed)
        elif task_id is not None and any(t.id == task_id for t in self._resources.tasks):
            self._episode = self._resources.episode(task_id=task_id)
        else:  # the environment draws: every start of a group gets the group's task
            starts = shared_group_starts(self._resources.tasks, self._num_generations, self._task_seed)
            self._episode = self._resources.episode(starts.next())
        instruction = self._instruction()
        if not text.strip():
            return "\n\n".join((self._episode.task.prompt, instruction))
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
        refusal = self._refusal()
        if refusal is not None:
            return refusal
        episode, reply = self._episode, Reply.submission(code)
        assert episode is not None
        episode.respond(reply)
        return self._feedback(episode, reply)

    def get_reward(self) -> float | None:
        """The episode's reward (see the module docstring).

        Returns:
            ``no_submission_reward`` without any submission; else the value of the last (or the best)
            submission; ``None`` when that could not be judged.
        """
        return self._reward()

    # ------------------------------------------------------------------ internals
    def _refusal(self) -> str | None:
        """Why a submission is not taken (no episode, or it has ended); ``None`` when it is."""
        if self._episode is None:
            return "No task has been started yet; there is nothing to submit to."
        if self._episode.done:
            return self._ended_message()
        return None

    async def _asubmit(self, code: str) -> ToolResult:
        """``submit_code`` for the async form: the episode's turn awaited (:meth:`Episode.arespond`)."""
        refusal = self._refusal()
        if refusal is not None:
            return refusal
        episode, reply = self._episode, Reply.submission(code)
        assert episode is not None
        try:
            await episode.arespond(reply)
        except EpisodeOver:  # a call gathered with the one that ended the episode
            return self._ended_message()
        return self._feedback(episode, reply)

    def _feedback(self, episode: Episode, reply: Reply) -> ToolResult:
        """The tool result of the turn ``reply`` just took: its feedback message's content."""
        message, _ = episode.message(reply, instruction=self._budget_line())
        return message["content"]

    def _reward(self) -> float | None:
        if self._episode is None or not self._episode.turns:
            return self.no_submission_reward
        return self._episode.outcome().value

    def _call_tool(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        """Answer one call of a search tool method (the episode's tool step): the tool result's content."""
        episode = self._episode
        if episode is None:
            return "No task has been started yet; there is nothing to look up for."
        if episode.done:
            return "The episode is over; this call was not run."
        step = episode.call_tools([ToolCall(name, arguments)])
        assert step.message is not None
        return step.message["content"]

    def _instruction(self) -> str:
        program = LANGUAGES[self.language].noun if self.language in LANGUAGES else "program"
        scored = {"last": "your last submission is scored", "best": "your best submission is scored",
                  "mean": "the mean of your submissions' rewards is scored"}[
                      self._resources.settings.reward_aggregation]
        n = self.max_turns
        if n == 1:
            budget = "You have one submission; it is scored."
        else:
            budget = (f"You may revise and resubmit up to {n - 1} more time{'s' if n > 2 else ''} "
                      f"({n} submissions in all); {scored}.")
        said = (f"Submit your answer by calling the `submit_code` tool with the complete {program} as "
                "`code`. It is rendered and scored, and you get back whether it rendered, any errors and its "
                "reward. " + budget)
        tools = self._resources.settings.tools
        if tools:
            names = " and ".join(f"`{t}`" for t in tools)
            n = self._resources.settings.max_tool_calls
            said += (f" Before you submit you may call {names} to look up what the thing you are asked to "
                     f"draw looks like (at most {n} call{'s' if n != 1 else ''}).")
        return said

    def _budget_line(self) -> str:
        if not self.done:
            left = self.max_turns - len(self._turns)
            return (f"You have {left} submission{'s' if left != 1 else ''} left: call `submit_code` again "
                    "with the whole revised program to improve it, or stop here.")
        if len(self._turns) < self.max_turns:
            return ("The task is solved: the reward reached the success threshold. "
                    "No more submissions are needed.")
        return "That was your last submission."

    def _ended_message(self) -> str:
        if len(self._turns) < self.max_turns:
            return "The task is already solved; this submission was not scored."
        return (f"You have used all {self.max_turns} submissions; this one was not scored. "
                "Your earlier submissions stand.")


# ---------------------------------------------------------------------- the search tool methods
class _SearchMethods:
    """The search tools as methods: a tool set's class takes the ones it offers (see ``_with_tools``)."""

    def _call_tool(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        raise NotImplementedError

    def search(self, query: str, k: int = 3) -> ToolResult:
        """Look up the facts of a named thing before drawing it: its colours, counts and layout.

        Covers national flags, road and safety signs, symbols, card suits, games, planets and the rainbow.
        Each call counts against the episode's tool budget and draws nothing.

        Args:
            query: A few words naming what to look up, for example "flag of Sweden".
            k: How many fact cards to return, from 1 to 5.

        Returns:
            The fact cards, best first, and how many tool calls are left.
        """
        return self._call_tool("search", {"query": query, "k": k})

    def search_references(self, query: str, k: int = 2) -> ToolResult:
        """Find reference programs whose prompts match a few words, each with its code (and its picture).

        Each call counts against the episode's tool budget and draws nothing.

        Args:
            query: A few words naming the subject, for example "red flower".
            k: How many references to return, from 1 to 5.

        Returns:
            The references, best first, and how many tool calls are left.
        """
        return self._call_tool("search_references", {"query": query, "k": k})


class _AwaitedMethods:
    """The async form's tools and reward (``asynchronous=True``): TRL awaits them on its event loop."""

    async def _asubmit(self, code: str) -> ToolResult:
        raise NotImplementedError

    def _reward(self) -> float | None:
        raise NotImplementedError

    def _call_tool(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        raise NotImplementedError

    async def submit_code(self, code: str) -> ToolResult:
        return await self._asubmit(code)

    async def get_reward(self) -> float | None:
        return self._reward()

    async def search(self, query: str, k: int = 3) -> ToolResult:
        return self._call_tool("search", {"query": query, "k": k})  # local and quick: nothing to await

    async def search_references(self, query: str, k: int = 2) -> ToolResult:
        return self._call_tool("search_references", {"query": query, "k": k})


# The async methods say what the sync ones say (TRL builds each tool's schema from its docstring).
for _source, _name in ((CodePaintToolEnv, "submit_code"), (CodePaintToolEnv, "get_reward"),
                       (_SearchMethods, "search"), (_SearchMethods, "search_references")):
    _AwaitedMethods.__dict__[_name].__doc__ = _source.__dict__[_name].__doc__

_CLASSES: dict[tuple[type, tuple[str, ...], bool], type] = {}


def _rebuild_env(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return cls(*args, **kwargs)


def _with_tools(cls: type, tools: tuple[str, ...], asynchronous: bool = False) -> type:
    """``cls``, or its subclass with a method per tool and the async form's methods.

    One class per tool set and form, kept (TRL compares types); it keeps ``cls``'s name (the reward's
    column in TRL's logs).
    """
    if not tools and not asynchronous:
        return cls
    key = (cls, tuple(sorted(tools)), asynchronous)
    made = _CLASSES.get(key)
    if made is None:
        source = _AwaitedMethods if asynchronous else _SearchMethods
        names = [*key[1], *(("submit_code", "get_reward") if asynchronous else ())]
        methods = {name: source.__dict__[name] for name in names}
        made = _CLASSES[key] = type(cls.__name__, (cls,), {"__module__": cls.__module__, "_tool_base": cls,
                                                           **methods})
        made.__qualname__ = f"{cls.__qualname__}[{','.join([*key[1], *(['async'] if asynchronous else [])])}]"
    return made
