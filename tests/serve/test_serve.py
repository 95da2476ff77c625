"""`codepaint serve` over real HTTP: a server subprocess, real renders and rewards, the RemoteReward client.

One module-scoped server (token, ``--max-in-flight 1``, ``--max-batch 8``, ``--max-body-mb 1``,
reward ``gate:0.3,classic:0.7``, the in-process stand-in judge for judge rewards); a second one,
started and killed by the test that needs a server to die.
"""

from __future__ import annotations

import base64
import concurrent.futures
import io
import json
import math
import os
import pickle
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from codepaint_env.core.result import failed
from codepaint_env.render import RenderResult
from codepaint_env.render.load import CLIENT_MARGIN_S, answer_within_s
from codepaint_env.testing.judge_server import JudgeServer
from rewards.base import Sample
from rewards.remote import RemoteRequestRejected, RemoteReward
from support.serve_process import ServeProcess, alive, serve_env

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "serve-test-" + secrets.token_hex(8)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SPEC = "gate:0.3,classic:0.7"
LOW, HIGH = -0.3, 1.0  # the range of gate:0.3,classic:0.7


def svg(fill: str, shape: str = '<circle cx="20" cy="20" r="12"') -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" '
            f'fill="#fdf6e3"/>{shape} fill="{fill}"/><path d="M4 34 L36 30" stroke="#264653" '
            'stroke-width="2"/></svg>')


GOOD_SVG = svg("#2a9d8f")
OTHER_SVG = svg("#e76f51", '<rect x="8" y="10" width="24" height="18"')
BROKEN_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><circle cx="5"'
P5 = "function setup(){createCanvas(64,64);background(240);noStroke();fill(30,90,160);circle(32,32,40)}"
SLOW_S = 5.0
SLOW_PY = f"""
import time
from PIL import Image, ImageDraw
time.sleep({SLOW_S})
im = Image.new("RGB", (64, 64), "white")
ImageDraw.Draw(im).ellipse((8, 8, 56, 56), fill="teal")
im.save(OUTPUT_PATH)
"""


@pytest.fixture(scope="module")
def judge() -> Iterator[JudgeServer]:
    with JudgeServer() as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, judge: JudgeServer) -> Iterator[ServeProcess]:
    tmp = tmp_path_factory.mktemp("serve")
    env = serve_env(OPENAI_BASE_URL=judge.url, OPENAI_API_KEY="x", CODEPAINT_JUDGE_MODEL="standin",
               CODEPAINT_CACHE_DIR=str(tmp / "cache"))
    proc = ServeProcess(tmp / "serve.log", "--token", TOKEN, "--reward", SPEC, "--max-in-flight", "1",
                        "--max-batch", "8", "--max-body-mb", "1", env=env)
    try:
        yield proc
    finally:
        proc.stop()
    # SIGTERM: a graceful shutdown that closes the renderer, then uvicorn ends by the signal
    assert proc.proc.returncode == -signal.SIGTERM, proc.log()
    assert "shut down, renderer closed" in proc.log()


@pytest.fixture
def client(server: ServeProcess) -> Iterator[httpx.Client]:
    # wait as long as the server says its renders may take (the largest batch here is 8), as
    # RemoteReward does: a fixed guess gives up on a busy machine while the server still serves
    wait = RemoteReward(server.url, token=TOKEN).timeout_for(8)
    with httpx.Client(base_url=server.url, headers=AUTH, timeout=wait) as c:
        yield c


def _png_size(b64: str) -> tuple[int, int]:
    with Image.open(io.BytesIO(base64.b64decode(b64))) as im:
        return im.size


