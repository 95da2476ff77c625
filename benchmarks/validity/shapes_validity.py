"""How valid are the ``shapes`` suite's checks? References that pass, mutants that fail, measured.

    .venv/bin/python benchmarks/validity/shapes_validity.py  # ~6 min on 2 cores; docs/shapes-validity.md
    .venv/bin/python benchmarks/validity/shapes_validity.py --no-references --scenes 5 --no-write  # a look

1. **References**: every reference program of every task (each scene in SVG, p5.js, HTML, Python
   and TikZ) is rendered and must pass every one of its task's checks. Reports the failures and the
   render time.
2. **Mutants**: for every eval scene, one mutant per mutation (:mod:`codepaint_env.tasks.shapes.
   mutations`: a colour changed, an object moved, removed or duplicated, the background changed,
   the scene mirrored, an object cut by the edge), made on the scene and written again as a
   program in every language. For each check of the original task, the ground truth (from the
   mutant scene's geometry: :mod:`codepaint_env.tasks.shapes.oracle`) says whether the mutation
   broke what the check asserts; the check's verdict on the render is compared with it. The
   unmutated references count as mutants that break nothing. A "positive" is a broken assertion:
   precision = failed checks that were broken / failed checks, recall = broken assertions whose
   check failed / broken assertions. Assertions within a hair of their threshold (ambiguous) are
   counted apart, not scored.

3. **Colours as people name them** (version 2 of the suite's checks: colour terms): every eval scene's
   reference program in every language with its colours spelt as the prompt names them (CSS names, and
   what the prompt defines), with the palette's values, and with *wrong colour families* (every colour
   of the scene, background too, swapped for another family's); the mean ``visual_checks`` value of
   each. The goal: names >= 0.95, wrong families <= 0.5. Each check kind's precision and recall is shown
   beside version 1's (ΔE 20 to palette values the prompt never stated).

Prints the tables and writes them, with the command and the wall time, to ``docs/shapes-validity.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from codepaint_env.render import Renderer, RenderResult
from codepaint_env.tasks import load_suite
from codepaint_env.tasks.shapes.checks import scene_checks
from codepaint_env.tasks.shapes.mutations import MUTATIONS, seeded_mutant
from codepaint_env.tasks.shapes.oracle import scene_truths
from codepaint_env.tasks.shapes.programs import LANGUAGES, SPELLINGS, reference_programs
from codepaint_env.tasks.shapes.scenes import BACKGROUNDS, OBJECT_COLOURS, Scene
from codepaint_env.tasks.shapes.suite import build_scenes, split_of
from rewards.base import Sample
from rewards.checks import VisualChecks, parse_checks

DOC = Path(__file__).resolve().parents[2] / "docs" / "shapes-validity.md"
#: Each check kind's (precision, recall) with version 1 of the checks (ΔE 20 to palette values), as
#: docs/shapes-validity.md reported them before colour terms (same scenes, mutations and seed).
VERSION_1: dict[str, tuple[float | None, float | None]] = {
    "background": (1.0, 1.0), "colour": (1.0, 1.0), "contrast": (1.0, 1.0), "count": (1.0, 1.0),
    "coverage": (1.0, 1.0), "no_image": (None, None), "not_cut": (1.0, 1.0), "position": (1.0, 1.0),
    "relation": (1.0, 1.0), "shape": (1.0, 0.957), "size": (1.0, 1.0), "symmetry": (1.0, 1.0)}
#: Wrong colour families: each colour swapped for another family's (a background for a background).
WRONG_FAMILY: dict[str, str] = {
    **{c: OBJECT_COLOURS[(i + 3) % len(OBJECT_COLOURS)] for i, c in enumerate(OBJECT_COLOURS)},
    "black": "white", "white": "black", "navy": "cream", "cream": "navy"}
assert set(WRONG_FAMILY) == {*OBJECT_COLOURS, *BACKGROUNDS}


@dataclass
class Tally:
    """Confusion counts of check verdicts against the ground truth."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    ambiguous: int = 0

    def add(self, broken: bool, failed: bool) -> None:
        """Count one verdict (``failed``) against its truth (``broken``)."""
        if broken and failed:
            self.tp += 1
        elif failed:
            self.fp += 1
        elif broken:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        """Failed checks whose assertion was broken, over failed checks."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """Broken assertions whose check failed, over broken assertions."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Report:
    """Everything the benchmark measured."""

    by: dict[str, dict[str, Tally]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Tally)))
    mutants: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)


