"""check_reward catches each kind of broken reward by the invariant it breaks; a correct one passes.

The broken rewards are in tests/support/broken_rewards.py (importable, so a pickle round trip can
find them); the command line is run as a real `codepaint` subprocess on a module written here.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from PIL import Image

import rewards
from rewards.testing import RewardInvariantError, check_reward
from support import broken_rewards as broken

EXAMPLES = 15  # enough to find each bug (derandomized by the seed: the same every run)
CODEPAINT = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "codepaint"


@pytest.mark.parametrize(("reward", "invariant"), [
    (broken.OutOfRange(), "finite_in_range"),
    (broken.ByPosition(), "permutation_equivariant"),
    (broken.PaysFailures(), "failed_render_never_outscores"),
    (broken.Nondeterministic(), "deterministic"),
    (broken.Mutates(), "no_mutation"),
    (broken.Unpicklable(transform=lambda v: v), "pickle_round_trip"),
    (broken.ReadsComments(), "ignores_comments"),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_each_broken_reward_is_caught_by_its_invariant(reward, invariant, tmp_path):
    with pytest.raises(RewardInvariantError) as caught:
        check_reward(reward, examples=EXAMPLES, save_dir=tmp_path)
    error = caught.value
    assert error.invariant == invariant, error.report.to_table()
    assert repr(invariant) in str(error) and "shrunk counterexample" in str(error)
    assert error.path is not None and Path(error.path).is_file() and str(error.path) in str(error)
    assert Path(error.path).suffix in (".png", ".js")
    assert error.report.result(invariant).verdict == "failed"


def test_the_counterexample_is_shrunk_and_saved_as_the_picture(tmp_path):
    with pytest.raises(RewardInvariantError) as caught:
        check_reward(broken.OutOfRange(), examples=EXAMPLES, save_dir=tmp_path)
    error = caught.value
    assert "2.12" in str(error) and "(0.0, 1.0)" in str(error)
    assert error.counterexample.count("sample ") == 1  # hypothesis shrank the batch to one picture
    assert Image.open(error.path).size == (96, 96)
    saved = json.loads((Path(error.path).parent / "counterexample.json").read_text())
    assert saved["samples"][0]["value"] == 2.12


def test_the_same_seed_finds_the_same_counterexample(tmp_path):
    found = []
    for run in ("a", "b"):
        with pytest.raises(RewardInvariantError) as caught:
            check_reward(broken.ByPosition(), examples=EXAMPLES, seed=7, save_dir=tmp_path / run)
        found.append(caught.value.counterexample)
    assert found[0] == found[1]


def test_a_correct_custom_reward_passes_every_invariant_that_applies(tmp_path):
    report = check_reward(broken.Colourfulness(), examples=EXAMPLES, save_dir=tmp_path)
    assert report.ok, report.to_table()
    verdicts = {r.name: r.verdict for r in report.results}
    assert verdicts["pairwise_symmetry"] == "skipped"
    assert {v for k, v in verdicts.items() if k != "pairwise_symmetry"} == {"passed"}
    assert not any(tmp_path.iterdir())  # nothing broken, nothing saved


def test_without_raising_the_report_lists_every_verdict(tmp_path):
    report = check_reward(broken.PaysFailures(), examples=EXAMPLES, save_dir=tmp_path, raises=False)
    assert not report.ok and [r.name for r in report.failures] == ["failed_render_never_outscores"]
    table = report.to_table()
    assert "failed_render_never_outscores  failed" in table and "saved:" in table
    assert json.loads(json.dumps(report.to_dict()))["ok"] is False


def test_what_a_reward_declares_decides_what_is_skipped(tmp_path):
    class Sampling(broken.Colourfulness):
        deterministic = False

    class Grouped(broken.Colourfulness):
        scores_groups = True

    class Coded(broken.ReadsComments):
        reads_code = True

    def verdicts(reward):
        report = check_reward(reward, examples=5, save_dir=tmp_path, raises=False)
        return {r.name: (r.verdict, r.why) for r in report.results}

    sampling = verdicts(Sampling())
    for name in ("deterministic", "permutation_equivariant", "batch_of_one"):
        assert sampling[name][0] == "skipped" and "deterministic = False" in sampling[name][1]
    assert verdicts(Grouped())["batch_of_one"][0] == "skipped"
    coded = verdicts(Coded())
    assert coded["ignores_comments"][0] == "skipped" and "reads_code" in coded["ignores_comments"][1]


def test_a_registered_reward_passes():
    report = check_reward(rewards.make_reward("execution_gate"), examples=5)
    assert report.ok, report.to_table()


CLI_MODULE = """
from rewards.base import Reward, RewardResult


class Flat(Reward):
    value_range = (0.0, 1.0)

    def score_one(self, sample):
        return RewardResult(0.5 if sample.ok else 0.0) if sample.render.ok else self.failed_render(sample)


class Overpays(Flat):
    def score_one(self, sample):
        return RewardResult(3.0) if sample.ok else self.failed_render(sample)
"""


def _codepaint(tmp_path, *args):
    module = tmp_path / "my_rewards_for_check.py"
    module.write_text(textwrap.dedent(CLI_MODULE), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run([str(CODEPAINT), "check-reward", *args, "--save-dir", str(tmp_path / "saved")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)


def test_the_command_exits_1_on_a_broken_module_class_and_names_the_invariant(tmp_path):
    done = _codepaint(tmp_path, "my_rewards_for_check:Overpays", "--examples", "5")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "finite_in_range" in done.stdout and "failed" in done.stdout
    saved = next(line for line in done.stdout.splitlines() if line.startswith("saved to "))
    assert Path(saved.removeprefix("saved to ")).is_file()


def test_the_command_exits_0_on_a_correct_module_class_with_json(tmp_path):
    done = _codepaint(tmp_path, "my_rewards_for_check:Flat", "--examples", "5", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["spec"] == "my_rewards_for_check:Flat"
    assert {r["verdict"] for r in report["results"]} == {"passed", "skipped"}


def test_the_command_says_what_an_unknown_reward_is(tmp_path):
    done = _codepaint(tmp_path, "no_such_module_here:Nope")
    assert done.returncode == 2 and "no_such_module_here" in done.stderr


def test_the_caller_may_skip_an_invariant_with_a_reason(tmp_path):
    report = check_reward(broken.PaysFailures(), examples=5, save_dir=tmp_path,
                          skip={"failed_render_never_outscores": "it measures, it does not grade"})
    skipped = report.result("failed_render_never_outscores")
    assert report.ok and skipped.verdict == "skipped" and "it measures" in skipped.why
    with pytest.raises(ValueError, match="unknown invariant"):
        check_reward(broken.Colourfulness(), skip=["no_such_invariant"])
