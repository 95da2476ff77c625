"""The one runner of learning runs: a plan file in, its stages run, its report written.

    .venv/bin/python benchmarks/learning/run.py PLAN                     # train, evaluate, report (resumes)
    .venv/bin/python benchmarks/learning/run.py PLAN --stage commands    # what the plan runs, as JSON
    .venv/bin/python benchmarks/learning/run.py PLAN --stage train --arm rft --seed 0 --pieces 2
    .venv/bin/python benchmarks/learning/run.py PLAN --stage eval        # every ready model not evaluated
    .venv/bin/python benchmarks/learning/run.py PLAN --stage report      # the report from what is there
    .venv/bin/python benchmarks/learning/run.py PLAN --set eval.tasks=4 --set run=/tmp/x   # a key changed

Stages (:data:`STAGES`; each skips what is done, so a stopped call resumes): ``train`` (each arm and
seed to its CPU budget), ``validation`` (each seed's validation records and chosen checkpoint, and
the arm that validates best: a pilot's decision; :mod:`.validation_report`; committed rows),
``eval`` (each model that is ready; the committed-rows and search forms then
export every sample as committed rows and report), ``report``, and the form's own: ``export`` and
``pictures`` (committed rows), ``engine-check`` (run 3), ``rescore``, ``pictures`` and ``floor``
(search). ``all`` (the default) runs train, eval and report; ``--no-eval`` leaves the evaluation out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.checks import load_plan
from codepaint_env.policy.learning.experiment.plan import Plan, PlanError

#: Each form's stages beside ``all``, ``commands``, ``train``, ``eval`` and ``report``.
FORM_STAGES = {"committed-rows": ("export", "pictures"), "eval-folders": ("engine-check",),
               "search": ("rescore", "pictures", "floor"), "warm-start-grpo": ()}
STAGES = ("all", "commands", "train", "validation", "eval", "report", "export", "pictures", "engine-check",
          "rescore", "floor")


def parser(prog: str) -> argparse.ArgumentParser:
    """The runner's command line."""
    ap = argparse.ArgumentParser(prog=prog, description=(__doc__ or "").split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("plan", type=Path, help="the plan file (benchmarks/learning/plans/*.toml)")
    ap.add_argument("--stage", choices=STAGES, default="all")
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                    help="change a key of the plan (eval.tasks=4, arms.rft.seeds=[0], run=\"/tmp/x\")")
    ap.add_argument("--arm", help="train: only this arm")
    ap.add_argument("--seed", type=int, help="train: only this seed")
    ap.add_argument("--pieces", type=int, default=None,
                    help="train: at most this many rounds or steps a seed")
    ap.add_argument("--no-eval", action="store_true", help="all: train and report, evaluate nothing")
    ap.add_argument("--unfinished", action="store_true",
                    help="eval: also a seed whose CPU budget is not spent (as it stands; the report says so)")
    ap.add_argument("--only", action="append", default=[], metavar="TAG",
                    help="eval, export (committed rows): only this model (repeatable; the others' rows stay "
                         "as exported); search plans: a model (warm-s1) or one of its evals (warm-s1-none)")
    ap.add_argument("--as-evaluated", action="store_true",
                    help="export: each evaluation's own verdicts (default: every program scored again now)")
    ap.add_argument("--merge", action="store_true",
                    help="report (committed rows): put its rows into docs/learning-run.json")
    ap.add_argument("--device", default="cpu",
                    help="where the learners train and the control is merged (cuda: a GPU)")
    ap.add_argument("--candidates", type=int, default=60, help="floor: random fact-blind pictures tried")
    ap.add_argument("--templates", type=int, default=0,
                    help="floor: also the template adversary's fact-blind search, this many evaluations "
                         "(rewards.testing.search_templates; 0: none)")
    return ap


