"""Rendering programs into pictures: languages, the browser pool, results, code extraction.

The package is callable: ``codepaint_env.render(code, language)`` is :func:`render` (the public
function and this package share the name ``codepaint_env.render``; the package wins the
attribute as soon as anything imports it, so it answers the call itself).

``RayRenderer`` (renders spread over a Ray cluster) is exported lazily: ``import
codepaint_env.render`` loads neither it nor Ray.
"""

import sys
import types
from typing import TYPE_CHECKING, Any

from .detect import detect_language
from .extract import code_blocks, completion_text, extract_code
from .languages import LANGUAGES, LanguageSpec, register_language
from .renderer import Renderer, default_renderer, parse_size, render
from .result import ERROR_KINDS, RenderResult, is_blank, pixel_sha256

if TYPE_CHECKING:
    from .ray_renderer import RayRenderer


def __getattr__(name: str) -> Any:
    """Lazy exports: ``RayRenderer`` is imported on first access."""
    if name == "RayRenderer":
        from .ray_renderer import RayRenderer

        globals()[name] = RayRenderer
        return RayRenderer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CallablePackage(types.ModuleType):
    def __call__(self, code: Any, language: str = "auto", **kwargs: Any) -> RenderResult:
        return render(code, language, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage

__all__ = [
    "ERROR_KINDS",
    "LANGUAGES",
    "LanguageSpec",
    "RayRenderer",
    "RenderResult",
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
