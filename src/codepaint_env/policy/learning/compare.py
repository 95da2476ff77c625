"""Learning run 4's comparisons, computed from the committed rows alone (docs/learning-run-4-plan.md).

Each comparison is paired by task: a model gives a task the mean of its samples' values
(:func:`task_values`), the effect is the mean paired difference with a 95 % bootstrap interval over
tasks (:data:`CI_RESAMPLES`), and the p value a two-sided sign-flip test over tasks (:data:`FLIPS`
random flips, seed :data:`SEED`; :func:`~.stats.paired`). The measures (:data:`MEASURES`):

* ``a``: checks share among gate-passers (a task's mean over its gate-passing samples; a task where
  either model has no gate-passing sample is left out, and counted);
* ``b``: checks share with gate failures counted as 0;
* ``c``: the all-stated-claims rate (a gate failure is not all stated);
* ``d``: gate pass;
* ``e``: background passes among gate-passers (tasks as in ``a``);
* ``share``: the checks share a sample is paid (the reward's ``checks/share``: the claim graph's value
  under the checks of version 5), a gate failure counting 0 (``b``'s value, by the name run 5 uses);
* ``background_nonwhite``: on the scenes whose stated page is not white, whether the ``background``
  check passed, a gate failure counting as not passed (a white or unstated page: the sample does not
  count); ``background_nonwhite_gated``: the same among gate-passers only (issue 73's table). Both read
  a row's ``page`` (the colour its task states), which :func:`with_pages` adds to rows that lack it.

The declared families (:func:`families`; a plan's own: :func:`declared`), each Holm-adjusted over the
comparisons it declares (one
not yet run counts as p = 1, so the adjustment is never milder than the plan's):
family 1, each trained model against the base on ``a``-``e`` (20); family 2, the control against the
base on ``a``-``d`` (4); family 3, each trained model against the bigger base on ``a`` and ``b`` (8).
:func:`exploratory` gives the other check kinds, Holm within each model's kinds; :func:`goal` judges
issue 55's goal per learner.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from codepaint_env.policy.learning.replay import non_white
from codepaint_env.policy.learning.stats import bootstrap, holm, paired

#: The sign-flip test's random flips and seed, and the bootstrap's resamples (the plan's).
FLIPS = 20_000
SEED = 55
CI_RESAMPLES = 10_000
ALPHA = 0.05
#: The measures, in the plan's words.
MEASURES = {
    "a": "checks share among gate-passers",
    "b": "checks share, gate failures as 0",
    "c": "all stated claims pass",
    "d": "gate pass",
    "e": "background among gate-passers",
    "share": "checks share paid, gate failures as 0",
    "background_nonwhite": "background right on non-white pages, gate failures as not",
    "background_nonwhite_gated": "background right on non-white pages, among gate-passers",
}
#: The measures that read a row's stated page (:func:`with_pages`).
PAGE_MEASURES = ("background_nonwhite", "background_nonwhite_gated")
#: The trained models of family 1, and the learners whose two seeds the goal asks for.
TRAINED = ("rft-s0", "rft-s1", "grpo-s0", "grpo-s1")
LEARNERS = ("rft", "grpo")
#: The goal (issue 55, item 5): the rise of ``a`` asked, the background rate, the gate's tolerance.
GOAL_RISE = 0.15
GOAL_BACKGROUND = 0.60
GATE_TOLERANCE = -0.02

Rows = Sequence[Mapping[str, Any]]


def _value(row: Mapping[str, Any], measure: str) -> float | None:
    """A sample's value for ``measure`` (``None``: the sample does not count for it)."""
    gate = bool(row.get("gate_pass"))
    if measure in PAGE_MEASURES:
        return _background_nonwhite(row, gate, gated=measure.endswith("_gated"))
    if measure == "d":
        return float(gate)
    if measure in ("b", "share"):
        return float(row.get("share") or 0.0) if gate else 0.0
    if measure == "c":
        return float(row.get("all_stated") or 0.0) if gate else 0.0
    if not gate:
        return None
    if measure == "a":
        share = row.get("share")
        return None if share is None else float(share)
    kind = "background" if measure == "e" else measure.removeprefix("kind:")
    value = (row.get("kinds") or {}).get(kind)
    return None if value is None else float(value)


def _background_nonwhite(row: Mapping[str, Any], gate: bool, *, gated: bool) -> float | None:
    """A sample's ``background_nonwhite`` value (``None``: a white or unstated page, or not counted)."""
    if not non_white(row.get("page")):
        return None
    if not gate:
        return None if gated else 0.0
    value = (row.get("kinds") or {}).get("background")
    return None if value is None else float(value)


