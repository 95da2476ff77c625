"""The documents each browser language is rendered in.

Every render is a document on an origin of its own, ``http://r<N>.codepaint.invalid/`` (``.invalid``
is reserved and can never resolve), whose files are served from memory by request routing; the
pinned JS comes from one fixed origin, :data:`ASSET_ORIGIN`, so the browser's HTTP and code caches
keep it compiled between renders. Nothing else is reachable.

The page a language gets is its table entry's ``page`` (:class:`~codepaint_env.core.languages.LanguageSpec`):

* ``"sketch"`` (p5, p5brush): p5.js + the language's ``libraries`` (p5.brush) + the harness, then
  the sketch as a classic script (global or instance mode). The main p5 canvas is scaled to fit
  the viewport (``object-fit: contain``), so a 700x410 sketch in a 512x512 render is letterboxed,
  not cropped. A sketch with no libraries runs on p5.js 1.11 instead of 2.x when it uses API only
  1.x has (:mod:`.p5compat`).
* ``"image"`` (svg): the SVG shown through an ``<img>`` element, which never runs its scripts nor
  loads anything, scaled to fit the viewport.
* ``"document"`` (html): the program is the page itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from urllib.parse import urlsplit

from codepaint_env.core.languages import LANGUAGES
from codepaint_env.render.browser.assets import JSAssets
from codepaint_env.render.browser.p5compat import CDN_MAJOR, uses_p5_v1
from codepaint_env.render.svg import prepare_svg

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

_JS = resources.files("codepaint_env.render.browser") / "js"
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
    """The page for one program in one of the browser languages.

    Raises:
        ValueError: The language's table entry names no browser page (``LanguageSpec.page``).
    """
    kind = LANGUAGES[language].page
    libraries = list(LANGUAGES[language].libraries)
    config = {
        "seed": int(seed) & 0xFFFFFFFF,
        "epoch_ms": EPOCH_MS,
        "frames": int(frames),
        "max_canvas": int(max_canvas),
        "allowed_api": list(allowed_api) if allowed_api else None,
        "settle_frames": 2,
        "wait": "p5" if kind == "sketch" else "load",
        "fatal_errors": kind == "sketch",
    }
    js = "text/javascript; charset=utf-8"
    if kind == "sketch":
        v1 = not libraries and uses_p5_v1(code)
        engine = ["p5-v1"] if v1 else ["p5", *libraries]
        libs = [_ASSET_NAMES[name] for name in engine] + ["p5-harness.js"]
        # crossorigin + CORS headers: errors thrown inside p5 keep their messages
        tags = "".join(f'<script crossorigin="anonymous" src="{ASSET_ORIGIN}{HARNESS_PREFIX}{lib}">'
                       "</script>" for lib in libs)
        tags += '<script src="/sketch.js"></script>'
        files = {"/sketch.js": (code.encode(), js)}
        files["/"] = (_doc(f"<style>{_STYLE}{_P5_STYLE}</style>{tags}"), "text/html; charset=utf-8")
        notes = ["note: rendered with p5.js 1.x (the sketch uses API that p5.js 2 removed)"] if v1 else []
        return PageSpec(files=files, config=config, engine=engine, notes=notes)
    if kind == "image":
        svg, notes, error = prepare_svg(code)
        files = {
            "/": (
                _doc(f"<style>{_STYLE}{_SVG_STYLE}</style>", '<img src="/image.svg" alt="">'),
                "text/html; charset=utf-8",
            ),
            "/image.svg": (svg.encode(), "image/svg+xml"),
        }
        return PageSpec(files=files, config=config, notes=notes, syntax_error=error)
    if kind == "document":
        return PageSpec(files={"/": (code.encode(), "text/html; charset=utf-8")}, config=config)
    raise ValueError(f"{language!r} names no browser page: set its LanguageSpec.page to 'sketch', 'image' "
                     "or 'document'")


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
