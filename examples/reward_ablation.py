r"""Reward ablation: which reward agrees with the human ratings, with the others, and resists hacks?

    .venv/bin/python examples/reward_ablation.py --rewards execution_gate,classic --limit 20
    .venv/bin/python examples/reward_ablation.py --rewards execution_gate,classic,gate:0.3+classic:0.7
    .venv/bin/python examples/reward_ablation.py --rewards gate:0.3+classic:0.7 --old-gate  # "before"
    .venv/bin/python examples/reward_ablation.py --rewards classic,pairwise_vlm,pointwise_vlm \\
        --output-dir runs/ablation   # judges: OPENAI_BASE_URL, OPENAI_API_KEY, CODEPAINT_JUDGE_MODEL
    # offline dry run of the judge path: `codepaint judge-server --port 8900 &` then
    OPENAI_BASE_URL=http://127.0.0.1:8900/v1 CODEPAINT_JUDGE_MODEL=standin OPENAI_API_KEY=x \\
        .venv/bin/python examples/reward_ablation.py --rewards classic,pairwise_vlm --limit 10

A reward is an id, or a composite written with ``+``: ``gate:0.3+classic:0.7`` (gated by
``execution_gate`` when it is a component). ``--old-gate`` builds every ``execution_gate`` with
its checks against hacks off (no text, copy or degenerate-picture check): the gate as it was,
to compare with.

It scores the rated reference pool (each reference's stored render; a reference is never judged
against itself) and, with ``--code-dir DIR``, directories of generated programs (rendered), with
each reward, and writes to ``--output-dir``:

* ``report.md``: per reward, agreement with the human tiers (AUC love-vs-reject and
  love-vs-okay: the chance a random love render outscores a random reject/okay one; Spearman
  correlation with the tier order reject < okay < love), cost per sample (seconds, judge
  requests, and the gate's checks from :meth:`ExecutionGate.stats`: ``check s`` per sample for
  the degenerate-picture and copy checks, ``OCR s`` per picture read, the share of samples
  read), agreement between rewards (Spearman), and the hacking-probe table
  (:mod:`rewards.probes`), also printed;
* ``distributions.png``: score distributions by tier, one panel per reward;
* ``scatter.png``: reward against reward, coloured by tier;
* ``scores.csv``: every score.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np

import rewards
from rewards.base import Sample
from rewards.gate import STATS_KEYS, ExecutionGate
from rewards.pool import ReferencePool
from rewards.probes import run_probes

TIER_RANK = {"reject": 0, "okay": 1, "love": 2}


def ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank)."""
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x))
    r[order] = np.arange(len(x))
    for v in np.unique(x):
        idx = x == v
        r[idx] = r[idx].mean()
    return r


def spearman(a: list[float], b: list[float]) -> float | None:
    """Spearman's rank correlation, or None when undefined."""
    x, y = np.asarray(a, float), np.asarray(b, float)
    if len(x) < 3 or x.std() == 0 or y.std() == 0:
        return None
    rx, ry = ranks(x), ranks(y)
    return float(np.corrcoef(rx, ry)[0, 1])


def auc(pos: list[float], neg: list[float]) -> float | None:
    """P(a random positive scores above a random negative), ties counting half."""
    if not pos or not neg:
        return None
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float((p > n).mean() + 0.5 * (p == n).mean())


def pool_samples(pool: ReferencePool, language: str, limit: int | None) -> list[tuple[str, str, Sample]]:
    """(id, tier, sample) for the pool's references, ``limit`` per tier."""
    out = []
    for tier in ("love", "okay", "supplement", "reject"):
        refs = list(pool.filter(language=language, tier=tier))[: limit or None]
        for ref in refs:
            s = Sample.from_image(
                ref.image_file,
                language=language,
                prompt=ref.prompt,
                code=ref.code(),
                task_id=ref.id,
                subject=ref.subject,
                colour_family=ref.colour_family,
                exclude_references=[ref.id],
            )
            out.append((ref.id, tier, s))
    return out


def code_samples(dirs: list[str], language: str) -> list[tuple[str, str, Sample]]:
    """(path, "generated", sample) for every program under the directories, rendered."""
    from codepaint_env.render import Renderer

    files = [
        p
        for d in dirs
        for p in sorted(Path(d).rglob("*"))
        if p.is_file() and p.suffix in (".js", ".svg", ".html", ".py", ".tex")
    ]
    if not files:
        return []
    with Renderer() as r:
        results = r.render_many([p.read_text() for p in files], language, size=512, progress="render")
    return [
        (str(p), "generated", Sample(code=p.read_text(), language=res.language, render=res))
        for p, res in zip(files, results, strict=True)
    ]


