"""scripts/save_runs.py: a long run's rows survive a fresh checkout; its weights never enter git."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("save_runs", ROOT / "scripts" / "save_runs.py")
assert _spec is not None and _spec.loader is not None
save_runs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(save_runs)


def _run_folder(runs: Path) -> None:
    (runs / "adversary" / "pictures").mkdir(parents=True)
    (runs / "adversary" / "rows.jsonl").write_text('{"label": "L0-01"}\n{"label": "L1-01"}\n')
    (runs / "adversary" / "pictures" / "best.svg").write_text("<svg/>")
    (runs / "adversary" / "pictures" / "row.json").write_text("{}")
    round0 = runs / "learn" / "rounds" / "round-000"
    (round0 / "adapter").mkdir(parents=True)
    (round0 / "report.json").write_text('{"round": 0}')
    (round0 / "adapter" / "adapter_config.json").write_text("{}")
    (runs / "learn" / "engine").mkdir()
    (runs / "learn" / "engine" / "model.bin").write_bytes(b"\0" * 64)
    (runs / "learn" / "engine" / "config.json").write_text("{}")
    checkpoint = runs / "grpo" / "checkpoint-5"  # a GRPO checkpoint: weights beside its step log
    checkpoint.mkdir(parents=True)
    (checkpoint / "adapter_model.safetensors").write_bytes(b"\0" * 64)
    (checkpoint / "adapter_config.json").write_text("{}")
    (checkpoint / "trainer_state.json").write_text('{"log_history": []}')


def test_save_keeps_rows_and_reports_but_no_model_or_picture(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    _run_folder(runs)
    kept = sorted(str(p.relative_to(runs)) for p in save_runs.rows(runs))
    assert kept == ["adversary/rows.jsonl", "grpo/checkpoint-5/trainer_state.json",
                    "learn/rounds/round-000/report.json"]


def test_a_fresh_checkout_gets_the_rows_back_and_a_longer_copy_is_not_cut(tmp_path: Path) -> None:
    runs, saved = tmp_path / "runs", tmp_path / "saved"
    _run_folder(runs)
    assert save_runs.save(runs, saved) == 3
    assert save_runs.save(runs, saved) == 0  # unchanged files give the same bytes: nothing to commit
    fresh = tmp_path / "fresh"
    assert save_runs.restore(fresh, saved) == 3
    assert (fresh / "adversary" / "rows.jsonl").read_text() == (runs / "adversary" / "rows.jsonl").read_text()
    longer = '{"label": "L0-01"}\n{"label": "L1-01"}\n{"label": "L2-01"}\n'
    (fresh / "adversary" / "rows.jsonl").write_text(longer)  # the run went on after the save
    assert save_runs.restore(fresh, saved) == 0
    assert (fresh / "adversary" / "rows.jsonl").read_text() == longer


def test_the_command_says_what_it_does() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "save_runs.py"), "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "save" in out and "restore" in out
