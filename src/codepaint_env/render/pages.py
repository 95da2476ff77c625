"""The documents each browser language is rendered in.

Every render is a document on an origin of its own, ``http://r<N>.codepaint.invalid/`` (``.invalid``
is reserved and can never resolve), whose files are served from memory by request routing; the
pinned JS comes from one fixed origin, :data:`ASSET_ORIGIN`, so the browser's HTTP and code caches
keep it compiled between renders. Nothing else is reachable.

* ``p5brush``: p5.js + p5.brush + the harness, then the sketch as a classic script (global or
  instance mode). The main p5 canvas is scaled to fit the viewport (``object-fit: contain``), so
  a 700x410 sketch in a 512x512 render is letterboxed, not cropped.
* ``p5``: the same without p5.brush; with p5.js 1.11 instead of 2.x when the sketch uses API
  only 1.x has (:mod:`.p5compat`).
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
from .p5compat import CDN_MAJOR, uses_p5_v1

SITE = "codepaint.invalid"
ASSET_ORIGIN = f"http://assets.{SITE}"
HARNESS_PREFIX = "/__codepaint__/"


def render_url(n: int) -> str:
    """The address of render number ``n``: a fresh origin, so no storage is shared."""
    return f"http://r{n}.{SITE}/"


def is_ours(url: str) -> bool:
    """True for addresses on the private site (every render origin and the asset origin)."""
    host = urlsplit(url).hostname or ""
    return url.startswith("http://") and (host == SITE or host.endswith("." + SITE))
#: The wall clock a program sees starts here (UTC): 10:10, the watchmakers' time.
EPOCH_MS = 1_704_103_800_000  # 2024-01-01T10:10:00Z

_JS = resources.files("codepaint_env.render") / "js"
INIT_JS = (_JS / "init.js").read_text()

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

    files: dict[str, tuple[bytes, str]]  # URL path on the render's origin -> (body, content type)
    config: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # messages from building the page
    syntax_error: str | None = None  # found before any browser work
    engine: list[str] = field(default_factory=list)  # the pinned JS the page runs ("p5-v1", ...)

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
        v1 = language == "p5" and uses_p5_v1(code)
        engine = ["p5-v1"] if v1 else ["p5"] + (["p5.brush"] if language == "p5brush" else [])
        libs = [_ASSET_NAMES[name] for name in engine] + ["p5-harness.js"]
        # crossorigin + CORS headers: errors thrown inside p5 keep their messages
        tags = "".join(f'<script crossorigin="anonymous" src="{ASSET_ORIGIN}{HARNESS_PREFIX}{lib}">'
                       "</script>" for lib in libs)
        tags += '<script src="/sketch.js"></script>'
        files = {"/sketch.js": (code.encode(), js)}
        files["/"] = (_doc(f"<style>{_STYLE}{_P5_STYLE}</style>{tags}"), "text/html; charset=utf-8")
        notes = ["note: rendered with p5.js 1.x (the sketch uses API that p5.js 2 removed)"] if v1 else []
        return PageSpec(files=files, config=config, engine=engine, notes=notes)
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


#: Pinned asset -> the file name the page asks for on the asset origin.
_ASSET_NAMES = {"p5": "p5.min.js", "p5-v1": "p5-v1.min.js", "p5.brush": "p5.brush.js"}


def shared_asset(url: str, assets: JSAssets) -> str | None:
    """The file to serve for a shared asset: the harness's own, or p5 / p5.brush asked of a CDN.

    Pages that load p5 or p5.brush from a CDN get our pinned copies, offline and locally.
    """
    path = urlsplit(url).path.lower()
    name = path.rsplit("/", 1)[-1]
    if url.startswith(ASSET_ORIGIN + HARNESS_PREFIX):
        by_name = {file: assets.paths[asset] for asset, file in _ASSET_NAMES.items()}
        return {**by_name, "p5-harness.js": str(_JS / "p5-harness.js")}.get(name)
    if is_ours(url):
        return None
    if ("p5.brush" in path and name.endswith(".js")) or name == "p5.brush":
        return assets.paths["p5.brush"]
    if name in ("p5.min.js", "p5.js"):
        major = CDN_MAJOR.search(path)  # p5@1.9.0, /p5.js/1.4.2/: the page wants 1.x
        return assets.paths["p5-v1" if major and major.group(1) == "1" else "p5"]
    return None
