"""Every fact of the ``knowledge`` suite, in a fixed order (flags, signs, the other families).

The facts are records in the package's data files (:mod:`.records`: ``data/flags.json``,
``data/signs.json``, ``data/symbols.json``), read in that order.
"""

from __future__ import annotations

from functools import cache

from codepaint_env.tasks.knowledge.fact import Fact
from codepaint_env.tasks.knowledge.records import load_facts


@cache
def all_facts() -> tuple[Fact, ...]:
    """The facts, each once (an id used twice raises).

    Raises:
        ValueError: Two facts share an id or a name.
    """
    facts = load_facts()
    for attr in ("id", "name", "title"):
        seen: set[str] = set()
        for f in facts:
            value = getattr(f, attr)
            if value in seen:
                raise ValueError(f"two facts share the {attr} {value!r}")
            seen.add(value)
    return facts


def fact(fact_id: str) -> Fact:
    """One fact by id.

    Raises:
        KeyError: An unknown id.
    """
    for f in all_facts():
        if f.id == fact_id:
            return f
    raise KeyError(f"no knowledge fact {fact_id!r}")