def _score(client: httpx.Client, completions: list[Any], **body: Any) -> dict[str, Any]:
    r = client.post("/score", json={"completions": completions, **body})
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------------- endpoints
def test_score_gives_values_for_good_programs_and_the_minimum_for_broken_ones(client: httpx.Client) -> None:
    data = _score(client, [GOOD_SVG, BROKEN_SVG], prompts=["a teal circle", "a circle"],
                  columns={"language": "svg", "size": "96x64"}, include_png=True)
    assert data["reward"] == SPEC and data["value_range"] == [LOW, HIGH]
    good, broken = data["results"]

    assert good["reason"] is None and LOW < good["value"] <= HIGH
    assert good["breakdown"]["execution_gate"] == 1.0 and good["breakdown"]["classic"] > 0
    assert good["render"]["ok"] is True and good["render"]["error_kind"] is None
    assert good["render"]["timings_ms"]["total"] > 0
    assert _png_size(good["render"]["png_base64"]) == (96, 64)

    assert broken["value"] == LOW and broken["reason"] is None  # a result: the minimum, not null
    assert broken["render"]["ok"] is False and broken["render"]["error_kind"] == "syntax"
    assert broken["render"]["messages"] and broken["render"]["png_base64"] is None
    assert broken["breakdown"]["execution_gate"] == -1.0


def test_render_returns_every_result_with_pngs_of_the_asked_size(client: httpx.Client) -> None:
    r = client.post("/render", json={"items": [{"code": GOOD_SVG, "size": [80, 48]}, {"code": BROKEN_SVG},
                                               {"code": P5, "language": "p5", "size": 64}],
                                     "language": "svg", "size": 32, "include_png": True})
    assert r.status_code == 200, r.text
    good, broken, sketch = r.json()["results"]
    assert good["ok"] and good["language"] == "svg" and good["size"] == [80, 48]
    assert _png_size(good["png_base64"]) == (80, 48)
    back = RenderResult.from_dict(good)  # the JSON is a RenderResult
    assert back.image is not None and back.image.size == (80, 48) and back.sha256 == good["sha256"]
    assert not broken["ok"] and broken["error_kind"] == "syntax" and broken["png_base64"] is None
    assert sketch["ok"] and sketch["language"] == "p5" and _png_size(sketch["png_base64"]) == (64, 64)


def test_get_reward_follows_openrlhf_contract(client: httpx.Client) -> None:
    prompt = "<|im_start|>user\nDraw a teal circle as an SVG.<|im_end|>\n<|im_start|>assistant\n"
    queries = ["<pad><pad>" + prompt + f"Here it is:\n```svg\n{GOOD_SVG}\n```<|im_end|><|endoftext|>",
               prompt + BROKEN_SVG + "<|im_end|>"]
    labels = [json.dumps({"language": "svg", "size": "96x64"}), {"language": "svg", "size": "96x64"}]
    r = client.post("/get_reward", json={"query": queries, "prompts": [prompt, prompt], "labels": labels})
    assert r.status_code == 200, r.text
    data = r.json()
    assert set(data) == {"rewards", "scores", "extra_logs"}
    expected = _score(client, [GOOD_SVG], columns={"language": "svg", "size": "96x64"})["results"][0]["value"]
    assert data["rewards"] == [pytest.approx(expected), LOW]
    assert data["scores"] == [pytest.approx((expected - LOW) / (HIGH - LOW)), 0.0]
    monitors = {k: data["extra_logs"].pop(k) for k in list(data["extra_logs"]) if k.startswith("codepaint/")}
    assert data["extra_logs"] == {"judged": [1.0, 1.0], "rendered": [1.0, 0.0], "prompt_found": [1.0, 1.0]}
    assert monitors["codepaint/draws_something"] == [1.0, 0.0]  # the training monitors, as OpenRLHF logs them


