"""The judge client against the real stand-in server: retries, faults, strict parsing, the cache."""

from __future__ import annotations

import pickle
import time

import pytest

from codepaint_env.testing.judge_server import JudgeServer
from rewards.judge.client import JudgeClient
from rewards.judge.judged import PairwiseJudge
from rewards.judge.parsing import ParseError, parse_json_object, parse_pairwise, parse_scores
from rewards.judge.rubric import load_rubric
from support.pictures import blank, painting

A, B = painting(1), blank()


@pytest.fixture(scope="module")
def server():
    with JudgeServer(retry_after_s=0.2, slow_s=0.2, hang_s=5.0) as s:
        yield s


@pytest.fixture(autouse=True)
def _clean(server):
    server.reset()
    server.bias = None
    server.latency_s = 0.0
    yield


def client(server, tmp_path=None, **kw) -> JudgeClient:
    defaults = dict(
        base_url=server.url,
        api_key="x",
        model="standin",
        backoff_base_s=0.05,
        cache=str(tmp_path / "judge.sqlite") if tmp_path else False,
    )
    return JudgeClient(**{**defaults, **kw})


def ask(c: JudgeClient, first=A, second=B):
    return c.judge(
        system="Judge.",
        content=['Reply {"winner": "A"|"B"|"tie"}', first, second],
        parse=parse_pairwise,
        hint='{"winner": "A", "reason": "..."}',
    )


def test_verdict_from_the_standin(server):
    reply = ask(client(server))
    assert reply.value is not None and reply.value.winner == "A"
    assert reply.usage["prompt_tokens"] > 0 and reply.requests == 1


def test_429_with_retry_after_then_success(server):
    server.inject("429", times=2)
    c = client(server)
    t0 = time.monotonic()
    reply = ask(c)
    assert reply.value is not None and reply.value.winner == "A"
    assert reply.requests == 3 and c.stats["retries"] == 2
    assert time.monotonic() - t0 >= 2 * 0.2  # Retry-After honoured (a lower bound, not a timing claim)


def test_permanent_500_is_none_within_bounded_time(server):
    server.set_persistent("500")
    c = client(server, max_attempts=3)
    t0 = time.monotonic()
    reply = ask(c)
    assert reply.value is None and "500" in reply.reason
    assert reply.requests == 3 and c.stats["failures"] == 1
    assert time.monotonic() - t0 < 30  # generous: bounded, not forever


def test_client_errors_are_not_retried(server):
    c = client(server)
    reply = c.judge(system="x", content=["hi"], parse=parse_pairwise, hint="")
    assert reply.value is None  # a text reply is not a verdict
    bad = JudgeClient(
        base_url=server.url.replace("/v1", "/nope"), model="m", cache=False, backoff_base_s=0.05
    )
    reply = bad.judge(system="x", content=["winner"], parse=parse_pairwise, hint="")
    assert reply.value is None and "404" in reply.reason and reply.requests == 1


def test_hang_times_out_and_is_bounded(server):
    server.set_persistent("hang")
    c = client(server, request_timeout_s=0.5, max_attempts=2, max_time_s=3)
    t0 = time.monotonic()
    reply = ask(c)
    assert reply.value is None and "timeout" in reply.reason
    assert time.monotonic() - t0 < 10


@pytest.mark.parametrize("kind", ["malformed", "multiple", "null_winner", "bad_body"])
def test_bad_replies_are_none_never_a_guess(server, kind):
    server.set_persistent(kind)
    c = client(server)
    reply = ask(c)
    assert reply.value is None and reply.reason


def test_one_reask_recovers_a_malformed_reply(server):
    server.inject("malformed", times=1)
    c = client(server)
    reply = ask(c)
    assert reply.value is not None and c.stats["reasks"] == 1 and reply.requests == 2
    server.inject("malformed", times=2)
    assert ask(c).value is None
    server.inject("malformed", times=1)
    no_reask = ask(client(server, reask=False))
    assert no_reask.value is None and no_reask.requests == 1


def test_refusals_are_counted(server):
    server.set_persistent("refusal")
    c = client(server)
    reply = ask(c)
    assert reply.value is None and reply.refused and c.stats["refusals"] == 1


def test_nan_scores_are_none(server):
    server.set_persistent("nan")
    c = client(server)
    reply = c.judge(
        system="s",
        content=["alignment", A],
        parse=lambda t: parse_scores(t, ("alignment", "aesthetics", "structure")),
        hint="",
    )
    assert reply.value is None


