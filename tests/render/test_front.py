"""One render front: every renderer is a `Renderer` over a transport (local, Ray, a stub), none a subclass."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

import pytest

from codepaint_env.core.languages import LanguageSpec, register_language, unregister_language
from codepaint_env.core.result import failed
from codepaint_env.render import RayRenderer, Renderer, RenderFront, RenderService
from codepaint_env.render.backends import BrowserBackend
from codepaint_env.render.dispatch import BROWSER_COUNTERS, done
from codepaint_env.render.ray import dispatch as ray_dispatch
from codepaint_env.render.ray.transport import RayTransport
from support.programs import SIMPLE_P5


def test_every_renderer_is_the_one_front_over_a_transport():
    import codepaint_env.render.ray.renderer
    import codepaint_env.testing.stub_dispatch  # noqa: F401 (StubDispatch: a transport)

    assert issubclass(Renderer, RenderFront) and RenderFront.__subclasses__() == [Renderer]
    assert RayRenderer.__annotations__["return"] in ("Renderer", Renderer)  # a function that makes one
    with Renderer(cache_size=0) as r:
        assert isinstance(r, RenderService)


def test_misspelt_arguments_are_errors_not_silently_dropped():
    with pytest.raises(TypeError, match="tiemout_s"):
        RayRenderer(1, tiemout_s=3)  # checked before any actor starts
    r = Renderer(cache_size=0)
    with pytest.raises(TypeError):
        asyncio.run(r.arender(SIMPLE_P5, "p5", tiemout_s=3))  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="timeout_s must be positive"):
        Renderer(timeout_s=0)


def test_how_renders_ended_is_counted_exactly_from_many_threads():
    r = Renderer(cache_size=0)
    n, threads = 4000, 8
    go = threading.Barrier(threads)

    def answer() -> None:
        go.wait()
        for i in range(n):
            fut = r._guard(concurrent.futures.Future(), "svg", i)
            r._answer(fut, failed("svg", "blank" if i % 2 else "runtime", "x"))

    workers = [threading.Thread(target=answer) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    kinds = r.stats()["kinds"]
    assert kinds["blank"] == kinds["runtime"] == n * threads // 2
    assert r.stats()["renders"] == n * threads


def test_stats_keep_one_shape_before_a_browser_starts_and_on_every_transport():
    # A trainer logs stats() every step: a key that appears only once a browser (or a replaced Ray
    # worker) has started is a KeyError at a moment that depends on timing (issue 57).
    with Renderer(cache_size=0) as r:
        before = r.stats()
        assert all(before[k] == 0 for k in BROWSER_COUNTERS)
        assert r.render("<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/>", "svg", size=8,
                        renderer="fast").error_kind == "blank"  # resvg: still no browser
        assert r.stats().keys() == before.keys() and r.stats()["browser_launches"] == 0
    pytest.importorskip("ray")
    unconnected = RayTransport(1).stats()  # a copy before it attaches: no worker to ask
    assert all(unconnected[k] == 0 for k in BROWSER_COUNTERS)
    assert ray_dispatch._worker_counters(None, [], 0) == dict.fromkeys(BROWSER_COUNTERS, 0)  # none answered


@pytest.mark.browser
def test_a_plugin_language_on_the_browser_backend_gets_its_page_from_the_table():
    # Before: pages.py knew the four built-in browser languages by name ("not a browser language").
    register_language(LanguageSpec(name="markup", description="an HTML dialect", backend=BrowserBackend,
                                   suffixes=(".markup",), page="document", interactive=True))
    try:
        with Renderer(cache_size=0) as r:
            res = r.render("<!doctype html><body style='background:#c33'><p>hi</p></body>", "markup", size=64)
        assert res.ok, res.messages
        assert res.canvas is None and res.image.getpixel((60, 60))[0] > 150
    finally:
        unregister_language("markup")


def test_a_page_kind_outside_the_table_is_refused_when_registered():
    with pytest.raises(ValueError, match="page='canvas'"):
        LanguageSpec(name="bad", description="", page="canvas")


def test_the_front_answers_every_future_even_when_the_dispatch_raises():
    class Broken(Renderer):
        def dispatch(self):  # type: ignore[override]
            class D:
                def start(self, job):
                    fut = concurrent.futures.Future()
                    fut.set_exception(RuntimeError("boom"))
                    return fut
            return D()

    res = Broken(cache_size=0).render(SIMPLE_P5, "p5", size=32)
    assert res.error_kind == "infra" and "boom" in res.messages[0]
    assert done(3).result() == 3
