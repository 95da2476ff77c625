r"""OpenEnv: a codepaint ``Environment`` for ``openenv-core``, served by OpenEnv's own app factory.

Serve one environment id (loopback by default; off loopback a token is required)::

    codepaint openenv --env CodePaint/SVG-v1 --port 8000     # or python -m codepaint_env.integrations.openenv

and use it with OpenEnv's own client (a WebSocket session: one environment per connection)::

    from openenv.core import GenericEnvClient

    with GenericEnvClient(base_url="http://127.0.0.1:8000").sync() as env:
        result = env.reset(task_id="svg-hibiscus")            # or seed=..., prompt=...
        result = env.step({"code": "<svg ...>...</svg>"})
        result.observation["feedback"], result.reward, result.done

**The episode** is every adapter's (:mod:`codepaint_env.integrations.episode`, over
:class:`~codepaint_env.envs.env.CodePaintEnv`): ``reset`` draws a task (seeded, or
``task_id``/``prompt``; the tasks come from ``--tasks``, every column of a task file read), each
``step`` renders the program in the action, scores its picture with the reward and answers the
picture (base64 PNG), the feedback text and the turn's record (the value, ``judged``, the reason,
the breakdown, ``error_kind``, ``rendered``, ``no_change``, the training monitors); ``done`` after
``max_turns`` steps (or at ``success_threshold``). The reward is the trainer config's
(:class:`~codepaint_env.scoring.trainer.TrainerConfig`: ``CODEPAINT_REWARD`` and the other
variables), or ``--reward``. A broken program is
an observation with the reward's minimum and its ``error_kind``, never an error; a step the
reward could not judge (judge down, renderer failed) has ``judged`` False and ``unjudged_reward``.

**HTTP and WebSocket.** OpenEnv's ``/ws`` is the session: every connection gets its own
environment (``SUPPORTS_CONCURRENT_SESSIONS``; at most ``--max-sessions``, idle ones reaped by
OpenEnv after ``--idle-timeout`` seconds), all over one shared renderer and one reward object.
OpenEnv's HTTP ``POST /reset`` and ``POST /step`` are stateless by design (each request builds
a fresh environment and closes it): an HTTP ``/step`` scores the first turn of an episode on the
task named by ``task_id`` or ``prompt`` beside ``action`` in the request (a seeded draw otherwise). Bad input
is a 4xx: an action that fails validation 422 (OpenEnv's), an unknown task, field or language
400 (:class:`BadRequest`).

**Auth.** OpenEnv 0.3 has none, so the door of every codepaint server
(:class:`~codepaint_env.core.auth.TokenAuth`) wraps its ASGI app: with a token every HTTP request
but ``/health`` and every WebSocket handshake needs ``Authorization: Bearer <token>`` (the scheme
in any case) or HTTP Basic auth with the token as the password; otherwise 401, with the body of
every codepaint server (a WebSocket handshake too). The token comes from ``--token-file``,
``--token`` or ``CODEPAINT_TOKEN``; off loopback the server refuses to start without one, the
rule of every codepaint server. OpenEnv's client sends no headers; :class:`CodePaintEnvClient` does.

Nothing of codepaint imports this module but ``codepaint openenv`` (lazily, when run); it needs
``openenv-core`` (which pins pillow<13 through gradio: ``scripts/install-trainer-venvs.sh`` makes
``.venvs/openenv`` for it). See docs/openenv.md.
"""

from __future__ import annotations

import argparse
import base64
import functools
import os
import sys
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from codepaint_env.core.auth import (
    TOKEN_ENV,
    TokenAuth,
    TokenError,
    add_token_arguments,
    listen_refusal,
    resolve_token,
    token_from_args,
)
from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.core.network import is_loopback
from codepaint_env.envs.env import MAX_CODE_CHARS
from codepaint_env.integrations.episode import Episode, Turn, episode_reward

try:
    from openenv.core.env_client import EnvClient  # pyright: ignore[reportMissingImports]
    from openenv.core.env_server.http_server import create_app  # pyright: ignore[reportMissingImports]
    from openenv.core.env_server.interfaces import Environment  # pyright: ignore[reportMissingImports]
    from openenv.core.env_server.types import (  # pyright: ignore[reportMissingImports]
        Action,
        ConcurrencyConfig,
        EnvironmentMetadata,
        Observation,
        State,
    )
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(
        f"the OpenEnv environment needs openenv-core ({e}): pip install openenv-core==0.3.0 beside codepaint "
        "(it pins pillow<13: scripts/install-trainer-venvs.sh python3 openenv makes .venvs/openenv)") from e

