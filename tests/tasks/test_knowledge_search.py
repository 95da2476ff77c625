"""The search tools: BM25 over the fact cards and over the reference pool, bounded, never raising."""

from __future__ import annotations

import json
import pickle
import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from codepaint_env.tasks.knowledge import load_cards
from codepaint_env.tasks.knowledge.cards import Card, split_of_card
from codepaint_env.tasks.knowledge.query import COUNTRY_NAMES, edit_distance, extra_names, near_words
from codepaint_env.tasks.knowledge.search import (
    MAX_CODE_CHARS,
    MAX_K,
    MAX_QUERY_CHARS,
    MAX_TEXT_CHARS,
    STOP_WORDS,
    CardIndex,
    SearchLog,
    card_index,
    search,
    search_references,
    tokenize,
)

CARDS = load_cards()


def test_each_cards_title_finds_it_first_and_its_aliases_almost_always():
    assert all(search(c.title, k=1).ids == (c.id,) for c in CARDS)
    alias_hits = sum(search(c.aliases[0], k=1).ids == (c.id,) for c in CARDS)
    assert alias_hits / len(CARDS) >= 0.95  # measured: 102 of 103 (benchmarks/search/search_bench.py)


def test_everyday_queries_find_their_card():
    for query, card in [
        ("Swedish flag", "flag-sweden"),
        ("Union Jack", "flag-uk"),
        ("yield sign", "sign-give-way"),
        ("cote d'ivoire", "flag-ivory-coast"),
        ("Côte d’Ivoire flag", "flag-ivory-coast"),
        ("olympic rings colours", "olympic-rings"),
        ("what does the flag of Japan look like", "flag-japan"),
        ("ROYGBIV", "rainbow-stripes"),
    ]:
        assert search(query).ids[0] == card, query


def test_malformed_calls_get_a_clear_message_and_no_hits():
    for query, words in [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * (MAX_QUERY_CHARS + 1), "limit"),
        (None, "must be text"),
        (42, "must be text"),
        (["flag"], "must be text"),
    ]:
        result = search(query)
        assert result.hits == () and words in (result.error or ""), (query, result)
        assert result.to_text().startswith("search error:")
    for k in (0, -1, 2.5, "3", None, True):
        assert "k must be a whole number" in (search("flag", k=k).error or ""), k
    assert search("zzzqqq").hits == () and search("zzzqqq").error is None
    assert "no results" in search("zzzqqq").to_text()


def test_k_is_capped_and_results_are_bounded():
    # "horizontal tricolour" matches dozens of cards; "flag" alone no longer finds anything (it names no card)
    result = search("horizontal tricolour", k=50)
    assert len(result.hits) == MAX_K and "at most" in (result.note or "")
    assert all(len(h.text) <= MAX_TEXT_CHARS for h in result.hits)
    two = search("horizontal tricolour", k=2)
    assert len(two.hits) == 2 and two.note is None


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.text(max_size=300), st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=3)),
    st.one_of(st.integers(-3, 20), st.floats(allow_nan=True), st.text(max_size=3)),
)
def test_no_query_breaks_search(query, k):
    result = search(query, k)
    assert len(result.hits) <= MAX_K
    assert len(result.query) <= MAX_QUERY_CHARS
    assert (result.error is None) or result.hits == ()
    assert isinstance(result.to_text(), str) and isinstance(result.to_dict(), dict)
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


def test_tokenize_folds_case_and_accents_and_drops_stop_words():
    assert tokenize("The Flag of CÔTE d'Ivoire") == ["flag", "cote", "d", "ivoire"]
    assert tokenize("") == [] and tokenize("of the and") == []


