"""Programs and canned pictures for the fast tests: a renderer over a :class:`StubDispatch` (no browser)."""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageDraw

from codepaint_env.render import Renderer
from codepaint_env.testing import StubDispatch

GOOD_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
            'fill="#fdf6e3"/><circle cx="25" cy="25" r="15" fill="#2a9d8f"/>'
            '<rect x="30" y="36" width="30" height="22" fill="#e76f51"/></svg>')
OTHER_SVG = GOOD_SVG.replace("#2a9d8f", "#264653")
BROKEN_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><circle cx='
BLANK_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64"/></svg>'


def drawing(circle: str = "#2a9d8f", size: int = 64) -> Image.Image:
    """The picture :data:`GOOD_SVG` draws: a circle and a rectangle on cream."""
    im = Image.new("RGB", (size, size), "#fdf6e3")
    d = ImageDraw.Draw(im)
    d.ellipse((10, 10, 40, 40), fill=circle)
    d.rectangle((30, 36, 60, 58), fill="#e76f51")
    return im


def stub_dispatch(**settings: Any) -> Renderer:
    """The fast tests' renderer: good, other, broken and blank SVG programs, nothing else.

    Its transport (``.transport``) is the :class:`StubDispatch`; the cache is off unless
    ``cache_size`` is given, so that the stub's ``jobs`` record every render.
    """
    stub = StubDispatch({GOOD_SVG: drawing(), OTHER_SVG: drawing("#264653"), BROKEN_SVG: "syntax",
                         BLANK_SVG: "blank"})
    return Renderer(dispatch=stub, **{"cache_size": 0, **settings})
