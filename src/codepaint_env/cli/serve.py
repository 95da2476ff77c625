"""``codepaint serve``: renders and rewards over HTTP (see :mod:`codepaint_env.serve.app`).

    codepaint serve --reward gate:0.3,classic:0.7 --port 8000
    codepaint serve --host 0.0.0.0 --token-file /run/secrets/codepaint-token
    CODEPAINT_TOKEN=... codepaint serve --host 0.0.0.0 --ray auto --workers 8

The token and the loopback rule are every codepaint server's (:mod:`codepaint_env.core.auth`).

On SIGTERM or Ctrl-C the server shuts down gracefully: requests in flight get up to 5 s, then
the renderer is closed (its browser and workers; renders still running end as ``infra``) and
``codepaint serve: shut down, renderer closed`` is logged. Exit codes: 0 after Ctrl-C; after
SIGTERM the process ends by that signal (uvicorn re-raises it, so supervisors see it); 2 usage
errors (a non-loopback host without a token, an unknown reward); 1 a broken installation
(FastAPI or uvicorn missing).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_BROKEN, EXIT_OK, EXIT_USAGE
from codepaint_env.core.auth import TOKEN_ENV
from codepaint_env.core.network import is_loopback
from codepaint_env.core.server import ListenRefused, add_listen_arguments, address, listen_from_args, serve

__all__ = ["add_parser", "is_loopback", "run"]

#: The variable this server read its token from before ``CODEPAINT_TOKEN`` (still read, with a warning).
LEGACY_TOKEN_ENV = "CODEPAINT_SERVE_TOKEN"

_DESCRIPTION = f"""\
Serve renders and rewards over HTTP: POST /render, POST /score (a reward's __call__: completions,
prompts, dataset columns -> a value or null with the reason, the breakdown and the render each),
POST /get_reward (OpenRLHF's remote reward contract), GET /health, GET /stats (requests, status
codes, latency p50/p90/p99 per endpoint, error kinds, judge cost). Python trainers use
rewards.remote.RemoteReward(URL) as a reward function.

Security model: the server runs programs sent by anyone who can reach it (in codepaint's contained
renderers: no network, bounded memory and time). So it listens on 127.0.0.1 unless told otherwise,
and it refuses to listen anywhere else without a token (--token-file PATH, or ${TOKEN_ENV}, the
variable of every codepaint server): then every endpoint but /health needs 'Authorization: Bearer
TOKEN' (or HTTP Basic auth with TOKEN as the password, e.g.
http://codepaint:TOKEN@host:8000/get_reward for OpenRLHF), compared in constant time; 401
otherwise. The token is not encryption: across machines, put the server behind TLS (a reverse
proxy) or on a private network. Requests are bounded: bodies over --max-body-mb get 413 before
they are parsed, more than --max-batch items 413, more than --max-in-flight requests at once 503
with Retry-After; bad JSON, wrong types, an unknown reward or language get a 4xx saying what was
wrong; a reward that fails while scoring is the server's fault: a 5xx with the reason. Requests
may name another registered reward ("reward": "classic") among those that load no model
(--client-rewards widens or narrows the list); module:Class only on this command line.

