"""Learning run 5's part of the committed-rows report: the scene measures, template collapse, the goal.

A plan asks for it (:func:`asks`) by naming one of issue 73's measures (``share``,
``background_nonwhite``, ``background_nonwhite_gated``) or goal thresholds (:data:`SCENE_GOALS`); run 4's
plan names none, and its report is written as it was. From the rows alone (and the held-out scenes'
stated pages, read from the tasks :func:`held_out` draws as ``codepaint eval`` did):

* :func:`scene_levels`: each model's full passes, kind right among gate-passers, background right on
  non-white pages (gate failures as not passed, and among gate-passers: issue 73's table), and the
  share paid, per level and pooled, with the counts;
* :func:`~codepaint_env.policy.learning.templates.collapse`: the template-collapse monitor;
* :func:`judge`: issue 73 item 4's goal, arm by arm (both seeds), each criterion a declared threshold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from codepaint_env.policy.learning.compare import ALPHA, PAGE_MEASURES, Comparison, pooled, with_pages
from codepaint_env.policy.learning.experiment.plan import Plan
from codepaint_env.policy.learning.templates import COLOUR_ENTROPY, TEMPLATE_SHARE, collapse

#: Issue 73 item 4's thresholds, as a plan's [goal] names them.
SCENE_GOALS = ("full_pass", "rl_gain", "kind_gated", "background_nonwhite", "template_share",
               "template_share_start", "colour_entropy")
#: The pseudo-model of the collapse table: the generator's own programs of the held-out scenes.
REFERENCES = "references"
#: The measures only this part computes.
SCENE_MEASURES = ("share", *PAGE_MEASURES)
#: Kind right among gate-passers: the object's kind is its ``shape`` claim.
KIND = "kind:shape"
Rows = Sequence[Mapping[str, Any]]


def run_number(plan: Plan) -> int:
    """The run a plan is: ``learning-run-5`` and its arm C's ``learning-run-5-rft`` -> 5; 4 where none."""
    found = re.search(r"learning-run-(\d+)", plan.name) or re.search(r"(\d+)$", plan.name)
    return int(found.group(1)) if found else 4


def _named(plan: Plan) -> set[str]:
    return {*(m for c in plan.comparisons for m in c.measures), plan.primary, *plan.secondary}


def asks(plan: Plan) -> bool:
    """Whether the plan asks for issue 73's measures or goal."""
    return bool(set(plan.goal) & set(SCENE_GOALS)) or bool(_named(plan) & set(SCENE_MEASURES))


def held_out(plan: Plan) -> dict[str, Any]:
    """The held-out scenes every model was evaluated on, by task id."""
    from codepaint_env.policy.learning.eval_rows import eval_tasks
    from codepaint_env.tasks.loading import DEFAULT_LEVEL_COUNT

    ev = plan.evaluation  # no --limit: codepaint eval's own count a level
    return eval_tasks(ev.levels, ev.tasks or DEFAULT_LEVEL_COUNT, ev.language)


