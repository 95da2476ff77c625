"""The card search against what people type: recall@1 and @3 on an everyday query set (issue 56 item 3).

    .venv/bin/python benchmarks/search/knowledge_queries.py           # prints the tables (markdown)
    .venv/bin/python benchmarks/search/knowledge_queries.py --misses  # and every query each engine misses
    .venv/bin/python benchmarks/search/knowledge_queries.py --doc  # the tables into docs/knowledge-search.md
    .venv/bin/python benchmarks/search/knowledge_queries.py --set everyday [--misses] [--doc]  # 60 queries
    .venv/bin/python benchmarks/search/knowledge_queries.py --threshold  # the no-results threshold

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
miss).

``--set everyday`` measures the second set, ``tests/tasks/data/knowledge-everyday-queries.jsonl``: 60
descriptive, colour, misspelt and everyday queries and 9 for things no card shows (``"card": null``),
written and hashed (the test pins its SHA-256) before the search was tuned for it. A ``null`` query
counts as right only when the search returns no hit. Engines: ``before`` (as above; it always returns
something), ``ours`` and ``ours-no-threshold`` (``MIN_EVIDENCE`` 0: what the threshold alone does).

``--threshold`` is how ``search.MIN_EVIDENCE`` was chosen, never on the 60: for each threshold, the
223-query recall@1 kept and how many of :data:`ABSENT_QUERIES` (made up for this, things no card
shows, none of them in the 60) return nothing. :data:`DEV_QUERIES` are the made-up descriptive queries
the ranking's weights were tried on besides the 223 (also none of them in the 60).

Latency: each query's median of :data:`REPEATS` runs, after one warm-up pass; the table gives the
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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from codepaint_env.tasks.knowledge.cards import Card, load_cards
from codepaint_env.tasks.knowledge.query import near_words
from codepaint_env.tasks.knowledge.search import STOP_WORDS, search

QUERIES = Path(__file__).resolve().parents[1] / "data" / "knowledge-queries.jsonl"
ROOT = Path(__file__).resolve().parents[2]
EVERYDAY = ROOT / "tests" / "tasks" / "data" / "knowledge-everyday-queries.jsonl"
DOC = Path(__file__).resolve().parents[2] / "docs" / "knowledge-search.md"
BEGIN = "<!-- tables: benchmarks/search/knowledge_queries.py --doc -->"
END = "<!-- end of tables -->"
BEGIN_EVERYDAY = "<!-- tables: benchmarks/search/knowledge_queries.py --set everyday --doc -->"
END_EVERYDAY = "<!-- end of the everyday tables -->"
#: Made-up queries for things no card shows, to choose the no-results threshold on (with the 223):
#: none is in the 60-query set (a test keeps them apart). Generic-only ones first, then absent places,
#: then absent things, then near misses that share a word with a card.
ABSENT_QUERIES: tuple[str, ...] = (
    "flag", "a sign", "national flag", "symbol", "colours",
    "spanish flag", "flag of portugal", "new zealand flag", "flag of equatorial guinea", "south sudan flag",
    "saint vincent flag", "central african republic flag", "flag of wales", "ussr flag", "australian flag",
    "kenyan colours",
    "wifi symbol", "apple logo", "infinity symbol", "anchor symbol", "euro sign", "dollar sign",
    "bluetooth logo", "bitcoin",
    "smiley face", "brazil football shirt", "star of life", "red crescent emblem", "traffic cone",
    "chess knight piece", "mars rover", "moon landing",
)
#: Made-up descriptive and colour queries (query, card) the ranking's weights were tried on, besides
#: the 223: none is in the 60-query set.
DEV_QUERIES: tuple[tuple[str, str], ...] = (
    ("flag with a red sun disc on green", "flag-bangladesh"),
    ("white flag with blue stripes and a star", "flag-israel"),
    ("blue flag with a white diagonal cross", "flag-scotland"),
    ("red flag with five yellow stars", "flag-china"),
    ("red and white stripes with a blue corner full of stars", "flag-usa"),
    ("blue disc with a red border and one red diagonal line", "sign-no-parking"),
    ("red octagon with STOP written on it", "sign-stop"),
    ("upward triangle warning sign with a red border", "sign-general-warning"),
    ("blue square with a white H", "sign-hospital"),
    ("black spearhead playing card symbol", "suit-spades"),
    ("red rhombus card symbol", "suit-diamonds"),
    ("traffic light with the green lamp lit", "traffic-light-go"),
    ("grey disc with dark patches", "planet-moon"),
    ("blue disc with green land and white clouds", "planet-earth"),
    ("8 by 8 board of black and white squares", "chessboard"),
    ("die with six pips in two columns", "die-6"),
    ("die face with a single dot", "die-1"),
    ("light blue flag with a golden yellow disc", "flag-palau"),
    ("red flag with a white disc bearing a crescent", "flag-tunisia"),
    ("dark blue flag with a yellow stripe and a white star", "flag-nauru"),
    ("green flag with a red stripe top and bottom and a gold crescent", "flag-mauritania"),
    ("red white and blue horizontal stripes", "flag-netherlands"),
    ("black yellow red vertical stripes", "flag-belgium"),
    ("red over white", "flag-indonesia"),
    ("blue and white stripes with a white cross in the corner", "flag-greece"),
    ("red flag with a white nordic cross", "flag-denmark"),
    ("white flag with a blue nordic cross", "flag-finland"),
    ("yellow diagonal cross with green and black triangles", "flag-jamaica"),
    ("flag with a red crescent and star on green and white", "flag-algeria"),
    ("black red and yellow stripes", "flag-germany"),
)
#: The thresholds ``--threshold`` tries.
THRESHOLDS = (0.0, 0.15, 0.2, 0.25, 0.3, 0.34, 0.38, 0.42, 0.45, 0.5, 0.6)
REPEATS = 20
K = 3

Engine = Callable[[str], list[str]]


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
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


def _top(index: Any, cards: Sequence[Any], words: list[str]) -> list[str]:
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


def ours_no_threshold() -> Engine:
    """The shipped search with ``MIN_EVIDENCE`` at 0 (it still finds nothing for generic-only queries)."""
    from codepaint_env.tasks.knowledge import search as module

    def run(query: str) -> list[str]:
        kept = module.MIN_EVIDENCE
        module.MIN_EVIDENCE = 0.0
        try:
            return list(search(query, k=K).ids)
        finally:
            module.MIN_EVIDENCE = kept

    return run


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
    "ours-no-threshold": ours_no_threshold,
}
#: The engines ``--set everyday`` runs by default.
EVERYDAY_ENGINES: tuple[str, ...] = ("before", "ours-no-threshold", "ours")


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


def right(found: list[str], row: dict[str, Any]) -> bool:
    """Whether the first hit is the row's card; for a row with no card (``null``), whether there is no hit."""
    return found == [] if row["card"] is None else found[:1] == [row["card"]]


