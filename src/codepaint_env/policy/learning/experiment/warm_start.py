"""The warm-start-grpo form (learning run 2): a warm start, then GRPO through examples/grpo_trl.py.

Each stage is a subprocess, skipped when its output is there, so a stopped run resumes:

1. ``base``: ``codepaint eval`` of the model on the held-out scenes of every train level.
2. per seed (unless ``warm_start`` is 0: then GRPO starts from the base model, and is compared with
   it): ``ws``: a supervised warm start (``examples/grpo_trl.py --warm-start N --levels ...``) on
   programs the generator writes for fresh train scenes of every level; then ``sft``: its evaluation.
3. per seed and arm: ``rl``: GRPO from the warm start with the verifiable reward, one advantage per
   check kind (``--split-checks --aggregation ...``), and either the curriculum (an arm whose
   ``curriculum`` setting is true) or levels drawn uniformly; then its evaluation.

The report (:mod:`.warm_start_report`) gives per level and stage: draws something, gate pass, the
checks share among gate-passers and among all samples, the all-stated-checks pass rate; bootstrap
intervals over tasks; paired sign-flip tests with Holm; the step's seconds split into generate /
render / score; the curriculum's level trace; a picture of each level per stage.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.commands import eval_command
from codepaint_env.policy.learning.experiment.measures import measures, metric, rows_of
from codepaint_env.policy.learning.experiment.plan import Plan

#: The model whose report keeps the historical file names under docs/ (learning-run.md...).
MODEL = "smollm2-135m"


def namespace(plan: Plan) -> argparse.Namespace:
    """Run 2's settings (the arms share every one but ``curriculum``) under their command-line names."""
    first = plan.arms[0]
    s = plan.settings(first, first.seeds[0])
    run = plan.path("run")
    if plan.model != MODEL and Path(plan.model).name not in run.name:  # another policy: a folder of its own
        run = run.with_name(f"{run.name}-{Path(plan.model).name}")
    return argparse.Namespace(
        plan=plan, run=str(run), model=plan.model, seeds=list(first.seeds),
        arms=[a.name for a in plan.arms], curriculum={a.name: bool(plan.settings(a, 0)["curriculum"])
                                                       for a in plan.arms},
        levels=list(plan.levels), eval_levels=list(plan.evaluation.levels), eval_tasks=plan.evaluation.tasks,
        eval_samples=plan.evaluation.samples, max_tokens=s["max_tokens"], warm_start=s["warm_start"],
        grpo_steps=s["grpo_steps"], num_generations=s["num_generations"], batch_size=s["batch_size"],
        learning_rate=s["learning_rate"], aggregation=s["aggregation"], band=tuple(s["band"]),
        min_samples=s["min_samples"], shared_warm_start=s["shared_warm_start"],
        micro_batch=s["micro_batch"] or None, threads=s["threads"] or None, reward=plan.evaluation.reward,
        docs=plan.path("out"), root=plan.root)


def warm_seed(seed: int, args: argparse.Namespace) -> int:
    """The seed of the warm start a seed's GRPO starts from (the first seed's with --shared-warm-start)."""
    return args.seeds[0] if args.shared_warm_start else seed


def start_tag(seed: int, args: argparse.Namespace) -> str:
    """The evaluation a seed's GRPO is compared with: its warm start's, or the base model's without one."""
    return f"sft-s{warm_seed(seed, args)}" if args.warm_start else "base"


def start_name(args: argparse.Namespace) -> str:
    """What GRPO starts from, in words."""
    return "warm start" if args.warm_start else "base"


def names(args: argparse.Namespace) -> tuple[str, str]:
    """The policy's display name and the stem of the report's files under docs/ (SmolLM2's keep theirs)."""
    model = str(args.model)
    display = {"smollm2-135m": "SmolLM2-135M", "qwen2.5-coder-0.5b": "Qwen2.5-Coder-0.5B"}.get(model, model)
    return display, "learning-run" if args.model == MODEL else f"learning-run-{args.model}"


