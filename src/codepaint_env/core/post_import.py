"""Run a function right after a module is imported: how ``import codepaint_env`` registers its Gym ids.

``import codepaint_env`` must register the ``CodePaint/...`` ids with Gymnasium, in whichever order
a user imports the two, while ``import rewards`` and ``import codepaint_env.render`` (which run
``codepaint_env/__init__`` too: Python imports a package before its modules) must not load
Gymnasium (113 ms) nor the environments. So the ids are registered when Gymnasium is imported:
at once when it already is, else by a one-shot finder on ``sys.meta_path`` that wraps Gymnasium's
own loader, calls the function once the module has run, and removes itself. It answers no other
name and never changes what a name imports (the post-import hooks of PEP 369 and of ``wrapt``,
in a few lines: one module, one callback, nothing to depend on).

    >>> when_imported("json", "codepaint_env.core.version:__version__")   # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

__all__ = ["when_imported"]

_lock = threading.Lock()


def _resolve(target: str | Callable[[ModuleType], Any]) -> Callable[[ModuleType], Any]:
    """``"module:function"`` imported now (Gymnasium's entry-point form), or the callable itself."""
    if callable(target):
        return target
    module, _, name = target.partition(":")
    function = getattr(importlib.import_module(module), name)
    return lambda imported: function()


def _call(target: str | Callable[[ModuleType], Any], module: ModuleType) -> None:
    """Run the callback; a failure is a warning, never a failed import of someone else's module."""
    try:
        _resolve(target)(module)
    except Exception as e:  # the user's `import gymnasium` must not fail because of us
        warnings.warn(f"codepaint: the hook run after importing {module.__name__} failed: {e!r}",
                      RuntimeWarning, stacklevel=2)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps the real loader of one module so that its callbacks run after it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.targets: list[str | Callable[[ModuleType], Any]] = []

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        """The real spec of :attr:`name`, its loader wrapped; ``None`` (not ours) for every other name."""
        if fullname != self.name:
            return None
        with _lock:
            if self in sys.meta_path:
                sys.meta_path.remove(self)  # one-shot, and the search below must not find us again
        spec = importlib.util.find_spec(fullname)
        loader = getattr(spec, "loader", None)
        exec_module = getattr(loader, "exec_module", None)
        if spec is None or exec_module is None:
            return spec
        targets = self.targets

        def exec_then_call(module: ModuleType) -> None:
            exec_module(module)
            for t in targets:
                _call(t, module)

        loader.exec_module = exec_then_call  # type: ignore[union-attr]  (this module's own loader object)
        return spec


def when_imported(name: str, target: str | Callable[[ModuleType], Any]) -> None:
    """Call ``target`` once ``name`` is imported: now if it already is, else right after its import.

    Args:
        name: A top-level module name (``"gymnasium"``).
        target: ``"module:function"`` (called with no argument; imported only then) or a callable
            taking the imported module.
    """
    with _lock:
        module = sys.modules.get(name)
        if module is None:
            hook = next((f for f in sys.meta_path if isinstance(f, _AfterImport) and f.name == name), None)
            if hook is None:
                hook = _AfterImport(name)
                sys.meta_path.insert(0, hook)
            hook.targets.append(target)
            return
    _call(target, module)
