"""Learning runs as plans (issue 73 item 0): each committed run's plan yields its committed settings, seeds.

Run 4's and the search learner's plans are held against what their runs committed (each seed's
``config.json`` in runs-saved/, each evaluation's ``run.json``, docs/learning-run-4/models.json and
report.json); run 3's against its documented commands and docs/learning-run.json; run 2's against
docs/learning-run.json's settings. A malformed plan fails before anything runs, naming the file and
the key; a draft (run 5) lists its placeholders and runs nothing.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from codepaint_env.policy.learning.experiment import PlanError, load_plan, plan_from_text
from codepaint_env.policy.learning.experiment.commands import evaluations, learner_config, models
from codepaint_env.policy.learning.experiment.runner import listing, main

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "benchmarks" / "learning" / "plans"
SAVED = ROOT / "runs-saved"
#: What ``codepaint eval`` records in run.json, by its command-line flag.
RECORDED = {"--model": "model", "--suite": "suite", "--language": "language", "--split": "split",
            "--limit": "limit", "--level": "level", "--samples": "samples", "--reward": "reward",
            "--max-tokens": "max_tokens", "--temperature": "temperature", "--seed": "seed",
            "--engine": "engine", "--max-tool-calls": "max_tool_calls", "--tool-form": "tool_form"}


def _json_gz(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def options(command: list[str]) -> dict[str, str]:
    """A ``codepaint eval`` command's options (``--resume`` and the like as ``""``)."""
    rest = command[command.index("eval") + 1:]
    out: dict[str, str] = {}
    for i, token in enumerate(rest):
        if token.startswith("--"):
            value = rest[i + 1] if i + 1 < len(rest) and not rest[i + 1].startswith("--") else ""
            out[token] = value
    return out


def as_recorded(command: list[str]) -> dict[str, object]:
    """The command's options as run.json records them (numbers as numbers, the tool as a list)."""
    opts = options(command)
    out: dict[str, object] = {}
    for flag, key in RECORDED.items():
        if flag in opts:
            value = opts[flag]
            out[key] = float(value) if key == "temperature" else int(value) if value.isdigit() else value
    out["tools"] = [opts["--tools"]] if "--tools" in opts else []
    return out


def same_settings(config: object, saved: dict) -> list[str]:
    """The fields where a learner's configuration and a run's saved config.json differ.

    A field the saved run does not name (added since) counts as its default, as a resume does.
    """
    now = config.to_dict()  # type: ignore[attr-defined]
    before = {**type(config)().to_dict(), **saved}
    return sorted(k for k in now.keys() | before.keys() if now.get(k) != before.get(k))


# --------------------------------------------------------------------------- run 4
def test_run_4_plan_trains_each_seed_as_its_committed_config_says():
    plan = load_plan(PLANS / "learning-run-4.toml", root=ROOT)
    assert plan.trained == ("rft-s0", "rft-s1", "grpo-s0", "grpo-s1")
    for arm in plan.arms:
        for seed in arm.seeds:
            saved = _json_gz(SAVED / "learning4" / arm.tag(seed) / "config.json.gz")
            assert same_settings(learner_config(plan, arm, seed), saved) == [], arm.tag(seed)
            assert saved["seed"] == seed


def test_run_5_plan_trains_each_saved_seed_as_its_saved_config_says():
    """Run 5's seeds trained so far (amendment 6: saved after each session) match the plan as it stands."""
    plan = load_plan(PLANS / "learning-run-5.toml", root=ROOT)
    checked = []
    for arm in plan.arms:
        for seed in arm.seeds:
            path = SAVED / "learning5" / arm.tag(seed) / "config.json.gz"
            if arm.start == "sft" or not path.exists():  # arm B's budget depends on its start's spend
                continue
            saved = _json_gz(path)
            assert same_settings(learner_config(plan, arm, seed), saved) == [], arm.tag(seed)
            assert saved["seed"] == seed and saved["cpu_budget_s"] == 3600
            checked.append(arm.tag(seed))
    assert checked == ["A-s0", "A-s1"]


