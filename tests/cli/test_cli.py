"""The `codepaint` command, run as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import os
import re
import sys

import pytest

from support import watchdog
from support.programs import SIMPLE_P5

pytestmark = pytest.mark.browser

CLI = [sys.executable, "-m", "codepaint_env.cli"]


def run(*args, cwd=None, stdin=None, env=None):
    """The CLI in a subprocess, with no judge configured unless ``env`` gives one."""
    base = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "CODEPAINT_JUDGE_MODEL")}
    return watchdog.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, input=stdin,
                        limit_s=180, env={**base, **(env or {})})


def test_help_explains_itself():
    out = run("--help")
    assert out.returncode == 0
    for word in ("render", "doctor", "demo"):
        assert word in out.stdout
    out = run("render", "--help")
    assert "--lang" in out.stdout and "Exit 0" in out.stdout


def test_render_writes_png_and_exit_codes(tmp_path):
    sk = tmp_path / "sketch.p5.js"
    sk.write_text(SIMPLE_P5)
    out = run("render", str(sk), "--size", "64", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["ok"] is True and d["language"] == "p5" and d["output"].endswith("sketch.p5.png")
    assert os.path.getsize(d["output"]) > 0 and "png" not in d

    bad = tmp_path / "bad.js"
    bad.write_text("function setup( {")
    out = run("render", str(bad), "--json", "--size", "32x16", "-o", str(tmp_path / "b.png"))
    assert out.returncode == 3
    assert json.loads(out.stdout)["error_kind"] == "syntax"


def test_render_from_stdin_with_extraction(tmp_path):
    completion = f"Here it is\n```js\n{SIMPLE_P5}\n```\n"
    out = run("render", "-", "--extract", "--lang", "p5", "--size", "64", "-o",
              str(tmp_path / "x.png"), stdin=completion)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "x.png").exists()


def test_usage_errors_exit_2(tmp_path):
    assert run("render", str(tmp_path / "missing.js")).returncode == 2
    (tmp_path / "a.js").write_text(SIMPLE_P5)
    assert run("render", str(tmp_path / "a.js"), "--lang", "cobol").returncode == 2
    assert run("render", str(tmp_path / "a.js"), "--size", "big").returncode == 2
    assert run().returncode == 2


def test_doctor_reports_everything():
    out = run("doctor")
    assert out.returncode == 0, out.stdout + out.stderr
    for what in ("browser", "JS assets", "network sandbox", "memory cap", "render p5brush"):
        assert what in out.stdout
    webgl = next(line for line in out.stdout.splitlines() if "WebGL" in line)
    assert "SwiftShader" in webgl and "software; gpu=off" in webgl  # no GPU on this machine
    in_page = next(line for line in out.stdout.splitlines() if "p5brush in-page" in line)
    assert re.search(r"\d+ ms in the page", in_page), in_page
    # the pieces beyond rendering, each with what its absence costs
    ocr = next(line for line in out.stdout.splitlines() if " OCR " in line)
    assert ocr.startswith("[ ok ]") and "RapidOCR" in ocr and "ONNX Runtime" in ocr, ocr
    judge = next(line for line in out.stdout.splitlines() if " judge " in line)
    assert judge.startswith("[warn]") and "codepaint judge-server" in judge, judge  # run() clears it
    assert any(" local model " in line for line in out.stdout.splitlines())


def test_doctor_asks_a_configured_judge():
    from codepaint_env.testing.judge_server import JudgeServer

    with JudgeServer() as judge:
        out = run("doctor", env={"OPENAI_BASE_URL": judge.url, "OPENAI_API_KEY": "x",
                                 "CODEPAINT_JUDGE_MODEL": "standin"})
    line = next(line for line in out.stdout.splitlines() if " judge " in line)
    assert line.startswith("[ ok ]") and "HTTP 200" in line and "standin" in line, line


def test_doctor_gpu_on_without_a_gpu_fails_with_the_fix():
    out = run("doctor", "--gpu", "on")
    assert out.returncode == 1
    assert "no hardware WebGL path works here" in out.stdout and "Vulkan driver" in out.stdout


def test_demo_writes_galleries_and_episodes(tmp_path):
    out = run("demo", "--out", str(tmp_path / "demo"), "--size", "128")
    assert out.returncode == 0, out.stderr
    renders = tmp_path / "demo" / "renders"
    files = set(os.listdir(renders))
    assert "index.html" in files and "watercolour_hibiscus.png" in files
    assert "broken_syntax.json" in files and "broken_syntax.png" not in files
    made_up = json.loads((renders / "made_up_brush.json").read_text())
    assert made_up["unknown_api"] == ["brush.bleed"]
    episodes = tmp_path / "demo" / "episodes"
    assert (episodes / "index.html").is_file() and len(list(episodes.glob("episode-*/strip.png"))) == 3
    first = json.loads((episodes / "episode-000000" / "episode.json").read_text())
    assert first["turns"] == 5 and first["no_change_turns"] == [2, 3]
    assert first["values"][3] == -0.3 and first["values"][4] > first["values"][0]  # broken < good > draft
    assert "demonstration policy" in out.stdout and "NO CHANGE" in out.stdout and "look at:" in out.stdout
    assert "renders tried again after an infra answer" in out.stdout  # what an answer on a busy machine cost
    # honest: each good edit paints its own task's colour, and the demo says the reward ignores the prompt
    from PIL import Image

    from codepaint_env.core.images import colour_family_of

    for ep in sorted(episodes.glob("episode-*")):
        task = json.loads((ep / "episode.json").read_text())["task"]
        good = Image.open(ep / "turn-05" / "render.png")
        assert task["id"] in out.stdout and colour_family_of(good) == task["colour_family"], task["id"]
    assert "does not read the prompt" in out.stdout and "CODEPAINT_JUDGE_MODEL" in out.stdout


def test_render_svg_with_the_fast_renderer(tmp_path):
    svg = tmp_path / "x.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" '
                   'r="15" fill="teal"/></svg>')
    out = run("render", str(svg), "--renderer", "fast", "--size", "64", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["renderer"].startswith("resvg-")
    assert run("render", str(svg), "--lang", "p5", "--renderer", "fast").returncode == 2


def test_output_into_a_closed_pipe_ends_quietly(tmp_path):
    sk = tmp_path / "sketch.p5.js"
    sk.write_text(SIMPLE_P5)
    err = tmp_path / "err.txt"
    # `true` exits at once: codepaint then writes into a pipe nobody reads
    cmd = f"{' '.join(CLI)} render {sk} --size 64 --json 2>{err} | true"
    watchdog.run(cmd, shell=True, limit_s=180, check=True)
    assert "BrokenPipeError" not in err.read_text() and "Traceback" not in err.read_text()


def test_render_exits_4_when_the_render_could_not_be_done(tmp_path):
    """The browser killed under both attempts: infra, exit 4 (not 3, the program's failure)."""
    import contextlib
    import signal
    import threading
    import time

    from codepaint_env.cli import EXIT_NOT_JUDGED, main
    from support.processes import chromium_pids

    sk = tmp_path / "slow.p5.js"
    sk.write_text("async function setup(){ createCanvas(64,64); background(9);"
                  " await new Promise(r => setTimeout(r, 2500)); }")
    before = chromium_pids(ours=True)
    stop = threading.Event()

    def age_s(pid: int) -> float:
        with open(f"/proc/{pid}/stat") as fh:
            started = int(fh.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as fh:
            return float(fh.read().split()[0]) - started

    def rendering(pids: set[int]) -> bool:  # a page's renderer process is up: the launch is over
        from codepaint_env.render.load import descendants

        for pid in descendants(pids):  # (a renderer renames itself: chromium_pids does not list it)
            with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as fh:
                if b"--type=renderer" in fh.read():
                    return True
        return False

    def kill_new_browsers() -> None:
        # Each browser once its page renders and 1.5 s have passed: mid-render. Not by age alone: on a
        # busy machine a launch takes longer than that, and a browser killed while it starts is a
        # launch that failed, another path (a fresh make test beside a load of 20 took that one).
        while not stop.wait(0.1):
            new = chromium_pids(ours=True) - before  # only this run's
            if not rendering(new):
                continue
            for pid in new:
                with contextlib.suppress(OSError):
                    if age_s(pid) > 1.5:
                        os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_new_browsers, daemon=True)
    killer.start()
    try:
        t = time.perf_counter()
        code = main(["render", str(sk), "--size", "64", "-o", str(tmp_path / "x.png")])
    finally:
        stop.set()
        killer.join()
    assert code == EXIT_NOT_JUDGED == 4
    assert time.perf_counter() - t < 60


def test_small_messages_say_what_was_wrong(tmp_path):
    # a missing file shows `codepaint render`'s usage, not the top-level one
    out = run("render", str(tmp_path / "missing.js"))
    assert out.returncode == 2 and "usage: codepaint render" in out.stderr and "no such file" in out.stderr
    # --set k=x for an int k names the setting ("'<' not supported between 'str' and 'int'" before)
    svg = tmp_path / "a.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="2" height="4"/>'
                   '</svg>')
    out = run("score", "--reward", "classic", "--set", "k=x", str(svg))
    assert out.returncode == 2 and "--set k='x': classic's k is int" in out.stderr, out.stderr


def test_score_shortens_notes_at_a_word():
    from codepaint_env.cli.score import _shorten

    text = "the first picture has a warmer palette and a clearer composition " * 5
    short = _shorten(text, 60)
    assert len(short) <= 60 and short.endswith("…") and text.startswith(short[:-1])
    assert short[:-1].split()[-1] in text.split()  # a whole word before the ellipsis
    assert _shorten("short note", 60) == "short note"


def test_an_unknown_suite_says_did_you_mean():
    from codepaint_env.tasks import TaskError, load_suite

    with pytest.raises(TaskError, match="did you mean 'watercolour'"):
        load_suite("watercolor")
