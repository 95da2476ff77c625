"""The measures the published reports are made of (benchmarks/learning/substrate.py, learning runs 2, 3)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "learning"))

import substrate  # noqa: E402
from codepaint_env.policy.learning.experiment import folders, load_plan, warm_start  # noqa: E402

PLANS = ROOT / "benchmarks" / "learning" / "plans"


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
    def paths(model: str) -> tuple[set[Path], str]:
        plan = load_plan(PLANS / "learning-run-2.toml", root=ROOT, overrides=[f"model.name={model}"])
        args = warm_start.namespace(plan)
        names = ("learning-run.md", "learning-run.json", "learning-curve.png", "learning-levels.png",
                 "learning-curves-curriculum-s0.csv")
        return {warm_start.doc_path(args, n) for n in names}, args.run

    (smol, smol_run), (qwen, qwen_run) = paths("smollm2-135m"), paths("qwen2.5-coder-0.5b")
    assert ROOT / "docs/learning-run.md" in smol and ROOT / "docs/learning-curve.png" in smol
    assert ROOT / "docs/learning-run-qwen2.5-coder-0.5b.md" in qwen
    assert ROOT / "docs/learning-run-qwen2.5-coder-0.5b-curves-curriculum-s0.csv" in qwen
    assert not smol & qwen and len(qwen) == 5
    assert smol_run == str(ROOT / "runs/learning2")
    assert qwen_run == str(ROOT / "runs/learning2-qwen2.5-coder-0.5b")


def _evaluation(root: Path, tag: str, shares: dict[str, float | None]) -> None:
    """An evaluation folder of level 0: one sample a task, its checks share (None: failed the gate)."""
    folder = root / tag / "level-0"
    folder.mkdir(parents=True)
    rows = [{"task_id": task, "sample": 0, "gate_pass": share is not None, "prompt": f"a red circle ({task})",
             "metrics": {"checks/share": share}} for task, share in shares.items()]
    (folder / "rollouts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_learning_run_3_pairs_each_trained_model_with_the_base_over_their_common_tasks(tmp_path):
    root = tmp_path / "eval-2x1"
    _evaluation(root, "base", {"a": 0.2, "b": 0.4, "c": None})
    _evaluation(root, "rft-s0-r2", {"a": 0.5, "b": 0.4, "c": 0.9})  # c: the base passed no gate there
    _evaluation(root, "rft-s0", {"a": 0.2, "b": 0.2, "c": 0.1})
    base, runs, comparisons, adjusted = folders.compared(root, {"rft": (0,)}, [0])
    assert base[0]["samples"] == 3 and base[0]["gate_pass"] == pytest.approx(2 / 3, abs=1e-4)
    assert list(runs) == ["rft-s0-r2", "rft-s0"]  # after 2 rounds, then at the end
    tags = {c[0]: c for c in comparisons}
    assert tags["rft-s0-r2"][1] == pytest.approx(0.15) and tags["rft-s0-r2"][3] == 2
    assert tags["rft-s0"][1] == pytest.approx(-0.1) and tags["rft-s0"][3] == 2
    assert tags["rft-s0-r2"][4] == pytest.approx(1 / 3)  # gate pass over every task, c included
    assert len(adjusted) == 2 and all(a >= c[2] for a, c in zip(adjusted, comparisons, strict=True))
    table = folders.tests_table(comparisons, adjusted)
    assert "2 comparisons" in table[0] and table[2].startswith("| rft-s0-r2 | 2 | +0.150 |")
    assert load_plan(PLANS / "learning-run-3.toml", root=ROOT).evaluation.folder == "eval-48x2"


def test_run_3_report_replaces_its_section_in_place_and_keeps_the_other_runs(tmp_path):
    """Written from the run folder's evaluations through run 3's plan: its section, its JSON, its pictures."""
    from codepaint_env.policy.learning.experiment.folders_report import MARK, report

    run, docs = tmp_path / "run", tmp_path / "docs"
    docs.mkdir()
    for tag, shares in {"base": {"a": 0.2, "b": 0.4}, "rft-s0": {"a": 0.5, "b": 0.6}}.items():
        _evaluation(run / "eval-48x2", tag, shares)
    (docs / "learning-run.md").write_text(f"# run 4\n\n{MARK[0]}\nold\n{MARK[1]}\n\n### by hand\n")
    (docs / "learning-run.json").write_text(json.dumps({"runs": [{"run": 4, "stage": "rft"},
                                                                 {"stage": "rl", "seed": 0}]}))
    plan = load_plan(PLANS / "learning-run-3.toml", root=ROOT,
                     overrides=[f'run="{run}"', f'out="{docs}"', "eval.levels=[0]"])
    text = report(plan, "benchmarks/learning/run.py benchmarks/learning/plans/learning-run-3.toml")
    page = (docs / "learning-run.md").read_text()
    assert page.startswith("# run 4\n\n" + MARK[0]) and page.endswith(MARK[1] + "\n\n### by hand\n")
    assert "old" not in page and text in page and "| rft-s0 | 2 | +0.250 |" in page
    data = json.loads((docs / "learning-run.json").read_text())
    assert {"run": 4, "stage": "rft"} in data["runs"] and {"stage": "rl", "seed": 0} in data["runs"]
    run3 = {(r["stage"], r["seed"]) for r in data["runs"] if not r.get("run")}
    assert run3 >= {("base3", None), ("rft", 0)}
    assert data["run3"]["settings"]["cpu_budget_s"] == 7200.0


@pytest.mark.browser  # its picture of each level starts with the level's reference, rendered
def test_run_2_report_replaces_its_own_section_and_rows_only(tmp_path):
    from codepaint_env.policy.learning.experiment.warm_start_report import MARK, write

    run, docs = tmp_path / "run", tmp_path / "docs"
    docs.mkdir()
    for tag in ("base", "sft-s0", "rl-curriculum-s0"):
        _evaluation(run / "eval", tag, {"a": 0.3, "b": 0.5})
    (docs / "learning-run.md").write_text(f"# run 4\n\n{MARK[0]}\nold\n{MARK[1]}\n")
    (docs / "learning-run.json").write_text(json.dumps({"runs": [{"run": 4, "stage": "base"},
                                                                 {"stage": "base3"}], "run3": {"x": 1}}))
    plan = load_plan(PLANS / "learning-run-2.toml", root=ROOT,
                     overrides=[f'run="{run}"', f'out="{docs}"', "scenes.levels=[0]", "eval.levels=[0]",
                                "arms.curriculum.seeds=[0]", "arms.uniform.seeds=[0]"])
    write(warm_start.namespace(plan), {}, "benchmarks/learning/run.py PLAN")
    page = (docs / "learning-run.md").read_text()
    assert page.startswith(f"# run 4\n\n{MARK[0]}\n# Learning run 2") and page.rstrip().endswith(MARK[1])
    data = json.loads((docs / "learning-run.json").read_text())
    assert data["run3"] == {"x": 1} and {"run": 4, "stage": "base"} in data["runs"]
    assert [r["stage"] for r in data["runs"][:3]] == ["base", "sft", "rl"]
    assert {"stage": "base3"} in data["runs"]
