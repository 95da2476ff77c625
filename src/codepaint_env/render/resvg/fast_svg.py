"""`render_svg_fast`: SVG without a browser, through resvg in a sandboxed worker process.

    >>> res = render_svg_fast('<svg viewBox="0 0 2 2"><rect width="1" height="2" fill="red"/></svg>',
    ...                       256, 256)                                    # doctest: +SKIP
    >>> res.ok, res.size, res.renderer
    (True, (256, 256), 'resvg-0.48.1')

The result means what the Chromium path's means: the same size semantics, white background,
``sha256`` = :func:`pixel_sha256`, and the same ``error_kind`` for the same document (``syntax``
with the XML parser's message from :func:`svg.prepare_svg`, ``blank``, ``timeout``, ``crash``,
plus ``too_large`` for documents over the caps below). Blocking and thread-safe: call it from
worker threads (up to ``max(2, min(8, cpus))`` renders run at once, one per worker process).

**Rasteriser: resvg** (``resvg_py`` 0.5.0, resvg 0.48.1), measured against CairoSVG 2.9.1 on the
18-file parity set at 256x256 (``benchmarks/speed/svg_bench.py``; 2 cores shared, load ~5). Fidelity,
mean |difference| to Chromium: 0.61 over the set for resvg, 3.68 for CairoSVG; worst file 5.55 vs
23.95. CairoSVG has no ``feGaussianBlur`` (12.3 on the filter file), ignores masks (16.7), tiles
patterns wrongly (24.0) and sets text differently (8.5). Speed: CairoSVG is the faster one
in-process (~120 renders/s against ~85 for in-process resvg, ~1.4x; it skips the filter and mask
work), but it needs the system libcairo; resvg is one self-contained wheel. Through this module
resvg does 65-70 renders/s one at a time (75-82/s from 2 threads) against Chromium's 8-9/s
(``Renderer(cache_size=0)``, ``render`` or ``render_many``): ~8x. Checking and rewriting the
document costs ~0.1 ms (0.2 s for a 1 MB one).

**Isolation: a persistent sandboxed worker.** In-process, resvg cannot be interrupted (no timeout:
a ``feTurbulence`` with 10^5 octaves runs for minutes) nor its memory capped (40 nested
``opacity`` layers at 2048 px want GBs). A one-shot ``run_sandboxed`` per render (start-up,
namespaces, python, ``import resvg_py``) measured 55 ms median (~110 ms mean under load) a render
against 11.4 ms for resvg in-process: most of the gain over Chromium (~115 ms a render one at
a time) gone. So each worker is one python started once in the sandbox of :mod:`.sandbox`
(``sandbox_mode().prefix``: own network and PID namespaces, user ``nobody``; empty environment;
an empty read-only working directory, also resvg's resources directory) that sets its own
rlimits before reading anything (:data:`WORKER_LIMITS`: 2 GB address space, no core file, 1 MB
file writes) and is fed documents over a pipe (length-prefixed frames, no pickle; its own
descriptor for replies, so nothing resvg prints can garble them): 12.2 ms median a render, 0.8 ms
over in-process. At the timeout the worker's process group is killed (``timeout``); a worker
that dies (the memory limit: SIGSEGV from the allocator) or panics gives ``crash``; the next
render starts a new one. A worker that answers a picture PIL cannot read (or of the wrong size)
gives ``infra``: that is our worker's fault, not the program's. Workers are recycled every
:data:`RECYCLE_EVERY` renders.

**Containment.** resvg resolves every ``<image>``/``<feImage>`` href that is not a ``data:`` URL
as a file path, absolute and ``../`` paths included, whatever the resources directory (measured:
the worker, as ``nobody``, loads a world-readable PNG that way). So every ``href``/``xlink:href``
that is not ``data:`` or ``#fragment`` (on ``<image>``: not ``data:``) is removed before
rendering and reported as ``blocked external reference``: nothing Chromium's ``<img>`` would load
either. SVGs inside ``data:`` images load no images of their own (resvg). resvg has no network
code and the worker no network; ``<?xml-stylesheet?>`` and CSS ``@import`` are ignored; external
XML entities do not parse (``syntax``). Before any rasterising a streaming expat pass rejects
documents over :data:`MAX_NODES` elements or :data:`MAX_DEPTH` deep (``too_large``, no tree
built: 10^7 elements are refused in ~0.4 s), and ``<use>`` bombs expanding past
:data:`MAX_EXPANDED_NODES` are refused from the tree. A huge ``width="100000"`` costs nothing:
the root is always re-sized to the output.

**Sizing.** ``svg.prepare_svg`` shows the SVG in ``<img style="width:100vw;height:100vh;
object-fit:contain">`` on a white page; :func:`.svg.fit_box` reproduces that (within 0.7
mean |difference| of Chromium on 32 root-sizing probes at 200x100, 100x200 and 256x256): absolute ``width`` +
``height`` give the aspect ratio, else the ``viewBox`` does (not with
``preserveAspectRatio="none"``); with a ratio the picture is the largest box of it, centred, its
edges snapped to whole pixels (half up); without, it fills the output, stretched from absolute
sides; percentages and missing sizes mean the output's; zero or negative sizes draw unscaled; a
zero-sized ``viewBox`` draws nothing. ``x``/``y`` on the root are ignored (as in Chromium). The
root's CSS ``background``/``background-color`` (its ``style``, or a ``svg``/``:root`` rule) fills
the whole picture, as Chromium paints it (resvg alone paints ``background-color`` over the
``viewBox`` only). Generic fonts are the ones Chromium gets here from fontconfig: serif and the
default = Liberation Serif, sans-serif = Liberation Sans, monospace = Liberation Mono
(:data:`FONTS`; DejaVu would differ by 8.6 on the text file instead of 1.1).

**What differs from Chromium** (mean |difference| at 256x256 in ``tests/render/test_fast_svg.py``,
measured, then the test's bound): edge anti-aliasing of shapes, paths, strokes, gradients,
transforms, clips, masks, markers, CSS, ``<use>``: 0.03-0.34 (bound 1.0); text: 1.1 (2.0; glyph
hinting and placement; a glyph missing from the font makes resvg pick one fallback font for the
whole run, where Chromium falls back per glyph); ``feGaussianBlur``: 1.1 (2.0; resvg's box-blur
approximation); scaled raster images: 0.6 (1.5; the resampling filter); patterns: 5.6 (7.0; resvg
renders a tile as a whole-pixel image, 25.6 -> 26 px here, so the tiling drifts ~0.4 px a tile,
where Chromium tiles exactly). Not supported by resvg, so rendered differently: ``foreignObject``
(HTML), CSS custom properties (``var()``), SMIL animation (Chromium shows the animated state at
capture time, resvg the base value). A ``transform`` on the root ``<svg>`` is dropped (Chromium
applies it to the whole picture as a CSS transform about its centre). Percentages inside a
document whose root ``width``/``height`` is a percentage other than 100% and that has no
``viewBox`` resolve against another box than in Chromium.
"""

