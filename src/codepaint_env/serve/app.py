"""The HTTP service behind ``codepaint serve``: renders and rewards, JSON in, JSON out.

It runs programs written by anyone who can reach it, in codepaint's contained renderers.
:func:`create_app` builds the FastAPI app; ``codepaint serve`` (:mod:`codepaint_env.cli.serve`)
runs it under uvicorn.

**Endpoints.** Every answer is JSON; every error is ``{"error": "what was wrong"}`` (but a ``401``,
which is the body every codepaint server refuses with: see **Token** below).

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
an unknown reward or language, a size over ``max_size``, a seed that is no integer. The request
is checked whole before any work starts; what fails after that is the server's fault, never the
caller's: a reward that raises while scoring is a ``500`` naming the reward and the exception
(``RemoteReward`` makes it ``None`` with that reason), and on ``/get_reward``, whose client
(OpenRLHF) takes floats only and gives up on a 5xx, every item of that request is unjudged
(``--unjudged-reward``, ``extra_logs.judged`` 0). Each fault is logged with its traceback and
counted in ``/stats`` (``faults``). The server keeps serving after each.

**Limits** (:class:`Limits`): the body is refused with ``413`` before it is parsed (by its
``Content-Length``, or as it streams in); at most ``max_in_flight`` render/score requests run at
once, each on a worker thread (rendering, scoring and encoding the answer: the event loop only
parses, so ``/health`` stays responsive), and one more is answered ``503`` with ``Retry-After``
(seconds: the median latency of recent requests, at least 1) at once, never queued without bound.

**Token.** The door every codepaint server shares (:class:`codepaint_env.core.auth.TokenAuth`,
in front of everything): with a token, every endpoint but ``/health`` needs
``Authorization: Bearer <token>`` (the scheme in any case), or HTTP Basic auth with the token as
the password, for clients that can only put credentials in the URL (OpenRLHF's
``--remote_rm_url http://codepaint:<token>@host:8000/get_reward``); compared in constant time.
Otherwise ``401`` with the body of every codepaint server,
``{"error": {"message": ..., "type": "authentication_error", ...}}`` (OpenAI's error object).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict
from typing import Any

from codepaint_env.core.auth import TokenAuth
from codepaint_env.core.errors import DependencyNotInstalled, RendererUnavailable
from codepaint_env.core.version import __version__
from codepaint_env.render.extract import END_TOKENS, completion_from_query
from codepaint_env.render.load import answer_within_s
from codepaint_env.render.service import RenderService
from codepaint_env.scoring.openrlhf import openrlhf_answer
from codepaint_env.serve.config import INSTALL, BadRequest, Limits, ServerFault
from rewards.base import RewardResult
from rewards.guard import score_guarded
from rewards.monitors import sample_monitors
from rewards.spec import DEFAULT_REWARD

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, Response
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(f"codepaint serve needs FastAPI and uvicorn ({e}): {INSTALL}") from e

from codepaint_env.serve.guard import Guard
from codepaint_env.serve.reward_book import RewardBook
from codepaint_env.serve.schemas import (
    OpenRLHFRequest,
    RenderRequest,
    ScoreRequest,
    as_size,
    check_batch,
    check_columns,
    check_size,
    label_columns,
    render_dict,
    validation_message,
)
from codepaint_env.serve.stats import ServerState

__all__ = ["END_TOKENS", "BadRequest", "Limits", "RewardFailed", "ServerFault", "completion_from_query",
           "create_app", "label_columns", "openrlhf_answer"]

log = logging.getLogger("codepaint.serve")


class RewardFailed(ServerFault):
    """A reward raised while scoring a request that was in order: the server's fault (500)."""

    def __init__(self, spec: str, error: Exception) -> None:
        super().__init__(f"the reward {spec!r} failed while scoring (a fault of this server, not of the "
                         f"request): {type(error).__name__}: {error}"[:1000])


def _encode(build: Callable[[], dict[str, Any]]) -> bytes:
    return json.dumps(build(), allow_nan=False).encode()