def test_the_log_records_every_call_and_the_cards_retrieved():
    log = SearchLog()
    search("Swedish flag", k=2, log=log)  # Sweden, then Åland ("the Swedish flag with a red cross added")
    search("", log=log)
    search_references("hibiscus", k=1, log=log)
    search("flag of Sweden", k=1, log=log)
    assert log.tool_calls == 4
    assert log.retrieved[0] == "flag-sweden" and len(log.retrieved) == 2  # once each; references not counted
    assert log.calls[1]["error"] and log.calls[2]["tool"] == "search_references"
    assert log.columns() == {"retrieved": log.retrieved, "tool_calls": 4}
    assert pickle.loads(pickle.dumps(log)) == log


def test_search_references_returns_programs_and_pictures():
    result = search_references("red hibiscus flower", k=2)
    assert len(result.hits) == 2
    for hit in result.hits:
        assert "hibiscus" in hit.prompt and 0 < len(hit.code) <= MAX_CODE_CHARS
        assert Path(hit.image_path).is_file() and hit.image_path.endswith(".png")
    svg = search_references("flower", k=3, language="svg")
    assert svg.hits and all(h.language == "svg" for h in svg.hits)
    text = result.to_text()
    assert "```" in text and "picture:" in text
    assert search_references("", k=2).error and search_references("x", k=99).note


# ------------------------------------------------------------------ what people type (issue 56 item 3)
QUERY_SET = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "knowledge-queries.jsonl"


