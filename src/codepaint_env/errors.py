"""The codepaint error hierarchy (defined in :mod:`codepaint_env.core.errors`; imported from here too)."""

from .core.errors import (
    CodePaintError,
    DependencyNotInstalled,
    RendererUnavailable,
    UnknownLanguage,
    UnknownReward,
)

__all__ = ["CodePaintError", "DependencyNotInstalled", "RendererUnavailable", "UnknownLanguage",
           "UnknownReward"]
