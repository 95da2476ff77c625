"""Learning run 4's evaluation and report, exactly as docs/learning-run-4-plan.md declares them (issue 55).

    .venv/bin/python benchmarks/learning4.py            # evaluate what is missing, export rows, report
    .venv/bin/python benchmarks/learning4.py --no-eval  # the report from the committed rows alone
    .venv/bin/python benchmarks/learning4.py --export-only  # the finished evaluations' rows, then the report
    .venv/bin/python benchmarks/learning4.py --no-eval --merge  # the report; its rows in learning-run.json

What it does, in order (each step skipped where its output is there, so a stopped call resumes):

1. **Evaluate** each model not yet evaluated, with ``codepaint eval`` through the CTranslate2 engine
   (:func:`learning3.evaluate`): held-out levels 0-2 (``--split eval``), the first 48 scenes a level,
   2 samples a scene, temperature 0.7, 384 new tokens, sampling seed 5055 (run 3 used 0), into
   ``runs/learning4/eval-48x2-seed5055/<tag>/level-<L>``. The models: ``base`` (the bundled
   Qwen2.5-Coder-0.5B), ``control`` (the base merged with an untrained adapter:
   :func:`~codepaint_env.policy.learning.control.control_model`), ``rft-s0``, ``rft-s1``, ``grpo-s0``,
   ``grpo-s1`` (each seed's ``chosen/`` where the run was validated, else ``final/``: GRPO's last step;
   a seed whose CPU budget is not spent yet is not evaluated) and ``base-<big model>`` (``--big-model``,
   default ``qwen2.5-coder-1.5b``; a model that cannot be evaluated is reported, never fatal).
2. **Export** each finished evaluation's samples to ``docs/learning-run-4/rows-<tag>.jsonl.gz``
   (:mod:`codepaint_env.policy.learning.eval_rows`) and what was evaluated to ``models.json``. Every
   program is rendered and scored again under the run's reward at this commit (``--as-evaluated``
   keeps each evaluation's own verdicts): models evaluated on different days are compared by one
   set of checks, and ``models.json`` says which commit scored them.
3. **Report** from those rows alone (:mod:`codepaint_env.policy.learning.compare`): the three declared
   families with Holm, the exploratory per-kind table, per-level tables, the monitors and the goal,
   into ``docs/learning-run-4/report.md`` and ``report.json`` (its ``runs``: rows with ``run: 4``,
   ready for docs/learning-run.json; ``--merge`` puts them there). A model not evaluated yet is
   reported as "not yet evaluated".

The seeds are trained first, each with its plan's command (``--no-eval``: this script evaluates), e.g.
``benchmarks/learning_run.py --algo rft --seeds 0 --run runs/learning4 --cpu-budget 7200 --no-eval``
followed by :data:`codepaint_env.policy.learning.options.RUN4`.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import learning3  # noqa: E402
from codepaint_env.policy.learning.compare import TRAINED  # noqa: E402
from codepaint_env.policy.learning.eval_rows import eval_tasks, export_rows, read_rows  # noqa: E402
from codepaint_env.policy.learning.options import RUN4_EVAL_SEED, budget_spent  # noqa: E402
from codepaint_env.policy.learning.provenance import commit_of  # noqa: E402
from codepaint_env.policy.learning.validation import evaluated  # noqa: E402
from learning4_report import render, report_data  # noqa: E402

MODEL = "qwen2.5-coder-0.5b"
BIG = "qwen2.5-coder-1.5b"
RUN = ROOT / "runs" / "learning4"
OUT = ROOT / "docs" / "learning-run-4"
REWARD = "gate:0.2,checks:0.8"  # the plan's reward (each evaluation's run.json says its own)


def big_tag(model: str) -> str:
    """The bigger base model's tag: ``base-<name>`` (a folder: its last part)."""
    return "base-" + Path(model).name


def eval_root(args: argparse.Namespace) -> Path:
    """``<run>/eval-<scenes>x<samples>-seed<seed>``: the same folder ``learning_run.py --algo`` uses."""
    learning3.RUN = Path(args.run)
    return learning3.eval_root(args.eval_tasks, args.eval_samples, args.eval_seed)


