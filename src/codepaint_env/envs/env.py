"""`CodePaintEnv`: a Gymnasium environment where the action is a program and the reward judges its picture."""

from __future__ import annotations

import concurrent.futures
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from PIL import Image

from codepaint_env.envs.spaces import CodeText
from codepaint_env.render import RenderResult, parse_size
from codepaint_env.render.extract import extract_code
from codepaint_env.render.settings import RenderSettings
from codepaint_env.tasks.defaults import carries_checks, default_reward
from rewards.spec import DEFAULT_REWARD, default_spec

if TYPE_CHECKING:
    from codepaint_env.core.images import ChangeMeasure
    from codepaint_env.render.service import RenderService
    from codepaint_env.tasks import Task
    from rewards.base import Reward, RewardResult, Sample

#: The one limit on a program: the renderer's default ``max_code_bytes`` (1,000,000). The action and
#: ``obs["code"]`` spaces hold that many characters; a program the renderer accepts is never longer.
MAX_CODE_CHARS = RenderSettings.max_code_bytes
MAX_TEXT_CHARS = 8_000


class CodePaintEnv(gym.Env[dict, str]):
    """Write a program that draws; get its picture, feedback and a reward.

    ## Description

    Each episode is one task from a task suite (a prompt such as "Paint a peach hibiscus in loose
    watercolour", a language and tags). The agent answers with a program (a model completion,
    possibly with Markdown fences: the code is extracted). The program is rendered in the
    contained renderer and scored by a reward object from :mod:`rewards`. With ``max_turns > 1``
    the episode is a refinement loop: the agent sees its last picture and feedback (render
    errors, the judge's rationale, the reward breakdown, how much of the picture its last edit
    changed) and submits an edited program.

    The ids ``CodePaint/P5Brush-v0``, ``P5-v1``, ``SVG-v1``, ``HTML-v1``, ``Python-v1`` and
    ``TikZ-v1`` are presets of this class (``language=...``).

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
      built with :func:`rewards.make_reward`. Default (``None``): ``codepaint_env.default_reward``
      of the tasks, the one default of every door: ``"gate:0.3,checks:0.7"`` for tasks that carry
      ``checks`` (the ``shapes`` suite: verifiable checks on the picture, offline and prompt-aware),
      ``"gate:0.3,classic:0.7"`` for the others. ``info["reward_spec"]`` names the spec a step
      was scored with.
    * ``tasks``: a built-in suite name, a JSONL path, a list of :class:`~codepaint_env.tasks.Task`,
      or ``None`` (every built-in task of ``language``). ``split``: ``train``, ``eval`` or ``None``.
    * ``max_turns``, ``reward_mode``, ``no_change_penalty``, ``success_threshold``,
      ``unjudged_reward``: see above.
    * ``size``: render and observation size (``512`` or ``(W, H)``). ``render_seed``: the seed
      the program's randomness is fixed to. ``renderer``: a shared render service, a
      :class:`~codepaint_env.render.Renderer` or a ``RayRenderer`` (default: the process-wide one).
    * ``render_mode``: ``None`` or ``"rgb_array"`` (the last picture).
    * ``feedback``: ``"short"`` (what failed and why, the score, the judge's notes when there are
      any, how much the edit changed the picture) or ``"full"`` (also every breakdown entry).

    ## Version History

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
        size: int | tuple[int, int] | str = 512,
        reward_mode: str = "absolute",
        no_change_penalty: float = 0.0,
        success_threshold: float | None = None,
        unjudged_reward: float = 0.0,
        render_seed: int = 0,
        renderer: RenderService | None = None,
        render_mode: str | None = None,
        feedback: str = "short",
    ) -> None:
        from codepaint_env.render import LANGUAGES

        if language not in LANGUAGES:
            raise ValueError(f"language {language!r}: choose one of {', '.join(LANGUAGES)}")
        if max_turns < 1:
            raise ValueError("max_turns must be at least 1 (1 = single-turn)")
        if reward_mode not in ("absolute", "improvement"):
            raise ValueError("reward_mode must be 'absolute' or 'improvement'")
        if render_mode not in (None, "rgb_array"):
            raise ValueError("render_mode must be None or 'rgb_array'")
        self.language = language
        self.tasks = resolve_tasks(tasks, language, split)
        self.reward_spec = default_reward(self.tasks) if reward is None else spec_text(reward)
        self.reward_fn = build_reward(self.reward_spec if reward is None else reward)
        self.max_turns = max_turns
        self.width, self.height = parse_size(size)
        self.reward_mode = reward_mode
        self.no_change_penalty = float(no_change_penalty)
        self.success_threshold = success_threshold
        self.unjudged_reward = float(unjudged_reward)
        if feedback not in ("short", "full"):
            raise ValueError(f"feedback must be 'short' or 'full', not {feedback!r}")
        self.feedback = feedback
        self.render_seed = int(render_seed)
        self.renderer = renderer
        self.render_mode = render_mode

        self.action_space = CodeText(MAX_CODE_CHARS)
        self.observation_space = spaces.Dict({
            "prompt": CodeText(MAX_TEXT_CHARS),
            "code": CodeText(MAX_CODE_CHARS),
            "image": spaces.Box(0, 255, (self.height, self.width, 3), np.uint8),
            "feedback": CodeText(MAX_TEXT_CHARS),
            "turn": spaces.Discrete(max_turns + 1),
        })
        self.task: Task | None = None
        self._turn = 0
        self._ended = False
        self._code = ""
        self._image = np.zeros((self.height, self.width, 3), np.uint8)
        self._feedback = ""
        self._last_render: RenderResult | None = None  # the last picture really rendered
        #: The result of the most recent render (an ``infra`` one included); None before any.
        self.last_result: RenderResult | None = None
        self._last_value: float | None = None
        self._curriculum: Any = None

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
        return bool(getattr(self.reward_fn, "deterministic", True))

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
        self._curriculum = options.get("curriculum")
        if self._curriculum is not None and options.get("task") is None:
            options = {**options, "task": self._curriculum.sample()}
        self.task = self._choose_task(options)
        self._turn = 0
        self._ended = False
        self._code = ""
        self._image = np.zeros((self.height, self.width, 3), np.uint8)
        self._feedback = ""
        self._last_render = None
        self.last_result = None
        self._last_value = None
        info: dict[str, Any] = {"task_id": self.task.id, "turn": 0}
        if options.get("code"):
            self._code = extract_code(options["code"], self.language)
            res = self._render(self._code)
            self._last_render = self.last_result = res
            self._image = self._to_obs_image(res)
            self._feedback = "Starting program rendered: " + _render_line(res) + _cut_note(self._code)
            info["render"] = _render_summary(res)
            info["code_truncated"] = len(self._code) > MAX_CODE_CHARS
        return self._obs(), info

    def step(self, action: str | bytes) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Render the program in ``action``, score it, and report what changed.

        Raises:
            ValueError: For an action of bytes that are not UTF-8 (pass a ``str``).
        """
        return step_batch([self], [action])[0]

    def _begin_turn(self, code: str) -> tuple[str, concurrent.futures.Future]:
        """Start a turn: start the render of its extracted program (answered by the future)."""
        from codepaint_env.render import default_renderer

        self._check_steppable()
        self._turn += 1
        renderer = self.renderer or default_renderer()
        future = renderer.submit(code, self.language, size=(self.width, self.height), seed=self.render_seed)
        return code, future

    def _check_steppable(self) -> None:
        """Raise Gymnasium's usage error unless an episode is under way (``reset()`` first)."""
        if self.task is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        if self._ended:
            raise gym.error.ResetNeeded(
                f"this episode ended (terminated on turn {self._turn} of {self.max_turns}): call reset() "
                "before step(); a vector env or a wrapper with autoreset does it for you")

    def _sample(self, code: str, res: RenderResult) -> Sample:
        """What the reward scores for this turn's render."""
        from rewards.base import Sample

        assert self.task is not None
        return Sample(code=code, language=self.language, render=res, prompt=self.task.prompt,
                      meta={**self.task.columns(), "turn": self._turn}, previous=self._last_render)

    def _end_turn(self, code: str, res: RenderResult, result: RewardResult
                  ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Finish a turn with its render and its reward: the step's answer."""
        from rewards.change import measure_change

        assert self.task is not None
        self.last_result = res
        infra = res.error_kind == "infra"
        before = self._last_render
        change = None if before is None or infra else measure_change(before, res)
        no_change = change is not None and not change.changed

        value = result.value
        judged = value is not None
        if value is None:
            reward = self.unjudged_reward
        elif self.reward_mode == "improvement":
            reward = value - (self._last_value if self._last_value is not None else 0.0)
        else:
            reward = value
        if judged and no_change and self.no_change_penalty:  # shaping applies to judged steps only
            reward -= self.no_change_penalty
        terminated = self._turn >= self.max_turns or (
            value is not None and self.success_threshold is not None and value >= self.success_threshold)

        self._code = code
        self._ended = bool(terminated)
        if not infra:  # the next step compares with the last picture that was really rendered
            self._image = self._to_obs_image(res)
            self._last_render = res
        self._feedback = self._compose_feedback(res, result, before, change, no_change)
        if value is not None:
            self._last_value = value
        if terminated and self._curriculum is not None:
            self._curriculum.observe([self.task.level], [result])
        info = {
            "task_id": self.task.id,
            "turn": self._turn,
            "render": _render_summary(res),
            "reward": result.to_dict(),
            "reward_spec": self._task_reward_spec(),
            "judged": judged,
            "unknown_api": list(res.unknown_api),
            "visible_change": None if change is None else change.to_dict(),
            "no_change": no_change,
            "code_truncated": len(code) > MAX_CODE_CHARS,
        }
        return self._obs(), float(reward), bool(terminated), False, info

    def _task_reward_spec(self) -> str:
        """The spec this task was scored with (the default's, resolved for the task's kind)."""
        if self.reward_spec == DEFAULT_REWARD:
            return default_spec(carries_checks(self.task))
        return self.reward_spec

    def render(self) -> np.ndarray | None:  # type: ignore[override]
        """The last picture (``render_mode="rgb_array"``)."""
        return self._image.copy() if self.render_mode == "rgb_array" else None

    # ------------------------------------------------------------------ internals
    def _choose_task(self, options: dict[str, Any]) -> Task:
        from codepaint_env.tasks import Task

        if "task" in options and options["task"] is not None:
            t = options["task"]
            if isinstance(t, Task):
                return t
            if isinstance(t, dict):
                return Task.from_row({"language": self.language, **t}, "reset(options['task'])")
            for task in self.tasks:
                if task.id == t:
                    return task
            raise ValueError(f"no task {t!r} in this environment's {len(self.tasks)} tasks")
        if options.get("prompt"):
            return Task(id="custom", prompt=str(options["prompt"]), language=self.language,
                        size=(self.width, self.height), suite="custom")
        if not self.tasks:
            raise ValueError(f"no tasks for {self.language}: pass tasks=... or options={{'prompt': ...}}")
        return self.tasks[int(self.np_random.integers(len(self.tasks)))]

    def _render(self, code: str) -> RenderResult:
        from codepaint_env.render import default_renderer

        renderer = self.renderer or default_renderer()
        return renderer.render(code, self.language, size=(self.width, self.height), seed=self.render_seed)

    def _to_obs_image(self, res: RenderResult) -> np.ndarray:
        im = res.image if res.png is not None else None
        if im is None:
            return np.zeros((self.height, self.width, 3), np.uint8)
        if im.size != (self.width, self.height):
            im = im.resize((self.width, self.height), Image.Resampling.BILINEAR)
        return np.asarray(im, dtype=np.uint8).copy()

    def _obs(self) -> dict[str, Any]:
        prompt = self.task.prompt if self.task is not None else ""
        return {"prompt": prompt[:MAX_TEXT_CHARS], "code": self._code[:MAX_CODE_CHARS],
                "image": self._image.copy(), "feedback": self._feedback[:MAX_TEXT_CHARS],
                "turn": self._turn}

    def _compose_feedback(self, res: RenderResult, result: RewardResult, before: RenderResult | None,
                          change: ChangeMeasure | None, no_change: bool) -> str:
        lines = [f"Turn {self._turn} of {self.max_turns}. " + _render_line(res) + _cut_note(self._code)]
        if result.value is None:
            lines.append(f"Reward: not judged ({result.reason}).")
        else:
            parts = ", ".join(f"{k} {v:.2f}" for k, v in result.breakdown.items() if v is not None)
            full = self.feedback == "full" and parts
            lines.append(f"Reward: {result.value:.3f}" + (f" ({parts})" if full else "") + ".")
        note = result.rationale.strip()
        if note and note != "passed" and not note.startswith("render failed"):
            lines.append(f"Notes: {note[:1500]}")
        if change is not None:
            lines.append(_change_line(before, res, change, no_change))
        return "\n".join(lines)


def _render_summary(res: RenderResult) -> dict[str, Any]:
    """What ``info["render"]`` holds: the result's summary without its wall-clock timings.

    How long a render took is a measurement of the machine, not the environment's state: two
    steps from the same seed and action must have equal ``info`` (``check_env`` compares them).
    :class:`~codepaint_env.envs.wrappers.RenderTimings` adds the timings for whoever wants them.
    """
    return {k: v for k, v in res.summary().items() if k != "timings_ms"}


def _cut_note(code: str) -> str:
    """A sentence saying ``obs["code"]`` is cut, when the program is longer than the limit; else ""."""
    if len(code) <= MAX_CODE_CHARS:
        return ""
    return (f" The program is {len(code):,} characters; obs['code'] holds its first {MAX_CODE_CHARS:,} "
            "(the limit of the observation and action spaces).")


def _change_line(before: RenderResult | None, after: RenderResult, change: ChangeMeasure, no_change: bool
                 ) -> str:
    """The feedback line on what this turn's edit did to the picture.

    When either render drew no picture (it failed), the line says so: a failed render after a
    good picture broke it, one after a failure fixed it; a pixel count would say "100.0 %" of both.
    """
    had, has = _has_picture(before), _has_picture(after)
    if not has:
        return ("Your edit did not fix the render: it still fails." if not had else
                "Your edit broke the render: it drew no picture, so there is nothing to compare with "
                "the last one.")
    if not had:
        return "Your edit fixed the render: it draws a picture again."
    if no_change:
        return "Your edit changed nothing visible."
    return f"Your edit changed {change.pixel_fraction:.1%} of the pixels."


def _has_picture(res: RenderResult | None) -> bool:
    """Whether a render drew a picture the change measure compares (a blank canvas counts)."""
    return res is not None and res.png is not None and (res.ok or res.error_kind == "blank")


def _render_line(res: RenderResult) -> str:
    if res.error_kind == "infra":
        return ("The program could not be rendered this time, for a reason outside it (the renderer "
                "failed); it is not judged.")
    if res.ok:
        extra = f" Unknown API used: {', '.join(res.unknown_api[:5])}." if res.unknown_api else ""
        return "The program rendered." + extra
    msg = f" {res.messages[0][:500]}" if res.messages else ""
    extra = f" Unknown API: {', '.join(res.unknown_api[:5])}." if res.unknown_api else ""
    return f"The program failed to render ({res.error_kind}).{msg}{extra}"


def step_batch(envs: Sequence[CodePaintEnv], actions: Sequence[str | bytes]
               ) -> list[tuple[dict[str, Any], float, bool, bool, dict[str, Any]]]:
    """Step several environments at once: every render concurrently, one reward call per reward.

    :meth:`CodePaintEnv.step` is this with one environment; :class:`~codepaint_env.envs.vector.
    CodePaintVectorEnv` steps its N environments through it. The renders are submitted together
    to each environment's renderer (one shared renderer renders them side by side), then the
    samples of environments sharing a reward object are scored in one ``score`` call, in order:
    a judge gets one batch, a group reward sees the whole group.

    Returns:
        One ``(obs, reward, terminated, truncated, info)`` per environment, in order.

    Raises:
        gymnasium.error.ResetNeeded: When an environment has no task yet, or its episode ended
            (``reset()`` first).
        ValueError: When an action is bytes that are not UTF-8 (no environment has moved).
    """
    if len(envs) != len(actions):
        raise ValueError(f"{len(actions)} actions for {len(envs)} environments")
    for env in envs:  # every usage error before any render starts
        env._check_steppable()
    codes = [extract_code(action, env.language) for env, action in zip(envs, actions, strict=True)]
    started = [env._begin_turn(code) for env, code in zip(envs, codes, strict=True)]
    renders = [future.result() for _, future in started]
    samples = [env._sample(code, res) for env, (code, _), res in zip(envs, started, renders, strict=True)]
    by_reward: dict[int, list[int]] = {}
    for i, env in enumerate(envs):
        by_reward.setdefault(id(env.reward_fn), []).append(i)
    scored: list[RewardResult | None] = [None] * len(envs)
    for members in by_reward.values():
        results = envs[members[0]].reward_fn.score([samples[i] for i in members])
        for i, result in zip(members, results, strict=True):
            scored[i] = result
    return [env._end_turn(code, res, result)  # type: ignore[arg-type]  (every index was scored)
            for env, (code, _), res, result in zip(envs, started, renders, scored, strict=True)]


def build_reward(reward: Any) -> Reward:
    """A reward object from any spec :func:`rewards.make_reward` takes.

    An id, ``"gate:0.3,classic:0.7"``, ``{id: weight}``, ``[(spec, weight), ...]``, a class or an object.
    """
    import rewards

    return rewards.make_reward(reward)


def spec_text(reward: Any) -> str:
    """How a reward argument is recorded: a spec as written, an object or a class by its name."""
    if isinstance(reward, str):
        return reward
    if isinstance(reward, type):
        return f"{reward.__module__}:{reward.__qualname__}"
    return repr(reward) if hasattr(reward, "score") else str(reward)


def resolve_tasks(tasks: Any, language: str, split: str | None) -> list[Task]:
    """The task list for an environment (see the ``tasks`` argument)."""
    from pathlib import Path

    from codepaint_env.tasks import Task, all_tasks, builtin_suites, load_suite, load_tasks

    if tasks is None:
        found = all_tasks(split=split, language=language)
    elif isinstance(tasks, str) and tasks in builtin_suites():
        found = load_suite(tasks, split=split, language=language)
    elif isinstance(tasks, (str, Path)):
        found = [t for t in load_tasks(tasks) if split is None or t.split == split]
    else:
        # a task row without a language is in the environment's
        found = [t if isinstance(t, Task) else Task.from_row({"language": language, **t}, "tasks=[...]")
                 for t in tasks]
    return list(found)