OLD_GATE = {"text_check": False, "copy_check": False, "degenerate_check": False}


def build_reward(spec: str, old_gate: bool = False) -> rewards.Reward:
    """A reward from an id or a ``+``-joined composite (``gate:0.3+classic:0.7``)."""
    plan = rewards.parse_spec(spec.replace("+", ","))
    parts = [(c.reward, c.weight, OLD_GATE if old_gate and c.id == "execution_gate" else {})
             for c in plan.components]
    if not plan.weighted:
        return rewards.make_reward(parts[0][0], **parts[0][2])
    return rewards.make_reward(parts, name=spec)


def fmt(v: float | None, signed: bool = False) -> str:
    """A number for the report ("–" for None)."""
    return "–" if v is None else (f"{v:+.3f}" if signed else f"{v:.3f}")


def gate_stats(reward: rewards.Reward) -> dict[str, float] | None:
    """The summed :meth:`ExecutionGate.stats` of a reward's gates (itself or a composite's), if any."""
    parts = [reward] + [r for _, r, _ in getattr(reward, "components", [])]
    gates = [r for r in parts if isinstance(r, ExecutionGate)]
    if not gates:
        return None
    return {k: sum(g.stats()[k] for g in gates) for k in STATS_KEYS}


def gate_costs(c: dict[str, float], n: int) -> str:
    """The gate's columns: check seconds per sample, OCR seconds per read, share of samples read."""
    if "gate_samples" not in c:
        return "– | – | –"
    reads = c["gate_ocr_reads"]
    per_read = c["gate_ocr_seconds"] / reads if reads else None
    per_sample = c["gate_check_seconds"] / c["gate_samples"] if c["gate_samples"] else 0.0
    return f"{per_sample:.4f} | {fmt(per_read)} | {reads / n:.0%}"


