"""codepaint: an RL environment for programs that draw.

``codepaint_env.render`` turns p5.js / p5.brush sketches, SVG and HTML into pictures in a
contained headless Chromium; ``rewards`` (a sibling package) judges them; importing this package
registers the Gymnasium environments::

    import gymnasium as gym
    import codepaint_env  # noqa: F401  (or gym.make("codepaint_env:CodePaint/P5Brush-v0"))

    env = gym.make("CodePaint/P5Brush-v0", reward="execution_gate", max_turns=3)
"""

from .core.version import __version__
from .render import Renderer, RenderResult, render

#: Registered environment ids -> language (kwargs presets of one class, as Gymnasium does it).
ENV_IDS = {
    "CodePaint/P5Brush-v0": "p5brush",
    "CodePaint/P5-v0": "p5",
    "CodePaint/SVG-v0": "svg",
    "CodePaint/HTML-v0": "html",
    "CodePaint/Python-v0": "python",
    "CodePaint/TikZ-v0": "tikz",
}


def _register_envs() -> None:
    from gymnasium.envs.registration import register, registry

    for env_id, language in ENV_IDS.items():
        if env_id not in registry:
            register(id=env_id, entry_point="codepaint_env.env:CodePaintEnv", kwargs={"language": language},
                     nondeterministic=False)


_register_envs()


def __getattr__(name: str):
    if name == "CodePaintEnv":
        from .env import CodePaintEnv

        return CodePaintEnv
    raise AttributeError(f"module 'codepaint_env' has no attribute {name!r}")


__all__ = ["ENV_IDS", "CodePaintEnv", "RenderResult", "Renderer", "__version__", "render"]
