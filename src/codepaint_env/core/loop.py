"""An asyncio event loop on a thread of its own, and the one fork-safety mechanism.

Playwright, the judge client and async rewards are asyncio code; codepaint's synchronous API runs
them on a :class:`LoopThread`. A forked child cannot use its parent's threads, so every object
that holds one registers with :func:`after_fork` and starts afresh in the child.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import threading
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """An asyncio loop running forever on a daemon thread.

    Args:
        name: The thread's name (shows in stack dumps and profilers).
    """

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.call_soon(ready.set)
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, name=name, daemon=True)
        self.thread.start()
        ready.wait()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule a coroutine on the loop; a future of its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Cancel what still runs, let it finish (bounded), stop the loop and join the thread."""

        async def drain() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=timeout_s / 2)

        if self.loop.is_closed():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(drain(), self.loop).result(timeout=timeout_s)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=timeout_s)
        if not self.thread.is_alive():
            self.loop.close()


_fork_handlers: list[Callable[[], None]] = []
_fork_objects: weakref.WeakSet[Any] = weakref.WeakSet()


def after_fork(handler: Callable[[], None] | None = None, *, obj: Any = None) -> None:
    """Run ``handler()`` in a forked child (module state), or ``obj._after_fork()`` (an object).

    One mechanism for every thread-owning thing: the child drops what belongs to the parent's
    threads and builds its own on first use.
    """
    if handler is not None:
        _fork_handlers.append(handler)
    if obj is not None:
        _fork_objects.add(obj)


def _in_child() -> None:
    for handler in list(_fork_handlers):
        handler()
    for obj in list(_fork_objects):
        obj._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_child)
