"""The ``knowledge`` facts as data: adding a flag is adding one record, and the records read strictly."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import pytest

from codepaint_env.tasks.knowledge import all_facts, load_cards
from codepaint_env.tasks.knowledge.cards import card_of, cards_text, parse_cards
from codepaint_env.tasks.knowledge.fact import BALLS, DARK_BLUE, Source
from codepaint_env.tasks.knowledge.records import (
    DATA_DIR,
    DATA_FILES,
    SOURCES_FILE,
    fact_of,
    facts_from,
    load_facts,
    number,
    read_records,
    read_sources,
)
from codepaint_env.tasks.knowledge.suite import fact_tasks
from rewards.base import Sample
from rewards.checks import VisualChecks
from support.shapes_pictures import run_python_reference

#: A flag the suite does not hold, as a person would add it: one record.
NEW_FLAG = {
    "id": "flag-testland",
    "draw": "banded",
    "country": "Testland",
    "aliases": ["Testish flag"],
    "colours": ["green", "white", "red"],
    "vertical": False,
}


def _stated(**check):
    return {**check, "weight": 2, "stated": True}


def _read(name: str) -> str:
    return (resources.files("codepaint_env.tasks.knowledge") / DATA_DIR / name).read_text(encoding="utf-8")


def test_the_data_files_are_the_suites_facts():
    assert load_facts() == all_facts()
    ids = [r["id"] for name in DATA_FILES for r in read_records(_read(name), name)]
    assert ids == [f.id for f in all_facts()]


def test_the_cards_carry_the_sources_file():
    package = resources.files("codepaint_env.tasks.knowledge")
    if not (package / SOURCES_FILE).is_file():
        pytest.skip("no sources.jsonl in the package")
    sources = read_sources((package / SOURCES_FILE).read_text(encoding="utf-8"), SOURCES_FILE)
    own = {r["id"] for name in DATA_FILES for r in read_records(_read(name), name) if "source" in r}
    cards = {c.id: c for c in load_cards()}
    for fact in all_facts():
        if fact.id not in own:
            assert fact.source == sources.get(fact.id), fact.id
        assert cards[fact.id].source == fact.source, fact.id


def test_adding_a_flag_is_adding_one_record(tmp_path):
    records = read_records(_read("flags.json"), "flags.json")
    path = tmp_path / "flags.json"
    path.write_text(json.dumps([*records, NEW_FLAG], ensure_ascii=False), encoding="utf-8")

    facts = facts_from(read_records(path.read_text(encoding="utf-8"), str(path)))
    old = [replace(f, source=None) for f in all_facts() if f.family == "flag"]
    assert [replace(f, source=None) for f in facts[:-1]] == old  # the others unchanged (sources aside)
    new = facts[-1]
    assert (new.id, new.title, new.name, new.family, new.canvas) == (
        "flag-testland",
        "Flag of Testland",
        "the flag of Testland",
        "flag",
        "fill",
    )
    assert new.text == (
        "The flag of Testland is a horizontal tricolour in equal bands of green, white and red, "
        "from top to bottom."
    )
    assert new.aliases == ("Testish flag",) and new.background == "green" and not new.allow_text
    assert [(s.kind, s.colour) for s in new.shapes] == [("rect", "green"), ("rect", "white"), ("rect", "red")]
    per_colour = [
        check
        for c in ("green", "white", "red")
        for check in (
            _stated(kind="count", colour=c, count=1),
            _stated(kind="aspect", colour=c, min=1.33, max=1000.0),
            _stated(kind="size", colour=c, min=0.2667, max=0.4),
        )
    ]
    assert list(new.checks) == [
        *per_colour,
        _stated(kind="relation", a="green", relation="above", b="white"),
        _stated(kind="relation", a="white", relation="above", b="red"),
        _stated(kind="position", colour="green", area="top-row"),
        _stated(kind="position", colour="white", area="middle-row"),
        _stated(kind="position", colour="red", area="bottom-row"),
        _stated(kind="symmetry", axis="vertical", about="canvas"),  # a flag fills the canvas
        _stated(kind="only", colours=["green", "white", "red"], page=False),
    ]
    # and its reference picture passes the checks its record implies
    (task,) = fact_tasks(new, languages=("python",))
    picture = run_python_reference(task.reference_programs["python"], 160)
    sample = Sample.from_image(
        picture, language="python", code=task.reference_programs["python"], checks=list(task.checks)
    )
    (result,) = VisualChecks().score([sample])
    assert result.value == 1.0, result.rationale


def test_a_hand_drawn_record_reads_its_shapes_checks_and_fractions():
    fact = fact_of(
        {
            "id": "flag-test-cross",
            "draw": "flag",
            "country": "Crossland",
            "aliases": ["Crossish flag"],
            "text": "The flag of Crossland is dark blue with a white upright cross.",
            "field": "navy",
            "shapes": [["rect", "navy", 0, 0, 1, 1], ["rect", "white", "1/3", 0, "2/3", 1]],
            "checks": [{"kind": "count", "colour": "navy", "count": 2}, {"kind": "count", "colour": "white"}],
        }
    )
    assert fact.shapes[1].width == round(2 / 3 - 1 / 3, 4)
    assert fact.checks == (
        _stated(kind="count", colour=DARK_BLUE, count=2, tolerance=58.0),
        _stated(kind="count", colour="white"),
        _stated(kind="only", colours=["navy", "blue", "white"], page=False),
    )
    assert number("1/3") == 1 / 3 and number(["2/13", 0.5, "red"]) == [2 / 13, 0.5, "red"]


def test_a_record_names_its_source_or_takes_it_from_the_sources_file():
    page = {"url": "https://example.org/testland", "says": "green, white and red horizontal bands"}
    own = fact_of({**NEW_FLAG, "source": page})
    assert own.source == Source(page["url"], page["says"])
    row = card_of(own).to_row()
    assert row["source"] == page and list(row)[-1] == "source"
    assert parse_cards(cards_text((own,)), "x")[0].source == own.source
    assert "source" not in card_of(fact_of(NEW_FLAG)).to_row()  # none recorded: no field
    sources = read_sources(json.dumps({"id": "flag-testland", **page}) + "\n", "sources.jsonl")
    (fact,) = facts_from([NEW_FLAG], sources)
    assert fact.source == own.source
    with pytest.raises(ValueError, match="line 1"):
        read_sources('{"id": "x"}\n', "sources.jsonl")


def test_a_record_names_a_ball_of_colours_by_its_name():
    """``lit-red`` (a lamp that shines), ``black-or-magenta``...: the ball's value and its tolerance."""
    checks = [{"kind": "count", "colour": "lit-amber", "count": 0},
              {"kind": "relation", "a": "lit-red", "relation": "inside", "b": "black"}]
    fact = fact_of({**NEW_FLAG, "checks": checks})
    amber, red = BALLS["lit-amber"], BALLS["lit-red"]
    assert fact.checks[-3:-1] == (
        _stated(kind="count", colour=amber[0], count=0, tolerance=amber[1]),
        _stated(kind="relation", a=red[0], relation="inside", b="black", tolerance=red[1]),
    )


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({**NEW_FLAG, "colour": ["red"]}, "unknown fields"),
        ({**NEW_FLAG, "draw": "striped"}, "unknown draw"),
        ({k: v for k, v in NEW_FLAG.items() if k != "country"}, "missing field 'country'"),
        ({**NEW_FLAG, "emblem": [["hexagon", "red", 0.5, 0.5, 0.1]]}, "unknown shape"),
        ({**NEW_FLAG, "emblem": [["disc", "red", 0.5]]}, "shape"),
        ({**NEW_FLAG, "auto": False, "checks": [{"colour": "red"}]}, "names its kind"),
        ({**NEW_FLAG, "checks": [{"kind": "count", "colour": "red", "weight": 1}]}, "no weight"),
        ({**NEW_FLAG, "checks": [{"kind": "relation", "a": "lit-red", "relation": "above",
                                  "b": "lit-green"}]}, "one ball"),
        ({**NEW_FLAG, "checks": [{"kind": "count", "colour": "lit-red", "count": 1, "tolerance": 10}]},
         "no tolerance"),
    ],
)
def test_a_bad_record_is_named(record, message):
    with pytest.raises(ValueError, match=message) as e:
        fact_of(record)
    assert "flag-testland" in str(e.value)


def test_a_data_file_that_is_not_a_list_of_records_is_named():
    with pytest.raises(ValueError, match=r"flags\.json: not JSON"):
        read_records("[{", "flags.json")
    with pytest.raises(ValueError, match="not a list of records"):
        read_records('{"id": "x"}', "flags.json")
