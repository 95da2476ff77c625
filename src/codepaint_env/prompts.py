"""System prompts for policies that write drawing programs.

``system_prompt(language, style)``: ``style="allowlist"`` (the default for p5brush) is the short
prompt the watercolour work converged on after prompt optimisation: a strict list of eight
p5.brush methods, no API documentation and no examples. Long API references in a system prompt
made models invent methods that don't exist; a short, opinionated allowlist constrained them
better. ``style="reference"`` is the long form, kept to compare against. Other languages get one
concise prompt each.
"""

from __future__ import annotations

#: The eight p5.brush methods the allowlist prompt permits (pass to ``Renderer(allowed_api=...)``
#: to have calls outside it reported in ``RenderResult.api_violations``).
P5BRUSH_ALLOWLIST: tuple[str, ...] = (
    "brush.set",
    "brush.line",
    "brush.fill",
    "brush.noStroke",
    "brush.fillBleed",
    "brush.fillTexture",
    "brush.circle",
    "brush.polygon",
)

_ALLOWLIST = f"""You paint watercolours by writing p5.js sketches with the p5.brush library.
Write one complete sketch: `function setup() {{ createCanvas(512, 512, WEBGL); ... }}`. The origin is the
canvas centre (WEBGL). Use background() for the paper, push/pop/translate/rotate for placement, and ONLY
these brush methods: {", ".join(P5BRUSH_ALLOWLIST)}.
Paint in layers: pale washes first, then mid tones, then a few darker accents. Let fills bleed. Leave paper
showing. No text, no other libraries, no other brush methods. Reply with the code in one ```js block."""

_REFERENCE = """You paint watercolours by writing p5.js sketches with the p5.brush library (v2).
Canvas: createCanvas(w, h, WEBGL); the origin is the centre. Stroke brushes: brush.set(name, colour, weight)
with names pen, rotring, 2B, HB, 2H, cpencil, pastel, crayon, charcoal, spray, marker; brush.line(x1, y1,
x2, y2), brush.flowLine(x, y, length, dir), brush.stroke(), brush.noStroke(). Fills: brush.fill(colour,
opacity), brush.fillBleed(strength, direction), brush.fillTexture(texture, border), brush.noFill().
Shapes: brush.rect(x, y, w, h), brush.circle(x, y, r), brush.polygon(points), brush.beginShape(),
brush.vertex(x, y), brush.endShape(). Hatching: brush.hatch(dist, angle), brush.noHatch(). Fields:
brush.field(name), brush.noField(). Scale: brush.scaleBrushes(s). Reply with the code in one ```js block."""

_OTHERS = {
    "p5": "You draw by writing p5.js sketches. Write one complete sketch with setup() (and draw() if "
    "needed), createCanvas(512, 512). No external assets. Reply with the code in one ```js block.",
    "svg": "You draw by writing SVG. Write one complete, self-contained <svg> document with "
    "xmlns and a viewBox; no scripts, no external references. Reply with it in one ```svg block.",
    "html": "You build web pages. Write one complete, self-contained HTML document (<!DOCTYPE html>, a "
    "viewport meta tag, inline CSS and JS, no external resources) whose controls work. Reply "
    "with it in one ```html block.",
    "python": "You draw by writing a Python program (matplotlib or Pillow). Save the picture with "
    "plt.savefig(OUTPUT_PATH) or img.save(OUTPUT_PATH); OUTPUT_PATH is predefined. No network, "
    "no input(). Reply with the program in one ```python block.",
    "tikz": "You draw with TikZ. Write one tikzpicture environment (libraries via \\usetikzlibrary "
    "lines before it are allowed). Reply with it in one ```latex block.",
}


def system_prompt(language: str, style: str = "allowlist") -> str:
    """The system prompt for ``language`` (``style``: ``allowlist`` or ``reference``, p5brush only).

    Raises:
        ValueError: An unknown language or style.
    """
    if language == "p5brush":
        if style not in ("allowlist", "reference"):
            raise ValueError("style must be 'allowlist' or 'reference'")
        return _ALLOWLIST if style == "allowlist" else _REFERENCE
    if language not in _OTHERS:
        raise ValueError(f"no system prompt for {language!r}; languages: p5brush, {', '.join(_OTHERS)}")
    return _OTHERS[language]
