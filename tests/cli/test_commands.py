"""The `codepaint` command's shape: every subcommand through argparse, one name for the language option.

Nothing here renders: the parser is built in-process, and the commands that run (`export parquet`,
`judge-server`, `openenv`) run as a user runs them, in a subprocess.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codepaint_env.cli.main import build_parser
from codepaint_env.tasks import load_suite

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "codepaint_env.cli"]
OPENENV_CODEPAINT = ROOT / ".venvs" / "openenv" / "bin" / "codepaint"
COMMANDS = ("render", "doctor", "demo", "pool", "score", "check-reward", "judge-server", "serve",
            "policy-server", "openenv", "eval", "export")


def run(*args: str, cli: list[str] = CLI, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*cli, *args], capture_output=True, text=True, timeout=timeout)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def _every_parser(parser: argparse.ArgumentParser, path: str = "codepaint"):
    yield path, parser
    for name, sub in _subparsers(parser).items():
        yield from _every_parser(sub, f"{path} {name}")


def test_help_lists_every_subcommand():
    out = run("--help")
    assert out.returncode == 0
    for command in COMMANDS:
        assert f"\n    {command}" in out.stdout, command
    assert set(_subparsers(build_parser())) == set(COMMANDS)


def test_every_language_option_is_language_with_lang_as_its_alias():
    found = []
    for path, parser in _every_parser(build_parser()):
        for action in parser._actions:
            names = set(action.option_strings)
            if names & {"--lang", "--language"}:
                assert names == {"--language", "--lang"} and action.dest == "language", (path, names)
                found.append(path)
    assert {"codepaint render", "codepaint score", "codepaint eval", "codepaint export parquet",
            "codepaint pool list", "codepaint pool add"} <= set(found), found
    parser = build_parser()
    assert parser.parse_args(["render", "x.svg", "--lang", "svg"]).language == "svg"
    assert parser.parse_args(["render", "x.svg", "--language", "tikz"]).language == "tikz"


def test_judge_server_goes_through_argparse():
    out = run("judge-server", "--help")
    assert out.returncode == 0 and "usage: codepaint judge-server" in out.stdout
    assert "--fail-kinds" in out.stdout and "not a real judge" in out.stdout
    args = build_parser().parse_args(["judge-server", "--port", "0", "--bias", "first"])
    assert args.port == 0 and args.bias == "first" and args.command == "judge-server"
    out = run("judge-server", "--port", "0", "--fail-kinds", "500,teapot")
    assert out.returncode == 2 and "teapot" in out.stderr and "usage: codepaint judge-server" in out.stderr
    out = run("judge-server", "--no-such-option")
    assert out.returncode == 2 and "unrecognized arguments: --no-such-option" in out.stderr


def test_judge_server_serves_until_sigterm():
    p = subprocess.Popen([*CLI, "judge-server", "--port", "0"], stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = p.stdout.readline() if p.stdout else ""
        assert line.startswith("codepaint stand-in judge on http://127.0.0.1:"), line
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=30) == 0
    finally:
        if p.poll() is None:
            p.kill()


def test_export_parquet_writes_verl_and_skyrl_rows(tmp_path):
    out = run("export", "parquet", "--suite", "svg", "--split", "eval", "--out",
              str(tmp_path / "eval.parquet"))
    assert out.returncode == 0, out.stderr
    rows = pq.read_table(tmp_path / "eval.parquet").to_pylist()
    assert len(rows) == len(load_suite("svg", split="eval")) and rows[0]["ability"] == "creative_code"
    out = run("export", "parquet", "--suite", "shapes", "--lang", "tikz", "--for", "skyrl", "--out",
              str(tmp_path / "sky.parquet"))
    assert out.returncode == 0, out.stderr
    rows = pq.read_table(tmp_path / "sky.parquet").to_pylist()
    assert rows and rows[0]["env_class"] == "codepaint"
    assert {r["extra_info"]["language"] for r in rows} == {"tikz"}
    out = run("export", "parquet", "--suite", "svg", "--language", "tikz", "--out",
              str(tmp_path / "none.parquet"))
    assert out.returncode == 2 and "no rows" in out.stderr
    out = run("export", "parquet", "--suite", "svg")
    assert out.returncode == 2 and "usage: codepaint export parquet" in out.stderr and "--out" in out.stderr


def test_openenv_without_openenv_core_says_how_to_install_it():
    out = run("openenv", "--env", "CodePaint/SVG-v4")
    assert out.returncode == 1, out.stderr
    assert "openenv-core" in out.stderr and "pip install" in out.stderr


@pytest.mark.trainer_venv
def test_openenv_is_the_adapters_own_command_line_in_its_venv():
    assert OPENENV_CODEPAINT.exists(), ("no .venvs/openenv: run scripts/install-trainer-venvs.sh "
                                        "(make test does)")
    out = run("openenv", "--help", cli=[str(OPENENV_CODEPAINT)])
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: codepaint openenv") and "--max-sessions" in out.stdout
    out = run("openenv", "--env", "CodePaint/Nope-v0", cli=[str(OPENENV_CODEPAINT)])
    assert out.returncode == 2 and "unknown environment id 'CodePaint/Nope-v0'" in out.stderr
