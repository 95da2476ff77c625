"""The committed-rows report (learning run 4 and later): its data from the rows, and its markdown.

:func:`report_data` computes everything the plan declares from each model's rows
(:mod:`codepaint_env.policy.learning.compare`: the plan's families, the goal judged on its first);
:func:`render` writes it as markdown. Neither reads anything but the plan, the rows and the
description of each model (``models.json``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from codepaint_env.policy.learning.compare import (
    ALPHA,
    CI_RESAMPLES,
    FLIPS,
    GATE_TOLERANCE,
    GOAL_BACKGROUND,
    GOAL_RISE,
    MEASURES,
    SEED,
    declared,
    exploratory,
    goal,
    level_record,
    monitors,
)
from codepaint_env.policy.learning.experiment.plan import START, Plan


def thresholds(plan: Plan) -> dict[str, float]:
    """The goal's thresholds the plan declares (each not declared: the compare module's)."""
    goal = plan.goal
    return {"rise": goal.get("rise", GOAL_RISE), "background": goal.get("background", GOAL_BACKGROUND),
            "tolerance": goal.get("gate_tolerance", GATE_TOLERANCE)}


def describe(tag: str, meta: Mapping[str, Any], model: str, big: str | None) -> dict[str, Any]:
    """A model's stage, seed and model name: from ``models.json``, else from its tag."""
    if tag in meta:
        m = meta[tag]
        return {"stage": m.get("stage"), "seed": m.get("seed"), "model": m.get("model")}
    if tag in ("base", "control"):
        return {"stage": tag, "seed": None, "model": model}
    if tag == big:
        return {"stage": "base", "seed": None, "model": tag.removeprefix("base-")}
    algo, _, seed = tag.rpartition("-s")
    return {"stage": algo, "seed": int(seed), "model": model}


