"""The reward registry, the execution gate, composite, visible change and `codepaint score`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import rewards
from codepaint_env.core.errors import CodePaintError, UnknownReward
from codepaint_env.testing.judge_server import JudgeServer
from rewards.base import Reward, RewardResult
from rewards.change import measure_change
from rewards.composite import AESCODER_WEIGHTS, CompositeReward
from rewards.gate import lint_html
from support.pictures import blank, painting, sample

GOOD_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>t</title></head><body style="margin:0;background:#234">
<ul><li>one<li>two</ul><p>para<br><img alt="" src="data:,">
<svg width="40" height="40"><circle cx="20" cy="20" r="18" fill="#e44"/></svg>
<button id="go" style="padding:20px;background:#fc3">Go</button></body></html>"""


# ---------------------------------------------------------------------- registry
def test_import_rewards_imports_no_heavy_packages():
    code = (
        "import sys, rewards; rewards.list_rewards(); rewards.make_reward('execution_gate');"
        "bad = [m for m in ('torch', 'open_clip', 'playwright', 'timm', 'transformers') if m in sys.modules];"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_registry_lists_every_promised_id():
    assert {
        "execution_gate",
        "pairwise_vlm",
        "pointwise_vlm",
        "group_pairwise",
        "composite",
        "visible_change",
        "dino",
        "clip",
        "classic",
        "interactive",
    } <= set(rewards.list_rewards())


def test_unknown_ids_name_near_matches():
    with pytest.raises(UnknownReward, match="pairwise_vlm"):
        rewards.make_reward("pairwise_vml")
    with pytest.raises(UnknownReward, match=r"module:ClassName|Registered"):
        rewards.make_reward("nothing_like_it")


def test_aliases_module_class_and_register():
    assert type(rewards.make_reward("gate")).__name__ == "ExecutionGate"
    r = rewards.make_reward("rewards.change:VisibleChange", tolerance=10)
    assert r.tolerance == 10 and r.__name__ == "visible_change"
    rewards.register_reward("strict_gate", "rewards.gate:ExecutionGate", fail_value=-5.0, overwrite=True)
    try:
        assert rewards.make_reward("strict_gate").fail_value == -5.0
        assert rewards.make_reward("strict_gate", fail_value=-2.0).fail_value == -2.0
        with pytest.raises(ValueError, match="already registered"):
            rewards.register_reward("strict_gate", "rewards.gate:ExecutionGate")
    finally:
        rewards.REGISTRY.pop("strict_gate")
    with pytest.raises(UnknownReward):
        rewards.make_reward("rewards.gate:NoSuchClass")


def test_a_registered_id_whose_module_is_missing_says_so():
    rewards.register_reward("future_reward", "rewards.not_yet_written:Thing", overwrite=True)
    try:
        with pytest.raises(CodePaintError, match="not part of this version"):
            rewards.make_reward("future_reward")
    finally:
        rewards.REGISTRY.pop("future_reward")


def test_config_validation_says_how_to_fix():
    with pytest.raises(ValueError, match="pass_value"):
        rewards.make_reward("execution_gate", pass_value=-1, fail_value=1)
    with pytest.raises(ValueError, match="html_checks"):
        rewards.make_reward("execution_gate", html_checks=["html_doctyp"])
    with pytest.raises(ValueError, match="components"):
        rewards.make_reward("composite")


# ---------------------------------------------------------------------- gate (real renders)
def test_gate_on_real_renders(renderer):
    gate = rewards.make_reward("execution_gate", renderer=renderer)
    codes = [
        "```js\nfunction setup(){createCanvas(64,64);background(240);fill(200,30,30);circle(32,32,30);}\n```",
        "function setup(){createCanvas(64,64);background(255);}",  # blank
        "function setup( {",  # syntax error
        "function setup(){createCanvas(64,64,WEBGL);background(250);brush.bleed(1);"
        "brush.fill('#3070c0',150);brush.noStroke();brush.rect(-20,-20,40,40)}",  # made-up brush method
        GOOD_HTML,
        GOOD_HTML.replace("<!DOCTYPE html>\n", ""),
    ]
    langs = ["p5", "p5", "p5", "p5brush", "html", "html"]
    samples = gate.build_samples(codes, language=langs, size=64)
    results = gate.score(samples)
    assert [r.value for r in results] == [1.0, -1.0, -1.0, -1.0, 1.0, -1.0]
    assert "blank" in results[1].rationale and "syntax" in results[2].rationale
    assert "brush.bleed" in results[3].rationale and results[3].breakdown["known_api"] == 0
    assert results[4].breakdown["html_viewport"] == 1 and "DOCTYPE" in results[5].rationale
    # TRL's contract: dataset columns as kwargs, trainer extras ignored, one value per completion
    logged = {}
    vals = gate(
        codes[:2],
        prompts=["p", "p"],
        language=["p5", "p5"],
        size=64,
        completion_ids=[[1], [2]],
        trainer_state=None,
        log_metric=lambda k, v: logged.__setitem__(k, v),
    )
    assert (
        vals == [1.0, -1.0]
        and logged["execution_gate/rendered"] == 1.0
        and "execution_gate/unjudged" in logged
    )


def test_gate_values_are_configurable():
    gate = rewards.make_reward("execution_gate", pass_value=1.0, fail_value=0.0, require_not_blank=False)
    assert [r.value for r in gate.score([sample(blank()), sample(None), sample(painting(1))])] == [
        1.0,
        0.0,
        1.0,
    ]


@pytest.mark.parametrize(
    "html,check",
    [
        (GOOD_HTML.replace('id="go"', 'id="x"').replace("<ul>", '<ul id="x">'), "html_unique_ids"),
        (GOOD_HTML.replace("</ul>", ""), None),  # <li> may be left open, but <ul> may not
        (GOOD_HTML.replace('<meta name="viewport" content="width=device-width">', ""), "html_viewport"),
        (GOOD_HTML.replace("</button>", ""), "html_closed_tags"),
        (GOOD_HTML + "</div>", "html_closed_tags"),
    ],
)
def test_html_lint_finds_each_problem(html, check):
    issues = lint_html(html)
    if check is None:
        assert issues["html_closed_tags"] and "<ul>" in issues["html_closed_tags"]
    else:
        assert issues[check], issues
    assert all(v is None for v in lint_html(GOOD_HTML).values()), lint_html(GOOD_HTML)


# ---------------------------------------------------------------------- visible change
def test_visible_change_measures_what_moved():
    a = painting(5, 128)
    same = measure_change(a, a.copy())
    assert same.pixel_fraction == 0 and not same.changed and same.perceptual < 1e-9
    b = a.copy()
    b.paste((10, 10, 200), (0, 0, 64, 64))
    moved = measure_change(a, b)
    assert moved.changed and 0.2 < moved.pixel_fraction <= 0.25 + 1e-9 and moved.perceptual > 0.02
    tiny = a.copy()
    tiny.putpixel((3, 3), (0, 0, 0))  # one pixel: SwiftShader-sized jitter is not a change
    assert not measure_change(a, tiny).changed
    assert measure_change(None, a).changed and not measure_change(None, None).changed
    reward = rewards.make_reward("visible_change")
    s = sample(b)
    s.previous = sample(a).render
    r = reward.score([s, sample(a)])
    assert r[0].value == pytest.approx(moved.pixel_fraction) and r[0].breakdown["changed"] == 1.0
    assert r[1].value is None and "previous" in r[1].reason


# ---------------------------------------------------------------------- composite
class Constant(Reward):
    """A fixed value (or None), counting how many samples it was asked to score."""

    id = "constant"

    def __init__(self, value, **kwargs):
        super().__init__(**kwargs)
        self.value = value
        self.seen = 0

    def score_one(self, s):
        self.seen += 1
        return RewardResult(self.value if self.value is None else float(self.value))


def test_composite_weights_gate_and_logged_metrics():
    judge, metric = Constant(0.5), Constant(0.9, name="metric")
    comp = CompositeReward([("execution_gate", 0.1), (judge, 0.8), (metric, 0.0)], gate="gate")
    out = comp.score([sample(painting(1)), sample(None), sample(painting(2))])
    assert out[0].value == pytest.approx(0.1 * 1 + 0.8 * 0.5)
    assert out[1].value == pytest.approx(0.1 * -1 + 0.8 * 0.0) and out[1].breakdown["gated"] == 1.0
    assert out[0].breakdown["metric"] == 0.9  # weight 0: reported, not counted
    assert judge.seen == 2  # the failed program was never sent to the judge
    assert comp.value_range == pytest.approx((-0.1, 0.9))


def test_composite_missing_values():
    none = Constant(None)
    assert CompositeReward([(Constant(1.0), 0.5), (none, 0.5)]).score([sample(painting(1))])[0].value is None
    renorm = CompositeReward([(Constant(1.0), 0.5), (none, 0.5)], missing="renormalize")
    assert renorm.score([sample(painting(1))])[0].value == pytest.approx(1.0)


def test_composite_from_a_string_and_aescoder_weights():
    plan = rewards.parse_spec("gate:0.1, pairwise_vlm:0.8,visible_change")
    assert [(c.reward, c.weight) for c in plan.components] == [
        ("gate", 0.1),
        ("pairwise_vlm", 0.8),
        ("visible_change", 1.0),
    ]
    with pytest.raises(ValueError, match="'lots', not a number"):
        rewards.parse_spec("gate:lots")
    comp = rewards.make_reward("composite", rewards="gate:0.3,visible_change:0", gate="gate")
    assert [n for n, _, _ in comp.components] == ["execution_gate", "visible_change"]
    assert AESCODER_WEIGHTS == {"execution_gate": 0.1, "pointwise_vlm": 0.8, "interactive": 0.1}


def test_async_variant_is_what_trl_awaits(renderer):
    import asyncio
    import inspect

    gate = rewards.make_reward("execution_gate", renderer=renderer)
    agate = gate.as_async()
    assert inspect.iscoroutinefunction(agate.__call__) and agate.__name__ == "execution_gate"
    code = "function setup(){createCanvas(32,32);background(10,200,30);circle(10,10,5)}"
    assert asyncio.run(agate([code], prompts=["p"], language=["p5"], size=32)) == [1.0]


# ---------------------------------------------------------------------- codepaint score
def score_cli(*args: str) -> subprocess.CompletedProcess:
    """``codepaint score ARGS...`` in a subprocess."""
    return subprocess.run([sys.executable, "-m", "codepaint_env.cli", "score", *args],
                          capture_output=True, text=True, timeout=240)


@pytest.mark.browser  # `codepaint score` renders the file
def test_codepaint_score_cli(tmp_path):
    good = tmp_path / "good.p5.js"
    good.write_text("function setup(){createCanvas(64,64);background(240);fill(200,30,30);circle(32,32,30)}")
    bad = tmp_path / "bad.p5.js"
    bad.write_text("function setup( {")
    with JudgeServer() as server:
        out = score_cli(str(good), str(bad), "-r", "gate", "-r", "pointwise", "--prompt", "a red circle",
                        "--size", "64", "--json", "--set", f"base_url={server.url}", "--set", "model=standin",
                        "--set", "cache=false")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows[0]["rewards"]["gate"]["value"] == 1.0 and rows[1]["rewards"]["gate"]["value"] == -1.0
    assert (
        0 < rows[0]["rewards"]["pointwise"]["value"] <= 1 and rows[1]["rewards"]["pointwise"]["value"] == 0.0
    )
    # a judge nobody is listening to: None with the reason, exit 4
    out = score_cli(str(good), "-r", "pointwise", "--size", "64", "--set", "base_url=http://127.0.0.1:9/v1",
                    "--set", "model=m", "--set", "cache=false", "--set", "max_attempts=1")
    assert out.returncode == 4 and "None" in out.stdout and "connection" in out.stdout.lower()


# ---------------------------------------------------------------------- pairwise reference draw
def test_pairwise_references_match_the_task_and_are_shared_by_a_group():
    judge = rewards.make_reward("pairwise_vlm", base_url="http://127.0.0.1:9/v1", model="m", cache=False, k=2)
    s1 = sample(painting(1), prompt="a peach hibiscus in watercolour")
    s2 = sample(painting(2), prompt="a peach hibiscus in watercolour")
    refs = judge.references_for(s1)
    assert [r.id for r in refs] == [r.id for r in judge.references_for(s2)]  # same task, same references
    assert all(r.subject == "hibiscus" and r.tier == "love" and r.language == "p5brush" for r in refs)
    other = judge.references_for(sample(painting(1), prompt="a seascape", colour_family="blue"))
    assert all(r.subject == "seascape" for r in other)
    svg = judge.references_for(sample(painting(1), prompt="a sailboat", language="svg"))
    assert svg and all(r.language == "svg" for r in svg)
    tikz = judge.references_for(sample(painting(1), language="tikz"))  # the pool has no TikZ: any language
    assert len(tikz) == 2 and {r.language for r in tikz} <= {"p5brush", "svg", "html"}


async def _two() -> int:
    return 2


def _answer_in_child() -> int:
    from rewards.base import run_sync

    return run_sync(_two())


def test_the_rewards_loop_starts_afresh_in_a_forked_child():
    # the parent's loop thread does not exist in a fork: without after_fork the child would wait forever
    import multiprocessing

    from rewards.base import run_sync

    assert run_sync(_two()) == 2  # the parent's loop thread is running
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(_answer_in_child).get(timeout=60) == 2


def test_a_size_column_for_two_completions_is_one_size_each():
    from rewards.base import dataset_columns

    # a batch of two with sizes 256 and 128 (TRL passes every column as a list) was read as 256x128
    assert [r["size"] for r in dataset_columns(2, {"size": [256, 128]})] == [256, 128]
    assert [r["size"] for r in dataset_columns(2, {"size": (256, 128)})] == [(256, 128)] * 2
    assert [r["size"] for r in dataset_columns(3, {"size": [256, 128]})] == [[256, 128]] * 3
    assert [r["size"] for r in dataset_columns(2, {"size": "256x128"})] == ["256x128"] * 2
