"""The card search against what people type: recall@1 and @3 on an everyday query set (issue 56 item 3).

    .venv/bin/python benchmarks/knowledge_queries.py           # prints the tables (markdown)
    .venv/bin/python benchmarks/knowledge_queries.py --misses  # and every query each engine misses
    .venv/bin/python benchmarks/knowledge_queries.py --doc     # and the tables into docs/knowledge-search.md

The query set is ``benchmarks/data/knowledge-queries.jsonl``: one ``{"query", "card", "kind",
"split"}`` a line, written for this purpose apart from the cards' titles and aliases (a test keeps
them apart): abbreviations, common names, demonyms, misspellings, other languages' names, casual
forms, signs and symbols. ``split`` is ``held-out`` for every third line (lines 3, 6, 9...), fixed
when the set was written and before any tuning; the search was tuned on the ``tune`` lines only, so
the held-out recall says whether the tuning generalises.

Engines, on the same cards (:func:`codepaint_env.tasks.knowledge.cards.load_cards`):

* ``before``: the search as it was before this set (``bm25s`` over
  :func:`~codepaint_env.tasks.knowledge.search.tokenize`: lowercase words, accents folded, English
  stop words dropped, exact words only);
* ``bm25s+stemmer``: ``bm25s``'s own pipeline, ``bm25s.tokenize`` with English stop words and the
  Snowball English stemmer (PyStemmer), on the same card documents as ``before``;
* ``bm25s+stemmer+folded``: the same with accents folded first (``bm25s`` keeps ``é`` as a letter);
* ``ours``: :func:`~codepaint_env.tasks.knowledge.search.search` as shipped; ``ours-cold``: the
  same with its cache of loose matches (:func:`~codepaint_env.tasks.knowledge.query.near_words`)
  emptied before every query, what a misspelling never seen before costs.

Recall@k: the share of queries whose card is among the first ``k`` hits (a query with no hits is a
miss). Latency: each query's median of :data:`REPEATS` runs, after one warm-up pass; the table gives the
median and the 90th percentile over the queries, on this machine (2 shared cores; a noisy clock).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from codepaint_env.tasks.knowledge.cards import Card, load_cards
from codepaint_env.tasks.knowledge.query import near_words
from codepaint_env.tasks.knowledge.search import STOP_WORDS, search

QUERIES = Path(__file__).resolve().parent / "data" / "knowledge-queries.jsonl"
DOC = Path(__file__).resolve().parents[1] / "docs" / "knowledge-search.md"
BEGIN = "<!-- tables: benchmarks/knowledge_queries.py --doc -->"
END = "<!-- end of tables -->"
REPEATS = 20
K = 3

Engine = Callable[[str], list[str]]


def load_queries(path: Path = QUERIES) -> list[dict[str, str]]:
    """The query set's rows."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _old_tokenize(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", _fold(text.lower())) if w not in STOP_WORDS]


def _old_document(card: Card) -> str:
    return " ".join([card.title, *card.aliases, card.family.replace("_", " "), card.text])


def before() -> Engine:
    """The search before this query set: ``bm25s``, exact folded words of title, aliases, family and text."""
    import bm25s

    cards = load_cards()
    index = bm25s.BM25()
    index.index([_old_tokenize(_old_document(c)) or ["<empty>"] for c in cards], show_progress=False)
    vocab = set(index.vocab_dict)

    def run(query: str) -> list[str]:
        return _top(index, cards, [w for w in _old_tokenize(query) if w in vocab])

    return run


def _top(index: Any, cards: list[Any], words: list[str]) -> list[str]:
    """The ids of the ``K`` best-scored cards for words the index holds (none: no hits)."""
    if not words:
        return []
    scores = np.asarray(index.get_scores(words))
    order = np.argsort(-scores, kind="stable")[:K]
    return [cards[i].id for i in order if scores[i] > 0]


def stemmed(fold: bool) -> Engine:
    """``bm25s``'s own tokenizer with English stop words and the Snowball stemmer (PyStemmer)."""
    import bm25s
    import Stemmer

    cards = load_cards()
    stemmer = Stemmer.Stemmer("english")
    prep = _fold if fold else (lambda s: s)
    corpus: Any = bm25s.tokenize([prep(_old_document(c)) for c in cards], stopwords="en", stemmer=stemmer,
                                 show_progress=False)
    index = bm25s.BM25()
    index.index(corpus, show_progress=False)

    def run(query: str) -> list[str]:
        tokens: list[Any] = list(bm25s.tokenize([prep(query)], stopwords="en", stemmer=stemmer,
                                                show_progress=False, return_ids=False)[0])
        return _top(index, cards, [w for w in tokens if w in corpus.vocab])

    return run