def with_pages(rows: Rows, pages: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """The rows, each with ``page``: the page colour its task states (``pages``: by task id)."""
    return [{**r, "page": r["page"] if "page" in r else pages.get(r["task_id"])} for r in rows]


def task_values(rows: Rows, measure: str) -> dict[str, float]:
    """Each task's mean over its samples that count for ``measure`` (a task with none left out).

    ``measure``: a key of :data:`MEASURES`, or ``kind:<kind>`` (that kind's share among gate-passers).
    """
    out: dict[str, list[float]] = {}
    for r in rows:
        v = _value(r, measure)
        if v is not None:
            out.setdefault(r["task_id"], []).append(v)
    return {t: statistics.fmean(v) for t, v in out.items()}


def pooled(rows: Rows, measure: str) -> float | None:
    """The mean of ``measure`` over every sample that counts for it (samples pooled, not tasks)."""
    values = [v for r in rows if (v := _value(r, measure)) is not None]
    return statistics.fmean(values) if values else None


@dataclass
class Comparison:
    """One paired comparison: ``after`` minus ``before`` on ``measure`` over the tasks both have."""

    family: str
    after: str
    before: str
    measure: str
    diff: float | None = None
    p: float | None = None
    tasks: int = 0
    excluded: int = 0
    ci: tuple[float, float] | None = None
    before_mean: float | None = None
    after_mean: float | None = None
    holm: float | None = None
    note: str = ""

    @property
    def run(self) -> bool:
        """Whether both models' rows were there (a comparison not run has no p)."""
        return self.p is not None

    @property
    def significant(self) -> bool:
        """Holm-adjusted p below :data:`ALPHA`."""
        return self.holm is not None and self.holm < ALPHA

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON."""
        return {**asdict(self), "ci": list(self.ci) if self.ci else None}


def compare(family: str, after: str, before: str, measure: str, models: Mapping[str, Rows]) -> Comparison:
    """Compare two models' rows on ``measure`` (``Comparison.p`` ``None`` when either has no rows)."""
    c = Comparison(family, after, before, measure)
    if not models.get(after) or not models.get(before):
        c.note = "not yet evaluated: " + ", ".join(m for m in (after, before) if not models.get(m))
        return c
    x, y = task_values(models[before], measure), task_values(models[after], measure)
    every = {r["task_id"] for r in models[before]} | {r["task_id"] for r in models[after]}
    tasks = sorted(set(x) & set(y))
    c.tasks, c.excluded = len(tasks), len(every) - len(tasks)
    if not tasks:
        c.note = "no task to pair"
        return c
    c.diff, c.p, _ = paired(x, y, resamples=FLIPS, seed=SEED)
    c.ci = bootstrap([y[t] - x[t] for t in tasks], resamples=CI_RESAMPLES, seed=SEED)
    c.before_mean = statistics.fmean(x[t] for t in tasks)
    c.after_mean = statistics.fmean(y[t] for t in tasks)
    return c


def adjust(comparisons: Sequence[Comparison]) -> list[Comparison]:
    """Holm over every comparison given; one not run counts as p = 1 (and gets no adjusted p)."""
    adjusted = holm([c.p if c.p is not None else 1.0 for c in comparisons])
    for c, q in zip(comparisons, adjusted, strict=True):
        c.holm = q if c.run else None
    return list(comparisons)


Declaration = tuple[str, Sequence[str], "str | Mapping[str, str]", Sequence[str]]


def declared(models: Mapping[str, Rows], declarations: Sequence[Declaration]) -> dict[str, list[Comparison]]:
    """Families as a plan declares them: ``(family, models, against, measures)``, each Holm-adjusted.

    A family's comparisons run model by model, measure by measure (``after`` each model, ``before``
    ``against``, or ``against[model]`` where it maps each model to its own: a trained model's start);
    a model missing or empty is "not yet evaluated".
    """
    def before(against: str | Mapping[str, str], model: str) -> str:
        return against if isinstance(against, str) else against[model]

    return {family: adjust([compare(family, m, before(against, m), k, models)
                            for m in afters for k in measures])
            for family, afters, against, measures in declarations}


def families(models: Mapping[str, Rows], big: str | None = None) -> dict[str, list[Comparison]]:
    """Learning run 4's three declared families, each Holm-adjusted (see the module docstring).

    Args:
        models: Each model's rows by tag (``base``, ``control``, :data:`TRAINED`, ``big``); a model
            missing or empty is "not yet evaluated".
        big: The bigger base model's tag (family 3); ``None``: family 3 is not declared.
    """
    plan = [("1", TRAINED, "base", "abcde"), ("2", ("control",), "base", "abcd")]
    return declared(models, [*plan, *([("3", TRAINED, big, "ab")] if big is not None else [])])


def exploratory(models: Mapping[str, Rows], skip: Sequence[str] = ("base",)) -> dict[str, list[Comparison]]:
    """Each other check kind's pass rate among gate-passers, each model against the base (exploratory).

    Background is family 1's ``e`` and left out here; Holm within each model's kinds.
    """
    out: dict[str, list[Comparison]] = {}
    base = models.get("base") or []
    for tag, rows in models.items():
        if tag in skip or not rows or not base:
            continue
        kinds = sorted({k for r in [*base, *rows] if r.get("gate_pass") for k in (r.get("kinds") or {})}
                       - {"background"})
        out[tag] = adjust([compare("exploratory", tag, "base", f"kind:{k}", models) for k in kinds])
    return out


@dataclass
class SeedVerdict:
    """One trained seed against the goal's criteria (``None``: not measured)."""

    tag: str
    a_rise: float | None = None
    a_needed: float | None = None
    a_holm: float | None = None
    b_rise: float | None = None
    background: float | None = None
    gate_diff: float | None = None
    gate_holm: float | None = None
    criteria: dict[str, bool | None] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """Criteria 1-4 all met (``None``: a criterion not measured)."""
        values = list(self.criteria.values())
        if not values or any(v is None for v in values):
            return None
        return all(values)


def seed_verdict(tag: str, family_one: Sequence[Comparison], rows: Rows | None, *, rise: float = GOAL_RISE,
                 background: float = GOAL_BACKGROUND, tolerance: float = GATE_TOLERANCE) -> SeedVerdict:
    """Criteria 1-4 of the goal for one trained model (criterion 5 is read by hand)."""
    by = {c.measure: c for c in family_one if c.after == tag}
    a, b, d = by.get("a"), by.get("b"), by.get("d")
    v = SeedVerdict(tag)
    if a is not None and a.run and a.before_mean is not None:
        v.a_rise, v.a_holm = a.diff, a.holm
        v.a_needed = min(rise, (1.0 - a.before_mean) / 2)
    if b is not None and b.run:
        v.b_rise = b.diff
    if d is not None and d.run:
        v.gate_diff, v.gate_holm = d.diff, d.holm
    v.background = pooled(rows, "e") if rows else None
    fell = d is not None and d.significant and (v.gate_diff or 0.0) < 0
    v.criteria = {
        "1": None if v.a_rise is None or v.a_needed is None
        else bool(v.a_rise >= v.a_needed and a is not None and a.significant and v.a_rise > 0),
        "2": None if v.a_rise is None or v.b_rise is None else bool(v.b_rise >= v.a_rise),
        "3": None if v.background is None else bool(v.background >= background),
        "4": None if v.gate_diff is None
        else bool(v.gate_diff >= tolerance and not fell),
    }
    return v


def goal(family_one: Sequence[Comparison], models: Mapping[str, Rows],
         seeds: Sequence[int] = (0, 1), *, learners: Mapping[str, Sequence[int]] | None = None,
         **thresholds: float) -> dict[str, dict[str, Any]]:
    """Per learner: each seed's verdict and whether criteria 1-4 hold in all (``None``: not yet known).

    ``learners``: each learner's seeds (default: :data:`LEARNERS`, each with ``seeds``); ``thresholds``:
    ``rise``, ``background`` and ``tolerance`` for :func:`seed_verdict` (default: the plan's constants).
    """
    out: dict[str, dict[str, Any]] = {}
    for learner, mine in (learners or {name: seeds for name in LEARNERS}).items():
        verdicts = [seed_verdict(f"{learner}-s{s}", family_one, models.get(f"{learner}-s{s}"), **thresholds)
                    for s in mine]
        mets = [v.met for v in verdicts]
        reached = False if any(m is False for m in mets) else (None if any(m is None for m in mets) else True)
        out[learner] = {"seeds": verdicts, "criteria_1_4": reached}
    return out


def level_record(rows: Rows) -> dict[str, Any]:
    """Samples pooled: gate pass, checks share among gate-passers and over all, all stated, background."""
    def r4(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    return {"samples": len(rows), "tasks": len({r["task_id"] for r in rows}),
            "gate_pass": r4(pooled(rows, "d")), "checks_share_gated": r4(pooled(rows, "a")),
            "checks_share_all": r4(pooled(rows, "b")), "all_stated": r4(pooled(rows, "c")),
            "background_gated": r4(pooled(rows, "e"))}


def monitors(rows: Rows) -> dict[str, float]:
    """The hack monitors' flags (the gate's sub-checks at 0): text, copies, degenerate, invented API."""
    parts = {"text": "no_text", "copy": "not_copy", "degenerate": "not_degenerate",
             "invented_api": "known_api"}
    n = len(rows)
    return {name: round(sum((r.get("gate_parts") or {}).get(part) == 0.0 for r in rows) / n, 4)
            if n else 0.0 for name, part in parts.items()}
