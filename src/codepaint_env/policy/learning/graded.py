"""Graded claims: partial credit for a failed claim a distance can grade (size, position, coverage).

A ``size``, ``position`` or ``coverage`` check passes or fails (:mod:`rewards.checks.evaluate`); a
square at 18 % of the canvas where "at least 20 %" was asked fails as hard as no square at all. For
the learner's reward only (never a verdict, never an evaluation), :func:`graded_share` gives a failed
claim of those kinds credit that falls with how far the picture is from passing, measured as the
check measures it (the same :class:`~rewards.checks.picture.Picture`, its regions of the check's
colour, tolerance and smallest area):

* ``size``: each region's distance from the area range plus its reach's distance from the reach
  range (fractions of the canvas);
* ``position``: each region centre's distance from the named area's box;
* ``coverage``: the covered share's distance from its range.

Credit is ``(1 - distance / GRADE_SCALE)``, at least 0 and at most :data:`FAILED_MAX`, so a failed
claim always earns less than a passed one; a check about every region of a colour takes the mean
of its regions' credit, and no region of the colour earns 0. A passed check earns 1; every other
kind earns its verdict. Nothing here changes a check's verdict: it reads the verdicts and the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: The distance (in fractions of the canvas) at which a failed claim's credit reaches 0.
GRADE_SCALE = 0.25
#: The most credit a failed claim earns (less than a pass, however close).
FAILED_MAX = 0.9
#: The check kinds a distance grades.
GRADED_KINDS = ("size", "position", "coverage")


def _outside(value: float, lo: float, hi: float) -> float:
    return max(lo - value, value - hi, 0.0)


def _credit(distance: float) -> float:
    return max(0.0, min(FAILED_MAX, 1.0 - distance / GRADE_SCALE))


def graded_credit(kind: str, params: dict[str, Any], picture: Any) -> float:
    """A failed check's partial credit in ``[0, FAILED_MAX]`` (see the module docstring)."""
    from rewards.checks.evaluate import across
    from rewards.checks.spec import AREAS

    if kind == "coverage":
        share = float(picture.content(params.get("background"), params["tolerance"]).mean())
        return _credit(_outside(share, params["min"], params["max"]))
    regions = picture.regions(params["colour"], params["tolerance"], params["min_area"])
    if not regions:
        return 0.0
    if kind == "size":
        lo_x = float(params.get("min_extent") or 0.0)
        hi_x = 1.0 if params.get("max_extent") is None else float(params["max_extent"])
        credits = [_credit(_outside(r.area, params["min"], params["max"]) + _outside(across(r), lo_x, hi_x))
                   for r in regions]
    elif kind == "position":
        left, top, right, bottom = AREAS[params["area"]]
        credits = []
        for r in regions:
            x, y = r.centroid
            credits.append(_credit((_outside(x, left, right) ** 2 + _outside(y, top, bottom) ** 2) ** 0.5))
    else:
        raise ValueError(f"a {kind!r} check is not graded (graded: {', '.join(GRADED_KINDS)})")
    return sum(credits) / len(credits)


def graded_share(outcomes: Sequence[tuple[Any, float | None]], picture: Any) -> dict[str, float]:
    """Each check kind's part of the graded value, from ``(check, verdict)`` pairs and their picture.

    ``verdict`` is 1 (passed), 0 (failed) or ``None`` (not applied: left out). A failed check of a
    graded kind earns its graded credit; the parts are paid by the claim graph
    (:func:`rewards.checks.graph.credit`: a claim's children wait on its full pass), so they sum to
    the graded value, as :func:`rewards.checks.reward.kind_parts` does with verdicts.
    """
    from rewards.checks.graph import credit

    verdicts: dict[str, float | None] = {}
    for check, verdict in outcomes:
        value = None if verdict is None else float(verdict)
        if value is not None and value < 1 and check.kind in GRADED_KINDS:
            value = graded_credit(check.kind, check.params, picture)
        verdicts[check.name] = value
    checks = [c for c, _ in outcomes]
    paid = credit(checks, verdicts).paid
    parts: dict[str, float] = {}
    for check in checks:
        if check.name in paid:
            parts[check.kind] = parts.get(check.kind, 0.0) + paid[check.name]
    return parts


def graded_parts(sample: Any, result: Any, checks_name: str, analysis_side: int) -> dict[str, float] | None:
    """The graded parts of one scored sample (``None`` where it has no picture or no applied check)."""
    from rewards.checks.picture import Picture
    from rewards.checks.reward import sample_checks

    image = sample.render.canvas_image if sample.ok and sample.render is not None else None
    if image is None:
        return None
    pairs = [(c, result.breakdown.get(f"{checks_name}/{c.name}")) for c in sample_checks(sample)]
    if not any(v is not None for _, v in pairs):
        return None
    return graded_share(pairs, Picture(image, analysis_side))
