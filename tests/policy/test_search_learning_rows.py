"""The search-learning evaluation's committed rows are scored by one commit's checks (issue 56, item 6).

Its evaluations run sessions apart; a check fixed between them would compare models under two
rulebooks. Export scores each row again under the run's reward at this commit (the searches, and so
the recall, stay as the policy made them), and ``--stage rescore`` brings every committed file to
one commit, which the report states.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from codepaint_env.policy.learning.experiment import load_plan, search_report
from codepaint_env.policy.learning.experiment import search as search_learning
from codepaint_env.tasks import load_suite

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "benchmarks" / "learning" / "plans" / "search-learning.toml"
COMMAND = "benchmarks/learning/run.py benchmarks/learning/plans/search-learning.toml"


def _plan(out: Path):
    """The search learner's plan, its rows and report in ``out``."""
    return load_plan(PLAN, root=ROOT, overrides=[f'out="{out}"'])


def _row(task, code: str, sample: int) -> dict:
    """A rollout row as an evaluation under older checks might have left it: everything failed."""
    return {"task_id": task.id, "sample": sample, "model": "m", "prompt": "p", "completion": code,
            "code": code, "finish_reason": "stop", "gate": -1.0, "gate_pass": False, "draws_something": False,
            "reward": -0.2, "metrics": {}, "tool_calls": 1, "searched": True,
            "searches": [{"tool": "search", "ids": list(task.facts)}], "retrieved": True, "recall": 1.0,
            "replies": 2, "render": {"ok": False}}


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f]


