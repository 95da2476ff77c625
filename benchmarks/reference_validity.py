"""Every generated task's own reference scores the maximum: 1,000 tasks a level, in every language.

    .venv/bin/python benchmarks/reference_validity.py          # ~1 h on 2 cores; docs/reference-validity.md
    .venv/bin/python benchmarks/reference_validity.py --scenes 4 --no-write   # a quick look

For each level of the ``shapes`` generator (0-4): ``--scenes`` scenes (four fifths train, one fifth
held out; seed 202), each asked in the five languages the suite speaks (SVG, p5.js, HTML, Python,
TikZ): with 200 scenes, 1,000 tasks a level. Each task's reference program is rendered by the real
renderer of its language (SVG by resvg, p5.js and HTML in Chromium, Python and TikZ in the sandbox)
at 512 px and scored by the default reward (``gate:0.3,checks:0.7``: the execution gate with its
OCR, copy and degenerate checks, then the task's checks) with the task's columns. A reference must
score 1.0; every one that does not is listed with the reward's reason. Each (level, language) batch
is kept in ``runs/reference-validity/`` and not redone (the run resumes).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reference-validity.md"
LANGUAGES = ("svg", "p5", "html", "python", "tikz")


def batch(level: int, language: str, scenes: int, size: int, cache: Path) -> dict:
    """Render and score one level's references in one language (read back when already done)."""
    import rewards
    from codepaint_env.render import default_renderer
    from codepaint_env.tasks import load_suite
    from rewards.base import Sample

    path = cache / f"level-{level}-{language}-{scenes}.json"
    if path.exists():
        return json.loads(path.read_text())
    held = max(1, scenes // 5)
    tasks = [t for split, n in (("train", scenes - held), ("eval", held))
             for t in load_suite("shapes", level=level, count=n, seed=202, split=split, language=language)]
    t0 = time.perf_counter()
    renders = default_renderer().render_many([t.reference_programs[language] for t in tasks], language,
                                             size=size, renderer="fast" if language == "svg" else "auto",
                                             progress=f"L{level} {language:6s}")
    rendered = time.perf_counter()
    samples = [Sample(code=t.reference_programs[language], language=language, render=r, prompt=t.prompt,
                      meta=t.columns()) for t, r in zip(tasks, renders, strict=True)]
    results = rewards.make_reward("default").score(samples)
    below = [{"task": t.id, "split": t.split, "value": r.value, "why": r.rationale[:300]}
             for t, r in zip(tasks, results, strict=True) if r.value is None or r.value < 0.99]
    out = {"level": level, "language": language, "tasks": len(tasks),
           "train": sum(t.split == "train" for t in tasks), "eval": sum(t.split == "eval" for t in tasks),
           "below": below, "ocr_reads": sum(int((r.cost or {}).get("ocr_reads", 0)) for r in results),
           "render_s": round(rendered - t0, 1), "score_s": round(time.perf_counter() - rendered, 1)}
    path.write_text(json.dumps(out, indent=1) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenes", type=int, default=200, help="scenes a level (each in five languages)")
    ap.add_argument("--levels", default="0,1,2,3,4")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--cache", default=str(ROOT / "runs" / "reference-validity"))
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    args = ap.parse_args(argv)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    levels = [int(x) for x in args.levels.split(",")]
    found = [batch(level, language, args.scenes, args.size, cache)
             for level in levels for language in LANGUAGES]
    lines = ["| level | " + " | ".join(LANGUAGES) + " | tasks | below 1.0 |",
             "| --- | " + " | ".join("---:" for _ in LANGUAGES) + " | ---: | ---: |"]
    for level in levels:
        mine = [f for f in found if f["level"] == level]
        cells = [f"{f['tasks'] - len(f['below'])}/{f['tasks']}" for f in mine]
        lines.append(f"| {level} | " + " | ".join(cells) + f" | {sum(f['tasks'] for f in mine)} | "
                     f"{sum(len(f['below']) for f in mine)} |")
    total = sum(f["tasks"] for f in found)
    below = [dict(b, language=f["language"]) for f in found for b in f["below"]]
    reasons = Counter(b["why"].split(";")[0][:80] for b in below)
    seconds = sum(f["render_s"] + f["score_s"] for f in found)
    summary = "; ".join(f"{n} x {w}" for w, n in reasons.most_common(8))
    listed = "".join(f"\n* {b['task']} ({b['language']}, {b['split']}): {b['value']} -- {b['why']}"
                     for b in below[:30])
    text = f"""# Every reference scores the maximum: {total:,} generated tasks

Measured by `benchmarks/reference_validity.py` (this project's 2-core machine, shared with other work):
for each level of the `shapes` generator, {args.scenes} scenes (four fifths train, one fifth held out,
seed 202), each asked in the five languages the suite speaks, rendered by each language's real renderer at
{args.size} px and scored by the default reward `gate:0.3,checks:0.7` (the gate with OCR, copy and
degenerate checks, then the task's checks) with the task's columns. A reference must score 1.0.

<!-- not run: about an hour of CPU -->
```bash
.venv/bin/python benchmarks/reference_validity.py
```

References scoring 1.0, per level and language:

{chr(10).join(lines)}

{len(below)} of {total:,} below 1.0{":" if below else "."} {summary}
{listed}

OCR read {sum(f['ocr_reads'] for f in found):,} pictures (every reference that passed the gate's other
checks) and found no word in any. Rendering and scoring took {seconds / 60:.0f} min in all
(wall {(time.perf_counter() - started) / 60:.0f} min this call; batches already in the cache are read back).
"""
    print(text)
    if not args.no_write:
        DOC.write_text(text, encoding="utf-8")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
