"""The ``codepaint`` command: one module per subcommand, each with ``add_parser`` and ``run``.

    codepaint render FILE [--language auto|p5brush|p5|svg|html|python|tikz] [--size 512|WxH] [--seed N]
                          [--timeout S] [-o OUT.png] [--json] [--extract] [--renderer fast]
    codepaint doctor
    codepaint demo [--out runs/demo] [--size 384]       (episodes + renders galleries)
    codepaint pool stats|verify|contact-sheet|add|import|render
    codepaint score FILE... --reward SPEC [--prompt TEXT] [--language L] [--set KEY=VALUE] [--json]
    codepaint check-reward SPEC [--examples N] [--seed S] [--json]   (the invariants a trainer relies on)
    codepaint judge-server [--port 8900] [--latency-ms N] [--bias first] [--fail-rate P]
    codepaint serve [--reward SPEC] [--host 127.0.0.1] [--port 8000] [--token-file F]
    codepaint policy-server [--model smollm2-135m] [--port 8001] [--host] [--token] [--max-batch N]
                            [--max-queue N]
    codepaint eval --model NAME|--base-url URL --suite svg --limit N --samples K --out DIR [--resume]
                   [--reward SPEC] [--prompt-style allowlist|reference|none] [--compare A,B]
    codepaint export pool|tasks --suite NAME|rollouts FILE --out DIR      (Hub dataset folders)
    codepaint export parquet [--suite NAME|--tasks FILE] [--split S] [--for verl|skyrl] --out F.parquet
    codepaint openenv --env CodePaint/SVG-v4 [--port 8000] [--token-file F]   (needs openenv-core)

Every option that names a language is ``--language`` (``--lang`` is its alias).

Exit codes (:mod:`.exit_codes`): 0 success, 2 usage error, 3 the program failed to render
(``render``), 1 a broken installation (``doctor``, or any command that cannot start its renderer),
4 when the answer says nothing about the program: ``render`` could not be done for a reason outside
it (``error_kind="infra"``: try again), ``score`` could not judge some value, or ``eval`` is missing
samples the endpoint did not answer (``--resume`` asks again). Output into a
closed pipe (``codepaint render ... | head``) ends quietly.
"""

from __future__ import annotations

import argparse
import os
import sys

from codepaint_env.cli import (
    check_reward,
    demo,
    doctor,
    evaluate,
    export,
    judge_server,
    openenv,
    policy_server,
    pool,
    render,
    score,
    serve,
)
from codepaint_env.cli.exit_codes import EXIT_BROKEN, EXIT_OK, EXIT_USAGE
from codepaint_env.core.errors import CodePaintError, RendererUnavailable
from codepaint_env.core.version import __version__

#: The subcommands, in the order ``--help`` lists them: each module has ``add_parser(sub)``, whose
#: parser sets ``run(args, parser) -> exit code`` as its default.
COMMANDS = (render, doctor, demo, pool, score, check_reward, judge_server, serve, policy_server, openenv,
            evaluate, export)


def build_parser() -> argparse.ArgumentParser:
    """The ``codepaint`` argument parser, every subcommand included."""
    p = argparse.ArgumentParser(
        prog="codepaint",
        description="Render and judge programs that draw (p5.js + p5.brush, SVG, HTML in a contained "
        "headless Chromium; Python and TikZ in a sandboxed subprocess). The toolkit behind the "
        "CodePaint Gymnasium environments.",
        epilog="Run `codepaint doctor` first on a new machine: it says what is missing and how "
        "to fix it.",
    )
    p.add_argument("--version", action="version", version=f"codepaint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    for subparser in sub.choices.values():  # a usage error shows the subcommand's usage, not ours
        subparser.set_defaults(command_parser=subparser)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``codepaint`` command; returns the exit code."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # inside the try: a reader that went away fails here, not at exit
        return code
    except BrokenPipeError:
        # The reader closed the pipe (`| head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command is None:
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        parser.print_help()
        return EXIT_USAGE
    command_parser = getattr(args, "command_parser", parser)
    if getattr(args, "passes_through", False):  # a command whose options another parser reads
        args.passed_through = rest
    elif rest:
        command_parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return int(args.run(args, command_parser))
    except RendererUnavailable as e:
        print(f"codepaint: {e}", file=sys.stderr)
        return EXIT_BROKEN
    except CodePaintError as e:
        print(f"codepaint: {e}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