def render(renderer: Renderer, jobs: list[tuple[str, str]], size: int,
           svg_renderer: str) -> list[RenderResult]:
    """Render ``(program, language)`` jobs, each language as one ``render_many`` batch; results in order."""
    out: list[RenderResult | None] = [None] * len(jobs)
    for language in LANGUAGES:
        index = [i for i, (_, lang) in enumerate(jobs) if lang == language]
        if not index:
            continue
        backend = svg_renderer if language == "svg" else "auto"
        results = renderer.render_many([jobs[i][0] for i in index], language, size=size, renderer=backend,
                                       progress=f"{language:6s}")
        for i, res in zip(index, results, strict=True):
            out[i] = res
    return out  # type: ignore[return-value]  (every index was filled)


def score(reward: VisualChecks, checks: list[dict], jobs: list[tuple[str, str]],
          results: list[RenderResult]) -> list[dict[str, float | None]]:
    """The breakdown of ``visual_checks`` for each render."""
    text = json.dumps(checks)
    samples = [Sample(code=code, language=lang, render=res, meta={"checks": text})
               for (code, lang), res in zip(jobs, results, strict=True)]
    return [r.breakdown if r.value is not None else {} for r in reward.score(samples)]


def check_references(renderer: Renderer, scenes: list[Scene], size: int,
                     svg_renderer: str) -> tuple[str, float]:
    """Render every reference program; the lines of the report and the seconds it took."""
    reward = VisualChecks()
    jobs, owners = [], []
    for scene in scenes:
        for language, program in reference_programs(scene).items():
            jobs.append((program, language))
            owners.append(scene)
    t0 = time.perf_counter()
    results = render(renderer, jobs, size, svg_renderer)
    seconds = time.perf_counter() - t0
    failures = []
    per_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (code, language), res, scene in zip(jobs, results, owners, strict=True):
        [breakdown] = score(reward, scene_checks(scene), [(code, language)], [res])
        failed = [k for k, v in breakdown.items() if v == 0.0] if res.ok else ["(render failed)"]
        per_language[language][0] += 1
        if failed or not breakdown:
            per_language[language][1] += 1
            failures.append(f"scene {scene.index} {language}: {', '.join(failed) or res.error_kind}")
    lines = [f"{len(jobs)} reference programs ({len(scenes)} scenes x {len(LANGUAGES)} languages) "
             f"rendered at {size}x{size} in {seconds:.0f} s "
             f"({seconds / len(jobs) * 1000:.0f} ms a render on average, "
             f"SVG with renderer=\"{svg_renderer}\"); programs failing a check of their task: "
             f"{len(failures)}.", "",
             "| language | references | failing |", "|---|---:|---:|"]
    lines += [f"| {lang} | {n} | {bad} |" for lang, (n, bad) in per_language.items()]
    if failures:
        lines += ["", "Failures:", *(f"* {f}" for f in failures[:30])]
    return "\n".join(lines), seconds


def mutate(scenes: list[Scene], seed: int) -> list[tuple[Scene, str, Scene]]:
    """``(original, mutation, mutant)`` for each scene and mutation (``none``: the original itself)."""
    out = []
    for scene in scenes:
        out.append((scene, "none", scene))
        for name in MUTATIONS:
            mutant = seeded_mutant(scene, name, seed)
            if mutant is not None:
                out.append((scene, name, mutant))
    return out


