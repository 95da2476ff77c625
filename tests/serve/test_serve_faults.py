"""Faults on the right side: a reward that raises while scoring is the server's fault, never the caller's.

One ``codepaint serve`` on loopback whose reward, ``support.faulty_reward:JudgeParsingBug`` (loaded
by ``make_reward`` as any third-party ``module:Class``), raises ``ValueError`` while scoring a
program that holds its trigger: a judge-parsing bug. Before, ``/score`` answered it ``422`` and
``RemoteReward`` raised ``RemoteRequestRejected``, stopping the training run and blaming its request.

Here the whole path end to end (the reward loaded by ``--reward``, the traceback in the server's
log); how the clients (RemoteReward, verl, OpenRLHF) take the fault, and which errors are 4xx, on
the stub dispatch in ``test_fast_serve_faults.py`` (part of ``make fast``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.faulty_reward import TRIGGER
from support.serve_process import ServeProcess, serve_env

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "faults-" + secrets.token_hex(8)
SPEC = "support.faulty_reward:JudgeParsingBug"
GOOD = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" '
        'fill="#fdf6e3"/><circle cx="20" cy="20" r="12" fill="#2a9d8f"/></svg>')
BUGGY = GOOD.replace("</svg>", f"<!-- {TRIGGER} --></svg>")
COLUMNS = {"language": "svg", "size": 64}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    tmp = tmp_path_factory.mktemp("serve-faults")
    token_file = tmp / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    path = os.pathsep.join(p for p in (str(ROOT / "tests"), os.environ.get("PYTHONPATH")) if p)
    proc = ServeProcess(tmp / "serve.log", "--token-file", str(token_file), "--reward", SPEC,
                        env=serve_env(PYTHONPATH=path, CODEPAINT_CACHE_DIR=str(tmp / "cache")))
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def client(server: ServeProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as c:
        yield c


def test_a_reward_that_raises_is_a_500_naming_the_reward_and_the_error(client: httpx.Client,
                                                                       server: ServeProcess) -> None:
    r = client.post("/score", json={"completions": [GOOD, BUGGY], "columns": COLUMNS})
    assert r.status_code == 500, r.text
    error = r.json()["error"]
    assert SPEC in error and "ValueError: could not parse the judge's answer" in error, error
    assert "not of the request" in error
    # logged with its traceback for the operator, counted in /stats
    assert "Traceback" in server.log() and "score_one" in server.log()
    stats = client.get("/stats").json()
    assert stats["faults"]["reward"] >= 1 and stats["endpoints"]["/score"]["status"]["500"] >= 1
    # the server goes on: the next request is scored
    r = client.post("/score", json={"completions": [GOOD], "columns": COLUMNS})
    assert r.status_code == 200 and r.json()["results"][0]["value"] == 1.0, r.text
