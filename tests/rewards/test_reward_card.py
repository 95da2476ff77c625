"""The reward card: known-good variants must score high, known-bad pictures low; rates and the files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from codepaint_env.scoring.reward_card import GOOD, MUTANTS, audit, outlined, respelled, wilson
from rewards.base import Reward, RewardResult
from rewards.probes import PROBES

CODEPAINT = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "codepaint"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" '
       'fill="navy"/><circle cx="20" cy="20" r="8" fill="yellow"/></svg>')


class PaysEverything(Reward):
    """A reward that cannot tell anything apart: every picture gets 1, a failed render 0."""

    def score_one(self, sample):
        return RewardResult(1.0) if sample.ok else self.failed_render(sample)


def test_wilson_interval_brackets_the_rate():
    lo, hi = wilson(3, 12)
    assert 0 < lo < 0.25 < hi < 1
    assert wilson(0, 0) == (0.0, 1.0) and wilson(12, 12)[1] == 1.0


def test_the_honest_program_variants_change_spelling_or_add_an_outline():
    assert 'fill="navy"' not in respelled(SVG) and 'fill="#' in respelled(SVG)
    assert respelled(respelled(SVG)) == SVG
    out = outlined(SVG)
    assert out.count("stroke=") == 1 and '<circle stroke="#222222"' in out  # the background keeps none


def test_a_reward_that_pays_everything_passes_every_known_bad_picture(tmp_path):
    card = audit(PaysEverything(), spec="tests:PaysEverything", count=2, seed=1)
    fails, passes = card.rates("good"), card.rates("bad")
    assert set(fails) == {*GOOD, "all"} and fails["all"]["rate"] == 0
    assert set(PROBES) - {"blank"} <= set(passes) and passes["all"]["rate"] > 0.8
    assert set(passes) & set(MUTANTS)
    md = card.write(tmp_path)
    data = json.loads((tmp_path / "card.json").read_text())
    assert data["false_pass"]["noise"]["wrong"] == data["false_pass"]["noise"]["n"] == 2
    assert "--suite shapes --count 2 --seed 1 --card DIR" in md.read_text()
    assert any((tmp_path / "examples").glob("*.png"))


def test_the_command_writes_the_card(tmp_path):
    done = subprocess.run([str(CODEPAINT), "check-reward", "execution_gate", "--examples", "3",
                           "--count", "1", "--card", str(tmp_path / "card"),
                           "--save-dir", str(tmp_path / "saved")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reward card:" in done.stdout and (tmp_path / "card" / "card.md").is_file()


def test_only_the_shapes_suite_can_be_audited(tmp_path):
    done = subprocess.run([str(CODEPAINT), "check-reward", "execution_gate", "--examples", "1", "--suite",
                           "svg", "--card", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "only the 'shapes' suite" in done.stderr
