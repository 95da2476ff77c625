"""A `rewards` that is not codepaint's (a user's rewards.py, another distribution) is named, with the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codepaint_env.cli import doctor
from codepaint_env.core.packages import OWN_REWARDS, rewards_problems

TRAIN = "import gymnasium as gym\nimport codepaint_env\nprint('imported')\n"


def _python(argv: list[str], cwd: Path, pythonpath: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def _fake_distribution(site: Path) -> Path:
    """An installed distribution `rewards` 0.1.1 (as PyPI's unrelated one) with a top-level package."""
    (site / "rewards").mkdir(parents=True)
    (site / "rewards" / "__init__.py").write_text("X = 1\n")
    meta = site / "rewards-0.1.1.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: rewards\nVersion: 0.1.1\n")
    (meta / "top_level.txt").write_text("rewards\n")
    (meta / "RECORD").write_text("")
    return meta


def test_a_rewards_py_beside_the_users_script_is_named_with_its_path_and_fix(tmp_path):
    (tmp_path / "rewards.py").write_text("def my_reward(completions, **kw):\n"
                                         "    return [0.0] * len(completions)\n")
    (tmp_path / "train.py").write_text(TRAIN)
    out = _python(["train.py"], tmp_path)
    assert out.returncode != 0 and "imported" not in out.stdout
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("codepaint_env.core.packages.RewardsShadowed:")
    assert str(tmp_path / "rewards.py") in last and str(OWN_REWARDS) in last
    assert "rename your file" in last and "my_rewards.py" in last
    assert "rewards.checks" not in out.stderr  # not the old error from deep inside the package


def test_the_same_script_runs_once_the_file_is_renamed(tmp_path):
    (tmp_path / "my_rewards.py").write_text("X = 1\n")
    (tmp_path / "train.py").write_text(TRAIN)
    out = _python(["train.py"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "imported"


def test_an_installed_rewards_distribution_ahead_of_ours_is_named_with_pip_uninstall(tmp_path):
    meta = _fake_distribution(tmp_path / "site")
    out = _python(["-c", "import codepaint_env"], tmp_path, pythonpath=str(tmp_path / "site"))
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert "RewardsShadowed" in last and str(tmp_path / "site" / "rewards" / "__init__.py") in last
    assert "`pip uninstall rewards` (version 0.1.1" in last and str(meta) in last


def test_import_rewards_refuses_a_colliding_distribution_behind_ours(tmp_path):
    meta = _fake_distribution(tmp_path / "site")
    code = f"import sys; sys.path.append({str(tmp_path / 'site')!r}); import rewards"
    out = _python(["-c", code], tmp_path)
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert "another installed distribution also provides a top-level `rewards` package" in last
    assert "pip uninstall rewards" in last and str(meta) in last


def test_our_own_package_has_no_problem():
    assert rewards_problems() == []
    import rewards

    assert Path(rewards.__file__).resolve().parent == OWN_REWARDS.resolve()


def test_doctor_reports_a_shadowing_file_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert doctor._rewards_package() == []
    (tmp_path / "rewards.py").write_text("X = 1\n")
    [problem] = doctor._rewards_package()
    assert str(tmp_path / "rewards.py") in problem and "Fix: rename it" in problem


@pytest.mark.parametrize("placement", ["ahead", "behind"])
def test_doctor_reports_a_colliding_distribution(tmp_path, monkeypatch, placement):
    _fake_distribution(tmp_path / "site")
    monkeypatch.chdir(tmp_path)
    site = str(tmp_path / "site")
    monkeypatch.setattr(sys, "path", [site, *sys.path] if placement == "ahead" else [*sys.path, site])
    [problem] = doctor._rewards_package()  # `rewards` is imported already here: the collision is named
    assert "pip uninstall rewards" in problem
