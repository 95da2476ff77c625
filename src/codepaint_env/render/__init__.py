"""Rendering programs into pictures: languages, the browser pool, results, code extraction."""

from .detect import detect_language
from .extract import code_blocks, completion_text, extract_code
from .languages import LANGUAGES, LanguageSpec, register_language
from .renderer import Renderer, default_renderer, parse_size, render
from .result import ERROR_KINDS, RenderResult, is_blank, pixel_sha256

__all__ = [
    "ERROR_KINDS",
    "LANGUAGES",
    "LanguageSpec",
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
