"""Arm B's supervised start as the run-5 plan declares it (issue 73 item 3): its data are train scenes only,
never an eval scene; its model is a tag of its own that a family compares against; its CPU comes out of its
arm's budget; its settings are checked with the plan. No model is loaded here (the tiny model's end-to-end
run: tests/policy/test_learning_run5_sft.py)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from codepaint_env.policy.learning.eval_rows import eval_tasks
from codepaint_env.policy.learning.experiment import PlanError, load_plan, plan_from_text
from codepaint_env.policy.learning.experiment.commands import learner_config, sft_config
from codepaint_env.policy.learning.experiment.runner import listing
from codepaint_env.policy.learning.sft import SFT_SEED, sft_tasks
from codepaint_env.policy.learning.validation import validation_tasks
from codepaint_env.tasks import load_suite

ROOT = Path(__file__).resolve().parents[2]
PLAN5 = ROOT / "benchmarks" / "learning" / "plans" / "learning-run-5.toml"
#: Run 5's plan (grpo in both arms, as the pilot decided) with a few of its values changed.
FINAL = ['written=""', 'train.reward="gate:0.2,checks:0.8"', "train.cpu_budget_s=7200",
         "arms.B.settings.sft_budget_s=1800",
         "arms.B.settings.validation=8", "eval.seed=1234", 'eval.reward="gate:0.2,checks:0.8"',
         'eval.folder="eval-48x2-seed1234"', 'eval.rescore="gate:0.2,checks:0.8"']


def test_the_supervised_start_trains_on_train_scenes_only_never_an_eval_scene():
    plan = load_plan(PLAN5, root=ROOT, overrides=FINAL)
    arm = plan.arm("B")
    config = sft_config(plan, arm, 0)
    assert (config.scenes, config.validation, config.levels, config.max_tokens) == (400, 8, (0, 1, 2), 384)
    tasks = sft_tasks(config)
    assert len(tasks) > 1000 and {t.split for t in tasks} == {"train"}
    assert all(t.reference_programs.get("svg") for t in tasks)  # one reference program a scene
    ev = plan.evaluation
    held_out = eval_tasks(ev.levels, ev.tasks or 0, ev.language)  # the scenes every model is evaluated on
    pool = [t for level in ev.levels for t in load_suite("shapes", split="eval", level=level, count=90,
                                                          language="svg")]  # and more of the eval split
    assert len(held_out) == 144 and not {t.id for t in tasks} & ({*held_out, *(t.id for t in pool)})
    assert not {t.prompt for t in tasks} & {t.prompt for t in [*held_out.values(), *pool]}
    validation = validation_tasks(config.levels, 8, config.language)  # the learner's checkpoint scenes
    assert not {t.id for t in tasks} & {t.id for t in validation}
    few = [dataclasses.replace(sft_config(plan, arm, seed), scenes=10) for seed in (0, 1)]
    assert {t.id for t in sft_tasks(few[0])} != {t.id for t in sft_tasks(few[1])}  # each seed its own draw
    assert SFT_SEED == 9000  # under the start's own seed (the rounds', GRPO's, validation's are others)


def test_the_sft_only_model_is_its_own_tag_and_family_2_pairs_each_seed_with_its_start(tmp_path):
    plan = load_plan(PLAN5, root=ROOT, overrides=[*FINAL, f'run="{tmp_path}"'])
    assert plan.models == ("base", "control", "A-s0", "A-s1", "B-sft-s0", "B-s0", "B-sft-s1", "B-s1",
                           "base-qwen2.5-coder-1.5b")
    starts = [plan.start_of(t) for t in ("A-s0", "B-s0", "B-s1", "B-sft-s0")]
    assert starts == ["base", "B-sft-s0", "B-sft-s1", None]
    two = next(c for c in plan.comparisons if c.family == "2")
    assert two.against == "start" and two.models == ("B-s0", "B-s1")
    assert plan.comparisons[0].measures == ("c", "kind:shape", "background_nonwhite")
    assert plan.secondary == ("kind:shape", "background_nonwhite", "share")
    arm = plan.arm("B")
    assert "sft_budget_s" not in plan.settings(arm, 0) and plan.sft_settings(arm) == {"cpu_budget_s": 1800.0}
    before = learner_config(plan, arm, 0)  # the start not run: its planned budget comes off the arm's
    assert before.model == str(tmp_path / "B-sft-s0" / "final") and before.cpu_budget_s == 7200 - 1800
    assert learner_config(plan, plan.arm("A"), 0).model == "qwen2.5-coder-0.5b"
    (tmp_path / "B-sft-s0" / "final").mkdir(parents=True)  # the start done: what it spent comes off
    (tmp_path / "B-sft-s0" / "final" / "config.json").write_text("{}")
    (tmp_path / "B-sft-s0" / "report.json").write_text(json.dumps({"cpu_s": 1805.5}))
    assert learner_config(plan, arm, 0).cpu_budget_s == pytest.approx(7200 - 1805.5)
    listed = listing(plan)
    assert listed["train"]["B-sft-s0"]["learner"] == "sft" and "B-sft-s0 L2" in listed["eval"]
    assert listed["train"]["B-sft-s0"]["settings"]["cpu_budget_s"] == 1800.0


def test_a_supervised_start_s_settings_are_checked_with_the_plan():
    plan = """
