"""OpenEnv's wire types and the codepaint ``Environment``: one episode core session per connection.

The observation's fields are the turn's record (:class:`~codepaint_env.episode.Turn`), made from
its dataclass fields, plus what a reset already knows (``prompt``, ``task_id``, ``language``,
``max_turns``) and the picture (``image``, base64 PNG): a field added to the record reaches OpenEnv
with no edit here.

**Search before drawing** (``codepaint openenv --tools search``, or ``CODEPAINT_TOOLS``): an action
``{"tool": "search", "query": "flag of Sweden", "k": 3}`` (or ``search_references``) is a search step:
nothing is drawn; the observation's ``feedback`` is the result and the calls left, ``tool_result``
each call's result (the cards' ids and texts, or the references), ``tool_calls`` and ``retrieved``
the episode's so far, the reward 0.0, ``done`` False; ``step_count`` counts it. ``code`` and ``tool``
are exclusive (422 for both or neither); a tool the server does not offer is a 400.
"""

from __future__ import annotations

import base64
import dataclasses
import threading
import typing
import uuid
from typing import Any, ClassVar, Optional

from pydantic import Field, create_model, field_validator, model_validator
from pydantic_core import PydanticCustomError

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.episode import Episode, EpisodeOver, EpisodeResources, EpisodeSettings, ToolCall, Turn
from codepaint_env.episode.feedback import MAX_CODE_CHARS

try:
    from openenv.core.env_server.interfaces import Environment  # pyright: ignore[reportMissingImports]
    from openenv.core.env_server.types import (  # pyright: ignore[reportMissingImports]
        Action,
        EnvironmentMetadata,
        Observation,
        State,
    )
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(
        f"the OpenEnv environment needs openenv-core ({e}): pip install openenv-core==0.3.0 beside codepaint "
        "(it pins pillow<13: scripts/install-trainer-venvs.sh python3 openenv makes .venvs/openenv)") from e

__all__ = ["BadRequest", "CodePaintAction", "CodePaintEnvironment", "CodePaintObservation", "CodePaintState",
           "serve_resources"]

_RESET_KEYS = frozenset({"task_id", "prompt", "code"})


class BadRequest(ValueError):
    """A request the environment cannot serve (unknown task, field or language): HTTP 400."""


# ---------------------------------------------------------------------- the wire types
class CodePaintAction(Action):
    """A program to render and score, or a search tool to call.

    Attributes:
        code: The program, or a model completion with it in a Markdown fence (it is extracted).
        language: Optional; when given, it must be the served environment's language.
        tool: Instead of ``code``: a search tool (``search``, ``search_references``) the server offers.
        query: The tool's query (a few words).
        k: How many results (default: the tool's own, 3 or 2).
    """

    #: The language this server's environment speaks (set on the subclass the server serves).
    served_language: ClassVar[str | None] = None

    code: str | None = Field(default=None, max_length=MAX_CODE_CHARS,
                             description="the program (fenced or bare); or give tool and query")
    language: str | None = Field(default=None, description="the program's language; must be the "
                                 "environment's (svg, p5, ...) when given")
    tool: str | None = Field(default=None, max_length=64, description="a search tool to call instead of "
                             "drawing: search, search_references")
    query: str | None = Field(default=None, max_length=1000, description="the tool's query (a few words)")
    k: int | None = Field(default=None, ge=1, le=100, description="how many results (the tool caps it at 5)")

    @model_validator(mode="after")
    def _code_or_tool(self) -> CodePaintAction:
        if (self.code is None) == (self.tool is None):
            raise PydanticCustomError("code_or_tool", "give code (a program to draw) or tool and query (a "
                                      "search), not both and not neither", {})
        return self

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        served = cls.served_language
        if served is not None and value != served:
            # a PydanticCustomError, not a ValueError: OpenEnv puts e.errors() in its 422 as JSON
            raise PydanticCustomError("wrong_language", "this server's environment renders {served}, "
                                      "not {value}", {"served": served, "value": value})
        return value


class _ObservationBase(Observation):
    """What a reset knows; the turn's record is added field by field (``done``, ``reward``: OpenEnv's)."""

    prompt: str = Field(default="", description="the task's prompt")
    task_id: str = Field(default="", description="the task's id")
    language: str = Field(default="", description="the environment's language")
    max_turns: int = Field(default=1, ge=1, description="the turn budget")
    image: str | None = Field(default=None, description="the last picture, base64 PNG (None: nothing drawn)")
    reward_breakdown: dict[str, float | None] = Field(
        default_factory=dict, description="the reward's named parts (the record's breakdown, old name)")


