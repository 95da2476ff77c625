"""The measures the published reports are made of (benchmarks/substrate.py, benchmarks/learning_run.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

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
