"""Trainer adapters: codepaint's renders and rewards inside other RL trainers.

One module per trainer, each documented with the command of a real run:

* :mod:`codepaint_env.integrations.verl`: ``compute_score`` for verl's
  ``reward.custom_reward_function`` (a per-sample, an async and a batch form); its parquet rows
  come from ``codepaint export parquet --suite svg --out data/svg.parquet``
  (:mod:`codepaint_env.tasks.parquet`).
* :mod:`codepaint_env.integrations.openrlhf`: the ``reward_func(queries, prompts, labels)`` file
  for OpenRLHF's ``--reward.remote_url /path/to/openrlhf.py`` (the HTTP form is ``codepaint serve``'s
  ``/get_reward``).
* :mod:`codepaint_env.integrations.skyrl`: a SkyRL-Gym ``BaseTextEnv`` (``env_class=codepaint``)
  whose ``step`` renders and scores, multi-turn refinement and image observations included.
* :mod:`codepaint_env.integrations.openenv`: a codepaint ``Environment`` for OpenEnv (served by
  OpenEnv's own app with ``codepaint openenv``: HTTP and WebSocket sessions, one shared renderer;
  ``openenv.yaml`` and ``docker/openenv/Dockerfile`` to publish it).
* :mod:`codepaint_env.integrations.verl_agent`: ``CodePaintAgentLoop``, verl's multi-turn agent loop
  (write, render, the picture back in ``multi_modal_data`` with the feedback, edit), registered by
  ``verl_agent.yaml`` for ``actor_rollout_ref.rollout.agent.agent_loop_config_path``.
* :mod:`codepaint_env.integrations.verifiers`: a verifiers 0.4 taskset, ``Env`` and harness
  (``load_environment``): single-turn and write-look-edit episodes, pictures in user or tool
  messages; its harness calls the model in-process (no ``uv`` bootstrap, no container).

TRL needs no adapter: every reward is a TRL reward function, and
:class:`~codepaint_env.integrations.trl.CodePaintToolEnv` is its ``environment_factory``.

The multi-turn doors (TRL's ``CodePaintToolEnv``, SkyRL, verl's agent loop, verifiers, OpenEnv, and
the Gym env) are thin layers over one episode core, :mod:`codepaint_env.episode`: the settings
from the trainer config (``EpisodeSettings``), the task from every column of a row, the reply
parsed (a program or a ``submit_code`` call), one record per turn (``Turn.to_dict()``, what every
door sends), the feedback message and where its picture goes, the episode's reward (last, best or
mean) and its end; each keeps only its platform's glue.

The reward, the renderer and a ``codepaint serve`` URL come from environment variables
(:class:`~codepaint_env.scoring.trainer.TrainerConfig`): trainers start their reward code in
processes of their own (Ray actors, workers), where environment variables are what arrives.
With nothing set, the one default reward is used (``default``: ``gate:0.3,checks:0.7`` for a row
with checks, ``gate:0.3,classic:0.7`` for any other; no judge, no model).

Importing this package imports nothing of any trainer; each module imports its trainer's
package only where it subclasses it (SkyRL-Gym).
"""

from __future__ import annotations

__all__: list[str] = []
