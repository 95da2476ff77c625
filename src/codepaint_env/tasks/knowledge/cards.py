"""The fact cards: the bundled corpus ``cards.jsonl`` that ``search`` reads.

One JSON object per line::

    {"id": "flag-sweden", "title": "Flag of Sweden", "aliases": ["Swedish flag", ...], "family": "flag",
     "text": "The flag of Sweden is blue with a yellow Nordic cross ...", "checks": [...]}

``checks`` are the checks the card implies, in the grammar of :mod:`rewards.checks.spec` (each
``"stated": true``: here *stated* means what the card says). The file is written from
:mod:`.catalogue` by ``python -m codepaint_env.tasks.knowledge`` (a test keeps it equal to the
generator's output) and ships in the wheel as package data. A card whose facts were checked against
a public page carries it as ``"source": {"url": ..., "says": ...}`` (absent where none is recorded).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from codepaint_env.tasks.knowledge.fact import Fact, Source

CARDS_FILE = "cards.jsonl"
#: One fact in this many is ``eval`` (by a hash of its id: :func:`split_of_card`).
EVAL_SHARE = 5
#: Facts whose split the hash does not decide, and why: a train card whose own facts are an eval
#: fact's distinguishing claims, so no rewriting of its text can keep them apart (suite version 4).
MOVED: dict[str, str] = {
    # Its checks are the rainbow's order, which is the eval rainbow-discs' claim (and the pride flag's
    # stripes follow it): the rainbow is held out whole.
    "rainbow-stripes": "eval",
}


def split_of_card(card_id: str) -> str:
    """``eval`` for one fact id in five (the first 8 bytes of its SHA-256 are 0 modulo 5), else ``train``.

    :data:`MOVED` overrides the hash for the few facts it names. The suite's split (a fact's tasks, in
    every language) and the train-only search index both read it.
    """
    if card_id in MOVED:
        return MOVED[card_id]
    digest = hashlib.sha256(card_id.encode("utf-8")).digest()
    return "eval" if int.from_bytes(digest[:8], "big") % EVAL_SHARE == 0 else "train"


@dataclass(frozen=True)
class Card:
    """One fact card.

    Attributes:
        id: Its id (a task's ``facts`` column names it).
        title: Its title.
        aliases: Other names for it.
        family: Its family (``flag``, ``sign``...).
        text: What it says.
        checks: The checks it implies.
        source: The public page its facts were checked against, where one is recorded.
    """

    id: str
    title: str
    aliases: tuple[str, ...]
    family: str
    text: str
    checks: tuple[dict[str, Any], ...] = field(default=(), hash=False)
    source: Source | None = None

    def to_row(self) -> dict[str, Any]:
        """The card as a JSON-ready dict (``source`` only where there is one)."""
        row: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "aliases": list(self.aliases),
            "family": self.family,
            "text": self.text,
            "checks": [dict(c) for c in self.checks],
        }
        if self.source is not None:
            row["source"] = self.source.to_row()
        return row


def card_of(fact: Fact) -> Card:
    """The card a fact writes."""
    return Card(fact.id, fact.title, fact.aliases, fact.family, fact.text, fact.checks, fact.source)


def cards_text(facts: tuple[Fact, ...]) -> str:
    """The cards of ``facts`` as JSON Lines."""
    return "".join(
        json.dumps(card_of(f).to_row(), ensure_ascii=False, separators=(",", ":")) + "\n" for f in facts
    )


def default_path() -> Path:
    """Where the shipped cards live (``codepaint_env/tasks/knowledge/cards.jsonl``)."""
    return Path(__file__).resolve().parent / CARDS_FILE


@cache
def load_cards() -> tuple[Card, ...]:
    """The bundled cards, in file order (read once).

    Raises:
        ValueError: A malformed line (naming it).
    """
    text = (resources.files("codepaint_env.tasks.knowledge") / CARDS_FILE).read_text(encoding="utf-8")
    return parse_cards(text, CARDS_FILE)


def parse_cards(text: str, where: str) -> tuple[Card, ...]:
    """Cards from JSON Lines ``text`` (``where`` names it in messages).

    Raises:
        ValueError: A line that is not a card, naming the line and the field.
    """
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            source = row.get("source")
            out.append(
                Card(
                    str(row["id"]),
                    str(row["title"]),
                    tuple(str(a) for a in row["aliases"]),
                    str(row["family"]),
                    str(row["text"]),
                    tuple(row.get("checks", ())),
                    None if source is None else Source(str(source["url"]), str(source["says"])),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise ValueError(f"{where} line {n}: not a fact card ({type(e).__name__}: {e})") from None
    return tuple(out)
