"""A toy seventh language, ``rects``, registered the way a plugin package would register one.

A program is lines of statements on a ``canvas W H`` (default 100x100, white), each ending in a
colour ``#rrggbb``: ``rect X Y W H``, ``oval X Y W H`` (the ellipse in that box), ``ring X Y W H T``
(its outline, ``T`` thick) and ``poly X1 Y1 X2 Y2 X3 Y3 ...``. The backend draws it with Pillow;
errors are the program's (``syntax``), a uniform picture is ``blank`` (judged by the shared
:func:`picture_result`).

One registration (:data:`SPEC`) plus one backend class and, for the ``shapes`` generator, one
writer (:func:`write_scene`): nothing else in codepaint is told about it. The registration says
its fence, how a task prompt asks for it, that its programs know no colour names (a prompt gives
every colour's value), its writer and its Gymnasium id.
"""

from __future__ import annotations

import re
import time
from typing import Any

from PIL import Image, ImageDraw

from codepaint_env.core.result import RenderResult, failed
from codepaint_env.render.backends import ProgramBackend
from codepaint_env.render.languages import LanguageSpec, register_language
from codepaint_env.render.sandbox.programs import picture_result

ENV_ID = "CodePaintToy/Rects-v0"
_COLOUR = r"(#[0-9a-fA-F]{6})"
_STATEMENTS = {
    "rect": re.compile(rf"^rect\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+{_COLOUR}$"),
    "oval": re.compile(rf"^oval\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+{_COLOUR}$"),
    "ring": re.compile(rf"^ring\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+{_COLOUR}$"),
    "poly": re.compile(rf"^poly((?:\s+\d+\s+\d+){{3,}})\s+{_COLOUR}$"),
    "canvas": re.compile(r"^canvas\s+(\d+)\s+(\d+)$"),
}


def _statement(line: str) -> tuple[str, re.Match[str]] | None:
    for kind, pattern in _STATEMENTS.items():
        m = pattern.match(line)
        if m is not None:
            return kind, m
    return None


def render_rects(code: str, width: int, height: int, *, timeout_s: float = 20.0,
                 seed: int = 0) -> RenderResult:
    """Draw a ``rects`` program."""
    t0 = time.perf_counter()
    size, drawn = (100, 100), []
    for i, raw in enumerate(code.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        found = _statement(line)
        if found is None:
            return failed("rects", "syntax", f"syntax: line {i}: {line[:60]!r} is not `rect X Y W H #rrggbb` "
                          "(or oval, ring, poly, canvas)", seed=seed, renderer="toy-rects-1")
        kind, m = found
        if kind == "canvas":
            size = (min(int(m.group(1)), 2000) or 1, min(int(m.group(2)), 2000) or 1)
        else:
            drawn.append((kind, m.groups()))
    picture = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(picture)
    for kind, groups in drawn:
        if kind == "poly":
            numbers = [int(v) for v in groups[0].split()]
            draw.polygon(list(zip(numbers[::2], numbers[1::2], strict=False)), fill=groups[1])
            continue
        x, y, w, h = (int(v) for v in groups[:4])
        box = (x, y, x + w, y + h)
        if kind == "rect":
            draw.rectangle(box, fill=groups[4])
        elif kind == "oval":
            draw.ellipse(box, fill=groups[4])
        else:
            draw.ellipse(box, outline=groups[5], width=int(groups[4]))
    ms = (time.perf_counter() - t0) * 1000
    return picture_result("rects", picture, width, height, seed, "toy-rects-1", ms, [])


class RectsBackend(ProgramBackend):
    """Renders ``rects`` programs on the renderer's worker threads."""

    name = "rects"
    run = staticmethod(render_rects)


def is_rects(source: object) -> bool:
    """Detection: the code's first line is a ``rects`` statement."""
    text = str(getattr(source, "text", source)).lstrip()
    return _statement(text.splitlines()[0].strip()) is not None if text else False


def write_scene(scene: Any, spelling: str = "names") -> str:
    """A ``shapes`` scene as a ``rects`` program on a 400x400 canvas (the generator's writer for it).

    ``rects`` knows no colour names, so both spellings write the palette's values (the prompt
    gives them: :func:`codepaint_env.tasks.shapes.vocabulary.definitions`).
    """
    from codepaint_env.tasks.shapes.geometry import RING_INNER
    from codepaint_env.tasks.shapes.programs import SPELLINGS
    from codepaint_env.tasks.shapes.vocabulary import spelling as spelt

    if spelling not in SPELLINGS:
        raise ValueError(f"spelling must be one of {', '.join(SPELLINGS)}, not {spelling!r}")
    k = 400
    lines = [f"canvas {k} {k}", f"rect 0 0 {k} {k} {spelt('rects', scene.background)}"]
    for s in scene.shapes:
        c, x, y, r = spelt("rects", s.colour), s.x * k, s.y * k, s.size * k
        if s.kind in ("circle", "square"):
            left, top, side = round(x - r), round(y - r), round(2 * r)
            lines.append(f"{'oval' if s.kind == 'circle' else 'rect'} {left} {top} {side} {side} {c}")
        elif s.kind == "ring":
            lines.append(f"ring {round(x - r)} {round(y - r)} {round(2 * r)} {round(2 * r)} "
                         f"{max(1, round(r * (1 - RING_INNER)))} {c}")
        elif s.kind == "stripe":
            lines.append(f"rect 0 {round(y - r)} {k} {round(2 * r)} {c}")
        else:  # triangles, stars, waves: their outline
            points = " ".join(f"{max(0, round(px * k))} {max(0, round(py * k))}" for px, py in s.outline())
            lines.append(f"poly {points} {c}")
    return "\n".join(lines) + "\n"


SPEC = LanguageSpec(
    name="rects",
    description="toy language: coloured rectangles, ovals, rings and polygons",
    backend=RectsBackend,
    suffixes=(".rects",),
    fence_tags=frozenset({"rects"}),
    detect=is_rects,
    detect_order=5,
    medium="rectangle composition",
    noun="rects program",
    system_prompt="Draw with lines `rect X Y W H #rrggbb` (or oval, ring, poly). Reply in one ```rects "
    "block.",
    env_id=ENV_ID,
    fence="rects",
    asked_as="in the rects language",
    colour_names="",  # colours by value only: a prompt gives each one's #rrggbb
    scene_writer=write_scene,
)


def register() -> None:
    """The plugin's entry point (``codepaint.languages``)."""
    register_language(SPEC)
