"""Every snippet in README.md and docs/*.md runs, or says why it cannot.
from support import watchdog

What is run, page by page (each page gets a temporary folder of its own as the working directory):

* a fenced block whose info string names a file (```` ```svg file=sun.svg ````) is written into that
  folder before any block of the page runs, so the page's commands can use it;
* a ```` ```python ```` block is executed by the repository venv's python in a subprocess;
* a ```` ```console ```` block: its ``$ `` lines (with their ``\\`` continuation lines) run in one
  bash script under ``set -e``; lines without ``$ `` are shown output and are not compared.
  A ```` ```bash ```` / ```` ```sh ```` block runs the same way, or whole when it has no ``$ `` line;
* every block exits 0 within ``TIMEOUT_S``. The venv's ``bin`` comes first on ``PATH``, so the
  ``codepaint`` of the checkout answers.

A block that cannot run in a test is preceded by an HTML comment, invisible on the rendered page:

* ``<!-- not run: REASON -->``: not run (a GPU, a trainer cluster, ``pip install``, ``make test``);
* ``<!-- run with --help: REASON -->``: each ``codepaint ...`` command runs with ``--help``
  appended (servers that run until stopped): the subcommand and the options before it exist.

Every marker needs a reason, and skipped blocks are reported as skips with it, so skipping stays
visible; ``test_markers`` keeps it rare.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import watchdog

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python" if (VENV_BIN / "python").exists() else Path(sys.executable)
TIMEOUT_S = 150
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN_LANGS = {"python", "console", "bash", "sh", "shell"}
#: at most this share of the runnable-language blocks may be marked not run
MAX_SKIPPED_SHARE = 0.5

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_MARKER = re.compile(r"^\s*<!--\s*(?P<kind>not run|run with --help)\s*:?(?P<reason>.*?)-->\s*$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    info: str
    text: str
    marker: str | None  # "not run" | "run with --help" | None
    reason: str

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def file(self) -> str | None:
        m = re.search(r"\bfile=(\S+)", self.info)
        return m.group(1) if m else None


def _closes(line: str, fence: str) -> bool:
    """A closing fence: the opening's character, at least as many, nothing else."""
    bare = line.strip()
    return bare.startswith(fence) and not bare.strip(fence[0])


def _blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i, marker, reason = 0, None, ""
    while i < len(lines):
        m = _MARKER.match(lines[i])
        if m:
            marker, reason = m.group("kind"), m.group("reason").strip()
            i += 1
            continue
        f = _FENCE.match(lines[i])
        if not f:
            if lines[i].strip():
                marker, reason = None, ""  # a marker belongs to the block right below it
            i += 1
            continue
        indent, fence, info = len(f.group("indent")), f.group("fence"), f.group("info").strip()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence):
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        lang = info.split()[0].lower() if info else ""
        out.append(Block(page, i + 1, lang, info, "\n".join(body) + "\n", marker, reason))
        marker, reason = None, ""
        i = j + 1
    return out


ALL = [b for page in PAGES for b in _blocks(page)]
RUNNABLE = [b for b in ALL if b.lang in RUN_LANGS]


def _commands(block: Block) -> list[str]:
    """The ``$ `` commands of a console block, continuation lines joined."""
    cmds: list[str] = []
    cont = False
    for line in block.text.splitlines():
        if cont:
            cmds[-1] += "\n" + line
        elif line.startswith("$ "):
            cmds.append(line[2:])
        else:
            continue
        cont = line.rstrip().endswith("\\")
    if not cmds and block.lang in {"bash", "sh", "shell"}:
        cmds = [block.text]
    return cmds


def _with_help(cmd: str) -> str:
    """``codepaint ...`` with ``--help`` appended (continuations joined, a trailing comment dropped)."""
    one = re.sub(r"\\\n\s*", " ", cmd)
    one = re.sub(r"\s+#.*$", "", one)
    return one.rstrip() + " --help" if one.split()[:1] == ["codepaint"] else cmd


@pytest.fixture(scope="module")
def workdirs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """One folder per page, holding the page's ``file=`` blocks."""
    dirs: dict[Path, Path] = {}
    for page in PAGES:
        d = tmp_path_factory.mktemp(page.stem.lower())
        for b in _blocks(page):
            if b.file:
                (d / b.file).parent.mkdir(parents=True, exist_ok=True)
                (d / b.file).write_text(b.text, encoding="utf-8")
        dirs[page] = d
    return dirs


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PYTHONUNBUFFERED", "1")
    for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "CODEPAINT_JUDGE_MODEL", "CODEPAINT_SERVE_URL"):
        env.pop(k, None)  # the snippets say what they need; none may reach a real service
    return env


