"""The OpenEnv server (``python -m codepaint_env.integrations.openenv``) in ``.venvs/openenv``, for tests.

:func:`start` launches one on a free loopback port (its output to a log file), :func:`wait_healthy`
waits until it answers ``/health`` (importing OpenEnv takes seconds), :func:`stop` ends the ones
a test started.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
OPENENV_PYTHON = ROOT / ".venvs" / "openenv" / "bin" / "python"


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(**extra: str) -> dict[str, str]:
    """This process's environment without codepaint's variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEPAINT_")}
    env.update(extra)
    return env


def start(log: Path, *flags: str, env: Mapping[str, str] | None = None
          ) -> tuple[subprocess.Popen[bytes], str]:
    """An OpenEnv server with ``flags`` (``--env``, ``--reward``...) on a free port: ``(process, url)``."""
    port = free_port()
    cmd = [str(OPENENV_PYTHON), "-m", "codepaint_env.integrations.openenv", "--port", str(port),
           "--log-level", "warning", *flags]
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT,
                                env=dict(env) if env is not None else server_env())
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 150) -> None:
    """Return once ``url`` answers ``/health``; raise with the server's log if it exits or never does."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the OpenEnv server exited with {proc.returncode}:\n"
                               f"{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the OpenEnv server at {url} never answered /health:\n{log.read_text()[-3000:]}")


def stop(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each server, then wait (SIGKILL one that does not end within 15 s)."""
    procs = list(procs)
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
