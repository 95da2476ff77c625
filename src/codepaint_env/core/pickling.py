"""The one pickling rule: an object that holds process-local things travels as its arguments.

A renderer holds a browser and an event-loop thread; a judge client an HTTP client and a lock; a
judgment cache an open SQLite connection; an embedding reward a model on a device; most rewards
per-process caches. None of these can cross a process boundary (a vector-env worker, a Ray actor,
a TRL dataloader worker), and none should: the copy in the other process makes its own on first
use. So every such class pickles as the positional and keyword arguments it was built with, and
unpickling builds it afresh from them (arguments that are themselves such objects follow the same
rule). Nothing else is carried over: caches, counters and open resources start empty.

Usage::

    class Renderer(PicklesAsArguments):
        def __init__(self, *, max_pages: int = 2, ...) -> None: ...

``copy.copy`` and ``copy.deepcopy`` follow the same rule (a fresh object built from the same
arguments).
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["PicklesAsArguments"]

_T = TypeVar("_T", bound="PicklesAsArguments")


def _rebuild(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return cls(*args, **kwargs)


class PicklesAsArguments:
    """Mixin: pickles as the arguments the object was built with; unpickling rebuilds it.

    The arguments are recorded when the object is created (in ``__new__``, so subclasses write
    nothing for it). Arguments must themselves be picklable.
    """

    _built_with: tuple[tuple[Any, ...], dict[str, Any]]

    def __new__(cls: type[_T], *args: Any, **kwargs: Any) -> _T:
        """Create the object and record the arguments it is being built with."""
        self = object.__new__(cls)
        self._built_with = (args, dict(kwargs))
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        args, kwargs = self._built_with
        return (_rebuild, (type(self), args, kwargs))
