"""``codepaint judge-server``: the stand-in OpenAI-compatible judge on loopback (offline dry runs).

    codepaint judge-server --port 8900 [--latency-ms 200] [--bias first] [--fail-rate 0.1]

The server and its options are :mod:`codepaint_env.testing.judge_server`'s (``python -m
codepaint_env.testing.judge_server`` is the same command).
"""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    """Register ``codepaint judge-server``."""
    from codepaint_env.testing.judge_server import DESCRIPTION, add_arguments

    p = sub.add_parser("judge-server", help="run the stand-in OpenAI-compatible judge on loopback (offline "
                       "dry runs)", description=DESCRIPTION)
    add_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Serve until Ctrl-C or SIGTERM; the exit code."""
    from codepaint_env.testing.judge_server import serve_args

    return serve_args(args, parser)
