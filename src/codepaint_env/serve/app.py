"""The HTTP service behind ``codepaint serve``: renders and rewards, JSON in, JSON out.

It runs programs written by anyone who can reach it, in codepaint's contained renderers.
:func:`create_app` builds the FastAPI app; ``codepaint serve`` (:mod:`codepaint_env.cli.serve`)
runs it under uvicorn.

**Endpoints.** Every answer is JSON; every error is ``{"error": "what was wrong"}``.

* ``POST /render`` ``{"items": [{"code": "...", "language": "svg", "size": 256, "seed": 0,
  "extract": false}, ...], "language": "auto", "size": 512, "seed": 0, "extract": false,
  "renderer": "auto", "include_png": false}`` (per-item fields override the request's) ->
  ``{"results": [RenderResult.to_dict(), ...]}``: ``ok``, ``language``, ``error_kind``,
  ``messages``, ``unknown_api``, ``api_calls``, ``size``, ``sha256``, ``timings_ms``, ``seed``,
  ``renderer``, and ``png_base64`` when ``include_png``.
* ``POST /score`` ``{"completions": [...], "prompts": [...], "reward": "gate:0.3,classic:0.7",
  "columns": {"language": "svg", "size": 256, "subject": [...]}, "include_png": false}`` ->
  ``{"reward": SPEC, "value_range": [lo, hi], "results": [{"value": 0.71 | null, "reason":
  null | "why not judged", "breakdown": {...}, "rationale": "...", "cost": {...}, "render":
  {the render as in /render}}, ...]}``. It is a reward's ``__call__`` (TRL's contract) over HTTP:
  completions are strings or chat message lists, ``columns`` are the dataset columns (a scalar
  applies to every completion, a list gives one value each). ``reward`` (optional; the server's
  own reward by default) is a registered id or alias (``execution_gate``, ``classic``...) or
  weighted components ``"gate:0.3,classic:0.7"`` (gated by ``execution_gate`` when it is one of
  them); ``module:Class`` is refused over HTTP (it would import code of the caller's choosing).
* ``POST /get_reward`` ``{"query": [...], "prompts": [...], "labels": [...]}`` ->
  ``{"rewards": [...], "scores": [...], "extra_logs": {...}}``: OpenRLHF's remote reward
  contract (``--remote_rm_url http://host:8000/get_reward``; see :func:`openrlhf_answer`,
  :func:`completion_from_query` and :func:`label_columns`). ``?reward=SPEC`` picks another
  reward than the server's own.
* ``GET /health`` (no token needed): ``{"status": "ok", "version", "in_flight", "max_in_flight"}``.
* ``GET /stats``: requests, status codes and latency percentiles (p50/p90/p99 of the answered
  requests, in ms) per endpoint; items rendered, scored and unjudged; the error kinds of the
  renders served; the renderer's own counters; the judge cost the rewards reported (requests,
  tokens, cache hits...); requests refused (busy, unauthorized, too large).

**Three kinds of failure.** A broken program is a result: ``ok: false`` with its ``error_kind``
and the reward's minimum. A broken infrastructure is ``"value": null`` with the ``reason``
(never a score), or a ``5xx`` for the whole request (``503`` when busy). A bad request is a
``4xx`` naming what was wrong: ``400`` malformed JSON, ``401`` no or wrong token, ``413`` a body
over ``max_body_bytes`` or more than ``max_batch`` items, ``422`` wrong types, unknown fields,
an unknown reward or language, a size over ``max_size``. The server keeps serving after each.

**Limits** (:class:`Limits`): the body is refused with ``413`` before it is parsed (by its
``Content-Length``, or as it streams in); at most ``max_in_flight`` render/score requests run at
once, each on a worker thread (rendering, scoring and encoding the answer: the event loop only
parses, so ``/health`` stays responsive), and one more is answered ``503`` with ``Retry-After``
(seconds: the median latency of recent requests, at least 1) at once, never queued without bound.

**Token.** With a token, every endpoint but ``/health`` needs ``Authorization: Bearer <token>``
(or HTTP Basic auth with the token as the password, for clients that can only put credentials in
the URL: OpenRLHF's ``--remote_rm_url http://codepaint:<token>@host:8000/get_reward``), compared
in constant time; ``401`` otherwise.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import functools
import hmac
import json
import logging
import math
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

from codepaint_env.core.errors import CodePaintError, DependencyNotInstalled, RendererUnavailable
from codepaint_env.core.version import __version__
from codepaint_env.render.extract import END_TOKENS, completion_from_query
from codepaint_env.serve import DEFAULT_REWARD, INSTALL

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, Response
    from pydantic import BaseModel, ConfigDict, Field
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(f"codepaint serve needs FastAPI and uvicorn ({e}): {INSTALL}") from e

log = logging.getLogger("codepaint.serve")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The endpoints that render or score: bounded by ``max_in_flight`` and ``max_body_bytes``.
WORK_PATHS: frozenset[str] = frozenset({"/render", "/score", "/get_reward"})
#: Endpoints counted on their own in ``/stats`` (anything else is counted as ``other``).
KNOWN_PATHS: tuple[str, ...] = ("/render", "/score", "/get_reward", "/health", "/stats")
#: A body over the limit is read and thrown away up to this many times the limit before the 413.
DRAIN_FACTOR = 4
#: Reward ids a request may not name (they need arguments a request cannot give).
_NOT_OVER_HTTP: frozenset[str] = frozenset({"composite", "remote"})


@dataclass(frozen=True)
class Limits:
    """What one server accepts.

    Attributes:
        max_body_bytes: Largest request body; a larger one is answered ``413`` unparsed.
        max_batch: Most items (programs, completions, queries) in one request (``413`` above).
        max_in_flight: Render/score requests running at once; one more is answered ``503``.
        max_size: Largest output side in pixels a request may ask for (``422`` above).
        max_rewards: Rewards named by requests kept built at once (least recently used go first).
        unjudged_reward: What ``/get_reward`` sends for an item that could not be judged
            (OpenRLHF takes floats only; ``extra_logs.judged`` marks such items with 0).
    """

    max_body_bytes: int = 16 * 1024 * 1024
    max_batch: int = 256
    max_in_flight: int = 8
    max_size: int = 2048
    max_rewards: int = 8
    unjudged_reward: float = 0.0

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_batch", "max_in_flight", "max_size", "max_rewards"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not math.isfinite(self.unjudged_reward):
            raise ValueError("unjudged_reward must be a finite number")


class RenderService(Protocol):
    """What the server needs of a renderer (``Renderer`` and ``RayRenderer`` both are one)."""

    def submit(self, code: Any, language: str = "auto", *, size: Any = 512, seed: int = 0,
               timeout_s: float | None = None, extract: bool = False,
               renderer: str = "auto") -> concurrent.futures.Future:
        """Start one render; a future of its ``RenderResult``."""
        ...

    def stats(self) -> dict[str, Any]:
        """The renderer's counters."""
        ...

    def close(self) -> None:
        """Close it (in-flight renders end as ``infra``)."""
        ...


