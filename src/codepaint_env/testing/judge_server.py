"""A stand-in judge: a real OpenAI-compatible HTTP server on loopback, verdicts from image statistics.

Use it to run judge-based reward pipelines offline (tests, dry runs, CI): point any OpenAI client at
:attr:`JudgeServer.url` with any model name and any API key. It is *not* a judge: the verdicts are a
deterministic function of simple image statistics (:func:`image_quality`), good enough to check that a
pipeline wires up, parses and ranks, and nothing more. Nothing leaves the machine; images must be
``data:`` URLs.

``POST /v1/chat/completions`` answers from all text and images across the request's messages:

* text containing ``"winner"`` and two or more images (a pairwise rubric): ``{"winner": "A"|"B"|"tie",
  "reason": ...}`` comparing the first two images (tie when identical or within ``tie_margin``);
  ``bias="first"``/``"second"`` makes a position-biased judge;
* else text containing ``"alignment"`` and an image (a pointwise rubric): ``{"alignment", "aesthetics",
  "structure", "reason"}``, integers 0-100 for the first image;
* else a short free-text critique of every image.

``GET /v1/models`` lists one model; ``POST /admin/faults`` (``{"kind", "times"}`` or ``{"persistent"}``),
``GET /admin/stats`` and ``POST /admin/reset`` steer a server running in another process.

Faults (:data:`FAULT_KINDS`), one per chat request: first the FIFO queue of one-shot faults
(:meth:`JudgeServer.inject`), else the persistent fault, else a random one with probability ``fail_rate``:

* ``429`` (with ``Retry-After``), ``500``, ``503``: that status and an OpenAI-style error body;
* ``slow`` / ``hang``: sleep ``slow_s`` / ``hang_s``, then answer normally (``hang`` outlasts a client
  timeout);
* ``malformed``: prose instead of JSON; ``multiple``: two JSON verdicts; ``refusal``: ``content=None``
  and a refusal; ``null_winner``: ``{"winner": null}``; ``nan``: a literal ``NaN`` score;
* ``bad_body``: an HTTP body that is not JSON at all.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import io
import json
import random
import re
import signal
import sys
import threading
import time
import uuid
from collections import Counter, OrderedDict, deque
from typing import Any

import numpy as np
from PIL import Image

from codepaint_env.testing.chat_server import Answer, LoopbackChatServer, openai_error

FAULT_KINDS: tuple[str, ...] = (
    "429", "500", "503", "slow", "hang", "malformed", "multiple", "refusal", "null_winner", "nan", "bad_body",
)
MODEL_ID = "codepaint-standin"
_DATA_URL = re.compile(r"^data:image/(png|jpeg|jpg|webp|gif);base64,(.*)$", re.DOTALL | re.IGNORECASE)
_ERROR_STATUS = {"429": 429, "500": 500, "503": 503}


# Image statistics by pixel digest: the same picture (a reference, the other order of a pair) is
# measured once.
_STATS: OrderedDict[bytes, dict[str, Any]] = OrderedDict()
_STATS_LOCK = threading.Lock()


def _check_kind(kind: str) -> str:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; the kinds are: {', '.join(FAULT_KINDS)}")
    return kind


def image_stats(img: Image.Image) -> dict[str, Any]:
    """The statistics :func:`image_quality` mixes, computed on a copy downscaled to at most 64 px a side.

    Returns ``blank`` (one colour), ``coverage`` (fraction of pixels that differ by more than 24 in some
    channel from the most common colour, the background), ``colourfulness`` (Hasler–Süsstrunk, 0 for
    gray), ``edge_density`` (mean gradient magnitude of the grayscale, 0-255 scale), their scores in [0, 1]
    (``coverage_score = min(1, coverage/0.5)``, ``colour_score = min(1, colourfulness/100)``,
    ``edge_score = min(1, edge_density/20)``) and ``quality``.
    """
    small = img.convert("RGB")
    key = hashlib.blake2b(small.tobytes(), digest_size=16, person=f"{small.size}".encode()[:16]).digest()
    with _STATS_LOCK:
        hit = _STATS.get(key)
    if hit is not None:
        return dict(hit)
    small.thumbnail((64, 64), Image.Resampling.BILINEAR)
    stats = _compute_stats(small)
    with _STATS_LOCK:
        _STATS[key] = stats
        while len(_STATS) > 512:
            _STATS.popitem(last=False)
    return dict(stats)


def _compute_stats(small: Image.Image) -> dict[str, Any]:
    px = np.asarray(small, dtype=np.float32).reshape(-1, 3)
    if float(np.ptp(px, axis=0).max()) <= 2.0:
        return {"blank": True, "coverage": 0.0, "colourfulness": 0.0, "edge_density": 0.0,
                "coverage_score": 0.0, "colour_score": 0.0, "edge_score": 0.0, "quality": 0.0}
    q = px.astype(np.int32) // 16
    keys = (q[:, 0] << 8) | (q[:, 1] << 4) | q[:, 2]
    background = np.median(px[keys == np.argmax(np.bincount(keys, minlength=4096))], axis=0)
    coverage = float(np.mean(np.abs(px - background).max(axis=1) > 24))
    r, g, b = px[:, 0], px[:, 1], px[:, 2]
    rg, yb = r - g, 0.5 * (r + g) - b
    colourfulness = float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
    gray = np.asarray(small.convert("L"), dtype=np.float32)
    gx, gy = np.diff(gray, axis=1)[:-1, :], np.diff(gray, axis=0)[:, :-1]
    edge_density = float(np.hypot(gx, gy).mean()) if gx.size else 0.0
    cov_s, col_s = min(1.0, coverage / 0.5), min(1.0, colourfulness / 100)
    edge_s = min(1.0, edge_density / 20)
    return {"blank": False, "coverage": coverage, "colourfulness": colourfulness,
            "edge_density": edge_density, "coverage_score": cov_s, "colour_score": col_s,
            "edge_score": edge_s,
            "quality": 0.5 * cov_s + 0.3 * col_s + 0.2 * edge_s}


def image_quality(img: Image.Image) -> float:
    """A number in [0, 1]: 0.5 coverage + 0.3 colourfulness + 0.2 edge density (see :func:`image_stats`).

    0 for a blank (single-colour) image. A stand-in for taste, not a measure of it.
    """
    return float(image_stats(img)["quality"])


def _describe(i: int, s: dict[str, Any]) -> str:
    if s["blank"]:
        return f"Image {i}: blank (a single colour). Suggest: draw something."
    col = s["colourfulness"]
    colour = "muted" if col < 15 else "moderately colourful" if col < 40 else "colourful"
    e = s["edge_score"]
    edges = "few edges" if e < 0.15 else "some structure" if e < 0.5 else "busy edges"
    weakest = min(("coverage_score", "fill more of the canvas"), ("colour_score", "use more colour"),
                  ("edge_score", "add detail and structure"), key=lambda kv: s[kv[0]])
    hint = weakest[1] if s[weakest[0]] < 0.8 else "refine the composition"
    painted = f"{s['coverage']:.0%} of the canvas is painted"
    return f"Image {i}: {painted}; {colour} ({col:.0f}); {edges}. Suggest: {hint}."


class _BadRequest(Exception):
    pass


def _parse_request(body: bytes) -> tuple[str, str, list[Image.Image]]:
    """(model, all text joined, all images in order) of a chat-completions body, else :class:`_BadRequest`."""
    try:
        req = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as e:
        raise _BadRequest(f"request body is not valid JSON: {e}") from None
    if not isinstance(req, dict) or not isinstance(req.get("messages"), list) or not req["messages"]:
        raise _BadRequest("request body must be a JSON object with a non-empty 'messages' list")
    if req.get("n") not in (None, 1):
        raise _BadRequest("the stand-in judge only supports n=1")
    if req.get("stream"):
        raise _BadRequest("the stand-in judge does not stream")
    texts: list[str] = []
    images: list[Image.Image] = []
    for msg in req["messages"]:
        content = msg.get("content") if isinstance(msg, dict) else None
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        if not isinstance(parts, list):
            raise _BadRequest("message content must be a string or a list of parts")
        for part in parts:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "text" and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif kind == "image_url":
                url = part.get("image_url")
                url = url.get("url") if isinstance(url, dict) else url
                m = _DATA_URL.match(url) if isinstance(url, str) else None
                if m is None:
                    raise _BadRequest("image_url must be a data:image/...;base64 URL (no fetching)")
                try:
                    images.append(Image.open(io.BytesIO(base64.b64decode(m.group(2)))).convert("RGB"))
                except (binascii.Error, ValueError, OSError) as e:
                    raise _BadRequest(f"could not decode image {len(images) + 1}: {e}") from None
            else:
                raise _BadRequest(f"unsupported content part: {str(part)[:80]}")
    model = req.get("model")
    return model if isinstance(model, str) else MODEL_ID, "\n".join(texts), images


class JudgeServer(LoopbackChatServer):
    """A stand-in OpenAI-compatible judge on loopback (see the module docstring); a context manager."""

    server_name = "codepaint-standin-judge/1"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, latency_s: float = 0.0,
                 bias: str | None = None, tie_margin: float = 0.02, retry_after_s: float = 1.0,
                 slow_s: float = 2.0, hang_s: float = 30.0, fail_rate: float = 0.0,
                 fail_kinds: tuple[str, ...] | list[str] = ("500",), seed: int = 0,
                 verbose: bool = False, token: str | None = None) -> None:
        if bias not in (None, "first", "second"):
            raise ValueError(f"bias must be None, 'first' or 'second', not {bias!r}")
        super().__init__(host, port, verbose=verbose, token=token)
        self.latency_s, self.bias, self.tie_margin = latency_s, bias, tie_margin
        self.retry_after_s, self.slow_s, self.hang_s = retry_after_s, slow_s, hang_s
        self.fail_rate, self.fail_kinds = fail_rate, tuple(_check_kind(k) for k in fail_kinds)
        self._rng, self._lock = random.Random(seed), threading.Lock()
        self._queue: deque[str] = deque()
        self._persistent: str | None = None
        self._counts: Counter[str] = Counter()

    def models(self) -> list[str]:
        """The one model id (any name is answered)."""
        return [MODEL_ID]

    def route(self, method: str, path: str, body: bytes) -> Answer | None:
        """``GET /admin/stats``, ``POST /admin/reset`` and ``POST /admin/faults``."""
        if method == "GET" and path == "/admin/stats":
            return 200, self.stats(), None
        if method == "POST" and path == "/admin/reset":
            self.reset()
            return 200, {"ok": True}, None
        if method == "POST" and path == "/admin/faults":
            try:
                cmd = json.loads(body or b"{}")
                if not isinstance(cmd, dict):
                    raise ValueError("expected a JSON object")
                if "persistent" in cmd:
                    self.set_persistent(cmd["persistent"])
                if "kind" in cmd:
                    self.inject(cmd["kind"], int(cmd.get("times", 1)))
            except (ValueError, TypeError) as e:
                return 400, openai_error(str(e)), None
            stats = self.stats()
            return 200, {"ok": True, "queued": stats["queued"], "persistent": stats["persistent"]}, None
        return None

    def inject(self, kind: str, times: int = 1) -> None:
        """Queue ``times`` one-shot faults of ``kind``, consumed one per chat request, in order."""
        _check_kind(kind)
        with self._lock:
            self._queue.extend([kind] * times)

    def set_persistent(self, kind: str | None) -> None:
        """Fail every chat request with ``kind`` (after the queued faults) until set back to None."""
        with self._lock:
            self._persistent = None if kind is None else _check_kind(kind)

    def reset(self) -> None:
        """Clear queued and persistent faults and the counters."""
        with self._lock:
            self._queue.clear()
            self._persistent = None
            self._counts.clear()

    @property
    def requests(self) -> int:
        """Chat-completion requests received, faulted and malformed ones included."""
        with self._lock:
            return self._counts["requests"]

    def stats(self) -> dict[str, Any]:
        """Counters and faults as JSON-able data.

        ``requests``, ``by_kind`` (ok, bad_request and each fault kind), ``pairwise``, ``pointwise``,
        ``text``, the ``queued`` faults and the ``persistent`` one.
        """
        with self._lock:
            c = self._counts
            by_kind = {k[5:]: v for k, v in c.items() if k.startswith("kind:")}
            return {"requests": c["requests"], "by_kind": by_kind, "pairwise": c["pairwise"],
                    "pointwise": c["pointwise"], "text": c["text"], "queued": list(self._queue),
                    "persistent": self._persistent}

    def _next_fault(self) -> str | None:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if self._persistent is not None:
                return self._persistent
            if self.fail_rate > 0 and self._rng.random() < self.fail_rate:
                return self._rng.choice(self.fail_kinds)
            return None

    def _count(self, *keys: str) -> None:
        with self._lock:
            self._counts.update(keys)

    def complete(self, body: bytes) -> Answer:
        """(status, payload, headers) for one chat-completions request."""
        self._count("requests")
        if self.latency_s > 0:
            self._stopping.wait(self.latency_s)
        try:
            model, text, images = _parse_request(body)
        except _BadRequest as e:
            self._count("kind:bad_request")
            return 400, {"error": {"message": str(e), "type": "invalid_request_error", "param": None,
                                   "code": None}}, None
        fault = self._next_fault()
        self._count(f"kind:{fault or 'ok'}")
        if fault in _ERROR_STATUS:
            if fault == "429":
                err = {"message": "rate limited", "type": "rate_limit_error", "code": "rate_limit_exceeded"}
                return 429, {"error": err}, {"Retry-After": f"{self.retry_after_s:g}"}
            err = {"message": f"stand-in judge: injected {fault}", "type": "server_error", "code": None}
            return _ERROR_STATUS[fault], {"error": err}, None
        if fault == "bad_body":
            return 200, b"<html>oops</html>", None
        if fault in ("slow", "hang"):
            self._stopping.wait(self.slow_s if fault == "slow" else self.hang_s)
        content: str | None
        refusal = None
        if fault == "malformed":
            content = "I think the first one is better, maybe A."
        elif fault == "multiple":
            content = '{"winner": "A", "reason": "the first"}\n{"winner": "B", "reason": "no, the second"}'
        elif fault == "refusal":
            content, refusal = None, "I can't help with that."
        elif fault == "null_winner":
            content = json.dumps({"winner": None, "reason": "could not decide"})
        elif fault == "nan":
            content = '{"alignment": NaN, "aesthetics": 50, "structure": 50, "reason": "x"}'
        else:
            content = self._answer(text, images)
        prompt_tokens = max(1, len(text) // 4 + 258 * len(images))
        completion_tokens = max(1, len(content or refusal or "") // 4)
        return 200, {
            "id": f"chatcmpl-standin-{uuid.uuid4().hex[:24]}", "object": "chat.completion",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": refusal},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }, None

    def _answer(self, text: str, images: list[Image.Image]) -> str:
        """The verdict the statistics give (pairwise, pointwise or a critique)."""
        if "winner" in text and len(images) >= 2:
            self._count("pairwise")
            a, b = images[0], images[1]
            sa, sb = image_stats(a), image_stats(b)
            qa, qb = sa["quality"], sb["quality"]
            numbers = " vs ".join(
                f"{n} quality {s['quality']:.3f} (coverage {s['coverage']:.0%}, colourfulness "
                f"{s['colourfulness']:.0f}, edges {s['edge_density']:.1f})"
                for n, s in (("A", sa), ("B", sb))
            )
            if a.size == b.size and a.tobytes() == b.tobytes():
                winner, why = "tie", "the two images are identical"
            elif self.bias in ("first", "second"):
                winner = "A" if self.bias == "first" else "B"
                why = f"position-biased stand-in ({self.bias})"
            elif abs(qa - qb) <= self.tie_margin:
                winner, why = "tie", f"within the tie margin {self.tie_margin:g}"
            else:
                winner, why = ("A" if qa > qb else "B"), "higher quality wins"
            return json.dumps({"winner": winner, "reason": f"{why}: {numbers}"})
        if "alignment" in text and images:
            self._count("pointwise")
            s = image_stats(images[0])
            scores = {
                "alignment": round(100 * s["coverage_score"]),
                "aesthetics": round(100 * (0.5 * s["colour_score"] + 0.5 * s["quality"])),
                "structure": round(100 * s["edge_score"]),
            }
            return json.dumps({**scores, "reason": _describe(1, s)})
        self._count("text")
        if not images:
            return "This is the codepaint stand-in judge (no model behind it); send images to get a critique."
        return "\n".join(_describe(i, image_stats(img)) for i, img in enumerate(images, 1))


#: What ``codepaint judge-server --help`` says.
DESCRIPTION = ("Serve a stand-in, OpenAI-compatible VLM judge on loopback for dry runs and tests. Its "
               "verdicts come from simple image statistics (coverage, colourfulness, edge density), not from "
               "a model: it is not a real judge. Faults can be injected at start-up or via POST "
               "/admin/faults. Runs until Ctrl-C or SIGTERM, then exits 0.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``codepaint judge-server`` (the CLI's subcommand and :func:`serve` share them).

    ``--host``, ``--port``, ``--token-file`` and ``--token`` are every codepaint server's
    (:func:`codepaint_env.core.server.add_listen_arguments`): off loopback a token is required.
    """
    from codepaint_env.core.server import add_listen_arguments

    add_listen_arguments(p, port=8900, log_level=False)
    p.add_argument("--latency-ms", type=float, default=0.0, help="added to every chat request")
    p.add_argument("--bias", choices=("first", "second"), default=None, help="a position-biased judge")
    p.add_argument("--tie-margin", type=float, default=0.02, help="quality gap that is a tie")
    p.add_argument("--fail-rate", type=float, default=0.0, help="probability that a request fails")
    p.add_argument("--fail-kinds", default="500", help=f"comma-separated, from: {','.join(FAULT_KINDS)}")
    p.add_argument("--retry-after", type=float, default=1.0, help="Retry-After seconds on 429")
    p.add_argument("--seed", type=int, default=0, help="seed of the random faults")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")


