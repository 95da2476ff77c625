"""Pictures and samples for reward tests (synthetic images; no browser needed)."""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from codepaint_env.render import RenderResult
from rewards.base import Sample


def painting(seed: int, size: int = 96) -> Image.Image:
    """A colourful picture of random translucent shapes on paper, fixed by ``seed``."""
    rng = random.Random(seed)
    im = Image.new("RGB", (size, size), (246, 241, 232))
    d = ImageDraw.Draw(im, "RGBA")
    for _ in range(rng.randint(3, 25)):
        x, y = rng.randint(0, size), rng.randint(0, size)
        r = rng.randint(3, size // 3)
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255), rng.randint(60, 220))
        (d.ellipse if rng.random() < 0.5 else d.rectangle)((x - r, y - r, x + r, y + r), fill=colour)
    return im


def blank(size: int = 96, colour: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    return Image.new("RGB", (size, size), colour)


def noise(seed: int, size: int = 96) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("RGB", (size, size), bytes(rng.getrandbits(8) for _ in range(size * size * 3)))


def infra_sample(*, prompt: str = "a peach hibiscus in watercolour", language: str = "p5brush",
                 **meta) -> Sample:
    """A sample whose render the infrastructure could not complete (``error_kind="infra"``)."""
    res = RenderResult(ok=False, language=language, error_kind="infra",
                       messages=["infra: the browser died (then the browser died)"])
    return Sample(code="circle(1,1,1)", language=language, render=res, prompt=prompt, meta=meta)


def sample(image: Image.Image | None, *, prompt: str = "a peach hibiscus in watercolour",
           language: str = "p5brush", **meta) -> Sample:
    """A rendered sample from a picture; ``None`` gives a program that failed (runtime error)."""
    if image is None:
        res = RenderResult(ok=False, language=language, error_kind="runtime",
                           messages=["ReferenceError: foo is not defined"])
        return Sample(code="foo()", language=language, render=res, prompt=prompt, meta=meta)
    return Sample.from_image(image, language=language, prompt=prompt, code="// painting", **meta)