class BadRequest(CodePaintError):
    """A request the server cannot serve as asked (answered ``status`` with the message)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------------- request models
SizeField = int | str | list[int]
Prompt = str | list[dict[str, Any]] | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RenderItem(_Strict):
    """One program to render (fields left out take the request's)."""

    code: str
    language: str | None = None
    size: SizeField | None = None
    seed: int | None = None
    extract: bool | None = None


class RenderRequest(_Strict):
    """``POST /render``."""

    items: list[RenderItem]
    language: str = "auto"
    size: SizeField = 512
    seed: int = 0
    extract: bool = False
    renderer: Literal["auto", "browser", "fast"] = "auto"
    include_png: bool = False


class ScoreRequest(_Strict):
    """``POST /score``: a reward's ``__call__`` over HTTP."""

    completions: list[str | list[dict[str, Any]]]
    prompts: list[Prompt] | None = None
    reward: str | None = None
    columns: dict[str, Any] = Field(default_factory=dict)
    include_png: bool = False


class OpenRLHFRequest(BaseModel):
    """``POST /get_reward``: OpenRLHF's remote reward request (other fields are ignored)."""

    model_config = ConfigDict(extra="allow")

    query: list[str]
    prompts: list[str] | None = None
    labels: list[Any] | None = None


# ---------------------------------------------------------------------- rewards
def build_reward(spec: str, renderer: Any, *, trusted: bool) -> Any:
    """A reward from a spec (:func:`rewards.make_reward`; ``trusted=False``: registered ids only).

    Every component renders with ``renderer``; ``composite`` and ``remote`` cannot be named over HTTP.

    Raises:
        BadRequest: An unknown id, a malformed spec or weight, a reward that cannot be built here (with why).
    """
    from rewards import make_reward, parse_spec

    text = spec.strip()
    try:
        plan = parse_spec(text, trusted=trusted)
        for rid in plan.ids():
            if rid in _NOT_OVER_HTTP:
                raise BadRequest(f"reward {text!r}: {rid!r} cannot be served by name: write components with "
                                 "weights, e.g. 'gate:0.3,classic:0.7'")
        return make_reward(text, trusted=trusted, renderer=renderer)
    except BadRequest:
        raise
    except (KeyError, ValueError, TypeError, CodePaintError) as e:  # UnknownReward, RewardSpecError...
        raise BadRequest(f"reward {text!r} cannot be built on this server: {e}") from e


class RewardBook:
    """The server's reward, and those requests name (built on first use, least recently used dropped).

    Args:
        default: The spec requests that name none get (built now: a bad one fails at start-up).
        renderer: What every reward renders with.
        max_rewards: How many request-named rewards stay built.
    """

    def __init__(self, default: str, renderer: Any, max_rewards: int) -> None:
        self.default_spec = default.strip()
        self.renderer = renderer
        self.max_rewards = max_rewards
        self.default = build_reward(self.default_spec, renderer, trusted=True)
        self._built: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, spec: str | None) -> tuple[str, Any]:
        """``(spec, reward)`` for a request's ``reward`` field (``None``: the server's own).

        Raises:
            BadRequest: The spec cannot be built (see :func:`build_reward`).
        """
        key = (spec or "").strip()
        if not key or key == self.default_spec:
            return self.default_spec, self.default
        with self._lock:
            if key in self._built:
                self._built.move_to_end(key)
                return key, self._built[key]
        reward = build_reward(key, self.renderer, trusted=False)  # outside the lock: it may load a model
        with self._lock:
            self._built[key] = reward
            while len(self._built) > self.max_rewards:
                self._built.popitem(last=False)
        return key, reward

    def names(self) -> list[str]:
        """The specs built so far (the server's own first)."""
        with self._lock:
            return [self.default_spec, *self._built]


