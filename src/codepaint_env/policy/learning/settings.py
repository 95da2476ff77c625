"""What every CPU learner's run is configured by: the policy, the reward, the scenes and the LoRA.

:class:`~codepaint_env.policy.learning.rft.RFTConfig` and
:class:`~codepaint_env.policy.learning.grpo.GRPOSettings` add their own fields; a run folder's
``config.json`` is :meth:`LearnerSettings.to_dict`, compared on resume (:func:`check_resume`): a
resumed run must learn the same way; only how long it may go on (:data:`LIMITS`) can change.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.lora import LoraSettings
from codepaint_env.policy.learning.rollouts import REWARD, check_gate_failure


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
    device: str = "cpu"  # ``cuda``: the policy, its training and its engine on the GPU
    # the LoRA passes under bfloat16 autocast (the adapter and optimiser stay float32): 1.9x on a
    # CPU with AVX512-BF16, the same loss to 0.3 % (docs/learner-speed.json); float32 where bfloat16
    # is not native (37x slower on an AVX2-only CPU: lora.bf16_in_force)
    bf16: bool = False
    # the rollout engine walks the prompt tokens a call's rows share once (CT2Engine's prefix_reuse):
    # 1.38x tokens/s for a GRPO step's 16 rows (docs/learner-speed.json)
    prefix_reuse: bool = False
    # what a gate failure counts in each check part's advantage (rollouts.GATE_FAILURE): ``neutral``
    # (runs 3 and 4: left out of the part) or ``zero`` (issue 73: the part's minimum)
    gate_failure: str = "neutral"

    def __post_init__(self) -> None:
        check_gate_failure(self.gate_failure)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``levels`` as a list)."""
        out = asdict(self)
        out["levels"] = list(self.levels)
        return out


#: The fields that only say how long a run may go on: raising them continues a stopped run.
LIMITS = frozenset({"cpu_budget_s", "rounds", "steps"})


def check_resume(folder: Path, settings: LearnerSettings) -> None:
    """Refuse to resume ``folder`` with settings that learn differently; then record ``settings``.

    Every field but :data:`LIMITS` must equal the saved ``config.json``'s: a resumed run with another
    learning rate, reward or seed would be two runs in one folder. A field the saved run does not
    name (added to the settings after it started) counts as its default, which is what that run used.

    Raises:
        ValueError: the folder holds a run with another configuration (the differing fields named).
    """
    saved = folder / "config.json"
    now = settings.to_dict()
    if saved.exists():
        old = {**type(settings)().to_dict(), **json.loads(saved.read_text())}
        changed = sorted(k for k in old.keys() | now.keys() if k not in LIMITS and old.get(k) != now.get(k))
        if changed:
            raise ValueError(f"{folder} holds a run with another configuration ({saved}: "
                             f"{', '.join(changed)} differ); use another folder")
    saved.write_text(json.dumps(now, indent=1) + "\n")
