"""scripts/check_disk.py: the set-up stops before pip when the disk cannot hold it, and says why."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_disk.py"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=60)


def test_enough_space_passes_silently(tmp_path: Path) -> None:
    done = _run("0.001", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""


def test_short_space_fails_with_the_free_space_and_the_runs_folder(tmp_path: Path) -> None:
    (tmp_path / "runs" / "learn" / "chosen").mkdir(parents=True)
    with open(tmp_path / "runs" / "learn" / "chosen" / "model.safetensors", "wb") as weights:
        weights.truncate(1024**3 + 1)  # a sparse 1 GB file: counted by size, costs no disk
    need_gb = shutil.disk_usage(tmp_path).free / 1024**3 + 1000
    done = _run(str(need_gb), cwd=tmp_path)
    assert done.returncode == 1
    assert "codepaint setup FAILED: only" in done.stderr and f"needs about {need_gb:g} GB" in done.stderr
    assert "runs holds 1.0 GB" in done.stderr and "save_runs.py save" in done.stderr


def test_no_runs_folder_no_hint(tmp_path: Path) -> None:
    done = _run("1e9", cwd=tmp_path)
    assert done.returncode == 1 and "runs holds" not in done.stderr


def test_the_makefile_checks_before_pip() -> None:
    recipe = (ROOT / "Makefile").read_text()
    first_pip = recipe.index('pip install -q -c constraints.txt -e ".[all]"')
    assert recipe.index("scripts/check_disk.py") < first_pip


def test_bad_usage_is_status_2(tmp_path: Path) -> None:
    assert _run(cwd=tmp_path).returncode == 2
