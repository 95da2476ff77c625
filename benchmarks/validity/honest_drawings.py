"""Do honest drawings pass the ``shapes`` checks? Pictures a person might draw from the prompt alone, scored.

    .venv/bin/python benchmarks/validity/honest_drawings.py             # 1,000 drawings a level, levels 0-4
    .venv/bin/python benchmarks/validity/honest_drawings.py --scenes 100 --no-write   # a quick look

Issue 54, item 2: "measure with honest drawings made by a procedure independent of the generator
(any kind, any size in the documented range, any position allowed by the words, small rotations,
anti-aliasing), over 1,000 scenes a level: at least 99 % pass every stated claim".

For each level 0-4: the level's generated SVG tasks of both splits (``load_suite("shapes",
level=L, count=..., split=...)``; four drawings in five from train prompts, one from eval; a level
with fewer distinct prompts than drawings, level 0 and 1, draws each prompt more than once, each
time with its own seed). Each prompt is drawn by the honest artist (:mod:`rewards.testing.honest`:
its own grammar, outlines and layout, nothing of the generator's), rendered with resvg (the fast
SVG path) at 512 px, and scored with the task's own checks. Reported per level: the share that
passes every stated check (the goal: at least 99 %), the share that passes every check, which
checks fail and how often, with a few failing pictures saved (docs/honest-drawings/) and every
failure's prompt and seed (``draw(prompt, seed)`` redraws it). Then the issue's **wrong-kind
probe**: the same drawings with the subject's objects of the wrong kind (a square for a circle, a
disc for a ring, a straight band for a wave, ...), which must fail the ``shape`` claim.

Writes docs/honest-drawings.md and docs/honest-drawings.json (with the commit measured, the command
and the wall time). Results are kept per level under runs/honest-drawings/ (keyed by a hash of the
checks, the shapes tasks, the renderer and the artist, and by scenes and seed), so a run that stops
resumes at the level it was on. Then four sweeps of single objects find where a ``shape`` rule stops
accepting an honest object (or starts accepting a wrong one).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tqdm import tqdm

from honest_sweeps import run_sweeps

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "honest-drawings.md"
DATA = ROOT / "docs" / "honest-drawings.json"
PICTURES = ROOT / "docs" / "honest-drawings"
CACHE = ROOT / "runs" / "honest-drawings"
LEVELS = (0, 1, 2, 3, 4)
GOAL = 0.99
EVAL_SHARE = 5  # one drawing in five from an eval prompt
_MORE_THAN = re.compile(r"no more than (\d+) distinct")


# ---------------------------------------------------------------------- the tasks
def prompts_of(level: int, count: int, split: str) -> list[tuple[str, str, list[dict]]]:
    """Up to ``count`` distinct SVG tasks of a level and split, ``(id, prompt, checks)`` (all there are)."""
    from codepaint_env.tasks import TaskError, load_suite

    while count > 0:
        try:
            tasks = load_suite("shapes", level=level, count=count, split=split, language="svg")
        except (TaskError, ValueError) as e:
            m = _MORE_THAN.search(str(e))
            if m is None or int(m.group(1)) >= count:
                raise
            count = int(m.group(1))
            continue
        return [(t.id, t.prompt, [dict(c) for c in t.checks]) for t in tasks]
    return []


def jobs_of(level: int, scenes: int, seed: int, probes: int) -> list[dict[str, Any]]:
    """The drawings of one level: which prompt, which seed, whether it is probed with the wrong kind."""
    from rewards.testing.honest_words import parse_prompt

    n_eval = scenes // EVAL_SHARE
    jobs = []
    for split, n in (("train", scenes - n_eval), ("eval", n_eval)):
        tasks = prompts_of(level, n, split)
        for _, prompt, _ in tasks:  # a prompt form the artist cannot read stops the run here, not in a worker
            parse_prompt(prompt)
        for i in range(n):
            task_id, prompt, checks = tasks[i % len(tasks)]
            jobs.append({"level": level, "split": split, "task": task_id, "prompt": prompt, "checks": checks,
                         "distinct": len(tasks)})
    step = max(1, len(jobs) // max(1, probes)) if probes else 0
    for i, job in enumerate(jobs):
        job["seed"] = seed * 1_000_003 + level * 100_003 + i
        job["probe"] = bool(step) and i % step == 0 and i // step < probes
    return jobs


# ---------------------------------------------------------------------- one drawing (in a worker)
_RENDERER: Any = None


def _renderer() -> Any:
    global _RENDERER
    if _RENDERER is None:
        from codepaint_env.render import Renderer

        _RENDERER = Renderer(cache_size=0)
    return _RENDERER


def _render(svg: str, size: int) -> Any:
    res = _renderer().render(svg, "svg", size=size, renderer="fast")
    if not res.ok or res.canvas_image is None:
        raise RuntimeError(f"render failed ({res.error_kind}: {res.messages[:1]}) for {svg[:200]!r}")
    return res.canvas_image


def _outcomes(checks: list[dict], image: Any, svg: str, stated_only: bool = False) -> list[dict[str, Any]]:
    from rewards.checks.evaluate import evaluate
    from rewards.checks.picture import Picture
    from rewards.checks.spec import parse_checks

    parsed = parse_checks(checks)
    if stated_only:
        parsed = tuple(c for c in parsed if c.stated)
    return [{"name": o.check.name, "kind": o.check.kind, "stated": o.check.stated, "passed": o.passed,
             "weight": o.check.weight, "sentence": o.sentence}
            for o in evaluate(parsed, Picture(image), svg, "svg")]


def score_one(job: dict[str, Any], size: int = 512) -> dict[str, Any]:
    """Draw, render and score one job (and its wrong-kind probe): a JSON-ready record."""
    import io

    from rewards.testing.honest import draw, wrong_kind

    drawing = draw(job["prompt"], job["seed"])
    image = _render(drawing.svg, size)
    outcomes = _outcomes(job["checks"], image, drawing.svg)
    applied = [o for o in outcomes if o["passed"] is not None]
    failed = [o for o in applied if not o["passed"]]
    record = {k: job[k] for k in ("level", "split", "task", "prompt", "seed")}
    record.update(
        stated_pass=not any(o["stated"] for o in failed), all_pass=not failed,
        share=sum(o["weight"] for o in applied if o["passed"]) / sum(o["weight"] for o in applied),
        failed=[{k: o[k] for k in ("name", "kind", "stated", "sentence")} for o in failed],
        objects=drawing.describe(), fills=drawing.fills, notes=drawing.notes)
    if failed:
        buf = io.BytesIO()
        image.resize((256, 256)).save(buf, "PNG")
        record["png"] = buf.getvalue().hex()
        record["svg"] = drawing.svg
    if job["probe"]:
        wrong = wrong_kind(drawing)
        colour = drawing.request.groups[0].colour
        probe = _outcomes(job["checks"], _render(wrong.svg, size), wrong.svg, stated_only=True)
        shape = [o for o in probe if o["kind"] == "shape" and o["name"].startswith(f"shape:{colour}")]
        record["probe"] = {
            "kind": drawing.request.groups[0].kind, "colour": colour,
            "shape_checked": bool(shape), "shape_failed": any(o["passed"] is False for o in shape),
            "stated_pass": all(o["passed"] is not False for o in probe),
            "failed": [o["name"] for o in probe if o["passed"] is False]}
    return record


# ---------------------------------------------------------------------- a level
def run_level(level: int, scenes: int, seed: int, probes: int, jobs: int, cache: Path
              ) -> list[dict[str, Any]]:
    """Every drawing's record for one level (from the cache when this commit, size and seed have one)."""
    if cache.exists():
        return json.loads(cache.read_text())
    started = time.perf_counter()
    todo = jobs_of(level, scenes, seed, probes)
    records: list[dict[str, Any]] = []
    bar = tqdm(total=len(todo), desc=f"level {level}", unit="drawing")
    if jobs > 1:
        with mp.get_context("spawn").Pool(jobs) as pool:
            for record in pool.imap_unordered(score_one, todo, chunksize=4):
                records.append(record)
                bar.update()
    else:
        for job in todo:
            records.append(score_one(job))
            bar.update()
    bar.close()
    records.sort(key=lambda r: r["seed"])
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(records))
    cache.with_suffix(".seconds").write_text(f"{time.perf_counter() - started:.0f}\n")
    return records


