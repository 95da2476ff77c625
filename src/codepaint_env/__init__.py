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

from .core.version import __version__

if TYPE_CHECKING:  # imported when first used (``__getattr__`` below)
    from .env import CodePaintEnv
    from .render import Renderer, RenderResult, render

#: Registered environment ids -> language (kwargs presets of one class, as Gymnasium does it).
ENV_IDS = {
    "CodePaint/P5Brush-v0": "p5brush",
    "CodePaint/P5-v0": "p5",
    "CodePaint/SVG-v0": "svg",
    "CodePaint/HTML-v0": "html",
    "CodePaint/Python-v0": "python",
    "CodePaint/TikZ-v0": "tikz",
}


def _register_envs() -> None:
    from gymnasium.envs.registration import register, registry

    for env_id, language in ENV_IDS.items():
        if env_id not in registry:
            register(id=env_id, entry_point="codepaint_env.env:CodePaintEnv",
                     vector_entry_point="codepaint_env.vector:CodePaintVectorEnv",
                     kwargs={"language": language}, nondeterministic=False)


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
_LAZY = {"CodePaintEnv": ".env", "Renderer": ".render", "RenderResult": ".render", "render": ".render"}


def __getattr__(name: str) -> Any:
    if name == "render":  # the package, callable as the function of the same name
        return importlib.import_module(".render", __name__)
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'codepaint_env' has no attribute {name!r}")


__all__ = ["ENV_IDS", "CodePaintEnv", "RenderResult", "Renderer", "__version__", "render"]
