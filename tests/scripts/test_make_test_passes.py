"""``make test``'s two passes: which tests run two at a time, and the durations file both passes write."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

TESTS = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("suite_conftest", TESTS / "conftest.py")
assert _spec and _spec.loader
suite_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(suite_conftest)


def _item(path: Path, *marks: str) -> SimpleNamespace:
    return SimpleNamespace(path=path, get_closest_marker=lambda name: name if name in marks else None)


@pytest.mark.parametrize(("path", "marks", "alone"), [
    ("docs/test_docs.py", (), False),
    ("integrations/test_doors.py", ("browser", "trainer_venv"), False),
    ("tasks/test_references_at_scale.py", ("soak",), True),  # a soak measures the machine
    ("integrations/test_something_on_ray.py", ("ray",), True),
    ("render/test_programs.py", ("browser",), True),  # render time-outs: the machine to itself
    ("rewards/test_interactive.py", (), True),
    ("core/test_auth.py", (), True),
])
def test_a_test_runs_alone_outside_the_side_by_side_folders_or_when_it_is_ray_or_a_soak(
        path: str, marks: tuple[str, ...], alone: bool) -> None:
    assert suite_conftest._alone(_item(TESTS / path, *marks)) is alone


def test_no_side_by_side_test_expects_a_render_to_time_out() -> None:
    """A test that expects a render's time-out must run alone: a second worker is CPU pressure, and the
    renderers call a starved render ``infra`` (codepaint_env.render.load), not ``timeout``."""
    expects_timeout = re.compile(r"""error_kind\W{1,6}(==|:)\s*["']timeout["']|["']timeout["']\s*(==|in)\s""")
    busy_loop = re.compile(r"while\s*\(\s*true\s*\)|while True:\s*pass")
    found = []
    for folder in suite_conftest.SIDE_BY_SIDE:
        for path in sorted((TESTS / folder).rglob("test_*.py")):
            text = path.read_text(encoding="utf-8")
            if expects_timeout.search(text) or busy_loop.search(text):
                found.append(str(path.relative_to(TESTS)))
    assert found == [], f"move these out of tests/{{{','.join(suite_conftest.SIDE_BY_SIDE)}}}: {found}"


def test_the_second_pass_adds_its_durations_to_the_first_pass_s(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text("def test_a():\n    pass\n")
    (tmp_path / "test_two.py").write_text("def test_b():\n    pass\n")
    out = tmp_path / "durations.json"

    def run(*args: str) -> None:
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "support.durations", "-p",
                               "no:cacheprovider", "--rootdir", str(tmp_path), "--durations-file", str(out),
                               *args], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              env={"PYTHONPATH": str(TESTS), "PATH": "/usr/bin:/bin"})
        assert proc.returncode == 0, proc.stdout + proc.stderr

    run("test_one.py")
    assert list(json.loads(out.read_text())) == ["test_one.py::test_a"]
    run("test_two.py", "--durations-append")
    assert set(json.loads(out.read_text())) == {"test_one.py::test_a", "test_two.py::test_b"}
    run("test_two.py")  # without --durations-append: this run's tests only
    assert list(json.loads(out.read_text())) == ["test_two.py::test_b"]
