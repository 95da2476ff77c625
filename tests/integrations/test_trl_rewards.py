"""Our rewards in a real `trl.GRPOTrainer`: two steps on a tiny local model, real renders, stand-in judge."""

from __future__ import annotations

import math
import os

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"

from rewards.embed.compat import ensure_torchvision

ensure_torchvision()  # before transformers/TRL import it (CPU torch + CUDA torchvision wheel)

from datasets import Dataset  # noqa: E402
from trl import GRPOTrainer  # noqa: E402

import rewards  # noqa: E402
from codepaint_env.testing import build_tiny_lm, tiny_grpo_config  # noqa: E402
from codepaint_env.testing.judge_server import JudgeServer  # noqa: E402

pytestmark = pytest.mark.embed


@pytest.fixture(scope="module")
def server():
    with JudgeServer() as s:
        yield s


def test_grpo_two_steps_with_codepaint_rewards(tmp_path, server, renderer):
    model = build_tiny_lm(tmp_path / "lm")
    judge = {"base_url": server.url, "api_key": "x", "model": "standin", "cache": str(tmp_path / "j.sqlite")}
    gate = rewards.make_reward("execution_gate", renderer=renderer)
    pairwise = rewards.make_reward("pairwise_vlm", renderer=renderer, **judge).as_async()
    group = rewards.make_reward("group_pairwise", renderer=renderer, **judge)
    composite = rewards.make_reward(
        "composite",
        rewards=[(gate, 0.1), ("pointwise_vlm", 0.9, judge)],
        gate="execution_gate",
        renderer=renderer,
        name="aescoder",
    )
    prompts = ["Draw a peach hibiscus in watercolour with p5.brush.", "Paint a blue seascape."] * 2
    dataset = Dataset.from_dict(
        {
            "prompt": prompts,
            "language": ["p5brush"] * 4,
            "subject": ["hibiscus", "seascape"] * 2,
            "size": [64] * 4,
        }
    )
    trainer = GRPOTrainer(
        model=str(model),
        reward_funcs=[gate, pairwise, group, composite],
        train_dataset=dataset,
        args=tiny_grpo_config(tmp_path / "run"),
    )
    trainer.train()
    assert trainer.state.global_step == 2
    logs = [e for e in trainer.state.log_history if "reward" in e]
    assert len(logs) == 2
    for entry in logs:
        for name in ("execution_gate", "pairwise_vlm", "group_pairwise", "aescoder"):
            value = entry[f"rewards/{name}/mean"]
            assert math.isfinite(value), (name, entry)
        # the random model writes junk: every program fails the gate and scores the minimum
        assert entry["rewards/execution_gate/mean"] == -1.0
        assert entry["rewards/aescoder/mean"] == pytest.approx(-0.1)
        assert entry["execution_gate/rendered"] == 0.0  # our breakdown, logged through log_metric


def test_a_trainer_can_require_a_judge(monkeypatch):
    from codepaint_env.core.errors import JudgeNotConfigured
    from codepaint_env.scoring.trainer import TrainerConfig

    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    config = TrainerConfig.from_environ({"CODEPAINT_REWARD": "gate:0.2,pairwise_vlm:0.8",
                                         "CODEPAINT_REQUIRE_JUDGED": "1"})
    with pytest.raises(JudgeNotConfigured, match="OPENAI_BASE_URL"):
        config.build_reward()
    # a spec without a judge is unaffected; a bad value names the variable
    plain = TrainerConfig.from_environ({"CODEPAINT_REWARD": "execution_gate",
                                        "CODEPAINT_REQUIRE_JUDGED": "1"})
    assert plain.build_reward().id == "execution_gate"
    with pytest.raises(ValueError, match="CODEPAINT_REQUIRE_JUDGED='maybe' is not 1 or 0"):
        TrainerConfig.from_environ({"CODEPAINT_REQUIRE_JUDGED": "maybe"})
