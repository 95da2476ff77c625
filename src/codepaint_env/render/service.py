"""`RenderService`: what the environments, rewards, serve and the trainer adapters need of a renderer.

A :class:`~codepaint_env.render.Renderer` over any transport (this process's backends, Ray
actors, a stub) is a ``RenderService``; so is anything else that answers these methods the same way.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

from codepaint_env.core.result import RenderResult

Size = int | tuple[int, int] | str
PairFuture = concurrent.futures.Future[tuple[RenderResult, Any]]


@runtime_checkable
class RenderService(Protocol):
    """Renders programs into :class:`RenderResult` objects (see ``RenderFront`` for each method)."""

    @property
    def timeout_s(self) -> float:
        """The default per-render timeout."""
        ...

    def render(self, code: Any, language: str = "auto", *, size: Size = 512, seed: int = 0,
               timeout_s: float | None = None, extract: bool = False, renderer: str = "auto") -> RenderResult:
        """Render one program."""
        ...

    async def arender(self, code: Any, language: str = "auto", *, size: Size = 512, seed: int = 0,
                      timeout_s: float | None = None, extract: bool = False,
                      renderer: str = "auto") -> RenderResult:
        """Render one program, for async callers."""
        ...

    def submit(self, code: Any, language: str = "auto", *, size: Size = 512, seed: int = 0,
               timeout_s: float | None = None, extract: bool = False,
               renderer: str = "auto") -> concurrent.futures.Future[RenderResult]:
        """Start one render; a future of its result."""
        ...

    def render_many(self, codes: Iterable[Any], language: str | Sequence[str] = "auto", *, size: Size = 512,
                    seed: int = 0, timeout_s: float | None = None, extract: bool = False,
                    progress: bool | str = False, renderer: str = "auto") -> list[RenderResult]:
        """Render many programs; results in input order."""
        ...

    def submit_interaction(self, code: Any, language: str = "html", *, after: Callable[..., Awaitable[Any]],
                           size: Size = 512, seed: int = 0, timeout_s: float | None = None,
                           after_timeout_s: float = 30.0,
                           track_listeners: bool = True) -> PairFuture:
        """Render, then act on the live page; a future of ``(result, interaction)``."""
        ...

    def stats(self) -> dict[str, Any]:
        """How renders ended."""
        ...

    def close(self) -> None:
        """Release what renders."""
        ...
