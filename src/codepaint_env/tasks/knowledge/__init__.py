"""The ``knowledge`` suite: prompts that name a thing (a flag, a sign, the Olympic rings) but not its look.

* :mod:`.fact`: a fact, its card and the checks it implies; :mod:`.draw`: the shapes of its scene;
* :mod:`.records`: the facts as data (one record each in ``data/flags.json``, ``data/signs.json``,
  ``data/symbols.json``) and the vocabulary that reads them; :mod:`.patterns`: the few drawings a
  record names that its primitives cannot say; :mod:`.catalogue`: all the facts;
* :mod:`.cards`: the bundled corpus ``cards.jsonl`` (what ``search`` reads);
* :mod:`.suite`: the tasks and ``suites/knowledge.jsonl`` (``python -m codepaint_env.tasks.knowledge``);
* :mod:`.search`: ``search`` over the cards and ``search_references`` over the reference pool (BM25),
  and :class:`~.search.SearchLog`, the card ids an episode's searches returned.

    >>> from codepaint_env.tasks import load_suite
    >>> task = load_suite("knowledge", language="svg")[0]
    >>> task.facts
    ('flag-france',)
"""

from codepaint_env.tasks.knowledge.cards import Card, load_cards
from codepaint_env.tasks.knowledge.catalogue import all_facts
from codepaint_env.tasks.knowledge.fact import FAMILIES, Fact
from codepaint_env.tasks.knowledge.suite import build_suite, split_of_fact

__all__ = ["FAMILIES", "Card", "Fact", "all_facts", "build_suite", "load_cards", "split_of_fact"]
