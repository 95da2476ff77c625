"""`remote`: a reward scored by a ``codepaint serve`` server over HTTP.

    >>> from rewards.remote import RemoteReward
    >>> reward = RemoteReward("http://127.0.0.1:8000", token=None, language="svg")   # doctest: +SKIP
    >>> reward(completions, prompts=prompts, subject=subjects)                        # doctest: +SKIP
    [0.71, -0.3, None, ...]

It is a :class:`~rewards.base.Reward`, so a TRL reward function, that renders nothing in this
process: ``__call__`` sends the completions, the prompts and the dataset columns to the
server's ``POST /score`` (in batches of ``batch_size``) and returns the server's values. The
trainer needs neither a browser nor the reward's models; the server does the rendering and
scoring (``codepaint serve``, on this machine or on a render box).

Failures, as everywhere in codepaint:

* **The server is down, times out, or answers 5xx** (``503`` when busy: retried ``retries``
  times after its ``Retry-After``; ``500`` when the server's reward raised while scoring, with the
  reward and the exception), or answers something that is not its JSON: each item of that batch
  is ``None`` with the reason (``infra: ...``), logged as a warning. Never an exception, never a
  made-up score: the trainer goes on, and logs the unjudged share (TRL's ``<name>/unjudged``).
* **The server answers 4xx**: the request itself is wrong (a bad token, an unknown reward,
  a batch or body over the server's limits, a column of the wrong length): that is a broken
  configuration, raised as :class:`RemoteRequestRejected` with the server's message.
* **A program that failed to render** is the reward's minimum, as the server scored it.

``value_range`` is the server reward's, learnt from its first answer. :meth:`RemoteReward.request`
returns the full :class:`~rewards.base.RewardResult` objects (reasons, breakdowns, costs).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx

from codepaint_env.core.auth import TOKEN_ENV
from codepaint_env.core.errors import CodePaintError
from codepaint_env.core.loop import after_fork
from codepaint_env.render.load import CLIENT_MARGIN_S
from rewards.base import TRAINER_KWARGS, Reward, RewardResult, Sample

log = logging.getLogger("codepaint.rewards.remote")

URL_ENV = "CODEPAINT_SERVE_URL"
#: The client's former token variable, read when ``CODEPAINT_TOKEN`` (every server's) is unset.
LEGACY_TOKEN_ENV = "CODEPAINT_SERVE_TOKEN"
#: The longest ``Retry-After`` a retry waits for (a larger one is waited this long).
MAX_RETRY_WAIT_S = 30.0
#: A request's read timeout when the server does not say how long its renders may take (an old server).
FALLBACK_TIMEOUT_S = 600.0


class RemoteRequestRejected(CodePaintError, ValueError):
    """The server refused the request as malformed (a 4xx): a configuration to fix, with its message."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RemoteReward(Reward):
    """A reward computed by a ``codepaint serve`` server (id ``remote``; see the module docstring).

    Args:
        url: The server's base URL, e.g. ``http://127.0.0.1:8000`` (default ``$CODEPAINT_SERVE_URL``).
        reward: The server-side reward to ask for (a registered id or ``"id:weight,..."``);
            ``None``: the server's own ``--reward``.
        token: The server's token (default ``$CODEPAINT_TOKEN``, the variable every codepaint
            server reads, or the older ``$CODEPAINT_SERVE_TOKEN``), sent as a bearer token.
        timeout_s: How long one request may take before its items are ``None``. ``None``
            (default): as long as the server may take. Its ``/health`` says how long one render
            may take there, owed time and a browser's start included (``render_answer_within_s``,
            :func:`codepaint_env.render.load.answer_within_s`), and how many run at once; a
            request of ``n`` completions waits that times ``ceil(n / at once)``, plus
            :data:`CLIENT_MARGIN_S` for scoring (:data:`FALLBACK_TIMEOUT_S` when the server does not say).
            A client that gave up sooner would call a render the server was still entitled to
            finish ``None``.
        batch_size: Completions per request (keep it at or under the server's ``--max-batch``, and a
            multiple of the group size for group rewards).
        retries: How often a ``503`` (busy) is retried after its ``Retry-After``.
        columns: The dataset columns to send (default: every column TRL passes whose values are
            JSON; others are left out, with one warning).
        **kwargs: ``language``, ``size``, ``seed`` (sent as columns when the dataset has none)
            and ``name``.

    Raises:
        ValueError: No URL, or a bad ``timeout_s`` / ``batch_size`` / ``retries``.
    """

    id = "remote"

    def __init__(self, url: str | None = None, *, reward: str | None = None, token: str | None = None,
                 timeout_s: float | None = None, batch_size: int = 256, retries: int = 2,
                 columns: Sequence[str] | None = None, **kwargs: Any) -> None:
        if "renderer" in kwargs:
            raise TypeError("RemoteReward renders nothing here: the server renders (no renderer argument)")
        super().__init__(**kwargs)
        url = url or os.environ.get(URL_ENV)
        if not url:
            raise ValueError("RemoteReward needs the server's URL, e.g. 'http://127.0.0.1:8000' "
                             f"(or ${URL_ENV})")
        if timeout_s is not None and not timeout_s > 0:
            raise ValueError("timeout_s must be positive (or None: as long as the server may take)")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self.url = url.rstrip("/")
        self.reward = reward
        self.token = token if token is not None else (
            os.environ.get(TOKEN_ENV, "").strip() or os.environ.get(LEGACY_TOKEN_ENV, "").strip() or None)
        self.timeout_s = None if timeout_s is None else float(timeout_s)
        self._server_bound: tuple[float, int] | None = None  # (one render's bound, renders at once)
        self.batch_size = int(batch_size)
        self.retries = int(retries)
        self.columns = None if columns is None else list(columns)
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._warned: set[str] = set()
        after_fork(obj=self)

    def __repr__(self) -> str:
        return f"RemoteReward({self.url!r}, reward={self.reward!r})"

    def _after_fork(self) -> None:
        self._client, self._lock = None, threading.Lock()  # the parent's connections are not ours
        self._server_bound = None

    @property
    def client(self) -> httpx.Client:
        """The HTTP client (one per process, made on first use)."""
        with self._lock:
            if self._client is None:
                headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
                read = self.timeout_s or FALLBACK_TIMEOUT_S
                self._client = httpx.Client(headers=headers,
                                            timeout=httpx.Timeout(read, connect=min(10.0, read)))
            return self._client

    def close(self) -> None:
        """Close the HTTP client (a later call opens a new one)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # ------------------------------------------------------------------ the TRL interface
    def __call__(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                 **kwargs: Any) -> list[float | None]:
        """Score completions on the server (TRL's reward-function contract); a value or ``None`` each."""
        results = self.request(completions, prompts=prompts, **kwargs)
        self._log(results, kwargs)
        return [r.value for r in results]

    async def acall(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                    **kwargs: Any) -> list[float | None]:
        """:meth:`__call__` for async callers (the request runs on a worker thread)."""
        return await asyncio.to_thread(self.__call__, completions, prompts=prompts, **kwargs)

    def request(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                **kwargs: Any) -> list[RewardResult]:
        """Score completions on the server; the full :class:`RewardResult` each (reasons included).

        Raises:
            RemoteRequestRejected: The server answered 4xx (with its message).
            ValueError: ``prompts`` or a column of the wrong length.
        """
        completions = list(completions)
        n = len(completions)
        if prompts is not None and len(prompts) != n:
            raise ValueError(f"{len(prompts)} prompts for {n} completions")
        columns = self._columns(n, kwargs)
        out: list[RewardResult] = []
        for start in range(0, n, self.batch_size):
            end = min(n, start + self.batch_size)
            body: dict[str, Any] = {
                "completions": completions[start:end],
                "prompts": None if prompts is None else list(prompts)[start:end],
                "columns": {k: v[start:end] if isinstance(v, list) else v for k, v in columns.items()},
            }
            if self.reward is not None:
                body["reward"] = self.reward
            out.extend(self._post(body, end - start))
        return out

    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score samples rendered here: their programs are sent and rendered again on the server."""
        samples = list(samples)
        if not samples:
            return []
        columns: dict[str, list[Any]] = {
            "language": [s.language for s in samples],
            "size": [f"{s.render.size[0]}x{s.render.size[1]}" if s.render.size else _size_text(self.size)
                     for s in samples],
            "seed": [self.seed if s.render.seed is None else s.render.seed for s in samples],
        }
        for key in sorted({k for s in samples for k in s.meta} - set(columns)):
            columns[key] = [s.meta.get(key) for s in samples]
        return self.request([s.code for s in samples], prompts=[s.prompt for s in samples], **columns)

    # ------------------------------------------------------------------ internals
    def _columns(self, n: int, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The dataset columns to send: JSON values only, lists of length ``n``, defaults added."""
        out: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in TRAINER_KWARGS or (self.columns is not None and key not in self.columns):
                continue
            if isinstance(value, tuple):
                value = list(value)
            if isinstance(value, list) and len(value) != n and not (key == "size" and len(value) == 2):
                raise ValueError(f"column {key!r} has {len(value)} values for {n} completions")
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                if key not in self._warned:
                    self._warned.add(key)
                    log.warning("RemoteReward: column %r is not JSON and is not sent to the server", key)
                continue
            out[key] = value
        out.setdefault("language", self.language)
        out.setdefault("size", _size_text(self.size))
        out.setdefault("seed", self.seed)
        return out

    def timeout_for(self, n: int) -> float:
        """The read timeout of a request of ``n`` completions (see ``timeout_s``)."""
        if self.timeout_s is not None:
            return self.timeout_s
        if self._server_bound is None:
            try:
                health = self.client.get(f"{self.url}/health", timeout=10.0).json()
                self._server_bound = (float(health["render_answer_within_s"]),
                                      max(1, int(health.get("renders_at_once", 1))))
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                return FALLBACK_TIMEOUT_S  # an old server, or none: asked again next time
        one, at_once = self._server_bound
        return one * math.ceil(n / at_once) + CLIENT_MARGIN_S

    def _post(self, body: dict[str, Any], n: int) -> list[RewardResult]:
        """One ``POST /score``: the results, ``None`` each on an infrastructure failure, 4xx raised."""
        url = f"{self.url}/score"
        timeout = self.timeout_for(n)
        for attempt in range(self.retries + 1):
            try:
                response = self.client.post(url, json=body, timeout=httpx.Timeout(timeout, connect=10.0))
            except httpx.TimeoutException:
                return _unjudged(f"infra: the codepaint server at {self.url} did not answer within "
                                 f"{timeout:g} s", n)
            except httpx.HTTPError as e:
                return _unjudged(f"infra: cannot reach the codepaint server at {self.url}: "
                                 f"{type(e).__name__}: {e}", n)
            status = response.status_code
            if status == 503 and attempt < self.retries:
                time.sleep(_retry_after(response))
                continue
            if status >= 500:
                return _unjudged(f"infra: the codepaint server at {self.url} answered {status}: "
                                 f"{_message(response)}", n)
            if status >= 400:
                raise RemoteRequestRejected(f"the codepaint server at {self.url} refused the request "
                                            f"({status}): {_message(response)}", status)
            return self._results(response, n)
        raise AssertionError("unreachable")  # the loop returns on its last attempt

    def _results(self, response: httpx.Response, n: int) -> list[RewardResult]:
        try:
            data = response.json()
            items = data["results"]
            if not isinstance(items, list) or len(items) != n:
                got = len(items) if isinstance(items, list) else "no"
                raise ValueError(f"{got} results for {n} completions")
            lo, hi = data["value_range"]
            self.value_range = (float(lo), float(hi))  # type: ignore[misc]
            return [_result(item) for item in items]
        except (ValueError, KeyError, TypeError) as e:
            return _unjudged(f"infra: the codepaint server at {self.url} answered something that is not "
                             f"its JSON: {type(e).__name__}: {e}"[:500], n)


def _result(item: Any) -> RewardResult:
    if not isinstance(item, dict):
        raise TypeError(f"a result is {type(item).__name__}, not an object")
    value = item.get("value")
    if value is not None and not isinstance(value, (int, float)):
        raise TypeError(f"value {value!r} is not a number")
    breakdown: dict[str, float | None] = {str(k): None if v is None else float(v)
                                          for k, v in (item.get("breakdown") or {}).items()
                                          if v is None or isinstance(v, (int, float))}
    cost = {str(k): float(v) for k, v in (item.get("cost") or {}).items() if isinstance(v, (int, float))}
    return RewardResult(value, breakdown=breakdown, rationale=str(item.get("rationale") or ""),
                        reason=item.get("reason"), cost=cost)


def _unjudged(reason: str, n: int) -> list[RewardResult]:
    log.warning("RemoteReward: %d item(s) not judged: %s", n, reason)
    return [RewardResult.unjudged(reason) for _ in range(n)]


def _message(response: httpx.Response) -> str:
    """The server's ``{"error": ...}`` message (a string; OpenAI's object on a 401), else the body's start."""
    try:
        data = response.json()
        if isinstance(data, dict) and "error" in data:
            error = data["error"]
            return str(error.get("message", error) if isinstance(error, dict) else error)
    except ValueError:
        pass
    return response.text[:300] or response.reason_phrase


def _retry_after(response: httpx.Response) -> float:
    try:
        wait = float(response.headers.get("retry-after", "1"))
    except ValueError:
        wait = 1.0
    return min(MAX_RETRY_WAIT_S, wait) if math.isfinite(wait) and wait > 0 else 1.0


def _size_text(size: Any) -> Any:
    if isinstance(size, (tuple, list)):
        return f"{int(size[0])}x{int(size[1])}"
    return size
