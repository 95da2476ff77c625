"""The six built-in languages, registered in the one table (:mod:`codepaint_env.core.languages`).

Each registration says everything codepaint knows about the language: the backend that renders
it, its file suffixes and fence tags, its detection test and order, the words rubrics and
prompts use, its default system prompt, whether its pages can be interacted with, its Gymnasium
id, the fence replies use, how task prompts ask for it, the colour names it knows, the ``shapes``
generator's writer (a ``"module:function"`` reference into the tasks layer, imported when the
generator first asks), and the gate's specifics. Nothing else in codepaint names a language.
"""

from __future__ import annotations

from codepaint_env.core.languages import (
    LANGUAGES,
    LanguageSpec,
    by_suffix,
    language,
    load_language_plugins,
    register_language,
)
from codepaint_env.render.backends import BrowserBackend, FastSvgBackend, PythonBackend, TikzBackend
from codepaint_env.render.detect import is_html, is_p5brush, is_python, is_svg, is_tikz

__all__ = ["BUILTIN_LANGUAGES", "LANGUAGES", "P5BRUSH_ALLOWLIST", "LanguageSpec", "by_suffix", "language",
           "register_language"]

#: The eight p5.brush methods the default p5brush prompt permits (pass to
#: ``Renderer(allowed_api=...)`` to have calls outside it reported in ``api_violations``).
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

#: The long-form p5brush system prompt (``system_prompt("p5brush", "reference")``), kept to compare
#: against the allowlist.
_P5BRUSH_REFERENCE = """You paint watercolours by writing p5.js sketches with the p5.brush library (v2).
Canvas: createCanvas(w, h, WEBGL); the origin is the centre. Stroke brushes: brush.set(name, colour, weight)
with names pen, rotring, 2B, HB, 2H, cpencil, pastel, crayon, charcoal, spray, marker; brush.line(x1, y1,
x2, y2), brush.flowLine(x, y, length, dir), brush.stroke(), brush.noStroke(). Fills: brush.fill(colour,
opacity), brush.fillBleed(strength, direction), brush.fillTexture(texture, border), brush.noFill().
Shapes: brush.rect(x, y, w, h), brush.circle(x, y, r), brush.polygon(points), brush.beginShape(),
brush.vertex(x, y), brush.endShape(). Hatching: brush.hatch(dist, angle), brush.noHatch(). Fields:
brush.field(name), brush.noField(). Scale: brush.scaleBrushes(s). Reply with the code in one ```js block."""

#: What embeds or loads a raster image in a p5.js sketch (the ``no_image`` check).
_P5_RASTER = (r"\bloadImage\s*\(", r"\bcreateImg\s*\(", r"\bdrawImage\s*\(")
_WRITERS = "codepaint_env.tasks.shapes.programs"

_JS_TAGS = frozenset({"js", "javascript", "p5", "p5js", "p5.js", "jsx", "ecmascript"})

