"""The search form's report: the held-out table, the declared comparisons, the cold starts and the goal.

:func:`report` writes ``<out>/report.{md,json}`` from the committed rows (:mod:`.search`) and the runs'
committed round records (``runs-saved/``: :func:`cold_starts`, the arm the plan carries, and
:func:`verdict`, its four goals) alone; :func:`pictures` draws the held-out facts before and after and
lists what the trained models searched for.
"""

from __future__ import annotations

import functools
import gzip
import json
import statistics
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.plan import Plan
from codepaint_env.policy.learning.experiment.search import (
    CONSTANT,
    constant_picture,
    eval_tasks,
    fact_blind_rows,
    first_recall,
    models,
    per_fact,
    read,
    share_all,
)


def _json_gz(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def cold_starts(plan: Plan, saved: Path | None = None) -> dict[str, Any]:
    """The plan's choice of arm, from each run's committed validation records.

    Per run: its rounds, CPU seconds, first-search rate per round, validation checks share (gate
    failures as 0) after 0 (the base), 1, 2, ... rounds, and the round the ``all`` rule picks. Per arm:
    the chosen rounds' share averaged over the seeds whose run spent its budget (the budget its learner
    was given, its committed ``config.json``: after a supervised start, the arm's less the start's).
    ``carried``: the arm with the higher average (ties to the first declared), ``None`` before any run
    is done. ``saved``: the
    runs' committed rows (default ``runs-saved/<the run folder's name>``, ``scripts/save_runs.py``'s).
    """
    from codepaint_env.policy.learning.validation import choose

    saved = plan.root / "runs-saved" / plan.path("run").name if saved is None else saved
    runs: dict[str, Any] = {}
    names = [a.name for a in plan.arms if a.learns]  # an arm of supervised starts alone has no rounds
    for a in (a for a in plan.arms if a.learns):
        arm, planned = a.name, float(plan.settings(a, a.seeds[0]).get("cpu_budget_s", 0.0))
        for seed in a.seeds:
            rounds_dir = saved / f"{arm}-s{seed}" / "rounds"
            if not (rounds_dir / "validation-base.json.gz").exists():
                continue
            config = saved / f"{arm}-s{seed}" / "config.json.gz"  # the learner's own budget
            budget = float(_json_gz(config)["cpu_budget_s"]) if config.exists() else planned
            reports = [_json_gz(p) for p in sorted(rounds_dir.glob("round-*/report.json.gz"))]
            records = [_json_gz(rounds_dir / "validation-base.json.gz")]
            records += [r["validation"] for r in reports if r.get("validation")]
            chosen = choose(records, "all")
            cpu_s = round(sum(r["cpu_s"] for r in reports), 1)
            runs[f"{arm}-s{seed}"] = {
                "arm": arm, "seed": seed, "rounds": len(reports), "cpu_s": cpu_s, "done": cpu_s >= budget,
                "first_search_rate": [(r.get("search") or {}).get("call_rate") for r in reports],
                "validation_share": [r.get("checks_share_all") for r in records],
                "chosen_round": chosen, "chosen_share": records[chosen].get("checks_share_all")}
    arms = {arm: round(statistics.fmean(shares), 4) for arm in names if (shares := [
        r["chosen_share"] for r in runs.values() if r["arm"] == arm and r["done"]])}
    carried = max(arms, key=lambda a: (arms[a], a == names[0])) if arms else None
    return {"runs": runs, "arm_share": arms, "carried": carried,
            "seeds_run": {arm: sorted(r["seed"] for r in runs.values() if r["arm"] == arm and r["done"])
                          for arm in names}}


def groups(plan: Plan) -> list[tuple[str, Any]]:
    """The model groups the report compares, each with its arm: ``(group, arm)``.

    A group's models are ``<group>-s<seed>`` for the arm's seeds: the arm's trained models (group: the
    arm's name) and, for an arm with a supervised start, the start's models alone first (group
    ``<arm>-sft``: its ``<arm>-sft-s<seed>``). Each group is its own family of comparisons (Holm within
    it) and gets its own verdict.
    """
    out: list[tuple[str, Any]] = []
    for a in plan.arms:
        out += [(f"{a.name}-sft", a)] if a.start == "sft" else []
        out += [(a.name, a)] if a.learns else []  # ``rounds = false``: the supervised start alone
    return out


def verdict(plan: Plan, table: dict[str, Any], comparisons: list[dict[str, Any]],
            carried: str | None, floors: dict[str, dict[str, Any]] | None = None,
            seeds: tuple[int, ...] | None = None) -> dict[str, Any]:
    """The declared goals for a group, its seeds pooled (``evaluated`` False: not all evaluated yet).

    ``carried``: the group (the arm validation carried, or a supervised start's group, ``<arm>-sft``,
    with its ``seeds``). Four always (call rate, recall@3, over the base, over itself without the tool);
    where the plan's goal has ``facts_over_floor`` and ``over_floor_base`` (issue 73 item 5), two more
    from ``floors`` (:func:`above_floor`, per group): the share of facts above the floor, and the clipped
    gain over the base.
    """
    from codepaint_env.policy.learning.stats import wilson

    if seeds is None:
        seeds = plan.arm(carried).seeds if carried is not None else ()
    if carried is None or not all(f"{carried}-s{s}-search" in table for s in seeds):
        return {"arm": carried, "evaluated": False}
    pooled = [table[f"{carried}-s{s}-search"] for s in seeds]
    call_goal, recall_goal = plan.goal["call_rate"], plan.goal["recall_at_3"]
    samples = sum(m["samples"] for m in pooled)
    calls = sum(m["calls"] for m in pooled)
    recall = sum(m["recall_at_3"] * m["samples"] for m in pooled) / samples
    mine = {c["against"]: c for c in comparisons if c["arm"] == carried}
    missing = [k for k in ("base", "tool_off") if k not in mine]
    if missing:  # the base's rows (or the tool-off ones) not exported yet: nothing to pair with
        return {"arm": carried, "evaluated": False, "missing": missing}
    goals = {"call_rate": {"value": round(calls / samples, 4), "ci": wilson(calls, samples),
                           "goal": call_goal, "met": calls / samples >= call_goal},
             "recall_at_3": {"value": round(recall, 4), "goal": recall_goal, "met": recall >= recall_goal},
             "over_base": mine["base"], "over_tool_off": mine["tool_off"]}
    floors = floors or {}
    if "facts_over_floor" in plan.goal and "floor" in mine:  # judged once some fact is paired
        gain = floors[carried]
        share, bar = gain["facts_over_share"], plan.goal["facts_over_floor"]
        goals["facts_over_floor"] = {"value": share, "facts_over": gain["facts_over"], "facts": gain["facts"],
                                     "goal": bar, "met": share is not None and share >= bar}
        goals["over_floor_base"] = mine["floor"]
    return {"arm": carried, "evaluated": True, "goals": goals,
            "met": all(g.get("met", g.get("goal_met")) for g in goals.values())}


def above_floor(floor: dict[str, float], model: dict[str, float], base: dict[str, float]) -> dict[str, Any]:
    """A model's share above the fact-blind floor, fact by fact, against the base's (issue 73 item 5).

    Each fact's gain is the model's mean share there minus the floor picture's. ``facts_over``: the facts
    whose gain is above 0; ``over_floor``: the mean gain clipped at 0 (only what is above the floor is
    credited: a fact below it counts 0, not less), for the model and for ``base``; ``difference``, ``p``:
    model minus base on those clipped gains, paired over the facts all three hold (sign-flip).
    """
    from codepaint_env.policy.learning.stats import paired

    facts = sorted(set(floor) & set(model) & set(base))
    if not facts:
        return {"facts": 0, "facts_over": 0, "facts_over_share": None, "over_floor": None,
                "base_over_floor": None, "difference": None, "p": None}
    mine = {f: max(0.0, model[f] - floor[f]) for f in facts}
    theirs = {f: max(0.0, base[f] - floor[f]) for f in facts}
    diff, p, _ = paired(theirs, mine)
    over = sum(model[f] > floor[f] for f in facts)
    return {"facts": len(facts), "facts_over": over, "facts_over_share": round(over / len(facts), 4),
            "over_floor": round(statistics.fmean(mine.values()), 4),
            "base_over_floor": round(statistics.fmean(theirs.values()), 4),
            "difference": round(diff, 4), "p": p,
            "per_fact": {f: {"floor": round(floor[f], 4), "model": round(model[f], 4),
                             "base": round(base[f], 4)} for f in facts}}


def report(plan: Plan, command: str) -> dict[str, Any]:
    """``<out>/report.{md,json}`` from the committed rows (see the plan for every figure)."""
    from codepaint_env.policy.learning.stats import bootstrap, holm, paired, wilson

    docs, goals = plan.path("out"), plan.goal
    facts = {t.id: list(t.facts) for t in eval_tasks(plan).values()}
    floor_file = docs / "floor.json"
    floor_program = (json.loads(floor_file.read_text())["best"]["program"] if floor_file.exists()
                     else CONSTANT)
    floor_name = ("the best fact-blind picture `--stage floor` found" if floor_file.exists()
                  else "the constant picture (no `--stage floor` run yet)")
    floor = per_fact(fact_blind_rows(plan, floor_program))
    rows_of = functools.cache(lambda name: read(plan, name))  # each committed file read once
    table: dict[str, Any] = {}
    for tag in models(plan):
        for arm in ("search", "none"):
            rows = rows_of(f"{tag}-{arm}")
            if rows is None:
                continue
            calls = sum(bool(r.get("searched")) for r in rows)
            shares = [share_all(r) for r in rows]
            table[f"{tag}-{arm}"] = {
                "samples": len(rows), "facts": len({r["task_id"] for r in rows}), "calls": calls,
                "call_rate": round(calls / len(rows), 4), "call_rate_ci": wilson(calls, len(rows)),
                "recall_at_3": round(statistics.fmean(first_recall(r, facts) for r in rows), 4),
                "gate_pass": round(statistics.fmean(float(bool(r.get("gate_pass"))) for r in rows), 4),
                "checks_share_all": round(statistics.fmean(shares), 4),
                "checks_share_all_ci": bootstrap(list(per_fact(rows).values())),
                # exploratory: how much of the share is the gate's, and whether any drawing is the fact
                "checks_share_gated": round(statistics.fmean(passed), 4) if (passed := [
                    share_all(r) for r in rows if r.get("gate_pass")]) else None,
                "every_check": sum(share_all(r) >= 1.0 for r in rows),
                # exploratory: the share above the best fact-blind picture's on the same facts, paired
                "over_floor": round(paired(floor, per_fact(rows))[0], 4)}
    comparisons: list[dict[str, Any]] = []
    floors: dict[str, dict[str, Any]] = {}
    base = rows_of("base-none")
    for arm, a in groups(plan):
        seeds = a.seeds
        pooled = {k: [v for s in seeds for v in (rows_of(f"{arm}-s{s}-{k}") or [])]
                  for k in ("search", "none")}
        if not pooled["search"] or base is None or not all(rows_of(f"{arm}-s{s}-search") for s in seeds):
            continue
        start = ([v for s in seeds for v in (rows_of(f"{a.sft_tag(s)}-search") or [])]
                 if arm == a.name and a.start == "sft" else [])
        for key, label, against, margin in (
                ("base", f"{arm} with the tool - base without it", base, goals["over_base"]),
                ("tool_off", f"{arm} with the tool - {arm} with it disabled", pooled["none"],
                 goals["over_tool_off"]),
                *([("start", f"{arm} with the tool - its supervised start ({a.name}-sft) with it", start,
                    0.0)] if start else [])):  # exploratory: the rounds' own gain
            diff, p, n = paired(per_fact(against), per_fact(pooled["search"]))
            comparisons.append({"comparison": label, "arm": arm, "against": key, "difference": round(diff, 4),
                                "p": p, "facts": n, "margin": margin})
        if "over_floor_base" in goals:  # issue 73 item 5: credit only above the fact-blind floor
            gain = floors[arm] = above_floor(floor, per_fact(pooled["search"]), per_fact(base))
            if gain["facts"]:  # no fact in common: nothing to compare (a p of None cannot enter Holm)
                comparisons.append({"comparison": f"{arm} with the tool - base without it, above the floor "
                                                  "(each fact's gain over the floor picture, clipped at 0)",
                                    "arm": arm, "against": "floor", "difference": gain["difference"],
                                    "p": gain["p"], "facts": gain["facts"],
                                    "margin": goals["over_floor_base"]})
    for arm in {c["arm"] for c in comparisons}:  # Holm within each group's family
        family = [c for c in comparisons if c["arm"] == arm]
        for c, adjusted in zip(family, holm([c["p"] for c in family]), strict=True):
            c["p_holm"] = adjusted
            c["goal_met"] = (None if c["against"] == "start" else  # exploratory: no goal, reported only
                             adjusted < 0.05 and c["difference"] >= c["margin"])
    commits = sorted({(r.get("scored") or {}).get("commit") or "as evaluated"
                      for name in table for r in rows_of(name) or []})
    constant = constant_picture(plan)
    cold = cold_starts(plan)
    goal = verdict(plan, table, comparisons, cold["carried"], floors)
    starts = {arm: verdict(plan, table, comparisons, arm, floors, a.seeds)
              for arm, a in groups(plan) if arm != a.name}  # each supervised start alone
    data = {"plan": plan.written, "models": table, "comparisons": comparisons,
            "cold_starts": cold, "verdict": goal, "verdicts_supervised_start": starts,
            "constant_picture": constant,
            "floor_picture": floor_program,
            "above_floor": floors, "scored_at": commits, "goals": dict(goals)}
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "report.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    written = Path(plan.written).name
    lines = [f"# {plan.title}", "",
             f"Written by `{command} --stage report` from the rows beside it; the plan, "
             f"declared before any run: [{written}](../{written}). Every row "
             f"scored at commit {', '.join(c[:10] for c in commits) or '(none yet)'}"
             + (" (**more than one: run `--stage rescore`**)" if len(commits) > 1 else "") + ".", "",
             "| model | tool | samples | call rate | recall@3 | gate pass | checks share (gate fails 0) | "
             "gate-passers' checks share (exploratory) | every check passes | over the fact-blind floor "
             "(exploratory) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, m in table.items():
        tag, arm = name.rsplit("-", 1)
        ci = m["checks_share_all_ci"]
        lines.append(f"| {tag} | {arm} | {m['samples']} | {m['call_rate']:.2f} | {m['recall_at_3']:.2f} | "
                     f"{m['gate_pass']:.2f} | {m['checks_share_all']:.3f}"
                     + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "") + " | "
                     + (f"{m['checks_share_gated']:.3f}" if m["checks_share_gated"] is not None else "-")
                     + f" | {m['every_check']} | {m['over_floor']:+.3f} |")
    lines += ["", "| comparison (paired over facts, seeds pooled) | difference | p | p (Holm) | goal |",
              "|---|---|---|---|---|"]
    for c in comparisons:
        lines.append(f"| {c['comparison']} | {c['difference']:+.3f} | {c['p']:.4f} | {c['p_holm']:.4f} | "
                     + ("exploratory (no goal) |" if c["goal_met"] is None else
                        f"{'met' if c['goal_met'] else 'not met'} (+{c['margin']:.2f}) |"))
    if not comparisons:
        lines.append("| (not evaluated yet) | | | | |")
    learners = any(a.learns for a in plan.arms)  # else no rounds: the supervised starts are judged alone
    lines += (_cold_start_lines(cold, plan.path("run").name) if learners else []) + _floor_lines(floors)
    for arm, start in starts.items():
        lines += _verdict_lines(start, f"the supervised start alone ({arm})")
    lines += _verdict_lines(goal) if learners else []
    lines += ["", "Exploratory, the floor: one fact-blind constant picture (a red square in the top left of "
              f"a white page) on every held-out fact passes the gate {constant['gate_pass']:.0%} and earns "
              f"a checks share (gate failures as 0) of **{constant['checks_share_all']:.3f}**; {floor_name} "
              f"earns **{statistics.fmean(floor.values()):.3f}**, and the last column is each model's share "
              "minus that picture's, paired over facts."]
    (docs / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return data


def _floor_lines(floors: dict[str, dict[str, Any]]) -> list[str]:
    """Each arm's gain over the fact-blind floor, fact by fact (seeds pooled, with the tool)."""
    lines: list[str] = []
    for arm, gain in floors.items():
        if not gain["facts"]:
            continue
        lines += ["", f"{arm} with the tool (seeds pooled) against the fact-blind floor, fact by fact: "
                  f"above it on **{gain['facts_over']} of {gain['facts']}** facts; its share above the floor "
                  f"(clipped at 0) {gain['over_floor']:.3f} against the base's without the tool "
                  f"{gain['base_over_floor']:.3f}.", "",
                  "| fact | floor picture | base, no tool | gain | "
                  f"{arm}, tool | gain |", "|---|---|---|---|---|---|"]
        for fact, v in gain["per_fact"].items():
            name = fact.removeprefix("knowledge-").removesuffix("-svg")
            lines.append(f"| {name} | {v['floor']:.3f} | {v['base']:.3f} | {v['base'] - v['floor']:+.3f} | "
                         f"{v['model']:.3f} | {v['model'] - v['floor']:+.3f} |")
    return lines


def _cold_start_lines(cold: dict[str, Any], run: str = "search-learning") -> list[str]:
    """The report's table of the cold starts' validation records and the arm the plan carries."""
    def numbers(values: list[float | None]) -> str:
        return ", ".join("-" if v is None else f"{v:.2f}" for v in values)

    lines = ["", "The cold starts on their 8 validation facts (the plan's choice of arm; rounds' records "
             f"committed in runs-saved/{run}/):", "",
             "| run | rounds | CPU s | first-search rate, rounds 1.. | validation share after"
             " 0 (base), 1, .. rounds | chosen round | its share |", "|---|---|---|---|---|---|---|"]
    for name, r in cold["runs"].items():
        rounds = f"{r['rounds']}" + ("" if r["done"] else " (training)")
        lines.append(f"| {name} | {rounds} | {r['cpu_s']:,.0f} | {numbers(r['first_search_rate'])} | "
                     f"{numbers(r['validation_share'])} | {r['chosen_round']} | {r['chosen_share']:.3f} |")
    averages = "; ".join(f"{arm} {share:.3f} (seeds {', '.join(map(str, cold['seeds_run'][arm]))})"
                         for arm, share in cold["arm_share"].items())
    lines += ["", f"Chosen rounds' share averaged over the seeds run: {averages or '(none yet)'}. Carried to "
              f"the goal: **{cold['carried'] or '(none yet)'}**."]
    return lines


def _verdict_lines(goal: dict[str, Any], who: str = "") -> list[str]:
    """The report's lines on the declared goals for the carried arm (or ``who``: another group)."""
    who = who or f"the carried arm ({goal['arm']})"
    if not goal["evaluated"]:
        return ["", f"Goal: not judged yet ({who} is not evaluated on both seeds)."]
    g = goal["goals"]
    ci = g["call_rate"]["ci"]

    def met(flag: bool) -> str:
        return "met" if flag else "**not met**"

    calls, recall, base, off = g["call_rate"], g["recall_at_3"], g["over_base"], g["over_tool_off"]
    return ["", f"Goal, {who}, seeds pooled: "
            f"(1) call rate {calls['value']:.2f} [{ci[0]:.2f}, {ci[1]:.2f}] >= {calls['goal']:.2f}: "
            f"{met(calls['met'])}; (2) recall@3 {recall['value']:.2f} >= {recall['goal']:.2f}: "
            f"{met(recall['met'])}; (3) over the base without the tool "
            f"{base['difference']:+.3f}: {met(base['goal_met'])}; (4) over itself with the "
            f"tool disabled {off['difference']:+.3f}: {met(off['goal_met'])}"
            + (f"; (5) above the fact-blind floor on {g['facts_over_floor']['facts_over']} of "
               f"{g['facts_over_floor']['facts']} facts ({g['facts_over_floor']['value']:.2f} >= "
               f"{g['facts_over_floor']['goal']:.2f}): {met(g['facts_over_floor']['met'])}; (6) its share "
               f"above the floor over the base's without the tool {g['over_floor_base']['difference']:+.3f}: "
               f"{met(g['over_floor_base']['goal_met'])}" if "facts_over_floor" in g else "")
            + f". **Goal {'reached' if goal['met'] else 'not reached'}.**"]


#: Item 7's held-out facts drawn before and after: the first ``SHOWN`` eval facts by id (chosen before
#: looking), sample 0. ``QUERIES`` samples of each trained model with the tool, by (fact id, sample), have
#: their searches listed for reading by hand.
SHOWN, QUERIES = 8, 20


def pictures(plan: Plan, command: str) -> list[str]:
    """docs/search-learning/before-after.png and queries.md from the committed rows; the models shown.

    Every program is rendered again from its row's text (as learning run 4's pictures are): one row of
    the picture per evaluated model and tool setting, one column per fact.
    """
    import textwrap

    from codepaint_env.policy.learning.experiment.pictures import grid, rendered

    docs, tasks = plan.path("out"), eval_tasks(plan)
    evaluated = {f"{tag}-{arm}": rows for tag in models(plan) for arm in ("none", "search")
                 if (rows := read(plan, f"{tag}-{arm}"))}
    shown = sorted(tasks)[:SHOWN]
    picked = []
    for name, rows in evaluated.items():
        by = {(r["task_id"], int(r["sample"])): r for r in rows}
        picked += [(name, by[(t, 0)]) for t in shown if (t, 0) in by]
    images = rendered([{**r, "program": r.get("code") or ""} for _, r in picked], tasks)
    cells = [(image, "\n".join(textwrap.wrap(tasks[r["task_id"]].prompt.split(",")[0], 30))
              if name == next(iter(evaluated)) else "",
              f"{name}: {'gate ok' if r.get('gate_pass') else 'gate fail'}, {share_all(r):.2f}")
             for (name, r), image in zip(picked, images, strict=True)]
    docs.mkdir(parents=True, exist_ok=True)
    grid(cells, SHOWN, docs / "before-after.png", title_lines=3)
    lines = ["# What the trained models searched for (issue 56 item 7)", "",
             f"Written by `{command} --stage pictures`: the first {QUERIES} samples by "
             "(fact id, sample) of each trained model evaluated with the tool; the first search's query and "
             "its top 3 cards. Read by hand in [knowledge-search.md](../knowledge-search.md).", ""]
    for name, rows in evaluated.items():
        if name.startswith("base") or not name.endswith("-search"):
            continue
        lines += [f"## {name}", "",
                  "| fact | sample | searches | first query | its top 3 | gate | checks share |",
                  "|---|---|---|---|---|---|---|"]
        for r in sorted(rows, key=lambda r: (r["task_id"], int(r["sample"])))[:QUERIES]:
            first = next((c for c in r.get("searches") or [] if c.get("tool") == "search"), None)
            query = str((first or {}).get("query", "")).replace("|", "/")
            top = ", ".join((first or {}).get("ids", [])[:3])
            fact = r["task_id"].removeprefix("knowledge-").removesuffix("-svg")
            lines.append(f"| {fact} | {r['sample']} | "
                         f"{len(r.get('searches') or [])} | {query or '(none)'} | {top} | "
                         f"{'ok' if r.get('gate_pass') else 'fail'} | {share_all(r):.2f} |")
        lines.append("")
    (docs / "queries.md").write_text("\n".join(lines), encoding="utf-8")
    return list(evaluated)


