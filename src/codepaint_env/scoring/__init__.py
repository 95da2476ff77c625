"""Scoring for trainers: what every trainer adapter and ``codepaint serve`` share.

* :mod:`.trainer`: :class:`~.trainer.TrainerConfig` (the reward, renderer and server from
  environment variables), :func:`~.trainer.score_batch` and the unjudged rule.

Layered above ``rewards`` and beside the environments: the trainer adapters
(:mod:`codepaint_env.integrations`) and the HTTP service (:mod:`codepaint_env.serve`) import it;
it imports neither.
"""
