"""`CodePaintEnv`: the Gymnasium door over the episode core: a program as the action, its picture judged."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from PIL import Image

from codepaint_env.envs.spaces import CodeText
from codepaint_env.episode import Episode, EpisodeResources, EpisodeSettings, respond_all
from codepaint_env.episode.feedback import MAX_CODE_CHARS, MAX_TEXT_CHARS
from codepaint_env.render import RenderResult
from codepaint_env.tasks.defaults import default_reward  # noqa: F401 (its former home: envs.env.default_reward)

if TYPE_CHECKING:
    from codepaint_env.render.service import RenderService
    from codepaint_env.tasks import Task
    from rewards.base import Reward

__all__ = ["MAX_CODE_CHARS", "MAX_TEXT_CHARS", "CodePaintEnv", "step_batch"]


class CodePaintEnv(gym.Env[dict, str]):
    """Write a program that draws; get its picture, feedback and a reward.

    ## Description

    The Gymnasium door over the episode core (:mod:`codepaint_env.episode`, the same episode every
    trainer's door runs). Each episode is one task from a task suite (a prompt such as "Paint a
    peach hibiscus in loose watercolour", a language and tags). The agent answers with a program
    (a model completion, possibly with Markdown fences: the code is extracted). The program is rendered in the
    contained renderer and scored by a reward object from :mod:`rewards`. With ``max_turns > 1``
    the episode is a refinement loop: the agent sees its last picture and feedback (render
    errors, the judge's rationale, the reward breakdown, how much of the picture its last edit
    changed) and submits an edited program.

    The ids ``CodePaint/P5Brush-v0``, ``P5-v4``, ``SVG-v4``, ``HTML-v4``, ``Python-v4`` and
    ``TikZ-v4`` are presets of this class (``language=...``).

    ## Action Space

    :class:`~codepaint_env.envs.spaces.CodeText`: any string up to :data:`MAX_CODE_CHARS`
    (1,000,000) characters (code, possibly fenced; newlines, braces, quotes and Unicode are all
    members), the renderer's own limit (``max_code_bytes``: a longer program fails to render as
    ``too_large``). UTF-8 ``bytes`` are decoded. Junk from ``action_space.sample()`` is rendered
    and scored like any program.

    ## Observation Space

    ``Dict``: ``prompt`` (text), ``code`` (the last extracted program; one longer than
    :data:`MAX_CODE_CHARS` is cut there, and then ``info["code_truncated"]`` is True and the
    feedback says so), ``image`` (the last
    render, ``Box(0, 255, (H, W, 3), uint8)``; zeros before the first turn and when nothing could
    be drawn), ``feedback`` (text) and ``turn`` (``Discrete(max_turns + 1)``, turns taken).

    **Search before drawing** (``tools=("search",)``, or ``CODEPAINT_TOOLS=search``): an action that
    writes ``<search>a few words</search>`` (or ``<search_references>...</search_references>``, or a
    ``<tool_call>{"name": "search", "arguments": {"query": ...}}</tool_call>`` block) is a search step,
    as in Search-R1: nothing is drawn; the observation's ``feedback`` is the result between
    ``<information>`` and ``</information>`` and the searches left, the reward is 0.0, the episode is
    not terminated, ``turn`` does not move (it counts programs), ``code`` and ``image`` stay the last
    program's, and ``info`` holds ``tools`` (each call's result), ``tool_calls``, ``tool_calls_left``
    and ``retrieved`` (the fact cards found: every reward gets them as the ``retrieved`` column, so
    ``"gate:0.2,checks:0.7,search_recall:0.1"`` scores what the searches found). At most
    ``max_tool_calls`` calls an episode (a malformed or unknown call counts and is answered with what
    was wrong); once they are spent an action that only searches is drawn as the program. ``reset``'s
    ``info["tool_instruction"]`` is the sentence to give the policy. A search step's action may hold
    nothing else: the program of an action with a search is not drawn.

    ## Rewards

    The reward object's value for the render (``reward_mode="absolute"``), or its change since
    the previous turn (``"improvement"``; the first turn is measured from 0). An edit that
    changes nothing visible (see :mod:`rewards.change`) loses ``no_change_penalty``. When the
    reward cannot judge (judge down), the step reward is ``unjudged_reward`` (default 0.0) and
    ``info["judged"]`` is False with ``info["reward"]["reason"]`` (no shaping term of any kind
    applies to it: no no-change penalty, no success, no improvement): drop such steps, don't learn
    from them. The same when the render itself could not be done (``error_kind="infra"``: the
    browser died, the machine was overloaded); such a step also changes no state the next step
    compares with (the last picture, the last value), and no no-change penalty applies.

    ## Episode End

    Terminated when the reward value reaches ``success_threshold`` (if set) or after
    ``max_turns`` turns (the turn budget is part of the task and ``turn`` is observed). Never
    truncated by the environment itself (add ``TimeLimit`` if you want that).

    ## Arguments

    * ``language``: ``p5brush``, ``p5``, ``svg``, ``html``, ``python`` or ``tikz``.
    * ``reward``: a reward id (``"execution_gate"``), a reward object, or components with
      weights (``[("execution_gate", 0.2), ("pairwise_vlm", 0.8)]`` or ``{"id": weight}``),
      built with :func:`rewards.make_reward`. Default (``None``): ``CODEPAINT_REWARD`` when set (the
      trainer config every door reads: ``CODEPAINT_SERVE_URL``, the Ray variables and
      ``CODEPAINT_UNJUDGED_REWARD`` apply too), else ``codepaint_env.default_reward``
      of the tasks, the one default of every door: ``"gate:0.3,checks:0.7"`` for tasks that carry
      ``checks`` (the ``shapes`` suite: verifiable checks on the picture, offline and prompt-aware),
      ``"gate:0.3,classic:0.7"`` for the others. ``info["reward_spec"]`` names the spec a step
      was scored with.
    * ``tasks``: a built-in suite name, a JSONL path, a list of :class:`~codepaint_env.tasks.Task`,
      or ``None`` (every built-in task of ``language``). ``split``: ``train``, ``eval`` or ``None``.
    * ``max_turns``, ``reward_mode``, ``no_change_penalty``, ``success_threshold``,
      ``unjudged_reward`` (default ``CODEPAINT_UNJUDGED_REWARD``, else 0.0): see above.
    * ``size``: render and observation size (``512`` or ``(W, H)``; default ``CODEPAINT_SIZE``, else
      512). ``render_seed``: the seed the program's randomness is fixed to (default
      ``CODEPAINT_SEED``, else 0). ``renderer``: a shared render service (a
      :class:`~codepaint_env.render.Renderer` over any transport; default: the process-wide one).
    * ``resources``: an :class:`~codepaint_env.episode.EpisodeResources` to share (the vector env's
      copies share one); the arguments above are then its.
    * ``render_mode``: ``None`` or ``"rgb_array"`` (the last picture).
    * ``feedback``: ``"short"`` (what failed and why, the score, the judge's notes when there are
      any, how much the edit changed the picture) or ``"full"`` (also every breakdown entry).
    * ``tools``: search tools offered (``("search",)``, ``("search", "search_references")``; default
      ``CODEPAINT_TOOLS``, else none); ``max_tool_calls``: their budget per episode (default
      ``CODEPAINT_MAX_TOOL_CALLS``, else 3). See the search step above. ``search_index``: the cards
      ``search`` looks in: ``"auto"`` (default, or ``CODEPAINT_SEARCH_INDEX``: a train task's episode
      searches the train facts' cards only, an eval task's every card), ``"train"`` or ``"all"``.

    ## Version History

    * The search step (``tools``) is an addition: an env without tools steps as before.
    * ``search_index`` (default ``auto``): a train task's ``search`` no longer returns eval cards.

    * v4 (``P5``, ``SVG``, ``HTML``, ``Python``, ``TikZ``): the checks' version 5, credit that
      follows the scene (``rewards.checks.graph``: an object's claims pay once it is found as its
      stated kind, the page once some object is; ``only``, ``not_cut``, ``contrast`` and
      ``no_image`` cost when broken and earn nothing), with the ``shapes`` suite's version 5 and the
      ``knowledge`` suite's version 5. The same prompts and verdicts; the values changed. Their
      ``-v0`` to ``-v3`` raise ``gymnasium.error.DeprecatedEnv`` naming ``-v4``.
    * v3: the ``shapes`` suite's version 4, the prompt as the contract (every stated word a stated
      check, ``only`` for nothing else, size words said with their bounds, no hidden size or coverage
      rule).
    * v2: the ``shapes`` suite's version 3 (colour as presence, shapes measured in their own frame).
    * v1 (``P5``, ``SVG``, ``HTML``, ``Python``, ``TikZ``): their default tasks include the ``shapes``
      suite, whose version 2 judges colours by colour terms (``fill="navy"`` is navy) and defines
      in the prompt the colours a language lacks; the rewards changed, so the ids did. Asking for
      their ``-v0`` raises ``gymnasium.error.DeprecatedEnv`` naming ``-v1``. ``P5Brush`` stays v0.
    * v0: initial release.
    """


    metadata = {"render_modes": ["rgb_array"], "render_fps": 1}  # noqa: RUF012 (Gymnasium's own form)

    def __init__(
        self,
        language: str = "p5brush",
        reward: str | Reward | Mapping[str, float] | Sequence[Any] | None = None,
        tasks: str | os.PathLike[str] | Sequence[Task | Mapping[str, Any]] | None = None,
        *,
        split: str | None = "train",
        max_turns: int = 1,
        size: int | tuple[int, int] | str | None = None,
        reward_mode: str = "absolute",
        no_change_penalty: float = 0.0,
        success_threshold: float | None = None,
        unjudged_reward: float | None = None,
        render_seed: int | None = None,
        renderer: RenderService | None = None,
        render_mode: str | None = None,
        feedback: str = "short",
        resources: EpisodeResources | None = None,
        tools: Sequence[str] | str | None = None,
        max_tool_calls: int | None = None,
        search_index: str | None = None,
    ) -> None:
        from codepaint_env.render import LANGUAGES

        if language not in LANGUAGES:
            raise ValueError(f"language {language!r}: choose one of {', '.join(LANGUAGES)}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError("render_mode must be None or 'rgb_array'")
        if resources is None:
            settings = EpisodeSettings.from_config(
                max_turns=max_turns, size=size, reward_mode=reward_mode, no_change_penalty=no_change_penalty,
                success_threshold=success_threshold, unjudged_reward=unjudged_reward, seed=render_seed,
                feedback=feedback, tools=tools, max_tool_calls=max_tool_calls, search_index=search_index)
            if settings.size is None:  # the observation has one size: the config's (512) when not given
                settings = settings.replace(size=settings.config.size)
            resources = EpisodeResources(settings, reward=reward, renderer=renderer, tasks=tasks,
                                         language=language, split=split, shared=False)
            resources.reward  # noqa: B018 (built now: a bad spec is an error here, not at the first step)
        elif resources.settings.size is None:
            raise ValueError("the Gym env's resources need a size (EpisodeSettings(size=...)): its "
                             "observation has one")
        self.resources = resources
        self.language = language
        self.render_mode = render_mode
        self.width, self.height = resources.settings.size  # type: ignore[misc]  (checked above)

        self.action_space = CodeText(MAX_CODE_CHARS)
        self.observation_space = spaces.Dict({
            "prompt": CodeText(MAX_TEXT_CHARS),
            "code": CodeText(MAX_CODE_CHARS),
            "image": spaces.Box(0, 255, (self.height, self.width, 3), np.uint8),
            "feedback": CodeText(MAX_TEXT_CHARS),
            "turn": spaces.Discrete(self.max_turns + 1),
        })
        #: The episode under way (``None`` before the first ``reset``).
        self.episode: Episode | None = None

    # ------------------------------------------------------------------ what it is (the resources')
    @property
    def settings(self) -> EpisodeSettings:
        """How its episodes run."""
        return self.resources.settings

    @property
    def tasks(self) -> list[Task]:
        """The tasks ``reset`` draws from."""
        return self.resources.tasks

    @property
    def reward_fn(self) -> Reward:
        """The reward object."""
        return self.resources.reward

    @property
    def reward_spec(self) -> str:
        """The reward as given (a spec, or an object's repr); ``info["reward_spec"]`` resolves the default."""
        return self.resources.reward_spec

    @property
    def renderer(self) -> RenderService:
        """The render service."""
        return self.resources.renderer

    @property
    def max_turns(self) -> int:
        """Programs per episode."""
        return self.settings.max_turns

    @property
    def reward_mode(self) -> str:
        """``absolute`` or ``improvement``."""
        return self.settings.reward_mode

    @property
    def no_change_penalty(self) -> float:
        """Subtracted from a judged step whose edit changed nothing visible."""
        return self.settings.no_change_penalty

    @property
    def success_threshold(self) -> float | None:
        """The value that ends an episode early (``None``: never)."""
        return self.settings.success_threshold

    @property
    def unjudged_reward(self) -> float:
        """The step reward of a step that could not be judged."""
        return self.settings.unjudged_reward

    @property
    def feedback(self) -> str:
        """``short`` or ``full``."""
        return self.settings.feedback

    @property
    def render_seed(self) -> int:
        """The seed programs render with."""
        return self.settings.render_seed()

    @property
    def task(self) -> Task | None:
        """The episode's task (``None`` before the first ``reset``)."""
        return None if self.episode is None else self.episode.task

    @property
    def last_result(self) -> RenderResult | None:
        """The result of the most recent render (an ``infra`` one included); ``None`` before any."""
        return None if self.episode is None else self.episode.last_result

    @property
    def _turn(self) -> int:
        return 0 if self.episode is None else len(self.episode.turns)

    # ------------------------------------------------------------------ gym.Env
    # ``spec`` is Gymnasium's, untouched: the registered ids say ``nondeterministic=False``, which is
    # true of the environment (renders are seeded, the same action gives the same picture). A
    # reward can still sample (a judge at temperature > 0): that is the reward's property, asked
    # of the reward, not written into the spec behind Gymnasium's back.
    @property
    def deterministic(self) -> bool:
        """Whether the same seed and actions give the same rewards (False with a sampling judge).

        ``check_env`` checks step determinism from the spec; with a sampling reward, check the env
        with a deterministic one (the default gate) or register your id with ``nondeterministic=True``.
        """
        return self.resources.deterministic

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start an episode on a task drawn from the suite (seeded), or the one in ``options``.

        Options:
            task: A :class:`~codepaint_env.tasks.Task`, a task id or a task dict.
            prompt: A prompt for an ad-hoc task in this environment's language.
            code: A starting program (refinement from an existing sketch); it is rendered as turn 0.
            curriculum: A :class:`~codepaint_env.tasks.Curriculum`: the task is its next one, and the
                episode's last step records its result in it (the level it moves to follows).
        """
        super().reset(seed=seed)
        options = options or {}
        self.episode = self.resources.episode(options.get("task"), prompt=options.get("prompt"),
                                              rng=self.np_random, curriculum=options.get("curriculum"))
        info: dict[str, Any] = {"task_id": self.episode.task.id, "turn": 0}
        if self.settings.tools:
            from codepaint_env.episode.tools import tools_instruction

            info["tool_instruction"] = tools_instruction(self.settings.tools, self.settings.max_tool_calls,
                                                         form="tag")
        if options.get("code"):
            info.update(self.episode.start_from(options["code"]))
        return self._obs(), info

    def step(self, action: str | bytes) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Render the program in ``action``, score it, and report what changed (or answer its search).

        Raises:
            ValueError: For an action of bytes that are not UTF-8 (pass a ``str``).
        """
        return step_batch([self], [action])[0]

    def render(self) -> np.ndarray | None:  # type: ignore[override]
        """The last picture (``render_mode="rgb_array"``)."""
        return self._image() if self.render_mode == "rgb_array" else None

    # ------------------------------------------------------------------ internals
    def _check_steppable(self) -> Episode:
        """The episode under way; Gymnasium's usage error unless there is one (``reset()`` first)."""
        if self.episode is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        if self.episode.done:
            raise gym.error.ResetNeeded(
                f"this episode ended (terminated on turn {self._turn} of {self.max_turns}): call reset() "
                "before step(); a vector env or a wrapper with autoreset does it for you")
        return self.episode

    def _image(self) -> np.ndarray:
        """The last picture really rendered, at the observation's size (zeros when none)."""
        res = None if self.episode is None else self.episode.last_picture
        im = res.image if res is not None and res.png is not None else None
        if im is None:
            return np.zeros((self.height, self.width, 3), np.uint8)
        if im.size != (self.width, self.height):
            im = im.resize((self.width, self.height), Image.Resampling.BILINEAR)
        return np.asarray(im, dtype=np.uint8).copy()

    def _obs(self) -> dict[str, Any]:
        episode = self.episode
        prompt = episode.task.prompt if episode is not None else ""
        code = episode.code if episode is not None else ""
        feedback = episode.feedback if episode is not None else ""
        return {"prompt": prompt[:MAX_TEXT_CHARS], "code": code[:MAX_CODE_CHARS], "image": self._image(),
                "feedback": feedback[:MAX_TEXT_CHARS], "turn": self._turn}


def step_batch(envs: Sequence[CodePaintEnv], actions: Sequence[str | bytes]
               ) -> list[tuple[dict[str, Any], float, bool, bool, dict[str, Any]]]:
    """Step several environments at once: every render concurrently, one reward call per reward.

    :meth:`CodePaintEnv.step` is this with one environment; :class:`~codepaint_env.envs.vector.
    CodePaintVectorEnv` steps its N environments through it. It is the episode core's
    :func:`~codepaint_env.episode.respond_all`: the renders are submitted together, then the samples
    of environments sharing a reward object are scored in one ``score`` call, in order.

    Returns:
        One ``(obs, reward, terminated, truncated, info)`` per environment, in order.

    Raises:
        gymnasium.error.ResetNeeded: When an environment has no task yet, or its episode ended
            (``reset()`` first).
        ValueError: When an action is bytes that are not UTF-8 (no environment has moved).
    """
    if len(envs) != len(actions):
        raise ValueError(f"{len(actions)} actions for {len(envs)} environments")
    episodes = [env._check_steppable() for env in envs]  # every usage error before any render starts
    steps = respond_all(episodes, actions)
    return [(env._obs(), float(step.reward), step.done, False, dict(step.info))
            for env, step in zip(envs, steps, strict=True)]
