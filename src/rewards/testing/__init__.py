"""Test kit for rewards, yours included: hypothesis strategies and :func:`check_reward`.

    >>> from rewards.testing import check_reward, samples
    >>> report = check_reward(rewards.make_reward("execution_gate"))     # doctest: +SKIP
    >>> print(report.to_table())                                          # doctest: +SKIP

* Strategies (:mod:`.strategies`): :func:`programs` (valid and broken programs per language),
  :func:`pictures` (paintings and hack pictures), :func:`samples` (batches of rendered samples,
  with failed and ``infra`` renders mixed in) and :func:`tasks` (the ``shapes`` generator's tasks).
  Pictures are drawn with Pillow: no browser.
* :func:`check_reward` (:mod:`.check`): the reward twin of Gymnasium's ``check_env``; it runs the
  invariants a trainer relies on and raises :class:`RewardInvariantError` with hypothesis' shrunk
  counterexample for the first one the reward breaks. ``codepaint check-reward SPEC`` runs it
  from the shell.
* :func:`~rewards.testing.adversary.search` (:mod:`.adversary`): the best-paid wrong picture a search
  finds in a vocabulary of your own (``codepaint check-reward SPEC --adversary N`` runs it on the
  ``shapes`` scenes, with the scene oracle saying which pictures are wrong).
* :func:`search_templates` (:mod:`.templates`): the one scene-blind SVG program (it reads only the
  prompt's colour words) a collapsing policy would find, searched over many tasks at once
  (``codepaint check-reward SPEC --templates N`` runs it on held-out ``shapes`` scenes).
* :mod:`.honest`: an honest artist that reads a ``shapes`` prompt with its own grammar and draws it
  as a person might (any kind-faithful outline, size, place and small turn the words allow).

Needs hypothesis: ``pip install 'codepaint[testing]'``.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as e:  # pragma: no cover - exercised in an environment without hypothesis
    raise ImportError("rewards.testing needs hypothesis, which is not installed: "
                      "pip install 'codepaint[testing]'") from e

from rewards.testing.check import InvariantResult, RewardInvariantError, RewardReport, check_reward
from rewards.testing.invariants import INVARIANTS
from rewards.testing.programs import LANGUAGES, PROGRAM_KINDS, decorate
from rewards.testing.strategies import (
    FAILURE_KINDS,
    PICTURE_KINDS,
    PROMPTS,
    pictures,
    programs,
    samples,
    scenes,
    tasks,
)
from rewards.testing.templates import TemplateReport, search_templates

__all__ = [
    "FAILURE_KINDS",
    "INVARIANTS",
    "LANGUAGES",
    "PICTURE_KINDS",
    "PROGRAM_KINDS",
    "PROMPTS",
    "InvariantResult",
    "RewardInvariantError",
    "RewardReport",
    "TemplateReport",
    "check_reward",
    "decorate",
    "pictures",
    "programs",
    "samples",
    "scenes",
    "search_templates",
    "tasks",
]
