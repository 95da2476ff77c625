"""Supervised warm-start data from the ``shapes`` generator: fresh scenes, never an eval scene.

A small policy that cannot yet write a valid program gets no learning signal from a verifiable
reward (every sample scores the minimum, every GRPO advantage is zero). The generator that made
the suite also writes each scene's program in five languages, so it can teach the form first::

    rows = warm_start_rows("svg", 256)   # TRL SFTTrainer's conversational prompt/completion rows

The scenes come from their own seed (:data:`WARM_START_SEED`, not the suite's), and a scene whose
description is one of the suite's eval scenes is skipped, so an evaluation on the eval split
measures tasks the warm start never showed. With ``levels``, the scenes are the generated levels'
train scenes, in turn (:mod:`.levels`: their eval scenes are chosen by a hash, never made for train).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from codepaint_env.core.languages import language as language_spec
from codepaint_env.tasks.prompts import system_prompt
from codepaint_env.tasks.shapes.levels import level_scenes
from codepaint_env.tasks.shapes.programs import languages as writer_languages
from codepaint_env.tasks.shapes.programs import reference_programs
from codepaint_env.tasks.shapes.scenes import Scene, sample_scene
from codepaint_env.tasks.shapes.suite import build_scenes, prompt_for, split_of

__all__ = ["WARM_START_SEED", "warm_start_rows"]

#: The seed warm-start scenes are drawn from (the suite's is 27).
WARM_START_SEED = 1027


def warm_start_rows(language: str, n: int, *, seed: int = WARM_START_SEED, max_chars: int | None = None,
                    levels: tuple[int, ...] | None = None) -> list[dict[str, Any]]:
    """``n`` prompt/completion rows: a fresh scene's task and its reference program, fenced.

    Args:
        language: One of the generator's languages (``svg``, ``p5``, ``html``, ``python``, ``tikz``).
        n: How many rows.
        seed: The scenes' seed.
        max_chars: Skip scenes whose program is longer (keeps a CPU warm start short).
        levels: Take the scenes from these generated levels, in turn (default: the fixed suite's
            templates, none of its eval scenes).

    Raises:
        ValueError: A language the generator does not write.
    """
    written = writer_languages()
    if language not in written:
        raise ValueError(f"the shapes generator writes {', '.join(written)}, not {language!r}")
    system = system_prompt(language)
    fence = language_spec(language).fence  # the fence tag its system prompt asks for
    rows: list[dict[str, Any]] = []
    for scene in _scenes(seed, levels):
        program = reference_programs(scene, languages=(language,))[language]
        if max_chars is not None and len(program) > max_chars:
            continue
        answer = f"```{fence}\n{program.strip()}\n```"
        rows.append({
            "prompt": [{"role": "system", "content": system},
                       {"role": "user", "content": prompt_for(scene, language)}],
            "completion": [{"role": "assistant", "content": answer}],
        })
        if len(rows) == n:
            break
    return rows


def _scenes(seed: int, levels: tuple[int, ...] | None) -> Iterator[Scene]:
    """Fresh train scenes without end: the fixed suite's templates, or the levels' in turn."""
    if levels:
        made = {level: level_scenes(level, 400, seed=seed) for level in levels}
        for i in range(400):
            for level in levels:
                yield made[level][i]
        raise ValueError("the warm start asks for more than 400 scenes a level")
    held_out = {s.description for s in build_scenes() if split_of(s) == "eval"}
    rng = random.Random(seed)
    seen: set[str] = set()
    index = 0
    while True:
        index += 1
        scene = sample_scene(rng, index)
        if scene.description not in held_out and scene.description not in seen:
            seen.add(scene.description)
            yield scene
