"""Search before drawing: BM25 over the fact cards (``search``) and the pool (``search_references``).

The tools an episode offers a policy (issue 49; the episode and the doors wire them in): both take
a text query and return a bounded result, and neither ever raises for what a policy sends. A query
that is not a string, is empty or is longer than :data:`MAX_QUERY_CHARS` gets a result with an
``error`` that says what was wrong and no hits; ``k`` is capped at :data:`MAX_K` (a ``k`` that is
not a whole number, or below 1, is an error too). Each card's text is cut at :data:`MAX_TEXT_CHARS`
and each program at :data:`MAX_CODE_CHARS`, so a result's size is bounded whatever the corpus holds.

Ranking is BM25 (``bm25s``, chosen over ``rank-bm25`` by ``benchmarks/search/search_bench.py``: see
``docs/knowledge.md``), over lowercase words with accents folded and English stop words dropped.
Cards are ranked by their whole text plus, again, by their names alone (title, aliases and the
country's other names, :mod:`.query`; a name counts for the share of it the query names), so a query
that names a card outranks one that shares a word with its description; a query word no card holds is
matched loosely (misspellings, other languages' "flag", joined words: :func:`.query.token_terms`), and
description words through the words the cards use (``middle`` -> ``centre``, ``stripes`` -> ``bands``).
That score is weighed by the card's *evidence share*, the rarity-weighted share of the query's naming
words it holds (:meth:`CardIndex.evidence`), and raised for words said side by side as the card says
them and for colours listed in the card's order. **No results** when the best card's share is under
:data:`MIN_EVIDENCE` or the query names nothing but generic words (``flag``, ``sign``, ``colours``:
"mexican flag" finds nothing, as no card is Mexico's); the result's ``note`` says what was not found.
Near-equal scores are ties (:data:`TIE_TOLERANCE`), broken by the query's numbers, colour order and
title words, then the card id, never by the cards' file order.
Measured on 223 everyday queries and 60 descriptive and absent ones by
``benchmarks/search/knowledge_queries.py``
(``docs/knowledge-search.md``).
A :class:`SearchLog` records every call and the card ids it returned, so an episode can hand them
to the ``search_recall`` reward as its ``retrieved`` column. ``search(..., index="train")`` searches
the train facts' cards only (:data:`INDEXES`): what an episode on a train task searches, so no eval
fact reaches training (``docs/knowledge-search.md``, "The honest split").

    >>> hits = search("flag of Sweden").hits
    >>> hits[0].id
    'flag-sweden'
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.tasks.knowledge.cards import Card, load_cards, split_of_card
from codepaint_env.tasks.knowledge.query import (
    GENERIC_WEIGHT,
    GENERIC_WORDS,
    PROMPT_PHRASES,
    drop_phrases,
    extra_names,
    fold,
    hue_order,
    number_values,
    order_agreement,
    place_phrases,
    token_terms,
)

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
#: A card's score is its BM25 score times its evidence share (:meth:`CardIndex.rank`) to this power:
#: a card that holds all of a description outranks one that holds a word of it many times.
EVIDENCE_POWER = 2.0
#: The least evidence share the best card must have for a search to return anything (below it: no
#: hits and a note). Chosen on the 223-query set and made-up queries for things no card shows
#: (``benchmarks/search/knowledge_queries.py --threshold``; ``docs/knowledge-search.md``).
MIN_EVIDENCE = 0.38
#: What listing the query's colours in the card text's order adds to a card's score (a share of it for
#: a share of the pairs): colours are named top to bottom or hoist to fly, so the order tells Germany's
#: black, red, gold from Belgium's black, yellow, red.
ORDER_WEIGHT = 0.35
#: What saying all of the query's neighbouring word pairs side by side adds to a card's score (a share
#: of it for a share of the pairs): a description's words together, not scattered over the card.
PHRASE_WEIGHT = 1.0
#: Cards whose scores are within this share of the best of a run of cards are tied (what is left is
#: mostly BM25's preference for shorter texts: die-5's is the longest of the dice); ties are broken by
#: the query's numbers, the colour order, how much of the card's title the query names, then the
#: card id (numbers in it read as numbers: die-2 before die-10), not by the order of the cards' file.
TIE_TOLERANCE = 0.06
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


def _prompt_patterns() -> tuple[tuple[str | None, ...], ...]:
    """:data:`.query.PROMPT_PHRASES` as :func:`tokenize` reads them (``{colour}``: any one word)."""
    return tuple(
        tuple(None if w == "anycolour" else w for w in tokenize(p.replace("{colour}", "anycolour")))
        for p in PROMPT_PHRASES
    )


#: The task prompts' phrases, dropped from every query (:func:`.query.drop_phrases`).
PROMPT_PATTERNS = _prompt_patterns()


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


@dataclass(frozen=True)
class Ranking:
    """What :meth:`CardIndex.rank` found for a query: the hits and how much of the query the best one holds.

    Attributes:
        hits: ``(card index, score)``, best first; empty when the evidence is too weak.
        evidence: The best card's evidence share (0 to 1; 0 when nothing matched).
        matched: The query's naming words (not :data:`.query.GENERIC_WORDS`) the best card holds.
        unknown: The query's naming words no card holds at all.
        generic: The query's generic words (``flag``, ``sign``, ``colours``...).
    """

    hits: list[tuple[int, float]]
    evidence: float = 0.0
    matched: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()

    def note(self) -> str | None:
        """Why there are no hits (``None`` when there are, or when the query held no word at all)."""
        if self.hits or not (self.unknown or self.generic or self.matched):
            return None
        said = []
        if self.unknown:
            said.append(f"no card holds {_listed(self.unknown)}")
        if self.matched:
            said.append(f"the best card holds too little of it ({_listed(self.matched)})")
        elif self.generic:
            said.append(f"only general words matched ({_listed(self.generic)})")
        return f"Nothing matched: {'; '.join(said)}. Name the thing itself, or draw it from what you know."


def _listed(words: tuple[str, ...]) -> str:
    return ", ".join(repr(w) for w in words)


def _idf(n: int, df: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def _natural(card_id: str) -> tuple[tuple[int, int | str], ...]:
    """``card_id`` as a sort key that reads its numbers as numbers (``die-2`` before ``die-10``)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", card_id) if p)


