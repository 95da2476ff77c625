"""Programs that draw a scene of shapes, in each language, and the broken kinds of them.

A scene is a background and a few shapes; :func:`write` turns it into a program of one
language, and :func:`program` into a program of one kind: ``valid``, ``syntax`` (broken the way
truncated completions are), ``blank`` (the background only), ``timeout`` (never finishes),
``too_large`` (over the renderer's size cap) or a hack probe (``hack_text``: a caption written
across the picture; ``hack_block``: one flat block; ``hack_near_uniform``: a few dots on a
blank canvas). Plain functions of plain values: :mod:`rewards.testing.strategies` draws the values.
"""

from __future__ import annotations

from dataclasses import dataclass

from codepaint_env.render.languages import BUILTIN_LANGUAGES

#: Languages :func:`write` writes: every built-in language of the table, in its order.
LANGUAGES: tuple[str, ...] = BUILTIN_LANGUAGES
#: Kinds of program :func:`program` makes.
PROGRAM_KINDS: tuple[str, ...] = ("valid", "syntax", "blank", "timeout", "too_large",
                                  "hack_text", "hack_block", "hack_near_uniform")
#: Languages that cannot express a program that runs forever.
NO_TIMEOUT: frozenset[str] = frozenset({"svg", "tikz"})
#: Bytes past which the renderer rejects a program (``Renderer(max_code_bytes=...)``'s default).
MAX_CODE_BYTES = 1_000_000


@dataclass(frozen=True)
class Shape:
    """One shape of a scene, in fractions of the canvas (``r`` of its width)."""

    kind: str  # "circle" or "rect"
    colour: tuple[int, int, int]
    x: float
    y: float
    r: float


@dataclass(frozen=True)
class Scene:
    """A background colour and shapes drawn over it, in order."""

    background: tuple[int, int, int]
    shapes: tuple[Shape, ...]
    caption: str = ""


def _hex(c: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c)


def _p5(scene: Scene, side: int, brush: bool) -> str:
    lines = [f"createCanvas({side}, {side});", f"background('{_hex(scene.background)}');", "noStroke();"]
    for s in scene.shapes:
        x, y, r = round(s.x * side), round(s.y * side), max(1, round(s.r * side))
        lines.append(f"fill('{_hex(s.colour)}');")
        lines.append(f"circle({x}, {y}, {2 * r});" if s.kind == "circle"
                     else f"rect({x - r}, {y - r}, {2 * r}, {2 * r});")
    if scene.caption:
        lines += ["fill(0);", f"textSize({side // 8});", f"text({scene.caption!r}, 4, {side // 2});"]
    head = "// p5.brush sketch\n" if brush else ""
    return head + "function setup() {\n  " + "\n  ".join(lines) + "\n}\n"


def _svg_body(scene: Scene, side: int) -> list[str]:
    body = [f'<rect width="{side}" height="{side}" fill="{_hex(scene.background)}"/>']
    for s in scene.shapes:
        x, y, r = round(s.x * side), round(s.y * side), max(1, round(s.r * side))
        fill = _hex(s.colour)
        body.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="{fill}"/>' if s.kind == "circle"
                    else f'<rect x="{x - r}" y="{y - r}" width="{2 * r}" height="{2 * r}" fill="{fill}"/>')
    if scene.caption:
        body.append(f'<text x="4" y="{side // 2}" font-size="{side // 8}">{scene.caption}</text>')
    return body


def _svg(scene: Scene, side: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" '
            f'viewBox="0 0 {side} {side}">\n  ' + "\n  ".join(_svg_body(scene, side)) + "\n</svg>\n")


def _html(scene: Scene, side: int) -> str:
    return ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>scene</title>\n"
            f"</head>\n<body style=\"margin:0\">\n{_svg(scene, side)}</body>\n</html>\n")


def _python(scene: Scene, side: int) -> str:
    lines = ["import os", "from PIL import Image, ImageDraw", "",
             "w = int(os.environ.get('CODEPAINT_WIDTH', 512))",
             "h = int(os.environ.get('CODEPAINT_HEIGHT', 512))",
             f"im = Image.new('RGB', (w, h), {scene.background!r})", "d = ImageDraw.Draw(im)"]
    for s in scene.shapes:
        box = (f"((({s.x!r} - {s.r!r}) * w, ({s.y!r} - {s.r!r}) * h), "
               f"(({s.x!r} + {s.r!r}) * w, ({s.y!r} + {s.r!r}) * h))")
        lines.append(f"d.{'ellipse' if s.kind == 'circle' else 'rectangle'}({box}, fill={s.colour!r})")
    if scene.caption:
        lines.append(f"d.text((4, h // 2), {scene.caption!r}, fill=(0, 0, 0))")
    lines.append("im.save(os.environ.get('CODEPAINT_OUTPUT', 'picture.png'))")
    return "\n".join(lines) + "\n"


