"""Every trained seed's validation records and chosen checkpoint, and which arm validates best.

    .venv/bin/python benchmarks/learning/run.py PILOT_PLAN --stage validation   # learning-run-5-pilot.toml

A pilot (learning run 5's: rft against grpo) decides by validation alone, never an eval scene: the arm
whose chosen checkpoint has the higher value under its rule (``select``: ``all`` reads
``checks_share_all``, ``gated`` ``checks_share_gated``) is the one the run uses. This stage reads what
each seed's run folder holds (rft: ``rounds/validation-base.json`` and each round's report; grpo:
``validation/records.json``), applies the rule as the learner does (:func:`validation.choose`), and
writes ``validation.json`` and ``validation.md`` into the plan's ``out`` folder. A seed still training
is shown as it stands (``spent_s`` against its budget), and the verdict says whether every seed is done.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.plan import Arm, Plan
from codepaint_env.policy.learning.validation import RULES, ValidatedSteps, choose, records_of

#: The record's key each rule ranks by.
RULE_KEY = {"all": "checks_share_all", "gated": "checks_share_gated"}


def seed_records(arm: Arm, folder: Path) -> list[dict[str, Any]]:
    """One seed's validation records, the base's first (rft: a round each; grpo: a validated step each)."""
    if arm.learner == "grpo":
        return ValidatedSteps(folder).records()
    return records_of(folder / "rounds")


def _kept_background(folder: Path) -> dict[str, int]:
    """A round's samples on stated non-white pages: how many, their background passes, and those kept."""
    from codepaint_env.policy.learning.replay import non_white

    out = {"non_white_samples": 0, "background_passes": 0, "background_passes_kept": 0}
    path = folder / "samples.jsonl"
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not non_white(row.get("page")):
            continue
        out["non_white_samples"] += 1
        passed = bool(row.get("gate_passed")) and (row.get("kinds") or {}).get("background") == 1.0
        out["background_passes"] += passed
        out["background_passes_kept"] += passed and bool(row.get("kept"))
    return out


def rft_rounds(folder: Path) -> list[dict[str, Any]]:
    """Each finished rft round's measures of issue 73's learner changes, from its report and samples.

    ``passers_below_failure_neutral`` / ``_zero``: the share of gate-passers in mixed groups ranked
    below a failure of their group when a failure is neutral (run 4) and when it counts 0 (run 5), on
    the same samples; ``sampling_share_run``: sampling's share of sampling and training CPU so far
    (the goal: at least half); ``white_background_passes``: replay entries that ``background = "any"``
    would count as background successes and ``non-white`` does not; ``distinct_prompts``: scenes a round.
    """
    out = []
    for path in sorted((folder / "rounds").glob("round-*/report.json")):
        r = json.loads(path.read_text())
        ranking, split, replay = r.get("ranking") or {}, r.get("time_split") or {}, r.get("replay") or {}
        out.append({"round": r.get("round"), "samples": r.get("samples"),
                    "distinct_prompts": r.get("distinct_prompts"), "gate_pass": r.get("gate_pass"),
                    "checks_share_gated": r.get("checks_share_gated"), "kept": r.get("kept"),
                    "trained_on": r.get("trained_on"),
                    "passers_below_failure_neutral": ranking.get("passers_below_failure_neutral"),
                    "passers_below_failure_zero": ranking.get("passers_below_failure_zero"),
                    "sampling_share": split.get("sampling_share"),
                    "sampling_share_run": split.get("sampling_share_run"),
                    "white_background_passes": replay.get("white_background_passes"),
                    "cpu_s": r.get("cpu_s"), **_kept_background(path.parent)})
    return out


#: The per-step figures a GRPO run's metrics give (TRL's ``log_history``; ``codepaint/`` ones are ours).
GRPO_STEP_KEYS = {"reward": "reward", "useful_groups": "codepaint/useful_groups",
                  "passers_below_failure_neutral": "codepaint/passers_below_failure_neutral",
                  "passers_below_failure_zero": "codepaint/passers_below_failure_zero",
                  "distinct_prompts": "codepaint/distinct_prompts",
                  "colour_entropy": "codepaint/colour_entropy"}