if TYPE_CHECKING:
    from codepaint_env.envs.env import CodePaintEnv
    from codepaint_env.render.service import RenderService
    from codepaint_env.tasks import Task
    from rewards.base import Reward

__all__ = ["TOKEN_ENV", "BadRequest", "CodePaintAction", "CodePaintEnvClient",
           "CodePaintEnvironment", "CodePaintObservation", "CodePaintState", "Served", "app_from_environ",
           "build_app", "is_loopback", "main"]

#: The variable this server read its token from before ``CODEPAINT_TOKEN`` (still read, with a warning).
LEGACY_TOKEN_ENV = "CODEPAINT_OPENENV_TOKEN"
_RESET_KEYS = frozenset({"task_id", "prompt", "code"})


class BadRequest(ValueError):
    """A request the environment cannot serve (unknown task, field or language): HTTP 400."""


# ---------------------------------------------------------------------- the wire types
class CodePaintAction(Action):
    """A program to render and score.

    Attributes:
        code: The program, or a model completion with it in a Markdown fence (it is extracted).
        language: Optional; when given, it must be the served environment's language.
    """

    #: The language this server's environment speaks (set on the subclass :func:`build_app` serves).
    served_language: ClassVar[str | None] = None

    code: str = Field(..., max_length=MAX_CODE_CHARS, description="the program (fenced or bare)")
    language: str | None = Field(default=None, description="the program's language; must be the "
                                 "environment's (svg, p5, ...) when given")

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


class CodePaintObservation(Observation):
    """What the agent sees after a reset or a step (``done`` and ``reward`` are OpenEnv's own)."""

    prompt: str = Field(default="", description="the task's prompt")
    task_id: str = Field(default="", description="the task's id")
    language: str = Field(default="", description="the environment's language")
    code: str = Field(default="", description="the program extracted from the last action")
    feedback: str = Field(default="", description="render errors, the reward and notes, the edit's change")
    image: str | None = Field(default=None, description="the last picture, base64 PNG (None: nothing drawn)")
    turn: int = Field(default=0, ge=0, description="turns taken")
    max_turns: int = Field(default=1, ge=1, description="the turn budget")
    value: float | None = Field(default=None, description="the reward's own value (None: not judged)")
    judged: bool | None = Field(default=None, description="whether the reward could judge this step")
    reason: str | None = Field(default=None, description="why the step was not judged")
    reward_breakdown: dict[str, float | None] = Field(default_factory=dict,
                                                      description="the reward's named parts")
    error_kind: str | None = Field(default=None, description="why the program did not render (None: it did)")
    rendered: bool | None = Field(default=None, description="whether the program rendered a picture")
    no_change: bool | None = Field(default=None, description="whether the edit changed nothing visible")
    monitors: dict[str, float | None] = Field(default_factory=dict, description="the program's training "
                                              "monitors (codepaint's rewards.monitors)")


class CodePaintState(State):
    """The session's episode (``episode_id`` and ``step_count`` are OpenEnv's own)."""

    env_id: str = Field(default="", description="the served environment id")
    language: str = Field(default="", description="the environment's language")
    task_id: str | None = Field(default=None, description="the episode's task")
    max_turns: int = Field(default=1, ge=1, description="the turn budget")
    done: bool = Field(default=False, description="whether the episode is over")
    last_value: float | None = Field(default=None, description="the last judged value")


