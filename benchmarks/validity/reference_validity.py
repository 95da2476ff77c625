"""Every generated task's own reference passes every check of its task: 1,000 tasks a level and language.

    nice -n 10 .venv/bin/python benchmarks/validity/reference_validity.py --languages svg      # SVG: ~40 min
    nice -n 10 .venv/bin/python benchmarks/validity/reference_validity.py --languages p5 --minutes 60
    .venv/bin/python benchmarks/validity/reference_validity.py --report-only  # the report from what is done
    .venv/bin/python benchmarks/validity/reference_validity.py --train 4 --eval 1 --no-write   # a quick look

For each level of the ``shapes`` generator (0-4): ``--train`` train scenes (seed ``--train-seed``)
and ``--eval`` held-out scenes (seed ``--eval-seed``), each asked in every language of
``--languages`` (SVG, p5.js, HTML, Python, TikZ): 800 + 200 = 1,000 tasks a level and language.
A level with fewer distinct descriptions than asked gives all it has (suite version 4: level 0
has 414 train and 95 eval descriptions, level 1 589 and 160: 509 and 749 tasks a language). Each
task's reference program is rendered by the real renderer of its language (SVG by resvg, p5.js
and HTML in Chromium, Python and TikZ in the sandbox) at ``--size`` px and scored by the default
reward (``gate:0.3,checks:0.7``: the execution gate with its OCR, copy and degenerate
checks, then the task's checks) with the task's columns. A reference must pass every check: the
gate's and the task's; every one that does not is listed with the checks it failed and the
reward's sentence.

Resumable: one row a task is appended to ``runs/reference-validity/shapes-v<suite
version>-<size>px-<language>.jsonl`` as soon as its chunk is scored; tasks already there are
skipped. Within a language the tasks go level by level in turn (level 0's first, level 1's first,
..., then each level's second, train and eval interleaved in proportion), so a run stopped by
``--minutes`` has scored every level alike. ``--redo`` drops a language's rows first (after a
change to the gate or the checks).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reference-validity.md"
LANGUAGES = ("svg", "p5", "html", "python", "tikz")
LEVELS = (0, 1, 2, 3, 4)
#: What follows this line in the report is written by hand and kept when the report is rewritten.
HAND = "<!-- written by hand below: kept by benchmarks/validity/reference_validity.py -->"


def _scenes(level: int, split: str, count: int, seed: int) -> list[Any]:
    """``count`` tasks' scenes of a level and split in every language, or all the level has."""
    from codepaint_env.tasks import TaskError, load_suite

    try:
        return load_suite("shapes", level=level, count=count, seed=seed, split=split)
    except TaskError as e:  # "level 0 has no more than 95 distinct eval scenes (asked for 200)"
        found = re.search(r"no more than (\d+) distinct", str(e))
        if found is None:
            raise
        return load_suite("shapes", level=level, count=int(found.group(1)), seed=seed, split=split)


def plan(levels: Iterable[int], train: int, eval_: int, train_seed: int,
         eval_seed: int) -> dict[str, list[Any]]:
    """Per language, its tasks in the order they are scored (levels in turn, splits in proportion)."""
    keyed: dict[str, list[tuple[float, int, Any]]] = defaultdict(list)
    for level in levels:
        for split, count, seed in (("train", train, train_seed), ("eval", eval_, eval_seed)):
            if count <= 0:
                continue
            tasks = _scenes(level, split, count, seed)
            per_language: dict[str, list[Any]] = defaultdict(list)
            for t in tasks:
                per_language[t.language].append(t)
            for language, mine in per_language.items():
                keyed[language] += [((i + 0.5) / len(mine), level, t) for i, t in enumerate(mine)]
    return {language: [t for _, _, t in sorted(rows, key=lambda r: (r[0], r[1]))]
            for language, rows in keyed.items()}


def rows_path(cache: Path, size: int, language: str) -> Path:
    """Where a language's per-task rows are kept (a new suite version starts afresh)."""
    from codepaint_env.tasks.shapes.suite import SUITE_VERSION

    return cache / f"shapes-v{SUITE_VERSION}-{size}px-{language}.jsonl"


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


