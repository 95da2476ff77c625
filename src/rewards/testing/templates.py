"""Template adversary: the one scene-blind program a collapsing policy finds, and what it is paid.

    >>> from rewards.testing import search_templates
    >>> report = search_templates(rewards.make_reward("checks"), rows, budget=200, seed=0)  # doctest: +SKIP
    >>> print(report.to_table()); report.write("runs/templates")                           # doctest: +SKIP

A policy trained with RL collapses to one cheap program that pays on every scene. A :class:`Template`
is such a program: SVG that reads only the prompt's colour words (:func:`read_colours`: in order, the
background being the word before "background"), nothing of its kinds, counts, sizes or places. The
**fact-blind** form (prompts that state no colour: "Draw the flag of Madagascar") reads nothing: its
colours and page colour are parameters. :func:`search_templates` hill-climbs the parameters (seeded
random restarts) for the best mean reward over all the tasks at once: each evaluation renders every
task (resvg) and scores them in one batch through the reward's public ``score`` (``ocr`` off: a
template writes no text). Programs are cached by text, per task. A result not judged (``None``: an
``infra`` render, a task the reward cannot judge) is counted and left out of the means, never 0. The
best template is scored again at each task's own size. The checks share (``checks/share``,
``checks/all_stated``) is the reward's metric where it has one (a composite passes its parts' on),
else a ``checks`` reward's beside it.
"""

from __future__ import annotations

import io
import json
import math
import random
import re
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from codepaint_env.render import default_renderer
from rewards.base import Sample
from rewards.checks.colour_names import TERMS
from rewards.checks.colours import PALETTE

__all__ = ["FIELD_KINDS", "KINDS", "LAYOUTS", "OBJECT_KINDS", "Template", "TemplateReport", "program",
           "read_colours", "search_templates"]

#: Object kinds (one per object) and canvas patterns (they fill the canvas with the colours in turn).
OBJECT_KINDS = ("circle", "square", "triangle", "star", "ring", "hstripe", "vstripe", "wave", "cross",
                "heart", "speck")
FIELD_KINDS = ("hbands", "vbands", "blocks", "halves", "canvas_cross")
KINDS = OBJECT_KINDS + FIELD_KINDS
LAYOUTS = ("row", "column", "diagonal", "centre", "corners", "grid")
SIZES = (0.04, 0.06, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75)
OFFSETS = (-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3)
PAGES = ("stated", "white", "none")
PAINTS = ("none", "first", "last", "background")  # frame colours; a fill takes the first three
SEARCH_SIZE = 160  # px: the checks' analysis side (what the search renders at)
GRID = 12  # tasks on the report's picture
_CORNERS = ((0.2, 0.2), (0.8, 0.2), (0.2, 0.8), (0.8, 0.8), (0.5, 0.5), (0.5, 0.2), (0.5, 0.8), (0.2, 0.5),
            (0.8, 0.5))
Result = tuple[float, float | None, float | None] | str  # (reward, share, all_stated), infra, unjudged


@dataclass(frozen=True)
class Template:
    """One scene-blind program's parameters (see the module docstring).

    Attributes:
        kind: An object kind (:data:`OBJECT_KINDS`) or a canvas pattern (:data:`FIELD_KINDS`).
        per_colour: Objects per colour word (1-4; a pattern repeats its colours so often).
        size: The objects' reach, a share of the canvas across.
        layout: Where the objects go (:data:`LAYOUTS`).
        offset: The layout's shift, ``(dx, dy)`` as shares of the canvas.
        page: ``stated`` (the prompt's background, or ``page_colour`` when fact-blind), ``white``, ``none``.
        frame: A border in a colour word: ``none``, ``first``, ``last`` (object colours), ``background``.
        fill: A full-canvas fill over the page in a colour word: ``none``, ``first``, ``last``.
        colours: Fact-blind only: the colours drawn instead of the prompt's words (colour terms).
        page_colour: Fact-blind only: the page colour (a colour term).
    """

    kind: str = "circle"
    per_colour: int = 1
    size: float = 0.2
    layout: str = "row"
    offset: tuple[float, float] = (0.0, 0.0)
    page: str = "stated"
    frame: str = "none"
    fill: str = "none"
    colours: tuple[str, ...] = ()
    page_colour: str = "white"

    def describe(self) -> str:
        """One line: what the template draws."""
        what = (f"{self.kind} pattern x{self.per_colour}" if self.kind in FIELD_KINDS else
                f"{self.per_colour} {self.kind} a colour, {self.size:g} across, {self.layout}")
        blind = f"; colours {'/'.join(self.colours)} on {self.page_colour}" if self.colours else ""
        return (f"{what}, offset {self.offset[0]:+g},{self.offset[1]:+g}; page {self.page}; frame "
                f"{self.frame}; fill {self.fill}{blind}")


