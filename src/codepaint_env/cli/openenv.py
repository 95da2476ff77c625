"""``codepaint openenv``: serve one environment id with OpenEnv's own app (needs ``openenv-core``).

    codepaint openenv --env CodePaint/SVG-v4 --port 8000
    codepaint openenv --env CodePaint/SVG-v4 --host 0.0.0.0 --token-file /run/secrets/codepaint-token

Every option is the adapter's own (:func:`codepaint_env.integrations.openenv.main`: ``--env``,
``--host``, ``--port``, ``--token-file``, ``--reward``, ``--tasks``, ``--split``, ``--max-turns``,
``--size``, ``--feedback``, ``--max-sessions``, ``--idle-timeout``, ``--log-level``): they are handed
to it as given, so one parser says them, and ``codepaint openenv --help`` prints its help.

The adapter needs ``openenv-core``, which pins pillow<13, so it lives in its own venv
(``scripts/install-trainer-venvs.sh python3 openenv`` makes ``.venvs/openenv``; its ``codepaint``
runs this). This is the one command that imports a trainer adapter, lazily, when it runs
(``pyproject.toml`` says so in the import-linter contract): without ``openenv-core`` it exits 1
with the command that installs it, and nothing else of ``codepaint`` loads it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_BROKEN


def add_parser(sub: Any) -> None:
    """Register ``codepaint openenv`` (its options pass through to the adapter's parser)."""
    p = sub.add_parser("openenv", add_help=False,
                       help="serve an environment id with OpenEnv's app (needs openenv-core)",
                       description="Serve a codepaint environment with OpenEnv's app (POST /reset, /step, "
                       "GET /state, /schema, /health, WS /ws). `codepaint openenv --help` lists the options.")
    p.set_defaults(run=run, passes_through=True)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Hand the options to the adapter's own command line; the exit code."""
    from codepaint_env.core.errors import DependencyNotInstalled

    try:
        from codepaint_env.integrations.openenv import main
    except DependencyNotInstalled as e:
        print(f"codepaint openenv: {e}", file=sys.stderr)
        return EXIT_BROKEN
    return main(args.passed_through)
