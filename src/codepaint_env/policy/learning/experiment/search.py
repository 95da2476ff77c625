"""The search form: a model learns to search before drawing (issue 56); its evaluation and its rows.

* **Learners**: the plan's arms (expert iteration with the search tool, ``policy.learning.searching``),
  trained by the runner like any other arm.
* **Evaluation** (:func:`evaluate`): ``codepaint eval`` of the held-out facts, each model with the tool
  (``search``) and without it (``none``), its rows trimmed to :data:`KEPT`, scored again at this commit
  under the plan's ``eval.rescore`` reward and committed (``<out>/rows-<model>-<tool>.jsonl.gz``).
* **The floor** (:func:`floor_search`): the best-paying picture that knows no fact.
* **Report** (:mod:`.search_report`): from the committed rows and the runs' committed round records.
"""

from __future__ import annotations

import gzip
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.commands import eval_command, eval_folder
from codepaint_env.policy.learning.experiment.plan import Plan
from codepaint_env.policy.learning.experiment.stages import ready, run_command


def models(plan: Plan) -> dict[str, str | None]:
    """Each evaluated model's tag and what ``codepaint eval`` loads (``None``: its run is not done yet)."""
    entries = ready(plan)
    return {tag: entry.get("evaluate") for tag, entry in entries.items()}


def pending(plan: Plan, only: Sequence[str] | None = None) -> list[tuple[str, str, str, str]]:
    """The declared evals whose model is ready and whose rows are not exported yet.

    Args:
        plan: The search plan.
        only: Just these evaluations (``warm-s1-search``) or models (``warm-s1``: with and without the
            tool); two processes may then evaluate two of them at once, each into its own folder.

    Returns:
        ``(name, tag, tool, model)`` for each, in the plan's order.
    """
    out = []
    for tag, model in models(plan).items():
        for tool in plan.evaluation.tools:
            name = f"{tag}-{tool}"
            if model is None or (plan.path("out") / f"rows-{name}.jsonl.gz").exists():
                continue
            if not only or name in only or tag in only:
                out.append((name, tag, tool, model))
    return out


def evaluate(plan: Plan, only: Sequence[str] | None = None) -> None:
    """Each of :func:`pending`'s evals run, then exported as committed rows."""
    docs = plan.path("out")
    docs.mkdir(parents=True, exist_ok=True)
    for name, tag, tool, model in pending(plan, only):
        out = eval_folder(plan, tag, tool=tool)
        command = eval_command(plan.evaluation, model, out, tool=tool)
        seconds = run_command(name, command, plan.root, dict(plan.evaluation.env))
        print(f"[{name}] {seconds:.0f} s", flush=True)
        export(plan, out, docs / f"rows-{name}.jsonl.gz")


#: What a committed row keeps of an eval's rollout (no pictures, no token ids).
KEPT = ("task_id", "sample", "model", "prompt", "completion", "code", "finish_reason", "gate", "gate_pass",
        "draws_something", "reward", "metrics", "tool_calls", "searched", "searches", "retrieved", "recall",
        "replies")


def export(plan: Plan, folder: Path, rows_file: Path) -> None:
    """An eval's rows, trimmed to :data:`KEPT`, scored at this commit, gzipped into the docs."""
    rows = [json.loads(line) for line in (folder / "rollouts.jsonl").read_text().splitlines() if line.strip()]
    write_rows(rows_file, rescored(plan, [{k: r.get(k) for k in KEPT} for r in rows]))


def write_rows(rows_file: Path, rows: list[dict[str, Any]]) -> None:
    """Committed rows, gzipped JSON Lines."""
    with gzip.open(rows_file, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)


