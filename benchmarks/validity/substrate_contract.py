r"""Qwen's substrate samples re-scored under issue 54's contract: old vs new verdicts, per check kind.

    nice -n 10 .venv/bin/python benchmarks/validity/substrate_contract.py  # ~3 min on 2 shared cores
    .venv/bin/python benchmarks/validity/substrate_contract.py --report-only  # re-print from the rows

The samples: Qwen2.5-Coder-0.5B, untrained, one sample a task on the 48 held-out SVG scenes of each
of levels 0-3, made as docs/substrate.md's were, on the **new** prompts (suite version 4)::

    nice -n 10 codepaint eval --model qwen2.5-coder-0.5b --suite shapes --language svg --level L \
        --split eval --limit 48 --samples 1 --max-tokens 384 --temperature 0.7 --seed 0 \
        --reward gate:0.2,checks:0.8 --batch-size 8 --engine ct2 --out RUNS/level-L

Each sample's SVG is rendered once with resvg at its task's size, and the same PNG is scored by two
worker subprocesses (the approach of ``benchmarks/validity/check_correlation.py``): one on the code before the
contract (commit :data:`OLD_COMMIT`), one on the current commit (``HEAD``), each tree ``git archive``-d
into ``/tmp``.
Each uses its own tree's gate (``gate:0.2,checks:0.8``) and its own checks **of the same scene**:

* levels 1-3: the old generator's own scene. The scene stream is unchanged there (only the stripes
  template's words changed, so a stripes scene's description, id and split did), so the new eval
  scene made by draw *k* of the level's seeded stream is the old stream's draw *k*; the worker
  checks that the two have the same background, shapes and claims, and scores the old task made from
  it (its old description, id and checks). Levels 1-3 may be read from several run folders
  (:func:`read_rows`).
* level 0: the old stream draws other scenes (the size words changed what it draws), so a sample
  is scored against the old task **with the same words**: the new description without the size
  word's stated bound ("a small red circle"), the first scene of the old seed-0 stream that says
  them. Its old checks: the stated background, count and size word ("small" at most 1.2 % of the
  canvas, "large" at least 5 %; no ``shape``) and the implied ones (the hidden ``size`` and
  ``coverage`` ranges from the old generator's own object). An unsized scene has the same words and
  id in both trees.

Counted per side: the samples that side's gate lets in. Reported: per level and pooled, each kind's
failure rate old vs new, the verdicts that changed on samples both gates let in, the all-stated pass
rate, the samples newly lost (every stated check and the gate passed under the old rules, not under
the new), and the samples the new gate calls "a frame". Writes every sample's row (task, prompt,
program, both sides' verdicts and failed sentences) to :data:`ROWS`, the newly lost pictures to
:data:`SHEET` (numbered as in the report), and prints markdown.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "runs" / "substrate-contract" / "qwen2.5-coder-0.5b"
ROWS = ROOT / "docs" / "substrate-contract.jsonl.gz"
SHEET = ROOT / "docs" / "substrate-contract-lost.png"
WORK = Path("/tmp/substrate-contract")
#: The last commit before issue 54's contract (49bee8b, 6beb020).
OLD_COMMIT = "3d88f0d"
LEVELS = (0, 1, 2, 3)
SPEC = "gate:0.2,checks:0.8"
SIDES = ("old", "new")
#: The stated size word's checks, apart from the kind's row (which holds every ``size`` check).
STATED_SIZE = "size (stated)"
#: How far the old level-0 stream is walked for a scene with the same words.
MAX_DRAWS = 500_000
MAX_WORDS = 100_000


# ---------------------------------------------------------------------- the scenes (either tree)
def stream(level: int, seed: int, draws: int) -> list[Any]:
    """The first ``draws`` scenes of a level's seeded stream, before any split or de-duplication."""
    import random

    from codepaint_env.tasks.shapes.levels import level_scene

    rng = random.Random(f"shapes-level-{level}-seed-{seed}")
    return [level_scene(rng, level, k + 1) for k in range(draws)]