name = "x"
form = "committed-rows"
run = "runs/x"
out = "docs/x"
[model]
name = "m"
[eval]
levels = [0]
[[arms]]
name = "B"
learner = "rft"
seeds = [0]
start = "base"
[arms.settings]
sft_budget_s = 60
sft_epochs = "two"
[[comparisons]]
family = "1"
models = ["B-s0"]
against = "start"
measures = ["c", "background_nonwhite"]
"""
    with pytest.raises(PlanError, match=r"sft_budget_s: a supervised start.s setting: the arm needs start"):
        plan_from_text(plan)
    with pytest.raises(PlanError, match=r"sft_epochs: expected an integer"):
        plan_from_text(plan.replace('start = "base"', 'start = "sft"'))
    fine = plan_from_text(plan.replace('start = "base"', 'start = "sft"').replace('"two"', "2"))
    assert fine.sft_settings(fine.arm("B")) == {"cpu_budget_s": 60.0, "epochs": 2}
    assert fine.models == ("base", "B-sft-s0", "B-s0")
    against_sft = plan.replace('start = "base"', 'start = "sft"').replace('"two"', "2").replace(
        'models = ["B-s0"]', 'models = ["B-sft-s0"]')
    with pytest.raises(PlanError, match=r"'B-sft-s0' is not a trained model: it has no start"):
        plan_from_text(against_sft)


PILOT = ROOT / "benchmarks" / "learning" / "plans" / "learning-run-5-pilot.toml"


def _record(share: float, step: int | None = None) -> dict:
    out = {"samples": 48, "gate_pass": 0.7, "checks_share_gated": share * 1.2, "checks_share_all": share,
           "all_stated_gated": 0.0}
    return out if step is None else {"step": step, **out}


def test_the_pilot_s_validation_stage_picks_the_arm_whose_chosen_checkpoint_validates_highest(tmp_path):
    """The pilot decides by validation alone: each seed's rule applied to its records, the higher arm wins."""
    from codepaint_env.policy.learning.experiment.runner import main
    from codepaint_env.policy.learning.experiment.validation_report import decide

    plan = load_plan(PILOT, root=ROOT, overrides=[f'run="{tmp_path / "run"}"', f'out="{tmp_path / "out"}"'])
    rft, grpo = tmp_path / "run" / "rft-s0", tmp_path / "run" / "grpo-s0"
    (rft / "rounds").mkdir(parents=True)
    (rft / "rounds" / "validation-base.json").write_text(json.dumps(_record(0.02)))
    for i, (share, cpu) in enumerate([(0.05, 700.0), (0.04, 700.0)]):  # round 1 is the best; 1,400 s spent
        (rft / "rounds" / f"round-{i:03d}").mkdir()
        (rft / "rounds" / f"round-{i:03d}" / "report.json").write_text(json.dumps({
            "round": i, "cpu_s": cpu, "validation": _record(share), "samples": 3, "kept": 1, "trained_on": 17,
            "ranking": {"passers_below_failure_neutral": 0.33, "passers_below_failure_zero": 0.0},
            "time_split": {"sampling_share": 0.6, "sampling_share_run": 0.55},
            "replay": {"white_background_passes": 4}}))
        samples = [{"page": "navy", "gate_passed": True, "kinds": {"background": 1.0}, "kept": True},
                   {"page": "navy", "gate_passed": False, "kinds": {}, "kept": False},
                   {"page": "white", "gate_passed": True, "kinds": {"background": 1.0}, "kept": False}]
        (rft / "rounds" / f"round-{i:03d}" / "samples.jsonl").write_text(
            "\n".join(json.dumps(r) for r in samples) + "\n")
    early = decide(plan)
    assert early["arms"]["rft"][0]["chosen"] == 1 and early["arms"]["rft"][0]["value"] == 0.05
    assert early["arms"]["rft"][0]["spent_s"] == 1400.0 and not early["arms"]["rft"][0]["done"]
    assert early["best"] is None  # grpo not validated yet: no verdict
    first = early["arms"]["rft"][0]["rounds"][0]  # each change's effect, measured: not only its presence
    got = (first["non_white_samples"], first["background_passes"], first["background_passes_kept"])
    assert got == (2, 1, 1)
    assert first["passers_below_failure_zero"] == 0.0 and first["sampling_share_run"] == 0.55
    (grpo / "validation").mkdir(parents=True)
    records = [_record(0.02, 0), _record(0.08, 5), _record(0.03, 10)]  # step 5 chosen, not the last
    (grpo / "validation" / "records.json").write_text(json.dumps({"select": "all", "records": records}))
    (grpo / "cpu_seconds.json").write_text(json.dumps({"cpu_s": 1850.0}))
    for step in (5, 10):  # TRL keeps the newest two; the newest's log holds every step
        (grpo / f"checkpoint-{step}").mkdir()
        history = [{"step": i, "reward": 0.1 * i, "rewards/gate/mean": 0.5, "codepaint/distinct_prompts": 4.0,
                    "codepaint/passers_below_failure_neutral": 0.3,
                    "codepaint/passers_below_failure_zero": 0.0} for i in range(1, step + 1)]
        (grpo / f"checkpoint-{step}" / "trainer_state.json").write_text(
            json.dumps({"log_history": [*history, {"step": step, "train_runtime": 1.0}]}))
    decision = decide(plan)
    assert decision["arms"]["grpo"][0]["chosen_step"] == 5 and decision["arms"]["grpo"][0]["done"]
    steps = decision["arms"]["grpo"][0]["steps"]
    assert [r["step"] for r in steps] == list(range(1, 11)) and steps[-1]["gate"] == 0.5
    assert decision["means"] == {"rft": 0.05, "grpo": 0.08} and decision["best"] == "grpo"
    assert decision["done"] is False  # rft still has 400 s to spend
    assert main([str(PILOT), "--stage", "validation", "--set", f'run="{tmp_path / "run"}"',
                 "--set", f'out="{tmp_path / "out"}"'], root=ROOT) == 0
    text = (tmp_path / "out" / "validation.md").read_text()
    assert "**grpo** validates highest (some seed is still training)" in text and "| **1** | 5 |" in text
    assert "| 10 | 1.0000 | 0.5000 | - | 0.3000 → 0.0000 | 4.0 | - |" in text
    assert "| 1 | 3 | None | - | 1 / 17 | 0.3300 → 0.0000 | 0.6000; 0.5500 | 1 (1) / 2 | 4 | 700.0 |" in text
    assert json.loads((tmp_path / "out" / "validation.json").read_text())["best"] == "grpo"


