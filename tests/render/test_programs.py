"""Python and TikZ renderers in the subprocess sandbox: normal programs and every attack in
docs/RELIABILITY.md's subprocess table (the fork loop is bounded)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from codepaint_env.render import Renderer
from codepaint_env.render.sandbox.process import run_sandboxed, sandbox_mode
from codepaint_env.render.sandbox.programs import latex_errors, tikz_document
from support.canary import Canary
from support.processes import children_first

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def r():
    with Renderer(cache_size=0, timeout_s=20) as renderer:
        yield renderer


def nobody_processes() -> list[str]:
    """Live processes of python renders (the fast-SVG worker, also ``nobody``, is long-lived)."""
    out = subprocess.run(["ps", "-u", "nobody", "-o", "pid=,stat=,cmd="], capture_output=True, text=True)
    return [ln for ln in out.stdout.splitlines() if "runner.py" in ln and " Z" not in ln]


# ---------------------------------------------------------------------- python: programs that draw
MPL = (
    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(4, 3))\n"
    "ax.bar([1, 2, 3], [3, 1, 2], color='teal')\n"
)


@pytest.mark.parametrize(
    "code",
    [
        MPL + "plt.savefig(OUTPUT_PATH)\n",  # the module-level constant
        MPL + "import os\nfig.savefig(os.environ['CODEPAINT_OUTPUT'])\n",  # the environment variable
        MPL,  # an open figure is captured at the end
        MPL + "plt.show()\n",  # show() is a no-op under Agg
        "from PIL import Image, ImageDraw\nim = Image.new('RGB', (300, 200), 'white')\n"
        "ImageDraw.Draw(im).ellipse((40, 40, 260, 160), fill='orange')\nim.save('anything.png')\n",  # any PNG
    ],
)
def test_python_programs_render(r, code):
    res = r.render(code, "python", size=(200, 160))
    assert res.ok, res.messages
    assert res.size == (200, 160) and res.image.size == (200, 160) and res.language == "python"
    assert np.asarray(res.image).std() > 5


def test_python_is_deterministic_and_seeded(r):
    code = "import random, matplotlib.pyplot as plt\nxs = [random.random() for _ in range(8)]\n"
    code += "plt.scatter(xs, xs)\n"
    a, b = r.render(code, "python", size=96, seed=1), r.render(code, "python", size=96, seed=1)
    c = r.render(code, "python", size=96, seed=2)
    assert a.sha256 == b.sha256 != c.sha256


@pytest.mark.parametrize(
    "code,kind,message",
    [
        ("def f(:\n    pass\n", "syntax", "SyntaxError"),
        (
            "import matplotlib.pyplot as plt\nplt.plot([1])\nraise ValueError('bad axis')\n",
            "runtime",
            "ValueError: bad axis",
        ),
        ("x = 1\n", "no_image", "saved no picture"),
        ("x = input()\n", "runtime", "EOFError"),  # stdin is /dev/null: fails fast
    ],
)
def test_python_failures_have_their_kind(r, code, kind, message):
    res = r.render(code, "python", size=64)
    assert not res.ok and res.error_kind == kind and any(message in m for m in res.messages), res.messages


def test_busy_loop_is_killed_at_the_timeout(r):
    t0 = time.monotonic()
    with children_first():  # given the CPU: a starved busy loop is rightly `infra`
        res = r.render("while True:\n    pass\n", "python", size=64, timeout_s=2)
    assert res.error_kind == "timeout" and time.monotonic() - t0 < 10


def test_fork_loop_leaves_no_survivors(r):
    code = (
        "import os, time\n"
        "for i in range(40):  # bounded: a fork loop, not a fork bomb\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()  # even a child that leaves the session\n"
        "        time.sleep(120)\n"
        "        os._exit(0)\n"
        "time.sleep(120)\n"
    )
    res = r.render(code, "python", size=64, timeout_s=2)
    # the process limit (32 as nobody) stops the loop, or the timeout does
    assert res.error_kind in ("runtime", "timeout"), res.messages
    deadline = time.monotonic() + 10
    while nobody_processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert nobody_processes() == []


def test_memory_bomb_is_contained(r):
    res = r.render("x = ' ' * 10**12\n", "python", size=64)
    assert (
        not res.ok
        and res.error_kind in ("runtime", "crash")
        and any("MemoryError" in m for m in res.messages)
    )
    assert r.render(MPL, "python", size=64).ok  # and the next render is fine


def test_huge_figure_is_contained(r):
    res = r.render(
        "import matplotlib.pyplot as plt\nfig = plt.figure(figsize=(2000, 2000), dpi=300)\n"
        "fig.savefig(OUTPUT_PATH)\n",
        "python",
        size=64,
        timeout_s=20,
    )
    assert not res.ok and res.error_kind in ("runtime", "crash", "timeout")


def test_output_flood_is_capped():
    res = run_sandboxed(
        [sys.executable, "-c", "import sys; sys.stdout.write('x' * 50_000_000)"], timeout_s=20
    )
    assert res.returncode == 0 and len(res.stdout) <= 8192 and res.truncated


def test_no_environment_no_home_no_network(r, monkeypatch):
    monkeypatch.setenv("CODEPAINT_SECRET_TOKEN", "hunter2")
    canary = Canary()
    try:
        code = (
            "import os, socket\n"
            "leaks = [k for k in os.environ if 'SECRET' in k or k in ('OPENAI_API_KEY', 'SSH_AUTH_SOCK')]\n"
            "home = os.path.expanduser('~')\n"
            "try:\n"
            "    open('/root/.bashrc').read(); bashrc = 'READ'\n"
            "except OSError as e:\n"
            "    bashrc = type(e).__name__\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {canary.port}), timeout=2); net = 'CONNECTED'\n"
            "except OSError as e:\n"
            "    net = type(e).__name__\n"
            "raise SystemExit(f'leaks={leaks} home={home} bashrc={bashrc} net={net}')\n"
        )
        res = run_sandboxed([sys.executable, "-I", "-c", code], timeout_s=20)
        report = res.stderr
        assert "leaks=[]" in report and "hunter2" not in report
        assert "home=/tmp/codepaint-sbx-" in report
        # with bubblewrap the host's /root is not there at all; without, its permissions stop nobody
        hidden = "bashrc=FileNotFoundError" if sandbox_mode().private_fs else "bashrc=PermissionError"
        assert hidden in report
        assert "net=CONNECTED" not in report
        time.sleep(0.3)
        assert canary.connections == 0
    finally:
        canary.close()


def test_working_directory_is_deleted():
    res = run_sandboxed([sys.executable, "-c", "import os; print(os.getcwd())"], timeout_s=20)
    assert res.stdout.strip().startswith("/tmp/codepaint-sbx-") and not Path(res.stdout.strip()).exists()


def test_sandbox_layers_are_active_here():
    mode = sandbox_mode()
    assert mode.netns and mode.pidns and mode.unprivileged_user == "nobody", mode


# ---------------------------------------------------------------------- tikz
@pytest.mark.parametrize(
    "code",
    [
        "\\begin{tikzpicture}\\draw[thick, red] (0,0) circle (1);"
        " \\fill[blue] (1.5,-0.5) rectangle (2.5,0.5);\\end{tikzpicture}",
        "\\usetikzlibrary{arrows.meta}\n\\draw[-{Stealth}] (0,0) -- (2,1);",  # bare commands + a library
        "\\documentclass{standalone}\\usepackage{tikz}\\begin{document}"
        "\\tikz\\draw (0,0) -- (1,1);\\end{document}",
    ],
)
def test_tikz_renders(r, code):
    res = r.render(code, "tikz", size=(160, 120))
    assert res.ok, res.messages
    assert res.size == (160, 120) and np.asarray(res.image).std() > 2


def test_tikz_errors_become_messages(r):
    res = r.render("\\begin{tikzpicture}\\drwa (0,0) -- (1,1);\\end{tikzpicture}", "tikz", size=64)
    assert res.error_kind == "syntax" and any("Undefined control sequence" in m for m in res.messages)


def test_tikz_cannot_run_commands_or_read_files(r, tmp_path):
    marker = tmp_path / "pwned"
    res = r.render(f"\\immediate\\write18{{touch {marker}}}\\draw (0,0) -- (1,1);", "tikz", size=64)
    assert not marker.exists()
    secret = tmp_path / "secret.tex"
    secret.write_text("TOPSECRET")
    os.chmod(tmp_path, 0o755)
    os.chmod(secret, 0o644)
    res = r.render(
        f"\\begin{{tikzpicture}}\\node {{\\input{{{secret}}}}};\\end{{tikzpicture}}", "tikz", size=64
    )
    assert not res.ok and not any("TOPSECRET" in m for m in res.messages)


def test_tikz_document_wrapping_and_error_parsing():
    doc = tikz_document("\\usetikzlibrary{calc}\n\\draw (0,0) -- (1,1);")
    assert doc.startswith("\\documentclass[tikz,border=4pt]{standalone}")
    assert "\\usetikzlibrary{calc}\n\\begin{document}" in doc and "\\begin{tikzpicture}" in doc
    log = "./fig.tex:4: Undefined control sequence.\nl.4 \\drwa\n                (0,0)\n"
    assert latex_errors(log) == ["./fig.tex:4: Undefined control sequence. l.4 \\drwa"]


# ---------------------------------------------------------------------- the command line
def test_codepaint_render_draw_py_and_fig_tex(tmp_path):
    (tmp_path / "draw.py").write_text(MPL + "plt.savefig(OUTPUT_PATH)\n")
    (tmp_path / "fig.tex").write_text("\\begin{tikzpicture}\\draw (0,0) circle (1);\\end{tikzpicture}")
    for name in ("draw.py", "fig.tex"):
        out = subprocess.run(
            [sys.executable, "-m", "codepaint_env.cli", "render", str(tmp_path / name), "--size", "128"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert (tmp_path / name).with_suffix(".png").is_file()


def test_a_uniform_non_square_python_picture_is_blank_at_any_size(r):
    # judged on the program's own picture, not the white bands that letterbox it
    code = ("from PIL import Image\n"
            "Image.new('RGB', (720, 400), (10, 20, 30)).save(OUTPUT_PATH)\n")
    for size in (256, (300, 100)):
        res = r.render(code, "python", size=size)
        assert res.error_kind == "blank", (size, res.messages)
    dot = ("from PIL import Image, ImageDraw\n"
           "im = Image.new('RGB', (720, 400), (10, 20, 30))\n"
           "ImageDraw.Draw(im).ellipse((650, 330, 700, 380), fill='white')\n"
           "im.save(OUTPUT_PATH)\n")
    assert r.render(dot, "python", size=256).ok


@pytest.mark.parametrize("seed", [-1, 2**40])
def test_any_int_is_a_seed_for_python_programs(r, seed):
    # numpy was seeded with the seed as given: -1 or 2**40 ended the render as a crash
    code = ("import numpy as np\nfrom PIL import Image\n"
            "Image.fromarray((np.random.rand(16, 16, 3) * 255).astype('uint8')).save(OUTPUT_PATH)\n")
    first, again = (r.render(code, "python", size=16, seed=seed) for _ in range(2))
    zero = r.render(code, "python", size=16, seed=0)
    assert first.ok and first.seed == seed, first.messages
    assert first.sha256 == again.sha256 and first.sha256 != zero.sha256