def eval_draws(level: int, count: int, seed: int) -> list[tuple[int, Any]]:
    """``(draw, scene)`` of the level's first ``count`` eval scenes: :func:`level_scenes`'s walk, counted."""
    import random

    from codepaint_env.tasks.shapes.levels import level_scene, level_scenes, split_of_description

    rng = random.Random(f"shapes-level-{level}-seed-{seed}")
    out: list[tuple[int, Any]] = []
    seen: set[str] = set()
    draw = 0
    while len(out) < count:
        scene = level_scene(rng, level, len(out) + 1)
        if scene.description not in seen and split_of_description(scene.description) == "eval":
            seen.add(scene.description)
            out.append((draw, scene))
        draw += 1
    expected = [s.description for s in level_scenes(level, count, seed=seed, split="eval")]
    if [s.description for _, s in out] != expected:
        raise SystemExit(f"level {level}: the counted walk is not level_scenes' own")
    return out


def scene_json(scene: Any) -> dict[str, Any]:
    """A scene as JSON (both trees' ``Scene`` and ``Shape`` have the same fields)."""
    return dataclasses.asdict(scene)


def old_description(scene: dict[str, Any]) -> str:
    """A new level-0 scene's words as the old generator said them: without the size word's stated bound."""
    from codepaint_env.tasks.shapes.levels import SIZE_WORDS

    text = scene["description"]
    for words, _, _ in SIZE_WORDS.values():
        text = text.replace(f", {words},", "")
    return text


def first_with(level: int, seed: int, description: str, found: dict[str, Any], walk: list[Any]) -> Any:
    """The first scene of the level's seeded stream with these words (``found``/``walk``: the walk so far)."""
    import random

    from codepaint_env.tasks.shapes.levels import level_scene

    if not walk:
        walk.append(random.Random(f"shapes-level-{level}-seed-{seed}"))
    rng = walk[0]
    while description not in found:
        if len(found) >= MAX_WORDS or len(walk) > MAX_DRAWS:
            raise SystemExit(f"level {level}: no scene says {description!r} in {MAX_DRAWS} draws")
        scene = level_scene(rng, level, len(walk))
        walk.append(None)
        found.setdefault(scene.description, scene)
    return found[description]


