"""A task in another language: the same scene asked in the language an environment keeps.

An environment made for one language keeps it: a task of another language given to it (a
``gym.make("CodePaint/SVG")`` env reset with a Python task) is re-targeted when its suite asks the
same scene in the environment's language, else refused::

    >>> from codepaint_env.tasks import load_suite
    >>> from codepaint_env.tasks.retarget import in_language
    >>> python_task = load_suite("shapes", language="python")[0]
    >>> in_language(python_task, "svg").id
    'shapes-0001-svg'

Re-targeted: a task of a built-in suite that asks each scene in several languages (``shapes`` and
``knowledge``: one task per scene and language, ``<scene>-<language>``, each carrying the scene's
``reference_programs`` in all of them) becomes its sibling in the language, and a generated
``shapes`` level task (not in the shipped file) gets the prompt the generator writes for the
language. Everything else of the task (size, checks, split...) is kept: only ``id``, ``prompt`` and
``language`` change, as between the suite's own siblings. Refused (:class:`TaskError`, a
``ValueError``, saying what to do instead): a task whose suite asks it in one language only, or whose
prompt is not the suite's (a user's own words cannot be re-worded).
"""

from __future__ import annotations

import dataclasses
from functools import cache

from codepaint_env.tasks.task import LANGUAGES, Task, TaskError

__all__ = ["in_language", "retargeted"]


def in_language(task: Task, language: str, *, env_id: str | None = None) -> Task:
    """``task`` asked in ``language``: itself, or the same scene re-targeted (see the module docstring).

    Args:
        task: The task given.
        language: The language the environment keeps.
        env_id: The environment's id, for the message (default: the language's id).

    Raises:
        TaskError: Its suite cannot ask the same scene in ``language`` (the message says what to do).
    """
    if task.language == language:
        return task
    made = retargeted(task, language)
    if made is not None:
        return made
    env_id = env_id or _env_id(language)
    own = _env_id(task.language)
    raise TaskError(
        f"task {task.id!r} asks for {task.language}, but this environment ({env_id}) keeps {language}, and "
        f"{_suite_words(task)} cannot ask the same scene in {language}: give a task in {language} "
        f"(load_suite(..., language={language!r})), or make the environment for {task.language}"
        + (f" ({own})" if own else ""))


def retargeted(task: Task, language: str) -> Task | None:
    """The same scene as ``task`` asked in ``language``; ``None`` when its suite cannot ask it there."""
    if task.language == language:
        return task
    if language not in LANGUAGES or language not in task.reference_programs:
        return None  # the suite does not write the scene in that language
    stem = _stem(task)
    if stem is None:
        return None
    suite = _suite_index(task.suite)
    original = suite.get(task.id)
    if original is not None:  # a task of the shipped suite: its sibling, if the prompt is the suite's
        sibling = suite.get(f"{stem}-{language}")
        if sibling is None or original.prompt != task.prompt:
            return None
        return dataclasses.replace(task, id=sibling.id, prompt=sibling.prompt, language=language)
    if task.suite == "shapes":  # a generated level: the generator's words for the language
        prompt = _shapes_prompt(task, language)
        if prompt is not None:
            return dataclasses.replace(task, id=f"{stem}-{language}", prompt=prompt, language=language)
    return None


def _stem(task: Task) -> str | None:
    """The scene's part of the id (``shapes-0007`` of ``shapes-0007-svg``); ``None`` without one."""
    suffix = f"-{task.language}"
    return task.id[: -len(suffix)] if task.id.endswith(suffix) and len(task.id) > len(suffix) else None


@cache
def _suite_index(suite: str) -> dict[str, Task]:
    """A built-in suite's tasks by id (empty for a suite that is not built in)."""
    from codepaint_env.tasks.loading import builtin_suites, load_suite

    if suite not in builtin_suites():
        return {}
    return {t.id: t for t in load_suite(suite)}


def _shapes_prompt(task: Task, language: str) -> str | None:
    """A generated shapes task's prompt in ``language``: its description with the language's ending.

    :func:`~codepaint_env.tasks.shapes.suite.prompt_for` writes "Draw <description>, <asked as>. No
    text.<colours the language lacks>"; the colours are the task's palette, in the prompt's order.
    """
    from codepaint_env.core.languages import language as language_spec
    from codepaint_env.tasks.shapes.programs import languages as writer_languages
    from codepaint_env.tasks.shapes.vocabulary import definitions
    from rewards.checks.colours import PALETTE

    if language not in writer_languages():
        return None
    names = {value: name for name, value in PALETTE.items()}
    if any(value not in names for value in task.palette):
        return None
    colours = [names[value] for value in task.palette]

    def ending(lang: str) -> str:
        return f", {language_spec(lang).asked_as}. No text.{definitions(lang, colours)}"

    old = ending(task.language)
    if not task.prompt.endswith(old):
        return None
    return task.prompt[: -len(old)] + ending(language)


def _suite_words(task: Task) -> str:
    if not task.suite:
        return "it (a task of no built-in suite)"
    if _stem(task) is None or not task.reference_programs:
        return f"its suite {task.suite!r} (one language per task)"
    return f"its suite {task.suite!r}"


def _env_id(language: str) -> str | None:
    spec = LANGUAGES.get(language)
    return getattr(spec, "env_id", None) or None
