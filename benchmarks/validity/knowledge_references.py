"""Every reference program of the ``knowledge`` suite, in every language, rendered and scored by its checks.

    python benchmarks/validity/knowledge_references.py [--size 160] [--languages svg,p5,html,python,tikz]

SVG through resvg (``renderer="fast"``), p5.js and HTML in Chromium, Python and TikZ in the sandbox;
each picture scored by ``visual_checks`` with its task's checks. Prints one row per language (facts,
passed, failures, seconds) and every failure with its rationale; exits 1 when any reference fails.
``tests/tasks/test_knowledge_suite.py`` runs every SVG and Python reference and a fixed sample in the
other languages; this is the full run.
"""

from __future__ import annotations

import argparse
import sys
import time

from codepaint_env.render import Renderer
from codepaint_env.tasks import load_suite
from codepaint_env.tasks.knowledge.suite import SUITE_LANGUAGES
from rewards.base import Sample
from rewards.checks import VisualChecks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=160)
    parser.add_argument("--languages", default=",".join(SUITE_LANGUAGES))
    args = parser.parse_args()
    tasks = {t.facts[0]: t for t in load_suite("knowledge", language="svg")}
    reward = VisualChecks()
    failures: list[tuple[str, str, str | None, str]] = []
    rows = []
    renderer = Renderer(timeout_s=30, cache_size=0)
    try:
        for lang in args.languages.split(","):
            start = time.perf_counter()
            mine = list(tasks.values())
            results = renderer.render_many(
                [t.reference_programs[lang] for t in mine],
                lang,
                size=args.size,
                renderer="fast" if lang == "svg" else "auto",
            )
            samples = [
                Sample(
                    code=t.reference_programs[lang],
                    language=lang,
                    render=res,
                    meta={"checks": t.columns()["checks"]},
                )
                for t, res in zip(mine, results, strict=True)
            ]
            passed = 0
            for task, sample, out in zip(mine, samples, reward.score(samples), strict=True):
                if out.value == 1.0:
                    passed += 1
                else:
                    failures.append((task.facts[0], lang, sample.render.error_kind, out.rationale))
            rows.append((lang, len(mine), passed, time.perf_counter() - start))
    finally:
        renderer.close()
    print(f"| language | facts | all checks pass | seconds (size {args.size}) |")
    print("| --- | ---: | ---: | ---: |")
    for lang, n, passed, seconds in rows:
        print(f"| {lang} | {n} | {passed} | {seconds:.1f} |")
    for fact, lang, kind, why in failures:
        print(f"FAIL {fact} {lang} ({kind}): {why}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