def test_arm_c_starts_from_arm_b_s_supervised_start_and_is_evaluated_as_run_5_was(tmp_path):
    """Arm C (learning-run-5-rft.toml) copies B's starts and their evaluations rather than fitting and
    sampling them again: valid only while its start's settings and its evaluation commands are B's."""
    five = load_plan(PLAN5, root=ROOT)
    arm_c = load_plan(PLAN5.with_name("learning-run-5-rft.toml"), root=ROOT, overrides=[f'run="{tmp_path}"'])
    c, b = arm_c.arm("C"), five.arm("B")
    for seed in (0, 1):
        mine, theirs = sft_config(arm_c, c, seed).to_dict(), sft_config(five, b, seed).to_dict()
        # prefix_reuse is a rollout setting the supervised fit never reads
        assert {k for k in {*mine, *theirs} if mine.get(k) != theirs.get(k)} <= {"prefix_reuse"}
        config = learner_config(arm_c, c, seed)
        assert (config.keep, config.rounds_from, config.gate_failure, config.select) == (
            "full", "last", "zero", "all")
        assert config.model == str(tmp_path / f"C-sft-s{seed}" / "final")
    assert [c.against for c in arm_c.comparisons] == ["start", "base", "base-qwen2.5-coder-1.5b"]
    assert arm_c.evaluation.seed == five.evaluation.seed == 7373
    assert dataclasses.replace(arm_c.evaluation, control=True) == five.evaluation


