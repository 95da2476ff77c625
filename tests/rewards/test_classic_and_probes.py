"""The offline `classic` reward and the reward-hacking probes (blank and noise for every backend)."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rewards
from codepaint_env.testing.judge_server import JudgeServer
from rewards.base import Sample
from rewards.classic import features, similarity, srgb_to_lab
from rewards.pool import ReferencePool
from rewards.probes import PROBES, probe_images, run_probes, write_on
from support.pictures import blank, noise, painting, sample


@pytest.fixture(scope="module")
def pool():
    return ReferencePool()


@pytest.fixture(scope="module")
def classic():
    return rewards.make_reward("classic")


def pool_samples(pool, tier, n=None):
    """Pool references as honest samples (each excluded from the references it is compared with:
    a reference is a copy of itself)."""
    refs = list(pool.filter(language="p5brush", tier=tier))[:n]
    return [
        Sample.from_image(r.image_file, prompt=r.prompt, language="p5brush", subject=r.subject,
                          exclude_references=[r.id])
        for r in refs
    ]


# ---------------------------------------------------------------------- classic
def test_lab_conversion_known_values():
    lab = srgb_to_lab(np.array([[255, 255, 255], [0, 0, 0], [255, 0, 0]], dtype=np.uint8))
    assert lab[0] == pytest.approx([100, 0, 0], abs=0.05)
    assert lab[1] == pytest.approx([0, 0, 0], abs=0.05)
    assert lab[2] == pytest.approx([53.24, 80.09, 67.20], abs=0.1)


def test_similarity_of_a_picture_to_itself_is_one_and_blank_has_no_structure():
    f = features(painting(4, 200))
    s = similarity(f, f)
    assert s["colour"] == pytest.approx(1.0) and s["structure"] == pytest.approx(1.0)
    flat = similarity(features(blank(200)), f)
    assert flat["structure"] == 0.0 and flat["edge_amount"] == 0.0


def test_classic_is_deterministic_over_the_pool(pool, classic):
    samples = pool_samples(pool, "okay", 12)
    first = [r.value for r in classic.score(samples)]
    again = [r.value for r in rewards.make_reward("classic").score(samples)]
    assert first == again and all(0 < v < 1 for v in first)


def test_classic_never_compares_a_reference_with_itself(pool, classic):
    ref = next(iter(pool.filter(language="p5brush", tier="love")))
    s = Sample.from_image(ref.image_file, language="p5brush")
    result = classic.score([s])[0]
    assert result.value < 0.99 and ref.id not in result.rationale


def test_classic_basics(classic):
    out = classic.score([sample(painting(1, 128)), sample(None), sample(blank(128)), sample(noise(2, 128))])
    assert out[1].value == 0.0 and out[2].value == 0.0  # failed render and blank: the minimum
    assert 0 < out[3].value < out[0].value <= 1
    assert set(out[0].breakdown) >= {"colour", "structure"} and "closest" in out[0].rationale
    tikz = classic.score([sample(painting(1), language="tikz")])[0]  # the pool has no TikZ references:
    assert tikz.value is not None and 0 < tikz.value <= 1  # compared with every language's pictures
    assert classic.reference_language_for(sample(painting(1), language="tikz")) == "any"
    copy = pickle.loads(pickle.dumps(classic))
    assert copy.score([sample(painting(1, 128))])[0].value == out[0].value
    with pytest.raises(ValueError, match="aggregate"):
        rewards.make_reward("classic", aggregate="median")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seeds=st.lists(st.integers(0, 1000), min_size=1, max_size=4), data=st.data())
def test_classic_invariants(classic, seeds, data):
    samples = [sample(painting(s, 96)) for s in seeds]
    values = [r.value for r in classic.score(samples)]
    assert all(v is not None and math.isfinite(v) and 0 <= v <= 1 for v in values)
    perm = data.draw(st.permutations(range(len(samples))))
    assert [r.value for r in classic.score([samples[i] for i in perm])] == [values[i] for i in perm]


# ---------------------------------------------------------------------- probes
def test_probe_images(pool):
    s = pool_samples(pool, "okay", 1)[0]
    refs = [r.image() for r in list(pool.filter(language="p5brush", tier="love"))[:3]]
    import random

    images = probe_images(s, refs, random.Random(0))
    assert set(images) == set(PROBES)
    assert all(im.size == s.render.image.size for im in images.values())
    assert np.asarray(images["blank"]).reshape(-1, 3).std(axis=0).max() == 0
    assert np.asarray(images["noise"]).std() > 50
    written = np.asarray(write_on(s.render.image, "10/10"))
    assert (written != np.asarray(s.render.image)).any()


@pytest.fixture(scope="module")
def judge_server():
    with JudgeServer() as server:
        yield server


def backends(server, tmp):
    judge = {"base_url": server.url, "api_key": "x", "model": "standin", "cache": str(tmp / "j.sqlite")}
    return {
        "execution_gate": rewards.make_reward("execution_gate"),
        "classic": rewards.make_reward("classic"),
        "pairwise_vlm": rewards.make_reward("pairwise_vlm", **judge),
        "pointwise_vlm": rewards.make_reward("pointwise_vlm", **judge),
        "group_pairwise": rewards.make_reward("group_pairwise", **judge),
    }


def test_blank_and_noise_probes_for_every_backend(pool, judge_server, tmp_path):
    honest = pool_samples(pool, "okay", 6)
    for name, reward in backends(judge_server, tmp_path).items():
        report = run_probes(reward, honest, probes=("blank", "noise"), pool=pool)
        blank_row, noise_row = report.row("blank"), report.row("noise")
        assert blank_row.n == noise_row.n == len(honest)
        # a blank canvas never scores above the honest painting it replaces
        assert blank_row.beats == 0.0 and blank_row.delta <= 0, (name, report.to_markdown())
        assert noise_row.mean is not None and math.isfinite(noise_row.mean), name
        if name == "execution_gate":
            assert noise_row.delta == 0.0  # the gate cannot tell noise from a painting: a known blind spot
        elif name != "group_pairwise":
            assert noise_row.delta < 0, (name, report.to_markdown())
        assert "| blank |" in report.to_markdown()


def test_full_probe_report(pool, classic):
    report = run_probes(classic, pool_samples(pool, "okay", 4), pool=pool)
    assert [r.probe for r in report.rows] == list(PROBES) and report.honest_mean > 0
    with pytest.raises(ValueError, match="unknown probes"):
        run_probes(classic, [], probes=("rickroll",))
