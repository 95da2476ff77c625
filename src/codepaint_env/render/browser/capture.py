"""Turning what a page gave back (:class:`~.browser.PageCapture`) into a :class:`RenderResult`.

The error kind comes from the harness's report (the first uncaught error: ``syntax`` or
``runtime``; a size cap: ``too_large``), from the pool's outcome (``timeout``, ``crash``,
``navigation``, ``infra``), or from the picture (``blank``, judged on the program's own picture:
:func:`content_box`). Messages: the program's errors first, then notes, console output and what
was blocked, capped.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from typing import Any

from codepaint_env.core.images import is_blank, pixel_sha256
from codepaint_env.core.languages import LANGUAGES
from codepaint_env.core.result import RenderResult, failed
from codepaint_env.render.browser.pages import PageSpec
from codepaint_env.render.browser.slots import PageCapture
from codepaint_env.render.svg import fit_box

#: How a refused request surfaces in the page (fetch, FontFace, XHR).
_NETWORK_ERROR = re.compile(r"Failed to (?:fetch|load)|NetworkError|network error|Load failed", re.IGNORECASE)


def _undefined_name(name: str, message: str) -> str | None:
    if name != "ReferenceError":
        return None
    m = re.match(r"^(?:Uncaught ReferenceError: )?([\w$.]+) is not defined", message)
    return m.group(1) if m else None


def capture_result(lang: str, cap: PageCapture, spec: PageSpec, *, seed: int, version: str,
                   timeout: float, max_messages: int) -> RenderResult:
    """The :class:`RenderResult` of a page capture: the error kind, messages, picture, hashes."""
    info = cap.info or {}
    messages: list[str] = []
    errors = info.get("errors") or []
    unknown = list(dict.fromkeys(info.get("unknown_api") or []))
    error_kind: str | None = None
    for err in errors:
        name, msg = err.get("name", "Error"), err.get("message", "")
        messages.append(f"{name}: {msg}" if name != "codepaint" else f"codepaint: {msg}")
        ref = _undefined_name(name, msg)
        if ref and ref not in unknown:
            unknown.append(ref)
    if errors:
        first = errors[0]
        if str(first.get("message", "")).startswith("codepaint:too_large"):
            error_kind = "too_large"
        elif first.get("name") == "SyntaxError":
            error_kind = "syntax"
        else:
            error_kind = "runtime"
            if cap.blocked and _NETWORK_ERROR.search(f"{first.get('name')}: {first.get('message')}"):
                messages.insert(0, f"runtime: the program needed {cap.blocked[0]}, which was refused: "
                                   "no network in the sandbox")
    messages += spec.notes  # after the program's own errors: the first message is what failed
    messages += cap.console
    messages += [f"blocked request: {u}" for u in cap.blocked]
    if info.get("network_errors"):
        messages.append(f"{info['network_errors']} uncaught error(s) from refused requests "
                        "(not counted as failures)")
    navigations = list(dict.fromkeys([*(info.get("navigations") or []), *cap.navigations]))
    messages += [f"blocked navigation: {u}" for u in navigations]
    if cap.dialogs:
        messages.append(f"dismissed {cap.dialogs} dialog(s)")
    popups = cap.popups + int(info.get("popups") or 0)
    if popups:
        messages.append(f"blocked {popups} popup(s)")
    if cap.outcome == "infra":
        return failed(lang, "infra", f"infra: {cap.infra_reason}"[:500], seed=seed,
                      renderer=version, timings_ms={"total": round(cap.total_ms, 2)})
    if cap.outcome == "timeout":
        error_kind = "timeout"
        messages.insert(0, f"timeout: no finished frame after {timeout:g}s (busy loop, "
                           "or a sketch that never completes its first frame)"
                        + (f"; the program's processes {cap.cpu.describe()}" if cap.cpu else ""))
    elif cap.outcome == "crash":
        error_kind = "crash"
        messages.insert(0, f"crash: {cap.crash_reason or 'the page died while rendering (out of memory?)'}")
    elif cap.outcome == "navigation" or navigations:
        error_kind = error_kind or "navigation"
    canvas = info.get("canvas")
    if canvas and (canvas.get("width"), canvas.get("height")) != (cap.image.size if cap.image else None):
        messages.append(f"note: canvas {canvas.get('width')}x{canvas.get('height')} was scaled "
                        "to fit the output size")
    if cap.dropped_messages:
        messages.append(f"... {cap.dropped_messages} more console messages dropped")
    if len(messages) > max_messages:
        extra = len(messages) - max_messages + 1
        messages = [*messages[: max_messages - 1], f"... {extra} more messages dropped"]
    image = cap.image
    if error_kind == "syntax":
        image = None  # nothing of the program ran: a picture of the empty page says nothing
    own = None if image is None else whole_pixel_box(content_box(lang, spec, info, image.size), image.size)
    if error_kind is None and image is not None and is_blank(
            image if own is None else image.crop((own[0], own[1], own[0] + own[2], own[1] + own[3]))):
        error_kind = "blank"
        messages.append("blank: the picture is a single uniform colour")
    if error_kind is None and image is None:
        error_kind = "crash"
    res = RenderResult(
        ok=error_kind is None,
        language=lang,
        error_kind=error_kind,
        messages=messages,
        unknown_api=unknown,
        api_calls=dict(sorted((info.get("api_calls") or {}).items())),
        api_violations=list(info.get("api_violations") or []),
        png=cap.png if image is not None else None,
        size=image.size if image is not None else None,
        sha256=pixel_sha256(image) if image is not None else None,
        timings_ms={"page": round(float(info.get("page_ms") or 0.0), 2),
                    "capture": round(cap.capture_ms, 2)},
        seed=seed,
        renderer=version,
        canvas=own,
    )
    if image is not None:
        res.__dict__["image"] = image  # already decoded: spare the cached_property the work
    return res




def content_box(lang: str, spec: PageSpec, info: dict[str, Any],
                size: tuple[int, int]) -> tuple[float, float, float, float] | None:
    """Where the program's own picture landed in the viewport, ``(x, y, w, h)``; None: all of it.

    A p5 canvas is shown with ``object-fit: contain`` (scaled to fit, centred), so its box
    follows from its size as the harness reports it. An SVG is an ``<img>`` fitted the same way;
    its box is :func:`~.svg.fit_box` (measured to match Chromium). An HTML page is its own picture.
    """
    W, H = size
    kind = LANGUAGES[lang].page if lang in LANGUAGES else ""
    if kind == "sketch":
        canvas = info.get("canvas") or {}
        try:
            cw, ch = float(canvas["width"]), float(canvas["height"])
        except (KeyError, TypeError, ValueError):
            return None
        if not (cw > 0 and ch > 0):
            return None
        scale = min(W / cw, H / ch)
        return (W - cw * scale) / 2, (H - ch * scale) / 2, cw * scale, ch * scale
    if kind == "image" and "/image.svg" in spec.files:
        try:
            fit = fit_box(ET.fromstring(spec.files["/image.svg"][0]), W, H)
        except ET.ParseError:
            return None
        return None if fit.empty else (fit.x, fit.y, fit.w, fit.h)
    return None


def whole_pixel_box(box: Any, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The whole pixels of ``box`` (:func:`content_box`, ``(x, y, w, h)``), as ``(left, top, width, height)``.

    ``box`` is where the canvas (or the SVG image) landed after being scaled to fit; the letterbox
    bands around it are the page's, not the program's. Only whole pixels of the box count (an edge
    pixel the box covers in part is blended with the band). ``None`` without a box (HTML: the page
    is the picture) or with an unusable one; ``(0, 0, 1, 1)``-sized when nothing of it is visible.
    """
    try:
        x, y, w, h = (float(v) for v in box)
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (x, y, w, h)):
        return None
    width, height = size
    left, top = max(0, math.ceil(x - 1e-6)), max(0, math.ceil(y - 1e-6))
    right, bottom = min(width, math.floor(x + w + 1e-6)), min(height, math.floor(y + h + 1e-6))
    if right - left < 1 or bottom - top < 1:
        return (0, 0, 1, 1)  # nothing of the program is visible: one pixel, blank
    return (left, top, right - left, bottom - top)