@contextmanager
def the_request() -> Iterator[None]:
    """Checks of the request: what they raise is the caller's fault (422 with the message)."""
    try:
        yield
    except BadRequest:
        raise
    except (ValueError, TypeError, KeyError) as e:  # a bad language, column, seed, renderer...
        raise BadRequest(str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)) from e


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
        TokenError: An empty token, or one a header cannot carry (a ``ValueError``).
    """
    limits = limits or Limits()
    owned = renderer is None if close_renderer is None else close_renderer
    if renderer is None:
        from codepaint_env.render import Renderer

        renderer = Renderer()
    service: RenderService = renderer
    book = RewardBook(reward, service, limits.max_rewards, limits.client_rewards)
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
    app.add_middleware(Guard, state=state, limits=limits)  # type: ignore[arg-type]
    # added last, so outermost: a request without the token costs no body read and no parsing
    app.add_middleware(TokenAuth, token=token, on_refused=state.unauthorized)  # type: ignore[arg-type]
    app.state.codepaint = state

    async def off_loop(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run blocking work on the server's worker threads.

        The work checks its request first (:func:`the_request`: a 4xx); anything raised after
        that is the server's (a 5xx through the handlers below), never the caller's.
        """
        try:
            call = functools.partial(fn, *args, **kwargs)
            return await asyncio.get_running_loop().run_in_executor(pool, call)
        except RendererUnavailable as e:
            raise ServerFault(f"this server cannot render: {e}") from e

    async def answer(build: Callable[[], dict[str, Any]]) -> Response:
        """Build and encode a JSON answer on a worker thread (a batch of PNGs is megabytes)."""
        encode = functools.partial(_encode, build)  # a failure here is ours: 500, not the caller's 4xx
        body = await asyncio.get_running_loop().run_in_executor(pool, encode)
        return Response(body, media_type="application/json")

    @app.exception_handler(BadRequest)
    async def _bad_request(_: Request, e: BadRequest) -> JSONResponse:
        return JSONResponse({"error": str(e)}, status_code=e.status)

    @app.exception_handler(ServerFault)
    async def _fault(_: Request, e: ServerFault) -> JSONResponse:
        log.error("codepaint serve: %s", e, exc_info=e.__cause__ or e)
        return JSONResponse({"error": str(e)}, status_code=e.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        status, message = validation_message(list(e.errors()))
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
                "max_in_flight": limits.max_in_flight,
                # how long one render may take here (owed time and a browser's start included), and how
                # many run at once: a client's read timeout follows them (rewards.remote.RemoteReward)
                "render_answer_within_s": answer_within_s(service.timeout_s),
                "renders_at_once": getattr(service, "max_pages", 1)}

    @app.get("/stats")
    async def stats() -> dict[str, Any]:
        renders = await asyncio.to_thread(service.stats)
        return {**state.snapshot(), "version": __version__, "reward": book.default_spec,
                "rewards_built": book.names(), "limits": asdict(limits), "renders": renders}

    def render_items(req: RenderRequest) -> list[Any]:
        with the_request():  # submit checks the language, size, seed and renderer before it starts
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

    def prepare(spec: str | None, completions: list[Any], prompts: list[Any] | None,
                columns: dict[str, Any]) -> tuple[str, Any, list[Any]]:
        """The request checked whole (4xx), then its programs rendered: ``(spec, reward, samples)``."""
        name, reward = book.get(spec)
        with the_request():
            check_columns(columns, len(completions), reward, limits.max_size)
        return name, reward, reward.build_samples(completions, prompts=prompts, **columns)

    def score_samples(name: str, reward: Any, samples: list[Any]) -> list[Any]:
        """The reward's results; whatever it raises is the server's fault (:class:`RewardFailed`).

        So is a call past ``CODEPAINT_REWARD_TIMEOUT`` (:func:`rewards.guard.score_guarded`: the
        server is not held by a reward that hangs), or an answer of the wrong shape.
        """
        def failed(reason: str, error: Exception) -> None:
            raise RewardFailed(name, error) from error

        try:
            return score_guarded(reward, samples, on_fault=failed)
        except RewardFailed:
            state.reward_failed()
            raise
        except Exception as e:  # a broken installation (CodePaintError): the server's too
            state.reward_failed()
            raise RewardFailed(name, e) from e

    def score_batch(spec: str | None, completions: list[Any], prompts: list[Any] | None,
                    columns: dict[str, Any]) -> tuple[str, Any, list[Any], list[Any]]:
        name, reward, samples = prepare(spec, completions, prompts, columns)
        return name, reward, samples, score_samples(name, reward, samples)

    @app.post("/score")
    async def score(req: ScoreRequest) -> Response:
        n = len(req.completions)
        check_batch(n, limits, "completions")
        if req.prompts is not None and len(req.prompts) != n:
            raise BadRequest(f"{len(req.prompts)} prompts for {n} completions")
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

        def cut_and_score() -> tuple[list[tuple[str, bool]], Any, list[Any], list[Any], list[Any]]:
            # every per-item step runs here, on a worker thread: none is on the event loop
            with the_request():
                cut = [completion_from_query(q, p, end_tokens)
                       for q, p in zip(req.query, prompts, strict=True)]
                columns, overrides = label_columns(req.labels, n, book.get(reward)[1])
            judge_prompts = [o if o is not None else p for o, p in zip(overrides, prompts, strict=True)]
            name, scorer, samples = prepare(reward, [c for c, _ in cut], judge_prompts, columns)
            try:
                results = score_samples(name, scorer, samples)
            except RewardFailed as e:  # OpenRLHF takes floats only and gives up on a 5xx: unjudged
                log.error("codepaint serve: /get_reward: %s", e, exc_info=e.__cause__)
                results = [RewardResult.unjudged(str(e)) for _ in samples]
            monitors = [sample_monitors(s, r) for s, r in zip(samples, results, strict=True)]
            return cut, scorer, samples, results, monitors

        cut, scorer, samples, results, monitors = await off_loop(cut_and_score)
        state.served([s.render for s in samples], results)
        values = [r.value for r in results]
        return await answer(lambda: openrlhf_answer(
            [limits.unjudged_reward if v is None else v for v in values], [v is not None for v in values],
            [f for _, f in cut], tuple(scorer.value_range), rendered=[s.render.ok for s in samples],
            monitors=monitors))

    return app