def annotate(rows: Mapping[str, Rows], tasks: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each model's rows with ``page``: the page colour its held-out scene states."""
    from codepaint_env.policy.learning.replay import page_of

    pages = {task_id: page_of(task) for task_id, task in tasks.items()}
    return {tag: with_pages(mine, pages) for tag, mine in rows.items()}


def reference_rows(tasks: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The generator's reference program of each held-out scene, as a gate-passing row (a calibration)."""
    return [{"task_id": t.id, "level": t.level, "sample": 0, "gate_pass": True,
             "program": t.reference_programs.get(t.language, "")} for t in tasks.values()]


def _r4(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def figures(rows: Rows) -> dict[str, Any]:
    """One model's scene measures over ``rows`` (samples pooled), with the counts behind them."""
    from codepaint_env.policy.learning.replay import non_white

    gated = [r for r in rows if r.get("gate_pass")]
    on_colour = [r for r in rows if non_white(r.get("page"))]
    right = [r for r in on_colour if r.get("gate_pass") and (r.get("kinds") or {}).get("background") == 1.0]
    return {"samples": len(rows), "full_passes": sum(1 for r in gated if r.get("all_stated") == 1.0),
            "full_pass": _r4(pooled(rows, "c")), "kind_gated": _r4(pooled(rows, KIND)),
            "non_white_samples": len(on_colour), "non_white_gate_passers": sum(1 for r in on_colour if
                                                                                r.get("gate_pass")),
            "background_right": len(right), "background_nonwhite": _r4(pooled(rows, "background_nonwhite")),
            "background_nonwhite_gated": _r4(pooled(rows, "background_nonwhite_gated")),
            "share": _r4(pooled(rows, "share"))}


def scene_levels(rows: Rows) -> dict[str, dict[str, Any]]:
    """:func:`figures` level by level, and ``pooled`` over every level."""
    levels = sorted({r.get("level") for r in rows}, key=lambda v: (v is None, v))
    return {**{str(level): figures([r for r in rows if r.get("level") == level]) for level in levels},
            "pooled": figures(rows)}


def thresholds(plan: Plan) -> dict[str, float | None]:
    """The goal's thresholds the plan declares; collapse's bars where it declares none.

    ``template_share`` (against the base's templates) is 0.5 unless the plan declares only
    ``template_share_start`` (against each model's own start's: its supervised start for arm B).
    """
    out: dict[str, float | None] = {k: float(v) for k, v in plan.goal.items() if k in SCENE_GOALS}
    if "template_share" not in out:
        out["template_share"] = None if "template_share_start" in out else TEMPLATE_SHARE
    return {"template_share_start": None, "colour_entropy": COLOUR_ENTROPY, **out}


def alpha(plan: Plan) -> float:
    """The level a Holm-adjusted p must be under: the plan's ``goal.alpha``, else :data:`ALPHA` (0.05).

    A plan that looks again at models already judged (a second, larger evaluation) declares a smaller
    one, so that its looks together keep the false-positive rate it states.
    """
    return float(plan.goal.get("alpha", ALPHA))


def monitor(plan: Plan, rows: Mapping[str, Rows], tasks: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The template-collapse monitor of every evaluated model, against the base (and its start).

    The held-out scenes' reference programs are monitored too (:data:`REFERENCES`: a calibration of the
    bars, never judged).
    """
    limits = thresholds(plan)
    evaluated = {t: r for t, r in rows.items() if r}
    starts = {tag: start for tag in evaluated if (start := plan.start_of(tag)) is not None}
    every = {**evaluated, REFERENCES: reference_rows(tasks)} if tasks else evaluated
    entropy = limits["colour_entropy"]
    return collapse(every, template_share=limits["template_share"], starts=starts,
                    colour_entropy=COLOUR_ENTROPY if entropy is None else entropy,
                    start_share=limits["template_share_start"])


def _gain(families: Mapping[str, Sequence[Comparison]], tag: str, start: str) -> Comparison | None:
    """The declared comparison of ``tag``'s full passes against its start, if one is declared and run."""
    for comparisons in families.values():
        for c in comparisons:
            if c.after == tag and c.before == start and c.measure == "c":
                return c
    return None


def seed_goal(plan: Plan, tag: str, start: str, families: Mapping[str, Sequence[Comparison]],
              rows: Rows, collapsed: Mapping[str, Any] | None) -> dict[str, Any]:
    """One trained seed against each criterion the plan declares (``None``: not yet measured)."""
    mine = figures(rows) if rows else {}
    gain = _gain(families, tag, start)
    out: dict[str, Any] = {"tag": tag, "start": start, "full_pass": mine.get("full_pass"),
                           "kind_gated": mine.get("kind_gated"),
                           "background_nonwhite": mine.get("background_nonwhite"),
                           "rl_gain": None if gain is None else gain.diff, "rl_holm": None if gain is None
                           else gain.holm, "rl_declared": gain is not None,
                           "template_collapse": None if collapsed is None else collapsed["template_collapse"],
                           "collapse_why": [] if collapsed is None else collapsed["why"],
                           **{k: None if collapsed is None else collapsed[k]
                              for k in ("min_template_ratio", "min_start_ratio", "min_colour_entropy")}}
    criteria: dict[str, bool | None] = {}
    for key in ("full_pass", "kind_gated", "background_nonwhite"):
        if key in plan.goal:
            criteria[key] = None if out[key] is None else bool(out[key] >= float(plan.goal[key]))
    if "rl_gain" in plan.goal:
        significant = gain is not None and gain.holm is not None and gain.holm < alpha(plan)
        criteria["rl_gain"] = (None if gain is None or gain.diff is None else
                               bool(gain.diff >= float(plan.goal["rl_gain"]) and significant))
    criteria["no_collapse"] = None if out["template_collapse"] is None else not out["template_collapse"]
    out["criteria"] = criteria
    values = list(criteria.values())
    out["met"] = False if False in values else (None if None in values else True)
    return out


def judge(plan: Plan, families: Mapping[str, Sequence[Comparison]], rows: Mapping[str, Rows],
          collapsed: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Issue 73 item 4's goal: per arm, each seed's criteria and whether both seeds meet them all."""
    arms: dict[str, Any] = {}
    for arm in (a for a in plan.arms if a.evaluate):
        seeds = [seed_goal(plan, arm.tag(s), arm.start_tag(s), families, rows.get(arm.tag(s)) or [],
                         collapsed.get(arm.tag(s))) for s in arm.seeds]
        mets = [s["met"] for s in seeds]
        arms[arm.name] = {"start": arm.start, "seeds": seeds,
                          "met": False if False in mets else (None if None in mets else True)}
    verdicts = [a["met"] for a in arms.values()]
    reached = True if True in verdicts else (None if None in verdicts else False)
    bigger = {plan.bigger_tag(m): _r4(pooled(rows.get(plan.bigger_tag(m)) or [], "c")) for m in plan.bigger}
    return {"arms": arms, "reached": reached, "thresholds": thresholds(plan), "bigger_full_pass": bigger}


# --------------------------------------------------------------------------- markdown
def _pct(v: float | None, digits: int = 1) -> str:
    return "-" if v is None else f"{100 * v:.{digits}f} %"


def _num(v: float | None, signed: bool = False) -> str:
    return "-" if v is None else (f"{v:+.3f}" if signed else f"{v:.3f}")


def goal_section(plan: Plan, goal: Mapping[str, Any], p_text: Any) -> list[str]:
    """Markdown: the goal's criteria, the run's verdict, each arm and seed (``p_text``: a p value's text)."""
    t = goal["thresholds"]
    words = {True: "met", False: "**not met**", None: "not yet measured"}
    items = [text for key, text in (
        ("full_pass", f"full passes (every stated check, `c`) at least {_pct(t.get('full_pass', 0), 0)}"),
        ("rl_gain", f"RL's own gain in full passes over the model it started from (the base, or its "
                    f"supervised start) at least {t.get('rl_gain', 0):+.2f}, significant after Holm in its "
                    "declared family" + ("" if alpha(plan) == ALPHA else f" at α = {alpha(plan)}")),
        ("kind_gated", f"kind right among gate-passers (`{KIND}`) at least {t.get('kind_gated', 0):.2f}"),
        ("background_nonwhite", f"background right on non-white pages (`background_nonwhite`, gate "
                                f"failures as not) at least {_pct(t.get('background_nonwhite', 0), 0)}"))
        if key in plan.goal]
    asked = [f"({i}) {text}" for i, text in enumerate(items, start=1)]
    bars = [f"at least {_pct(t[key], 0)} of {whose}" for key, whose in (
        ("template_share", "the base's"), ("template_share_start", "its start's (the base, or its supervised "
                                                                   "start)")) if t[key] is not None]
    asked.append(f"({len(asked) + 1}) no template collapse: at every level, distinct templates among "
                 f"gate-passers {' and '.join(bars)}, and colour entropy at least {t['colour_entropy']} bits")
    reached = {True: "**reached** by arm " + ", ".join(f"`{a}`" for a, g in goal["arms"].items() if g["met"]),
               False: "**not reached**", None: "not yet known (a seed not evaluated)"}[goal["reached"]]
    bigger = "; ".join(f"`{tag}` {_pct(v)}" for tag, v in goal["bigger_full_pass"].items())
    out = [f"An arm reaches the goal when both its seeds meet every criterion: {'; '.join(asked)}. A seed "
           "whose templates collapse **fails, whatever its share**.", "",
           f"The run: {reached}." + (f" Full passes of the untrained bigger base: {bigger}." if bigger
                                      else ""),
           ""]
    for name, arm in goal["arms"].items():
        verdict = {True: "met in both seeds", False: "**not reached**", None: "not yet known"}[arm["met"]]
        out.append(f"* `{name}` (start: {arm['start']}): {verdict}")
        for s in arm["seeds"]:
            c = s["criteria"]
            parts = []
            if "full_pass" in c:
                parts.append(f"full passes {_pct(s['full_pass'])}: {words[c['full_pass']]}")
            if "rl_gain" in c:
                gain = (f"{_num(s['rl_gain'], True)} over `{s['start']}`, Holm p {p_text(s['rl_holm'])}"
                        if s["rl_declared"] else f"no declared comparison of `c` against `{s['start']}`")
                parts.append(f"RL gain {gain}: {words[c['rl_gain']]}")
            if "kind_gated" in c:
                parts.append(f"kind right {_num(s['kind_gated'])}: {words[c['kind_gated']]}")
            if "background_nonwhite" in c:
                parts.append(f"background on non-white pages {_pct(s['background_nonwhite'])}: "
                             f"{words[c['background_nonwhite']]}")
            fails = "; fails whatever its share" if s["template_collapse"] else ""
            start = (f", {_pct(s['min_start_ratio'], 0)} of its start's" if s["min_start_ratio"] is not None
                     else "")
            parts.append(f"template_collapse: {_bool(s['template_collapse'])} (distinct templates at the "
                         f"narrowest level {_pct(s['min_template_ratio'], 0)} of the base's{start}, colour "
                         f"entropy at the lowest {_num(s['min_colour_entropy'])} bits){fails}")
            out.append(f"  * `{s['tag']}`: " + "; ".join(parts))
    return out


def _bool(v: bool | None) -> str:
    return "-" if v is None else ("**true**" if v else "false")


def tables(scene: Mapping[str, Mapping[str, Any]], collapsed: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Markdown: the scene measures per level, and the template-collapse monitor per model and level."""
    out = ["## Scene measures per level (issue 73)", "",
           "Samples pooled within a level. Background on non-white pages: passes over the samples on scenes "
           "whose stated page is not white (gate failures as not passed), and over their gate-passers.", "",
           "| model | level | full passes | kind right, gate-passers | background, non-white | background, "
           "non-white gate-passers | share paid |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for tag, levels in scene.items():
        for level, f in levels.items():
            out.append(f"| {tag} | {level} | {f['full_passes']}/{f['samples']} ({_pct(f['full_pass'])}) | "
                       f"{_num(f['kind_gated'])} | {f['background_right']}/{f['non_white_samples']} | "
                       f"{f['background_right']}/{f['non_white_gate_passers']} | {_num(f['share'])} |")
    out += ["", "## Template collapse (issue 73)", "",
            "Distinct program templates among gate-passers (numbers, colours, strings and comments "
            "normalised; `policy/learning/templates.py`) against the base's and the model's start's, and the "
            "colour entropy (bits) of the samples' first painted colour's family (a page cover skipped). "
            f"`{REFERENCES}`: the generator's own program of each held-out scene, one a scene (a "
            "calibration, never judged).", "",
            "| model | template_collapse | level | gate-passers | templates (base's; start's) | "
            "most common template | colour entropy |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for tag, m in collapsed.items():
        verdict = "(calibration)" if tag == REFERENCES else _bool(m["template_collapse"])
        for level, f in m["levels"].items():
            known = "-" if f["base_templates"] is None else str(f["base_templates"])
            if f.get("start_templates") is not None and m.get("start") not in (None, "base"):
                known += f"; {f['start_templates']}"
            out.append(f"| {tag} | {verdict} | {level} | {f['gate_passers']} | {f['templates']} ({known}) | "
                       f"{_pct(f['top_template_share'])} | {_num(f['colour_entropy'])} |")
    return out
