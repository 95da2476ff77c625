"""The committed-rows form (learning run 4 and later): evaluate, export every sample, report from the rows.

In order, each step skipped where its output is there (a stopped call resumes):

1. **Evaluate** each declared model that is ready (:func:`.stages.ready`) and not evaluated yet:
   ``codepaint eval`` of each held-out level into ``<run>/<eval folder>/<tag>/level-<L>``; a model
   that cannot be evaluated is reported, never fatal.
2. **Export** each finished evaluation's samples to ``<out>/rows-<tag>.jsonl.gz``
   (:mod:`..eval_rows`) and what was evaluated to ``models.json``. Every program is rendered and
   scored again under the plan's reward at this commit (``as_evaluated`` keeps each evaluation's
   own verdicts): models evaluated on different days are compared by one set of checks.
3. **Report** from those rows alone (:mod:`.rows_report`): the declared families with Holm, the
   exploratory per-kind table, per-level tables, the monitors and the goal, into ``report.md`` and
   ``report.json`` (its ``runs``: rows ready for docs/learning-run.json; ``merge`` puts them there).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.plan import Plan
from codepaint_env.policy.learning.experiment.stages import (
    evaluate_ready,
    finished_eval,
    ready,
    relative,
    round_marker,
)


def export(plan: Plan, models: dict[str, dict[str, Any]], *, only: list[str] | None = None,
           as_evaluated: bool = False) -> None:
    """Export each finished evaluation's rows, and write ``models.json`` (what each tag is).

    ``only``: export just these tags (the others' rows and descriptions stay as exported before).
    """
    from codepaint_env.policy.learning.eval_rows import eval_tasks, export_rows
    from codepaint_env.policy.learning.experiment.commands import eval_folder
    from codepaint_env.policy.learning.provenance import commit_of

    ev, out = plan.evaluation, plan.path("out")
    tasks = eval_tasks(ev.levels, ev.tasks or 0, ev.language)
    out.mkdir(parents=True, exist_ok=True)
    described: dict[str, dict[str, Any]] = {}  # not evaluated yet: described unless rows were exported
    kept: dict[str, dict[str, Any]] = {}  # exported now
    for tag, entry in models.items():
        if only and tag not in only:  # its rows and description stay as exported before
            continue
        if not finished_eval(plan, tag):
            described[tag] = {k: v for k, v in entry.items() if k != "evaluate"}
            continue
        levels = [eval_folder(plan, tag, level=level) for level in ev.levels]
        record = json.loads((levels[0] / "run.json").read_text())
        spec = None if as_evaluated else (ev.rescore or record.get("reward", ev.reward))
        n = export_rows(levels, out / f"rows-{tag}.jsonl.gz", tasks, rescore_with=spec)
        model = record.get("model") or entry.get("evaluate")
        kept[tag] = {**{k: v for k, v in entry.items() if k not in ("evaluate", "why")},
                     "evaluated": relative(plan, model), "rows": f"rows-{tag}.jsonl.gz", "samples": n,
                     "eval": {k: record.get(k) for k in ("seed", "temperature", "max_tokens", "samples",
                                                         "limit", "engine", "compute_type", "reward",
                                                         "split")},
                     "scored": {"reward": spec or record.get("reward"),
                                "commit": commit_of(plan.root) if spec else
                                (record.get("provenance") or {}).get("codepaint", {}).get("commit")}}
        if entry["stage"] not in ("base", "control"):  # what the evaluation's own record says it sampled
            kept[tag]["checkpoint"] = Path(str(model)).name
            kept[tag]["round"] = round_marker(Path(str(model)))
            machines = plan.path("run") / tag / "machines.txt"  # the CPU its budget was spent on
            said = machines.read_text().strip().splitlines() if machines.exists() else []
            if said:
                kept[tag]["machine"] = said[-1].partition(" ")[2]
    update_models(out / "models.json", kept, described)


def update_models(path: Path, exported: dict[str, dict[str, Any]],
                  described: dict[str, dict[str, Any]]) -> None:
    """Write ``exported`` tags' entries into ``models.json``, and ``described`` where no rows were exported.

    Read, changed and replaced under an exclusive lock, so two evaluations exporting at once (one a
    seed, on two cores) each keep the other's entries.
    """
    import fcntl

    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kept = json.loads(path.read_text()) if path.exists() else {}
        for tag, entry in described.items():
            if "rows" not in kept.get(tag, {}):  # rows exported earlier stay described
                kept[tag] = entry
        kept.update(exported)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        partial.replace(path)


def settings(plan: Plan) -> dict[str, Any]:
    """The evaluation's settings as the report records them."""
    ev = plan.evaluation
    return {"levels": list(ev.levels), "eval_tasks": ev.tasks, "eval_samples": ev.samples,
            "eval_seed": ev.seed, "max_tokens": ev.max_tokens, "temperature": ev.temperature,
            "model": plan.model, "big_model": plan.bigger[0] if plan.bigger else "",
            "run": relative(plan, plan.path("run"))}


def compute_report(plan: Plan, command: str) -> tuple[dict[str, Any], str]:
    """The report from the rows under the plan's ``out`` alone, written nowhere: its data and its text."""
    from codepaint_env.policy.learning.eval_rows import read_rows
    from codepaint_env.policy.learning.experiment.rows_report import render, report_data

    out = plan.path("out")
    meta_path = out / "models.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    rows = {tag: read_rows(out / f"rows-{tag}.jsonl.gz") for tag in plan.models}
    data = report_data(plan, rows, meta, settings(plan))
    return data, render(plan, data, command)


def write_report(plan: Plan, command: str) -> dict[str, Any]:
    """The report from the rows under the plan's ``out`` alone: ``report.md``, ``report.json``; the data."""
    data, text = compute_report(plan, command)
    out = plan.path("out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    (out / "report.md").write_text(text, encoding="utf-8")
    return data


def merge(data: dict[str, Any], path: Path, run: int | None = None) -> None:
    """Replace docs/learning-run.json's ``run: <run>`` rows of the report's models with the report's.

    Every other row is kept: other runs', this run's models that another plan reports (learning run 5's
    arm C is a plan of its own beside arms A and B), and the same models' rows of another evaluation
    (``eval`` size or ``eval_seed``: arm D's second look beside its first). ``run``: default the report's
    own (``data["run"]``).
    """
    run = data.get("run", 4) if run is None else run

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return r.get("stage"), r.get("eval"), r.get("eval_seed")

    ours = {key(r) for r in data["runs"]}
    whole: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {"runs": []}
    whole["runs"] = [r for r in whole.get("runs", [])
                     if r.get("run") != run or key(r) not in ours] + data["runs"]
    path.write_text(json.dumps(whole, indent=1) + "\n", encoding="utf-8")


def run_stage(plan: Plan, stage: str, *, command: str, evaluate: bool = True, unfinished: bool = False,
              only: list[str] | None = None, as_evaluated: bool = False, merge_into: Path | None = None,
              device: str = "cpu") -> None:
    """``eval`` (evaluate what is missing, export, report), ``export`` (export, report) or ``report``.

    ``only``: evaluate and export just these tags (the others' rows stay as exported before).
    """
    if stage in ("eval", "export") and evaluate:
        models = ready(plan, unfinished=unfinished)
        if stage == "eval":  # ``only``: just these models (a session evaluates what it trained)
            evaluate_ready(plan, {t: e for t, e in models.items() if not only or t in only}, device=device)
        export(plan, models, only=only, as_evaluated=as_evaluated)
    data = write_report(plan, command)
    if merge_into is not None:
        merge(data, merge_into)
    print((plan.path("out") / "report.md").read_text(encoding="utf-8"))