def read_colours(prompt: str) -> tuple[tuple[str, ...], str | None]:
    """The prompt's colour words in order (once each; a parenthesis skipped) and its background word.

    The background is the colour word right before "background"; it is not among the others there.
    """
    text = re.sub(r"\([^)]*\)", " ", prompt.lower()).replace("gray", "grey")
    words = re.findall(r"[a-z]+", text)
    background, objects = None, []
    for i, w in enumerate(words):
        if w in TERMS and i + 1 < len(words) and words[i + 1] == "background":
            background = background or w
        elif w in TERMS and w not in objects:
            objects.append(w)
    return tuple(objects), background


def program(t: Template, objects: Sequence[str], background: str | None) -> str:
    """The template's SVG for a prompt's colour words (``objects``, ``background``: :func:`read_colours`).

    Fact-blind templates (``t.colours`` set) ignore both and draw their own colours.
    """
    if t.colours:
        objects, background = t.colours, t.page_colour
    paint = {"first": objects[0] if objects else None, "last": objects[-1] if objects else None,
             "background": background, "none": None}
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 100 100">']
    page = {"stated": background or "white", "white": "white", "none": None}[t.page]
    parts += [_rect(PALETTE[c], 0, 0, 100, 100) for c in (page, paint[t.fill]) if c is not None]
    if t.kind in FIELD_KINDS:
        parts += _field(t, [PALETTE[c] for c in objects] * t.per_colour)
    else:
        drawn = [PALETTE[c] for c in objects for _ in range(t.per_colour)]
        parts += [_shape(t.kind, c, 100 * x, 100 * y, 100 * s) for c, (x, y, s) in
                  zip(drawn, _places(t, len(drawn)), strict=True)]
    if paint[t.frame] is not None:
        parts.append(f'<rect x="2" y="2" width="96" height="96" fill="none" '
                     f'stroke="{PALETTE[paint[t.frame]]}" stroke-width="4"/>')
    return "\n".join([*parts, "</svg>"])


