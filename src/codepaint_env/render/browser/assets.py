"""The pinned JavaScript the renderer serves to sketches (p5.js and p5.brush).

The files come from ``npm ci`` on the repository's ``package.json`` / ``package-lock.json``; the
renderer never touches the network at render time. Where they are found, in order (the same order
as the reference pool's, :func:`rewards.pool.default_pool_dir`):

1. ``$CODEPAINT_JS_DIR``: a ``node_modules`` folder, or a folder that holds one.
2. The ``node_modules`` folder of the source checkout this package runs from (the folder that
   holds ``package.json``, found by walking up from this file): ``make test`` / ``make demo``.
3. The installed package's own copy (``vendor/node_modules`` beside this file): a wheel carries
   the pinned files and their licences (``setup.py`` copies them in when the wheel is built, so
   npm is needed to build a wheel, never to install one).

Run ``codepaint doctor`` to see which one is used, and ``npm ci`` in the repository root (or set
``CODEPAINT_JS_DIR``) to fix a missing one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from codepaint_env.core.errors import RendererUnavailable

ENV_VAR = "CODEPAINT_JS_DIR"
#: Where a built wheel carries the pinned files (absent in a source checkout).
PACKAGED = Path(__file__).resolve().parent / "vendor" / "node_modules"

#: logical name -> (npm package, file inside it)
ASSET_FILES: dict[str, tuple[str, str]] = {
    "p5": ("p5", "lib/p5.min.js"),
    "p5-v1": ("p5-v1", "lib/p5.min.js"),  # p5.js 1.11 (npm alias), for 1.x-era sketches
    "p5.brush": ("p5.brush", "dist/p5.brush.js"),
}


@dataclass(frozen=True)
class JSAssets:
    """The located JS files, their bytes and versions."""

    node_modules: Path
    source: str  # which rule found them
    files: dict[str, bytes]
    versions: dict[str, str]

    @property
    def paths(self) -> dict[str, str]:
        """Logical name -> absolute file path."""
        return {name: str(self.node_modules / pkg / rel) for name, (pkg, rel) in ASSET_FILES.items()}

    def version_string(self, names: list[str] | None = None) -> str:
        """``p5-2.2.3+p5.brush-2.2.2``: part of the renderer version (of ``names``, default all).

        Both p5 copies are named ``p5`` with their own version (``p5-1.11.13``).
        """
        names = sorted(self.versions) if names is None else names
        return "+".join(f"{'p5' if k == 'p5-v1' else k}-{self.versions[k]}" for k in names)


def _candidates() -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    env = os.environ.get(ENV_VAR)
    if env:
        p = Path(env).expanduser()
        out.append((f"${ENV_VAR}", p if p.name == "node_modules" else p / "node_modules"))
        out.append((f"${ENV_VAR}", p))
    for parent in Path(__file__).resolve().parents:
        if (parent / "package.json").is_file() and (parent / "pyproject.toml").is_file():
            out.append(("source checkout", parent / "node_modules"))
            break
    out.append(("installed package", PACKAGED))
    return out


def find_node_modules() -> tuple[str, Path] | None:
    """The first candidate folder that holds every asset, with the rule that found it."""
    for source, nm in _candidates():
        if all((nm / pkg / rel).is_file() for pkg, rel in ASSET_FILES.values()):
            return source, nm
    return None


@lru_cache(maxsize=4)
def _load(node_modules: str, source: str) -> JSAssets:
    nm = Path(node_modules)
    files, versions = {}, {}
    for name, (pkg, rel) in ASSET_FILES.items():
        files[name] = (nm / pkg / rel).read_bytes()
        meta = json.loads((nm / pkg / "package.json").read_text())
        versions[name] = str(meta.get("version", "unknown"))
    return JSAssets(node_modules=nm, source=source, files=files, versions=versions)


def load_assets() -> JSAssets:
    """Locate and read the JS assets.

    Raises:
        RendererUnavailable: When no candidate folder holds them; the message says how to fix it.
    """
    found = find_node_modules()
    if found is None:
        tried = "\n  ".join(str(p) for _, p in _candidates())
        raise RendererUnavailable(
            "codepaint cannot find its JavaScript assets (p5.js and p5.brush).\n"
            f"Looked in:\n  {tried}\n"
            "Fix: run `npm ci` in the codepaint repository root (or `make test`), install a codepaint wheel "
            "(it carries them), or set "
            f"{ENV_VAR} to a folder whose node_modules holds p5 and p5.brush."
        )
    source, nm = found
    return _load(str(nm), source)