def check_mutants(renderer: Renderer, scenes: list[Scene], size: int, svg_renderer: str, seed: int) -> Report:
    """Render every mutant in every language and compare each check's verdict with the ground truth."""
    report = Report()
    reward = VisualChecks()
    cases = mutate(scenes, seed)
    jobs = [(program, language) for _, _, mutant in cases
            for language, program in reference_programs(mutant).items()]
    results = iter(render(renderer, jobs, size, svg_renderer))
    for original, name, mutant in cases:
        checks = scene_checks(original)
        parsed = parse_checks(checks)
        truths = scene_truths(parsed, mutant)
        report.mutants[name] += 1
        for language, program in reference_programs(mutant).items():
            res = next(results)
            [breakdown] = score(reward, checks, [(program, language)], [res])
            if not res.ok:
                report.errors.append(f"scene {original.index} {name} {language}: render {res.error_kind}")
                continue
            for check in parsed:
                t = truths[check.name]
                keys = ("all", f"mutation:{name}", f"kind:{check.kind}", f"language:{language}")
                if t.ambiguous:
                    for key in keys:
                        report.by[key.split(":")[0]][key].ambiguous += 1
                    continue
                failed = breakdown.get(check.name) == 0.0
                for key in keys:
                    report.by[key.split(":")[0]][key].add(not t.holds, failed)
                if failed != (not t.holds) and len(report.errors) < 40:
                    verdict = "failed" if failed else "passed"
                    report.errors.append(f"scene {original.index} ({original.template}) {name} {language}: "
                                         f"{check.name} {verdict}, truth {'holds' if t.holds else 'broken'}")
    return report


def recoloured(scene: Scene) -> Scene:
    """The scene with every colour, the background's too, in another colour family."""
    from dataclasses import replace

    return replace(scene, background=WRONG_FAMILY[scene.background],
                   shapes=tuple(replace(s, colour=WRONG_FAMILY[s.colour]) for s in scene.shapes))


def check_colours(renderer: Renderer, scenes: list[Scene], size: int, svg_renderer: str) -> str:
    """Mean ``visual_checks`` of each eval scene's references: names, palette values, wrong families."""
    reward = VisualChecks()
    variants = {f"spelt with {how}": (lambda s, how=how: reference_programs(s, how)) for how in SPELLINGS}
    variants["wrong colour families"] = lambda s: reference_programs(recoloured(s))
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for name, write in variants.items():
        jobs, owners = [], []
        for scene in scenes:
            for language, program in write(scene).items():
                jobs.append((program, language))
                owners.append(scene)
        results = render(renderer, jobs, size, svg_renderer)
        for (code, language), res, scene in zip(jobs, results, owners, strict=True):
            text = json.dumps(scene_checks(scene))
            sample = Sample(code=code, language=language, render=res, meta={"checks": text})
            value = reward.score([sample])[0].value
            values[name][language].append(0.0 if value is None else value)
    lines = ["| references | " + " | ".join(LANGUAGES) + " | all |",
             "|---|" + "---:|" * (len(LANGUAGES) + 1)]
    for name, by_language in values.items():
        everything = [v for vs in by_language.values() for v in vs]
        cells = " | ".join(f"{statistics.fmean(by_language[lang]):.3f}" for lang in LANGUAGES)
        lines.append(f"| {name} | {cells} | {statistics.fmean(everything):.3f} |")
    return "\n".join(lines)


