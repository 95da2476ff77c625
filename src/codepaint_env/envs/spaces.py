"""`CodeText`: a Gymnasium text space whose members are real programs.

Gymnasium's :class:`~gymnasium.spaces.Text` only contains strings made of its charset
(alphanumerics by default), so a program with newlines, braces, quotes or a ``✿`` is not "in
the space". :class:`CodeText` contains every string up to ``max_length`` characters with no NUL
(code points U+0001 to U+10FFFF, surrogates excluded); its ``charset`` is only what
:meth:`CodeText.sample` draws from: printable ASCII, whitespace and a few non-ASCII characters.
``sample()`` produces short code-like junk, which an environment must score, not crash on.

Vector environments keep it in shared memory as Unicode code points (one int32 per
character, 0 = padding), read through a live :class:`SharedTexts` view.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium.spaces import Text
from gymnasium.vector.utils import shared_memory as _shm

#: What :meth:`CodeText.sample` draws from (``contains`` accepts much more).
SAMPLE_CHARSET = string.printable + "éüñç→←★✿—…“”·°±×÷πλ中文日本"


class CodeText(Text):
    """A text space for programs and prose: any string without NUL, up to ``max_length``.

    Args:
        max_length: Longest member.
        min_length: Shortest member.
        sample_length: Longest string :meth:`sample` draws (default 400: junk, not novels).
        seed: Seed of the sampling generator.
    """

    def __init__(self, max_length: int, *, min_length: int = 0, sample_length: int = 400,
                 seed: int | np.random.Generator | None = None) -> None:
        super().__init__(max_length, min_length=min_length, charset=SAMPLE_CHARSET, seed=seed)
        self.sample_length = max(min_length, min(sample_length, max_length))

    def contains(self, x: Any) -> bool:
        """True for a ``str`` of allowed length without NUL or lone surrogates."""
        if not isinstance(x, str) or not self.min_length <= len(x) <= self.max_length:
            return False
        if "\x00" in x:
            return False
        try:
            x.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            return False
        return True

    def sample(self, mask: Any = None, probability: Any = None) -> str:
        """Random code-like junk of up to ``sample_length`` characters (see the class docstring)."""
        if mask is None and probability is None:
            length = int(self.np_random.integers(self.min_length, self.sample_length + 1))
            return "".join(self.np_random.choice(self.character_list, size=length))
        return super().sample(mask=mask, probability=probability)

    def __repr__(self) -> str:
        return f"CodeText({self.min_length}, {self.max_length})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, CodeText) and self.min_length == other.min_length
                and self.max_length == other.max_length)

    def __hash__(self) -> int:
        return hash(("CodeText", self.min_length, self.max_length))


# ---------------------------------------------------------------------- vector-env shared memory
@_shm.create_shared_memory.register(CodeText)
def _create(space: CodeText, n: int = 1, ctx: Any = None) -> Any:
    import multiprocessing as mp

    return (ctx or mp).Array(np.dtype(np.int32).char, n * space.max_length)


class SharedTexts(Sequence[str]):
    """A live view of the strings in a vector env's shared memory (as a Box's array view is).

    Gymnasium reads shared memory once, when the vector env is built, and relies on array views
    to see later steps; a tuple of strings would be frozen at that moment. This view decodes on
    access, and a deep copy (what ``AsyncVectorEnv(copy=True)`` returns) is a plain tuple.
    """

    def __init__(self, space: CodeText, shared_memory: Any, n: int) -> None:
        self._data = np.frombuffer(shared_memory.get_obj(), dtype=np.int32).reshape((n, space.max_length))

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        row = self._data[i]
        zeros = np.flatnonzero(row == 0)
        end = int(zeros[0]) if zeros.size else len(row)
        return row[:end].astype("<u4").tobytes().decode("utf-32-le")

    def __deepcopy__(self, memo: dict[int, Any]) -> tuple[str, ...]:
        return tuple(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"SharedTexts({tuple(self)!r})"


@_shm.read_from_shared_memory.register(CodeText)  # pyright: ignore[reportArgumentType]  (typed for arrays)
def _read(space: CodeText, shared_memory: Any, n: int = 1) -> SharedTexts:
    return SharedTexts(space, shared_memory, n)


@_shm.write_to_shared_memory.register(CodeText)
def _write(space: CodeText, index: int, values: str, shared_memory: Any) -> None:
    size = space.max_length
    dest = np.frombuffer(shared_memory.get_obj(), dtype=np.int32)
    points = np.frombuffer(values.encode("utf-32-le"), dtype="<u4").astype(np.int32)
    dest[index * size:(index + 1) * size] = 0
    dest[index * size:index * size + len(points)] = points
