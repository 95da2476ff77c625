"""A broken installation is said as one: the default reward without its OCR package.

``rapidocr`` is made unimportable the way Python itself marks a module as absent (``None`` in
``sys.modules``: ``find_spec`` answers None and ``import`` raises), as on a core install without
the ``ocr`` extra. ``codepaint score`` then exits 1 (broken installation), not 2 (usage), with the
pip line; doctor's default-reward line is FAIL with the same fix.
"""

from __future__ import annotations

import sys

import pytest

from codepaint_env.cli import main
from codepaint_env.cli.doctor import _default_reward
from codepaint_env.cli.exit_codes import EXIT_BROKEN


@pytest.fixture
def no_rapidocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr", None)


def test_score_with_the_default_reward_exits_1_with_the_pip_line(no_rapidocr, tmp_path, capsys):
    sun = tmp_path / "sun.svg"
    sun.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" '
                   'r="20" fill="gold"/></svg>')
    assert main(["score", str(sun)]) == EXIT_BROKEN
    err = capsys.readouterr().err
    assert "rapidocr" in err and "pip install 'codepaint[ocr]'" in err


def test_doctor_says_fail_for_the_default_reward_with_the_fix(no_rapidocr):
    lines: list[tuple[str, str, str]] = []
    assert _default_reward(lambda status, what, detail: lines.append((status, what, detail))) is False
    (status, what, detail), = lines
    assert (status, what) == ("FAIL", "default reward") and "pip install 'codepaint[ocr]'" in detail


def test_doctor_says_ok_for_the_default_reward_where_it_builds():
    lines: list[tuple[str, str, str]] = []
    assert _default_reward(lambda status, what, detail: lines.append((status, what, detail))) is True
    assert lines[0][:2] == ("ok", "default reward") and "gate:0.3,checks:0.7" in lines[0][2]