def everyday_tables(names: list[str], rows: list[dict[str, Any]]) -> tuple[list[str], dict[str, list[str]]]:
    """The 60-query set's table (recall@1, overall and per kind; ``null`` right only with no hit), misses."""
    kinds = list(dict.fromkeys(r["kind"] for r in rows))
    out = [f"{len(rows)} queries ({sum(r['card'] is None for r in rows)} for things no card shows), "
           f"{len(load_cards())} cards in the index.", "",
           "| engine | recall@1 | " + " | ".join(f"{k} ({sum(r['kind'] == k for r in rows)})" for k in kinds)
           + " |", "|---|---:|" + "---:|" * len(kinds)]
    misses: dict[str, list[str]] = {}
    for name in names:
        engine = ENGINES[name]()
        found = [engine(r["query"]) for r in rows]
        ok = [right(f, r) for f, r in zip(found, rows, strict=True)]
        by = [sum(o for o, r in zip(ok, rows, strict=True) if r["kind"] == k) for k in kinds]
        per_kind = [f"{b}/{sum(r['kind'] == k for r in rows)}" for b, k in zip(by, kinds, strict=True)]
        share = f"{sum(ok) / len(rows):.3f} ({sum(ok)}/{len(rows)})"
        out.append(f"| {name} | {share} | " + " | ".join(per_kind) + " |")
        misses[name] = [f"{r['query']!r} -> {f} (want {r['card']}, {r['kind']})"
                        for f, r, o in zip(found, rows, ok, strict=True) if not o]
    return out, misses


