"""The ``codepaint`` command.

    codepaint render FILE [--lang auto|p5brush|p5|svg|html|python|tikz] [--size 512|WxH] [--seed N]
                          [--timeout S] [-o OUT.png] [--json] [--extract] [--renderer fast]
    codepaint doctor
    codepaint demo [--out runs/demo] [--size 384]       (episodes + renders galleries)
    codepaint pool stats|verify|contact-sheet|add|import|render   (see cli_pool.py)
    codepaint score FILE... --reward ID [--prompt TEXT] [--set KEY=VALUE] [--json]   (cli_score.py)
    codepaint judge-server [--port 8900] [--latency-ms N] [--bias first] [--fail-rate P]
    codepaint serve [--reward SPEC] [--host 127.0.0.1] [--port 8000] [--token T]   (cli_serve.py)

Exit codes: 0 success, 2 usage error, 3 the program failed to render (``render``), 1 a broken
installation (``doctor``, or any command that cannot start its renderer), 4 when the answer
says nothing about the program: ``render`` could not be done for a reason outside it
(``error_kind="infra"``: try again), or ``score`` could not judge some value. Output into a
closed pipe (``codepaint render ... | head``) ends quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from . import __version__
from .errors import CodePaintError, RendererUnavailable

EXIT_OK, EXIT_BROKEN, EXIT_USAGE, EXIT_RENDER_FAILED, EXIT_NOT_JUDGED = 0, 1, 2, 3, 4


def _languages_help() -> str:
    """The --lang help, from the language table (built-ins and installed plugins)."""
    from .render.languages import LANGUAGES

    names = ", ".join(LANGUAGES)
    endings = ", ".join(spec.suffixes[0] for spec in LANGUAGES.values() if spec.suffixes)
    return f"{names}; default auto: from the file name ending ({endings}), else the code"


def _parser() -> argparse.ArgumentParser:
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

    r = sub.add_parser(
        "render",
        help="render one program to a PNG",
        description="Render FILE to a PNG. Exit 0 when it rendered, 3 when the program failed "
        "(with --json the result is printed either way), 4 when the render could not be done for "
        "a reason outside the program (error kind infra: the browser died, the machine was "
        "overloaded; try again), 2 on usage errors.",
    )
    r.add_argument("file", help="program file, or - for standard input")
    r.add_argument("--lang", default="auto", help=_languages_help())
    r.add_argument("--size", default="512", help="output size: W or WxH (default 512)")
    r.add_argument("--seed", type=int, default=0, help="seed for all randomness (default 0)")
    r.add_argument("--timeout", type=float, default=20.0, help="seconds (default 20)")
    r.add_argument("--frames", type=int, default=1,
                   help="p5 frames to draw before capturing (default 1)")
    r.add_argument("-o", "--output", help="PNG path (default: FILE with .png)")
    r.add_argument("--json", action="store_true",
                   help="print the RenderResult as JSON (no image bytes; adds `output`)")
    r.add_argument("--extract", action="store_true",
                   help="FILE is a model completion: extract the code from fenced blocks first")
    r.add_argument("--renderer", default="auto", choices=("auto", "browser", "fast"),
                   help="auto: the language's own renderer; fast: SVG through resvg (no browser)")

    doc = sub.add_parser(
        "doctor",
        help="check the browser, JS assets and sandbox; say how to fix what is missing",
        description="Report what codepaint found (browser, JS assets, network sandbox, memory "
        "cap, subprocess sandbox, TeX), render a tiny p5brush, SVG, Python and (when TeX is "
        "installed) TikZ program, print the WebGL renderer in use (SwiftShader, or the GPU's "
        "name) and the in-page time of a reference p5.brush watercolour at 512 px, and print how "
        "to fix each missing piece. Exit 1 when rendering cannot work.",
    )
    doc.add_argument("--gpu", default="off", choices=("off", "auto", "on"),
                     help="WebGL path to check: off (SwiftShader, the default renderer's), auto (the GPU "
                     "when a hardware path works, else SwiftShader), on (the GPU or fail)")

    d = sub.add_parser("demo", help="the main job: scripted refinement episodes + example renders",
                       description="Offline, no model: play CodePaint/P5Brush-v0 refinement episodes "
                       "with a labelled demonstration policy (first draft, comments-only edit, made-up "
                       "brush call, broken edit, a good edit written for the prompt), scored by gate + "
                       "classic, which does not read the prompt (gate + "
                       "pairwise_vlm when OPENAI_BASE_URL and CODEPAINT_JUDGE_MODEL are set), recorded "
                       "into OUT/episodes/ with a gallery; render the bundled examples into "
                       "OUT/renders/; print a table and where to look.")
    d.add_argument("--out", default="runs/demo", help="output folder (default runs/demo)")
    d.add_argument("--size", type=int, default=384, help="output size (default 384)")

    from .cli_pool import add_pool_parser
    from .cli_score import add_score_parsers
    from .cli_serve import add_serve_parser

    add_pool_parser(sub)
    add_score_parsers(sub)
    add_serve_parser(sub)
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
    if argv[:1] == ["judge-server"]:  # its own parser: every option passes through
        from rewards.judge.server import serve

        return serve(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        if args.command == "render":
            return _render(args, parser)
        if args.command == "doctor":
            return _doctor(args.gpu)
        if args.command == "demo":
            from .demo import run_demo

            run_demo(args.out, args.size)
            return EXIT_OK
        if args.command == "pool":
            from .cli_pool import run_pool

            return run_pool(args)
        if args.command == "score":
            from .cli_score import run_score

            return run_score(args, parser)
        if args.command == "serve":
            from .cli_serve import run_serve

            return run_serve(args, parser)
    except RendererUnavailable as e:
        print(f"codepaint: {e}", file=sys.stderr)
        return EXIT_BROKEN
    except CodePaintError as e:
        print(f"codepaint: {e}", file=sys.stderr)
        return EXIT_USAGE
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


def _render(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .render import LANGUAGES, Renderer, parse_size
    from .render.detect import language_from_path

    if args.lang != "auto" and args.lang not in LANGUAGES:
        parser.error(f"--lang {args.lang!r}: choose auto or one of {', '.join(LANGUAGES)}")
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
    lang = args.lang
    if lang == "auto" and not args.extract:
        lang = language_from_path(name, code)
    out = args.output or (("render" if name == "stdin" else os.path.splitext(name)[0]) + ".png")
    with Renderer(timeout_s=args.timeout, frames=args.frames, cache_size=0) as r:
        try:
            res = r.render(code, lang, size=args.size, seed=args.seed, extract=args.extract,
                           renderer=args.renderer)
        except ValueError as e:
            parser.error(str(e))
    if res.png is not None:
        res.save(out)
    if args.json:
        print(json.dumps({**res.to_dict(), "output": out if res.png else None}, indent=2))
    else:
        status = "ok" if res.ok else f"FAILED ({res.error_kind})"
        print(f"{name}: {res.language} {status} in {res.timings_ms.get('total', 0):.0f} ms"
              + (f" -> {out}" if res.png else ""))
        for m in res.messages[:10]:
            print(f"  {m}")
        if res.unknown_api:
            print(f"  unknown API: {', '.join(res.unknown_api)}")
    if res.error_kind == "infra":
        return EXIT_NOT_JUDGED
    return EXIT_OK if res.ok else EXIT_RENDER_FAILED


def _doctor(gpu: str = "off") -> int:
    from .render import assets, chromium

    ok = True

    def line(status: str, what: str, detail: str) -> None:
        print(f"[{status:^4}] {what:<16} {detail}")

    print(f"codepaint {__version__} on Python {sys.version.split()[0]}")
    try:
        b = chromium.find_browser()
        line("ok", "browser", f"{b.path} ({b.source}; {b.version})")
    except RendererUnavailable as e:
        ok = False
        line("FAIL", "browser", str(e).replace("\n", "\n" + " " * 24))
    try:
        a = assets.load_assets()
        line("ok", "JS assets", f"{a.node_modules} ({a.source}; {a.version_string()})")
    except RendererUnavailable as e:
        ok = False
        line("FAIL", "JS assets", str(e).replace("\n", "\n" + " " * 24))
    ns = chromium.netns_command()
    if ns:
        line("ok", "network sandbox", f"active: Chromium starts under `{' '.join(ns)}` "
             "(own network namespace: no sockets reach any host)")
    else:
        line("warn", "network sandbox",
             "INACTIVE: `unshare -n` is not permitted here, so only in-browser request blocking "
             "stands between programs and the network. Fix: run as root, or allow unprivileged "
             "user namespaces (sysctl kernel.unprivileged_userns_clone=1).")
    if chromium.cgroup_v1_available():
        line("ok", "memory cap", "active: each browser runs in its own cgroup (memory + pids), "
             "each page in its own memory group")
    else:
        line("warn", "memory cap",
             "INACTIVE: no writable cgroup v1 memory/pids hierarchy; a page that allocates "
             "without end is stopped only by its timeout. Fix: run as root on a host with "
             "cgroup v1 controllers mounted under /sys/fs/cgroup.")
    from .render.programs import tex_available
    from .render.sandbox import sandbox_mode

    mode = sandbox_mode()
    line("ok" if mode.netns and mode.unprivileged_user else "warn", "subprocess box", mode.describe()
         + ("" if mode.netns and mode.unprivileged_user else ". Fix: run as root with util-linux's unshare "
            "and setpriv (fork limits do not bind root, and without a network namespace a python "
            "program can open sockets)."))
    tex = tex_available()
    line("ok" if tex is None else "warn", "TikZ (pdflatex)", "pdflatex + pdftoppm found" if tex is None else
         f"tikz renders are `unsupported`: {tex}")
    if not ok:
        print("\nrendering cannot work until the FAIL lines are fixed (`make test` does it all).")
        return EXIT_BROKEN
    from .render import Renderer

    try:
        r = Renderer(cache_size=0, gpu=gpu)
        info = r.gpu_info()
    except RendererUnavailable as e:
        line("FAIL", "WebGL", str(e))
        print("\nrendering is broken: see the FAIL lines")
        return EXIT_BROKEN
    soft = info["backend"] == "software"
    path = "software" if soft else f"GPU, ANGLE {info['backend']}"
    line("ok" if info["webgl_renderer"] else "FAIL", "WebGL", f"{info['webgl_renderer']} ({path}; gpu={gpu})"
         + (". A GPU box renders p5.brush faster with `--gpu auto` (see the README's GPU notes)"
            if soft and gpu == "off" else ""))
    with r:
        for lang, code in (
            ("p5brush", "function setup(){createCanvas(64,64,WEBGL);background(250);"
                        "brush.set('HB','#222',1);brush.line(-20,-20,20,20)}"),
            ("svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">'
                    '<circle cx="2" cy="2" r="1" fill="teal"/></svg>'),
            ("python", "import matplotlib.pyplot as plt\nplt.plot([0, 1], [0, 1], color='teal')\n"),
            *((("tikz", "\\draw[teal, thick] (0,0) circle (1);"),) if tex is None else ()),
        ):
            t = time.perf_counter()
            res = r.render(code, lang, size=64, timeout_s=60)
            ms = (time.perf_counter() - t) * 1000
            if res.ok:
                line("ok", f"render {lang}", f"{ms:.0f} ms")
            else:
                ok = False
                line("FAIL", f"render {lang}", f"{res.error_kind}: {'; '.join(res.messages[:3])}")
        reference = (Path(__file__).parent / "render" / "js" / "reference-watercolour.p5brush.js").read_text()
        res = r.render(reference, "p5brush", size=512, timeout_s=120)
        if res.ok:
            line("ok", "p5brush in-page", f"{res.timings_ms.get('page', 0):.0f} ms in the page, "
                 f"{res.timings_ms.get('total', 0):.0f} ms in all (a loved watercolour of the pool, 512 px)")
        else:
            ok = False
            line("FAIL", "p5brush in-page", f"{res.error_kind}: {'; '.join(res.messages[:3])}")
    print("\nall good" if ok else "\nrendering is broken: see the FAIL lines")
    return EXIT_OK if ok else EXIT_BROKEN


if __name__ == "__main__":
    sys.exit(main())
