r"""Python (matplotlib / Pillow ``draw.py``) and TikZ renderers, in the subprocess sandbox.

**Python.** The program runs as ``draw.py`` under the Python that runs codepaint (it needs
matplotlib, Pillow and numpy, all codepaint dependencies), with ``MPLBACKEND=Agg``. It either

* saves its picture to the path in ``$CODEPAINT_OUTPUT`` (also the module-level constant
  ``OUTPUT_PATH``), e.g. ``plt.savefig(OUTPUT_PATH)`` or ``img.save(os.environ["CODEPAINT_OUTPUT"])``;
* or saves any PNG/JPEG into its working directory (the newest one is taken);
* or leaves a matplotlib figure open: the current figure is saved when the program ends.

``CODEPAINT_WIDTH`` / ``CODEPAINT_HEIGHT`` hold the requested size. The picture is fitted into
the requested size (aspect kept, white padding). Error kinds: ``syntax`` (does not compile),
``runtime`` (an exception: the last lines of the traceback are the messages), ``timeout``,
``crash`` (killed by a signal, e.g. the memory limit), ``no_image`` (ran, drew nothing).

**TikZ.** A bare ``tikzpicture`` (or bare TikZ commands, or a whole document) is wrapped in
``\\documentclass[tikz,border=4pt]{standalone}``, compiled by ``pdflatex -no-shell-escape
-halt-on-error -interaction=nonstopmode`` with ``openin_any=p`` / ``openout_any=p`` (no reading
or writing outside the working directory), converted by ``pdftoppm`` and fitted into the size.
LaTeX's error lines become ``messages``; a failed compile is ``syntax``.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import signal
import sys
from typing import Any

from PIL import Image

from codepaint_env.core.images import is_blank, pixel_sha256
from codepaint_env.core.result import RenderResult, failed
from codepaint_env.render.load import starved
from codepaint_env.render.sandbox.process import (
    Limits,
    SandboxBusy,
    SandboxResult,
    run_sandboxed,
    sandbox_python,
)

_RUNNER = r'''
import os, sys, runpy, traceback
out = os.environ["CODEPAINT_OUTPUT"]
def failed(exc):
    # The exception line first, then the program's own frames (not runpy's, not ours), into a
    # file of its own: the program's stderr may hold anything.
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not (f.filename.startswith("<frozen") or f.filename.endswith(("runpy.py", "runner.py")))]
    lines = traceback.format_exception_only(type(exc), exc)[-1].strip().splitlines()[:6]
    for f in frames[-3:]:
        lines.append('File "%s", line %s, in %s' % (os.path.basename(f.filename), f.lineno, f.name))
        if f.line:
            lines.append("  " + f.line.strip())
    with open(".codepaint-error", "w") as fh:
        fh.write("\n".join(line[:300] for line in lines))
    sys.exit(4)
try:
    src = open("draw.py", encoding="utf-8").read()
    compile(src, "draw.py", "exec")
except SyntaxError as e:
    sys.stderr.write("SyntaxError: %s (line %s)\n" % (e.msg, e.lineno))
    sys.exit(3)
try:
    runpy.run_path("draw.py", init_globals={"OUTPUT_PATH": out}, run_name="__main__")
except SystemExit:
    pass
except BaseException as e:
    failed(e)
try:  # the open figure, saved for the program: a save that fails is the program's error
    if not os.path.exists(out) and "matplotlib.pyplot" in sys.modules:
        plt = sys.modules["matplotlib.pyplot"]
        if plt.get_fignums():
            fig = plt.gcf()
            fig.savefig(out, dpi=100, facecolor=fig.get_facecolor())
except BaseException as e:
    failed(e)
'''

#: Signals that only come from outside a sandboxed program (or from its own hand): the render is
#: retried once, then ``infra``. Others (SIGSEGV, SIGABRT, SIGXCPU, ...) are the program's ``crash``.
_OUTSIDE_SIGNALS = frozenset({signal.SIGKILL, signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT})

PYTHON_LIMITS = Limits(cpu_s=60, memory_mb=2048, file_mb=64, open_files=256, processes=32)
TEX_LIMITS = Limits(cpu_s=60, memory_mb=2048, file_mb=64, open_files=256, processes=32)


def flatten(png: bytes, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Decode a picture and flatten its transparency onto ``background``: the program's picture."""
    with Image.open(io.BytesIO(png)) as im:
        im.load()
        rgba = im.convert("RGBA")
    flat = Image.new("RGB", rgba.size, background)
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def fit(flat: Image.Image, width: int, height: int,
        background: tuple[int, int, int] = (255, 255, 255)) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """Fit a picture into ``width x height`` (aspect kept, centred, ``background`` bands).

    Returns:
        The fitted picture and where the program's picture lies in it, ``(left, top, width, height)``.
    """
    if flat.size == (width, height):
        return flat, (0, 0, width, height)
    scale = min(width / flat.width, height / flat.height)
    size = (max(1, round(flat.width * scale)), max(1, round(flat.height * scale)))
    flat = flat.resize(size, Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (width, height), background)
    at = ((width - size[0]) // 2, (height - size[1]) // 2)
    canvas.paste(flat, at)
    return canvas, (*at, *size)


def picture_result(language: str, picture: Image.Image, width: int, height: int, seed: int, renderer: str,
                   wall_ms: float, messages: list[str]) -> RenderResult:
    """The result for a program's picture, fitted into the output size (any backend that draws one).

    Blank is judged on the picture itself, before it is fitted: the bands that letterbox a
    non-square picture never count as content.
    """
    image, own = fit(picture, width, height)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    blank = is_blank(picture)
    return RenderResult(ok=not blank, language=language, error_kind="blank" if blank else None,
                        messages=messages if not blank else [*messages, "the picture is one uniform colour"],
                        png=buf.getvalue(), size=image.size, sha256=pixel_sha256(image),
                        timings_ms={"total": wall_ms}, seed=seed, renderer=renderer, canvas=own)


def seed_32(seed: int) -> int:
    """A seed numpy and ``PYTHONHASHSEED`` take (0 to 2**32-1) for any int: itself in that range, else a hash.

    A seed of -1 or 2**40 used to reach ``numpy.random.seed`` as it was and end the render as a
    ``crash`` before the program ran; distinct seeds outside the range stay distinct.
    """
    if 0 <= seed < 2**32:
        return seed
    return int.from_bytes(hashlib.sha256(str(seed).encode()).digest()[:4], "big")


def render_python(code: str, width: int, height: int, *, timeout_s: float = 30.0,
                  seed: int = 0) -> RenderResult:
    """Run a ``draw.py`` program in the sandbox and return its picture (see the module docstring)."""
    out = "codepaint_output.png"
    seed32 = seed_32(seed)
    prelude = (f"import random as _r; _r.seed({seed})\n"
               f"try:\n    import numpy as _np; _np.random.seed({seed32})\nexcept ImportError:\n    pass\n")
    renderer = f"python-{sys.version_info.major}.{sys.version_info.minor}"

    def run() -> SandboxResult:
        return run_sandboxed(
            [sandbox_python(), "-I", "runner.py"],
            files={"draw.py": code, "runner.py": prelude + _RUNNER},
            collect=(out, ".codepaint-error"), collect_glob="*.[pj][np]*g", timeout_s=timeout_s,
            limits=PYTHON_LIMITS,
            env={"CODEPAINT_OUTPUT": out, "CODEPAINT_WIDTH": str(width), "CODEPAINT_HEIGHT": str(height),
                 "MPLBACKEND": "Agg", "MPLCONFIGDIR": ".mpl", "PYTHONHASHSEED": str(seed32)},
        )

    res, ended = _run_twice_if_killed(run, timeout_s)
    kw = {"seed": seed, "timings_ms": {"total": res.wall_ms}, "renderer": renderer}
    if ended is not None:
        return failed("python", ended[0], ended[1], **kw)
    messages = _lines(res.stderr) + (["(output truncated)"] if res.truncated else [])
    if res.status == 3:
        return failed("python", "syntax", messages[-1] if messages else "syntax error", **kw)
    if res.status == 4:
        report = res.files.get(".codepaint-error", b"").decode("utf-8", errors="replace").splitlines()
        return RenderResult(ok=False, language="python", error_kind="runtime",
                            messages=(report or ["error"]) + messages[-6:], **kw)
    if res.status != 0:
        return RenderResult(ok=False, language="python", error_kind="crash",
                            messages=[f"crash: the program died (status {res.status}: memory or CPU limit?)",
                                      *messages], **kw)
    png = res.files.get(out) or next((v for k, v in reversed(res.files.items())
                                      if k not in (out, ".codepaint-error")), None)
    if png is None:
        return failed("python", "no_image", "the program ran but saved no picture: save to OUTPUT_PATH "
                      "(or $CODEPAINT_OUTPUT), or leave a matplotlib figure open", **kw)
    try:
        picture = flatten(png)
    except (OSError, ValueError) as e:
        return failed("python", "no_image", f"the saved picture could not be read: {e}", **kw)
    return picture_result("python", picture, width, height, seed, renderer, res.wall_ms, messages)


def _run_twice_if_killed(run: Any, timeout_s: float) -> tuple[SandboxResult, tuple[str, str] | None]:
    """Run a sandboxed render; once more if something outside killed it.

    Returns the run's result and, when it did not end by itself, ``(error_kind, message)``:
    ``timeout`` (it used its time), ``infra`` (the machine starved it, or it was killed from
    outside twice), or ``crash`` for a signal of its own making.
    """
    for attempt in range(2):
        try:
            res = run()
        except SandboxBusy as e:
            return SandboxResult(-1, "", ""), ("infra", f"infra: {e}")
        if res.timed_out:
            if res.cpu is not None and starved(res.cpu, timeout_s, res.stalls):
                stalled = f", {said}" if res.stalls is not None and (said := res.stalls.describe()) else ""
                more = f" and {res.extended_s:.0f} s more while held back" if res.extended_s else ""
                return res, ("infra", f"infra: the machine was overloaded: by the {timeout_s:g} s timeout"
                                      f"{more} the program {res.cpu.describe()}{stalled}")
            ran = f" (it {res.cpu.describe()})" if res.cpu is not None else ""
            return res, ("timeout", f"timeout: the program did not finish in {timeout_s:g} s{ran}")
        sig = res.signal
        if res.status is not None and (sig is None or sig not in _OUTSIDE_SIGNALS):
            return res, None
        why = "the sandbox was killed" if res.status is None else f"the program was killed by signal {sig}"
        if attempt == 1:
            return res, ("infra", f"infra: {why} from outside, twice")
    raise AssertionError("unreachable")


_DOCUMENT = ("\\documentclass[tikz,border=4pt]{standalone}\n\\usepackage{tikz}\n%s"
             "\\begin{document}\n%s\n\\end{document}\n")
_LIBRARIES = re.compile(r"^\s*\\(usetikzlibrary|usepackage|pgfplotsset|tikzset)\b.*$", re.M)


def tikz_document(code: str) -> str:
    """The LaTeX document to compile: the code itself when it is one, else wrapped in ``standalone``."""
    if "\\documentclass" in code:
        return code
    preamble = "".join(m.group(0) + "\n" for m in _LIBRARIES.finditer(code))
    body = _LIBRARIES.sub("", code).strip()
    if "\\begin{tikzpicture}" not in body:
        body = "\\begin{tikzpicture}\n" + body + "\n\\end{tikzpicture}"
    return _DOCUMENT % (preamble, body)


def tex_available() -> str | None:
    """What is missing for TikZ (``None`` when pdflatex and pdftoppm are both installed)."""
    missing = [t for t in ("pdflatex", "pdftoppm") if shutil.which(t) is None]
    if missing:
        return (f"{' and '.join(missing)} not found: install TeX Live and poppler (Debian: apt-get install "
                "texlive-latex-base texlive-pictures texlive-latex-extra poppler-utils; `make test` does it)")
    return None


def render_tikz(code: str, width: int, height: int, *, timeout_s: float = 30.0,
                seed: int = 0) -> RenderResult:
    """Compile TikZ in the sandbox and return the picture (see the module docstring)."""
    missing = tex_available()
    if missing:
        return failed("tikz", "unsupported", missing, seed=seed)
    doc = tikz_document(code)
    # Resolution so the figure's longer side lands near the requested size (pdftoppm -scale-to).
    side = max(width, height)
    script = ("pdflatex -no-shell-escape -halt-on-error -interaction=nonstopmode -file-line-error fig.tex "
              f"> latex.out 2>&1 && pdftoppm -png -singlefile -scale-to {side} fig.pdf fig")
    def run() -> SandboxResult:
        return run_sandboxed(["/bin/sh", "-c", script], files={"fig.tex": doc},
                             collect=("fig.png", "latex.out"), timeout_s=timeout_s, limits=TEX_LIMITS,
                             env={"openin_any": "p", "openout_any": "p", "shell_escape": "f",
                                  "TEXMFOUTPUT": ".", "max_print_line": "1000"})

    res, ended = _run_twice_if_killed(run, timeout_s)
    renderer = "pdflatex+pdftoppm"
    kw = {"seed": seed, "timings_ms": {"total": res.wall_ms}, "renderer": renderer}
    if ended is not None:
        return failed("tikz", ended[0], ended[1].replace("the program", "pdflatex"), **kw)
    log = res.files.get("latex.out", b"").decode("utf-8", errors="replace")
    if res.status != 0 or "fig.png" not in res.files:
        errors = latex_errors(log) or _lines(res.stderr) or [f"pdflatex failed (status {res.status})"]
        missing = _MISSING_FILE.search(log)
        if missing:  # say what to install, before LaTeX's own words
            kind = {"sty": "package", "cls": "document class"}.get(missing.group(2), "file")
            name = missing.group(1) if kind != "file" else f"{missing.group(1)}.{missing.group(2)}"
            errors.insert(0, f"LaTeX {kind} {name} is not installed")
        return RenderResult(ok=False, language="tikz", error_kind="syntax", messages=errors, **kw)
    return picture_result("tikz", flatten(res.files["fig.png"]), width, height, seed, renderer,
                          res.wall_ms, [])


_MISSING_FILE = re.compile(r"! LaTeX Error: File `([^']+?)\.(\w+)' not found")


def latex_errors(log: str, limit: int = 8) -> list[str]:
    """LaTeX's error lines (``! ...`` and ``file:line: ...``) with the line after each."""
    lines = log.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^\S+\.tex:\d+: ", line):
            detail = next((x.strip() for x in lines[i + 1:i + 3] if x.strip().startswith("l.")), "")
            out.append((line + (" " + detail if detail else "")).strip()[:300])
        if len(out) >= limit:
            break
    return out


def _lines(text: str, limit: int = 12) -> list[str]:
    return [ln for ln in text.strip().splitlines() if ln.strip()][-limit:]
