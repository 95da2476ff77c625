"""The stand-in judge server, driven by the real openai client over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time

import httpx
import openai
import pytest
from PIL import Image, ImageDraw

from codepaint_env.testing.judge_server import (
    FAULT_KINDS,
    JudgeServer,
    StopSignals,
    image_quality,
    image_stats,
    serve,
)

PAIRWISE = "Compare image A and image B. Answer as JSON with keys winner (A, B or tie) and reason."
POINTWISE = "Score the image. Answer as JSON with keys alignment, aesthetics, structure (0-100) and reason."


def shapes(seed: int = 0, n: int = 30, size: tuple[int, int] = (192, 192)) -> Image.Image:
    r = random.Random(seed)
    im = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(im)
    for _ in range(n):
        x0, y0 = r.randrange(size[0]), r.randrange(size[1])
        box = [x0, y0, x0 + r.randrange(10, 100), y0 + r.randrange(10, 100)]
        fill = tuple(r.randrange(256) for _ in range(3))
        (d.ellipse if r.random() < 0.5 else d.rectangle)(box, fill=fill)
    return im


BLANK = Image.new("RGB", (192, 192), "white")
COLOURFUL = shapes(0)


def data_url(im: Image.Image, fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    im.save(buf, fmt)
    return f"data:image/{fmt.lower()};base64,{base64.b64encode(buf.getvalue()).decode()}"


def messages(text: str, *images: Image.Image, fmt: str = "PNG") -> list[dict]:
    parts: list[dict] = [{"type": "text", "text": text}]
    parts += [{"type": "image_url", "image_url": {"url": data_url(im, fmt)}} for im in images]
    return [{"role": "system", "content": "You are a strict art judge."}, {"role": "user", "content": parts}]


@pytest.fixture
def server():
    with JudgeServer(retry_after_s=0.2, slow_s=0.3, hang_s=3.0) as s:
        yield s


@pytest.fixture
def client(server):
    return openai.OpenAI(base_url=server.url, api_key="x", max_retries=0, timeout=5)


def ask(client, text: str, *images: Image.Image, **kw):
    return client.chat.completions.create(model="judge-x", messages=messages(text, *images, **kw))


def verdict(client, *images: Image.Image) -> str:
    return json.loads(ask(client, PAIRWISE, *images).choices[0].message.content)["winner"]


# ---- image statistics ----------------------------------------------------------------------------------


def test_image_quality_blank_is_zero_and_shapes_score_higher():
    assert image_quality(BLANK) == 0.0
    assert image_quality(Image.new("RGB", (50, 80), (30, 200, 90))) == 0.0
    s = image_stats(COLOURFUL)
    assert not s["blank"] and 0 < s["quality"] <= 1
    assert set(s) >= {"coverage", "colourfulness", "edge_density", "quality"}
    assert image_quality(shapes(1, n=3)) < image_quality(COLOURFUL)


# ---- verdicts ------------------------------------------------------------------------------------------


def test_pairwise_prefers_the_colourful_image_in_both_orders(client):
    r = ask(client, PAIRWISE, BLANK, COLOURFUL)
    assert r.object == "chat.completion" and r.model == "judge-x" and len(r.choices) == 1
    assert r.choices[0].finish_reason == "stop" and r.choices[0].message.role == "assistant"
    assert r.usage.prompt_tokens >= 2 * 258 and r.usage.completion_tokens >= 1
    body = json.loads(r.choices[0].message.content)
    assert body["winner"] == "B" and "quality" in body["reason"]
    assert verdict(client, COLOURFUL, BLANK) == "A"


def test_pairwise_identical_images_tie_and_jpeg_webp_decode(client):
    assert verdict(client, COLOURFUL, COLOURFUL.copy()) == "tie"
    assert verdict(client, BLANK, BLANK) == "tie"
    for fmt in ("JPEG", "WEBP"):
        r = ask(client, PAIRWISE, BLANK, COLOURFUL, fmt=fmt)
        assert json.loads(r.choices[0].message.content)["winner"] == "B"


def test_tie_margin_makes_close_images_tie():
    with JudgeServer(tie_margin=1.0) as s:
        c = openai.OpenAI(base_url=s.url, api_key="x", max_retries=0)
        assert verdict(c, BLANK, COLOURFUL) == "tie"


@pytest.mark.parametrize(("bias", "expected"), [("first", "A"), ("second", "B")])
def test_position_bias(bias, expected):
    with JudgeServer(bias=bias) as s:
        c = openai.OpenAI(base_url=s.url, api_key="x", max_retries=0)
        assert verdict(c, BLANK, COLOURFUL) == expected
        assert verdict(c, COLOURFUL, BLANK) == expected
        assert verdict(c, COLOURFUL, COLOURFUL) == "tie"
        s.bias = None  # a plain attribute, changeable while running
        assert verdict(c, BLANK, COLOURFUL) == "B"


def test_pointwise_scores(client, server):
    scores = {}
    for name, im in (("blank", BLANK), ("colourful", COLOURFUL)):
        body = json.loads(ask(client, POINTWISE, im).choices[0].message.content)
        assert set(body) == {"alignment", "aesthetics", "structure", "reason"}
        for k in ("alignment", "aesthetics", "structure"):
            assert isinstance(body[k], int) and 0 <= body[k] <= 100
        scores[name] = body
    assert all(scores["blank"][k] <= 5 for k in ("alignment", "aesthetics", "structure"))
    for k in ("alignment", "aesthetics", "structure"):
        assert scores["colourful"][k] > scores["blank"][k]
    assert server.stats()["pointwise"] == 2


def test_free_text_critique_and_no_image(client, server):
    text = ask(client, "What do you think?", BLANK, COLOURFUL).choices[0].message.content
    assert "Image 1" in text and "blank" in text and "Image 2" in text and "painted" in text
    r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hello"}])
    assert "stand-in" in r.choices[0].message.content
    assert server.stats()["text"] == 2


def test_models_endpoint(client):
    assert [m.id for m in client.models.list().data] == ["codepaint-standin"]


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"model": "m"}', b'{"model": "m", "messages": [{"role": "user", "content": 3}]}',
     b'{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url",'
     b' "image_url": {"url": "http://example.com/x.png"}}]}]}',
     b'{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url",'
     b' "image_url": {"url": "data:image/png;base64,AAAA"}}]}]}',
     b'{"model": "m", "n": 2, "messages": [{"role": "user", "content": "hi"}]}'],
)
def test_malformed_request_is_400(server, body):
    headers = {"Content-Type": "application/json"}
    r = httpx.post(f"{server.url}/chat/completions", content=body, headers=headers)
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "invalid_request_error" and r.json()["error"]["message"]
    assert server.requests == 1 and server.stats()["by_kind"] == {"bad_request": 1}


# ---- faults ---------------------------------------------------------------------------------------------


def test_429_with_fractional_retry_after(client, server):
    server.inject("429")
    with pytest.raises(openai.RateLimitError) as ei:
        ask(client, PAIRWISE, BLANK, COLOURFUL)
    assert ei.value.response.headers["retry-after"] == "0.2"
    assert ei.value.code == "rate_limit_exceeded"
    # A retrying client honours Retry-After and gets through.
    server.inject("429", times=2)
    retrying = openai.OpenAI(base_url=server.url, api_key="x", max_retries=2, timeout=5)
    assert verdict(retrying, BLANK, COLOURFUL) == "B"
    assert server.stats()["by_kind"] == {"429": 3, "ok": 1}


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors(client, server, kind):
    server.inject(kind)
    with pytest.raises(openai.InternalServerError) as ei:
        ask(client, PAIRWISE, BLANK, COLOURFUL)
    assert ei.value.status_code == int(kind)
    assert verdict(client, BLANK, COLOURFUL) == "B"  # one-shot: consumed


def test_slow_answers_normally_after_a_delay(client, server):
    server.inject("slow")
    t0 = time.perf_counter()
    assert verdict(client, BLANK, COLOURFUL) == "B"
    assert time.perf_counter() - t0 >= 0.3


def test_hang_times_the_client_out_and_stop_does_not_wait(server):
    server.inject("hang")
    short = openai.OpenAI(base_url=server.url, api_key="x", max_retries=0, timeout=0.5)
    with pytest.raises(openai.APITimeoutError):
        ask(short, PAIRWISE, BLANK, COLOURFUL)
    server.inject("hang")
    threading.Thread(target=lambda: httpx.post(f"{server.url}/chat/completions", json={
        "model": "m", "messages": [{"role": "user", "content": "hi"}]}, timeout=10), daemon=True).start()
    time.sleep(0.2)
    t0 = time.perf_counter()
    server.stop()
    server.stop()  # idempotent
    assert time.perf_counter() - t0 < 1.0


def test_content_faults(client, server):
    for kind in ("malformed", "multiple", "refusal", "null_winner", "nan"):
        server.inject(kind)
    m = ask(client, PAIRWISE, BLANK, COLOURFUL).choices[0].message
    assert m.content == "I think the first one is better, maybe A."
    content = ask(client, PAIRWISE, BLANK, COLOURFUL).choices[0].message.content
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)
    assert [json.loads(line)["winner"] for line in content.splitlines()] == ["A", "B"]
    m = ask(client, PAIRWISE, BLANK, COLOURFUL).choices[0].message
    assert m.content is None and m.refusal == "I can't help with that."
    m = ask(client, PAIRWISE, BLANK, COLOURFUL).choices[0].message
    assert json.loads(m.content)["winner"] is None
    m = ask(client, POINTWISE, COLOURFUL).choices[0].message
    assert "NaN" in m.content and math.isnan(json.loads(m.content)["alignment"])
    assert verdict(client, BLANK, COLOURFUL) == "B"  # all consumed, in order
    by_kind = server.stats()["by_kind"]
    assert by_kind == {"malformed": 1, "multiple": 1, "refusal": 1, "null_winner": 1, "nan": 1, "ok": 1}


def test_bad_body_is_not_json(client, server):
    server.inject("bad_body")
    with pytest.raises((json.JSONDecodeError, openai.APIError)):
        ask(client, PAIRWISE, BLANK, COLOURFUL)
    r = httpx.post(f"{server.url}/chat/completions", json={"model": "m", "messages": [{"role": "user",
                                                                                      "content": "hi"}]})
    assert r.status_code == 200 and r.json()["choices"]  # consumed


def test_persistent_fault_stays_until_cleared_queue_first(client, server):
    server.set_persistent("503")
    server.inject("malformed")
    assert ask(client, PAIRWISE, BLANK, COLOURFUL).choices[0].message.content.startswith("I think")
    for _ in range(3):
        with pytest.raises(openai.InternalServerError):
            ask(client, PAIRWISE, BLANK, COLOURFUL)
    server.set_persistent(None)
    assert verdict(client, BLANK, COLOURFUL) == "B"
    assert server.requests == 5
    assert server.stats()["by_kind"] == {"malformed": 1, "503": 3, "ok": 1}
    server.reset()
    assert server.requests == 0 and server.stats()["by_kind"] == {}


def test_unknown_fault_kind_is_refused(server):
    with pytest.raises(ValueError, match="bad_body"):
        server.inject("teapot")
    with pytest.raises(ValueError):
        server.set_persistent("418")
    with pytest.raises(ValueError):
        JudgeServer(fail_kinds=("nope",))
    with pytest.raises(ValueError):
        JudgeServer(bias="middle")


def test_random_faults_are_seeded():
    def run() -> list[str]:
        with JudgeServer(fail_rate=0.5, fail_kinds=("500", "429"), seed=7) as s:
            c = openai.OpenAI(base_url=s.url, api_key="x", max_retries=0)
            out = []
            for _ in range(12):
                try:
                    out.append(verdict(c, BLANK, COLOURFUL))
                except openai.APIStatusError as e:
                    out.append(str(e.status_code))
            return out

    first = run()
    assert first == run()
    assert {"B", "500", "429"} <= set(first)


# ---- concurrency ----------------------------------------------------------------------------------------


def test_concurrent_requests_overlap():
    with JudgeServer(latency_s=0.3) as s:
        c = openai.AsyncOpenAI(base_url=s.url, api_key="x", max_retries=0, timeout=10)
        msgs = messages(PAIRWISE, BLANK, COLOURFUL)

        async def main():
            t0 = time.perf_counter()
            calls = [c.chat.completions.create(model="m", messages=msgs) for _ in range(16)]
            rs = await asyncio.gather(*calls)
            await c.close()
            return time.perf_counter() - t0, rs

        elapsed, rs = asyncio.run(main())
        assert elapsed < 3.0
        assert all(json.loads(r.choices[0].message.content)["winner"] == "B" for r in rs)
        assert s.requests == 16 and s.stats()["by_kind"] == {"ok": 16}


# ---- admin endpoints -------------------------------------------------------------------------------------


def test_admin_endpoints(client, server):
    base = server.url.removesuffix("/v1")
    r = httpx.post(f"{base}/admin/faults", json={"kind": "500", "times": 2})
    assert r.status_code == 200 and r.json()["queued"] == ["500", "500"]
    r = httpx.post(f"{base}/admin/faults", json={"persistent": "429"})
    assert r.json()["persistent"] == "429"
    assert httpx.post(f"{base}/admin/faults", json={"kind": "teapot"}).status_code == 400
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            ask(client, PAIRWISE, BLANK, COLOURFUL)
    with pytest.raises(openai.RateLimitError):
        ask(client, PAIRWISE, BLANK, COLOURFUL)
    assert httpx.post(f"{base}/admin/faults", json={"persistent": None}).json()["persistent"] is None
    assert verdict(client, BLANK, COLOURFUL) == "B"
    stats = httpx.get(f"{base}/admin/stats").json()
    assert stats["requests"] == 4 and stats["by_kind"] == {"500": 2, "429": 1, "ok": 1}
    assert stats["pairwise"] == 1
    assert httpx.post(f"{base}/admin/reset").json() == {"ok": True}
    assert httpx.get(f"{base}/admin/stats").json()["requests"] == 0
    assert httpx.get(f"{base}/nope").status_code == 404


# ---- CLI ------------------------------------------------------------------------------------------------


def test_serve_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as ei:
        serve(["--help"])
    assert ei.value.code == 0
    out = capsys.readouterr().out
    assert "codepaint judge-server" in out and "not a real judge" in out


def test_serve_rejects_unknown_fault_kind():
    with pytest.raises(SystemExit) as ei:
        serve(["--port", "0", "--fail-kinds", "500,teapot"])
    assert ei.value.code == 2


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("inherited", [signal.SIG_DFL, signal.SIG_IGN], ids=["foreground", "background"])
def test_serve_runs_until_ctrl_c(sig, inherited):
    # "background": a shell without job control starts `cmd &` with SIGINT ignored; the server must still stop
    code = "from codepaint_env.testing.judge_server import serve; raise SystemExit(serve())"
    args = ["--port", "0", "--latency-ms", "10", "--bias", "first", "--fail-kinds", "429,500"]
    p = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "PYTHONUNBUFFERED": "1"},
                         preexec_fn=lambda: signal.signal(signal.SIGINT, inherited))
    try:
        line = p.stdout.readline()
        assert line.startswith("codepaint stand-in judge on http://127.0.0.1:") and "OPENAI_API_KEY" in line
        url = line.split()[4]
        c = openai.OpenAI(base_url=url, api_key="anything", max_retries=0, timeout=5)
        assert verdict(c, BLANK, COLOURFUL) == "A"  # --bias first
        p.send_signal(sig)
        assert p.wait(timeout=5) == 0
    finally:
        if p.poll() is None:
            p.kill()
        p.stdout.close()


def test_a_burst_of_sigterms_stops_the_server_once_and_never_wedges_it():
    """A shell's ``kill %1`` then its exit trap's ``kill`` send two SIGTERMs a moment apart: the handler ran
    inside ``Event.wait`` holding the event's lock and waited on it forever (a server outlived its test)."""
    before = signal.getsignal(signal.SIGTERM)
    signals = StopSignals(poll_s=0.05)
    me = os.getpid()

    def burst() -> None:
        for _ in range(200):
            os.kill(me, signal.SIGTERM)

    thread = threading.Thread(target=burst)
    try:
        thread.start()
        assert signals.wait() == signal.SIGTERM
        thread.join(timeout=10)
        assert not thread.is_alive() and len(signals.received) >= 1
    finally:
        signals.restore()
    assert signal.getsignal(signal.SIGTERM) == before
    code = "from codepaint_env.testing.judge_server import serve; raise SystemExit(serve())"
    p = subprocess.Popen([sys.executable, "-c", code, "--port", "0"], stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert p.stdout.readline().startswith("codepaint stand-in judge on")
        for _ in range(20):
            p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=15) == 0
    finally:
        if p.poll() is None:
            p.kill()
        p.stdout.close()