def test_cache_hit_makes_no_request_and_errors_are_not_cached(server, tmp_path):
    c = client(server, tmp_path)
    server.set_persistent("500")
    assert ask(c).value is None
    server.set_persistent(None)
    before = server.requests
    first = ask(c)
    assert first.value is not None and not first.cached and server.requests == before + 1
    second = ask(c)
    assert second.cached and second.value == first.value and server.requests == before + 1
    # a fresh client (another process, say) on the same file: still no request
    again = ask(client(server, tmp_path))
    assert again.cached and server.requests == before + 1
    # another model is another key
    assert not ask(client(server, tmp_path, model="other")).cached


def test_position_biased_judge_gives_ties(server):
    server.bias = "first"
    judge = PairwiseJudge(client(server), load_rubric("new"))
    c = judge.compare(A, painting(2), prompt="a rose")
    assert c.score == 0.5 and set(c.outcomes) == {0.0, 1.0}


def test_identical_pictures_tie_without_a_request(server):
    judge = PairwiseJudge(client(server), load_rubric("old"))
    before = server.requests
    assert judge.compare(A, A.copy()).score == 0.5
    assert server.requests == before


def test_concurrency_is_limited_per_endpoint(server):
    server.latency_s = 0.25
    judge = PairwiseJudge(client(server, max_concurrency=2), load_rubric("new"))
    import asyncio

    from rewards.base import run_sync

    async def many():
        return await asyncio.gather(*(judge.acompare(painting(i), blank()) for i in range(4)))

    t0 = time.monotonic()
    out = run_sync(many())
    # 8 requests, 2 at a time, 0.25 s each: at least 4 rounds (a lower bound only)
    assert all(c.score == 1.0 for c in out) and time.monotonic() - t0 >= 0.9


def test_client_pickles_as_its_configuration(server, tmp_path):
    c = client(server, tmp_path)
    ask(c)
    c2 = pickle.loads(pickle.dumps(c))
    assert c2.config == c.config and ask(c2).cached


def test_missing_configuration_is_none_with_the_fix(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("CODEPAINT_JUDGE_MODEL", raising=False)
    reply = JudgeClient(cache=False).judge(system="s", content=["x"], parse=parse_pairwise, hint="")
    assert reply.value is None and "OPENAI_BASE_URL" in reply.reason


def test_environment_configures_the_client(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("CODEPAINT_JUDGE_MODEL", "judge-7b")
    c = JudgeClient()
    assert c.config.base_url.endswith(":9/v1") and c.config.model == "judge-7b"
    with pytest.raises(ValueError, match="max_attempts"):
        JudgeClient(max_attempts=0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A",
        "The winner is A",
        '{"winner": "A"} {"winner": "B"}',
        '{"winner": null}',
        '{"winner": "C"}',
        '["A"]',
        '{"winner": "A"',
        '{"score": NaN}',
    ],
)
def test_strict_parsing_rejects(text):
    with pytest.raises(ParseError):
        parse_pairwise(text)


@pytest.mark.parametrize(
    "text,winner",
    [
        ('{"winner": "A", "reason": "x"}', "A"),
        ('```json\n{"winner": "tie"}\n```', "tie"),
        ('Verdict: {"winner": "b", "reason": "brighter"}', "B"),
    ],
)
def test_strict_parsing_accepts_one_verdict(text, winner):
    assert parse_pairwise(text).winner == winner


def test_scores_must_be_numbers_in_range():
    keys = ("alignment", "aesthetics", "structure")
    assert (
        parse_scores('{"alignment": 80, "aesthetics": 70.5, "structure": 0}', keys).scores["aesthetics"]
        == 70.5
    )
    for bad in (
        '{"alignment": "80", "aesthetics": 1, "structure": 1}',
        '{"alignment": 101, "aesthetics": 1, "structure": 1}',
        '{"alignment": true, "aesthetics": 1, "structure": 1}',
        '{"alignment": 1, "aesthetics": 1}',
        '{"alignment": Infinity, "aesthetics": 1, "structure": 1}',
    ):
        with pytest.raises(ParseError):
            parse_scores(bad, keys)
    assert parse_json_object('x {"a": {"b": 1}} y') == {"a": {"b": 1}}


def test_a_judge_reward_without_an_endpoint_says_so_once_or_refuses(monkeypatch):
    # before: it built silently and every step was reward 0.0, judged=False: a run went on, on zeros
    import warnings

    import rewards
    from codepaint_env.core.errors import JudgeNotConfigured
    from rewards.judge import judged

    for var in ("OPENAI_BASE_URL", "CODEPAINT_JUDGE_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(judged, "_WARNED", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rewards.make_reward("pairwise_vlm")
        rewards.make_reward("pairwise_vlm")
    said = [str(w.message) for w in caught if "no judge endpoint" in str(w.message)]
    assert len(said) == 1 and "OPENAI_BASE_URL" in said[0] and "codepaint judge-server" in said[0]
    with pytest.raises(JudgeNotConfigured, match="CODEPAINT_JUDGE_MODEL"):
        rewards.make_reward("pointwise_vlm", require_judge=True)
