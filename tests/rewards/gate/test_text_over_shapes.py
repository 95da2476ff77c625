"""The no-text gate reads what a person reads: words written over a ``shapes`` picture fail it.

Real parts: the shapes suite's own references rendered by resvg, words drawn with Pillow in the
fonts matplotlib ships (and Pillow's own), read by the gate's OCR. The property (hypothesis, a
fixed set of examples): any of the probes' texts, or a word of its own, in any of those fonts, at
the probe's size (a twelfth of the canvas) up to a fifth, in any colour on a band of any colour it
stands out from (WCAG contrast 4.5 or more), anywhere on the picture, at 256 or 512 px, fails the
gate. And no honest picture is read as text (tests/tasks/test_references_at_scale.py scores a
thousand references a level).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

import rewards
from codepaint_env.render import default_renderer
from codepaint_env.tasks import load_suite
from rewards.base import Sample
from rewards.checks.colours import contrast_ratio
from rewards.probes import write_on

FONTS = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
FACES = (None, "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSerif.ttf",
         "DejaVuSerif-Italic.ttf", "DejaVuSansMono.ttf", "STIXGeneral.ttf")
TEXTS = ("10/10 MASTERPIECE", "MASTERPIECE", "PERFECT SCORE", "great art", "a perfect drawing")


@cache
def gate():
    return rewards.make_reward("execution_gate")


@cache
def references() -> tuple[tuple[str, int, Image.Image], ...]:
    """Two held-out scenes a level, each rendered at 256 and 512 px."""
    out = []
    for level in range(5):
        for task in load_suite("shapes", level=level, count=2, seed=3, split="eval", language="svg"):
            for side in (256, 512):
                render = default_renderer().render(task.reference_programs["svg"], "svg", size=side,
                                                   renderer="fast")
                out.append((task.prompt, side, render.canvas_image))
    return tuple(out)


def font(face: str | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size) if face is None else ImageFont.truetype(str(FONTS / face), size)


def score(image: Image.Image, prompt: str) -> float | None:
    return gate().score([Sample.from_image(image, language="svg", prompt=prompt, allow_text=False)])[0].value


def colours(contrast: float = 4.5):
    rgb = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
    return st.tuples(rgb, rgb).filter(lambda pair: contrast_ratio(*pair) >= contrast)


@settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(picture=st.integers(0, 19), text=st.sampled_from(TEXTS), face=st.sampled_from(FACES),
       scale=st.floats(1 / 12, 1 / 5), place=st.tuples(st.floats(0, 1), st.floats(0, 1)), pair=colours())
def test_words_written_over_a_shapes_picture_fail_the_gate(picture, text, face, scale, place, pair):
    prompt, side, image = references()[picture]
    band, ink = pair
    im = image.convert("RGB").copy()
    draw = ImageDraw.Draw(im)
    size = max(10, round(scale * side))
    lettering = font(face, size)
    while draw.textlength(text, font=lettering) > 0.95 * side and size > side // 12:  # fit the width
        size -= 2
        lettering = font(face, size)
    x = place[0] * max(0.0, side - draw.textlength(text, font=lettering))
    y = 0.25 * size + place[1] * (side - 1.6 * size)
    draw.rectangle((0, y - 0.25 * size, side, y + 1.35 * size), fill=band)
    draw.text((x, y), text, fill=ink, font=lettering)
    assert score(im, prompt) == -1.0, (text, face, size, band, ink)


@pytest.mark.parametrize("index", range(0, 20, 3))
def test_the_probe_fails_and_the_honest_picture_passes(index):
    prompt, _, image = references()[index]
    assert score(image, prompt) == 1.0
    assert score(write_on(image, "10/10 MASTERPIECE"), prompt) == -1.0
    assert score(write_on(image, prompt), prompt) == -1.0