def test_unjudged_items_are_null_in_score_and_masked_in_get_reward(client: httpx.Client,
                                                                  judge: JudgeServer) -> None:
    judged = _score(client, [svg("#8ab17d")], prompts=["a green circle"], reward="pointwise_vlm",
                    columns={"language": "svg", "size": 64})["results"][0]
    assert judged["value"] is not None and 0 <= judged["value"] <= 1 and judged["cost"]["requests"] >= 1

    judge.set_persistent("malformed")  # the judge answers prose: unjudged after one re-ask
    try:
        data = _score(client, [svg("#f4a261"), BROKEN_SVG], prompts=["an orange circle", "x"],
                      reward="gate:0.3,pointwise_vlm:0.7", columns={"language": "svg", "size": 64})
        down, broken = data["results"]
        assert down["value"] is None and "pointwise_vlm" in down["reason"]
        assert down["render"]["ok"] is True
        assert broken["value"] == pytest.approx(-0.3) and broken["reason"] is None  # gated: the minimum

        prompt = "<|im_start|>user\nDraw an orange square.<|im_end|>\n<|im_start|>assistant\n"
        r = client.post("/get_reward", params={"reward": "gate:0.3,pointwise_vlm:0.7"}, json={
            "query": [prompt + svg("#f4a262") + "<|im_end|>", prompt + BROKEN_SVG], "prompts": [prompt] * 2,
            "labels": ["svg", "svg"]})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["rewards"] == [0.0, pytest.approx(-0.3)]  # unjudged: --unjudged-reward (0.0)
        assert out["extra_logs"]["judged"] == [0.0, 1.0] and out["extra_logs"]["rendered"] == [1.0, 0.0]
    finally:
        judge.set_persistent(None)

    stats = client.get("/stats").json()
    assert stats["judge_cost"]["requests"] >= 3  # one judged, two refused answers (a re-ask)
    assert stats["items"]["unjudged"] >= 2


def test_token_is_needed_everywhere_but_health(server: ServeProcess) -> None:
    health = httpx.get(f"{server.url}/health", timeout=30)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Token {TOKEN}"}):
        r = httpx.get(f"{server.url}/stats", headers=headers, timeout=30)
        assert r.status_code == 401 and "token" in r.json()["error"]["message"]  # every server's 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        # checked before the body is read: a malformed body gets 401, not 400
        r = httpx.post(f"{server.url}/score", content=b"{nope", headers=headers, timeout=30)
        assert r.status_code == 401
    stats = httpx.get(f"{server.url}/stats", headers=AUTH, timeout=30)
    assert stats.status_code == 200
    # refused at the door (before the guard reads a body), and still counted
    counted = stats.json()
    assert counted["rejected"]["unauthorized"] >= 6 and counted["endpoints"]["/stats"]["status"]["401"] >= 3
    # the token as the password of the URL's user info (what OpenRLHF's requests can send)
    with_userinfo = server.url.replace("http://", f"http://codepaint:{TOKEN}@")
    assert httpx.get(f"{with_userinfo}/stats", timeout=30).status_code == 200


