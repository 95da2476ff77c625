"""Search before drawing: BM25 over the fact cards (``search``) and the pool (``search_references``).

The tools an episode offers a policy (issue 49; the episode and the doors wire them in): both take
a text query and return a bounded result, and neither ever raises for what a policy sends. A query
that is not a string, is empty or is longer than :data:`MAX_QUERY_CHARS` gets a result with an
``error`` that says what was wrong and no hits; ``k`` is capped at :data:`MAX_K` (a ``k`` that is
not a whole number, or below 1, is an error too). Each card's text is cut at :data:`MAX_TEXT_CHARS`
and each program at :data:`MAX_CODE_CHARS`, so a result's size is bounded whatever the corpus holds.

Ranking is BM25 (``bm25s``, chosen over ``rank-bm25`` by ``benchmarks/search_bench.py``: see
``docs/knowledge.md``), over lowercase words with accents folded and English stop words dropped;
equal scores keep corpus order, and a card that shares no word with the query (exactly or loosely,
below) is never returned. Cards are ranked by their whole text plus, again, by their names alone
(title, aliases and the country's other names, :mod:`.query`), so a query that names a card
outranks one that shares a word with its description; a query word no card holds is matched
loosely (misspellings, other languages' "flag", joined words: :func:`.query.loose_terms`).
Measured on 223 everyday queries by ``benchmarks/knowledge_queries.py`` (``docs/knowledge-search.md``).
A :class:`SearchLog` records every call and the card ids it returned, so an episode can hand them
to the ``search_recall`` reward as its ``retrieved`` column. ``search(..., index="train")`` searches
the train facts' cards only (:data:`INDEXES`): what an episode on a train task searches, so no eval
fact reaches training (``docs/knowledge-search.md``, "The honest split").

    >>> hits = search("flag of Sweden").hits
    >>> hits[0].id
    'flag-sweden'
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.tasks.knowledge.cards import Card, load_cards, split_of_card
from codepaint_env.tasks.knowledge.query import extra_names, fold, loose_terms

#: The most hits one call returns (a larger ``k`` is capped).
MAX_K = 5
#: The longest query accepted, in characters.
MAX_QUERY_CHARS = 200
#: A card's text in a hit is cut at this many characters.
MAX_TEXT_CHARS = 400
#: A reference's program in a hit is cut at this many characters.
MAX_CODE_CHARS = 4000
_WORD = re.compile(r"[a-z0-9]+")
#: How much a match in a card's names adds to its match in its whole document.
NAME_WEIGHT = 1.0
#: What naming all of a card's title adds (a share of it adds that share).
TITLE_WEIGHT = 1.0
#: Words too common to rank by (English function words).
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
        "draw",
        "drawn",
        "picture",
        "image",
    ]
)


def tokenize(text: str) -> list[str]:
    """Lowercase words with accents folded (``Côte`` -> ``cote``) and stop words dropped."""
    return [w for w in _WORD.findall(fold(text)) if w not in STOP_WORDS]


def card_names(card: Card) -> str:
    """What a card is called: its title, aliases and, for a country's flag, the country's other names."""
    return " ".join([card.title, *card.aliases, *extra_names(card.title, STOP_WORDS)])


def card_document(card: Card) -> str:
    """What a card is indexed by: its names (:func:`card_names`), family and text."""
    return " ".join([card_names(card), card.family.replace("_", " "), card.text])


class BM25Index:
    """BM25 over token lists (``bm25s``); scores for every document of a query.

    Args:
        documents: The documents' texts.

    Raises:
        DependencyNotInstalled: ``bm25s`` is missing.
    """

    def __init__(self, documents: Sequence[str]) -> None:
        try:
            import bm25s
        except ImportError as e:  # pragma: no cover - bm25s is a core dependency
            raise DependencyNotInstalled("search needs the package 'bm25s': pip install bm25s") from e
        corpus = [tokenize(d) or ["<empty>"] for d in documents]
        self._index = bm25s.BM25()
        self._index.index(corpus, show_progress=False)
        self.vocab = frozenset(self._index.vocab_dict)
        self._size = len(corpus)
        self._lock = threading.Lock()  # bm25s' scorer keeps per-call state: one query at a time

    def scores(self, terms: dict[str, float]) -> np.ndarray:
        """Every document's score: the sum over ``terms`` of its weight times the term's BM25 score."""
        total = np.zeros(self._size, dtype=np.float64)
        with self._lock:
            for term, weight in terms.items():
                if term in self.vocab:
                    total += weight * np.asarray(self._index.get_scores([term]), dtype=np.float64)
        return total

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` best documents (index, score), best first; only those sharing a word with the query."""
        words = [w for w in tokenize(query) if w in self.vocab]
        if not words:
            return []
        with self._lock:
            scores = np.asarray(self._index.get_scores(words), dtype=np.float64)
        return _best(scores, k)


