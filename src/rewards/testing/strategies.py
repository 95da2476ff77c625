"""Hypothesis strategies for reward tests: programs, pictures, samples and tasks.

    >>> from hypothesis import given
    >>> from rewards.testing import samples
    >>> @given(batch=samples(max_size=4))
    ... def test_one_value_per_sample(batch):
    ...     assert len(my_reward.score(batch)) == len(batch)

Pictures and samples are built with Pillow (no browser); :func:`samples` renders SVG programs
with the native resvg rasteriser only when asked (``svg=True``). Every value shrinks towards a
small, plain example: fewer shapes, seed 0, a painting before a hack.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from PIL import Image

from codepaint_env.render import RenderResult
from rewards.base import Sample
from rewards.testing import images
from rewards.testing.programs import LANGUAGES, NO_TIMEOUT, PROGRAM_KINDS, Scene, Shape, program

if TYPE_CHECKING:
    from codepaint_env.tasks import Task

#: Kinds of picture :func:`pictures` draws.
PICTURE_KINDS: tuple[str, ...] = ("painting", "blank", "noise", "near_uniform", "flat_block", "text")
#: Kinds of render :func:`samples` mixes in besides pictures.
FAILURE_KINDS: tuple[str, ...] = ("syntax", "runtime", "timeout", "too_large")
#: Prompts the samples answer (two, so that group rewards see groups).
PROMPTS: tuple[str, ...] = ("a peach hibiscus in watercolour", "a blue seascape at dusk")
#: Captions the ``text`` pictures write.
CAPTIONS: tuple[str, ...] = ("10/10 MASTERPIECE", "a peach hibiscus in watercolour", "HIBISCUS", "ok")
#: Task columns the samples carry, one row per prompt (a trainer passes these as dataset columns).
TASK_COLUMNS: tuple[dict[str, Any], ...] = (
    {"task_id": "testing.hibiscus", "subject": "hibiscus", "colour_family": "red",
     "checks": json.dumps([{"kind": "colour", "colour": "red"},
                           {"kind": "background", "colour": "#f6f1e8"}])},
    {"task_id": "testing.seascape", "subject": "seascape", "colour_family": "blue",
     "checks": json.dumps([{"kind": "colour", "colour": "blue"},
                           {"kind": "coverage", "min": 0.2}])},
)

_BYTE = st.integers(0, 255)
_COLOUR = st.tuples(_BYTE, _BYTE, _BYTE)
_FRACTION = st.integers(0, 100).map(lambda v: v / 100)


def _kinds(kind: str | Sequence[str] | None, known: Sequence[str], what: str) -> tuple[str, ...]:
    chosen = tuple(known) if kind is None else (kind,) if isinstance(kind, str) else tuple(kind)
    unknown = [k for k in chosen if k not in known]
    if unknown or not chosen:
        raise ValueError(f"unknown {what} kind(s) {unknown or chosen}; choose from {', '.join(known)}")
    return chosen


def scenes(max_shapes: int = 6) -> st.SearchStrategy[Scene]:
    """Scenes: a background colour and up to ``max_shapes`` circles and squares."""
    shape = st.builds(Shape, st.sampled_from(("circle", "rect")), _COLOUR, _FRACTION, _FRACTION,
                      st.integers(4, 40).map(lambda v: v / 100))

    def visible(background: tuple[int, int, int], shapes: list[Shape]) -> Scene:
        """The scene with each shape's colour moved away from the background (a valid program draws)."""
        def away(c: tuple[int, int, int]) -> tuple[int, int, int]:
            near = max(abs(a - b) for a, b in zip(c, background, strict=True)) < 64
            return tuple((b + 128) % 256 for b in background) if near else c  # type: ignore[return-value]

        return Scene(background, tuple(Shape(s.kind, away(s.colour), s.x, s.y, s.r) for s in shapes))

    return st.builds(visible, _COLOUR, st.lists(shape, min_size=1, max_size=max_shapes))


