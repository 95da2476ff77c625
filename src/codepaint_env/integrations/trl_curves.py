"""TRL's learning-curves callback, where a TRL user looks for it.

The callback lives with the learners (:mod:`codepaint_env.policy.learning.curves`): the LoRA GRPO
learner logs through it too, and the policy layer does not import the trainer adapters.
"""

from __future__ import annotations

from codepaint_env.policy.learning.curves import WATCHED, LearningCurves

__all__ = ["WATCHED", "LearningCurves"]
