"""codepaint: an RL environment for programs that draw.

``codepaint_env.render`` turns p5.js / p5.brush sketches, SVG, HTML, Python and TikZ into pictures
(the browser languages in a contained headless Chromium); ``rewards`` (a sibling package) judges
them. Importing this package registers the Gymnasium environments, as ``ale_py`` does, in either
order of the two imports::

    import gymnasium as gym
    import codepaint_env  # noqa: F401  (registers CodePaint/P5Brush-v0, CodePaint/SVG-v4, ...)

    env = gym.make("CodePaint/P5Brush-v0", reward="execution_gate", max_turns=3)
    envs = gym.make_vec("CodePaint/SVG-v4", num_envs=8, vectorization_mode="vector_entry_point")

The ids are registered when Gymnasium is imported (at once if it already is), so importing
``rewards`` or ``codepaint_env.render``, which run this file too, loads neither Gymnasium nor the
environments.
"""

from typing import TYPE_CHECKING, Any

from codepaint_env.core.packages import check_rewards_package

check_rewards_package()  # a user's rewards.py (or PyPI's `rewards`) shadowing ours: named, with the fix

from codepaint_env.core.post_import import when_imported  # noqa: E402
from codepaint_env.core.version import __version__  # noqa: E402
from codepaint_env.render import Renderer, RenderResult  # noqa: E402

# plain gymnasium.register calls, made once gymnasium is imported; the entry points are strings
when_imported("gymnasium", "codepaint_env.registration:register_envs")

if TYPE_CHECKING:  # imported when first used (``__getattr__`` below): the envs import the rewards
    from codepaint_env.envs.env import CodePaintEnv
    from codepaint_env.registration import env_ids, register_envs
    from codepaint_env.tasks.defaults import default_reward

    ENV_IDS: dict[str, str]  # computed on each access: languages registered later have ids too


def __getattr__(name: str) -> Any:
    from importlib import import_module

    if name == "CodePaintEnv":
        return import_module("codepaint_env.envs.env").CodePaintEnv
    if name == "default_reward":  # the reward every door uses when none is named
        return import_module("codepaint_env.tasks.defaults").default_reward
    if name in ("env_ids", "register_envs"):  # the registration's (it imports gymnasium when it registers)
        return getattr(import_module("codepaint_env.registration"), name)
    if name == "ENV_IDS":  # Environment id -> language (see env_ids)
        return import_module("codepaint_env.registration").env_ids()
    raise AttributeError(f"module 'codepaint_env' has no attribute {name!r}")


__all__ = ["ENV_IDS", "CodePaintEnv", "RenderResult", "Renderer", "__version__", "default_reward", "env_ids",
           "register_envs"]