def programs(language: str = "p5brush", kind: str | Sequence[str] | None = "valid", *,
             side: int = 256) -> st.SearchStrategy[str]:
    """Programs in ``language`` that draw a scene of shapes, valid or broken.

    Args:
        language: One of :data:`rewards.testing.programs.LANGUAGES` (``p5brush``, ``p5``, ``svg``,
            ``html``, ``python``, ``tikz``).
        kind: One of :data:`PROGRAM_KINDS`, several, or ``None`` for all that the language has:
            ``valid``, ``syntax``, ``blank``, ``timeout`` (not SVG or TikZ), ``too_large`` (over
            the renderer's 1 MB cap), ``hack_text``, ``hack_block``, ``hack_near_uniform``.
        side: The canvas side the program asks for, in pixels.

    Returns:
        A strategy of program texts.

    Raises:
        ValueError: An unknown language or kind, or ``timeout`` asked of SVG or TikZ.
    """
    if language not in LANGUAGES:
        raise ValueError(f"no programs in {language!r}; rewards.testing writes {', '.join(LANGUAGES)}")
    kinds = _kinds(kind, PROGRAM_KINDS, "program")
    if language in NO_TIMEOUT:
        if kind is None:
            kinds = tuple(k for k in kinds if k != "timeout")
        elif "timeout" in kinds:
            raise ValueError(f"a {language} program cannot run forever: ask for another kind")
    return st.builds(lambda scene, k: program(scene, language, k, side), scenes(), st.sampled_from(kinds))


def _picture(kind: str, seed: int, size: int, caption: str) -> Image.Image:
    if kind == "painting":
        return images.painting(seed, size)
    if kind == "blank":
        return images.blank(size, images.colour_of(seed))
    if kind == "noise":
        return images.noise(seed, size)
    if kind == "near_uniform":
        return images.near_uniform(seed, size)
    if kind == "flat_block":
        return images.flat_block(seed, size)
    return images.written(seed, caption, size)


@functools.lru_cache(maxsize=4096)
def _pristine(kind: str, seed: int, size: int, caption: str, language: str) -> RenderResult:
    """The render of a picture, made once (the PNG encoding is most of a sample's cost)."""
    return images.rendered(_picture(kind, seed, size, caption), language=language).render


def _render_of(kind: str, seed: int, size: int, caption: str, language: str) -> RenderResult:
    """A fresh copy of :func:`_pristine` (a reward that changes its copy changes no other sample)."""
    pristine = _pristine(kind, seed, size, caption, language)
    return dataclasses.replace(pristine, messages=list(pristine.messages))


def _rendered_pictures(kinds: tuple[str, ...], size: int, language: str) -> st.SearchStrategy[RenderResult]:
    return st.builds(lambda k, seed, caption: _render_of(k, seed, size, caption, language),
                     st.sampled_from(kinds), st.integers(0, 10_000), st.sampled_from(CAPTIONS))


def pictures(kind: str | Sequence[str] | None = None, *, size: int = 96) -> st.SearchStrategy[Image.Image]:
    """RGB pictures built with Pillow (no browser): paintings, and what a hacking policy draws.

    Args:
        kind: One of :data:`PICTURE_KINDS`, several, or ``None`` for all: ``painting`` (random
            translucent shapes on paper), ``blank`` (one colour), ``noise``, ``near_uniform``
            (0.1 % of the pixels set), ``flat_block`` (one flat rectangle), ``text`` (a caption
            written across a painting).
        size: The side of the square pictures, in pixels.

    Returns:
        A strategy of PIL images; each is fixed by its kind and a seed (shrinks to seed 0).
    """
    kinds = _kinds(kind, PICTURE_KINDS, "picture")
    return st.builds(lambda k, seed, caption: _picture(k, seed, size, caption),
                     st.sampled_from(kinds), st.integers(0, 10_000), st.sampled_from(CAPTIONS))


def _svg_sample(code: str, size: int, language_prompt: tuple[str, dict[str, Any]]) -> Sample:
    from codepaint_env.render import default_renderer

    prompt, columns = language_prompt
    res = default_renderer().render(code, "svg", size=size, renderer="fast")
    return Sample(code=code, language="svg", render=res, prompt=prompt, meta=dict(columns))


@dataclasses.dataclass(frozen=True)
class _Parts:
    """The strategies one sample is drawn from, built once per :func:`samples` call.

    (Building a strategy costs more than drawing from it.)
    """

    language: str
    size: int
    prompt: st.SearchStrategy[int]
    outcome: st.SearchStrategy[str]
    failure: st.SearchStrategy[str]
    picture: st.SearchStrategy[RenderResult]
    code: st.SearchStrategy[str]
    previous: st.SearchStrategy[RenderResult] | None
    svg_code: st.SearchStrategy[str] | None


