"""The eval-folders form (learning run 3): measures and paired tests read from the run folder's evaluations.

Each evaluation size has its folder (``<run>/eval-<scenes>x<samples>[-seed<N>]``; the plan's
``eval.folder`` is the one the report's tables come from, every other size's paired tests are shown
beside them). A trained model is evaluated at the end (``<arm>-s<seed>``) and, for expert iteration,
after some rounds too (``<arm>-s<seed>-r<N>``: that round's adapter merged into the base).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.measures import (
    measures,
    monitors,
    per_task_gate,
    per_task_share,
    rows_of,
)
from codepaint_env.policy.learning.experiment.plan import Plan
from codepaint_env.policy.learning.stats import bootstrap, holm, paired, wilson


def split_tag(tag: str) -> tuple[str, int | None]:
    """``rft-s0-r2`` -> ``("rft-s0", 2)`` (evaluated after 2 rounds); ``rft-s0`` -> ``("rft-s0", None)``."""
    name, _, rounds = tag.rpartition("-r")
    return (name, int(rounds)) if name and rounds.isdigit() else (tag, None)


def trained_tags(arms: dict[str, tuple[int, ...]], root: Path) -> list[str]:
    """The trained models evaluated under ``root``: each arm and seed, after rounds (``-rN``), at its end."""
    found = {p.name for p in root.glob("*-s*") if p.is_dir()}
    out = []
    for arm, seeds in arms.items():
        for seed in seeds:
            name = f"{arm}-s{seed}"
            earlier = sorted((t for t in found if split_tag(t)[0] == name and split_tag(t)[1]),
                             key=lambda t: split_tag(t)[1] or 0)
            out += [*earlier, *([name] if name in found else [])]
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


def compared(root: Path, arms: dict[str, tuple[int, ...]], levels: list[int]) -> tuple[
        list[dict[str, Any]], dict[str, list[dict[str, Any]]], list[tuple[Any, ...]], list[float]]:
    """The evaluations under ``root``: the base's records, each trained model's, and the paired tests.

    Each comparison is ``(tag, checks share diff, p, tasks, gate diff, gate p)``, trained - base over the
    tasks both were evaluated on (levels pooled); the last item is their Holm-adjusted p values.
    """
    base = record("base", levels, root)
    runs = {tag: record(tag, levels, root) for tag in trained_tags(arms, root)}
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


def rounds_of(folder: Path, learner: str) -> list[dict[str, Any]]:
    """A learner's per-round (rft) or per-step (grpo) records, in order, with cumulative CPU seconds."""
    out: list[dict[str, Any]] = []
    if learner == "rft":
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


def curves(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """Each arm and seed's training curve (rounds or steps), those with one."""
    out = {arm.tag(s): rounds_of(plan.path("run") / arm.tag(s), arm.learner) for arm in plan.arms
           for s in arm.seeds}
    return {k: v for k, v in out.items() if v}


def plot(curves: dict[str, list[dict[str, Any]]], out: Path, title: str) -> None:
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
        for ax, (key, name) in zip(axes, panels, strict=True):
            ys = [r.get(key) if r.get(key) is not None else float("nan") for r in rows]
            style = "-" if tag.startswith("rft") else "--"
            ax.plot([r["round"] for r in rows], ys, lw=1.2, label=tag, ls=style)
            ax.set_title(name, fontsize=9)
            ax.set_xlabel("round (rft) / step (grpo)", fontsize=8)
            ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


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
