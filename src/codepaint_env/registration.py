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
this module (benchmarks/speed/import_time.py measures it; tests/core/test_layout.py checks it).

**One id rule** (:func:`resolve_env_id`): every door that takes an id (``gym.make``,
TRL's ``CodePaintToolEnv``, the OpenEnv server) reads it as ``gym.make`` does. ``CodePaint/SVG``
(no version) is the latest registered version, ``CodePaint/SVG-v2`` (older than the registered
``-v4``) raises :class:`~codepaint_env.core.errors.DeprecatedEnvironment` naming the id to use, and a
newer version or an unknown name raises :class:`~codepaint_env.core.errors.UnknownEnvironment` with
the known ids. The other doors take no id: a row's ``language`` names the language.
"""

from __future__ import annotations

import re

from codepaint_env.core.errors import DeprecatedEnvironment, UnknownEnvironment
from codepaint_env.core.languages import LanguageSpec, on_register
from codepaint_env.render.languages import LANGUAGES

ENTRY_POINT = "codepaint_env.envs.env:CodePaintEnv"
VECTOR_ENTRY_POINT = "codepaint_env.envs.vector:CodePaintVectorEnv"
#: An id as Gymnasium parses it (``gymnasium.envs.registration.ENV_ID_RE``): ``[namespace/]name[-vN]``.
_ID = re.compile(r"^(?:(?P<namespace>[\w:.-]+)/)?(?P<name>[\w:.-]+?)(?:-v(?P<version>\d+))?$")


def env_ids() -> dict[str, str]:
    """Environment id -> language, for every registered language with an ``env_id`` (plugins too)."""
    return {spec.env_id: spec.name for spec in LANGUAGES.values() if spec.env_id}


def resolve_env_id(env_id: str) -> str:
    """The registered id ``env_id`` names, by ``gym.make``'s rule (no Gymnasium needed).

    Args:
        env_id: ``"CodePaint/SVG-v4"``, or ``"CodePaint/SVG"``: the latest version.

    Returns:
        The registered id (``"CodePaint/SVG-v4"``).

    Raises:
        DeprecatedEnvironment: An older version than the registered one (the message names the id to use).
        UnknownEnvironment: An unknown name, or a version newer than the registered one (the message lists
            the known ids).
    """
    ids = env_ids()
    if env_id in ids:
        return env_id
    known = ", ".join(sorted(ids))
    asked = _ID.match(env_id) if isinstance(env_id, str) else None
    if asked is None:
        raise UnknownEnvironment(f"unknown environment id {env_id!r}; known: {known}")
    versions = {}  # the registered versions of the asked name: version -> id
    for registered in ids:
        found = _ID.match(registered)
        if found and found.group("namespace", "name") == asked.group("namespace", "name"):
            versions[int(found.group("version") or -1)] = registered
    if not versions:
        raise UnknownEnvironment(f"unknown environment id {env_id!r}; known: {known}")
    latest = versions[max(versions)]
    if asked.group("version") is None:
        return latest
    version = int(asked.group("version"))
    unversioned = env_id[: asked.start("version") - 2]
    if version < max(versions):
        raise DeprecatedEnvironment(f"environment version v{version} for {unversioned!r} is deprecated; "
                                    f"use {latest!r} instead")
    raise UnknownEnvironment(f"environment version v{version} for {unversioned!r} does not exist; "
                             f"use {latest!r} (or {unversioned!r}: the latest version)")


def env_language(env_id: str) -> str:
    """The language of an id, resolved as :func:`resolve_env_id` does (doors other than Gym's read it here).

    Raises:
        DeprecatedEnvironment, UnknownEnvironment: As :func:`resolve_env_id` does.
    """
    return env_ids()[resolve_env_id(env_id)]


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
