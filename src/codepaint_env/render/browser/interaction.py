"""Driving a rendered page: find its controls, act on them, measure what each action changed.

The mechanics under the ``interactive`` reward (AesCoder's interactive agent): they run as the
``after`` hook of :meth:`Renderer.submit_interaction <codepaint_env.render.Renderer.submit_interaction>`
on the live page, inside the pool's containment (routing, dialogs, popups, navigation blocked and
reported). Which controls to act on, and how a page is scored, is the reward's business
(:mod:`rewards.interactive`); this module only knows pages.

A probe (``js/interact.js``) finds the **candidates**: enabled controls inside the viewport that
are the topmost control at their centre. :func:`session` acts on a chosen list of
:class:`Planned` actions, each in its own window: an idle window (what changes by itself), then
the action window; it records per action the DOM mutations, control values, the changed share of
the viewport beyond what changes by itself (:func:`changed_fraction`), errors, navigations and
popups.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from PIL import Image

from codepaint_env.core.images import PIXEL_LEVELS

__all__ = ["ACTIONS", "DEFAULT_KEYS", "PROBE_JS", "Planned", "changed_fraction", "describe", "hook",
           "session", "signature"]

PROBE_JS = (resources.files("codepaint_env.render.browser") / "js" / "interact.js").read_text()
#: What can be done to a control.
ACTIONS: tuple[str, ...] = ("click", "type", "select", "key")
#: Keys pressed by a ``key`` action without a key of its own.
DEFAULT_KEYS: tuple[str, ...] = ("ArrowRight", "ArrowUp", "Space")
_OWN_MARGIN = 8  # px: around the target ignored (focus rings, :active), around idle changes too


@dataclass(frozen=True)
class Planned:
    """One planned interaction: candidate ``index`` (0-based), the action, its text, the expectation."""

    index: int
    action: str
    text: str = ""
    expect: str = ""


def describe(c: dict[str, Any]) -> str:
    """``button#go 'Order now'``."""
    sel = c["tag"] + (f"#{c['id']}" if c["id"] else f".{c['cls']}" if c["cls"] else "")
    return f"{sel} '{c['label']}'" if c["label"] else sel


def signature(cands: Sequence[dict[str, Any]]) -> list[tuple]:
    """What identifies a page's controls: kind, tag and box of each (a plan is for these)."""
    return [(c["kind"], c["tag"], round(c["x"]), round(c["y"]), round(c["w"]), round(c["h"])) for c in cands]


async def session(page: Any, cdp: Any, cap: Any, *, plan: Callable[[list[dict]], list[Planned]] | None,
                   cfg: dict[str, float]) -> dict[str, Any]:
    """The ``after`` hook: find candidates; with a ``plan``, act on them and measure each action."""
    t = cfg["action_timeout_s"]
    probe = await asyncio.wait_for(page.evaluate_handle(PROBE_JS, {}), t)
    cands = await asyncio.wait_for(probe.evaluate("p => p.candidates()"), t)
    out: dict[str, Any] = {"candidates": cands, "actions": [], "planned": 0}
    if plan is None:
        return out
    chosen = plan(cands)
    out["planned"] = len(chosen)
    errors: list[str] = []

    def on_error(e: Any) -> None:
        errors.append(f"{e.name}: {e.message}"[:200])

    page.on("pageerror", on_error)
    try:
        await _run(page, cdp, cap, probe, cands, chosen, out["actions"], errors, cfg)
    finally:
        page.remove_listener("pageerror", on_error)
    return out


async def _run(page: Any, cdp: Any, cap: Any, probe: Any, cands: list[dict], chosen: list[Planned],
               records: list[dict], errors: list[str], cfg: dict[str, float]) -> None:
    t = cfg["action_timeout_s"]
    for p in chosen:
        rec = {"target": describe(cands[p.index]), "action": p.action, "expect": p.expect, "changed": False,
               "mutations": 0, "pixels": 0.0, "values": False, "errors": 0, "navigation": "", "note": ""}
        records.append(rec)
        try:
            await asyncio.wait_for(_act(page, cdp, cap, probe, cands[p.index], p, rec, errors, cfg), t * 4)
        except Exception as e:  # the page went away, or a handler is spinning: stop here
            rec["note"] = ("timed out (a busy handler?)" if isinstance(e, asyncio.TimeoutError)
                           else f"failed: {type(e).__name__}: {e}"[:200])
            break


