"""Rows of a picture's own shapes that OCR reads as a word are not text: two references it misread.

Found by the issue 54 reference-validity run (benchmarks/validity/reference_validity.py, p5, 4,258 tasks):
two generated p5 references failed their gate's no-text check, read by PP-OCR at 0.83 and 0.95.
Real parts: the tasks' own p5 references, rendered in Chromium, read by the gate's OCR.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import rewards
from codepaint_env.render import default_renderer
from codepaint_env.tasks import load_suite
from rewards.base import Sample
from rewards.gate.glyphs import letters, object_like


@cache
def gate():
    return rewards.make_reward("execution_gate")


def _reference(level: int, task_id: str):
    tasks = load_suite("shapes", level=level, count=800, seed=21, split="train", language="p5")
    task = next(t for t in tasks if t.id == task_id)
    render = default_renderer().render(task.reference_programs["p5"], "p5", size=512)
    assert render.ok, render.messages
    return task, render


@pytest.mark.browser  # the references are rendered in Chromium (default_renderer)
@pytest.mark.parametrize(("level", "task_id", "read"), [
    # blue rings on black are 29 grey levels from the page, the pink ring 207: grey's Otsu threshold
    # kept only the pink ring as ink, one letter, so the line was judged by the recogniser alone
    (4, "shapes-l4-144c14a2f0-p5", "ooo"),
    # a row of five-pointed stars reads as the letter for "big"
    (3, "shapes-l3-4d2ddf6bcd-p5", "大大大"),
])
def test_a_row_of_the_scene_s_shapes_is_not_text(level, task_id, read):
    task, render = _reference(level, task_id)
    [result] = gate().score([Sample(code=task.reference_programs["p5"], language="p5", render=render,
                                    prompt=task.prompt, meta={"allow_text": False})])
    assert result.value == 1.0, result.breakdown
    # and the measure, on the line OCR reads there: its letters are the row's shapes, apart and solid
    assert render.image is not None
    pixels = np.asarray(render.image.convert("RGB"))
    row = pixels[120:512] if level == 3 else pixels[168:337]
    assert len(letters(row)) == 3
    assert object_like(row, read) is not None


def test_the_same_letters_written_close_are_text():
    # "ooo" written in a font: letters close together and thin-stroked, whatever their colours
    from PIL import Image, ImageDraw, ImageFont
    im = Image.new("RGB", (400, 120), (0, 0, 0))
    ImageDraw.Draw(im).text((20, 10), "ooo", fill=(0, 0, 255), font=ImageFont.load_default(size=90))
    assert object_like(np.asarray(im), "ooo") is None
