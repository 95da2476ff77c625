"""The adversary's goal (issue 54, item 6): no wrong picture passes every stated check, none is overpaid.

    .venv/bin/python benchmarks/validity/adversary.py --workers 2  # the goal: 50 scenes a level x 2,000
    .venv/bin/python benchmarks/validity/adversary.py --scenes 3 --evals 200 --no-write    # a smoke

For each level of the ``shapes`` generator (0-4), ``--scenes`` held-out scenes
(``level_scenes(level, N, seed=54, split="eval")``: not the reward cards' scenes, which use seed 0),
each attacked by the adversary (:mod:`codepaint_env.tasks.shapes.adversary`) under ``--spec``
(default ``gate:0.3,checks:0.7``) with ``--evals`` pictures scored a scene: the one-change scan of
the reference, then hill climbing from the best neighbours and from random pictures, every picture
rendered by resvg at 160 px; the reported pictures are confirmed by the scene oracle and scored again
at the task's 512 px. The goal: **no false full pass** (a wrong picture that passes every stated
check) and **no overpaid picture** (a wrong picture paid more than the reference minus the share of
the claims it broke: their weight over the task's total, times the checks' 0.7).

Each scene's row is appended to ``--out``/rows-<settings>.jsonl as it is done, and a scene already
there is not attacked again: stop it at any time and run the same command to go on. The pictures
(SVG and PNG at 512 px) go to ``--out``/pictures/. Writes docs/adversary.md and docs/adversary.json
(the level table, the scenes with a finding, the settings, the machine and the time it took).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "adversary.md"
DOC_JSON = ROOT / "docs" / "adversary.json"
DOC_PICTURES = ROOT / "docs" / "adversary"
SPEC = "gate:0.3,checks:0.7"
SEED = 54  # the number: scenes the reward cards (seed 0) never drew
SHOWN = 8  # pictures copied next to the doc
#: What follows this line in the doc is written by hand (the findings read, the fixes, the runs before) and
#: kept when the report is written again.
HAND = "<!-- written by hand below: kept by benchmarks/validity/adversary.py -->"


@lru_cache(maxsize=4)
def _reward(spec: str) -> Any:
    import rewards

    return rewards.make_reward(spec)


@lru_cache(maxsize=8)
def _scenes(level: int, count: int, seed: int) -> list[Any]:
    from codepaint_env.tasks.shapes.levels import level_scenes

    return level_scenes(level, count, seed=seed, split="eval")


def attack_one(spec: str, level: int, index: int, count: int, budget: int, seed: int, pictures: str) -> dict:
    """Attack one scene (in a worker process); its JSON row."""
    from codepaint_env.scoring.adversary import scene_seed
    from codepaint_env.tasks.shapes.adversary import attack_scene
    from rewards.testing.adversary import SearchSettings

    scene = _scenes(level, count, seed)[index]
    label = f"L{level}-{scene.index:02d}"
    attack = attack_scene(_reward(spec), scene, label=label,
                          settings=SearchSettings(budget=budget, seed=scene_seed(seed, label)))
    attack.write(pictures)
    return {**attack.to_dict(), "spec": spec, "budget": budget, "seed": seed}


def read_rows(path: Path) -> list[dict]:
    """The rows written so far (a line cut off by a killed run is skipped)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def supersede(path: Path, labels: set[str]) -> int:
    """Move the rows of ``labels`` from ``path`` to its ``.superseded.jsonl`` sibling; how many moved."""
    rows = read_rows(path)
    moved = [r for r in rows if r["label"] in labels]
    if moved:
        with path.with_suffix(".superseded.jsonl").open("a", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in moved)
        kept = "".join(json.dumps(r) + "\n" for r in rows if r["label"] not in labels)
        path.write_text(kept, encoding="utf-8")
    return len(moved)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--scenes", type=int, default=50, help="held-out scenes a level (default 50)")
    ap.add_argument("--evals", type=int, default=2000, help="pictures scored a scene (default 2,000)")
    ap.add_argument("--levels", default="0,1,2,3,4")
    ap.add_argument("--spec", default=SPEC, help=f"the reward (default {SPEC})")
    ap.add_argument("--seed", type=int, default=SEED, help=f"picks the scenes, seeds the searches ({SEED})")
    ap.add_argument("--workers", type=int, default=1, help="scenes attacked at once, one process each")
    ap.add_argument("--out", default=str(ROOT / "runs" / "adversary"), help="rows and pictures")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    ap.add_argument("--report", action="store_true",
                    help="attack nothing: report the scenes attacked so far (a run stopped early)")
    ap.add_argument("--again", default="",
                    help="labels (L1-06,L4-09) attacked again, first, on today's checks (after a fix their "
                         "finding led to): their rows move to rows-...superseded.jsonl (stop a run "
                         "writing to the same folder first)")
    args = ap.parse_args(argv)
    from tqdm import tqdm

    from codepaint_env.scoring.adversary import AdversaryReport
    from codepaint_env.tasks.shapes.adversary import SceneAttack

    levels = tuple(int(x) for x in args.levels.split(","))
    out = Path(args.out)
    pictures = out / "pictures"
    pictures.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9.]+", "_", args.spec)
    # one file per reward, budget and seed: a larger --scenes goes on from a smaller run's rows
    # (level_scenes(level, N) starts with level_scenes(level, M) for M < N)
    path = out / f"rows-{slug}-{args.evals}-seed{args.seed}.jsonl"
    # scene by scene across the levels, so a run stopped early has every level equally far
    planned = [(level, i) for i in range(args.scenes) for level in levels]
    labels = {(level, i): f"L{level}-{s.index:02d}" for level in levels
              for i, s in enumerate(_scenes(level, args.scenes, args.seed))}
    again = [x.strip() for x in args.again.split(",") if x.strip()]
    if again:
        unknown = sorted(set(again) - set(labels.values()))
        if unknown:
            ap.error(f"--again: no such scene in this run: {', '.join(unknown)}")
        supersede(path, set(again))
    done = {r["label"] for r in read_rows(path)}
    todo = [p for p in planned if labels[p] not in done]
    todo.sort(key=lambda p: labels[p] not in again)  # the scenes attacked again first
    print(f"{len(planned)} scenes planned ({args.scenes} a level, levels {args.levels}, {args.evals} "
          f"pictures scored a scene, {args.spec}), {len(planned) - len(todo)} already in {path}, "
          f"{len(todo)} to attack", flush=True)
    started, load = time.perf_counter(), os.getloadavg()[0]
    if args.report:
        todo = []
    jobs = [(args.spec, level, i, args.scenes, args.evals, args.seed, str(pictures)) for level, i in todo]
    with tqdm(total=len(planned), initial=len(planned) - len(todo), desc="scenes", unit="scene") as bar, \
            path.open("a", encoding="utf-8") as rows:
        def done_one(row: dict) -> None:
            rows.write(json.dumps(row) + "\n")
            rows.flush()
            bar.set_postfix_str(f"{row['label']}: {row['evaluations_per_second']:.0f} scored/s")
            bar.update()

        if args.workers <= 1:
            for job in jobs:
                done_one(attack_one(*job))
        else:
            with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
                for future in as_completed([pool.submit(attack_one, *job) for job in jobs]):
                    done_one(future.result())
    wall = time.perf_counter() - started
    by_label = {r["label"]: r for r in read_rows(path)}
    finished = [p for p in planned if labels[p] in by_label]
    if not finished:
        print("no scene attacked yet: nothing to report")
        return 0
    report = AdversaryReport(args.spec, args.evals, args.seed, args.scenes, levels,
                             attacks=[SceneAttack.from_dict(by_label[labels[p]]) for p in finished])
    print(report.to_table())
    if args.no_write:
        return 0
    write_docs(report, args, wall, load, pictures, len(todo))
    print(f"wrote {DOC} and {DOC_JSON}")
    return 0


