"""The adversary on a ``shapes`` task: the best-paid picture the scene oracle says is wrong.

    >>> import rewards
    >>> from codepaint_env.tasks.shapes.adversary import attack_scene
    >>> from codepaint_env.tasks.shapes.levels import level_scenes
    >>> scene = level_scenes(0, 1, split="eval")[0]
    >>> found = attack_scene(rewards.make_reward("default"), scene, label="L0-01")   # doctest: +SKIP
    >>> found.reference, found.best.value, found.best.broken                        # doctest: +SKIP

The glue between :func:`rewards.testing.adversary.search` and one scene:

* the pictures: :class:`~codepaint_env.tasks.shapes.drawings.DrawingVocabulary` (any shape, colour,
  size, position, small turn; frames, fills, extra objects, the page colour), started from the
  scene's own picture and from random ones;
* the price: each picture written as SVG, rendered by resvg at :data:`SEARCH_SIZE` px (the checks
  analyse at 160 px) and scored by the reward with the task's columns, as a trainer would score a
  policy's SVG (``ocr`` off: the vocabulary writes no text, and OCR reading shapes can only take
  pay away, so the search sees at least what the reward pays). The pictures reported are scored
  again at the task's own size (512 px), the reference too: the values reported are those, and a
  picture that paid only at the small size is not reported as a false pass;
* the truth: which of the task's stated claims the picture breaks, from the scene oracle on the
  drawing's geometry (each colour its colour term). A claim about the objects of a colour
  (count, shape, size, position, relation, not cut) is no verdict when one of those objects is
  more than :data:`COVERED` covered by other objects, or shows in pieces: what shows may read as
  another shape or as two objects (a red disc with a black disc on it is a red ring to some, a red
  disc under a black one to others), and the oracle judges what is drawn. So is one about an object that shows
  within :data:`SPECK` of the checks' ``min_area`` (the oracle's ``count`` calls that close; its
  ``shape`` and ``position`` do not, and would judge a speck's kind). And ``only`` is no verdict
  when no colour holds :data:`CLEAR_RING` of the border ring: the picture's background is the
  ring's most common colour, and a near tie decides what counts as "else". Every proposal is screened on a
  :data:`SCREEN_GRID`-point grid with the scene's own truths computed once; the pictures reported
  are confirmed by :func:`~codepaint_env.tasks.shapes.oracle.broken_claims` itself (its 240-point
  grid), and one it no longer finds wrong gives way to the next;
* the cost of a broken claim: its weight over the weight of all the task's checks, times the
  checks' weight in the reward (0.7 under ``gate:0.3,checks:0.7``; 1 for ``visual_checks``
  alone; ``default`` as the composite it picks for the task, so it and its spelled-out spec
  agree). A reward with no ``visual_checks`` part is held to the reward card's rule instead: the
  claims' worth times the reference's margin over the reward's minimum.

A **false full pass** is a wrong picture the reward does not gate out (paid above its minimum)
that passes every stated check; an **overpaid** picture is paid more than the reference's value
minus its broken claims' cost.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from codepaint_env.core.result import RenderResult
from codepaint_env.render import default_renderer
from codepaint_env.tasks.shapes.drawings import (
    Drawing,
    DrawingVocabulary,
    from_scene,
    oracle_scene,
    svg,
    trouble,
)
from codepaint_env.tasks.shapes.geometry import STAR_INNER, Shape
from codepaint_env.tasks.shapes.oracle import THIN, SceneRaster, Truth, broken_claims, scene_truths, truth
from codepaint_env.tasks.shapes.scenes import Scene
from codepaint_env.tasks.shapes.suite import scene_tasks
from rewards.base import Sample
from rewards.checks import VisualChecks, parse_checks
from rewards.checks.colours import Colour
from rewards.checks.picture import ANALYSIS_SIDE, BORDER
from rewards.checks.regions import erode, label
from rewards.checks.spec import DEFAULT_MIN_AREA, Check
from rewards.testing.adversary import (
    EPSILON,
    Candidate,
    Judgement,
    Scored,
    SearchResult,
    SearchSettings,
    search,
)

SEARCH_SIZE = 160  # px: the checks' analysis side, so nothing is scaled before it is measured
SCREEN_GRID = 120  # points a side of the oracle's screen of every proposal
CHECKS_ID = "visual_checks"
_REPORTED = ("best", "full_pass", "overpaid")
COVERED = 0.05  # an object more covered than this by others: claims about its colour are no verdict
CLEAR_RING = 0.7  # the border ring's top colour below this share: which is the background is unsure
BORDER_RING = max(2, round(BORDER * ANALYSIS_SIDE)) / ANALYSIS_SIDE  # the checks' border ring (the oracle's)
PIECE = 0.1  # a visible part of an object this share of min_area or more is a piece (see covered_terms)
SPECK = 0.3  # an object within 30 % of min_area may be a speck: claims about its colour are no verdict
#: Check kinds that judge the picture's colours or pixels, not the objects of a colour (never "covered").
PICTURE_KINDS = frozenset({"background", "colour", "only", "symmetry", "no_image", "contrast", "coverage"})

Render = Callable[[Sequence[str], int], list[RenderResult]]


def render_svgs(codes: Sequence[str], size: int) -> list[RenderResult]:
    """SVG documents rendered by resvg (the renderer's ``fast`` path) at ``size`` px."""
    return default_renderer().render_many(list(codes), "svg", size=size, renderer="fast")


def checks_share(reward: Any, columns: dict[str, Any] | None = None) -> float | None:
    """The weight of the reward's ``visual_checks`` part (1 for the checks alone; ``None``: it has none).

    A reward that picks its composite per task (``default``: its ``resolve``) is priced as the composite
    it picks for ``columns``: ``default`` on a task with checks is ``gate:0.3,checks:0.7``.
    """
    if columns is not None and callable(getattr(reward, "resolve", None)):
        reward = reward.resolve(columns)
    if getattr(reward, "id", None) == CHECKS_ID:
        return 1.0
    parts = [w for _, r, w in getattr(reward, "components", ()) if getattr(r, "id", None) == CHECKS_ID]
    return float(sum(parts)) if parts else None


class Pricer:
    """Renders and scores pictures for one task, as a trainer scores a policy's SVG.

    Args:
        reward: The reward under audit.
        prompt: The task's prompt.
        columns: The task's columns (``Task.columns()``); ``ocr`` is set off (see the module docstring).
        size: The render size (px).
        render: Renders SVG documents (default :func:`render_svgs`).
    """

    def __init__(self, reward: Any, prompt: str, columns: dict[str, Any], *, size: int = SEARCH_SIZE,
                 render: Render | None = None) -> None:
        self.reward = reward
        self.prompt = prompt
        self.columns = {**columns, "ocr": False}
        self.size = size
        self.render = render or render_svgs
        self.minimum = float(getattr(reward, "value_range", (0.0, 1.0))[0])
        self._checks = VisualChecks()
        self._own_metric = checks_share(reward) is not None  # its checks are the task's: trust its metric

    def samples(self, codes: Sequence[str], size: int | None = None) -> list[Sample]:
        """The codes rendered and wrapped as the reward's samples."""
        renders = self.render(codes, size or self.size)
        return [Sample(code=c, language="svg", render=r, prompt=self.prompt, meta=dict(self.columns))
                for c, r in zip(codes, renders, strict=True)]

    def score_codes(self, codes: Sequence[str], size: int | None = None) -> list[Scored]:
        """Each program's value, and whether it passed every stated check (where the reward paid it)."""
        samples = self.samples(codes, size)
        results = self.reward.score(samples)
        stated: list[float | None] = [r.metrics.get("checks/all_stated") if r.metrics and self._own_metric
                                      else None for r in results]
        missing = [i for i, (r, s) in enumerate(zip(results, stated, strict=True)) if s is None
                   and r.value is not None and r.value > self.minimum]
        if missing:  # the reward has no checks part: the task's checks say
            extra = self._checks.score([samples[i] for i in missing])
            for i, r in zip(missing, extra, strict=True):
                stated[i] = (r.metrics or {}).get("checks/all_stated")
        out = []
        for r, s in zip(results, stated, strict=True):
            paid = r.value is not None and r.value > self.minimum
            out.append(Scored(r.value, bool(paid and s == 1.0)))
        return out

    def evaluate(self, drawings: Sequence[Drawing]) -> list[Scored]:
        """The search's ``evaluate``: drawings to scores."""
        return self.score_codes([svg(d) for d in drawings])

    def verdicts(self, code: str, size: int | None = None) -> tuple[dict[str, bool | None], RenderResult]:
        """Each check's verdict (``None``: does not apply) on one program, and its render."""
        sample = self.samples([code], size)[0]
        result = self._checks.score([sample])[0]
        return ({k: None if v is None else bool(v) for k, v in result.breakdown.items()}, sample.render)


class OracleJudge:
    """Which stated claims of a scene's task a drawing breaks (the search's ``judge`` and ``confirm``).

    Args:
        scene: The task's scene.
        checks: The task's checks (the stated ones are judged).
        grid: The screen's grid (points a side).
    """

    def __init__(self, scene: Scene, checks: Sequence[Check], *, grid: int = SCREEN_GRID) -> None:
        self.scene = scene
        self.named = frozenset(s.colour for s in scene.shapes)
        self.checks = tuple(checks)
        self.stated = [c for c in checks if c.stated]
        self.grid = grid
        self.before: dict[str, Truth] = scene_truths(self.stated, scene)

    def screen(self, drawing: Drawing) -> Judgement:
        """The verdict on a coarse grid (the scene's own truths kept from the exact grid)."""
        why = trouble(drawing, self.named)
        if why is not None:
            return Judgement((), (why,))
        raster = SceneRaster(oracle_scene(self.scene, drawing), self.grid)
        broken, ambiguous = [], []
        for c in self.stated:
            now, was = truth(c, raster), self.before[c.name]
            if now.holds or not (was.holds or was.ambiguous):
                continue
            (ambiguous if now.ambiguous or was.ambiguous else broken).append(c)
        return _uncovered(broken, ambiguous, raster)

    def confirm(self, drawing: Drawing) -> Judgement:
        """The oracle's own verdict (:func:`~codepaint_env.tasks.shapes.oracle.broken_claims`)."""
        if trouble(drawing, self.named) is not None:
            return Judgement()
        changed = oracle_scene(self.scene, drawing)
        b = broken_claims(self.checks, self.scene, changed)
        return _uncovered(list(b.broken), list(b.ambiguous), SceneRaster(changed))


def covered_terms(raster: SceneRaster, min_area: float = DEFAULT_MIN_AREA) -> set[str]:
    """The colours of objects that show (at least ``min_area``) and are covered or cut in pieces.

    Covered: by more than :data:`COVERED` of the object. In pieces: its visible part is two parts
    or more of at least :data:`PIECE` of ``min_area`` each (a wave with a star across it shows two red
    pieces: one object behind the star to a person, two regions to the checks; so does a wave whose
    crests the canvas edge cuts off, and a star above the top edge that shows two tips, each a speck
    to the checks and together an object to the oracle). Parts joined by a neck no thicker than the
    oracle's ``THIN`` are apart: such a neck is no object to the checks, nor a link (the adversary's
    L1-05: a grey square across an orange wave left a hairline under it, and the checks counted two
    orange regions where the oracle saw one wave).
    """
    out = set()
    k = max(1, round(THIN * raster.owner.shape[0] / 2))  # erosion that opens a THIN neck
    for i, s in enumerate(raster.scene.shapes):
        drawn = int(raster.full[i].sum())
        mask = raster.owner == i
        shown = int(mask.sum())
        if not drawn or shown / raster.owner.size < min_area:
            continue
        core = mask
        for _ in range(k):
            core = erode(core)
        labels, n = label(core)
        parts = np.bincount(labels.ravel(), minlength=n + 1)[1:] / mask.size
        if 1 - shown / drawn > COVERED or int((parts >= PIECE * min_area).sum()) > 1:
            out.add(s.colour)
    return out


def _named(check: Check) -> set[str]:
    """The colour terms a check names (its colour, a relation's two, or ``only``'s list)."""
    values = [x for v in check.params.values() for x in (v if isinstance(v, list | tuple) else [v])]
    return {v.term or v.name for v in values if isinstance(v, Colour)}


def speck_terms(raster: SceneRaster, min_area: float = DEFAULT_MIN_AREA) -> set[str]:
    """The colours of objects that show within :data:`SPECK` of ``min_area`` (an object or a speck?)."""
    size = raster.owner.size
    return {s.colour for i, s in enumerate(raster.scene.shapes)
            if abs(int((raster.owner == i).sum()) / size - min_area) < SPECK * min_area}


def thickness(shape: Shape) -> float:
    """The widest disc that fits in a shape, as a share of the canvas (a ring: its band)."""
    if shape.kind == "ring":
        return shape.size * (1.0 - shape.inner)
    if shape.kind == "rect":
        return min(shape.width, shape.height)
    if shape.kind == "triangle":  # an inscribed circle of half the circumradius
        return shape.size
    if shape.kind == "star":  # the inner pentagon's inscribed circle
        return 2 * STAR_INNER * shape.size * math.cos(math.pi / 5)
    if shape.kind == "polygon":
        return float("inf")
    return 2 * shape.size  # circle, square, stripe, wave


def thin_terms(raster: SceneRaster) -> set[str]:
    """The colours of objects that show and are thinner than the oracle's ``THIN`` (a line or an object?).

    4 pixels at the task's 512: the checks see objects from about 3 canvas pixels across
    (:meth:`rewards.checks.picture.Picture.with_thin`); a thinner one is too close to call.
    """
    return {s.colour for i, s in enumerate(raster.scene.shapes) if thickness(s) < THIN and raster.area(i) > 0}


def ring_share(raster: SceneRaster) -> float:
    """The border ring's share of its most common colour (how clearly the picture has one background)."""
    g = raster.px.shape[0]
    k = max(1, round(BORDER_RING * g))
    ring = np.ones((g, g), dtype=bool)
    ring[k:-k, k:-k] = False
    _, counts = np.unique(raster.colour[ring].astype(str), return_counts=True)
    return float(counts.max() / counts.sum())


def _uncovered(broken: list[Check], ambiguous: list[Check], raster: SceneRaster) -> Judgement:
    """The verdict, with the claims the oracle cannot call plainly moved to no verdict.

    Claims about covered, thin or speck-sized objects' colours; ``only`` where the border ring is
    shared (which colour is the background is then unsure) or a thin object of another colour shows.
    """
    thin = thin_terms(raster)
    covered = covered_terms(raster) | thin
    specks = {m: speck_terms(raster, m) for m in {c.params.get("min_area", DEFAULT_MIN_AREA) for c in broken}}
    shared = ring_share(raster) < CLEAR_RING

    def unsure_only(c: Check) -> bool:
        return c.kind == "only" and (shared or bool(thin - _named(c)))

    plain = [c for c in broken if not unsure_only(c) and (c.kind in PICTURE_KINDS
             or not (_named(c) & (covered | specks[c.params.get("min_area", DEFAULT_MIN_AREA)])))]
    unsure = [c for c in broken if c not in plain] + ambiguous
    return Judgement(tuple(c.name for c in plain), tuple(c.name for c in unsure))


@dataclass
class Found:
    """One wrong picture the adversary reports.

    Attributes:
        value: The reward's value, rendered at the task's size.
        value_search: The reward's value at the search's size (what the search saw).
        broken: The stated claims it breaks (the oracle's).
        ambiguous: The stated claims it fails too close to call.
        cost: What the broken claims should cost (see the module docstring).
        worth: The broken claims' weight over the weight of all the task's checks (the reward card's worth).
        excess: ``value - (reference - cost)``: above 0, overpaid.
        stated_pass: It passed every stated check (a false full pass).
        failed: The checks it failed (the checks' own verdicts).
        passing_broken: The broken claims whose checks passed it (what the checks missed).
        origin: Where its climber started (``reference`` or ``random``).
        evaluation: Which evaluation found it.
        svg: The picture's program.
        picture: Its SVG file's name in the output folder, once written.
        drawing: The picture itself (not in the JSON).
    """

    value: float
    value_search: float | None
    broken: list[str]
    ambiguous: list[str]
    cost: float
    worth: float
    excess: float
    stated_pass: bool
    failed: list[str]
    passing_broken: list[str]
    origin: str
    evaluation: int
    svg: str = field(repr=False, default="")
    picture: str | None = None
    drawing: Drawing | None = field(repr=False, default=None)


@dataclass
class SceneAttack:
    """What the adversary found on one scene (:func:`attack_scene`).

    Attributes:
        label: The scene's label (``L2-07``).
        level: Its level (``None``: the fixed suite's).
        description: What its prompt asks for.
        reference: The reward's value for the task's reference program, at the task's size.
        reference_search: The same at the search's size.
        cost_rule: ``checks`` (the checks' weight in the reward) or ``margin`` (the reward card's rule).
        best: The best-paid wrong picture.
        full_pass: The best-paid wrong picture that passed every stated check.
        overpaid: The wrong picture paid most over ``reference - cost``.
        evaluations: Pictures scored.
        proposals: Pictures proposed.
        not_wrong: Proposals the oracle found break nothing (not scored).
        full_passes: Scored wrong pictures that passed every stated check.
        overpaid_count: Scored wrong pictures paid more than ``reference - cost``.
        dropped: Screened-wrong pictures the exact oracle did not confirm.
        seconds: The search's wall time.
        skipped: Why the scene was not attacked (its reference was not judged or scored the minimum).
    """

    label: str
    level: int | None
    description: str
    reference: float | None
    reference_search: float | None = None
    cost_rule: str = "checks"
    best: Found | None = None
    full_pass: Found | None = None
    overpaid: Found | None = None
    evaluations: int = 0
    proposals: int = 0
    not_wrong: int = 0
    full_passes: int = 0
    overpaid_count: int = 0
    dropped: int = 0
    seconds: float = 0.0
    skipped: str | None = None
    _pngs: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def evaluations_per_second(self) -> float:
        """Pictures scored per second."""
        return self.evaluations / self.seconds if self.seconds > 0 else 0.0

    @property
    def false_full_pass(self) -> bool:
        """Whether some wrong picture passed every stated check."""
        return self.full_pass is not None

    @property
    def overpaid_any(self) -> bool:
        """Whether some wrong picture was paid more than the reference minus its broken claims' cost."""
        return self.overpaid is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (programs left out: they are in the SVG files)."""
        out = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        for name in ("best", "full_pass", "overpaid"):
            if out[name] is not None:
                out[name].pop("svg", None)
                out[name].pop("drawing", None)
        out.update(false_full_pass=self.false_full_pass, overpaid_any=self.overpaid_any,
                   evaluations_per_second=round(self.evaluations_per_second, 2))
        return out

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> SceneAttack:
        """An attack read back from :meth:`to_dict`'s JSON (without its pictures' programs)."""
        names = {f.name for f in fields(cls) if not f.name.startswith("_")}
        found = {f.name for f in fields(Found)}
        out = cls(**{k: v for k, v in row.items() if k in names and k not in _REPORTED})
        for name in _REPORTED:
            if row.get(name) is not None:
                setattr(out, name, Found(**{k: v for k, v in row[name].items() if k in found}))
        return out

    def write(self, folder: str | Path) -> list[Path]:
        """Save each reported picture as ``<label>-<which>.svg`` and ``.png`` (each distinct picture once)."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        done: dict[str, str] = {}
        for name in ("best", "full_pass", "overpaid"):
            found: Found | None = getattr(self, name)
            if found is None:
                continue
            if found.svg in done:
                found.picture = done[found.svg]
                continue
            stem = f"{self.label}-{name.replace('_', '-')}"
            (out / f"{stem}.svg").write_text(found.svg + "\n", encoding="utf-8")
            written.append(out / f"{stem}.svg")
            if name in self._pngs:
                (out / f"{stem}.png").write_bytes(self._pngs[name])
                written.append(out / f"{stem}.png")
            found.picture = done[found.svg] = f"{stem}.svg"
        return written


