"""`run_sandboxed`: run an untrusted program (Python, pdflatex, ...) in a locked-down child process.

What a child gets:

* an **empty environment** (``PATH``, ``HOME`` and ``TMPDIR`` pointing into its working
  directory, ``LANG``, plus what the renderer passes), a **fresh temporary working directory**
  that is deleted afterwards, and **stdin from /dev/null**;
* **resource limits**: CPU seconds, address space, file size, open files, no core dumps, and
  (for a non-root child) a process count;
* **its own session**, so the whole process group is killed at the timeout (``killpg``);
* **stdout and stderr capped**: everything is drained, the first ``output_bytes`` are kept;
* where permitted (root, ``bwrap`` or ``unshare``, and ``setpriv`` present: :func:`sandbox_mode`):
  its **own network namespace** (nothing but its own loopback: nothing is reachable), its **own
  PID namespace** (when the program ends or is killed, every process it forked dies with it), and
  it runs as the unprivileged user ``nobody``, so the process limit binds (it does not bind root);
* with bubblewrap (``bwrap``, installed by ``make``): its **own mount namespace** whose root holds
  only read-only system paths (``/usr``, the Python it runs, the TeX tree, fonts), a fresh
  ``/proc`` of its own PID namespace (no other process's command line or environment), a private
  ``/tmp`` and its working directory: programs rendered side by side cannot list, read or change
  each other's files or pictures, and nothing of the host beyond those paths is there to read.

:func:`sandbox_mode` says which of these are active; ``codepaint doctor`` reports it.

**How the program ended** is told by a shell that runs it inside the sandbox and writes its exit
status to a file when it ends (``128 + N`` for a signal N; the file is in a folder of its own
that only the caller can enter, so the program cannot plant a link there for the shell to
follow): ``unshare`` itself cannot report a
child killed by ``SIGKILL`` (its attempt to re-raise the signal fails and it exits 1). No file
means the shell itself was killed: from outside, as nothing inside the PID namespace can signal
its first process. At the timeout, the process tree's CPU time and run-queue wait are measured
before it is killed (:mod:`.load`), so an overloaded machine can be told from a busy program.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from codepaint_env.render.load import CpuTimes, Deadline, Stalls, cpu_times


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed run."""

    cpu_s: int = 30
    memory_mb: int = 2048
    file_mb: int = 64
    open_files: int = 256
    processes: int = 64
    output_bytes: int = 8192


@dataclass
class SandboxResult:
    """What a sandboxed run did.

    Attributes:
        returncode: The exit status (negative: killed by that signal).
        stdout: The first ``output_bytes`` of standard output (decoded, errors replaced).
        stderr: The first ``output_bytes`` of standard error.
        timed_out: Killed at the timeout.
        truncated: Some output was dropped.
        files: The requested output files that exist, name -> bytes.
        wall_ms: Wall time.
        status: The command's own exit status as the in-sandbox shell saw it (``128 + N`` when
            signal N killed it); ``None`` when that shell did not finish (killed from outside).
        cpu: What the process tree got until the timeout (only when it timed out).
        stalls: The share of that time the machine was stalled on CPU, memory and I/O (when known).
        extended_s: Seconds it was let run past its timeout because the machine held it back
            (:class:`~codepaint_env.render.load.Deadline`).
    """

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False
    truncated: bool = False
    files: dict[str, bytes] = field(default_factory=dict)
    wall_ms: float = 0.0
    status: int | None = None
    cpu: CpuTimes | None = None
    stalls: Stalls | None = None
    extended_s: float = 0.0

    @property
    def signal(self) -> int | None:
        """The signal that ended the command, if one did."""
        return self.status - 128 if self.status is not None and self.status > 128 else None


#: Read-only system paths a sandboxed program sees (those present on the machine): the shared
#: libraries and tools, fonts, the TeX tree. Nothing else of the host is mounted.
SYSTEM_PATHS: tuple[str, ...] = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/fonts",
                                 "/etc/ld.so.cache", "/etc/alternatives", "/etc/texmf", "/var/lib/texmf",
                                 "/etc/localtime")


def _runtime_paths() -> tuple[str, ...]:
    """The Python the Python renderer runs (its venv and its base installation), read-only."""
    found = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    return tuple(sorted(p for p in found if p and os.path.isdir(p)))


