"""Rendering programs into pictures: the render front, its dispatches, languages, extraction.

* :class:`Renderer` is the one :class:`~.front.RenderFront` (preparation, cache, sharing, guards,
  counters, the public methods) over a transport, as httpx's ``Client(transport=...)``: this
  process's backends by default (:mod:`.local`), Ray actors (``Renderer(dispatch=RayTransport(n))``,
  what :func:`RayRenderer` builds: :mod:`.ray`), canned answers in tests
  (:class:`~codepaint_env.testing.StubDispatch`). :class:`RenderService` is what callers type against.
* Backends (:mod:`.backends`): the browser (:mod:`.browser`), the subprocess sandbox
  (:mod:`.sandbox`), resvg (:mod:`.resvg`); languages (:mod:`.languages`), detection and extraction.

The function :func:`render` (``from codepaint_env.render import render``) renders with a
process-wide default renderer.

``RayRenderer`` (renders spread over a Ray cluster) is exported lazily: ``import
codepaint_env.render`` loads neither it nor Ray.
"""

from typing import TYPE_CHECKING, Any

from codepaint_env.core.images import is_blank, pixel_sha256
from codepaint_env.core.result import ERROR_KINDS, RenderResult
from codepaint_env.render.detect import detect_language
from codepaint_env.render.extract import code_blocks, completion_text, extract_code
from codepaint_env.render.front import RenderFront, parse_size
from codepaint_env.render.languages import LANGUAGES, LanguageSpec, register_language
from codepaint_env.render.renderer import Renderer, default_renderer, render
from codepaint_env.render.service import RenderService
from codepaint_env.render.settings import RenderSettings

if TYPE_CHECKING:
    from codepaint_env.render.ray.renderer import RayRenderer


def __getattr__(name: str) -> Any:
    """Lazy exports: ``RayRenderer`` is imported on first access."""
    if name == "RayRenderer":
        from codepaint_env.render.ray.renderer import RayRenderer

        globals()[name] = RayRenderer
        return RayRenderer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ERROR_KINDS",
    "LANGUAGES",
    "LanguageSpec",
    "RayRenderer",
    "RenderFront",
    "RenderResult",
    "RenderService",
    "RenderSettings",
    "Renderer",
    "code_blocks",
    "completion_text",
    "default_renderer",
    "detect_language",
    "extract_code",
    "is_blank",
    "parse_size",
    "pixel_sha256",
    "register_language",
    "render",
]
