"""`reward_funcs(spec, split_checks=...)`: the gate and one gated function per check kind.

The parts are TRL reward functions; their weighted sum is the composite's value sample for sample
(TRL's ``nansum`` counts a ``None`` as nothing), a kind is ``None`` where the gate failed or the task
has none of its checks, the batch is rendered and scored once, and the parts pickle.
"""

from __future__ import annotations

import pickle
import re

import pytest

import rewards
from codepaint_env.core.errors import RewardSpecError
from codepaint_env.tasks import load_suite
from rewards.split import RewardPart

SPEC = "gate:0.2,checks:0.8"
TASKS = load_suite("shapes", level=3, count=3, split="eval", language="svg")


def batch():
    """References, a wrong-colour copy, a broken program and an empty answer, with their columns."""
    first = TASKS[0]
    background = r'(<rect width="400" height="400" fill=")[^"]+'
    wrong = re.sub(background, r"\1grey", first.reference_programs["svg"])
    assert wrong != first.reference_programs["svg"]
    completions = [t.reference_programs["svg"] for t in TASKS] + [wrong, "<svg><circle", ""]
    rows = [*TASKS, first, first, first]
    columns = {k: [t.columns()[k] for t in rows] for k in first.columns()}
    return completions, [t.prompt for t in rows], columns


@pytest.mark.browser
def test_the_weighted_parts_sum_to_the_composite_sample_for_sample(renderer):
    kinds = ["background", "colour", "count", "shape", "relation", "size", "not_cut", "coverage",
             "contrast", "no_image", "position", "symmetry", "only"]
    funcs, weights = rewards.reward_funcs(SPEC, split_checks=kinds, renderer=renderer, size=160)
    assert [f.__name__ for f in funcs] == ["gate", *(f"checks/{k}" for k in kinds)]
    assert weights == [0.2] + [0.8] * len(kinds)
    completions, prompts, columns = batch()
    parts = [f(completions, prompts=prompts, **columns) for f in funcs]
    whole = rewards.make_reward(SPEC, renderer=renderer, size=160)(completions, prompts=prompts, **columns)
    for i, value in enumerate(whole):
        total = sum(w * p[i] for w, p in zip(weights, parts, strict=True) if p[i] is not None)
        assert total == pytest.approx(value), (i, [p[i] for p in parts])
    assert whole[:3] == [1.0, 1.0, 1.0] and whole[3] < 1.0 and whole[4] == whole[5] == -0.2
    gate, *kind_parts = parts
    assert gate[4:] == [-1.0, -1.0]
    assert all(p[4] is None and p[5] is None for p in kind_parts)  # the gate failed: no kind is judged
    by_kind = dict(zip(kinds, kind_parts, strict=True))
    assert by_kind["background"][3] == 0.0 and by_kind["background"][0] > 0  # the grey background
    assert all(v is None for v in by_kind["symmetry"][:4])  # no level-3 task states a symmetry


@pytest.mark.browser
def test_the_batch_is_scored_once_for_every_part(renderer):
    funcs, _ = rewards.reward_funcs(SPEC, split_checks=["count", "shape"], renderer=renderer, size=160)
    shared = funcs[0].shared
    calls = []
    score = shared.composite.score
    shared.composite.score = lambda samples: calls.append(len(samples)) or score(samples)
    completions, prompts, columns = batch()
    for f in funcs:
        f(completions, prompts=prompts, **columns)
    assert calls == [len(completions)]


def test_the_parts_pickle_and_keep_their_names():
    funcs, weights = rewards.reward_funcs(SPEC, split_checks=True)
    again = pickle.loads(pickle.dumps(funcs))
    assert [f.__name__ for f in again] == [f.__name__ for f in funcs]
    assert all(isinstance(f, RewardPart) for f in again) and len(weights) == len(funcs)
    assert again[1].shared is again[2].shared  # pickled together, the parts still share one scoring


def test_a_spec_that_cannot_be_split_says_why():
    with pytest.raises(RewardSpecError, match="split_checks needs a gated spec with visual checks"):
        rewards.reward_funcs("gate:0.3,classic:0.7", split_checks=True)
    with pytest.raises(RewardSpecError, match="split_checks needs a gated spec"):
        rewards.reward_funcs("visual_checks", split_checks=True)
    with pytest.raises(RewardSpecError, match="unknown check kind"):
        rewards.reward_funcs(SPEC, split_checks=["colours"])
