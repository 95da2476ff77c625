"""Warnings that point at the user's line, not at the library's.

``warnings.warn(..., stacklevel=N)`` needs N to be the depth of the user's call, which differs by
door: ``rewards.make_reward("pairwise_vlm")``, ``CodePaintEnv(reward=...)`` and
``gym.make(..., reward=...)`` reach the same warning through different numbers of library frames.
:func:`warn_user` counts them: it walks out of the stack past every frame of ``codepaint_env``,
``rewards`` and the doors that call into them (Gymnasium's ``make``), and warns at the first frame
beyond (what ``skip_file_prefixes`` does on Python 3.12+, which this project does not require).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from functools import cache


@cache
def library_dirs() -> tuple[str, ...]:
    """The folders whose frames are the library's (each ending with the path separator).

    Found without importing anything (the core imports no upper layer): this package's own folder,
    and the folders ``importlib`` would load ``rewards`` and ``gymnasium`` from.
    """
    folders = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]  # codepaint_env/
    for name in ("rewards", "gymnasium"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            folders.append(os.path.dirname(os.path.abspath(spec.origin)))
    return tuple(folder + os.sep for folder in folders)


def is_library_file(filename: str) -> bool:
    """Whether a frame's file is the library's (or a door's, or the interpreter's frozen code)."""
    return filename.startswith("<frozen ") or os.path.abspath(filename).startswith(library_dirs())


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning raised by the caller of this function name the user's line.

    Level 1 is the caller's own frame; each library frame outward adds one. When every frame is the
    library's (a console script's own entry), the answer is 2: the caller's caller.
    """
    frame = sys._getframe(1)
    level = 1
    while frame is not None and is_library_file(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    return level if frame is not None else 2


def warn_user(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` at the user's call: the first frame outside the library (see the module)."""
    warnings.warn(message, category, stacklevel=user_stacklevel())
