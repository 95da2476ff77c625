r"""The reference program of a scene in each language: SVG, p5.js, HTML (a canvas page), Python, TikZ.

Each draws the scene's background over the whole canvas, then its shapes in order, with no
stroke on fills, from the same outlines (:mod:`.geometry`). Colours are spelt two ways
(``spelling``): ``"names"`` (the default, what the suite's references use) writes each colour as
the language names it, as the prompt asks (``fill="navy"``; TikZ with the ``\definecolor`` lines its
prompt gives, :mod:`.vocabulary`); ``"palette"`` writes the palette's values (``#1a237e``).
SVG, p5.js and the HTML page draw on
a 400x400 canvas; the Python program (Pillow) draws at ``$CODEPAINT_WIDTH x $CODEPAINT_HEIGHT``;
the TikZ picture is 10 cm square, its background painted past the bounding box so that the
standalone class's border is background too.

Which language each writer writes is said in the language table: each language's
``LanguageSpec.scene_writer`` names its writer (``"codepaint_env.tasks.shapes.programs:svg"``), so a
language registered with a writer of its own is one the generator writes (:func:`writers`).
"""

from __future__ import annotations

from collections.abc import Callable

from codepaint_env.core.languages import resolve
from codepaint_env.render.languages import BUILTIN_LANGUAGES
from codepaint_env.render.languages import LANGUAGES as LANGUAGE_TABLE
from codepaint_env.tasks.shapes.geometry import RING_INNER, Shape
from codepaint_env.tasks.shapes.scenes import Scene
from codepaint_env.tasks.shapes.vocabulary import defined, spelling, tikz_definition
from rewards.checks.colours import PALETTE

#: How a program spells colours (see the module docstring).
SPELLINGS: tuple[str, ...] = ("names", "palette")

SIDE = 400  # the canvas of SVG, p5.js and HTML
_RING_MID = (1 + RING_INNER) / 2  # a ring is a stroke along its middle circle
_RING_WIDTH = 1 - RING_INNER


def _n(v: float, digits: int = 1) -> str:
    """A coordinate, short: at most ``digits`` decimals, no trailing zeros."""
    text = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _points(shape: Shape, scale: float) -> list[tuple[str, str]]:
    return [(_n(x * scale), _n(y * scale)) for x, y in shape.outline()]


def _ring_mid(s: Shape) -> float:
    """Where a ring's stroke runs, over its outer radius (the suite's rings: :data:`_RING_MID`)."""
    return _RING_MID if s.inner == RING_INNER else (1 + s.inner) / 2


def _ring_width(s: Shape) -> float:
    """A ring's stroke width over its outer radius (the suite's rings: :data:`_RING_WIDTH`)."""
    return _RING_WIDTH if s.inner == RING_INNER else 1 - s.inner


def _is_box(s: Shape, kind: str) -> bool:
    """Whether ``s`` is an upright ``kind`` (``square`` or ``rect``): drawn as a box, not an outline."""
    return s.kind == kind and not s.angle


# ---------------------------------------------------------------------- SVG
def _colour(language: str, colour: str, how: str) -> str:
    """A colour as a program in ``language`` writes it (``how``: one of :data:`SPELLINGS`)."""
    if how not in SPELLINGS:
        raise ValueError(f"spelling must be one of {', '.join(SPELLINGS)}, not {how!r}")
    return spelling(language, colour) if how == "names" else PALETTE[colour]


def _svg_shape(s: Shape, how: str) -> str:
    c, k = _colour("svg", s.colour, how), SIDE
    x, y, r = s.x * k, s.y * k, s.size * k
    if s.kind == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{c}"/>'
    if _is_box(s, "square"):
        return f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(2 * r)}" height="{_n(2 * r)}" fill="{c}"/>'
    if _is_box(s, "rect"):
        w, h = s.width * k, s.height * k
        return f'<rect x="{_n(x - w / 2)}" y="{_n(y - h / 2)}" width="{_n(w)}" height="{_n(h)}" fill="{c}"/>'
    if s.kind == "ring":
        return (f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r * _ring_mid(s))}" fill="none" stroke="{c}" '
                f'stroke-width="{_n(r * _ring_width(s))}"/>')
    if s.kind == "stripe":
        return f'<rect x="0" y="{_n(y - r)}" width="{k}" height="{_n(2 * r)}" fill="{c}"/>'
    points = " ".join(f"{px},{py}" for px, py in _points(s, k))
    return f'<polygon points="{points}" fill="{c}"/>'