def _best(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    order = np.argsort(-scores, kind="stable")[:k]
    return [(int(i), float(scores[i])) for i in order if scores[i] > 0]


class CardIndex:
    """The cards' search: BM25 over each card's document plus BM25 over its names, with loose words.

    Args:
        cards: The cards to search.
    """

    def __init__(self, cards: Sequence[Card]) -> None:
        self.cards = tuple(cards)
        self._text = BM25Index([card_document(c) for c in self.cards])
        self._names = BM25Index([card_names(c) for c in self.cards])
        self._title_words: dict[str, list[tuple[int, float]]] = {}  # word -> (card, its share of the title)
        for n, card in enumerate(self.cards):
            words = set(tokenize(card.title))
            for word in words:
                self._title_words.setdefault(word, []).append((n, 1.0 / len(words)))

    def terms(self, query: str) -> dict[str, float]:
        """The card words ``query`` stands for, with their weights (:func:`.query.loose_terms`)."""
        return loose_terms(tokenize(query), self._text.vocab, self._names.vocab)

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` best cards (index, score), best first; only those sharing a (loosely matched) word."""
        terms = self.terms(query)
        if not terms:
            return []
        scores = self._text.scores(terms) + NAME_WEIGHT * self._names.scores(terms)
        return _best(scores + TITLE_WEIGHT * self.title_cover(terms) * (scores > 0), k)

    def title_cover(self, terms: dict[str, float]) -> np.ndarray:
        """Each card's share of its title's words that ``terms`` hold (weighted as they are).

        "flag of Guinea" names all of Guinea's title and part of Guinea-Bissau's, whose names say
        "Guinea" three times: the share tells the whole name from a part of a longer one.
        """
        cover = np.zeros(len(self.cards), dtype=np.float64)
        for term, weight in terms.items():
            for n, share in self._title_words.get(term, ()):
                cover[n] += weight * share
        return cover


@dataclass(frozen=True)
class CardHit:
    """One card a search found.

    Attributes:
        id: The card id (what a task's ``facts`` column names).
        title: Its title.
        family: Its family.
        text: Its text, cut at :data:`MAX_TEXT_CHARS`.
        score: Its BM25 score.
    """

    id: str
    title: str
    family: str
    text: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "title": self.title,
            "family": self.family,
            "text": self.text,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class ReferenceHit:
    """One reference-pool program a search found.

    Attributes:
        id: The reference id.
        language: Its language.
        prompt: What it was written for.
        subject: Its subject.
        tier: Its rating (``love``, ``okay``...).
        code: The program, cut at :data:`MAX_CODE_CHARS`.
        image_path: Its render (a PNG path), for vision-language policies.
        score: Its BM25 score.
    """

    id: str
    language: str
    prompt: str
    subject: str
    tier: str
    code: str
    image_path: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "language": self.language,
            "prompt": self.prompt,
            "subject": self.subject,
            "tier": self.tier,
            "code": self.code,
            "image_path": self.image_path,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SearchResult:
    """What one call of a search tool returned.

    Attributes:
        tool: ``search`` or ``search_references``.
        query: The query as given (cut at :data:`MAX_QUERY_CHARS` when it is a string).
        hits: The hits, best first (empty on an error or when nothing matches).
        error: Why the call was refused (a malformed query or ``k``), else ``None``.
        note: Something the caller should know that is not an error (``k`` was capped).
    """

    tool: str
    query: str
    hits: tuple[CardHit, ...] | tuple[ReferenceHit, ...] = ()
    error: str | None = None
    note: str | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of the hits, in order."""
        return tuple(h.id for h in self.hits)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "tool": self.tool,
            "query": self.query,
            "hits": [h.to_dict() for h in self.hits],
            "error": self.error,
            "note": self.note,
        }

    def to_text(self) -> str:
        """What a text policy reads: the error, or one block per hit (a program's code in a fence)."""
        if self.error is not None:
            return f"{self.tool} error: {self.error}"
        if not self.hits:
            return f"{self.tool}: no results for {self.query!r}."
        blocks = [] if self.note is None else [self.note]
        for n, hit in enumerate(self.hits, start=1):
            if isinstance(hit, CardHit):
                blocks.append(f"[{n}] {hit.title} ({hit.id}): {hit.text}")
            else:
                blocks.append(
                    f"[{n}] {hit.prompt} ({hit.id}, {hit.language}, picture: {hit.image_path})\n"
                    f"```{hit.language}\n{hit.code}\n```"
                )
        return "\n".join(blocks)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _refusal(tool: str, query: Any, k: Any) -> tuple[str, str | None, int]:
    """``(query text, error, k)``: the error says what is wrong with a malformed call."""
    if not isinstance(query, str):
        return "", f"the query must be text, not {type(query).__name__}", 0
    text = query[:MAX_QUERY_CHARS]
    if not query.strip():
        return text, "the query is empty: give a few words naming what to look up", 0
    if len(query) > MAX_QUERY_CHARS:
        return (
            text,
            (
                f"the query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}: "
                "give a few words naming what to look up"
            ),
            0,
        )
    if isinstance(k, bool) or not isinstance(k, int):
        return text, f"k must be a whole number from 1 to {MAX_K}, not {k!r}", 0
    if k < 1:
        return text, f"k must be a whole number from 1 to {MAX_K}, not {k}", 0
    return text, None, min(k, MAX_K)


def _capped(k: Any) -> str | None:
    return (
        f"(k={k} asked; at most {MAX_K} results are returned)"
        if isinstance(k, int) and not isinstance(k, bool) and k > MAX_K
        else None
    )


#: Which cards a search index holds: ``all`` (every card: evaluation) or ``train`` (the cards of
#: train facts only: what a policy searches while it trains, so no eval fact reaches training).
INDEXES: tuple[str, ...] = ("all", "train")


def check_index(which: Any) -> str:
    """``which`` as one of :data:`INDEXES` (``None``: ``all``).

    Raises:
        ValueError: Anything else (the message lists the choices).
    """
    if which is None:
        return "all"
    if which not in INDEXES:
        raise ValueError(f"the search index must be one of {', '.join(INDEXES)}, not {which!r}")
    return str(which)


@cache
def card_index(which: str | None = None) -> tuple[tuple[Card, ...], CardIndex]:
    """The bundled cards and their index (each index built once per process).

    Args:
        which: ``None`` or ``all``: every card; ``train``: the cards of train facts only
            (:func:`~codepaint_env.tasks.knowledge.cards.split_of_card`).

    Raises:
        ValueError: Another ``which``.
    """
    which = check_index(which)
    cards = load_cards()
    if which == "train":
        cards = tuple(c for c in cards if split_of_card(c.id) == "train")
    index = CardIndex(cards)
    return index.cards, index


def search(query: Any, k: Any = 3, *, log: SearchLog | None = None, index: str | None = None) -> SearchResult:
    """The ``k`` fact cards that best match ``query`` (BM25), best first.

    Args:
        query: A few words (``"flag of Sweden"``); anything else gets an ``error``, never an exception.
        k: How many cards (capped at :data:`MAX_K`).
        log: Where to record the call (its query and the card ids returned).
        index: Which cards are searched (:data:`INDEXES`; default ``all``). Training uses ``train``,
            so that no eval fact's card is ever returned to a policy that learns from it.

    Returns:
        The result: its hits, or the error that says what was wrong with the call.

    Raises:
        ValueError: An ``index`` that is not one of :data:`INDEXES` (a caller's setting, not a policy's).
    """
    which = check_index(index)
    text, error, k_used = _refusal("search", query, k)
    if error is not None:
        result = SearchResult("search", text, error=error)
    else:
        cards, index_ = card_index(which)
        hits = tuple(
            CardHit(cards[i].id, cards[i].title, cards[i].family, _cut(cards[i].text, MAX_TEXT_CHARS), score)
            for i, score in index_.top(text, k_used)
        )
        result = SearchResult("search", text, hits, note=_capped(k))
    if log is not None:
        log.record(result)
    return result


@cache
def _reference_index(root: str) -> tuple[tuple[Any, ...], BM25Index]:
    from rewards.pool import ReferencePool

    refs = tuple(ReferencePool(root))
    docs = [f"{r.prompt} {r.subject.replace('_', ' ')} {r.language} {r.reason}" for r in refs]
    return refs, BM25Index(docs)


def search_references(
    query: Any,
    k: Any = 2,
    *,
    pool: str | Path | None = None,
    language: str | None = None,
    log: SearchLog | None = None,
) -> SearchResult:
    """The ``k`` reference-pool programs whose prompts best match ``query`` (BM25): code and a picture path.

    Args:
        query: A few words (``"red hibiscus flower"``); anything else gets an ``error``.
        k: How many references (capped at :data:`MAX_K`).
        pool: The pool folder (default: :func:`rewards.pool.default_pool_dir`).
        language: Only references in this language (default: every language).
        log: Where to record the call.

    Returns:
        The result: its hits (program cut at :data:`MAX_CODE_CHARS`, the render's path), or the error.
    """
    from rewards.pool import default_pool_dir

    text, error, k_used = _refusal("search_references", query, k)
    if error is not None:
        result = SearchResult("search_references", text, error=error)
    else:
        refs, index = _reference_index(str(Path(pool) if pool is not None else default_pool_dir()))
        ranked = index.top(text, len(refs))
        chosen = [(refs[i], s) for i, s in ranked if language is None or refs[i].language == language][
            :k_used
        ]
        hits = tuple(
            ReferenceHit(
                r.id,
                r.language,
                r.prompt,
                r.subject,
                r.tier,
                _cut(r.code(), MAX_CODE_CHARS),
                str(r.image_file),
                s,
            )
            for r, s in chosen
        )
        result = SearchResult("search_references", text, hits, note=_capped(k))
    if log is not None:
        log.record(result)
    return result


@dataclass
class SearchLog:
    """The searches of one episode: every call, and the card ids they returned.

    ``retrieved`` is what the ``search_recall`` reward reads (the sample's ``retrieved`` column):
    every card id a ``search`` call returned, once each, in the order first seen.

    Attributes:
        calls: Every call: ``{"tool", "query", "ids", "error"}``.
    """

    calls: list[dict[str, Any]] = field(default_factory=list)

    def record(self, result: SearchResult) -> None:
        """Add one call's result."""
        self.calls.append(
            {"tool": result.tool, "query": result.query, "ids": list(result.ids), "error": result.error}
        )

    @property
    def retrieved(self) -> list[str]:
        """The card ids ``search`` returned, once each, first seen first."""
        return list(dict.fromkeys(i for c in self.calls if c["tool"] == "search" for i in c["ids"]))

    @property
    def tool_calls(self) -> int:
        """How many calls were made (refused ones included)."""
        return len(self.calls)

    def columns(self) -> dict[str, Any]:
        """The sample columns an episode hands the rewards: ``retrieved`` and ``tool_calls``."""
        return {"retrieved": self.retrieved, "tool_calls": self.tool_calls}