def main(argv: list[str] | None = None) -> int:
    """Run the ablation; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--rewards",
        default="execution_gate,classic",
        help="comma-separated reward ids (default execution_gate,classic)",
    )
    ap.add_argument("--limit", type=int, default=None, help="references per tier (default all)")
    ap.add_argument("--language", default="p5brush", help="pool language (default p5brush)")
    ap.add_argument("--pool", default=None, help="pool folder (default the repository's)")
    ap.add_argument("--code-dir", action="append", default=[], help="a folder of generated programs")
    ap.add_argument("--probes", type=int, default=8, help="honest samples per probe run (0: no probes)")
    ap.add_argument("--old-gate", action="store_true",
                    help="execution_gate without its checks against hacks (the numbers before them)")
    ap.add_argument("--output-dir", default="runs/ablation", help="where the report goes")
    args = ap.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    pool = ReferencePool(args.pool)
    items = pool_samples(pool, args.language, args.limit) + code_samples(args.code_dir, args.language)
    if not items:
        print(f"reward_ablation: no {args.language} references or programs to score", file=sys.stderr)
        return 2
    ids = [r.strip() for r in args.rewards.split(",") if r.strip()]
    samples = [s for _, _, s in items]
    tiers = [t for _, t, _ in items]
    scores: dict[str, list[float | None]] = {}
    cost: dict[str, dict[str, float]] = {}
    probe_md: list[str] = []
    for rid in ids:
        reward = build_reward(rid, args.old_gate)
        before = gate_stats(reward)
        t0 = time.perf_counter()
        results = reward.score(samples)
        seconds = time.perf_counter() - t0
        scores[rid] = [r.value for r in results]
        totals: dict[str, float] = {}
        for r in results:
            for k, v in r.cost.items():
                totals[k] = totals.get(k, 0.0) + v
        cost[rid] = {
            "seconds_per_sample": seconds / len(samples),
            **{f"{k}_per_sample": v / len(samples) for k, v in totals.items()},
        }
        after = gate_stats(reward)
        if after is not None and before is not None:
            cost[rid].update({f"gate_{k}": after[k] - before[k] for k in after})
        unjudged = sum(v is None for v in scores[rid])
        print(f"{rid}: scored {len(samples)} in {seconds:.1f} s ({unjudged} could not be judged)")
        if args.probes:
            honest = [s for (_, t, s) in items if t == "okay"][: args.probes]
            if honest:
                probe_md.append(run_probes(reward, honest, pool=pool).to_markdown())

    lines = [
        f"# Reward ablation: {args.language} pool at {pool.root}",
        "",
        f"{len(items)} samples: " + ", ".join(f"{t} {tiers.count(t)}" for t in dict.fromkeys(tiers)),
        "",
        "## Agreement with the human tiers",
        "",
        "| reward | AUC love vs reject | AUC love vs okay | Spearman with tier | unjudged | s/sample "
        "| requests/sample | check s/sample | OCR s/read | read |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rid in ids:
        by = {
            t: [v for v, tt in zip(scores[rid], tiers, strict=True) if tt == t and v is not None]
            for t in ("love", "okay", "reject")
        }
        ranked = [
            (TIER_RANK[t], v)
            for v, t in zip(scores[rid], tiers, strict=True)
            if t in TIER_RANK and v is not None
        ]
        rho = spearman([a for a, _ in ranked], [b for _, b in ranked]) if ranked else None
        lines.append(
            f"| {rid} | {fmt(auc(by['love'], by['reject']))} | {fmt(auc(by['love'], by['okay']))} | "
            f"{fmt(rho)} | {sum(v is None for v in scores[rid])} | "
            f"{cost[rid]['seconds_per_sample']:.4f} | {cost[rid].get('requests_per_sample', 0):.1f} | "
            f"{gate_costs(cost[rid], len(samples))} |"
        )
    if len(ids) > 1:
        lines += [
            "",
            "## Agreement between rewards (Spearman)",
            "",
            "| | " + " | ".join(ids) + " |",
            "| --- " * (len(ids) + 1) + "|",
        ]
        for a in ids:
            row = []
            for b in ids:
                pairs = [
                    (x, y)
                    for x, y in zip(scores[a], scores[b], strict=True)
                    if x is not None and y is not None
                ]
                row.append(fmt(spearman([p[0] for p in pairs], [p[1] for p in pairs])))
            lines.append(f"| {a} | " + " | ".join(row) + " |")
    if probe_md:
        lines += [
            "",
            "## Hacking probes",
            "",
            "Each probe is made from an honest `okay` render; `delta` is the change against it.",
            "",
        ]
        for md in probe_md:
            lines += [md, ""]
    lines += [
        "",
        "![distributions](distributions.png)",
        "",
        "![scatter](scatter.png)" if len(ids) > 1 else "",
    ]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")

    with open(out / "scores.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "tier", *ids])
        for i, (name, tier, _) in enumerate(items):
            w.writerow([name, tier, *(scores[r][i] for r in ids)])

    order = [t for t in ("love", "okay", "supplement", "reject", "generated") if t in tiers]
    fig, axes = plt.subplots(1, len(ids), figsize=(4 * len(ids), 3.6), squeeze=False)
    for ax, rid in zip(axes[0], ids, strict=True):
        data = [
            [v for v, t in zip(scores[rid], tiers, strict=True) if t == tier and v is not None]
            for tier in order
        ]
        ax.boxplot(data, tick_labels=order, showmeans=True)
        ax.set_title(rid)
        ax.tick_params(axis="x", rotation=30)
    fig.suptitle("score by human tier")
    fig.tight_layout()
    fig.savefig(out / "distributions.png", dpi=110)
    plt.close(fig)
    if len(ids) > 1:
        pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
        fig, axes = plt.subplots(1, len(pairs), figsize=(4 * len(pairs), 3.8), squeeze=False)
        colours = {
            "love": "#2a9d8f",
            "okay": "#e9c46a",
            "supplement": "#a8a8a8",
            "reject": "#e76f51",
            "generated": "#264653",
        }
        for ax, (a, b) in zip(axes[0], pairs, strict=True):
            for tier in order:
                pts = [
                    (x, y)
                    for x, y, t in zip(scores[a], scores[b], tiers, strict=True)
                    if t == tier and x is not None and y is not None
                ]
                if pts:
                    ax.scatter(*zip(*pts, strict=True), s=14, alpha=0.75, label=tier, color=colours[tier])
            ax.set_xlabel(a)
            ax.set_ylabel(b)
        axes[0][0].legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "scatter.png", dpi=110)
        plt.close(fig)
    print("\n".join(lines[: len(ids) + 8]))
    for md in probe_md:
        print("\n" + md)
    print(f"\nreport: {os.path.abspath(out / 'report.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
