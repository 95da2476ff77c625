"""The door of every codepaint server: one token source, one ASGI check, one loopback rule.

``codepaint serve``, ``codepaint policy-server`` and the OpenEnv server
(:mod:`codepaint_env.integrations.openenv`) all let requests in the same way:

* **The token** comes from ``--token-file PATH`` (its first line), ``--token SECRET`` (visible to
  every process of the machine in ``ps``: a warning says so), or, when neither flag is given, the
  environment: ``CODEPAINT_TOKEN`` or ``CODEPAINT_TOKEN_FILE`` (:func:`resolve_token`). The older
  per-server variables (``CODEPAINT_SERVE_TOKEN``, ``CODEPAINT_POLICY_TOKEN``,
  ``CODEPAINT_OPENENV_TOKEN``) are still read last, with a warning.
* **The check** (:class:`TokenAuth`, a pure ASGI middleware) lets a request through when it
  carries ``Authorization: Bearer TOKEN`` (the scheme in any case) or HTTP Basic auth with TOKEN as
  the password (for clients that can only put credentials in a URL:
  ``http://codepaint:TOKEN@host:8000/get_reward``), compared in constant time. ``GET /health``
  needs none. Anything else is answered ``401`` with :data:`REFUSED_BODY` and
  ``WWW-Authenticate: Bearer realm="codepaint"``, on HTTP and on a WebSocket handshake alike
  (where the server cannot send a body on a refused handshake, it closes it: ``403``).
* **The loopback rule** (:func:`listen_refusal`): a server listens on 127.0.0.1 unless told
  otherwise, and refuses any other address without a token.

No web framework is imported: the middleware speaks ASGI itself, so the core stays light.

    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_token_arguments(parser)
    >>> resolve_token(token="s3cret", environ={})
    's3cret'
    >>> listen_refusal("127.0.0.1", None) is None
    True
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import json
import os
import stat
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any

from codepaint_env.core.errors import CodePaintError
from codepaint_env.core.network import is_loopback

__all__ = ["OPEN_PATHS", "REFUSAL", "REFUSED_BODY", "TOKEN_ENV", "TOKEN_FILE_ENV", "TokenAuth", "TokenError",
           "add_token_arguments", "authorized", "is_loopback", "listen_refusal", "resolve_token",
           "token_from_args"]

#: The environment variable every codepaint server (and ``RemoteReward``) reads the token from.
TOKEN_ENV = "CODEPAINT_TOKEN"
#: The environment variable naming a file that holds the token (its first line).
TOKEN_FILE_ENV = "CODEPAINT_TOKEN_FILE"
#: Paths any client may ask for without a token (liveness only: nothing is computed).
OPEN_PATHS: frozenset[str] = frozenset({"/health"})
#: What a refused request is told.
REFUSAL = ("missing or wrong token: send 'Authorization: Bearer TOKEN' (or HTTP Basic auth with TOKEN as the "
           f"password) with this server's token (its --token-file, --token or ${TOKEN_ENV})")
#: The body of every ``401``: OpenAI's error object, which OpenAI clients show and any client can read.
REFUSED_BODY: bytes = json.dumps({"error": {"message": REFUSAL, "type": "authentication_error",
                                            "param": None, "code": 401}}).encode()
#: The challenge sent with every ``401``.
CHALLENGE = b'Bearer realm="codepaint"'
#: A fresh secret, as the messages suggest making one.
MAKE_ONE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class TokenError(CodePaintError, ValueError):
    """A token that cannot be used (empty, unreadable file, two sources at once); the message says which."""


# ---------------------------------------------------------------------- the token source
def check_token(token: str, source: str) -> str:
    """``token`` stripped, if it can be sent in a header.

    Raises:
        TokenError: Empty, or not printable ASCII (the message names ``source``).
    """
    token = token.strip()
    if not token:
        raise TokenError(f"{source}: the token is empty; make one with {MAKE_ONE}")
    if not all(" " < c <= "~" for c in token):
        raise TokenError(f"{source}: the token must be printable ASCII without spaces (a header carries it); "
                         f"make one with {MAKE_ONE}")
    return token


def read_token_file(path: str, source: str, warn: Callable[[str], None] | None = None) -> str:
    """The token in the first line of ``path``.

    Raises:
        TokenError: The file cannot be read, or its first line is no token.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            line = fh.readline()
            mode = os.fstat(fh.fileno()).st_mode
    except (OSError, UnicodeDecodeError) as e:
        raise TokenError(f"{source} {path}: {e}") from None
    if warn is not None and mode & (stat.S_IRWXG | stat.S_IRWXO):
        warn(f"{source} {path} can be read by other users of this machine: chmod 600 {path}")
    return check_token(line, f"{source} {path}")