def test_run_4_plan_evaluates_each_model_as_its_committed_evaluation_ran():
    plan = load_plan(PLANS / "learning-run-4.toml", root=ROOT)
    committed = json.loads((ROOT / "docs/learning-run-4/models.json").read_text())
    assert set(plan.models) == set(committed) and list(plan.models)[:2] == ["base", "control"]
    checked = 0
    for model in models(plan):
        for label, command, folder in evaluations(plan, model):
            level = int(label.rsplit(" L", 1)[1])
            record = _json_gz(SAVED / "learning4" / plan.evaluation.folder / model.tag / f"level-{level}"
                              / "run.json.gz")
            ours = as_recorded(command)
            model_name = ours.pop("model")
            assert {k: record[k] for k in ours} == ours, label
            if model.kind in ("base", "bigger"):
                assert model_name == record["model"]
            else:  # a model of the run folder: the same folder (chosen/ where validated, else final/)
                theirs, mine = Path(record["model"]), Path(str(model_name))
                assert theirs.parts[-3:-1] == mine.parts[-3:-1] == ("learning4", model.tag)
                assert theirs.name in ("chosen", "final") and mine.name in ("chosen", "final")
            where = folder.relative_to(plan.path("run")).parts
            assert where == (plan.evaluation.folder, model.tag, f"level-{level}")
            checked += 1
        evaluated = committed[model.tag]["eval"]
        ours = as_recorded(evaluations(plan, model)[0][1])
        assert {k: evaluated[k] for k in ("seed", "temperature", "max_tokens", "samples", "limit", "engine",
                                          "reward", "split")} == {k: ours[k] for k in (
            "seed", "temperature", "max_tokens", "samples", "limit", "engine", "reward", "split")}
    assert checked == 7 * 3


def test_run_4_plan_declares_the_families_and_settings_its_report_holds():
    plan = load_plan(PLANS / "learning-run-4.toml", root=ROOT)
    report = json.loads((ROOT / "docs/learning-run-4/report.json").read_text())
    from codepaint_env.policy.learning.experiment.rows import settings

    assert settings(plan) == report["settings"]
    for family in plan.comparisons:
        committed = [(c["after"], c["before"], c["measure"]) for c in report["families"][family.family]]
        assert committed == [(m, family.against, k) for m in family.models for k in family.measures]
    stats = report["statistics"]
    assert (plan.goal["rise"], plan.goal["background"], plan.goal["gate_tolerance"]) == (
        stats["goal_rise"], stats["goal_background"], stats["gate_tolerance"])


def test_run_4_report_from_the_committed_rows_is_the_committed_report(tmp_path):
    """The report recomputed from the rows alone, through the plan, is byte for byte the committed one."""
    out = tmp_path / "run4"
    out.mkdir()
    for name in ("models.json", *(p.name for p in (ROOT / "docs/learning-run-4").glob("rows-*.jsonl.gz"))):
        (out / name).write_bytes((ROOT / "docs/learning-run-4" / name).read_bytes())
    plan = str(PLANS / "learning-run-4.toml")
    assert main([plan, "--stage", "report", "--set", f'out="{out}"'], root=ROOT) == 0
    for name in ("report.json", "report.md"):
        assert (out / name).read_bytes() == (ROOT / "docs/learning-run-4" / name).read_bytes(), name


# --------------------------------------------------------------------------- the search learner
def test_search_plan_trains_and_evaluates_as_its_runs_committed():
    plan = load_plan(PLANS / "search-learning.toml", root=ROOT)
    for arm in plan.arms:
        for seed in arm.seeds:
            saved = _json_gz(SAVED / "search-learning" / arm.tag(seed) / "config.json.gz")
            assert same_settings(learner_config(plan, arm, seed), saved) == [], arm.tag(seed)
    checked = 0
    for model in models(plan):
        for label, command, folder in evaluations(plan, model):
            record = _json_gz(SAVED / "search-learning" / "eval" / folder.name / "run.json.gz")
            ours = as_recorded(command)
            ours.pop("model")
            if ours["tools"] == []:  # no tool offered: codepaint eval records its defaults for the rest
                ours.pop("max_tool_calls", None)
                ours.pop("tool_form", None)
            assert {k: record[k] for k in ours} == ours, label
            assert options(command).keys() >= {"--resume", "--no-progress"}
            assert command[:3] == ["nice", "-n", "10"]
            checked += 1
    assert checked == 5 * 2


# --------------------------------------------------------------------------- run 3
#: Run 3's documented commands' settings: ``--scenes 12 --k 4 --max-tokens 320 --eval-tasks 48
#: --eval-samples 2``, each learner's CPU budget as it was given, evaluated with seed 0 through ct2.
RUN3_EVAL = {"--suite": "shapes", "--language": "svg", "--split": "eval", "--limit": "48", "--samples": "2",
             "--max-tokens": "320", "--temperature": "0.7", "--seed": "0", "--reward": "gate:0.2,checks:0.8",
             "--batch-size": "8", "--resume": "", "--no-progress": "", "--engine": "ct2"}