def _record_fields() -> dict[str, Any]:
    """The observation fields of the turn's record: each :class:`Turn` field, optional (a reset has none)."""
    hints = typing.get_type_hints(Turn)
    out: dict[str, Any] = {}
    for f in dataclasses.fields(Turn):
        if f.name in Observation.model_fields:  # ``reward``: OpenEnv's own, the same value
            continue
        kind = hints[f.name]
        default: Any = None
        if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            default = f.default_factory()  # type: ignore[misc]
        elif f.default is not dataclasses.MISSING:
            default = f.default
        if f.name in ("code", "feedback"):
            default = ""
        elif f.name == "turn":
            default = 0
        out[f.name] = (Optional[kind], Field(default=default, description=f"the turn's {f.name}"))  # noqa: UP045
    out["tool_result"] = (Optional[list[dict[str, Any]]], Field(  # noqa: UP045
        default=None, description="a search step's results, one per call (None after a drawing turn)"))
    return out


#: What the agent sees after a reset or a step: :class:`_ObservationBase`'s fields and the turn's record.
CodePaintObservation = create_model("CodePaintObservation", __base__=_ObservationBase,
                                    __module__=__name__, **_record_fields())


class CodePaintState(State):
    """The session's episode (``episode_id`` and ``step_count`` are OpenEnv's own)."""

    env_id: str = Field(default="", description="the served environment id")
    language: str = Field(default="", description="the environment's language")
    task_id: str | None = Field(default=None, description="the episode's task")
    max_turns: int = Field(default=1, ge=1, description="the turn budget")
    done: bool = Field(default=False, description="whether the episode is over")
    last_value: float | None = Field(default=None, description="the last judged value")


# ---------------------------------------------------------------------- the shared resources
def serve_resources(env_id: str = "CodePaint/SVG-v4", *, reward: str | None = None, tasks: str | None = None,
                    split: str | None = "train", renderer: Any = None, **settings: Any) -> EpisodeResources:
    """The episode resources every session of one server shares: one renderer, one reward, the tasks.

    Args:
        env_id: A codepaint id (``codepaint_env.env_ids()``; unversioned: the latest), read as
            ``gym.make`` reads it (:func:`~codepaint_env.registration.resolve_env_id`): the language.
        reward: A reward spec over the trainer config's (default: ``CODEPAINT_REWARD``, else the
            one default of every door).
        tasks: A built-in suite name or a JSONL path (default: every task of the language).
        split: The task split (``None``: all).
        renderer: The shared render service (default: a :class:`~codepaint_env.render.Renderer` of
            the resources' own, closed with them).
        **settings: :class:`~codepaint_env.episode.EpisodeSettings` fields (``max_turns``, ``size``...).

    Raises:
        BadRequest: An unknown environment id, or a deprecated version (the message names the id to use).
        ValueError: A setting out of range.
    """
    from codepaint_env.registration import env_language, resolve_env_id

    try:
        env_id = resolve_env_id(env_id)  # gym.make's rule: "CodePaint/SVG" is the latest version
        language = env_language(env_id)
    except ValueError as e:
        raise BadRequest(str(e)) from None
    resources = EpisodeResources(EpisodeSettings.from_config(reward=reward, **settings), renderer=renderer,
                                 tasks=tasks, language=language, split=split, own_renderer=renderer is None)
    resources.env_id = env_id  # type: ignore[attr-defined]  (the sessions' metadata and state name it)
    resources.reward  # noqa: B018 (built at start: a bad spec stops the server now, not at a first step)
    return resources


