"""verifiers: codepaint's taskset, environment and harness run by verifiers' own eval runner.

verifiers 0.4.0 pins openai<3 (.venv has 3.x), so it lives in ``.venvs/verifiers`` (made by
``scripts/install-trainer-venvs.sh``, run by ``make test``). A script in that venv runs
``verifiers.v1.cli.eval.runner.run_eval`` (what ``vf eval`` runs: ``load_environment``, the
env's ``serving()``, ``run_slot`` per episode, its interception server, its ``EvalClient``) on
:func:`codepaint_env.integrations.verifiers.load_environment`'s config, against a scripted
policy on loopback (``tests/support/scripted_chat.py``, over
:class:`~codepaint_env.testing.chat_server.LoopbackChatServer`) that answers each task's turns from
a script and keeps every request it got; this test reads what it saw.
The renders are real (Chromium; ``CodePaintEnv`` renders SVG with the browser), the reward
``execution_gate`` (offline); the unjudged case is a judge reward whose judge is down.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.trainer_venv]

ROOT = Path(__file__).resolve().parents[2]
VERIFIERS_PYTHON = ROOT / ".venvs" / "verifiers" / "bin" / "python"

GOOD = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
        'fill="#f4f1e8"/><circle cx="32" cy="30" r="18" fill="#c1272d"/><rect x="30" y="44" width="4" '
        'height="18" fill="#2d6a4f"/></svg>')
GOOD_EDIT = GOOD.replace("#c1272d", "#e07a1f")
BROKEN = "<svg xmlns='http://www.w3.org/2000/svg'><circle r='5'"

SCRIPT = r'''
import asyncio, json, sys, time

import verifiers
import verifiers.v1 as vf
import verifiers.v1.utils.loaders as loaders
from verifiers.v1.cli.eval.runner import run_eval
from verifiers.v1.configs.cli.eval import EvalConfig

from codepaint_env.integrations import verifiers as cp
from rewards import make_reward
from support.scripted_chat import ScriptedPolicy

good, good_edit, broken, out_dir, out_path = sys.argv[1:6]
T0 = time.monotonic()


# the env run_eval loads: watch its stop() close the shared renderer
closed = []
_load = loaders.load_environment


def spied_load(config):
    env = _load(config)
    stop = env.stop

    async def watched_stop():
        renderer = env.taskset.resources._renderer
        await stop()
        closed.append({"had_renderer": renderer is not None,
                       "backends_left": None if renderer is None else len(renderer.transport._backends),
                       "dropped": env.taskset.resources._renderer is None})
    env.stop = watched_stop
    return env


loaders.load_environment = spied_load


def run(name, script, tasks=1, tool=False, **kwargs):
    with ScriptedPolicy(script, tool, fence="svg") as policy:
        env = cp.load_environment("svg", size=64, **{"rewards": "execution_gate", **kwargs})
        config = EvalConfig(env=env.config, model="scripted", push=False, rich=None,
                            client=vf.EvalClientConfig(base_url=policy.url, api_key_var="CP_NO_KEY"),
                            output_dir=out_dir, num_rollouts=1, select={"limit": tasks})
        episodes = asyncio.run(run_eval(config))
    traces = [t for e in episodes for t in e.traces]
    out[name] = {
        "episodes_ok": [e.ok for e in episodes],
        "traces": [{"ok": t.ok, "prompt": t.task.data.prompt, "reward": t.reward,
                    "rewards": {k: None if r is None else r.score for k, r in t.rewards.items()},
                    "metrics": t.metrics, "info": t.info, "turns": t.num_turns, "branches": t.num_branches,
                    "errors": [e.type + ": " + e.message for e in t.errors]} for t in traces],
        "requests": policy.requests,
    }
    out["seconds"][name] = time.monotonic() - T0


probe = cp.load_environment("svg", size=64)
prompts = [t.data.prompt for t in probe.taskset.take(2)]
out = {"version": verifiers.__version__, "lowest": make_reward("execution_gate").value_range[0],
       "prompts": prompts, "seconds": {}, "env_class": type(probe).__name__,
       "config": {"runtime": probe.config.agent.runtime.type, "harness": probe.config.agent.harness.id}}
run("single", {prompts[0]: [good], prompts[1]: [broken]}, tasks=2)
run("multi", {prompts[0]: [good, good_edit, broken]}, max_turns=3, images=True, keep_last_images=1)
run("tool", {prompts[0]: [good, good_edit]}, tool=True, max_turns=2, images=True, image_placement="tool")
run("unjudged", {prompts[0]: [good]}, rewards="execution_gate:0.3,pointwise_vlm:0.7")
out["closed"] = closed
json.dump(out, open(out_path, "w"), default=str)
'''


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    assert VERIFIERS_PYTHON.exists(), ("no .venvs/verifiers: run scripts/install-trainer-venvs.sh "
                                       "(make test does)")
    tmp = tmp_path_factory.mktemp("verifiers")
    script = tmp / "run.py"
    script.write_text(SCRIPT)
    out = tmp / "seen.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEPAINT_", "OPENAI_", "PRIME_"))}
    # the judge of the unjudged run is down: nothing listens there
    env.update(OPENAI_BASE_URL=f"http://127.0.0.1:{_dead_port()}/v1", OPENAI_API_KEY="none",
               CODEPAINT_JUDGE_MODEL="judge", CODEPAINT_CACHE_DIR=str(tmp / "cache"),
               PYTHONPATH=str(ROOT / "tests"))  # support.scripted_chat: the scripted policy
    proc = subprocess.run([str(VERIFIERS_PYTHON), str(script), GOOD, GOOD_EDIT, BROKEN, str(tmp / "runs"),
                           str(out)], capture_output=True, text=True, timeout=240, env=env, cwd=tmp)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-5000:]
    return json.loads(out.read_text())


def _texts(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "\n".join(p.get("text", "") for p in content or [] if p.get("type") == "text")


def _pictures(message: dict[str, Any]) -> int:
    content = message.get("content")
    return sum(p.get("type") == "image_url" for p in content) if isinstance(content, list) else 0


def test_the_environment_is_verifiers_own_kind(seen: dict[str, Any]) -> None:
    assert seen["version"] == "0.4.0"
    assert seen["env_class"] == "CodePaintVerifiersEnv"
    # no container and no uv: the harness calls the model in-process, in the subprocess runtime
    assert seen["config"] == {"runtime": "subprocess", "harness": "codepaint-verifiers"}


def test_single_turn_a_good_program_scores_high_a_broken_one_the_minimum(seen: dict[str, Any]) -> None:
    run = seen["single"]
    assert run["episodes_ok"] == [True, True]
    by_prompt = {t["prompt"]: t for t in run["traces"]}
    good, broken = by_prompt[seen["prompts"][0]], by_prompt[seen["prompts"][1]]
    assert good["ok"] and good["turns"] == 1 and good["rewards"]["codepaint"] > seen["lowest"]
    assert good["reward"] == good["rewards"]["codepaint"]
    assert good["metrics"]["codepaint/rendered"] == 1.0 and good["metrics"]["codepaint/turns"] == 1.0
    assert broken["ok"] and broken["rewards"]["codepaint"] == seen["lowest"]
    assert broken["info"]["codepaint"]["turns"][0]["error_kind"] == "syntax"
    # each request: the language's system prompt and the task's prompt, nothing else
    for request in run["requests"]:
        roles = [m["role"] for m in request["messages"]]
        assert roles == ["system", "user"] and "SVG" in request["messages"][0]["content"]
        assert "tools" not in request


def test_multi_turn_feedback_and_pictures_in_user_messages_older_ones_left_out(seen: dict[str, Any]) -> None:
    run = seen["multi"]
    (trace,) = run["traces"]
    assert run["episodes_ok"] == [True] and trace["ok"] and trace["turns"] == 3
    turns = trace["info"]["codepaint"]["turns"]
    assert [t["turn"] for t in turns] == [1, 2, 3]
    assert turns[0]["value"] > seen["lowest"] and turns[1]["value"] > seen["lowest"]
    # the episode's reward is the last program's: broken, the minimum
    assert turns[2]["error_kind"] == "syntax" and trace["rewards"]["codepaint"] == seen["lowest"]
    first, second, third = run["requests"]
    assert [m["role"] for m in first["messages"]] == ["system", "user"]
    feedback = second["messages"][-1]
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "user"]
    assert "Turn 1 of 3" in _texts(feedback) and "The program rendered" in _texts(feedback)
    assert _pictures(feedback) == 1 and feedback["content"][0]["image_url"]["url"].startswith(
        "data:image/png;base64,iVBOR")
    # keep_last_images=1: the third request keeps turn 2's picture, turn 1's becomes a placeholder
    roles = [m["role"] for m in third["messages"]]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
    older, newest = third["messages"][3], third["messages"][5]
    assert _pictures(older) == 0 and "earlier turn is left out" in _texts(older)
    assert "Turn 1 of 3" in _texts(older)
    assert _pictures(newest) == 1 and "Turn 2 of 3" in _texts(newest)
    # the rewritten history is a second branch of the trace (what the model saw, token for token)
    assert trace["branches"] == 2


def test_tool_placement_answers_the_submit_call_with_a_tool_message(seen: dict[str, Any]) -> None:
    run = seen["tool"]
    (trace,) = run["traces"]
    assert trace["ok"] and trace["rewards"]["codepaint"] > seen["lowest"] and trace["branches"] == 1
    first, second = run["requests"]
    assert [t["function"]["name"] for t in first["tools"]] == ["submit_code"]
    assert "submit_code" in first["messages"][0]["content"]
    call, answer = second["messages"][-2], second["messages"][-1]
    assert call["role"] == "assistant" and call["tool_calls"][0]["id"] == "call-0"
    assert answer["role"] == "tool" and answer["tool_call_id"] == "call-0"
    assert _pictures(answer) == 1 and "Turn 1 of 2" in _texts(answer)
    assert not any(m["role"] == "user" and _pictures(m) for m in second["messages"])


def test_an_unjudged_rollout_is_an_error_not_a_zero(seen: dict[str, Any]) -> None:
    run = seen["unjudged"]
    (trace,) = run["traces"]
    assert run["episodes_ok"] == [False] and trace["ok"] is False
    assert trace["rewards"] == {"codepaint": None}  # verifiers' "scoring didn't run"
    assert any(e.startswith("TaskError") and "NotJudged" in e and "not judged" in e for e in trace["errors"])
    assert trace["info"]["codepaint"]["turns"][0]["judged"] is False


def test_the_shared_renderer_is_closed_when_the_env_stops(seen: dict[str, Any]) -> None:
    assert len(seen["closed"]) == 4
    for closed in seen["closed"]:
        assert closed == {"had_renderer": True, "backends_left": 0, "dropped": True}


def test_verifiers_is_not_in_dot_venv() -> None:
    # verifiers would move openai 3 -> 2: importing the adapter here says how to fix it
    from codepaint_env.core.errors import DependencyNotInstalled

    if "verifiers" in sys.modules or _importable("verifiers"):
        pytest.skip("verifiers is installed in this venv")
    with pytest.raises(DependencyNotInstalled, match="verifiers"):
        import codepaint_env.integrations.verifiers  # noqa: F401


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
