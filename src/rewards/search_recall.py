"""`search_recall`: the share of the facts a task needs that the episode's searches retrieved.

The text half of a dual reward (Gen-Searcher: one reward for what the search found, one for the
picture): a task of the ``knowledge`` suite names the fact cards its picture needs (its ``facts``
column: card ids), an episode's search tool records the card ids its searches returned (the
sample's ``retrieved`` column, :class:`codepaint_env.tasks.knowledge.search.SearchLog`), and the
value is the share of the needed cards that were retrieved, in [0, 1]. It composes with the picture's
checks through the one spec grammar: ``gate:0.2,checks:0.7,search_recall:0.1``.

* a task without a ``facts`` column (or an empty one) is not judged: ``None``, "no facts for this
  task" (mix such tasks with others with ``missing="renormalize"`` in a composite);
* a sample without a ``retrieved`` column searched nothing: every fact missed, 0;
* a program that did not render gets 0, the minimum, as with every reward (the breakdown still
  says what the searches found: ``recall``);
* both columns may be a list of ids or its JSON text (``'["flag-sweden"]'``: what
  ``Task.columns()`` writes, and what parquet keeps); anything else is a malformed column, not
  judged (``None`` with the reason), never an exception.

Breakdown: ``recall`` (the share, whatever the render), ``needed`` and ``found`` (counts).
"""

from __future__ import annotations

import json
from typing import Any

from rewards.base import Reward, RewardResult, Sample

NO_FACTS = "no facts for this task"
#: The most ids a column may hold (a longer one is malformed, not judged).
MAX_IDS = 1000


def parse_ids(value: Any, column: str) -> tuple[str, ...]:
    """A column of card ids (a list, a tuple, or its JSON text) as a tuple; ``None`` is empty.

    Raises:
        ValueError: Anything else, naming the column.
    """
    if value is None:
        return ()
    if hasattr(value, "tolist"):  # a numpy array read back from parquet
        value = value.tolist()
    if isinstance(value, str):
        if not value.strip():
            return ()
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(f"the {column!r} column is not a list of card ids nor its JSON text") from None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"the {column!r} column must be a list of card ids, not {type(value).__name__}")
    if len(value) > MAX_IDS:
        raise ValueError(f"the {column!r} column holds {len(value)} ids; at most {MAX_IDS}")
    return tuple(value)


class SearchRecall(Reward):
    """The share of a task's facts the episode's searches retrieved (id ``search_recall``).

    Reads the ``facts`` column (the task's card ids) and the ``retrieved`` column (the card ids the
    searches returned); see the module docstring.

    Args:
        **kwargs: The :class:`~rewards.base.Reward` arguments (renderer, language, size, seed, name).
    """

    id = "search_recall"
    value_range = (0.0, 1.0)

    def score_one(self, sample: Sample) -> RewardResult:
        """The share of the sample's task's facts among its retrieved cards."""
        try:
            needed = tuple(dict.fromkeys(parse_ids(sample.meta.get("facts"), "facts")))
            retrieved = set(parse_ids(sample.meta.get("retrieved"), "retrieved"))
        except ValueError as e:
            return RewardResult.unjudged(f"not judged: {e}")
        if not needed:
            return RewardResult.unjudged(NO_FACTS)
        found = [f for f in needed if f in retrieved]
        recall = len(found) / len(needed)
        breakdown: dict[str, float | None] = {
            "recall": recall,
            "needed": float(len(needed)),
            "found": float(len(found)),
        }
        if not sample.ok:
            return self.failed_render(sample, **breakdown)
        missed = [f for f in needed if f not in retrieved]
        rationale = (
            f"the searches retrieved all {len(needed)} facts the task needs"
            if not missed
            else f"the searches retrieved {len(found)} of the {len(needed)} facts the task needs; "
            f"missed: {', '.join(missed[:5])}"
        )
        return RewardResult(recall, breakdown=breakdown, rationale=rationale)
