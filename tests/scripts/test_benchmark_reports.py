"""The measures the published reports are made of (benchmarks/substrate.py, benchmarks/learning_run.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import learning3  # noqa: E402
import learning_run  # noqa: E402
import substrate  # noqa: E402


@given(st.integers(min_value=1, max_value=500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_wilson_interval_holds_the_rate_inside_zero_and_one(case):
    passed, n = case
    lo, hi = substrate.wilson(passed, n)
    assert 0.0 <= lo <= passed / n + 1e-4 and passed / n - 1e-4 <= hi <= 1.0
    assert hi - lo > 0  # never a point: no rate is known exactly from a sample
    lo4, hi4 = substrate.wilson(4 * passed, 4 * n)
    assert hi4 - lo4 < hi - lo  # four times the samples, a narrower interval


def test_no_samples_no_interval():
    assert substrate.wilson(0, 0) is None


def test_another_policy_s_learning_report_never_overwrites_smollm2_s():
    def paths(model: str) -> set[Path]:
        args = argparse.Namespace(model=model)
        names = ("learning-run.md", "learning-run.json", "learning-curve.png", "learning-levels.png",
                 "learning-curves-curriculum-s0.csv")
        return {learning_run.doc_path(args, n) for n in names}

    smol, qwen = paths("smollm2-135m"), paths("qwen2.5-coder-0.5b")
    assert ROOT / "docs/learning-run.md" in smol and ROOT / "docs/learning-curve.png" in smol
    assert ROOT / "docs/learning-run-qwen2.5-coder-0.5b.md" in qwen
    assert ROOT / "docs/learning-run-qwen2.5-coder-0.5b-curves-curriculum-s0.csv" in qwen
    assert not smol & qwen and len(qwen) == 5


def _evaluation(root: Path, tag: str, shares: dict[str, float | None]) -> None:
    """An evaluation folder of level 0: one sample a task, its checks share (None: failed the gate)."""
    folder = root / tag / "level-0"
    folder.mkdir(parents=True)
    rows = [{"task_id": task, "sample": 0, "gate_pass": share is not None,
             "metrics": {"checks/share": share}} for task, share in shares.items()]
    (folder / "rollouts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_learning_run_3_pairs_each_trained_model_with_the_base_over_their_common_tasks(tmp_path):
    root = tmp_path / "eval-2x1"
    _evaluation(root, "base", {"a": 0.2, "b": 0.4, "c": None})
    _evaluation(root, "rft-s0-r2", {"a": 0.5, "b": 0.4, "c": 0.9})  # c: the base passed no gate there
    _evaluation(root, "rft-s0", {"a": 0.2, "b": 0.2, "c": 0.1})
    base, runs, comparisons, adjusted = learning3.compared(root, [0], [0])
    assert base[0]["samples"] == 3 and base[0]["gate_pass"] == pytest.approx(2 / 3, abs=1e-4)
    assert list(runs) == ["rft-s0-r2", "rft-s0"]  # after 2 rounds, then at the end
    tags = {c[0]: c for c in comparisons}
    assert tags["rft-s0-r2"][1] == pytest.approx(0.15) and tags["rft-s0-r2"][3] == 2
    assert tags["rft-s0"][1] == pytest.approx(-0.1) and tags["rft-s0"][3] == 2
    assert tags["rft-s0-r2"][4] == pytest.approx(1 / 3)  # gate pass over every task, c included
    assert len(adjusted) == 2 and all(a >= c[2] for a, c in zip(adjusted, comparisons, strict=True))
    table = learning3.tests_table(comparisons, adjusted)
    assert "2 comparisons" in table[0] and table[2].startswith("| rft-s0-r2 | 2 | +0.150 |")
    assert learning3.eval_root(48, 2).name == "eval-48x2"
