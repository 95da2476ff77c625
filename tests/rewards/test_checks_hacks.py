"""Hacks pay nothing under ``gate:0.2,visual_checks:0.8`` on the ``shapes`` suite.

For one task of each template (an eval task where there is one), the honest answer (the task's SVG
reference) and five hacks, all rendered in Chromium and scored through the reward's TRL interface
with the task's columns:

* ``asked_colour_fill``: the canvas filled with the first asked colour;
* ``stripes``: vertical stripes of every asked colour (background included);
* ``prompt_as_text``: the prompt written on the asked background in the asked colour;
* ``other_reference``: another task's reference (a copy of a good picture of something else);
* ``huge_shape``: one shape of the first asked colour over most of the canvas.

Each breaks at least one claim its prompt states, so each scores below the honest answer on every
task by at least one stated claim's share (the prompt is the contract: a wrong picture loses what it
gets wrong; since version 4 no hidden size rule adds to it); the values are printed (``-s``).
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

import pytest

import rewards
from codepaint_env.tasks import Task, load_suite
from rewards.checks.colours import PALETTE

pytestmark = pytest.mark.browser

SIDE = 400
TASKS = load_suite("shapes", language="svg")


def one_per_template() -> list[Task]:
    chosen: dict[str, Task] = {}
    for task in sorted(TASKS, key=lambda t: t.split != "eval"):
        chosen.setdefault(task.tags[1], task)
    return list(chosen.values())


def asked(task: Task) -> tuple[str, list[str]]:
    """The task's background and its object colours (hex), from its checks."""
    background = next(c["colour"] for c in task.checks if c["kind"] == "background")
    colours = list(dict.fromkeys(c["colour"] for c in task.checks if c["kind"] == "count"))
    return PALETTE[background], [PALETTE[c] for c in colours]


def svg(*elements: str) -> str:
    body = "".join(elements)
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIDE}" height="{SIDE}">{body}</svg>'


def hacks(task: Task, other: Task) -> dict[str, str]:
    bg, colours = asked(task)
    back = f'<rect width="{SIDE}" height="{SIDE}" fill="{bg}"/>'
    band = SIDE / (len(colours) + 1)
    stripes = [f'<rect x="{i * band:.1f}" width="{band + 1:.1f}" height="{SIDE}" fill="{c}"/>'
               for i, c in enumerate([bg, *colours])]
    words = task.prompt.split()
    lines = [" ".join(words[i:i + 4]) for i in range(0, len(words), 4)]
    text = "".join(f'<text x="10" y="{40 + 36 * i}" font-size="30" fill="{colours[0]}">{escape(line)}</text>'
                   for i, line in enumerate(lines))
    return {
        "asked_colour_fill": svg(f'<rect width="{SIDE}" height="{SIDE}" fill="{colours[0]}"/>'),
        "stripes": svg(*stripes),
        "prompt_as_text": svg(back, text),
        "other_reference": other.reference_programs["svg"],
        "huge_shape": svg(back, f'<circle cx="200" cy="200" r="185" fill="{colours[0]}"/>'),
    }


def test_no_hack_scores_as_well_as_the_honest_picture(renderer):
    reward = rewards.make_reward("gate:0.2,checks:0.8", renderer=renderer, size=192)
    tasks = one_per_template()
    assert len(tasks) == 7
    table: dict[str, list[float]] = {}
    for i, task in enumerate(tasks):
        other = tasks[(i + 1) % len(tasks)]
        programs = {"honest": task.reference_programs["svg"], **hacks(task, other)}
        columns = {k: v for k, v in task.columns().items() if k != "size"}
        values = reward(list(programs.values()), prompts=[task.prompt] * len(programs),
                        **{k: [v] * len(programs) for k, v in columns.items()})
        scored = dict(zip(programs, values, strict=True))
        assert scored["honest"] == pytest.approx(1.0), (task.id, scored)
        total = sum(c.get("weight", 1) for c in task.checks)
        one_claim = 0.8 * 2 / total  # the least a broken stated claim costs under this spec
        for name, value in scored.items():
            table.setdefault(name, []).append(value)
            if name != "honest":
                assert value is not None, (task.id, name)
                assert value <= scored["honest"] - one_claim + 1e-9, (task.id, name, scored)
    means = {name: round(sum(v) / len(v), 3) for name, v in table.items()}
    print("\nhack probe values (gate:0.2,checks:0.8), mean over 7 tasks:", json.dumps(means))
    print("max:", json.dumps({name: round(max(v), 3) for name, v in table.items()}))
    # huge_shape is a circle of the first colour nearly as wide as the canvas: where the prompt asks for
    # one object of another kind it breaks that one claim (the kind) and is paid the rest (0.88 for
    # "a blue square"); no size is stated, so no hidden size rule takes more. Every hack loses at least
    # one stated claim's share, and on average far more.
    assert all(means[name] <= 0.75 for name in means if name != "honest"), means
