"""`codepaint render` says where its PNG went, and never replaces a file without saying so (no browser)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

import codepaint_env.render
from codepaint_env.cli.exit_codes import EXIT_OK, EXIT_RENDER_FAILED
from codepaint_env.cli.main import main
from support.stubbed import BROKEN_SVG, GOOD_SVG, drawing, stub_dispatch


@pytest.fixture(autouse=True)
def _stub_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's renderer renders the fast tests' canned programs, without a browser."""
    monkeypatch.setattr(codepaint_env.render, "Renderer", stub_dispatch)


def sketch(tmp_path: Path, text: str = GOOD_SVG) -> Path:
    path = tmp_path / "sun.svg"
    path.write_text(text)
    return path


def test_json_says_where_it_wrote_and_that_it_replaced_a_file(tmp_path, capsys):
    src, png = sketch(tmp_path), tmp_path / "sun.png"
    assert main(["render", str(src), "--size", "64", "--json"]) == EXIT_OK
    out, err = capsys.readouterr()
    assert json.loads(out)["output"] == str(png) and not json.loads(out)["replaced"]
    assert f"wrote {png}" in err and "replaced" not in err
    assert main(["render", str(src), "--size", "64", "--json"]) == EXIT_OK
    out, err = capsys.readouterr()
    assert json.loads(out)["replaced"] and f"wrote {png} (replaced the existing file)" in err
    assert Image.open(png).convert("RGB").tobytes() == drawing().tobytes()


def test_text_output_names_the_replaced_file(tmp_path, capsys):
    src, png = sketch(tmp_path), tmp_path / "sun.png"
    png.write_bytes(b"an older picture")
    assert main(["render", str(src), "--size", "64"]) == EXIT_OK
    assert f"-> wrote {png} (replaced the existing file)" in capsys.readouterr().out


def test_a_failed_render_says_the_existing_png_is_stale(tmp_path, capsys):
    src, png = sketch(tmp_path, BROKEN_SVG), tmp_path / "sun.png"
    png.write_bytes(b"an older picture")
    assert main(["render", str(src), "--json"]) == EXIT_RENDER_FAILED
    out, err = capsys.readouterr()
    assert json.loads(out)["output"] is None and png.read_bytes() == b"an older picture"
    assert f"nothing written; the existing {png} is from an earlier render" in err
    assert main(["render", str(src)]) == EXIT_RENDER_FAILED
    assert "is from an earlier render" in capsys.readouterr().out