def test_arm_d_is_arm_c_s_learner_on_fresh_seeds_with_a_larger_validation_chosen_on_full_passes(tmp_path):
    """Arm D (learning-run-5-d.toml) declares one change from arm C, the validation (16 scenes a level,
    rule ``full``), on fresh seeds whose supervised starts are fitted with arm B's settings; the
    evaluation stays run 5's, so the base's and the 1.5B's rows can be copied."""
    arm_c = load_plan(PLAN5.with_name("learning-run-5-rft.toml"), root=ROOT, overrides=[f'run="{tmp_path}"'])
    arm_d = load_plan(PLAN5.with_name("learning-run-5-d.toml"), root=ROOT, overrides=[f'run="{tmp_path}"'])
    c, d = arm_c.arm("C"), arm_d.arm("D")
    assert d.seeds == (2, 3) and not set(d.seeds) & set(c.seeds)
    for seed in d.seeds:
        mine, theirs = learner_config(arm_d, d, seed).to_dict(), learner_config(arm_c, c, 0).to_dict()
        changed = {k for k in {*mine, *theirs} if mine.get(k) != theirs.get(k)}
        assert changed == {"model", "seed", "validation", "select"}
        assert (mine["validation"], mine["select"], mine["model"]) == (
            16, "full", str(tmp_path / f"D-sft-s{seed}" / "final"))
        start, b_start = sft_config(arm_d, d, seed).to_dict(), sft_config(arm_c, c, 0).to_dict()
        # the start leaves out the validation scenes it is chosen on: 16 a level now
        assert {k for k in {*start, *b_start} if start.get(k) != b_start.get(k)} == {"seed", "validation"}
    assert arm_d.evaluation == arm_c.evaluation
    assert [x.against for x in arm_d.comparisons] == ["start", "base", "base-qwen2.5-coder-1.5b"]


def test_arm_e_is_arm_d_s_learner_on_fresh_seeds_with_five_rounds_and_the_last_kept(tmp_path):
    """Arm E (learning-run-5-e.toml) declares one change from arm D: its rounds are the budget (5, no
    validation, the last round evaluated), on fresh seeds; a seed that has run its 5 rounds is finished
    with CPU left, so the runner evaluates it rather than training it again."""
    from codepaint_env.policy.learning.experiment.stages import finished, ready

    arm_d = load_plan(PLAN5.with_name("learning-run-5-d.toml"), root=ROOT, overrides=[f'run="{tmp_path}"'])
    arm_e = load_plan(PLAN5.with_name("learning-run-5-e.toml"), root=ROOT, overrides=[f'run="{tmp_path}"'])
    d, e = arm_d.arm("D"), arm_e.arm("E")
    assert e.seeds == (6, 7) and not set(e.seeds) & {0, 1, 2, 3, 4, 5}
    for seed in e.seeds:
        mine, theirs = learner_config(arm_e, e, seed).to_dict(), learner_config(arm_d, d, 2).to_dict()
        changed = {k for k in {*mine, *theirs} if mine.get(k) != theirs.get(k)}
        assert changed == {"model", "seed", "validation", "select", "rounds"}
        assert (mine["rounds"], mine["validation"], theirs["rounds"]) == (5, 0, 50)
        start, d_start = sft_config(arm_e, e, seed).to_dict(), sft_config(arm_d, d, 2).to_dict()
        # no validation scenes to leave out of the start now
        assert {k for k in {*start, *d_start} if start.get(k) != d_start.get(k)} == {"seed", "validation"}
    assert arm_e.evaluation == arm_d.evaluation
    assert [x.against for x in arm_e.comparisons] == ["start", "base", "base-qwen2.5-coder-1.5b"]

    _finished_start(tmp_path / "E-sft-s6")  # then rounds of 1 CPU s each
    for index in range(5):
        assert not finished(arm_e, e, 6)
        _round(tmp_path / "E-s6", index, cpu_s=1.0)
    assert finished(arm_e, e, 6)  # 5 rounds in 5 CPU s of 2,700: finished by its rounds
    # and the evaluation takes its last round (final/) rather than waiting for the CPU budget
    (tmp_path / "E-s6" / "config.json").write_text(json.dumps(learner_config(arm_e, e, 6).to_dict()))
    (tmp_path / "E-s6" / "final").mkdir()
    (tmp_path / "E-s6" / "final" / "config.json").write_text("{}")
    entries = ready(arm_e)
    assert entries["E-s6"]["evaluate"] == str(tmp_path / "E-s6" / "final"), entries["E-s6"]
    assert entries["E-s6"]["checkpoint"] == "final"


