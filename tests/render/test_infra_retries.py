"""A render the machine could not do (``infra``) is started again where a command must answer.

``Renderer(infra_retries=N)`` retries only ``infra``, with a doubling backoff inside a budget; a
program's own fault is answered as it came; the default (0) answers ``infra`` at once, as a
trainer wants; the retries and their seconds are in ``stats()``. The transport is a stub whose
answers change from try to try, so every path runs in milliseconds; the retrying is the real
front's.
"""

from __future__ import annotations

import threading
import time

import pytest
from PIL import Image

from codepaint_env.render import Renderer, retry
from codepaint_env.render.dispatch import Job
from codepaint_env.testing import StubDispatch

PROGRAM = "<svg xmlns='http://www.w3.org/2000/svg'/>"


@pytest.fixture(autouse=True)
def short_backoff(monkeypatch):
    monkeypatch.setattr(retry, "FIRST_BACKOFF_S", 0.01)


def answers(*kinds: str):
    """A stub handler answering each try with the next kind (``"ok"``: a picture); the last one repeats."""
    tries: list[Job] = []

    def handler(job: Job):
        tries.append(job)
        kind = kinds[min(len(tries), len(kinds)) - 1]
        return Image.new("RGB", (8, 8), "navy") if kind == "ok" else kind

    return handler, tries


def test_an_infra_render_is_tried_again_until_it_is_done_and_the_retries_are_counted():
    handler, tries = answers("infra", "infra", "ok")
    with Renderer(dispatch=StubDispatch(handler), cache_size=0, infra_retries=3) as r:
        res = r.render(PROGRAM, "svg", size=16)
        stats = r.stats()
    assert res.ok and len(tries) == 3
    assert stats["infra_retries"] == 2 and stats["infra_retry_s"] >= 0.01 + 0.02
    assert stats["kinds"]["ok"] == 1 and stats["kinds"]["infra"] == 0  # one answer per render


def test_the_retries_are_bounded_and_the_last_answer_is_infra():
    handler, tries = answers("infra")
    with Renderer(dispatch=StubDispatch(handler), cache_size=0, infra_retries=3) as r:
        res = r.render(PROGRAM, "svg")
        assert r.stats()["infra_retries"] == 3
    assert res.error_kind == "infra" and len(tries) == 4


@pytest.mark.parametrize("kind", ["syntax", "runtime", "timeout", "blank", "ok"])
def test_what_the_program_did_is_never_retried(kind):
    handler, tries = answers(kind, "ok")
    with Renderer(dispatch=StubDispatch(handler), cache_size=0, infra_retries=3) as r:
        res = r.render(PROGRAM, "svg")
        assert r.stats()["infra_retries"] == 0
    assert (res.error_kind or "ok") == kind and len(tries) == 1


def test_by_default_infra_is_answered_at_once_as_a_trainer_wants():
    handler, tries = answers("infra", "ok")
    with Renderer(dispatch=StubDispatch(handler), cache_size=0) as r:
        assert r.render(PROGRAM, "svg").error_kind == "infra"
        assert r.stats()["infra_retries"] == 0 and r.stats()["infra_retry_s"] == 0
    assert len(tries) == 1


def test_no_retry_starts_past_the_budget():
    handler, tries = answers("infra", "ok")
    with Renderer(dispatch=StubDispatch(handler), cache_size=0, infra_retries=3, infra_retry_budget_s=0) as r:
        assert r.render(PROGRAM, "svg").error_kind == "infra"
    assert len(tries) == 1


def test_closing_during_a_backoff_answers_infra_and_starts_nothing_more(monkeypatch):
    monkeypatch.setattr(retry, "FIRST_BACKOFF_S", 30.0)
    handler, tries = answers("infra", "ok")
    r = Renderer(dispatch=StubDispatch(handler), cache_size=0, infra_retries=3, infra_retry_budget_s=100)
    fut = r.submit(PROGRAM, "svg")
    deadline = time.monotonic() + 5
    while r.stats()["infra_retries"] == 0 and time.monotonic() < deadline:
        time.sleep(0.005)  # until the first answer came and its backoff began
    started = time.monotonic()
    r.close()
    res = fut.result(timeout=5)
    assert res.error_kind == "infra" and time.monotonic() - started < 5 and len(tries) == 1
    # a renderer used again after close starts afresh, with its retries
    assert r.render(PROGRAM, "svg").ok and len(tries) == 2
    r.close()


def test_many_renders_retried_at_once_each_get_their_own_answer():
    lock, seen = threading.Lock(), {}

    def handler(job: Job):
        with lock:
            seen[job.code] = seen.get(job.code, 0) + 1
            first = seen[job.code] == 1
        return "infra" if first else Image.new("RGB", (8, 8), "white")

    programs = [f"<svg xmlns='http://www.w3.org/2000/svg' id='p{i}'/>" for i in range(12)]
    with Renderer(dispatch=StubDispatch(handler), cache_size=4096, infra_retries=2) as r:
        results = r.render_many(programs, "svg")
        assert r.stats()["infra_retries"] == 12
    assert all(res.ok for res in results) and set(seen.values()) == {2}


def test_retry_settings_are_checked():
    with pytest.raises(ValueError, match="infra_retries"):
        Renderer(infra_retries=-1)
