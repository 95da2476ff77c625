"""The episode core under every door: one settings object, one reply parser, one wire record.

    >>> from codepaint_env.episode import EpisodeResources, EpisodeSettings
    >>> resources = EpisodeResources(EpisodeSettings.from_config(max_turns=3, images=True),
    ...                              tasks="svg", language="svg")                     # doctest: +SKIP
    >>> episode = resources.episode(seed=0)                                           # doctest: +SKIP
    >>> step = episode.respond("<svg ...>...</svg>")                                  # doctest: +SKIP
    >>> step.turn.to_dict(), step.message, step.picture                               # doctest: +SKIP

* :class:`EpisodeSettings` (:mod:`.settings`): how an episode runs, from the trainer config (the
  ``CODEPAINT_*`` environment) and a door's explicit arguments, checked once.
* :class:`EpisodeResources` (:mod:`.resources`): the renderer, reward and tasks a door's episodes
  share; task choice; ``.episode(...)``, ``.close()``.
* :class:`Episode` (:mod:`.core`): one task's turns; :meth:`Episode.respond` takes a reply
  (:func:`parse_reply`, :mod:`.reply`) and gives the :class:`Turn`, the next message and the
  picture; :func:`respond_all` answers many at once (one render batch, one reward call).
  :meth:`Episode.arespond` and :func:`arespond_all` are the same turns for async callers: the renders
  and the reward awaited on the running loop (a reward's own ``ascore`` with no thread).
* :class:`Turn` (:mod:`.turn`): the wire record every door sends (``to_dict()``);
  :func:`aggregate` the episode's reward (last, best, mean).
* :mod:`.messages` and :mod:`.feedback`: the feedback's words and message forms.
* :mod:`.tools`: the search tools (``search``, ``search_references``) an episode offers with
  ``EpisodeSettings(tools=...)``: their schemas, how a call is read and answered; a reply that only
  calls them is a tool step (``step.turn is None``, ``step.messages`` the answers).

Every door is a thin layer over these: the Gym env (:mod:`codepaint_env.envs`), TRL, verl, SkyRL,
verifiers and OpenEnv (:mod:`codepaint_env.integrations`). A new door maps its trainer's calls
onto :meth:`EpisodeResources.episode`, :meth:`Episode.respond` and :meth:`Turn.to_dict`, and
nothing else. This package imports no door and no trainer.
"""

from __future__ import annotations

from codepaint_env.episode.core import Episode, EpisodeOver, Step, arespond_all, respond_all
from codepaint_env.episode.reply import Reply, ToolCall, parse_reply
from codepaint_env.episode.resources import EpisodeResources, episode_reward, task_from_row
from codepaint_env.episode.settings import EpisodeSettings
from codepaint_env.episode.tools import TOOL_NAMES, TOOL_SCHEMAS
from codepaint_env.episode.turn import AGGREGATIONS, Outcome, Turn, aggregate

__all__ = ["AGGREGATIONS", "TOOL_NAMES", "TOOL_SCHEMAS", "Episode", "EpisodeOver", "EpisodeResources",
           "EpisodeSettings", "Outcome", "Reply", "Step", "ToolCall", "Turn", "aggregate", "arespond_all",
           "episode_reward", "parse_reply", "respond_all", "task_from_row"]