def grpo_steps(folder: Path) -> list[dict[str, Any]]:
    """Each logged GRPO step's figures (:data:`GRPO_STEP_KEYS`; ``gate``: the gate part's mean).

    Read from the newest ``checkpoint-*/trainer_state.json``, whose ``log_history`` holds every step
    up to it (steps after the last checkpoint are not there yet).
    """
    states = sorted(folder.glob("checkpoint-*/trainer_state.json"),
                    key=lambda p: int(p.parent.name.split("-")[1]))
    if not states:
        return []
    out = []
    for log in json.loads(states[-1].read_text()).get("log_history", []):
        if "reward" not in log:
            continue
        gate = next((v for k, v in log.items() if k.startswith("rewards/") and "gate" in k
                     and k.endswith("/mean")), None)
        out.append({"step": log.get("step"), "gate": gate,
                    **{name: log.get(key) for name, key in GRPO_STEP_KEYS.items()}})
    return out


def seed_summary(plan: Plan, arm: Arm, seed: int) -> dict[str, Any]:
    """A seed's records, the rule's pick and its value, and how much of its budget it has spent."""
    from codepaint_env.policy.learning.experiment.commands import learner_config
    from codepaint_env.policy.learning.experiment.stages import finished
    from codepaint_env.policy.learning.options import cpu_spent

    select = str(arm.settings.get("select", "gated"))
    folder = plan.path("run") / arm.tag(seed)
    records = seed_records(arm, folder)
    key = RULE_KEY.get(select, "checks_share_gated")
    budget = float(learner_config(plan, arm, seed).cpu_budget_s)
    out: dict[str, Any] = {"tag": arm.tag(seed), "learner": arm.learner, "select": select, "key": key,
                           "records": records, "spent_s": round(cpu_spent(arm.learner, folder), 1),
                           "budget_s": budget, "done": finished(plan, arm, seed), "chosen": None,
                           "value": None, "base_value": None,
                           "rounds": rft_rounds(folder) if arm.learner == "rft" else [],
                           "steps": grpo_steps(folder) if arm.learner == "grpo" else []}
    if records:
        index = choose(records, select)
        out.update(chosen=index, value=records[index].get(key), base_value=records[0].get(key),
                   chosen_step=records[index].get("step", index))
    return out


def decide(plan: Plan) -> dict[str, Any]:
    """Each arm's seeds (:func:`seed_summary`), and the arm with the highest mean chosen value."""
    arms = {arm.name: [seed_summary(plan, arm, s) for s in arm.seeds] for arm in plan.arms}
    means = {}
    for name, seeds in arms.items():
        values = [s["value"] for s in seeds if s["value"] is not None]
        means[name] = round(sum(values) / len(values), 4) if values and len(values) == len(seeds) else None
    ranked = sorted((v, n) for n, v in means.items() if v is not None)
    best = ranked[-1][1] if ranked and len(ranked) == len(means) else None  # every arm validated
    tie = len(ranked) > 1 and ranked[-1][0] == ranked[-2][0]
    done = all(s["done"] for seeds in arms.values() for s in seeds)
    return {"plan": plan.name, "arms": arms, "means": means, "best": None if tie else best, "tie": tie,
            "done": done, "rules": {k: RULES[k] for k in {s["select"] for v in arms.values() for s in v}
                                    if k in RULES}}


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:.4f}"


ROUNDS_INTRO = ("Each round's measures of the learner's changes (issue 73 item 2): gate-passers ranked "
                "below a failure of their group with a failure neutral (run 4) and counted 0 (run 5), on "
                "the same samples; sampling's share of sampling and training CPU, the round's and the "
                "run's; background passes on stated non-white pages, and how many were kept; replay "
                "entries a white page would have counted as background successes.")


