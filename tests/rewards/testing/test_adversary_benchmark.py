"""benchmarks/validity/adversary.py: a run's rows resume, and its report keeps what was written by hand."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks" / "validity"))

import adversary  # noqa: E402


def test_the_report_is_written_again_above_the_hand_written_history(tmp_path, monkeypatch):
    doc = tmp_path / "adversary.md"
    monkeypatch.setattr(adversary, "DOC", doc)
    monkeypatch.setattr(adversary, "DOC_JSON", tmp_path / "adversary.json")
    monkeypatch.setattr(adversary, "DOC_PICTURES", tmp_path / "adversary")
    history = f"{adversary.HAND}\n\n## The first run\n\nRead by hand: L0-03 was a thin ring.\n"
    doc.write_text("# an old generated report\n\n" + history)
    args = ["--scenes", "1", "--evals", "40", "--levels", "0", "--out", str(tmp_path / "run")]
    assert adversary.main(args) == 0
    text = doc.read_text()
    assert "an old generated report" not in text and text.startswith("# The adversary")
    assert text.endswith(history) and text.count(adversary.HAND) == 1
    rows = (tmp_path / "run").glob("rows-*.jsonl")
    assert [json.loads(line)["label"] for f in rows for line in f.read_text().splitlines()] == ["L0-01"]
    assert adversary.main(args) == 0  # the same command again: nothing attacked twice, the history kept
    assert doc.read_text().endswith(history)
    assert [s["label"] for s in json.loads((tmp_path / "adversary.json").read_text())["scenes"]] == ["L0-01"]
