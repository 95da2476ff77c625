"""Pictures drawn again from committed rows alone: the same scenes by every model, and every full pass.

Each program is rendered again from its row's text at its task's size, so anyone can make them
from the repository (``benchmarks/learning/run.py PLAN --stage pictures``):

- ``scenes.png``: the same held-out scenes drawn by every model, the first two scenes of each level by
  id (chosen before looking), sample 0; each picture labelled with its reward and gate.
- ``full-passes.png``: every sample that passes every stated check, for every model, with its prompt
  (learning run 4's goal 5 read these by hand); ``full-passes.json`` lists them (model, task, sample,
  prompt).

The search learner's pictures use :func:`rendered` and :func:`grid` too.
"""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.plan import Plan


def _prompt(task: Any) -> str:
    return str(task.prompt).split(" as an SVG")[0].rstrip(",")


def rendered(rows: Sequence[Mapping[str, Any]], tasks: Mapping[str, Any]) -> list[Any]:
    """Each row's program rendered as its evaluation did (its task's size, seed 0): images or ``None``."""
    from PIL import Image

    from codepaint_env.render import Renderer

    with Renderer() as renderer:
        futures = [renderer.submit(r.get("program") or "", tasks[r["task_id"]].language,
                                   size=tasks[r["task_id"]].size, seed=0) for r in rows]
        results = [f.result() for f in futures]
    return [Image.open(io.BytesIO(res.png)).convert("RGB") if res.ok and res.png else None for res in results]


def grid(cells: Sequence[tuple[Any, str, str]], columns: int, out: Path, title_lines: int) -> None:
    """A grid of ``(image, title, label)`` cells."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = max(1, -(-len(cells) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(2.0 * columns, (2.0 + 0.12 * title_lines) * rows),
                             squeeze=False)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.axis("off")
    for ax, (image, title, label) in zip(axes.flat, cells, strict=False):
        ax.axis("on")
        if image is not None:
            ax.imshow(image)
        else:
            ax.text(0.5, 0.5, "no picture", ha="center", va="center", fontsize=7)
        ax.set_title(title, fontsize=5.5)
        ax.set_xlabel(label, fontsize=6)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def scenes_sheet(models: Mapping[str, Sequence[Mapping[str, Any]]], tasks: Mapping[str, Any], out: Path,
                 per_level: int = 2) -> list[str]:
    """The same held-out scenes drawn by every model (a row each); returns the task ids shown."""
    by = {tag: {(r["task_id"], r["sample"]): r for r in rows} for tag, rows in models.items() if rows}
    levels = sorted({(tasks[t].level or 0) for t in tasks})
    chosen: list[str] = []
    for level in levels:
        ids = sorted(t for t in tasks if (tasks[t].level or 0) == level
                     and all((t, 0) in rows for rows in by.values()))
        chosen += ids[:per_level]
    picked = [(tag, by[tag][(t, 0)]) for tag in by for t in chosen]
    images = rendered([r for _, r in picked], tasks)
    cells = []
    for (tag, r), image in zip(picked, images, strict=True):
        title = "\n".join(textwrap.wrap(_prompt(tasks[r["task_id"]]), 34)) if tag == next(iter(by)) else ""
        cells.append((image, title, f"{tag}: {'gate ok' if r.get('gate_pass') else 'gate fail'}, "
                                    f"{float(r.get('reward') or 0):.2f}"))
    grid(cells, len(chosen), out, title_lines=6)
    return chosen


def full_passes(models: Mapping[str, Sequence[Mapping[str, Any]]], tasks: Mapping[str, Any], out: Path,
                columns: int = 8) -> list[dict[str, Any]]:
    """Every sample passing every stated check, each with its prompt; returns them as a list."""
    picked = [(tag, r) for tag, rows in models.items() for r in rows
              if float(r.get("all_stated") or 0) >= 1.0]
    images = rendered([r for _, r in picked], tasks)
    cells = [(image, "\n".join(textwrap.wrap(_prompt(tasks[r["task_id"]]), 34)),
              f"{tag} {r['task_id'].split('-')[2][:6]} s{r['sample']}")
             for (tag, r), image in zip(picked, images, strict=True)]
    grid(cells, columns, out, title_lines=6)
    return [{"model": tag, "task_id": r["task_id"], "sample": r["sample"], "level": r.get("level"),
             "prompt": _prompt(tasks[r["task_id"]])} for tag, r in picked]


def draw(plan: Plan) -> str:
    """Both pictures from the rows under the plan's ``out``; a line saying what was drawn."""
    from codepaint_env.policy.learning.eval_rows import eval_tasks, read_rows

    out, ev = plan.path("out"), plan.evaluation
    tasks = eval_tasks(ev.levels, ev.tasks or 0, ev.language)
    models = {tag: read_rows(out / f"rows-{tag}.jsonl.gz") for tag in plan.models}
    models = {tag: rows for tag, rows in models.items() if rows}
    shown = scenes_sheet(models, tasks, out / "scenes.png")
    passes = full_passes(models, tasks, out / "full-passes.png")
    (out / "full-passes.json").write_text(json.dumps({"scenes_shown": shown, "full_passes": passes},
                                                     indent=1) + "\n", encoding="utf-8")
    counts = ", ".join(f"{t}: {sum(p['model'] == t for p in passes)}" for t in models)
    return (f"{len(shown)} scenes x {len(models)} models -> scenes.png; {len(passes)} full passes -> "
            f"full-passes.png ({counts})")