def rescored(plan: Plan, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with their render, gate and checks made again under this commit's checks.

    The evaluations run sessions apart, and a check may be fixed between them: every committed row is
    scored by one commit's checks (:func:`.eval_rows.rescore`, as learning run 4's rows are), under
    the plan's ``eval.rescore`` (the gate and the checks; the searches, and so the recall, are the policy's
    own and kept
    as sampled). The reward the evaluation paid (with ``search_recall``) stays as
    ``reward_as_evaluated``.
    """
    from codepaint_env.policy.learning.eval_rows import rescore
    from codepaint_env.policy.learning.provenance import commit_of

    if not rows:
        return rows
    tasks = eval_tasks(plan)
    commit, spec = commit_of(plan.root), plan.evaluation.rescore
    out = []
    for row, new in zip(rows, rescore(rows, tasks, spec), strict=True):
        kept = {k: new.get(k) for k in KEPT}
        out.append({**kept, "reward_as_evaluated": row.get("reward_as_evaluated", row.get("reward")),
                    "scored": {"reward": spec, "commit": commit}})
    return out


def rescore_committed(plan: Plan) -> list[str]:
    """Score every committed row file again at this commit (after a check changed); the files done."""
    done = []
    for rows_file in sorted(plan.path("out").glob("rows-*.jsonl.gz")):
        rows = read(plan, rows_file.name[len("rows-"):-len(".jsonl.gz")]) or []
        write_rows(rows_file, rescored(plan, rows))
        done.append(rows_file.name)
    return done


def read(plan: Plan, name: str) -> list[dict[str, Any]] | None:
    """The committed rows of one eval (``None``: not evaluated yet)."""
    path = plan.path("out") / f"rows-{name}.jsonl.gz"
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


def eval_tasks(plan: Plan) -> dict[str, Any]:
    """The held-out facts, by id."""
    from codepaint_env.tasks import load_suite

    ev = plan.evaluation
    return {t.id: t for t in load_suite(ev.suite, split=ev.split, language=ev.language)}


def fact_blind_rows(plan: Plan, program: str) -> list[dict[str, Any]]:
    """One program drawn the same on every held-out fact, scored as the models' rows are."""
    from codepaint_env.policy.learning.eval_rows import rescore

    tasks = eval_tasks(plan)
    return rescore([{"task_id": t, "sample": 0, "code": program, "completion": program} for t in tasks],
                   tasks, plan.evaluation.rescore)


def fact_blind(plan: Plan, program: str) -> dict[str, float]:
    """One program drawn the same on every held-out fact: its gate pass and checks share (failures 0)."""
    rows = fact_blind_rows(plan, program)
    return {"gate_pass": round(statistics.fmean(float(bool(r.get("gate_pass"))) for r in rows), 4),
            "checks_share_all": round(statistics.fmean(share_all(r) for r in rows), 4)}


def constant_picture(plan: Plan) -> dict[str, float]:
    """:data:`CONSTANT`'s gate pass and checks share (gate failures as 0) over the held-out facts."""
    return fact_blind(plan, CONSTANT)


#: The fact-blind search's vocabulary: a page colour, then one or two rectangles on it.
FLOOR_COLOURS = ("white", "black", "red", "blue", "navy", "green", "yellow", "orange", "lightblue")


def floor_search(plan: Plan, candidates: int = 60, seed: int = 56, templates: int = 0) -> dict[str, Any]:
    """The best-paying fact-blind picture found (docs/search-learning/floor.json).

    Each random candidate is one SVG drawn the same on every held-out fact (a page colour and one or two
    rectangles of random colour, place and size), scored by the same checks as the models; the best
    mean checks share (gate failures as 0) is what the measure pays a drawing that knows no fact. With
    ``templates``, the template adversary's fact-blind search (:func:`rewards.testing.search_templates`,
    that many evaluations, hill-climbing kinds, layouts, sizes and colours under the plan's rescore
    reward) proposes one more candidate, scored the same way; the better of the two is the floor.
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

    from tqdm import tqdm

    best = {"checks_share_all": -1.0}
    for _ in tqdm(range(candidates), desc="floor: random pictures", unit="picture", mininterval=30):
        program = candidate()
        share = fact_blind(plan, program)["checks_share_all"]
        if share > best["checks_share_all"]:
            best = {"checks_share_all": share, "program": program}
    out: dict[str, Any] = {"candidates": candidates, "seed": seed}
    if templates:
        import rewards
        from rewards.testing import search_templates

        reward, tasks = rewards.make_reward(plan.evaluation.rescore), list(eval_tasks(plan).values())
        with tqdm(total=templates, desc="floor: templates", unit="evaluation", mininterval=30) as bar:

            def progress(done: int, _value: float | None, best_so_far: float | None) -> None:
                bar.update(done - bar.n)
                bar.set_postfix(best=best_so_far, refresh=False)

            found = search_templates(reward, tasks, budget=templates, seed=seed, fact_blind=True,
                                     progress=progress)
        adversary = {"checks_share_all": fact_blind(plan, found.example_program)["checks_share_all"],
                     "program": found.example_program, "template": found.best.describe()}
        out.update(templates=templates, adversary=adversary, random=best)
        best = max(best, adversary, key=lambda b: b["checks_share_all"])
    out.update(best=best, constant=constant_picture(plan))
    plan.path("out").mkdir(parents=True, exist_ok=True)
    (plan.path("out") / "floor.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return out