# ---------------------------------------------------------------------- helpers
def check_size(value: Any, limit: int) -> None:
    """Check a requested output size (``512``, ``"640x480"``, ``[640, 480]``).

    Raises:
        BadRequest: Malformed, or a side over ``limit``.
    """
    from codepaint_env.render import parse_size

    if isinstance(value, list) and len(value) != 2:
        raise BadRequest(f"size {value!r}: give W, 'WxH' or [W, H]")
    try:
        w, h = parse_size(as_size(value))
    except (ValueError, TypeError) as e:
        raise BadRequest(f"size {value!r}: {e}") from e
    if w > limit or h > limit:
        raise BadRequest(f"size {w}x{h}: this server renders at most {limit}x{limit} pixels "
                         "(codepaint serve --max-size)")


def as_size(value: Any) -> Any:
    """A JSON size as the renderer takes it (``[W, H]`` -> ``(W, H)``)."""
    return tuple(value) if isinstance(value, list) else value


def check_batch(n: int, limits: Limits, what: str) -> None:
    """Refuse a request with more than ``max_batch`` items (413; an empty one is answered empty).

    Raises:
        BadRequest: With the limit and how to stay under it.
    """
    if n > limits.max_batch:
        raise BadRequest(f"{n} {what}: this server takes at most {limits.max_batch} per request "
                         "(codepaint serve --max-batch); split the batch", status=413)