def resolve_token(*, token: str | None = None, token_file: str | None = None,
                  environ: Mapping[str, str] | None = None, legacy_env: str | None = None,
                  warn: Callable[[str], None] | None = None) -> str | None:
    """The server's token: from the flags, else from the environment, else ``None`` (no token).

    Args:
        token: ``--token``'s value.
        token_file: ``--token-file``'s value.
        environ: The environment (default ``os.environ``): :data:`TOKEN_ENV` or
            :data:`TOKEN_FILE_ENV`, then ``legacy_env``.
        legacy_env: The server's former variable, read last (with a warning).
        warn: Called with each warning (a token file others can read, a former variable).

    Raises:
        TokenError: Two sources given at once, an empty token, an unreadable file.
    """
    env = os.environ if environ is None else environ
    if token is not None and token_file is not None:
        raise TokenError("give --token or --token-file, not both")
    if token_file is not None:
        return read_token_file(token_file, "--token-file", warn)
    if token is not None:
        return check_token(token, "--token")
    from_env, file_env = env.get(TOKEN_ENV, "").strip(), env.get(TOKEN_FILE_ENV, "").strip()
    if from_env and file_env:
        raise TokenError(f"set ${TOKEN_ENV} or ${TOKEN_FILE_ENV}, not both")
    if file_env:
        return read_token_file(file_env, f"${TOKEN_FILE_ENV}", warn)
    if from_env:
        return check_token(from_env, f"${TOKEN_ENV}")
    old = env.get(legacy_env, "").strip() if legacy_env else ""
    if old:
        if warn is not None:
            warn(f"${legacy_env} is the former name of ${TOKEN_ENV} (one variable for every codepaint "
                 f"server): set ${TOKEN_ENV}")
        return check_token(old, f"${legacy_env}")
    return None


def add_token_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--token-file`` and ``--token`` to a server's command line."""
    parser.add_argument("--token-file", default=None, metavar="PATH",
                        help=f"read the token every request but /health must carry from this file (its first "
                        f"line; keep it mode 0600). Default: ${TOKEN_ENV} or ${TOKEN_FILE_ENV}; required off "
                        "loopback")
    parser.add_argument("--token", default=None, metavar="SECRET",
                        help=f"the token itself; prefer --token-file or ${TOKEN_ENV}: a command line is "
                        "readable by every process of the machine (ps)")


def token_from_args(args: argparse.Namespace, *, legacy_env: str | None = None,
                    warn: Callable[[str], None] | None = None,
                    environ: Mapping[str, str] | None = None) -> str | None:
    """The token :func:`add_token_arguments`' flags and the environment give (see :func:`resolve_token`).

    A token given with ``--token`` is used, with a warning that the command line shows it.

    Raises:
        TokenError: See :func:`resolve_token`.
    """
    token = resolve_token(token=args.token, token_file=args.token_file, environ=environ,
                          legacy_env=legacy_env, warn=warn)
    if args.token is not None and warn is not None:
        warn(f"--token puts the secret on the command line, which every process of this machine can read "
             f"(ps); prefer --token-file PATH or ${TOKEN_ENV}")
    return token


def listen_refusal(host: str, token: str | None) -> str | None:
    """Why a server may not listen on ``host`` with ``token`` (``None``: it may).

    The rule of every codepaint server: loopback needs no token; any other address needs one.
    """
    if token is not None or is_loopback(host):
        return None
    return (f"refusing to listen on {host} without a token: anyone who can reach this port could use this "
            f"server (run programs on this machine, or make it compute). Fix: write a token to a file "
            f"(`{MAKE_ONE} > token && chmod 600 token`) and pass --token-file token (or set ${TOKEN_ENV}); "
            "clients send 'Authorization: Bearer TOKEN'. Or listen on 127.0.0.1 (the default).")


# ---------------------------------------------------------------------- the check
def authorized(headers: Iterable[tuple[bytes, bytes]], token: str) -> bool:
    """Whether ASGI ``headers`` carry ``token`` (``Bearer``, any case, or Basic's password); constant time."""
    header = b""
    for name, value in headers:
        if name.lower() == b"authorization":
            header = bytes(value)
    scheme, _, credentials = header.strip().partition(b" ")
    given = credentials.strip()
    if scheme.lower() == b"basic":  # user:TOKEN, as a URL's user info sends it
        try:
            given = base64.b64decode(given, validate=True).partition(b":")[2]
        except (binascii.Error, ValueError):
            return False
    elif scheme.lower() != b"bearer":
        return False
    return hmac.compare_digest(given, token.encode("ascii"))


class TokenAuth:
    """The ASGI middleware in front of every codepaint server (see the module docstring).

    With ``token=None`` it lets everything through (a server on loopback without a token).

    Args:
        app: The wrapped ASGI app.
        token: The token requests must carry, or ``None``.
        open_paths: HTTP paths served without a token (default :data:`OPEN_PATHS`).
        on_refused: Called with the scope of each refused request (a server's counters).

    Raises:
        TokenError: An empty token, or one a header cannot carry.
    """

    def __init__(self, app: ASGIApp, token: str | None, *, open_paths: Iterable[str] = OPEN_PATHS,
                 on_refused: Callable[[Scope], None] | None = None) -> None:
        self.app = app
        self.token = None if token is None else check_token(token, "the server's token")
        self.open_paths = frozenset(open_paths)
        self.on_refused = on_refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one ASGI connection event."""
        kind = scope.get("type")
        if (self.token is None or kind not in ("http", "websocket")
                or (kind == "http" and scope.get("path") in self.open_paths)
                or authorized(scope.get("headers") or (), self.token)):
            await self.app(scope, receive, send)
            return
        if self.on_refused is not None:
            self.on_refused(scope)
        if kind == "http":
            await _refuse(send, "http.response")
        elif "websocket.http.response" in (scope.get("extensions") or {}):
            await _refuse(send, "websocket.http.response")  # the handshake answered 401, with the body
        else:  # a server without the denial-response extension: closing before accept is its 403
            await send({"type": "websocket.close", "code": 1008, "reason": "missing or wrong token"})


async def _refuse(send: Send, prefix: str) -> None:
    await send({"type": f"{prefix}.start", "status": 401,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(REFUSED_BODY)).encode()),
                            (b"www-authenticate", CHALLENGE)]})
    await send({"type": f"{prefix}.body", "body": REFUSED_BODY})
