"""The documents each browser language is rendered in.

Every render is a page on a private origin (:data:`ORIGIN`, a reserved ``.invalid`` host that can
never resolve) whose files are served from memory by request routing. Nothing else is reachable.

* ``p5brush``: p5.js + p5.brush + the harness, then the sketch as a classic script (global or
  instance mode). The main p5 canvas is scaled to fit the viewport (``object-fit: contain``), so
  a 700x410 sketch in a 512x512 render is letterboxed, not cropped.
* ``p5``: the same without p5.brush.
* ``svg``: the SVG shown through an ``<img>`` element, which never runs its scripts nor loads
  anything, scaled to fit the viewport.
* ``html``: the program is the page itself.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from importlib import resources
from urllib.parse import urlsplit

from .assets import JSAssets

ORIGIN = "http://codepaint.invalid"
INDEX_URL = f"{ORIGIN}/"
HARNESS_PREFIX = "/__codepaint__/"
#: The wall clock a program sees starts here (UTC): 10:10, the watchmakers' time.
EPOCH_MS = 1_704_103_800_000  # 2024-01-01T10:10:00Z

_JS = resources.files("codepaint_env.render") / "js"
INIT_JS = (_JS / "init.js").read_text()
P5_HARNESS_JS = (_JS / "p5-harness.js").read_bytes()

_STYLE = (
    "html,body{margin:0;padding:0;width:100%;height:100%;overflow:hidden;background:#fff}"
)
_P5_STYLE = (
    "canvas.p5Canvas{display:block;width:100vw!important;height:100vh!important;"
    "object-fit:contain}"
)
_SVG_STYLE = "img{display:block;width:100vw;height:100vh;object-fit:contain}"


@dataclass
class PageSpec:
    """What a render serves: the files of the page and the harness configuration."""

    files: dict[str, tuple[bytes, str]]  # path -> (body, content type)
    config: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # messages from building the page
    syntax_error: str | None = None  # found before any browser work

    def init_script(self) -> str:
        """The init script with this render's configuration baked in."""
        return f"const __CP_CONFIG = {json.dumps(self.config)};\n{INIT_JS}"


def _doc(head: str, body: str = "") -> bytes:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"{head}</head><body>{body}</body></html>"
    ).encode()


def build_page(
    language: str,
    code: str,
    *,
    assets: JSAssets,
    seed: int,
    frames: int,
    max_canvas: int,
    allowed_api: list[str] | None,
) -> PageSpec:
    """The page for one program in one of the browser languages."""
    config = {
        "seed": int(seed) & 0xFFFFFFFF,
        "epoch_ms": EPOCH_MS,
        "frames": int(frames),
        "max_canvas": int(max_canvas),
        "allowed_api": list(allowed_api) if allowed_api else None,
        "settle_frames": 2,
        "wait": "p5" if language in ("p5", "p5brush") else "load",
        "fatal_errors": language in ("p5", "p5brush"),
    }
    js = "text/javascript; charset=utf-8"
    if language in ("p5", "p5brush"):
        scripts = [f"{HARNESS_PREFIX}p5.min.js"]
        files = {
            f"{HARNESS_PREFIX}p5.min.js": (assets.files["p5"], js),
            f"{HARNESS_PREFIX}p5-harness.js": (P5_HARNESS_JS, js),
            "/sketch.js": (code.encode(), js),
        }
        if language == "p5brush":
            scripts.append(f"{HARNESS_PREFIX}p5.brush.js")
            files[f"{HARNESS_PREFIX}p5.brush.js"] = (assets.files["p5.brush"], js)
        scripts += [f"{HARNESS_PREFIX}p5-harness.js", "/sketch.js"]
        tags = "".join(f'<script src="{s}"></script>' for s in scripts)
        files["/"] = (_doc(f"<style>{_STYLE}{_P5_STYLE}</style>{tags}"), "text/html; charset=utf-8")
        return PageSpec(files=files, config=config)
    if language == "svg":
        svg, notes, error = prepare_svg(code)
        files = {
            "/": (
                _doc(f"<style>{_STYLE}{_SVG_STYLE}</style>", '<img src="/image.svg" alt="">'),
                "text/html; charset=utf-8",
            ),
            "/image.svg": (svg.encode(), "image/svg+xml"),
        }
        return PageSpec(files=files, config=config, notes=notes, syntax_error=error)
    if language == "html":
        return PageSpec(files={"/": (code.encode(), "text/html; charset=utf-8")}, config=config)
    raise ValueError(f"not a browser language: {language}")


_SVG_ROOT = re.compile(r"<svg\b([^>]*)>", re.IGNORECASE)


def prepare_svg(code: str) -> tuple[str, list[str], str | None]:
    """Check an SVG is well-formed XML with an ``<svg>`` root; add a missing SVG namespace.

    Returns:
        The (possibly amended) SVG, notes about amendments, and a syntax error message or None.
    """
    notes: list[str] = []
    m = _SVG_ROOT.search(code)
    if m and "xmlns=" not in m.group(1):
        # Browsers show an <svg> without its namespace as an XML tree, not a picture; models
        # often leave it out. Add it and say so rather than fail on a technicality.
        start = m.start() + 4
        code = code[:start] + ' xmlns="http://www.w3.org/2000/svg"' + code[start:]
        notes.append('note: added the missing xmlns="http://www.w3.org/2000/svg"')
    if m and "xlink:" in code and "xmlns:xlink" not in code:
        start = _SVG_ROOT.search(code).start() + 4  # type: ignore[union-attr]
        code = code[:start] + ' xmlns:xlink="http://www.w3.org/1999/xlink"' + code[start:]
        notes.append("note: added the missing xmlns:xlink namespace")
    try:
        root = ET.fromstring(code)
    except ET.ParseError as e:
        return code, notes, f"SyntaxError: the SVG is not well-formed XML: {e}"
    if root.tag.rsplit("}", 1)[-1] != "svg":
        return code, notes, f"SyntaxError: the root element is <{root.tag}>, not <svg>"
    return code, notes, None


def vendored_asset(url: str, assets: JSAssets) -> tuple[bytes, str] | None:
    """Serve our pinned p5 / p5.brush for a page that asks a CDN for them (offline, locally)."""
    path = urlsplit(url).path.lower()
    name = path.rsplit("/", 1)[-1]
    js = "text/javascript; charset=utf-8"
    if ("p5.brush" in path and name.endswith(".js")) or name == "p5.brush":
        return assets.files["p5.brush"], js
    if name in ("p5.min.js", "p5.js"):
        return assets.files["p5"], js
    return None
