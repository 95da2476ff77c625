r"""Search before drawing: a scripted policy looks a thing up, then draws what the search found.

    .venv/bin/python examples/search_then_draw.py                      # the knowledge suite's eval facts, SVG
    .venv/bin/python examples/search_then_draw.py --limit 5 --json out.json

Offline (SVG rendered in Chromium, as the Gym env does; no model, no network). Each task of the
``knowledge`` suite names a thing ("Draw the flag of Ghana, filling the whole canvas...") but not
its look. Two scripted policies answer each one in the Gym env with the search tool on
(``tools=("search",)``) and the dual reward ``gate:0.2,checks:0.7,search_recall:0.1``:

* ``search then draw``: its first action is ``<search>the flag of Ghana</search>`` (the thing the
  prompt names), the env answers in the observation's ``feedback`` (``<information>...</information>``,
  reward 0, the episode goes on), and its second action draws the picture of the *top card the
  search returned*: it knows how to draw every card, but not which card a prompt needs;
* ``guess``: draws without searching (always the same flag: what a policy that cannot look things
  up and does not know the fact may do).

The searches' cards reach the reward as the ``retrieved`` column: ``search_recall`` is 1 when the
task's card was among them. The table shows, per task, the query, the top card, each policy's reward
and whether all the card's checks passed; then the means.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

#: The reward: the gate, the task's visual checks, and the share of the task's facts the searches found.
SPEC = "gate:0.2,checks:0.7,search_recall:0.1"
#: What the guessing policy always draws (a card it knows).
GUESS = "flag-france"
_SUBJECT = re.compile(r"^Draw (.+?)(?: edge to edge| so that| on a white| centred|,| as an? )")


def subject(prompt: str) -> str:
    """The thing a prompt names ("Draw the flag of Ghana, filling..." -> "the flag of Ghana")."""
    found = _SUBJECT.match(prompt)
    return found.group(1) if found else prompt[:80]


def drawings(language: str) -> dict[str, str]:
    """The policy's drawing library: a program for every fact card, by card id (the suite's references)."""
    from codepaint_env.tasks import load_suite

    return {t.facts[0]: t.reference_programs[language] for t in load_suite("knowledge", language=language)}


def top_card(feedback: str) -> str | None:
    """The id of the first card in a search's answer (``[1] Title (card-id): ...``)."""
    found = re.search(r"^\[1\] .*? \(([a-z0-9-]+)\):", feedback, re.MULTILINE)
    return found.group(1) if found else None


def run_episode(env: Any, task: Any, library: dict[str, str], *, search: bool) -> dict[str, Any]:
    """One episode of one policy; what it did and what it got."""
    env.reset(options={"task": task})
    query, card = None, GUESS
    if search:
        query = subject(task.prompt)
        obs, reward, terminated, _, info = env.step(f"<search>{query}</search>")
        assert reward == 0.0 and not terminated and obs["turn"] == 0  # a search draws nothing
        card = top_card(obs["feedback"]) or GUESS
    _, reward, terminated, _, info = env.step(library[card])
    assert terminated
    metrics = info["reward"]["metrics"]
    return {"query": query, "card": card, "reward": reward, "tool_calls": info.get("tool_calls", 0),
            "recall": info["reward"]["breakdown"].get("search_recall/recall"),
            "all_stated": metrics.get("checks/all_stated")}


def main(argv: list[str] | None = None) -> int:
    """Run both policies over the tasks; print the table (and write it with ``--json``)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="eval", choices=("train", "eval"),
                    help="knowledge split (default eval)")
    ap.add_argument("--limit", type=int, default=None, help="the first N tasks (default: all)")
    ap.add_argument("--size", type=int, default=128, help="render size (default 128)")
    ap.add_argument("--json", default=None, help="write the rows here")
    args = ap.parse_args(argv)

    import gymnasium as gym

    import codepaint_env  # noqa: F401 (registers the ids)
    from codepaint_env.tasks import load_suite

    tasks = load_suite("knowledge", split=args.split, language="svg")[:args.limit]
    library = drawings("svg")
    env = gym.make("CodePaint/SVG-v4", tasks=tasks, reward=SPEC, tools=("search",), max_tool_calls=2,
                   size=args.size)
    rows = []
    print(f"{'task':<34} {'query':<36} {'top card':<24} {'search':>7} {'guess':>7}")
    for task in tasks:
        searched = run_episode(env, task, library, search=True)
        guessed = run_episode(env, task, library, search=False)
        rows.append({"task": task.id, "facts": list(task.facts), "search": searched, "guess": guessed})
        print(f"{task.id[10:][:34]:<34} {str(searched['query'])[:36]:<36} {searched['card'][:24]:<24} "
              f"{searched['reward']:>7.3f} {guessed['reward']:>7.3f}")
    env.close()
    n = len(rows)
    for name in ("search", "guess"):
        mean = sum(r[name]["reward"] for r in rows) / n
        stated = sum(bool(r[name]["all_stated"]) for r in rows) / n
        recall = sum(r[name]["recall"] or 0.0 for r in rows) / n
        print(f"{name}: mean reward {mean:.3f}, every card check passed {stated:.0%}, recall {recall:.2f} "
              f"({n} tasks)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
