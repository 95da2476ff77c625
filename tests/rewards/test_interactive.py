"""The interactive reward and the renderer's interaction hook, on real Chromium."""

from __future__ import annotations

import asyncio
import pickle
import time

import pytest
from PIL import Image

from codepaint_env.render import Renderer
from codepaint_env.testing.judge_server import JudgeServer
from rewards.base import Sample
from rewards.interactive import InteractiveReward, Planned, choose, parse_plan, set_of_marks
from rewards.judge.client import JudgeReply
from rewards.judge.parsing import ParseError
from support.pictures import painting, sample
from support.processes import children_first

pytestmark = pytest.mark.browser

SIZE = 256


def page(body: str, head: str = "") -> str:
    return (f'<!doctype html><html><head><meta name="viewport" content="width=device-width">{head}</head>'
            f"<body>{body}</body></html>")


TOGGLE = page("<button id=go onclick=\"const t=document.getElementById('t');"
              "t.textContent = t.textContent === 'off' ? 'on' : 'off'\">Order now</button><p id=t>off</p>")
DEAD = page("<button id=dead>Nothing</button><p>static</p>")
ECHO = page("<button id=inc>+</button> <span id=n>0</span><br><input id=name placeholder=name>"
            "<div id=out></div>"
            "<script>let n = 0; inc.addEventListener('click', () => { "
            "document.getElementById('n').textContent = ++n; });"
            "document.getElementById('name').addEventListener('input', (e) => {"
            " document.getElementById('out').textContent = 'Hi ' + e.target.value; });</script>")
THROWS = page("<button onclick=\"document.body.style.background='red'; null.boom()\">Boom</button>")
ALERT = page("<button onclick=\"alert('hi'); document.getElementById('t').textContent='after'\">"
             "Alert</button><p id=t>before</p>")
NO_CONTROLS = page("<h1>Just text</h1><p>No controls here.</p>", "<style>body{background:#fed}</style>")
GAME = page("<canvas id=c width=200 height=120></canvas><script>const g = c.getContext('2d'); let x = 10;"
            "function draw(){ g.fillStyle='#123'; g.fillRect(0,0,200,120); g.fillStyle='#fc0';"
            " g.fillRect(x,50,20,20); } draw();"
            "window.addEventListener('keydown', (e) => { if (e.key === 'ArrowRight') x += 15; draw(); });"
            "</script>",
            "<style>body{margin:0}</style>")
ANIMATED = page("<p id=clock></p><button id=dead>Nothing</button><canvas id=c width=200 height=60></canvas>"
                "<script>let i = 0; const g = c.getContext('2d'); let y = 5; document.addEventListener("
                "'keydown', () => { y = 35; }); (function f() { clock.textContent = 'tick ' + i++;"
                " g.fillStyle = '#fff'; g.fillRect(0, 0, 200, 60); g.fillStyle = '#00f';"
                " g.fillRect((i * 3) % 200, 5, 12, 12); g.fillStyle = '#f00'; g.fillRect(100, y, 20, 20);"
                " requestAnimationFrame(f); })();</script>")
FIVE = page("".join(f"<button id=b{i} onclick=\"this.textContent='clicked {i}'\">Button {i}</button>"
                    for i in range(5)))
BUSY = page("<button onclick='while(true){}'>Hang</button>"
            "<button onclick=\"this.textContent='ok'\">Fine</button>")


@pytest.fixture(scope="module")
def reward(renderer):
    return InteractiveReward(renderer=renderer, size=SIZE)


def rendered(renderer, code: str) -> Sample:
    res = renderer.render(code, "html", size=SIZE)
    assert res.ok, res.messages
    return Sample(code=code, language="html", render=res)


def score(reward, renderer, code: str):
    return reward.score_one(rendered(renderer, code))


def test_toggle_button_scores_a_point(reward, renderer):
    r = score(reward, renderer, TOGGLE)
    assert r.value == 1.0, r.rationale
    assert r.breakdown == {"elements_found": 1.0, "actions": 1.0, "changed": 1.0, "errors": 0.0,
                           "navigations": 0.0}
    assert r.rationale.startswith("click button#go 'Order now': DOM changed (1 mutations)"), r.rationale


def test_dead_button_scores_nothing(reward, renderer):
    r = score(reward, renderer, DEAD)
    assert r.value == 0.0 and r.breakdown["actions"] == 1.0, r.rationale
    assert "no visible change" in r.rationale


