"""`codepaint render` and `codepaint score` on a `StubDispatch`: exit codes, files and JSON, no browser.

The commands build their renderer as ``codepaint_env.render.Renderer(**settings)``; the tests put a
factory of stubs in its place, which takes the same settings (the real render front applies them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

import codepaint_env.render
from codepaint_env.cli.exit_codes import EXIT_NOT_JUDGED, EXIT_OK, EXIT_RENDER_FAILED, EXIT_USAGE
from codepaint_env.cli.main import main
from codepaint_env.render import Renderer
from support.stubbed import BROKEN_SVG, GOOD_SVG, drawing, stub_dispatch

INFRA_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><!-- the machine was overloaded --></svg>'


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch) -> list[Renderer]:
    """Every renderer the command builds is a stub (listed here), with the command's own settings."""
    made: list[Renderer] = []

    def renderer(**settings: object) -> Renderer:
        stub = stub_dispatch(**settings)
        stub.transport.add(INFRA_SVG, "infra")
        made.append(stub)
        return stub

    monkeypatch.setattr(codepaint_env.render, "Renderer", renderer)
    return made


def program(tmp_path: Path, text: str, name: str = "sketch.svg") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_render_writes_the_picture_and_exits_0(tmp_path, stubs, capsys):
    out = tmp_path / "out.png"
    assert main(["render", program(tmp_path, GOOD_SVG), "--size", "64", "-o", str(out), "--json"]) == EXIT_OK
    said = json.loads(capsys.readouterr().out)
    assert said["ok"] and said["language"] == "svg" and said["output"] == str(out)
    assert Image.open(out).convert("RGB").tobytes() == drawing().tobytes()
    # the command's settings
    assert stubs[0].transport.programs == [GOOD_SVG] and stubs[0].settings.cache_size == 0


def test_render_a_broken_program_exits_3_and_an_infra_failure_4(tmp_path, stubs, capsys):
    assert main(["render", program(tmp_path, BROKEN_SVG)]) == EXIT_RENDER_FAILED
    assert "svg FAILED (syntax)" in capsys.readouterr().out
    assert not (tmp_path / "sketch.png").exists()
    assert main(["render", program(tmp_path, INFRA_SVG, "busy.svg")]) == EXIT_NOT_JUDGED


def test_render_usage_errors_exit_2_before_any_render(tmp_path, stubs, capsys):
    with pytest.raises(SystemExit) as e:
        main(["render", program(tmp_path, GOOD_SVG), "--language", "cobol"])
    assert e.value.code == EXIT_USAGE and "choose auto or one of" in capsys.readouterr().err
    assert stubs == []


def test_score_prints_each_file_s_values_and_exits_0(tmp_path, stubs, capsys):
    files = [program(tmp_path, GOOD_SVG, "good.svg"), program(tmp_path, BROKEN_SVG, "broken.svg")]
    assert main(["score", *files, "--reward", "execution_gate", "--reward", "gate:0.3,classic:0.7",
                 "--size", "64", "--json"]) == EXIT_OK
    good, broken = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert good["render"]["ok"] and good["rewards"]["execution_gate"]["value"] == 1.0
    assert broken["render"]["error_kind"] == "syntax" and broken["rewards"]["execution_gate"]["value"] == -1.0
    assert broken["rewards"]["gate:0.3,classic:0.7"]["value"] == pytest.approx(-0.3)
    assert -0.3 < good["rewards"]["gate:0.3,classic:0.7"]["value"] <= 1.0
    assert sorted(stubs[0].transport.programs) == sorted([GOOD_SVG, BROKEN_SVG])  # each file rendered once


def test_score_exits_4_when_an_item_could_not_be_judged(tmp_path, stubs, capsys):
    assert main(["score", program(tmp_path, INFRA_SVG), "--reward", "execution_gate"]) == EXIT_NOT_JUDGED
    assert "None" in capsys.readouterr().out


def test_score_list_needs_no_renderer(stubs, capsys):
    assert main(["score", "--list"]) == EXIT_OK
    assert "execution_gate" in capsys.readouterr().out and stubs == []
