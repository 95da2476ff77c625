"""The ASGI guard in front of the app: the in-flight bound and the body bound, and the timings.

The token is checked before the guard, by the door every codepaint server shares
(:class:`codepaint_env.core.auth.TokenAuth`, outermost). Nothing reaches FastAPI before the guard
has counted the request in flight (``503`` with ``Retry-After`` above the bound) and read the body
within its bound (``413``): a refused request costs no parsing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from codepaint_env.serve.config import DRAIN_FACTOR, WORK_PATHS, Limits
from codepaint_env.serve.stats import ServerState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _ClientGone(Exception):
    pass


class Guard:
    """In-flight bound and body bound, before any request reaches FastAPI; and the timings.

    Args:
        app: The wrapped ASGI app.
        state: The server's counters.
        limits: The server's limits.
    """

    def __init__(self, app: ASGIApp, *, state: ServerState, limits: Limits) -> None:
        self.app = app
        self.state = state
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one ASGI connection event."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        started = time.perf_counter()
        status = 500

        async def send_recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._handle(path, scope, receive, send_recording)
        except _ClientGone:
            status = 499  # the client left before its body arrived
        finally:
            self.state.record(path, status, (time.perf_counter() - started) * 1000)

    async def _handle(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        if path not in WORK_PATHS or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        # A request takes a work slot only once its body is in: bodies are read under their own
        # bound (max_reading) and deadline (body_timeout_s), so slow senders cannot hold the slots.
        if self.state.in_flight >= self.limits.max_in_flight or self.state.reading >= self.limits.max_reading:
            await self._busy(send)
            return
        self.state.reading += 1
        try:
            body = await self._read_body_in_time(scope, receive, send)
        finally:
            self.state.reading -= 1
        if body is None:
            return
        if self.state.in_flight >= self.limits.max_in_flight:
            await self._busy(send)
            return
        self.state.in_flight += 1
        try:
            await self.app(scope, _replay(body, receive), send)
        finally:
            self.state.in_flight -= 1

    async def _busy(self, send: Send) -> None:
        self.state.reject("busy")
        wait = self.state.retry_after_s()
        await send_error(send, 503, f"busy: {self.state.in_flight} requests in flight, the most this "
                         f"server runs at once (codepaint serve --max-in-flight); retry after {wait} s",
                         [(b"retry-after", str(wait).encode())])

    async def _read_body_in_time(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The body within ``body_timeout_s``, or ``None`` after answering (408 when too slow)."""
        try:
            return await asyncio.wait_for(self._read_body(scope, receive, send), self.limits.body_timeout_s)
        except asyncio.TimeoutError:
            self.state.reject("slow_body")
            limit = self.limits.body_timeout_s
            await send_error(send, 408, f"the request body did not arrive within {limit:g} s (codepaint "
                             "serve --body-timeout); send it at once", [(b"connection", b"close")])
            return None

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or ``None`` after answering ``413`` (or ``400`` for a bad length).

        A body over the limit is read to its end and thrown away (up to :data:`DRAIN_FACTOR` times
        the limit) before the ``413``: a client still sending when the server closes would get a
        connection reset instead of the answer. A body larger still is answered at once.
        """
        limit = self.limits.max_body_bytes
        declared = None
        for name, value in scope.get("headers", ()):
            if name.lower() == b"content-length":
                declared = value
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await send_error(send, 400, f"bad Content-Length {declared!r}")
                return None
            if length > limit:
                if length <= DRAIN_FACTOR * limit:
                    await _drain(receive, 0, DRAIN_FACTOR * limit)
                await self._too_large(send)
                return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            if message["type"] != "http.request":
                continue
            chunk = message.get("body", b"")
            size += len(chunk)
            more = bool(message.get("more_body", False))
            if size > limit:
                if more:
                    await _drain(receive, size, DRAIN_FACTOR * limit)
                await self._too_large(send)
                return None
            chunks.append(chunk)
            if not more:
                return b"".join(chunks)

    async def _too_large(self, send: Send) -> None:
        self.state.reject("too_large")
        await send_error(send, 413, f"request body over {self.limits.max_body_bytes} bytes, the most this "
                         "server takes (codepaint serve --max-body-mb); send fewer or smaller items per "
                         "request", [(b"connection", b"close")])


async def _drain(receive: Receive, size: int, cap: int) -> None:
    """Read and discard the rest of a body (until its end, or ``cap`` bytes in all)."""
    while size <= cap:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        if message["type"] != "http.request":
            continue
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then waits on the real one (disconnects)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def send_error(send: Send, status: int, message: str,
                     headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    """Answer ``{"error": message}`` with ``status`` straight through ASGI."""
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})