def failed_checks(breakdown: dict[str, float]) -> list[str]:
    """The gate's and the task's checks a result failed (``execution_gate/not_copy``, ``visual_checks/x``)."""
    skip = {"execution_gate/painted_share", "execution_gate/ocr_words", "execution_gate", "visual_checks",
            "gated"}
    return sorted(k for k, v in breakdown.items()
                  if "/" in k and k not in skip and not k.startswith("execution_gate/copy_of:") and v < 1.0)


def score_chunk(tasks: list[Any], language: str, size: int, renderer: Any, reward: Any,
                copies: Any) -> list[dict]:
    """Render and score a chunk of one language's references; one row a task.

    Each row also keeps the nearest pool picture of any language (``closest``: its id, hash
    distance and copy similarity), the copy check's margin, whatever the language's own pool.
    """
    from rewards.base import Sample

    t0 = time.perf_counter()
    renders = renderer.render_many([t.reference_programs[language] for t in tasks], language, size=size,
                                   renderer="fast" if language == "svg" else "auto")
    rendered = time.perf_counter()
    samples = [Sample(code=t.reference_programs[language], language=language, render=r, prompt=t.prompt,
                      meta=t.columns()) for t, r in zip(tasks, renders, strict=True)]
    results = reward.score(samples)
    scored = time.perf_counter()
    rows = []
    for t, r, res in zip(tasks, renders, results, strict=True):
        failed = failed_checks(res.breakdown or {})
        image = r.canvas_image if r.ok else None
        near = copies.closest(image) if image is not None else None
        ok = res.value is not None and res.value >= 0.999 and not failed
        rows.append({"task": t.id, "level": t.level, "split": t.split, "language": language, "size": size,
                     "value": res.value, "passed": ok, "failed": failed,
                     "why": "" if ok else res.rationale, "render": r.error_kind or "ok",
                     "render_s": round((rendered - t0) / len(tasks), 4),
                     "score_s": round((scored - rendered) / len(tasks), 4),
                     "ocr_reads": int((res.cost or {}).get("ocr_reads", 0)),
                     "closest": None if near is None else [near.reference_id, near.hamming,
                                                           round(near.ssim, 4)]})
    return rows


def run_language(language: str, tasks: list[Any], path: Path, size: int, chunk: int, pages: int,
                 deadline: float) -> None:
    """Score a language's tasks not yet in its rows file, appending as it goes, until the deadline."""
    from tqdm import tqdm

    import rewards
    from codepaint_env.render import Renderer
    from rewards.gate.copies import CopyIndex
    from rewards.pool import ReferencePool

    rows = read_rows(path)
    unjudged = [r for r in rows if r["value"] is None]  # the infrastructure's, not the program's: again
    if unjudged:
        judged = "".join(json.dumps(r) + "\n" for r in rows if r["value"] is not None)
        path.write_text(judged, encoding="utf-8")
        print(f"{language}: {len(unjudged)} rows were not judged (render {unjudged[0]['render']}); "
              "scoring them again", flush=True)
    done = {r["task"] for r in rows if r["value"] is not None}
    todo = [t for t in tasks if t.id not in done]
    print(f"{language}: {len(tasks)} tasks planned, {len(tasks) - len(todo)} already in {path.name}, "
          f"{len(todo)} to score", flush=True)
    if not todo:
        return
    reward = rewards.make_reward("default")
    renderer = Renderer(max_pages=pages)
    copies = CopyIndex(ReferencePool())
    started, n = time.perf_counter(), 0
    try:
        with tqdm(total=len(todo), desc=f"{language:6s}", unit="task") as bar, \
                path.open("a", encoding="utf-8") as out:
            for i in range(0, len(todo), chunk):
                if time.time() > deadline:
                    print(f"{language}: --minutes reached after {n} tasks", flush=True)
                    break
                rows = score_chunk(todo[i:i + chunk], language, size, renderer, reward, copies)
                out.writelines(json.dumps(row) + "\n" for row in rows)
                out.flush()
                n += len(rows)
                bar.update(len(rows))
                bar.set_postfix(failed=sum(not r["passed"] for r in rows))
    finally:
        renderer.close()
    spent = time.perf_counter() - started
    if n:
        print(f"{language}: {n} tasks in {spent:.0f} s: {n / spent:.2f} tasks/s "
              f"({spent / n:.2f} s a task, render and score)", flush=True)


