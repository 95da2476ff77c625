"""The honest split: what a policy searching the train-only index finds says no eval fact.

Training searches only the train facts' cards (``search(..., index="train")``); evaluation searches
every card. That keeps eval *cards* out of training, but a train card's *text* could still state an
eval fact (the stop card used to say "green at the bottom", which is the go light's claim). The rule,
for every eval fact E, over R(E), the train cards a policy would read when it looks E up: the top 3
of the train-only index for E's name and for E's SVG task prompt (so at most six cards):

* **Drawing.** No card of R(E) has a reference picture that passes every stated check of E's task:
  drawing what a retrieved train card shows never earns E's whole stated share.
* **Name.** No card of R(E) names E in its text (E's title, its prompt's name or an alias).
* **Colours it does not draw.** A card's text may describe its own picture (the drawing rule keeps
  that picture apart from E), but a colour its text names that its own reference does not draw
  describes something else; none of those may be a colour E's picture has. This is how the stop
  card's "amber in the middle and green at the bottom" leaked the caution and go lights.
* **Order.** When E's checks put four or more colours in an order (a chain of ``above`` / ``below``
  / ``left_of`` / ``right_of`` relations), no card of R(E) names those colours in that order: the
  order is the claim, whichever way it is laid out (the rainbow's stripes gave the discs' order).
  Three colours are not enough: an order of three is one of six, which flags share by design (the
  pan-African red, yellow and green of Guinea and Guinea-Bissau), and for those the checks, not the
  order, tell the facts apart (the drawing rule).

Colour words are read as hues (``navy``, ``cobalt`` and ``indigo`` are blue; ``amber``,
``saffron`` and ``apricot`` orange; ``gold`` yellow...); a colour joined to another by a hyphen
(Venus's "pale yellow-white") is one mixed colour and no claim of either. What E's own prompt says is
no leak (the die showing five says "five" itself). Only retrieved cards are held to it: a card no
search for E returns reaches no policy looking E up. ``docs/knowledge-search.md`` ("The honest
split") has the counts before and after.
"""

from __future__ import annotations

import re

import pytest

from codepaint_env.episode import EpisodeResources, EpisodeSettings
from codepaint_env.policy.evaluate import EvalConfig, EvalError
from codepaint_env.render import Renderer
from codepaint_env.scoring.trainer import TrainerConfig
from codepaint_env.tasks import load_suite
from codepaint_env.tasks.knowledge.cards import load_cards, split_of_card
from codepaint_env.tasks.knowledge.catalogue import all_facts
from codepaint_env.tasks.knowledge.fact import Fact
from codepaint_env.tasks.knowledge.query import fold
from codepaint_env.tasks.knowledge.search import card_index, search
from rewards.checks import parse_checks
from rewards.checks.evaluate import evaluate
from rewards.checks.picture import Picture

TASKS = {t.facts[0]: t for t in load_suite("knowledge", language="svg")}
FACTS = {f.id: f for f in all_facts()}
CARDS = {c.id: c for c in load_cards()}
EVAL = [i for i in FACTS if split_of_card(i) == "eval"]
TRAIN = [i for i in FACTS if split_of_card(i) == "train"]
#: Colour words, read as hues.
HUES = {
    "red": "red", "crimson": "red", "carmine": "red", "maroon": "red", "scarlet": "red",
    "orange": "orange", "amber": "orange", "saffron": "orange", "apricot": "orange",
    "yellow": "yellow", "gold": "yellow", "golden": "yellow",
    "green": "green",
    "blue": "blue", "navy": "blue", "cobalt": "blue", "azure": "blue", "indigo": "blue",
    "violet": "purple", "purple": "purple", "lilac": "purple",
    "white": "white", "black": "black", "grey": "grey", "gray": "grey", "silver": "grey",
    "cream": "cream", "pink": "pink", "cyan": "cyan", "turquoise": "cyan", "aquamarine": "cyan",
    "brown": "brown",
}
_ORDER = ("above", "below", "left_of", "right_of")
#: The fewest colours in an order that is a claim of its own (see the module docstring).
MIN_CHAIN = 4


