"""The template adversary: one scene-blind SVG program searched over many tasks at once (real resvg renders).

Small budgets and few tasks: every search here renders with resvg (the renderer's fast path, no
browser) and scores through the reward's public ``score``.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace

import pytest

import rewards
from codepaint_env.cli.main import main
from codepaint_env.core.result import RenderResult
from codepaint_env.tasks.shapes.levels import level_scenes
from codepaint_env.tasks.shapes.suite import scene_tasks
from rewards.base import Reward, RewardResult, Sample
from rewards.testing import search_templates
from rewards.testing.templates import KINDS, LAYOUTS, Template, _random, _Scorer, program, read_colours


@pytest.fixture(scope="module")
def level0():
    """Four held-out level-0 SVG tasks (one object on a background)."""
    return [scene_tasks(s, ("svg",))[0] for s in level_scenes(0, 4, split="eval")]


def test_the_prompt_s_colour_words_are_read_in_order_and_the_background_apart():
    prompt = ("Draw a small yellow circle inside an orange ring in the top-left corner on a cream "
              "background, as an SVG image. No text. (cream is #fff3d6.)")
    assert read_colours(prompt) == (("yellow", "orange"), "cream")
    assert read_colours("Draw two gray squares above a red star on a black background.") == (
        ("grey", "red"), "black")
    assert read_colours("Draw the flag of France, filling the whole canvas.") == ((), None)


def test_a_template_reads_colour_words_only_never_kinds_counts_sizes_or_places():
    same_words = ["Draw three red squares in the top-left corner on a black background, as an SVG image.",
                  "Draw a large red circle, at least half the canvas across, on a black background.",
                  "Draw a red ring between two red stars in a mirror-symmetric row on a black background."]
    other_words = "Draw four horizontal blue stripes on a white background, as an SVG image. No text."
    rng = random.Random(0)
    templates = [_random(rng, fact_blind=False) for _ in range(60)]
    templates += [Template(kind=k, layout=lay, per_colour=2) for k in KINDS for lay in LAYOUTS]
    for t in templates:
        programs = {program(t, *read_colours(p)) for p in same_words}
        assert len(programs) == 1, t  # the same colour words: the same program, whatever the scene
        # another scene's colour words change its colours and nothing else
        blue = re.sub(r"#[0-9a-f]{6}", "#", program(t, *read_colours(other_words)))
        red = re.sub(r"#[0-9a-f]{6}", "#", programs.pop())
        assert red == blue or t.kind in ("hbands", "vbands", "blocks", "halves", "canvas_cross"), t
    blind = replace(templates[0], colours=("red", "white"), page_colour="navy")
    assert program(blind, *read_colours(same_words[0])) == program(blind, *read_colours(other_words)) == \
        program(blind, (), None)


def test_a_seed_gives_the_same_search(level0):
    reward = rewards.make_reward("checks")
    one = search_templates(reward, level0[:3], budget=6, seed=3)
    two = search_templates(reward, level0[:3], budget=6, seed=3)
    assert one.best == two.best and one.history == two.history and one.overall == two.overall
    assert one.evaluations == 6 and one.example_program == two.example_program


def test_hill_climbing_beats_the_first_random_template(level0, tmp_path):
    report = search_templates(rewards.make_reward("checks"), level0, budget=24, seed=1)
    assert report.first_value is not None and report.search_value is not None
    assert report.search_value > report.first_value, report.history
    assert report.overall["judged"] == len(level0) and report.levels.keys() == {"0"}
    assert report.share == pytest.approx(report.value)  # the checks alone: the share is the reward
    report.write(tmp_path)
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["best"] == {**saved["best"], "kind": report.best.kind}
    assert (tmp_path / "pictures" / "best.png").stat().st_size > 0 and "Template" in (
        tmp_path / "report.md").read_text()


class Unsure(Reward):
    """Pays 1 but leaves every task with a blue object unjudged (``None``)."""

    id = "unsure"

    def score_one(self, sample: Sample) -> RewardResult:
        return RewardResult.unjudged("not sure") if "blue" in (sample.prompt or "") else RewardResult(1.0)


def test_results_not_judged_are_left_out_of_the_means_never_scored_zero(level0):
    tasks = [{"prompt": "Draw a blue square on a black background.", "level": 0},
             {"prompt": "Draw a red square on a black background.", "level": 0}]
    report = search_templates(Unsure(), tasks, budget=2, seed=0)
    assert report.value == 1.0 and report.overall["unjudged"] == 1 and report.overall["judged"] == 1
    # an infra render: every reward answers None without seeing it; the search counts it as infra
    task = level0[0]
    scorer = _Scorer(rewards.make_reward("gate:0.3,checks:0.7"), [(task.prompt, task.columns())], None)
    infra = RenderResult(ok=False, language="svg", error_kind="infra")
    sample = Sample(code="<svg/>", language="svg", render=infra, prompt=task.prompt, meta=task.columns())
    assert scorer._results([sample]) == ["infra"]


def test_check_reward_templates_runs_end_to_end(tmp_path, capsys):
    args = ["check-reward", "visual_checks", "--templates", "2", "--levels", "0", "--template-budget", "2",
            "--no-invariants", "--out", str(tmp_path)]
    assert main(args) == 0  # a measurement: exit 0
    out = capsys.readouterr().out
    assert "template search on visual_checks" in out and "checks share" in out
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["evaluations"] <= 2 and report["overall"]["tasks"] == 2 and report["suite"] == "shapes"
    assert main([*args, "--template-max-share", "-1"]) == 1  # any share is above -1
    blind = tmp_path / "knowledge"
    assert main(["check-reward", "visual_checks", "--templates", "2", "--suite", "knowledge",
                 "--template-budget", "1", "--no-invariants", "--out", str(blind)]) == 0
    report = json.loads((blind / "report.json").read_text())
    assert report["fact_blind"] and report["best"]["colours"] and report["suite"] == "knowledge"
