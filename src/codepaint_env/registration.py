"""The Gymnasium ids: one per language with an ``env_id``, registered by ``import codepaint_env``.

As Gymnasium's own ``gymnasium/envs/__init__.py`` and ``ale_py`` do it: plain ``register`` calls
whose entry points are strings, so nothing of the environment is imported until ``gym.make``.
The ids are kwargs presets of one class (``CodePaintEnv(language=...)``), named by the table of
languages (``LanguageSpec.env_id``); a language registered later (a plugin, a test's toy
language) gets its id when it is registered.

``codepaint_env/__init__.py`` calls :func:`register_envs` when the package is imported, so every
import of a codepaint module imports gymnasium (benchmarks/import_time.py measures the cost). The
render and rewards *modules* never import it themselves (import-linter keeps it so).
"""

from __future__ import annotations

from gymnasium.envs.registration import register, registry

from codepaint_env.core.languages import LanguageSpec, on_register
from codepaint_env.render.languages import LANGUAGES

ENTRY_POINT = "codepaint_env.envs.env:CodePaintEnv"
VECTOR_ENTRY_POINT = "codepaint_env.envs.vector:CodePaintVectorEnv"


def env_ids() -> dict[str, str]:
    """Environment id -> language, for every registered language with an ``env_id`` (plugins too)."""
    return {spec.env_id: spec.name for spec in LANGUAGES.values() if spec.env_id}


def register_env(spec: LanguageSpec) -> None:
    """Register the language's id with Gymnasium (nothing when it has none or it is registered)."""
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