def write_docs(report: Any, args: argparse.Namespace, wall: float, load: float, pictures: Path,
               attacked: int) -> None:
    """docs/adversary.md and .json, and the pictures of the worst findings beside them."""
    findings = [a for a in report.attacks if a.false_full_pass or a.overpaid_any]
    findings.sort(key=lambda a: (not a.false_full_pass, -(a.overpaid.excess if a.overpaid else 0.0)))
    shutil.rmtree(DOC_PICTURES, ignore_errors=True)
    DOC_PICTURES.mkdir(parents=True)
    for a in findings[:SHOWN]:
        shown = a.full_pass or a.overpaid
        if shown is not None and shown.picture:
            for suffix in (".svg", ".png"):
                source = pictures / Path(shown.picture).with_suffix(suffix).name
                if source.exists():
                    shutil.copy(source, DOC_PICTURES / source.name)
    rows = report.rows()
    total = rows[-1]
    goal = total["false_full_passes"] == 0 and total["overpaid"] == 0
    seconds = sum(a.seconds for a in report.attacks)
    machine = f"{os.cpu_count()} CPUs, load {load:.1f} at the start, {args.workers} worker process(es)"
    wall_words = (f"{wall / 3600:.2f} h of wall time for the {attacked} scenes attacked in this run, "
                  if attacked else "reported by --report from the rows of the runs before, ")
    lines = [
        "# The adversary: the best-paid wrong pictures of the shapes tasks", "",
        f"Measured by `benchmarks/validity/adversary.py --scenes {args.scenes} --evals {args.evals} --levels "
        f"{args.levels} --seed {args.seed} --workers {args.workers}` under `{args.spec}`: {total['scenes']} "
        f"held-out scenes (`level_scenes(level, {args.scenes}, seed={args.seed}, split=\"eval\")`), "
        f"{args.evals:,} pictures scored a scene ({total['evaluations']:,} in all, "
        f"{total['evaluations_per_second']:.1f} a second of search per process; {machine}; "
        f"{wall_words}{seconds / 3600:.2f} h of search in all).", "",
        *([f"**A run stopped early**: {total['scenes']} of the {len(report.levels) * args.scenes} planned "
           f"scenes are attacked (scene by scene across the levels; run the same command to go on).", ""]
          if total["scenes"] < len(report.levels) * args.scenes else []),
        "Each scene is attacked by `codepaint check-reward SPEC --adversary N`'s search "
        "(`rewards.testing.adversary`, `codepaint_env.tasks.shapes.adversary`): the reference's one-change "
        "neighbours first, then hill climbing from the best of them and from random pictures, over any "
        "shape (the suite's kinds, rectangles, frames, fills, extra objects), any colour, size, place and "
        "a small turn. A picture counts only when the scene oracle, from its geometry, says it plainly "
        "breaks a claim the prompt states; the reported pictures are confirmed by the oracle and scored "
        "again at the task's 512 px. A **false full pass** passes every stated check; a picture is "
        "**overpaid** when it is paid more than the reference minus its broken claims' share (their "
        "weight over the task's total weight, times the checks' weight in the reward).", "",
        "Audit your own reward the same way (any reward spec, your own `module:Class` too): "
        "`codepaint check-reward SPEC --adversary 3 --evals-per-scene 500 --no-invariants --out DIR` prints "
        "this table for 3 held-out scenes a level and writes `DIR/report.md`, `DIR/report.json` and every "
        "reported picture (SVG and PNG). In Python: `codepaint_env.scoring.adversary.run_adversary`, or "
        "`rewards.testing.adversary.search` with a vocabulary, a price and an oracle of your own.", "",
        f"**Goal** (no false full pass, no overpaid picture): **{'met' if goal else 'not met'}**.", "",
        report.level_table(), "",
        "Broken-but-passing claims: the kinds of stated check that passed a reported picture although the "
        "oracle says the picture breaks that claim (per scene, each kind once).", "",
        f"## Scenes with a finding ({len(findings)})", "",
        report.scene_table(findings, pictures="adversary") if findings else "None.", "",
        f"Pictures of the first {min(SHOWN, len(findings))} are in `docs/adversary/`; every scene's are "
        f"written to `{Path(args.out).name}/pictures/` by the run. Per-scene figures: docs/adversary.json.",
    ]
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    kept = old[old.index(HAND):] if HAND in old else HAND + "\n"
    DOC.write_text("\n".join(lines) + "\n\n" + kept, encoding="utf-8")
    data = {**report.to_dict(), "wall_seconds": round(wall, 1), "search_seconds": round(seconds, 1),
            "machine": machine, "goal_met": goal, "workers": args.workers}
    DOC_JSON.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
