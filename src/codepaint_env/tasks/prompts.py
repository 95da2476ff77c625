"""System prompts for policies that write drawing programs.

``system_prompt(language, style)``: ``style="allowlist"`` (the default for p5brush) is the short
prompt the watercolour work converged on after prompt optimisation: a strict list of eight
p5.brush methods, no API documentation and no examples. Long API references in a system prompt
made models invent methods that don't exist; a short, opinionated allowlist constrained them
better. ``style="reference"`` is the long form, kept to compare against. Other languages get one
concise prompt each. The default prompt of every language is its registry entry's
``system_prompt`` (:mod:`codepaint_env.render.languages`); the ``reference`` form is kept here.
"""

from __future__ import annotations

from codepaint_env.render.languages import LANGUAGES, P5BRUSH_ALLOWLIST

__all__ = ["P5BRUSH_ALLOWLIST", "system_prompt"]

_REFERENCE = """You paint watercolours by writing p5.js sketches with the p5.brush library (v2).
Canvas: createCanvas(w, h, WEBGL); the origin is the centre. Stroke brushes: brush.set(name, colour, weight)
with names pen, rotring, 2B, HB, 2H, cpencil, pastel, crayon, charcoal, spray, marker; brush.line(x1, y1,
x2, y2), brush.flowLine(x, y, length, dir), brush.stroke(), brush.noStroke(). Fills: brush.fill(colour,
opacity), brush.fillBleed(strength, direction), brush.fillTexture(texture, border), brush.noFill().
Shapes: brush.rect(x, y, w, h), brush.circle(x, y, r), brush.polygon(points), brush.beginShape(),
brush.vertex(x, y), brush.endShape(). Hatching: brush.hatch(dist, angle), brush.noHatch(). Fields:
brush.field(name), brush.noField(). Scale: brush.scaleBrushes(s). Reply with the code in one ```js block."""

def system_prompt(language: str, style: str = "allowlist") -> str:
    """The system prompt for ``language`` (``style``: ``allowlist`` or ``reference``, p5brush only).

    Raises:
        ValueError: An unknown language or style.
    """
    if language == "p5brush" and style == "reference":
        return _REFERENCE
    if style not in ("allowlist", "reference"):
        raise ValueError("style must be 'allowlist' or 'reference'")
    spec = LANGUAGES.get(language)
    if spec is None or not spec.system_prompt:
        known = [n for n, s in LANGUAGES.items() if s.system_prompt]
        raise ValueError(f"no system prompt for {language!r}; languages: {', '.join(known)}")
    return spec.system_prompt
