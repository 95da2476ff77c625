"""Task suites: the built-in suites, the JSONL loader and its messages, TRL dataset rows."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from codepaint_env.core.errors import CodePaintError
from codepaint_env.tasks import (
    COLOUR_FAMILIES,
    LANGUAGES,
    Task,
    TaskError,
    all_tasks,
    builtin_suites,
    load_suite,
    load_tasks,
    tasks_to_rows,
)
from rewards import pool

SUITES = ("html", "knowledge", "refinement", "shapes", "svg", "tikz", "watercolour")


def test_vocabulary_matches_the_pool():
    assert LANGUAGES == pool.LANGUAGES
    assert COLOUR_FAMILIES == pool.COLOUR_FAMILIES


def test_builtin_suites_load():
    assert builtin_suites() == sorted(SUITES)
    for name in SUITES:
        tasks = load_suite(name)
        assert tasks, name
        assert all(t.suite == name for t in tasks)
        assert {t.split for t in tasks} == {"train", "eval"}, name


@pytest.mark.parametrize("language", ["p5brush", "python", "p5", "svg", "html", "tikz"])
def test_counts_per_language(language):
    tasks = all_tasks(language=language)
    assert len(tasks) >= 40
    evals = sum(t.split == "eval" for t in tasks)
    assert 0.1 <= evals / len(tasks) <= 0.3


def test_ids_and_prompts_unique_across_suites():
    tasks = all_tasks()
    assert len({t.id for t in tasks}) == len(tasks)
    prompts = Counter(t.prompt for t in tasks)
    assert not [p for p, n in prompts.items() if n > 1]


def test_suite_contents():
    wc = load_suite("watercolour")
    assert len(wc) >= 48 and {t.language for t in wc} == {"p5brush"}
    in_vocab = sum(t.subject in pool.SUBJECTS for t in wc)
    assert in_vocab / len(wc) >= 0.8
    assert all(t.colour_family in COLOUR_FAMILIES for t in wc)

    ref = load_suite("refinement")
    subjects = {"wall_clock", "world_map", "bicycle", "elephant"}
    for lang in ("python", "p5"):
        tasks = load_suite("refinement", language=lang)
        assert len(tasks) >= 40
        assert {t.subject for t in tasks} == subjects
        assert {t.subject for t in tasks if t.split == "eval"} == subjects
    assert all("refinement" in t.tags for t in ref)

    svg_tags = Counter(tag for t in load_suite("svg") for tag in t.tags)
    for tag in ("attribute_binding", "spatial", "counting", "object", "scene"):
        assert svg_tags[tag] >= 5, tag

    html = load_suite("html")
    html_tags = Counter(tag for t in html for tag in t.tags)
    for tag in ("site", "dataviz", "game", "ui_component"):
        assert html_tags[tag] >= 8, tag
    assert html_tags["interactive"] >= len(html) // 2
    assert all(t.subject == "web_page" for t in html)

    assert all("tikzpicture" in t.prompt for t in load_suite("tikz"))


def test_filters():
    evals = load_suite("refinement", split="eval", language="p5")
    assert evals and all(t.split == "eval" and t.language == "p5" for t in evals)
    assert len(all_tasks(split="train")) + len(all_tasks(split="eval")) == len(all_tasks())
    with pytest.raises(TaskError, match="split"):
        load_suite("svg", split="test")
    with pytest.raises(TaskError, match="language"):
        all_tasks(language="js")


def test_unknown_suite_lists_the_suites():
    with pytest.raises(TaskError) as e:
        load_suite("nope")
    for name in SUITES:
        assert name in str(e.value)
    assert isinstance(e.value, CodePaintError) and isinstance(e.value, ValueError)


def test_round_trip(tmp_path):
    tasks = load_suite("svg")[:5] + load_suite("html")[:5] + [
        Task(id="mine-1", prompt="Draw a cat.", language="p5", size=(300, 200), subject="animal",
             colour_family="orange", palette=("#e07a5f",), tags=("animal",), references=("ref-1",),
             split="eval", suite="mine"),
        Task(id="mine-2", prompt="Draw a dog.", language="tikz"),
    ]
    path = tmp_path / "tasks.jsonl"
    lines = ["# my tasks", ""] + [json.dumps(t.to_row()) for t in tasks]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_tasks(path) == tasks
    assert load_tasks(str(path)) == tasks


def test_row_defaults_and_normalisation(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": "a", "prompt": "Draw a sun.", "language": "svg", "size": 256, '
                    '"palette": ["#E07A5F"]}\n', encoding="utf-8")
    [t] = load_tasks(path)
    assert t.size == (256, 256) and t.palette == ("#e07a5f",)
    assert (t.split, t.suite, t.subject, t.colour_family, t.tags) == ("train", "", None, None, ())
    row = t.to_row()
    assert row["size"] == [256, 256] and isinstance(row["tags"], list)
    json.dumps(row)
    assert t.columns() == {"task_id": "a", "language": "svg", "size": [256, 256], "subject": None,
                           "colour_family": None, "allow_text": None, "ocr": None, "checks": None,
                           "level": None, "facts": None}


def test_missing_file(tmp_path):
    with pytest.raises(TaskError, match="does not exist"):
        load_tasks(tmp_path / "nope.jsonl")


GOOD = {"id": "t1", "prompt": "Draw a red circle.", "language": "svg"}
_DROP = object()


def _with(**kw):
    row = dict(GOOD, **kw)
    return json.dumps({k: v for k, v in row.items() if v is not _DROP})


@pytest.mark.parametrize(("line", "field"), [
    ("{not json", "JSON"),
    ('["a", "list"]', "JSON object"),
    (_with(id=_DROP), "id"),
    (_with(prompt=_DROP), "prompt"),
    (_with(language=_DROP), "language"),
    (_with(language="js"), "language"),
    (_with(id="Bad Id"), "id"),
    (_with(id=7), "id"),
    (_with(prompt=""), "prompt"),
    (_with(prompt=["a"]), "prompt"),
    (_with(size=[512]), "size"),
    (_with(size=[8, 512]), "size"),
    (_with(size=[512, 5000]), "size"),
    (_with(size=[512.0, 512]), "size"),
    (_with(size="512x512"), "size"),
    (_with(size=True), "size"),
    (_with(split="test"), "split"),
    (_with(palette=["red"]), "palette"),
    (_with(palette=["#fff"]), "palette"),
    (_with(palette="#ffffff"), "palette"),
    (_with(colour_family="magenta"), "colour_family"),
    (_with(subject="Still Life"), "subject"),
    (_with(tags="flower"), "tags"),
    (_with(tags=[1]), "tags"),
    (_with(references=["Not An Id"]), "references"),
    (_with(suite=3), "suite"),
    (_with(colour="red"), "colour"),
    (_with(checks=[{"kind": "count", "colour": "red"}]), "check 1 (count): missing field 'count'"),
    (_with(checks=[{"kind": "glitter"}]), "unknown kind 'glitter'; known kinds: background"),
    (_with(reference_programs={"svg": ""}), "reference_programs"),
])
def test_malformed_rows(tmp_path, line, field):
    path = tmp_path / "tasks.jsonl"
    path.write_text(f"# header\n\n{_with(id='ok')}\n{line}\n", encoding="utf-8")
    with pytest.raises(TaskError) as e:
        load_tasks(path)
    msg = str(e.value)
    assert "tasks.jsonl line 4" in msg, msg
    assert field in msg, msg


def test_messages_are_specific(tmp_path):
    path = tmp_path / "tasks.jsonl"
    path.write_text(_with(language="js") + "\n", encoding="utf-8")
    with pytest.raises(TaskError) as e:
        load_tasks(path)
    assert str(e.value).endswith(
        'tasks.jsonl line 1: "language" must be one of p5brush, p5, svg, html, python, tikz, not \'js\'')

    path.write_text(_with(colour="red") + "\n", encoding="utf-8")
    with pytest.raises(TaskError, match="known fields are id, prompt, language, size"):
        load_tasks(path)


def test_duplicate_ids_name_both_lines(tmp_path):
    path = tmp_path / "tasks.jsonl"
    path.write_text("\n".join([_with(id="a"), _with(id="b"), "", _with(id="a", prompt="Other.")]) + "\n",
                    encoding="utf-8")
    with pytest.raises(TaskError) as e:
        load_tasks(path)
    msg = str(e.value)
    assert "line 4" in msg and "line 1" in msg and '"id"' in msg and "'a'" in msg


def test_direct_construction_is_validated():
    assert Task(id="x", prompt="p", language="svg", size=[64, 32]).size == (64, 32)
    with pytest.raises(TaskError, match="language"):
        Task(id="x", prompt="p", language="js")
    with pytest.raises(TaskError, match="from_row"):
        Task.from_row({"id": "x"}, "from_row")


def test_tasks_to_rows_shape():
    tasks = load_suite("tikz")[:3]
    rows = tasks_to_rows(tasks)
    assert len(rows) == 3
    for row, t in zip(rows, tasks, strict=True):
        assert row["prompt"] == [{"role": "user", "content": t.prompt}]
        assert set(row) == {"prompt", "task_id", "language", "size", "subject", "colour_family", "allow_text",
                            "ocr", "checks", "level", "facts"}
        assert row["task_id"] == t.id and row["size"] == list(t.size)
    rows = tasks_to_rows(tasks, system_prompt="Answer with one TikZ picture.")
    assert rows[0]["prompt"][0] == {"role": "system", "content": "Answer with one TikZ picture."}
    assert rows[0]["prompt"][1] == {"role": "user", "content": tasks[0].prompt}


def test_tasks_to_rows_makes_a_dataset():
    datasets = pytest.importorskip("datasets")
    rows = tasks_to_rows(all_tasks(split="train"), system_prompt="You write programs that draw.")
    ds = datasets.Dataset.from_list(rows)
    assert len(ds) == len(rows)
    assert set(ds.column_names) == {"prompt", "task_id", "language", "size", "subject", "colour_family",
                                    "allow_text", "ocr", "checks", "level", "facts"}
    assert ds[0]["prompt"][0]["role"] == "system"
    assert ds[0]["size"] == rows[0]["size"]
    assert sum(c is None for c in ds["colour_family"]) > 0
