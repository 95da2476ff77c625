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

import io
import re
import shutil
import sys

from PIL import Image

from .result import RenderResult, failed, is_blank, pixel_sha256
from .sandbox import Limits, run_sandboxed

_RUNNER = r'''
import os, sys, runpy, traceback
out = os.environ["CODEPAINT_OUTPUT"]
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
except BaseException:
    tb = traceback.format_exc().strip().splitlines()
    sys.stderr.write("\n".join(tb[-6:]) + "\n")
    sys.exit(4)
if not os.path.exists(out) and "matplotlib.pyplot" in sys.modules:
    plt = sys.modules["matplotlib.pyplot"]
    if plt.get_fignums():
        fig = plt.gcf()
        fig.savefig(out, dpi=100, facecolor=fig.get_facecolor())
'''

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
        background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Fit a picture into ``width x height`` (aspect kept, centred, ``background`` bands)."""
    if flat.size == (width, height):
        return flat
    scale = min(width / flat.width, height / flat.height)
    size = (max(1, round(flat.width * scale)), max(1, round(flat.height * scale)))
    flat = flat.resize(size, Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (width, height), background)
    canvas.paste(flat, ((width - size[0]) // 2, (height - size[1]) // 2))
    return canvas


def _result(language: str, picture: Image.Image, width: int, height: int, seed: int, renderer: str,
            wall_ms: float, messages: list[str]) -> RenderResult:
    """The result for a program's picture, fitted into the output size.

    Blank is judged on the picture itself, before it is fitted: the bands that letterbox a
    non-square picture never count as content.
    """
    image = fit(picture, width, height)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    blank = is_blank(picture)
    return RenderResult(ok=not blank, language=language, error_kind="blank" if blank else None,
                        messages=messages if not blank else [*messages, "the picture is one uniform colour"],
                        png=buf.getvalue(), size=image.size, sha256=pixel_sha256(image),
                        timings_ms={"total": wall_ms}, seed=seed, renderer=renderer)


def render_python(code: str, width: int, height: int, *, timeout_s: float = 30.0,
                  seed: int = 0) -> RenderResult:
    """Run a ``draw.py`` program in the sandbox and return its picture (see the module docstring)."""
    out = "codepaint_output.png"
    prelude = (f"import random as _r; _r.seed({seed})\n"
               f"try:\n    import numpy as _np; _np.random.seed({seed})\nexcept ImportError:\n    pass\n")
    res = run_sandboxed(
        [sys.executable, "-I", "runner.py"],
        files={"draw.py": code, "runner.py": prelude + _RUNNER},
        collect=(out,), collect_glob="*.[pj][np]*g", timeout_s=timeout_s, limits=PYTHON_LIMITS,
        env={"CODEPAINT_OUTPUT": out, "CODEPAINT_WIDTH": str(width), "CODEPAINT_HEIGHT": str(height),
             "MPLBACKEND": "Agg", "MPLCONFIGDIR": ".mpl", "PYTHONHASHSEED": str(seed)},
    )
    renderer = f"python-{sys.version_info.major}.{sys.version_info.minor}"
    messages = _lines(res.stderr) + (["(output truncated)"] if res.truncated else [])
    timing = {"total": res.wall_ms}
    if res.timed_out:
        return failed("python", "timeout", f"the program did not finish in {timeout_s:g} s", seed=seed,
                      timings_ms=timing, renderer=renderer)
    if res.returncode == 3:
        return failed("python", "syntax", messages[-1] if messages else "syntax error", seed=seed,
                      timings_ms=timing, renderer=renderer)
    if res.returncode == 4:
        return RenderResult(ok=False, language="python", error_kind="runtime", messages=messages or ["error"],
                            seed=seed, timings_ms=timing, renderer=renderer)
    if res.returncode < 0 or res.returncode not in (0, 1):
        return RenderResult(ok=False, language="python", error_kind="crash",
                            messages=[f"the program was killed (status {res.returncode}: memory or CPU "
                                      "limit?)", *messages], seed=seed, timings_ms=timing, renderer=renderer)
    png = res.files.get(out) or next((v for k, v in reversed(res.files.items()) if k != out), None)
    if png is None:
        return failed("python", "no_image", "the program ran but saved no picture: save to OUTPUT_PATH "
                      "(or $CODEPAINT_OUTPUT), or leave a matplotlib figure open", seed=seed,
                      timings_ms=timing, renderer=renderer)
    try:
        picture = flatten(png)
    except (OSError, ValueError) as e:
        return failed("python", "no_image", f"the saved picture could not be read: {e}", seed=seed,
                      timings_ms=timing, renderer=renderer)
    return _result("python", picture, width, height, seed, renderer, res.wall_ms, messages)


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
    res = run_sandboxed(["/bin/sh", "-c", script], files={"fig.tex": doc}, collect=("fig.png", "latex.out"),
                        timeout_s=timeout_s, limits=TEX_LIMITS,
                        env={"openin_any": "p", "openout_any": "p", "shell_escape": "f",
                             "TEXMFOUTPUT": ".", "max_print_line": "1000"})
    renderer = "pdflatex+pdftoppm"
    timing = {"total": res.wall_ms}
    if res.timed_out:
        return failed("tikz", "timeout", f"pdflatex did not finish in {timeout_s:g} s", seed=seed,
                      timings_ms=timing, renderer=renderer)
    log = res.files.get("latex.out", b"").decode("utf-8", errors="replace")
    if res.returncode != 0 or "fig.png" not in res.files:
        errors = latex_errors(log) or _lines(res.stderr) or [f"pdflatex failed (status {res.returncode})"]
        return RenderResult(ok=False, language="tikz", error_kind="syntax", messages=errors, seed=seed,
                            timings_ms=timing, renderer=renderer)
    return _result("tikz", flatten(res.files["fig.png"]), width, height, seed, renderer, res.wall_ms, [])


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