def ours() -> Engine:
    """The shipped search."""
    return lambda query: list(search(query, k=K).ids)


def ours_cold() -> Engine:
    """The shipped search with its cache of loose matches emptied before each query (a word never seen)."""

    def run(query: str) -> list[str]:
        near_words.cache_clear()
        return list(search(query, k=K).ids)

    return run


ENGINES: dict[str, Callable[[], Engine]] = {
    "before": before,
    "bm25s+stemmer": lambda: stemmed(False),
    "bm25s+stemmer+folded": lambda: stemmed(True),
    "ours": ours,
    "ours-cold": ours_cold,
}


def recall(engine: Engine, rows: list[dict[str, str]]) -> dict[str, float]:
    """Recall@1 and @3 over ``rows``."""
    found = [engine(r["query"]) for r in rows]
    n = max(len(rows), 1)
    return {
        "n": len(rows),
        "r1": sum(f[:1] == [r["card"]] for f, r in zip(found, rows, strict=True)) / n,
        "r3": sum(r["card"] in f[:3] for f, r in zip(found, rows, strict=True)) / n,
    }


def latency_us(engine: Engine, rows: list[dict[str, str]]) -> tuple[float, float]:
    """Per-query time in microseconds: the median and the 90th percentile over the queries."""
    for r in rows:
        engine(r["query"])
    per = []
    for r in rows:
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            engine(r["query"])
            times.append(time.perf_counter() - t0)
        per.append(statistics.median(times))
    return statistics.median(per) * 1e6, float(np.percentile(per, 90)) * 1e6


def tables(
    names: list[str], rows: list[dict[str, str]], latency: bool
) -> tuple[list[str], dict[str, list[str]]]:
    """The markdown tables (recall per engine and split, recall@1 per kind) and each engine's misses."""
    tune = [r for r in rows if r["split"] == "tune"]
    held = [r for r in rows if r["split"] == "held-out"]
    kinds = sorted({r["kind"] for r in rows})
    cards = len({r["card"] for r in rows})
    out = [f"{len(rows)} queries over {cards} cards ({len(load_cards())} cards in the index); "
           f"tune {len(tune)}, held-out {len(held)}.", "",
           "| engine | recall@1 tune | recall@1 held-out | recall@1 all | recall@3 tune | recall@3 held-out "
           "| recall@3 all | query µs (median / p90) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    per_kind: dict[str, dict[str, float]] = {}
    misses: dict[str, list[str]] = {}
    for name in names:
        engine = ENGINES[name]()
        t, h, a = recall(engine, tune), recall(engine, held), recall(engine, rows)
        lat = "{:.0f} / {:.0f}".format(*latency_us(engine, rows)) if latency else "—"
        out.append(f"| {name} | {t['r1']:.3f} | {h['r1']:.3f} | {a['r1']:.3f} | {t['r3']:.3f} "
                   f"| {h['r3']:.3f} | {a['r3']:.3f} | {lat} |")
        per_kind[name] = {k: recall(engine, [r for r in rows if r["kind"] == k])["r1"] for k in kinds}
        misses[name] = [f"{r['query']!r} -> {engine(r['query'])[:1]} (want {r['card']}, {r['split']})"
                        for r in rows if engine(r["query"])[:1] != [r["card"]]]
    out += ["", "Recall@1 by kind of query (queries of that kind in brackets):", "",
            "| engine | " + " | ".join(f"{k} ({sum(r['kind'] == k for r in rows)})" for k in kinds) + " |",
            "|---|" + "---:|" * len(kinds)]
    out += [f"| {name} | " + " | ".join(f"{by[k]:.2f}" for k in kinds) + " |"
            for name, by in per_kind.items()]
    return out, misses


def write_doc(lines: list[str], doc: Path = DOC) -> None:
    """Put the tables between :data:`BEGIN` and :data:`END` in ``doc`` (they must be there already)."""
    text = doc.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    doc.write_text(text[:start] + "\n" + "\n".join(lines) + "\n" + text[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Print recall per engine and split, per kind of query, and the latency."""
    ap = argparse.ArgumentParser(description="The card search against what people type: recall@1 and @3.")
    ap.add_argument("--misses", action="store_true", help="list every query an engine ranks wrong")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines")
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("--doc", action="store_true", help=f"also write the tables into {DOC.name}")
    args = ap.parse_args(argv)
    lines, misses = tables(args.engines.split(","), load_queries(), not args.no_latency)
    print("\n".join(lines))
    if args.doc:
        write_doc(lines)
    if args.misses:
        for name, missed in misses.items():
            print(f"\n{name}: {len(missed)} misses")
            for m in missed:
                print("  " + m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