def threshold_table(rows: list[dict[str, Any]]) -> list[str]:
    """For each of :data:`THRESHOLDS`: the 223-query recall@1 kept and the absent queries with no hit."""
    from codepaint_env.tasks.knowledge import search as module

    index = module.card_index()[1]
    shipped, module.MIN_EVIDENCE = module.MIN_EVIDENCE, 0.0  # every first hit, with its evidence share
    try:
        ranked = [index.rank(r["query"], 1) for r in rows]
        absent = [index.rank(q, 1) for q in ABSENT_QUERIES]
    finally:
        module.MIN_EVIDENCE = shipped
    kept = [(a.evidence, bool(a.hits) and index.cards[a.hits[0][0]].id == r["card"], bool(a.hits))
            for a, r in zip(ranked, rows, strict=True)]
    right_low = min((e, r["query"]) for (e, ok, _), r in zip(kept, rows, strict=True) if ok)
    absent_high = sorted((a.evidence, q) for a, q in zip(absent, ABSENT_QUERIES, strict=True) if a.hits)
    out = [f"{len(rows)} everyday queries; {len(ABSENT_QUERIES)} made-up queries for things no card "
           f"shows. Shipped: MIN_EVIDENCE = {shipped}.", "",
           "| threshold | 223-set recall@1 | 223-set wrong first hits silenced | absent queries, no hit |",
           "|---:|---:|---:|---:|"]
    for t in THRESHOLDS:
        r1 = sum(ok and e >= t for e, ok, _ in kept)
        silenced = sum(hit and not ok and e < t for e, ok, hit in kept)
        none = sum(not a.hits or a.evidence < t for a in absent)  # generic-only queries never have hits
        out.append(f"| {t:.2f} | {r1 / len(rows):.3f} ({r1}) | {silenced} | {none} of {len(absent)} |")
    out += ["", f"Least evidence of a right first hit (223): {right_low[0]:.3f} ({right_low[1]!r}). Absent "
            "queries' first hits: " + ", ".join(f"{e:.2f} ({q!r})" for e, q in absent_high) + "."]
    return out


def write_doc(lines: list[str], doc: Path = DOC, begin: str = BEGIN, end_mark: str = END) -> None:
    """Put the tables between ``begin`` and ``end_mark`` in ``doc`` (they must be there already)."""
    text = doc.read_text(encoding="utf-8")
    start, end = text.index(begin) + len(begin), text.index(end_mark)
    doc.write_text(text[:start] + "\n" + "\n".join(lines) + "\n" + text[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Print recall per engine and split, per kind of query, and the latency."""
    ap = argparse.ArgumentParser(description="The card search against what people type: recall@1 and @3.")
    ap.add_argument("--misses", action="store_true", help="list every query an engine ranks wrong")
    ap.add_argument("--engines", default=None, help="comma-separated engines")
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("--doc", action="store_true", help=f"also write the tables into {DOC.name}")
    ap.add_argument("--set", choices=("index", "everyday"), default="index",
                    help="the 223-query set (index) or the 60 descriptive and absent queries (everyday)")
    ap.add_argument("--threshold", action="store_true", help="the no-results threshold's trade-off")
    args = ap.parse_args(argv)
    if args.threshold:
        print("\n".join(threshold_table(load_queries())))
        return 0
    if args.set == "everyday":
        names = args.engines.split(",") if args.engines else list(EVERYDAY_ENGINES)
        lines, misses = everyday_tables(names, load_queries(EVERYDAY))
        if args.doc:
            write_doc(lines, begin=BEGIN_EVERYDAY, end_mark=END_EVERYDAY)
    else:
        names = args.engines.split(",") if args.engines else [n for n in ENGINES if n != "ours-no-threshold"]
        lines, misses = tables(names, load_queries(), not args.no_latency)
        if args.doc:
            write_doc(lines)
    print("\n".join(lines))
    if args.misses:
        for name, missed in misses.items():
            print(f"\n{name}: {len(missed)} misses")
            for m in missed:
                print("  " + m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