register_language(LanguageSpec(
    name="p5brush",
    description="p5.js 2.x + p5.brush watercolour sketch (WEBGL canvas)",
    backend=BrowserBackend,
    suffixes=(".p5brush.js", ".brush.js"),
    fence_tags=_JS_TAGS | {"p5brush", "p5.brush"},
    family="js",
    detect=is_p5brush,
    detect_order=50,
    medium="watercolour painting (p5.brush)",
    noun="p5.js sketch (using p5.brush)",
    system_prompt=f"""You paint watercolours by writing p5.js sketches with the p5.brush library.
Write one complete sketch: `function setup() {{ createCanvas(512, 512, WEBGL); ... }}`. The origin is the
canvas centre (WEBGL). Use background() for the paper, push/pop/translate/rotate for placement, and ONLY
these brush methods: {", ".join(P5BRUSH_ALLOWLIST)}.
Paint in layers: pale washes first, then mid tones, then a few darker accents. Let fills bleed. Leave paper
showing. No text, no other libraries, no other brush methods. Reply with the code in one ```js block.""",
    interactive=True,
    page="sketch",
    libraries=("p5.brush",),
    fence="js",
    asked_as="in p5.js with p5.brush",
    reference_prompt=_P5BRUSH_REFERENCE,
    colour_names="css",
    text_free=True,  # a watercolour has no words in it
    textured=True,  # washes and strokes are never one flat fill
    raster_patterns=_P5_RASTER,
    env_id="CodePaint/P5Brush-v0",
))
register_language(LanguageSpec(
    name="p5",
    description="plain p5.js sketch (2D or WEBGL), global or instance mode; p5.js 1.x for 1.x-only API",
    backend=BrowserBackend,
    suffixes=(".p5.js",),
    fence_tags=_JS_TAGS,
    family="js",
    medium="p5.js sketch",
    noun="p5.js sketch",
    system_prompt="You draw by writing p5.js sketches. Write one complete sketch with setup() (and draw() if "
    "needed), createCanvas(512, 512). No external assets. Reply with the code in one ```js block.",
    interactive=True,
    page="sketch",
    fence="js",
    asked_as="in p5.js",
    colour_names="css",
    scene_writer=f"{_WRITERS}:p5",
    raster_patterns=_P5_RASTER,
    env_id="CodePaint/P5-v4",
))
register_language(LanguageSpec(
    name="svg",
    description="an SVG document",
    backend=BrowserBackend,
    alternatives={"fast": FastSvgBackend},
    suffixes=(".svg",),
    fence_tags=frozenset({"svg", "xml", "image/svg+xml"}),
    detect=is_svg,
    detect_order=10,
    medium="SVG illustration",
    noun="SVG document",
    system_prompt="You draw by writing SVG. Write one complete, self-contained <svg> document with "
    "xmlns and a viewBox; no scripts, no external references. Reply with it in one ```svg block.",
    interactive=True,
    page="image",
    fence="svg",
    asked_as="as an SVG image",
    colour_names="css",
    scene_writer=f"{_WRITERS}:svg",
    markup="svg",
    raster_patterns=(r"<\s*image\b", r"<\s*foreignObject\b", r"<\s*feImage\b"),
    env_id="CodePaint/SVG-v4",
))
register_language(LanguageSpec(
    name="html",
    description="an HTML page (rendered offline; remote resources blocked)",
    backend=BrowserBackend,
    suffixes=(".html", ".htm"),
    fence_tags=frozenset({"html", "htm", "xhtml"}),
    detect=is_html,
    detect_order=40,
    medium="web page",
    noun="HTML page",
    system_prompt="You build web pages. Write one complete, self-contained HTML document (<!DOCTYPE html>, a "
    "viewport meta tag, inline CSS and JS, no external resources) whose controls work. Reply "
    "with it in one ```html block.",
    interactive=True,
    page="document",
    fence="html",
    asked_as="on an HTML page",
    colour_names="css",
    scene_writer=f"{_WRITERS}:html",
    markup="html",
    raster_patterns=(r"<\s*image\b", r"<\s*img\b", r"<\s*picture\b", r"\bdrawImage\s*\(",
                     r"\bnew\s+Image\s*\(", r"\bcreateImageBitmap\s*\(", r"\burl\s*\(", r"<\s*object\b",
                     r"<\s*embed\b", r"<\s*iframe\b"),
    env_id="CodePaint/HTML-v4",
))
register_language(LanguageSpec(
    name="python",
    description="matplotlib / Pillow draw.py (sandboxed subprocess)",
    backend=PythonBackend,
    suffixes=(".py",),
    fence_tags=frozenset({"python", "py", "python3"}),
    detect=is_python,
    detect_order=20,
    medium="matplotlib / Pillow figure",
    noun="Python program",
    system_prompt="You draw by writing a Python program (matplotlib or Pillow). Save the picture with "
    "plt.savefig(OUTPUT_PATH) or img.save(OUTPUT_PATH); OUTPUT_PATH is predefined. No network, "
    "no input(). Reply with the program in one ```python block.",
    fence="python",
    asked_as="with Python",
    colour_names="css",  # matplotlib and Pillow both know the CSS names
    scene_writer=f"{_WRITERS}:python",
    raster_patterns=(r"\bImage\.open\s*\(", r"\bimread\s*\(", r"\bb64decode\s*\(", r"\burlopen\s*\(",
                     r"\brequests\.", r"\bImage\.frombytes\s*\(", r"\bImage\.frombuffer\s*\("),
    env_id="CodePaint/Python-v4",
))
register_language(LanguageSpec(
    name="tikz",
    description="TikZ picture (pdflatex + pdftoppm, sandboxed subprocess)",
    backend=TikzBackend,
    suffixes=(".tex", ".tikz"),
    fence_tags=frozenset({"latex", "tex", "tikz"}),
    detect=is_tikz,
    detect_order=30,
    medium="TikZ figure",
    noun="TikZ picture",
    system_prompt="You draw with TikZ. Write one tikzpicture environment (libraries via \\usetikzlibrary "
    "lines before it are allowed). Reply with it in one ```latex block.",
    fence="latex",
    asked_as="as a TikZ picture (one tikzpicture)",
    colour_names="xcolor",
    scene_writer=f"{_WRITERS}:tikz",
    raster_patterns=(r"\\includegraphics\b", r"\\pgfimage\b", r"\\pgfdeclareimage\b"),
    env_id="CodePaint/TikZ-v4",
))

#: The built-in languages, in the table's order: what codepaint's own versioned files are written in
#: (the shipped suites, ``rewards.testing``'s programs), whatever plugins are installed.
BUILTIN_LANGUAGES: tuple[str, ...] = tuple(LANGUAGES)

#: Languages installed packages add (entry points, after the built-ins so they may replace one).
PLUGINS = load_language_plugins()
