"""The server shell of every codepaint server: bind, token, loopback rule, body limit, serve an ASGI app.

``codepaint serve``, ``codepaint policy-server``, ``codepaint openenv`` and the stand-in judge
(``codepaint judge-server``) differ in their app only. Each:

* takes the same listening options (:func:`add_listen_arguments`: ``--host``, ``--port``,
  ``--token-file``, ``--token``, ``--log-level``) and reads them with :func:`listen_from_args`:
  the token from the flags or the environment (:func:`~codepaint_env.core.auth.resolve_token`:
  ``CODEPAINT_TOKEN``, defined once there), and the loopback rule (no token, no address but
  loopback): a :class:`ListenRefused` with the fix;
* binds its socket with :func:`bind` (so ``--port 0`` can print the port it got);
* puts its app behind :func:`guard`: the token check (:class:`~codepaint_env.core.auth.TokenAuth`)
  and a bound on request bodies (:class:`BodyLimit`: ``413`` before a byte more is read), unless
  the app has its own (``codepaint serve``'s counts what it refuses);
* and serves it with :func:`serve` (uvicorn on that socket, until Ctrl-C or SIGTERM), or in a
  thread with :class:`BackgroundServer` (the stand-ins tests start).

No web framework is imported here; uvicorn only when serving.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codepaint_env.core.auth import (
    ASGIApp,
    Receive,
    Scope,
    Send,
    TokenAuth,
    TokenError,
    add_token_arguments,
    listen_refusal,
    token_from_args,
)

__all__ = ["LOG_LEVELS", "BackgroundServer", "BodyLimit", "Listen", "ListenRefused", "add_listen_arguments",
           "bind", "guard", "listen_from_args", "serve"]

#: uvicorn's log levels, as every server's ``--log-level`` offers them.
LOG_LEVELS: tuple[str, ...] = ("critical", "error", "warning", "info", "debug")


class ListenRefused(ValueError):
    """A server may not listen as asked (a bad token, or no token off loopback): the message says the fix."""


@dataclass(frozen=True)
class Listen:
    """Where a server listens and the token its requests need (``None``: none, loopback only)."""

    host: str = "127.0.0.1"
    port: int = 0
    token: str | None = None
    log_level: str = "info"

    def bind(self) -> socket.socket:
        """The listening socket (:func:`bind`).

        Raises:
            OSError: The address is in use or not this machine's.
        """
        return bind(self.host, self.port)


def add_listen_arguments(parser: argparse.ArgumentParser, *, port: int, log_level: bool = True) -> None:
    """Add ``--host``, ``--port``, ``--token-file``, ``--token`` (and ``--log-level``) to a command."""
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; any other address "
                        "needs a token)")
    parser.add_argument("--port", type=int, default=port,
                        help=f"port (default {port}; 0 picks a free one, printed at start-up)")
    add_token_arguments(parser)
    if log_level:
        parser.add_argument("--log-level", default="info", choices=LOG_LEVELS,
                            help="uvicorn's log level (default info: one line per request)")


def listen_from_args(args: argparse.Namespace, *, legacy_env: str | None = None,
                     warn: Callable[[str], None] | None = None) -> Listen:
    """Where and how the server listens, from :func:`add_listen_arguments`' flags and the environment.

    Raises:
        ListenRefused: A port out of range, a token that cannot be used, or a non-loopback host
            without a token (the rule of every codepaint server).
    """
    port = int(args.port)
    if not 0 <= port <= 65535:
        raise ListenRefused("--port must be between 0 and 65535")
    try:
        token = token_from_args(args, legacy_env=legacy_env, warn=warn)
    except TokenError as e:
        raise ListenRefused(str(e)) from None
    refusal = listen_refusal(args.host, token)
    if refusal is not None:
        raise ListenRefused(refusal)
    return Listen(args.host, port, token, getattr(args, "log_level", "info"))


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (bound here, so that ``--port 0`` can say which port it got).

    Made with ``IPPROTO_TCP`` named: asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only
    on sockets whose ``proto`` says TCP, and accepted sockets inherit it. With ``proto=0`` every
    response waited ~40 ms for the client's delayed ACK (measured: 44 ms for ``GET /health``).
    """
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def address(sock: socket.socket) -> str:
    """``http://host:port`` of a bound socket (an IPv6 host in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


# ---------------------------------------------------------------------- the guard
class BodyLimit:
    """ASGI middleware: a request body over ``max_body_bytes`` is answered ``413`` (declared or streamed).

    A ``Content-Length`` over the limit is refused before the body is read; a body that streams
    past it is cut there (the app never sees more than the limit) and refused.

    Args:
        app: The wrapped app.
        max_body_bytes: The largest body a request may send.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        if max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be at least 1, not {max_body_bytes!r}")
        self.app = app
        self.max_body_bytes = int(max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one ASGI connection event."""
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def bounded_receive() -> Any:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise _TooLarge
            return message

        async def tracked_send(message: Any) -> None:
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, tracked_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"error": {"message": f"request body over {self.max_body_bytes} bytes, the most "
                                     "this server takes", "type": "invalid_request_error", "param": None,
                                     "code": 413}}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    """A streamed body went past the limit."""


def guard(app: ASGIApp, *, token: str | None, max_body_bytes: int | None = None) -> ASGIApp:
    """``app`` behind the door of every codepaint server: the token check, then the body limit."""
    inner = BodyLimit(app, max_body_bytes) if max_body_bytes is not None else app
    return TokenAuth(inner, token) if token is not None else inner


# ---------------------------------------------------------------------- serving
def _config(app: ASGIApp, log_level: str, graceful_s: int) -> Any:
    import uvicorn

    return uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=graceful_s, server_header=False)


def serve(app: ASGIApp, sock: socket.socket, *, log_level: str = "info", graceful_s: int = 5) -> None:
    """Serve ``app`` on ``sock`` until Ctrl-C or SIGTERM (requests in flight get ``graceful_s``); close it.

    Raises:
        ImportError: uvicorn is not installed (``pip install 'codepaint[serve]'``).
    """
    import uvicorn

    try:
        uvicorn.Server(_config(app, log_level, graceful_s)).run(sockets=[sock])
    finally:
        sock.close()


class BackgroundServer:
    """An ASGI app served by uvicorn in a daemon thread on loopback (the stand-ins tests start).

    Args:
        app: The app (put it behind :func:`guard` for a token or a body limit).
        host: The address (loopback by default).
        port: The port (0: any free one).
        log_level: uvicorn's log level (default: warnings only).
        graceful_s: How long ``stop`` lets requests in flight finish before cancelling them.
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning",
                 graceful_s: int = 1) -> None:
        import uvicorn

        self.sock = bind(host, port)
        self.host = host
        self.port: int = self.sock.getsockname()[1]
        self.url = address(self.sock)
        self._server = uvicorn.Server(_config(app, log_level, graceful_s))
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  (not ours)
        self._thread: threading.Thread | None = None
        self._stopped = False

    def start(self, timeout_s: float = 30.0) -> BackgroundServer:
        """Serve in a daemon thread; return once it accepts requests."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"codepaint-server-{self.port}",
                                            daemon=True)
            self._thread.start()
            waited = 0.0
            while not self._server.started and self._thread.is_alive() and waited < timeout_s:
                threading.Event().wait(0.005)
                waited += 0.005
            if not self._server.started:
                raise RuntimeError(f"the server on {self.url} did not start within {timeout_s} s")
        return self

    def _run(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            asyncio.run(self._server.serve(sockets=[self.sock]))

    def stop(self) -> None:
        """Stop serving and close the socket; idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self.sock.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
