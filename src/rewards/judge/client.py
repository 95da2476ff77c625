"""`JudgeClient`: an OpenAI-compatible chat-completions client built for reward judging.

* Endpoint, key and model come from arguments or ``OPENAI_BASE_URL``, ``OPENAI_API_KEY`` and
  ``CODEPAINT_JUDGE_MODEL``; images go as base64 PNG data URLs (downscaled to ``image_max_side``).
* One concurrency limit per endpoint for the whole process: every request runs on one background
  event loop (:func:`rewards.base.background_loop`), behind one semaphore per (base URL,
  ``max_concurrency``), so every reward built from one configuration shares it.
* Retries only what can succeed on retry (429, 408/409, 5xx, timeouts, connection errors), with
  jittered exponential backoff that honours ``Retry-After``, bounded by ``max_attempts`` and
  ``max_time_s``; other errors fail at once.
* Strict parsing (:mod:`rewards.judge.parsing`): anything but one valid verdict is ``None``,
  after at most one re-ask that shows the judge what was wrong. Refusals are counted.
* A persistent sqlite cache (:class:`~rewards.judge.cache.JudgmentCache`) of replies that parsed,
  keyed by endpoint, model, rubric version, decoding parameters, prompt text, image pixel hashes
  and reference ids; errors are never cached, so a later run only pays for what failed.
* Counters in :attr:`JudgeClient.stats`: requests, retries, failures, refusals, re-asks, cache
  hits, prompt and completion tokens.

A failure is a :class:`JudgeReply` with ``value=None`` and a ``reason``, never an exception and
never a made-up verdict. The client pickles as its configuration.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import os
import random
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PIL import Image

from codepaint_env.core.pickling import PicklesAsArguments
from rewards.base import background_loop
from rewards.judge.cache import JudgmentCache, default_cache_path
from rewards.judge.parsing import ParseError, looks_like_refusal

T = TypeVar("T")
Content = str | Image.Image
_SEMAPHORES: dict[str, asyncio.Semaphore] = {}
_RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass
class JudgeConfig:
    """Settings of a :class:`JudgeClient` (every field has a ``help``)."""

    base_url: str | None = field(default=None, metadata={
        "help": "OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 (default $OPENAI_BASE_URL)"})
    api_key: str | None = field(default=None, metadata={"help": "API key (default $OPENAI_API_KEY)"})
    model: str | None = field(default=None, metadata={
        "help": "judge model name (default $CODEPAINT_JUDGE_MODEL)"})
    max_concurrency: int = field(default=32, metadata={
        "help": "requests in flight to one endpoint, for the whole process"})
    max_attempts: int = field(default=4, metadata={"help": "attempts per request, first one included"})
    request_timeout_s: float = field(default=60.0, metadata={"help": "timeout of one HTTP request"})
    max_time_s: float = field(default=180.0, metadata={
        "help": "bound on one judgment: attempts, backoff and the re-ask together"})
    backoff_base_s: float = field(default=0.5, metadata={"help": "first backoff; doubles per attempt"})
    backoff_max_s: float = field(default=30.0, metadata={"help": "longest single wait (Retry-After too)"})
    temperature: float = field(default=0.0, metadata={"help": "sampling temperature (0 = deterministic)"})
    max_tokens: int = field(default=400, metadata={"help": "reply length cap"})
    reask: bool = field(default=True, metadata={"help": "re-ask once when the reply does not parse"})
    cache: bool | str = field(default=True, metadata={
        "help": "True: the default sqlite file; a path; False: no cache"})
    image_max_side: int = field(default=512, metadata={"help": "images are downscaled to this side"})
    extra_body: dict[str, Any] | None = field(default=None, metadata={
        "help": "extra request fields for the server (e.g. vLLM's guided decoding)"})

    def __post_init__(self) -> None:
        self.base_url = self.base_url or os.environ.get("OPENAI_BASE_URL") or None
        self.api_key = self.api_key or os.environ.get("OPENAI_API_KEY") or None
        self.model = self.model or os.environ.get("CODEPAINT_JUDGE_MODEL") or None
        checks = [
            (self.max_concurrency >= 1, "max_concurrency must be at least 1"),
            (self.max_attempts >= 1, "max_attempts must be at least 1 (1 = no retries)"),
            (self.request_timeout_s > 0 and self.max_time_s > 0, "timeouts must be positive seconds"),
            (self.backoff_base_s >= 0 and self.backoff_max_s >= 0, "backoff times must be >= 0"),
            (0 <= self.temperature <= 2, "temperature must be in [0, 2]"),
            (self.max_tokens >= 16, "max_tokens must be at least 16"),
            (self.image_max_side >= 32, "image_max_side must be at least 32 pixels"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)


@dataclass
class JudgeReply(Generic[T]):
    """The outcome of one judgment.

    Attributes:
        value: The parsed verdict, or ``None`` (see ``reason``).
        text: The reply text that was parsed (or failed to).
        reason: Why ``value`` is ``None``.
        cached: Served from the cache (no request made).
        refused: The judge refused.
        requests: HTTP requests made (retries and the re-ask included).
        usage: ``prompt_tokens`` and ``completion_tokens`` of those requests.
        seconds: Wall time.
    """

    value: T | None
    text: str | None = None
    reason: str | None = None
    cached: bool = False
    refused: bool = False
    requests: int = 0
    usage: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class JudgeClient(PicklesAsArguments):
    """Sends judging requests to an OpenAI-compatible endpoint (see the module docstring).

    Args:
        config: A :class:`JudgeConfig`; or give its fields as keyword arguments.
        **kwargs: :class:`JudgeConfig` fields.
    """

    def __init__(self, config: JudgeConfig | None = None, **kwargs: Any) -> None:
        if config is not None and kwargs:
            raise TypeError("give a JudgeConfig or keyword arguments, not both")
        self.config = config or JudgeConfig(**kwargs)
        self.stats: Counter[str] = Counter()
        self._client: Any = None
        self._cache: JudgmentCache | None = None
        # id(image) -> (data URL, pixel hash, image): references are encoded once, not per request.
        self._images: OrderedDict[int, tuple[str, str, Image.Image]] = OrderedDict()
        self._images_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"JudgeClient(base_url={self.config.base_url!r}, model={self.config.model!r})"

    # ------------------------------------------------------------------ set-up
    def check_configured(self) -> None:
        """Raise ``ValueError`` saying what to set when no endpoint or model is configured."""
        if not self.config.base_url:
            raise ValueError("no judge endpoint: pass base_url=... or set OPENAI_BASE_URL (try "
                             "`codepaint judge-server` for an offline stand-in)")
        if not self.config.model:
            raise ValueError("no judge model: pass model=... or set CODEPAINT_JUDGE_MODEL")

    @property
    def cache(self) -> JudgmentCache | None:
        """The judgment cache, or ``None`` when disabled."""
        if self._cache is None and self.config.cache:
            path = default_cache_path() if self.config.cache is True else str(self.config.cache)
            self._cache = JudgmentCache(path)
        return self._cache

    def _openai(self) -> Any:
        # Created on (and only used from) the background loop.
        if self._client is None:
            import openai

            self._client = openai.AsyncOpenAI(base_url=self.config.base_url,
                                              api_key=self.config.api_key or "not-needed",
                                              max_retries=0, timeout=self.config.request_timeout_s)
        return self._client

    def _semaphore(self) -> asyncio.Semaphore:
        # Shared by every client of this process with the same endpoint and limit (all the
        # rewards built from one configuration), whichever reward or thread sends the request.
        key = f"{self.config.base_url}|{self.config.max_concurrency}"
        if key not in _SEMAPHORES:
            _SEMAPHORES[key] = asyncio.Semaphore(self.config.max_concurrency)
        return _SEMAPHORES[key]

    # ------------------------------------------------------------------ requests
    def encode_image(self, image: Image.Image) -> tuple[str, str]:
        """A data URL of ``image`` (downscaled to ``image_max_side``) and the sent pixels' SHA-256."""
        key = id(image)
        with self._images_lock:
            hit = self._images.get(key)
        if hit is not None and hit[2] is image:
            return hit[0], hit[1]
        im = image.convert("RGB")
        side = self.config.image_max_side
        if max(im.size) > side:
            im.thumbnail((side, side), Image.Resampling.LANCZOS)
        digest = hashlib.sha256(f"{im.width}x{im.height}:".encode() + im.tobytes()).hexdigest()
        buf = io.BytesIO()
        im.save(buf, "PNG", compress_level=1)  # 2x faster than the default; lossless either way
        url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
        with self._images_lock:
            self._images[key] = (url, digest, image)
            while len(self._images) > 64:
                self._images.popitem(last=False)
        return url, digest

    def cache_key(self, system: str, texts: Sequence[str], image_hashes: Sequence[str],
                  tags: dict[str, Any]) -> str:
        """SHA-256 over everything that determines a verdict."""
        c = self.config
        payload = {
            "endpoint": c.base_url, "model": c.model, "temperature": c.temperature,
            "max_tokens": c.max_tokens, "extra_body": c.extra_body, "image_max_side": c.image_max_side,
            "system": system, "texts": list(texts), "images": list(image_hashes), "tags": tags,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def judge(self, *, system: str, content: Sequence[Content], parse: Callable[[str], T],
              hint: str = "", tags: dict[str, Any] | None = None) -> JudgeReply[T]:
        """Synchronous :meth:`ajudge`."""
        fut = asyncio.run_coroutine_threadsafe(
            self._judge(system=system, content=content, parse=parse, hint=hint, tags=tags or {}),
            background_loop())
        return fut.result()

    async def ajudge(self, *, system: str, content: Sequence[Content], parse: Callable[[str], T],
                     hint: str = "", tags: dict[str, Any] | None = None) -> JudgeReply[T]:
        """Ask the judge once (with retries and at most one re-ask); never raises for a bad reply.

        Args:
            system: The system prompt (the rubric).
            content: The user message: text and PIL images, in order.
            parse: Turns the reply text into a verdict or raises ``ParseError``.
            hint: What a re-ask tells the judge (the JSON shape expected).
            tags: More cache-key parts (rubric version, reference ids...).

        Returns:
            A :class:`JudgeReply`; ``value`` is ``None`` with a ``reason`` on any failure.
        """
        coro = self._judge(system=system, content=content, parse=parse, hint=hint, tags=tags or {})
        loop = background_loop()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    async def _judge(self, *, system: str, content: Sequence[Content], parse: Callable[[str], T],
                     hint: str, tags: dict[str, Any]) -> JudgeReply[T]:
        t0 = time.monotonic()
        try:
            self.check_configured()
        except ValueError as e:
            self.stats["failures"] += 1
            return JudgeReply(None, reason=str(e))
        parts: list[dict[str, Any]] = []
        texts: list[str] = []
        hashes: list[str] = []
        # PNG encoding is CPU work: off the event loop, so concurrent requests overlap with it.
        encoded = await asyncio.to_thread(
            lambda: {id(i): self.encode_image(i) for i in content if isinstance(i, Image.Image)})
        for item in content:
            if isinstance(item, Image.Image):
                url, digest = encoded[id(item)]
                parts.append({"type": "image_url", "image_url": {"url": url}})
                hashes.append(digest)
                texts.append("<image>")
            else:
                parts.append({"type": "text", "text": str(item)})
                texts.append(str(item))
        key = self.cache_key(system, texts, hashes, tags)
        cache = self.cache
        if cache is not None:
            stored = await asyncio.to_thread(cache.get, key)
            if stored is not None:
                try:
                    value = parse(stored)
                except ParseError:
                    value = None  # a rubric whose parser changed: judge again
                if value is not None:
                    self.stats["cache_hits"] += 1
                    return JudgeReply(value, text=stored, cached=True, seconds=time.monotonic() - t0)
        messages: list[dict[str, Any]] = [{"role": "system", "content": system},
                                          {"role": "user", "content": parts}]
        deadline = t0 + self.config.max_time_s
        reply: JudgeReply[T] = JudgeReply(None)
        for asking in (1, 2):
            text, refusal, error, n, usage = await self._complete(messages, deadline)
            reply.requests += n
            for k, v in usage.items():
                reply.usage[k] = reply.usage.get(k, 0) + v
            reply.text = text
            if error is not None:
                self.stats["failures"] += 1
                reply.reason = error
                break
            if refusal is not None or looks_like_refusal(text or ""):
                self.stats["refusals"] += 1
                reply.refused = True
                reply.reason = f"the judge refused: {(refusal or text or '')[:200]}"
                break
            try:
                reply.value = parse(text or "")
            except ParseError as e:
                reply.reason = f"unparseable reply: {e}"
                if asking == 1 and self.config.reask and time.monotonic() < deadline:
                    self.stats["reasks"] += 1
                    messages = [*messages, {"role": "assistant", "content": text or ""},
                                {"role": "user", "content": f"Your reply could not be read: {e}. {hint}"}]
                    continue
                self.stats["unparseable"] += 1
                break
            reply.reason = None
            if cache is not None:
                await asyncio.to_thread(cache.put, key, text or "", model=self.config.model or "", meta=tags)
            break
        reply.seconds = time.monotonic() - t0
        return reply

    async def _complete(self, messages: list[dict[str, Any]], deadline: float
                        ) -> tuple[str | None, str | None, str | None, int, dict[str, int]]:
        """One chat completion with retries: (text, refusal, error, requests made, usage)."""
        import openai

        c = self.config
        client = self._openai()
        usage: dict[str, int] = {}
        requests = 0
        error = "no attempt made"
        for attempt in range(1, c.max_attempts + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, None, f"gave up after {c.max_time_s:g} s ({error})", requests, usage
            retry_after: float | None = None
            async with self._semaphore():
                requests += 1
                self.stats["requests"] += 1
                try:
                    resp = await asyncio.wait_for(
                        client.chat.completions.create(
                            model=c.model, messages=messages, temperature=c.temperature,
                            max_tokens=c.max_tokens, extra_body=c.extra_body,
                            timeout=min(c.request_timeout_s, remaining)),
                        timeout=min(c.request_timeout_s, remaining) + 1)
                except openai.APIStatusError as e:
                    error = f"HTTP {e.status_code}: {_short(e)}"
                    if e.status_code not in _RETRYABLE_STATUS:
                        return None, None, error, requests, usage
                    retry_after = _retry_after(e)
                except (openai.APITimeoutError, asyncio.TimeoutError, TimeoutError):
                    error = "timeout"
                except openai.APIConnectionError as e:
                    error = f"connection error: {_short(e)}"
                except (openai.APIResponseValidationError, json.JSONDecodeError, ValueError) as e:
                    return None, None, f"malformed response: {_short(e)}", requests, usage
                else:
                    if resp.usage is not None:
                        for k in ("prompt_tokens", "completion_tokens"):
                            n = int(getattr(resp.usage, k, 0) or 0)
                            usage[k] = usage.get(k, 0) + n
                            self.stats[k] += n
                    if not resp.choices:
                        return None, None, "malformed response: no choices", requests, usage
                    choice = resp.choices[0]
                    msg = choice.message
                    refusal = getattr(msg, "refusal", None)
                    if choice.finish_reason == "content_filter" and not refusal:
                        refusal = "content filter"
                    if refusal is None and msg.content is None:
                        refusal = "empty reply"
                    return msg.content, refusal, None, requests, usage
            self.stats["retries"] += 1 if attempt < c.max_attempts else 0
            if attempt == c.max_attempts:
                break
            wait = min(c.backoff_max_s, c.backoff_base_s * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
            if retry_after is not None:
                wait = max(wait, min(retry_after, c.backoff_max_s) * random.uniform(1.0, 1.2))
            if time.monotonic() + wait >= deadline:
                return None, None, f"gave up after {c.max_time_s:g} s ({error})", requests, usage
            await asyncio.sleep(wait)
        return None, None, f"{error} (after {c.max_attempts} attempts)", requests, usage


def _retry_after(e: Any) -> float | None:
    try:
        value = e.response.headers.get("retry-after")
        return None if value is None else max(0.0, float(value))
    except (AttributeError, TypeError, ValueError):
        return None


def _short(e: Exception) -> str:
    return str(e).replace("\n", " ")[:200]