def level_seconds(cache: Path) -> float | None:
    """How long a cached level took to draw, render and score (``None`` when not recorded)."""
    sidecar = cache.with_suffix(".seconds")
    return float(sidecar.read_text()) if sidecar.exists() else None


# ---------------------------------------------------------------------- the report
def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson 95 % interval of a share ``k / n``."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def summarise(level: int, records: list[dict[str, Any]]) -> dict[str, Any]:
    """One level's figures."""
    n = len(records)
    stated = sum(r["stated_pass"] for r in records)
    every = sum(r["all_pass"] for r in records)
    kinds: Counter[str] = Counter()
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        for f in r["failed"]:
            key = f"{f['kind']} ({'stated' if f['stated'] else 'sanity'})"
            kinds[key] += 1
            names[key][_pattern(f["sentence"])] += 1
    probes = [r["probe"] for r in records if "probe" in r]
    checked = [p for p in probes if p["shape_checked"]]
    return {
        "level": level, "drawings": n,
        "prompts": {s: len({r["prompt"] for r in records if r["split"] == s}) for s in ("train", "eval")},
        "stated_pass": stated, "stated_share": stated / n, "stated_ci": wilson(stated, n),
        "all_pass": every, "all_share": every / n,
        "mean_share": sum(r["share"] for r in records) / n,
        "failing_kinds": dict(kinds.most_common()),
        "failing_sentences": {k: dict(c.most_common(6)) for k, c in names.items()},
        "probe": {"drawings": len(probes), "shape_checked": len(checked),
                  "shape_failed": sum(p["shape_failed"] for p in checked),
                  "stated_pass": sum(p["stated_pass"] for p in probes),
                  "by_kind": {k: [sum(p["shape_failed"] for p in checked if p["kind"] == k),
                                  sum(1 for p in checked if p["kind"] == k)]
                              for k in sorted({p["kind"] for p in checked})}},
    }


