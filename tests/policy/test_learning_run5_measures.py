"""Issue 73 item 1's measures from committed rows: background on non-white pages, the share paid, template
collapse, and the goal the report judges; held against learning run 4's committed rows (the issue's own
tables) and against synthetic rows whose answers are known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codepaint_env.policy.learning.compare import pooled, task_values, with_pages
from codepaint_env.policy.learning.eval_rows import read_rows
from codepaint_env.policy.learning.experiment import load_plan
from codepaint_env.policy.learning.templates import (
    UNSTATED,
    collapse,
    colour_family,
    entropy,
    first_colour,
    template_of,
)

ROOT = Path(__file__).resolve().parents[2]
RUN4 = ROOT / "docs" / "learning-run-4"
PLAN4 = ROOT / "benchmarks" / "learning" / "plans" / "learning-run-4.toml"
#: Run 4's plan asked for issue 73's measures and goal (its committed report asks for none).
RUN5_MEASURES = ['comparisons.1.measures=["c", "kind:shape", "background_nonwhite", '
                 '"background_nonwhite_gated", "share"]', "goal.full_pass=0.15", "goal.rl_gain=0.05",
                 "goal.kind_gated=0.45", "goal.background_nonwhite=0.5", "goal.template_share=0.5",
                 "goal.colour_entropy=0.2"]


def test_a_template_is_the_program_without_its_numbers_colours_strings_and_comments():
    a = '<svg viewBox="0 0 100 100"><circle cx="25" cy="25" r="15" fill="red"/></svg>'
    b = ('<svg viewBox="0 0 400 400">\n  <!-- a disc -->\n  <circle cx="200" cy="10" r="3.5" fill="#00f" />'
         '\n</svg>')
    c = '<svg viewBox="0 0 100 100"><rect x="25" y="25" width="15" height="15" fill="red"/></svg>'
    assert template_of(a) == template_of(b) != template_of(c)
    css = "<svg><style>.a { fill: rgb(1, 2, 3); stroke: navy; }</style><rect class='a' width='4'/></svg>"
    assert template_of(css) == template_of(css.replace("rgb(1, 2, 3)", "#abcdef").replace("navy", "gold"))
    p5 = "function draw() {\n  background(255);\n  fill('red'); // the disc\n  circle(50, 50, 20);\n}"
    assert template_of(p5) == template_of(p5.replace("20", "7").replace("'red'", "'blue'"))


def test_the_colour_family_is_the_term_of_the_first_painted_colour():
    assert colour_family('<svg><rect fill="none" stroke="#e53935"/><circle fill="blue"/></svg>') == "red"
    assert colour_family('<svg><circle style="fill: rgb(0, 0, 128)"/></svg>') == "navy"
    assert colour_family("<svg><circle fill='darkturquoise'/></svg>") == "cyan"
    assert colour_family('<svg><circle fill="hsl(120, 100%, 25%)"/></svg>') == "green"
    assert first_colour('<svg><g id="orange-thing"><circle r="2"/></g></svg>') == "orange"  # no fill: any
    assert colour_family('<svg><circle r="4"/></svg>') == UNSTATED
    assert entropy(["red"] * 8) == 0.0 and entropy(["red", "blue"] * 4) == pytest.approx(1.0)
    assert entropy([]) is None


def _row(level: int, program: str, gate: bool = True, task: str = "t") -> dict:
    return {"task_id": task, "level": level, "gate_pass": gate, "program": program}


def test_collapse_is_under_half_the_base_s_templates_or_under_the_colour_entropy_at_some_level():
    shapes = ["circle", "rect", "ellipse", "polygon", "line", "path"]
    colours = ["red", "blue", "green", "yellow", "pink", "cyan"]
    base = [_row(0, f'<svg><{s} fill="{c}"/></svg>') for s, c in zip(shapes, colours, strict=True)]
    narrow = [_row(0, f'<svg><circle fill="{c}"/></svg>') for c in colours]  # 1 template of 6
    one_colour = [_row(0, f'<svg><{s} fill="red"/></svg>') for s in shapes]  # every template, one colour
    failing = [{**r, "gate_pass": False} for r in base]
    out = collapse({"base": base, "narrow": narrow, "one-colour": one_colour, "failing": failing})
    assert out["base"]["template_collapse"] is False and out["base"]["levels"]["0"]["templates"] == 6
    assert out["narrow"]["template_collapse"] is True
    assert out["narrow"]["min_template_ratio"] == round(1 / 6, 4)
    assert out["narrow"]["min_colour_entropy"] > 2  # each scene's own colour: only the templates catch it
    assert out["one-colour"]["template_collapse"] is True and out["one-colour"]["min_colour_entropy"] == 0.0
    assert out["failing"]["levels"]["0"]["templates"] == 0 and out["failing"]["template_collapse"] is True
    assert collapse({"x": narrow})["x"]["template_collapse"] is None  # no base: not judged
    # against its own start (a supervised start that already writes few templates), not the base's
    started = collapse({"base": base, "start": narrow, "rl": narrow}, template_share=None,
                       starts={"rl": "start"}, start_share=0.5)
    assert started["rl"]["template_collapse"] is False and started["rl"]["min_start_ratio"] == 1.0
    assert started["start"]["template_collapse"] is None  # no start of its own, and the base's bar is off
    # a model RL started from the base is held against the base with the start's bar (arm A under a plan
    # that declares only template_share_start); the supervised start itself is not judged on templates
    from_base = collapse({"base": base, "sft": narrow, "A": narrow, "A-wide": base}, template_share=None,
                         starts={"A": "base", "A-wide": "base"}, start_share=0.5)
    assert from_base["A"]["template_collapse"] is True
    assert from_base["A"]["min_start_ratio"] == round(1 / 6, 4)
    assert from_base["A"]["why"] == ["level 0: 1 templates against its start base's 6"]
    assert from_base["A-wide"]["template_collapse"] is False
    assert from_base["sft"]["template_collapse"] is None


def test_background_on_non_white_pages_counts_a_gate_failure_as_not_passed():
    rows = [{"task_id": "navy", "gate_pass": True, "kinds": {"background": 1.0}},
            {"task_id": "navy", "gate_pass": False, "kinds": {}},
            {"task_id": "cream", "gate_pass": True, "kinds": {"background": 0.0}},
            {"task_id": "white", "gate_pass": True, "kinds": {"background": 1.0}},
            {"task_id": "none", "gate_pass": True, "kinds": {}}]
    paged = with_pages(rows, {"navy": "navy", "cream": "cream", "white": "white", "none": None})
    assert pooled(paged, "background_nonwhite") == pytest.approx(1 / 3)
    assert pooled(paged, "background_nonwhite_gated") == pytest.approx(1 / 2)
    assert task_values(paged, "background_nonwhite") == {"navy": 0.5, "cream": 0.0}
    assert pooled(rows, "background_nonwhite") is None  # rows without pages: nothing counts
    share = [{"task_id": "a", "gate_pass": True, "share": 0.6},
             {"task_id": "a", "gate_pass": False, "share": None}]
    assert pooled(share, "share") == pytest.approx(0.3) == pooled(share, "b")


@pytest.fixture(scope="module")
def run4_report():
    """Run 4's committed rows through its plan, asked for issue 73's measures and goal."""
    from codepaint_env.policy.learning.experiment.rows import settings
    from codepaint_env.policy.learning.experiment.rows_report import render, report_data

    plan = load_plan(PLAN4, root=ROOT, overrides=RUN5_MEASURES)
    rows = {tag: read_rows(RUN4 / f"rows-{tag}.jsonl.gz") for tag in plan.models}
    data = report_data(plan, rows, json.loads((RUN4 / "models.json").read_text()), settings(plan))
    return plan, data, render(plan, data, "run.py")


def test_run_4_rows_give_issue_73_s_tables(run4_report):
    _, data, _ = run4_report
    scene = {tag: levels["pooled"] for tag, levels in data["scene"].items()}
    # full passes (every stated check), out of 288 samples a model
    assert {t: s["full_passes"] for t, s in scene.items()} == {
        "base": 9, "control": 9, "rft-s0": 4, "rft-s1": 7, "grpo-s0": 13, "grpo-s1": 10,
        "base-qwen2.5-coder-1.5b": 26}
    # background right among gate-passers on the 103 eval scenes whose page is not white
    gated = {t: (s["background_right"], s["non_white_gate_passers"]) for t, s in scene.items()}
    assert gated == {"base": (8, 143), "control": (8, 143), "rft-s0": (10, 175), "rft-s1": (2, 184),
                     "grpo-s0": (0, 114), "grpo-s1": (0, 197), "base-qwen2.5-coder-1.5b": (53, 164)}
    # background_nonwhite: the same passes over every sample on those scenes (gate failures as not)
    assert {s["non_white_samples"] for s in scene.values()} == {206}
    assert scene["base"]["background_nonwhite"] == round(8 / 206, 4)
    assert scene["base"]["background_nonwhite_gated"] == round(8 / 143, 4)
    assert scene["base"]["kind_gated"] == pytest.approx(0.28, abs=0.005)  # "shape among gate-passers 0.28"
    one = {(c["after"], c["measure"]): c for c in data["families"]["1"]}
    for tag in ("grpo-s0", "grpo-s1"):  # paired on those tasks, GRPO lowered it
        lowered = one[(tag, "background_nonwhite")]
        assert lowered["diff"] < 0 and lowered["tasks"] == 103
    assert one[("rft-s0", "share")]["diff"] == pytest.approx(one[("rft-s0", "share")]["after_mean"] - 0.4082,
                                                             abs=1e-3)


def test_run_4_s_grpo_seeds_collapse_and_no_arm_reaches_issue_73_s_goal(run4_report):
    _, data, text = run4_report
    collapsed = {tag: m["template_collapse"] for tag, m in data["collapse"].items() if tag != "references"}
    assert collapsed == {"base": False, "control": False, "rft-s0": False, "rft-s1": False, "grpo-s0": True,
                         "grpo-s1": True, "base-qwen2.5-coder-1.5b": False}
    # the calibration: the generator's own programs of these scenes hold few templates (one a scene, 48 a
    # level), under half the base's at every level; their colours are what GRPO seed 1 paints first
    references = data["collapse"]["references"]
    assert references["min_template_ratio"] < 0.5
    assert [references["levels"][k]["colour_entropy"] for k in "012"] == [
        data["collapse"]["grpo-s1"]["levels"][k]["colour_entropy"] for k in "012"]
    one_circle = data["collapse"]["grpo-s1"]
    assert one_circle["min_template_ratio"] < 0.25 and one_circle["levels"]["2"]["top_template_share"] > 0.8
    assert all(m["min_colour_entropy"] > 2.5 for m in data["collapse"].values())  # colours follow the prompt
    goal = data["goal"]
    assert goal["reached"] is False and {a["met"] for a in goal["arms"].values()} == {False}
    seed = next(s for s in goal["arms"]["grpo"]["seeds"] if s["tag"] == "grpo-s1")
    assert seed["criteria"]["no_collapse"] is False and seed["start"] == "base" and seed["rl_declared"]
    assert goal["bigger_full_pass"] == {"base-qwen2.5-coder-1.5b": 0.0903}
    assert "`grpo-s1`: full passes 3.5 %: **not met**" in text and "fails whatever its share" in text
    assert "## Template collapse (issue 73)" in text and "| grpo-s1 | **true** | 2 | 94 | 7 (56) |" in text
    assert {r["run"] for r in data["runs"]} == {4} and "background_nonwhite" in data["runs"][0]
