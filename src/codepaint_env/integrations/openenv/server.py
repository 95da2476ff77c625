"""The OpenEnv server: OpenEnv's app (``create_app``) over the codepaint environment, on the server shell."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Sequence
from typing import Any

from codepaint_env.core.auth import TOKEN_ENV, resolve_token
from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.core.server import ListenRefused, add_listen_arguments, guard, listen_from_args, serve
from codepaint_env.episode import EpisodeResources
from codepaint_env.integrations.openenv.environment import (
    BadRequest,
    CodePaintAction,
    CodePaintEnvironment,
    CodePaintObservation,
    serve_resources,
)
from codepaint_env.render.load import CLIENT_MARGIN_S, answer_within_s

try:
    from openenv.core.env_server.http_server import create_app  # pyright: ignore[reportMissingImports]
    from openenv.core.env_server.types import ConcurrencyConfig  # pyright: ignore[reportMissingImports]
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(
        f"the OpenEnv server needs openenv-core ({e}): pip install openenv-core==0.3.0 beside codepaint"
    ) from e

__all__ = ["LEGACY_TOKEN_ENV", "TOKEN_ENV", "app_from_environ", "build_app", "main", "step_deadline"]

#: The variable this server read its token from before ``CODEPAINT_TOKEN`` (still read, with a warning).
LEGACY_TOKEN_ENV = "CODEPAINT_OPENENV_TOKEN"
#: The largest request body (a program is at most 1,000,000 characters; JSON escaping can double it).
MAX_BODY_BYTES = 4 * 1024 * 1024


def build_app(resources: EpisodeResources, *, max_sessions: int = 8, idle_timeout_s: float | None = 600.0,
              token: str | None = None, max_body_bytes: int = MAX_BODY_BYTES) -> Any:
    """OpenEnv's FastAPI app (``create_app``) for one environment, behind the server shell's guard.

    Args:
        resources: The shared renderer, reward, tasks and settings (:func:`serve_resources`).
        max_sessions: Concurrent WebSocket sessions (each its own episode).
        idle_timeout_s: Seconds a session may stay idle before OpenEnv reaps it (``None``: never).
            Keep it above the slowest step (a judge's call): a session mid-step is idle to OpenEnv.
        token: The token every request needs (``None``: none; only for loopback).
        max_body_bytes: The largest HTTP request body (``413`` above).

    Returns:
        The ASGI app: OpenEnv's, behind the token check and the body limit.
    """
    from fastapi import Request
    from fastapi.responses import JSONResponse

    action_cls = type("CodePaintAction", (CodePaintAction,), {"served_language": resources.language,
                                                              "__module__": CodePaintAction.__module__})
    config = ConcurrencyConfig(max_concurrent_envs=max_sessions, session_timeout=idle_timeout_s)
    app = create_app(functools.partial(CodePaintEnvironment, resources), action_cls, CodePaintObservation,
                     env_name="codepaint", concurrency_config=config)

    async def bad_request(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    app.add_exception_handler(BadRequest, bad_request)

    @app.get("/deadline")
    async def deadline() -> dict[str, float]:
        """How long a step may take here, so a client's read timeout can follow it."""
        return step_deadline(resources)

    app.state.codepaint = resources
    return guard(app, token=token, max_body_bytes=max_body_bytes)


def step_deadline(resources: EpisodeResources) -> dict[str, float]:
    """``GET /deadline``: how long one step's render may take here, and what a client should wait.

    A step renders one program: on a starved machine its deadline grows by the time it is owed,
    up to three times its timeout, and the first one waits for the browser to start
    (:func:`~codepaint_env.render.load.answer_within_s`). A client that gave up sooner (OpenEnv's
    own waits 60 s) would break a session the server was still serving.

    Returns:
        ``render_timeout_s``, ``step_within_s`` (the render's bound) and ``client_timeout_s``
        (that plus :data:`~codepaint_env.render.load.CLIENT_MARGIN_S`: a client's read timeout).
    """
    timeout_s = float(resources.renderer.timeout_s)
    within = answer_within_s(timeout_s)
    return {"render_timeout_s": timeout_s, "step_within_s": within,
            "client_timeout_s": within + CLIENT_MARGIN_S}


def app_from_environ() -> Any:
    """The app for ``uvicorn --factory codepaint_env.integrations.openenv:app_from_environ``.

    Reads ``CODEPAINT_OPENENV_ENV`` (default ``CodePaint/SVG-v4``), ``CODEPAINT_OPENENV_MAX_TURNS``
    (default 3), the trainer config's variables (``CODEPAINT_REWARD``...) and the token from
    ``CODEPAINT_TOKEN`` or ``CODEPAINT_TOKEN_FILE`` (:func:`~codepaint_env.core.auth.resolve_token`).
    Prefer the module's command, which also refuses a non-loopback address without a token.
    """
    resources = serve_resources(os.environ.get("CODEPAINT_OPENENV_ENV", "CodePaint/SVG-v4"),
                                max_turns=int(os.environ.get("CODEPAINT_OPENENV_MAX_TURNS", "3")))
    token = resolve_token(legacy_env=LEGACY_TOKEN_ENV, warn=lambda m: print(f"warning: {m}", file=sys.stderr))
    return build_app(resources, token=token)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="codepaint openenv",  # also python -m codepaint_env.integrations.openenv
                                description="Serve a codepaint environment with OpenEnv's app "
                                            "(POST /reset, /step, GET /state, /schema, /health, WS /ws; "
                                            "GET /deadline: how long a client should wait on a step).")
    p.add_argument("--env", default="CodePaint/SVG-v4", help="the environment id (default CodePaint/SVG-v4)")
    add_listen_arguments(p, port=8000)
    p.add_argument("--reward", default=None, help="reward spec (default: CODEPAINT_REWARD, else "
                   "codepaint_env.default_reward of the tasks: gate:0.3,checks:0.7 with checks, else "
                   "gate:0.3,classic:0.7; offline)")
    p.add_argument("--tasks", default=None, help="a task suite name or JSONL path (default: the language's)")
    p.add_argument("--split", default="train", help="task split: train, eval or all (default train)")
    p.add_argument("--max-turns", type=int, default=3, help="turns per episode (default 3)")
    p.add_argument("--size", default="512", help="render size, 512 or WxH (default 512)")
    p.add_argument("--feedback", default="short", choices=("short", "full"), help="feedback detail")
    p.add_argument("--tools", default=None, metavar="NAMES",
                   help="search tools an action may call: search, search_references (comma-separated; "
                   "default CODEPAINT_TOOLS, else none)")
    p.add_argument("--max-tool-calls", type=int, default=None, metavar="N",
                   help="tool calls an episode may make (default CODEPAINT_MAX_TOOL_CALLS, else 3)")
    p.add_argument("--max-sessions", type=int, default=8, help="concurrent WebSocket sessions (default 8)")
    p.add_argument("--idle-timeout", type=float, default=600.0, metavar="S",
                   help="reap sessions idle this many seconds (default 600; 0: never)")
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
        listen = listen_from_args(args, legacy_env=LEGACY_TOKEN_ENV,
                                  warn=lambda m: print(f"warning: {m}", file=sys.stderr))
    except ListenRefused as e:
        print(e, file=sys.stderr)
        return 2
    try:
        resources = serve_resources(args.env, reward=args.reward, tasks=args.tasks,
                                    split=None if args.split == "all" else args.split,
                                    max_turns=args.max_turns, size=args.size, feedback=args.feedback,
                                    tools=args.tools, max_tool_calls=args.max_tool_calls)
    except (BadRequest, ValueError) as e:
        parser.error(str(e))
    try:
        sock = listen.bind()
    except OSError as e:
        resources.close()
        print(f"codepaint openenv: cannot listen on {listen.host}:{listen.port}: {e}", file=sys.stderr)
        return 2
    app = build_app(resources, max_sessions=args.max_sessions, idle_timeout_s=args.idle_timeout or None,
                    token=listen.token)
    try:
        serve(app, sock, log_level=listen.log_level)
    finally:
        resources.close()
    return 0
