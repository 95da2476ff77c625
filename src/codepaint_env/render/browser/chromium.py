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
  memory and a process limit, and each page's renderer process into a child memory cgroup of its
  own (:class:`PageCgroup`). A page that allocates until it dies hits its own limit: the kernel
  kills its renderer and nothing else, and that group's kill count says so (a page whose
  renderer died with no kill in its own group was killed from outside: ``infra``, not ``crash``).

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
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from codepaint_env.core.errors import RendererUnavailable

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

    def pids(self) -> list[int]:
        """The processes in the group (the browser's whole tree)."""
        try:
            return [int(p) for p in (self.dirs[1] / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def oom_kills(self) -> int:
        """Processes the kernel killed for hitting a memory limit in this group (or below)."""
        return _oom_kills(self.dirs[0])

    def page(self, name: str) -> PageCgroup:
        """A child memory group for one page's renderer process (not created yet)."""
        return PageCgroup(self.dirs[0] / name)

    def remove(self) -> None:
        """Kill anything left inside and remove the groups, page groups first (best effort)."""
        for child in self.dirs[0].glob(f"{PAGE_PREFIX}*"):
            PageCgroup(child).remove(kill=True)
        for d in self.dirs:
            _empty_and_remove(d)


#: Page groups are named ``page-<n>`` inside their browser's memory group.
PAGE_PREFIX = "page-"


@dataclass(frozen=True)
class PageCgroup:
    """A memory cgroup (v1) inside a browser's that holds one page's renderer process.

    Its limit is the page's own: a program that allocates until it dies is killed by the kernel
    in this group (the only process in it), so :meth:`oom_kills` tells a program's own memory
    death from a renderer killed from outside, even while another page's program is dying of its
    own memory in the same browser.
    """

    path: Path

    def create(self, memory_bytes: int) -> None:
        """Create the group with its limit (swap included where accounted)."""
        self.path.mkdir(exist_ok=True)
        (self.path / "memory.limit_in_bytes").write_text(str(memory_bytes))
        for knob, value in (("memory.memsw.limit_in_bytes", memory_bytes),
                            ("memory.move_charge_at_immigrate", 1)):  # the page's memory moves with it
            with contextlib.suppress(OSError):
                (self.path / knob).write_text(str(value))

    def adopt(self, pid: int) -> bool:
        """Move a process (all its threads) into the group; False when it could not be moved."""
        try:
            (self.path / "cgroup.procs").write_text(str(pid))
            return True
        except OSError:
            return False

    def oom_kills(self) -> int:
        """Processes the kernel killed for hitting this group's memory limit."""
        return _oom_kills(self.path)

    def remove(self, *, kill: bool = False) -> None:
        """Remove the group (best effort: a group still holding a process stays, unless ``kill``)."""
        if kill:
            _empty_and_remove(self.path)
        else:
            with contextlib.suppress(OSError):
                self.path.rmdir()


def _oom_kills(mem: Path) -> int:
    """Memory-limit kills of a memory group.

    ``oom_kill`` in ``memory.oom_control`` (Linux 4.13+); else ``memory.failcnt``, how often the
    limit was hit, which also rises before every such kill.
    """
    try:
        for line in (mem / "memory.oom_control").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return int((mem / "memory.failcnt").read_text())
    except (OSError, ValueError):
        return 0


def _empty_and_remove(d: Path) -> None:
    """SIGKILL every process in a cgroup folder, then remove it (best effort)."""
    try:
        for pid in (d / "cgroup.procs").read_text().split():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(pid), 9)
    except OSError:
        pass
    for _ in range(20):  # a killed process leaves its group a moment later
        try:
            d.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.005)


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
def swiftshader_icd(binary: str) -> str | None:
    """The SwiftShader Vulkan driver manifest shipped beside a Chromium binary, if there is one."""
    path = Path(os.path.realpath(binary)).parent / "vk_swiftshader_icd.json"
    return str(path) if path.is_file() else None


def write_launcher(
    binary: str, *, netns: tuple[str, ...] | None, cgroup: BrowserCgroup | None,
    vulkan_driver: str | None = None,
) -> str:
    """Write the script Playwright starts instead of Chromium; returns its path.

    The script joins the cgroup, then ``exec``s Chromium inside the network namespace, so the
    browser keeps the PID Playwright knows and Playwright's pipes (fds 3 and 4) stay open.
    ``vulkan_driver`` (a Vulkan ICD manifest) becomes the only Vulkan driver Chromium's loader
    sees: how ``gpu="off"`` keeps WebGL on SwiftShader on a machine whose GPU has a Vulkan
    driver (a switch alone did not: on an H100 box Chromium's ANGLE took the NVIDIA driver).
    """
    # it removes itself as it starts (the shell reads on from its open file), so a process killed
    # before its close() leaves no script behind (/tmp held 145 of them after a few weeks' kills)
    lines = ["#!/bin/sh", "# generated by codepaint: start Chromium contained", 'rm -f "$0"']
    if cgroup is not None:
        for d in cgroup.dirs:
            lines.append(f'echo $$ > "{d}/cgroup.procs" || exit 97')
    if vulkan_driver is not None:
        lines.append(f'export VK_DRIVER_FILES="{vulkan_driver}" VK_ICD_FILENAMES="{vulkan_driver}"')
    prefix = " ".join(netns) + " " if netns else ""
    lines.append(f'exec {prefix}"{binary}" "$@"')
    fd, path = tempfile.mkstemp(prefix="codepaint-chromium-", suffix=".sh")
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(path, stat.S_IRWXU)
    return path
