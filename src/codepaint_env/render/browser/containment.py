"""What a slot's page may do, and what it did: request routing and the page's event handlers.

Containment (promises of RELIABILITY.md): request routing serves the private site from memory and
aborts everything else (the OS-level network namespace is the real block, see ``chromium.py``);
WebSockets are refused; service workers blocked (by the pool's context options); dialogs
dismissed; popups closed; navigation away blocked and reported; busy scripts stopped with V8's
``terminateExecution`` (:func:`~.render_steps.terminate`).

Each handler takes the :class:`~.slots.Slot` whose page raised the event and reports into the
render it is running (its :class:`~.slots.Job`), if any; between renders nothing may load.
:class:`~.pool.BrowserPool` installs them when it makes a slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from codepaint_env.render.browser.assets import JSAssets
from codepaint_env.render.browser.pages import is_ours, shared_asset
from codepaint_env.render.browser.slots import Slot

#: Chromium's own WebGL driver chatter, not the program's output.
_NOISE_PREFIXES = ("[.WebGL-", "GL Driver Message", "WebGL: too many errors")
_MAX_CONSOLE = 60
_MAX_BLOCKED = 20


# ---------------------------------------------------------------------- request routing
async def route_request(slot: Slot, route: Any, assets: JSAssets) -> None:
    """Serve the render's own files and the pinned JS from memory; abort everything else."""
    req = route.request
    url = req.url
    job = slot.job
    with contextlib.suppress(Exception):
        if job is None:  # between renders (the page is frozen): nothing may load
            await route.abort("blockedbyclient")
            return
        cap = job.cap
        if req.is_navigation_request() and _frameless(req):
            # The first navigation of a new window (a target=_blank link): aborted here, so
            # the window opens on an error page and is counted and closed as a popup. (Left
            # unanswered, the request would stall and the window never be reported.)
            await route.abort("blockedbyclient")
            return
        reload = url == job.url and "/" not in job.unserved
        if req.is_navigation_request() and _is_main(req.frame) and (url != job.url or reload):
            # Away, or a second load of the render's own document (a reload): its configuration
            # comes with the address (pages.PageSpec.address), so only the first load is ours.
            cap.navigations.append(url[:300])
            job.end("navigation")
            await route.abort("blockedbyclient")
            return
        asset = shared_asset(url, assets)
        if asset is not None:
            await route.fulfill(status=200, body=_asset_bytes(asset),
                                content_type="text/javascript; charset=utf-8",
                                headers={"access-control-allow-origin": "*",
                                         "cache-control": "public, max-age=31536000, immutable"})
            return
        if url.startswith(job.url):
            path = urlsplit(url).path
            hit = job.spec.files.get(path)
            if hit is not None:
                job.unserved.discard(path)
                await route.fulfill(status=200, body=hit[0], content_type=hit[1])
            else:
                await route.fulfill(status=404, body=b"not found", content_type="text/plain")
            return
        if not is_ours(url) and len(cap.blocked) < _MAX_BLOCKED:
            cap.blocked.append(url[:300])
        await route.abort("blockedbyclient")


async def refuse_websocket(slot: Slot, ws: Any) -> None:
    """Close a WebSocket the page opens, and report it as blocked."""
    if slot.job is not None and len(slot.job.cap.blocked) < _MAX_BLOCKED:
        slot.job.cap.blocked.append(ws.url[:300])
    with contextlib.suppress(Exception):
        await ws.close(code=1008, reason="blocked by codepaint")


@functools.lru_cache(maxsize=16)
def _asset_bytes(path: str) -> bytes:
    """A pinned JS file's bytes, read once per process (they are served to every p5 render)."""
    return Path(path).read_bytes()


def _is_main(frame: Any) -> bool:
    try:
        return frame.parent_frame is None
    except Exception:
        return False


def _frameless(req: Any) -> bool:
    """A request whose frame does not exist yet: the navigation creating a new window."""
    try:
        req.frame  # noqa: B018 - Playwright raises for a popup's first navigation
        return False
    except Exception:
        return True


# ---------------------------------------------------------------------- page events
def on_request_sent(slot: Slot, event: dict) -> None:
    """Learn the page's renderer process from a request it sent (CDP ``Network.requestWillBeSent``)."""
    # Renderer-initiated requests have ids "<renderer pid>.<n>"; navigations have others.
    head, dot, _ = str(event.get("requestId", "")).partition(".")
    if not dot or not head.isdigit() or int(head) == slot.renderer_pid:
        return
    pid = int(head)
    cgroup = slot.gen.cgroup
    if cgroup is not None and pid not in cgroup.pids():
        return  # not a process of this browser: never measure a stranger
    slot.adopt_renderer(pid)  # (a page that moved process: its memory group follows it)
    if slot.job is not None:  # the render's start snapshot, for the process it really runs in
        slot.job.cpu0 = slot.page_cpu()


def on_console(slot: Slot, msg: Any) -> None:
    """Keep a console message of the program (capped; the browser's WebGL chatter dropped)."""
    job = slot.job
    if job is None:
        return
    text = msg.text
    if text.startswith(_NOISE_PREFIXES):
        return
    if len(job.cap.console) < _MAX_CONSOLE:
        job.cap.console.append(f"console.{msg.type}: {text}"[:500])
    else:
        job.cap.dropped_messages += 1


def on_dialog(slot: Slot, dialog: Any) -> None:
    """Dismiss a dialog, and count it."""
    if slot.job is not None:
        slot.job.cap.dialogs += 1
    _spawn(dialog.dismiss())


def on_popup(slot: Slot, popup: Any) -> None:
    """Close a page the program opened, and count it."""
    if popup is slot.page:
        return
    if slot.job is not None:
        slot.job.cap.popups += 1
    _spawn(popup.close())


def on_crash(slot: Slot) -> None:
    """The page crashed: the slot is never reused, and the render ends as a crash."""
    slot.broken = True
    if slot.job is not None:
        slot.job.end("crash")


def on_navigated(slot: Slot, frame: Any) -> None:
    """The main frame left the render's origin: the render ends as a navigation."""
    job = slot.job
    if job is None or frame != slot.page.main_frame:
        return
    if not frame.url.startswith(job.url):  # same-origin changes are pushState or routed
        job.cap.navigations.append(frame.url[:300])
        job.end("navigation")


_background: set[asyncio.Future] = set()


def _spawn(coro: Any) -> None:
    """Run a fire-and-forget coroutine, swallowing its errors, keeping a reference meanwhile."""

    async def quietly() -> None:
        with contextlib.suppress(Exception):
            await coro

    task = asyncio.ensure_future(quietly())
    _background.add(task)
    task.add_done_callback(_background.discard)
