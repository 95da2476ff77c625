"""Each check of a task evaluated on a picture (and, for the program checks, on the code).

:func:`evaluate` gives one :class:`Outcome` per check: passed or failed with a sentence a person
reads ("expected 3 red regions, found 2"), or not applicable (a program check of another
language). Measures are in fractions of the canvas (see :mod:`rewards.checks.picture`). The kinds
live where the claim graph (:mod:`rewards.checks.graph`) puts them: the objects
(:mod:`.objects`), how they stand to each other (:mod:`.relations`), the page (:mod:`.page`) and the
program (:mod:`.program`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rewards.checks.objects import (
    BAND_SPAN,
    BANDS,
    CUT_CONTACT,
    DETAIL_BELOW,
    EXTENT_SLACK,
    OBJECT_CHECKS,
    POSITION_MARGIN,
    across,
    cut_by,
    holding,
    inner_area,
    is_small,
    reach_of,
)
from rewards.checks.page import (
    ENCLOSED,
    OUTLINE_REACH,
    OUTLINE_SHARE,
    PAGE_CHECKS,
    enclosed_share,
    outline_share,
)
from rewards.checks.picture import Picture
from rewards.checks.program import program_check
from rewards.checks.relations import (
    FRAME_SHARE,
    INSIDE_SHARE,
    RELATION_CHECKS,
    RELATION_SHARE,
    TOUCH_DISTANCE,
    frames,
    symmetry_score,
)
from rewards.checks.spec import Check
from rewards.checks.words import cell_of, nearest_name, pct, share_range

__all__ = [
    "BANDS", "BAND_SPAN", "CUT_CONTACT", "DETAIL_BELOW", "ENCLOSED", "EXTENT_SLACK", "FRAME_SHARE",
    "INSIDE_SHARE", "OUTLINE_REACH", "OUTLINE_SHARE", "POSITION_MARGIN", "RELATION_SHARE", "TOUCH_DISTANCE",
    "Outcome", "across", "cell_of", "cut_by", "enclosed_share", "evaluate", "frames", "holding", "inner_area",
    "is_small", "nearest_name", "outline_share", "pct", "reach_of", "share_range", "symmetry_score",
]


@dataclass(frozen=True)
class Outcome:
    """What one check found.

    Attributes:
        check: The check.
        passed: True, False, or ``None`` when the check does not apply (a program check of another
            language): it is then left out of the score.
        sentence: What was found; for a failed check, what was expected and what was found instead.
    """

    check: Check
    passed: bool | None
    sentence: str


def evaluate(checks: Sequence[Check], picture: Picture, code: str, language: str) -> list[Outcome]:
    """Evaluate every check on a picture and its program."""
    out = []
    for check in checks:
        if check.kind in _PICTURE_CHECKS:
            passed, sentence = _PICTURE_CHECKS[check.kind](picture, check.params)
        else:
            passed, sentence = program_check(check.kind, check.params, code, language)
        out.append(Outcome(check, passed, sentence))
    return out


_PICTURE_CHECKS: dict[str, Callable[[Picture, dict[str, Any]], tuple[bool, str]]] = {
    **OBJECT_CHECKS, **RELATION_CHECKS, **PAGE_CHECKS}