def summarise(rows_by_language: dict[str, list[dict]], planned: dict[str, int], levels: list[int]) -> dict:
    """Counts per level and language, throughput per language, every failure."""
    table: dict[tuple[int, str], list[int]] = {}
    failures, unjudged = [], []
    throughput = {}
    for language, rows in rows_by_language.items():
        for r in rows:
            if r["value"] is None:  # not a verdict: the next call scores it again
                unjudged.append(r)
                continue
            cell = table.setdefault((r["level"], language), [0, 0])
            cell[0] += r["passed"]
            cell[1] += 1
            if not r["passed"]:
                failures.append(r)
        if rows:
            seconds = sum(r["render_s"] + r["score_s"] for r in rows)
            throughput[language] = {"tasks": len(rows), "seconds": round(seconds, 1),
                                    "render_s": round(sum(r["render_s"] for r in rows) / len(rows), 3),
                                    "score_s": round(sum(r["score_s"] for r in rows) / len(rows), 3)}
    margins = {}
    for language, rows in rows_by_language.items():
        near = sorted((r["closest"][2], r["task"], r["closest"][0], r["closest"][1])
                      for r in rows if r.get("closest"))
        if near:
            margins[language] = {"n": len(near), "max": near[-1], "p99": near[int(0.99 * (len(near) - 1))][0]}
    return {"table": table, "failures": failures, "unjudged": unjudged, "throughput": throughput,
            "planned": planned,
            "margins": margins, "levels": levels,
            "ocr_reads": sum(r["ocr_reads"] for rows in rows_by_language.values() for r in rows)}