def kind_changes(report: Report) -> str:
    """Each check kind's precision and recall now, beside version 1's."""
    lines = ["| kind | precision v1 | precision v2 | recall v1 | recall v2 |", "|---|---:|---:|---:|---:|"]
    for key, t in sorted(report.by["kind"].items()):
        kind = key.split(":", 1)[-1]
        p1, r1 = VERSION_1.get(kind, (None, None))
        lines.append(f"| {kind} | {_f(p1)} | {_f(t.precision)} | {_f(r1)} | {_f(t.recall)} |")
    return "\n".join(lines)


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def tables(report: Report) -> str:
    """The report as Markdown tables."""
    lines = []
    for group, title in (("all", "Overall"), ("mutation", "By mutation"), ("kind", "By check kind"),
                         ("language", "By language")):
        lines += [f"**{title}**", "", "| | judged | broken | TP | FP | FN | precision | recall | ambiguous |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for key, t in sorted(report.by[group].items()):
            label = key.split(":", 1)[-1]
            if group == "mutation":
                label += f" ({report.mutants[label]} scenes)"
            judged = t.tp + t.fp + t.fn + t.tn
            lines.append(f"| {label} | {judged} | {t.tp + t.fn} | {t.tp} | {t.fp} | {t.fn} | "
                         f"{_f(t.precision)} | {_f(t.recall)} | {t.ambiguous} |")
        lines.append("")
    if report.errors:
        lines += ["**Disagreements** (first 40)", "", *(f"* {e}" for e in report.errors[:40]), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=256, help="render size (default 256)")
    parser.add_argument("--scenes", type=int, default=None, help="only the first N eval scenes (default all)")
    parser.add_argument("--svg-renderer", choices=("fast", "browser"), default="fast")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mutations")
    parser.add_argument("--no-references", action="store_true", help="skip the all-references check")
    parser.add_argument("--no-write", action="store_true", help=f"print only (do not write {DOC.name})")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    scenes = build_scenes()
    shipped = {t.id: t for t in load_suite("shapes")}
    prompts = [shipped[f"shapes-{s.index:04d}-svg"].prompt for s in scenes]
    if not all(p.startswith(f"Draw {s.description},") for p, s in zip(prompts, scenes, strict=True)):
        raise SystemExit("the shipped suite is not the generator's: run python -m codepaint_env.tasks.shapes")
    evals = [s for s in scenes if split_of(s) == "eval"][:args.scenes]
    renderer = Renderer(cache_size=0)
    try:
        probe = renderer.render(reference_programs(scenes[0])["svg"], "svg", size=args.size,
                                renderer=args.svg_renderer)
        svg_renderer = args.svg_renderer
        if not probe.ok:
            print(f"SVG renderer {args.svg_renderer!r} fails ({probe.messages[:1]}): using the browser",
                  file=sys.stderr)
            svg_renderer = "browser"
        parts = []
        if not args.no_references:
            text, _ = check_references(renderer, scenes, args.size, svg_renderer)
            parts.append("## References\n\n" + text)
        t1 = time.perf_counter()
        report = check_mutants(renderer, evals, args.size, svg_renderer, args.seed)
        mutant_seconds = time.perf_counter() - t1
        colours = check_colours(renderer, evals, args.size, svg_renderer)
    finally:
        renderer.close()
    wall = time.perf_counter() - t0
    given = argv if argv is not None else sys.argv[1:]
    command = "python benchmarks/validity/shapes_validity.py " + " ".join(given)
    mutants = sum(report.mutants.values()) - report.mutants.get("none", 0)
    originals = report.mutants.get("none", 0)
    parts.append(f"## Mutants\n\n{len(evals)} eval scenes, {mutants} mutants and the {originals} originals, "
                 f"each in {len(LANGUAGES)} languages ({mutant_seconds:.0f} s). A positive is a check whose "
                 "assertion the mutation broke (ground truth from the scene).\n\n" + tables(report))
    parts.append("## Colours as people name them\n\nThe mean `visual_checks` value of the "
                 f"{len(evals)} eval scenes' reference programs, each language. Names: the colours as the "
                 "prompt names them (`fill=\"navy\"`; what the prompt defines where the language lacks a "
                 "name); palette: the suite's own values (`#1a237e`); wrong families: every colour, the "
                 "background's too, swapped for another family's (red for green...). The goal: names at "
                 "least 0.95, wrong families at most 0.5.\n\n" + colours + "\n\nEach check kind against "
                 "the mutants, beside version 1 of the checks (a pixel was a colour only within ΔE 20 of a "
                 "palette value):\n\n" + kind_changes(report))
    body = "\n\n".join(parts)
    text = (f"# Validity of the `shapes` checks\n\nMeasured by `{command.strip()}` (wall time {wall:.0f} s "
            f"on this machine, 2 cores; SVG rendered with renderer=\"{svg_renderer}\").\n\n{body}\n")
    print(text)
    if not args.no_write:
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
