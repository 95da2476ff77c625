"""System prompts for policies that write drawing programs.

``system_prompt(language, style)``: ``style="allowlist"`` (the default for p5brush) is the short
prompt the watercolour work converged on after prompt optimisation: a strict list of eight
p5.brush methods, no API documentation and no examples. Long API references in a system prompt
made models invent methods that don't exist; a short, opinionated allowlist constrained them
better. ``style="reference"`` is the long form, kept to compare against. Other languages get one
concise prompt each. Both come from the language's entry in the table
(:mod:`codepaint_env.render.languages`): ``system_prompt`` and ``reference_prompt``.
"""

from __future__ import annotations

from codepaint_env.render.languages import LANGUAGES, P5BRUSH_ALLOWLIST

__all__ = ["P5BRUSH_ALLOWLIST", "system_prompt"]


def system_prompt(language: str, style: str = "allowlist") -> str:
    """The system prompt for ``language``; ``style="reference"``: its long form where it has one (p5brush).

    Raises:
        ValueError: An unknown language or style.
    """
    if style not in ("allowlist", "reference"):
        raise ValueError("style must be 'allowlist' or 'reference'")
    spec = LANGUAGES.get(language)
    if style == "reference" and spec is not None and spec.reference_prompt:
        return spec.reference_prompt
    if spec is None or not spec.system_prompt:
        known = [n for n, s in LANGUAGES.items() if s.system_prompt]
        raise ValueError(f"no system prompt for {language!r}; languages: {', '.join(known)}")
    return spec.system_prompt