def render_dict(result: Any, include_png: bool) -> dict[str, Any]:
    """A render as JSON: :meth:`RenderResult.to_dict` (``png_base64`` only when asked)."""
    return result.to_dict(include_png=include_png)




def label_columns(labels: Sequence[Any] | None, n: int,
                  reward: Any) -> tuple[dict[str, list[Any]], list[Any]]:
    """OpenRLHF ``labels`` -> (dataset columns, per-item prompt overrides).

    A label is ``null`` (nothing), a language name (``"svg"``), or an object of dataset columns
    (``{"language": "p5brush", "subject": "rose", "size": 256, "prompt": "a red rose"}``), given
    as an object or as its JSON text. ``prompt`` replaces the templated prompt text the reward
    sees (judges read it). Items that leave ``language``, ``size`` or ``seed`` out get the
    reward's defaults.

    Raises:
        BadRequest: A label of another form, or a list of the wrong length.
    """
    from codepaint_env.render import LANGUAGES

    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    if labels is not None:
        if len(labels) != n:
            raise BadRequest(f"{len(labels)} labels for {n} queries")
        for i, label in enumerate(labels):
            if isinstance(label, str) and label.strip().startswith("{"):
                try:
                    label = json.loads(label)
                except json.JSONDecodeError as e:
                    raise BadRequest(f"labels[{i}] is not valid JSON: {e}") from e
            if label is None or label == "":
                continue
            if isinstance(label, str) and label in LANGUAGES:
                rows[i]["language"] = label
            elif isinstance(label, dict):
                rows[i].update(label)
            else:
                raise BadRequest(f"labels[{i}] = {label!r}: a label is null, a language name "
                                 f"({', '.join(LANGUAGES)}) or an object of dataset columns")
    prompts = [row.pop("prompt", None) for row in rows]
    defaults = {"language": reward.language, "size": reward.size, "seed": reward.seed}
    keys = {k for row in rows for k in row}
    columns = {k: [row.get(k, defaults.get(k)) for row in rows] for k in sorted(keys)}
    return columns, prompts


def _percentiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p90": None, "p99": None}
    s = sorted(values)
    return {f"p{p}": round(s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))], 2)
            for p in (50, 90, 99)}