def serve(argv: list[str] | None = None) -> int:
    """``python -m codepaint_env.testing.judge_server``, as ``codepaint judge-server``; the exit status."""
    p = argparse.ArgumentParser(prog="codepaint judge-server", description=DESCRIPTION)
    add_arguments(p)
    return serve_args(p.parse_args(argv), p)


def serve_args(args: argparse.Namespace, p: argparse.ArgumentParser) -> int:
    """Run a stand-in judge with :func:`add_arguments`'s options until Ctrl-C or SIGTERM; the exit status."""
    from codepaint_env.core.server import ListenRefused, listen_from_args

    kinds = tuple(k.strip() for k in args.fail_kinds.split(",") if k.strip())
    bad = [k for k in kinds if k not in FAULT_KINDS]
    if bad:
        p.error(f"unknown fault kind(s) {','.join(bad)}; the kinds are: {','.join(FAULT_KINDS)}")
    try:  # the loopback and token rule of every codepaint server
        listen = listen_from_args(args, warn=lambda m: print(f"warning: {m}", file=sys.stderr))
    except ListenRefused as e:
        p.error(str(e))
    server = JudgeServer(listen.host, listen.port, latency_s=args.latency_ms / 1000, bias=args.bias,
                         tie_margin=args.tie_margin, retry_after_s=args.retry_after, fail_rate=args.fail_rate,
                         fail_kinds=kinds, seed=args.seed, verbose=args.verbose, token=listen.token)
    # Handlers of our own, as uvicorn does: a process started in the background by a shell without job
    # control inherits SIGINT *ignored*, and Python then never raises KeyboardInterrupt (Ctrl-C, or a
    # supervisor's SIGINT, would be lost). SIGTERM (docker, kubernetes, systemd) stops it the same way.
    # They are in place, and the server started, before the line that says it is ready: a signal sent
    # as soon as that line is read must stop it cleanly, not kill it.
    signals = StopSignals()
    server.start()
    key = "the token" if listen.token else "anything"
    print(f"codepaint stand-in judge on {server.url} (model: any name; OPENAI_BASE_URL={server.url} "
          f"OPENAI_API_KEY={key})", flush=True)
    try:
        signals.wait()
    finally:
        server.stop()
        signals.restore()
    return 0