# ---------------------------------------------------------------------- rendering (current code)
def read_rows(level: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``(row, run.json)`` of a level's samples: its run folder, then any continuation ``level-L-*``.

    A continuation is the same eval over later tasks of the level (``--suite`` a file of them): each
    sample's seed depends only on the seed, the task and the sample index, so its rows are the ones
    a longer ``--limit`` would have made.
    """
    out = []
    for folder in [RUNS / f"level-{level}", *sorted(RUNS.glob(f"level-{level}-*"))]:
        path = folder / "rollouts.jsonl"
        if not path.is_file():
            continue
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        out += [(json.loads(line), run) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    return out


def render_samples(levels: Sequence[int], count: int) -> list[dict[str, Any]]:
    """Render every sample with resvg at its task's size; one job a sample for the workers."""
    from codepaint_env.render import Renderer
    from codepaint_env.tasks.shapes.suite import scene_tasks

    jobs: list[dict[str, Any]] = []
    renderer = Renderer(cache_size=0)
    try:
        for level in levels:
            rows = read_rows(level)
            if not rows:
                continue
            seeds = {run.get("seed", 0) for _, run in rows}
            if len(seeds) != 1:
                raise SystemExit(f"level {level}: runs of several seeds ({sorted(seeds)})")
            tasks = {}
            for draw, scene in eval_draws(level, count, seeds.pop()):
                [task] = scene_tasks(scene, ("svg",), program_languages=("svg",))
                tasks[task.id] = (draw, scene, task)
            for _, run in rows:
                if not set(run["tasks"]) <= set(tasks):
                    raise SystemExit(f"level {level}: a run's tasks are not among the level's first {count}")
            folder = WORK / f"level-{level}"
            folder.mkdir(parents=True, exist_ok=True)
            for row, run in sorted(rows, key=lambda r: (tasks[r[0]["task_id"]][0], r[0]["sample"])):
                draw, scene, task = tasks[row["task_id"]]
                if row.get("prompt") not in (None, task.prompt):
                    raise SystemExit(f"{task.id}: the sample's prompt is not the task's")
                job = {"level": level, "task_id": task.id, "sample": row["sample"], "code": row["code"],
                       "prompt": task.prompt, "draw": draw, "seed": run.get("seed", 0),
                       "scene": scene_json(scene),
                       "old_description": old_description(scene_json(scene)),
                       "eval": {"gate": row.get("gate_pass"), "metrics": row.get("metrics") or {}}}
                res = renderer.render(row["code"], "svg", size=task.size, seed=0, renderer="fast")
                if not res.ok or res.png is None:
                    job["png"] = None
                    job["render_error"] = res.error_kind or "no picture"
                else:
                    job["png"] = str(folder / f"{task.id}-{row['sample']}.png")
                    Path(job["png"]).write_bytes(res.png)
                    job["render"] = res.to_dict()
                jobs.append(job)
    finally:
        renderer.close()
    return jobs


# ---------------------------------------------------------------------- scoring (old or new code)
def task_of(job: dict[str, Any], side: str, old_streams: dict[int, list[Any]],
            old_walk: tuple[dict[str, Any], list[Any]]) -> Any:
    """The task whose checks score ``job`` on this tree: the same scene (see the module docstring)."""
    from codepaint_env.tasks.shapes.geometry import Shape
    from codepaint_env.tasks.shapes.scenes import Scene
    from codepaint_env.tasks.shapes.suite import scene_tasks

    given = job["scene"]
    if side == "new":
        data = given
    elif job["level"] == 0:
        data = scene_json(first_with(0, job["seed"], job["old_description"], *old_walk))
    else:
        scenes = old_streams.setdefault(job["level"], [])
        if len(scenes) <= job["draw"]:
            scenes[:] = stream(job["level"], job["seed"], job["draw"] + 50)
        data = scene_json(scenes[job["draw"]])
        for key in ("background", "shapes", "claims"):
            if json.dumps(data[key], sort_keys=True) != json.dumps(given[key], sort_keys=True):
                raise SystemExit(f"{job['task_id']}: the old stream's draw {job['draw']} differs in {key}")
    shapes = tuple(Shape(**{**s, "points": tuple(tuple(p) for p in s["points"])}) for s in data["shapes"])
    scene = Scene(**{**data, "shapes": shapes,
                     "claims": tuple(data["claims"])})
    [task] = scene_tasks(scene, ("svg",), program_languages=("svg",))
    return task


def worker(side: str, jobs_path: Path, out_path: Path) -> None:
    """Score the rendered jobs with the ``codepaint_env`` and ``rewards`` on the path (one tree)."""
    import rewards
    from codepaint_env.core.result import RenderResult
    from rewards.base import Sample
    from rewards.checks.evaluate import evaluate
    from rewards.checks.picture import Picture
    from rewards.checks.reward import sample_checks

    reward = rewards.make_reward(SPEC)
    old_streams: dict[int, list[Any]] = {}
    old_walk: tuple[dict[str, Any], list[Any]] = ({}, [])
    out = []
    for job in json.loads(jobs_path.read_text(encoding="utf-8")):
        task = task_of(job, side, old_streams, old_walk)
        row: dict[str, Any] = {"task_id": task.id, "prompt": task.prompt, "gate": False, "reward": None,
                               "kinds": {}, "stated": {}, "all_stated": None, "failed": [], "gate_why": None}
        if job["png"] is None:
            row["gate_why"] = f"not rendered: {job['render_error']}"
            out.append(row)
            continue
        res = RenderResult.from_dict(job["render"])
        res.png = Path(job["png"]).read_bytes()
        sample = Sample(code=job["code"], language="svg", render=res, prompt=task.prompt,
                        meta={**task.columns(), "size": list(task.size)})
        [scored] = reward.score([sample])
        row["reward"] = scored.value
        row["gate"] = scored.value is not None and scored.breakdown.get("gated") == 0.0
        if not row["gate"]:
            row["gate_why"] = (scored.rationale or "")[:300]
        image = res.canvas_image
        assert image is not None
        for o in evaluate(sample_checks(sample), Picture(image), job["code"], "svg"):
            if o.passed is None:
                continue
            kind = o.check.kind
            row["kinds"][kind] = row["kinds"].get(kind, True) and bool(o.passed)
            if o.check.stated:
                row["stated"][kind] = row["stated"].get(kind, True) and bool(o.passed)
            if not o.passed:
                mark = " (stated)" if o.check.stated else ""
                row["failed"].append(f"{o.check.name}{mark}: {o.sentence}"[:300])
        row["all_stated"] = all(row["stated"].values()) if row["stated"] else None
        out.append(row)
    out_path.write_text(json.dumps(out), encoding="utf-8")


def run_worker(side: str, jobs_path: Path, src: Path) -> list[dict[str, Any]]:
    """Run :func:`worker` in a subprocess on one tree (``src``); its rows."""
    out_path = jobs_path.with_name(f"scored-{side}.json")
    env = {**os.environ, "PYTHONPATH": str(src), "CODEPAINT_POOL_DIR": str(ROOT / "reference_pool")}
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", side, str(jobs_path),
                    str(out_path)], env=env, check=True, cwd=str(ROOT))
    return json.loads(out_path.read_text(encoding="utf-8"))


