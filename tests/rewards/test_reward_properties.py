"""Property-based invariants (hypothesis) for every reward backend of the rewards core.

From docs/RELIABILITY.md: output length equals input length; every value is finite or None;
values stay in the documented range; permuting inputs permutes outputs; a pickle round trip
preserves behaviour; image rewards ignore code comments and whitespace; a failed render never
outscores a successful one; pairwise j(a, a) is a tie and j(a, b) == 1 - j(b, a); a blank canvas
never beats a reference painting. Judges run against the real stand-in server on loopback.
"""

from __future__ import annotations

import math
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rewards
from codepaint_env.testing.judge_server import JudgeServer
from rewards.base import RewardResult, Sample
from rewards.judge.judged import PairwiseJudge
from rewards.judge.rubric import load_rubric
from rewards.pool import ReferencePool
from support.pictures import blank, infra_sample, noise, painting, sample

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROMPTS = ("a peach hibiscus in watercolour", "a blue seascape")


@pytest.fixture(scope="module")
def server():
    with JudgeServer() as s:
        yield s


@pytest.fixture(scope="module")
def judge_kwargs(server, tmp_path_factory):
    return {
        "base_url": server.url,
        "api_key": "x",
        "model": "standin",
        "cache": str(tmp_path_factory.mktemp("judge") / "judge.sqlite"),
    }


@pytest.fixture(scope="module")
def backends(judge_kwargs):
    pairwise = rewards.make_reward("pairwise_vlm", **judge_kwargs)
    return {
        "execution_gate": rewards.make_reward("execution_gate"),
        "visible_change": rewards.make_reward("visible_change"),
        "pairwise_vlm": pairwise,
        "pointwise_vlm": rewards.make_reward("pointwise_vlm", **judge_kwargs),
        "group_pairwise": rewards.make_reward("group_pairwise", **judge_kwargs),
        "composite": rewards.make_reward("composite", rewards=[("gate", 0.2), (pairwise, 0.8)], gate="gate"),
    }


BACKENDS = (
    "execution_gate",
    "visible_change",
    "pairwise_vlm",
    "pointwise_vlm",
    "group_pairwise",
    "composite",
)

picture = st.one_of(
    st.tuples(st.just("paint"), st.integers(0, 400)),
    st.tuples(st.just("noise"), st.integers(0, 20)),
    st.tuples(st.just("blank"), st.integers(0, 2)),
    st.tuples(st.just("fail"), st.just(0)),
    st.tuples(st.just("infra"), st.just(0)),
)
item = st.tuples(picture, st.sampled_from(PROMPTS), picture)  # (picture, prompt, previous picture)


def image_of(kind_seed):
    kind, seed = kind_seed
    return {
        "paint": lambda: painting(seed),
        "noise": lambda: noise(seed),
        "blank": lambda: blank(colour=(255 - 40 * seed,) * 3),
        "fail": lambda: None,
        "infra": lambda: "infra",
    }[kind]()


def make_sample(pic, prompt: str = PROMPTS[0]) -> Sample:
    image = image_of(pic)
    return infra_sample(prompt=prompt) if image == "infra" else sample(image, prompt=prompt)


def build(items) -> list[Sample]:
    out = []
    for pic, prompt, prev in items:
        s = make_sample(pic, prompt)
        s.previous = make_sample(prev).render
        out.append(s)
    return out


def values(results: list[RewardResult]) -> list[float | None]:
    return [r.value for r in results]


@pytest.mark.parametrize("name", BACKENDS)
@SETTINGS
@given(items=st.lists(item, min_size=1, max_size=5), data=st.data())
def test_length_range_finiteness_and_permutation(backends, name, items, data):
    reward = backends[name]
    samples = build(items)
    out = reward.score(samples)
    assert len(out) == len(samples)
    lo, hi = reward.value_range
    for r in out:
        assert r.value is None or (math.isfinite(r.value) and lo - 1e-9 <= r.value <= hi + 1e-9), r
    perm = data.draw(st.permutations(range(len(samples))))
    permuted = reward.score([samples[i] for i in perm])
    assert values(permuted) == [out[i].value for i in perm]


@pytest.mark.parametrize(
    "name", ["execution_gate", "composite", "pairwise_vlm", "pointwise_vlm", "group_pairwise"]
)
@SETTINGS
@given(items=st.lists(item, min_size=2, max_size=6))
def test_a_failed_render_never_outscores_a_successful_one(backends, name, items):
    samples = build(items)
    out = backends[name].score(samples)
    failed = [r.value for s, r in zip(samples, out, strict=True)
              if not s.ok and s.render.error_kind != "infra" and r.value is not None]
    passed = [r.value for s, r in zip(samples, out, strict=True) if s.ok and r.value is not None]
    if name == "group_pairwise":  # within one group only
        by_prompt = {}
        for s, r in zip(samples, out, strict=True):
            if s.render.error_kind != "infra":
                by_prompt.setdefault(s.prompt, []).append((s.ok, r.value))
        for members in by_prompt.values():
            f = [v for ok, v in members if not ok and v is not None]
            p = [v for ok, v in members if ok and v is not None]
            if f and p:
                assert max(f) <= min(p)
        return
    if failed and passed:
        assert max(failed) <= min(passed)