def claim_worth(checks: Sequence[Check]) -> Callable[[Sequence[str]], float]:
    """The worth of a set of broken claims (by name): their weight over the weight of all the checks."""
    weights = {c.name: c.weight for c in checks}
    total = sum(weights.values())
    return lambda broken: sum(weights[n] for n in broken) / total


def claim_cost(checks: Sequence[Check], share: float | None, reference: float,
               minimum: float) -> Callable[[tuple[str, ...]], float]:
    """What a set of broken claims (by name) should cost the picture (see the module docstring)."""
    worth = claim_worth(checks)
    scale = share if share is not None else reference - minimum
    return lambda broken: scale * worth(broken)


def attack_scene(reward: Any, scene: Scene, *, label: str, settings: SearchSettings | None = None,
                 size: int = SEARCH_SIZE, render: Render | None = None) -> SceneAttack:
    """Search for the best-paid wrong picture of one scene's SVG task (see the module docstring).

    Args:
        reward: The reward under audit (``score(samples)``, optionally ``value_range``).
        scene: The scene (its task's checks and reference come from the suite).
        label: How to name the scene in reports and files.
        settings: The search's budget, climbers and seed.
        size: The render size of the search (px).
        render: Renders SVG documents at a size (default: resvg through the renderer).
    """
    task = scene_tasks(scene, ("svg",))[0]
    checks = parse_checks(list(task.checks))
    pricer = Pricer(reward, task.prompt, task.columns(), size=size, render=render)
    reference = task.reference_programs["svg"]
    full = task.size[0]
    ref_search = pricer.score_codes([reference])[0].value
    ref = pricer.score_codes([reference], full)[0].value
    share = checks_share(reward, task.columns())
    out = SceneAttack(label, scene.level, scene.description, ref, ref_search,
                      "checks" if share is not None else "margin")
    if ref is None or ref_search is None or min(ref, ref_search) <= pricer.minimum:
        out.skipped = ("the reference was not judged" if ref is None or ref_search is None
                       else "the reference scored the minimum")
        return out
    judge = OracleJudge(scene, checks)
    result: SearchResult[Drawing] = search(
        from_scene(scene), DrawingVocabulary(scene), pricer.evaluate, judge.screen,
        reference_value=ref_search, cost=claim_cost(checks, share, ref_search, pricer.minimum),
        settings=settings, confirm=judge.confirm,
        rescore=lambda drawings: pricer.score_codes([svg(d) for d in drawings], full))
    out.evaluations, out.proposals, out.not_wrong = result.evaluations, result.proposals, result.not_wrong
    out.full_passes, out.overpaid_count = result.full_passes, result.overpaid_count
    out.dropped = result.dropped
    out.seconds = result.seconds
    cost = claim_cost(checks, share, ref, pricer.minimum)  # at the task's size, against its reference
    for name in ("best", "full_pass", "overpaid"):
        cand: Candidate[Drawing] | None = getattr(result, name)
        if cand is None:
            continue
        found, png = _found(pricer, cand, full, cost(cand.broken), claim_worth(checks)(cand.broken), ref)
        if name == "overpaid" and found.excess <= EPSILON:
            continue
        setattr(out, name, found)
        out._pngs[name] = png
    return out


def _found(pricer: Pricer, cand: Candidate[Drawing], size: int, cost: float, worth: float,
           reference: float) -> tuple[Found, bytes]:
    """A reported candidate (valued at the task's ``size``), the checks' verdicts on it there, and its PNG."""
    code = svg(cand.picture)
    verdicts, render = pricer.verdicts(code, size)
    failed = [name for name, passed in verdicts.items() if passed is False]
    passing = [name for name in cand.broken if verdicts.get(name)]
    found = Found(cand.value, cand.searched, list(cand.broken), list(cand.ambiguous), round(cost, 6),
                  round(worth, 6), round(cand.value - (reference - cost), 6), bool(cand.stated_pass), failed,
                  passing, cand.origin, cand.evaluation, svg=code, drawing=cand.picture)
    return found, _png(render)


def _png(render: RenderResult) -> bytes:
    if render.png:
        return render.png
    image = render.image
    if image is None:
        return b""
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