def test_bad_requests_get_a_4xx_saying_what_was_wrong(client: httpx.Client, server: ServeProcess) -> None:
    cases: list[tuple[str, Any, int, str]] = [
        ("/score", b"{not json", 400, "malformed JSON"),
        ("/score", b"", 422, "no request body"),
        ("/score", {"completions": "one string"}, 422, "completions"),
        ("/score", {"completions": [1, 2]}, 422, "completions.0"),
        ("/score", {"completions": ["x"], "reward": "no_such"}, 422, "unknown reward 'no_such'"),
        ("/score", {"completions": ["x"], "reward": "os:system"}, 422, "registered reward ids only"),
        ("/score", {"completions": ["x"], "typo": 1}, 422, "typo"),
        ("/score", {"completions": ["x"], "columns": {"language": "cobol"}}, 422, "unknown language"),
        ("/score", {"completions": ["x"], "columns": {"size": 100000}}, 422, "size"),
        ("/score", {"completions": ["x"], "prompts": ["a", "b"]}, 422, "2 prompts for 1"),
        ("/score", {"completions": ["x"], "columns": {"subject": ["a", "b"]}}, 422, "2 values for 1"),
        ("/score", {"completions": ["x"] * 9}, 413, "at most 8"),
        ("/render", {"items": [{"code": 5}]}, 422, "items.0.code"),
        ("/render", {"items": [{"code": "x"}], "renderer": "fastest"}, 422, "renderer"),
        ("/render", {"items": [{"code": "x", "language": "p5"}], "renderer": "fast"}, 422, "fast"),
        ("/get_reward", {"query": "x"}, 422, "query"),
        ("/get_reward", {"query": ["x"], "labels": [3]}, 422, "labels[0]"),
        # weights that mean nothing: 422 naming the weight (was 200 with 0.0 or 1.4e308, or a 500)
        ("/score", {"completions": ["x"], "reward": "classic:nan"}, 422, "nan"),
        ("/score", {"completions": ["x"], "reward": "classic:inf"}, 422, "inf"),
        ("/score", {"completions": ["x"], "reward": "classic:1e308,gate:1e308"}, 422, "1e+308"),
        ("/score", {"completions": ["x"], "reward": "gate:-1,classic:1"}, 422, "-1"),
        ("/get_reward?reward=classic:nan", {"query": ["x"]}, 422, "nan"),
        # a reward that loads a model is not a client's to pick (it answers at once, loads nothing)
        ("/score", {"completions": ["x"], "reward": "clip"}, 422, "--client-rewards"),
        ("/get_reward?reward=dino:0.9,gate:0.1", {"query": ["x"]}, 422, "--client-rewards"),
    ]
    for path, body, status, needle in cases:
        r = (client.post(path, content=body, headers={"content-type": "application/json"})
             if isinstance(body, bytes) else client.post(path, json=body))
        assert r.status_code == status, (path, body, r.text)
        assert needle in r.json()["error"], (path, body, r.text)

    big = json.dumps({"completions": ["x" * (1024 * 1024)]}).encode()
    r = client.post("/score", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "--max-body-mb" in r.json()["error"]
    chunks = (big[i:i + 65536] for i in range(0, len(big), 65536))  # no Content-Length: counted as it comes
    r = client.post("/score", content=chunks, headers={"content-type": "application/json"})
    assert r.status_code == 413

    assert httpx.get(f"{server.url}/health", timeout=30).status_code == 200  # still serving
    assert _score(client, [GOOD_SVG], columns={"language": "svg", "size": 64})["results"][0]["value"] > 0


def test_a_flood_gets_503_with_retry_after_and_health_stays_up(client: httpx.Client,
                                                              server: ServeProcess) -> None:
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        slow = pool.submit(client.post, "/render",
                           json={"items": [{"code": SLOW_PY, "language": "python", "size": 64}]})
        server.wait_in_flight(1)
        flood = [pool.submit(client.post, "/score", json={"completions": [GOOD_SVG]}) for _ in range(6)]
        answers = [f.result() for f in flood]
        # /health answers while the only worker is busy rendering: the work is off the event loop
        health = httpx.get(f"{server.url}/health", timeout=30).json()
        busy = RemoteReward(server.url, token=TOKEN, retries=0).request([GOOD_SVG], language="svg")
        slow_answer = slow.result()

    for r in answers:
        assert r.status_code == 503, r.text
        assert int(r.headers["retry-after"]) >= 1 and "busy" in r.json()["error"]
    assert health == {**health, "status": "ok", "in_flight": 1, "max_in_flight": 1}
    assert busy[0].value is None and "503" in (busy[0].reason or "") and "busy" in (busy[0].reason or "")
    assert slow_answer.status_code == 200 and slow_answer.json()["results"][0]["ok"]

    assert server.in_flight() == 0
    assert _score(client, [GOOD_SVG], columns={"language": "svg", "size": 64})["results"][0]["value"] > 0
    stats = client.get("/stats").json()
    assert stats["rejected"]["busy"] >= 7 and stats["endpoints"]["/score"]["status"]["503"] >= 7
    latency = stats["endpoints"]["/render"]["latency_ms"]
    assert latency["p50"] <= latency["p90"] <= latency["p99"] and latency["p99"] >= SLOW_S * 1000
    assert stats["error_kinds"]["ok"] >= 2
    assert stats["renders"]["renders"] >= 1


# ---------------------------------------------------------------------- the client
def test_remote_reward_gives_the_servers_values(client: httpx.Client, server: ServeProcess) -> None:
    completions = [GOOD_SVG, BROKEN_SVG, OTHER_SVG]
    prompts = ["a teal circle", "a circle", "an orange box"]
    served = _score(client, completions, prompts=prompts, columns={"language": "svg", "size": "96x64"})
    expected = [r["value"] for r in served["results"]]

    reward = RemoteReward(server.url, token=TOKEN, language="svg", size=(96, 64), batch_size=2)
    # its read timeout follows the server's bound on a render (owed time and a browser's start)
    health = httpx.get(f"{server.url}/health", timeout=30).json()
    one, at_once = health["render_answer_within_s"], health["renders_at_once"]
    assert one == answer_within_s(20.0) and at_once >= 1
    assert reward.timeout_for(2) == one * math.ceil(2 / at_once) + CLIENT_MARGIN_S
    assert reward.timeout_for(9 * at_once) == 9 * one + CLIENT_MARGIN_S
    assert RemoteReward(server.url, timeout_s=5.0).timeout_for(100) == 5.0  # the caller's own, kept
    metrics: dict[str, float] = {}
    values = reward(completions, prompts=prompts, log_metric=metrics.__setitem__, trainer_state=object())
    assert values == [pytest.approx(v) for v in expected] and values[1] == LOW
    assert reward.value_range == (LOW, HIGH) and metrics["remote/unjudged"] == 0.0
    # a chat completion, as TRL passes in conversational datasets; a pickled copy talks to the same server
    chat = [[{"role": "assistant", "content": f"Here:\n```svg\n{GOOD_SVG}\n```"}]]
    assert pickle.loads(pickle.dumps(reward))(chat) == [pytest.approx(expected[0])]

    # score(): samples rendered here are sent as their programs; an infra render is None, unsent
    rendered = RenderResult(ok=True, language="svg", size=(96, 64), seed=0)
    here = [Sample(code=c, language="svg", render=rendered, prompt=p)
            for c, p in zip(completions, prompts, strict=True)]
    died = failed("svg", "infra", "infra: the browser died")
    here.append(Sample(code=GOOD_SVG, language="svg", render=died))
    scored = reward.score(here)
    assert [r.value for r in scored[:3]] == [pytest.approx(v) for v in expected]
    assert scored[3].value is None and "infra" in (scored[3].reason or "")

    with pytest.raises(RemoteRequestRejected, match="unknown reward 'no_such'"):
        RemoteReward(server.url, token=TOKEN, reward="no_such")([GOOD_SVG])
    with pytest.raises(RemoteRequestRejected, match=r"\(401\): missing or wrong token"):
        RemoteReward(server.url, token="wrong")([GOOD_SVG])


def test_remote_reward_answers_none_when_the_server_times_out_or_dies(tmp_path: Path) -> None:
    proc = ServeProcess(tmp_path / "serve.log", "--reward", "execution_gate", "--max-in-flight", "2",
                        env=serve_env())
    try:
        reward = RemoteReward(proc.url, language="svg", retries=0)
        assert reward([GOOD_SVG]) == [1.0]

        late = RemoteReward(proc.url, timeout_s=1.0, retries=0).request([SLOW_PY], language="python")
        assert late[0].value is None and "did not answer within 1 s" in (late[0].reason or "")

        box: list[Any] = []
        caller = threading.Thread(target=lambda: box.append(reward.request([SLOW_PY], language="python")))
        caller.start()
        proc.wait_in_flight(2)  # the abandoned slow render and this one
        tree = proc.tree()
        os.kill(proc.proc.pid, signal.SIGKILL)
        caller.join(60)
        assert not caller.is_alive()
        (killed,) = box[0]
        assert killed.value is None and (killed.reason or "").startswith("infra: ")

        down = reward.request([GOOD_SVG])
        assert down[0].value is None and "cannot reach the codepaint server" in (down[0].reason or "")
        assert proc.proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.proc.poll() is None:
            proc.proc.kill()
        proc.proc.wait(timeout=30)
        proc._log.close()
    # A server killed with SIGKILL cannot close its browser: what it started must still go away
    # (the browser's driver exits when its pipe to the dead server closes; the sandboxed program
    # ends when its timeout or its own end comes).
    deadline = time.monotonic() + 30
    while any(alive(p) for p in tree - {proc.proc.pid}) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in tree - {proc.proc.pid} if alive(p)]
