"""The policy server's app: an OpenAI-compatible chat endpoint in front of a local policy and its batcher.

:func:`create_policy_app` builds the FastAPI app that ``codepaint policy-server`` runs under uvicorn:

* ``POST /v1/chat/completions`` (also ``/chat/completions``): ``model``, ``messages`` (text content:
  a string or text parts), ``n``, ``temperature`` (default 1), ``top_p``, ``max_tokens`` (or
  ``max_completion_tokens``), ``stop`` (a string or up to 4), ``seed``, and vLLM's ``min_tokens`` (no
  end of turn before that many tokens). The answer is OpenAI's
  ``chat.completion`` object with ``usage`` (prompt, completion and total tokens). With a
  ``seed`` the same request gets the same answer.
* ``GET /v1/models`` (also ``/models``): the one served model.
* ``GET /health`` (no token needed): the model, the device, requests queued and running, and what
  the policy has generated (tokens, seconds, tokens per second).

Concurrent requests are decoded together by one :class:`~codepaint_env.policy.batcher.Batcher`
(one decoding thread; the event loop only parses and answers). Errors are OpenAI's shape
``{"error": {"message", "type", "param", "code"}}``: ``400`` malformed JSON, a wrong type, a value
out of range or an unsupported option (``stream``, ``logprobs``, ``tools``), the message naming
the field; ``401`` no or wrong token (the door of every codepaint server,
:class:`~codepaint_env.core.auth.TokenAuth`: ``Bearer`` in any case or Basic's password, the same
body everywhere, itself OpenAI's shape); ``404`` another model than the served one; ``413`` a body
over the limit; ``503`` with ``Retry-After`` when ``max_queue`` requests wait already. The server
keeps serving after each.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from codepaint_env.core.auth import TokenAuth
from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.core.version import __version__
from codepaint_env.policy.batcher import Batcher, QueueFull
from codepaint_env.policy.local import Completion, LocalPolicy, Row, row_seed
from codepaint_env.policy.schemas import ChatRequest, PolicyLimits, RequestError, parse_chat_request

try:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(f"codepaint policy-server needs FastAPI and uvicorn ({e}): "
                                 "pip install 'codepaint[serve]'") from e

__all__ = ["create_policy_app", "openai_error"]

log = logging.getLogger("codepaint.policy")
_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
                413: "invalid_request_error", 503: "overloaded_error"}


def openai_error(message: str, status: int, param: str | None = None) -> dict[str, Any]:
    """An error body in OpenAI's shape."""
    return {"error": {"message": message, "type": _ERROR_TYPES.get(status, "server_error"), "param": param,
                      "code": status}}


def _error(e: RequestError) -> JSONResponse:
    return JSONResponse(openai_error(str(e), e.status, e.param), status_code=e.status, headers=e.headers)


def completion_body(completion: Completion, model: str, fingerprint: str) -> dict[str, Any]:
    """OpenAI's ``chat.completion`` object for one request's choices."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
        "model": model, "system_fingerprint": fingerprint,
        "choices": [{"index": i, "message": {"role": "assistant", "content": c.text}, "logprobs": None,
                     "finish_reason": c.finish_reason} for i, c in enumerate(completion.choices)],
        "usage": completion.usage(),
    }


def create_policy_app(policy: LocalPolicy, *, name: str | None = None, token: str | None = None,
                      limits: PolicyLimits | None = None) -> FastAPI:
    """The policy server's FastAPI app (see the module docstring).

    Args:
        policy: The loaded policy (its ``generate_rows`` runs on the batcher's thread).
        name: The model id clients send and ``/v1/models`` lists (default ``policy.name``).
        token: Required on every endpoint but ``/health`` (:class:`~codepaint_env.core.auth.TokenAuth`).
        limits: Batch, queue, token and body limits (:class:`PolicyLimits`).

    Raises:
        TokenError: An empty token, or one a header cannot carry (a ``ValueError``).
    """
    limits = limits or PolicyLimits()
    served = name or policy.name
    fingerprint = f"codepaint-{__version__}-{policy.device}"
    batcher = Batcher(policy, max_batch=limits.max_batch, max_queue=limits.max_queue,
                      window_ms=limits.window_ms)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        batcher.start()
        yield
        await asyncio.to_thread(batcher.close)

    app = FastAPI(title="codepaint policy-server", version=__version__, lifespan=lifespan,
                  description="An OpenAI-compatible chat endpoint for a local policy model.")
    app.state.batcher = batcher
    app.add_middleware(TokenAuth, token=token)  # type: ignore[arg-type]

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(openai_error(str(e.detail), e.status_code), status_code=e.status_code,
                            headers=e.headers)

    @app.exception_handler(Exception)
    async def _internal(_: Request, e: Exception) -> JSONResponse:
        log.error("codepaint policy-server: internal error", exc_info=e)
        message = f"internal error {type(e).__name__}: {e}"[:500]
        return JSONResponse(openai_error(message, 500), status_code=500)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "model": served, "device": policy.device,
                "queued": batcher.queued, "running": batcher.running, "max_queue": limits.max_queue,
                "max_batch": limits.max_batch, "refused": batcher.refused,
                "generated": policy.stats.to_dict()}

    @app.get("/v1/models")
    @app.get("/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": served, "object": "model", "created": 0,
                                            "owned_by": "codepaint"}]}

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limits.max_body_bytes:
            raise RequestError(f"request body over {limits.max_body_bytes} bytes, the most this server takes",
                               status=413)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limits.max_body_bytes:
                raise RequestError(f"request body over {limits.max_body_bytes} bytes, the most this server "
                                   "takes", status=413)
            chunks.append(chunk)
        return b"".join(chunks)

    def rows_of(req: ChatRequest) -> tuple[list[Row], int]:
        try:
            prompt = policy.prompt_ids(req.messages)
        except ValueError as e:
            raise RequestError(str(e), param="messages") from e
        if len(prompt) > limits.max_prompt_tokens:
            raise RequestError(f"the prompt is {len(prompt)} tokens, over this server's limit of "
                               f"{limits.max_prompt_tokens}", param="messages")
        return [Row(prompt, req.temperature, req.top_p, req.max_tokens, req.stop, row_seed(req.seed, i),
                    req.min_tokens, logprobs=False)  # the API returns none: ct2 need not fetch logits
                for i in range(req.n)], len(prompt)

    @app.post("/v1/chat/completions")
    @app.post("/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        try:
            req = parse_chat_request(await read_body(request), limits)
            if req.model != served:
                raise RequestError(f"model {req.model!r} is not served here; this server serves {served!r} "
                                   "(GET /v1/models)", status=404, param="model")
            rows, prompt_tokens = rows_of(req)
            try:
                future = batcher.submit(rows)
            except QueueFull as e:
                raise RequestError(str(e), status=503, headers={"retry-after": str(e.retry_after)}) from e
        except RequestError as e:
            return _error(e)
        choices = await asyncio.wrap_future(future)
        return JSONResponse(completion_body(Completion(choices, prompt_tokens), served, fingerprint))

    return app