from __future__ import annotations

import colorsys
import io
import math
import re
import signal
import time
import xml.etree.ElementTree as ET
import xml.parsers.expat
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageColor

from codepaint_env.core.errors import RendererUnavailable
from codepaint_env.core.images import BLANK_TOLERANCE, is_blank, pixel_sha256
from codepaint_env.core.result import RenderResult, failed
from codepaint_env.render.resvg.pool import (
    WORKER_LIMITS,
    WorkerDied,
    WorkerPool,
    WorkerTimeout,
    default_pool,
    shutdown_workers,
)
from codepaint_env.render.svg import Fit, fit_box, prepare_svg

__all__ = ["WORKER_LIMITS", "WorkerPool", "rasteriser_version", "render_svg_fast", "shutdown_workers"]

SVG_NS = "http://www.w3.org/2000/svg"

#: Elements a document may hold (after the Renderer's byte cap: 1 MB is ~40k elements in practice).
MAX_NODES = 250_000
#: Nesting depth cap (Blink's own parser stops at 512; serialising deeper trees would recurse).
MAX_DEPTH = 400
#: Elements the document may expand to through ``<use>`` (a ``<use>`` bomb is rejected up front).
MAX_EXPANDED_NODES = 2_000_000
#: Generic font families, resolved the way Chromium resolves them here (see the docstring).
FONTS = {
    "font_family": "Liberation Serif",
    "serif_family": "Liberation Serif",
    "sans_serif_family": "Liberation Sans",
    "monospace_family": "Liberation Mono",
    "cursive_family": "Liberation Sans",
    "fantasy_family": "Liberation Sans",
}
_MAX_BLOCKED_MESSAGES = 10
#: Signals that end a worker only from outside: the render is retried on a fresh worker, then
#: ``infra``. The memory limit ends it with SIGABRT or SIGSEGV (the program's ``crash``).
_OUTSIDE_SIGNALS = frozenset({signal.SIGKILL, signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT})
#: The languages ``<switch>`` / ``systemLanguage`` are resolved against: those of the browser
#: contexts' ``en-US`` locale, as Chromium matches them (a value matches when it is ``en`` or
#: starts with ``en-``, case-insensitively). resvg_py's default is no language at all, which
#: made every ``<switch>`` fall through to its last child.
LANGUAGES = ["en"]