def main(argv: list[str] | None = None, *, root: Path, prog: str = "benchmarks/learning/run.py") -> int:
    """Run one stage of a plan (see the module docstring); 2 and the problems for a plan that cannot run."""
    ap = parser(prog)
    args = ap.parse_args(argv)
    try:
        plan = load_plan(args.plan, root=root, overrides=args.overrides)
        if args.device != "cpu" and plan.form != "warm-start-grpo":  # the learners' device too
            device = f'train.device="{args.device}"'
            plan = load_plan(args.plan, root=root, overrides=[*args.overrides, device])
        common = ("all", "commands", "train", "eval", "report")
        own = (*(("validation",) if plan.form == "committed-rows" else ()), *FORM_STAGES[plan.form])
        if args.stage not in (*common, *own):
            ap.error(f"the {plan.form} form has no stage {args.stage!r} "
                     f"(it has: {', '.join((*common, *own))})")
        if args.no_eval and args.stage not in ("all", "train"):
            ap.error("--no-eval goes with the default stage (all) or train")
        run(plan, args, f"{prog} {_relative(args.plan, root)}")
    except PlanError as e:
        print(f"{prog}: {e}", flush=True)
        return 2
    return 0


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def run(plan: Plan, args: argparse.Namespace, command: str) -> None:
    """Run the stage ``args.stage`` of ``plan`` (``command``: the runner and the plan, for the reports)."""
    from codepaint_env.policy.learning.experiment import stages

    if args.stage == "commands":
        print(json.dumps(listing(plan), indent=1))
        return
    if args.stage == "validation":  # reads the run folders; a draft's pilot is read before it is final
        from codepaint_env.policy.learning.experiment.validation_report import render, write

        print(render(write(plan, command), command))
        return
    stages.refuse_draft(plan)
    reports_itself = plan.form in ("committed-rows", "search")  # its eval stage ends with the report
    if args.stage in ("all", "train"):
        train(plan, args)
    if args.stage in ("all", "eval") and not args.no_eval:
        evaluate(plan, args, command)
    if args.stage == "report" or (args.stage == "all" and (args.no_eval or not reports_itself)):
        report(plan, args, command)
    if args.stage not in ("all", "train", "eval", "report"):
        form_stage(plan, args, command)


def train(plan: Plan, args: argparse.Namespace) -> None:
    """Every arm and seed (or the one asked) to its budget; run 2's warm starts and GRPO runs."""
    if plan.form == "warm-start-grpo":
        from codepaint_env.policy.learning.experiment.warm_start import namespace, run_stages

        run_stages(namespace(plan), "train")
        return
    from codepaint_env.policy.learning.experiment.stages import train_all

    train_all(plan, arm=args.arm, seed=args.seed, pieces=args.pieces)


def evaluate(plan: Plan, args: argparse.Namespace, command: str) -> None:
    """Each ready model not evaluated yet (committed rows and search: exported, then reported)."""
    if plan.form == "committed-rows":
        from codepaint_env.policy.learning.experiment.rows import run_stage

        run_stage(plan, "eval", command=f"{command} --stage report", unfinished=args.unfinished,
                  device=args.device, merge_into=_merge(plan, args), only=args.only)
    elif plan.form == "search":
        from codepaint_env.policy.learning.experiment.search import evaluate as search_evaluate

        search_evaluate(plan, only=args.only)
        report(plan, args, command)
    elif plan.form == "warm-start-grpo":
        from codepaint_env.policy.learning.experiment.warm_start import namespace, run_stages

        run_stages(namespace(plan), "eval")
    else:
        from codepaint_env.policy.learning.experiment.stages import evaluate_ready, ready

        evaluate_ready(plan, ready(plan, unfinished=args.unfinished), device=args.device, keep_going=False)


def _merge(plan: Plan, args: argparse.Namespace) -> Path | None:
    return plan.root / "docs" / "learning-run.json" if args.merge else None


def report(plan: Plan, args: argparse.Namespace, command: str) -> None:
    """The form's report from what is there (committed rows: the rows alone)."""
    if plan.form == "committed-rows":
        from codepaint_env.policy.learning.experiment.rows import run_stage

        run_stage(plan, "report", command=f"{command} --stage report", merge_into=_merge(plan, args))
    elif plan.form == "search":
        from codepaint_env.policy.learning.experiment.search_report import report as search_report

        search_report(plan, command)
    elif plan.form == "warm-start-grpo":
        from codepaint_env.policy.learning.experiment.warm_start import namespace
        from codepaint_env.policy.learning.experiment.warm_start_report import write

        times_path = plan.path("run") / "stage_seconds.json"
        times = json.loads(times_path.read_text()) if times_path.exists() else {}
        print(write(namespace(plan), times, command))
    else:
        from codepaint_env.policy.learning.experiment.folders_report import report as folders_report

        print(folders_report(plan, command))


