"""Scoring for trainers: what every trainer adapter and ``codepaint serve`` share.

* :mod:`.trainer`: :class:`~.trainer.TrainerConfig` (the reward, renderer and server from
  environment variables), :func:`~.trainer.score_batch` and the unjudged rule.
* :mod:`.openrlhf`: OpenRLHF's reward contract (labels in, rewards/scores/extra_logs out), spoken
  by the in-process reward file and by ``codepaint serve``'s ``/get_reward``.
* :mod:`.reward_card`: a reward's card (``codepaint check-reward SPEC --card DIR``): its false
  fails and false passes on the ``shapes`` generator's held-out scenes (:mod:`.card_rules`: the
  counting rules; :mod:`.card_report`: the card and its files; :mod:`.card_pictures`: the
  known-good variants).

Layered above ``rewards`` and beside the environments: the trainer adapters
(:mod:`codepaint_env.integrations`) and the HTTP service (:mod:`codepaint_env.serve`) import it;
it imports neither.
"""
