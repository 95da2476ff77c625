"""The resvg workers: long-lived sandboxed processes that rasterise SVG (see :mod:`.fast_svg`).

A :class:`Worker` is one python running :mod:`.resvg_worker` in the sandbox of :mod:`.sandbox`
(own network and PID namespaces, user ``nobody``, empty environment, an empty read-only working
and resources directory), fed documents over a pipe. A shell first in the sandbox records how it
ended, in a folder only we can enter (``unshare`` cannot report a worker killed by SIGKILL). A
:class:`WorkerPool` keeps idle workers, at most ``size`` busy at once; each
:class:`~.backends.FastSvgBackend` owns one, and :func:`default_pool` serves direct callers.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from codepaint_env.core.loop import after_fork
from codepaint_env.render.load import CpuTimes, Deadline, cpu_times
from codepaint_env.render.sandbox.process import Limits, SandboxBusy, sandbox_mode, sandbox_python

#: The worker program, run with ``python -I -c`` (a file of its own: linted and tested like any).
_WORKER_SOURCE = (resources.files("codepaint_env.render.resvg") / "worker.py").read_text()
#: Resource limits of a rasteriser worker (address space bounds a memory bomb; CPU is bounded per
#: render by the wall-clock timeout, the CPU limit only backstops a lost worker).
WORKER_LIMITS = Limits(cpu_s=3600, memory_mb=2048, file_mb=1, open_files=64, processes=64)
#: A worker is replaced after this many renders (hygiene: allocator fragmentation, font caches).
RECYCLE_EVERY = 2000

class WorkerDied(Exception):
    """The worker process went away (killed, crashed, or never started)."""

    pass


class WorkerTimeout(Exception):
    """The worker did not answer in time."""

    pass


class Worker:
    """One long-lived rasteriser process: a python running resvg_py, in the sandbox."""

    def __init__(self, startup_timeout_s: float = 60.0) -> None:
        try:
            mode = sandbox_mode()
        except SandboxBusy as e:
            raise WorkerDied(f"the resvg worker did not start: {e}") from None
        # A shell, first in the namespaces and out of the worker's reach, records how the worker
        # ended (128 + N for signal N) in a folder only we can enter: unshare cannot report a
        # worker killed by SIGKILL.
        self.private = tempfile.mkdtemp(prefix="codepaint-status-")
        self.status_file = os.path.join(self.private, "status")
        self.home = tempfile.mkdtemp(prefix="codepaint-resvg-")
        os.chmod(self.home, 0o555)  # empty and read-only: its working and resources directory
        # with bubblewrap, the home and the status folder are the only host folders mounted in
        namespaces = mode.wrap(Path(self.home), Path(self.private))
        self.python = [*namespaces, *mode.drop, sandbox_python(), "-I", "-c"]
        self.argv = [*namespaces, "/bin/sh", "-c", f'"$@"; echo $? > {self.status_file}', "sh",
                     *self.python[len(namespaces):], _WORKER_SOURCE,
                     *(str(v) for v in (WORKER_LIMITS.memory_mb * 2**20, WORKER_LIMITS.cpu_s,
                                        WORKER_LIMITS.file_mb * 2**20, WORKER_LIMITS.open_files,
                                        WORKER_LIMITS.processes))]
        self.env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.home, "TMPDIR": self.home,
                    "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        self.renders = 0
        self.buf = bytearray()
        self.proc = subprocess.Popen(self.argv, cwd=self.home, env=self.env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     start_new_session=True, close_fds=True)
        try:
            status, _, payload = self._read_reply(startup_timeout_s)
            if status != b"R":
                raise WorkerDied
        except (WorkerDied, WorkerTimeout):
            why = self._diagnose()
            self.kill()
            raise WorkerDied(f"the resvg worker did not start: {why}") from None
        self.version = payload.decode(errors="replace")

    def _diagnose(self) -> str:
        """Why the worker did not start: the same command's stderr, run once more."""
        try:
            run = subprocess.run([*self.python, "import resvg_py"], cwd=self.home, env=self.env,
                                 capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as e:
            return str(e)
        tail = run.stderr.decode(errors="replace").strip().splitlines()[-3:]
        return " | ".join(tail) or f"exit status {run.returncode}"

    def _read_exact(self, n: int, left: Callable[[], float]) -> bytes:
        """``n`` bytes of the worker's output; :class:`WorkerTimeout` once ``left()`` says 0 seconds."""
        fd = self.proc.stdout.fileno()  # type: ignore[union-attr]
        poller = select.poll()  # not select(): descriptors past 1024 are common in trainers
        poller.register(fd, select.POLLIN)
        while len(self.buf) < n:
            wait = left()
            if wait <= 0:
                raise WorkerTimeout
            if not poller.poll(wait * 1000):
                continue  # ask left() again: the deadline may have been extended
            chunk = os.read(fd, max(65536, n - len(self.buf)))
            if not chunk:
                raise WorkerDied
            self.buf += chunk
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def _read_reply(self, timeout_s: float, deadline: Deadline | None = None) -> tuple[bytes, float, bytes]:
        end = time.monotonic() + timeout_s

        def fixed() -> float:  # a plain deadline (the worker's start)
            return max(0.0, end - time.monotonic())

        deadline_left = fixed if deadline is None else deadline.left
        head = self._read_exact(13, deadline_left)
        status, (ms, n) = head[:1], struct.unpack(">dI", head[1:])
        if n > 2**30:  # not a reply any worker of ours sends
            raise WorkerDied
        return status, ms, self._read_exact(n, deadline_left)

    def call(self, request: dict, timeout_s: float, deadline: Deadline | None = None,
             ) -> tuple[bytes, float, bytes]:
        """Send one request; its reply ``(status, ms, payload)`` within ``timeout_s``.

        With a ``deadline`` (:meth:`deadline`), the reply is awaited until it says the time is up: it
        waits on while the machine holds the worker back.
        """
        body = json.dumps(request).encode()
        try:
            self.proc.stdin.write(struct.pack(">I", len(body)) + body)  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            raise WorkerDied from None
        self.renders += 1
        return self._read_reply(timeout_s, deadline)

    def deadline(self, timeout_s: float) -> Deadline:
        """A render's deadline from now, measuring this worker's processes."""
        return Deadline(timeout_s, self.cpu)

    def exit_status(self) -> int | None:
        """How the worker ended (``128 + N`` for signal N); ``None`` when that is not known."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=1)
        try:
            with open(self.status_file) as fh:
                return int(fh.read()[:16])
        except (OSError, ValueError):
            return None

    def cpu(self) -> CpuTimes:
        """What the worker's processes have had of the CPU so far."""
        return cpu_times([self.proc.pid])

    def kill(self) -> None:
        """Kill the worker's whole process group and remove its folders."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        for pipe in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        with contextlib.suppress(OSError):
            os.chmod(self.home, 0o755)
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.rmtree(self.private, ignore_errors=True)


class WorkerPool:
    """Idle workers, at most ``size`` busy at once (one render per worker at a time)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: list[Worker] = []
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(size)
        self.pid = os.getpid()
        self.version: str | None = None
        self.closed = False  # closed: busy workers are killed as they come back, not kept

    def acquire(self) -> Worker:
        """An idle worker, or a new one (waits while ``size`` are busy)."""
        self.slots.acquire()
        with self.lock:
            if self.idle:
                return self.idle.pop()
        try:
            worker = Worker()
        except BaseException:
            self.slots.release()
            raise
        self.version = worker.version
        return worker

    def release(self, worker: Worker, healthy: bool) -> None:
        """Give a worker back: kept if healthy and not due for recycling, else killed."""
        try:
            with self.lock:
                keep = (healthy and not self.closed and worker.renders < RECYCLE_EVERY
                        and self.pid == os.getpid())
                if keep:
                    self.idle.append(worker)
            if not keep:
                worker.kill()
        finally:
            self.slots.release()

    def close(self) -> None:
        """Kill the idle workers (busy ones are killed as they are given back)."""
        with self.lock:
            idle, self.idle = self.idle, []
            self.closed = True
        for w in idle:
            w.kill()


_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


def default_pool() -> WorkerPool:
    """The process-wide pool :func:`~.fast_svg.render_svg_fast` uses when given none."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = WorkerPool(max(2, min(8, os.cpu_count() or 2)))
        return _pool


def shutdown_workers() -> None:
    """Stop the process-wide pool's workers (a new pool starts on the next render)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None and pool.pid == os.getpid():
        pool.close()


atexit.register(shutdown_workers)


def _reset_after_fork() -> None:
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


after_fork(_reset_after_fork)


