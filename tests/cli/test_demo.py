"""The demo tells the truth: each good edit matches its task's prompt, is not a copy of a reference,
beats the draft under the offline reward, and the demo says what that reward does not see.

(The whole demo runs in tests/cli/test_cli.py::test_demo_writes_galleries_and_episodes.)
"""

from __future__ import annotations

import pytest

from codepaint_env.cli.demo import DEMO_EPISODES, DemonstrationPolicy, demo_reward
from codepaint_env.core.images import colour_family_of, measure_change
from codepaint_env.render import Renderer
from codepaint_env.render.retry import COMMAND_RETRIES
from codepaint_env.tasks import all_tasks
from rewards.base import Sample
from rewards.pool import ReferencePool

pytestmark = pytest.mark.browser

TASKS = {t.id: t for t in all_tasks(language="p5brush")}
SIZE = 128


@pytest.fixture(scope="module")
def renders():
    """Each episode's draft and good edit, rendered once (an infra answer tried again, as the demo does)."""
    programs = [(ep, kind, ep.program(kind)) for ep in DEMO_EPISODES for kind in ("draft", "good")]
    with Renderer(infra_retries=COMMAND_RETRIES) as r:
        results = r.render_many([code for _, _, code in programs], "p5brush", size=SIZE)
    return {(ep.task_id, kind): (code, res) for (ep, kind, code), res in zip(programs, results, strict=True)}


def test_each_good_edit_comes_from_a_loved_reference_of_its_tasks_subject_and_colour():
    pool = ReferencePool()
    for ep in DEMO_EPISODES:
        task = TASKS[ep.task_id]
        ref = pool[ep.reference]
        assert ref.tier == "love" and ref.language == "p5brush"
        assert (ref.subject, ref.colour_family) == (task.subject, task.colour_family), ep


def test_the_good_edit_paints_the_tasks_colour_and_is_not_a_copy(renders):
    pool = ReferencePool()
    pool_code = {r.code().strip() for r in pool.filter(language="p5brush")}
    for ep in DEMO_EPISODES:
        task = TASKS[ep.task_id]
        for kind in ("draft", "good"):
            code, res = renders[(ep.task_id, kind)]
            assert res.ok and not res.unknown_api, (ep.task_id, kind, res.error_kind, res.messages)
            assert code.strip() not in pool_code  # written for the task, never a verbatim reference
            assert colour_family_of(res.image) == task.colour_family, (ep.task_id, kind)
        # the picture differs from its source reference in structure and in a good share of its pixels
        _, good = renders[(ep.task_id, "good")]
        change = measure_change(pool[ep.reference].image(), good.image)
        assert change.pixel_fraction > 0.25 and change.perceptual > 0.3, (ep.task_id, change)


def test_the_offline_reward_ranks_the_good_edit_above_the_draft(renders, monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    reward, _, _ = demo_reward()
    for ep in DEMO_EPISODES:
        task = TASKS[ep.task_id]
        samples = [Sample(code=code, language="p5brush", render=res, prompt=task.prompt, meta=task.columns())
                   for code, res in (renders[(ep.task_id, k)] for k in ("draft", "good"))]
        results = reward.score(samples)
        draft, good = (r.value for r in results)
        assert draft is not None and good is not None and good > draft, (ep.task_id, draft, good)
        # the gate's own copy check (perceptual hash + SSIM against the pool) passes the good edit
        not_copy = [v for k, v in results[1].breakdown.items() if k.endswith("/not_copy")]
        assert not_copy == [1.0], (ep.task_id, results[1].breakdown)


def test_the_script_makes_the_bad_edits_from_the_draft():
    turns = DemonstrationPolicy().script(DEMO_EPISODES[0])
    labels, programs = zip(*turns, strict=True)
    assert labels == DemonstrationPolicy.EDITS
    draft = DEMO_EPISODES[0].program("draft")
    assert programs[0] == draft and programs[4] == DEMO_EPISODES[0].program("good")
    assert "brush.bleed(0.4)" in programs[2] and programs[3].rstrip() != draft.rstrip()


def test_the_demo_says_what_the_reward_does_not_see(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("CODEPAINT_JUDGE_MODEL", raising=False)
    _, described, line = demo_reward()
    assert "classic" in described and "\n" not in line
    assert "loved references" in line and "does not read the prompt" in line
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "CODEPAINT_JUDGE_MODEL"):
        assert var in line
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("CODEPAINT_JUDGE_MODEL", "my-vlm")
    _, described, line = demo_reward()
    assert "pairwise_vlm" in described and "my-vlm" in line and "prompt" in line
