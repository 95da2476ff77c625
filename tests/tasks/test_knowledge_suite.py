"""The ``knowledge`` suite: facts, cards, tasks, the split by fact, and references that pass their checks.

What the reference tests cover: here (no browser) every fact's SVG reference through resvg
(``renderer="fast"``) and every fact's Python reference run in-process (Pillow), at 160 px; in the
``browser`` test a fixed sample in the other languages: every eval fact as an HTML page, and one fact
of each family in p5.js, Python (the sandbox) and TikZ. ``benchmarks/validity/knowledge_references.py``
renders all 765 references (every fact in every language).
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from codepaint_env.render import Renderer
from codepaint_env.tasks import TaskError, load_suite, tasks_to_rows
from codepaint_env.tasks.knowledge import FAMILIES, all_facts, load_cards, split_of_fact
from codepaint_env.tasks.knowledge.cards import cards_text, parse_cards
from codepaint_env.tasks.knowledge.cards import default_path as cards_path
from codepaint_env.tasks.knowledge.search import MAX_TEXT_CHARS
from codepaint_env.tasks.knowledge.suite import SUITE_LANGUAGES, default_path, suite_text
from rewards.base import Sample
from rewards.checks import VisualChecks, parse_checks
from rewards.checks.colours import PALETTE
from support.shapes_pictures import run_python_reference

TASKS = load_suite("knowledge")
FACTS = all_facts()
BY_FACT = {t.facts[0]: t for t in TASKS if t.language == "svg"}


def test_the_shipped_files_are_the_generators_output():
    assert default_path().read_text(encoding="utf-8") == suite_text()
    assert cards_path().read_text(encoding="utf-8") == cards_text(FACTS)


def test_facts_families_tasks_and_languages():
    assert len(FACTS) >= 60 and len(TASKS) >= 200
    assert len(TASKS) == len(FACTS) * len(SUITE_LANGUAGES)
    families = Counter(f.family for f in FACTS)
    assert set(families) == set(FAMILIES)
    assert families["flag"] == max(families.values())  # flags are the bulk of the facts
    for fact in FACTS:
        mine = [t for t in TASKS if t.facts == (fact.id,)]
        assert sorted(t.language for t in mine) == sorted(SUITE_LANGUAGES), fact.id
        assert all(sorted(t.reference_programs) == sorted(SUITE_LANGUAGES) for t in mine)
        assert len({json.dumps(t.checks) for t in mine}) == 1
        assert all(t.suite == "knowledge" and t.subject == fact.family for t in mine)
    assert len({t.id for t in TASKS}) == len(TASKS) and len({t.prompt for t in TASKS}) == len(TASKS)


def test_the_split_is_by_fact_and_no_eval_fact_is_trained_on():
    train = {t.facts[0] for t in load_suite("knowledge", split="train")}
    evals = {t.facts[0] for t in load_suite("knowledge", split="eval")}
    assert train and evals and not train & evals
    assert train | evals == {f.id for f in FACTS}
    for t in TASKS:
        assert t.split == split_of_fact(t.facts[0])
    assert 0.1 <= len(evals) / len(FACTS) <= 0.35


_COLOUR_WORDS = set(PALETTE) | {
    "gray",
    "gold",
    "golden",
    "scarlet",
    "crimson",
    "azure",
    "violet",
    "indigo",
    "amber",
    "saffron",
    "maroon",
    "silver",
    "dark",
    "light",
}


def test_prompts_name_the_thing_but_never_its_look():
    for t in TASKS:
        fact = next(f for f in FACTS if f.id == t.facts[0])
        said = set(re.findall(r"[a-z]+", t.prompt.lower()))
        named = set(re.findall(r"[a-z]+", fact.name.lower() + " " + fact.title.lower()))
        colours = (said & _COLOUR_WORDS) - named - {fact.canvas}
        assert not colours, (t.id, t.prompt, colours)
        assert fact.name in t.prompt
        assert (" No text." in t.prompt) != fact.allow_text


def test_every_check_parses_and_the_cards_are_the_facts():
    cards = {c.id: c for c in load_cards()}
    assert list(cards) == [f.id for f in FACTS]
    for fact in FACTS:
        card = cards[fact.id]
        assert (card.title, card.aliases, card.family, card.text) == (
            fact.title,
            fact.aliases,
            fact.family,
            fact.text,
        )
        assert list(card.checks) == [dict(c) for c in fact.checks]
        assert all(c["stated"] is True and c["weight"] == 2 for c in card.checks)
        assert card.aliases and 20 <= len(card.text) <= MAX_TEXT_CHARS
        for check in card.checks:
            assert not (check["kind"] == "colour" and ({"min", "max"} & set(check)))  # presence only
    for t in TASKS:
        checks = parse_checks(list(t.checks))
        assert [c.source for c in checks if c.stated] == [
            dict(c) for c in BY_FACT[t.facts[0]].checks if c.get("stated")
        ]
        assert checks[-1].kind == "no_image" and not checks[-1].stated


def test_the_facts_column_reaches_the_rows():
    rows = tasks_to_rows(TASKS[:3])
    assert [json.loads(r["facts"]) for r in rows] == [list(t.facts) for t in TASKS[:3]]
    with pytest.raises(TaskError, match="no levels"):
        load_suite("knowledge", level=1)


def test_cards_parse_names_a_bad_line():
    good = cards_path().read_text(encoding="utf-8").splitlines()[0]
    assert parse_cards(good + "\n\n", "x")[0].id == FACTS[0].id
    with pytest.raises(ValueError, match="line 2"):
        parse_cards(good + '\n{"id": "a"}\n', "cards.jsonl")


def _score(tasks, language, pictures):
    reward = VisualChecks()
    samples = [
        Sample(
            code=t.reference_programs[language],
            language=language,
            render=res,
            meta={"checks": t.columns()["checks"]},
        )
        if not isinstance(res, Sample)
        else res
        for t, res in zip(tasks, pictures, strict=True)
    ]
    return [
        (t.facts[0], language, r.rationale)
        for t, r in zip(tasks, reward.score(samples), strict=True)
        if r.value != 1.0
    ]


def test_every_svg_and_python_reference_passes_every_check():
    tasks = list(BY_FACT.values())
    renderer = Renderer(timeout_s=30, cache_size=0)
    try:
        svg = renderer.render_many(
            [t.reference_programs["svg"] for t in tasks], "svg", size=160, renderer="fast"
        )
    finally:
        renderer.close()
    assert all("resvg" in r.renderer for r in svg)
    python = [
        Sample.from_image(
            run_python_reference(t.reference_programs["python"], 160),
            language="python",
            code=t.reference_programs["python"],
            checks=list(t.checks),
        )
        for t in tasks
    ]
    assert _score(tasks, "svg", svg) + _score(tasks, "python", python) == []


@pytest.mark.browser
def test_a_fixed_sample_of_references_passes_in_the_other_languages(renderer):
    one_per_family: dict[str, str] = {}
    for fact in sorted(FACTS, key=lambda f: split_of_fact(f.id) != "eval"):
        one_per_family.setdefault(fact.family, fact.id)
    jobs = {
        "html": [f.id for f in FACTS if split_of_fact(f.id) == "eval"],
        **{lang: list(one_per_family.values()) for lang in ("p5", "python", "tikz")},
    }
    assert len(jobs["html"]) == 37 and len(jobs["p5"]) == len(FAMILIES)  # version 4: rainbow-stripes eval
    failures = []
    for lang, ids in jobs.items():
        tasks = [BY_FACT[i] for i in ids]
        results = renderer.render_many([t.reference_programs[lang] for t in tasks], lang, size=160)
        failures += [
            (t.facts[0], lang, r.error_kind) for t, r in zip(tasks, results, strict=True) if not r.ok
        ]
        failures += _score(tasks, lang, results)
    assert failures == []
