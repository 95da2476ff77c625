"""The Gymnasium ids: one per language with an ``env_id``, registered by ``import codepaint_env``.

As Gymnasium's own ``gymnasium/envs/__init__.py`` and ``ale_py`` do it: plain ``register`` calls
whose entry points are strings, so nothing of the environment is imported until ``gym.make``.
The ids are kwargs presets of one class (``CodePaintEnv(language=...)``), named by the table of
languages (``LanguageSpec.env_id``); a language registered later (a plugin, a test's toy
language) gets its id when it is registered.

``codepaint_env/__init__.py`` has :func:`register_envs` called when Gymnasium is imported: at once
when it already is, else right after ``import gymnasium`` (:func:`codepaint_env.core.post_import.
when_imported`). So ``import codepaint_env`` then ``import gymnasium`` (or the other way round) has
the ids, while ``import rewards`` and ``import codepaint_env.render`` load neither Gymnasium nor
this module (benchmarks/import_time.py measures it; tests/core/test_layout.py checks it).
"""

from __future__ import annotations

from codepaint_env.core.languages import LanguageSpec, on_register
from codepaint_env.render.languages import LANGUAGES

ENTRY_POINT = "codepaint_env.envs.env:CodePaintEnv"
VECTOR_ENTRY_POINT = "codepaint_env.envs.vector:CodePaintVectorEnv"


def env_ids() -> dict[str, str]:
    """Environment id -> language, for every registered language with an ``env_id`` (plugins too)."""
    return {spec.env_id: spec.name for spec in LANGUAGES.values() if spec.env_id}


def env_language(env_id: str) -> str:
    """The language of a registered id (no Gymnasium needed: the doors that are not Gym's read it here).

    Raises:
        ValueError: An id no language has (the message lists the known ones).
    """
    ids = env_ids()
    if env_id not in ids:
        raise ValueError(f"unknown environment id {env_id!r}; known: {', '.join(sorted(ids))}")
    return ids[env_id]


def register_env(spec: LanguageSpec) -> None:
    """Register the language's id with Gymnasium (nothing when it has none or it is registered)."""
    from gymnasium.envs.registration import register, registry

    if spec.env_id and spec.env_id not in registry:
        register(id=spec.env_id, entry_point=ENTRY_POINT, vector_entry_point=VECTOR_ENTRY_POINT,
                 kwargs={"language": spec.name}, nondeterministic=False)


def register_envs() -> list[str]:
    """Register the id of every language in the table, and of each language registered later.

    Returns:
        The ids of the languages registered now.
    """
    for spec in LANGUAGES.values():
        register_env(spec)
    on_register(register_env)
    return sorted(env_ids())
