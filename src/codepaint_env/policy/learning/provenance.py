"""Which code and machine a learner's run started (and each time it resumed) on.

The reward is the commit's. The machine matters as much for a budget in CPU seconds: a CPU that
multiplies bfloat16 natively (AVX512-BF16, AMX) does a LoRA step in a fraction of the seconds an
AVX2-only one takes, so a seed's CPU seconds say how much it learned only beside its machine.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def commit_of(root: Path, *, short: bool = False) -> str:
    """``root``'s git commit (``"unknown"`` outside a git checkout)."""
    done = subprocess.run(["git", "rev-parse", *(["--short"] if short else []), "HEAD"], cwd=root,
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def record_commit(out: Path, root: Path) -> str:
    """Append the time and ``root``'s git commit to ``out/commits.txt``; returns the commit."""
    out.mkdir(parents=True, exist_ok=True)
    head = commit_of(root, short=True)
    with (out / "commits.txt").open("a") as f:
        f.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {head}\n")
    return head


#: The CPU flags that change what a CPU second buys a learner (bfloat16 and int8 matrix units).
SPEED_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_int8", "avx512_vnni")


def cpu_fields(cpuinfo: str | None = None) -> dict[str, str]:
    """The first CPU's fields of ``/proc/cpuinfo`` (or of ``cpuinfo``): ``model name``, ``flags``..."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            cpuinfo = ""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return fields


def machine(cpuinfo: str | None = None) -> str:
    """One line saying the CPU: its model, how many this process may use, and its :data:`SPEED_FLAGS`."""
    fields = cpu_fields(cpuinfo)
    flags = set(fields.get("flags", "").split())
    model = fields.get("model name", "unknown")
    return (f'cpu="{model}" cpus={len(os.sched_getaffinity(0))} '
            f"flags={','.join(f for f in SPEED_FLAGS if f in flags) or '-'}")


def record_machine(out: Path) -> str:
    """Append the time and :func:`machine` to ``out/machines.txt``; returns the line's machine part."""
    out.mkdir(parents=True, exist_ok=True)
    here = machine()
    with (out / "machines.txt").open("a") as f:
        f.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {here}\n")
    return here