@pytest.mark.parametrize("name", BACKENDS)
@SETTINGS
@given(items=st.lists(item, min_size=1, max_size=6))
def test_an_infra_render_is_never_scored_and_changes_no_other_score(backends, name, items):
    samples = build(items)
    out = backends[name].score(samples)
    judged = [i for i, s in enumerate(samples) if s.render.error_kind != "infra"]
    for s, r in zip(samples, out, strict=True):
        if s.render.error_kind == "infra":
            assert r.value is None and "infra" in r.reason, r
    # the others are scored as if the infra samples were not there (a group ranks the rest)
    alone = backends[name].score([samples[i] for i in judged]) if judged else []
    assert [out[i].value for i in judged] == values(alone)


def test_every_registered_reward_is_infra_guarded():
    from rewards.registry import list_rewards, load_entry_point, reward_spec

    for rid in list_rewards():
        cls = load_entry_point(reward_spec(rid).entry_point)
        assert getattr(cls.score, "_infra_guarded", False), rid
        assert getattr(cls.ascore, "_infra_guarded", False), rid


@pytest.mark.parametrize("name", BACKENDS)
def test_pickle_round_trip_preserves_behaviour(backends, name):
    reward = backends[name]
    samples = build(
        [
            (("paint", 3), PROMPTS[0], ("paint", 4)),
            (("fail", 0), PROMPTS[0], ("blank", 0)),
            (("blank", 1), PROMPTS[0], ("paint", 4)),
            (("paint", 9), PROMPTS[0], ("paint", 9)),
        ]
    )
    copy = pickle.loads(pickle.dumps(reward))
    assert copy.__name__ == reward.__name__
    assert values(copy.score(samples)) == values(reward.score(samples))


@SETTINGS
@given(a=st.integers(0, 300), b=st.integers(0, 300))
def test_pairwise_judge_is_antisymmetric_and_ties_itself(judge_kwargs, a, b):
    from rewards.judge.client import JudgeClient

    judge = PairwiseJudge(JudgeClient(**judge_kwargs), load_rubric("new"))
    x, y = painting(a), painting(b)
    assert judge.compare(x, x.copy()).score == 0.5
    ab, ba = judge.compare(x, y, prompt=PROMPTS[0]), judge.compare(y, x, prompt=PROMPTS[0])
    assert ab.score is not None and ab.score == 1 - ba.score


def test_a_blank_canvas_never_beats_a_reference_painting(judge_kwargs):
    from rewards.judge.client import JudgeClient

    judge = PairwiseJudge(JudgeClient(**judge_kwargs), load_rubric("new"))
    refs = list(ReferencePool().filter(language="p5brush", tier="love"))
    for colour in ((255, 255, 255), (246, 241, 232), (0, 0, 0)):
        canvas = blank(512, colour)
        for ref in refs:
            c = judge.compare(canvas, ref.image(), prompt=ref.prompt, second_id=ref.id)
            assert c.score is not None and c.score <= 0.5, (ref.id, colour, c)


def test_non_finite_values_never_escape():
    r = RewardResult(float("nan"), breakdown={"x": float("inf"), "y": 0.5})
    assert r.value is None and "non-finite" in r.reason and r.breakdown == {"x": None, "y": 0.5}
    assert RewardResult(float("-inf")).value is None


# ---------------------------------------------------------------------- real renders: code edits
PROGRAMS = {
    "p5": "function setup(){createCanvas(96,96);background(240,235,220);noStroke();"
    "fill(200,60,50);circle(40,48,50);fill(40,90,160);rect(55,20,30,60);}",
    "svg": '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" '
    'fill="#f4efe4"/><circle cx="40" cy="50" r="26" fill="#d0583c"/><path d="M10 80 L86 70" '
    'stroke="#234" stroke-width="4"/></svg>',
}


def decorate(code: str, language: str, comment: str, spaces: int) -> str:
    """The same program with a comment and whitespace added (which cannot change a pixel)."""
    comment = comment.replace("*/", "").replace("-->", "").replace("\n", " ")
    pad = " " * spaces
    if language == "svg":
        while "--" in comment:  # XML forbids "--" inside a comment: that would be a syntax error
            comment = comment.replace("--", "-")
        return f"<!-- {comment} -->\n{pad}" + code.replace("><", ">\n" + pad + "<") + "\n\n"
    return f"/* {comment} */\n// {comment}\n" + code.replace(";", f";{pad}\n") + "\n"


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    comment=st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=40),
    spaces=st.integers(0, 6),
)
def test_image_rewards_ignore_comments_and_whitespace(renderer, backends, comment, spaces):
    for language, code in PROGRAMS.items():
        codes = [code, decorate(code, language, comment, spaces)]
        kwargs = dict(prompts=[PROMPTS[0]] * 2, language=[language] * 2, size=96, previous_code=[code, code])
        samples = _samples(renderer, codes, kwargs)
        assert samples[0].render.sha256 == samples[1].render.sha256
        for name in BACKENDS:
            reward = backends[name]
            if name == "pairwise_vlm":
                reward = rewards.make_reward(
                    "pairwise_vlm", reference_language="p5brush", client=reward.client
                )
            a, b = values(reward.score(samples))
            assert a == b, (name, language)


def _samples(renderer, codes, kwargs):
    from rewards.base import Reward

    probe = Reward(renderer=renderer)
    return probe.build_samples(codes, **kwargs)