def report(summary: dict, args: argparse.Namespace, command: str) -> str:
    """The Markdown report."""
    languages = [x for x in LANGUAGES if x in summary["throughput"]]
    table, levels = summary["table"], summary["levels"]
    lines = ["| level | " + " | ".join(languages) + " | tasks | failed |",
             "| --- | " + " | ".join("---:" for _ in languages) + " | ---: | ---: |"]
    for level in levels:
        cells = [table.get((level, x), [0, 0]) for x in languages]
        lines.append(f"| {level} | " + " | ".join(f"{p}/{n}" for p, n in cells)
                     + f" | {sum(n for _, n in cells):,} | {sum(n - p for p, n in cells)} |")
    total = sum(n for _, n in table.values())
    failed = summary["failures"]
    speed = ["| language | tasks scored | planned | render s/task | score s/task | tasks/s |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for x in languages:
        t = summary["throughput"][x]
        speed.append(f"| {x} | {t['tasks']:,} | {summary['planned'].get(x, 0):,} | {t['render_s']:.3f} | "
                     f"{t['score_s']:.3f} | {t['tasks'] / max(t['seconds'], 1e-9):.2f} |")
    margin_lines = ["| language | references | nearest pool picture: highest colour SSIM | 99th percentile |",
                    "| --- | ---: | --- | ---: |"]
    for x in languages:
        m = summary["margins"].get(x)
        if m:
            top, task, ref, bits = m["max"]
            margin_lines.append(f"| {x} | {m['n']:,} | {top:.3f} (`{task}` ~ `{ref}`, hash {bits} bits) | "
                                f"{m['p99']:.3f} |")
    checks = Counter(c for f in failed for c in f["failed"] or ["(value below 1)"])
    kinds = "; ".join(f"{n} x {c}" for c, n in checks.most_common())
    listed = "".join(f"\n* `{f['task']}` ({f['split']}, level {f['level']}): {f['value']}, failed "
                     f"{', '.join(f['failed']) or '-'}: {f['why'][:300]}" for f in failed[:40])
    more = f"\n* ... and {len(failed) - 40} more (in the rows files)" if len(failed) > 40 else ""
    unjudged = summary.get("unjudged", [])
    if unjudged:
        more += (f"\n\n{len(unjudged)} not judged (the render's infrastructure failed: "
                 f"{', '.join(sorted(r['task'] for r in unjudged)[:10])}); the next call scores them again.")
    return f"""# Every reference passes every check of its task: {total:,} generated tasks

Measured by `benchmarks/validity/reference_validity.py` (this project's 2-core machine, shared with other
work; the slow languages run under `nice -n 10` with one render at a time). For each level of the
`shapes` generator (suite version {args.suite_version}): {args.train} train scenes (seed {args.train_seed})
and {args.eval} held-out scenes (seed {args.eval_seed}), each asked in a language (where a level has
fewer distinct descriptions, all of them: level 0 has 414 train and 95 eval, level 1 589 and 160).
Each reference program is rendered by its language's real renderer at {args.size} px (SVG by resvg,
p5.js and HTML in Chromium, Python and TikZ in the sandbox) and scored by the default reward
`gate:0.3,checks:0.7` (the execution gate with its OCR, copy and degenerate checks, then the task's
checks) with the task's columns. A reference must pass every check, the gate's and the task's.

<!-- not run: an hour or more of CPU a language -->
```bash
{command}
```

References passing every check / scored, per level and language:

{chr(10).join(lines)}

{len(failed)} of {total:,} failed{":" if failed else "."} {kinds}
{listed}{more}

Throughput (render and score in the run's own chunks; one row a task in
`runs/reference-validity/`):

{chr(10).join(speed)}

The copy check's margin: each reference's nearest picture in the whole reference pool (216 pictures,
every language, whatever the hash says; the gate compares a render only with its own language's
pool and calls it a copy at a hash distance of at most 8 bits *and* a colour SSIM of at least 0.7):

{chr(10).join(margin_lines)}

OCR read {summary['ocr_reads']:,} pictures (every reference that passed the gate's other checks).
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--languages", default=",".join(LANGUAGES))
    ap.add_argument("--levels", default=",".join(map(str, LEVELS)))
    ap.add_argument("--train", type=int, default=800, help="train scenes a level (each a task per language)")
    ap.add_argument("--eval", type=int, default=200, help="held-out scenes a level")
    ap.add_argument("--train-seed", type=int, default=21)
    ap.add_argument("--eval-seed", type=int, default=22)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--chunk", type=int, default=20, help="tasks scored, then written, at a time")
    ap.add_argument("--pages", type=int, default=1, help="renders at once (Chromium pages, sandboxes)")
    ap.add_argument("--minutes", type=float, default=0, help="start no chunk after this (0: no limit)")
    ap.add_argument("--redo", action="store_true", help="drop the languages' rows first")
    ap.add_argument("--report-only", action="store_true", help="score nothing: report the rows there are")
    ap.add_argument("--cache", default=str(ROOT / "runs" / "reference-validity"))
    ap.add_argument("--doc", default=str(DOC))
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    args = ap.parse_args(argv)
    from codepaint_env.tasks.shapes.suite import SUITE_VERSION

    args.suite_version = SUITE_VERSION
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    deadline = time.time() + args.minutes * 60 if args.minutes else float("inf")
    levels = [int(x) for x in args.levels.split(",")]
    languages = [x for x in args.languages.split(",") if x]
    tasks = plan(levels, args.train, args.eval, args.train_seed, args.eval_seed)
    print(f"planned in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{x} {len(tasks[x])}" for x in languages), flush=True)
    if not args.report_only:
        for language in languages:
            path = rows_path(cache, args.size, language)
            if args.redo and path.exists():
                path.unlink()
            run_language(language, tasks[language], path, args.size, args.chunk, args.pages, deadline)
    wanted = {language: {t.id for t in tasks[language]} for language in LANGUAGES if language in tasks}
    rows = {language: [r for r in read_rows(rows_path(cache, args.size, language))
                       if r["task"] in wanted[language]] for language in wanted}
    rows = {language: r for language, r in rows.items() if r}
    summary = summarise(rows, {x: len(v) for x, v in wanted.items()}, levels)
    # the command that makes the rows reported (every language, resumable), not this call's part of it
    kinds = ("levels", "train", "eval", "train_seed", "eval_seed", "size")
    settings = [f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()
                if k in kinds and v != ap.get_default(k)]
    command = " ".join(["nice -n 10 .venv/bin/python benchmarks/validity/reference_validity.py", *settings])
    text = report(summary, args, command)
    print(text)
    print(f"wall {time.perf_counter() - started:.0f} s this call", flush=True)
    if not args.no_write:
        doc = Path(args.doc)
        kept = doc.read_text(encoding="utf-8").partition(HAND)[2] if doc.exists() else ""
        doc.write_text(text + (f"\n{HAND}{kept}" if kept else ""), encoding="utf-8")
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