def plan_models(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Each declared model: its stage, seed, model name and what to evaluate (``None``: why not yet)."""
    run = Path(args.run)
    out: dict[str, dict[str, Any]] = {
        "base": {"stage": "base", "seed": None, "model": args.model, "evaluate": args.model,
                 "checkpoint": "base"},
        "control": {"stage": "control", "seed": None, "model": args.model, "evaluate": "control",
                    "checkpoint": "base + untrained adapter"},
    }
    for tag in TRAINED:
        algo, seed = tag.split("-s")
        folder = run / tag
        entry: dict[str, Any] = {"stage": algo, "seed": int(seed), "model": args.model, "evaluate": None}
        config = folder / "config.json"
        if not config.exists():
            entry["why"] = f"not trained ({_relative(str(folder))} has no config.json)"
        else:
            budget = json.loads(config.read_text()).get("cpu_budget_s", 7200.0)
            model, which = evaluated(folder)
            if not budget_spent(algo, folder, budget) and not args.unfinished:
                entry["why"] = f"training not finished: its {budget:.0f} CPU s budget is not spent"
            elif not (model / "config.json").exists():
                entry["why"] = f"{model} holds no merged model"
            else:
                entry.update(evaluate=str(model), checkpoint=which, round=_round(model))
        out[tag] = entry
    if args.big_model:
        out[big_tag(args.big_model)] = {"stage": "base", "seed": None, "model": args.big_model,
                                        "evaluate": args.big_model, "checkpoint": "base"}
    return out


def _round(model: Path) -> dict[str, Any] | None:
    marker = model / "codepaint-round.json"
    return json.loads(marker.read_text()) if marker.exists() else None


def finished(folder: Path, levels: list[int]) -> bool:
    """Whether an evaluation made and judged every sample at every level."""
    return all(learning3.judged_in_full(folder / f"level-{level}") for level in levels)


def run_evaluations(args: argparse.Namespace, models: dict[str, dict[str, Any]]) -> None:
    """Evaluate every model that is ready and not evaluated yet (a failure is recorded, not raised)."""
    from codepaint_env.policy.learning.control import control_model

    root = eval_root(args)
    ns = argparse.Namespace(levels=args.levels, eval_tasks=args.eval_tasks, eval_samples=args.eval_samples,
                            max_tokens=args.max_tokens, eval_seed=args.eval_seed)
    for tag, entry in models.items():
        if entry.get("evaluate") is None or finished(root / tag, args.levels):
            continue
        try:
            model = entry["evaluate"]
            if model == "control":
                model = str(control_model(args.model, Path(args.run) / "control", device=args.device))
                entry["round"] = _round(Path(model))
            learning3.evaluate(tag, model, ns, root=root)
        except (SystemExit, Exception) as e:  # one model's failure never stops the others
            entry["why"] = f"evaluation failed: {e}"
            print(f"[{tag}] evaluation failed: {e}", flush=True)
            if not isinstance(e, SystemExit):
                traceback.print_exc()


def export(args: argparse.Namespace, models: dict[str, dict[str, Any]]) -> None:
    """Export each finished evaluation's rows, and write ``models.json`` (what each tag is)."""
    root, out = eval_root(args), Path(args.out)
    tasks = eval_tasks(args.levels, args.eval_tasks)
    out.mkdir(parents=True, exist_ok=True)
    kept_path = out / "models.json"
    kept = json.loads(kept_path.read_text()) if kept_path.exists() else {}
    for tag, entry in models.items():
        folder = root / tag
        if args.only and tag not in args.only:  # its rows and description stay as exported before
            continue
        if not finished(folder, args.levels):
            if "rows" not in kept.get(tag, {}):  # rows exported earlier stay described
                kept[tag] = {k: v for k, v in entry.items() if k != "evaluate"}
            continue
        levels = [folder / f"level-{level}" for level in args.levels]
        record = json.loads((levels[0] / "run.json").read_text())
        spec = None if args.as_evaluated else record.get("reward", REWARD)
        n = export_rows(levels, out / f"rows-{tag}.jsonl.gz", tasks, rescore_with=spec)
        model = record.get("model") or entry.get("evaluate")
        kept[tag] = {**{k: v for k, v in entry.items() if k not in ("evaluate", "why")},
                     "evaluated": _relative(model), "rows": f"rows-{tag}.jsonl.gz", "samples": n,
                     "eval": {k: record.get(k) for k in ("seed", "temperature", "max_tokens", "samples",
                                                         "limit", "engine", "compute_type", "reward",
                                                         "split")},
                     "scored": {"reward": spec or record.get("reward"),
                                "commit": commit_of(ROOT) if spec else
                                (record.get("provenance") or {}).get("codepaint", {}).get("commit")}}
        if entry["stage"] in ("rft", "grpo"):  # what the evaluation's own record says it sampled
            kept[tag]["checkpoint"] = Path(str(model)).name
            kept[tag]["round"] = _round(Path(str(model)))
    kept_path.write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _relative(model: str | None) -> str | None:
    if model is None:
        return None
    try:
        return str(Path(model).resolve().relative_to(ROOT))
    except ValueError:
        return model


def write_report(args: argparse.Namespace) -> dict[str, Any]:
    """The report from the rows under ``--out`` alone: ``report.md`` and ``report.json``; the data."""
    out = Path(args.out)
    meta_path = out / "models.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    big = big_tag(args.big_model) if args.big_model else None
    tags = ["base", "control", *TRAINED, *([big] if big else [])]
    rows = {tag: read_rows(out / f"rows-{tag}.jsonl.gz") for tag in tags}
    settings = {"levels": args.levels, "eval_tasks": args.eval_tasks, "eval_samples": args.eval_samples,
                "eval_seed": args.eval_seed, "max_tokens": args.max_tokens, "temperature": 0.7,
                "model": args.model, "big_model": args.big_model, "run": _relative(str(args.run))}
    data = report_data(rows, meta, big, settings)
    (out / "report.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    (out / "report.md").write_text(render(data), encoding="utf-8")
    return data


def merge(data: dict[str, Any], path: Path) -> None:
    """Replace docs/learning-run.json's ``run: 4`` rows with the report's (every other row kept)."""
    whole: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {"runs": []}
    whole["runs"] = [r for r in whole.get("runs", []) if r.get("run") != 4] + data["runs"]
    path.write_text(json.dumps(whole, indent=1) + "\n", encoding="utf-8")


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    ints = lambda s: [int(x) for x in s.split(",") if x.strip()]  # noqa: E731
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--run", type=Path, default=RUN,
                    help="the run folder (the seeds' folders, the evaluations)")
    ap.add_argument("--out", type=Path, default=OUT, help="where the rows and the report go")
    ap.add_argument("--model", default=MODEL, help="the policy trained (the base)")
    ap.add_argument("--big-model", default=BIG, help="the bigger base model of family 3 ('': none)")
    ap.add_argument("--levels", type=ints, default=[0, 1, 2])
    ap.add_argument("--eval-tasks", type=int, default=48, help="held-out scenes a level")
    ap.add_argument("--eval-samples", type=int, default=2)
    ap.add_argument("--eval-seed", type=int, default=RUN4_EVAL_SEED)
    ap.add_argument("--max-tokens", type=int, default=384)
    ap.add_argument("--device", default="cpu", help="where the control is merged")
    ap.add_argument("--unfinished", action="store_true",
                    help="also evaluate a seed that stopped before its CPU budget (say so in the report)")
    ap.add_argument("--no-eval", action="store_true", help="evaluate nothing: report the rows there are")
    ap.add_argument("--export-only", action="store_true",
                    help="evaluate nothing: export the finished evaluations' rows (scored again); report")
    ap.add_argument("--only", action="append", default=[], metavar="TAG",
                    help="export only this model's rows (repeatable; the others stay as exported, "
                         "each with the commit that scored it)")
    ap.add_argument("--merge", action="store_true", help="put the run-4 rows into docs/learning-run.json")
    ap.add_argument("--as-evaluated", action="store_true",
                    help="export each evaluation's own verdicts (default: score every program again "
                         "under this commit's checks)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Evaluate what is missing, export the rows, write the report (see the module docstring)."""
    args = parse(argv)
    if not args.no_eval:
        models = plan_models(args)
        if not args.export_only:
            run_evaluations(args, models)
        export(args, models)
    data = write_report(args)
    if args.merge:
        merge(data, ROOT / "docs" / "learning-run.json")
    print((Path(args.out) / "report.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
