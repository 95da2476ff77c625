"""How far the ``symmetry`` check's score and the adversary's oracle's disagree (issue 54).

The check reads a 512 px render (anti-aliased edges, colour terms within a tolerance, a pixel's
shift across the axis allowed); the oracle reads exact colours on its 240-point grid. Where the two
scores straddle the check's minimum, the adversary would call a picture that the check passes
"broken" (or the other way) only because the two instruments differ. The oracle's no-verdict margin
for symmetry (``oracle.SYMMETRY_MARGIN``) must cover that disagreement; this measures it on the
pictures that matter, the adversary's own neighbourhood: level-4 train scenes' drawings with one
to three of the vocabulary's changes (the eval scenes are the adversary's; these are not).

    python benchmarks/validity/symmetry_gap.py --pictures 1000 --seed 0

Prints the gap's distribution (the check's score minus the oracle's) and writes
docs/symmetry-gap.json.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from codepaint_env.tasks.shapes.adversary import render_svgs
from codepaint_env.tasks.shapes.drawings import DrawingVocabulary, from_scene, oracle_scene, svg
from codepaint_env.tasks.shapes.levels import level_scenes
from codepaint_env.tasks.shapes.oracle import SYMMETRY_MARGIN, SceneRaster, truth
from codepaint_env.tasks.shapes.suite import scene_tasks
from rewards.checks import parse_checks
from rewards.checks.evaluate import symmetry_score
from rewards.checks.picture import ANALYSIS_SIDE, Picture

ROOT = Path(__file__).resolve().parents[2]
SIZE = 512
BATCH = 32


def pictures(count: int, seed: int) -> list[tuple]:
    """``count`` (scene, symmetry check, drawing, changes) from level-4 train scenes with a symmetry claim."""
    rng = random.Random(seed)
    scenes = [s for s in level_scenes(4, 400, seed=seed, split="train")
              if any(c["kind"] == "symmetry" for c in s.claims)]
    out = []
    while len(out) < count:
        scene = rng.choice(scenes)
        checks = parse_checks(list(scene_tasks(scene, ("svg",))[0].checks))
        (check,) = [c for c in checks if c.kind == "symmetry"]
        drawing, vocabulary = from_scene(scene), DrawingVocabulary(scene)
        changes = rng.choice((0, 1, 1, 2, 2, 3, 3))
        for _ in range(changes):
            drawing = vocabulary.mutate(drawing, rng) or drawing
        out.append((scene, check, drawing, changes))
    return out


def main(argv: list[str] | None = None) -> None:
    """Measure the gap and write docs/symmetry-gap.json."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pictures", type=int, default=1000, help="pictures measured (default 1,000)")
    ap.add_argument("--seed", type=int, default=0, help="picks the scenes and the changes")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args(argv)
    t0 = time.time()
    chosen = pictures(args.pictures, args.seed)
    rows = []
    for start in tqdm(range(0, len(chosen), BATCH), desc="symmetry", unit="batch"):
        batch = chosen[start:start + BATCH]
        renders = render_svgs([svg(d) for _, _, d, _ in batch], SIZE)
        for (scene, check, drawing, changes), render in zip(batch, renders, strict=True):
            image = render.canvas_image if render.ok else None
            if image is None:
                continue
            seen = symmetry_score(Picture(image, ANALYSIS_SIDE), check.params)
            exact = truth(check, SceneRaster(oracle_scene(scene, drawing))).measure
            if seen is None or np.isnan(exact):
                continue
            rows.append({"scene": scene.description, "changes": changes, "check": round(seen, 4),
                         "oracle": round(exact, 4), "min": check.params["min"]})
    gap = np.array([r["check"] - r["oracle"] for r in rows])
    lo, hi = rows[0]["min"] - 0.15, rows[0]["min"] + 0.15  # near the bound: where a verdict could flip
    near = np.array([lo <= min(r["check"], r["oracle"]) and max(r["check"], r["oracle"]) <= hi for r in rows])
    summary = {
        "pictures": len(rows), "seed": args.seed, "size": SIZE,
        "gap_mean": round(float(gap.mean()), 4),
        "gap_p1": round(float(np.percentile(gap, 1)), 4), "gap_p99": round(float(np.percentile(gap, 99)), 4),
        "gap_min": round(float(gap.min()), 4), "gap_max": round(float(gap.max()), 4),
        "abs_gap_p99": round(float(np.percentile(np.abs(gap), 99)), 4),
        "near_bound": int(near.sum()),
        "abs_gap_p99_near_bound": (round(float(np.percentile(np.abs(gap[near]), 99)), 4)
                                   if near.any() else None),
        "margin_now": SYMMETRY_MARGIN,
        "flips_outside_margin": sum(1 for r in rows if (r["check"] >= r["min"]) != (r["oracle"] >= r["min"])
                                    and abs(r["oracle"] - r["min"]) >= SYMMETRY_MARGIN),
        "seconds": round(time.time() - t0, 1),
    }
    print(json.dumps(summary, indent=1))
    if not args.no_write:
        data = {"summary": summary, "rows": rows}
        (ROOT / "docs" / "symmetry-gap.json").write_text(json.dumps(data, indent=0) + "\n")
        print("wrote docs/symmetry-gap.json")


if __name__ == "__main__":
    main()
