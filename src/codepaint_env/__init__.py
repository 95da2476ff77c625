"""codepaint: an RL environment for programs that draw.

``codepaint_env.render`` turns p5.js / p5.brush sketches, SVG and HTML into pictures in a
contained headless Chromium; ``rewards`` (a sibling package) judges them; importing this package
registers the Gymnasium environments (when gymnasium is imported: ``codepaint_env.render`` and
``rewards`` alone never load it)::

    import gymnasium as gym
    import codepaint_env  # noqa: F401  (or gym.make("codepaint_env:CodePaint/P5Brush-v0"))

    env = gym.make("CodePaint/P5Brush-v0", reward="execution_gate", max_turns=3)
    envs = gym.make_vec("CodePaint/SVG-v0", num_envs=8, vectorization_mode="vector_entry_point")
"""

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import TYPE_CHECKING, Any

from codepaint_env.core import moved
from codepaint_env.core.version import __version__

moved.install()  # old import paths (``codepaint_env.env``...) keep working until 0.2

if TYPE_CHECKING:  # imported when first used (``__getattr__`` below)
    from codepaint_env.envs.env import CodePaintEnv
    from codepaint_env.render import Renderer, RenderResult, render

def env_ids() -> dict[str, str]:
    """Environment id -> language, for every registered language with an ``env_id`` (plugins too).

    The ids are kwargs presets of one class (``CodePaintEnv(language=...)``), as Gymnasium does it;
    the table of languages (``LanguageSpec.env_id``) names them.
    """
    from codepaint_env.render import LANGUAGES

    return {spec.env_id: spec.name for spec in LANGUAGES.values() if spec.env_id}


def _register_env(spec: Any) -> None:
    if not spec.env_id or "gymnasium" not in sys.modules:
        return
    from gymnasium.envs.registration import register, registry

    if spec.env_id not in registry:
        register(id=spec.env_id, entry_point="codepaint_env.envs.env:CodePaintEnv",
                 vector_entry_point="codepaint_env.envs.vector:CodePaintVectorEnv",
                 kwargs={"language": spec.name}, nondeterministic=False)


def _register_envs() -> None:
    from codepaint_env.core.languages import on_register
    from codepaint_env.render import LANGUAGES  # the built-ins and installed plugins

    for spec in LANGUAGES.values():
        _register_env(spec)
    on_register(_register_env)  # languages registered later get their ids too


class _RegisterWhenGymnasiumLoads(importlib.abc.MetaPathFinder):
    """Registers the ids the moment gymnasium is imported, so importing us never imports it.

    ``import codepaint_env.render`` (or ``rewards``, which uses it) runs this file; loading
    gymnasium there would cost every renderer user its import time. With gymnasium already
    loaded the ids are registered at once; otherwise this finder, first on ``sys.meta_path``,
    lets the normal finders find gymnasium, runs its module, then registers, and removes itself.
    Entry points are strings: nothing of the env is imported until ``gym.make``.
    """

    def find_spec(self, name: str, path: Any = None,
                  target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name != "gymnasium":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run_module = loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            run_module(module)
            _register_envs()

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if "gymnasium" in sys.modules:
    _register_envs()
elif not any(isinstance(f, _RegisterWhenGymnasiumLoads) for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterWhenGymnasiumLoads())


#: Public names imported when first used: ``import codepaint_env.core`` (what ``rewards``
#: needs to import) loads no renderer, no browser code and no environment.
_LAZY = {"CodePaintEnv": ".envs.env", "Renderer": ".render", "RenderResult": ".render", "render": ".render"}


def __getattr__(name: str) -> Any:
    if name == "render":  # the package, callable as the function of the same name
        return importlib.import_module(".render", __name__)
    if name == "ENV_IDS":  # Environment id -> language (see env_ids)
        return env_ids()
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'codepaint_env' has no attribute {name!r}")


__all__ = ["ENV_IDS", "CodePaintEnv", "RenderResult", "Renderer", "__version__", "env_ids", "render"]