# ---------------------------------------------------------------------- the environment
@dataclass
class Served:
    """What every session of one server shares: one renderer, one reward object, one task list.

    Attributes:
        env_id: The environment id (``CodePaint/SVG-v1``).
        language: Its language.
        renderer: The render service every session's environment renders with.
        reward: The reward object every session scores with.
        tasks: The tasks episodes are drawn from.
        env_kwargs: Further :class:`~codepaint_env.envs.env.CodePaintEnv` arguments
            (``max_turns``, ``size``, ``reward_mode``...).
    """

    env_id: str
    language: str
    renderer: RenderService
    reward: Reward
    tasks: list[Task]
    env_kwargs: dict[str, Any]

    @classmethod
    def build(cls, env_id: str = "CodePaint/SVG-v1", *, reward: str | None = None, tasks: str | None = None,
              split: str | None = "train", renderer: RenderService | None = None, **env_kwargs: Any
              ) -> Served:
        """Resolve an environment id, build its reward once and load its tasks once.

        Args:
            env_id: A registered codepaint id (``codepaint_env.env_ids()``).
            reward: A reward spec (default: the trainer config's, ``CODEPAINT_REWARD`` or
                :data:`rewards.spec.DEFAULT_REWARD`, offline).
            tasks: A built-in suite name or a JSONL path (default: every task of the language).
            split: The task split (``None``: all).
            renderer: The shared render service (default: a new :class:`~codepaint_env.render.Renderer`).
            **env_kwargs: :class:`~codepaint_env.envs.env.CodePaintEnv` arguments.

        Raises:
            BadRequest: An unknown environment id.
        """
        import codepaint_env
        from codepaint_env.envs.env import resolve_tasks
        from codepaint_env.render import Renderer

        ids = codepaint_env.env_ids()
        if env_id not in ids:
            raise BadRequest(f"unknown environment id {env_id!r}; known: {', '.join(sorted(ids))}")
        language = ids[env_id]
        renderer = renderer if renderer is not None else Renderer()
        built = episode_reward(reward, renderer=renderer)
        return cls(env_id=env_id, language=language, renderer=renderer, reward=built,
                   tasks=resolve_tasks(tasks, language, split), env_kwargs=dict(env_kwargs))

    def make_env(self) -> CodePaintEnv:
        """A fresh environment over the shared renderer, reward and tasks (cheap: nothing starts)."""
        from codepaint_env.envs.env import CodePaintEnv

        return CodePaintEnv(language=self.language, reward=self.reward, tasks=self.tasks, split=None,
                            renderer=self.renderer, **self.env_kwargs)


class CodePaintEnvironment(Environment):  # pyright: ignore[reportUntypedBaseClass]
    """A codepaint task as an OpenEnv ``Environment`` (see the module docstring).

    OpenEnv builds one per WebSocket session (and one per stateless HTTP request) from the
    factory :func:`build_app` gives it: ``functools.partial(CodePaintEnvironment, served)``.

    Args:
        served: What every session shares (renderer, reward, tasks, environment arguments).
    """

    SUPPORTS_CONCURRENT_SESSIONS: ClassVar[bool] = True

    def __init__(self, served: Served) -> None:
        super().__init__()
        self.served = served
        self.env = served.make_env()
        self.episode: Episode | None = None
        self._state = CodePaintState(env_id=served.env_id, language=served.language,
                                     max_turns=self.env.max_turns)
        self._lock = threading.RLock()  # one call at a time per session

    # ------------------------------------------------------------------ OpenEnv's API
    def reset(self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any
              ) -> CodePaintObservation:
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
        options: dict[str, Any] = {}
        if kwargs.get("task_id") is not None:
            options["task"] = str(kwargs["task_id"])
        if kwargs.get("prompt"):
            options["prompt"] = str(kwargs["prompt"])
        if kwargs.get("code"):
            options["code"] = str(kwargs["code"])
        with self._lock:
            try:
                obs, _ = self.env.reset(seed=seed, options=options)
            except ValueError as e:  # no such task, or no tasks and no prompt
                raise BadRequest(str(e)) from None
            self.episode = Episode(self.env)
            assert self.env.task is not None
            self._state = CodePaintState(episode_id=episode_id or str(uuid.uuid4()), step_count=0,
                                         env_id=self.served.env_id, language=self.served.language,
                                         task_id=self.env.task.id, max_turns=self.env.max_turns)
            return self._observation(obs, done=False)

    def step(self, action: CodePaintAction, timeout_s: float | None = None, **kwargs: Any
             ) -> CodePaintObservation:
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
            if self.episode.done:
                raise BadRequest("the episode is over: reset to start another")
            turn = self.episode.step(action.code)
            self._state.step_count += 1
            self._state.done = self.episode.done
            if turn.value is not None:
                self._state.last_value = float(turn.value)
            obs = {"prompt": self.episode.task.prompt, "code": turn.code, "feedback": turn.feedback,
                   "turn": turn.turn}
            return self._observation(obs, done=self.episode.done, turn=turn)

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
            name=self.served.env_id,
            description=(f"Write a {self.served.language} program that draws what the prompt asks; "
                         "codepaint renders it in a sandbox and scores the picture."),
            version=ver, author="codepaint", documentation_url="https://github.com/codepaint/codepaint")

    def close(self) -> None:
        """Nothing to free: the renderer and the reward are the server's, shared by every session."""

    # ------------------------------------------------------------------ internals
    def _observation(self, obs: dict[str, Any], *, done: bool, turn: Turn | None = None
                     ) -> CodePaintObservation:
        res = self.env.last_result
        image = None if res is None or res.png is None else base64.b64encode(res.png).decode("ascii")
        record: dict[str, Any] = {}
        if turn is not None:  # the turn's record (a reset has none)
            record = {"reward": turn.reward, "value": turn.value, "judged": turn.judged,
                      "reason": turn.reason, "reward_breakdown": dict(turn.breakdown),
                      "error_kind": turn.error_kind, "rendered": turn.rendered, "no_change": turn.no_change,
                      "monitors": dict(turn.monitors)}
        return CodePaintObservation(
            done=done, prompt=obs["prompt"], task_id=self._state.task_id or "", language=self.served.language,
            code=obs["code"], feedback=obs["feedback"], image=image, turn=int(obs["turn"]),
            max_turns=self.env.max_turns, **record)