class StopSignals:
    """SIGINT and SIGTERM caught until :meth:`restore`; :meth:`wait` returns once one came.

    The handler only appends to a list: it takes no lock. A handler runs in the main thread between
    two of its bytecodes, so one that calls ``threading.Event.set`` can run while that thread holds the
    event's own lock inside ``Event.wait`` (a second SIGTERM right after the first: a shell's ``kill %1``
    and then its exit trap's) and wait for it forever. A judge server outlived its docs test that way:
    still serving, SIGTERM caught, its main thread in a futex wait, deaf to another SIGTERM.

    Args:
        poll_s: How often :meth:`wait` looks (a signal also cuts its sleep short).
    """

    def __init__(self, poll_s: float = 0.1) -> None:
        self.poll_s = poll_s
        self.received: list[int] = []
        self._before = {sig: signal.signal(sig, self._caught) for sig in (signal.SIGINT, signal.SIGTERM)}

    def _caught(self, signum: int, _frame: object) -> None:
        self.received.append(signum)

    def wait(self) -> int:
        """Sleep until a signal came; the first one's number."""
        while not self.received:
            time.sleep(self.poll_s)
        return self.received[0]

    def restore(self) -> None:
        """Put back the handlers there were before."""
        for sig, handler in self._before.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(serve())
