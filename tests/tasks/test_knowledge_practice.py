"""Practice flags: made-up, never a real flag's look, found by their written search, kept out of evaluation.

Every practice flag the ``practice`` index holds is rendered (resvg, 160 px, as the cross-card test
does) and held against every real card's stated checks: none passes all of a real card's, so a start
that teaches them teaches nothing of an eval fact. Each is drawn as its card says (its bands' colours
and way, its emblem) and found first by the query the supervised start writes for it.
"""

from __future__ import annotations

import re

import pytest

from codepaint_env.policy.learning.searching import subject_query
from codepaint_env.policy.learning.sft import SFTConfig, practice_tasks
from codepaint_env.render import Renderer
from codepaint_env.tasks import load_suite
from codepaint_env.tasks.knowledge import all_facts
from codepaint_env.tasks.knowledge.practice import PRACTICE_CARDS, practice_cards, practice_facts
from codepaint_env.tasks.knowledge.search import card_index, search
from rewards.checks.picture import Picture
from support import card_passes

PRACTICE = practice_facts(PRACTICE_CARDS)
REAL = {t.facts[0]: t for t in load_suite("knowledge", language="svg")}


def test_the_same_flags_for_the_same_seed_and_a_start_teaches_a_prefix():
    assert practice_facts(40) == PRACTICE[:40]
    assert practice_facts(40, seed=1) != PRACTICE[:40]
    assert len({f.id for f in PRACTICE}) == len({f.name for f in PRACTICE}) == PRACTICE_CARDS
    with pytest.raises(ValueError, match="0 or more"):
        practice_facts(-1)


def test_no_practice_name_is_a_real_one():
    real = {w.lower() for f in all_facts() for w in (f.title, f.name, *f.aliases)}
    countries = {f.name.removeprefix("the flag of ").lower() for f in all_facts() if f.family == "flag"}
    for f in PRACTICE:
        name = f.name.removeprefix("the flag of ").lower()
        assert not any(name in known for known in real), f.name
        assert not any(country in name for country in countries if len(country) >= 4), f.name


def test_each_card_says_its_bands_and_its_emblem():
    for f in PRACTICE:
        way = re.search(r"is an? (vertical|horizontal)", f.text)
        assert way, f.text
        bands = [s for s in f.shapes if s.kind == "rect"]
        across = {round(s.height, 2) for s in bands} != {1.1}  # a band across is as wide as the canvas
        assert (way.group(1) == "horizontal") == across, f.text
        emblems = f.shapes[len(bands):]
        assert len(emblems) <= 1 and (not emblems) == ("centre" not in f.text and "hoist," not in f.text)


@pytest.fixture(scope="module")
def pictures() -> dict[str, Picture]:
    """Every practice flag's SVG reference, rendered and measured once."""
    tasks = practice_tasks(PRACTICE_CARDS, "svg")
    renderer = Renderer(timeout_s=30, cache_size=0)
    try:
        results = renderer.render_many([t.reference_programs["svg"] for t in tasks], "svg", size=160,
                                       renderer="fast")
    finally:
        renderer.close()
    assert all(r.ok for r in results)
    return {t.facts[0]: Picture(r.canvas_image) for t, r in zip(tasks, results, strict=True)}


def test_no_practice_flag_passes_every_stated_check_of_a_real_card(pictures):
    passes = card_passes.full_passes(REAL, REAL, pictures)
    assert passes == set(), sorted(passes)[:10]


def test_the_written_search_finds_each_practice_card_first_in_the_practice_index_only():
    assert not {c.id for c in practice_cards()} & {c.id for c in card_index("all")[0]}
    assert not {c.id for c in practice_cards()} & {c.id for c in card_index("train")[0]}
    assert {c.id for c in practice_cards()} <= {c.id for c in card_index("practice")[0]}
    titles = {f.id: f.title for f in PRACTICE}
    for task in practice_tasks(PRACTICE_CARDS, "svg"):
        query = subject_query(task)
        assert query == "f" + titles[task.facts[0]][1:]  # "flag of Quaedor", as a real card's
        assert search(query, 3, index="practice").hits[0].id == task.facts[0]
        assert not any(i.startswith("practice-") for i in search(query, 3, index="all").ids)


def test_practice_tasks_are_train_tasks_and_only_a_search_start_teaches_them():
    tasks = practice_tasks(5, "svg")
    assert [t.facts[0] for t in tasks] == [f.id for f in PRACTICE[:5]]
    assert {t.split for t in tasks} == {"train"}
    assert SFTConfig(suite="knowledge", tools="search", practice=5).practice == 5
    with pytest.raises(ValueError, match="search tool"):
        SFTConfig(practice=5)
    with pytest.raises(ValueError, match="0 to"):
        SFTConfig(suite="knowledge", tools="search", practice=PRACTICE_CARDS + 1)
