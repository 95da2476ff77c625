"""The template adversary on a suite's held-out tasks: one scene-blind program for every scene.

    >>> from codepaint_env.scoring.templates import run_templates
    >>> report = run_templates(rewards.make_reward("default"), spec="default", count=250, seed=0,
    ...                        budget=300)                                         # doctest: +SKIP
    >>> print(report.to_table()); report.write("runs/templates")                   # doctest: +SKIP

:func:`rewards.testing.templates.search_templates` does the search; this module picks the tasks:

* ``shapes``: ``count`` held-out (``eval``) scenes spread over ``levels`` (250 over 0-4: 50 a level,
  the first levels taking what does not divide), each scene's SVG task row as the suite makes it
  (:func:`~codepaint_env.tasks.shapes.suite.scene_tasks`: prompt, checks, level, size);
* ``knowledge``: ``count`` of the suite's eval facts in SVG (all of them when fewer; a seeded pick
  when more), searched in the **fact-blind** form: the prompt names a thing ("the flag of
  Madagascar"), never its colours, so the template reads nothing of it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from codepaint_env.tasks.loading import load_suite
from codepaint_env.tasks.shapes.levels import level_scenes
from codepaint_env.tasks.shapes.suite import scene_tasks
from codepaint_env.tasks.task import Task
from rewards.testing.templates import SEARCH_SIZE, TemplateReport, search_templates

LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)
SUITES: tuple[str, ...] = ("shapes", "knowledge")
#: Evaluations of the search by default (each: every task rendered and scored once).
BUDGET = 300
Progress = Callable[[int, float | None, float | None], None]


def per_level(count: int, levels: Sequence[int]) -> dict[int, int]:
    """``count`` scenes spread over ``levels`` (the first levels take the remainder)."""
    base, extra = divmod(count, len(levels))
    return {level: base + (i < extra) for i, level in enumerate(levels)}


def template_tasks(count: int, *, seed: int = 0, suite: str = "shapes",
                   levels: Sequence[int] = LEVELS) -> list[Task]:
    """The held-out SVG tasks the template search runs on (see the module docstring).

    Raises:
        ValueError: An unknown suite, no levels, or a count below 1.
    """
    if suite not in SUITES:
        raise ValueError(f"the template search runs on the {' or '.join(SUITES)} suite, not {suite!r}")
    if count < 1:
        raise ValueError(f"the template search needs at least one task, not {count}")
    if suite == "knowledge":
        tasks = sorted(load_suite("knowledge", split="eval", language="svg"), key=lambda t: t.id)
        return tasks if count >= len(tasks) else sorted(random.Random(seed).sample(tasks, count),
                                                          key=lambda t: t.id)
    if not levels:
        raise ValueError("the template search needs at least one level")
    return [scene_tasks(scene, ("svg",))[0] for level, n in per_level(count, levels).items() if n
            for scene in level_scenes(level, n, seed=seed, split="eval")]


def run_templates(reward: Any, *, spec: str, count: int, seed: int = 0, budget: int = BUDGET,
                  suite: str = "shapes", levels: Sequence[int] = LEVELS, size: int = SEARCH_SIZE,
                  progress: Progress | None = None) -> TemplateReport:
    """Search for the best-paid scene-blind template over ``count`` held-out tasks of ``suite``.

    Args:
        reward: The reward under audit.
        spec: How to name it in the report.
        count: Held-out scenes (or facts) in all, spread over ``levels`` for ``shapes``.
        seed: Picks the scenes and seeds the search.
        budget: Template evaluations.
        suite: ``shapes`` (prompt colour words) or ``knowledge`` (fact-blind).
        levels: The ``shapes`` levels.
        size: The search's render size (px).
        progress: Called after each evaluation (see :func:`~rewards.testing.templates.search_templates`).
    """
    tasks = template_tasks(count, seed=seed, suite=suite, levels=levels)
    report = search_templates(reward, tasks, budget=budget, seed=seed, fact_blind=suite == "knowledge",
                              progress=progress, size=size)
    report.spec, report.suite = spec, suite
    return report
