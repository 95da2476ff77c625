"""OpenRLHF: the ``reward_func`` file and ``codepaint serve``'s ``/get_reward``, through OpenRLHF's code.

OpenRLHF itself cannot be installed here (it pins deepspeed, flash-attn and vLLM: CUDA builds),
so ``scripts/install-trainer-venvs.sh`` puts its source (``--no-deps``) with aiohttp and
pylatexenc in ``.venvs/openrlhf``, and the test runs OpenRLHF 0.11.2's own
``SingleTurnAgentExecutor`` (``openrlhf/utils/agent.py``: the code that loads a ``.py`` reward
file with importlib, or POSTs to a remote reward URL, and turns the answer into the sample's
reward) in a subprocess of ``.venv`` with that folder on its path. Only the generation engine is
a stand-in (vLLM needs a GPU): it answers fixed responses as token ids of a real tokenizer. The
HTTP form goes to a real ``codepaint serve`` subprocess on loopback, with a token in the URL.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from codepaint_env.integrations import openrlhf as cp_openrlhf
from codepaint_env.serve.app import END_TOKENS as SERVE_END_TOKENS
from codepaint_env.serve.app import completion_from_query as serve_completion_from_query

pytestmark = [pytest.mark.browser, pytest.mark.trainer_venv]

ROOT = Path(__file__).resolve().parents[2]
OPENRLHF_SRC = ROOT / ".venvs" / "openrlhf"
TOKEN = "openrlhf-test-token"
SPEC = "gate:0.3,classic:0.7"

GOOD = ('```svg\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
        'fill="#fdf6e3"/><circle cx="32" cy="32" r="20" fill="#268bd2"/></svg>\n```')
BROKEN = "```svg\n<svg xmlns='http://www.w3.org/2000/svg'><rect\n```"


def test_the_response_is_cut_from_the_query_as_the_server_cuts_it() -> None:
    # one implementation (render.extract) for the in-process file and the served /get_reward
    assert cp_openrlhf.completion_from_query is serve_completion_from_query
    assert cp_openrlhf.END_TOKENS is SERVE_END_TOKENS
    cases = {("<|pad|><|pad|>PROMPT answer<|im_end|><|endoftext|>", "PROMPT"): (" answer", True),
             ("PROMPT```svg\n<svg/>\n```  </s>  ", "PROMPT"): ("```svg\n<svg/>\n```", True),
             ("no prompt here<eos>", "PROMPT"): ("no prompt here", False),
             ("PROMPT", "PROMPT"): ("", True), ("x PROMPT y PROMPT z", "PROMPT"): (" y PROMPT z", True),
             ("text", None): ("text", False), ("<pad>P a<|im_end|>", "P"): (" a", True)}
    for (query, prompt), want in cases.items():
        assert cp_openrlhf.completion_from_query(query, prompt) == want, query


def test_labels() -> None:
    assert cp_openrlhf.label_row(None) == ({}, None)
    assert cp_openrlhf.label_row("svg") == ({"language": "svg"}, None)
    assert cp_openrlhf.label_row('{"language": "p5", "prompt": "a red kite", "size": 96}') == (
        {"language": "p5", "size": 96}, "a red kite")
    for bad in ("klingon", 3, '{"broken'):
        with pytest.raises(ValueError, match="label"):
            cp_openrlhf.label_row(bad)


def test_reward_func_answers_tensors_in_openrlhfs_form(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    for var in ("CODEPAINT_REWARD", "CODEPAINT_SERVE_URL", "CODEPAINT_UNJUDGED_REWARD"):
        monkeypatch.delenv(var, raising=False)
    label = {"language": "svg", "size": [64, 64], "prompt": "a blue dot"}
    out = cp_openrlhf.reward_func(["P:" + GOOD + "<|im_end|>", "P:" + BROKEN], ["P:", "P:"], [label, label])
    assert set(out) == {"rewards", "scores", "extra_logs"}
    rewards, scores = out["rewards"], out["scores"]
    assert isinstance(rewards, torch.Tensor) and rewards.shape == (2,) and scores.shape == (2,)
    assert rewards[0] > rewards[1] and scores[1] == 0.0 and 0 < scores[0] <= 1
    logs = {k: v.tolist() for k, v in out["extra_logs"].items()}
    assert {k: v for k, v in logs.items() if not k.startswith("codepaint/")} == {
        "judged": [1.0, 1.0], "prompt_found": [1.0, 1.0], "rendered": [1.0, 0.0]}
    # the training monitors ride along (rewards.monitors), floats only
    assert logs["codepaint/draws_something"] == [1.0, 0.0] and logs["codepaint/failed/syntax"] == [0.0, 1.0]
    with pytest.raises(ValueError, match="2 queries, 1 prompts"):
        cp_openrlhf.reward_func(["a", "b"], ["p"], None)


# ---------------------------------------------------------------------- OpenRLHF's own code path
AGENT_SCRIPT = r'''
import asyncio, json, os, sys
from types import SimpleNamespace
sys.path.append(sys.argv[1])  # OpenRLHF's source, after .venv's own packages
from rewards.embed.compat import ensure_torchvision
ensure_torchvision()  # .venv's torchvision is the CUDA wheel beside CPU torch (see rewards.embed.compat)
from openrlhf.utils.agent import SingleTurnAgentExecutor
import torch
from transformers import AutoTokenizer

tok = AutoTokenizer.from_pretrained(sys.argv[2])
endpoints, responses, label = json.loads(sys.argv[3]), json.loads(sys.argv[4]), json.loads(sys.argv[5])
prompt = tok.apply_chat_template([{"role": "user", "content": "Draw an SVG of a blue dot."}],
                                 add_generation_prompt=True, tokenize=False)


class Engine:
    """Stands in for vLLM (a GPU engine): answers the next fixed response as token ids."""

    def __init__(self, text):
        self.text = text

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        ids = tok.encode(self.text, add_special_tokens=False) + [tok.convert_tokens_to_ids("<|im_end|>")]
        return SimpleNamespace(outputs=[SimpleNamespace(token_ids=ids, text=self.text, finish_reason="stop",
                                                        logprobs=None)])


async def run(endpoint):
    executor = SingleTurnAgentExecutor(remote_rm_url=endpoint)
    params = SimpleNamespace(max_tokens=512, logprobs=None)
    outs = await asyncio.gather(*(executor.execute(prompt, label, params, 2048, tok, Engine(text))
                                  for text in responses))
    # what OpenRLHF's samples generator makes of each answer (samples_generator.py: torch.tensor([...]));
    # an HTTP answer's one-item lists become (1, 1) tensors there, as with OpenRLHF's own serve_rm
    return [{"reward": torch.tensor([o["reward"]]).flatten().tolist(),
             "shape": list(torch.tensor([o["reward"]]).shape),
             "score": torch.tensor([o["scores"]]).flatten().tolist(),
             "extra_logs": {k: torch.tensor([v.flatten()[0].item() if isinstance(v, torch.Tensor) else v])
                            .flatten().tolist()
                            for k, v in o["extra_logs"].items()}}
            for o in outs]

out = {e: asyncio.run(run(e)) for e in endpoints}
os.environ["CODEPAINT_SERVE_URL"] = "http://127.0.0.1:9"  # then the file's scoring server is down
out["down"] = asyncio.run(run(endpoints[0]))
print(json.dumps(out))
'''


class Served:
    """``codepaint serve --port 0`` in a subprocess, its URL read from its first line."""

    def __init__(self, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEPAINT_", "OPENAI_"))}
        self._log = log.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "codepaint_env.cli", "serve", "--port", "0",
                                      "--reward", SPEC, "--token", TOKEN, "--log-level", "warning"],
                                     stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while not (m := re.search(r" on (http://\S+) ", log.read_text(errors="replace"))):
            assert self.proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.05)
        self.url = m.group(1)
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self._log.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = Served(tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        yield server
    finally:
        server.stop()


def test_openrlhf_scores_through_the_file_and_the_server_alike(served: Served, tmp_path: Path) -> None:
    from codepaint_env.testing import build_tiny_lm

    assert OPENRLHF_SRC.is_dir(), "no .venvs/openrlhf: run scripts/install-trainer-venvs.sh (make test does)"
    tok_dir = build_tiny_lm(tmp_path / "tiny")
    file_form = cp_openrlhf.__file__
    http_form = served.url.replace("http://", f"http://codepaint:{TOKEN}@") + "/get_reward"
    label = {"language": "svg", "size": [64, 64], "task_id": "svg-blue-dot", "prompt": "a blue dot"}
    script = tmp_path / "agent.py"
    script.write_text(AGENT_SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEPAINT_", "OPENAI_"))}
    env["CODEPAINT_REWARD"] = SPEC

    def run(endpoints: list[str]) -> dict[str, list[dict[str, object]]]:
        proc = subprocess.run([sys.executable, str(script), str(OPENRLHF_SRC), str(tok_dir),
                               json.dumps(endpoints), json.dumps([GOOD, BROKEN]), json.dumps(label)],
                              capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr[-5000:]
        return json.loads(proc.stdout.strip().splitlines()[-1])

    both = run([file_form, http_form])
    local, remote = both[file_form], both[http_form]
    for answers in (local, remote):
        good, broken = answers
        assert good["reward"] is not None, "OpenRLHF got no reward (it logs and drops a failing reward call)"
        assert len(good["reward"]) == 1 and good["reward"][0] > broken["reward"][0]
        assert broken["score"] == [0.0] and 0 < good["score"][0] <= 1
        assert good["extra_logs"]["judged"] == [1.0] and good["extra_logs"]["prompt_found"] == [1.0]
    # the file and the server are the same contract: the same rewards for the same answers
    assert [a["reward"][0] for a in local] == pytest.approx([a["reward"][0] for a in remote], abs=1e-6)
    assert [a["extra_logs"]["rendered"] for a in local] == [[1.0], [0.0]]
    assert [a["shape"] for a in local] == [[1], [1]]  # the file's tensors: one value per sample

    down = both["down"]  # the file again, with CODEPAINT_SERVE_URL at a port where nothing listens
    assert [a["reward"] for a in down] == [[0.0], [0.0]]
    assert [a["extra_logs"]["judged"] for a in down] == [[0.0], [0.0]]