def _pattern(sentence: str) -> str:
    """A failure sentence with its numbers blanked, so that alike failures count together."""
    return re.sub(r"\d+(\.\d+)?", "#", sentence)


def save_pictures(level: int, records: list[dict[str, Any]], per_kind: int) -> list[dict[str, Any]]:
    """Save a few failing pictures of each failing check kind; their entries for the report."""
    PICTURES.mkdir(parents=True, exist_ok=True)
    chosen: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for r in records:
        if "png" not in r:
            continue
        for f in r["failed"]:
            key = f"{f['kind']}-{'stated' if f['stated'] else 'sanity'}"
            if counts[key] >= per_kind:
                continue
            counts[key] += 1
            stem = f"l{level}-{r['seed']}"
            (PICTURES / f"{stem}.png").write_bytes(bytes.fromhex(r["png"]))
            (PICTURES / f"{stem}.svg").write_text(r["svg"])
            chosen.append({"picture": f"honest-drawings/{stem}.png", "prompt": r["prompt"], "seed": r["seed"],
                           "check": f["name"], "stated": f["stated"], "sentence": f["sentence"],
                           "objects": r["objects"]})
            break
    return chosen


#: What the measurement found, by hand: the commit each was found on and, where fixed, fixed in. The
#: figures above are measured; these say why the failures are the checks' and what would fix them.
FINDINGS: tuple[str, ...] = (
    "**Before the contract** (3d88f0d, the commit issue 54 measured; this artist and this script run on "
    "that tree: `git archive 3d88f0d src | tar -x -C DIR`, the three `rewards/testing/honest*.py` and "
    "this script copied in, `PYTHONPATH=DIR/src python "
    "DIR/benchmarks/validity/honest_drawings.py --levels 0 1 "
    "--no-write --no-sweeps`): level 0 passed every stated claim 904 of 1,000 times (96 failed 'small' as "
    "'at most 1.2 % of the canvas', an area no prompt said) and every check 601 times (the hidden `size` "
    "at most 8 % and `coverage` failed 289 and 296); level 1 946 and 670. Level 0 had no `shape` claim: "
    "240 of 300 wrong-kind drawings kept every stated claim (level 1: 24 of 300). The issue's first "
    "findings, re-measured.",
    "**Triangles** with an angle under about 56 degrees were 'no known shape' (aspect 0.7-1.6, read in "
    "one of a triangle's three frames, picked by its turn): 28 of 172 level-0 triangles; level 0 "
    "passed 97.2 %, level 1 95.5 % (9b7f024). Fixed in cd347bb (aspect 0.4-2.5): the triangle sweep "
    "now passes every bin.",
    "**Wrong kinds that passed** (the probe): a square turned 4-8 degrees passed `shape: circle` (12 "
    "of 53 level-0 circle probes) and a straight band turned 0-8 degrees passed `shape: wave` (11 of "
    "13), read 'as drawn' in their axis boxes. Fixed in cd347bb (a circle or ring fits every frame; a "
    "wave is not convex): every probe now fails its shape claim.",
    "**A thin stripe turned under a degree** (0.5-1.1 degrees, 3-6 % thick) was read in its axis box "
    "(the upright frame was skipped within 1 degree of upright), filled under 80 % of it and was 'no "
    "known shape' or 'a wave': 3 of 1,000 at level 1 (cd347bb). Fixed in b6b3450 (a long thin region "
    "within a degree of upright is measured in its turned frame): the stripe sweep passes every bin.",
    "**Symmetry depended on where the axis falls on the 160 px grid.** An exactly mirror-symmetric "
    "row scored 79-99 %: moving the whole drawing by 1/1024 of the canvas took one from 79 % to 85 % "
    "to 92 % (anti-aliased edges blend differently on either side of an axis between pixels; thin "
    "rings are mostly edge); level 4 lost 8 of 1,000. Read at the canvas's own 512 px, 180 such rows "
    "(three sub-pixel shifts each) score at least 96 % and the same rows with one side moved 4 % of the "
    "canvas at most 82 %; at 160 px the two overlapped (79 % and 83 %). Fixed in 52d3dc9: symmetry is "
    "read at the canvas's resolution.",
    "**'Above' (below, left of, right of) demanded centres 10 % of the canvas apart**, which no prompt "
    "says: two small objects wholly one above the other, a few per cent apart, failed (2 of 1,000 at "
    "level 3, and the relation sweep). Fixed in 52d3dc9: GenEval's margin, 0.1 x the two objects' "
    "extents along the axis added together.",
    "**A small square inside a square** at half the container's side covers 25 % of it; the "
    "container's 'hole' (the inner object) reached the square rule's limit and it was 'no known shape' "
    "(1 of 1,000 at level 4). Fixed in 52d3dc9: a `shape` check names the colours it is `holding`, "
    "whose pixels inside it are its own.",
    "**Sanity, not stated: `contrast`** fails a pale shade a person still calls by the term (lightblue "
    "for blue on cream: 1.4 against the 1.5 asked): 14 of 5,000. It is applied when every spelling of "
    "the two names contrasts; a shade of the term is a spelling too. The `colour` claim already holds "
    "that the object is not the background.",
    "**Renderer, not checks:** resvg 0.48 (`renderer=\"fast\"`) draws `fill=\"rebeccapurple\"` black, "
    "Chromium purple; the artist leaves that name out. Every other CSS name renders alike.",
)


