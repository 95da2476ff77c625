"""`RenderResult`: what every renderer returns, for programs that worked and programs that didn't."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
from PIL import Image

ErrorKind = Literal[
    "empty",  # no code at all after extraction
    "syntax",  # the program does not parse
    "runtime",  # it parsed, then threw (or never started a sketch)
    "timeout",  # it did not finish within the timeout (busy loop, endless await)
    "crash",  # the program killed what ran it (its page or process: out of memory, a signal)
    "blank",  # it ran, but the picture is one uniform colour
    "too_large",  # code, canvas or document over a size cap
    "navigation",  # it tried to navigate the page away
    "unsupported",  # no renderer for this language on this machine
    "no_image",  # a python program ran but saved no picture
    "infra",  # not the program: the browser / a worker died from outside twice, the renderer was
    #           closed, the machine gave the render no CPU; rewards give None, never a score
]
ERROR_KINDS: tuple[str, ...] = ErrorKind.__args__  # type: ignore[attr-defined]



@dataclass
class RenderResult:
    """The outcome of rendering one program.

    Attributes:
        ok: True when the program ran and produced a non-blank picture.
        language: The language it was rendered as (``p5brush``, ``p5``, ``svg``, ``html``...).
        error_kind: ``None`` when ``ok``; otherwise one of :data:`ERROR_KINDS`.
        messages: Console output and errors, capped (see ``Renderer(max_messages=...)``).
        unknown_api: Names the program used that do not exist, e.g. ``brush.bleed`` (a method the
            installed p5.brush lacks) or ``fooBar`` (a global that raised ``ReferenceError``).
        api_calls: Instrumented calls -> count: every ``brush.*`` method, and text drawn on the
            canvas (p5 ``text``/``textToPoints``..., canvas ``fillText``/``strokeText``).
        api_violations: Methods called that are outside the allowlist, when one was given.
        png: The picture as PNG bytes (``None`` when nothing could be captured).
        size: ``(width, height)`` of the picture in pixels.
        sha256: SHA-256 of the picture's RGB pixels (PNG-encoder independent): equal pictures
            have equal hashes.
        timings_ms: ``page`` (inside the page, sketch start to frame done), ``total`` (wall time
            of the whole render, queueing excluded) and, where measured, ``capture``.
        seed: The seed the program's randomness was fixed to.
        renderer: Version string of the renderer stack (codepaint, p5, p5.brush, browser).
        canvas: Where the program's own picture lies in ``png``, ``(left, top, width, height)`` in
            whole output pixels: a 720x400 p5 canvas scaled into a 512x512 output is a 512x284
            band between two letterbox bands that the page, not the program, painted. Every pixel
            statistic is taken on :attr:`canvas_image`. ``None``: all of the picture (HTML pages).
    """

    ok: bool
    language: str
    error_kind: str | None = None
    messages: list[str] = field(default_factory=list)
    unknown_api: list[str] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)
    api_violations: list[str] = field(default_factory=list)
    png: bytes | None = field(default=None, repr=False)
    size: tuple[int, int] | None = None
    sha256: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    seed: int | None = None
    renderer: str = ""
    canvas: tuple[int, int, int, int] | None = None

    def __post_init__(self) -> None:
        if self.error_kind is not None and self.error_kind not in ERROR_KINDS:
            raise ValueError(
                f"error_kind {self.error_kind!r} is not one of {', '.join(ERROR_KINDS)}"
            )
        if self.size is not None:
            self.size = (int(self.size[0]), int(self.size[1]))
        if self.canvas is not None:
            x, y, w, h = (int(v) for v in self.canvas)
            self.canvas = (x, y, w, h)

    # ----------------------------------------------------------------- the picture
    @cached_property
    def image(self) -> Image.Image | None:
        """The picture as an RGB PIL image, decoded once on first access."""
        if self.png is None:
            return None
        with Image.open(io.BytesIO(self.png)) as im:
            return im.convert("RGB")

    @cached_property
    def canvas_image(self) -> Image.Image | None:
        """The program's own picture: :attr:`image` cropped to :attr:`canvas` (the letterbox left out)."""
        im = self.image
        if im is None or self.canvas is None or tuple(self.canvas) == (0, 0, *im.size):
            return im
        x, y, w, h = self.canvas
        box = (max(0, x), max(0, y), min(im.width, x + w), min(im.height, y + h))
        if box[2] <= box[0] or box[3] <= box[1]:
            return im.crop((0, 0, 1, 1))  # nothing of the program is visible: one pixel
        return im.crop(box)

    def array(self) -> np.ndarray | None:
        """The picture as an ``(H, W, 3)`` uint8 array."""
        im = self.image
        return None if im is None else np.asarray(im, dtype=np.uint8)

    def save(self, path: str) -> None:
        """Write the PNG to ``path``.

        Raises:
            ValueError: When the render produced no picture.
        """
        if self.png is None:
            raise ValueError(f"nothing to save: the render failed with {self.error_kind!r}")
        with open(path, "wb") as fh:
            fh.write(self.png)

    # ----------------------------------------------------------------- serialisation
    def to_dict(self, *, include_png: bool = False) -> dict[str, Any]:
        """A JSON-ready dict; the PNG is left out unless ``include_png`` (then base64)."""
        d = asdict(self)
        d.pop("png")
        d["size"] = list(self.size) if self.size else None
        d["canvas"] = list(self.canvas) if self.canvas else None
        if include_png:
            d["png_base64"] = base64.b64encode(self.png).decode() if self.png else None
        return d

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict` (keyword arguments go to it)."""
        return json.dumps(self.to_dict(**kwargs), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RenderResult:
        """Inverse of :meth:`to_dict` (the PNG comes back when it was included)."""
        d = dict(d)
        b64 = d.pop("png_base64", None)
        d.pop("image", None)
        d.pop("output", None)
        png = base64.b64decode(b64) if b64 else None
        size = tuple(d.pop("size")) if d.get("size") else None
        canvas = tuple(d.pop("canvas")) if d.get("canvas") else None
        d.pop("canvas", None)
        return cls(png=png, size=size, canvas=canvas, **d)  # type: ignore[arg-type]

    def summary(self) -> dict[str, Any]:
        """The short form an env's ``info`` or a log line carries."""
        return {
            "ok": self.ok,
            "language": self.language,
            "error_kind": self.error_kind,
            "unknown_api": list(self.unknown_api),
            "sha256": self.sha256,
            "timings_ms": dict(self.timings_ms),
            "first_message": self.messages[0] if self.messages else None,
        }


def failed(language: str, error_kind: str, message: str, **kwargs: Any) -> RenderResult:
    """A result for a program that produced no picture."""
    return RenderResult(
        ok=False, language=language, error_kind=error_kind, messages=[message], **kwargs
    )
