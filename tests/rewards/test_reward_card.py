"""The reward card: known-good variants must lose little, known-bad pictures what they are worth."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from codepaint_env.cli import check_reward
from codepaint_env.scoring.card_report import Card, Verdict
from codepaint_env.scoring.reward_card import (
    COUNT,
    GOOD,
    LEVELS,
    MUTANTS,
    audit,
    audit_scenes,
    outlined,
    respelled,
)
from codepaint_env.tasks.shapes.geometry import Shape
from codepaint_env.tasks.shapes.scenes import Scene
from rewards import make_reward
from rewards.base import Reward, RewardResult
from rewards.checks.colours import PALETTE
from rewards.probes import PROBES

CODEPAINT = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "codepaint"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" '
       'fill="navy"/><circle cx="20" cy="20" r="8" fill="yellow"/></svg>')
COUNT_RED = {"kind": "count", "colour": "red", "count": 1, "weight": 2, "stated": True}
#: A centred red circle: its mirror image is itself.
SYMMETRIC = Scene(1, "single", "cream", (Shape("circle", "red", 0.5, 0.5, 0.12),),
                  "a red circle on a cream background", (COUNT_RED,), 0)


class PaysEverything(Reward):
    """A reward that cannot tell anything apart: every picture gets 1, a failed render 0."""

    def score_one(self, sample):
        return RewardResult(1.0) if sample.ok else self.failed_render(sample)


def test_the_honest_program_variants_change_spelling_or_add_an_outline():
    assert 'fill="navy"' not in respelled(SVG) and 'fill="#' in respelled(SVG)
    assert respelled(respelled(SVG)) == SVG
    cream = SVG.replace("navy", PALETTE["cream"])  # the palette's cream is no CSS name: it stays a value
    assert f'fill="{PALETTE["cream"]}"' in respelled(cream) and "cream" not in respelled(cream)
    out = outlined(SVG)
    assert out.count("stroke=") == 1 and '<circle stroke="#222222"' in out  # the background keeps none


def test_a_moved_picture_keeps_the_scenes_page_and_moves_away_from_the_nearest_edge():
    from PIL import Image, ImageDraw

    from codepaint_env.scoring.card_pictures import moved, scaled

    # red stripes touch every edge but the page is black: the gap is black, not the border's red
    stripes = Image.new("RGB", (100, 100), "black")
    d = ImageDraw.Draw(stripes)
    for y in (0, 30, 60, 90):
        d.rectangle((0, y, 99, y + 9), fill="red")
    for picture in (moved(stripes, background=(0, 0, 0)), scaled(stripes, background=(0, 0, 0))):
        assert picture.getpixel((0, 66)) == (0, 0, 0)  # the gap beside a red stripe is the page
    # a row along the bottom moves up and left, keeping every object inside the canvas
    row = Image.new("RGB", (100, 100), "white")
    ImageDraw.Draw(row).rectangle((60, 90, 97, 97), fill="blue")
    out = moved(row, share=0.04, background=(255, 255, 255))
    assert out.getpixel((57, 87)) == (0, 0, 255) and out.getpixel((99, 99)) == (255, 255, 255)


def test_the_cards_scenes_are_held_out_level_scenes_per_level_or_the_fixed_suite_in_all():
    scenes = audit_scenes(count=2, seed=0)
    assert [label for label, _ in scenes] == [f"L{lv}-{i:02d}" for lv in LEVELS for i in (1, 2)]
    assert {s.level for _, s in scenes} == set(LEVELS)
    fixed = audit_scenes(count=3, seed=0, fixed=True)
    assert len(fixed) == 3 and all(label.startswith("S") and s.level is None for label, s in fixed)
    with pytest.raises(ValueError, match="only the 'shapes' suite"):
        audit_scenes("svg")
    # the command line states the same defaults without importing the audit
    assert (check_reward.COUNT, check_reward.LEVELS) == (COUNT, LEVELS)


def test_a_reward_that_pays_everything_passes_every_counted_mutant_and_probe(tmp_path):
    card = audit(PaysEverything(), spec="tests:PaysEverything", count=1, seed=1, levels=(0, 4))
    fails, passes = card.rates("good"), card.rates("bad")
    assert set(fails) == {*GOOD, "all"} and fails["all"]["rate"] == 0
    assert set(PROBES) - {"blank"} <= set(passes)
    counted = [v for v in card.verdicts if v.family == "mutant" and v.expected == "bad"]
    assert counted and all(v.wrong and v.broken and v.worth > 0 for v in counted)
    assert passes["all mutants"]["rate"] == 1.0
    apart = [v for v in card.verdicts if v.expected == "apart"]
    assert all(not v.wrong and v.why for v in apart)
    assert not {v.kind for v in apart} & (set(passes) - set(MUTANTS) - {"all", "all probes", "all mutants"})
    md = card.write(tmp_path)
    data = json.loads((tmp_path / "card.json").read_text())
    assert data["false_pass"]["noise"]["wrong"] == data["false_pass"]["noise"]["n"] == 2
    assert data["count_means"] == "scenes per level" and data["levels"] == [0, 4]
    text = md.read_text()
    assert "--suite shapes --count 1 --levels 0,4 --seed 1 --card DIR" in text
    assert "loses less than 0.5 of its worth" in text and "whole margin (1)" in text
    assert any((tmp_path / "examples").glob("*.png"))


def test_the_mirror_of_a_centred_symmetric_scene_is_set_apart_and_named_not_scored(tmp_path):
    card = audit(make_reward("visual_checks"), scenes=[("L0-01", SYMMETRIC)], seed=0)
    [mirrored] = [v for v in card.verdicts if v.kind == "mirrored"]
    assert mirrored.expected == "apart" and not mirrored.wrong and mirrored.worth == 0
    assert mirrored.why == "the mirror image of a centred, left-right symmetric scene is the same picture"
    assert mirrored.loss == 0.0  # the reward rightly sees no difference
    assert "mirrored" not in card.rates("bad")
    made = card.counted()["mirrored"]
    assert made == {"made": 1, "counted": 0, "apart": 1, "share": 0.0, "not_applicable": 0}
    card.write(tmp_path)
    text = (tmp_path / "card.md").read_text()
    assert f"| mirrored | {mirrored.why} | 1 |" in text
    assert (tmp_path / "examples" / "L0-01-mirrored.png").is_file()


def test_a_real_reward_on_a_few_scenes_end_to_end(tmp_path):
    """visual_checks on one held-out scene of levels 0, 2 and 4: every counted mutant loses at least
    what the oracle says it broke (the checks agree with the oracle), no known-good picture loses a claim."""
    card = audit(make_reward("visual_checks"), count=1, seed=0, levels=(0, 2, 4))
    assert set(card.scenes) == {"L0-01", "L2-01", "L4-01"} and not card.left_out
    counted = [v for v in card.verdicts if v.family == "mutant" and v.expected == "bad"]
    assert counted
    for v in counted:
        assert v.loss is not None and v.loss >= v.worth - 1e-9, v  # implied checks may add to the loss
        assert not v.wrong
    assert card.rates("bad")["all mutants"]["rate"] == 0.0
    assert card.rates("good")["all"]["n"] == 4 * 3
    drops = card.drops("bad")
    assert drops["all probes"]["mean_worth"] == 1.0 and drops["all probes"]["interval"] is not None
    made = card.counted()["all"]
    assert made["made"] == made["counted"] + made["apart"] and made["made"] + made["not_applicable"] == 7 * 3
    card.write(tmp_path)
    data = json.loads((tmp_path / "card.json").read_text())
    assert {"drop_bad", "drop_good", "set_apart", "mutants", "by_level", "left_out_scenes"} <= set(data)


def test_card_figures_on_constructed_verdicts():
    def v(scene, kind, family, expected, loss, worth, wrong):
        return Verdict(scene, kind, family, expected, 1 - loss, 1.0, loss, worth, wrong,
                       ["count:red"] if family == "mutant" and expected == "bad" else [],
                       "why" if expected == "apart" else None, 0)

    card = Card("r", "r", "shapes", 2, 0, (0.0, 1.0), verdicts=[
        v("L0-01", "noise", "probe", "bad", 0.9, 1.0, False),
        v("L0-02", "noise", "probe", "bad", 0.3, 1.0, True),
        v("L0-01", "wrong_colour", "mutant", "bad", 0.05, 0.2, True),
        v("L0-02", "wrong_colour", "mutant", "bad", 0.2, 0.2, False),
        v("L0-01", "mirrored", "mutant", "apart", 0.0, 0.0, False),
        v("L0-01", "moved", "variant", "good", 0.0, 0.2, False)])
    card.not_applicable["missing_object"] = 2
    rates = card.rates("bad")
    assert list(rates) == ["noise", "all probes", "wrong_colour", "all mutants", "all"]
    assert (rates["all"]["n"], rates["all"]["wrong"]) == (4, 2) and rates["all mutants"]["rate"] == 0.5
    assert card.drops("bad")["wrong_colour"]["mean_loss"] == pytest.approx(0.125)
    assert card.drops("bad")["all mutants"]["mean_worth"] == pytest.approx(0.2)
    counted = card.counted()
    assert counted["wrong_colour"]["share"] == 1.0 and counted["mirrored"]["apart"] == 1
    none = {"made": 0, "counted": 0, "apart": 0, "share": None, "not_applicable": 2}
    assert counted["missing_object"] == none
    assert counted["all"]["made"] == 3 and counted["all"]["not_applicable"] == 2
    # the worst: lost 25 % of its worth, then 30 %
    assert [w.kind for w in card.worst("bad")] == ["wrong_colour", "noise"]
    assert card.by_level() == {"0": {"good": 1, "false_fail": 0, "bad": 4, "false_pass": 2}}


def test_the_command_writes_the_card(tmp_path):
    done = subprocess.run([str(CODEPAINT), "check-reward", "execution_gate", "--examples", "3",
                           "--count", "1", "--levels", "1", "--card", str(tmp_path / "card"),
                           "--card-templates", "4", "--save-dir", str(tmp_path / "saved")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reward card:" in done.stdout and (tmp_path / "card" / "card.md").is_file()
    data = json.loads((tmp_path / "card" / "card.json").read_text())
    assert list(data["scenes"]) == ["L1-01"]
    assert data["templates"]["n"] == 1 and data["templates"]["budget"] == 4  # the template section (issue 72)
    assert "## The template adversary" in (tmp_path / "card" / "card.md").read_text()


def test_the_command_refuses_other_suites_and_unknown_levels(tmp_path):
    done = subprocess.run([str(CODEPAINT), "check-reward", "execution_gate", "--examples", "1", "--suite",
                           "svg", "--card", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "only the 'shapes' suite" in done.stderr
    done = subprocess.run([str(CODEPAINT), "check-reward", "execution_gate", "--levels", "7", "--card",
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "levels are 0, 1, 2, 3, 4" in done.stderr
    helped = subprocess.run([str(CODEPAINT), "check-reward", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert "PER LEVEL" in helped.stdout and "IN ALL" in helped.stdout
