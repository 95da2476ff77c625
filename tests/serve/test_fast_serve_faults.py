"""`codepaint serve`'s faults on the right side, on a `StubDispatch` (no browser: part of `make fast`).

A reward that raises while scoring is the server's fault, never the caller's: the reward is
``support.faulty_reward:JudgeParsingBug`` (loaded by ``make_reward`` as any third-party
``module:Class``), which raises ``ValueError`` on a program holding its trigger. A flood beyond
``max_in_flight`` is a ``503`` with ``Retry-After`` while ``/health`` answers. The same server in
a subprocess with real renders: ``test_serve_faults.py`` and ``test_serve.py``.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from codepaint_env.integrations.verl import compute_score
from codepaint_env.render import Renderer
from codepaint_env.render.dispatch import Job
from codepaint_env.serve.app import create_app
from codepaint_env.serve.config import Limits
from codepaint_env.testing import StubDispatch
from rewards.remote import RemoteReward
from support.faulty_reward import TRIGGER
from support.serve_process import serving
from support.stubbed import BROKEN_SVG, GOOD_SVG, drawing

TOKEN = "fast-faults-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SPEC = "support.faulty_reward:JudgeParsingBug"
BUGGY = GOOD_SVG.replace("</svg>", f"<!-- {TRIGGER} --></svg>")
COLUMNS = {"language": "svg", "size": 64}


def faulty_app(**limits: Any) -> Any:
    renderer = Renderer(dispatch=StubDispatch({GOOD_SVG: drawing(), BUGGY: drawing(), BROKEN_SVG: "syntax"}),
                        cache_size=0)
    return create_app(SPEC, renderer=renderer, token=TOKEN, limits=Limits(**limits))


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(faulty_app(), raise_server_exceptions=False, headers=AUTH) as c:
        yield c


@pytest.fixture
def loopback() -> Iterator[str]:
    with serving(faulty_app()) as url:
        yield url


def test_a_reward_that_raises_is_a_500_naming_the_reward_and_the_error(
        client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        r = client.post("/score", json={"completions": [GOOD_SVG, BUGGY], "columns": COLUMNS})
    assert r.status_code == 500, r.text
    error = r.json()["error"]
    assert SPEC in error and "ValueError: could not parse the judge's answer" in error, error
    assert "not of the request" in error
    assert any(rec.exc_info for rec in caplog.records), "logged with its traceback for the operator"
    stats = client.get("/stats").json()
    assert stats["faults"]["reward"] == 1 and stats["endpoints"]["/score"]["status"]["500"] == 1
    r = client.post("/score", json={"completions": [GOOD_SVG], "columns": COLUMNS})  # the server goes on
    assert r.status_code == 200 and r.json()["results"][0]["value"] == 1.0, r.text


def test_only_errors_in_the_request_are_4xx(client: TestClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"completions": [BUGGY], "columns": {"language": "cobol"}}, "unknown language 'cobol'"),
        ({"completions": [BUGGY], "columns": {**COLUMNS, "seed": "seven"}}, "columns.seed"),
        ({"completions": [BUGGY], "columns": {**COLUMNS, "size": "64 by 64"}}, "size"),
        ({"completions": [BUGGY, GOOD_SVG], "columns": {**COLUMNS, "subject": ["a"]}}, "1 values for 2"),
    ]
    for body, needle in cases:
        r = client.post("/score", json=body)
        assert r.status_code == 422 and needle in r.json()["error"], (body, r.text)
    r = client.post("/render", json={"items": [{"code": GOOD_SVG, "language": "p5"}], "renderer": "fast"})
    assert r.status_code == 422 and "fast" in r.json()["error"], r.text


def test_remote_reward_makes_it_unjudged_with_the_reason_and_the_trainer_goes_on(
        loopback: str, caplog: pytest.LogCaptureFixture) -> None:
    reward = RemoteReward(loopback, token=TOKEN, language="svg", size=64)
    logged: dict[str, float] = {}
    with caplog.at_level(logging.WARNING, logger="codepaint.rewards.remote"):
        values = reward([GOOD_SVG, BUGGY], log_metric=lambda k, v: logged.__setitem__(k, v))  # TRL's call
    assert values == [None, None]
    assert logged["remote/unjudged"] == 1.0  # what TRL logs: the unjudged share of the batch
    assert any("not judged" in m and "answered 500" in m and "ValueError" in m for m in caplog.messages)
    [result] = reward.request([BUGGY])
    assert result.value is None and result.reason is not None
    assert result.reason.startswith("infra: the codepaint server") and "judge's answer" in result.reason
    assert reward([GOOD_SVG]) == [1.0]  # the server still serves, the client still scores
    reward.close()


def test_verl_gets_an_unjudged_float_and_goes_on(loopback: str) -> None:
    row = {"language": "svg", "size": 64}
    bad = compute_score("codepaint", BUGGY, "svg-task", row, serve_url=loopback, serve_token=TOKEN)
    assert bad["judged"] == 0.0 and bad["value"] is None and bad["score"] == 0.0, bad
    good = compute_score("codepaint", GOOD_SVG, "svg-task", row, serve_url=loopback, serve_token=TOKEN)
    assert good["judged"] == 1.0 and good["score"] == 1.0, good


def test_openrlhf_gets_unjudged_floats_not_a_5xx_it_would_give_up_on(client: TestClient) -> None:
    r = client.post("/get_reward", json={"query": [BUGGY, GOOD_SVG], "labels": ["svg", "svg"]})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["rewards"] == [0.0, 0.0] and out["extra_logs"]["judged"] == [0.0, 0.0]
    assert out["extra_logs"]["rendered"] == [1.0, 1.0]
    r = client.post("/get_reward", json={"query": [GOOD_SVG], "labels": ["svg"]})
    assert r.status_code == 200 and r.json()["rewards"] == [1.0], r.text


def test_a_flood_gets_503_with_retry_after_and_health_stays_up() -> None:
    # The one work slot is held by a render the stub answers only when the test lets it: no timing.
    slow = GOOD_SVG.replace("</svg>", "<!-- slow --></svg>")
    release, entered = threading.Event(), threading.Event()

    def answer(job: Job) -> Any:
        if job.code.strip() == slow:
            entered.set()
            assert release.wait(30), "the test never released the slow render"
        return drawing() if "<circle" in job.code else "syntax"

    renderer = Renderer(dispatch=StubDispatch(answer), cache_size=0)
    app = create_app("gate:0.3,classic:0.7", renderer=renderer, token=TOKEN, limits=Limits(max_in_flight=1))
    with serving(app) as url, httpx.Client(base_url=url, headers=AUTH, timeout=60) as http, \
            concurrent.futures.ThreadPoolExecutor(2) as pool:
        held = pool.submit(http.post, "/render", json={"items": [{"code": slow, "language": "svg"}]})
        assert entered.wait(30)
        flood = [http.post("/score", json={"completions": [GOOD_SVG]}) for _ in range(4)]
        health = httpx.get(f"{url}/health", timeout=30).json()  # off the event loop: it answers
        busy = RemoteReward(url, token=TOKEN, retries=0).request([GOOD_SVG], language="svg")
        release.set()
        assert held.result().status_code == 200 and held.result().json()["results"][0]["ok"]
        for r in flood:
            assert r.status_code == 503, r.text
            assert int(r.headers["retry-after"]) >= 1 and "busy" in r.json()["error"]
        assert health == {**health, "status": "ok", "in_flight": 1, "max_in_flight": 1}
        assert busy[0].value is None and "503" in (busy[0].reason or "") and "busy" in (busy[0].reason or "")
        after = http.post("/score", json={"completions": [GOOD_SVG], "columns": COLUMNS})
        assert after.status_code == 200 and after.json()["results"][0]["value"] > 0
        stats = http.get("/stats").json()
    assert stats["rejected"]["busy"] == 5 and stats["endpoints"]["/score"]["status"]["503"] == 5