class CodePaintEnvClient(EnvClient):  # pyright: ignore[reportUntypedBaseClass]
    """OpenEnv's WebSocket client for this environment, typed, with an optional bearer token.

    ``EnvClient`` opens its WebSocket without headers; this one sends ``Authorization`` when
    given a token (a server off loopback requires one). Use it as any OpenEnv client::

        async with CodePaintEnvClient("http://host:8000", token=secret) as env:
            result = await env.reset(task_id="svg-hibiscus")
            result = await env.step(CodePaintAction(code=program))

    Args:
        base_url: The server's URL (``http://`` or ``ws://``).
        token: The server's bearer token, or ``None``.
        **kwargs: ``EnvClient``'s own (``connect_timeout_s``, ``message_timeout_s``...).
    """

    def __init__(self, base_url: str, *, token: str | None = None, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self._token = token

    async def connect(self) -> CodePaintEnvClient:
        """Open the WebSocket session (with the token, when there is one)."""
        if self._ws is not None:
            return self
        from websockets.asyncio.client import connect as ws_connect  # pyright: ignore[reportMissingImports]

        headers = {"Authorization": f"Bearer {self._token}"} if self._token else None
        try:
            self._ws = await ws_connect(self._ws_url, open_timeout=self._connect_timeout,
                                        max_size=self._max_message_size, additional_headers=headers,
                                        proxy=None)
        except Exception as e:
            raise ConnectionError(f"Failed to connect to {self._ws_url}: {e}") from e
        return self

    def _step_payload(self, action: CodePaintAction | dict[str, Any]) -> dict[str, Any]:
        if isinstance(action, dict):
            return action
        return action.model_dump(exclude={"metadata"}, exclude_none=True)

    def _parse_result(self, payload: dict[str, Any]) -> Any:
        from openenv.core.client_types import StepResult  # pyright: ignore[reportMissingImports]

        obs = CodePaintObservation(**payload.get("observation", {}), done=payload.get("done", False),
                                   reward=payload.get("reward"))
        return StepResult(observation=obs, reward=payload.get("reward"), done=payload.get("done", False))

    def _parse_state(self, payload: dict[str, Any]) -> CodePaintState:
        return CodePaintState(**payload)


# ---------------------------------------------------------------------- the app and the command
def build_app(served: Served, *, max_sessions: int = 8, idle_timeout_s: float | None = 600.0,
              token: str | None = None) -> Any:
    """OpenEnv's FastAPI app (``create_app``) for one environment, behind the token guard if any.

    Args:
        served: The environment id, shared renderer, reward and tasks.
        max_sessions: Concurrent WebSocket sessions (each its own environment).
        idle_timeout_s: Seconds a session may stay idle before OpenEnv reaps it (``None``: never).
            Keep it above the slowest step (a judge's call): a session mid-step is idle to OpenEnv.
        token: The token every request needs (``None``: none; only for loopback).

    Returns:
        The ASGI app: OpenEnv's, or :class:`~codepaint_env.core.auth.TokenAuth` around it.
    """
    from fastapi import Request
    from fastapi.responses import JSONResponse

    action_cls = type("CodePaintAction", (CodePaintAction,), {"served_language": served.language,
                                                              "__module__": __name__})
    config = ConcurrencyConfig(max_concurrent_envs=max_sessions, session_timeout=idle_timeout_s)
    app = create_app(functools.partial(CodePaintEnvironment, served), action_cls, CodePaintObservation,
                     env_name="codepaint", concurrency_config=config)

    async def bad_request(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    app.add_exception_handler(BadRequest, bad_request)
    app.state.codepaint = served
    return TokenAuth(app, token) if token else app


def app_from_environ() -> Any:
    """The app for ``uvicorn --factory codepaint_env.integrations.openenv:app_from_environ``.

    Reads ``CODEPAINT_OPENENV_ENV`` (default ``CodePaint/SVG-v1``), ``CODEPAINT_REWARD``,
    ``CODEPAINT_OPENENV_MAX_TURNS`` (default 3) and the token from ``CODEPAINT_TOKEN`` or
    ``CODEPAINT_TOKEN_FILE`` (:func:`~codepaint_env.core.auth.resolve_token`). Prefer the module's
    command, which also refuses a non-loopback address without a token.
    """
    served = Served.build(os.environ.get("CODEPAINT_OPENENV_ENV", "CodePaint/SVG-v1"),
                          reward=os.environ.get("CODEPAINT_REWARD") or None,
                          max_turns=int(os.environ.get("CODEPAINT_OPENENV_MAX_TURNS", "3")))
    token = resolve_token(legacy_env=LEGACY_TOKEN_ENV, warn=lambda m: print(f"warning: {m}", file=sys.stderr))
    return build_app(served, token=token)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="codepaint openenv",  # also python -m codepaint_env.integrations.openenv
                                description="Serve a codepaint environment with OpenEnv's app "
                                            "(POST /reset, /step, GET /state, /schema, /health, WS /ws).")
    p.add_argument("--env", default="CodePaint/SVG-v1", help="the environment id (default CodePaint/SVG-v1)")
    p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1; off loopback "
                   "a token is required)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    add_token_arguments(p)
    p.add_argument("--reward", default=None, help="reward spec (default: codepaint_env.default_reward of "
                   "the tasks: gate:0.3,checks:0.7 with checks, else gate:0.3,classic:0.7; offline)")
    p.add_argument("--tasks", default=None, help="a task suite name or JSONL path (default: the language's)")
    p.add_argument("--split", default="train", help="task split: train, eval or all (default train)")
    p.add_argument("--max-turns", type=int, default=3, help="turns per episode (default 3)")
    p.add_argument("--size", default="512", help="render size, 512 or WxH (default 512)")
    p.add_argument("--feedback", default="short", choices=("short", "full"), help="feedback detail")
    p.add_argument("--max-sessions", type=int, default=8, help="concurrent WebSocket sessions (default 8)")
    p.add_argument("--idle-timeout", type=float, default=600.0, metavar="S",
                   help="reap sessions idle this many seconds (default 600; 0: never)")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Serve one environment id with OpenEnv's app (the module's command line).

    Returns:
        The exit code: 0 after a clean shutdown, 2 for a usage error.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.max_turns < 1 or args.max_sessions < 1 or args.idle_timeout < 0:
        parser.error("--max-turns and --max-sessions must be at least 1, --idle-timeout at least 0")
    try:
        token = token_from_args(args, legacy_env=LEGACY_TOKEN_ENV,
                                warn=lambda m: print(f"warning: {m}", file=sys.stderr))
    except TokenError as e:
        parser.error(str(e))
    refusal = listen_refusal(args.host, token)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 2
    import uvicorn

    try:
        served = Served.build(args.env, reward=args.reward, tasks=args.tasks,
                              split=None if args.split == "all" else args.split,
                              max_turns=args.max_turns, size=args.size, feedback=args.feedback)
    except (BadRequest, ValueError) as e:
        parser.error(str(e))
    app = build_app(served, max_sessions=args.max_sessions, idle_timeout_s=args.idle_timeout or None,
                    token=token)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    finally:
        close = getattr(served.renderer, "close", None)
        if callable(close):
            close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
