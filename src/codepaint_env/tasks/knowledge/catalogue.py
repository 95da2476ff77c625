"""Every fact of the ``knowledge`` suite, in a fixed order (flags, signs, the other families)."""

from __future__ import annotations

from functools import cache

from codepaint_env.tasks.knowledge import flags, signs, symbols
from codepaint_env.tasks.knowledge.fact import Fact


@cache
def all_facts() -> tuple[Fact, ...]:
    """The facts, each once (an id used twice raises).

    Raises:
        ValueError: Two facts share an id or a name.
    """
    facts = (*flags.facts(), *signs.facts(), *symbols.facts())
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
