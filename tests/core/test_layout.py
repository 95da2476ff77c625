"""The package's shape: plain names (no import hooks), the Gymnasium ids, the public names, the errors."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from codepaint_env.core.errors import UnknownReward

SNAPSHOT = Path(__file__).parents[1] / "support" / "data" / "public_api.json"
#: Every package whose ``__all__`` is public API.
PACKAGES = ("codepaint_env", "codepaint_env.core", "codepaint_env.render", "codepaint_env.envs",
            "codepaint_env.episode",
            "codepaint_env.tasks", "codepaint_env.cli", "codepaint_env.serve", "codepaint_env.integrations",
            "codepaint_env.testing", "codepaint_env.policy", "rewards", "rewards.gate")


#: Paths of the 0.1 layout, answered by an import hook until this release; now plain misses.
OLD_PATHS = ("codepaint_env.env", "codepaint_env.trl_env", "codepaint_env.errors", "codepaint_env.cli_score",
             "codepaint_env.render.result", "codepaint_env.render.chromium", "codepaint_env.render.fast_svg",
             "codepaint_env.integrations.hub_datasets", "codepaint_env.core.moved", "rewards.text_check",
             "rewards.judge.server", "codepaint_env.integrations.episode")


@pytest.mark.parametrize("old", OLD_PATHS)
def test_an_old_import_path_is_gone(old):
    sys.modules.pop(old, None)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(old)


def test_no_import_hooks_and_no_callable_modules():
    import codepaint_env.render
    from codepaint_env.core.post_import import _AfterImport

    # No hook answers a name with another module. The one finder codepaint may leave on sys.meta_path
    # is the one-shot one that registers the Gym ids right after `import gymnasium` (it finds nothing
    # itself, and leaves once gymnasium is imported: test_the_reward_and_render_layers_load_...).
    ours = [f for f in sys.meta_path if type(f).__module__.startswith(("codepaint_env", "rewards"))]
    assert all(isinstance(f, _AfterImport) and f.name == "gymnasium" for f in ours), (
        f"codepaint installed import hooks: {ours}")
    assert all(f.find_spec("codepaint_env.env", None) is None for f in ours)
    assert type(codepaint_env.render) is types.ModuleType and not callable(codepaint_env.render)
    from codepaint_env.render import render

    assert callable(render) and render.__module__ == "codepaint_env.render.renderer"


@pytest.mark.parametrize("order", ["import codepaint_env\nimport gymnasium as gym",
                                   "import gymnasium as gym\nimport codepaint_env",
                                   "import rewards\nimport gymnasium as gym\nimport codepaint_env"])
def test_importing_codepaint_env_registers_the_ids_in_any_order(order):
    code = (f"{order}\nfrom gymnasium.envs.registration import registry\n"
            "print(sorted(k for k in registry if k.startswith('CodePaint/')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    import codepaint_env

    assert eval(out.stdout) == sorted(codepaint_env.env_ids()) and len(codepaint_env.env_ids()) == 6


@pytest.mark.parametrize("statement", ["import rewards", "import codepaint_env.render",
                                       "import rewards.factory, rewards.gate, codepaint_env.tasks"])
def test_the_reward_and_render_layers_load_neither_gymnasium_nor_the_envs(statement):
    # the layer contract at run time: import-linter cannot see that Python imports a package's
    # __init__ before its modules (codepaint_env/__init__ registers the ids once gymnasium is imported)
    code = (f"{statement}\nimport sys\nprint(sorted(m for m in ('gymnasium', 'codepaint_env.registration', "
            "'codepaint_env.envs', 'codepaint_env.episode') if m in sys.modules))\n"
            "import gymnasium\n"
            "print(sum(type(f).__module__.startswith('codepaint_env') for f in sys.meta_path))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded, hooks = out.stdout.split()[0:-1], out.stdout.split()[-1]
    assert " ".join(loaded) == "[]", f"{statement} loaded {loaded}"
    assert hooks == "0", "the one-shot hook that registers the ids must leave once gymnasium is imported"


@pytest.mark.parametrize("name", ["P5", "SVG", "HTML", "Python", "TikZ"])
@pytest.mark.parametrize("old", ["v0", "v1", "v2", "v3"])
def test_an_id_whose_rewards_changed_says_to_use_its_new_version(name, old):
    # v2: the gate's floors and OCR, colour as presence, shapes in their own frame (issue 46);
    # v3: the prompt is the contract (shapes suite version 4, issue 54);
    # v4: credit follows the scene (the checks' claim graph, issue 72)
    import gymnasium as gym

    import codepaint_env

    assert f"CodePaint/{name}-v4" in codepaint_env.env_ids() and f"CodePaint/{name}-{old}" not in gym.registry
    with pytest.raises(gym.error.DeprecatedEnv, match=f"Please use `CodePaint/{name}-v4` instead"):
        gym.make(f"CodePaint/{name}-{old}")


def test_p5brush_keeps_v0():
    import codepaint_env

    assert codepaint_env.env_ids()["CodePaint/P5Brush-v0"] == "p5brush"


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
