"""The Gymnasium environments and what they are made of.

* :mod:`.env`: :class:`CodePaintEnv` (``gym.make("CodePaint/SVG-v4")`` and the other ids);
* :mod:`.vector`: :class:`CodePaintVectorEnv`, N copies whose steps render and score as one batch;
* :mod:`.spaces`: the ``CodeText`` action space;
* :mod:`.wrappers`: ``RecordEpisode``, ``RenderTimings``, episode galleries;
* :mod:`.vlm_messages`: observations as chat messages with pictures, for vision-language policies.

The Gymnasium ids are registered by ``import codepaint_env`` (:mod:`codepaint_env.registration`);
the render and rewards modules never import gymnasium or this package.
"""

from codepaint_env.envs.env import CodePaintEnv
from codepaint_env.envs.vector import CodePaintVectorEnv
from codepaint_env.envs.wrappers import RecordEpisode, RenderTimings

__all__ = ["CodePaintEnv", "CodePaintVectorEnv", "RecordEpisode", "RenderTimings"]
