"""`CodePaintVectorEnv`: N environments stepped as one batch, through one renderer and one reward call.

    >>> import gymnasium as gym, codepaint_env
    >>> envs = gym.make_vec("CodePaint/SVG-v4", num_envs=8, vectorization_mode="vector_entry_point",
    ...                     reward="execution_gate", size=256)                       # doctest: +SKIP
    >>> obs, infos = envs.reset(seed=0)                                              # doctest: +SKIP
    >>> obs, rewards, terminated, truncated, infos = envs.step(programs)             # doctest: +SKIP

Gymnasium's ``sync`` mode steps its environments one after another, so a step of N programs is
N renders in a row; its ``async`` mode runs each environment in a process of its own, each with
its own browser, which costs N browsers of memory and oversubscribes the cores. This vector env
is neither: its N :class:`~codepaint_env.envs.env.CodePaintEnv` copies share one renderer (the
process-wide one, a ``Renderer`` or a ``RayRenderer``) and one reward object, and a step
submits the N renders together (the renderer runs them side by side on its pages or workers),
then scores the N samples in one ``score`` call (one judge batch; a group reward sees the whole
group). :func:`~codepaint_env.envs.env.step_batch` is that step; ``CodePaintEnv.step`` is the same
function with one environment, so a vector step answers exactly what N single steps would.

Everything else is Gymnasium's :class:`~gymnasium.vector.SyncVectorEnv` (reset, seeding,
``reset_mask``, ``call``/``get_attr``/``set_attr``, the batched spaces, info merging), and the
autoreset rules are Gymnasium 1.x's (``metadata["autoreset_mode"]``, an
:class:`~gymnasium.vector.AutoresetMode`): ``NEXT_STEP`` (the default: an environment that ended
is reset on the next step, which ignores its action and gives reward 0), ``SAME_STEP`` (reset in
the step that ended it; ``final_obs``/``final_info`` in ``info``) or ``DISABLED``.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.vector.utils import concatenate, iterate

from codepaint_env.envs.env import CodePaintEnv, step_batch

__all__ = ["CodePaintVectorEnv"]


class CodePaintVectorEnv(SyncVectorEnv):
    """``num_envs`` :class:`~codepaint_env.envs.CodePaintEnv` copies that step as one batch.

    Args:
        num_envs: How many environments.
        copy: Return copies of the observations (Gymnasium's ``SyncVectorEnv`` argument).
        autoreset_mode: An :class:`~gymnasium.vector.AutoresetMode` or its value (``"NextStep"``,
            the default; ``"SameStep"``; ``"Disabled"``).
        **env_kwargs: :class:`~codepaint_env.envs.env.CodePaintEnv` arguments, the same for every copy.
            The copies share one :class:`~codepaint_env.episode.EpisodeResources` (one reward object),
            so one ``score`` call judges the whole step.
    """

    _env_obs: list[Any]  # each environment's last observation (SyncVectorEnv's, typed)

    def __init__(self, num_envs: int, *, copy: bool = True,
                 autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP, **env_kwargs: Any) -> None:
        if num_envs < 1:
            raise ValueError("num_envs must be at least 1")
        # one set of resources (settings, renderer, reward, tasks) for every copy: one score call a step
        env_kwargs["resources"] = CodePaintEnv(**env_kwargs).resources
        super().__init__([lambda: CodePaintEnv(**env_kwargs)] * num_envs, copy=copy,
                         autoreset_mode=autoreset_mode)
        self.envs: list[CodePaintEnv]  # type: ignore[assignment]  (SyncVectorEnv types them as Env)

    def step(self, actions: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Render every action at once, score them in one reward call, autoreset per Gymnasium's rules."""
        actions = list(iterate(self.action_space, actions))
        if self.autoreset_mode == AutoresetMode.DISABLED and self._autoreset_envs.any():
            raise ValueError("autoreset_mode='disabled': reset the environments that ended "
                             f"({np.flatnonzero(self._autoreset_envs).tolist()}) before stepping them")
        resetting = (self._autoreset_envs.copy() if self.autoreset_mode == AutoresetMode.NEXT_STEP
                     else np.zeros(self.num_envs, dtype=np.bool_))
        stepping = np.flatnonzero(~resetting).tolist()
        batch = step_batch([self.envs[i] for i in stepping], [actions[i] for i in stepping])
        answers = dict(zip(stepping, batch, strict=True))

        infos: dict[str, Any] = {}
        for i, env in enumerate(self.envs):
            if resetting[i]:
                self._env_obs[i], env_info = env.reset()
                self._rewards[i], self._terminations[i], self._truncations[i] = 0.0, False, False
            else:
                (self._env_obs[i], self._rewards[i], self._terminations[i], self._truncations[i],
                 env_info) = answers[i]
                if self.autoreset_mode == AutoresetMode.SAME_STEP and (
                        self._terminations[i] or self._truncations[i]):
                    infos = self._add_info(infos, {"final_obs": self._env_obs[i], "final_info": env_info}, i)
                    self._env_obs[i], env_info = env.reset()
            infos = self._add_info(infos, env_info, i)

        self._observations = concatenate(self.single_observation_space, self._env_obs, self._observations)
        self._autoreset_envs = np.logical_or(self._terminations, self._truncations)
        return (deepcopy(self._observations) if self.copy else self._observations, np.copy(self._rewards),
                np.copy(self._terminations), np.copy(self._truncations), infos)