def rounds_table(rounds: list[dict[str, Any]]) -> list[str]:
    """:func:`rft_rounds` as a Markdown table (nothing for a learner without rounds)."""
    if not rounds:
        return []
    lines = [ROUNDS_INTRO, "", "| round | samples | scenes | gate pass | kept / trained on | passers below a "
             "failure (neutral → 0) | sampling share (round; run) | non-white: background passes (kept) / "
             "samples | white-page passes in replay | CPU s |", "|" + " --- |" * 10]
    for r in rounds:
        lines.append(f"| {r['round']} | {r['samples']} | {r['distinct_prompts']} | {_num(r['gate_pass'])} | "
                     f"{r['kept']} / {r['trained_on']} | {_num(r['passers_below_failure_neutral'])} → "
                     f"{_num(r['passers_below_failure_zero'])} | {_num(r['sampling_share'])}; "
                     f"{_num(r['sampling_share_run'])} | {r['background_passes']} "
                     f"({r['background_passes_kept']}) / {r['non_white_samples']} | "
                     f"{r['white_background_passes']} | {r['cpu_s']} |")
    return [*lines, ""]


def steps_table(steps: list[dict[str, Any]]) -> list[str]:
    """:func:`grpo_steps` as a Markdown table (nothing for a learner without logged steps)."""
    if not steps:
        return []
    lines = ["Each logged step's figures (TRL's log): the reward, the gate part's mean, groups whose samples "
             "differ, gate-passers ranked below a failure of their group (neutral → 0, the same samples), "
             "distinct prompts, and the colour entropy of the step's pictures.", "",
             "| step | reward | gate | useful groups | passers below a failure (neutral → 0) | prompts | "
             "colour entropy |", "|" + " --- |" * 7]
    for r in steps:
        prompts = "-" if r["distinct_prompts"] is None else r["distinct_prompts"]
        lines.append(f"| {r['step']} | {_num(r['reward'])} | {_num(r['gate'])} | "
                     f"{_num(r['useful_groups'])} | {_num(r['passers_below_failure_neutral'])} → "
                     f"{_num(r['passers_below_failure_zero'])} | {prompts} | {_num(r['colour_entropy'])} |")
    return [*lines, ""]


def render(decision: dict[str, Any], command: str) -> str:
    """``validation.md``: each seed's records as a table, the chosen one in bold, and the verdict."""
    lines = [f"# Validation of {decision['plan']}", "", f"Written by `{command} --stage validation` from "
             "the run folders (validation scenes only; no eval scene is read).", ""]
    for seeds in decision["arms"].values():
        for s in seeds:
            lines += [f"## {s['tag']} ({s['learner']}, rule `{s['select']}`: {s['key']})", "",
                      f"CPU spent {s['spent_s']:.0f} s of {s['budget_s']:.0f} s"
                      f"{'' if s['done'] else ' (still training: as it stands)'}.", "",
                      "| record | step or round | samples | gate pass | share (all) | share (gate-passers) "
                      "| full passes among gate-passers |", "| --- | --- | --- | --- | --- | --- | --- |"]
            for i, r in enumerate(s["records"]):
                mark = "**" if i == s["chosen"] else ""
                lines.append(f"| {mark}{i}{mark} | {r.get('step', i)} | {r.get('samples', '-')} | "
                             f"{_num(r.get('gate_pass'))} | {mark}{_num(r.get('checks_share_all'))}{mark} | "
                             f"{_num(r.get('checks_share_gated'))} | {_num(r.get('all_stated_gated'))} |")
            lines += ["", *rounds_table(s["rounds"]), *steps_table(s["steps"])]
    means = ", ".join(f"{n} {_num(v)}" for n, v in decision["means"].items())
    if decision["best"] is None:
        verdict = "a tie: no arm validates higher" if decision["tie"] else "not every arm has been validated"
    else:
        verdict = f"**{decision['best']}** validates highest"
    state = "every seed has spent its budget" if decision["done"] else "some seed is still training"
    lines += ["## Verdict", "", f"Mean chosen value by arm: {means}. {verdict.capitalize()} ({state}).", ""]
    return "\n".join(lines)


def write(plan: Plan, command: str) -> dict[str, Any]:
    """Decide, and write ``validation.json`` and ``validation.md`` into the plan's ``out`` folder."""
    decision = decide(plan)
    out = plan.path("out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "validation.json").write_text(json.dumps(decision, indent=1) + "\n", encoding="utf-8")
    (out / "validation.md").write_text(render(decision, command), encoding="utf-8")
    return decision