@dataclass(frozen=True)
class SandboxMode:
    """Which isolation layers are available on this machine."""

    netns: bool
    pidns: bool
    unprivileged_user: str | None
    namespaces: tuple[str, ...]  # the ``bwrap`` / ``unshare`` command that makes the namespaces, or ()
    drop: tuple[str, ...]  # the ``setpriv`` command that becomes ``nobody``, or ()
    private_fs: bool = False  # bwrap: own mount namespace, fresh /proc, private /tmp, system paths only

    @property
    def prefix(self) -> tuple[str, ...]:
        """The whole prefix for a command that needs no host folder (a probe); a run uses :meth:`wrap`."""
        return (*self.namespaces, "--", *self.drop) if self.private_fs else self.namespaces + self.drop

    def wrap(self, work: Path, private: Path) -> tuple[str, ...]:
        """The namespace command for one run: with a private root, ``work`` and ``private`` mounted in it."""
        if not self.private_fs:
            return self.namespaces
        return (*self.namespaces, "--bind", str(work), str(work), "--bind", str(private), str(private),
                "--chdir", str(work), "--")

    def describe(self) -> str:
        """One line for ``codepaint doctor``."""
        parts = ["own network namespace" if self.netns else "NO network namespace",
                 "own PID namespace" if self.pidns else "no PID namespace",
                 "own mount namespace (private /tmp, fresh /proc, read-only system paths only)"
                 if self.private_fs else "NO mount namespace (install bubblewrap: other renders' files "
                 "and the host's world-readable files are visible)",
                 f"runs as {self.unprivileged_user}" if self.unprivileged_user
                 else "runs as the current user"]
        return ", ".join(parts) + "; rlimits, own session, empty env, temporary directory"