def extract_tree(commit: str) -> Path:
    """``git archive COMMIT src`` into ``/tmp/substrate-contract-COMMIT`` (once); its ``src`` folder.

    Both sides are scored on a commit's tree, not the working tree (whose uncommitted edits are no
    one's measured code).
    """
    src = WORK.parent / f"substrate-contract-{commit}" / "src"
    if not src.is_dir():
        src.parent.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src.parent)], input=archive, check=True)
    return src


# ---------------------------------------------------------------------- the tables
def newly_lost(s: dict[str, Any]) -> bool:
    """Every stated check and the gate passed under the old rules, not under the new ones."""
    return bool(s["old"]["gate"] and s["old"]["all_stated"]
                and not (s["new"]["gate"] and s["new"]["all_stated"]))


def is_frame(side: dict[str, Any]) -> bool:
    """The gate's verdict is "a frame" (the contract's new degenerate picture)."""
    return "a frame" in (side.get("gate_why") or "")


def verdicts(side: dict[str, Any]) -> dict[str, bool]:
    """A side's verdict per kind, with the stated size word apart (``size (stated)``: small/large)."""
    out = dict(side["kinds"])
    if "size" in side["stated"]:
        out[STATED_SIZE] = side["stated"]["size"]
    return out


def summarise(samples: Sequence[dict[str, Any]], kinds: Sequence[str]) -> dict[str, Any]:
    """Per level and pooled: counts, each kind's failure rates and changed verdicts, the newly lost."""
    out: dict[str, Any] = {}
    for level in [*sorted({s["level"] for s in samples}), "all"]:
        mine = [s for s in samples if level == "all" or s["level"] == level]
        common = [s for s in mine if s["old"]["gate"] and s["new"]["gate"]]
        per_kind = {}
        for k in kinds:
            entry: dict[str, Any] = {}
            for side in SIDES:
                checked = [verdicts(s[side])[k] for s in mine if s[side]["gate"] and k in verdicts(s[side])]
                entry[side] = [sum(not v for v in checked), len(checked)]
            both = [(verdicts(s["old"])[k], verdicts(s["new"])[k]) for s in common
                    if k in verdicts(s["old"]) and k in verdicts(s["new"])]
            entry["fail_to_pass"] = sum(not o and n for o, n in both)
            entry["pass_to_fail"] = sum(o and not n for o, n in both)
            entry["both"] = len(both)
            if entry["old"][1] or entry["new"][1]:
                per_kind[k] = entry
        out[str(level)] = {
            "samples": len(mine), "rendered": sum(s["rendered"] for s in mine),
            "gate": {side: sum(bool(s[side]["gate"]) for s in mine) for side in SIDES},
            "common": len(common),
            "all_stated": {side: sum(bool(s[side]["gate"] and s[side]["all_stated"]) for s in mine)
                           for side in SIDES},
            "reward": {side: round(sum(s[side]["reward"] or 0.0 for s in mine) / max(1, len(mine)), 3)
                       for side in SIDES},
            "frame": {"old_gate_passers": sum(bool(s["old"]["gate"] and is_frame(s["new"])) for s in mine),
                      "any": sum(is_frame(s["new"]) for s in mine)},
            "gate_changed": {"lost": sum(bool(s["old"]["gate"] and not s["new"]["gate"]) for s in mine),
                             "gained": sum(bool(s["new"]["gate"] and not s["old"]["gate"]) for s in mine)},
            "eval_gate_agrees": [sum(bool(s["eval_gate"]) == bool(s["new"]["gate"]) for s in mine),
                                 len(mine)],
            "newly_lost": [s["task_id"] for s in mine if newly_lost(s)],
            "newly_won": [s["task_id"] for s in mine if newly_lost({"old": s["new"], "new": s["old"]})],
            "kinds": per_kind}
    return out


