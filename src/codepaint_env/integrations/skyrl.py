r"""SkyRL-Gym: a ``BaseTextEnv`` whose ``step`` renders the program and scores its picture.

A real run with SkyRL-train (``pip install 'codepaint[skyrl]'`` beside it), following SkyRL's own
"new environment" example: write the rows, and an entrypoint that registers the environment in
the process that makes environments::

    python -m codepaint_env.integrations.parquet --suite refinement --for skyrl \
        --out ~/data/cp/train.parquet

    # main_codepaint.py
    import hydra, ray
    from skyrl_train.entrypoints.main_base import BasePPOExp, config_dir, validate_cfg
    from skyrl_train.utils import initialize_ray
    from codepaint_env.integrations.skyrl import register_env

    @ray.remote(num_cpus=1)
    def skyrl_entrypoint(cfg):
        register_env()                        # skyrl_gym.make("codepaint", ...) works from here on
        BasePPOExp(cfg).run()

    @hydra.main(config_path=config_dir, config_name="ppo_base_config", version_base=None)
    def main(cfg):
        validate_cfg(cfg)
        initialize_ray(cfg)
        ray.get(skyrl_entrypoint.remote(cfg))

    if __name__ == "__main__":
        main()

    python main_codepaint.py data.train_data="['$HOME/data/cp/train.parquet']" \
        environment.env_class=codepaint generator.max_turns=3 \
        +environment.skyrl_gym.codepaint.images=true \
        trainer.policy.model.path=Qwen/Qwen2.5-VL-7B-Instruct trainer.algorithm.advantage_estimator=grpo

**The episode.** ``extras`` is the dataset row (``extra_info`` holds the task: ``task_id``,
``prompt``, ``language``, ``size``, ``subject``...; ``max_turns`` is set by SkyRL's generator).
Each ``step(action)`` extracts the program from the completion, renders it, scores it with the
reward (:class:`~codepaint_env.envs.env.CodePaintEnv` does both), and returns the reward and, while
turns remain, one user message with the feedback (render errors, the reward and its breakdown,
how much of the picture the edit changed) asking for an edited program: the write, look,
critique, edit loop. With ``images: true`` in the environment's config that message's content is
``[{"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}}, {"type": "text", ...}]``
so a vision-language policy sees its picture.

**Config** (``environment.skyrl_gym.codepaint``, all optional): ``images`` (default false),
``reward`` (a reward spec; default ``CODEPAINT_REWARD`` or ``gate:0.3,classic:0.7``),
``reward_mode`` (``absolute`` or ``improvement``), ``no_change_penalty``, ``success_threshold``
(ends the episode early), ``unjudged_reward``, ``instruction`` (the request that ends each
feedback message). The environment variables of :mod:`codepaint_env.scoring.trainer`
apply too.

**Rewards SkyRL receives.** A float per turn. A turn that could not be judged (judge down,
render infrastructure failed) gets ``unjudged_reward`` (default 0.0) and ``metadata["judged"]``
False; ``get_metrics()`` reports the episode's ``judged`` fraction, so a falling mean is visible.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping
from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.envs.env import CodePaintEnv
from codepaint_env.scoring.trainer import TrainerConfig, reward_for
from codepaint_env.tasks import Task

try:
    from skyrl_gym.envs.base_text_env import BaseTextEnv, BaseTextEnvStepOutput
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(f"the SkyRL-Gym environment needs skyrl-gym ({e}): "
                                 "pip install 'codepaint[skyrl]'") from e

__all__ = ["ENV_ID", "CodePaintTextEnv", "register_env"]

#: The ``env_class`` SkyRL rows name (:func:`register_env` registers it).
ENV_ID = "codepaint"
DEFAULT_INSTRUCTION = "Reply with the complete edited program."
_CONFIG_KEYS = frozenset({"images", "reward", "reward_mode", "no_change_penalty", "success_threshold",
                          "unjudged_reward", "instruction"})


class CodePaintTextEnv(BaseTextEnv):
    """A codepaint task as a SkyRL-Gym text environment (see the module docstring).

    Args:
        env_config: The environment's config (``environment.skyrl_gym.codepaint``; a mapping or
            an OmegaConf ``DictConfig``).
        extras: The dataset row: ``extra_info`` with the task's columns (or the columns at the
            top level), ``max_turns``.

    Raises:
        ValueError: A config key it does not know, or a row without a task prompt and language.
    """

    def __init__(self, env_config: Mapping[str, Any] | None = None, extras: Mapping[str, Any] | None = None
                 ) -> None:
        super().__init__()
        config = {str(k): v for k, v in dict(env_config or {}).items()}
        unknown = sorted(set(config) - _CONFIG_KEYS)
        if unknown:
            raise ValueError(f"codepaint environment config: unknown key(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(_CONFIG_KEYS))}")
        extras = dict(extras or {})
        self.task = _task(extras)
        self.max_turns = int(extras.get("max_turns") or 1)
        self.images = bool(config.get("images", False))
        self.instruction = str(config.get("instruction") or DEFAULT_INSTRUCTION)
        trainer = TrainerConfig.from_environ()
        if config.get("reward"):
            trainer = dataclasses.replace(trainer, reward=str(config["reward"]))
        unjudged = float(config.get("unjudged_reward", trainer.unjudged_reward))
        reward = reward_for(trainer)
        threshold = config.get("success_threshold")
        self.env = CodePaintEnv(
            language=self.task.language, reward=reward, tasks=[self.task], split=None,
            max_turns=self.max_turns, size=self.task.size,
            reward_mode=str(config.get("reward_mode", "absolute")),
            no_change_penalty=float(config.get("no_change_penalty", 0.0)),
            success_threshold=None if threshold is None else float(threshold), unjudged_reward=unjudged,
            render_seed=int((extras.get("extra_info") or {}).get("seed") or trainer.seed),
            renderer=getattr(reward, "renderer", None))
        self._judged: list[bool] = []
        self._values: list[float | None] = []

    def init(self, prompt: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Start the episode on the row's task; the prompt goes to the model as it is."""
        self.turns = 0
        self.env.reset(options={"task": self.task})
        return prompt, {"task_id": self.task.id}

    def step(self, action: str) -> BaseTextEnvStepOutput:
        """Render and score the program in ``action``; feedback while turns remain."""
        if self.env.task is None:  # SkyRL calls init first; a bare step() starts the episode too
            self.env.reset(options={"task": self.task})
        self.turns += 1
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._judged.append(bool(info["judged"]))
        self._values.append(info["reward"]["value"])
        done = bool(terminated or truncated or self.turns >= self.max_turns)
        observations = [] if done else [self._feedback_message(obs["feedback"])]
        metadata = {"task_id": self.task.id, "turn": self.turns, "judged": info["judged"],
                    "value": info["reward"]["value"], "reason": info["reward"]["reason"],
                    "error_kind": info["render"].get("error_kind"), "no_change": info["no_change"]}
        return BaseTextEnvStepOutput(observations=observations, reward=float(reward), done=done,
                                     metadata=metadata, postprocessed_action=None)

    def get_metrics(self) -> dict[str, Any]:
        """The episode's turns, judged fraction and last judged value (SkyRL averages them)."""
        judged = [v for v in self._values if v is not None]
        return {"turns": self.turns,
                "judged": sum(self._judged) / len(self._judged) if self._judged else 0.0,
                **({"final_value": judged[-1]} if judged else {})}

    def _feedback_message(self, feedback: str) -> dict[str, Any]:
        text = f"{feedback}\n\n{self.instruction}"
        res = self.env.last_result
        if not self.images or res is None or res.png is None:
            return {"role": "user", "content": text}
        url = "data:image/png;base64," + base64.b64encode(res.png).decode("ascii")
        return {"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}},
                                            {"type": "text", "text": text}]}