def test_arm_f_is_arm_e_s_learner_to_its_cpu_budget_on_fresh_seeds_evaluated_on_95_scenes_a_level(tmp_path):
    """Arm F (learning-run-5-f.toml) declares one change from arm E's learner: as many rounds as the CPU
    budget allows (a bound of 12 no seed reaches), on fresh seeds; its only look is the second looks'
    larger evaluation under a fresh sampling seed. A seed is finished when its budget is spent, not after
    5 rounds, so the runner trains it on."""
    from codepaint_env.policy.learning.experiment.stages import finished

    arm_e = load_plan(PLAN5.with_name("learning-run-5-e.toml"), root=ROOT, overrides=[f'run="{tmp_path}"'])
    arm_f = load_plan(PLAN5.with_name("learning-run-5-f.toml"), root=ROOT, overrides=[f'run="{tmp_path}"'])
    second_look = load_plan(PLAN5.with_name("learning-run-5-e-confirm.toml"), root=ROOT)
    e, f = arm_e.arm("E"), arm_f.arm("F")
    assert f.seeds == (8, 9) and not set(f.seeds) & set(range(8))
    for seed in f.seeds:
        mine, theirs = learner_config(arm_f, f, seed).to_dict(), learner_config(arm_e, e, 6).to_dict()
        assert {k for k in {*mine, *theirs} if mine.get(k) != theirs.get(k)} == {"model", "seed", "rounds"}
        assert (mine["rounds"], mine["validation"], theirs["rounds"]) == (12, 0, 5)
        start, e_start = sft_config(arm_f, f, seed).to_dict(), sft_config(arm_e, e, 6).to_dict()
        assert {k for k in {*start, *e_start} if start.get(k) != e_start.get(k)} == {"seed"}
    ours, theirs = arm_f.evaluation, second_look.evaluation
    assert (ours.tasks, ours.samples, ours.levels) == (theirs.tasks, theirs.samples, theirs.levels)
    assert (ours.tasks, ours.samples, ours.levels) == (95, 2, (0, 1, 2))
    assert ours.seed not in (7373, 8484, 9696, 5055, 0) and ours.seed == 1212
    assert [x.against for x in arm_f.comparisons] == ["start"]

    _finished_start(tmp_path / "F-sft-s8")  # then rounds of 1 CPU s each
    for index in range(6):
        _round(tmp_path / "F-s8", index, cpu_s=1.0)
    assert not finished(arm_f, f, 8)  # 6 rounds and CPU left: trained on (arm E stopped here at 5)
    _round(tmp_path / "F-s8", 6, cpu_s=2_700.0)
    assert finished(arm_f, f, 8)  # the budget spent


def _finished_start(folder: Path) -> None:
    """A supervised start as the runner leaves it when finished: its model's marker and its CPU seconds."""
    (folder / "final").mkdir(parents=True)
    (folder / "final" / "config.json").write_text("{}")
    (folder / "report.json").write_text(json.dumps({"cpu_s": 900.0}))


def _round(run: Path, index: int, *, cpu_s: float) -> None:
    """One finished rft round of ``run``: its ``report.json``."""
    folder = run / "rounds" / f"round-{index:03d}"
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps({"round": index, "cpu_s": cpu_s}))


def test_arm_f_s_report_says_its_base_has_no_rows_rather_than_that_it_is_pending():
    """Arm F's plan evaluates no base: its exploratory section says so, from the committed rows alone."""
    from codepaint_env.policy.learning.experiment.rows import compute_report

    plan = load_plan(PLAN5.with_name("learning-run-5-f.toml"), root=ROOT)
    data, text = compute_report(plan, "run.py")
    assert not data["models"]["base"]["evaluated"]
    assert all(data["models"][tag]["evaluated"] for tag in plan.models if tag != "base")
    assert "the base has no rows on this evaluation" in text
    assert "no model evaluated beside the base yet" not in text
    assert data["goal"]["reached"] is True  # the committed verdict, recomputed from the rows
