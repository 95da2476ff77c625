"""A model learns to search before drawing (issue 56, items 5-7): train, evaluate on held-out facts, report.

    .venv/bin/python benchmarks/search_learning.py --stage train --arm warm --seed 0   # one learner's run
    .venv/bin/python benchmarks/search_learning.py --stage eval                        # every eval not done
    .venv/bin/python benchmarks/search_learning.py --stage rescore    # every committed row at this commit
    .venv/bin/python benchmarks/search_learning.py --stage report                      # docs/search-learning/
    .venv/bin/python benchmarks/search_learning.py --stage pictures   # before-after.png, queries.md (item 7)
    .venv/bin/python benchmarks/search_learning.py --stage floor      # the best fact-blind picture found

Everything is declared in docs/search-learning-plan.md before any run; this script does what it says:

* **Learners** (:func:`config`): expert iteration with the search tool (``policy.learning.searching``)
  on Qwen2.5-Coder-0.5B, the knowledge suite's SVG train facts (the search index: train cards only),
  reward ``gate:0.2,checks:0.7`` plus ``search_recall`` 0.1 on the first search where the gate passed,
  ``CPU_BUDGET`` CPU seconds a run, each round a fresh LoRA on the base trained on everything kept so
  far (ReST-EM), checkpoints chosen on held-out train facts by the ``all`` rule. Two cold starts:
  ``warm`` (round 0's first replies are a written search for the scene's subject, its drawings the
  model's own, kept by the reward) and ``bonus`` (from the base, ``first_call`` 0.1: a first search that
  finds the scene's card pays whatever the drawing).
* **Evaluation** (:func:`eval_command`): ``codepaint eval`` of the knowledge suite's SVG *eval* split (facts
  never in training; the index holds every card), ``SAMPLES`` a fact, seed ``EVAL_SEED``, with the tool
  (``search``) and without it (``none``), for the base and each chosen model.
* **Report** (:func:`report`): from the committed rows (``docs/search-learning/rows-*.jsonl.gz``) and the
  runs' committed round records (``runs-saved/search-learning/``: :func:`cold_starts`, the arm the plan
  carries, and :func:`verdict`, its four goals) alone.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "runs" / "search-learning"
DOCS = ROOT / "docs" / "search-learning"
#: The runs' rows as committed (``scripts/save_runs.py``): the cold starts' validation records live here.
SAVED = ROOT / "runs-saved" / "search-learning"
MODEL = "qwen2.5-coder-0.5b"
ARMS = ("warm", "bonus")
SEEDS = (0, 1)
CPU_BUDGET = 3600.0
REWARD = "gate:0.2,checks:0.7"
EVAL_REWARD = "gate:0.2,checks:0.7,search_recall:0.1"
SAMPLES = 2
EVAL_SEED = 4056
MAX_TOKENS = 384
MAX_TOOL_CALLS = 2
#: How the policy calls the tool, in training and evaluation alike: ``<search>query</search>`` in the text
#: (Search-R1's format), not Qwen's ``<tool_call>`` token, whose log-probability at the reply's start is
#: -22.9 in the base and -19.6 after the warm start, which LoRA did not move (plan amendment 5).
TOOL_FORM = "tag"
#: The goal's margins (issue 56 item 6), on the checks share with gate failures counted as 0.
OVER_BASE, OVER_TOOL_OFF = 0.15, 0.10
CALL_RATE_GOAL, RECALL_GOAL = 0.9, 0.8


def config(arm: str, seed: int) -> Any:
    """The declared learner of ``arm`` and ``seed`` (docs/search-learning-plan.md)."""
    from codepaint_env.policy.learning.rft import RFTConfig

    if arm not in ARMS:
        raise SystemExit(f"arm is one of {', '.join(ARMS)}, not {arm!r}")
    return RFTConfig(model=MODEL, reward=REWARD, suite="knowledge", tools="search",
                     max_tool_calls=MAX_TOOL_CALLS, tool_form=TOOL_FORM, scenes=12, k=4, epochs=2,
                     max_tokens=MAX_TOKENS, temperature=0.9, seed=seed, cpu_budget_s=CPU_BUDGET,
                     rounds_from="base", replay=256,
                     validation=8, validation_samples=1, select="all",
                     warm_start_rounds=1 if arm == "warm" else 0,
                     call_bonus=0.1 if arm == "bonus" else 0.0, threads=1,
                     bf16=True, prefix_reuse=True)  # amendment 3: 1.9x LoRA passes, 1.38x rollouts


def train(arm: str, seed: int) -> Path:
    """Run (or resume) one learner; returns its run folder."""
    from codepaint_env.policy.learning.rft import run_rft

    out = RUN / f"{arm}-s{seed}"
    run_rft(config(arm, seed), out, log=lambda line: print(line, flush=True))
    return out


def models() -> dict[str, str | None]:
    """Each evaluated model's tag and what ``codepaint eval`` loads (``None``: its run is not done yet)."""
    from codepaint_env.policy.learning.options import budget_spent
    from codepaint_env.policy.learning.validation import evaluated

    out: dict[str, str | None] = {"base": MODEL}
    for arm in ARMS:
        for seed in SEEDS:
            folder = RUN / f"{arm}-s{seed}"
            done = (folder / "config.json").exists() and budget_spent("rft", folder, CPU_BUDGET)
            out[f"{arm}-s{seed}"] = str(evaluated(folder)[0]) if done else None
    return out


