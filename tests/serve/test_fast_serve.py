"""`codepaint serve`'s app on a `StubDispatch`: its endpoints, token, faults and client, no browser."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image

import rewards
from codepaint_env.serve.app import create_app
from rewards.remote import RemoteRequestRejected, RemoteReward
from support.serve_process import serving
from support.stubbed import BROKEN_SVG, GOOD_SVG, OTHER_SVG, drawing, stub_dispatch

TOKEN = "fast-serve-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SPEC = "gate:0.3,classic:0.7"


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create_app(SPEC, renderer=stub_dispatch(), token=TOKEN)
    with TestClient(app, raise_server_exceptions=False) as c:  # a 500 as an HTTP client sees it
        yield c


def test_health_is_open_and_everything_else_needs_the_token(client):
    assert client.get("/health").json()["status"] == "ok"
    refused = client.post("/render", json={"items": [{"code": GOOD_SVG}]})
    assert refused.status_code == 401 and refused.json()["error"]["type"] == "authentication_error"
    lower_case = client.post("/render", json={"items": [{"code": GOOD_SVG, "language": "svg"}]},
                             headers={"Authorization": f"bearer {TOKEN}"})
    assert lower_case.status_code == 200
    basic = client.post("/render", json={"items": [{"code": GOOD_SVG, "language": "svg"}]},
                        auth=("codepaint", TOKEN))
    assert basic.status_code == 200


def test_render_answers_the_canned_results_with_the_picture(client):
    body = {"items": [{"code": GOOD_SVG}, {"code": BROKEN_SVG}], "language": "svg", "size": 64,
            "include_png": True}
    good, broken = client.post("/render", json=body, headers=AUTH).json()["results"]
    assert good["ok"] and good["size"] == [64, 64] and good["language"] == "svg"
    picture = Image.open(io.BytesIO(base64.b64decode(good["png_base64"]))).convert("RGB")
    assert picture.tobytes() == drawing().tobytes()
    assert not broken["ok"] and broken["error_kind"] == "syntax" and broken["png_base64"] is None


def test_score_gives_the_same_values_as_the_reward_in_this_process(client):
    completions = [f"```svg\n{GOOD_SVG}\n```", BROKEN_SVG, OTHER_SVG]
    columns = {"language": "svg", "size": 64}
    answer = client.post("/score", json={"completions": completions, "columns": columns}, headers=AUTH).json()
    reward = rewards.make_reward(SPEC, renderer=stub_dispatch())
    here = reward(completions, language=["svg"] * 3, size=[64] * 3)
    assert answer["reward"] == SPEC and answer["value_range"] == [-0.3, 1.0]
    assert [r["value"] for r in answer["results"]] == pytest.approx(here)
    assert answer["results"][1]["value"] == pytest.approx(-0.3)
    assert answer["results"][1]["render"]["error_kind"] == "syntax"
    gate = client.post("/score", json={"completions": [GOOD_SVG], "reward": "execution_gate",
                                       "columns": {"language": "svg"}}, headers=AUTH).json()
    assert gate["results"][0]["value"] == 1.0


def test_get_reward_speaks_openrlhf(client):
    prompt = "Draw a teal circle.\nassistant:"
    body = {"query": [f"{prompt}{GOOD_SVG}</s>", f"{prompt}{BROKEN_SVG}"], "prompts": [prompt, prompt],
            "labels": ["svg", "svg"]}
    answer = client.post("/get_reward", json=body, headers=AUTH).json()
    assert answer["rewards"][1] == pytest.approx(-0.3) and answer["rewards"][0] > answer["rewards"][1]
    assert answer["scores"][1] == 0.0 and answer["extra_logs"]["judged"] == [1.0, 1.0]


def test_bad_requests_are_4xx_and_an_unplanned_render_is_the_server_s_500(client):
    bad = client.post("/score", json={"completions": [GOOD_SVG], "columns": {"language": "cobol"}},
                      headers=AUTH)
    assert bad.status_code == 422 and "cobol" in bad.json()["error"]
    unplanned = client.post("/render", json={"items": [{"code": "<svg>unplanned</svg>", "language": "svg"}]},
                            headers=AUTH)
    assert unplanned.status_code == 500 and "no answer" in unplanned.json()["error"]
    assert client.post("/render", json={"items": [{"code": GOOD_SVG, "language": "svg"}]},
                       headers=AUTH).status_code == 200  # still serving
    stats = client.get("/stats", headers=AUTH).json()
    assert stats["renders"]["stub_renders"] >= 2


@pytest.fixture
def loopback() -> Iterator[str]:
    """The app under uvicorn on a loopback port, in a thread (what `codepaint serve` runs)."""
    with serving(create_app(SPEC, renderer=stub_dispatch(), token=TOKEN)) as url:
        yield url


def test_remote_reward_over_loopback_scores_as_the_local_reward(loopback):
    completions = [GOOD_SVG, BROKEN_SVG, OTHER_SVG]
    columns = {"language": ["svg"] * 3, "size": [64] * 3}
    remote = RemoteReward(loopback, token=TOKEN)(completions, **columns)
    local = rewards.make_reward(SPEC, renderer=stub_dispatch())(completions, **columns)
    assert remote == pytest.approx(local) and remote[1] == pytest.approx(-0.3)
    with pytest.raises(RemoteRequestRejected) as refused:
        RemoteReward(loopback, token="wrong")(completions, **columns)
    assert refused.value.status == 401
