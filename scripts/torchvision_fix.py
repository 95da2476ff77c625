"""Make a venv's mismatched torchvision importable for every script, not only codepaint's.

This machine's pip takes torch's CPU build from a local wheel, but the only torchvision 0.28.0 it can
reach is PyPI's CUDA build. Its compiled ops cannot load next to CPU torch, and ``import torchvision``
then dies (``operator torchvision::nms does not exist``) inside transformers' model classes, trl,
timm and open_clip: a user's own script fails unless it calls
``rewards.embed.compat.ensure_torchvision()`` first. No CPU torchvision 0.28.0 is reachable here
(PyPI has none; PyTorch's own index is offline), so ``make`` installs, only into a venv where the
import fails, a ``.pth`` hook that declares the two missing op schemas the moment something imports
torchvision (transforms, models and datasets work; the detection kernels ``torchvision.ops.nms``...
raise when called, and no codepaint path calls them). The hook costs nothing until torchvision is
imported. A venv with a matching pair (a CUDA machine, or CPU wheels from PyPI's CPU index) gets no
hook, and an old hook is removed.

Usage: ``python scripts/torchvision_fix.py`` with the venv's own interpreter. Set
``CODEPAINT_NO_TORCHVISION_FIX=1`` to turn the hook off in one process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

MODULE = "_codepaint_torchvision_fix"
HOOK = '''"""Installed by codepaint's scripts/torchvision_fix.py (see there): CUDA torchvision, CPU torch."""
import os
import sys


class _DeclareTorchvisionOps:
    """On the first ``import torchvision``: declare the op schemas its unloadable library would."""

    def find_spec(self, name, path=None, target=None):
        if name != "torchvision":
            return None
        sys.meta_path.remove(self)
        import torch

        global LIBRARY
        LIBRARY = torch.library.Library("torchvision", "DEF")
        for op in ("nms", "qnms"):
            LIBRARY.define(op + "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        return None  # the usual finders import torchvision itself


if not os.environ.get("CODEPAINT_NO_TORCHVISION_FIX"):
    sys.meta_path.insert(0, _DeclareTorchvisionOps())
'''


def import_fails() -> bool:
    """Whether ``import torchvision`` fails in this venv for the known reason (hook off)."""
    probe = ("import sys\ntry:\n    import torchvision\nexcept ImportError:\n    sys.exit(0)\n"
             "except RuntimeError as e:\n    sys.exit(3 if 'torchvision::' in str(e) else 0)\n")
    env = {**os.environ, "CODEPAINT_NO_TORCHVISION_FIX": "1"}
    return subprocess.run([sys.executable, "-c", probe], env=env, check=False).returncode == 3


def main() -> int:
    """Install the hook where torchvision's import fails, remove it where it does not."""
    site = Path(sysconfig.get_paths()["purelib"])
    files = (site / f"{MODULE}.py", site / f"{MODULE}.pth")
    if import_fails():
        files[0].write_text(HOOK, encoding="utf-8")
        files[1].write_text(f"import {MODULE}\n", encoding="utf-8")
        print(f"codepaint setup: torchvision here is a CUDA build beside CPU torch; installed the import "
              f"hook in {site} (scripts/torchvision_fix.py explains)")
    else:
        for file in files:
            file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