# ---------------------------------------------------------------------- the environment
class CodePaintEnvironment(Environment):  # pyright: ignore[reportUntypedBaseClass]
    """A codepaint task as an OpenEnv ``Environment`` (see the package docstring).

    OpenEnv builds one per WebSocket session (and one per stateless HTTP request) from the
    factory the server gives it: ``functools.partial(CodePaintEnvironment, resources)``.

    Args:
        resources: What every session shares (renderer, reward, tasks, settings).
    """

    SUPPORTS_CONCURRENT_SESSIONS: ClassVar[bool] = True

    def __init__(self, resources: EpisodeResources) -> None:
        super().__init__()
        self.resources = resources
        self.env_id: str = getattr(resources, "env_id", "") or ""
        self.episode: Episode | None = None
        self._state = self._fresh_state()
        self._lock = threading.RLock()  # one call at a time per session

    def _fresh_state(self, **fields: Any) -> CodePaintState:
        return CodePaintState(env_id=self.env_id, language=self.resources.language or "",
                              max_turns=self.resources.settings.max_turns, **fields)

    # ------------------------------------------------------------------ OpenEnv's API
    def reset(self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any) -> Any:
        """Start an episode on a drawn task (seeded), or on ``task_id``, or an ad-hoc ``prompt``.

        Args:
            seed: Seeds the task draw.
            episode_id: The episode's id (default: a new UUID).
            **kwargs: ``task_id``, ``prompt`` or ``code`` (a starting program, rendered as turn 0).

        Raises:
            BadRequest: An unknown field or task.
        """
        unknown = sorted(set(kwargs) - _RESET_KEYS)
        if unknown:
            raise BadRequest(f"unknown reset field(s) {', '.join(unknown)}; known: seed, episode_id, "
                             f"{', '.join(sorted(_RESET_KEYS))}")
        task_id = kwargs.get("task_id")
        with self._lock:
            try:
                episode = self.resources.episode(task_id=None if task_id is None else str(task_id),
                                                 prompt=kwargs.get("prompt") or None, seed=seed)
            except ValueError as e:  # no such task, or no tasks and no prompt
                raise BadRequest(str(e)) from None
            if kwargs.get("code"):
                episode.start_from(str(kwargs["code"]))
            self.episode = episode
            self._state = self._fresh_state(episode_id=episode_id or str(uuid.uuid4()), step_count=0,
                                            task_id=episode.task.id)
            return self._observation(episode, None)

    def step(self, action: CodePaintAction, timeout_s: float | None = None, **kwargs: Any) -> Any:
        """Render and score the program in ``action``.

        Args:
            action: The program.
            timeout_s: Accepted for OpenEnv's signature; the renderer's own timeout applies.
            **kwargs: Over stateless HTTP (no episode yet): ``task_id``, ``prompt`` or ``seed``,
                the task of the episode this step starts (OpenEnv's ``request_id`` is ignored).

        Raises:
            BadRequest: The episode is over (reset first), or an unknown field or task.
        """
        kwargs.pop("request_id", None)  # OpenEnv's own StepRequest field, for tracking
        with self._lock:
            if self.episode is None:  # a stateless HTTP /step: this step starts an episode
                self.reset(seed=kwargs.pop("seed", None), **kwargs)
            elif kwargs:
                raise BadRequest(f"unknown step field(s) {', '.join(sorted(kwargs))} (task_id, prompt and "
                                 "seed only choose the task of a step that starts an episode)")
            assert self.episode is not None
            try:
                if action.tool is not None:
                    step = self.episode.call_tools([self._tool_call(action)])
                else:
                    step = self.episode.respond(action.code or "")
            except EpisodeOver:
                raise BadRequest("the episode is over: reset to start another") from None
            except ValueError as e:  # the server offers no tools
                raise BadRequest(str(e)) from None
            self._state.step_count += 1
            self._state.done = step.done
            if step.turn is None:
                return self._observation(self.episode, None, tools=step.info.get("tools"))
            if step.turn.value is not None:
                self._state.last_value = float(step.turn.value)
            return self._observation(self.episode, step.turn)

    @property
    def state(self) -> CodePaintState:
        """The session's episode: id, step count, task, turn budget, whether it is over."""
        return self._state

    def get_metadata(self) -> EnvironmentMetadata:
        """The served environment's name and a one-line description."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            ver = version("codepaint")
        except PackageNotFoundError:
            ver = None
        return EnvironmentMetadata(
            name=self.env_id,
            description=(f"Write a {self.resources.language} program that draws what the prompt asks; "
                         "codepaint renders it in a sandbox and scores the picture."),
            version=ver, author="codepaint", documentation_url="https://github.com/codepaint/codepaint")

    def close(self) -> None:
        """Nothing to free: the renderer and the reward are the server's, shared by every session."""

    # ------------------------------------------------------------------ internals
    def _tool_call(self, action: CodePaintAction) -> ToolCall:
        offered = self.resources.settings.tools
        if action.tool not in offered:
            known = ", ".join(offered) if offered else "none (codepaint openenv --tools search)"
            raise BadRequest(f"this server offers no tool {action.tool!r}; its tools: {known}")
        arguments: dict[str, Any] = {} if action.query is None else {"query": action.query}
        if action.k is not None:
            arguments["k"] = action.k
        return ToolCall(str(action.tool), arguments)

    def _observation(self, episode: Episode, turn: Turn | None,
                     tools: list[dict[str, Any]] | None = None) -> Any:
        res = episode.last_result
        image = None if res is None or res.png is None else base64.b64encode(res.png).decode("ascii")
        record = {} if turn is None else turn.to_dict()  # every field of the record (a reset has none)
        record.setdefault("code", episode.code)
        record.setdefault("feedback", episode.feedback)
        if episode.search_log is not None:
            record.setdefault("tool_calls", episode.tool_calls)
            record.setdefault("retrieved", episode.retrieved)
        if tools is not None:
            record.update(tool_result=tools, reward=0.0)
        return CodePaintObservation(
            done=episode.done, prompt=episode.task.prompt, task_id=episode.task.id,
            language=self.resources.language or "", image=image, max_turns=episode.max_turns,
            reward_breakdown=dict(record.get("breakdown") or {}), **record)