def artist_table() -> list[str]:
    """The honest artist's ranges, read from its constants, with why each is what it is."""
    from rewards.testing import honest as h
    from rewards.testing import honest_shapes as hs

    rows = [
        ("small / large", "as the prompt states: at most a fifth / at least half the canvas across (the "
         "box's longer side); large at most " + f"{h.LARGE_MAX:.0%}", "the prompt's words (suite version 4)"),
        ("no size word", f"any reach from {h.MIN_REACH:.0%} that fits, covering at least {h.MIN_AREA:.2%} of "
         f"the canvas, at most {h.LARGE_MAX:.0%}", "visible: the checks' speck is 0.15 %; the margin "
         "covers anti-aliasing at the 160 px analysis size"),
        ("edges", f"every object at least {h.EDGE:.0%} of the canvas from the edge (bands span it)",
         "not cut: 3 analysis pixels clear"),
        ("apart", f"objects not asked to touch at least {h.GAP:.0%} apart",
         "two objects closer than 3 analysis pixels merge at 160 px; a person's separate objects are "
         "visibly apart"),
        ("places", "a named area holds each whole box (a row or column lined up, within 1.5 %); 'in the "
         "centre': the box in the middle ninth, or a larger object centred within 8 % of the middle",
         "the words"),
        ("relations", "above/below/left/right: wholly so, and more so than sideways; touching: in contact "
         f"from any direction, overlapping by up to {h.TOUCH_OVERLAP:.0%} of the smaller; inside: anywhere "
         "within, at most half a square's side or within a ring's hole; a mirror-symmetric row: the sides "
         "mirror images about an axis within 8 % of the middle", "the words"),
        ("turns", f"squares, stripes, waves up to ±{hs.MAX_TURN:g}°; triangles, stars any", "the issue"),
        ("triangles", f"any triangle with angles {hs.TRIANGLE_ANGLES[0]:g}-{hs.TRIANGLE_ANGLES[1]:g}°",
         "acute triangles a person calls triangles: warning signs and play buttons are 50-60°"),
        ("stars", f"5 points (or 6, one in five), inner radius {hs.STAR_INNER[0]:.0%}-{hs.STAR_INNER[1]:.0%} "
         "of the outer", "a regular pentagram's is 38 %"),
        ("rings", f"hole {hs.RING_HOLE[0]:.0%}-{hs.RING_HOLE[1]:.0%} of the radius, a band at least "
         f"{h.MIN_BAND:.1%} of the canvas wide", "Material's radio-button ring is 80 %; under half the "
         "radius a ring reads as a disc with a hole"),
        ("squares", f"a quarter of them with corners rounded up to {hs.ROUNDED:.0%} of the side",
         "slightly rounded corners are common in icon sets and still look square"),
        ("stripes, waves", f"stripes {h.STRIPE_THICKNESS[0]:.0%}-{h.STRIPE_THICKNESS[1]:.0%} thick, edge "
         f"to edge; waves a stroke of {h.WAVE_STROKE[0]:.0%}-{h.WAVE_STROKE[1]:.0%}, 1-4 periods, swinging "
         f"by at least its stroke width (and 3 %) and at most {h.WAVE_AMPLITUDE:.0%}",
         "a wave that swings less than its width is a wobbly stripe"),
        ("colours", "the CSS name or the prompt's value; half the time another CSS colour of that term "
         f"(crimson for red) at least ΔE {hs.SHADE_CONTRAST:g} from the page; as a name, #rrggbb or rgb()",
         "colour_names.py's table; rebeccapurple left out (resvg draws it black)"),
        ("SVG", "viewBox of 100-1000 units, with or without width/height; circle or ellipse, stroked "
         "circle or even-odd path, rect or polygon, path or polygon, path or polyline", "different hands"),
    ]
    return (["| what | the artist draws | why |", "|---|---|---|"]
            + [f"| {a} | {b} | {c} |" for a, b, c in rows])