def test_counter_and_echo_input_both_score(reward, renderer):
    r = score(reward, renderer, ECHO)
    assert r.value == 1.0, r.rationale
    assert r.breakdown["elements_found"] == 2.0 and r.breakdown["changed"] == 2.0
    lines = r.rationale.splitlines()
    assert lines[0].startswith("click button#inc '+'") and lines[1].startswith("type input#name")


def test_typing_into_a_field_nothing_listens_to_scores_nothing(reward, renderer):
    code = page("<input id=a placeholder=type><textarea></textarea><input type=checkbox>")
    r = score(reward, renderer, code)
    assert r.value == 0.0 and r.breakdown["actions"] == 3.0, r.rationale


def test_link_away_is_contained_and_scores_nothing(reward, renderer, canary):
    url = f"http://127.0.0.1:{canary.port}/away"
    for code in (page(f"<a href='{url}'>Leave</a>"), page(f"<a href='{url}' target=_blank>New tab</a>"),
                 page("<form><input name=q><button>Search</button></form>")):
        r = score(reward, renderer, code)
        assert r.value == 0.0, r.rationale
        assert r.breakdown["navigations"] == r.breakdown["actions"] >= 1, r.rationale
        assert "blocked" in r.rationale
    assert url in score(reward, renderer, page(f"<a href='{url}'>Leave</a>")).rationale
    time.sleep(0.3)
    assert canary.total == 0
    assert score(reward, renderer, TOGGLE).value == 1.0  # the pool is fine afterwards


def test_throwing_handler_scores_nothing_and_counts_the_error(reward, renderer):
    r = score(reward, renderer, THROWS)
    assert r.value == 0.0 and r.breakdown["errors"] == 1.0, r.rationale
    assert "threw TypeError" in r.rationale


def test_alert_in_a_handler_is_dismissed_and_the_handler_goes_on(reward, renderer):
    r = score(reward, renderer, ALERT)
    assert r.value == 1.0, r.rationale


def test_a_real_dialog_during_the_hook_is_dismissed_by_the_pool(renderer):
    async def native_alert(page, cdp, cap):
        # an isolated world has the browser's own alert(): a real dialog, not the page's override
        frame = (await cdp.send("Page.getFrameTree"))["frameTree"]["frame"]["id"]
        world = await cdp.send("Page.createIsolatedWorld", {"frameId": frame, "worldName": "t"})
        await cdp.send("Runtime.evaluate", {"expression": "alert('real')",
                                            "contextId": world["executionContextId"]})
        return "dismissed"

    res, inter = renderer.interact(ALERT, after=native_alert, size=SIZE, after_timeout_s=10)
    assert res.ok and inter.error is None and inter.result == "dismissed"
    assert inter.dialogs == 1
    assert not any("dialog" in m for m in res.messages)  # the render's own report is untouched


def test_page_without_controls_scores_zero(reward, renderer):
    r = score(reward, renderer, NO_CONTROLS)
    assert r.value == 0.0 and r.breakdown["elements_found"] == 0.0
    assert r.rationale == "no interactive elements found"


def test_canvas_game_listening_to_keys_scores(reward, renderer):
    r = score(reward, renderer, GAME)
    assert r.value == 1.0, r.rationale
    assert r.rationale.startswith("key canvas#c: pixels changed"), r.rationale


def test_animation_is_not_mistaken_for_an_effect(reward, renderer):
    r = score(reward, renderer, ANIMATED)  # a dead button between a ticking clock and a moving sprite
    lines = r.rationale.splitlines()
    assert r.breakdown["actions"] == 2.0 and r.value == 0.5, r.rationale
    assert lines[0] == "click button#dead 'Nothing': no visible change", r.rationale
    assert lines[1].startswith("key canvas#c: pixels changed"), r.rationale


def test_max_actions_is_respected(renderer):
    s = rendered(renderer, FIVE)
    r3 = InteractiveReward(renderer=renderer).score_one(s)
    r2 = InteractiveReward(renderer=renderer, max_actions=2).score_one(s)
    assert r3.breakdown["elements_found"] == r2.breakdown["elements_found"] == 5.0
    assert (r3.breakdown["actions"], r2.breakdown["actions"]) == (3.0, 2.0)
    assert r3.value == r2.value == 1.0