def eval_command(model: str, tool: bool, out: Path) -> list[str]:
    """One ``codepaint eval`` (niced, resumable) of the held-out facts, with or without the tool."""
    return ["nice", "-n", "10", str(Path(sys.executable).parent / "codepaint"), "eval", "--model", model,
            "--engine", "ct2", "--suite", "knowledge", "--language", "svg", "--split", "eval",
            "--samples", str(SAMPLES), "--seed", str(EVAL_SEED), "--temperature", "0.7",
            "--max-tokens", str(MAX_TOKENS), "--reward", EVAL_REWARD, "--out", str(out), "--resume",
            "--no-progress",
            *(["--tools", "search", "--max-tool-calls", str(MAX_TOOL_CALLS), "--tool-form", TOOL_FORM]
              if tool else [])]


def evaluate() -> None:
    """Every declared eval whose model is ready and whose rows are not exported yet."""
    DOCS.mkdir(parents=True, exist_ok=True)
    for tag, model in models().items():
        for tool in (True, False):
            name = f"{tag}-{'search' if tool else 'none'}"
            rows_file = DOCS / f"rows-{name}.jsonl.gz"
            if model is None or rows_file.exists():
                continue
            out = RUN / "eval" / name
            command = eval_command(model, tool, out)
            print(f"[{name}] {' '.join(command)}", flush=True)
            started = time.monotonic()
            rc = subprocess.call(command, cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": "1"})
            print(f"[{name}] exit {rc} after {time.monotonic() - started:.0f} s", flush=True)
            if rc != 0:
                raise SystemExit(f"[{name}] eval failed (exit {rc})")
            export(out, rows_file)


#: What a committed row keeps of an eval's rollout (no pictures, no token ids).
KEPT = ("task_id", "sample", "model", "prompt", "completion", "code", "finish_reason", "gate", "gate_pass",
        "draws_something", "reward", "metrics", "tool_calls", "searched", "searches", "retrieved", "recall",
        "replies")


def export(folder: Path, rows_file: Path) -> None:
    """An eval's rows, trimmed to :data:`KEPT`, scored at this commit, gzipped into the docs."""
    rows = [json.loads(line) for line in (folder / "rollouts.jsonl").read_text().splitlines() if line.strip()]
    write_rows(rows_file, rescored([{k: r.get(k) for k in KEPT} for r in rows]))


def write_rows(rows_file: Path, rows: list[dict[str, Any]]) -> None:
    """Committed rows, gzipped JSON Lines."""
    with gzip.open(rows_file, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)


def rescored(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with their render, gate and checks made again under this commit's checks.

    The evaluations run sessions apart, and a check may be fixed between them: every committed row is
    scored by one commit's checks (:func:`.eval_rows.rescore`, as learning run 4's rows are), under
    ``REWARD`` (the gate and the checks; the searches, and so the recall, are the policy's own and kept
    as sampled). The reward the evaluation paid (with ``search_recall``) stays as
    ``reward_as_evaluated``.
    """
    from codepaint_env.policy.learning.eval_rows import rescore
    from codepaint_env.policy.learning.provenance import commit_of
    from codepaint_env.tasks import load_suite

    if not rows:
        return rows
    tasks = {t.id: t for t in load_suite("knowledge", split="eval", language="svg")}
    commit = commit_of(ROOT)
    out = []
    for row, new in zip(rows, rescore(rows, tasks, REWARD), strict=True):
        kept = {k: new.get(k) for k in KEPT}
        out.append({**kept, "reward_as_evaluated": row.get("reward_as_evaluated", row.get("reward")),
                    "scored": {"reward": REWARD, "commit": commit}})
    return out


def rescore_committed() -> list[str]:
    """Score every committed row file again at this commit (after a check changed); the files done."""
    done = []
    for rows_file in sorted(DOCS.glob("rows-*.jsonl.gz")):
        rows = read(rows_file.name[len("rows-"):-len(".jsonl.gz")]) or []
        write_rows(rows_file, rescored(rows))
        done.append(rows_file.name)
    return done


def read(name: str) -> list[dict[str, Any]] | None:
    """The committed rows of one eval (``None``: not evaluated yet)."""
    path = DOCS / f"rows-{name}.jsonl.gz"
    if not path.exists():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def share_all(row: dict[str, Any]) -> float:
    """A sample's checks share with a gate failure counted as 0."""
    share = (row.get("metrics") or {}).get("checks/share")
    return float(share) if row.get("gate_pass") and share is not None else 0.0


def first_recall(row: dict[str, Any], facts: dict[str, list[str]]) -> float:
    """The share of the fact's cards among the first search's top 3 (0 without a search)."""
    first = next((c for c in row.get("searches") or [] if c.get("tool") == "search"), None)
    needed = facts.get(row["task_id"]) or []
    found = set((first or {}).get("ids", [])[:3])
    return sum(f in found for f in needed) / len(needed) if needed else 0.0


def per_fact(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Each fact's mean checks share (gate failures as 0) over its samples."""
    out: dict[str, list[float]] = {}
    for r in rows:
        out.setdefault(r["task_id"], []).append(share_all(r))
    return {t: statistics.fmean(v) for t, v in out.items()}


#: A fact-blind constant picture (a red square in the top left of a white page), scored on every held-out
#: fact: what the checks share pays a drawing that knows no fact, the floor a trained model must clear.
CONSTANT = ('<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><rect width="512" height="512" '
            'fill="white"/><rect width="256" height="256" fill="red"/></svg>')


def fact_blind_rows(program: str) -> list[dict[str, Any]]:
    """One program drawn the same on every held-out fact, scored as the models' rows are."""
    from codepaint_env.policy.learning.eval_rows import rescore
    from codepaint_env.tasks import load_suite

    tasks = {t.id: t for t in load_suite("knowledge", split="eval", language="svg")}
    return rescore([{"task_id": t, "sample": 0, "code": program, "completion": program} for t in tasks],
                   tasks, REWARD)


def fact_blind(program: str) -> dict[str, float]:
    """One program drawn the same on every held-out fact: its gate pass and checks share (failures 0)."""
    rows = fact_blind_rows(program)
    return {"gate_pass": round(statistics.fmean(float(bool(r.get("gate_pass"))) for r in rows), 4),
            "checks_share_all": round(statistics.fmean(share_all(r) for r in rows), 4)}


def constant_picture() -> dict[str, float]:
    """:data:`CONSTANT`'s gate pass and checks share (gate failures as 0) over the held-out facts."""
    return fact_blind(CONSTANT)


#: The fact-blind search's vocabulary: a page colour, then one or two rectangles on it.
FLOOR_COLOURS = ("white", "black", "red", "blue", "navy", "green", "yellow", "orange", "lightblue")


def floor_search(candidates: int = 60, seed: int = 56) -> dict[str, Any]:
    """The best-paying fact-blind picture a seeded random search finds (docs/search-learning/floor.json).

    Each candidate is one SVG drawn the same on every held-out fact (a page colour and one or two
    rectangles of random colour, place and size), scored by the same checks as the models; the best
    mean checks share (gate failures as 0) is what the measure pays a drawing that knows no fact.
    """
    import random

    rng = random.Random(seed)

    def candidate() -> str:
        parts = [f'<rect width="512" height="512" fill="{rng.choice(FLOOR_COLOURS)}"/>']
        for _ in range(rng.randint(1, 2)):
            w, h = rng.choice((128, 171, 256, 512)), rng.choice((128, 171, 256, 512))
            x, y = rng.choice(range(0, 513 - w, 32)), rng.choice(range(0, 513 - h, 32))
            fill = rng.choice(FLOOR_COLOURS)
            parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>')
        return '<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">' + "".join(parts) + "</svg>"

    best = {"checks_share_all": -1.0}
    for _ in range(candidates):
        program = candidate()
        share = fact_blind(program)["checks_share_all"]
        if share > best["checks_share_all"]:
            best = {"checks_share_all": share, "program": program}
    out = {"candidates": candidates, "seed": seed, "best": best, "constant": constant_picture()}
    DOCS.mkdir(parents=True, exist_ok=True)
    (DOCS / "floor.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return out


def _json_gz(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def cold_starts(saved: Path | None = None) -> dict[str, Any]:
    """The plan's choice of arm, from each run's committed validation records.

    Per run: its rounds, CPU seconds, first-search rate per round, validation checks share (gate
    failures as 0) after 0 (the base), 1, 2, ... rounds, and the round the ``all`` rule picks. Per arm:
    the chosen rounds' share averaged over the seeds whose run spent its budget. ``carried``: the arm
    with the higher average (ties to ``warm``, the first declared), ``None`` before any run is done.
    """
    from codepaint_env.policy.learning.validation import choose

    saved = SAVED if saved is None else saved
    runs: dict[str, Any] = {}
    for arm in ARMS:
        for seed in SEEDS:
            rounds_dir = saved / f"{arm}-s{seed}" / "rounds"
            if not (rounds_dir / "validation-base.json.gz").exists():
                continue
            reports = [_json_gz(p) for p in sorted(rounds_dir.glob("round-*/report.json.gz"))]
            records = [_json_gz(rounds_dir / "validation-base.json.gz")]
            records += [r["validation"] for r in reports if r.get("validation")]
            chosen = choose(records, "all")
            cpu_s = round(sum(r["cpu_s"] for r in reports), 1)
            runs[f"{arm}-s{seed}"] = {
                "arm": arm, "seed": seed, "rounds": len(reports), "cpu_s": cpu_s, "done": cpu_s >= CPU_BUDGET,
                "first_search_rate": [(r.get("search") or {}).get("call_rate") for r in reports],
                "validation_share": [r.get("checks_share_all") for r in records],
                "chosen_round": chosen, "chosen_share": records[chosen].get("checks_share_all")}
    arms = {arm: round(statistics.fmean(shares), 4) for arm in ARMS if (shares := [
        r["chosen_share"] for r in runs.values() if r["arm"] == arm and r["done"]])}
    carried = max(arms, key=lambda a: (arms[a], a == "warm")) if arms else None
    return {"runs": runs, "arm_share": arms, "carried": carried,
            "seeds_run": {arm: sorted(r["seed"] for r in runs.values() if r["arm"] == arm and r["done"])
                          for arm in ARMS}}


def verdict(table: dict[str, Any], comparisons: list[dict[str, Any]], carried: str | None) -> dict[str, Any]:
    """The four declared goals for the carried arm, its seeds pooled (``None``: not all evaluated yet)."""
    from codepaint_env.policy.learning.stats import wilson

    if carried is None or not all(f"{carried}-s{s}-search" in table for s in SEEDS):
        return {"arm": carried, "evaluated": False}
    pooled = [table[f"{carried}-s{s}-search"] for s in SEEDS]
    samples = sum(m["samples"] for m in pooled)
    calls = sum(m["calls"] for m in pooled)
    recall = sum(m["recall_at_3"] * m["samples"] for m in pooled) / samples
    mine = {c["against"]: c for c in comparisons if c["arm"] == carried}
    goals = {"call_rate": {"value": round(calls / samples, 4), "ci": wilson(calls, samples),
                           "goal": CALL_RATE_GOAL, "met": calls / samples >= CALL_RATE_GOAL},
             "recall_at_3": {"value": round(recall, 4), "goal": RECALL_GOAL, "met": recall >= RECALL_GOAL},
             "over_base": mine["base"], "over_tool_off": mine["tool_off"]}
    return {"arm": carried, "evaluated": True, "goals": goals,
            "met": all(g.get("met", g.get("goal_met")) for g in goals.values())}


def report() -> dict[str, Any]:
    """docs/search-learning/report.{md,json} from the committed rows (see the plan for every figure)."""
    from codepaint_env.policy.learning.stats import bootstrap, holm, paired, wilson
    from codepaint_env.tasks import load_suite

    facts = {t.id: list(t.facts) for t in load_suite("knowledge", split="eval", language="svg")}
    floor_file = DOCS / "floor.json"
    floor_program = (json.loads(floor_file.read_text())["best"]["program"] if floor_file.exists()
                     else CONSTANT)
    floor_name = ("the best fact-blind picture `--stage floor` found" if floor_file.exists()
                  else "the constant picture (no `--stage floor` run yet)")
    floor = per_fact(fact_blind_rows(floor_program))
    table: dict[str, Any] = {}
    for tag in models():
        for arm in ("search", "none"):
            rows = read(f"{tag}-{arm}")
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
    comparisons = []
    for arm in ARMS:
        pooled = {k: [v for s in SEEDS for v in (read(f"{arm}-s{s}-{k}") or [])] for k in ("search", "none")}
        base = read("base-none")
        if not pooled["search"] or base is None or not all(read(f"{arm}-s{s}-search") for s in SEEDS):
            continue
        for key, label, against, margin in (
                ("base", f"{arm} with the tool - base without it", base, OVER_BASE),
                ("tool_off", f"{arm} with the tool - {arm} with it disabled", pooled["none"], OVER_TOOL_OFF)):
            diff, p, n = paired(per_fact(against), per_fact(pooled["search"]))
            comparisons.append({"comparison": label, "arm": arm, "against": key, "difference": round(diff, 4),
                                "p": p, "facts": n, "margin": margin})
    for c, adjusted in zip(comparisons, holm([c["p"] for c in comparisons]), strict=True):
        c["p_holm"] = adjusted
        c["goal_met"] = adjusted < 0.05 and c["difference"] >= c["margin"]
    commits = sorted({(r.get("scored") or {}).get("commit") or "as evaluated"
                      for name in table for r in read(name) or []})
    constant = constant_picture()
    cold = cold_starts()
    goal = verdict(table, comparisons, cold["carried"])
    data = {"plan": "docs/search-learning-plan.md", "models": table, "comparisons": comparisons,
            "cold_starts": cold, "verdict": goal, "constant_picture": constant,
            "floor_picture": floor_program,
            "scored_at": commits,
            "goals": {"call_rate": CALL_RATE_GOAL, "recall_at_3": RECALL_GOAL, "over_base": OVER_BASE,
                      "over_tool_off": OVER_TOOL_OFF}}
    DOCS.mkdir(parents=True, exist_ok=True)
    (DOCS / "report.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    lines = ["# Search before drawing, learned: held-out facts (issue 56)", "",
             "Written by `benchmarks/search_learning.py --stage report` from the rows beside it; the plan, "
             "declared before any run: [search-learning-plan.md](../search-learning-plan.md). Every row "
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
                     f"{'met' if c['goal_met'] else 'not met'} (+{c['margin']:.2f}) |")
    if not comparisons:
        lines.append("| (not evaluated yet) | | | | |")
    lines += _cold_start_lines(cold) + _verdict_lines(goal)
    lines += ["", "Exploratory, the floor: one fact-blind constant picture (a red square in the top left of "
              f"a white page) on every held-out fact passes the gate {constant['gate_pass']:.0%} and earns "
              f"a checks share (gate failures as 0) of **{constant['checks_share_all']:.3f}**; {floor_name} "
              f"earns **{statistics.fmean(floor.values()):.3f}**, and the last column is each model's share "
              "minus that picture's, paired over facts."]
    (DOCS / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return data


def _cold_start_lines(cold: dict[str, Any]) -> list[str]:
    """The report's table of the cold starts' validation records and the arm the plan carries."""
    def numbers(values: list[float | None]) -> str:
        return ", ".join("-" if v is None else f"{v:.2f}" for v in values)

    lines = ["", "The cold starts on their 8 validation facts (the plan's choice of arm; rounds' records "
             "committed in runs-saved/search-learning/):", "",
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


def _verdict_lines(goal: dict[str, Any]) -> list[str]:
    """The report's lines on the four declared goals for the carried arm."""
    if not goal["evaluated"]:
        return ["", f"Goal: not judged yet (the carried arm, {goal['arm']}, is not evaluated on both seeds)."]
    g = goal["goals"]
    ci = g["call_rate"]["ci"]

    def met(flag: bool) -> str:
        return "met" if flag else "**not met**"

    calls, recall, base, off = g["call_rate"], g["recall_at_3"], g["over_base"], g["over_tool_off"]
    return ["", f"Goal, the carried arm ({goal['arm']}), seeds pooled: "
            f"(1) call rate {calls['value']:.2f} [{ci[0]:.2f}, {ci[1]:.2f}] >= {CALL_RATE_GOAL:.2f}: "
            f"{met(calls['met'])}; (2) recall@3 {recall['value']:.2f} >= {RECALL_GOAL:.2f}: "
            f"{met(recall['met'])}; (3) over the base without the tool "
            f"{base['difference']:+.3f}: {met(base['goal_met'])}; (4) over itself with the "
            f"tool disabled {off['difference']:+.3f}: {met(off['goal_met'])}. "
            f"**Goal {'reached' if goal['met'] else 'not reached'}.**"]


#: Item 7's held-out facts drawn before and after: the first ``SHOWN`` eval facts by id (chosen before
#: looking), sample 0. ``QUERIES`` samples of each trained model with the tool, by (fact id, sample), have
#: their searches listed for reading by hand.
SHOWN, QUERIES = 8, 20


def pictures() -> list[str]:
    """docs/search-learning/before-after.png and queries.md from the committed rows; the models shown.

    Every program is rendered again from its row's text (as learning run 4's pictures are): one row of
    the picture per evaluated model and tool setting, one column per fact.
    """
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import textwrap

    from codepaint_env.tasks import load_suite
    from learning4_pictures import _grid, rendered

    tasks = {t.id: t for t in load_suite("knowledge", split="eval", language="svg")}
    evaluated = {f"{tag}-{arm}": rows for tag in models() for arm in ("none", "search")
                 if (rows := read(f"{tag}-{arm}"))}
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
    DOCS.mkdir(parents=True, exist_ok=True)
    _grid(cells, SHOWN, DOCS / "before-after.png", title_lines=3)
    lines = ["# What the trained models searched for (issue 56 item 7)", "",
             f"Written by `benchmarks/search_learning.py --stage pictures`: the first {QUERIES} samples by "
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
    (DOCS / "queries.md").write_text("\n".join(lines), encoding="utf-8")
    return list(evaluated)


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stage", required=True,
                    choices=("train", "eval", "rescore", "report", "pictures", "floor"),
                    help="rescore: every committed row file scored again at this commit, then the report")
    ap.add_argument("--arm", choices=ARMS, help="train: the cold start")
    ap.add_argument("--seed", type=int, choices=SEEDS, help="train: the seed")
    args = ap.parse_args(argv)
    if args.stage == "train":
        if args.arm is None or args.seed is None:
            ap.error("--stage train needs --arm and --seed")
        train(args.arm, args.seed)
    elif args.stage == "eval":
        evaluate()
        report()
    elif args.stage == "rescore":
        print(f"scored again at this commit: {', '.join(rescore_committed()) or 'nothing committed yet'}")
        report()
    elif args.stage == "floor":
        print(json.dumps(floor_search(), indent=1))
    elif args.stage == "pictures":
        print(f"before-after.png and queries.md: {', '.join(pictures()) or 'nothing evaluated yet'}")
    else:
        report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