def _task(extras: Mapping[str, Any]) -> Task:
    """The task a SkyRL row describes (``extra_info`` as the parquet builder writes it)."""
    info = dict(extras.get("extra_info") or {})
    row = {k: info.get(k, extras.get(k)) for k in ("task_id", "prompt", "language", "size", "subject",
                                                   "colour_family")}
    if not row["prompt"] or not row["language"]:
        raise ValueError("a codepaint SkyRL row needs extra_info.prompt and extra_info.language (write rows "
                         "with python -m codepaint_env.integrations.parquet --for skyrl)")
    fields = {"id": row["task_id"] or "skyrl-task", "prompt": row["prompt"], "language": row["language"],
              "subject": row["subject"], "colour_family": row["colour_family"]}
    size = row["size"]
    if size is not None:  # [W, H] (a numpy array when read back from parquet) or one int
        fields["size"] = size.tolist() if hasattr(size, "tolist") else size
    return Task.from_row(fields, "SkyRL row")


def register_env(env_id: str = ENV_ID) -> None:
    """Register :class:`CodePaintTextEnv` with SkyRL-Gym as ``env_id`` (again: no-op)."""
    import skyrl_gym

    if env_id not in skyrl_gym.registry:
        skyrl_gym.register(id=env_id, entry_point=f"{__name__}:CodePaintTextEnv")