def doc_path(args: argparse.Namespace, name: str) -> Path:
    """A report file under docs/: SmolLM2's under its historical names, another model's under its stem."""
    stem = names(args)[1]
    if stem != "learning-run":
        name = name.replace("learning-run", stem, 1) if name.startswith("learning-run") else name.replace(
            "learning", stem, 1)
    return Path(args.docs) / name


def stages(args: argparse.Namespace) -> list[tuple[str, list[str], Path]]:
    """Every stage in order: its name, its command and the file that shows it is done."""
    run = Path(args.run)
    levels = ",".join(map(str, args.levels))
    train = [sys.executable, str(args.root / "examples/grpo_trl.py"), "--language", "svg", "--levels", levels,
             "--rewards", args.reward]
    out: list[tuple[str, list[str], Path]] = []

    def evals(tag: str, model: str) -> None:
        for level in args.levels if tag == "base" else args.eval_levels or args.levels:
            folder = run / "eval" / tag / f"level-{level}"
            command = eval_command(args.plan.evaluation, model, folder, level=level)
            out.append((f"eval {tag} L{level}", command, folder / "summary.json"))

    evals("base", args.model)
    for seed in args.seeds:
        ws = run / f"ws-s{warm_seed(seed, args)}"
        start = str(ws / "final") if args.warm_start else args.model  # no warm start: GRPO from the base
        if args.warm_start and warm_seed(seed, args) == seed:
            out.append((f"warm start s{seed}", [*train, "--model", args.model, "--seed", str(seed),
                                                "--warm-start", str(args.warm_start), "--max-steps", "0",
                                                "--output-dir", str(ws)], ws / "final/config.json"))
            evals(f"sft-s{seed}", str(ws / "final"))
        for arm in args.arms:
            rl = run / f"rl-{arm}-s{seed}"
            command = [*train, "--model", start, "--seed", str(seed), "--split-checks",
                       "--aggregation", args.aggregation, "--max-steps", str(args.grpo_steps),
                       "--num-generations", str(args.num_generations), "--batch-size", str(args.batch_size),
                       "--max-completion-length", str(args.max_tokens),
                       "--learning-rate", str(args.learning_rate),
                       "--temperature", "0.9", "--output-dir", str(rl)]
            if args.micro_batch:
                command += ["--micro-batch", str(args.micro_batch)]
            if args.curriculum[arm]:
                command += ["--curriculum", "--min-samples", str(args.min_samples),
                            "--band", f"{args.band[0]},{args.band[1]}"]
            out.append((f"grpo {arm} s{seed}", command, rl / "final/config.json"))
            evals(f"rl-{arm}-s{seed}", str(rl / "final"))
    return out


def run_stages(args: argparse.Namespace, which: str = "all") -> dict[str, float]:
    """Run every stage not done yet (``which``: ``train``, ``eval`` or ``all``); each stage's wall seconds."""
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    times_path = run / "stage_seconds.json"
    times: dict[str, float] = json.loads(times_path.read_text()) if times_path.exists() else {}
    for name, command, done in stages(args):
        if done.exists() or (which == "train" and name.startswith("eval")) or (
                which == "eval" and not name.startswith("eval")):
            continue
        print(f"[{name}] {' '.join(command)}", flush=True)
        log = run / "logs" / (name.replace(" ", "_") + ".log")
        log.parent.mkdir(exist_ok=True)
        started = time.perf_counter()
        with log.open("w") as sink:
            threads = {"OMP_NUM_THREADS": str(args.threads)} if args.threads else {}  # GRPO's torch
            rc = subprocess.call(command, stdout=sink, stderr=subprocess.STDOUT, cwd=args.root,
                                 env={**os.environ, "TRL_EXPERIMENTAL_SILENCE": "1", **threads})
        times[name] = round(time.perf_counter() - started, 1)
        times_path.write_text(json.dumps(times, indent=1))
        if rc != 0 or not done.exists():
            raise SystemExit(f"[{name}] failed (exit {rc}); see {log}")
        print(f"[{name}] {times[name]:.0f} s", flush=True)
    return times


