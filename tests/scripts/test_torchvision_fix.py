"""The venvs ``make`` builds import torchvision in any script, not only through codepaint (issue 36, item 8).

This machine's torch is the CPU build and its only reachable torchvision 0.28.0 is PyPI's CUDA build;
scripts/torchvision_fix.py installs an import hook only where that pair fails. A user's own script,
which never calls ``rewards.embed.compat.ensure_torchvision()``, must import transformers' model
classes, TRL's trainer and timm.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
USER_SCRIPT = """
from transformers import LlamaConfig, LlamaForCausalLM
LlamaForCausalLM(LlamaConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                             num_attention_heads=2, num_key_value_heads=2, vocab_size=64))
from trl import GRPOTrainer
import timm
timm.create_model("resnet18", pretrained=False)
import torchvision.transforms.functional as F
print("imported torchvision", __import__("torchvision").__version__)
"""
PROBE = "import sys\ntry:\n    import torchvision\nexcept RuntimeError as e:\n    print(e)\n    sys.exit(3)\n"


def run(python: str, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=ROOT / "tests",
                          env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), **env}, timeout=300,
                          check=False)


@pytest.mark.embed  # it builds a Llama and a ResNet (torch models)
def test_a_users_script_imports_transformers_trl_and_timm_without_codepaint():
    done = run(sys.executable, USER_SCRIPT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "imported" in done.stdout


def test_the_hook_is_installed_exactly_where_torchvision_cannot_import_without_it():
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    hooked = (site / "_codepaint_torchvision_fix.pth").exists()
    bare = run(sys.executable, PROBE, CODEPAINT_NO_TORCHVISION_FIX="1")
    assert bare.returncode in (0, 3), bare.stderr[-2000:]
    assert hooked == (bare.returncode == 3), (hooked, bare.stdout)
    if hooked:
        assert "torchvision::" in bare.stdout  # the failure the hook exists for, and nothing else


@pytest.mark.trainer_venv
@pytest.mark.parametrize("name", ["verl"])
def test_a_trainer_venv_imports_torchvision_in_a_plain_script(name):
    python = ROOT / ".venvs" / name / "bin" / "python"
    assert python.exists(), f"make trainer-venvs builds {python}"
    done = run(str(python), "import torchvision, torchvision.transforms\n"
                            "from transformers import AutoProcessor\nprint('ok')")
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr[-2000:]