Unjudged items (judge down, infrastructure) are null with a reason in /score; /get_reward sends
--unjudged-reward instead (OpenRLHF takes floats only) and marks them 0 in extra_logs.judged."""


def add_parser(sub: Any) -> None:
    """Register ``codepaint serve``."""
    s = sub.add_parser(
        "serve",
        help="serve renders and rewards over HTTP (/render, /score, OpenRLHF /get_reward)",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("--reward", "-r", default=None, metavar="SPEC",
                   help="the reward requests get when they name none: an id (execution_gate, classic, "
                   "pairwise_vlm...), weighted ids 'gate:0.3,classic:0.7' (gated by execution_gate when it "
                   "is one of them) or module:Class (default: `default`, gate:0.3,checks:0.7 for a row with "
                   "checks, else gate:0.3,classic:0.7; judges read "
                   "OPENAI_BASE_URL / OPENAI_API_KEY / CODEPAINT_JUDGE_MODEL)")
    add_listen_arguments(s, port=8000, log_level=False)
    s.add_argument("--body-timeout", type=float, default=30.0, metavar="S",
                   help="a request body must arrive within S seconds, else 408 (default 30): slow senders "
                   "never hold a work slot, which a request takes only once its body is in")
    s.add_argument("--max-in-flight", type=int, default=8, metavar="N",
                   help="render/score requests run at once; one more is answered 503 + Retry-After "
                   "(default 8)")
    s.add_argument("--max-batch", type=int, default=256, metavar="N",
                   help="most programs or completions in one request (default 256)")
    s.add_argument("--max-body-mb", type=float, default=16.0, metavar="MB",
                   help="largest request body in MiB, refused with 413 before parsing (default 16)")
    s.add_argument("--max-size", type=int, default=2048, metavar="PX",
                   help="largest output side a request may ask for (default 2048)")
    s.add_argument("--timeout", type=float, default=20.0, metavar="S",
                   help="per-render timeout in seconds (default 20; a render the machine held back runs on "
                        "for the time it lost, up to 3x this)")
    s.add_argument("--max-pages", type=int, default=None, metavar="N",
                   help="renders at once per renderer (default: the CPU count, 2 to 8)")
    s.add_argument("--client-rewards", default=None, metavar="IDS",
                   help="the reward ids a request may name, comma-separated, or 'all' (default: every "
                   "registered reward that loads no model; dino and clip load one, so a client cannot make "
                   "the server load models unless they are listed here). The server's own --reward is "
                   "always served")
    s.add_argument("--unjudged-reward", type=float, default=0.0, metavar="X",
                   help="what /get_reward sends for an item that could not be judged (default 0.0)")
    s.add_argument("--end-token", action="append", default=[], metavar="TEXT",
                   help="another special token to cut from the end of OpenRLHF completions (repeatable)")
    s.add_argument("--ray", default=None, metavar="auto|local|ADDRESS",
                   help="render on a Ray cluster: auto (the running one), local (start one) or its address")
    s.add_argument("--workers", type=int, default=2, metavar="N",
                   help="render worker actors with --ray (default 2)")
    s.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"),
                   help="uvicorn's log level (default info: one line per request)")
    s.set_defaults(run=run)


def _usage(parser: argparse.ArgumentParser | None, message: str) -> None:
    """Stop with a usage error (exit 2)."""
    if parser is not None:
        parser.error(message)
    print(f"codepaint serve: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def _warn(message: str) -> None:
    print(f"codepaint serve: warning: {message}", file=sys.stderr, flush=True)


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser | None) -> None:
    for flag, value in (("--max-in-flight", args.max_in_flight), ("--max-batch", args.max_batch),
                        ("--max-size", args.max_size), ("--workers", args.workers)):
        if value < 1:
            _usage(parser, f"{flag} must be at least 1")
    if not args.max_body_mb > 0:
        _usage(parser, "--max-body-mb must be positive")
    if not args.timeout > 0:
        _usage(parser, "--timeout must be positive")
    if not args.body_timeout > 0:
        _usage(parser, "--body-timeout must be positive")


def _renderer(args: argparse.Namespace) -> Any:
    kwargs: dict[str, Any] = {"timeout_s": args.timeout}
    if args.max_pages:
        kwargs["max_pages"] = args.max_pages
    if args.ray is None:
        from codepaint_env.render import Renderer

        return Renderer(**kwargs)
    from codepaint_env.render.ray.renderer import RayRenderer  # only with --ray: Ray is an extra

    address = None if args.ray == "local" else args.ray
    return RayRenderer(num_workers=args.workers, address=address, **kwargs)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    """``codepaint serve``: check the flags, build the renderer and the app, serve until stopped.

    Returns:
        The exit code (0 after a clean shutdown, 2 usage, 1 broken installation).
    """
    _check(args, parser)
    try:
        listen = listen_from_args(args, legacy_env=LEGACY_TOKEN_ENV, warn=_warn)
    except ListenRefused as e:
        print(f"codepaint serve: {e}", file=sys.stderr)
        return EXIT_USAGE
    token = listen.token
    from codepaint_env.core.errors import DependencyNotInstalled

    try:
        import uvicorn  # noqa: F401 (the server shell serves with it: missing, the fix is said here)

        from codepaint_env.serve import DEFAULT_REWARD, INSTALL
        from codepaint_env.serve.app import END_TOKENS, BadRequest, Limits, create_app
        from codepaint_env.serve.config import client_rewards
    except DependencyNotInstalled as e:
        print(f"codepaint serve: {e}", file=sys.stderr)
        return EXIT_BROKEN
    except ImportError as e:
        print(f"codepaint serve needs FastAPI and uvicorn ({e}): pip install 'codepaint[serve]'",
              file=sys.stderr)
        return EXIT_BROKEN
    try:
        allowed = client_rewards(args.client_rewards)
    except ValueError as e:
        print(f"codepaint serve: {e}", file=sys.stderr)
        return EXIT_USAGE
    limits = Limits(max_body_bytes=int(args.max_body_mb * 1024 * 1024), max_batch=args.max_batch,
                    max_in_flight=args.max_in_flight, max_size=args.max_size,
                    unjudged_reward=args.unjudged_reward, client_rewards=allowed,
                    body_timeout_s=args.body_timeout)
    spec = args.reward or DEFAULT_REWARD
    try:
        sock = listen.bind()
    except OSError as e:
        print(f"codepaint serve: cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        return EXIT_USAGE
    renderer = None
    try:
        renderer = _renderer(args)
        try:
            app = create_app(spec, renderer=renderer, token=token, limits=limits,
                             end_tokens=(*END_TOKENS, *args.end_token), close_renderer=True)
        except BadRequest as e:
            print(f"codepaint serve: --reward {spec}: {e}", file=sys.stderr)
            return EXIT_USAGE
        except DependencyNotInstalled as e:
            print(f"codepaint serve: {e} ({INSTALL} for the server itself)", file=sys.stderr)
            return EXIT_BROKEN
        print(f"codepaint serve: reward {spec} on {address(sock)} "
              f"({'token required' if token else 'no token: this machine only'}; "
              f"{'Ray, ' + str(args.workers) + ' workers' if args.ray else 'local renderer'})",
              file=sys.stderr, flush=True)
        serve(app, sock, log_level=args.log_level)  # the server shell; the app has its own guard
    except KeyboardInterrupt:  # Ctrl-C: uvicorn shut down (renderer closed), then re-raised it
        pass
    finally:
        sock.close()
        if renderer is not None:
            renderer.close()
    return EXIT_OK
