"""`LoopbackChatServer`: the one OpenAI-compatible stand-in HTTP server, on loopback, in a thread.

The stand-in judge (:class:`~codepaint_env.testing.judge_server.JudgeServer`) and the scripted
policy (:class:`~codepaint_env.testing.scripted_policy.ScriptedPolicyServer`) are this server with
their own answers: a subclass says what a chat completion answers (:meth:`complete`), which models
``/v1/models`` lists (:meth:`models`) and, if it has any, its own routes (:meth:`route`). It is a
small ASGI app (:meth:`LoopbackChatServer.asgi`) served on the server shell every codepaint server
stands in (:mod:`codepaint_env.core.server`): the token check and the loopback rule (a host other
than loopback needs a token), a bound on request bodies, uvicorn in a daemon thread. Each request
is answered in a thread of its own, so a slow or hanging answer (a fault the judge injects) holds
no other; :meth:`LoopbackChatServer.stop` wakes them (:attr:`LoopbackChatServer._stopping`).
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, TypeVar

from codepaint_env.core.auth import Receive, Scope, Send, listen_refusal
from codepaint_env.core.server import BackgroundServer, ListenRefused, guard

_S = TypeVar("_S", bound="LoopbackChatServer")
#: ``(status, JSON payload or raw bytes, extra headers)``: what a route answers.
Answer = tuple[int, Any, dict[str, str] | None]
#: The largest request body (a pairwise judge request carries two pictures as data URLs).
MAX_BODY_BYTES = 64 * 1024 * 1024


def openai_error(message: str, type_: str = "invalid_request_error") -> dict[str, Any]:
    """An error body in OpenAI's shape."""
    return {"error": {"message": message, "type": type_, "param": None, "code": None}}


class LoopbackChatServer:
    """An OpenAI-compatible server in a daemon thread (see the module docstring); a context manager.

    Args:
        host: Address to bind (loopback by default; any other needs ``token``).
        port: Port (0: any free one); the address is :attr:`url`.
        verbose: Log requests and handler errors.
        token: The token every request but ``/health`` must carry (``None``: none, loopback only).

    Raises:
        ListenRefused: A host other than loopback without a token (the rule of every codepaint server).
    """

    #: The ``Server`` header.
    server_name = "codepaint-stand-in/1"
    #: ``owned_by`` of the listed models.
    owned_by = "codepaint"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False,
                 token: str | None = None) -> None:
        refusal = listen_refusal(host, token)
        if refusal is not None:
            raise ListenRefused(refusal)
        self.host, self.verbose, self.token = host, verbose, token
        self._stopping = threading.Event()
        app = guard(self.asgi, token=token, max_body_bytes=MAX_BODY_BYTES)
        self._server = BackgroundServer(app, host, port, log_level="info" if verbose else "warning")
        self.port: int = self._server.port
        self.url = f"{self._server.url}/v1"
        self._started = False

    # ------------------------------------------------------------- what a subclass answers
    def models(self) -> list[str]:
        """The model ids ``/v1/models`` lists."""
        return []

    def complete(self, body: bytes) -> Answer:
        """The answer to one ``/v1/chat/completions`` request body."""
        raise NotImplementedError

    def route(self, method: str, path: str, body: bytes) -> Answer | None:
        """The answer to any other route (``None``: 404)."""
        return None

    # ------------------------------------------------------------- the app
    def answer(self, method: str, path: str, body: bytes) -> Answer:
        """The answer to one request (run in a thread of its own)."""
        path = path.split("?")[0].rstrip("/")
        if method == "GET" and path in ("/v1/models", "/models"):
            data = [{"id": m, "object": "model", "created": 0, "owned_by": self.owned_by}
                    for m in self.models()]
            return 200, {"object": "list", "data": data}, None
        if method == "GET" and path == "/health":
            return 200, {"status": "ok"}, None
        if method == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
            return self.complete(body)
        return self.route(method, path, body) or (404, openai_error(f"no route {method} {path}"), None)

    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app: read the body, answer it in a thread, send the answer."""
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        method = str(scope.get("method", "GET"))
        body = b"".join(chunks) if method == "POST" else b""
        status, payload, headers = await _in_thread(self.answer, method, str(scope.get("path", "/")), body)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
               (b"server", self.server_name.encode())]
        raw += [(k.lower().encode(), str(v).encode()) for k, v in (headers or {}).items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": data})

    # ------------------------------------------------------------- life cycle
    def start(self: _S) -> _S:
        """Serve in a daemon thread; returns self once it accepts requests."""
        if not self._started:
            self._started = True
            self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; idempotent. Wakes, never waits for, slow handlers."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.stop()

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def _in_thread(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` in a daemon thread of its own (a hanging answer holds nothing else, nor the exit)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def run() -> None:
        try:
            result = fn(*args)
        except BaseException as e:  # the handler's failure is the request's 500
            loop.call_soon_threadsafe(_settle, future, None, e)
        else:
            loop.call_soon_threadsafe(_settle, future, result, None)

    threading.Thread(target=run, name="codepaint-stand-in-request", daemon=True).start()
    try:
        return await future
    except BaseException as e:
        if isinstance(e, asyncio.CancelledError):
            raise
        return 500, openai_error(f"internal error {type(e).__name__}: {e}"[:500], "server_error"), None


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the request was cancelled (the server is stopping)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


__all__ = ["MAX_BODY_BYTES", "Answer", "LoopbackChatServer", "openai_error"]
