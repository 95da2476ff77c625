"""The codepaint error hierarchy.

A failed *program* is never an exception: it is a :class:`~codepaint_env.render.RenderResult`
with ``ok=False``. Exceptions are for a broken installation or a misuse of the API, and every
message says how to fix it.
"""

from __future__ import annotations


class CodePaintError(Exception):
    """Base class of every error codepaint raises on purpose."""


class DependencyNotInstalled(CodePaintError, ImportError):
    """An optional package is missing; the message names the extra that installs it."""


class RendererUnavailable(CodePaintError):
    """A renderer cannot run on this machine (no browser, no JS assets, ...)."""


class UnknownLanguage(CodePaintError, ValueError):
    """A language name that no renderer is registered for."""


class UnknownReward(CodePaintError, KeyError):
    """A reward id that is not registered."""