def test_run_3_plan_yields_its_documented_commands_and_seeds():
    from codepaint_env.policy.learning.grpo import GRPOSettings
    from codepaint_env.policy.learning.rft import RFTConfig

    plan = load_plan(PLANS / "learning-run-3.toml", root=ROOT)
    shared = {"model": "qwen2.5-coder-0.5b", "levels": (0, 1, 2), "max_tokens": 320}
    expected = {
        "rft-s0": RFTConfig(**shared, seed=0, scenes=12, k=4, cpu_budget_s=7200.0),
        "rft-s1": RFTConfig(**shared, seed=1, scenes=12, k=4, cpu_budget_s=7200.0),
        "rft_checks-s1": RFTConfig(**shared, seed=1, scenes=12, k=4, keep="checks", cpu_budget_s=2400.0),
        "grpo-s0": GRPOSettings(**shared, seed=0, num_generations=4, cpu_budget_s=1200.0),
    }
    ours = {arm.tag(s): learner_config(plan, arm, s) for arm in plan.arms for s in arm.seeds}
    assert {k: v.to_dict() for k, v in ours.items()} == {k: v.to_dict() for k, v in expected.items()}
    data = json.loads((ROOT / "docs/learning-run.json").read_text())
    evaluated = ["base", *(c["tag"] for c in data["run3"]["comparisons"])]
    assert list(plan.models) == evaluated  # rft_checks: trained, evaluated only in the first, smaller run
    for model in models(plan):
        for level, (_, command, folder) in zip((0, 1, 2), evaluations(plan, model), strict=True):
            opts = options(command)
            assert {k: v for k, v in opts.items() if k not in ("--model", "--out", "--level")} == RUN3_EVAL
            assert opts["--level"] == str(level)
            assert folder == ROOT / "runs/learning3/eval-48x2" / model.tag / f"level-{level}"
    from codepaint_env.policy.learning.experiment.folders_report import settings

    assert settings(plan) == data["run3"]["settings"]
    checks = listing(plan)["eval"]
    engine = {k: options(v) for k, v in checks.items() if k.startswith("engine-check")}
    assert {k: (o["--engine"], o["--limit"], o["--samples"], o["--level"]) for k, o in engine.items()} == {
        "engine-check transformers L0": ("transformers", "48", "1", "0"),
        "engine-check ct2 L0": ("ct2", "48", "1", "0")}


# --------------------------------------------------------------------------- run 2
def test_run_2_plan_yields_its_recorded_settings_and_stage_commands():
    from codepaint_env.policy.learning.experiment.warm_start import namespace, stages

    plan = load_plan(PLANS / "learning-run-2.toml", root=ROOT)
    args = namespace(plan)
    recorded = json.loads((ROOT / "docs/learning-run.json").read_text())["settings"]
    ours = {"reward": args.reward, "levels": args.levels, "seeds": args.seeds, "arms": args.arms,
            "aggregation": args.aggregation, "warm_start": args.warm_start, "grpo_steps": args.grpo_steps,
            "num_generations": args.num_generations, "batch_size": args.batch_size,
            "learning_rate": args.learning_rate, "eval_tasks_per_level": args.eval_tasks,
            "eval_samples": args.eval_samples, "max_tokens": args.max_tokens, "band": list(args.band),
            "min_samples": args.min_samples, "shared_warm_start": args.shared_warm_start,
            "eval_levels": args.eval_levels}
    assert ours == recorded
    commands = {name: command for name, command, _ in stages(args)}
    assert [n for n in commands if not n.startswith("eval")] == [
        "warm start s0", "grpo curriculum s0", "grpo uniform s0", "grpo curriculum s1", "grpo uniform s1"]
    grpo = commands["grpo curriculum s1"]
    assert grpo[grpo.index("--model") + 1].endswith("runs/learning2/ws-s0/final")  # the shared warm start
    assert grpo[-5:] == ["--curriculum", "--min-samples", "16", "--band", "0.4,0.75"]
    assert "--curriculum" not in commands["grpo uniform s1"]


# --------------------------------------------------------------------------- malformed plans
GOOD = (PLANS / "learning-run-4.toml").read_text()


def _problems(text: str, **kwargs) -> str:
    with pytest.raises(PlanError) as e:
        plan_from_text(text, root=ROOT, source="bad.toml", **kwargs)
    return str(e.value)


def test_a_malformed_plan_fails_naming_the_file_and_every_key():
    message = _problems(GOOD.replace('form = "committed-rows"', 'form = "rows"')
                        .replace("tasks = 48", 'tasks = "48"')
                        .replace("k = 8", "k = 8\nkk = 3")
                        .replace("num_generations = 8", "num_generations = 8\nscenes = 12")
                        .replace('against = "base-qwen2.5-coder-1.5b"', 'against = "base-big"'))
    assert message.startswith("5 problems in the plan:")
    assert ("bad.toml: form: one of warm-start-grpo, eval-folders, committed-rows, search, not 'rows'"
            in message)
    assert "bad.toml: eval.tasks: expected an integer, not '48'" in message
    assert "bad.toml: arms[0] (rft).settings.kk: not a setting of rft (it takes: " in message
    assert "bad.toml: arms[1] (grpo).settings.scenes: not a setting of grpo" in message
    assert "model 'base-big' is not one the plan evaluates" in message