def svg(scene: Scene, spelling: str = "names") -> str:
    """The scene as an SVG document."""
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIDE}" height="{SIDE}" '
            f'viewBox="0 0 {SIDE} {SIDE}">')
    lines = [head,
             f'<rect width="{SIDE}" height="{SIDE}" fill="{_colour("svg", scene.background, spelling)}"/>',
             *(_svg_shape(s, spelling) for s in scene.shapes), "</svg>"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- p5.js
def _p5_shape(s: Shape, how: str) -> list[str]:
    c, k = _colour("p5", s.colour, how), SIDE
    x, y, r = s.x * k, s.y * k, s.size * k
    if s.kind == "circle":
        return [f'fill("{c}");', f"circle({_n(x)}, {_n(y)}, {_n(2 * r)});"]
    if _is_box(s, "square"):
        return [f'fill("{c}");', f"rect({_n(x - r)}, {_n(y - r)}, {_n(2 * r)}, {_n(2 * r)});"]
    if _is_box(s, "rect"):
        w, h = s.width * k, s.height * k
        return [f'fill("{c}");', f"rect({_n(x - w / 2)}, {_n(y - h / 2)}, {_n(w)}, {_n(h)});"]
    if s.kind == "ring":
        return ["noFill();", f'stroke("{c}");', f"strokeWeight({_n(r * _ring_width(s))});",
                f"circle({_n(x)}, {_n(y)}, {_n(2 * r * _ring_mid(s))});", "noStroke();"]
    if s.kind == "stripe":
        return [f'fill("{c}");', f"rect(0, {_n(y - r)}, {k}, {_n(2 * r)});"]
    vertices = " ".join(f"vertex({px}, {py});" for px, py in _points(s, k))
    return [f'fill("{c}");', "beginShape();", vertices, "endShape(CLOSE);"]


def p5(scene: Scene, spelling: str = "names") -> str:
    """The scene as a p5.js sketch."""
    body = [f'background("{_colour("p5", scene.background, spelling)}");', "noStroke();"]
    for s in scene.shapes:
        body += _p5_shape(s, spelling)
    inner = "\n".join("  " + line for line in body)
    return (f"function setup() {{\n  createCanvas({SIDE}, {SIDE});\n  noLoop();\n}}\n\n"
            f"function draw() {{\n{inner}\n}}\n")


# ---------------------------------------------------------------------- HTML (canvas 2D)
def _html_shape(s: Shape, how: str) -> str:
    c, k = _colour("html", s.colour, how), SIDE
    x, y, r = s.x * k, s.y * k, s.size * k
    if s.kind == "circle":
        return f'disc({_n(x)}, {_n(y)}, {_n(r)}, "{c}");'
    if _is_box(s, "square"):
        return f'box({_n(x - r)}, {_n(y - r)}, {_n(2 * r)}, {_n(2 * r)}, "{c}");'
    if _is_box(s, "rect"):
        w, h = s.width * k, s.height * k
        return f'box({_n(x - w / 2)}, {_n(y - h / 2)}, {_n(w)}, {_n(h)}, "{c}");'
    if s.kind == "ring":
        return f'ring({_n(x)}, {_n(y)}, {_n(r * _ring_mid(s))}, {_n(r * _ring_width(s))}, "{c}");'
    if s.kind == "stripe":
        return f'box(0, {_n(y - r)}, {k}, {_n(2 * r)}, "{c}");'
    points = ", ".join(f"[{px}, {py}]" for px, py in _points(s, k))
    return f'poly([{points}], "{c}");'


_HTML_HELPERS = """const ctx = document.getElementById("art").getContext("2d");
function box(x, y, w, h, c) { ctx.fillStyle = c; ctx.fillRect(x, y, w, h); }
function disc(x, y, r, c) {
  ctx.fillStyle = c; ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill();
}
function ring(x, y, r, w, c) {
  ctx.strokeStyle = c; ctx.lineWidth = w; ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.stroke();
}
function poly(points, c) {
  ctx.fillStyle = c; ctx.beginPath(); ctx.moveTo(points[0][0], points[0][1]);
  for (const [x, y] of points.slice(1)) ctx.lineTo(x, y);
  ctx.closePath(); ctx.fill();
}"""


def html(scene: Scene, spelling: str = "names") -> str:
    """The scene as an HTML page drawing on a canvas that fills the window."""
    bg = _colour("html", scene.background, spelling)
    calls = "\n".join(_html_shape(s, spelling) for s in scene.shapes)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>Shapes</title>\n"
            f"<style>html, body {{ margin: 0; height: 100%; overflow: hidden; background: {bg}; }}\n"
            "canvas { display: block; width: 100vw; height: 100vh; }</style>\n</head>\n<body>\n"
            f"<canvas id=\"art\" width=\"{SIDE}\" height=\"{SIDE}\"></canvas>\n<script>\n{_HTML_HELPERS}\n"
            f"box(0, 0, {SIDE}, {SIDE}, \"{bg}\");\n{calls}\n</script>\n</body>\n</html>\n")


