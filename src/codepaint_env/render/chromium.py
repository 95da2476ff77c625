"""Finding a Chromium binary and starting it contained.

Discovery order (first hit wins):

1. An explicit path: the ``executable`` argument, else ``$CODEPAINT_CHROMIUM``.
2. Playwright's own Chromium (``playwright install chromium``), when installed.
3. Debian's Chromium, ``/usr/lib/chromium/chromium`` (the real binary; ``/usr/bin/chromium`` is a
   wrapper script that adds extension flags).

Containment, applied by a small launcher script that Playwright starts in place of Chromium:

* **No network**: Chromium runs in its own network namespace (``unshare -n``, or ``unshare -rn``
  for an unprivileged user where user namespaces are allowed). Playwright talks to it over pipes,
  so nothing needs a socket. This is the layer that also stops WebSockets and WebRTC; request
  routing inside the browser is the second layer.
* **Bounded memory and processes**: where a cgroup v1 ``memory`` / ``pids`` hierarchy is writable
  (root on most Linux hosts), the browser and all its children go into a fresh cgroup with a
  memory limit, so a page that allocates until it dies takes only its own renderer down.

``codepaint doctor`` reports which of these are active and how to turn on the missing ones.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import RendererUnavailable

ENV_VAR = "CODEPAINT_CHROMIUM"
DEBIAN_CHROMIUM = "/usr/lib/chromium/chromium"
CGROUP_V1 = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class BrowserBinary:
    """A Chromium executable and how it was found."""

    path: str
    source: str
    version: str


def _playwright_browser_dirs() -> list[str]:
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or os.path.expanduser("~/.cache/ms-playwright")
    pats = [
        "chromium_headless_shell-*/chrome-*/headless_shell",
        "chromium_headless_shell-*/chrome-*/chrome-headless-shell",
        "chromium-*/chrome-linux*/chrome",
    ]
    return sorted(p for pat in pats for p in glob.glob(os.path.join(root, pat)))


@lru_cache(maxsize=8)
def _version_of(path: str) -> str:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=20, check=False
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def find_browser(executable: str | None = None) -> BrowserBinary:
    """Locate Chromium by the documented rule.

    Raises:
        RendererUnavailable: When nothing is found, with the commands that fix it.
    """
    explicit = executable or os.environ.get(ENV_VAR)
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            who = "argument" if executable else f"${ENV_VAR}"
            raise RendererUnavailable(f"Chromium given by {who} is not an executable: {explicit}")
        return BrowserBinary(explicit, "explicit", _version_of(explicit))
    own = _playwright_browser_dirs()
    if own:
        return BrowserBinary(own[-1], "playwright", _version_of(own[-1]))
    if os.path.isfile(DEBIAN_CHROMIUM):
        return BrowserBinary(DEBIAN_CHROMIUM, "debian", _version_of(DEBIAN_CHROMIUM))
    raise RendererUnavailable(
        "codepaint found no Chromium.\nFix one of:\n"
        "  * Debian/Ubuntu as root: apt-get install -y chromium\n"
        "  * anywhere else:         python -m playwright install chromium\n"
        f"  * or point {ENV_VAR} at a Chromium/Chrome binary.\n"
        "`make test` / `make demo` do this for you."
    )


# --------------------------------------------------------------------------- network namespace
@lru_cache(maxsize=1)
def netns_command() -> tuple[str, ...] | None:
    """The ``unshare`` prefix that gives a child its own empty network namespace, if permitted."""
    unshare = shutil.which("unshare")
    if not unshare:
        return None
    for args in ((unshare, "-n"), (unshare, "-r", "-n")):
        try:
            ok = subprocess.run([*args, "true"], capture_output=True, timeout=10).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return args
    return None


# --------------------------------------------------------------------------- cgroup v1 limits
def cgroup_v1_available() -> bool:
    """True when we can create memory and pids cgroups (cgroup v1, usually root)."""
    return all(
        (CGROUP_V1 / c).is_dir() and os.access(CGROUP_V1 / c, os.W_OK) for c in ("memory", "pids")
    )


@dataclass
class BrowserCgroup:
    """A memory + pids cgroup (v1) that holds one browser's process tree."""

    name: str
    memory_bytes: int
    max_pids: int

    @property
    def dirs(self) -> list[Path]:
        """The cgroup folders, one per controller."""
        return [CGROUP_V1 / "memory" / self.name, CGROUP_V1 / "pids" / self.name]

    def create(self) -> None:
        """Create the groups and set their limits."""
        mem, pids = self.dirs
        for d in self.dirs:
            d.mkdir(parents=True, exist_ok=True)
        (mem / "memory.limit_in_bytes").write_text(str(self.memory_bytes))
        swap = mem / "memory.memsw.limit_in_bytes"
        if swap.exists():
            with contextlib.suppress(OSError):
                swap.write_text(str(self.memory_bytes))
        (pids / "pids.max").write_text(str(self.max_pids))

    def remove(self) -> None:
        """Kill anything left inside and remove the groups (best effort)."""
        for d in self.dirs:
            procs = d / "cgroup.procs"
            try:
                for pid in procs.read_text().split():
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(int(pid), 9)
            except OSError:
                pass
            with contextlib.suppress(OSError):
                d.rmdir()

    def pids(self) -> list[int]:
        """The processes in the group (the browser's whole tree)."""
        try:
            return [int(p) for p in (self.dirs[1] / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def oom_kills(self) -> int:
        """Processes the kernel killed for hitting this group's memory limit.

        ``oom_kill`` in ``memory.oom_control`` (Linux 4.13+); else ``memory.failcnt``, how often
        the limit was hit, which also rises before every such kill.
        """
        mem = self.dirs[0]
        try:
            for line in (mem / "memory.oom_control").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
            return int((mem / "memory.failcnt").read_text())
        except (OSError, ValueError):
            return 0


def remove_stale_cgroups(prefix: str = "codepaint-") -> None:
    """Remove cgroups left by codepaint processes that no longer exist."""
    if not cgroup_v1_available():
        return
    for ctl in ("memory", "pids"):
        for d in (CGROUP_V1 / ctl).glob(f"{prefix}*"):
            try:
                owner = int(d.name[len(prefix) :].split("-")[0])
            except ValueError:
                continue
            if not os.path.exists(f"/proc/{owner}"):
                BrowserCgroup(d.name, 0, 0).remove()


# --------------------------------------------------------------------------- launcher script
def write_launcher(
    binary: str, *, netns: tuple[str, ...] | None, cgroup: BrowserCgroup | None
) -> str:
    """Write the script Playwright starts instead of Chromium; returns its path.

    The script joins the cgroup, then ``exec``s Chromium inside the network namespace, so the
    browser keeps the PID Playwright knows and Playwright's pipes (fds 3 and 4) stay open.
    """
    lines = ["#!/bin/sh", "# generated by codepaint: start Chromium contained"]
    if cgroup is not None:
        for d in cgroup.dirs:
            lines.append(f'echo $$ > "{d}/cgroup.procs" || exit 97')
    prefix = " ".join(netns) + " " if netns else ""
    lines.append(f'exec {prefix}"{binary}" "$@"')
    fd, path = tempfile.mkstemp(prefix="codepaint-chromium-", suffix=".sh")
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(path, stat.S_IRWXU)
    return path