def _seconds(summaries: list[dict[str, Any]]) -> str:
    known = [s["seconds"] for s in summaries if s.get("seconds") is not None]
    if not known:
        return "an unrecorded time"
    each = ", ".join(f"{s['seconds']:.0f}" if s.get("seconds") is not None else "?" for s in summaries)
    return f"{sum(known):.0f} s ({each} s a level)"


def _pct(k: int, n: int) -> str:
    return f"{k / n:.1%}" if n else "-"


def markdown(summaries: list[dict[str, Any]], examples: list[dict[str, Any]], meta: dict[str, Any],
             sweeps: list[dict[str, Any]]) -> str:
    """The report."""
    dirty = " (with uncommitted changes to the checks)" if meta["dirty"] else ""
    lines = ["# Honest drawings against the `shapes` checks", "",
             "Generated by `benchmarks/validity/honest_drawings.py` (issue 54, item 2): "
             f"`{meta['command']}` on commit `{meta['commit']}`{dirty}, {meta['cpus']} CPUs; drawing, "
             f"rendering and scoring the levels took {_seconds(summaries)} (kept under runs/honest-drawings/ "
             f"by a hash of what they measure), this run {meta['wall_s']:.0f} s.", "",
             "Each prompt is drawn by the honest artist (`rewards.testing.honest`), which reads only the "
             "prompt's words with a grammar of its own and draws with outlines of its own (nothing of the "
             "generator's), rendered with resvg at 512 px and scored with the task's own checks. What "
             "it draws from:", "", *artist_table(), "",
             "## Pass rates", "",
             f"The goal: at least {GOAL:.0%} of honest drawings pass every stated check.", "",
             "| level | drawings | prompts (train / eval) | every stated check | 95 % interval | every check "
             "| mean checks share |", "|---|---|---|---|---|---|---|"]
    for s in summaries:
        lo, hi = s["stated_ci"]
        lines.append(f"| {s['level']} | {s['drawings']} | {s['prompts']['train']} / {s['prompts']['eval']} | "
                     f"{s['stated_pass']} ({_pct(s['stated_pass'], s['drawings'])}) | {lo:.1%}-{hi:.1%} | "
                     f"{s['all_pass']} ({_pct(s['all_pass'], s['drawings'])}) | {s['mean_share']:.3f} |")
    lines += ["", "## What the failures are", "", *(f"- {f}" for f in FINDINGS)]
    lines += ["", "## Which checks fail", "",
              "Failures per check kind (a drawing may fail several), with the commonest sentences (numbers "
              "blanked as `#`).", ""]
    for s in summaries:
        if not s["failing_kinds"]:
            lines.append(f"- level {s['level']}: none")
            continue
        lines.append(f"- level {s['level']}: " + ", ".join(f"{k} {v}" for k, v in s["failing_kinds"].items()))
        for key, sentences in s["failing_sentences"].items():
            for sentence, count in sentences.items():
                lines.append(f"  - {key}, {count}x: {sentence}")
    lines += ["", "## The wrong-kind probe", "",
              "The same honest drawings with the subject's objects of the wrong kind (circle -> square, "
              "square -> circle, triangle and star -> square, ring -> disc, wave -> straight band, stripe -> "
              "small square), scored with the task's stated checks. Every one must fail its `shape` claim.",
              "",
              "| level | probes | with a shape claim | shape claim failed | pass every stated check |",
              "|---|---|---|---|---|"]
    for s in summaries:
        p = s["probe"]
        lines.append(f"| {s['level']} | {p['drawings']} | {p['shape_checked']} | "
                     f"{p['shape_failed']} ({_pct(p['shape_failed'], p['shape_checked'])}) | "
                     f"{p['stated_pass']} ({_pct(p['stated_pass'], p['drawings'])}) |")
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in summaries:
        for kind, (k, n) in s["probe"]["by_kind"].items():
            by_kind[kind][0] += k
            by_kind[kind][1] += n
    if by_kind:
        lines += ["", "Shape claim failed, by the kind asked for: " + ", ".join(
            f"{kind} {k}/{n}" for kind, (k, n) in sorted(by_kind.items())) + "."]
    if sweeps:
        lines += ["", "## Sweeps: one kind of picture, one check", "",
                  "Objects in the artist's outlines on a white page (512 px), sorted into bins; each cell is "
                  "how many of the bin's pictures passed the check. Where passing is right (an honest "
                  "picture), every bin should be full; where it is wrong (the wrong kind), empty.", ""]
        for sw in sweeps:
            verdict = "passing is right" if sw["passing_is_right"] else "passing is WRONG"
            cells = ", ".join(f"{b}: {k}/{n}" for b, (k, n) in sw["bins"].items())
            said = ", ".join(f"{k} {v}" for k, v in sw["check"].items() if k not in ("kind", "colour"))
            lines.append(f"- {sw['name']} (`{sw['check']['kind']}` {said}; {verdict}; by {sw['unit']}): "
                         f"{cells}")
    lines += ["", "## Failing pictures", "",
              "A few per failing check kind and level (256 px copies; the SVG beside each; "
              "`rewards.testing.honest.draw(prompt, seed)` redraws any failure listed in the JSON).", ""]
    for e in examples:
        lines.append(f"- [{e['picture']}]({e['picture']}) seed {e['seed']}: \"{e['prompt']}\" -- "
                     f"`{e['check']}`{' (stated)' if e['stated'] else ''}: {e['sentence']}")
    return "\n".join(lines) + "\n"


