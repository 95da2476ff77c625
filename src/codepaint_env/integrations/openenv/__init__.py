r"""OpenEnv: a codepaint ``Environment`` for ``openenv-core``, served by OpenEnv's own app factory.

Serve one environment id (loopback by default; off loopback a token is required)::

    codepaint openenv --env CodePaint/SVG-v4 --port 8000     # or python -m codepaint_env.integrations.openenv

and use it with OpenEnv's own client (a WebSocket session: one environment per connection)::

    from openenv.core import GenericEnvClient

    with GenericEnvClient(base_url="http://127.0.0.1:8000").sync() as env:
        result = env.reset(task_id="svg-hibiscus")            # or seed=..., prompt=...
        result = env.step({"code": "<svg ...>...</svg>"})
        result.observation["feedback"], result.reward, result.done

**The episode** is every door's (:mod:`codepaint_env.episode`): ``reset`` draws a task (seeded,
or ``task_id``/``prompt``; the tasks come from ``--tasks``, every column of a task file read), each
``step`` answers the program in the action with the episode's turn: the picture (base64 PNG) and
every field of the turn's record (:meth:`Turn.to_dict <codepaint_env.episode.Turn.to_dict>`: the
value, ``judged``, the reason, the breakdown, ``error_kind``, ``rendered``, ``no_change``, the
feedback, the training monitors...; a field added to the record is an observation field with no
edit here); ``done`` after ``max_turns`` steps (or at ``success_threshold``). The settings are the
trainer config's (:class:`~codepaint_env.scoring.trainer.TrainerConfig`: ``CODEPAINT_REWARD``,
``CODEPAINT_UNJUDGED_REWARD`` and the other variables), with ``--reward`` and the command's
options over them. A broken program is an observation with the reward's minimum and its
``error_kind``, never an error; a step the reward could not judge (judge down, renderer failed) has
``judged`` False and the unjudged reward.

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

The package is three modules: :mod:`.environment` (the wire types and the ``Environment``),
:mod:`.client` (the token-carrying client) and :mod:`.server` (the app and the command, on the
server shell every codepaint server shares, :mod:`codepaint_env.core.server`).

Nothing of codepaint imports this package but ``codepaint openenv`` (lazily, when run); it needs
``openenv-core`` (which pins pillow<13 through gradio: ``scripts/install-trainer-venvs.sh`` makes
``.venvs/openenv`` for it). See docs/openenv.md.
"""

from __future__ import annotations

from codepaint_env.core.network import is_loopback
from codepaint_env.integrations.openenv.client import CodePaintEnvClient
from codepaint_env.integrations.openenv.environment import (
    BadRequest,
    CodePaintAction,
    CodePaintEnvironment,
    CodePaintObservation,
    CodePaintState,
    serve_resources,
)
from codepaint_env.integrations.openenv.server import (
    LEGACY_TOKEN_ENV,
    TOKEN_ENV,
    app_from_environ,
    build_app,
    main,
)

__all__ = ["LEGACY_TOKEN_ENV", "TOKEN_ENV", "BadRequest", "CodePaintAction", "CodePaintEnvClient",
           "CodePaintEnvironment", "CodePaintObservation", "CodePaintState", "app_from_environ", "build_app",
           "is_loopback", "main", "serve_resources"]
