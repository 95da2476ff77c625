"""`StubDispatch`, a transport: canned answers through the real render front, loud about the unplanned."""

from __future__ import annotations

import asyncio
import pickle

import pytest
from PIL import Image

from codepaint_env.core.images import pixel_sha256
from codepaint_env.render import Renderer, RenderResult, RenderService
from codepaint_env.testing import StubDispatch, UnstubbedProgram
from support.stubbed import BROKEN_SVG, GOOD_SVG, drawing, stub_dispatch


def test_a_picture_is_a_real_looking_render_at_the_size_asked_for():
    stub = stub_dispatch()
    res = stub.render(GOOD_SVG, "svg", size=(96, 80), seed=7)
    assert res.ok and res.error_kind is None and res.language == "svg" and res.seed == 7
    assert res.size == (96, 80) and res.image is not None and res.image.size == (96, 80)
    assert res.sha256 == pixel_sha256(res.image) and res.canvas == (0, 0, 96, 80)
    assert "stub" in res.renderer


def test_an_error_kind_is_a_failed_render_of_that_kind():
    res = stub_dispatch().render(BROKEN_SVG, "svg")
    assert not res.ok and res.error_kind == "syntax" and res.png is None
    assert res.messages == ["syntax: canned by StubDispatch"]


def test_a_result_is_returned_as_given_with_the_seed_filled_in():
    canned = RenderResult(ok=False, language="p5", error_kind="runtime", messages=["x is not defined"])
    res = Renderer(dispatch=StubDispatch({"draw()": canned})).render("draw()", "p5", seed=3)
    assert (res.error_kind, res.messages, res.seed) == ("runtime", ["x is not defined"], 3)


def test_programs_match_with_surrounding_whitespace_ignored_and_fences_extracted():
    stub = stub_dispatch()
    assert stub.render(f"\n  {GOOD_SVG}\n\n", "svg").ok
    assert stub.render(f"Here:\n```svg\n{GOOD_SVG}\n```", "svg", extract=True).ok
    assert stub.transport.programs[-1] == GOOD_SVG  # the front extracted the program before the stub saw it


def test_an_unknown_program_raises_naming_it_and_the_fix():
    stub = stub_dispatch()
    with pytest.raises(UnstubbedProgram, match=r"no answer for this svg program:\n  '<svg>nope</svg>'") as e:
        stub.render("<svg>nope</svg>", "svg")
    assert "default=" in str(e.value) and isinstance(e.value, AssertionError)
    with pytest.raises(UnstubbedProgram):
        stub.render_many([GOOD_SVG, "<svg>nope</svg>"], "svg")


def test_default_answers_every_other_program_and_add_teaches_one_more():
    stub = Renderer(dispatch=StubDispatch({GOOD_SVG: drawing()}, default="runtime"), cache_size=0)
    assert stub.render("anything else", "p5").error_kind == "runtime"
    stub.transport.add("anything else", Image.new("RGB", (4, 4), "red"))
    assert stub.render("anything else", "p5").ok


def test_a_handler_sees_every_job_and_answers_it():
    def handler(job):
        return drawing() if job.language == "svg" else "unsupported"

    stub = Renderer(dispatch=StubDispatch(handler), cache_size=0)
    assert stub.render("<svg/>", "svg", size=32).ok
    assert stub.render("print(1)", "python").error_kind == "unsupported"
    assert [(j.language, j.width) for j in stub.transport.jobs] == [("svg", 32), ("python", 512)]
    with pytest.raises(TypeError, match="not both"):
        StubDispatch(handler, default="blank")
    with pytest.raises(TypeError, match="handler"):
        stub.transport.add("x", "blank")


def test_a_canned_value_of_the_wrong_kind_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"not an error kind.*syntax"):
        Renderer(dispatch=StubDispatch({"x": "oops"})).render("x", "p5")
    with pytest.raises(TypeError, match="not int"):
        Renderer(dispatch=StubDispatch({"x": 3})).render("x", "p5")  # type: ignore[dict-item]


def test_the_front_is_real_empty_too_large_bad_language_and_counters():
    stub = stub_dispatch(max_code_bytes=100)
    assert stub.render("   ", "svg").error_kind == "empty"
    assert stub.render(GOOD_SVG, "svg").error_kind == "too_large"  # over 100 bytes: never reaches the stub
    with pytest.raises(ValueError, match="choose one of"):
        stub.render(GOOD_SVG, "svg", renderer="warp")
    assert stub.transport.jobs == []
    stats = stub.stats()
    assert stats["kinds"]["empty"] == 1 and stats["kinds"]["too_large"] == 1 and stats["stub_renders"] == 0


def test_it_is_a_render_service_sync_async_and_futures():
    stub = stub_dispatch()
    assert isinstance(stub, RenderService)
    assert stub.submit(GOOD_SVG, "svg").result().ok
    assert asyncio.run(stub.arender(BROKEN_SVG, "svg")).error_kind == "syntax"
    async def click(page, cdp, capture):
        await page.mouse.click(1, 1)

    with pytest.raises(NotImplementedError, match="live page"):
        stub.submit_interaction("<p>hi</p>", "html", after=click)
    stub.close()
    assert stub.render(GOOD_SVG, "svg").ok  # used again after close, as a Renderer can be


def test_the_cache_when_asked_for_answers_repeats_without_the_stub():
    stub = stub_dispatch(cache_size=8)
    stub.render_many([GOOD_SVG] * 3, "svg")
    assert len(stub.transport.jobs) == 1 and stub.stats()["cache_hits"] == 2


def test_it_pickles_as_its_arguments():
    copy = pickle.loads(pickle.dumps(stub_dispatch()))
    assert copy.render(GOOD_SVG, "svg").ok and copy.render(BROKEN_SVG, "svg").error_kind == "syntax"