def plot_curves(run: Path, args: argparse.Namespace, out: Path) -> None:
    """Per arm and seed: reward, gate pass, checks share (gate-passers), all stated, the frontier level."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("reward", "reward"), ("gate_pass_rate", "gate pass rate"),
              ("codepaint/checks/share", "checks share (gate-passers)"),
              ("codepaint/checks/all_stated", "all stated checks pass (gate-passers)"),
              ("codepaint/curriculum/level", "mean level of the batch")]
    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.4))
    for arm in args.arms:
        for seed in args.seeds:
            path = run / f"rl-{arm}-s{seed}" / "curves.csv"
            if not path.exists():
                continue
            rows = list(csv.DictReader(path.open()))
            steps = [int(r["step"]) for r in rows]
            for ax, (key, title) in zip(axes, panels, strict=True):
                ys = [float(r[key]) if r.get(key) not in (None, "") else float("nan") for r in rows]
                ax.plot(steps, ys, lw=1.2, label=f"{arm} s{seed}",
                        ls="-" if args.curriculum[arm] else "--")
                ax.set_title(title, fontsize=9)
                ax.set_xlabel("GRPO step", fontsize=8)
                ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{names(args)[0]}, GRPO on generated shapes levels (SVG, CPU)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def gallery(run: Path, args: argparse.Namespace, out: Path) -> None:
    """One held-out task per level (rows): the reference, then the base, warm start and RL pictures."""
    from PIL import Image, ImageDraw

    from codepaint_env.render import Renderer
    from codepaint_env.tasks import load_suite

    seed, arm = args.seeds[0], args.arms[0]
    columns = [("reference", None), ("base", "base"),
               *([("warm start", f"sft-s{warm_seed(seed, args)}")] if args.warm_start else []),
               (f"+ GRPO ({arm})", f"rl-{arm}-s{seed}")]
    cell, pad, head = 140, 6, 20
    strip = Image.new("RGB", (len(columns) * (cell + pad) + pad + 40,
                              head + len(args.levels) * (cell + pad + 14) + pad), "white")
    draw = ImageDraw.Draw(strip)
    for j, (title, _) in enumerate(columns):
        draw.text((40 + pad + j * (cell + pad), 4), title, fill="black")
    with Renderer() as renderer:
        for i, level in enumerate(args.levels):
            task = load_suite("shapes", level=level, count=1, split="eval", language="svg")[0]
            y = head + i * (cell + pad + 14)
            draw.text((4, y + cell // 2), f"L{level}", fill="black")
            for j, (_, tag) in enumerate(columns):
                x = 40 + pad + j * (cell + pad)
                label, im = "", None
                if tag is None:
                    im = renderer.render(task.reference_programs["svg"], "svg", size=256).image
                else:
                    folder = run / "eval" / tag / f"level-{level}"
                    row = next((r for r in rows_of(folder) if r["task_id"] == task.id), None)
                    if row is not None and row.get("image"):
                        im = Image.open(folder / row["image"])
                    if row is not None:
                        share = metric(row, "checks/share")
                        label = (f"share {share:.2f}" if row.get("gate_pass") and share is not None
                                 else f"gate failed ({row['render'].get('error_kind') or 'refused'})")
                if im is not None:
                    strip.paste(im.convert("RGB").resize((cell, cell)), (x, y))
                else:
                    draw.rectangle((x, y, x + cell, y + cell), outline="grey")
                draw.text((x, y + cell + 1), label, fill="black")
    strip.save(out)


def collect(run: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """One record per evaluated model and level (docs/learning-run.json's ``runs``)."""
    tags = [("base", None, None)] + [(f"sft-s{s}", "sft", s) for s in args.seeds if args.warm_start] + [
        (f"rl-{a}-s{s}", "rl", s) for s in args.seeds for a in args.arms]
    records = []
    for tag, stage, seed in tags:
        for level in args.levels:
            rows = rows_of(run / "eval" / tag / f"level-{level}")
            if not rows:
                continue
            arm = tag.split("-")[1] if stage == "rl" else None
            records.append({"model": args.model, "stage": stage or "base", "arm": arm, "seed": seed,
                            "level": level, "tag": tag, **measures(rows)})
    return records


def fmt(v: float | None, pct: bool = False) -> str:
    """A rate as a number (or a percentage), ``-`` for none."""
    if v is None:
        return "-"
    return f"{100 * v:.1f} %" if pct else f"{v:.3f}"


