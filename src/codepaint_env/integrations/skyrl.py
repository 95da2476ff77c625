r"""SkyRL-Gym: a ``BaseTextEnv`` whose ``step`` renders the program and scores its picture.

A real run with SkyRL-train (``pip install 'codepaint[skyrl]'`` beside it), following SkyRL's own
"new environment" example for skyrl-train 0.2 (the ``skyrl_train`` package; skyrl 0.3.0 moved it to
``skyrl.train`` and takes no ``+`` overrides: see docs/trainers.md, which also says what the tests
run: ``skyrl-gym`` itself, not SkyRL's trainer). Write the rows, and an entrypoint that registers
the environment in the process that makes environments::

    codepaint export parquet --suite refinement --for skyrl \
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

**The episode** is every door's (:mod:`codepaint_env.episode`). ``extras`` is
the dataset row (``extra_info`` holds the task's columns, every one of them read: ``task_id``,
``prompt``, ``language``, ``size``, ``checks``...; ``max_turns`` is set by SkyRL's generator).
Each ``step(action)`` extracts the program from the completion, renders it, scores it with the
reward, and returns the reward and, while turns remain, one user message with the feedback
(render errors, the reward and its breakdown, how much of the picture the edit changed) asking
for an edited program: the write, look, critique, edit loop. With ``images: true`` in the
environment's config that message's content is ``[{"type": "image_url", "image_url": {"url":
"data:image/png;base64,..."}}, {"type": "text", ...}]`` so a vision-language policy sees its
picture.

**Config** (``environment.skyrl_gym.codepaint``, all optional): ``images`` (default false),
``reward`` (a reward spec; default ``CODEPAINT_REWARD`` or the one default reward, ``default``),
``reward_mode`` (``absolute`` or ``improvement``), ``no_change_penalty``, ``success_threshold``
(ends the episode early), ``unjudged_reward``, ``instruction`` (the request that ends each
feedback message), ``tools`` (search tools: ``[search]`` or ``search,search_references``) and
``max_tool_calls``. The environment variables of :mod:`codepaint_env.scoring.trainer`
apply too.

**Search before drawing** (``tools``): ``init`` adds the tools' instruction to the system prompt
(write ``<search>a few words</search>``); a completion that searches (a ``<search>`` tag or a
``<tool_call>`` block naming a tool) is a search step: nothing is drawn, the observations are the
answers (a user message with ``<information>...</information>``, or a ``tool`` message per
``<tool_call>``), the reward is 0.0, ``done`` is False and ``metadata`` holds ``tool: True`` and the
calls' results. SkyRL's generator counts it as a turn: give ``generator.max_turns`` room for
``max_turns + max_tool_calls``. Each turn's metadata carries ``tool_calls`` and ``retrieved``.

**Rewards SkyRL receives.** A float per turn. A turn that could not be judged (judge down,
render infrastructure failed) gets ``unjudged_reward`` (default 0.0) and ``metadata["judged"]``
False; ``get_metrics()`` reports the episode's ``judged`` fraction, so a falling mean is visible.
Each step's ``metadata`` is the turn's record (:class:`~codepaint_env.episode.Turn`:
the same fields through every door) with the ``task_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.episode import Episode, EpisodeResources, EpisodeSettings, task_from_row

try:
    from skyrl_gym.envs.base_text_env import BaseTextEnv, BaseTextEnvStepOutput
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(f"the SkyRL-Gym environment needs skyrl-gym ({e}): "
                                 "pip install 'codepaint[skyrl]'") from e

__all__ = ["ENV_ID", "CodePaintTextEnv", "register_env"]

#: The ``env_class`` SkyRL rows name (:func:`register_env` registers it).
ENV_ID = "codepaint"
#: The config keys (each an :class:`~codepaint_env.episode.EpisodeSettings` field, ``reward`` its spec).
_CONFIG_KEYS = frozenset({"images", "reward", "reward_mode", "no_change_penalty", "success_threshold",
                          "unjudged_reward", "instruction", "tools", "max_tool_calls"})


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
        if config.get("tools") is not None and not isinstance(config["tools"], str):
            config["tools"] = [str(t) for t in config["tools"]]  # an OmegaConf ListConfig
        settings = EpisodeSettings.from_config(max_turns=int(extras.get("max_turns") or 1), **config)
        row = {k: v for k, v in extras.items() if k != "extra_info"}
        row.update(extras.get("extra_info") or {})  # extra_info's columns first
        self.task, self.seed = task_from_row(
            row, settings.config, where="a codepaint SkyRL row",
            default_id="skyrl-task", hint=": extra_info.prompt and extra_info.language (write the rows with "
                                          "codepaint export parquet --for skyrl)")
        self.resources = EpisodeResources(settings)
        self.max_turns = settings.max_turns
        self.episode: Episode | None = None

    def init(self, prompt: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Start the episode on the row's task; the prompt goes to the model as it is.

        With tools, their instruction is added to its system message.
        """
        episode = self._start()
        if episode.settings.tools:
            prompt = episode.opening(list(prompt), tool_form="tag")
        return prompt, {"task_id": self.task.id}

    def step(self, action: str) -> BaseTextEnvStepOutput:
        """Render and score the program in ``action``; feedback while turns remain (or answer its search)."""
        episode = self.episode if self.episode is not None else self._start()  # a bare step() starts it too
        step = episode.respond(action)
        self.turns = len(episode.turns)
        if step.turn is None:  # a search step: the answers, no reward, the episode goes on
            return BaseTextEnvStepOutput(observations=list(step.messages), reward=0.0, done=False,
                                         metadata={"task_id": self.task.id, "tool": True, **step.info},
                                         postprocessed_action=None)
        return BaseTextEnvStepOutput(observations=[] if step.message is None else [step.message],
                                     reward=step.turn.reward, done=step.done,
                                     metadata={"task_id": self.task.id, **step.turn.to_dict()},
                                     postprocessed_action=None)

    def get_metrics(self) -> dict[str, Any]:
        """The episode's turns, judged fraction and last judged value (SkyRL averages them)."""
        turns = self.episode.turns if self.episode is not None else []
        judged = [t.value for t in turns if t.value is not None]
        out = {"turns": len(turns),
               "judged": sum(t.judged for t in turns) / len(turns) if turns else 0.0,
               **({"final_value": judged[-1]} if judged else {})}
        if self.episode is not None and self.episode.search_log is not None:
            out["tool_calls"] = self.episode.tool_calls
            needed = set(self.task.facts)
            if needed:
                out["recall"] = len(needed & set(self.episode.retrieved)) / len(needed)
        return out

    def _start(self) -> Episode:
        self.turns = 0
        self.episode = self.resources.episode(self.task, render_seed=self.seed)
        return self.episode


def register_env(env_id: str = ENV_ID) -> None:
    """Register :class:`CodePaintTextEnv` with SkyRL-Gym as ``env_id`` (again: no-op)."""
    import skyrl_gym

    if env_id not in skyrl_gym.registry:
        skyrl_gym.register(id=env_id, entry_point=f"{__name__}:CodePaintTextEnv")
