"""What every CPU learner's run is configured by: the policy, the reward, the scenes and the LoRA.

:class:`~codepaint_env.policy.learning.rft.RFTConfig` and
:class:`~codepaint_env.policy.learning.grpo.GRPOSettings` add their own fields; a run folder's
``config.json`` is :meth:`LearnerSettings.to_dict`, compared on resume.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from codepaint_env.policy.learning.lora import LoraSettings
from codepaint_env.policy.learning.rollouts import REWARD


@dataclass
class LearnerSettings:
    """The fields both learners share (each with the default a run on this CPU uses)."""

    model: str = "qwen2.5-coder-0.5b"
    reward: str = REWARD
    language: str = "svg"
    levels: tuple[int, ...] = (0, 1, 2)
    curriculum: bool = False
    cpu_budget_s: float = 7200.0
    temperature: float = 0.9
    max_tokens: int = 320
    lora: LoraSettings = field(default_factory=LoraSettings)
    lr: float = 1e-4
    seed: int = 0
    threads: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``levels`` as a list)."""
        out = asdict(self)
        out["levels"] = list(self.levels)
        return out
