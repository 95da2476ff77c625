"""One door for every codepaint server: the token source, the check, the 401, the loopback rule.

The first tests read the token source and the loopback rule as functions. The table then starts
the three servers for real on loopback with one token, each from another source the scheme
allows: ``codepaint serve`` (``--token-file``), ``codepaint policy-server`` on a tiny local model
(``$CODEPAINT_TOKEN_FILE``) and the OpenEnv server in ``.venvs/openenv`` (``$CODEPAINT_TOKEN``).
Every row of headers gets the same answer from each, over HTTP and over the OpenEnv WebSocket
handshake (driven from that venv by the ``websockets`` client), and every 401 is byte for byte
the same.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from codepaint_env.core.auth import (
    REFUSED_BODY,
    TOKEN_ENV,
    TOKEN_FILE_ENV,
    TokenError,
    add_token_arguments,
    listen_refusal,
    resolve_token,
    token_from_args,
)
from support.needs import needs

ROOT = Path(__file__).resolve().parents[2]
OPENENV_PYTHON = ROOT / ".venvs" / "openenv" / "bin" / "python"
TOKEN = "door-" + "k3y" * 8
CHALLENGE = 'Bearer realm="codepaint"'


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


#: (row, Authorization header or None, the answer every server gives)
ROWS: list[tuple[str, str | None, int]] = [
    ("no header", None, 401),
    ("wrong token", "Bearer wrong-token", 401),
    ("another scheme", f"Token {TOKEN}", 401),
    ("the token without a scheme", TOKEN, 401),
    ("Basic, wrong password", basic("codepaint", "wrong-token"), 401),
    ("Basic, the token as the user", basic(TOKEN, ""), 401),
    ("Bearer", f"Bearer {TOKEN}", 200),
    ("bearer", f"bearer {TOKEN}", 200),
    ("BEARER", f"BEARER {TOKEN}", 200),
    ("Basic", basic("codepaint", TOKEN), 200),
]
ROW_IDS = [r[0] for r in ROWS]
#: An endpoint that needs the token, per server.
PROTECTED = {"serve": "/stats", "policy-server": "/v1/models", "openenv": "/schema"}


# ---------------------------------------------------------------------- the token source
def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_token_arguments(parser)
    return parser.parse_args(argv)


def test_the_token_comes_from_a_flag_else_the_environment(tmp_path: Path) -> None:
    file = tmp_path / "token"
    file.write_text("from-the-file\nignored second line\n")
    file.chmod(0o600)
    env = {TOKEN_ENV: "from-the-env"}
    assert resolve_token(token_file=str(file), environ=env) == "from-the-file"
    assert resolve_token(token=" from-the-flag ", environ=env) == "from-the-flag"
    assert resolve_token(environ=env) == "from-the-env"
    assert resolve_token(environ={TOKEN_FILE_ENV: str(file)}) == "from-the-file"
    assert resolve_token(environ={}) is None
    assert resolve_token(environ={TOKEN_ENV: "   "}) is None  # blank is unset


def test_a_token_that_cannot_be_used_is_an_error_that_says_why(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"token": "a", "token_file": "b"}, "not both"),
        ({"environ": {TOKEN_ENV: "a", TOKEN_FILE_ENV: "b"}}, "not both"),
        ({"token": "  "}, "--token: the token is empty"),
        ({"token": "naïve"}, "printable ASCII"),
        ({"token": "two words"}, "without spaces"),
        ({"token_file": str(empty)}, f"--token-file {empty}: the token is empty"),
        ({"token_file": str(tmp_path / "missing")}, "No such file"),
        ({"environ": {TOKEN_FILE_ENV: str(tmp_path / "missing")}}, f"${TOKEN_FILE_ENV}"),
    ]
    for kwargs, needle in cases:
        kwargs.setdefault("environ", {})
        with pytest.raises(TokenError, match=None) as e:
            resolve_token(**kwargs)
        assert needle in str(e.value), (kwargs, str(e.value))
        assert isinstance(e.value, ValueError)


def test_the_former_variables_still_work_with_a_warning_and_argv_is_warned_about(tmp_path: Path) -> None:
    said: list[str] = []
    assert resolve_token(environ={"CODEPAINT_SERVE_TOKEN": "old"}, legacy_env="CODEPAINT_SERVE_TOKEN",
                         warn=said.append) == "old"
    assert said and "former name" in said[0] and TOKEN_ENV in said[0]
    said.clear()  # the one scheme wins over the former name, silently
    assert resolve_token(environ={TOKEN_ENV: "new", "CODEPAINT_SERVE_TOKEN": "old"},
                         legacy_env="CODEPAINT_SERVE_TOKEN", warn=said.append) == "new"
    assert said == []
    assert token_from_args(_args("--token", "s3cret"), environ={}, warn=said.append) == "s3cret"
    assert said and "ps" in said[0] and "--token-file" in said[0]
    said.clear()
    readable = tmp_path / "token"
    readable.write_text("s3cret\n")
    readable.chmod(0o644)
    assert token_from_args(_args("--token-file", str(readable)), environ={}, warn=said.append) == "s3cret"
    assert said and "chmod 600" in said[0]


def test_the_loopback_rule() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
        assert listen_refusal(host, None) is None, host
    for host in ("0.0.0.0", "::", "", "10.0.0.5", "example.org"):
        refusal = listen_refusal(host, None)
        assert refusal is not None and f"refusing to listen on {host} without a token" in refusal
        assert "--token-file" in refusal and TOKEN_ENV in refusal and "127.0.0.1" in refusal
        assert listen_refusal(host, TOKEN) is None


def test_the_401_body_is_openais_error_object() -> None:
    error = json.loads(REFUSED_BODY)["error"]
    assert error["type"] == "authentication_error" and error["code"] == 401
    assert "Bearer" in error["message"] and "Basic" in error["message"] and TOKEN_ENV in error["message"]


# ---------------------------------------------------------------------- the three servers, for real
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CODEPAINT_") or k == "CODEPAINT_CACHE_DIR"}
    env.update(extra)
    return env


def _wait_healthy(url: str, proc: subprocess.Popen[Any], log: Path, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{url} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} never answered /health:\n{log.read_text()[-3000:]}")


def _url_in_log(log: Path, pattern: str, proc: subprocess.Popen[Any], timeout_s: float = 240) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        m = re.search(pattern, log.read_text(errors="replace"))
        if m:
            return m.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"no URL in the log ({proc.poll()}):\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
@needs("trainer_venv", "embed")  # the OpenEnv server in .venvs/openenv, the policy server on a tiny model
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    assert OPENENV_PYTHON.exists(), "no .venvs/openenv: run scripts/install-trainer-venvs.sh (make test does)"
    from codepaint_env.testing import build_tiny_lm

    tmp = tmp_path_factory.mktemp("doors")
    token_file = tmp / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    port = _free_port()
    logs = {name: tmp / f"{name}.log" for name in PROTECTED}
    cli = [sys.executable, "-m", "codepaint_env.cli"]
    quiet = ["--log-level", "warning"]
    commands = {  # one token, three of the sources the scheme allows
        "openenv": ([str(OPENENV_PYTHON), "-m", "codepaint_env.integrations.openenv", "--env",
                     "CodePaint/SVG-v4", "--port", str(port), "--reward", "execution_gate", *quiet],
                    _env(**{TOKEN_ENV: TOKEN})),
        "serve": ([*cli, "serve", "--port", "0", "--reward", "execution_gate", "--token-file",
                   str(token_file), *quiet], _env(CODEPAINT_CACHE_DIR=str(tmp / "cache"))),
        "policy-server": ([*cli, "policy-server", "--model", str(build_tiny_lm(tmp / "tiny-lm")), "--device",
                           "cpu", "--threads", "1", "--port", "0", *quiet],
                          _env(**{TOKEN_FILE_ENV: str(token_file)})),
    }
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, (cmd, env) in commands.items():  # all three start at once: openenv's import is slow
            with logs[name].open("wb") as fh:
                procs[name] = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        urls = {
            "serve": _url_in_log(logs["serve"], r" on (http://\S+) ", procs["serve"]),
            "policy-server": _url_in_log(logs["policy-server"], r"at (http://127\.0\.0\.1:\d+)/v1",
                                         procs["policy-server"]),
            "openenv": f"http://127.0.0.1:{port}",
        }
        for name, url in urls.items():
            _wait_healthy(url, procs[name], logs[name])
        yield urls
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.mark.parametrize("server", list(PROTECTED))
@pytest.mark.parametrize(("row", "header", "status"), ROWS, ids=ROW_IDS)
def test_every_server_answers_each_row_alike_over_http(servers: dict[str, str], server: str, row: str,
                                                       header: str | None, status: int) -> None:
    headers = {} if header is None else {"Authorization": header}
    r = httpx.get(servers[server] + PROTECTED[server], headers=headers, timeout=30)
    assert r.status_code == status, (server, row, r.text[:300])
    if status == 401:  # the same bytes and challenge from every server
        assert r.content == REFUSED_BODY, (server, r.text)
        assert r.headers["www-authenticate"] == CHALLENGE
        assert r.headers["content-type"] == "application/json"


def test_health_needs_no_token_and_a_url_with_user_info_is_basic(servers: dict[str, str]) -> None:
    for server, url in servers.items():
        assert httpx.get(f"{url}/health", timeout=30).status_code == 200, server
        # http://codepaint:TOKEN@host/... : what a client that can only take a URL sends (OpenRLHF)
        with_user_info = url.replace("http://", f"http://codepaint:{TOKEN}@")
        assert httpx.get(with_user_info + PROTECTED[server], timeout=30).status_code == 200, server


WS_SCRIPT = r'''
import json, sys
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

url, rows = sys.argv[1], json.loads(sys.argv[2])
out = {}
for name, header in rows:
    headers = {} if header is None else {"Authorization": header}
    try:
        with connect(url, additional_headers=headers, proxy=None, open_timeout=60) as ws:
            ws.send(json.dumps({"type": "reset", "data": {"seed": 1}}))
            reply = json.loads(ws.recv(timeout=120))
            out[name] = {"status": 101, "reply": reply.get("type"),
                         "task_id": reply.get("data", {}).get("observation", {}).get("task_id")}
            ws.send(json.dumps({"type": "close"}))
    except InvalidStatus as e:
        r = e.response
        out[name] = {"status": r.status_code, "body": r.body.decode(),
                     "challenge": r.headers.get("WWW-Authenticate"), "type": r.headers.get("Content-Type")}
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def websocket_answers(servers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    script = tmp_path_factory.mktemp("ws") / "ws_rows.py"
    script.write_text(WS_SCRIPT)
    url = servers["openenv"].replace("http://", "ws://") + "/ws"
    proc = subprocess.run([str(OPENENV_PYTHON), str(script), url, json.dumps([[r, h] for r, h, _ in ROWS])],
                          capture_output=True, text=True, timeout=300, env=_env(), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize(("row", "header", "status"), ROWS, ids=ROW_IDS)
def test_the_openenv_websocket_handshake_answers_each_row_alike(websocket_answers: dict[str, Any], row: str,
                                                                header: str | None, status: int) -> None:
    seen = websocket_answers[row]
    if status == 401:  # the handshake refused with the very answer HTTP gets
        assert seen == {"status": 401, "body": REFUSED_BODY.decode(), "challenge": CHALLENGE,
                        "type": "application/json"}, seen
    else:  # a session: OpenEnv resets its environment and answers an observation
        assert seen["status"] == 101 and seen["reply"] == "observation" and seen["task_id"], seen


def test_every_refusal_is_counted_and_no_server_minds(servers: dict[str, str]) -> None:
    # many refusals at once from several threads: each server keeps serving, /health at once
    errors: list[str] = []

    def knock(url: str, path: str) -> None:
        for _ in range(20):
            r = httpx.get(url + path, headers={"Authorization": "Bearer nope"}, timeout=30)
            if r.status_code != 401:
                errors.append(f"{url}{path}: {r.status_code}")

    threads = [threading.Thread(target=knock, args=(url, PROTECTED[name])) for name, url in servers.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for url in servers.values():
        assert httpx.get(f"{url}/health", timeout=30).status_code == 200
    stats = httpx.get(servers["serve"] + "/stats", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert stats.json()["rejected"]["unauthorized"] >= 20


def test_a_trainers_configuration_reads_the_token_as_the_servers_do(tmp_path):
    """TrainerConfig (verl, OpenRLHF, SkyRL workers) takes the servers' one token rule (core.auth)."""
    from codepaint_env.scoring.trainer import ENV_VARS, TrainerConfig

    url = {"CODEPAINT_SERVE_URL": "http://127.0.0.1:9"}
    both = {**url, TOKEN_ENV: "new", "CODEPAINT_SERVE_TOKEN": "old"}
    assert TrainerConfig.from_environ(both).serve_token == "new"
    file = tmp_path / "token"
    file.write_text("from-file\n")
    file.chmod(0o600)
    assert TrainerConfig.from_environ({**url, "CODEPAINT_TOKEN_FILE": str(file)}).serve_token == "from-file"
    with pytest.warns(UserWarning, match="CODEPAINT_SERVE_TOKEN"):
        assert TrainerConfig.from_environ({**url, "CODEPAINT_SERVE_TOKEN": "old"}).serve_token == "old"
    with pytest.raises(ValueError, match="not both"):
        TrainerConfig.from_environ({**url, TOKEN_ENV: "a", "CODEPAINT_TOKEN_FILE": str(file)})
    assert TrainerConfig.from_environ({TOKEN_ENV: "unused"}).serve_token is None  # no server, no token
    assert {TOKEN_ENV, "CODEPAINT_TOKEN_FILE", "CODEPAINT_SERVE_TOKEN"} <= set(ENV_VARS)
