"""The documents each browser language is rendered in, and the scripts every render starts with.

Every render is a document on an origin of its own, ``http://r<N>.codepaint.invalid/`` (``.invalid``
is reserved and can never resolve), whose files are served from memory by request routing.
Nothing else is reachable. The pinned JS (p5.js, p5.brush) and the harness are not files of the
page: a slot injects them once, as init scripts (:func:`slot_scripts`), and every document of the
slot evaluates them before its own scripts (V8 keeps them compiled between renders). The render's
configuration travels in the address's fragment (:meth:`PageSpec.address`), so the scripts
are the same for every render.

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
from urllib.parse import quote, urlsplit

from codepaint_env.core.languages import LANGUAGES
from codepaint_env.render.browser.assets import JSAssets
from codepaint_env.render.browser.p5compat import CDN_MAJOR, uses_p5_v1
from codepaint_env.render.svg import prepare_svg

SITE = "codepaint.invalid"
#: Where the injected pinned JS says it comes from in stack traces (``//# sourceURL``); never served.
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
#: The slot's first init script (the harness's first part: containment, determinism, results).
INIT_JS = (_JS / "init.js").read_text()
HARNESS_JS = (_JS / "p5-harness.js").read_text()

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

    def address(self, url: str) -> str:
        """The address to open for this page at ``url``: the configuration in its fragment.

        A fragment never reaches request routing; ``init.js`` reads it and takes it off the address
        before the page's own scripts run.
        """
        return f"{url}#codepaint={quote(json.dumps(self.config, separators=(',', ':')), safe='')}"


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
        "engine": [],
    }
    js = "text/javascript; charset=utf-8"
    if kind == "sketch":
        v1 = not libraries and uses_p5_v1(code)
        engine = ["p5-v1"] if v1 else ["p5", *libraries]
        config["engine"] = engine  # the slot injects it, then the harness (slot_scripts)
        files = {"/sketch.js": (code.encode(), js)}
        files["/"] = (_doc(f'<style>{_STYLE}{_P5_STYLE}</style><script src="/sketch.js"></script>'),
                      "text/html; charset=utf-8")
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


#: Pinned asset -> its file name in stack traces.
_ASSET_NAMES = {"p5": "p5.min.js", "p5-v1": "p5-v1.min.js", "p5.brush": "p5.brush.js"}


def slot_scripts(engine: list[str] | tuple[str, ...], assets: JSAssets) -> list[str]:
    """The init scripts a slot adds for renders that run ``engine``: each pinned file, then the harness.

    Each runs in the top frame of a render whose configuration names it, and nowhere else (a
    frame, the slot's warm-up page). The file is wrapped in an ``if`` block at the top level of
    the script, so its ``var`` declarations and functions are globals as with a ``<script>`` tag
    (the pinned files declare nothing else at their top level), and it starts on the first line,
    so line numbers in stack traces are the file's.
    """

    def script(runs_when: str, source: str, file: str) -> str:
        return (f"if (window === window.top && window.__codepaint && {runs_when}) {{{source}\n}}\n"
                f"//# sourceURL={ASSET_ORIGIN}{HARNESS_PREFIX}{file}")

    if not engine:
        return []
    return [*(script(f"window.__codepaint.config.engine.includes({json.dumps(name)})",
                     assets.files[name].decode(), _ASSET_NAMES[name]) for name in engine),
            script("window.__codepaint.config.engine.length", HARNESS_JS, "p5-harness.js")]


def shared_asset(url: str, assets: JSAssets) -> str | None:
    """The file to serve for p5 or p5.brush asked of a CDN: our pinned copy, offline and locally."""
    path = urlsplit(url).path.lower()
    name = path.rsplit("/", 1)[-1]
    if is_ours(url):
        return None
    if ("p5.brush" in path and name.endswith(".js")) or name == "p5.brush":
        return assets.paths["p5.brush"]
    if name in ("p5.min.js", "p5.js"):
        major = CDN_MAJOR.search(path)  # p5@1.9.0, /p5.js/1.4.2/: the page wants 1.x
        return assets.paths["p5-v1" if major and major.group(1) == "1" else "p5"]
    return None