def rasteriser_version() -> str:
    """``resvg-<version>`` of the installed resvg (no worker is started for it)."""
    import resvg_py

    return f"resvg-{resvg_py.__resvg_version__}"


# ---------------------------------------------------------------------- checks before any work
class _TooLarge(Exception):
    pass


def _count_elements(code: str) -> None:
    """Stream the document with expat (no tree), raising `_TooLarge` past the node or depth caps.

    A malformed document just stops the count: ``prepare_svg`` reports it as Chromium's path does.
    """
    parser = xml.parsers.expat.ParserCreate()
    state = {"n": 0, "depth": 0}

    def start(_name: str, _attrs: dict) -> None:
        state["n"] += 1
        state["depth"] += 1
        if state["n"] > MAX_NODES:
            raise _TooLarge(f"the SVG has more than {MAX_NODES:,} elements")
        if state["depth"] > MAX_DEPTH:
            raise _TooLarge(f"the SVG nests elements more than {MAX_DEPTH} deep")

    def end(_name: str) -> None:
        state["depth"] -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    data = code.encode("utf-8", errors="surrogatepass")
    step = 1 << 20
    try:
        for i in range(0, len(data), step):
            parser.Parse(data[i:i + step], False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError:
        return


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _expanded_size(root: ET.Element) -> int:
    """Elements the tree expands to once every ``<use>`` is instantiated (0 without any ``<use>``).

    A reference cycle counts once (resvg skips self-referencing ``<use>``); counts saturate just
    past :data:`MAX_EXPANDED_NODES`.
    """
    if next(root.iter(f"{{{SVG_NS}}}use"), None) is None and next(root.iter("use"), None) is None:
        return 0  # nothing is instantiated twice: the element cap already bounds the work
    by_id: dict[str, ET.Element] = {}
    for el in root.iter():
        i = el.get("id")
        if i is not None and i not in by_id:
            by_id[i] = el
    memo: dict[int, int] = {}
    active: set[int] = set()

    def ref_of(el: ET.Element) -> ET.Element | None:
        if _local(el.tag) != "use":
            return None
        for k, v in el.attrib.items():
            if _local(k) == "href" and v.strip().startswith("#"):
                return by_id.get(v.strip()[1:])
        return None

    # Iterative post-order (documents may be MAX_DEPTH deep, use chains longer still).
    stack: list[tuple[ET.Element, bool]] = [(root, False)]
    while stack:
        el, done = stack.pop()
        key = id(el)
        if done:
            active.discard(key)
            ref = ref_of(el)
            total = 1 + sum(memo.get(id(c), 0) for c in el)
            if ref is not None and id(ref) in memo:
                total += memo[id(ref)]
            memo[key] = min(total, MAX_EXPANDED_NODES + 1)
            continue
        if key in memo or key in active:
            continue  # done already, or a cycle (resvg skips self-referencing <use>)
        active.add(key)
        stack.append((el, True))
        ref = ref_of(el)
        if ref is not None and id(ref) not in memo and id(ref) not in active:
            stack.append((ref, False))
        stack.extend((c, False) for c in el if id(c) not in memo)
    return memo.get(id(root), 1)


def _block_external(root: ET.Element) -> list[str]:
    """Drop every reference that would make resvg read a file: returns the dropped addresses.

    resvg resolves ``<image>`` / ``<feImage>`` hrefs that are not ``data:`` URLs as file paths
    (absolute ones and ``../`` included, whatever the resources directory); Chromium's ``<img>``
    never loads them, so dropping them changes nothing that Chromium would show.
    """
    blocked: list[str] = []
    for el in root.iter():
        image = _local(el.tag) == "image"
        for k in [k for k in el.attrib if _local(k) == "href"]:
            v = el.attrib[k].strip()
            ok = v.startswith("data:") or (v.startswith("#") and not image)
            if not ok:
                blocked.append(v)
                del el.attrib[k]
    return blocked


# ---------------------------------------------------------------------- the root's background
_COLOUR_FN = re.compile(r"^(rgba?|hsla?)\(\s*([^()]*)\)$", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _css_colour(value: str) -> str | None:
    """One CSS colour as ``#rrggbbaa``; None when ``value`` is not a plain colour.

    ``transparent`` is ``#00000000``. (Validated here: resvg_py panics on a colour it can't parse.)
    """
    v = value.strip()
    if v.lower() == "transparent":
        return "#00000000"
    try:
        m = _COLOUR_FN.match(v)
        if m:
            parts = [p for p in re.split(r"[\s,/]+", m.group(2).strip()) if p]
            if len(parts) not in (3, 4):
                return None
            a = 1.0
            if len(parts) == 4:
                a = float(parts[3][:-1]) / 100 if parts[3].endswith("%") else float(parts[3])
            if m.group(1).lower().startswith("rgb"):
                rgb = [float(p[:-1]) * 2.55 if p.endswith("%") else float(p) for p in parts[:3]]
            else:
                h = float(parts[0].lower().removesuffix("deg")) / 360 % 1
                sat, light = (float(p.rstrip("%")) / 100 for p in parts[1:3])
                rgb = [c * 255 for c in colorsys.hls_to_rgb(h, min(max(light, 0), 1), min(max(sat, 0), 1))]
            rgba = (*rgb, a * 255)
        else:
            c = ImageColor.getrgb(v)
            rgba = (*c[:3], c[3] if len(c) == 4 else 255)
    except ValueError:
        return None
    if not all(math.isfinite(x) for x in rgba):
        return None
    r, g, b, al = (min(255, max(0, round(x))) for x in rgba)
    return f"#{r:02x}{g:02x}{b:02x}{al:02x}"


def _declared_background(declarations: str) -> str | None:
    """The background colour a CSS declaration block sets (the last one wins), or None."""
    found = None
    for decl in declarations.split(";"):
        name, _, value = decl.partition(":")
        name, value = name.strip().lower(), value.replace("!important", "").strip()
        if name == "background-color":
            found = _css_colour(value) or found
        elif name == "background":
            # the shorthand resets the colour: to its colour token if there is one, else none
            tokens = re.findall(r"[^\s(]+(?:\([^)]*\))?", value)
            found = next((c for c in map(_css_colour, tokens) if c), "#00000000")
    return found


def _root_background(root: ET.Element) -> str | None:
    """The root ``<svg>``'s CSS background colour, taken out of the document.

    Chromium paints it over the whole picture; resvg paints ``background-color`` over the
    ``viewBox`` only, and not the ``background`` shorthand. So the colour (``#rrggbbaa``) of the
    root's ``style``, or of a ``svg``/``:root`` stylesheet rule, is returned for the rasteriser
    to fill the picture with, and neutralised in the document.
    """
    colour = None
    for el in root.iter():
        if _local(el.tag) == "style":
            for selectors, body in _CSS_RULE.findall(_CSS_COMMENT.sub("", "".join(el.itertext()))):
                if any(sel.strip().lower() in ("svg", ":root") for sel in selectors.split(",")):
                    colour = _declared_background(body) or colour
    inline = root.get("style")
    if inline is not None:
        colour = _declared_background(inline) or colour
        kept = [d for d in inline.split(";")
                if d.partition(":")[0].strip().lower() not in ("background", "background-color")]
        root.set("style", ";".join(kept))
    if colour is not None:  # and no stylesheet rule paints it again, over the viewBox only
        root.set("style", (root.get("style", "") + ";background-color:transparent").lstrip(";"))
    return colour


# ---------------------------------------------------------------------- the render
@dataclass
class _Prepared:
    """A document ready for the rasteriser: the root sized to ``fit``, external references gone."""

    doc: str
    fit: Fit
    messages: list[str]
    background: str = "#ffffff"  # what the picture is filled with first (the root's CSS background)


def _prepare(text: str, width: int, height: int) -> _Prepared | tuple[str, str, list[str]]:
    """Check and rewrite the document; ``(error_kind, message, notes)`` when it must not render."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return "syntax", f"SyntaxError: the SVG is not valid Unicode text: {e}", []
    try:
        _count_elements(text)
    except _TooLarge as e:
        return "too_large", f"too_large: {e}", []
    svg, notes, error = prepare_svg(text)
    if error:
        return "syntax", error, notes
    root = ET.fromstring(svg)
    if _expanded_size(root) > MAX_EXPANDED_NODES:
        return ("too_large", f"too_large: the SVG expands to more than {MAX_EXPANDED_NODES:,} "
                "elements through <use>", notes)
    messages = list(notes)
    for el in root.iter():  # BCP 47 tags are case-insensitive (Chromium); resvg compares exactly
        lang = el.get("systemLanguage")
        if lang is not None:
            el.set("systemLanguage", lang.lower())
    blocked = _block_external(root)
    messages += [f"blocked external reference: {u[:200]}" for u in blocked[:_MAX_BLOCKED_MESSAGES]]
    if len(blocked) > _MAX_BLOCKED_MESSAGES:
        messages.append(f"... {len(blocked) - _MAX_BLOCKED_MESSAGES} more external references blocked")
    background = _root_background(root) or "#ffffff"
    fit = fit_box(root, width, height)
    # Chromium ignores x and y on the root of an SVG image, and applies a root transform to the
    # picture as a whole (a CSS transform about its centre, clip included): dropped here.
    for k in ("x", "y", "transform", "width", "height", "viewBox", "preserveAspectRatio"):
        root.attrib.pop(k, None)
    root.set("width", str(fit.w))
    root.set("height", str(fit.h))
    root.set("viewBox", fit.view_box)
    root.set("preserveAspectRatio", fit.aspect)
    # ElementTree writes generated prefixes (<ns0:svg xmlns:ns0=...>): the same document to resvg.
    return _Prepared(ET.tostring(root, encoding="unicode"), fit, messages, background)


def render_svg_fast(
    code: str, width: int, height: int, *, timeout_s: float = 20.0, seed: int = 0,
    workers: WorkerPool | None = None,
) -> RenderResult:
    """Render an SVG with resvg, sized, fitted and checked like the Chromium path.

    Args:
        code: The SVG document.
        width: Output width in pixels (1-8192).
        height: Output height in pixels (1-8192).
        timeout_s: Bound on the rasterisation (the worker is killed at it).
        seed: Recorded in the result (an SVG has no randomness).
        workers: The worker pool to render on (default: the process-wide one).

    Returns:
        A RenderResult with ``language="svg"`` and ``renderer="resvg-<version>"``; a failed
        document is a result with ``ok=False`` (``syntax``, ``too_large``, ``timeout``,
        ``crash``, ``runtime``, ``blank``, ``empty``), not an exception.

    Raises:
        ValueError: For an output size outside 1-8192 or a non-positive timeout.
    """
    t0 = time.perf_counter()
    width, height = int(width), int(height)
    if not (1 <= width <= 8192 and 1 <= height <= 8192):
        raise ValueError(f"size {width}x{height}: each side must be between 1 and 8192 pixels")
    if timeout_s <= 0:
        raise ValueError("timeout_s must be positive, e.g. 20")
    text = "" if code is None else str(code)
    kw = {"seed": int(seed), "renderer": rasteriser_version()}
    if not text.strip():
        return failed("svg", "empty", "no code to render", **kw)
    prep = _prepare(text, width, height)
    if not isinstance(prep, _Prepared):
        kind, message, notes = prep
        res = failed("svg", kind, message, **kw)
        res.messages += notes
        return res
    if prep.fit.empty:  # a zero-sized viewBox disables rendering: the page's white shows
        prep.messages.append("note: the viewBox has a zero width or height, which disables rendering")
        pic = Image.new("RGB", (width, height), (255, 255, 255))
        return _finish(pic, 0.0, prep, width, height, kw, t0)
    pool = workers or default_pool()
    outside_kills = 0
    while True:
        try:
            worker = pool.acquire()
        except WorkerDied as e:
            if pool.version is None:  # never started here: a broken installation, not a bad program
                raise RendererUnavailable(f"{e}. The fast SVG renderer needs the resvg-py package "
                                          "(pip install resvg-py) importable by the sandbox user") from None
            return failed("svg", "infra", f"infra: {e}", **kw)
        healthy = False
        deadline = worker.deadline(timeout_s)  # waits on while the machine holds resvg back
        try:
            status, ms, payload = worker.call(_request(prep, worker.home), timeout_s, deadline)
            healthy = status in (b"O", b"E")  # a panic or a garbled reply: start afresh
        except WorkerTimeout:
            if deadline.starved():
                return failed("svg", "infra", f"infra: the machine was overloaded: "
                              f"{deadline.describe('resvg')}", **kw)
            return failed("svg", "timeout", f"timeout: resvg did not finish within {timeout_s:g}s", **kw)
        except WorkerDied:
            status_code = worker.exit_status()
            sig = status_code - 128 if status_code is not None and status_code > 128 else None
            if status_code is not None and sig not in _OUTSIDE_SIGNALS:
                why = f"killed by signal {sig}" if sig else f"exit status {status_code}"
                return failed("svg", "crash", f"crash: the rasteriser died while rendering ({why}; out of "
                              "memory?)", **kw)
            outside_kills += 1
            if outside_kills == 2:
                return failed("svg", "infra", "infra: the rasteriser was killed from outside, twice", **kw)
            continue  # once more, on a fresh worker
        finally:
            pool.release(worker, healthy)
        break
    if status != b"O":
        kind = "runtime" if status == b"E" else "crash"  # E: resvg refused it; P: resvg panicked
        return failed("svg", kind, f"{kind}: resvg: {payload.decode(errors='replace')[:500]}", **kw)
    try:
        with Image.open(io.BytesIO(payload)) as im:
            if im.format != "PNG" or im.size != (prep.fit.w, prep.fit.h):
                raise ValueError(f"{im.format} {im.size}")
            pic = _on_white(im)
    except Exception as e:  # our worker said "done" but sent no usable picture: our fault, not the program's
        return failed("svg", "infra", f"infra: the rasteriser returned no usable picture ({e})", **kw)
    return _finish(pic, ms, prep, width, height, kw, t0)


def _request(prep: _Prepared, home: str | None) -> dict:
    """The ``resvg_py.svg_to_bytes`` arguments: the background, an empty resources directory."""
    return {"svg_string": prep.doc, "background": prep.background, "resources_dir": home,
            "languages": LANGUAGES, **FONTS}


def _on_white(im: Image.Image) -> Image.Image:
    """The picture over the page's white (a translucent background lets it through)."""
    if im.mode not in ("RGBA", "LA", "PA") and "transparency" not in im.info:
        return im.convert("RGB")
    white = Image.new("RGBA", im.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, im.convert("RGBA")).convert("RGB")


def _blank_but_for_blended_edges(pic: Image.Image) -> bool:
    """Blank inside its outermost pixels, and those are the inside's colour blended with the white page."""
    if min(pic.size) <= 2:
        return is_blank(pic)
    if not is_blank(pic.crop((1, 1, pic.width - 1, pic.height - 1))):
        return False
    rgb = np.asarray(pic.convert("RGB"), dtype=np.float64)
    inside = rgb[pic.height // 2, pic.width // 2]
    ring = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    page = np.full(3, 255.0)
    towards = inside - page
    norm = float(towards @ towards)
    share = np.clip((ring - page) @ towards / norm, 0.0, 1.0) if norm else np.zeros(len(ring))
    blended = page + share[:, None] * towards
    return bool((np.abs(ring - blended) <= BLANK_TOLERANCE).all())


def _finish(pic: Image.Image, ms: float, prep: _Prepared, width: int, height: int, kw: dict,
            t0: float) -> RenderResult:
    """Place the picture in the white output, check for blank, hash, encode.

    Blankness is judged on the document's own picture (the fit box), never on the white bands
    that letterbox it: a uniform 720x400 document is blank at any output size. Snapped to whole
    pixels, the box may be a fraction larger than what the document covers, and its outer pixels are
    then the document's colour blended with the page: blank still. Any other colour there is drawn
    (an outline on the very edge, as Chromium says).
    """
    if pic.size == (width, height):
        image, at = pic, (0, 0)
    else:
        at = (prep.fit.x, prep.fit.y)
        image = Image.new("RGB", (width, height), (255, 255, 255))
        image.paste(pic, (prep.fit.x, prep.fit.y))
    messages = prep.messages
    error_kind = None
    if _blank_but_for_blended_edges(pic):
        error_kind = "blank"
        messages.append("blank: the picture is a single uniform colour")
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=1)
    res = RenderResult(
        ok=error_kind is None, language="svg", error_kind=error_kind, messages=messages,
        png=buf.getvalue(), size=image.size, sha256=pixel_sha256(image),
        timings_ms={"page": round(ms, 2), "total": round((time.perf_counter() - t0) * 1000, 2)},
        canvas=(*at, pic.width, pic.height), **kw,
    )
    res.__dict__["image"] = image  # already decoded: spare the cached_property the work
    return res
