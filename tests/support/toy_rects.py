"""A toy seventh language, ``rects``, registered the way a plugin package would register one.

A program is lines ``rect X Y W H #rrggbb`` on a ``canvas W H`` (default 100x100, white). The
backend draws it with Pillow; errors are the program's (``syntax``), a uniform picture is
``blank`` (judged by the shared :func:`picture_result`). One registration plus one backend class:
nothing else in codepaint is told about it.
"""

from __future__ import annotations

import re
import time

from PIL import Image, ImageDraw

from codepaint_env.core.result import RenderResult, failed
from codepaint_env.render.backends import ProgramBackend
from codepaint_env.render.languages import LanguageSpec, register_language
from codepaint_env.render.sandbox.programs import picture_result

_LINE = re.compile(r"^(?:rect\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(#[0-9a-fA-F]{6})|canvas\s+(\d+)\s+(\d+))$")


def render_rects(code: str, width: int, height: int, *, timeout_s: float = 20.0,
                 seed: int = 0) -> RenderResult:
    """Draw a ``rects`` program."""
    t0 = time.perf_counter()
    size, rects = (100, 100), []
    for i, raw in enumerate(code.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            return failed("rects", "syntax", f"syntax: line {i}: {line[:60]!r} is not `rect X Y W H #rrggbb`",
                          seed=seed, renderer="toy-rects-1")
        if m.group(6):
            size = (min(int(m.group(6)), 2000) or 1, min(int(m.group(7)), 2000) or 1)
        else:
            x, y, w, h = (int(v) for v in m.group(1, 2, 3, 4))
            rects.append(((x, y, x + w, y + h), m.group(5)))
    picture = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(picture)
    for box, colour in rects:
        draw.rectangle(box, fill=colour)
    ms = (time.perf_counter() - t0) * 1000
    return picture_result("rects", picture, width, height, seed, "toy-rects-1", ms, [])


class RectsBackend(ProgramBackend):
    """Renders ``rects`` programs on the renderer's worker threads."""

    name = "rects"
    run = staticmethod(render_rects)


def is_rects(source: object) -> bool:
    """Detection: the code's first line is a ``rect`` or ``canvas`` statement."""
    text = str(getattr(source, "text", source)).lstrip()
    return bool(_LINE.match(text.splitlines()[0].strip())) if text else False


SPEC = LanguageSpec(
    name="rects",
    description="toy language: coloured rectangles",
    backend=RectsBackend,
    suffixes=(".rects",),
    fence_tags=frozenset({"rects"}),
    detect=is_rects,
    detect_order=5,
    medium="rectangle composition",
    noun="rects program",
    system_prompt="Draw with lines `rect X Y W H #rrggbb`. Reply in one ```rects block.",
)


def register() -> None:
    """The plugin's entry point (``codepaint.languages``)."""
    register_language(SPEC)