@st.composite
def _sample(draw: st.DrawFn, parts: _Parts) -> Sample:
    i = draw(parts.prompt)
    prompt, columns, language = PROMPTS[i], dict(TASK_COLUMNS[i]), parts.language
    outcome = draw(parts.outcome)
    if outcome == "infra":
        s = images.infra(language=language, prompt=prompt, **columns)
    elif outcome == "failed":
        s = images.failed(draw(parts.failure), language=language, prompt=prompt, **columns)
    elif parts.svg_code is not None:
        s = _svg_sample(draw(parts.svg_code), parts.size, (prompt, columns))
    else:
        s = Sample(code=draw(parts.code), language=language, render=draw(parts.picture), prompt=prompt,
                   meta=columns)
    if parts.previous is not None:
        s.previous = draw(parts.previous)
    return s


def samples(*, min_size: int = 1, max_size: int = 6, kind: str | Sequence[str] | None = None,
            failures: bool = True, infra: bool = True, language: str = "p5brush", size: int = 96,
            previous: bool = True, svg: bool = False) -> st.SearchStrategy[list[Sample]]:
    """Batches of rendered :class:`~rewards.base.Sample` objects, as a trainer's reward call sees them.

    Each sample answers one of two prompts (:data:`PROMPTS`) and carries that task's columns
    (``task_id``, ``subject``, ``colour_family``, ``checks`` as JSON text) in its
    ``meta``; its ``code`` is a program of ``language`` (the picture is drawn directly, not
    rendered from it) and its ``previous`` render, a picture the edit started from.

    Args:
        min_size: Fewest samples in a batch.
        max_size: Most samples in a batch.
        kind: The pictures' kinds (:func:`pictures`); ``None``: every kind.
        failures: Mix in programs that failed to render (``syntax``, ``runtime``, ``timeout``,
            ``too_large``), which a reward must score at its minimum.
        infra: Mix in renders the infrastructure could not complete (``error_kind="infra"``), which
            every reward answers with ``None``.
        language: The samples' language.
        size: The pictures' side, in pixels.
        previous: Give each sample a ``previous`` render (for rewards that measure an edit).
        svg: Render SVG programs with resvg (the native rasteriser; no browser) instead of
            drawing pictures: slower, but the pixels come from a real renderer.

    Returns:
        A strategy of lists of samples.
    """
    kinds = _kinds(kind, PICTURE_KINDS, "picture")
    outcomes = ["picture"] + (["failed"] if failures else []) + (["infra"] if infra else [])
    parts = _Parts(
        language, size, st.sampled_from(range(len(PROMPTS))), st.sampled_from(outcomes),
        st.sampled_from(FAILURE_KINDS), _rendered_pictures(kinds, size, language),
        programs(language if language in LANGUAGES else "p5brush", side=size),
        _rendered_pictures(("painting", "blank"), size, language) if previous else None,
        programs("svg", ("valid", "blank", "hack_text", "hack_block"), side=size) if svg else None)
    one = _sample(parts)
    return st.lists(one, min_size=min_size, max_size=max_size)


def tasks(level: int | Sequence[int] = 0, *, language: str | None = None) -> st.SearchStrategy[Task]:
    """Tasks from the ``shapes`` generator (``load_suite("shapes", level=...)``), with their checks.

    Args:
        level: A difficulty level (0-4), or several to draw from.
        language: Only tasks asked in this language (default: every language the suite writes).

    Returns:
        A strategy of :class:`~codepaint_env.tasks.Task` objects, each fixed by its level and seed.

    Raises:
        TaskError: An unknown level or language (the message lists the known ones).
    """
    from codepaint_env.tasks import load_suite

    levels = (level,) if isinstance(level, int) else tuple(level)
    for lv in levels:
        load_suite("shapes", level=lv, count=1, language=language)  # a bad level or language: now

    def generated(lv: int, seed: int) -> list[Task]:
        return load_suite("shapes", level=lv, count=1, seed=seed, language=language)

    return st.builds(generated, st.sampled_from(levels), st.integers(0, 10_000)).flatmap(st.sampled_from)