#: What the figures depend on: the checks, the shapes tasks, the renderer and the artist.
_SHAPES = ("checks", "geometry", "levels", "oracle", "programs", "scenes", "suite", "vocabulary")
MEASURED = ("src/rewards/checks", "src/codepaint_env/render",
            *(f"src/codepaint_env/tasks/shapes/{m}.py" for m in _SHAPES),
            "src/rewards/testing/honest.py", "src/rewards/testing/honest_shapes.py",
            "src/rewards/testing/honest_words.py")


def measured_key() -> str:
    """A hash of what the figures depend on (:data:`MEASURED`, committed and changed): the cache's key."""
    import hashlib

    tree = subprocess.run(["git", "ls-tree", "-r", "HEAD", "--", *MEASURED], cwd=ROOT, capture_output=True,
                          text=True).stdout
    diff = subprocess.run(["git", "diff", "HEAD", "--", *MEASURED], cwd=ROOT, capture_output=True,
                          text=True).stdout
    return hashlib.sha256((tree + diff).encode()).hexdigest()[:12]


def _commit() -> tuple[str, bool]:
    """The commit measured, and whether what the figures depend on differs from it (or is not committed)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", *MEASURED], cwd=ROOT,
                           capture_output=True, text=True)
    return head.stdout.strip() or "unknown", bool(dirty.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scenes", type=int, default=1000, help="drawings a level (default 1000)")
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS))
    parser.add_argument("--seed", type=int, default=0, help="the drawings' seed (default 0)")
    parser.add_argument("--probes", type=int, default=300, help="wrong-kind probes a level (default 300)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--pictures", type=int, default=2,
                        help="failing pictures saved per check kind and level (default 2)")
    parser.add_argument("--no-sweeps", action="store_true", help="skip the single-object sweeps")
    parser.add_argument("--no-write", action="store_true", help="print only (write no docs)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    commit, dirty = _commit()
    key = measured_key()
    summaries, examples, failures = [], [], []
    for level in args.levels:
        tag = f"{key}-s{args.scenes}-seed{args.seed}-p{args.probes}"
        cache = CACHE / f"{tag}-level-{level}.json"
        records = run_level(level, args.scenes, args.seed, args.probes, args.jobs, cache)
        s = summarise(level, records)
        s["seconds"] = level_seconds(cache)
        summaries.append(s)
        print(f"level {level}: every stated check {s['stated_pass']}/{s['drawings']} "
              f"({s['stated_share']:.1%}), every check {s['all_pass']}/{s['drawings']}; failing: "
              f"{s['failing_kinds']}; probe shape failed {s['probe']['shape_failed']}/"
              f"{s['probe']['shape_checked']}", flush=True)
        if not args.no_write:
            examples += save_pictures(level, records, args.pictures)
        keys = ("level", "split", "task", "prompt", "seed", "failed", "objects", "notes", "fills")
        failures += [{k: r[k] for k in keys} for r in records if not r["stated_pass"]]
    sweeps = [] if args.no_sweeps else run_sweeps(args.seed)  # honest_sweeps.py, beside this script
    for sw in sweeps:
        print(f"{sw['name']}: " + ", ".join(f"{b} {k}/{n}" for b, (k, n) in sw["bins"].items()))
    wall = time.perf_counter() - t0
    given = argv if argv is not None else sys.argv[1:]
    command = "python benchmarks/validity/honest_drawings.py " + " ".join(given)
    meta = {"command": command.strip(), "commit": commit, "dirty": dirty, "wall_s": wall,
            "cpus": mp.cpu_count(), "goal": GOAL}
    print(f"{wall:.0f} s")
    if not args.no_write:
        for old in PICTURES.glob("l*-*.*"):  # the pictures of an earlier run
            if f"honest-drawings/{old.stem}.png" not in {e["picture"] for e in examples}:
                old.unlink()
        DOC.write_text(markdown(summaries, examples, meta, sweeps))
        DATA.write_text(json.dumps({"meta": meta, "levels": summaries, "sweeps": sweeps, "examples": examples,
                                    "stated_failures": failures[:500]}, indent=1) + "\n")
        print(f"wrote {DOC.relative_to(ROOT)} and {DATA.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
