"""`StubDispatch`: a transport that answers programs with canned results, for fast tests.

Like httpx's ``MockTransport``: everything above the transport is real, only the rendering is
canned. ``Renderer(dispatch=StubDispatch({...}))`` is the real renderer (the render front:
validation, extraction, language detection, the size cap, the cache, the counters, every public
method, sync and async) whose transport looks programs up instead of starting Chromium, the
sandbox or resvg. So it goes wherever a renderer goes: ``CodePaintEnv(renderer=...)``,
``rewards.make_reward(..., renderer=...)``, ``rewards.reward_funcs(..., renderer=...)``,
``TrainerConfig.build_reward(renderer=...)`` and ``codepaint serve``'s ``create_app(renderer=...)``.

    >>> from PIL import Image
    >>> from codepaint_env.render import Renderer
    >>> from codepaint_env.testing import StubDispatch
    >>> stub = StubDispatch({
    ...     "<svg>good</svg>": Image.new("RGB", (8, 8), "navy"),   # a picture
    ...     "<svg>broken": "syntax",                                 # a failure of that kind
    ... })
    >>> renderer = Renderer(dispatch=stub, cache_size=0)
    >>> renderer.render("<svg>good</svg>", "svg", size=64).size
    (64, 64)
    >>> renderer.render("<svg>broken", "svg").error_kind
    'syntax'
    >>> stub.programs
    ['<svg>good</svg>', '<svg>broken']

What a program maps to:

* a PIL image: the program's picture, resized to the output size the caller asked for
  (``ok=True``, ``png``, ``sha256`` and ``canvas`` filled as a real render fills them);
* an error kind (``"syntax"``, ``"runtime"``, ``"blank"``, ``"timeout"``, ``"infra"``...; see
  :data:`~codepaint_env.core.result.ERROR_KINDS`): a failed render of that kind;
* a :class:`~codepaint_env.core.result.RenderResult`: returned as it is (its ``seed`` filled in
  when it has none).

Programs are matched on their text with surrounding whitespace stripped. A handler function
instead of a mapping gets every render's :class:`~codepaint_env.render.dispatch.Job` (language,
program, width, height, seed, timeout, backend) and returns any of the three.

A program the stub does not know is an error, :class:`UnstubbedProgram`, raised where the render
was asked for (as ``respx`` and ``responses`` refuse unmatched requests): a test that renders
something it did not plan for fails loudly instead of scoring an invented picture. Give
``default=`` (a picture, an error kind or a result) to answer every other program with it.

Empty programs and programs over ``max_code_bytes`` never reach the stub: the front answers them
``empty`` and ``too_large`` exactly as a real renderer does; a cached render does not reach it
either (``cache_size=0`` makes :attr:`StubDispatch.jobs` record every render). Interactions
(``interact``, ``submit_interaction``) need a live page and raise :class:`NotImplementedError`.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import io
import threading
from collections.abc import Callable, Mapping
from typing import Any, Union

from PIL import Image

from codepaint_env.core.images import pixel_sha256
from codepaint_env.core.pickling import PicklesAsArguments
from codepaint_env.core.result import ERROR_KINDS, RenderResult, failed
from codepaint_env.core.version import __version__
from codepaint_env.render.dispatch import BROWSER_COUNTERS, Hook, Job, done

__all__ = ["Canned", "StubDispatch", "UnstubbedProgram", "canned_result"]

#: What a program may map to: a picture, an error kind, or a whole result.
Canned = Union[Image.Image, str, RenderResult]  # noqa: UP007 (a runtime alias; 3.10 has no `type`)
#: What a handler does: a render's job in, its canned answer out.
Handler = Callable[[Job], Canned]
#: The ``renderer`` string of the results a stub makes from pictures and error kinds.
STUB_RENDERER = f"codepaint {__version__} stub"


class UnstubbedProgram(AssertionError):
    """A program was rendered that the :class:`StubDispatch` has no answer for.

    An ``AssertionError``, as in ``respx``: the test asked for a render it did not plan.
    """


def canned_result(value: Canned, job: Job) -> RenderResult:
    """The :class:`RenderResult` a canned value stands for, for one render.

    Args:
        value: A PIL image (the program's picture), an error kind, or a ``RenderResult``.
        job: The render it answers (its language, output size and seed are used).

    Returns:
        The result a real renderer would have returned for that outcome.

    Raises:
        ValueError: A string that is not an error kind (the message lists them).
        TypeError: Anything else.
    """
    if isinstance(value, RenderResult):
        return value if value.seed is not None else dataclasses.replace(value, seed=job.seed)
    if isinstance(value, str):
        if value not in ERROR_KINDS:
            raise ValueError(f"StubDispatch: {value!r} is not an error kind; a program maps to a PIL image, "
                             f"a RenderResult, or one of {', '.join(ERROR_KINDS)}")
        return failed(job.language, value, f"{value}: canned by StubDispatch", seed=job.seed,
                      renderer=STUB_RENDERER)
    if isinstance(value, Image.Image):
        return _picture(value, job)
    raise TypeError(f"StubDispatch: a program maps to a PIL image, an error kind or a RenderResult, "
                    f"not {type(value).__name__}")


def _picture(image: Image.Image, job: Job) -> RenderResult:
    """A successful render whose picture is ``image`` at the job's output size."""
    rgb = image.convert("RGB")
    if rgb.size != (job.width, job.height):
        rgb = rgb.resize((job.width, job.height), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    rgb.save(buf, "PNG", compress_level=1)
    return RenderResult(ok=True, language=job.language, png=buf.getvalue(), size=rgb.size,
                        sha256=pixel_sha256(rgb), seed=job.seed, renderer=STUB_RENDERER,
                        canvas=(0, 0, job.width, job.height), timings_ms={"page": 0.0, "total": 0.0})


def _clip(code: str, limit: int = 120) -> str:
    one_line = " ".join(code.split())
    return repr(one_line if len(one_line) <= limit else one_line[:limit] + "...")


class StubDispatch(PicklesAsArguments):
    """A transport whose renders are canned: programs map to pictures, failures or results.

    Args:
        programs: Program text -> canned answer (a PIL image, an error kind or a
            ``RenderResult``; see the module docstring), or a handler ``fn(job) -> answer``
            that answers every render.
        default: The answer for programs ``programs`` does not name; ``None`` (the default):
            such a program raises :class:`UnstubbedProgram`.

    Raises:
        TypeError: ``default`` with a handler (the handler answers everything).

    Example:
        >>> from codepaint_env.render import Renderer
        >>> renderer = Renderer(dispatch=StubDispatch(lambda job: "runtime"))
        >>> renderer.render("function setup(){}", "p5").error_kind
        'runtime'
    """

    def __init__(self, programs: Mapping[str, Canned] | Handler | None = None, *,
                 default: Canned | None = None) -> None:
        handler = programs if callable(programs) else None
        if handler is not None and default is not None:
            raise TypeError("StubDispatch: give a handler or default=, not both (the handler answers every "
                            "program)")
        mapping = None if handler is not None else programs
        self.programs_map = {code.strip(): value for code, value in (mapping or {}).items()}  # type: ignore[union-attr]
        self.handler: Handler | None = handler  # type: ignore[assignment]
        self.default = default
        self._jobs: list[Job] = []
        self._lock = threading.Lock()

    @property
    def jobs(self) -> list[Job]:
        """Every render that reached the stub, in order (a copy): what the code under test asked for."""
        with self._lock:
            return list(self._jobs)

    @property
    def programs(self) -> list[str]:
        """The program of every render that reached the stub, in order."""
        return [job.code for job in self.jobs]

    def add(self, program: str, answer: Canned) -> None:
        """Answer ``program`` with ``answer`` from now on (replacing an earlier answer).

        Raises:
            TypeError: The stub was built with a handler (it answers every program itself).
        """
        if self.handler is not None:
            raise TypeError("StubDispatch.add: this stub answers with a handler; change the handler instead")
        self.programs_map[program.strip()] = answer

    def answer(self, job: Job) -> RenderResult:
        """The canned result of ``job``.

        Raises:
            UnstubbedProgram: The program is unknown and there is no default.
        """
        with self._lock:
            self._jobs.append(job)
        if self.handler is not None:
            return canned_result(self.handler(job), job)
        value = self.programs_map.get(job.code.strip(), self.default)
        if value is None:
            raise UnstubbedProgram(self._unknown(job))
        return canned_result(value, job)

    def _unknown(self, job: Job) -> str:
        known = "\n".join(f"  {_clip(code)}" for code in list(self.programs_map)[:5]) or "  (none)"
        more = f"\n  ... and {len(self.programs_map) - 5} more" if len(self.programs_map) > 5 else ""
        return (f"StubDispatch has no answer for this {job.language} program:\n  {_clip(job.code)}\n"
                f"It knows {len(self.programs_map)} program(s):\n{known}{more}\n"
                "Fix: add the program to StubDispatch({program: picture or error kind}), or give "
                "StubDispatch(..., default=...) to answer every other program.")

    # ------------------------------------------------------------------ the Dispatch protocol
    def start(self, job: Job) -> concurrent.futures.Future:
        """The job's canned result, already done (an unknown program raises here, in the caller)."""
        return done(self.answer(job))

    def start_interaction(self, job: Job, hook: Hook) -> concurrent.futures.Future:
        """Refused: a stub has no live page to run ``hook`` on."""
        raise NotImplementedError("StubDispatch has no live page: interactions (interact, "
                                  "submit_interaction, interactive rewards) need a real "
                                  "codepaint_env.render.Renderer")

    def version(self) -> str:
        """The stub's version string (what the results' ``renderer`` says)."""
        return STUB_RENDERER

    def gpu_info(self) -> dict[str, str | None]:
        """No browser, so no WebGL."""
        return {"mode": "off", "backend": "stub", "webgl_renderer": None}

    def stats(self, **options: Any) -> dict[str, Any]:
        """How many programs it knows and how many renders reached it; zero browser counters (none)."""
        with self._lock:
            return {**dict.fromkeys(BROWSER_COUNTERS, 0), "stub_programs": len(self.programs_map),
                    "stub_renders": len(self._jobs)}

    def close(self) -> None:
        """Nothing to release."""

    def after_fork(self) -> None:
        """A forked child keeps the canned answers and records its own renders."""
        self._lock = threading.Lock()
        self._jobs = []

    def __repr__(self) -> str:
        known = "handler" if self.handler is not None else f"programs={len(self.programs_map)}"
        return f"StubDispatch({known}, default={'set' if self.default is not None else 'raise'})"
