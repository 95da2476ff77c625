"""Faults on the right side: a reward that raises while scoring is the server's fault, never the caller's.

One ``codepaint serve`` on loopback whose reward, ``support.faulty_reward:JudgeParsingBug`` (loaded
by ``make_reward`` as any third-party ``module:Class``), raises ``ValueError`` while scoring a
program that holds its trigger: a judge-parsing bug. Before, ``/score`` answered it ``422`` and
``RemoteReward`` raised ``RemoteRequestRejected``, stopping the training run and blaming its request.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from codepaint_env.integrations.verl import compute_score
from rewards.remote import RemoteReward
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


def test_only_errors_in_the_request_are_4xx(client: httpx.Client) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"completions": [BUGGY], "columns": {"language": "cobol"}}, "unknown language 'cobol'"),
        ({"completions": [BUGGY], "columns": {**COLUMNS, "seed": "seven"}}, "columns.seed"),
        ({"completions": [BUGGY], "columns": {**COLUMNS, "size": "64 by 64"}}, "size"),
        ({"completions": [BUGGY, GOOD], "columns": {**COLUMNS, "subject": ["a"]}}, "1 values for 2"),
    ]
    for body, needle in cases:
        r = client.post("/score", json=body)
        assert r.status_code == 422 and needle in r.json()["error"], (body, r.text)
    r = client.post("/render", json={"items": [{"code": GOOD, "language": "p5"}], "renderer": "fast"})
    assert r.status_code == 422 and "fast" in r.json()["error"], r.text


def test_remote_reward_makes_it_unjudged_with_the_reason_and_the_trainer_goes_on(
        server: ServeProcess, caplog: pytest.LogCaptureFixture) -> None:
    reward = RemoteReward(server.url, token=TOKEN, language="svg", size=64)
    logged: dict[str, float] = {}
    with caplog.at_level(logging.WARNING, logger="codepaint.rewards.remote"):
        values = reward([GOOD, BUGGY], log_metric=lambda k, v: logged.__setitem__(k, v))  # TRL's call
    assert values == [None, None]
    assert logged["remote/unjudged"] == 1.0  # what TRL logs: the unjudged share of the batch
    assert any("not judged" in m and "answered 500" in m and "ValueError" in m for m in caplog.messages)
    [result] = reward.request([BUGGY])
    assert result.value is None and result.reason is not None
    assert result.reason.startswith("infra: the codepaint server") and "judge's answer" in result.reason
    assert reward([GOOD]) == [1.0]  # the server still serves, the client still scores
    reward.close()


def test_verl_gets_an_unjudged_float_and_goes_on(server: ServeProcess) -> None:
    row = {"language": "svg", "size": 64}
    bad = compute_score("codepaint", BUGGY, "svg-task", row, serve_url=server.url, serve_token=TOKEN)
    assert bad["judged"] == 0.0 and bad["value"] is None and bad["score"] == 0.0, bad
    good = compute_score("codepaint", GOOD, "svg-task", row, serve_url=server.url, serve_token=TOKEN)
    assert good["judged"] == 1.0 and good["score"] == 1.0, good


def test_openrlhf_gets_unjudged_floats_not_a_5xx_it_would_give_up_on(client: httpx.Client) -> None:
    r = client.post("/get_reward", json={"query": [BUGGY, GOOD], "labels": ["svg", "svg"]})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["rewards"] == [0.0, 0.0] and out["extra_logs"]["judged"] == [0.0, 0.0]
    assert out["extra_logs"]["rendered"] == [1.0, 1.0]
    r = client.post("/get_reward", json={"query": [GOOD], "labels": ["svg"]})
    assert r.status_code == 200 and r.json()["rewards"] == [1.0], r.text
