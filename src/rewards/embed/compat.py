"""Work-arounds for broken combinations of third-party packages, applied explicitly.

:func:`ensure_torchvision`: PyPI's Linux torchvision wheels are CUDA builds. Next to the CPU
build of torch (what ``constraints.txt`` installs on machines without a GPU, since there is no
CPU torchvision on PyPI) its compiled ops library cannot load, and ``import torchvision`` then
dies registering fake kernels for ``torchvision::nms`` / ``qnms``. That import happens inside
timm, open_clip and transformers' model loading. The fix declares the two op schemas so the
import completes: transforms, models and datasets work; the compiled detection ops
(``torchvision.ops.nms``...), which no codepaint path uses, raise when called. A matching
torch/torchvision pair (e.g. a CUDA machine) never takes this path.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

_SHIM: Any = None  # the torch.library.Library holding the schemas; must stay alive


def ensure_torchvision() -> bool:
    """Import torchvision, declaring its missing op schemas first if its ops library can't load.

    Returns:
        True when torchvision imported (work-around applied or not), False when it is not installed.
    """
    global _SHIM
    try:
        import torchvision
        return True
    except ImportError:
        return False
    except RuntimeError as e:
        if "torchvision::" not in str(e):
            raise
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]
    import torch

    _SHIM = torch.library.Library("torchvision", "DEF")
    for op in ("nms", "qnms"):
        _SHIM.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    warnings.warn(
        "torchvision's compiled ops do not match this torch build (a CUDA torchvision wheel next to "
        "CPU torch); codepaint declared their schemas so torchvision imports: transforms and "
        "models work, torchvision.ops detection kernels do not. Install a matching torchvision to "
        "silence this.", RuntimeWarning, stacklevel=2)
    import torchvision  # noqa: F401

    return True
