"""The codepaint error hierarchy: the one error module.

A failed *program* is never an exception: it is a :class:`~codepaint_env.core.result.RenderResult`
with ``ok=False``. A failed *infrastructure* is never an exception either: a render is
``error_kind="infra"``, a reward value ``None`` with the reason. Exceptions are for a broken
installation or a misuse of the API, and every message says how to fix it.
"""

from __future__ import annotations


class CodePaintError(Exception):
    """Base class of every error codepaint raises on purpose."""


class DependencyNotInstalled(CodePaintError, ImportError):
    """An optional package is missing; the message names the extra that installs it."""


class ModelFileInvalid(DependencyNotInstalled):
    """An installed model file is not the one codepaint recorded (size, structure or sha256); refused.

    A broken installation, like a missing package: the message says which file and how to reinstall it.
    """


class RendererUnavailable(CodePaintError):
    """A renderer cannot run on this machine (no browser, no JS assets, ...)."""


class UnknownLanguage(CodePaintError, ValueError):
    """A language name that no renderer is registered for."""


class UnknownReward(CodePaintError, KeyError):
    """A reward id that is not registered.

    A ``KeyError`` (it is a failed lookup), printed as the message it carries: ``KeyError`` itself
    would print the message in quotes.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class RewardSpecError(CodePaintError, ValueError):
    """A reward spec that means nothing; the message names the part at fault.

    Malformed, a weight that is not finite or absurd, an entry point where only registered ids are
    allowed (a spec read from a network request).
    """


class UnknownModel(CodePaintError, ValueError):
    """A policy model that is no known name, local folder or model id; the message lists the known names."""


class ModelNotConvertible(CodePaintError, ValueError):
    """A model a generation engine cannot run (CTranslate2's converter does not know its architecture)."""


class JudgeNotConfigured(CodePaintError, ValueError):
    """A judge reward with ``require_judge=True`` and no endpoint or model; the message says what to set."""


class UnknownEnvironment(CodePaintError, ValueError):
    """An environment id no language has, or a version that does not exist; the message lists known ids."""


class DeprecatedEnvironment(UnknownEnvironment):
    """An environment id of an older version than the registered one; the message names the id to use."""