def _places(t: Template, m: int) -> list[tuple[float, float, float]]:
    """Each object's centre and reach (shares of the canvas; a centre stack shrinks inwards)."""
    k = max(1, math.ceil(math.sqrt(m)))
    spots = {"row": lambda i: ((i + 0.5) / m, 0.5), "column": lambda i: (0.5, (i + 0.5) / m),
             "diagonal": lambda i: ((i + 0.5) / m, (i + 0.5) / m), "centre": lambda i: (0.5, 0.5),
             "corners": lambda i: _CORNERS[i % 9], "grid": lambda i: ((i % k + 0.5) / k, (i // k + 0.5) / k)}
    out = []
    for i in range(m):
        x, y = spots[t.layout](i)
        s = t.size * (m - i) / m if t.layout == "centre" else t.size
        h = min(0.5, s / 2 + 0.02)
        out.append((min(max(x + t.offset[0], h), 1 - h), min(max(y + t.offset[1], h), 1 - h), s))
    return out


def _n(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _rect(colour: str, x: float, y: float, w: float, h: float) -> str:
    return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{colour}"/>'


def _poly(colour: str, points: Sequence[tuple[float, float]]) -> str:
    return f'<polygon points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}" fill="{colour}"/>'


def _shape(kind: str, colour: str, x: float, y: float, s: float) -> str:
    """One object, centred on ``(x, y)``, reaching ``s`` across (canvas units: 0-100)."""
    r = s / 2
    if kind == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{colour}"/>'
    if kind in ("square", "speck", "hstripe", "vstripe"):
        w, h = {"square": (s, s), "speck": (3, 3), "hstripe": (90, max(2, 0.3 * s)),
                "vstripe": (max(2, 0.3 * s), 90)}[kind]
        x, y = (50 if kind == "hstripe" else x), (50 if kind == "vstripe" else y)
        return _rect(colour, x - w / 2, y - h / 2, w, h)
    if kind in ("triangle", "star"):
        big, turns = (s / math.sqrt(3), 3) if kind == "triangle" else (r, 10)
        radii = [big if j % 2 == 0 or kind == "triangle" else 0.45 * big for j in range(turns)]
        lift = 0.25 * big if kind == "triangle" else 0.0
        return _poly(colour, [(x + q * math.cos(-math.pi / 2 + 2 * math.pi * j / turns),
                               y + lift + q * math.sin(-math.pi / 2 + 2 * math.pi * j / turns))
                              for j, q in enumerate(radii)])
    if kind in ("ring", "wave"):
        band = max(1.5, (0.2 if kind == "ring" else 0.15) * s)
        a = max(2, 0.3 * s)
        d = (f"M{_n(x - r + band / 2)},{_n(y)}a{_n(r - band / 2)},{_n(r - band / 2)} 0 1 0 {_n(s - band)},0"
             f"a{_n(r - band / 2)},{_n(r - band / 2)} 0 1 0 {_n(band - s)},0" if kind == "ring" else
             f"M10,{_n(y)} Q20,{_n(y - a)} 30,{_n(y)} T50,{_n(y)} T70,{_n(y)} T90,{_n(y)}")
        return f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{_n(band)}"/>'
    if kind == "cross":
        return _rect(colour, x - r, y - s / 6, s, s / 3) + _rect(colour, x - s / 6, y - r, s / 3, s)
    if kind == "heart":
        pts = [f"{_n(x + a * r)},{_n(y + b * r)}" for a, b in ((0, 0.8), (-1.3, -0.1), (-0.6, -1), (0, -0.35),
                                                              (0.6, -1), (1.3, -0.1), (0, 0.8))]
        return f'<path d="M{pts[0]} C{" ".join(pts[1:4])} C{" ".join(pts[4:])}z" fill="{colour}"/>'
    raise ValueError(f"unknown kind {kind!r}; the kinds: {', '.join(KINDS)}")


def _field(t: Template, fills: Sequence[str]) -> list[str]:
    """A canvas-filling pattern in ``fills``, in turn."""
    k = len(fills)
    if not k:
        return []
    if t.kind in ("hbands", "vbands"):
        w, v = 100 / k, t.kind == "vbands"
        return [_rect(f, i * w if v else 0, 0 if v else i * w, w if v else 100, 100 if v else w)
                for i, f in enumerate(fills)]
    if t.kind == "blocks":
        cols = math.ceil(math.sqrt(k))
        w, h = 100 / cols, 100 / math.ceil(k / cols)
        return [_rect(f, i % cols * w, i // cols * h, w, h) for i, f in enumerate(fills)]
    if t.kind == "halves":
        return [_poly(fills[0], [(0, 0), (100, 0), (0, 100)]),
                _poly(fills[1 % k], [(100, 0), (100, 100), (0, 100)])]
    x, y = 100 * (0.4 + t.offset[0]), 100 * (0.5 + t.offset[1])  # canvas_cross: arms across the canvas
    return [bar for f, arm in zip(fills[:2], (max(4.0, 40 * t.size), max(2.0, 20 * t.size)), strict=False)
            for bar in (_rect(f, 0, y - arm / 2, 100, arm), _rect(f, x - arm / 2, 0, arm, 100))]


# ---------------------------------------------------------------------- the search
def _random(rng: random.Random, fact_blind: bool) -> Template:
    """A random template: half the time with the plain page (the stated one, no frame, no fill)."""
    plain = rng.random() < 0.5
    blind = ({"colours": tuple(rng.sample(sorted(PALETTE), rng.randint(2, 4))),
              "page_colour": rng.choice(sorted(PALETTE))} if fact_blind else {})
    return Template(rng.choice(KINDS), rng.randint(1, 4), rng.choice(SIZES), rng.choice(LAYOUTS),
                    (rng.choice(OFFSETS), rng.choice(OFFSETS)), "stated" if plain else rng.choice(PAGES),
                    "none" if plain else rng.choice(PAINTS), "none" if plain else rng.choice(PAINTS[:3]),
                    **blind)


def _step(values: Sequence[Any], now: Any, rng: random.Random) -> Any:
    i = values.index(now) + rng.choice((-2, -1, 1, 2))
    return values[min(max(i, 0), len(values) - 1)]


def _mutate(t: Template, rng: random.Random) -> Template:
    """The template with one random change."""
    names = ["kind", "per_colour", "size", "layout", "offset", "page", "frame", "fill"]
    name = rng.choice(names + (["colours", "colours", "page_colour"] if t.colours else []))
    if name in ("per_colour", "size"):
        values = (1, 2, 3, 4) if name == "per_colour" else SIZES
        return replace(t, **{name: _step(values, getattr(t, name), rng)})
    if name == "offset":
        dx, dy = t.offset
        x = rng.random() < 0.5
        return replace(t, offset=(_step(OFFSETS, dx, rng) if x else dx, dy if x else _step(OFFSETS, dy, rng)))
    if name == "colours":
        colours, move = list(t.colours), rng.randrange(3)
        if move == 0 and len(colours) < 4:
            colours.insert(rng.randrange(len(colours) + 1), rng.choice(sorted(PALETTE)))
        elif move == 1 and len(colours) > 1:
            colours.pop(rng.randrange(len(colours)))
        else:
            colours[rng.randrange(len(colours))] = rng.choice(sorted(PALETTE))
        return replace(t, colours=tuple(colours))
    choices = {"kind": KINDS, "layout": LAYOUTS, "page": PAGES, "frame": PAINTS, "fill": PAINTS[:3],
               "page_colour": tuple(sorted(PALETTE))}[name]
    return replace(t, **{name: rng.choice([c for c in choices if c != getattr(t, name)])})


class _Scorer:
    """Renders a template for every task, scores them in one batch; each task's programs cached by text."""

    def __init__(self, reward: Any, rows: Sequence[tuple[str, dict[str, Any]]], renderer: Any) -> None:
        self.reward, self.rows, self.renderer = reward, rows, renderer or default_renderer()
        self.words = [read_colours(prompt) for prompt, _ in rows]
        self.cache: list[dict[str, Result]] = [{} for _ in rows]
        self.checks: Any = None
        self.pngs: dict[int, bytes] = {}

    def programs(self, t: Template) -> list[str]:
        return [program(t, objects, background) for objects, background in self.words]

    def score(self, t: Template, size: int | None, *, fresh: bool = False,
              keep: Sequence[int] = ()) -> tuple[list[Result], bool]:
        """The template's results at ``size`` (``None``: each task's own); whether anything was rendered."""
        codes = self.programs(t)
        todo = [i for i, c in enumerate(codes) if fresh or c not in self.cache[i]]
        sizes = [size or _size(self.rows[i][1]) for i in todo]
        renders = []
        for s in sorted(set(sizes)):  # one batch a size
            part = [i for i, z in zip(todo, sizes, strict=True) if z == s]
            renders += zip(part, self.renderer.render_many([codes[i] for i in part], "svg", size=s,
                                                           renderer="fast"), strict=True)
        renders.sort(key=lambda pair: pair[0])
        samples = [Sample(code=codes[i], language="svg", render=r, prompt=self.rows[i][0],
                          meta={**self.rows[i][1], "language": "svg", "ocr": False}) for i, r in renders]
        got = dict(zip(todo, self._results(samples), strict=True)) if samples else {}
        self.pngs.update({i: r.png for i, r in renders if i in keep and r.png is not None})
        for i, res in got.items():
            if not fresh and res != "infra":  # an infra render is tried again next time
                self.cache[i][codes[i]] = res
        return [got[i] if i in got else self.cache[i][codes[i]] for i in range(len(codes))], bool(todo)

    def _results(self, samples: list[Sample]) -> list[Result]:
        results = self.reward.score(samples)
        metrics = [r.metrics or {} for r in results]
        missing = [i for i, m in enumerate(metrics)
                   if m.get("checks/share") is None and samples[i].meta.get("checks")]
        if missing:  # no checks share from the reward (no checks part, or gated out): a checks reward says
            if self.checks is None:
                import rewards

                self.checks = rewards.make_reward("checks")
            for i, r in zip(missing, self.checks.score([samples[i] for i in missing]), strict=True):
                metrics[i] = r.metrics or {}
        return [("infra" if s.render.error_kind == "infra" else "unjudged") if r.value is None
                else (float(r.value), m.get("checks/share"), m.get("checks/all_stated"))
                for s, r, m in zip(samples, results, metrics, strict=True)]


def _size(columns: Mapping[str, Any]) -> int:
    size = columns.get("size") or 512
    return int(max(size)) if isinstance(size, list | tuple) else int(size)


def _rows(tasks: Sequence[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each task's prompt and columns (a mapping with ``prompt``, or a task: ``prompt``, ``columns()``)."""
    return [(str(t["prompt"]), {k: v for k, v in t.items() if k != "prompt"}) if isinstance(t, Mapping)
            else (str(t.prompt), dict(t.columns())) for t in tasks]


def search_templates(reward: Any, tasks: Sequence[Any], *, budget: int, seed: int, fact_blind: bool = False,
                     progress: Callable[[int, float | None, float | None], None] | None = None,
                     size: int = SEARCH_SIZE, renderer: Any = None) -> TemplateReport:
    """The best-paid scene-blind template over ``tasks`` (see the module docstring).

    Args:
        reward: Any reward (``score(samples)``).
        tasks: Mappings with ``prompt`` and the task's columns, or tasks (``prompt``, ``columns()``).
        budget: Template evaluations at most (each: every task rendered, one batch score).
        seed: Seeds every random choice (the same seed, tasks and reward give the same search).
        fact_blind: Draw a fixed palette's colours instead of the prompt's colour words.
        progress: Called after each evaluation with (evaluations, its mean reward, the best so far).
        size: The search's render size (px); the best template is scored again at each task's own size.
        renderer: A render service (default: the shared renderer).
    """
    if budget < 1 or not tasks:
        raise ValueError(f"the template search needs a budget of 1 or more and tasks, not {budget} and "
                         f"{len(tasks)} tasks")
    t0 = time.perf_counter()
    scorer, rng = _Scorer(reward, _rows(tasks), renderer), random.Random(f"templates-{seed}-{fact_blind}")
    seen: dict[Template, float] = {}
    best: tuple[float, Template] | None = None
    current: tuple[float, Template] | None = None
    history: list[dict[str, Any]] = []
    evaluations = proposals = stale = 0
    starts, patience = max(2, budget // 6), max(8, budget // 8)
    while evaluations < budget and proposals < 50 * budget:
        proposals += 1
        opening = evaluations < starts  # random templates first, then climb from the best of them
        if opening or current is None:  # an opening or a restart: a random template, or the best shaken
            t = _random(rng, fact_blind) if opening or best is None or rng.random() < 0.7 \
                else _mutate(_mutate(best[1], rng), rng)
        else:
            t = _mutate(current[1], rng)
            t = _mutate(t, rng) if rng.random() < 0.3 else t
        if t in seen:
            value = seen[t]
        else:
            results, rendered = scorer.score(t, size)
            evaluations += rendered
            mean = _mean([r[0] for r in results if not isinstance(r, str)])
            value = seen[t] = -math.inf if mean is None else mean
            if rendered and progress is not None:
                progress(evaluations, mean, _finite(max(value, best[0] if best else -math.inf)))
        if best is None or value > best[0]:
            best = (value, t)
            history.append({"evaluation": evaluations, "value": _finite(value), "template": t.describe()})
        if opening or current is None or value > current[0]:
            current, stale = (best if opening else (value, t)), 0
        else:
            stale += 1
            current = (value, t) if value == current[0] else current  # drift along a plateau
            current = None if stale >= patience else current
    assert best is not None
    keep = [round(i * len(tasks) / min(GRID, len(tasks))) for i in range(min(GRID, len(tasks)))]
    final, _ = scorer.score(best[1], None, fresh=True, keep=keep)  # at each task's own size
    levels: dict[str, list[Result]] = {}
    for (_, columns), r in zip(scorer.rows, final, strict=True):
        if columns.get("level") is not None:
            levels.setdefault(str(columns["level"]), []).append(r)
    programs = scorer.programs(best[1])
    per_task: list[dict[str, Any]] = [
        {"prompt": p, "level": c.get("level"), "reward": None, "status": r} if isinstance(r, str) else
        {"prompt": p, "level": c.get("level"), "reward": r[0], "share": r[1], "all_stated": r[2]}
        for (p, c), r in zip(scorer.rows, final, strict=True)]
    return TemplateReport(
        getattr(reward, "__name__", type(reward).__name__), best[1], scorer.rows[0][0], programs[0],
        _group(final), {k: _group(v) for k, v in sorted(levels.items())}, _finite(best[0]),
        history[0]["value"], evaluations, proposals, budget, seed, fact_blind, size,
        round(time.perf_counter() - t0, 2), history, per_task,
        [(scorer.rows[i][0], programs[i], scorer.pngs.get(i), per_task[i]["reward"]) for i in keep])


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _mean(xs: Sequence[float | None]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.fmean(xs) if xs else None


def _group(results: Sequence[Result]) -> dict[str, Any]:
    judged = [r for r in results if not isinstance(r, str)]
    return {"tasks": len(results), "judged": len(judged), "infra": sum(r == "infra" for r in results),
            "unjudged": sum(r == "unjudged" for r in results), "reward": _mean([r[0] for r in judged]),
            "share": _mean([r[1] for r in judged]), "full_passes": sum(r[2] == 1.0 for r in judged)}


@dataclass
class TemplateReport:
    """What :func:`search_templates` found (values at each task's own render size unless said).

    Attributes:
        spec: The reward, as named.
        best: The best template's parameters.
        example_prompt: The first task's prompt.
        example_program: The best template's program for it.
        overall: ``tasks``, ``judged``, ``infra``, ``unjudged`` (left out of the means), mean ``reward``,
            mean checks ``share`` (``None``: no checks), ``full_passes`` (``checks/all_stated`` = 1).
        levels: The same per task level (tasks that carry one).
        search_value: The best template's mean reward at the search's size (what the search climbed).
        first_value: The first (random) template's mean reward there: where the climb started.
        evaluations: Template evaluations used, of ``budget`` (each: the tasks rendered and scored).
        proposals: Templates proposed (repeats cost no evaluation).
        budget: The evaluations allowed.
        seed: The search's seed.
        fact_blind: Whether the templates read nothing of the prompt.
        size: The search's render size (px).
        seconds: Wall time.
        history: Each improvement: evaluation, mean reward, template.
        tasks: Each task's prompt, level, reward, share and all_stated under the best template.
        gallery: Up to :data:`GRID` tasks' (prompt, program, PNG, reward) for the picture.
        suite: The suite the tasks came from, where known.
    """

    spec: str
    best: Template
    example_prompt: str
    example_program: str
    overall: dict[str, Any]
    levels: dict[str, dict[str, Any]]
    search_value: float | None
    first_value: float | None
    evaluations: int
    proposals: int
    budget: int
    seed: int
    fact_blind: bool
    size: int
    seconds: float
    history: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    gallery: list[tuple[str, str, bytes | None, float | None]] = field(default_factory=list, repr=False)
    suite: str | None = None

    @property
    def value(self) -> float | None:
        """The best template's mean reward over the judged tasks."""
        return self.overall["reward"]

    @property
    def share(self) -> float | None:
        """The best template's mean checks share (``None``: the tasks have no checks)."""
        return self.overall["share"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the pictures left out)."""
        out = {k: v for k, v in asdict(self).items() if k != "gallery"}
        out["best"] = {**asdict(self.best), "describe": self.best.describe()}
        out["gallery"] = [p for p, *_ in self.gallery]
        return out

    def to_table(self) -> str:
        """A plain-text summary and a table per level (what the command prints)."""
        rows = [("level", "tasks", "judged", "reward", "checks share", "full passes")]
        rows += [(name, str(g["tasks"]), str(g["judged"]), _num(g["reward"]), _num(g["share"]),
                  f"{g['full_passes']}/{g['judged']}")
                 for name, g in [*self.levels.items(), ("all", self.overall)]]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        table = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                          for r in rows)
        left = self.overall["infra"] + self.overall["unjudged"]
        return (f"template search on {self.spec}{' (fact-blind)' if self.fact_blind else ''}: "
                f"{self.overall['tasks']} tasks, {self.evaluations}/{self.budget} evaluations, "
                f"seed {self.seed}, {self.seconds:.0f} s\nbest: {self.best.describe()}\n"
                f"first random template {_num(self.first_value)} -> best {_num(self.search_value)} at "
                f"{self.size} px" + (f"; {left} results not judged (left out)" if left else "")
                + f"\n{table}")

    def write(self, out_dir: str | Path) -> Path:
        """Write ``report.json``, ``report.md`` and ``pictures/`` (the best template on up to 12 tasks)."""
        out = Path(out_dir)
        (out / "pictures").mkdir(parents=True, exist_ok=True)
        (out / "report.json").write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        (out / "pictures" / "example.svg").write_text(self.example_program + "\n", encoding="utf-8")
        pngs = [png for _, _, png, _ in self.gallery if png is not None]
        if pngs:
            _grid(pngs).save(out / "pictures" / "best.png")
        lines = [f"# Template adversary: `{self.spec}`", "", "```", self.to_table(), "```", "",
                 "![the best template on the tasks, row by row](pictures/best.png)", "",
                 "| # | prompt | reward |", "| --- | --- | ---: |"]
        lines += [f"| {i + 1} | {p} | {_num(v)} |" for i, (p, _, _, v) in enumerate(self.gallery)]
        lines += ["", f"Its program for: {self.example_prompt}", "", "```svg", self.example_program, "```"]
        (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return out / "report.json"


def _grid(pngs: Sequence[bytes], columns: int = 4, side: int = 160, gap: int = 4) -> Any:
    from PIL import Image

    rows = math.ceil(len(pngs) / columns)
    sheet = Image.new("RGB", (columns * (side + gap) + gap, rows * (side + gap) + gap), "#808080")
    for i, png in enumerate(pngs):
        with Image.open(io.BytesIO(png)) as im:
            sheet.paste(im.convert("RGB").resize((side, side)),
                        (gap + i % columns * (side + gap), gap + i // columns * (side + gap)))
    return sheet


def _num(x: float | None) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{x:.3f}"