async def _act(page: Any, cdp: Any, cap: Any, probe: Any, cand: dict[str, Any], p: Planned,
               rec: dict[str, Any], errors: list[str], cfg: dict[str, float]) -> None:
    async def js(expr: str, arg: Any = None) -> Any:
        return await probe.evaluate(expr, arg)

    box = await js("(p, i) => p.locate(i)", p.index)
    if box is None:
        rec["note"] = "gone, hidden or covered by then"
        return
    settle = functools.partial(js, "(p, ms) => p.settle(ms)", cfg["settle_ms"])
    await js("p => p.blur()")
    if p.action == "click":
        await page.mouse.move(box["cx"], box["cy"])
    elif p.action == "type":
        await page.mouse.click(box["cx"], box["cy"])
    if p.action in ("type", "key") and cand["tag"] != "page":
        await js("(p, i) => p.focus(i)", p.index)
    await settle()
    before = await js("(p, i) => p.mark(i)", p.index)
    shot0, blocked0, popups0 = await _shot(cdp), len(cap.navigations), cap.popups
    # Idle windows: what animates by itself. The long one (shot0 -> shot1, ten frames or more)
    # lasts as many frames as the action's window does on a loaded machine, so a moving sprite's
    # change there is its full change, not a short window's partial one.
    await settle()
    mid = await _shot(cdp)
    await js("(p, ms) => p.settle(ms, 8)", cfg["settle_ms"])
    await js("p => p.idle()")
    shot1 = await _shot(cdp)
    errors.clear()
    if p.action == "click":
        await page.mouse.click(box["cx"], box["cy"])
    elif p.action == "type":
        await page.keyboard.type(p.text, delay=5)
        if cand["tag"] == "input":
            await page.keyboard.press("Enter")
        else:
            await js("(p, i) => p.blurTarget(i)", p.index)
    elif p.action == "select":
        if not await js("(p, a) => p.select(a[0], a[1])", [p.index, p.text]):
            rec["note"] = "not a list to select from"
    else:
        for k in [p.text] if p.text else DEFAULT_KEYS:
            await page.keyboard.press(k)
    await settle()
    after = await js("(p, a) => p.measure(a[0], a[1])", [p.index, before["navigations"]])
    shot2 = await _shot(cdp)
    navs = after["navigations"] + cap.navigations[blocked0:]
    rec["mutations"], rec["values"] = after["effects"], after["values"] != before["values"]
    rec["errors"] = len(errors)
    rec["pixels"] = changed_fraction([(shot0, mid), (mid, shot1), (shot0, shot1)], shot1, shot2,
                                      None if cand["canvas"] else box)
    popup = "a popup" if cap.popups > popups0 or after["popups"] > before["popups"] else ""
    rec["navigation"] = (f"navigation to {navs[0]}" if navs else popup)[:200]
    rec["changed"] = bool((rec["mutations"] or rec["values"] or rec["pixels"] >= cfg["pixel_threshold"])
                          and not errors and not rec["navigation"])
    if errors:
        rec["note"] = errors[0]


async def _shot(cdp: Any) -> np.ndarray:
    """The viewport as it is now (CDP, no clip: what is on screen, scrolled or not)."""
    shot = await cdp.send("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True})
    with Image.open(io.BytesIO(base64.b64decode(shot["data"]))) as im:
        return np.asarray(im.convert("RGB"), dtype=np.int16)


def changed_fraction(idle_windows: list[tuple[np.ndarray, np.ndarray]], before: np.ndarray,
                      after: np.ndarray, own: dict[str, float] | None) -> float:
    """How much of the viewport the action changed beyond what changes by itself.

    The smaller of: the changed fraction outside what changed in any idle window (dilated by
    ``_OWN_MARGIN``), and the action window's changed fraction minus the largest idle window's
    (a moving sprite changes about as much in a window as long as the action's); the target's
    own box is left out (canvases aside).
    """
    if any(a.shape != before.shape or b.shape != before.shape for a, b in idle_windows) \
            or after.shape != before.shape:
        return 0.0
    windows = [np.abs(b - a).max(axis=2) > PIXEL_LEVELS for a, b in idle_windows]
    idle_most = max(w.mean() for w in windows)
    idle = np.logical_or.reduce(windows)
    act = np.abs(after - before).max(axis=2) > PIXEL_LEVELS
    if own is not None:
        x0, y0 = max(0, int(own["x"]) - _OWN_MARGIN), max(0, int(own["y"]) - _OWN_MARGIN)
        x1, y1 = int(own["x"] + own["w"]) + _OWN_MARGIN, int(own["y"] + own["h"]) + _OWN_MARGIN
        idle[y0:y1, x0:x1] = act[y0:y1, x0:x1] = False
    grown = idle.copy()
    for _ in range(2):  # rows, then columns
        edge = grown.copy()
        for k in range(1, _OWN_MARGIN + 1):
            grown[k:] |= edge[:-k]
            grown[:-k] |= edge[k:]
        grown = grown.T
    return max(0.0, min(float((act & ~grown).mean()), float(act.mean() - idle_most)))


def hook(plan: Callable[[list[dict]], list[Planned]] | None, *, action_timeout_s: float, settle_ms: float,
         pixel_threshold: float) -> Callable[[Any, Any, Any], Any]:
    """The ``after`` hook for :meth:`Renderer.submit_interaction`: :func:`session` with its settings.

    Args:
        plan: Chooses the actions from the page's candidates; ``None`` only finds the candidates.
        action_timeout_s: Bound on each step of the page (an action gets four times this).
        settle_ms: How long a window lasts beyond its two animation frames.
        pixel_threshold: The changed share of the viewport at which an action counts as a change.
    """
    cfg = {"action_timeout_s": action_timeout_s, "settle_ms": settle_ms, "pixel_threshold": pixel_threshold}
    return functools.partial(session, plan=plan, cfg=cfg)