def _check(proc: subprocess.CompletedProcess[str], block: Block, what: str) -> None:
    if proc.returncode != 0:
        pytest.fail(f"{block.id} ({block.lang}) exited {proc.returncode}\n--- {what}\n{proc.stdout[-6000:]}",
                    pytrace=False)


#: A loopback port a snippet names: ``--port 8900``, ``127.0.0.1:8900``, ``localhost:8900``, ``port=8900``.
_PORT = re.compile(r"(?:--port[ =]|127\.0\.0\.1:|localhost:|\[::1\]:|port=)(\d{4,5})\b")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_map(text: str) -> dict[str, str]:
    """Each loopback port the snippet names -> a free one.

    A page's ports are the reader's; two checkouts testing side by side (CI beside a developer's run)
    would bind the same one, and a ``curl`` waiting on "its" server would get the other's answer.
    """
    return {port: str(_free_port()) for port in set(_PORT.findall(text))}


def with_free_ports(text: str, ports: dict[str, str] | None = None) -> str:
    """The text with each port of ``ports`` (default: :func:`free_port_map`'s) moved, everywhere in it."""
    for port, free in (free_port_map(text) if ports is None else ports).items():
        text = re.sub(rf"(?<!\d){port}(?!\d)", free, text)
    return text


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.id for b in RUNNABLE])
def test_snippet_runs(block: Block, workdirs: dict[Path, Path]) -> None:
    if block.marker == "not run":
        pytest.skip(f"not run: {block.reason}")
    cwd = workdirs[block.page]
    if block.lang == "python":
        code = with_free_ports(block.text)
        proc = watchdog.run([str(PYTHON), "-"], input=code, cwd=cwd, env=_env(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, limit_s=TIMEOUT_S)
        _check(proc, block, code)
        return
    ports = free_port_map(block.text)  # one map for the whole block: a server and its client agree
    cmds = [with_free_ports(c, ports) for c in _commands(block)]
    assert cmds, f"{block.id}: a {block.lang} block with no `$ ` command"
    if block.marker == "run with --help":
        cmds = [_with_help(c) for c in cmds]
    # a server a block starts in the background (`&`) never outlives the block, even when it fails
    script = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + "\n".join(cmds) + "\n"
    proc = watchdog.run(["bash", "-c", script], cwd=cwd, env=_env(), text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, limit_s=TIMEOUT_S)
    _check(proc, block, script)


def test_a_snippet_s_ports_move_to_free_ones_consistently() -> None:
    text = ("codepaint serve --port 8765 &\ncurl http://127.0.0.1:8765/health\n"
            "JudgeServer(port=8900); url = 'http://localhost:8900/v1'; n = 87650")
    moved = with_free_ports(text)
    ports = re.findall(r"\b\d{4,5}\b", moved)
    assert "8765" not in ports and "8900" not in ports and "87650" in ports  # only the ports moved
    first, second = ports[0], ports[2]
    assert ports[1] == first and ports[3] == second and first != second


def test_markers() -> None:
    """Every skip says why, markers sit on runnable blocks, and skipping stays rare."""
    problems = [f"{b.id}: a '{b.marker}' marker without a reason" for b in ALL if b.marker and not b.reason]
    problems += [f"{b.id}: a '{b.marker}' marker on a {b.lang or 'plain'} block, which is never run"
                 for b in ALL if b.marker and b.lang not in RUN_LANGS]
    assert not problems, "\n".join(problems)
    skipped = [b for b in RUNNABLE if b.marker == "not run"]
    assert RUNNABLE, "no snippet found"
    assert len(skipped) <= MAX_SKIPPED_SHARE * len(RUNNABLE), (
        f"{len(skipped)} of {len(RUNNABLE)} blocks are not run: " + ", ".join(b.id for b in skipped))


def test_readme_is_a_first_guide() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 400
    for must in ("pip install -e '.[all]'", "make test", "gate:0.3,classic:0.7", "Licence"):
        assert must in text, must
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (ROOT / link).exists() or link in _OWNED_ELSEWHERE, f"README links to a missing {link}"


#: pages other engineers are writing now: the README links to them before they land
_OWNED_ELSEWHERE = {"docs/visual-checks.md", "docs/local-policy.md", "docs/shapes-validity.md"}
