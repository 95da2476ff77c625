"""Old import paths, kept for one release (until 0.2): each one is the module at its new path.

The 0.1 layout had fifteen flat modules at the package root; they moved into folders that show
the layers (``codepaint_env/envs/``, ``cli/``, ``render/browser/``...). ``import codepaint_env.env``
still works: a finder, installed by ``import codepaint_env``, answers every old name in
:data:`MOVED` with the module at the new name (the same module object, so ``isinstance`` and
pickles agree) and a :class:`DeprecationWarning` that names the new path. One table, no stub files.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from typing import Any

#: Old module name -> new module name.
MOVED: dict[str, str] = {
    "codepaint_env.env": "codepaint_env.envs.env",
    "codepaint_env.vector": "codepaint_env.envs.vector",
    "codepaint_env.wrappers": "codepaint_env.envs.wrappers",
    "codepaint_env.spaces": "codepaint_env.envs.spaces",
    "codepaint_env.vlm_messages": "codepaint_env.envs.vlm_messages",
    "codepaint_env.trl_env": "codepaint_env.integrations.trl",
    "codepaint_env.prompts": "codepaint_env.tasks.prompts",
    "codepaint_env.errors": "codepaint_env.core.errors",
    "codepaint_env.compat": "rewards.embed.compat",
    "codepaint_env.cli_pool": "codepaint_env.cli.pool",
    "codepaint_env.cli_score": "codepaint_env.cli.score",
    "codepaint_env.cli_serve": "codepaint_env.cli.serve",
    "codepaint_env.demo": "codepaint_env.cli.demo",
    "codepaint_env.report": "codepaint_env.render.gallery",
    "codepaint_env.integrations.scoring": "codepaint_env.scoring.trainer",
    "codepaint_env.render.result": "codepaint_env.core.result",
    "codepaint_env.integrations.hub_datasets": "codepaint_env.tasks.hub_datasets",
    "codepaint_env.render.ray_renderer": "codepaint_env.render.ray.renderer",
    "codepaint_env.render.chromium": "codepaint_env.render.browser.chromium",
    "codepaint_env.render.webgl": "codepaint_env.render.browser.webgl",
    "codepaint_env.render.pages": "codepaint_env.render.browser.pages",
    "codepaint_env.render.capture": "codepaint_env.render.browser.capture",
    "codepaint_env.render.assets": "codepaint_env.render.browser.assets",
    "codepaint_env.render.p5compat": "codepaint_env.render.browser.p5compat",
    "codepaint_env.render.interaction": "codepaint_env.render.browser.interaction",
    "codepaint_env.render.programs": "codepaint_env.render.sandbox.programs",
    "codepaint_env.render.fast_svg": "codepaint_env.render.resvg.fast_svg",
    "codepaint_env.render.resvg_pool": "codepaint_env.render.resvg.pool",
    "codepaint_env.render.resvg_worker": "codepaint_env.render.resvg.worker",
    "codepaint_env.render.svg_sizing": "codepaint_env.render.svg",
    "rewards.text_check": "rewards.gate.text",
    "rewards.ocr": "rewards.gate.ocr",
    "rewards.copies": "rewards.gate.copies",
    "rewards.degenerate": "rewards.gate.degenerate",
    "rewards.judge.server": "codepaint_env.testing.judge_server",
}


class _Loader(importlib.abc.Loader):
    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = importlib.import_module(self.new)
        self.spec = module.__spec__  # the import system sets __spec__ to the old name's: put it back
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.spec  # the module at the new path has run already


class MovedModules(importlib.abc.MetaPathFinder):
    """Answers an old module name with the module at its new name (see the module docstring)."""

    def find_spec(self, name: str, path: Any = None,
                  target: Any = None) -> importlib.machinery.ModuleSpec | None:
        """The spec of the module at the new name, for an old name; ``None`` for any other."""
        new = MOVED.get(name)
        if new is None:
            return None
        warnings.warn(f"{name} moved to {new}; the old path works until codepaint 0.2", DeprecationWarning,
                      stacklevel=2)
        return importlib.machinery.ModuleSpec(name, _Loader(new))


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, MovedModules) for f in sys.meta_path):
        sys.meta_path.insert(0, MovedModules())
