"""The chat-completion request the policy server takes, checked field by field, and its limits.

Imports nothing of FastAPI; pydantic comes with it (the ``serve`` extra). Every problem is a
:class:`RequestError` whose message names the field, which the server answers in OpenAI's error
shape (``{"error": {"message", "type", "param", "code"}}``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from codepaint_env.core.errors import CodePaintError

__all__ = ["ChatRequest", "PolicyLimits", "RequestError", "parse_chat_request"]

#: Fields an OpenAI request may carry that would change what is answered and are not implemented.
UNSUPPORTED: dict[str, str] = {
    "stream": "streaming is not supported: send stream=false (or leave it out)",
    "logprobs": "logprobs are not supported",
    "top_logprobs": "logprobs are not supported",
    "tools": "tool calls are not supported",
    "functions": "function calls are not supported",
    "response_format": "response_format is not supported (the reply is plain text)",
}
_ROLES = ("system", "developer", "user", "assistant")


class RequestError(CodePaintError):
    """A request the server cannot answer as asked: ``status`` and the message; ``param`` names the field."""

    def __init__(self, message: str, status: int = 400, param: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.param, self.headers = status, param, headers or {}


@dataclass(frozen=True)
class PolicyLimits:
    """What one policy server accepts.

    Attributes:
        max_batch: Most rows (choices of all requests together) decoded at once; a request's ``n``
            may not exceed it.
        max_queue: Most requests waiting for a batch; one more is answered ``503`` + ``Retry-After``.
        max_tokens: Largest ``max_tokens`` a request may ask for (also the default).
        default_max_tokens: ``max_tokens`` of a request that gives none.
        max_prompt_tokens: Longest prompt (chat template applied) in tokens.
        max_body_bytes: Largest request body (``413`` above, unparsed).
        window_ms: How long an idle batcher waits for more requests after the first.
    """

    max_batch: int = 8
    max_queue: int = 64
    max_tokens: int = 1024
    default_max_tokens: int = 512
    max_prompt_tokens: int = 4096
    max_body_bytes: int = 1024 * 1024
    window_ms: float = 5.0

    def __post_init__(self) -> None:
        for name in ("max_batch", "max_queue", "max_tokens", "default_max_tokens", "max_prompt_tokens",
                     "max_body_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not self.window_ms >= 0:
            raise ValueError("window_ms must be at least 0")


@dataclass(frozen=True)
class ChatRequest:
    """A checked ``POST /v1/chat/completions`` body."""

    model: str
    messages: list[dict[str, Any]]
    n: int
    temperature: float
    top_p: float
    max_tokens: int
    stop: tuple[str, ...]
    seed: int | None
    min_tokens: int = 0


def _number(data: dict[str, Any], name: str, default: float, lo: float, hi: float, *,
            low_open: bool = False) -> float:
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RequestError(f"{name} must be a number, not {json.dumps(value)[:40]}", param=name)
    if not (lo < value <= hi if low_open else lo <= value <= hi):
        interval = f"({lo}, {hi}]" if low_open else f"[{lo}, {hi}]"
        raise RequestError(f"{name} must be in {interval}, not {value}", param=name)
    return float(value)


def _integer(data: dict[str, Any], name: str, default: int | None, lo: int, hi: int,
             why: str = "") -> int | None:
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestError(f"{name} must be an integer, not {json.dumps(value)[:40]}", param=name)
    if not lo <= value <= hi:
        raise RequestError(f"{name} must be between {lo} and {hi}{why}, not {value}", param=name)
    return value


def _messages(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise RequestError("messages must be a non-empty list of {\"role\", \"content\"} objects",
                           param="messages")
    out = []
    for i, m in enumerate(value):
        where = f"messages[{i}]"
        if not isinstance(m, dict):
            raise RequestError(f"{where} must be an object with role and content", param=where)
        if m.get("role") not in _ROLES:
            raise RequestError(f"{where}.role must be one of {', '.join(_ROLES)}, not "
                               f"{json.dumps(m.get('role'))[:40]}", param=f"{where}.role")
        content = m.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                text = part.get("text") if isinstance(part, dict) else None
                if not (isinstance(part, dict) and part.get("type") == "text" and isinstance(text, str)):
                    kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                    raise RequestError(f"{where}.content[{j}]: only text parts are read (this policy sees no "
                                       f"images), not {json.dumps(kind)[:40]}", param=f"{where}.content")
        elif not isinstance(content, str):
            raise RequestError(f"{where}.content must be a string or a list of text parts",
                               param=f"{where}.content")
        out.append({"role": "system" if m["role"] == "developer" else m["role"], "content": content})
    return out


def _stop(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    stops = [value] if isinstance(value, str) else value
    if not isinstance(stops, list) or len(stops) > 4 or not all(isinstance(s, str) and s for s in stops):
        raise RequestError("stop must be a non-empty string or a list of at most 4 of them", param="stop")
    return tuple(stops)


def parse_chat_request(body: bytes, limits: PolicyLimits) -> ChatRequest:
    """Decode and check a chat-completion request body.

    Raises:
        RequestError: Malformed JSON, a wrong type, a value out of range or an unsupported option
            (the message names the field).
    """
    try:
        data = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise RequestError(f"the body is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise RequestError("the body must be a JSON object with model and messages")
    for name, why in UNSUPPORTED.items():
        if data.get(name) not in (None, False, [], {"type": "text"}):
            raise RequestError(why, param=name)
    model = data.get("model")
    if not isinstance(model, str) or not model:
        raise RequestError("model must be the served model's id (GET /v1/models lists it)", param="model")
    max_tokens = data.get("max_completion_tokens", data.get("max_tokens"))
    name = "max_completion_tokens" if data.get("max_completion_tokens") is not None else "max_tokens"
    tokens = _integer({name: max_tokens}, name, limits.default_max_tokens, 1, limits.max_tokens,
                      " (this server's --max-tokens)")
    n = _integer(data, "n", 1, 1, limits.max_batch, " (this server's --max-batch)")
    seed = _integer(data, "seed", None, -(2**63), 2**63 - 1)
    least = _integer(data, "min_tokens", 0, 0, tokens or 0, " (at most max_tokens)")
    assert tokens is not None and n is not None and least is not None
    return ChatRequest(model=model, messages=_messages(data.get("messages")), n=n,
                       temperature=_number(data, "temperature", 1.0, 0.0, 2.0),
                       top_p=_number(data, "top_p", 1.0, 0.0, 1.0, low_open=True),
                       max_tokens=tokens, stop=_stop(data.get("stop")), seed=seed, min_tokens=least)
