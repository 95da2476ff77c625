"""`search_recall`: the share of a task's facts the episode's searches retrieved, and its invariants."""

from __future__ import annotations

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import rewards
from codepaint_env.render import RenderResult
from codepaint_env.tasks import load_suite
from rewards.base import Sample
from rewards.search_recall import NO_FACTS, SearchRecall
from rewards.testing import check_reward

IDS = ("flag-sweden", "flag-japan", "sign-stop", "olympic-rings", "die-5")
PICTURE = Image.new("RGB", (32, 32), "white")
PICTURE.paste((200, 20, 20), (8, 8, 24, 24))


def _sample(facts=None, retrieved=None, ok=True) -> Sample:
    meta = {k: v for k, v in (("facts", facts), ("retrieved", retrieved)) if v is not None}
    if ok:
        return Sample.from_image(PICTURE, language="svg", **meta)
    return Sample(
        code="<svg",
        language="svg",
        meta=meta,
        render=RenderResult(ok=False, language="svg", error_kind="syntax", messages=["bad"]),
    )


def test_it_is_registered_and_made_by_name():
    reward = rewards.make_reward("search_recall")
    assert isinstance(reward, SearchRecall) and reward.__name__ == "search_recall"
    assert "search_recall" in rewards.list_rewards()


def test_the_share_of_facts_retrieved():
    reward = SearchRecall()
    results = reward.score(
        [
            _sample(["flag-sweden"], ["flag-poland", "flag-sweden"]),
            _sample(["flag-sweden", "flag-japan"], ["flag-japan"]),
            _sample(["flag-sweden"], []),
            _sample(["flag-sweden"]),  # searched nothing
            _sample(json.dumps(["flag-sweden", "flag-japan"]), json.dumps(["flag-sweden", "flag-japan"])),
        ]
    )
    assert [r.value for r in results] == [1.0, 0.5, 0.0, 0.0, 1.0]
    assert results[1].breakdown == {"recall": 0.5, "needed": 2.0, "found": 1.0}
    assert "missed: flag-sweden" in results[1].rationale


def test_a_task_without_facts_or_with_a_malformed_column_is_not_judged():
    reward = SearchRecall()
    none, empty, text, bad, wrong = reward.score(
        [
            _sample(retrieved=["flag-sweden"]),
            _sample([], ["x"]),
            _sample("", ["x"]),
            _sample("not json", ["x"]),
            _sample(["flag-sweden"], [1, 2]),
        ]
    )
    assert none.value is None and none.reason == NO_FACTS
    assert empty.value is None and text.value is None
    assert bad.value is None and "'facts' column" in (bad.reason or "")
    assert wrong.value is None and "'retrieved' column" in (wrong.reason or "")


def test_a_failed_render_gets_the_minimum_and_still_says_what_was_found():
    [result] = SearchRecall().score([_sample(["flag-sweden"], ["flag-sweden"], ok=False)])
    assert result.value == 0.0 and result.breakdown["recall"] == 1.0
    assert "render failed" in result.rationale


def test_it_composes_with_the_checks_through_the_spec_grammar(renderer):
    # the gate renders SVG in the browser: the shared renderer (which marks this test `browser`)
    task = next(t for t in load_suite("knowledge", language="svg") if t.facts == ("flag-sweden",))
    reward = rewards.make_reward("gate:0.2,checks:0.7,search_recall:0.1", renderer=renderer)
    columns = {k: [v] * 3 for k, v in task.columns().items()}
    program = task.reference_programs["svg"]
    values = reward(
        [program, program, "<svg broken"],
        prompts=[task.prompt] * 3,
        retrieved=[["flag-sweden"], ["flag-denmark"], ["flag-sweden"]],
        **columns,
    )
    assert values == pytest.approx([1.0, 0.9, -0.2])


_ids = st.lists(st.sampled_from(IDS), max_size=4)
_samples = st.lists(
    st.builds(_sample, st.one_of(st.none(), _ids), st.one_of(st.none(), _ids), st.booleans()),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(_samples)
def test_values_stay_in_range_and_follow_their_samples(batch):
    reward = SearchRecall()
    values = [r.value for r in reward.score(batch)]
    assert len(values) == len(batch)
    for sample, value in zip(batch, values, strict=True):
        facts = sample.meta.get("facts") or []
        if not facts:
            assert value is None
        else:
            assert value is not None and 0.0 <= value <= 1.0
            if not sample.ok:
                assert value == 0.0
    assert [r.value for r in reward.score(batch[::-1])] == values[::-1]  # order in, order out
    clone = pickle.loads(pickle.dumps(reward))
    assert [r.value for r in clone.score(batch)] == values


@settings(max_examples=100, deadline=None)
@given(_ids.filter(bool), _ids, st.sampled_from(IDS))
def test_retrieving_more_never_lowers_recall(facts, retrieved, extra):
    reward = SearchRecall()
    before, after = reward.score([_sample(facts, retrieved), _sample(facts, [*retrieved, extra])])
    assert after.value >= before.value  # type: ignore[operator]
    assert reward.score([_sample(facts, facts)])[0].value == 1.0


def test_the_reward_kit_invariants_hold():
    report = check_reward(SearchRecall(), examples=10)
    assert report.ok
