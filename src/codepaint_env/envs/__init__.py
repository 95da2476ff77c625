"""The Gymnasium environments and what they are made of.

* :mod:`.env`: :class:`CodePaintEnv` (``gym.make("CodePaint/SVG-v0")`` and the other ids);
* :mod:`.vector`: :class:`CodePaintVectorEnv`, N copies whose steps render and score as one batch;
* :mod:`.spaces`: the ``CodeText`` action space;
* :mod:`.wrappers`: ``RecordEpisode``, ``RenderTimings``, episode galleries;
* :mod:`.vlm_messages`: observations as chat messages with pictures, for vision-language policies.

Importing this package imports gymnasium; ``codepaint_env.render`` and ``rewards`` never do.
"""

from codepaint_env.envs.env import CodePaintEnv
from codepaint_env.envs.vector import CodePaintVectorEnv
from codepaint_env.envs.wrappers import RecordEpisode, RenderTimings

__all__ = ["CodePaintEnv", "CodePaintVectorEnv", "RecordEpisode", "RenderTimings"]
