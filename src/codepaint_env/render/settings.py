"""`RenderSettings`: every knob of a renderer, checked once, in one place.

:class:`~codepaint_env.render.Renderer` and :class:`~codepaint_env.render.RayRenderer` take these as
keyword arguments and keep them here; the render front reads the ones that shape a result (cache
keys included), the backends the ones that shape a process (browser, pages, memory).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any

#: WebGL's backend (see :mod:`codepaint_env.render.browser.webgl`).
GPU_MODES: tuple[str, ...] = ("off", "auto", "on")


@dataclass(frozen=True)
class RenderSettings:
    """A renderer's configuration (the arguments of ``Renderer(...)``)."""

    executable: str | None = field(default=None, metadata={
        "help": "Chromium binary (default: the discovery rule of render.browser.chromium)"})
    max_pages: int = field(default=0, metadata={
        "help": "renders running at once (0: the number of CPUs, at least 2, at most 8)"})
    recycle_every: int = field(default=1000, metadata={
        "help": "relaunch the browser after this many renders"})
    slot_renders: int = field(default=100, metadata={
        "help": "renew a slot's browser context after this many renders (1: a fresh context every render)"})
    memory_limit_mb: int | None = field(default=4096, metadata={
        "help": "memory cap of each page's renderer process (cgroup v1, where available)"})
    use_netns: bool = field(default=True, metadata={
        "help": "start the browser in its own network namespace when permitted"})
    timeout_s: float = field(default=20.0, metadata={"help": "default per-render timeout in seconds"})
    frames: int = field(default=1, metadata={"help": "p5 frames to draw before capturing (1: the first)"})
    max_code_bytes: int = field(default=1_000_000, metadata={
        "help": "longer programs are rejected as too_large without running"})
    max_canvas: int = field(default=4096, metadata={"help": "largest canvas side a p5 sketch may create"})
    allowed_api: tuple[str, ...] | None = field(default=None, metadata={
        "help": "allowlist of brush.* methods; calls outside it are reported in api_violations"})
    max_messages: int = field(default=50, metadata={"help": "cap on RenderResult.messages"})
    cache_size: int = field(default=4096, metadata={"help": "results kept in the render cache (0: off)"})
    cache_mb: float = field(default=512.0, metadata={"help": "bound on the PNG bytes the cache holds"})
    gpu: str = field(default="off", metadata={"help": "WebGL: off (SwiftShader), auto or on (a GPU)"})
    infra_retries: int = field(default=0, metadata={
        "help": "start a render answered infra again this many times (0: answer infra at once, as a "
                "trainer wants; commands a person waits on use 3)"})
    infra_retry_budget_s: float = field(default=300.0, metadata={
        "help": "no retry of an infra render starts later than this after its first try"})

    def __post_init__(self) -> None:
        problems = []
        if not self.timeout_s > 0:
            problems.append("timeout_s must be positive, e.g. 20")
        if self.frames < 1:
            problems.append("frames must be at least 1 (1 = capture the first frame)")
        if self.gpu not in GPU_MODES:
            problems.append(f"gpu={self.gpu!r}: choose one of {', '.join(GPU_MODES)}")
        if self.max_pages < 0:
            problems.append("max_pages must be at least 1 (or 0: one per CPU, 2 to 8)")
        for name in ("recycle_every", "slot_renders", "max_code_bytes", "max_canvas", "max_messages"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1")
        if self.infra_retries < 0 or self.infra_retry_budget_s < 0:
            problems.append("infra_retries and infra_retry_budget_s must be 0 (no retries) or more")
        if self.cache_size < 0 or self.cache_mb < 0:
            problems.append("cache_size and cache_mb must be 0 (off) or more")
        if self.memory_limit_mb is not None and self.memory_limit_mb < 64:
            problems.append("memory_limit_mb must be at least 64 (or None: no cap)")
        if problems:
            raise ValueError("; ".join(problems))
        if not self.max_pages:
            object.__setattr__(self, "max_pages", max(2, min(8, os.cpu_count() or 2)))
        if self.allowed_api is not None:
            object.__setattr__(self, "allowed_api", tuple(self.allowed_api) or None)

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any], *, what: str = "Renderer") -> RenderSettings:
        """Settings from keyword arguments; an unknown one is a :class:`TypeError` naming the known ones."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise TypeError(f"{what} got unknown argument(s) {', '.join(map(repr, unknown))}; it takes "
                            f"{', '.join(sorted(known))}")
        # max_pages=None means the default (one per CPU), as 0 does
        return cls(**{k: v for k, v in kwargs.items() if not (k == "max_pages" and v is None)})