def pct(pair: Sequence[int]) -> str:
    """``12 % (5/41)`` or ``-``."""
    return "-" if not pair[1] else f"{100 * pair[0] / pair[1]:.0f} % ({pair[0]}/{pair[1]})"


def markdown(data: dict[str, Any], samples: Sequence[dict[str, Any]]) -> str:
    """The report's tables (the by-eye reading is written in docs/substrate.md by hand)."""
    s = data["summary"]
    lines = [f"Scored by `{data['command']}` ({data['wall_seconds']:.0f} s): old code {data['old_commit']}, "
             f"new {data['new_commit']}; resvg renders at 512x512.", "",
             "| level | samples | rendered | gate old | gate new | both | all stated pass old | new | "
             "mean reward old | new | newly lost | newly won | new gate: a frame (of old gate-passers) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for level, t in s.items():
        lines.append(f"| {level} | {t['samples']} | {t['rendered']} | {t['gate']['old']} | "
                     f"{t['gate']['new']} | "
                     f"{t['common']} | {t['all_stated']['old']} | {t['all_stated']['new']} | "
                     f"{t['reward']['old']:.3f} | {t['reward']['new']:.3f} | {len(t['newly_lost'])} | "
                     f"{len(t['newly_won'])} | {t['frame']['any']} ({t['frame']['old_gate_passers']}) |")
    agree = s["all"]["eval_gate_agrees"]
    lines += ["", f"The eval's own gate (Chromium renders, scored by the new code as it generated) agrees "
              f"with the resvg re-score's new gate on {agree[0]} of {agree[1]} samples."]
    levels = list(s)
    lines += ["", "Each kind's failure rate among each side's own gate-passers, old → new (failed/checked; "
              "`-`: not checked there), and the verdicts that changed on the samples both gates let in "
              "(fail → pass / pass → fail, of n), pooled:", "",
              "| kind | " + " | ".join(f"level {lv}" if lv != "all" else "all" for lv in levels)
              + " | changed (all) |", "| --- |" + " --- |" * (len(levels) + 1)]
    for k in data["kinds"]:
        cells = []
        for lv in levels:
            e = s[lv]["kinds"].get(k)
            cells.append("-" if e is None else f"{pct(e['old'])} → {pct(e['new'])}")
        e = s["all"]["kinds"].get(k)
        if e is not None:
            lines.append(f"| {k} | {' | '.join(cells)} | {e['fail_to_pass']} / {e['pass_to_fail']} of "
                         f"{e['both']} |")
    frames = [x for x in samples if is_frame(x["new"])]
    lines += ["", f"The new gate's \"a frame\" ({len(frames)}):", ""]
    lines += [f"* L{x['level']} `{x['task_id']}` ({x['prompt'].split(',')[0]}): old gate "
              f"{'passed' if x['old']['gate'] else 'failed'}, old stated claims "
              f"{'all passed' if x['old']['all_stated'] else 'not all passed'}" for x in frames]
    lost = [x for x in samples if newly_lost(x)]
    lines += ["", f"Newly lost ({len(lost)}):", ""]
    for i, x in enumerate(lost, 1):
        why = x["new"]["gate_why"] if not x["new"]["gate"] else "; ".join(
            f for f in x["new"]["failed"] if "(stated)" in f)
        lines.append(f"{i}. L{x['level']} `{x['task_id']}` ({x['prompt'].split(',')[0]}): {why}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- main
def measure(command: str, levels: Sequence[int], count: int,
            new_rules: str = "HEAD") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Render, score with both trees and summarise: the document and the rows."""
    from rewards.checks.spec import KINDS

    t0 = time.perf_counter()
    new_commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", new_rules],
                                capture_output=True, text=True, check=True).stdout.strip()
    trees = {"old": extract_tree(OLD_COMMIT), "new": extract_tree(new_commit)}
    WORK.mkdir(parents=True, exist_ok=True)
    jobs = render_samples(levels, count)
    jobs_path = WORK / "jobs.json"
    jobs_path.write_text(json.dumps(jobs), encoding="utf-8")
    scored = {side: run_worker(side, jobs_path, trees[side]) for side in SIDES}
    samples = []
    for job, old, new in zip(jobs, scored["old"], scored["new"], strict=True):
        if new["task_id"] != job["task_id"]:
            raise SystemExit(f"{job['task_id']}: the new worker scored {new['task_id']}")
        samples.append({"level": job["level"], "task_id": job["task_id"], "sample": job["sample"],
                        "old_task_id": old["task_id"], "prompt": job["prompt"], "old_prompt": old["prompt"],
                        "rendered": job["png"] is not None, "png": job["png"], "code": job["code"],
                        "eval_gate": job["eval"]["gate"],
                        **{side: {k: v for k, v in r.items() if k not in ("task_id", "prompt")}
                           for side, r in (("old", old), ("new", new))}})
    used = {k for x in samples for side in SIDES for k in x[side]["kinds"]}
    kinds = [k for k in KINDS if k in used] + sorted(used - set(KINDS)) + [STATED_SIZE]
    data = {"command": command, "wall_seconds": round(time.perf_counter() - t0, 1), "old_commit": OLD_COMMIT,
            "new_commit": new_commit, "spec": SPEC, "kinds": kinds, "summary": summarise(samples, kinds)}
    return data, samples


def contact_sheet(samples: Sequence[dict[str, Any]], path: Path, thumb: int = 160) -> int:
    """The newly lost samples' pictures side by side, each under its number in the report; how many."""
    from PIL import Image, ImageDraw

    lost = [x for x in samples if newly_lost(x) and x["png"]]
    if not lost:
        return 0
    cols = min(6, len(lost))
    rows = -(-len(lost) // cols)
    sheet = Image.new("RGB", (cols * (thumb + 8) + 8, rows * (thumb + 24) + 8), "white")
    draw = ImageDraw.Draw(sheet)
    for i, x in enumerate(lost):
        left, top = 8 + (i % cols) * (thumb + 8), 8 + (i // cols) * (thumb + 24)
        with Image.open(x["png"]) as im:
            sheet.paste(im.convert("RGB").resize((thumb, thumb)), (left, top + 16))
        draw.rectangle((left - 1, top + 15, left + thumb, top + 16 + thumb), outline="grey")
        draw.text((left, top), f"{i + 1}. L{x['level']} {x['task_id'].split('-')[2]}", fill="black")
    sheet.save(path)
    return len(lost)


def write_rows(data: dict[str, Any], samples: Sequence[dict[str, Any]]) -> None:
    """The rows file: a header line (settings), then one line a sample (no PNG paths)."""
    head = {k: v for k, v in data.items() if k != "summary"}
    with gzip.open(ROWS, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"header": head}) + "\n")
        for x in samples:
            f.write(json.dumps({k: v for k, v in x.items() if k != "png"}) + "\n")


def read_back() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The document and rows from :data:`ROWS` (the tables are recomputed: they are deterministic)."""
    with gzip.open(ROWS, "rt", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    data, samples = lines[0]["header"], lines[1:]
    data["summary"] = summarise(samples, data["kinds"])
    return data, samples


def main(argv: list[str] | None = None) -> int:
    """Measure and write the rows, or (``--report-only``) re-print the tables from them."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--report-only", action="store_true", help=f"re-print the tables from {ROWS.name}")
    parser.add_argument("--no-write", action="store_true", help=f"print only (do not write {ROWS.name})")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)))
    parser.add_argument("--new", default="HEAD", help="the commit scored as the new rules (default HEAD)")
    parser.add_argument("--tasks", type=int, default=48, help="held-out scenes a level the runs draw from")
    parser.add_argument("--worker", nargs=3, metavar=("SIDE", "JOBS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]))
        return 0
    if args.report_only:
        data, samples = read_back()
    else:
        given = argv if argv is not None else sys.argv[1:]
        command = ("python benchmarks/validity/substrate_contract.py " + " ".join(given)).strip()
        data, samples = measure(command,
                                [int(x) for x in args.levels.split(",") if x.strip()], args.tasks, args.new)
        if not args.no_write:
            write_rows(data, samples)
            contact_sheet(samples, SHEET)
    print(markdown(data, samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