def _query_rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in QUERY_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def _normal(text: str) -> str:
    """Lowercase, accents folded, anything but letters and digits read as one space."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def test_the_query_set_is_large_split_and_names_real_cards():
    rows = _query_rows()
    ids = {c.id for c in CARDS}
    assert len(rows) >= 150
    assert all(set(r) == {"query", "card", "kind", "split"} for r in rows)
    assert {r["card"] for r in rows} <= ids, {r["card"] for r in rows} - ids
    assert all(r["split"] == ("held-out" if n % 3 == 2 else "tune") for n, r in enumerate(rows))
    assert len({_normal(r["query"]) for r in rows}) == len(rows)  # no query twice
    families = {c.family for c in CARDS if c.id in {r["card"] for r in rows}}
    assert families >= {"flag", "sign", "symbol", "suit", "game", "traffic_light", "rainbow", "planet"}


def test_no_query_is_a_cards_title_or_alias():
    names = {_normal(n) for c in CARDS for n in (c.title, *c.aliases)}
    copied = [r["query"] for r in _query_rows() if _normal(r["query"]) in names]
    assert copied == []


def test_recall_at_1_on_everyday_queries_is_at_least_0_9_on_both_halves():
    rows = _query_rows()
    for split in ("tune", "held-out"):
        part = [r for r in rows if r["split"] == split]
        found = sum(search(r["query"], k=1).ids == (r["card"],) for r in part)
        assert found / len(part) >= 0.9, (split, found, len(part))  # measured: 0.946 tune, 0.946 held-out


def test_usa_america_and_other_short_forms_find_their_flag():
    for query, card in [
        ("USA", "flag-usa"),
        ("america flag", "flag-usa"),
        ("U.S.A.", "flag-usa"),
        ("UK", "flag-uk"),
        ("UAE", "flag-uae"),
        ("Deutschland", "flag-germany"),
        ("swedn flag", "flag-sweden"),
        ("drapeau suisse", "flag-switzerland"),
    ]:
        assert search(query).ids[:1] == (card,), query


def test_loose_matching_stays_loose_only_where_nothing_matches():
    assert search("hello world").hits == ()  # common words are not bent to a card's name
    assert search("zzzqqq").hits == ()
    terms = card_index()[1].terms("flag of swedn")
    assert terms["flag"] == 1.0 and 0 < terms["sweden"] < 1.0  # a loose match counts less than an exact one
    assert near_words("sweden", frozenset({"sweden"})) == ("sweden",)
    assert near_words("ab", frozenset({"ab", "abc"})) == ()  # too short to guess
    assert edit_distance("jamacia", "jamaica", 2) == 1  # a swap of neighbours is one edit
    assert edit_distance("abcdef", "uvwxyz", 2) == 3  # past the limit: limit + 1


def test_every_country_in_the_name_table_is_a_cards_title():
    reached = {extra_names(c.title, STOP_WORDS) for c in CARDS}
    stray = [k for k, names in COUNTRY_NAMES.items() if names not in reached]
    assert stray == [], f"COUNTRY_NAMES keys naming no card's title (write the title's country name): {stray}"
    assert extra_names("Flag of the United States", STOP_WORDS)[0] == "USA"
    assert extra_names("Stop sign", STOP_WORDS) == ()


# ------------------------------------------------------------------ descriptive and absent queries (60)
#: Written, and this hash recorded, before the search was tuned for it (no-results threshold, tie-breaking):
#: the file may not change, so the recall measured on it stays a measurement (docs/knowledge-search.md).
EVERYDAY_SET = Path(__file__).resolve().parent / "data" / "knowledge-everyday-queries.jsonl"
EVERYDAY_SHA256 = "72727044a59a2c1fef7bcbb00a362263ddee1b05f1590d416b78c46359dd8ccf"


def _everyday_rows() -> list[dict[str, str | None]]:
    lines = EVERYDAY_SET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_the_everyday_set_is_pinned_and_kept_apart_from_the_index_query_set():
    import hashlib

    assert hashlib.sha256(EVERYDAY_SET.read_bytes()).hexdigest() == EVERYDAY_SHA256
    rows = _everyday_rows()
    ids = {c.id for c in CARDS}
    assert len(rows) == 60 and all(set(r) == {"query", "card", "kind"} for r in rows)
    assert {r["card"] for r in rows if r["card"] is not None} <= ids
    assert sum(r["card"] is None for r in rows) >= 8  # things no card shows: the answer is no results
    old = {_normal(r["query"]) for r in _query_rows()}
    names = {_normal(n) for c in CARDS for n in (c.title, *c.aliases)}
    new = [_normal(str(r["query"])) for r in rows]
    assert len(set(new)) == len(new) and not set(new) & old and not set(new) & names


def _made_up_queries() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "search"))
    import knowledge_queries

    return knowledge_queries.ABSENT_QUERIES, knowledge_queries.DEV_QUERIES


def test_the_queries_the_search_was_tuned_on_are_not_in_the_everyday_set():
    absent, dev = _made_up_queries()
    new = {_normal(str(r["query"])) for r in _everyday_rows()}
    assert not {_normal(q) for q in absent} & new and not {_normal(q) for q, _ in dev} & new


def test_recall_at_1_on_the_everyday_set_is_at_least_0_9():
    # A measurement with a floor: 0.517 before this set, 0.850 with the settings chosen without it,
    # 0.917 (55 of 60) after a second round that read its misses (docs/knowledge-search.md).
    rows = _everyday_rows()
    right = [
        search(r["query"]).hits == () if r["card"] is None else search(r["query"], k=1).ids == (r["card"],)
        for r in rows
    ]
    assert sum(right) / len(rows) >= 0.9, [r["query"] for r, ok in zip(rows, right, strict=True) if not ok]


def test_what_no_card_shows_finds_nothing_and_says_so():
    for query in ["mexican flag", "flag of australia", "australia flag", "spanish flag", "south sudan flag",
                  "flag of equatorial guinea", "saint vincent flag", "recycling symbol", "flag", "sign",
                  "colours", "national flag", "pirate flag with skull and crossbones"]:
        result = search(query)
        assert result.hits == () and result.error is None and result.note, query
        assert result.to_text().startswith("search: no results for") and "Nothing matched" in result.to_text()
    note = search("mexican flag").note or ""
    assert "'mexican'" in note and "'flag'" in note
    # the words a query shares with a card still find it, whatever else it says
    assert search("somalian flag").ids[:1] == ("flag-somalia",)  # a demonym of a country with a card
    assert search("flag of guinea conakry").ids[:1] == ("flag-guinea",)  # one word no card holds


def test_the_reported_failures_are_fixed():
    assert search("mexican flag").hits == ()  # was Tonga, Micronesia, Nauru
    assert search("german flag colours").ids[:1] == ("flag-germany",)  # was the rainbow cards
    assert search("flag of Austria").ids[:1] == ("flag-austria",) and search("australia flag").hits == ()
    # the dice: tied without a number, in the ids' order (die-5 was never among them); a number decides
    assert search("die face", k=5).ids == ("die-1", "die-2", "die-3", "die-4", "die-5")
    for query in ["die face five", "die face 5", "die 5", "five on a die", "dice showing 5"]:
        assert search(query).ids[:1] == ("die-5",), query


def test_a_whole_word_name_beats_a_loose_match_when_the_card_exists():
    # no card is Australia's ("australia flag" finds nothing, above); with one, each name finds its own
    australia = Card(
        id="flag-australia", title="Flag of Australia", aliases=("Australian flag",), family="flag",
        text="The flag of Australia is dark blue with the Union Jack in the upper hoist corner, a large "
        "white seven-pointed star below it and the Southern Cross on the fly.",
    )
    index = CardIndex([*CARDS, australia])
    ids = [c.id for c in index.cards]
    for query, card in [("australia flag", "flag-australia"), ("australian flag", "flag-australia"),
                        ("austria flag", "flag-austria"), ("austrian flag", "flag-austria")]:
        assert [ids[i] for i, _ in index.top(query, 3)][:1] == [card], query


def test_ties_are_broken_by_numbers_names_and_ids_not_by_file_order():
    shuffled = CardIndex(list(reversed(CARDS)))
    ids = [c.id for c in shuffled.cards]
    assert [ids[i] for i, _ in shuffled.top("die face", 5)] == ["die-1", "die-2", "die-3", "die-4", "die-5"]
    assert [ids[i] for i, _ in shuffled.top("dice six", 1)] == ["die-6"]
    scores = [s for _, s in shuffled.top("die face", 5)]
    assert len(set(scores)) == 1  # a tie shows one score


def test_the_train_index_never_returns_an_eval_card():
    queries = [c.title for c in CARDS] + [r["query"] for r in _query_rows()]
    queries += [str(r["query"]) for r in _everyday_rows()]
    returned = {i for q in queries for i in search(q, MAX_K, index="train").ids}
    assert returned and all(split_of_card(i) == "train" for i in returned)
    # an eval country named to the train index finds nothing rather than some other flag
    for query in ["Flag of Canada", "flag of the United States", "american flag", "Flag of the Democratic "
                  "Republic of the Congo", "brazilian flag"]:
        assert search(query).hits and search(query, index="train").hits == (), query


def test_a_pasted_task_prompt_finds_its_card():
    from codepaint_env.core.languages import language
    from codepaint_env.tasks import load_suite
    from codepaint_env.tasks.knowledge.query import PROMPT_PHRASES, PROMPT_WORDS, drop_phrases
    from codepaint_env.tasks.knowledge.search import PROMPT_PATTERNS
    from codepaint_env.tasks.knowledge.suite import FILL_PHRASES, ON_PHRASES, SUITE_LANGUAGES

    # the prompts' phrases and languages are the ones the search drops (kept equal to the suite's)
    phrases = (*FILL_PHRASES, *ON_PHRASES)
    said = {_normal(p.replace("Draw {name}", "").replace("{colour}", "colour")) for p in phrases}
    assert said <= {_normal(p.replace("{colour}", "colour")) for p in PROMPT_PHRASES}
    for name in SUITE_LANGUAGES:
        assert set(drop_phrases(tokenize(language(name).asked_as), PROMPT_PATTERNS)) <= PROMPT_WORDS, name
    # measured: 153 of 153 SVG prompts find their card first (139 before the phrases were dropped)
    tasks = load_suite("knowledge", language="svg")
    found = sum(search(t.prompt[:MAX_QUERY_CHARS], k=1).ids == (t.facts[0],) for t in tasks)
    assert found / len(tasks) >= 0.95, found
