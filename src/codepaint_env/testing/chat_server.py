"""`LoopbackChatServer`: the one OpenAI-compatible stand-in HTTP server, on loopback, in a thread.

The stand-in judge (:class:`~codepaint_env.testing.judge_server.JudgeServer`) and the scripted
policy (:class:`~codepaint_env.testing.scripted_policy.ScriptedPolicyServer`) are this server with
their own answers: a subclass says what a chat completion answers (:meth:`complete`), which models
``/v1/models`` lists (:meth:`models`) and, if it has any, its own routes (:meth:`route`). The
HTTP plumbing, threading, start/stop and the OpenAI error shape live here once.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

_S = TypeVar("_S", bound="LoopbackChatServer")
#: ``(status, JSON payload or raw bytes, extra headers)``: what a route answers.
Answer = tuple[int, Any, dict[str, str] | None]


def openai_error(message: str, type_: str = "invalid_request_error") -> dict[str, Any]:
    """An error body in OpenAI's shape."""
    return {"error": {"message": message, "type": type_, "param": None, "code": None}}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    owner: LoopbackChatServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.owner.verbose:
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer  # pyright: ignore[reportIncompatibleVariableOverride]  (it is always ours)

    @property
    def server_version(self) -> str:  # type: ignore[override]
        return self.server.owner.server_name

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.owner.verbose:
            super().log_message(format, *args)

    def _send(self, answer: Answer) -> None:
        status, payload, headers = answer
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timed out)
            pass

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?")[0].rstrip("/")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) if method == "POST" else b""
        owner = self.server.owner
        if method == "GET" and path in ("/v1/models", "/models"):
            data = [{"id": m, "object": "model", "created": 0, "owned_by": owner.owned_by}
                    for m in owner.models()]
            self._send((200, {"object": "list", "data": data}, None))
        elif method == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
            self._send(owner.complete(body))
        else:
            missing = (404, openai_error(f"no route {method} {path}"), None)
            self._send(owner.route(method, path, body) or missing)

    def do_GET(self) -> None:
        """``/v1/models`` and the subclass's routes."""
        self._dispatch("GET")

    def do_POST(self) -> None:
        """``/v1/chat/completions`` and the subclass's routes."""
        self._dispatch("POST")


class LoopbackChatServer:
    """An OpenAI-compatible server in a daemon thread (see the module docstring); a context manager.

    Args:
        host: Address to bind (loopback by default).
        port: Port (0: any free one); the address is :attr:`url`.
        verbose: Log requests and handler errors.
    """

    #: The ``Server`` header.
    server_name = "codepaint-stand-in/1"
    #: ``owned_by`` of the listed models.
    owned_by = "codepaint"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False) -> None:
        self.host, self.verbose = host, verbose
        self._stopping = threading.Event()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.owner = self
        self.port: int = self._httpd.server_address[1]
        self.url = f"http://{host}:{self.port}/v1"
        self._thread: threading.Thread | None = None

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

    # ------------------------------------------------------------- life cycle
    def start(self: _S) -> _S:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"{type(self).__name__}-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; idempotent. Wakes, never waits for, slow handlers."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
