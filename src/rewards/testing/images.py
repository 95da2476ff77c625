"""Pictures and samples built directly with Pillow: what the strategies draw from, no browser.

Every function is deterministic in its arguments (a ``seed`` fixes the randomness), so a
hypothesis counterexample is a handful of integers that rebuild the same picture.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw

from codepaint_env.render import RenderResult
from rewards.base import Sample
from rewards.probes import background_colour, main_colour, write_on

#: The paper colour paintings are drawn on.
PAPER = (246, 241, 232)
#: The message of a failed render, per error kind (what a renderer would say).
FAILURE_MESSAGES: dict[str, str] = {
    "syntax": "SyntaxError: Unexpected end of input",
    "runtime": "ReferenceError: foo is not defined",
    "timeout": "the program ran past its time limit",
    "too_large": "the program is 1000001 bytes; the limit is 1000000",
    "blank": "the picture is one uniform colour",
    "empty": "no program",
    "crash": "the page crashed",
}


def painting(seed: int, size: int = 96) -> Image.Image:
    """A colourful picture of random translucent shapes on paper, fixed by ``seed``."""
    rng = random.Random(seed)
    im = Image.new("RGB", (size, size), PAPER)
    d = ImageDraw.Draw(im, "RGBA")
    for _ in range(rng.randint(3, 25)):
        x, y = rng.randint(0, size), rng.randint(0, size)
        r = rng.randint(3, max(3, size // 3))
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255), rng.randint(60, 220))
        (d.ellipse if rng.random() < 0.5 else d.rectangle)((x - r, y - r, x + r, y + r), fill=colour)
    return im


def blank(size: int = 96, colour: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """One uniform colour."""
    return Image.new("RGB", (size, size), colour)


def colour_of(seed: int) -> tuple[int, int, int]:
    """An RGB colour fixed by ``seed`` (seed 0: white)."""
    if seed == 0:
        return (255, 255, 255)
    rng = random.Random(seed)
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def noise(seed: int, size: int = 96) -> Image.Image:
    """Uniform random pixels, fixed by ``seed``."""
    rng = random.Random(seed)
    return Image.frombytes("RGB", (size, size), rng.randbytes(size * size * 3))


def near_uniform(seed: int, size: int = 96) -> Image.Image:
    """Paper with 0.1 % of its pixels (at least four) set to random colours: nothing drawn."""
    rng = random.Random(seed)
    arr = np.array(Image.new("RGB", (size, size), PAPER))
    n = max(4, size * size // 1000)
    ys = [rng.randrange(size) for _ in range(n)]
    xs = [rng.randrange(size) for _ in range(n)]
    arr[ys, xs] = np.frombuffer(rng.randbytes(3 * n), dtype=np.uint8).reshape(n, 3)
    return Image.fromarray(arr)


def flat_block(seed: int, size: int = 96) -> Image.Image:
    """A painting's background with one flat block of its main colour across the middle."""
    base = painting(seed, size)
    im = Image.new("RGB", (size, size), background_colour(base))
    box = (size // 5, size // 5, size - size // 5 - 1, size - size // 5 - 1)
    ImageDraw.Draw(im).rectangle(box, fill=main_colour(base))
    return im


def written(seed: int, text: str, size: int = 96) -> Image.Image:
    """A painting with ``text`` written large across its middle (the prompt-text hack)."""
    return write_on(painting(seed, size), text)


def rendered(image: Image.Image, *, language: str = "p5brush", prompt: str | None = None,
             code: str = "// a painting", **meta: object) -> Sample:
    """A rendered sample holding ``image`` (a blank picture is a ``blank`` failed render)."""
    return Sample.from_image(image, language=language, prompt=prompt, code=code, **meta)


def failed(error_kind: str = "runtime", *, language: str = "p5brush", prompt: str | None = None,
           code: str = "foo()", **meta: object) -> Sample:
    """A sample whose program did not render (``error_kind`` is one of the renderer's kinds)."""
    message = FAILURE_MESSAGES.get(error_kind, f"render failed ({error_kind})")
    res = RenderResult(ok=False, language=language, error_kind=error_kind, messages=[message])  # type: ignore[arg-type]
    return Sample(code=code, language=language, render=res, prompt=prompt, meta=dict(meta))


def infra(*, language: str = "p5brush", prompt: str | None = None, code: str = "circle(1,1,1)",
          **meta: object) -> Sample:
    """A sample whose render the infrastructure could not complete (``error_kind="infra"``)."""
    res = RenderResult(ok=False, language=language, error_kind="infra",
                       messages=["infra: the browser died (then the browser died)"])
    return Sample(code=code, language=language, render=res, prompt=prompt, meta=dict(meta))
