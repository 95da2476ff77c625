"""``python -m codepaint_env.tasks.knowledge [SUITE.jsonl CARDS.jsonl]``: write the suite and the cards."""

import sys

from codepaint_env.tasks.knowledge.suite import write_files

suite, cards = write_files(*(sys.argv[1:3] if len(sys.argv) >= 3 else ()))
print(f"wrote {suite} and {cards}")
