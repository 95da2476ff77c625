"""`codepaint serve` for tests: in a subprocess (its URL read from its log, its processes checked on
stop), or its app under uvicorn in a thread of this process (:func:`serving`, for the fast tests)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from codepaint_env.render.load import descendants

ROOT = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


class ServeProcess:
    """``codepaint serve --port 0 ...`` in a subprocess; its URL read from its first line."""

    def __init__(self, log_path: Path, *flags: str, env: dict[str, str] | None = None) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "codepaint_env.cli", "serve", "--port", "0", "--log-level", "warning",
             *flags], stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        self.url = self._wait_url(60)
        self._wait_healthy(60)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_url(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            m = re.search(r" on (http://\S+) ", self.log())
            if m:
                return m.group(1)
            if self.proc.poll() is not None:
                pytest.fail(f"codepaint serve exited with {self.proc.returncode}:\n{self.log()}")
            time.sleep(0.05)
        pytest.fail(f"codepaint serve did not start within {timeout_s} s:\n{self.log()}")

    def _wait_healthy(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        pytest.fail(f"codepaint serve never answered /health:\n{self.log()}")

    def in_flight(self) -> int:
        return httpx.get(f"{self.url}/health", timeout=10).json()["in_flight"]

    def wait_in_flight(self, n: int, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while self.in_flight() != n:
            assert time.monotonic() < deadline, f"the server never had {n} requests in flight"
            time.sleep(0.02)

    def tree(self) -> set[int]:
        return descendants([self.proc.pid])

    def stop(self) -> None:
        """SIGTERM, wait, and check that the server and everything it started are gone."""
        tree = self.tree()
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        finally:
            self._log.close()
        deadline = time.monotonic() + 30
        while any(alive(p) for p in tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [p for p in tree if alive(p)]
        assert not left, f"processes left behind by codepaint serve: {left}\n{self.log()}"


def serve_env(**extra: str) -> dict[str, str]:
    """This process's environment without a token or judge of its own, plus ``extra``."""
    own = ("CODEPAINT_TOKEN", "CODEPAINT_TOKEN_FILE", "CODEPAINT_SERVE_TOKEN", "OPENAI_BASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in own}
    env.update(extra)
    return env


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` under uvicorn on a loopback port, in a thread (what `codepaint serve` runs); its URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                pytest.fail("uvicorn did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