def _bwrap_prefix(bwrap: str) -> list[str]:
    # bwrap mounts in order: the private /tmp first, so that a Python installed under /tmp (a
    # checkout's venv there) is mounted over it, not hidden by it
    mounts: list[str] = ["--tmpfs", "/tmp"]
    made: set[str] = {"/tmp"}
    for path in (*SYSTEM_PATHS, *_runtime_paths()):
        # bwrap makes missing parents 0700 (root's): make them 0755 so that nobody can pass through
        for parent in reversed(Path(path).parents[:-1]):
            if str(parent) not in made and not os.path.islink(parent):
                made.add(str(parent))
                mounts += ["--perms", "0755", "--dir", str(parent)]
        mounts += ["--ro-bind-try", path, path]
    return [bwrap, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--proc", "/proc", "--dev", "/dev", *mounts]


#: How long one probe of the sandbox's tools may take. A probe that does not answer in time says
#: the machine is busy, not that the tool is missing: nothing is decided, and nothing cached.
PROBE_TIMEOUT_S = 10.0


class SandboxBusy(RuntimeError):
    """A probe of the sandbox's tools did not answer in time: the machine is overloaded (``infra``)."""


def sandbox_python() -> str:
    """The Python a sandboxed program or worker runs: this one, by a path the sandbox can resolve.

    ``sys.executable`` keeps the path the interpreter was started by: ``../.venv/bin/python``
    gives ``<cwd>/../.venv/bin/python``, through a folder the sandbox does not mount.
    """
    return os.path.normpath(sys.executable)


def _probe(argv: list[str], what: str) -> int:
    """A probe's exit status; :class:`SandboxBusy` when it did not answer in time."""
    try:
        return subprocess.run(argv, capture_output=True, timeout=PROBE_TIMEOUT_S,
                              stdin=subprocess.DEVNULL).returncode
    except subprocess.TimeoutExpired:
        raise SandboxBusy(f"the sandbox's probe of {what} did not answer in {PROBE_TIMEOUT_S:g} s: the "
                          "machine is overloaded (nothing was decided; the next render probes again)"
                          ) from None


@functools.lru_cache(maxsize=1)
def sandbox_mode() -> SandboxMode:
    """Probe (once) for bubblewrap (or ``unshare``) namespaces and ``setpriv`` to drop to ``nobody``.

    Raises:
        SandboxBusy: A probe did not answer in :data:`PROBE_TIMEOUT_S` (an overloaded machine
            must not make a weaker sandbox the process keeps for good).
    """
    bwrap, unshare, setpriv = shutil.which("bwrap"), shutil.which("unshare"), shutil.which("setpriv")
    prefix: list[str] = []
    netns = pidns = private_fs = False
    if bwrap:
        args = _bwrap_prefix(bwrap)
        try:
            if _probe([*args, "--", "/bin/sh", "-c", "test ! -e /root/.profile -a -d /proc/1"], "bwrap") == 0:
                prefix, netns, pidns, private_fs = args, True, True, True
        except (OSError, subprocess.SubprocessError):
            pass
    if unshare and not prefix:
        for args, net, pid in (([unshare, "--net", "--pid", "--fork", "--kill-child"], True, True),
                               ([unshare, "--net"], True, False)):
            try:
                if _probe([*args, "true"], "unshare") == 0:
                    prefix, netns, pidns = args, net, pid
                    break
            except (OSError, subprocess.SubprocessError):
                continue
    user, dropped = None, ()
    if os.geteuid() == 0 and setpriv:
        try:
            pw = pwd.getpwnam("nobody")
            drop = (setpriv, f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups", "--")
            probe = [*prefix, "--", *drop, "true"] if private_fs else [*prefix, *drop, "true"]
            if _probe(probe, "setpriv") == 0:
                dropped, user = drop, "nobody"
        except (KeyError, OSError, subprocess.SubprocessError):
            pass
    return SandboxMode(netns, pidns, user, tuple(prefix), dropped, private_fs)


def run_sandboxed(
    argv: list[str],
    *,
    files: dict[str, bytes | str] | None = None,
    collect: tuple[str, ...] = (),
    collect_glob: str | None = None,
    timeout_s: float = 20.0,
    limits: Limits | None = None,
    env: dict[str, str] | None = None,
) -> SandboxResult:
    """Run ``argv`` in the sandbox (see the module docstring) and collect its output files.

    Args:
        argv: The command; its working directory is a fresh temporary folder.
        files: Files to write there first (name -> content).
        collect: Output files to bring back (name relative to the working folder).
        collect_glob: Also bring back files matching this pattern (e.g. ``"*.png"``).
        timeout_s: Wall-clock limit, counted from before the start (a child starved before its
            exec uses it too); the whole process group is killed at it, or later when the machine
            held the program back (:class:`~codepaint_env.render.load.Deadline`, at most
            ``GRACE_FACTOR`` times it).
        limits: Resource limits.
        env: Extra environment variables (on top of the empty base).
    """
    limits = limits or Limits()
    mode = sandbox_mode()
    work = Path(tempfile.mkdtemp(prefix="codepaint-sbx-"))
    private = Path(tempfile.mkdtemp(prefix="codepaint-status-"))  # 0700: the caller's alone
    status_file = private / "status"
    try:
        for name, content in (files or {}).items():
            path = work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        if mode.unprivileged_user:
            pw = pwd.getpwnam(mode.unprivileged_user)
            for p in [work, *work.rglob("*")]:
                os.chown(p, pw.pw_uid, pw.pw_gid)
        base_env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(work), "TMPDIR": str(work),
                    "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        t0 = time.perf_counter()
        # counts from before the start (a child starved before its exec uses it too); waits on while
        # the machine holds the program back (the process is new: it has had nothing before)
        deadline = Deadline(timeout_s, lambda: cpu_times([proc.pid]), baseline=CpuTimes())
        proc = subprocess.Popen(
            # the shell (the namespace's first process, as the caller's user: the program cannot
            # signal it) runs the program as nobody and records how it ended
            [*mode.wrap(work, private), "/bin/sh", "-c", f'"$@"; echo $? > {status_file}', "sh", *mode.drop,
             *argv],
            cwd=work, env={**base_env, **(env or {})}, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
            preexec_fn=functools.partial(_set_limits, limits), close_fds=True,
        )
        out, err = _Drain(proc.stdout, limits.output_bytes), _Drain(proc.stderr, limits.output_bytes)
        timed_out = False
        while (left := deadline.left()) > 0:
            try:
                proc.wait(timeout=left)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            timed_out = proc.poll() is None
        _kill_group(proc)
        proc.wait()
        out.join()
        err.join()
        result = SandboxResult(proc.returncode, out.text(), err.text(), timed_out=timed_out,
                               truncated=out.dropped or err.dropped,
                               wall_ms=(time.perf_counter() - t0) * 1000,
                               cpu=deadline.spent if timed_out else None,
                               stalls=deadline.stalls if timed_out else None, extended_s=deadline.extended_s)
        with contextlib.suppress(OSError, ValueError):
            result.status = int(status_file.read_text()[:16])
        found = sorted(work.glob(collect_glob), key=lambda p: p.stat().st_mtime) if collect_glob else []
        names = list(collect) + [p.name for p in found]
        for name in names:
            path = work / name
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= limits.file_mb * 2**20:
                result.files[name] = path.read_bytes()
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)


def _set_limits(limits: Limits) -> None:  # runs in the child between fork and exec
    mb = 2**20
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * mb, limits.file_mb * mb))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


def _kill_group(proc: subprocess.Popen) -> None:
    # The child leads its own session: killing the group takes every process it started (and
    # with a PID namespace, killing its init takes everything inside, new sessions included).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


class _Drain:
    """Reads a pipe to the end in a thread, keeping the first ``keep`` bytes."""

    def __init__(self, pipe: object, keep: int) -> None:
        self.pipe, self.keep = pipe, keep
        self.buf = bytearray()
        self.dropped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            chunk = self.pipe.read(65536)  # type: ignore[attr-defined]
            if not chunk:
                break
            room = self.keep - len(self.buf)
            if room > 0:
                self.buf += chunk[:room]
            if len(chunk) > max(room, 0):
                self.dropped = True
        self.pipe.close()  # type: ignore[attr-defined]

    def join(self) -> None:
        self.thread.join(timeout=10)

    def text(self) -> str:
        return self.buf.decode("utf-8", errors="replace")
