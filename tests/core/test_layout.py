"""The package's shape: old import paths for one release, the public names, the error messages."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from codepaint_env.core.errors import UnknownReward
from codepaint_env.core.moved import MOVED

SNAPSHOT = Path(__file__).parents[1] / "support" / "data" / "public_api.json"
#: Every package whose ``__all__`` is public API.
PACKAGES = ("codepaint_env", "codepaint_env.core", "codepaint_env.render", "codepaint_env.envs",
            "codepaint_env.tasks", "codepaint_env.cli", "codepaint_env.serve", "codepaint_env.integrations",
            "codepaint_env.testing", "codepaint_env.policy", "rewards", "rewards.gate")


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_import_path_is_the_module_at_its_new_path_with_a_warning(old):
    new = importlib.import_module(MOVED[old])
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert module is new
    assert module.__spec__.name == MOVED[old]  # the module keeps its own spec
    assert any(issubclass(w.category, DeprecationWarning) and MOVED[old] in str(w.message) for w in caught)


def test_public_names_match_the_snapshot_and_resolve():
    found = {}
    for name in PACKAGES:
        module = importlib.import_module(name)
        names = sorted(getattr(module, "__all__", []))
        for attr in names:
            assert getattr(module, attr) is not None, f"{name}.{attr} is in __all__ but does not resolve"
        found[name] = names
    if os.environ.get("CODEPAINT_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert found == expected, ("the public API changed: if on purpose, run with CODEPAINT_UPDATE_SNAPSHOT=1 "
                               "and say so in the change")


def test_unknown_reward_prints_its_message_without_quotes():
    e = UnknownReward("unknown reward 'sparkle'; did you mean 'classic'?")
    assert str(e) == "unknown reward 'sparkle'; did you mean 'classic'?"
    assert isinstance(e, KeyError)
    out = subprocess.run([sys.executable, "-m", "codepaint_env.cli", "score", "--reward", "sparkle",
                          __file__], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    line = out.stderr.strip().splitlines()[-1]
    assert "unknown reward 'sparkle'" in line and not line.split(": ", 2)[-1].startswith('"'), line