def test_a_plan_with_a_typo_a_missing_key_or_a_placeholder_says_so():
    assert "bad.toml: evals: unknown key (known: " in _problems(GOOD.replace("[eval]", "[evals]"))
    assert "bad.toml: model.name: missing" in _problems(GOOD.replace('name = "qwen2.5-coder-0.5b"', ""))
    assert "bad.toml: not valid TOML" in _problems(GOOD + "\n[eval\n")
    fresh = GOOD.replace("seed = 5055", 'seed = "TBD: fresh"')
    assert "bad.toml: eval.seed: a placeholder (TBD) in a final plan" in _problems(fresh)
    assert "two arms are named 'rft'" in _problems(GOOD.replace('name = "grpo"\nlearner = "grpo"',
                                                                'name = "rft"\nlearner = "grpo"'))
    assert "bad.toml: arms[0] (rft).learner: one of rft, grpo, trl, not 'ppo'" in _problems(
        GOOD.replace('learner = "rft"', 'learner = "ppo"'))
    assert "rft_checks" in _problems(GOOD, overrides=["arms.rft_checks.seeds=[0]"])  # no such arm
    assert "arms[0] (rft).rounds: false only with a supervised start" in _problems(
        GOOD.replace('learner = "rft"', 'learner = "rft"\nrounds = false', 1))
    with pytest.raises(PlanError, match=r"nowhere\.toml: no such plan file"):
        load_plan(PLANS / "nowhere.toml")


def test_overrides_change_a_key_before_the_check():
    plan = load_plan(PLANS / "learning-run-4.toml", root=ROOT,
                     overrides=["eval.tasks=2", 'run="/tmp/x"', "arms.grpo.settings.num_generations=4",
                                'comparisons.3.title="the bigger base"'])
    assert plan.evaluation.tasks == 2 and plan.comparisons[2].title == "the bigger base"
    assert plan.path("run") == Path("/tmp/x")
    assert learner_config(plan, plan.arms[1], 0).num_generations == 4
    search = load_plan(PLANS / "search-learning.toml", root=ROOT, overrides=["arms.bonus.seeds=[0]"])
    assert search.trained == ("warm-s0", "warm-s1", "bonus-s0")
    with pytest.raises(PlanError, match="model 'rft-s1' is not one the plan evaluates"):
        load_plan(PLANS / "learning-run-4.toml", root=ROOT, overrides=["arms.rft.seeds=[0]"])


def test_a_draft_lists_what_is_left_to_decide_and_runs_nothing(capsys, tmp_path):
    final = load_plan(PLANS / "learning-run-5.toml", root=ROOT)  # the pilot decided: final, grpo in both arms
    assert final.status == "final" and not final.placeholders
    assert [(a.name, a.learner) for a in final.arms] == [("A", "grpo"), ("B", "grpo")]
    draft = tmp_path / "learning-run-5.toml"  # run 5's plan as it was before the pilot decided
    text = (PLANS / "learning-run-5.toml").read_text()
    draft.write_text(text.replace('status = "final"', 'status = "draft"')
                     .replace('learner = "grpo"', 'learner = "TBD: the pilot\'s winner"'))
    plan = load_plan(draft, root=ROOT)
    assert plan.status == "draft" and [a.name for a in plan.arms] == ["A", "B"]
    assert set(plan.placeholders) == {"arms[0].learner", "arms[1].learner"}  # the pilot decides the learner
    assert not any(p.startswith(("goal.", "metrics.", "comparisons")) for p in plan.placeholders)  # judged
    assert main([str(draft), "--stage", "commands"], root=ROOT) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "draft"
    assert main([str(draft), "--stage", "train"], root=ROOT) == 2
    said = capsys.readouterr().out
    assert "is a draft: decide these" in said and "arms[0].learner" in said
    with pytest.raises(PlanError, match="placeholder"):  # a final plan may hold none
        load_plan(PLANS / "learning-run-5.toml", root=ROOT, overrides=['arms.A.learner="TBD: x"'])


def test_every_committed_plan_loads_and_a_stage_its_form_lacks_is_refused(capsys):
    for path in sorted(PLANS.glob("*.toml")):
        assert load_plan(path, root=ROOT).name == path.stem
    with pytest.raises(SystemExit):
        main([str(PLANS / "learning-run-3.toml"), "--stage", "floor"], root=ROOT)
    assert "the eval-folders form has no stage 'floor'" in capsys.readouterr().err