def form_stage(plan: Plan, args: argparse.Namespace, command: str) -> None:
    """A form's own stage: export, pictures, engine-check, rescore or floor."""
    if args.stage == "export":
        from codepaint_env.policy.learning.experiment.rows import run_stage

        run_stage(plan, "export", command=f"{command} --stage report", only=args.only,
                  as_evaluated=args.as_evaluated, unfinished=args.unfinished, merge_into=_merge(plan, args))
    elif args.stage == "pictures" and plan.form == "committed-rows":
        from codepaint_env.policy.learning.experiment.pictures import draw

        print(draw(plan))
    elif args.stage == "pictures":
        from codepaint_env.policy.learning.experiment.search_report import pictures

        drawn = ", ".join(pictures(plan, command))
        print(f"before-after.png and queries.md: {drawn or 'nothing evaluated yet'}")
    elif args.stage == "engine-check":
        from codepaint_env.policy.learning.experiment.commands import engine_checks
        from codepaint_env.policy.learning.experiment.measures import judged_in_full
        from codepaint_env.policy.learning.experiment.stages import run_command

        for label, argv, folder in engine_checks(plan):
            if not judged_in_full(folder):
                run_command(label, argv, plan.root, dict(plan.evaluation.env))
    elif args.stage == "rescore":
        from codepaint_env.policy.learning.experiment.search import rescore_committed
        from codepaint_env.policy.learning.experiment.search_report import report as search_report

        print(f"scored again at this commit: {', '.join(rescore_committed(plan)) or 'nothing committed yet'}")
        search_report(plan, command)
    elif args.stage == "floor":
        from codepaint_env.policy.learning.experiment.search import floor_search

        print(json.dumps(floor_search(plan, args.candidates, templates=args.templates), indent=1))


def listing(plan: Plan) -> dict[str, Any]:
    """Everything the plan runs, as JSON: each arm and seed's settings, each evaluation's command."""
    from codepaint_env.policy.learning.experiment.commands import (
        engine_checks,
        evaluations,
        learner_config,
        models,
    )

    if plan.form == "warm-start-grpo":  # run 2: each stage a command (examples/grpo_trl.py, codepaint eval)
        from codepaint_env.policy.learning.experiment.warm_start import namespace, stages

        every = stages(namespace(plan))
        return {"plan": plan.name, "form": plan.form, "status": plan.status,
                "train": {name: command for name, command, _ in every if not name.startswith("eval")},
                "eval": {name: command for name, command, _ in every if name.startswith("eval")},
                "placeholders": list(plan.placeholders)}
    train = {}
    for arm in plan.arms:
        for seed in arm.seeds if arm.learns else ():  # ``rounds = false``: the supervised start alone
            if arm.learner not in ("rft", "grpo", "trl"):  # a draft's learner, not chosen yet
                train[arm.tag(seed)] = {"learner": arm.learner, "start": arm.start,
                                        "settings": {**plan.settings(arm, seed), "levels": list(plan.levels)}}
                continue
            config = learner_config(plan, arm, seed)
            train[arm.tag(seed)] = {"learner": arm.learner, "start": arm.start,
                                    "settings": config if isinstance(config, dict) else config.to_dict()}
        for seed in arm.seeds if arm.start == "sft" else ():  # its supervised start: its own model, evaluated
            from codepaint_env.policy.learning.experiment.commands import sft_config

            train[arm.sft_tag(seed)] = {"learner": "sft", "start": "base",
                                        "settings": sft_config(plan, arm, seed).to_dict()}
    evals = {label: command for m in models(plan) for label, command, _ in evaluations(plan, m)}
    evals.update({f"engine-check {label}": command for label, command, _ in engine_checks(plan)})
    return {"plan": plan.name, "form": plan.form, "status": plan.status, "train": train, "eval": evals,
            "placeholders": list(plan.placeholders)}