# ---------------------------------------------------------------------- Python (Pillow)
def _python_shape(s: Shape, how: str) -> str:
    c = _colour("python", s.colour, how)
    x, y, r = _n(s.x * 1000), _n(s.y * 1000), _n(s.size * 1000)
    if s.kind == "circle":
        return f'draw.ellipse(box({x}, {y}, {r}), fill="{c}")'
    if _is_box(s, "square"):
        return f'draw.rectangle(box({x}, {y}, {r}), fill="{c}")'
    if _is_box(s, "rect"):
        x0, y0 = _n((s.x - s.width / 2) * 1000), _n((s.y - s.height / 2) * 1000)
        x1, y1 = _n((s.x + s.width / 2) * 1000), _n((s.y + s.height / 2) * 1000)
        return f'draw.rectangle(points([({x0}, {y0}), ({x1}, {y1})]), fill="{c}")'
    if s.kind == "ring":
        width = _n(s.size * _ring_width(s) * 1000)
        return f'draw.ellipse(box({x}, {y}, {r}), outline="{c}", width=round({width} * W / 1000))'
    if s.kind == "stripe":
        return f'draw.rectangle((0, ({y} - {r}) * H / 1000, W, ({y} + {r}) * H / 1000), fill="{c}")'
    points = ", ".join(f"({_n(px * 1000)}, {_n(py * 1000)})" for px, py in s.outline())
    return f'draw.polygon(points([{points}]), fill="{c}")'


def python(scene: Scene, spelling: str = "names") -> str:
    """The scene as a Python program drawing with Pillow (coordinates in thousandths of the canvas)."""
    calls = "\n".join(_python_shape(s, spelling) for s in scene.shapes)
    return ("import os\n\nfrom PIL import Image, ImageDraw\n\n"
            "W = int(os.environ.get(\"CODEPAINT_WIDTH\", \"512\"))\n"
            "H = int(os.environ.get(\"CODEPAINT_HEIGHT\", \"512\"))\n\n\n"
            "def box(x, y, r):\n"
            "    return ((x - r) * W / 1000, (y - r) * H / 1000,\n"
            "            (x + r) * W / 1000, (y + r) * H / 1000)\n\n\n"
            "def points(pairs):\n    return [(x * W / 1000, y * H / 1000) for x, y in pairs]\n\n\n"
            f"image = Image.new(\"RGB\", (W, H), \"{_colour('python', scene.background, spelling)}\")\n"
            "draw = ImageDraw.Draw(image)\n"
            f"{calls}\nimage.save(os.environ.get(\"CODEPAINT_OUTPUT\", \"picture.png\"))\n")


