"""The steps of one render on a slot's page, in the order :class:`~.pool.BrowserPool` runs them.

:func:`open_render` wakes the page and navigates it to the render's document; the render then
ends ``done``, ``crash``, ``navigation``, or at its timeout, which :func:`timed_out` tells apart
from a machine that did not let the program run (``infra``), and :func:`terminate` stops the busy
script with V8's ``terminateExecution``; :func:`screenshot` captures the picture;
:func:`interact` runs an ``after`` hook on the live page; :func:`reset` leaves the slot clean.

Between successive renders in a slot: a fresh origin and a fresh document. Each render is a
navigation to ``http://r<N>.codepaint.invalid/``, a new origin: a new JS realm, and
``localStorage``, ``sessionStorage``, IndexedDB, Cache Storage all partitioned away from every
other render. Cookies are cleared and the page's history reset after every render; the render's
configuration (seed, limits) comes with its address (:meth:`~.pages.PageSpec.address`). The
slot's init scripts (the harness, the pinned JS: :func:`~.pages.slot_scripts`) are evaluated
afresh in every document. What survives is only what the browser keeps per renderer process: V8's
compiled code of those scripts, which is exactly what makes this fast (p5.js stays compiled
instead of being parsed from scratch in a new process each time: 3-4x the throughput of a fresh
context per render here).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import time
from collections.abc import Callable

from PIL import Image

from codepaint_env.render.browser.slots import AfterHook, Interaction, Job, PageCapture, Slot
from codepaint_env.render.load import Deadline


async def open_render(slot: Slot, job: Job, width: int, height: int, timeout_s: float,
                      scripts: Callable[[tuple[str, ...]], list[str]]) -> None:
    """Wake the slot's page, size it, give it the render's pinned JS if it lacks it, navigate to it.

    ``scripts(engine)`` gives the init scripts for a set of pinned JS (:func:`~.pages.slot_scripts`).
    """
    page, cdp = slot.page, slot.cdp
    if slot.frozen:
        await cdp.send("Page.setWebLifecycleState", {"state": "active"})
        slot.frozen = False
    if slot.viewport != (width, height):
        await page.set_viewport_size({"width": width, "height": height})
        slot.viewport = (width, height)
    engine = tuple(job.spec.engine)
    if slot.engine != engine:
        # Added after the slot's init.js, so they run after it (CDP runs a session's init scripts
        # in the order they were added).
        for ident in slot.engine_scripts:
            await cdp.send("Page.removeScriptToEvaluateOnNewDocument", ident)
        slot.engine, slot.engine_scripts = (), []
        for source in scripts(engine):
            ident = await cdp.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})
            slot.engine_scripts.append(ident)
        slot.engine = engine
    await page.goto(job.spec.address(job.url), wait_until="commit", timeout=timeout_s * 1000)


def timed_out(slot: Slot, cap: PageCapture, deadline: Deadline) -> None:
    """``timeout`` (the program's) or ``infra`` (the machine did not let it run); see load.py."""
    job = slot.job
    cap.outcome = "timeout"
    if job is None:
        return
    if job.unserved:
        cap.outcome = "infra"
        cap.infra_reason = (f"the page had not even loaded the program after {deadline.timeout_s:g} s "
                            "(the machine is overloaded)")
        return
    if not deadline.read():
        return
    cap.cpu = deadline.spent
    if deadline.starved():
        cap.outcome = "infra"
        cap.infra_reason = "the machine was overloaded: "
        cap.infra_reason += deadline.describe("the program's processes")


async def interact(slot: Slot, cap: PageCapture, after: AfterHook, timeout_s: float) -> None:
    """Run an ``after`` hook on the rendered page; its errors and side effects stay in its report."""
    marks = (len(cap.console), len(cap.blocked), len(cap.navigations), cap.dialogs, cap.popups,
             cap.dropped_messages)
    inter = Interaction()
    t = time.perf_counter()
    try:
        inter.result = await asyncio.wait_for(after(slot.page, slot.cdp, cap), timeout_s)
    except asyncio.TimeoutError:
        inter.error = f"the interaction took longer than {timeout_s:g} s"
    except Exception as e:
        inter.error = f"{type(e).__name__}: {e}"[:500]
    inter.ms = (time.perf_counter() - t) * 1000
    # the render's own report stays what it was at the capture
    inter.console, cap.console[marks[0]:] = cap.console[marks[0]:], []
    inter.blocked, cap.blocked[marks[1]:] = cap.blocked[marks[1]:], []
    inter.navigations, cap.navigations[marks[2]:] = cap.navigations[marks[2]:], []
    inter.dialogs, inter.popups = cap.dialogs - marks[3], cap.popups - marks[4]
    cap.dialogs, cap.popups, cap.dropped_messages = marks[3], marks[4], marks[5]
    cap.interaction = inter
    if slot.gen.dead or slot.page.is_closed():
        return
    try:  # a page the hook left busy (a handler spinning) is stopped and never reused
        await asyncio.wait_for(slot.page.evaluate("0"), 2.0)
    except Exception:
        await terminate(slot)
        slot.broken = True


async def reset(slot: Slot, outcome: str, timeout_s: float) -> None:
    """Leave the slot clean for the next render, or mark it for recycling."""
    slot.job = None
    if outcome in ("timeout", "crash") or slot.page.is_closed():
        slot.broken = True  # a terminated or crashed page: never trust it again
        return
    try:
        async def clean() -> None:
            # freeze the page: the program's timers, animation frames and tasks stop until
            # the next render navigates it away
            await asyncio.gather(slot.ctx.clear_cookies(),
                                 slot.cdp.send("Page.resetNavigationHistory"),
                                 slot.cdp.send("Page.setWebLifecycleState",
                                               {"state": "frozen"}))
            slot.frozen = True

        await asyncio.wait_for(clean(), timeout_s)
    except Exception:
        slot.broken = True


async def terminate(slot: Slot) -> None:
    """Stop a busy script: V8's terminateExecution works even while JS is spinning."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(slot.cdp.send("Runtime.terminateExecution"), 2)


async def screenshot(slot: Slot, cap: PageCapture, width: int, height: int) -> None:
    """Screenshot the viewport through CDP (Playwright's page.screenshot waits for far more)."""
    t = time.perf_counter()
    shot = await asyncio.wait_for(
        slot.cdp.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                "optimizeForSpeed": True,
            },
        ),
        30,
    )
    png = base64.b64decode(shot["data"])
    with Image.open(io.BytesIO(png)) as im:
        image = im.convert("RGB")
    if image.size != (width, height):
        image = image.resize((width, height))
        buf = io.BytesIO()
        image.save(buf, "PNG")
        png = buf.getvalue()
    cap.image, cap.png = image, png
    cap.capture_ms = (time.perf_counter() - t) * 1000
