"""The wheel carries what codepaint's defaults need (PEP 517 build through setuptools).

``pyproject.toml`` holds the metadata; this file only adds a build step. When a wheel is built
(``python -m build``, ``pip wheel .``), it copies in:

* the pinned JavaScript the renderer serves (p5 2.x, p5 1.x, p5.brush: the file the renderer
  loads, each package's ``package.json`` for its version, and its licence) into
  ``codepaint_env/render/browser/vendor/node_modules/``, from the checkout's ``node_modules``
  (``npm ci``) or, in an sdist, from the copies the sdist carries;
* the reference pool (``reference_pool/``: manifest, code, renders) into ``rewards/reference_pool/``.

npm is needed to build a wheel, never to install one. An editable install copies nothing: the
package finds both in the source checkout. A build without them fails and says why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: npm package -> the files of it a wheel carries (the asset the renderer loads, version, licence)
JS_FILES = {
    "p5": ["lib/p5.min.js", "package.json", "license.txt"],
    "p5-v1": ["lib/p5.min.js", "package.json", "license.txt"],
    "p5.brush": ["dist/p5.brush.js", "package.json", "LICENSE.md"],
}
POOL_PARTS = ["manifest.jsonl", "manifest.schema.json", "README.md", "code", "renders"]


class BuildWithAssets(build_py):
    """``build_py`` that also copies the pinned JS and the reference pool into the build."""

    def run(self) -> None:
        """Build the packages, then copy the assets in (not for an editable install)."""
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads both from the checkout
        build = Path(self.build_lib)
        missing = [f"node_modules/{pkg}/{rel}" for pkg, files in JS_FILES.items() for rel in files
                   if not (ROOT / "node_modules" / pkg / rel).is_file()]
        missing += [f"reference_pool/{part}" for part in POOL_PARTS
                    if not (ROOT / "reference_pool" / part).exists()]
        if missing:
            raise SystemExit("codepaint's wheel carries the pinned JavaScript and the reference pool, "
                             f"and this tree lacks: {', '.join(missing)}. Run `npm ci` in the repository "
                             "root first (npm is needed to build the wheel, not to install it).")
        vendor = build / "codepaint_env" / "render" / "browser" / "vendor" / "node_modules"
        for pkg, files in JS_FILES.items():
            for rel in files:
                target = vendor / pkg / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / "node_modules" / pkg / rel, target)
        pool = build / "rewards" / "reference_pool"
        for part in POOL_PARTS:
            source, target = ROOT / "reference_pool" / part, pool / part
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


setup(cmdclass={"build_py": BuildWithAssets})
