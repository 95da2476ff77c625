"""Sandboxed programs cannot see each other or the host (docs/RELIABILITY.md, the subprocess table).

Before: every Python/TikZ program ran as ``nobody`` in the shared ``/tmp``: program A listed
``/tmp/codepaint-sbx-*``, read B's ``draw.py`` and overwrote B's picture, so B came back with A's
picture (one completion setting another's reward); and it read ``/proc/<pid>/cmdline`` of any
process on the host (a server's ``--token``). Now each program has its own mount namespace:
read-only system paths, a private ``/tmp``, a fresh ``/proc``.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from codepaint_env.render import Renderer
from codepaint_env.render.sandbox.process import Limits, run_sandboxed, sandbox_mode

ROOT = Path(__file__).resolve().parents[2]

# A scans /tmp for other sandboxes while B is still drawing, tries to read and overwrite B's
# files, then reports what it found (as its error message).
HOSTILE_A = """
import glob, os, time
found, read, wrote = [], [], []
deadline = time.time() + 3
while time.time() < deadline:
    for d in glob.glob('/tmp/codepaint-sbx-*') + glob.glob('/tmp/*/codepaint-sbx-*'):
        if os.path.realpath(d) == os.getcwd():
            continue
        found.append(d)
        for f in glob.glob(d + '/*'):
            try:
                open(f, 'rb').read(); read.append(f)
            except OSError:
                pass
            if f.endswith('.png'):
                try:
                    open(f, 'wb').write(open(f, 'rb').read()); wrote.append(f)
                except OSError:
                    pass
    time.sleep(0.05)
raise RuntimeError(f'REPORT found={sorted(set(found))} read={sorted(set(read))} wrote={sorted(set(wrote))}')
"""
# B draws blue, slowly, so that A has time to look for it.
PATIENT_B = """
import time
from PIL import Image, ImageDraw
time.sleep(1.5)
im = Image.new('RGB', (64, 64), (20, 60, 220))
ImageDraw.Draw(im).ellipse((24, 24, 40, 40), fill='white')
im.save(OUTPUT_PATH)
time.sleep(1.0)
"""


def test_two_programs_side_by_side_neither_sees_the_others_files_or_picture():
    with Renderer(max_pages=2) as r:
        a, b = r.render_many([HOSTILE_A, PATIENT_B], "python", size=64, timeout_s=20)
    report = next(m for m in a.messages if "REPORT" in m)
    assert "found=[]" in report and "read=[]" in report and "wrote=[]" in report, report
    assert b.ok, b.messages
    corner = np.asarray(b.image)[:8, :8].reshape(-1, 3).mean(axis=0)
    assert (np.abs(corner - (20, 60, 220)) < 3).all(), corner  # B's own blue, not A's picture


def test_the_host_is_invisible_no_processes_no_project_files_no_tokens(tmp_path):
    assert sandbox_mode().private_fs, sandbox_mode().describe()
    token = "tok-" + secrets.token_hex(12)
    secret = ROOT / f".sandbox-secret-{secrets.token_hex(4)}"
    secret.write_text(token)
    secret.chmod(0o644)  # world-readable: only the mount namespace keeps it out
    # a process of the host with a token on its command line, as `codepaint serve --token T` has
    host = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "--token", token])
    try:
        code = f"""
import os
pids = [p for p in os.listdir('/proc') if p.isdigit()]
init = open('/proc/1/cmdline', 'rb').read().split(b'\\0')[0].decode()
dump = b''
for p in pids:
    for name in ('cmdline', 'environ'):
        try:
            dump += open(f'/proc/{{p}}/{{name}}', 'rb').read()
        except OSError:
            pass
def readable(path):
    try:
        open(path, 'rb').read(); return True
    except OSError:
        return False
secret, project = {str(secret)!r}, {str(ROOT / "pyproject.toml")!r}
print(dump.decode(errors='replace'))
raise SystemExit(f'pids={{len(pids)}} init={{init}} secret={{readable(secret)}} '
                 f'passwd={{readable("/etc/passwd")}} project={{os.path.exists(project)}}')
"""
        res = run_sandboxed([sys.executable, "-I", "-c", code], timeout_s=20,
                            limits=Limits(output_bytes=1 << 20))
    finally:
        host.kill()
        host.wait()
        secret.unlink()
    report = res.stderr
    assert token not in res.stdout + report and not res.truncated, res.stdout  # no process shows it
    assert "init=" in report and os.path.basename(report.split("init=")[1].split()[0]) == "bwrap", report
    assert int(report.split("pids=")[1].split()[0]) < 10, report  # the sandbox's own few processes
    assert "secret=False" in report and "passwd=False" in report and "project=False" in report, report


@pytest.mark.parametrize("language", ["python", "tikz"])
def test_each_language_still_renders_inside_its_private_root(language):
    code = {"python": "import matplotlib.pyplot as plt\n"
                      "plt.figure(figsize=(2, 2))\nplt.plot([0, 1], [0, 1], lw=6)\n"
                      "plt.savefig(OUTPUT_PATH)\n",
            "tikz": "\\begin{tikzpicture}\\fill[red] (0,0) circle (1);\\end{tikzpicture}"}[language]
    with Renderer() as r:
        res = r.render(code, language, size=96, timeout_s=60)
    assert res.ok, res.messages


def test_a_python_under_tmp_is_mounted_over_the_private_tmp_not_hidden_by_it(tmp_path):
    # a checkout cloned under /tmp has its venv there: the private /tmp was mounted after the
    # runtime paths and hid it ("setpriv: failed to execute /tmp/.../.venv/bin/python")
    from codepaint_env.render.sandbox import process

    runtime = tmp_path / "venv" / "bin"
    runtime.mkdir(parents=True)
    (runtime / "tool").write_text("#!/bin/sh\necho found-me\n")
    (runtime / "tool").chmod(0o755)
    args = process._bwrap_prefix(process.shutil.which("bwrap") or "bwrap")
    args[args.index("--ro-bind-try"):args.index("--ro-bind-try")] = ["--ro-bind", str(tmp_path / "venv"),
                                                                      str(tmp_path / "venv")]
    out = subprocess.run([*args, "--", str(runtime / "tool")], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "found-me", out.stderr