def report_data(plan: Plan, rows: Mapping[str, Sequence[Mapping[str, Any]]], meta: Mapping[str, Any],
                settings: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the report shows, as JSON (``runs``: the rows for docs/learning-run.json)."""
    from codepaint_env.policy.learning.experiment import scene_report as scene

    big = plan.bigger_tag(plan.bigger[0]) if plan.bigger else None
    run5 = scene.asks(plan)  # issue 73's measures and goal (run 4's plan asks for none: its report as it was)
    tasks = scene.held_out(plan) if run5 else {}
    rows = scene.annotate(rows, tasks) if run5 else rows
    fams = declared(rows, [(c.family, c.models, _against(plan, c.against, c.models), c.measures)
                           for c in plan.comparisons])
    limits = thresholds(plan)
    learners = {arm.name: arm.seeds for arm in plan.arms}
    verdicts = {} if run5 else goal(fams[plan.comparisons[0].family], rows, learners=learners,
                                    rise=limits["rise"], background=limits["background"],
                                    tolerance=limits["tolerance"])
    size = f"{settings['eval_tasks']}x{settings['eval_samples']}"
    number = scene.run_number(plan)
    runs, pooled, mons, models = [], {}, {}, {}
    for tag, mine in rows.items():
        who = describe(tag, meta, settings["model"], big)
        info = dict(meta.get(tag) or {})
        models[tag] = {**info, **who, "evaluated": bool(mine), "samples": len(mine)}
        if not mine:
            models[tag].setdefault("why", "not yet evaluated")
            continue
        for level in sorted({r["level"] for r in mine}):
            at = [r for r in mine if r["level"] == level]
            runs.append({"run": number, **who, "level": level, "eval": size,
                         "eval_seed": settings["eval_seed"], "checkpoint": info.get("checkpoint"),
                         **level_record(at),
                         **(_scene_record(scene.figures(at)) if run5 else {})})
        pooled[tag] = level_record(mine)
        mons[tag] = {**monitors(mine), "all_stated_samples": sum(
            1 for r in mine if r.get("gate_pass") and r.get("all_stated") == 1.0)}
    data: dict[str, Any] = {
        "run": number, "settings": dict(settings), "models": models, "runs": runs, "pooled": pooled,
        "families": {k: [c.to_dict() for c in v] for k, v in fams.items()},
        "exploratory": {k: [c.to_dict() for c in v] for k, v in exploratory(rows, skip=("base",)).items()},
        "goal": {learner: {"criteria_1_4": g["criteria_1_4"],
                           "seeds": [{**vars(v), "met": v.met} for v in g["seeds"]]}
                 for learner, g in verdicts.items()},
        "monitors": mons,
        "statistics": {"flips": FLIPS, "seed": SEED, "ci_resamples": CI_RESAMPLES,
                       "alpha": scene.alpha(plan),
                       "goal_rise": limits["rise"], "goal_background": limits["background"],
                       "gate_tolerance": limits["tolerance"]},
    }
    if run5:
        collapsed = scene.monitor(plan, rows, tasks)
        data["scene"] = {tag: scene.scene_levels(mine) for tag, mine in rows.items() if mine}
        data["collapse"] = collapsed
        data["goal"] = scene.judge(plan, fams, rows, collapsed)
        data["statistics"] = {k: v for k, v in data["statistics"].items()  # run 4's goal: not this one's
                              if not k.startswith(("goal_", "gate_"))}
    return data


def _against(plan: Plan, against: str, models: Sequence[str]) -> str | dict[str, str]:
    """A family's ``against``: one model, or (``start``) each model's own start."""
    if against != START:
        return against
    return {m: plan.start_of(m) or "base" for m in models}


def _scene_record(f: Mapping[str, Any]) -> dict[str, Any]:
    """The scene measures a ``runs`` row carries (docs/learning-run.json)."""
    keys = ("full_pass", "full_passes", "kind_gated", "background_nonwhite", "background_nonwhite_gated",
            "share")
    return {k: f[k] for k in keys}


def machines_text(models: Mapping[str, Mapping[str, Any]]) -> str:
    """Which CPU each trained model spent its budget on (``machine`` in ``models.json``), or nothing.

    A budget in CPU seconds buys several times the steps where bfloat16 is native (AVX512-BF16, AMX).
    """
    by_machine: dict[str, list[str]] = {}
    for tag, m in models.items():
        if m.get("machine"):
            by_machine.setdefault(str(m["machine"]), []).append(tag)
    if not by_machine:
        return ""
    lines = [f"- {', '.join(tags)}: {machine}" for machine, tags in by_machine.items()]
    return ("\nTrained on (each seed's `machines.txt`; bfloat16 is native with `avx512_bf16` or `amx_bf16`, "
            "and a CPU second buys several times the steps there):\n\n" + "\n".join(lines) + "\n")


def _num(v: float | None, signed: bool = False) -> str:
    return "-" if v is None else (f"{v:+.3f}" if signed else f"{v:.3f}")


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f} %"


def _p(v: float | None) -> str:
    if v is None:
        return "-"
    return f"< {1 / FLIPS:.5f}" if v < 1 / FLIPS else f"{v:.4f}"  # no flip as far: below the test's grain


def comparison_table(comparisons: Sequence[Mapping[str, Any]], against: str,
                     alpha: float = ALPHA) -> list[str]:
    """Markdown: one comparison a row (a comparison not run: why); bold where Holm's p is under ``alpha``."""
    out = [f"| model | measure | {against} | model | difference [95 % CI] | p (sign flip) | p (Holm) | "
           "tasks paired (left out) |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for c in comparisons:
        c = {**c, "after": f"{c['after']} (from {c['before']})"} if against == START else c
        measure = MEASURES.get(c["measure"], c["measure"].removeprefix("kind:"))
        label = f"({c['measure']}) {measure}" if c["measure"] in MEASURES else measure
        if c["p"] is None:
            out.append(f"| {c['after']} | {label} | - | - | {c['note']} | - | - | - |")
            continue
        ci = f" [{c['ci'][0]:+.3f}, {c['ci'][1]:+.3f}]" if c["ci"] else ""
        mark = " **" if c["holm"] is not None and c["holm"] < alpha else " "
        out.append(f"| {c['after']} | {label} | {_num(c['before_mean'])} | {_num(c['after_mean'])} |"
                   f"{mark}{_num(c['diff'], True)}{ci}{mark.strip()} | {_p(c['p'])} | {_p(c['holm'])} | "
                   f"{c['tasks']} ({c['excluded']}) |")
    return out


def goal_lines(data: Mapping[str, Any]) -> list[str]:
    """Markdown: each learner's seeds against criteria 1-4, and what criterion 5 asks."""
    background, tolerance = data["statistics"]["goal_background"], data["statistics"]["gate_tolerance"]
    words = {True: "met", False: "**not met**", None: "not yet measured"}
    out = []
    for learner, g in data["goal"].items():
        reached = {True: "criteria 1-4 **met in both seeds** (criterion 5 is read by hand below)",
                   False: "**not reached**", None: "not yet known (a seed not evaluated)"}[g["criteria_1_4"]]
        out.append(f"* `{learner}`: {reached}")
        for s in g["seeds"]:
            c = s["criteria"]
            out.append(
                f"  * `{s['tag']}`: (1) (a) {_num(s['a_rise'], True)} against {_num(s['a_needed'])} needed, "
                f"Holm p {_p(s['a_holm'])}: {words[c.get('1')]}; (2) (b) {_num(s['b_rise'], True)} "
                f"at least (a)'s: {words[c.get('2')]}; (3) background among gate-passers "
                f"{_pct(s['background'])} against {background:.0%}: {words[c.get('3')]}; (4) gate "
                f"{_num(s['gate_diff'], True)} (at least {tolerance:+.2f}, no significant fall; Holm p "
                f"{_p(s['gate_holm'])}): {words[c.get('4')]}")
    return out


def render(plan: Plan, data: Mapping[str, Any], command: str) -> str:
    """The report as markdown (``command``: the runner's command that writes it again from the rows)."""
    st, models = data["settings"], data["models"]
    level = data["statistics"]["alpha"]
    titles = {c.family: c.title for c in plan.comparisons}
    goal_text = _goal_text(plan, data)
    scene_text = ""
    if "scene" in data:
        from codepaint_env.policy.learning.experiment.scene_report import tables

        scene_text = "\n" + "\n".join(tables(data["scene"], data["collapse"])) + "\n"
    against = {c.family: c.against if c.against in ("base", START) else "bigger base"
               for c in plan.comparisons}
    levels = ", ".join(map(str, st["levels"]))
    model_lines = ["| model | stage | seed | policy | checkpoint evaluated | samples |",
                   "| --- | --- | --- | --- | --- | --- |"]
    for tag, m in models.items():
        where = m.get("checkpoint") or "-"
        rnd = m.get("round") or {}
        if where == "chosen" and "rounds" in rnd:
            where = f"chosen: round {rnd['rounds']} of {rnd.get('of')} (rule `{rnd.get('select')}`)"
        elif where == "chosen" and "step" in rnd:
            where = f"chosen: step {rnd['step']} of {rnd.get('last_step')} (rule `{rnd.get('select')}`)"
        elif str(m.get("stage") or "").endswith("-sft"):
            where = "final: the supervised start alone (the reference programs of train scenes)"
        elif where == "final" and m.get("stage") == "grpo":
            where = "final: GRPO's last step (GRPO is not validated)"
        elif where == "final":
            where = f"final: the last round ({rnd.get('rounds', '?')}; no validation record)"
        why = f" ({m['why']})" if m.get("why") and m["why"] != "not yet evaluated" else ""
        samples = m["samples"] if m["evaluated"] else f"not yet evaluated{why}"
        model_lines.append(f"| {tag} | {m.get('stage')} | {'-' if m.get('seed') is None else m['seed']} | "
                           f"{m.get('model')} | {where} | {samples} |")
    level_lines = ["| model | level | samples | gate pass | checks share, gate-passers | checks share, all | "
                   "all stated | background, gate-passers |",
                   "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    by_tag: dict[str, list[Mapping[str, Any]]] = {}
    for r in data["runs"]:
        by_tag.setdefault(r["tag"] if "tag" in r else _tag(r, models), []).append(r)
    for tag, pooled in data["pooled"].items():
        span = f"{min(st['levels'])}-{max(st['levels'])}" if len(st["levels"]) > 1 else str(st["levels"][0])
        for r in [*by_tag.get(tag, []), {**pooled, "level": f"{span} pooled"}]:
            level_lines.append(f"| {tag} | {r['level']} | {r['samples']} | {_pct(r['gate_pass'])} | "
                               f"{_num(r['checks_share_gated'])} | {_num(r['checks_share_all'])} | "
                               f"{_pct(r['all_stated'])} | {_pct(r['background_gated'])} |")
    mon_lines = ["| model | text | copy | degenerate | invented API | samples passing every stated check |",
                 "| --- | --- | --- | --- | --- | --- |"]
    for tag, m in data["monitors"].items():
        mon_lines.append(f"| {tag} | {_pct(m['text'])} | {_pct(m['copy'])} | {_pct(m['degenerate'])} | "
                         f"{_pct(m['invented_api'])} | {m['all_stated_samples']} |")
    sections = []
    for key, comparisons in data["families"].items():
        sections += [f"### {titles[key]}", "", *comparison_table(comparisons, against[key], level), ""]
    explore = []
    for tag, comparisons in data["exploratory"].items():
        kinds = f"{len(comparisons)} kind{'s' if len(comparisons) != 1 else ''}"
        explore += [f"**{tag}** (Holm over its {kinds}):", "",
                    *comparison_table(comparisons, "base", level), ""]
    no_explore = ("(no model evaluated beside the base yet)" if models.get("base", {}).get("evaluated") else
                  "(the base has no rows on this evaluation: no model to hold each kind against)")
    trained_missing = [t for t in plan.trained if not models.get(t, {}).get("evaluated")]
    caveat = (f"\n**Preliminary:** {', '.join(trained_missing)} not yet evaluated; their comparisons count "
              "as p = 1 in Holm, and the goal is not yet judged.\n" if trained_missing else "")
    return f"""# {plan.title}

Written by `{command}` from the per-sample rows in this folder alone (`rows-<model>.jsonl.gz`),
as {plan.written} declares: held-out levels {levels} (`--split eval`), the first
{st['eval_tasks']} scenes a level, {st['eval_samples']} samples a scene, temperature {st['temperature']},
{st['max_tokens']} new tokens, sampling seed {st['eval_seed']}, the CTranslate2 engine for every model.
{caveat}
<!-- not run: it rewrites this committed report -->
```bash
.venv/bin/python {command}   # recompute this report from the rows
```

## Models

{chr(10).join(model_lines)}
{machines_text(models)}
{goal_text}

## The declared comparisons

Paired by task (a task's value: the mean of its samples), after minus before; two-sided sign-flip
test over tasks ({FLIPS:,} random flips, seed {SEED}); the difference's 95 % bootstrap interval over
tasks ({CI_RESAMPLES:,} resamples, seed {SEED}); Holm within each family at α = {level};
**bold**: significant after Holm. (a) and (e) leave out the tasks where either model has no
gate-passing sample (counted in brackets).

{chr(10).join(sections)}
## Per level

Samples pooled within a level (and over levels 0-2).

{chr(10).join(level_lines)}
{scene_text}
## Exploratory: each other check kind among gate-passers (labelled so; none decides the goal)

{chr(10).join(explore) or no_explore}

## Hack monitors (the gate's sub-checks at 0, share of samples)

{chr(10).join(mon_lines)}
"""


def _run4_goal(plan: Plan, data: Mapping[str, Any]) -> str:
    """Run 4's goal section (issue 55, item 5)."""
    stats = data["statistics"]
    fall = -stats["gate_tolerance"]
    return f"""## The goal (issue 55, item 5), judged on family {plan.comparisons[0].family}

A learner reaches the goal when both seeds meet: (1) (a) rises by at least min({stats['goal_rise']}, half of
1 - the base's (a) over the paired tasks) and survives Holm; (2) (b) rises at least as much as (a);
(3) background passes among its gate-passing samples reach {stats['goal_background']:.0%} (samples pooled);
(4) gate pass (d) falls by no more than {fall:.2f} and does not fall significantly; (5) the
hack monitors and the issue 54 adversary find nothing new (read by hand: the monitors below, and the
adversary's oracle on every sample that passes all stated checks).

{chr(10).join(goal_lines(data))}"""


def _goal_text(plan: Plan, data: Mapping[str, Any]) -> str:
    """The report's goal section: issue 73's (the plan asks for its measures) or run 4's."""
    if "scene" not in data:
        return _run4_goal(plan, data)
    from codepaint_env.policy.learning.experiment.scene_report import goal_section

    return "\n".join(["## The goal (issue 73, item 4): held-out levels pooled, each arm in both seeds", "",
                      *goal_section(plan, data["goal"], _p)])


def _tag(run: Mapping[str, Any], models: Mapping[str, Any]) -> str:
    """The tag of a ``runs`` row (the model whose stage, seed and policy it carries)."""
    for tag, m in models.items():
        if (m.get("stage"), m.get("seed"), m.get("model")) == (run["stage"], run["seed"], run["model"]):
            return tag
    return f"{run['stage']}-s{run['seed']}"