# ---------------------------------------------------------------------- counters
class ServerState:
    """What ``/stats`` reports; ``in_flight`` is only touched on the event loop."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.started = time.monotonic()
        self.in_flight = 0
        self._lock = threading.Lock()
        self._requests: dict[str, Counter[str]] = {}
        self._latency: dict[str, deque[float]] = {}
        self._work_latency: deque[float] = deque(maxlen=256)
        self.items: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.cost: dict[str, float] = {}
        self.rejected: Counter[str] = Counter()

    def record(self, path: str, status: int, ms: float) -> None:
        """Count one answered request."""
        key = path if path in KNOWN_PATHS else "other"
        with self._lock:
            self._requests.setdefault(key, Counter())[str(status)] += 1
            if 200 <= status < 300:
                self._latency.setdefault(key, deque(maxlen=2048)).append(ms)
                if path in WORK_PATHS:
                    self._work_latency.append(ms)

    def reject(self, why: str) -> None:
        """Count a request refused before it reached an endpoint."""
        with self._lock:
            self.rejected[why] += 1

    def served(self, renders: Sequence[Any], results: Sequence[Any] | None = None) -> None:
        """Count renders answered and, for scores, their values and reported cost."""
        with self._lock:
            self.items["rendered"] += len(renders)
            for r in renders:
                self.kinds[r.error_kind or "ok"] += 1
            for res in results or ():
                self.items["scored"] += 1
                if res.value is None:
                    self.items["unjudged"] += 1
                for k, v in res.cost.items():
                    self.cost[k] = self.cost.get(k, 0.0) + float(v)

    def retry_after_s(self) -> int:
        """Seconds a busy client should wait: the median recent latency, 1 to 60."""
        with self._lock:
            recent = sorted(self._work_latency)
        if not recent:
            return 1
        return max(1, min(60, math.ceil(recent[len(recent) // 2] / 1000)))

    def snapshot(self) -> dict[str, Any]:
        """The counters as JSON."""
        with self._lock:
            endpoints = {
                path: {"requests": sum(codes.values()), "status": dict(sorted(codes.items())),
                       "latency_ms": _percentiles(list(self._latency.get(path, ())))}
                for path, codes in sorted(self._requests.items())
            }
            return {
                "uptime_s": round(time.monotonic() - self.started, 1),
                "in_flight": self.in_flight,
                "endpoints": endpoints,
                "items": {k: self.items.get(k, 0) for k in ("rendered", "scored", "unjudged")},
                "error_kinds": dict(sorted(self.kinds.items())),
                "judge_cost": dict(sorted(self.cost.items())),
                "rejected": {k: self.rejected.get(k, 0) for k in ("unauthorized", "busy", "too_large")},
            }


# ---------------------------------------------------------------------- the guard (ASGI middleware)
class _ClientGone(Exception):
    pass


class Guard:
    """Token, in-flight bound and body bound, before any request reaches FastAPI; and the timings.

    Args:
        app: The wrapped ASGI app.
        state: The server's counters.
        token: The bearer token, or ``None`` for none.
        limits: The server's limits.
    """

    def __init__(self, app: ASGIApp, *, state: ServerState, token: str | None, limits: Limits) -> None:
        self.app = app
        self.state = state
        self.token = token
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one ASGI connection event."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        started = time.perf_counter()
        status = 500

        async def send_recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._handle(path, scope, receive, send_recording)
        except _ClientGone:
            status = 499  # the client left before its body arrived
        finally:
            self.state.record(path, status, (time.perf_counter() - started) * 1000)

    async def _handle(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token is not None and path != "/health" and not self._authorized(scope):
            self.state.reject("unauthorized")
            await send_error(send, 401, "missing or wrong token: send 'Authorization: Bearer <token>' with "
                             "the server's token (codepaint serve --token / CODEPAINT_SERVE_TOKEN)",
                             [(b"www-authenticate", b'Bearer realm="codepaint"')])
            return
        if path not in WORK_PATHS or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        if self.state.in_flight >= self.limits.max_in_flight:
            self.state.reject("busy")
            wait = self.state.retry_after_s()
            await send_error(send, 503, f"busy: {self.state.in_flight} requests in flight, the most this "
                             f"server runs at once (codepaint serve --max-in-flight); retry after {wait} s",
                             [(b"retry-after", str(wait).encode())])
            return
        self.state.in_flight += 1
        try:
            body = await self._read_body(scope, receive, send)
            if body is not None:
                await self.app(scope, _replay(body, receive), send)
        finally:
            self.state.in_flight -= 1

    def _authorized(self, scope: Scope) -> bool:
        assert self.token is not None
        header = ""
        for name, value in scope.get("headers", ()):
            if name.lower() == b"authorization":
                header = value.decode("latin-1")
        scheme, _, credentials = header.strip().partition(" ")
        given = credentials.strip()
        if scheme.lower() == "basic":  # a token in the URL's user info (user:token@host)
            try:
                given = base64.b64decode(given, validate=True).decode("utf-8").partition(":")[2]
            except (binascii.Error, UnicodeDecodeError):
                return False
        elif scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or ``None`` after answering ``413`` (or ``400`` for a bad length).

        A body over the limit is read to its end and thrown away (up to :data:`DRAIN_FACTOR` times
        the limit) before the ``413``: a client still sending when the server closes would get a
        connection reset instead of the answer. A body larger still is answered at once.
        """
        limit = self.limits.max_body_bytes
        declared = None
        for name, value in scope.get("headers", ()):
            if name.lower() == b"content-length":
                declared = value
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await send_error(send, 400, f"bad Content-Length {declared!r}")
                return None
            if length > limit:
                if length <= DRAIN_FACTOR * limit:
                    await _drain(receive, 0, DRAIN_FACTOR * limit)
                await self._too_large(send)
                return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            if message["type"] != "http.request":
                continue
            chunk = message.get("body", b"")
            size += len(chunk)
            more = bool(message.get("more_body", False))
            if size > limit:
                if more:
                    await _drain(receive, size, DRAIN_FACTOR * limit)
                await self._too_large(send)
                return None
            chunks.append(chunk)
            if not more:
                return b"".join(chunks)

    async def _too_large(self, send: Send) -> None:
        self.state.reject("too_large")
        await send_error(send, 413, f"request body over {self.limits.max_body_bytes} bytes, the most this "
                         "server takes (codepaint serve --max-body-mb); send fewer or smaller items per "
                         "request", [(b"connection", b"close")])