class CardIndex:
    """The cards' search: BM25 over each card's document plus BM25 over its names, with loose words.

    A card's score is that BM25 score times its *evidence share* squared (:data:`EVIDENCE_POWER`):
    the query's naming words (all but :data:`.query.GENERIC_WORDS`) it holds, each weighted by its
    inverse document frequency, over all of them (a word no card holds weighs the most); then raised
    for the query's word pairs it says side by side (:data:`PHRASE_WEIGHT`) and for colours listed in
    its order (:data:`ORDER_WEIGHT`). A query whose best card's share is under :data:`MIN_EVIDENCE`,
    or that names nothing but generic words, finds nothing. Near-equal scores (:data:`TIE_TOLERANCE`)
    are broken by the query's numbers, the colour order, the share of the card's title the query
    names, then the card id. Place names of several words that no card holds (``south sudan``) stand
    for none of their words (:func:`.query.token_terms`).

    Args:
        cards: The cards to search.
    """

    def __init__(self, cards: Sequence[Card]) -> None:
        self.cards = tuple(cards)
        self._text = BM25Index([card_document(c) for c in self.cards])
        self._names = BM25Index([card_names(c) for c in self.cards])
        self._title_words: dict[str, np.ndarray] = {}  # word -> each card's share of its title it is
        for n, card in enumerate(self.cards):
            words = set(tokenize(card.title))
            for word in words:
                shares = self._title_words.setdefault(word, np.zeros(len(self.cards), dtype=np.float64))
                shares[n] = 1.0 / len(words)
        docs = [frozenset(tokenize(card_document(c))) for c in self.cards]
        df = Counter(w for d in docs for w in d)
        self._idf = {w: _idf(len(docs), f) for w, f in df.items()}
        self._idf_unknown = _idf(len(docs), 0)
        self._holds = {w: np.array([w in d for d in docs], dtype=np.float64) for w in df}
        self._numbers = [
            number_values(tokenize(" ".join([c.id.replace("-", " "), card_names(c)]))) for c in self.cards
        ]
        self._titles = [frozenset(tokenize(c.title)) for c in self.cards]
        self._order = [_natural(c.id) for c in self.cards]
        self._hues = [hue_order(tokenize(c.text)) for c in self.cards]
        self._pairs: dict[tuple[str, str], np.ndarray] = {}  # two words side by side in a text or name
        for n, card in enumerate(self.cards):
            for part in [card.text, card.title, *card.aliases]:
                for pair in itertools.pairwise(tokenize(part)):
                    self._pairs.setdefault(pair, np.zeros(len(self.cards), dtype=np.float64))[n] = 1.0
        named: dict[str, list[tuple[int, float]]] = {}  # word -> (name slot, its share of that name)
        starts, slot = [], 0  # each card's names take slots starts[n] ... starts[n + 1] - 1
        for card in self.cards:
            starts.append(slot)
            for name in [card.title, *card.aliases, *extra_names(card.title, STOP_WORDS)]:
                words = set(tokenize(name)) - GENERIC_WORDS
                for word in words:
                    named.setdefault(word, []).append((slot, 1.0 / len(words)))
                slot += 1
        self._name_starts = np.array(starts, dtype=np.intp)
        self._name_slots = slot + 1  # one spare slot, so that reduceat's last run is never empty
        self._name_words: dict[str, np.ndarray] = {}  # word -> its share of each name slot
        for word, slots in named.items():
            shares = self._name_words[word] = np.zeros(self._name_slots, dtype=np.float64)
            for at, share in slots:
                shares[at] += share
        self.absent = self._absent_places()

    def _absent_places(self) -> frozenset[tuple[str, ...]]:
        """The place names of several words (:data:`.query.PLACES`) that no card's name holds."""
        phrases = [p for p in place_phrases(STOP_WORDS) if len(p) > 1]
        longest = max(len(p) for p in phrases)
        held: set[tuple[str, ...]] = set()
        for card in self.cards:
            for name in [card.title, *card.aliases, *extra_names(card.title, STOP_WORDS)]:
                words = tokenize(name)
                for size in range(2, longest + 1):
                    held.update(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
        return frozenset(p for p in phrases if p not in held)

    def token_terms(self, query: str) -> list[tuple[str, dict[str, float]]]:
        """Each query word with the card words it stands for (:func:`.query.token_terms`)."""
        words = drop_phrases(tokenize(query), PROMPT_PATTERNS)
        return token_terms(words, self._text.vocab, self._names.vocab, absent=self.absent)

    def terms(self, query: str) -> dict[str, float]:
        """The card words ``query`` stands for, with their weights (:func:`.query.loose_terms`)."""
        terms: dict[str, float] = {}
        for _, found in self.token_terms(query):
            for term, weight in found.items():
                terms[term] = max(weight, terms.get(term, 0.0))
        return terms

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` best cards (index, score), best first; none when the evidence is weak (:meth:`rank`)."""
        return self.rank(query, k).hits

    def rank(self, query: str, k: int) -> Ranking:
        """The ``k`` best cards for ``query``, and the evidence for the best one.

        Args:
            query: What was asked.
            k: How many cards at most.

        Returns:
            The ranking: no hits when the query names nothing but generic words, or when the best
            card holds less than :data:`MIN_EVIDENCE` of its naming words (weighted by rarity).
        """
        per_token = self.token_terms(query)
        generic = tuple(dict.fromkeys(t for t, _ in per_token if t in GENERIC_WORDS))
        naming = [(t, found) for t, found in per_token if t not in GENERIC_WORDS]
        unknown = tuple(dict.fromkeys(t for t, found in naming if not found))
        terms: dict[str, float] = {}
        for token, found in per_token:
            scale = GENERIC_WEIGHT if token in GENERIC_WORDS else 1.0
            for term, weight in found.items():
                terms[term] = max(scale * weight, terms.get(term, 0.0))
        if not naming or not terms:
            return Ranking([], 0.0, (), unknown, generic)
        share = self.evidence(naming)
        scores = self._text.scores(terms) + NAME_WEIGHT * self._names.scores(terms) * self.name_cover(terms)
        scores = (scores + TITLE_WEIGHT * self.title_cover(terms) * (scores > 0)) * share**EVIDENCE_POWER
        scores *= 1.0 + PHRASE_WEIGHT * self.phrases(per_token)
        asked = hue_order(t for t, _ in per_token)
        if len(asked) > 1:
            scores *= 1.0 + ORDER_WEIGHT * np.array([order_agreement(asked, told) for told in self._hues])
        ranked = np.argsort(-scores, kind="stable")
        order = [int(i) for i in ranked[scores[ranked] > 0]]
        if not order:
            return Ranking([], 0.0, (), unknown, generic)
        best = order[0]
        matched = tuple(dict.fromkeys(t for t, found in naming if any(self._holds[w][best] for w in found)))
        if share[best] < MIN_EVIDENCE:
            return Ranking([], float(share[best]), matched, unknown, generic)
        hits = self._break_ties(order, scores, per_token, k)
        return Ranking(hits, float(share[best]), matched, unknown, generic)

    def evidence(self, naming: list[tuple[str, dict[str, float]]]) -> np.ndarray:
        """Each card's evidence share: the rarity-weighted share of the naming words it holds.

        Args:
            naming: The query's naming words with the card words each stands for (:meth:`token_terms`).

        Returns:
            Per card, the sum over the words of ``idf * match`` over the sum of their ``idf``: ``match``
            is the weight of the best of the word's card words the card holds (1 exact, less loose),
            ``idf`` the rarest of its card words' inverse document frequency, or that of a word no card
            holds for a word with none.
        """
        held = np.zeros(len(self.cards), dtype=np.float64)
        total = 0.0
        for _, found in naming:
            idf = max((self._idf[w] for w in found), default=self._idf_unknown)
            total += idf
            best = np.zeros(len(self.cards), dtype=np.float64)
            for term, weight in found.items():
                best = np.maximum(best, weight * self._holds[term])
            held += idf * best
        return held / total if total > 0 else held

    def _break_ties(
        self, order: list[int], scores: np.ndarray, per_token: list[tuple[str, dict[str, float]]], k: int
    ) -> list[tuple[int, float]]:
        """``order``, near-equal scores (:data:`TIE_TOLERANCE`) reordered, each hit with its run's score."""
        numbers = number_values(t for t, _ in per_token)
        said = {t for t, _ in per_token}
        asked = hue_order(t for t, _ in per_token)

        def key(i: int) -> tuple[Any, ...]:
            title = self._titles[i]
            named = len(title & said) / len(title) if title else 0.0
            order = order_agreement(asked, self._hues[i]) if len(asked) > 1 else 0.0
            return (-len(numbers & self._numbers[i]), -order, -named, self._order[i])

        out: list[tuple[int, float]] = []
        start = 0
        while start < len(order) and len(out) < k:
            top = float(scores[order[start]])
            end = start
            while end < len(order) and scores[order[end]] >= top * (1.0 - TIE_TOLERANCE):
                end += 1
            out += [(i, top) for i in sorted(order[start:end], key=key)]
            start = end
        return out[:k]

    def phrases(self, per_token: list[tuple[str, dict[str, float]]]) -> np.ndarray:
        """Each card's share of the query's neighbouring word pairs that it says side by side.

        "blue flag with a yellow nordic cross" says "yellow nordic" and "nordic cross" as Sweden's card
        does; Åland's says "red Nordic cross edged in yellow". A pair is matched through the words
        each query word stands for (``red circle`` is the no-entry sign's "red disc").
        """
        found = np.zeros(len(self.cards), dtype=np.float64)
        pairs = [(a, b) for (_, a), (_, b) in itertools.pairwise(per_token)]
        for a, b in pairs:
            best = np.zeros(len(self.cards), dtype=np.float64)
            for x, wx in a.items():
                for y, wy in b.items():
                    if (x, y) in self._pairs:
                        best = np.maximum(best, min(wx, wy) * self._pairs[(x, y)])
            found += best
        return found / len(pairs) if pairs else found

    def name_cover(self, terms: dict[str, float]) -> np.ndarray:
        """Each card's best share of one of its names' words (generic words aside) that ``terms`` hold.

        What a match in a card's names counts for: "red cross" names all of the Red Cross emblem, "white
        cross on green" half of it, and a list of colours a seventh of Taiwan's "Blue Sky, White Sun,
        and a Wholly Red Earth".
        """
        if not self.cards:
            return np.zeros(0, dtype=np.float64)
        cover = np.zeros(self._name_slots, dtype=np.float64)
        for term, weight in terms.items():
            if term in self._name_words:
                cover += weight * self._name_words[term]
        return np.maximum.reduceat(cover, self._name_starts)

    def title_cover(self, terms: dict[str, float]) -> np.ndarray:
        """Each card's share of its title's words that ``terms`` hold (weighted as they are).

        "flag of Guinea" names all of Guinea's title and part of Guinea-Bissau's, whose names say
        "Guinea" three times: the share tells the whole name from a part of a longer one.
        """
        cover = np.zeros(len(self.cards), dtype=np.float64)
        for term, weight in terms.items():
            if term in self._title_words:
                cover += weight * self._title_words[term]
        return cover


@dataclass(frozen=True)
class CardHit:
    """One card a search found.

    Attributes:
        id: The card id (what a task's ``facts`` column names).
        title: Its title.
        family: Its family.
        text: Its text, cut at :data:`MAX_TEXT_CHARS`.
        score: Its score (cards tied within :data:`TIE_TOLERANCE` show the best of their run's).
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
        note: Something the caller should know that is not an error (``k`` was capped; with no hits,
            why nothing matched).
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
            said = f"{self.tool}: no results for {self.query!r}."
            return said if self.note is None else f"{said} {self.note}"
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


#: Which cards a search index holds: ``all`` (every card: evaluation), ``train`` (the cards of
#: train facts only: what a policy searches while it trains, so no eval fact reaches training) or
#: ``practice`` (the train cards and :data:`~.practice.PRACTICE_CARDS` made-up flags, :mod:`.practice`: what a
#: supervised start with practice flags searches).
INDEXES: tuple[str, ...] = ("all", "train", "practice")


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
            (:func:`~codepaint_env.tasks.knowledge.cards.split_of_card`); ``practice``: those and the
            practice flags' (:data:`~.practice.PRACTICE_CARDS`).

    Raises:
        ValueError: Another ``which``.
    """
    which = check_index(which)
    cards = load_cards()
    if which in ("train", "practice"):
        cards = tuple(c for c in cards if split_of_card(c.id) == "train")
    if which == "practice":
        from codepaint_env.tasks.knowledge.practice import practice_cards

        cards += practice_cards()
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
        ranking = index_.rank(text, k_used)
        hits = tuple(
            CardHit(cards[i].id, cards[i].title, cards[i].family, _cut(cards[i].text, MAX_TEXT_CHARS), score)
            for i, score in ranking.hits
        )
        result = SearchResult("search", text, hits, note=_capped(k) if hits else ranking.note())
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
