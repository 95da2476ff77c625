"""Pictures for the ``visual_checks`` tests: shapes drawn with Pillow; the suite's Python programs, run."""

from __future__ import annotations

import io
import math
import os
import runpy
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from rewards.base import Sample
from rewards.checks.colours import PALETTE

SIDE = 200


def colour(name: str) -> str:
    """A palette name's hex (hex passes through)."""
    return PALETTE.get(name, name)


def picture(background: str = "black", *shapes: tuple, size: tuple[int, int] = (SIDE, SIDE)) -> Image.Image:
    """A picture of shapes on a background.

    Each shape is ``(kind, colour, x, y, r)`` in fractions of the canvas (``r`` of its width):
    ``circle``, ``square``, ``triangle`` (apex up), ``ring``, ``stripe`` (full width, half height
    ``r``), ``star``, or ``rect`` as ``("rect", colour, x0, y0, x1, y1)``.
    """
    w, h = size
    im = Image.new("RGB", size, colour(background))
    d = ImageDraw.Draw(im)
    for kind, name, *args in shapes:
        fill = colour(name)
        if kind == "rect":
            x0, y0, x1, y1 = args
            d.rectangle((x0 * w, y0 * h, x1 * w, y1 * h), fill=fill)
            continue
        x, y, r = args[0] * w, args[1] * h, args[2] * w
        if kind == "circle":
            d.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        elif kind == "square":
            d.rectangle((x - r, y - r, x + r, y + r), fill=fill)
        elif kind == "ring":
            d.ellipse((x - r, y - r, x + r, y + r), outline=fill, width=max(2, round(0.4 * r)))
        elif kind == "triangle":
            d.polygon([(x, y - r), (x + 0.866 * r, y + r / 2), (x - 0.866 * r, y + r / 2)], fill=fill)
        elif kind == "stripe":
            d.rectangle((0, y - args[2] * h, w, y + args[2] * h), fill=fill)
        elif kind == "star":
            points = [(x + (r if k % 2 == 0 else 0.45 * r) * math.sin(k * math.pi / 5),
                       y - (r if k % 2 == 0 else 0.45 * r) * math.cos(k * math.pi / 5)) for k in range(10)]
            d.polygon(points, fill=fill)
        else:
            raise ValueError(kind)
    return im


def checked(image: Image.Image, checks: list | str, *, language: str = "svg", code: str = "") -> Sample:
    """A rendered sample of ``image`` whose task has ``checks``."""
    return Sample.from_image(image, language=language, code=code, checks=checks)


def run_python_reference(program: str, size: int) -> Image.Image:
    """Run a suite's Python (Pillow) reference program here, at ``size``; its picture.

    Only for the generator's own programs (they draw with Pillow and save one PNG).
    """
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "picture.png"
        saved = {k: os.environ.get(k) for k in ("CODEPAINT_WIDTH", "CODEPAINT_HEIGHT", "CODEPAINT_OUTPUT")}
        os.environ.update(CODEPAINT_WIDTH=str(size), CODEPAINT_HEIGHT=str(size), CODEPAINT_OUTPUT=str(out))
        try:
            script = Path(folder) / "draw.py"
            script.write_text(program, encoding="utf-8")
            runpy.run_path(str(script), run_name="__main__")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        return Image.open(io.BytesIO(out.read_bytes())).convert("RGB")
