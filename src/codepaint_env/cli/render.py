"""``codepaint render FILE``: render one program to a PNG.

Exit codes: 0 it rendered, 3 the program failed (its ``error_kind`` printed), 4 the render could
not be done for a reason outside the program (``error_kind="infra"``: try again), 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_NOT_JUDGED, EXIT_OK, EXIT_RENDER_FAILED


def _languages_help() -> str:
    """The --language help, from the language table (built-ins and installed plugins)."""
    from codepaint_env.render.languages import LANGUAGES

    names = ", ".join(LANGUAGES)
    endings = ", ".join(spec.suffixes[0] for spec in LANGUAGES.values() if spec.suffixes)
    return f"{names}; default auto: from the file name ending ({endings}), else the code"


def add_parser(sub: Any) -> None:
    """Register ``codepaint render``."""
    r = sub.add_parser(
        "render",
        help="render one program to a PNG",
        description="Render FILE to a PNG. Exit 0 when it rendered, 3 when the program failed "
        "(with --json the result is printed either way), 4 when the render could not be done for "
        "a reason outside the program (error kind infra: the browser died, the machine was "
        "overloaded; try again), 2 on usage errors.",
    )
    r.add_argument("file", help="program file, or - for standard input")
    r.add_argument("--language", "--lang", dest="language", default="auto", help=_languages_help())
    r.add_argument("--size", default="512", help="output size: W or WxH (default 512)")
    r.add_argument("--seed", type=int, default=0, help="seed for all randomness (default 0)")
    r.add_argument("--timeout", type=float, default=20.0,
                   help="seconds the program may run (default 20; a render the machine held back runs on for "
                        "the time it lost, up to 3x this, and is infra if that is not enough)")
    r.add_argument("--frames", type=int, default=1,
                   help="p5 frames to draw before capturing (default 1)")
    r.add_argument("-o", "--output", help="PNG path (default: FILE with .png); the command says when it "
                   "replaces an existing file")
    r.add_argument("--json", action="store_true",
                   help="print the RenderResult as JSON (no image bytes; adds `output` and `replaced`); "
                   "where the PNG went is said on stderr")
    r.add_argument("--extract", action="store_true",
                   help="FILE is a model completion: extract the code from fenced blocks first")
    r.add_argument("--renderer", default="auto", choices=("auto", "browser", "fast"),
                   help="auto: the language's own renderer; fast: SVG through resvg (no browser)")

    r.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Render the file; the exit code."""
    from codepaint_env.render import LANGUAGES, Renderer, parse_size
    from codepaint_env.render.detect import language_from_path

    if args.language != "auto" and args.language not in LANGUAGES:
        parser.error(f"--language {args.language!r}: choose auto or one of {', '.join(LANGUAGES)}")
    try:
        parse_size(args.size)
    except ValueError as e:
        parser.error(f"--size: {e}")
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    if args.frames < 1:
        parser.error("--frames must be at least 1")
    if args.file == "-":
        code, name = sys.stdin.read(), "stdin"
    else:
        if not os.path.isfile(args.file):
            parser.error(f"no such file: {args.file}")
        with open(args.file, encoding="utf-8", errors="replace") as fh:
            code, name = fh.read(), args.file
    lang = args.language
    if lang == "auto" and not args.extract:
        lang = language_from_path(name, code)
    out = args.output or (("render" if name == "stdin" else os.path.splitext(name)[0]) + ".png")
    with Renderer(timeout_s=args.timeout, frames=args.frames, cache_size=0) as r:
        try:
            res = r.render(code, lang, size=args.size, seed=args.seed, extract=args.extract,
                           renderer=args.renderer)
        except ValueError as e:
            parser.error(str(e))
    existed = os.path.exists(out)
    if res.png is not None:
        res.save(out)
    note = _output_note(out, written=res.png is not None, existed=existed)
    if args.json:
        print(json.dumps({**res.to_dict(), "output": out if res.png else None,
                          "replaced": res.png is not None and existed}, indent=2))
        print(f"codepaint render: {note}", file=sys.stderr)
    else:
        status = "ok" if res.ok else f"FAILED ({res.error_kind})"
        print(f"{name}: {res.language} {status} in {res.timings_ms.get('total', 0):.0f} ms"
              + (f" -> {note}" if res.png else ""))
        for m in res.messages[:10]:
            print(f"  {m}")
        if res.unknown_api:
            print(f"  unknown API: {', '.join(res.unknown_api)}")
        if res.png is None and existed:
            print(f"  {note}")
    if res.error_kind == "infra":
        return EXIT_NOT_JUDGED
    return EXIT_OK if res.ok else EXIT_RENDER_FAILED


def _output_note(out: str, *, written: bool, existed: bool) -> str:
    """What became of the PNG path: written (replacing a file, if one was there) or left alone."""
    if written:
        return f"wrote {out}" + (" (replaced the existing file)" if existed else "")
    if existed:
        return f"nothing written; the existing {out} is from an earlier render"
    return "nothing written (no picture)"


