"""Task suites: what a model is asked to draw, in which language, at which size.

    >>> from codepaint_env.tasks import load_suite, tasks_to_rows
    >>> tasks = load_suite("watercolour", split="train")
    >>> tasks[0].language
    'p5brush'
    >>> rows = tasks_to_rows(tasks, system_prompt="Answer with one p5.js sketch.")  # doctest: +SKIP

Built-in suites (package data in ``suites/*.jsonl``): ``watercolour`` (p5.brush flowers, still
lifes, landscapes), ``refinement`` (wall clock, world map, bicycle, elephant in Python and p5.js),
``svg`` (objects, scenes, attribute binding, spatial relations, counting), ``html`` (sites, data
visualisation, games, UI components) and ``tikz`` (diagrams, plots, geometry). Each task is in the
``train`` or the ``eval`` split (about 80/20). Load your own with :func:`load_tasks`.
"""

from __future__ import annotations

from codepaint_env.tasks.loading import all_tasks, builtin_suites, load_suite, load_tasks, tasks_to_rows
from codepaint_env.tasks.task import COLOUR_FAMILIES, LANGUAGES, SPLITS, Task, TaskError

__all__ = [
    "COLOUR_FAMILIES",
    "LANGUAGES",
    "SPLITS",
    "Task",
    "TaskError",
    "all_tasks",
    "builtin_suites",
    "load_suite",
    "load_tasks",
    "tasks_to_rows",
]
