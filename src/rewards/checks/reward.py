"""`visual_checks` (alias ``checks``): the share of a task's verifiable checks its picture passes.

A task's ``checks`` column (see :mod:`rewards.checks.spec`) holds declarative assertions about
the picture the prompt asks for: its background, the colours present and how much, the connected
regions of a colour (how many, how big, what shape, where), relations between them, coverage,
nothing cut by the edge, mirror symmetry, contrast, and for the program itself no embedded raster
image or a number of SVG elements. They are evaluated on the program's own canvas
(``RenderResult.canvas_image``, never the letterbox bands), deterministically, in milliseconds,
with no model.

Value: the share of the claims the picture is paid for, in [0, 1], by the claim graph
(:mod:`rewards.checks.graph`, version 5 of the checks): a claim about an object pays only once the
object is found as its stated kind, the page once some object is, and the guards (``only``,
``not_cut``, ``contrast``, ``no_image``) earn nothing but halve the value for each one broken. The
breakdown names every check (1 passed, 0 failed, ``None`` does not apply); the rationale has one
sentence per failed check ("expected 3 red regions, found 2.") and names the claims that passed
unpaid. The metrics (what trainers log, per check *kind* so
the columns are the same for every task): ``checks/share`` (the value), ``checks/all_stated`` (1
when every check the prompt states passed) and ``checks/<kind>`` (the weighted share of that kind's
checks passed; ``None`` for a kind the task lacks). A program that did not render gets 0 (every
check 0 in the breakdown); a sample whose
task has no checks is not judged (``None``, "no checks for this task"); a malformed check raises
:class:`~rewards.checks.spec.CheckError` naming the check and the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rewards.base import Reward, RewardResult, Sample
from rewards.checks.evaluate import Outcome, evaluate
from rewards.checks.graph import credit
from rewards.checks.picture import ANALYSIS_SIDE, Picture
from rewards.checks.spec import CHECK_METRICS, Check, parse_checks

NO_CHECKS = "no checks for this task"
#: The version of the checks' scoring: 5 is the claim graph (issue 72); 4 was a flat weighted share.
CHECKS_VERSION = 5


class VisualChecks(Reward):
    """Verifiable checks on the picture (id ``visual_checks``, alias ``checks``; see the module docstring).

    Args:
        analysis_side: The longer side, in pixels, pictures are scaled to before they are measured.
        **kwargs: The :class:`~rewards.base.Reward` arguments (renderer, language, size, seed, name).
    """

    id = "visual_checks"
    #: The checks' version: 5 values a picture by the claim graph (:mod:`rewards.checks.graph`).
    version = CHECKS_VERSION
    value_range = (0.0, 1.0)
    logs_breakdown = False  # one key per check of a task: the metrics (per kind) are logged instead

    def __init__(self, *, analysis_side: int = ANALYSIS_SIDE, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 32 <= analysis_side <= 1024:
            raise ValueError(f"analysis_side must be in 32..1024 pixels, not {analysis_side!r}")
        self.analysis_side = int(analysis_side)

    def score_one(self, sample: Sample) -> RewardResult:
        """Evaluate the sample's checks on its picture."""
        checks = sample_checks(sample)
        if not checks:
            return RewardResult.unjudged(NO_CHECKS)
        image = sample.render.canvas_image if sample.ok else None
        if image is None:
            failed = self.failed_render(sample, **dict.fromkeys((c.name for c in checks), 0.0))
            failed.metrics = check_metrics([Outcome(c, False, "") for c in checks])
            return failed
        outcomes = evaluate(checks, Picture(image, self.analysis_side), sample.code, sample.language)
        return result_of(outcomes, sample.language)


def sample_checks(sample: Sample) -> tuple[Check, ...]:
    """The checks of a sample's task (its ``checks`` column: a list, or its JSON text), validated."""
    raw = sample.meta.get("checks")
    if raw is None or (isinstance(raw, (str, list, tuple)) and len(raw) == 0):
        return ()
    return parse_checks(raw)


def result_of(outcomes: Sequence[Outcome], language: str) -> RewardResult:
    """The reward's result from the outcomes of a picture's checks (valued by the claim graph)."""
    breakdown: dict[str, float | None] = {
        o.check.name: None if o.passed is None else float(o.passed) for o in outcomes}
    applied = [o for o in outcomes if o.passed is not None]
    if not applied:
        return RewardResult.unjudged(f"none of the task's checks applies to a {language} program",
                                     breakdown=breakdown)
    paid = credit([o.check for o in outcomes], breakdown)
    failed = [o for o in applied if not o.passed]
    sentences = [_sentence(o.sentence) for o in failed]
    if paid.unpaid:
        waits = dict.fromkeys(p for parents in paid.unpaid.values() for p in parents)
        sentences.append(_sentence(f"{len(paid.unpaid)} passed claim{'' if len(paid.unpaid) == 1 else 's'} "
                                   f"unpaid until {', '.join(waits)} pass{'es' if len(waits) == 1 else ''}"))
    rationale = " ".join(sentences) if failed else f"all {len(applied)} checks passed"
    return RewardResult(paid.value, breakdown=breakdown, rationale=rationale,
                        metrics=check_metrics(outcomes))


def kind_parts(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Each check kind's part of the value: what its claims are paid (:mod:`rewards.checks.graph`).

    The parts sum to the reward's value, so a trainer can take one advantage per kind (see
    :func:`rewards.factory.reward_funcs` with ``split_checks``); a guard's kind has no part.
    """
    verdicts = {o.check.name: None if o.passed is None else float(o.passed) for o in outcomes}
    return parts_by_kind([o.check for o in outcomes], verdicts)


def parts_by_kind(checks: Sequence[Check], verdicts: dict[str, float | None]) -> dict[str, float]:
    """Each claim kind's paid part of the value, from the checks and their verdicts."""
    paid = credit(checks, verdicts).paid
    parts: dict[str, float] = {}
    for c in checks:
        if c.name in paid:
            parts[c.kind] = parts.get(c.kind, 0.0) + paid[c.name]
    return parts


def check_metrics(outcomes: Sequence[Outcome]) -> dict[str, float | None]:
    """The per-kind metrics of a picture's outcomes (see the module docstring).

    ``checks/share`` is the value (the claim graph's); ``checks/<kind>`` is the weighted share of
    that kind's checks that passed, paid or not (what a picture shows, kind by kind).
    """
    applied = [o for o in outcomes if o.passed is not None]
    metrics: dict[str, float | None] = dict.fromkeys(CHECK_METRICS)
    if not applied:
        return metrics
    verdicts = {o.check.name: None if o.passed is None else float(o.passed) for o in outcomes}
    metrics["checks/share"] = credit([o.check for o in outcomes], verdicts).value
    stated = [o for o in applied if o.check.stated] or applied  # none marked: every check is stated
    metrics["checks/all_stated"] = float(all(o.passed for o in stated))
    for kind in dict.fromkeys(o.check.kind for o in applied):
        mine = [o for o in applied if o.check.kind == kind]
        passed = sum(o.check.weight for o in mine if o.passed)
        metrics[f"checks/{kind}"] = passed / sum(o.check.weight for o in mine)
    return metrics


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[0].upper() + text[1:] if text else text) + ("" if text.endswith(".") else ".")