def hues_named(text: str) -> list[str]:
    """The hues ``text`` names, in order of mention (a hyphenated mix such as ``yellow-white`` is none)."""
    out = []
    for m in re.finditer(r"(?<![a-z-])([a-z]+)(?![a-z-])", fold(text)):
        hue = HUES.get(m.group(1))
        if hue is not None:
            out.append(hue)
    return out


def hues_drawn(fact: Fact) -> set[str]:
    """The hues of a fact's reference scene (its field, shapes and the canvas the prompt names)."""
    colours = {fact.background, *(s.colour for s in fact.shapes)}
    if fact.canvas != "fill":
        colours.add(fact.canvas)
    return {HUES.get(c, c) for c in colours}


def order_chain(fact_id: str) -> list[tuple[str, str]]:
    """E's ordered colour pairs (first, second), read from its ``above``/``left_of``-like relations."""
    pairs = []
    for c in TASKS[fact_id].checks:
        if c.get("kind") == "relation" and c.get("relation") in _ORDER:
            a, b = HUES.get(c["a"], c["a"]), HUES.get(c["b"], c["b"])
            pairs.append((a, b) if c["relation"] in ("above", "left_of") else (b, a))
    return pairs if len({x for p in pairs for x in p}) >= MIN_CHAIN else []


def retrieved(fact_id: str) -> list[str]:
    """R(E): the top 3 train cards for E's name and for its SVG prompt (train-only index), once each."""
    ids = [*search(FACTS[fact_id].name, 3, index="train").ids,
           *search(TASKS[fact_id].prompt, 3, index="train").ids]
    return list(dict.fromkeys(ids))


def text_leaks(eval_id: str, train_id: str) -> list[str]:
    """What train card ``train_id``'s text says of eval fact ``eval_id`` (empty: nothing)."""
    e, card = FACTS[eval_id], CARDS[train_id]
    text = fold(card.text)
    found = [f"names {n!r}" for n in (e.title, e.name, *e.aliases)
             if re.search(rf"(?<![a-z0-9-]){re.escape(fold(n))}(?![a-z0-9-])", text)]
    undrawn = set(hues_named(card.text)) - hues_drawn(FACTS[train_id])
    shared = sorted(undrawn & hues_drawn(e))
    if shared:
        found.append(f"names {', '.join(shared)}, which it does not draw and {eval_id} does")
    chain = order_chain(eval_id)
    named = hues_named(card.text)
    first = {h: named.index(h) for h in reversed(named)}
    if chain and all(a in first and b in first and first[a] < first[b] for a, b in chain):
        found.append(f"names {eval_id}'s colours in its order")
    return found


def all_text_leaks() -> dict[tuple[str, str], list[str]]:
    """Every (eval fact, retrieved train card) pair whose card's text says something of the eval fact."""
    out = {}
    for e in EVAL:
        for t in retrieved(e):
            found = text_leaks(e, t)
            if found:
                out[(e, t)] = found
    return out


# ---------------------------------------------------------------------- the index and its setting
def test_the_train_index_holds_only_train_cards():
    cards, _ = card_index("train")
    assert {c.id for c in cards} == set(TRAIN)
    assert len(card_index()[0]) == len(FACTS)


def test_search_takes_the_index_and_defaults_to_every_card():
    assert search("a traffic light showing go", 1).ids == ("traffic-light-go",)
    assert search("a traffic light showing go", 1, index="all").ids == ("traffic-light-go",)
    assert search("a traffic light showing go", 1, index="train").ids == ("traffic-light-stop",)
    with pytest.raises(ValueError, match="one of all, train"):
        search("flag of Sweden", index="eval")


