"""Which pictures pass every stated check of which knowledge cards (the cross-card and fact-blind tests).

Each ``(check, picture)`` verdict is evaluated once and shared by every card that states the same
check; ``symmetry``, the costly kind, is evaluated last, only when the card's other checks passed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rewards.checks.evaluate import evaluate
from rewards.checks.picture import Picture
from rewards.checks.spec import Check, parse_checks

LAST = ("symmetry",)  # the costly kind: evaluated only when every other check passed


def stated(task: Any) -> list[Check]:
    """A task's stated checks (the card's and the canvas the prompt names), the costly kind last."""
    checks = [c for c in parse_checks(list(task.checks)) if c.stated]
    return sorted(checks, key=lambda c: c.kind in LAST)


def _key(check: Check) -> str:
    return json.dumps({k: v for k, v in check.source.items() if k not in ("weight", "name")}, sort_keys=True)


def full_passes(tasks: Mapping[str, Any], cards: Iterable[str], pictures: Mapping[str, Picture],
                skip: Callable[[str, str], bool] = lambda card, name: False) -> set[tuple[str, str]]:
    """The pairs (card, picture name) whose picture passes every stated check of the card.

    ``skip(card, name)``: pairs not to judge (a card's own picture).
    """
    seen: dict[tuple[str, str], Any] = {}

    def passes(check: Check, name: str) -> bool:
        key = (_key(check), name)
        if key not in seen:
            seen[key] = evaluate([check], pictures[name], "", "svg")[0].passed
        return seen[key] is True

    checks = {a: stated(tasks[a]) for a in cards}
    assert all(checks.values()), "every task states at least one check"
    return {(a, n) for a in checks for n in pictures
            if not skip(a, n) and all(passes(c, n) for c in checks[a])}
