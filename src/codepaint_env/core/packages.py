"""codepaint's top-level ``rewards`` package, and what can shadow it.

codepaint ships two top-level packages, ``codepaint_env`` and ``rewards``. RL projects often keep
their reward functions in a ``rewards.py`` beside their script, and the PyPI project ``rewards`` (an
unrelated RL package) installs a top-level ``rewards`` too. Either one shadows codepaint's package,
which would otherwise fail deep inside codepaint (``No module named 'rewards.checks'; 'rewards' is
not a package``). ``import codepaint_env`` and ``import rewards`` call :func:`check_rewards_package`
first, so the clash is named where it happens, with its path and its fix; ``codepaint doctor``
reports the same through :func:`rewards_problems`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

OWN_REWARDS = Path(__file__).resolve().parents[2] / "rewards"  # src/ (a checkout) or site-packages/


class RewardsShadowed(ImportError):
    """``rewards`` is not codepaint's own package: a file, folder or distribution shadows it."""


def _resolved(path: str | os.PathLike[str]) -> Path:
    try:
        return Path(path).resolve()
    except OSError:
        return Path(path)


def _rewards_origin() -> tuple[str | None, bool]:
    """Where ``rewards`` comes from (the imported module's file, else where an import would find it).

    Returns:
        The file (``None`` when it has none: a namespace package, or nothing found) and whether
        anything was found at all.
    """
    module = sys.modules.get("rewards")
    if module is not None:
        return getattr(module, "__file__", None), True
    try:
        spec = importlib.util.find_spec("rewards")
    except (ImportError, ValueError):
        return None, False
    return (spec.origin if spec is not None and spec.has_location else None), spec is not None


def _is_own(origin: str) -> bool:
    return _resolved(origin).parent == OWN_REWARDS.resolve() if Path(origin).name == "__init__.py" else False


def other_distributions() -> list[tuple[str, str, Path]]:
    """Installed distributions named ``rewards`` on ``sys.path``: (name, version, their metadata folder).

    A cheap scan (one directory listing per ``sys.path`` entry), made on every import: such a
    distribution installs a top-level ``rewards`` package that collides with codepaint's.
    """
    found: list[tuple[str, str, Path]] = []
    seen: set[Path] = set()
    for entry in sys.path:
        folder = _resolved(entry or os.getcwd())
        if folder in seen:
            continue
        seen.add(folder)
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            low = name.lower()
            if low.startswith("rewards-") and low.endswith((".dist-info", ".egg-info")):
                version = name[len("rewards-"):].rsplit(".", 1)[0].split("-")[0]
                found.append(("rewards", version, folder / name))
    return found


def rewards_problems() -> list[str]:
    """Why ``import rewards`` does not give codepaint's own package (empty when it does).

    Each problem names the path of what shadows the package and the fix.
    """
    problems: list[str] = []
    origin, found = _rewards_origin()
    others = other_distributions()
    uninstall = "; ".join(f"`pip uninstall {name}` (version {version}, {meta})"
                          for name, version, meta in others)
    if not found:
        problems.append(f"codepaint's `rewards` package is not importable (it should be at {OWN_REWARDS}). "
                        "Fix: reinstall codepaint (`pip install -e .` in a checkout, or the wheel).")
    elif origin is None or not _is_own(origin):
        where = origin or "a namespace package (a folder named `rewards` with no __init__.py)"
        problems.append(
            f"`import rewards` gives {where}, not codepaint's own package at {OWN_REWARDS}: it shadows "
            "codepaint's rewards. Fix: "
            + (f"uninstall the other distribution: {uninstall}." if others else
               "rename your file or folder (e.g. rewards.py -> my_rewards.py, and its imports), or move it "
               "off the import path (a script's own folder is first on it)."))
    elif others:
        problems.append(
            f"another installed distribution also provides a top-level `rewards` package and collides "
            f"with codepaint's (at {OWN_REWARDS}): which one `import rewards` gives depends on the path, "
            f"and installing one overwrites the other's files. Fix: {uninstall}.")
    return problems


def check_rewards_package() -> None:
    """Raise :class:`RewardsShadowed` when ``rewards`` is not codepaint's own package.

    Raises:
        RewardsShadowed: naming what shadows it, its path and the fix.
    """
    problems = rewards_problems()
    if problems:
        raise RewardsShadowed("codepaint cannot use its `rewards` package: " + " ".join(problems))