def test_the_settings_choose_the_index_by_the_task_s_split():
    auto = EpisodeSettings()
    assert auto.search_index == "auto"
    assert auto.index_for("train") == "train" and auto.index_for("eval") == "all"
    assert EpisodeSettings(search_index="all").index_for("train") == "all"
    assert EpisodeSettings(search_index="train").index_for("eval") == "train"
    with pytest.raises(ValueError, match="search_index must be one of auto, train, all"):
        EpisodeSettings(search_index="everything")
    config = TrainerConfig.from_environ({"CODEPAINT_SEARCH_INDEX": "all"})
    assert EpisodeSettings.from_config(config).search_index == "all"
    assert EpisodeSettings.from_config(config, search_index="train").search_index == "train"
    with pytest.raises(ValueError, match="CODEPAINT_SEARCH_INDEX must be auto, train or all"):
        TrainerConfig.from_environ({"CODEPAINT_SEARCH_INDEX": "eval"})


def test_evaluation_searches_every_card_by_default(tmp_path):
    config = EvalConfig(out=tmp_path, model="m", tools=("search",))
    config.check()
    assert config.search_index == "all" and config.record()["search_index"] == "all"
    with pytest.raises(EvalError, match="search index 'some'"):
        EvalConfig(out=tmp_path, model="m", tools=("search",), search_index="some").check()


@pytest.mark.parametrize(("fact_id", "index", "first"), [
    ("traffic-light-stop", "auto", "traffic-light-stop"),  # a train task: the train cards only
    ("traffic-light-go", "auto", "traffic-light-go"),  # an eval task: every card
    ("traffic-light-stop", "all", "traffic-light-go"),  # asked for
])
def test_an_episode_searches_the_index_its_task_s_split_gives(fact_id, index, first):
    settings = EpisodeSettings.from_config(TrainerConfig(), tools=("search",), search_index=index)
    resources = EpisodeResources(settings, reward="gate", tasks=[TASKS[fact_id]], language="svg")
    episode = resources.episode(TASKS[fact_id])
    step = episode.respond("<search>a traffic light showing go</search>")
    assert step.tool and step.info["retrieved"][0] == first
    if episode.search_index == "train":
        assert not set(step.info["retrieved"]) & set(EVAL)


# ---------------------------------------------------------------------- what the train cards say
def test_no_train_facts_own_name_finds_an_eval_card():
    """With the train-only index it is 0 by construction; the full index is where it was measured."""
    hits = [i for i in TRAIN if set(search(FACTS[i].name, 3, index="train").ids) & set(EVAL)]
    assert hits == []


def test_no_retrieved_train_card_states_an_eval_fact():
    assert all_text_leaks() == {}


def test_the_rule_catches_what_it_is_for():
    """The stop card's old text named the amber and green lamps: the rule reads it as a leak."""
    old = ("A traffic light is a black upright housing with three round lamps, red at the top, amber in "
           "the middle and green at the bottom; only the lit lamp shines, the others stay dark.")
    undrawn = set(hues_named(old)) - hues_drawn(FACTS["traffic-light-stop"])
    assert undrawn & hues_drawn(FACTS["traffic-light-go"]) == {"green"}
    assert "yellow" not in hues_named("Venus (pale yellow-white)")
    assert order_chain("rainbow-discs")


# ---------------------------------------------------------------------- what the train cards draw
@pytest.fixture(scope="module")
def pictures() -> dict[str, Picture]:
    """The SVG references of every train card some eval fact retrieves, rendered once."""
    ids = sorted({t for e in EVAL for t in retrieved(e)})
    renderer = Renderer(timeout_s=30, cache_size=0)
    try:
        results = renderer.render_many([TASKS[i].reference_programs["svg"] for i in ids], "svg", size=160,
                                       renderer="fast")
    finally:
        renderer.close()
    assert all(r.ok for r in results)
    return {i: Picture(r.canvas_image) for i, r in zip(ids, results, strict=True)
            if r.canvas_image is not None}


def test_no_retrieved_train_drawing_passes_an_eval_facts_checks(pictures):
    passing = []
    for e in EVAL:
        stated = [c for c in parse_checks(list(TASKS[e].checks)) if c.stated]
        for t in retrieved(e):
            if all(r.passed is True for r in evaluate(stated, pictures[t], "", "svg")):
                passing.append((e, t))
    assert passing == []
