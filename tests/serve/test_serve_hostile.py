"""`codepaint serve` against a hostile client: bodies that cost more than their size, bodies that
never finish, labels nested without end, a token on the command line.

Before: ``"</s>" * 400,000`` to ``/get_reward`` froze the whole server for 6 s (``/health``
included), 100,000 backticks to ``/score`` for 3.7 s; eight connections trickling a byte every
few seconds made every ``/render`` a 503 indefinitely; a label 50,000 levels deep was a 500.
"""

from __future__ import annotations

import secrets
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.serve_process import ServeProcess, serve_env

pytestmark = pytest.mark.browser

TOKEN = "hostile-" + secrets.token_hex(8)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20">'
       '<rect width="20" height="20" fill="#eee"/><circle cx="10" cy="10" r="6" fill="teal"/></svg>')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    tmp = tmp_path_factory.mktemp("hostile")
    token_file = tmp / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    proc = ServeProcess(tmp / "serve.log", "--token-file", str(token_file), "--reward", "execution_gate",
                        "--max-in-flight", "2", "--max-body-mb", "2", "--body-timeout", "3",
                        env=serve_env(CODEPAINT_CACHE_DIR=str(tmp / "cache")))
    try:
        yield proc
    finally:
        proc.stop()


def test_the_token_comes_from_a_file_and_is_not_on_the_command_line(server: ServeProcess) -> None:
    cmdline = Path(f"/proc/{server.proc.pid}/cmdline").read_bytes()
    assert TOKEN.encode() not in cmdline
    assert httpx.get(f"{server.url}/stats", timeout=30).status_code == 401
    assert httpx.get(f"{server.url}/stats", headers=AUTH, timeout=30).status_code == 200


def _health_latencies(url: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(timeout=30) as c:
        while not stop.is_set():
            t0 = time.perf_counter()
            assert c.get(f"{url}/health").status_code == 200
            out.append(time.perf_counter() - t0)
            time.sleep(0.02)


@pytest.mark.parametrize("path, body", [
    ("/get_reward", {"query": ["</s>" * 400_000]}),           # the end-token cut
    ("/score", {"completions": ["`" * 1_500_000]}),           # the fence scan
    ("/score", {"completions": ["<script " * 180_000], "columns": {"language": "p5"}}),  # inline scripts
])
def test_adversarial_bodies_never_freeze_the_server(server: ServeProcess, path: str, body: dict) -> None:
    latencies: list[float] = []
    stop = threading.Event()
    prober = threading.Thread(target=_health_latencies, args=(server.url, stop, latencies))
    prober.start()
    try:
        time.sleep(0.2)
        r = httpx.post(f"{server.url}{path}", json=body, headers=AUTH, timeout=120)
        time.sleep(0.2)
    finally:
        stop.set()
        prober.join()
    assert r.status_code == 200, r.text[:300]
    assert len(latencies) >= 5
    # /health is served by the event loop: nothing of the request may run there
    assert statistics.median(latencies) < 0.1 and max(latencies) < 1.0, latencies


def _trickle(url: str, seconds: float, answers: list[str]) -> None:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"POST /render HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                  "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n".encode())
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                s.sendall(b" ")
                time.sleep(0.5)
        except OSError:  # the server gave up on us and closed: what it should do
            pass
        s.settimeout(10)
        try:
            answers.append(s.recv(4096).decode(errors="replace").split("\r\n", 1)[0])
        except OSError as e:
            answers.append(f"error {e}")


def test_slow_bodies_on_every_slot_do_not_keep_work_out(server: ServeProcess) -> None:
    answers: list[str] = []
    tricklers = [threading.Thread(target=_trickle, args=(server.url, 8, answers)) for _ in range(6)]
    for t in tricklers:
        t.start()
    try:
        time.sleep(1.0)  # every trickler is sending: before, each held one of the 2 work slots
        with httpx.Client(base_url=server.url, headers=AUTH, timeout=60) as c:
            for _ in range(3):
                r = c.post("/render", json={"items": [{"code": SVG, "language": "svg", "size": 32}]})
                assert r.status_code == 200, r.text
                assert r.json()["results"][0]["ok"]
    finally:
        for t in tricklers:
            t.join()
    assert answers and all("408" in a for a in answers), answers  # each was cut off at the deadline
    rejected = httpx.get(f"{server.url}/stats", headers=AUTH, timeout=30).json()["rejected"]
    assert rejected["slow_body"] >= 6


def test_a_label_nested_without_end_is_a_422_and_the_server_keeps_serving(server: ServeProcess) -> None:
    deep = '{"a":' * 50_000 + "1" + "}" * 50_000
    r = httpx.post(f"{server.url}/get_reward", json={"query": ["<svg/>"], "labels": [deep]}, headers=AUTH,
                   timeout=60)
    assert r.status_code == 422 and "nested too deeply" in r.json()["error"], r.text[:300]
    body = '{"query": ["x"], "labels": [' + "[" * 50_000 + "]" * 50_000 + "]}"
    r = httpx.post(f"{server.url}/get_reward", content=body,
                   headers={**AUTH, "content-type": "application/json"}, timeout=60)
    assert 400 <= r.status_code < 500, r.text[:300]
    assert httpx.get(f"{server.url}/health", timeout=30).json()["status"] == "ok"
    ok = httpx.post(f"{server.url}/get_reward", json={"query": [SVG], "labels": ["svg"]}, headers=AUTH,
                    timeout=60)
    assert ok.status_code == 200 and ok.json()["rewards"] == [1.0], ok.text