async def _drain(receive: Receive, size: int, cap: int) -> None:
    """Read and discard the rest of a body (until its end, or ``cap`` bytes in all)."""
    while size <= cap:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        if message["type"] != "http.request":
            continue
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then waits on the real one (disconnects)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def send_error(send: Send, status: int, message: str,
                     headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    """Answer ``{"error": message}`` with ``status`` straight through ASGI."""
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


def _validation_message(errors: Sequence[Mapping[str, Any]]) -> tuple[int, str]:
    """A pydantic error list -> (status, one readable line): 400 for malformed JSON, else 422."""
    for err in errors:
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            return 400, f"malformed JSON: {ctx.get('error', err.get('msg', ''))}"
    first = errors[0] if len(errors) == 1 else {}
    if tuple(first.get("loc", ())) == ("body",) and first.get("type") == "missing":
        return 422, "no request body: send a JSON object (Content-Type: application/json)"
    parts = []
    for err in errors[:10]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
    return 422, "invalid request: " + "; ".join(parts) + more


def _encode(build: Callable[[], dict[str, Any]]) -> bytes:
    return json.dumps(build(), allow_nan=False).encode()


def openrlhf_answer(values: Sequence[float | None], rendered: Sequence[bool], found: Sequence[bool],
                    value_range: tuple[float, float], unjudged_reward: float) -> dict[str, Any]:
    """OpenRLHF's answer: ``{"rewards", "scores", "extra_logs"}``, floats only.

    ``rewards`` are the reward's values; an item that could not be judged (``None``) gets
    ``unjudged_reward`` (0.0 by default, as the env's ``unjudged_reward``): OpenRLHF takes no
    ``null``, and the reward's minimum would punish the program for the infrastructure.
    ``scores`` (what OpenRLHF's dynamic filtering reads, a 0-1 value) are the same values rescaled
    over the reward's range and clipped to [0, 1]. ``extra_logs`` hold one float per item, logged
    by OpenRLHF as their mean: ``judged`` (1, or 0 for an item whose reward was made up as
    ``unjudged_reward``: filter on it, or watch its mean fall below 1 when the infrastructure
    fails), ``rendered`` (1 when the program rendered a picture) and ``prompt_found`` (1 when the
    prompt was found in the query and cut off).
    """
    lo, hi = value_range
    span = hi - lo

    def score(v: float) -> float:
        return 0.0 if span <= 0 else min(1.0, max(0.0, (v - lo) / span))

    rewards = [unjudged_reward if v is None else float(v) for v in values]
    return {
        "rewards": rewards,
        "scores": [score(v) for v in rewards],
        "extra_logs": {
            "judged": [0.0 if v is None else 1.0 for v in values],
            "rendered": [1.0 if ok else 0.0 for ok in rendered],
            "prompt_found": [1.0 if f else 0.0 for f in found],
        },
    }


# ---------------------------------------------------------------------- the app
def create_app(
    reward: str = DEFAULT_REWARD,
    *,
    renderer: RenderService | None = None,
    token: str | None = None,
    limits: Limits | None = None,
    end_tokens: Sequence[str] = END_TOKENS,
    close_renderer: bool | None = None,
) -> FastAPI:
    """The FastAPI app of ``codepaint serve`` (see the module docstring for the endpoints).

    Args:
        reward: The reward requests that name none are scored with: an id, an alias,
            ``"id:weight,..."`` or ``module:Class`` (built now).
        renderer: The render service (a ``Renderer`` or a ``RayRenderer``). ``None``: a local
            ``Renderer`` the app makes.
        token: Required on every endpoint but ``/health`` (``None``: no token).
        limits: Body, batch, concurrency and size limits (:class:`Limits`).
        end_tokens: Special tokens cut from the end of OpenRLHF completions.
        close_renderer: Close the renderer when the app shuts down (``None``: only the one it made).

    Returns:
        The ASGI app (run it with uvicorn).

    Raises:
        BadRequest: The reward cannot be built (unknown id, missing extra...; with why).
        ValueError: An empty token.
    """
    if token is not None and not token.strip():
        raise ValueError("the token is empty: give a secret, or no token at all on loopback")
    limits = limits or Limits()
    owned = renderer is None if close_renderer is None else close_renderer
    if renderer is None:
        from codepaint_env.render import Renderer

        renderer = Renderer()
    service: RenderService = renderer
    book = RewardBook(reward, service, limits.max_rewards)
    state = ServerState(limits)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=limits.max_in_flight,
                                                 thread_name_prefix="codepaint-serve")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        pool.shutdown(wait=False, cancel_futures=True)
        if owned:
            await asyncio.to_thread(service.close)
            log.warning("codepaint serve: shut down, renderer closed")

    app = FastAPI(title="codepaint serve", version=__version__, lifespan=lifespan,
                  description="Renders and scores programs that draw (see `codepaint serve --help`).")
    app.add_middleware(Guard, state=state, token=token, limits=limits)  # type: ignore[arg-type]
    app.state.codepaint = state

    async def off_loop(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run blocking work on the server's worker threads; map what it raises to HTTP answers."""
        try:
            call = functools.partial(fn, *args, **kwargs)
            return await asyncio.get_running_loop().run_in_executor(pool, call)
        except BadRequest:
            raise
        except RendererUnavailable as e:
            raise BadRequest(f"this server cannot render: {e}", status=500) from e
        except (ValueError, TypeError, KeyError) as e:  # a bad language, column, seed...
            raise BadRequest(str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)) from e

    async def answer(build: Callable[[], dict[str, Any]]) -> Response:
        """Build and encode a JSON answer on a worker thread (a batch of PNGs is megabytes)."""
        encode = functools.partial(_encode, build)  # a failure here is ours: 500, not the caller's 4xx
        body = await asyncio.get_running_loop().run_in_executor(pool, encode)
        return Response(body, media_type="application/json")

    @app.exception_handler(BadRequest)
    async def _bad_request(_: Request, e: BadRequest) -> JSONResponse:
        return JSONResponse({"error": str(e)}, status_code=e.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        status, message = _validation_message(list(e.errors()))
        return JSONResponse({"error": message}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(e.detail)}, status_code=e.status_code, headers=e.headers)

    @app.exception_handler(Exception)
    async def _internal(_: Request, e: Exception) -> JSONResponse:
        log.error("codepaint serve: internal error", exc_info=e)
        return JSONResponse({"error": f"internal error {type(e).__name__}: {e}"[:500]}, status_code=500)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "in_flight": state.in_flight,
                "max_in_flight": limits.max_in_flight}

    @app.get("/stats")
    async def stats() -> dict[str, Any]:
        renders = await asyncio.to_thread(service.stats)
        return {**state.snapshot(), "version": __version__, "reward": book.default_spec,
                "rewards_built": book.names(), "limits": asdict(limits), "renders": renders}

    def render_items(req: RenderRequest) -> list[Any]:
        futures = [service.submit(item.code, item.language or req.language,
                                  size=as_size(req.size if item.size is None else item.size),
                                  seed=req.seed if item.seed is None else item.seed,
                                  extract=req.extract if item.extract is None else item.extract,
                                  renderer=req.renderer)
                   for item in req.items]
        return [f.result() for f in futures]

    @app.post("/render")
    async def render(req: RenderRequest) -> Response:
        check_batch(len(req.items), limits, "items")
        for item in req.items:
            check_size(req.size if item.size is None else item.size, limits.max_size)
        results = await off_loop(render_items, req)
        state.served(results)
        return await answer(lambda: {"results": [render_dict(r, req.include_png) for r in results]})

    def score_batch(spec: str | None, completions: list[Any], prompts: list[Any] | None,
                    columns: dict[str, Any]) -> tuple[str, Any, list[Any], list[Any]]:
        name, reward = book.get(spec)
        samples = reward.build_samples(completions, prompts=prompts, **columns)
        return name, reward, samples, reward.score(samples)

    def check_columns(columns: Mapping[str, Any], n: int) -> None:
        from rewards.base import dataset_columns

        for key in ("prompts", "completions"):
            if key in columns:
                raise BadRequest(f"columns.{key}: give {key} at the top level of the request")
        if "size" in columns:
            try:
                rows = dataset_columns(n, {"size": columns["size"]})
            except ValueError as e:
                raise BadRequest(str(e)) from e
            for row in rows:
                if row["size"] is not None:
                    check_size(row["size"], limits.max_size)

    @app.post("/score")
    async def score(req: ScoreRequest) -> Response:
        n = len(req.completions)
        check_batch(n, limits, "completions")
        if req.prompts is not None and len(req.prompts) != n:
            raise BadRequest(f"{len(req.prompts)} prompts for {n} completions")
        check_columns(req.columns, n)
        name, reward, samples, results = await off_loop(score_batch, req.reward, list(req.completions),
                                                        req.prompts, dict(req.columns))
        state.served([s.render for s in samples], results)
        return await answer(lambda: {
            "reward": name, "value_range": list(reward.value_range),
            "results": [{**res.to_dict(), "render": render_dict(s.render, req.include_png)}
                        for s, res in zip(samples, results, strict=True)],
        })

    @app.post("/get_reward")
    async def get_reward(req: OpenRLHFRequest, reward: str | None = None) -> Response:
        n = len(req.query)
        check_batch(n, limits, "queries")
        if req.prompts is not None and len(req.prompts) != n:
            raise BadRequest(f"{len(req.prompts)} prompts for {n} queries")
        prompts: list[str | None] = list(req.prompts) if req.prompts is not None else [None] * n
        cut = [completion_from_query(q, p, end_tokens) for q, p in zip(req.query, prompts, strict=True)]
        columns, overrides = label_columns(req.labels, n, (await off_loop(book.get, reward))[1])
        check_columns(columns, n)
        judge_prompts = [o if o is not None else p for o, p in zip(overrides, prompts, strict=True)]
        _, scorer, samples, results = await off_loop(score_batch, reward, [c for c, _ in cut],
                                                     judge_prompts, columns)
        state.served([s.render for s in samples], results)
        return JSONResponse(openrlhf_answer([r.value for r in results], [s.render.ok for s in samples],
                                            [f for _, f in cut], tuple(scorer.value_range),
                                            limits.unjudged_reward))

    return app
