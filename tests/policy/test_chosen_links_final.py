"""The chosen round's model is not written twice: when the rule picks the last round, ``chosen/``
holds hard links to ``final/``'s files (a learning run's disk once filled the machine CI shares)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codepaint_env.policy.learning.validation import save_chosen

#: A model name no loader knows: a test that reaches ``load_policy`` fails loudly.
NO_MODEL = "/no-such-model--save_chosen-should-have-linked-final"


def _run(tmp_path: Path, full_passes: list[float], final_rounds: int) -> Path:
    out = tmp_path / "run"
    rounds = out / "rounds"
    rounds.mkdir(parents=True)
    base = {"gate_pass": 1.0, "all_stated_all": full_passes[0]}
    (rounds / "validation-base.json").write_text(json.dumps(base))
    for i, value in enumerate(full_passes[1:]):
        (rounds / f"round-{i:03d}").mkdir()
        (rounds / f"round-{i:03d}" / "report.json").write_text(
            json.dumps({"validation": {"gate_pass": 1.0, "all_stated_all": value}}))
    final = out / "final"
    final.mkdir()
    (final / "config.json").write_text("{}")
    (final / "model.safetensors").write_bytes(b"\1" * 4096)
    (final / "codepaint-round.json").write_text(json.dumps({"rounds": final_rounds}) + "\n")
    return out


def test_the_last_round_chosen_is_linked_not_merged_again(tmp_path: Path) -> None:
    out = _run(tmp_path, [0.2, 0.3, 0.4], final_rounds=2)
    folder = save_chosen(NO_MODEL, out, "full")
    assert folder == out / "chosen"
    weights = folder / "model.safetensors"
    assert weights.read_bytes() == b"\1" * 4096
    assert weights.stat().st_ino == (out / "final" / "model.safetensors").stat().st_ino
    marker = json.loads((folder / "codepaint-round.json").read_text())
    assert marker["rounds"] == 2 and marker["of"] == 2 and marker["select"] == "full"
    assert save_chosen(NO_MODEL, out, "full") == folder  # done once: the marker matches


def test_an_earlier_round_is_merged_from_its_adapter(tmp_path: Path) -> None:
    out = _run(tmp_path, [0.2, 0.5, 0.4], final_rounds=2)  # the rule picks round 1, final is round 2
    with pytest.raises(Exception, match="no-such-model"):
        save_chosen(NO_MODEL, out, "full")
    assert not (out / "chosen" / "model.safetensors").exists()