def test_fault_kinds_constant():
    assert set(FAULT_KINDS) == {"429", "500", "503", "slow", "hang", "malformed", "multiple", "refusal",
                                "null_winner", "nan", "bad_body"}


def test_a_token_guards_every_route_but_health_and_off_loopback_needs_one():
    # the rule of every codepaint server (the server shell): the stand-in judge too
    from codepaint_env.core.server import ListenRefused

    with JudgeServer(token="s3cret") as guarded:
        base = guarded.url.removesuffix("/v1")
        assert httpx.get(f"{base}/health").status_code == 200
        refused = httpx.get(f"{guarded.url}/models")
        assert refused.status_code == 401 and refused.json()["error"]["type"] == "authentication_error"
        client = openai.OpenAI(base_url=guarded.url, api_key="s3cret", max_retries=0)
        assert [m.id for m in client.models.list()] == ["codepaint-standin"]
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=guarded.url, api_key="wrong", max_retries=0).models.list()
    with pytest.raises(ListenRefused, match="without a token"):
        JudgeServer(host="0.0.0.0")
    out = subprocess.run([sys.executable, "-m", "codepaint_env.testing.judge_server", "--host", "0.0.0.0",
                          "--port", "0"], capture_output=True, text=True, timeout=60, env={
                              k: v for k, v in os.environ.items() if not k.startswith("CODEPAINT_")})
    assert out.returncode == 2 and "without a token" in out.stderr


def test_a_body_over_the_limit_is_413_before_the_judge_reads_it(server):
    from codepaint_env.testing.chat_server import MAX_BODY_BYTES

    before = server.requests
    big = httpx.post(f"{server.url}/chat/completions", content=b"x" * (MAX_BODY_BYTES + 1),
                     headers={"content-type": "application/json"}, timeout=60)
    assert big.status_code == 413 and server.requests == before


def test_a_streamed_body_over_the_limit_is_cut_and_refused(server):
    from codepaint_env.testing.chat_server import MAX_BODY_BYTES

    def chunks():  # no Content-Length: the limit is counted as the body arrives
        for _ in range(MAX_BODY_BYTES // (1 << 20) + 1):
            yield b"x" * (1 << 20)

    before = server.requests
    big = httpx.post(f"{server.url}/chat/completions", content=chunks(), timeout=60)
    assert big.status_code == 413 and server.requests == before