# ---------------------------------------------------------------------- TikZ
def _tikz_shape(s: Shape, name: str) -> str:
    k = 10.0  # cm
    x, y, r = _n(s.x * k, 2), _n(s.y * k, 2), _n(s.size * k, 2)
    if s.kind == "circle":
        return f"\\fill[{name}] ({x},{y}) circle[radius={r}];"
    if _is_box(s, "square"):
        x0, y0 = _n((s.x - s.size) * k, 2), _n((s.y - s.size) * k, 2)
        x1, y1 = _n((s.x + s.size) * k, 2), _n((s.y + s.size) * k, 2)
        return f"\\fill[{name}] ({x0},{y0}) rectangle ({x1},{y1});"
    if _is_box(s, "rect"):
        x0, y0 = _n((s.x - s.width / 2) * k, 2), _n((s.y - s.height / 2) * k, 2)
        x1, y1 = _n((s.x + s.width / 2) * k, 2), _n((s.y + s.height / 2) * k, 2)
        return f"\\fill[{name}] ({x0},{y0}) rectangle ({x1},{y1});"
    if s.kind == "ring":
        return (f"\\fill[{name}, even odd rule] ({x},{y}) circle[radius={r}] "
                f"({x},{y}) circle[radius={_n(s.size * s.inner * k, 2)}];")
    if s.kind == "stripe":
        return f"\\fill[{name}] (-1,{_n((s.y - s.size) * k, 2)}) rectangle (11,{_n((s.y + s.size) * k, 2)});"
    points = " -- ".join(f"({_n(px * k, 2)},{_n(py * k, 2)})" for px, py in s.outline())
    return f"\\fill[{name}] {points} -- cycle;"


def tikz(scene: Scene, spelling: str = "names") -> str:
    r"""The scene as a tikzpicture (y pointing down, 10 cm square).

    ``names``: xcolor's own names, and the ``\definecolor`` lines the prompt gives for the others;
    ``palette``: every colour defined from the palette (prefixed ``cp``, so xcolor's ``red``... stay).
    """
    colours = list(dict.fromkeys([scene.background, *(s.colour for s in scene.shapes)]))
    if spelling == "names":
        defs = [tikz_definition(c) for c in defined("tikz", colours)]
        name = {c: c for c in colours}
    else:
        _colour("tikz", colours[0], spelling)  # rejects an unknown spelling
        name = {c: "cp" + c for c in colours}
        defs = [f"\\definecolor{{{name[c]}}}{{HTML}}{{{PALETTE[c][1:].upper()}}}" for c in colours]
    lines = ["\\begin{tikzpicture}[x=1cm, y=-1cm]", *defs,
             "\\path[use as bounding box] (0,0) rectangle (10,10);",
             f"\\fill[{name[scene.background]}] (-1,-1) rectangle (11,11);",
             *(_tikz_shape(s, name[s.colour]) for s in scene.shapes), "\\end{tikzpicture}"]
    return "\n".join(lines) + "\n"


def writers() -> dict[str, Callable[[Scene, str], str]]:
    """Every language the generator writes now, and its writer: the table's ``scene_writer`` entries."""
    return {name: resolve(spec.scene_writer) for name, spec in LANGUAGE_TABLE.items()
            if spec.scene_writer is not None}


def languages() -> tuple[str, ...]:
    """The languages the generator writes now (in the table's order; plugins with a writer too)."""
    return tuple(name for name, spec in LANGUAGE_TABLE.items() if spec.scene_writer is not None)


#: The languages codepaint's own writers write (the built-in table's, when this module is imported).
LANGUAGES: tuple[str, ...] = languages()


def suite_languages() -> tuple[str, ...]:
    """The languages the shipped suites (``shapes``, ``knowledge``) ask in, read from the table.

    The built-in languages the generator writes (a plugin's is in the generated levels, never in
    a versioned file), SVG first, then in the table's order: the rows' order since the suites'
    first version, kept so that a seed draws the same tasks.
    """
    built_in = [name for name in BUILTIN_LANGUAGES if LANGUAGE_TABLE[name].scene_writer is not None]
    return tuple(sorted(built_in, key=lambda name: name != "svg"))


def reference_programs(scene: Scene, spelling: str = "names",
                       languages: tuple[str, ...] | None = None) -> dict[str, str]:
    """The scene's program in each of ``languages`` (default: every one the generator writes now).

    Raises:
        ValueError: A language the generator does not write.
    """
    table = writers()
    wanted = tuple(table) if languages is None else languages
    unknown = [x for x in wanted if x not in table]
    if unknown:
        raise ValueError(f"the shapes generator writes {', '.join(table)}, not {', '.join(unknown)}")
    return {language: table[language](scene, spelling) for language in wanted}
