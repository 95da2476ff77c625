"""OpenEnv: the codepaint ``Environment`` served by OpenEnv's own app, driven by OpenEnv's own client.

openenv-core 0.3.0 pins pillow<13 (through gradio; .venv has pillow 13), so it lives in
``.venvs/openenv`` (made by ``scripts/install-trainer-venvs.sh``, run by ``make test``). Two real
servers run there on loopback (``python -m codepaint_env.integrations.openenv``): an open one
and one with a token, one session at most and a four-second idle timeout (the reaper). A client
script, also in that venv, drives them with OpenEnv's ``GenericEnvClient`` (its WebSocket
session), with :class:`CodePaintEnvClient` (the token) and with plain HTTP (OpenEnv's stateless
``/reset`` and ``/step``, ``/state``, ``/schema``, ``/health``); this test reads what it saw.
The renders are real (Chromium), the reward ``execution_gate`` (fast, offline).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.openenv_server import OPENENV_PYTHON, server_env, start, stop

pytestmark = [pytest.mark.browser, pytest.mark.trainer_venv]

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-token-for-the-guarded-server"

GOOD = ('```svg\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
        'fill="#f4f1e8"/><circle cx="32" cy="30" r="18" fill="#c1272d"/><rect x="30" y="44" width="4" '
        'height="18" fill="#2d6a4f"/></svg>\n```')
BROKEN = "```svg\n<svg xmlns='http://www.w3.org/2000/svg'><circle r='5'\n```"

CLIENT_SCRIPT = r'''
import asyncio, base64, contextlib, io, json, sys, time
import httpx
from openenv.core import GenericEnvClient

from codepaint_env.cli.serve import is_loopback as serve_rule
from codepaint_env.integrations.openenv import CodePaintAction, CodePaintEnvClient, is_loopback, main
from codepaint_env.tasks import all_tasks
from rewards import make_reward

url, guarded_url, token, good, broken, out_path = sys.argv[1:7]


def wait_healthy(base):  # the servers start beside this script (importing openenv takes seconds)
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base} did not answer /health")


tasks = [t.id for t in all_tasks(split="train", language="svg")]
out = {"lowest": make_reward("execution_gate").value_range[0], "tasks": tasks[:2]}
hosts = ["127.0.0.1", "127.8.9.1", "::1", "[::1]", "localhost", " LocalHost ", "0.0.0.0", "10.0.0.1",
         "example.com", "::", ""]
T0 = time.monotonic()
marks = out["seconds"] = {}
out["loopback_rule_agrees"] = all(is_loopback(h) == serve_rule(h) for h in hosts)
err = io.StringIO()
with contextlib.redirect_stderr(err):
    out["off_loopback_exit"] = main(["--host", "0.0.0.0", "--port", "9"])
out["off_loopback_stderr"] = err.getvalue()
wait_healthy(url)
wait_healthy(guarded_url)
marks["healthy"] = time.monotonic() - T0
# every client here waits as long as the server says a step may take (a starved render's owed time
# and the browser's start included), never a fixed guess: GET /deadline
out["deadline"] = httpx.get(f"{url}/deadline", timeout=10).json()
WAIT = out["deadline"]["client_timeout_s"]


def status(resp):
    return {"status": resp.status_code, "body": resp.json() if resp.content else None}


# ---- plain HTTP: OpenEnv's stateless routes
with httpx.Client(base_url=url, timeout=WAIT) as http:
    out["health"] = status(http.get("/health"))
    schema = http.get("/schema").json()
    out["schema"] = {k: sorted(schema[k].get("properties", {})) for k in ("action", "observation", "state")}
    out["metadata"] = http.get("/metadata").json()
    out["http_reset"] = status(http.post("/reset", json={"task_id": tasks[0]}))
    out["http_step"] = status(http.post("/step", json={"action": {"code": good}, "task_id": tasks[1]}))
    out["http_step_broken"] = status(http.post("/step", json={"action": {"code": broken},
                                                              "request_id": "r1"}))
    out["http_state"] = status(http.get("/state"))
    out["bad"] = {
        "no_code": http.post("/step", json={"action": {}}).status_code,
        "wrong_language": http.post("/step", json={"action": {"code": good, "language": "tikz"}}).status_code,
        "extra_action_field": http.post("/step", json={"action": {"code": good, "colour": 1}}).status_code,
        "too_long": http.post("/step", json={"action": {"code": "x" * 1_000_001}}).status_code,
        "not_json": http.post("/step", content=b"{nope",
                              headers={"content-type": "application/json"}).status_code,
        "unknown_task": http.post("/reset", json={"task_id": "no-such-task"}).status_code,
        "unknown_reset_field": http.post("/reset", json={"colour": "red"}).status_code,
        "negative_seed": http.post("/reset", json={"seed": -1}).status_code,
        "unknown_task_on_step": http.post("/step", json={"action": {"code": good},
                                                         "task_id": "no-such-task"}).status_code,
    }


marks["http"] = time.monotonic() - T0
# ---- OpenEnv's WebSocket client: one multi-turn episode
def as_dict(result):
    return {"observation": result.observation, "reward": result.reward, "done": result.done}


with GenericEnvClient(base_url=url, message_timeout_s=WAIT).sync() as env:
    first = env.reset(task_id=tasks[0], episode_id="ep-1")
    one = env.step({"code": good})
    state_one = env.state()
    two = env.step({"code": broken, "language": "svg"})
    state_two = env.state()
    try:
        env.step({"code": good})
        over = None
    except RuntimeError as e:
        over = str(e)
    again = env.reset(seed=3)
    try:
        env.step({"code": good, "language": "p5"})
        wrong = None
    except RuntimeError as e:
        wrong = str(e)
    out["episode"] = {"reset": as_dict(first), "one": as_dict(one), "state_one": state_one,
                      "two": as_dict(two), "state_two": state_two, "over": over,
                      "again": as_dict(again), "state_again": env.state(), "wrong_language": wrong}
    image = one.observation["image"]
    out["episode"]["png_signature"] = base64.b64decode(image)[:8].hex() if image else None


# ---- two sessions at once, each its own environment
async def two_sessions():
    a, b = (GenericEnvClient(base_url=url, message_timeout_s=WAIT) for _ in range(2))
    async with a, b:
        ra, rb = await asyncio.gather(a.reset(task_id=tasks[0]), b.reset(task_id=tasks[1]))
        sa = await a.step({"code": good})
        state_a, state_b = await asyncio.gather(a.state(), b.state())
        both = await asyncio.gather(a.step({"code": broken}), b.step({"code": good}))
        final_a, final_b = await asyncio.gather(a.state(), b.state())
    return {"reset": [r.observation["task_id"] for r in (ra, rb)], "a_first": as_dict(sa),
            "mid": [state_a, state_b], "both": [as_dict(r) for r in both], "final": [final_a, final_b]}

marks["episode"] = time.monotonic() - T0
out["sessions"] = asyncio.run(two_sessions())
marks["sessions"] = time.monotonic() - T0


# ---- the guarded server: the token, and the idle reaper (one session at most, 4 s idle)
async def guarded():
    res = {}
    with httpx.Client(base_url=guarded_url, timeout=WAIT) as http:
        res["health"] = http.get("/health").status_code
        res["schema_no_token"] = http.get("/schema").status_code
        res["schema_wrong"] = http.get("/schema", headers={"Authorization": "Bearer nope"}).status_code
        res["schema_token"] = http.get("/schema", headers={"Authorization": f"Bearer {token}"}).status_code
        res["reset_no_token"] = http.post("/reset", json={}).status_code
        res["deadline_no_token"] = http.get("/deadline").status_code
        # warm the renderer (Chromium starts on the first render): OpenEnv counts a session as idle
        # while it steps, so a step slower than the idle timeout would see its session reaped
        res["warm"] = http.post("/step", json={"action": {"code": good}},
                                headers={"Authorization": f"Bearer {token}"}).status_code
    for name, client in (("ws_no_token", GenericEnvClient(base_url=guarded_url)),
                         ("ws_wrong_token", CodePaintEnvClient(guarded_url, token="nope"))):
        try:
            await client.connect()
            res[name] = "connected"
            await client.close()
        except ConnectionError as e:
            res[name] = str(e)
    first = CodePaintEnvClient(guarded_url, token=token)
    await first.connect()
    res["typed_client_waits_s"] = first.message_timeout_s  # read from the guarded server's /deadline
    r = await first.reset(seed=1)
    s = await first.step(CodePaintAction(code=good))
    res["typed"] = {"reset_type": type(r.observation).__name__, "turn": s.observation.turn,
                    "value": s.observation.value, "state": (await first.state()).model_dump()}
    marks["guarded_typed"] = time.monotonic() - T0
    second = CodePaintEnvClient(guarded_url, token=token)
    await first.step(CodePaintAction(code=good))  # active now (a step is; state is not): not reaped yet
    try:
        await second.reset()
        res["second_while_first"] = "served"
    except Exception as e:  # OpenEnv sends CAPACITY_REACHED and closes: the client sees one or the other
        res["second_while_first"] = f"refused: {type(e).__name__}: {e}"
    await second.close()
    started = time.monotonic()
    res["after_idle"] = None
    while time.monotonic() - started < 30:  # OpenEnv's reaper looks every 5 s at most
        await asyncio.sleep(1.0)
        third = CodePaintEnvClient(guarded_url, token=token)
        try:
            r3 = await third.reset(seed=2)
            res["after_idle"] = {"task_id": r3.observation.task_id, "waited_s": time.monotonic() - started}
            break
        except Exception:  # still at capacity
            pass
        finally:
            await third.close()
    await first.close()
    return res

out["guarded"] = asyncio.run(guarded())
marks["guarded"] = time.monotonic() - T0
json.dump(out, open(out_path, "w"), default=str)
'''


def _env() -> dict[str, str]:
    return server_env()


def _serve(log: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    return start(log, "--env", "CodePaint/SVG-v4", "--reward", "execution_gate", "--max-turns", "2",
                 "--size", "64", *extra)


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    assert OPENENV_PYTHON.exists(), "no .venvs/openenv: run scripts/install-trainer-venvs.sh (make test does)"
    tmp = tmp_path_factory.mktemp("openenv")
    servers = [_serve(tmp / "open.log", "--max-sessions", "4"),
               _serve(tmp / "guarded.log", "--max-sessions", "1", "--idle-timeout", "4", "--token", TOKEN)]
    try:
        script = tmp / "client.py"
        script.write_text(CLIENT_SCRIPT)
        out = tmp / "seen.json"
        proc = subprocess.run([str(OPENENV_PYTHON), str(script), servers[0][1], servers[1][1], TOKEN, GOOD,
                               BROKEN, str(out)], capture_output=True, text=True, timeout=240, env=_env(),
                              cwd=tmp)
        logs = "".join(f"\n--- {n}.log\n" + (tmp / f"{n}.log").read_text()[-2000:]
                       for n in ("open", "guarded"))
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-5000:] + logs
        yield json.loads(out.read_text())
    finally:
        stop(proc for proc, _ in servers)


def test_http_routes_and_schema(seen: dict[str, Any]) -> None:
    assert seen["health"]["status"] == 200
    assert {"code", "language"} <= set(seen["schema"]["action"])
    observation = set(seen["schema"]["observation"])
    assert {"prompt", "feedback", "image", "reward_breakdown", "done", "turn"} <= observation
    # OpenEnv 0.3's /schema always describes its base State; ours adds fields (see /state, WS state)
    assert {"episode_id", "step_count"} <= set(seen["schema"]["state"])
    assert seen["metadata"]["name"] == "CodePaint/SVG-v4"
    reset = seen["http_reset"]
    assert reset["status"] == 200 and reset["body"]["done"] is False
    assert reset["body"]["observation"]["task_id"] == seen["tasks"][0]
    assert reset["body"]["observation"]["prompt"]
    # OpenEnv's HTTP /step is stateless: a fresh environment, this step its first turn
    step = seen["http_step"]
    assert step["status"] == 200, step
    obs = step["body"]["observation"]
    assert obs["task_id"] == seen["tasks"][1] and obs["turn"] == 1 and obs["judged"] is True
    assert step["body"]["reward"] > seen["lowest"] and obs["image"] and obs["error_kind"] is None
    broken = seen["http_step_broken"]
    assert broken["status"] == 200 and broken["body"]["reward"] == seen["lowest"]
    assert seen["http_state"]["status"] == 200


def test_bad_input_is_a_4xx(seen: dict[str, Any]) -> None:
    bad = seen["bad"]
    assert {k: v for k, v in bad.items() if not 400 <= v < 500} == {}, bad
    assert bad["unknown_task"] == bad["unknown_reset_field"] == bad["unknown_task_on_step"] == 400
    assert bad["no_code"] == bad["wrong_language"] == bad["extra_action_field"] == bad["too_long"] == 422


def test_a_multi_turn_episode_over_the_websocket_session(seen: dict[str, Any]) -> None:
    ep = seen["episode"]
    assert ep["reset"]["done"] is False and ep["reset"]["observation"]["turn"] == 0
    assert ep["reset"]["observation"]["task_id"] == seen["tasks"][0]
    one = ep["one"]
    assert one["done"] is False and one["observation"]["turn"] == 1 and one["observation"]["judged"] is True
    assert one["reward"] > seen["lowest"] and one["observation"]["reward_breakdown"]
    assert "Turn 1 of 2" in one["observation"]["feedback"] and one["observation"]["max_turns"] == 2
    assert ep["png_signature"] == "89504e470d0a1a0a"  # the picture, a base64 PNG
    assert ep["state_one"]["episode_id"] == "ep-1" and ep["state_one"]["step_count"] == 1
    assert ep["state_one"]["task_id"] == seen["tasks"][0] and ep["state_one"]["done"] is False
    # a broken program is a result with the reward's minimum, not an error; done at max_turns
    two = ep["two"]
    assert two["done"] is True and two["reward"] == seen["lowest"]
    assert two["observation"]["error_kind"] == "syntax" and two["observation"]["image"] is None
    assert "failed to render" in two["observation"]["feedback"]
    assert ep["state_two"]["step_count"] == 2 and ep["state_two"]["done"] is True
    assert ep["over"] and "episode is over" in ep["over"]
    assert ep["again"]["done"] is False and ep["state_again"]["step_count"] == 0
    assert ep["state_again"]["episode_id"] not in (None, "ep-1")
    assert ep["wrong_language"] and "VALIDATION_ERROR" in ep["wrong_language"]


def test_two_sessions_at_once_are_independent(seen: dict[str, Any]) -> None:
    s = seen["sessions"]
    assert s["reset"] == seen["tasks"][:2]
    a_mid, b_mid = s["mid"]
    assert (a_mid["step_count"], b_mid["step_count"]) == (1, 0)
    assert (a_mid["task_id"], b_mid["task_id"]) == tuple(seen["tasks"][:2])
    assert a_mid["episode_id"] != b_mid["episode_id"]
    a_two, b_one = s["both"]
    assert a_two["done"] is True and a_two["reward"] == seen["lowest"]  # A's second turn, broken
    assert b_one["done"] is False and b_one["observation"]["turn"] == 1 and b_one["reward"] > seen["lowest"]
    assert [f["step_count"] for f in s["final"]] == [2, 1]


def test_the_token_guard_and_the_idle_reaper(seen: dict[str, Any]) -> None:
    g = seen["guarded"]
    assert g["health"] == g["schema_token"] == g["warm"] == 200
    assert g["schema_no_token"] == g["schema_wrong"] == g["reset_no_token"] == 401
    # the handshake is refused with the door's 401 (uvicorn sends the denial response), not a bare 403
    assert "401" in g["ws_no_token"] and "401" in g["ws_wrong_token"]
    typed = g["typed"]
    assert typed["reset_type"] == "CodePaintObservation" and typed["turn"] == 1 and typed["value"] is not None
    assert typed["state"]["step_count"] == 1 and typed["state"]["env_id"] == "CodePaint/SVG-v4"
    refused = g["second_while_first"]
    assert refused.startswith("refused") and ("CAPACITY_REACHED" in refused or "ConnectionClosed" in refused)
    assert g["after_idle"] is not None, "the idle session was never reaped"


def test_clients_wait_as_long_as_the_server_says_a_step_may_take(seen: dict[str, Any]) -> None:
    # a starved render may run 3x its timeout (owed time) and the first waits for the browser: a
    # client's fixed 60 s (OpenEnv's default) gave up on steps the server was still serving
    from codepaint_env.render.load import CLIENT_MARGIN_S, answer_within_s

    deadline = seen["deadline"]
    assert deadline["step_within_s"] == answer_within_s(deadline["render_timeout_s"]) >= 3 * 20
    assert deadline["client_timeout_s"] == deadline["step_within_s"] + CLIENT_MARGIN_S > 60
    g = seen["guarded"]
    assert g["typed_client_waits_s"] == deadline["client_timeout_s"]  # read through the token
    assert g["deadline_no_token"] == 401


def test_the_loopback_rule_is_codepaint_serves_and_off_loopback_needs_a_token(seen: dict[str, Any]) -> None:
    assert seen["loopback_rule_agrees"]
    assert seen["off_loopback_exit"] == 2 and "without a token" in seen["off_loopback_stderr"]


def test_openenv_is_not_in_dot_venv() -> None:
    # openenv-core would move pillow 13 -> 12.3: importing the adapter here says how to fix it
    from codepaint_env.core.errors import DependencyNotInstalled

    if "openenv" in sys.modules or _importable("openenv"):
        pytest.skip("openenv-core is installed in this venv")
    with pytest.raises(DependencyNotInstalled, match="openenv-core"):
        import codepaint_env.integrations.openenv  # noqa: F401


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