def test_a_busy_handler_is_stopped_and_the_pool_recovers(renderer):
    r = InteractiveReward(renderer=renderer, action_timeout_s=0.5).score_one(rendered(renderer, BUSY))
    assert r.value == 0.0 and "timed out" in r.rationale, r.rationale
    assert r.breakdown["actions"] == 1.0  # the second button is never reached; it still counts as chosen
    assert renderer.render(TOGGLE, "html", size=SIZE).ok


def test_non_html_is_unjudged_and_failed_render_scores_zero(reward):
    for lang in ("p5", "svg", "p5brush"):
        r = reward.score_one(sample(painting(1), language=lang))
        assert r.value is None and "applies to html" in (r.reason or "")
    failed = reward.score_one(sample(None, language="html"))
    assert failed.value == 0.0 and failed.rationale.startswith("render failed (runtime)")


def test_batch_values_in_range_in_order_and_deterministic(reward, renderer):
    codes = [TOGGLE, DEAD, ECHO, THROWS, NO_CONTROLS, GAME, FIVE]
    samples = [rendered(renderer, c) for c in codes]
    first = reward.score(samples)
    again = reward.score(samples)
    assert [r.value for r in first] == [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    assert all(0.0 <= r.value <= 1.0 for r in first)
    assert [(r.value, r.rationale) for r in first] == [(r.value, r.rationale) for r in again]


def test_trl_call_renders_and_scores(reward):
    assert reward([TOGGLE, DEAD], language="html") == [1.0, 0.0]


def test_pickle_round_trip(reward, renderer):
    copy = pickle.loads(pickle.dumps(reward))
    assert isinstance(copy.renderer, Renderer) and copy.renderer is not renderer
    assert (copy.max_actions, copy.planner, copy.pixel_threshold, copy.__name__) == (3, "heuristic", 0.0005,
                                                                                      "interactive")
    copy.renderer.close()
    copy.renderer = renderer
    s = rendered(renderer, ECHO)
    assert copy.score_one(s).value == reward.score_one(s).value == 1.0


def test_the_plain_render_path_is_unchanged():
    with Renderer(cache_size=16, timeout_s=20) as r:
        before = r.render(TOGGLE, "html", size=SIZE)
        cached = len(r._cache)
        res, inter = r.interact(TOGGLE, "html", after=_click_first, size=SIZE)
        assert inter is not None and inter.error is None and inter.result == "clicked"
        assert res.sha256 == before.sha256 and res.ok  # the capture precedes the hook
        assert len(r._cache) == cached  # the interaction neither reads nor fills the cache
        after = r.render(TOGGLE, "html", size=SIZE)
        assert r.cache_hits == 1 and after is before
    with Renderer(cache_size=0, timeout_s=20) as r:
        fresh = r.render(TOGGLE, "html", size=SIZE)
        assert fresh.sha256 == before.sha256 and fresh.messages == before.messages


async def _click_first(page, cdp, cap):
    await page.click("button")
    return "clicked"


def test_hook_errors_and_side_effects_stay_in_the_interaction(renderer):
    async def broken(page, cdp, cap):
        raise RuntimeError("hook bug")

    async def slow(page, cdp, cap):
        await asyncio.sleep(5)

    async def leave(page, cdp, cap):
        await page.evaluate("console.log('from the hook'); location.href = 'http://example.com/'")
        await asyncio.sleep(0.3)
        return "left"

    res, inter = renderer.interact(TOGGLE, after=broken, size=SIZE)
    assert res.ok and inter.error == "RuntimeError: hook bug" and inter.result is None
    res, inter = renderer.interact(TOGGLE, after=slow, size=SIZE, after_timeout_s=0.5)
    assert res.ok and "longer than 0.5 s" in inter.error
    res, inter = renderer.interact(TOGGLE, after=leave, size=SIZE)
    assert res.ok and res.error_kind is None, res.messages
    assert inter.result == "left" and "console.log: from the hook" in inter.console
    assert not any("from the hook" in m or "navigation" in m for m in res.messages)
    with children_first():  # given the CPU: a starved busy loop is rightly `infra`
        bad, none = renderer.interact("<html><body><script>while(true){}</script></body></html>",
                                      after=broken, size=64, timeout_s=2)
    assert bad.error_kind == "timeout" and none is None
    assert renderer.interact("", after=broken)[1] is None
    assert renderer.render(TOGGLE, "html", size=SIZE).ok


# ---------------------------------------------------------------------- the VLM planner
def test_vlm_planner_with_an_unparseable_reply_is_unjudged(renderer):
    with JudgeServer() as server:
        reward = InteractiveReward(renderer=renderer, planner="vlm", base_url=server.url, api_key="x",
                                   model="standin", cache=False, backoff_base_s=0.01)
        results = reward.score([rendered(renderer, TOGGLE), rendered(renderer, NO_CONTROLS)])
    assert results[0].value is None and "planner failed" in results[0].reason, results[0]
    assert results[1].value == 0.0  # nothing to plan for: no request, a real zero


def test_vlm_planner_runs_a_valid_plan(renderer, monkeypatch):
    reward = InteractiveReward(renderer=renderer, planner="vlm", base_url="http://127.0.0.1:9/v1", model="m",
                               cache=False)
    seen = {}

    async def ajudge(*, system, content, parse, hint, tags):
        seen["image"] = content[1]
        return JudgeReply(parse('{"actions": [{"mark": 1, "action": "click", "expect": "on"}]}'))

    monkeypatch.setattr(reward.client, "ajudge", ajudge)
    r = reward.score_one(rendered(renderer, TOGGLE))
    assert r.value == 1.0 and "(expected: on)" in r.rationale, r.rationale
    assert isinstance(seen["image"], Image.Image) and seen["image"].size == (SIZE, SIZE)


def test_set_of_marks_draws_numbered_boxes():
    base = Image.new("RGB", (100, 80), (255, 255, 255))
    marked = set_of_marks(base, [(10, 10, 40, 30), (60, 40, 30, 30)])
    assert marked.size == base.size and base.getpixel((10, 10)) == (255, 255, 255)  # the input is untouched
    assert marked.getpixel((10, 25)) == marked.getpixel((89, 60)) == (255, 0, 128)  # the outlines
    label = {c for _, c in marked.crop((10, 10, 20, 22)).getcolors()}
    assert (255, 0, 128) in label and any(g > 150 for _, g, _ in label)  # a light number, a mark tag
    assert marked.getpixel((30, 28)) == (255, 255, 255)  # inside the box, the page shows through


def test_parse_plan_is_strict():
    plan = parse_plan('{"actions": [{"mark": 2, "action": "type", "text": "hi"}, {"mark": 1, "action": "key",'
                      ' "text": "ArrowLeft", "expect": "moves"}]}', n_marks=2, max_actions=3)
    assert plan == [Planned(1, "type", "hi"), Planned(0, "key", "ArrowLeft", "moves")]
    assert parse_plan('{"actions": []}', 2, 3) == []
    for bad in ('{"actions": [{"mark": 3, "action": "click"}]}',
                '{"actions": [{"mark": true, "action": "click"}]}',
                '{"actions": [{"mark": 1, "action": "hover"}]}', '{"actions": "click 1"}',
                '{"actions": [{"mark": 1, "action": "key", "text": "rm -rf"}]}', "click mark 1",
                '{"actions": [{"mark": 1, "action": "click"}]} {"actions": []}',
                '{"actions": [' + ",".join(['{"mark": 1, "action": "click"}'] * 4) + "]}"):
        with pytest.raises(ParseError):
            parse_plan(bad, n_marks=2, max_actions=3)


def test_heuristic_choice_larger_first_distinct_kinds_document_order():
    def c(kind, w, h, tag="button"):
        return {"kind": kind, "w": w, "h": h, "tag": tag}

    cands = [c("button", 10, 10), c("button", 50, 50), c("link", 5, 5, "a"), c("button", 40, 40),
             c("keys", 500, 500, "page"), c("text", 20, 20, "input")]
    assert choose(cands, 3) == [1, 2, 5]  # the biggest button, then one link, one text field
    assert choose(cands, 4) == [1, 2, 3, 5]
    assert choose(cands, 6) == [0, 1, 2, 3, 4, 5]  # the keyboard only fills what is left
    assert choose([], 3) == []


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match="planner"):
        InteractiveReward(planner="magic")
    with pytest.raises(ValueError, match="max_actions"):
        InteractiveReward(max_actions=0)
    assert "base_url" in InteractiveReward.config_keys() and "max_actions" in InteractiveReward.config_keys()