@pytest.mark.browser  # the rows are scored again: their SVG programs rendered in Chromium
def test_exported_rows_are_scored_at_this_commit_and_the_report_says_so(tmp_path):
    plan = _plan(tmp_path / "docs")
    (tmp_path / "docs").mkdir()
    first, second = load_suite("knowledge", split="eval", language="svg")[:2]
    folder = tmp_path / "eval"
    folder.mkdir()
    rows = [_row(first, first.reference_programs["svg"], 0), _row(second, "<svg xmlns='x'><broken", 0)]
    (folder / "rollouts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "docs" / "rows-base-search.jsonl.gz"
    search_learning.export(plan, folder, out)
    good, bad = _read(out)
    assert set(search_learning.KEPT) <= set(good) and "render" not in good  # no picture kept
    assert good["gate_pass"] and search_learning.share_all(good) == 1.0  # the fact's reference
    assert not bad["gate_pass"] and search_learning.share_all(bad) == 0.0
    assert good["reward_as_evaluated"] == -0.2 and abs(good["reward"] - 0.9) < 1e-9  # gate 0.2 + checks 0.7
    assert good["searches"] == rows[0]["searches"]  # what the policy searched is kept as sampled
    commit = good["scored"]["commit"]
    assert good["scored"] == {"reward": plan.evaluation.rescore, "commit": commit} and len(commit) == 40

    assert search_learning.rescore_committed(plan) == ["rows-base-search.jsonl.gz"]
    again = _read(out)
    assert again[0]["reward_as_evaluated"] == -0.2 and again[0]["gate_pass"]  # the day's reward is not lost
    data = search_report.report(plan, COMMAND)
    assert data["scored_at"] == [commit] and data["models"]["base-search"]["samples"] == 2
    constant = data["constant_picture"]  # a fact-blind picture runs everywhere and earns part of the share
    assert constant["gate_pass"] == 1.0 and 0 < constant["checks_share_all"] < 1
    base = data["models"]["base-search"]  # the reference passes every check; the broken one is no gate-passer
    assert base["checks_share_all"] == 0.5 and base["checks_share_gated"] == 1.0 and base["every_check"] == 1
    floor = search_learning.per_fact(search_learning.fact_blind_rows(plan, search_learning.CONSTANT))
    # no floor.json here: the constant picture is the floor, paired on the two facts evaluated
    assert abs(base["over_floor"] - (0.5 - (floor[first.id] + floor[second.id]) / 2)) < 1e-4
    assert commit[:10] in (tmp_path / "docs" / "report.md").read_text()


def test_training_and_the_evaluation_with_the_tool_call_it_in_one_form():
    """Amendment 5: a model trained to write ``<search>`` is evaluated where ``<search>`` is parsed."""
    from codepaint_env.policy.learning.experiment.commands import eval_command, learner_config
    from codepaint_env.policy.learning.searching import resolve_form

    plan = load_plan(PLAN, root=ROOT)
    form = plan.evaluation.tool_form
    forms = {learner_config(plan, arm, 0).sampling(warm=arm.name == "warm").form for arm in plan.arms}
    assert forms == {form} and resolve_form(None, form) == "tag"
    command = eval_command(plan.evaluation, "m", Path("out"), tool="search")
    assert command[command.index("--tool-form") + 1] == form
    no_tool = eval_command(plan.evaluation, "m", Path("out"), tool="none")
    assert "--tool-form" not in no_tool  # no tool offered, no form


@pytest.mark.browser  # the pictures are the rows' SVG programs rendered in Chromium
def test_pictures_draw_the_first_facts_before_and_after_and_list_the_trained_models_queries(tmp_path,
                                                                                            monkeypatch):
    """Item 7: the same held-out facts drawn by each evaluated model, and the trained model's searches."""
    plan = _plan(tmp_path)
    monkeypatch.setattr(search_report, "models", lambda plan: {"base": "m", "warm-s0": "chosen"})
    tasks = sorted(load_suite("knowledge", split="eval", language="svg"), key=lambda t: t.id)
    first = tasks[0]
    base = [_row(t, t.reference_programs["svg"], 0) | {"searches": [], "searched": False} for t in tasks[:2]]
    trained = [_row(t, t.reference_programs["svg"], s)
               | {"searches": [{"tool": "search", "query": f"flag|{t.id}", "ids": [*t.facts, "x", "y"]}]}
               for t in tasks[:12] for s in (1, 0)]
    search_learning.write_rows(tmp_path / "rows-base-none.jsonl.gz", base)
    search_learning.write_rows(tmp_path / "rows-warm-s0-search.jsonl.gz", trained)
    assert search_report.pictures(plan, COMMAND) == ["base-none", "warm-s0-search"]
    assert (tmp_path / "before-after.png").stat().st_size > 1000
    table = (tmp_path / "queries.md").read_text().split("## warm-s0-search")[1].splitlines()
    rows = [line for line in table if line.startswith("| ") and not line.startswith("| fact")]
    assert len(rows) == search_report.QUERIES  # the first 20 of 24, by fact then sample
    short = first.id.removeprefix("knowledge-").removesuffix("-svg")
    assert rows[0].startswith(f"| {short} | 0 | 1 | flag/{first.id} | {first.facts[0]}, x, y |")
    assert "## base" not in (tmp_path / "queries.md").read_text()  # the base never searched: no table


@pytest.mark.browser  # the fact-blind pictures are rendered in Chromium and scored
def test_the_floor_search_scores_fact_blind_pictures_on_every_held_out_fact(tmp_path):
    """The best-paying picture that knows no fact: one program on every fact, scored by the checks."""
    out = search_learning.floor_search(_plan(tmp_path), candidates=2, seed=1)
    assert json.loads((tmp_path / "floor.json").read_text()) == out
    assert out["best"]["program"].startswith("<svg") and 0 <= out["best"]["checks_share_all"] < 1
    assert out["constant"]["gate_pass"] == 1.0  # the constant picture runs on every fact
    assert "adversary" not in out  # no template search asked


@pytest.mark.browser  # the adversary's picture is scored as the models' rows are: rendered in Chromium
def test_the_floor_takes_the_template_adversarys_fact_blind_picture_when_it_pays_more(tmp_path):
    """Issue 73 item 5: the floor is the better of the random pictures and the template adversary's."""
    out = search_learning.floor_search(_plan(tmp_path), candidates=1, seed=3, templates=3)
    adversary = out["adversary"]
    assert out["templates"] == 3 and adversary["program"].startswith("<svg") and adversary["template"]
    # the adversary's program reads no fact: one picture, scored on every held-out fact
    rows = search_learning.fact_blind_rows(_plan(tmp_path), adversary["program"])
    assert len(rows) == len(search_learning.eval_tasks(_plan(tmp_path)))
    assert out["best"] == max(out["random"], adversary, key=lambda b: b["checks_share_all"])


def _write_gz(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as f:
        json.dump(data, f)


def _run(saved: Path, name: str, shares: list[float], cpu_s: float, call_rate: float) -> None:
    """A run's committed validation records: the base, then one report per round."""
    rounds = saved / name / "rounds"
    _write_gz(rounds / "validation-base.json.gz", {"checks_share_all": 0.15})
    for i, share in enumerate(shares):
        _write_gz(rounds / f"round-{i:03d}" / "report.json.gz",
                  {"cpu_s": cpu_s, "search": {"call_rate": call_rate},
                   "validation": {"checks_share_all": share}})


def test_the_plan_carries_the_arm_with_the_higher_validation_share_of_its_finished_seeds(tmp_path):
    saved = tmp_path / "saved"
    _run(saved, "warm-s0", [0.12, 0.26, 0.16], 1300.0, 1.0)  # chosen round 2: 0.26
    _run(saved, "warm-s1", [0.25, 0.37], 1900.0, 1.0)  # chosen round 2: 0.37
    _run(saved, "bonus-s0", [0.17, 0.40], 1900.0, 0.0)  # chosen round 2: 0.40
    _run(saved, "bonus-s1", [0.90], 900.0, 0.0)  # still training: not counted
    plan = load_plan(PLAN, root=ROOT)
    cold = search_report.cold_starts(plan, saved)
    warm = cold["runs"]["warm-s0"]
    assert warm["chosen_round"] == 2 and warm["validation_share"][0] == 0.15 and warm["done"]
    assert not cold["runs"]["bonus-s1"]["done"] and cold["seeds_run"] == {"warm": [0, 1], "bonus": [0]}
    assert cold["arm_share"] == {"warm": 0.315, "bonus": 0.4} and cold["carried"] == "bonus"
    lines = "\n".join(search_report._cold_start_lines(cold))
    assert "| bonus-s1 | 1 (training) |" in lines and "Carried to the goal: **bonus**" in lines

    def model(calls: float, recall: float) -> dict:
        return {"samples": 74, "calls": round(calls * 74), "call_rate": calls, "recall_at_3": recall}

    comparisons = [{"comparison": f"warm with the tool - {against}", "arm": "warm", "against": against,
                    "difference": diff, "goal_met": met}
                   for against, diff, met in (("base", 0.2, True), ("tool_off", 0.12, True))]
    table = {"warm-s0-search": model(1.0, 0.97), "warm-s1-search": model(0.9, 0.8)}
    assert search_report.verdict(plan, table, comparisons, "bonus") == {"arm": "bonus", "evaluated": False}
    goal = search_report.verdict(plan, table, comparisons, "warm")
    assert goal["goals"]["call_rate"]["value"] == 0.9527 and goal["goals"]["recall_at_3"]["value"] == 0.885
    assert goal["met"]  # all four
    comparisons[1]["goal_met"] = False
    goal = search_report.verdict(plan, table, comparisons, "warm")
    assert not goal["met"] and "**Goal not reached.**" in search_report._verdict_lines(goal)[1]


def test_after_a_supervised_start_a_seed_is_done_at_its_learner_s_own_budget(tmp_path):
    # search-learning-3: the arm's 3,600 CPU s include the start's; its learner was given the rest
    saved = tmp_path / "saved"
    _run(saved, "taught-s0", [0.25, 0.11], 1010.0, 1.0)  # 2,020 CPU s of its learner's 1,800.2
    _run(saved, "taught-s1", [0.21], 900.0, 1.0)  # 900 of 1,795.2: still training
    _write_gz(saved / "taught-s0" / "config.json.gz", {"cpu_budget_s": 1800.2})
    _write_gz(saved / "taught-s1" / "config.json.gz", {"cpu_budget_s": 1795.2})
    plan = load_plan(ROOT / "benchmarks/learning/plans/search-learning-3.toml", root=ROOT)
    cold = search_report.cold_starts(plan, saved)
    assert cold["runs"]["taught-s0"]["done"] and not cold["runs"]["taught-s1"]["done"]
    assert cold["seeds_run"] == {"taught": [0]} and cold["carried"] == "taught"


def test_above_the_floor_credits_only_what_each_fact_earns_over_the_fact_blind_picture():
    """Issue 73 item 5: a fact below the floor counts 0, and the floor does not cancel in the pair."""
    floor = {"a": 0.4, "b": 0.4, "c": 0.2}
    model = {"a": 0.9, "b": 0.1, "c": 0.3}  # above on a and c; far below on b
    base = {"a": 0.4, "b": 0.6, "c": 0.0}  # above only on b
    gain = search_report.above_floor(floor, model, base)
    assert gain["facts"] == 3 and gain["facts_over"] == 2 and gain["facts_over_share"] == 0.6667
    assert gain["over_floor"] == round((0.5 + 0 + 0.1) / 3, 4)  # b's -0.3 is not counted against it
    assert gain["base_over_floor"] == round(0.2 / 3, 4)
    assert abs(gain["difference"] - (0.6 - 0.2) / 3) < 1e-4
    # the shares' plain difference: (0.5 - 0.5 + 0.3) / 3 = 0.1, not what this measures
    assert abs(gain["difference"] - 0.1) > 0.03
    assert gain["per_fact"]["b"] == {"floor": 0.4, "model": 0.1, "base": 0.6}
    # only the facts all three hold are paired
    assert search_report.above_floor(floor, {"a": 1.0}, base)["facts"] == 1
    assert search_report.above_floor(floor, {"z": 1.0}, base)["facts_over_share"] is None


def test_the_floor_goals_are_judged_for_the_carried_arm_and_declared_together(tmp_path):
    from codepaint_env.policy.learning.experiment.plan import PlanError

    plan = load_plan(ROOT / "benchmarks/learning/plans/search-learning-2.toml", root=ROOT)
    assert plan.goal["facts_over_floor"] == 0.667 and [a.name for a in plan.arms] == ["warm"]

    def model(calls: float, recall: float) -> dict:
        return {"samples": 74, "calls": round(calls * 74), "call_rate": calls, "recall_at_3": recall}

    table = {"warm-s0-search": model(1.0, 0.97), "warm-s1-search": model(1.0, 0.97)}
    comparisons = [{"comparison": against, "arm": "warm", "against": against, "difference": 0.2,
                    "goal_met": True} for against in ("base", "tool_off", "floor")]
    floors = {"warm": {"facts": 37, "facts_over": 24, "facts_over_share": round(24 / 37, 4)}}
    goal = search_report.verdict(plan, table, comparisons, "warm", floors)
    assert goal["goals"]["facts_over_floor"]["value"] == 0.6486 and not goal["met"]  # 24 of 37 < 2/3
    assert "above the fact-blind floor on 24 of 37 facts" in search_report._verdict_lines(goal)[1]
    floors["warm"].update(facts_over=25, facts_over_share=round(25 / 37, 4))
    assert search_report.verdict(plan, table, comparisons, "warm", floors)["met"]
    comparisons[2]["goal_met"] = False  # the clipped gain over the base short of +0.15
    assert not search_report.verdict(plan, table, comparisons, "warm", floors)["met"]
    one = tmp_path / "search-learning-2.toml"  # the plan with only one of the two
    one.write_text("\n".join(line for line in (ROOT / "benchmarks/learning/plans/search-learning-2.toml")
                             .read_text().splitlines() if not line.startswith("over_floor_base")))
    with pytest.raises(PlanError, match="declared together"):
        load_plan(one, root=ROOT)


def test_only_names_a_model_or_one_of_its_evaluations(tmp_path):
    # two processes each given one evaluation must not both evaluate the same model into one folder
    plan = load_plan(PLAN, root=ROOT, overrides=[f'out="{tmp_path / "docs"}"', f'run="{tmp_path / "runs"}"'])
    every = [name for name, *_ in search_learning.pending(plan)]
    assert every == ["base-search", "base-none"]  # the learners' runs are not here: not ready
    assert [n for n, *_ in search_learning.pending(plan, only=["base-none"])] == ["base-none"]
    assert [n for n, *_ in search_learning.pending(plan, only=["base"])] == every
    assert search_learning.pending(plan, only=["bonus-s0-search"]) == []
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rows-base-search.jsonl.gz").write_bytes(b"")  # exported: not evaluated again
    assert [n for n, *_ in search_learning.pending(plan, only=["base"])] == ["base-none"]
