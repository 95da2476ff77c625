"""`PolicyServerThread`: the policy server's app under uvicorn in a daemon thread, on loopback.

For programs that take an OpenAI-compatible base URL (``examples/self_refine.py``,
``examples/evolve_prompt.py``) and should run offline with a local model, and for tests::

    from codepaint_env.policy import load_policy
    from codepaint_env.policy.inprocess import PolicyServerThread

    with PolicyServerThread(load_policy("smollm2-135m")) as server:
        client = openai.OpenAI(base_url=server.url, api_key="local")
        client.chat.completions.create(model=server.model, messages=[...], max_tokens=64)

It serves exactly what ``codepaint policy-server`` serves (:func:`~.server.create_policy_app`),
requests batched the same way; only the process differs.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from codepaint_env.policy.local import LocalPolicy
from codepaint_env.policy.schemas import PolicyLimits

__all__ = ["PolicyServerThread"]


class PolicyServerThread:
    """Serve ``policy`` on ``http://127.0.0.1:PORT/v1`` from a daemon thread; a context manager.

    Args:
        policy: The loaded policy.
        name: The model id clients send (default ``policy.name``).
        port: 0 picks a free one (:attr:`url` says which).
        token: Required as the bearer token (an OpenAI client's ``api_key``), or ``None``.
        limits: The server's limits.
    """

    def __init__(self, policy: LocalPolicy, *, name: str | None = None, port: int = 0,
                 token: str | None = None, limits: PolicyLimits | None = None) -> None:
        import uvicorn

        from codepaint_env.policy.server import create_policy_app

        self.model = name or policy.name
        self.app = create_policy_app(policy, name=self.model, token=token, limits=limits)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(128)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        config = uvicorn.Config(self.app, log_level="warning", timeout_graceful_shutdown=2,
                                server_header=False)
        self._server: Any = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def start(self, timeout_s: float = 30.0) -> PolicyServerThread:
        """Serve, and wait until the server accepts requests; returns self.

        Raises:
            TimeoutError: The server did not start in time.
        """
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                            name=f"codepaint-policy-server-{self.port}", daemon=True)
            self._thread.start()
            deadline = time.monotonic() + timeout_s
            while not self._server.started:
                if time.monotonic() > deadline or not self._thread.is_alive():
                    raise TimeoutError(f"the policy server on port {self.port} did not start")
                time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving (requests in flight get 2 s) and close the socket; idempotent."""
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._thread = None
        self._sock.close()

    def __enter__(self) -> PolicyServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