def _tikz(scene: Scene, side: int) -> str:
    def rgb(c: tuple[int, int, int]) -> str:
        return "{rgb,255:red,%d;green,%d;blue,%d}" % c  # noqa: UP031 (TikZ's braces)

    lines = [r"\begin{tikzpicture}", rf"\fill[color={rgb(scene.background)}] (0,0) rectangle (10,10);"]
    for s in scene.shapes:
        x, y, r = 10 * s.x, 10 * (1 - s.y), max(0.1, 10 * s.r)
        shape = f"({x:.2f},{y:.2f}) circle ({r:.2f})" if s.kind == "circle" else \
            f"({x - r:.2f},{y - r:.2f}) rectangle ({x + r:.2f},{y + r:.2f})"
        lines.append(rf"\fill[color={rgb(s.colour)}] {shape};")
    if scene.caption:
        lines.append(rf"\node at (5,5) {{{scene.caption}}};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines) + "\n"


def write(scene: Scene, language: str, side: int = 256) -> str:
    """The program drawing ``scene`` on a ``side``-pixel square canvas, in ``language``.

    Raises:
        ValueError: For a language not in :data:`LANGUAGES`.
    """
    if language in ("p5", "p5brush"):
        return _p5(scene, side, brush=language == "p5brush")
    writers = {"svg": _svg, "html": _html, "python": _python, "tikz": _tikz}
    if language not in writers:
        raise ValueError(f"no programs in {language!r}; rewards.testing writes {', '.join(LANGUAGES)}")
    return writers[language](scene, side)


def _broken(code: str, language: str) -> str:
    """The program cut the way a truncated completion is: a syntax error in its language."""
    if language in ("p5", "p5brush"):
        return code.rstrip().removesuffix("}")  # the missing closing brace
    if language == "svg":
        return code.replace("</svg>", "").replace("/>", ">", 1)  # unclosed elements: not XML
    if language == "html":
        return code.replace("</body>", "<script>function (</script></body>")
    if language == "python":
        return code + "def broken(:\n"
    return code.replace(r"\end{tikzpicture}", r"\fill (0,0 circle (1);")


def _forever(code: str, language: str) -> str:
    if language in ("p5", "p5brush"):
        return code.replace("function setup() {\n", "function setup() {\n  while (true) {}\n", 1)
    if language == "html":
        return code.replace("</body>", "<script>while (true) {}</script></body>")
    if language == "python":
        return "while True:\n    pass\n" + code
    raise ValueError(f"a {language} program cannot run forever: choose another kind or language")


def _pad(code: str, language: str) -> str:
    """``code`` padded with a comment past :data:`MAX_CODE_BYTES`."""
    filler = "x" * (MAX_CODE_BYTES + 1)
    comment = {"svg": f"<!-- {filler} -->\n", "html": f"<!-- {filler} -->\n", "python": f"# {filler}\n",
               "tikz": f"% {filler}\n"}.get(language, f"// {filler}\n")
    return code + comment if language not in ("svg", "html") else code.replace("\n", "\n" + comment, 1)


def program(scene: Scene, language: str, kind: str = "valid", side: int = 256) -> str:
    """A program of ``kind`` (see :data:`PROGRAM_KINDS`) from ``scene``, in ``language``.

    Raises:
        ValueError: For an unknown kind or language, or ``timeout`` in a language without loops.
    """
    if kind not in PROGRAM_KINDS:
        raise ValueError(f"unknown program kind {kind!r}; choose from {', '.join(PROGRAM_KINDS)}")
    if kind == "blank":
        return write(Scene(scene.background, ()), language, side)
    if kind == "hack_text":
        return write(Scene(scene.background, scene.shapes, caption=scene.caption or "10/10 MASTERPIECE"),
                     language, side)
    if kind == "hack_block":
        colour = scene.shapes[0].colour if scene.shapes else (200, 60, 80)
        return write(Scene(scene.background, (Shape("rect", colour, 0.5, 0.5, 0.3),)), language, side)
    if kind == "hack_near_uniform":
        dots = tuple(Shape("rect", s.colour, s.x, s.y, 0.5 / side) for s in scene.shapes[:4])
        return write(Scene(scene.background, dots), language, side)
    code = write(scene, language, side)
    if kind == "syntax":
        return _broken(code, language)
    if kind == "timeout":
        return _forever(code, language)
    if kind == "too_large":
        return _pad(code, language)
    return code


def decorate(code: str, language: str, comment: str, spaces: int) -> str:
    """The same program with a comment and whitespace added (which cannot change a pixel).

    The comment is cleaned of what would end it early (``*/``, ``-->``, newlines, XML's ``--``) and
    of control characters.
    """
    comment = "".join(c if c.isprintable() else " " for c in comment)  # no newline, no control character
    comment = comment.replace("*/", "").replace("-->", "")
    pad = " " * spaces
    if language in ("svg", "html"):
        while "--" in comment:
            comment = comment.replace("--", "-")
        head, _, rest = code.partition("\n")
        if language == "html" and head.lower().startswith("<!doctype"):
            return f"{head}\n<!-- {comment} -->\n{pad}{rest}\n\n"
        return f"<!-- {comment} -->\n{pad}" + code + "\n\n"
    if language == "python":
        return f"# {comment}\n" + code + f"\n{pad}\n"
    if language == "tikz":
        return f"% {comment}\n" + code + f"\n{pad}\n"
    return f"/* {comment} */\n// {comment}\n" + code.replace(";", f";{pad}\n") + "\n"
