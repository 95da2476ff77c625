"""BM25 over the knowledge suite's fact cards: ``bm25s`` against ``rank-bm25``, measured.

    python benchmarks/search/search_bench.py            # prints the table (markdown) and writes nothing

For each library: the time to build the index over the bundled cards (median of 20 builds), the
time per query (median over every query, each run 20 times) and the top-1 hit rate of two queries per
card: its title, and its first alias (the card must come first). Both libraries get the same tokens
(:func:`codepaint_env.tasks.knowledge.search.tokenize`: lowercase words, accents folded, English
stop words dropped) and their default parameters (k1 1.5, b 0.75); ranks are broken by card order.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from codepaint_env.tasks.knowledge.cards import load_cards
from codepaint_env.tasks.knowledge.search import card_document, tokenize

REPEATS = 20


def _bm25s(corpus: list[list[str]]) -> Callable[[list[str]], np.ndarray]:
    import bm25s

    index = bm25s.BM25()
    index.index(corpus, show_progress=False)
    vocab = index.vocab_dict

    def scores(query: list[str]) -> np.ndarray:
        known = [t for t in query if t in vocab]
        return index.get_scores(known) if known else np.zeros(len(corpus))

    return scores


def _rank_bm25(corpus: list[list[str]]) -> Callable[[list[str]], np.ndarray]:
    from rank_bm25 import BM25Okapi

    index = BM25Okapi(corpus)
    return lambda query: np.asarray(index.get_scores(query))


def _top1(scores: np.ndarray) -> int:
    return int(np.argsort(-scores, kind="stable")[0])


def measure(name: str, build: Callable[[list[list[str]]], Callable[[list[str]], np.ndarray]]) -> dict:
    cards = load_cards()
    corpus = [tokenize(card_document(c)) for c in cards]
    builds = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        scorer = build(corpus)
        builds.append(time.perf_counter() - t0)
    queries = [(i, tokenize(c.title), "title") for i, c in enumerate(cards)]
    queries += [(i, tokenize(c.aliases[0]), "alias") for i, c in enumerate(cards) if c.aliases]
    hits = {"title": 0, "alias": 0}
    totals = {"title": 0, "alias": 0}
    times = []
    for i, q, kind in queries:
        t0 = time.perf_counter()
        for _ in range(REPEATS):
            top = _top1(scorer(q))
        times.append((time.perf_counter() - t0) / REPEATS)
        totals[kind] += 1
        hits[kind] += top == i
    return {
        "library": name,
        "cards": len(cards),
        "build_ms": 1000 * statistics.median(builds),
        "query_us": 1e6 * statistics.median(times),
        "title_top1": hits["title"] / totals["title"],
        "alias_top1": hits["alias"] / totals["alias"],
        "misses": [(cards[i].id, " ".join(q)) for i, q, _ in queries if _top1(scorer(q)) != i],
    }


def main() -> None:
    from importlib.metadata import version

    import bm25s
    import rank_bm25  # noqa: F401

    rows = [
        measure(f"bm25s {bm25s.__version__}", _bm25s),
        measure(f"rank-bm25 {version('rank-bm25')}", _rank_bm25),
    ]
    print("| library | cards | index build (ms) | query (µs) | title top-1 | alias top-1 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['library']} | {r['cards']} | {r['build_ms']:.2f} | {r['query_us']:.1f} | "
            f"{r['title_top1']:.3f} | {r['alias_top1']:.3f} |"
        )
    for r in rows:
        print(f"{r['library']} misses: {r['misses']}")


if __name__ == "__main__":
    main()
