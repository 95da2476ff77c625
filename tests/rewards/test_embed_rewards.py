"""`dino` and `clip` embedding rewards with tiny random models saved to local folders (no downloads).

Each model is built with its library, saved the way that library saves models (timm's
``save_for_hf``, transformers' ``save_pretrained``, open_clip's ``open_clip_config.json`` + weights)
and loaded through the same string users pass: the folder's path.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # before anything imports huggingface_hub: never touch the network
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import importlib.util
import math
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rewards
from codepaint_env.core.errors import CodePaintError, DependencyNotInstalled
from rewards.embed import cache as embed_cache
from rewards.embed import models as embed_models
from rewards.embed.clip import ClipReward
from rewards.embed.dino import DinoReward
from rewards.pool import ReferencePool
from support.embed_models import hf_dir as _hf_dir
from support.embed_models import open_clip_dir as _open_clip_dir
from support.embed_models import small_pool
from support.embed_models import timm_dir as _timm_dir
from support.pictures import blank, noise, painting, sample

pytestmark = pytest.mark.embed

_MISSING = [m for m in ("torch", "timm", "transformers", "open_clip") if importlib.util.find_spec(m) is None]
if _MISSING:  # (find_spec: importing timm et al. must wait for ensure_torchvision)
    pytest.skip(f"the embed extra is not installed (missing {_MISSING})", allow_module_level=True)

POOL_IDS = 3  # p5brush love references in the tmp pool (plus one okay, two svg love)


# ---------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def pool(tmp_path_factory) -> ReferencePool:
    """Six references copied from the shipped pool: 3 p5brush love, 1 p5brush okay, 2 svg love."""
    return small_pool(tmp_path_factory.mktemp("pool"))


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    embed_models.require("torch")  # makes torchvision importable before timm / transformers / open_clip
    return {"timm": _timm_dir(root / "timm-tiny"), "hf": _hf_dir(root / "dinov2-tiny"),
            "open_clip": _open_clip_dir(root / "clip-tiny")}


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    embed_cache.clear_memory_cache()
    return tmp_path / "embeddings"


def dino(model_dirs, pool, cache_dir, backend="timm", **kw) -> DinoReward:
    return rewards.make_reward("dino", model=str(model_dirs[backend]), pool=pool, device="cpu",
                               cache_dir=cache_dir, **kw)


def clip(model_dirs, **kw) -> ClipReward:
    return rewards.make_reward("clip", model=str(model_dirs["open_clip"]), device="cpu", **kw)


def pictures() -> list:
    paintings = [sample(painting(s)) for s in (1, 2, 3)]
    return [*paintings, sample(noise(4)), sample(painting(5), prompt="a blue sea")]


# ---------------------------------------------------------------------- loading
def test_importing_rewards_loads_no_heavy_package():
    code = ("import sys, rewards, rewards.embed, rewards.embed.dino, rewards.embed.clip\n"
            "heavy = ('torch', 'timm', 'open_clip', 'transformers', 'playwright')\n"
            "assert not [m for m in heavy if m in sys.modules], [m for m in heavy if m in sys.modules]")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("backend, cls", [("timm", "TimmEncoder"), ("hf", "HFEncoder"),
                                          ("open_clip", "OpenClipModel")])
def test_local_folders_load_through_make_reward(model_dirs, pool, cache_dir, backend, cls):
    reward = dino(model_dirs, pool, cache_dir, backend)
    assert isinstance(reward, DinoReward)
    assert type(reward.encoder).__name__ == cls
    assert reward.encoder.device == "cpu"
    out = reward.score(pictures())
    assert all(r.value is not None and 0.0 <= r.value <= 1.0 for r in out), out
    assert out[0].breakdown["references"] == POOL_IDS
    assert "nearest p5brush reference" in out[0].rationale


def test_name_forms_resolve_to_the_same_backends(model_dirs):
    hf, timm_dir, oc = (str(model_dirs[k]) for k in ("hf", "timm", "open_clip"))
    assert embed_models.parse_image_model(f"hf:{hf}").backend == "hf"
    assert embed_models.parse_image_model(f"local-dir:{hf}").backend == "hf"
    assert embed_models.parse_image_model(f"timm:local-dir:{timm_dir}").backend == "timm"
    assert embed_models.parse_image_model(f"local-dir:{timm_dir}").target == f"local-dir:{timm_dir}"
    assert embed_models.parse_text_image_model(f"local-dir:{oc}").local == Path(oc)
    parsed = {n: embed_models.parse_image_model(n).backend for n in (
        "vit_small_patch14_dinov2.lvd142m", "timm:vit_small_patch14_dinov2.lvd142m",
        "hf-hub:timm/vit_small_patch14_dinov2.lvd142m", "facebook/dinov2-small", "hf:facebook/dinov2-small")}
    assert list(parsed.values()) == ["timm", "timm", "timm", "hf", "hf"]
    ref = embed_models.parse_text_image_model("ViT-B-32:laion2b_s34b_b79k")
    assert (ref.target, ref.pretrained) == ("ViT-B-32", "laion2b_s34b_b79k")
    siglip = embed_models.parse_text_image_model("hf-hub:timm/ViT-SO400M-14-SigLIP")
    assert siglip.target.startswith("hf-hub:")


def test_preprocessing_comes_from_the_saved_config(model_dirs, tmp_path):
    im = [painting(7)]
    # timm: the saved pretrained_cfg mean is the one normalising
    base = embed_models.load_image_encoder(str(model_dirs["timm"]), "cpu")
    shifted = embed_models.load_image_encoder(str(_timm_dir(tmp_path / "t2", mean=[0.1, 0.2, 0.3])), "cpu")
    assert "0.5000" in base.preprocess_repr and "0.1000, 0.2000, 0.3000" in shifted.preprocess_repr
    assert base.preprocess_id != shifted.preprocess_id and base.cache_id != shifted.cache_id
    assert not np.allclose(base.encode_images(im), shifted.encode_images(im))
    # transformers: the image processor's crop size
    small = embed_models.load_image_encoder(str(model_dirs["hf"]), "cpu")
    assert tuple(small.pixel_values(im).shape) == (1, 3, 32, 32)
    big = embed_models.load_image_encoder(str(_hf_dir(tmp_path / "h2", crop=48)), "cpu")
    assert tuple(big.pixel_values(im).shape) == (1, 3, 48, 48)
    # open_clip: preprocess_cfg from open_clip_config.json
    folder = _open_clip_dir(tmp_path / "o2", mean=(0.25, 0.5, 0.75))
    oc = embed_models.load_text_image_model(str(folder), "cpu")
    assert "0.25, 0.5, 0.75" in oc.preprocess_repr


def test_timm_folder_fallback_for_older_timm(model_dirs, tmp_path, monkeypatch):
    im = [painting(3), painting(4)]
    native = embed_models.load_image_encoder(str(model_dirs["timm"]), "cpu")
    copy = shutil.copytree(model_dirs["timm"], tmp_path / "timm-copy")
    monkeypatch.setattr(embed_models, "timm_supports_local_dir", lambda: False)
    fallback = embed_models.load_image_encoder(str(copy), "cpu")
    assert fallback is not native and fallback.preprocess_repr == native.preprocess_repr
    assert np.allclose(fallback.encode_images(im), native.encode_images(im), atol=1e-6)


def test_devices():
    import torch

    assert embed_models.resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert embed_models.resolve_device(None) == embed_models.resolve_device("auto")
    assert embed_models.resolve_device("cpu") == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(CodePaintError, match="no CUDA"):
            embed_models.resolve_device("cuda")


def test_auto_device_reward(model_dirs, pool, cache_dir):
    import torch

    r = rewards.make_reward("dino", model=str(model_dirs["hf"]), pool=pool, cache_dir=cache_dir)
    assert r.encoder.device == ("cuda" if torch.cuda.is_available() else "cpu")
    assert next(r.encoder.model.parameters()).device.type == r.encoder.device


# ---------------------------------------------------------------------- errors
def test_missing_folder_fails_at_construction(pool, tmp_path):
    with pytest.raises(CodePaintError, match="no such directory"):
        rewards.make_reward("dino", model=str(tmp_path / "nope"), pool=pool)
    with pytest.raises(CodePaintError, match="no such directory"):
        rewards.make_reward("clip", model=str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(CodePaintError, match="not one codepaint can load"):
        rewards.make_reward("dino", model=str(tmp_path / "empty"), pool=pool)


def test_folders_without_weights_are_refused(model_dirs, pool, tmp_path):
    bare = tmp_path / "timm-bare"
    bare.mkdir()
    shutil.copy(model_dirs["timm"] / "config.json", bare / "config.json")
    with pytest.raises(CodePaintError, match="must hold a complete model"):
        rewards.make_reward("dino", model=str(bare), pool=pool, device="cpu")
    with pytest.raises(CodePaintError, match="no weights"):
        folder = _open_clip_dir(tmp_path / "oc-bare", weights=False)
        rewards.make_reward("clip", model=str(folder), device="cpu")
    with pytest.raises(CodePaintError, match="open_clip folders"):
        rewards.make_reward("clip", model=str(model_dirs["hf"]), device="cpu")


@pytest.mark.parametrize("name, hint", [
    ("vit_small_patch14_dinov2.lvd142m", "save_for_hf"),
    ("facebook/dinov2-codepaint-nonexistent", "huggingface-cli download facebook/dinov2-codepaint"),
    ("vit_not_a_real_model_xyz", "not a timm model"),
])
def test_hub_names_offline_fail_at_construction_with_a_hint(pool, name, hint):
    with pytest.raises(CodePaintError) as e:
        rewards.make_reward("dino", model=name, pool=pool, device="cpu")
    assert hint in str(e.value)
    if hint != "not a timm model":
        assert "HF_HUB_OFFLINE is set" in str(e.value) and "local folder" in str(e.value)


@pytest.mark.parametrize("name, hint", [
    ("ViT-B-32:laion2b_s34b_b79k", "huggingface-cli download laion/CLIP-ViT-B-32-laion2B-s34B-b79K"),
    ("hf-hub:timm/ViT-SO400M-14-SigLIP", "huggingface-cli download timm/ViT-SO400M-14-SigLIP"),
    ("ViT-B-32", "no pretrained tag"),
    ("ViT-B-32:no_such_tag", "no pretrained tag 'no_such_tag'"),
    ("ViT-Q-99:openai", "unknown open_clip architecture"),
])
def test_clip_names_offline_fail_at_construction_with_a_hint(name, hint):
    with pytest.raises(CodePaintError) as e:
        rewards.make_reward("clip", model=name, device="cpu")
    assert hint in str(e.value)


def test_missing_package_is_dependency_not_installed(model_dirs, tmp_path, monkeypatch):
    folder = str(_open_clip_dir(tmp_path / "oc3"))  # a folder not loaded yet in this process
    monkeypatch.setitem(sys.modules, "open_clip", None)
    with pytest.raises(DependencyNotInstalled, match=r"codepaint\[embed\]"):
        rewards.make_reward("clip", model=folder, device="cpu")


# ---------------------------------------------------------------------- the reference cache
def test_reference_cache_memory_and_disk(model_dirs, pool, cache_dir):
    enc = embed_models.load_image_encoder(str(model_dirs["timm"]), "cpu")
    first = dino(model_dirs, pool, cache_dir)
    before = enc.images_encoded
    refs = first.references("p5brush")
    assert refs.source == "computed" and len(refs) == POOL_IDS
    assert enc.images_encoded - before == POOL_IDS
    assert refs.path is not None and refs.path.is_file() and refs.path.parent == cache_dir
    assert np.allclose(np.linalg.norm(refs.vectors, axis=1), 1.0, atol=1e-5)

    second = dino(model_dirs, pool, cache_dir)  # same model, pool and filter: no reference forward pass
    passes = enc.forward_passes
    out = second.score([sample(painting(1))])
    assert enc.forward_passes - passes == 1  # the candidate only
    assert second.references("p5brush").source == "memory"
    assert out[0].value is not None

    embed_cache.clear_memory_cache()  # a new process: read from disk, still no reference forward pass
    third = dino(model_dirs, pool, cache_dir)
    images = enc.images_encoded
    again = third.references("p5brush")
    assert again.source == "disk" and enc.images_encoded == images
    assert again.ids == refs.ids and np.array_equal(again.vectors, refs.vectors)


def test_cache_key_follows_model_preprocessing_pool_and_filter(model_dirs, pool, cache_dir, tmp_path):
    enc = embed_models.load_image_encoder(str(model_dirs["timm"]), "cpu")
    key = embed_cache.reference_key(enc, pool, language="p5brush", tiers=("love",))
    assert key == embed_cache.reference_key(enc, pool, language="p5brush", tiers=["love"])
    assert key != embed_cache.reference_key(enc, pool, language="p5brush", tiers=("love", "okay"))
    assert key != embed_cache.reference_key(enc, pool, language="svg", tiers=("love",))
    smaller = pool.filter(tier="love", language="p5brush")
    smaller = ReferencePool(pool.root, _refs=list(smaller)[:2])
    assert key != embed_cache.reference_key(enc, smaller, language="p5brush", tiers=("love",))
    hf = embed_models.load_image_encoder(str(model_dirs["hf"]), "cpu")
    assert key != embed_cache.reference_key(hf, pool, language="p5brush", tiers=("love",))
    shifted = embed_models.load_image_encoder(str(_timm_dir(tmp_path / "t3", mean=[0.2, 0.2, 0.2])), "cpu")
    assert key != embed_cache.reference_key(shifted, pool, language="p5brush", tiers=("love",))
    # a reward with other tiers writes another file
    a = dino(model_dirs, pool, cache_dir).references("p5brush")
    b = dino(model_dirs, pool, cache_dir, tiers=("love", "okay")).references("p5brush")
    assert a.path != b.path and len(b) == POOL_IDS + 1 and b.source == "computed"
    assert sorted(p.name for p in cache_dir.glob("*.npz")) == sorted([a.path.name, b.path.name])


def test_default_cache_location_and_memory_only(model_dirs, pool, tmp_path, monkeypatch):
    embed_cache.clear_memory_cache()
    monkeypatch.setenv("CODEPAINT_CACHE_DIR", str(tmp_path / "cp"))
    assert embed_cache.default_cache_dir() == tmp_path / "cp" / "embeddings"
    refs = dino(model_dirs, pool, None).references("svg")
    assert refs.path is not None and refs.path.is_file()
    assert refs.path.parent == tmp_path / "cp" / "embeddings"
    embed_cache.clear_memory_cache()
    off = dino(model_dirs, pool, False).references("svg")
    assert off.path is None and off.source == "computed"


# ---------------------------------------------------------------------- scoring properties
@pytest.mark.parametrize("backend", ["timm", "hf"])
def test_dino_batch_equals_one_by_one(model_dirs, pool, cache_dir, backend):
    reward = dino(model_dirs, pool, cache_dir, backend)
    samples = pictures()
    batched = [r.value for r in reward.score(samples)]
    single = [reward.score([s])[0].value for s in samples]
    assert np.allclose(batched, single, atol=1e-5, rtol=0)
    small = dino(model_dirs, pool, cache_dir, backend, batch_size=2)
    assert np.allclose([r.value for r in small.score(samples)], batched, atol=1e-5, rtol=0)


def test_clip_batch_equals_one_by_one(model_dirs):
    reward = clip(model_dirs)
    samples = pictures()
    batched = [r.value for r in reward.score(samples)]
    fresh = clip(model_dirs, batch_size=1)
    single = [fresh.score([s])[0].value for s in samples]
    assert np.allclose(batched, single, atol=1e-5, rtol=0)
    assert all(0.0 <= v <= 1.0 for v in batched)


@pytest.mark.parametrize("kind", ["dino", "dino_mean", "dino_topk", "clip"])
def test_invariants(model_dirs, pool, cache_dir, kind):
    reward = {"dino": lambda: dino(model_dirs, pool, cache_dir),
              "dino_mean": lambda: dino(model_dirs, pool, cache_dir, aggregate="mean"),
              "dino_topk": lambda: dino(model_dirs, pool, cache_dir, aggregate="topk", k=2),
              "clip": lambda: clip(model_dirs)}[kind]()
    samples = [*pictures(), sample(None), sample(blank()), sample(painting(1)), sample(noise(9))]
    out = reward.score(samples)
    assert len(out) == len(samples)
    values = [r.value for r in out]
    assert all(v is not None and math.isfinite(v) and 0.0 <= v <= 1.0 for v in values), out
    assert values[5] == 0.0 and values[6] == 0.0  # failed render, blank canvas
    assert values[7] == values[0]  # the same picture twice
    rng = np.random.default_rng(0)
    for _ in range(3):
        perm = rng.permutation(len(samples))
        assert [r.value for r in reward.score([samples[i] for i in perm])] == [values[i] for i in perm]
    clone = pickle.loads(pickle.dumps(reward))
    # built afresh from its arguments (core.pickling): the model is this process's shared one
    assert clone.encoder is reward.encoder
    assert [r.value for r in clone.score(samples)] == values
    enc = reward.encoder
    passes = enc.forward_passes
    assert reward.score([sample(None)])[0].value == 0.0 and enc.forward_passes == passes


picture = st.one_of(st.tuples(st.just("paint"), st.integers(0, 400)),
                    st.tuples(st.just("noise"), st.integers(0, 9)),
                    st.tuples(st.just("blank"), st.integers(0, 2)),
                    st.tuples(st.just("fail"), st.just(0)))


def _picture(kind_seed):
    kind, seed = kind_seed
    return {"paint": lambda: painting(seed), "noise": lambda: noise(seed),
            "blank": lambda: blank(colour=(255 - 40 * seed,) * 3), "fail": lambda: None}[kind]()


@pytest.mark.parametrize("kind", ["dino", "clip"])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.tuples(picture, st.sampled_from(["a peach hibiscus", "a blue sea", ""])),
                      min_size=1, max_size=6), data=st.data())
def test_properties(model_dirs, pool, tmp_path, kind, items, data):
    reward = dino(model_dirs, pool, tmp_path / "emb") if kind == "dino" else clip(model_dirs)
    samples = [sample(_picture(p), prompt=prompt) for p, prompt in items]
    out = reward.score(samples)
    assert len(out) == len(samples)
    for s, r in zip(samples, out, strict=True):
        if not s.ok:
            assert r.value == 0.0
        elif kind == "clip" and not s.prompt:
            assert r.value is None and r.reason
        else:
            assert r.value is not None and math.isfinite(r.value) and 0.0 <= r.value <= 1.0
    perm = data.draw(st.permutations(range(len(samples))))
    assert [r.value for r in reward.score([samples[i] for i in perm])] == [out[i].value for i in perm]


def test_pickled_reward_reloads_its_model_in_a_new_process(model_dirs, pool, cache_dir):
    reward = dino(model_dirs, pool, cache_dir)
    samples = pictures()
    expected = [r.value for r in reward.score(samples)]
    code = ("import pickle, sys; reward, samples = pickle.loads(sys.stdin.buffer.read()); "
            "print(repr([r.value for r in reward.score(samples)]), reward.encoder.images_encoded)")
    out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps((reward, samples)),
                         capture_output=True, check=True, timeout=120)
    values, encoded = out.stdout.decode().strip().rsplit(" ", 1)
    assert np.allclose(eval(values), expected, atol=1e-6, rtol=0)
    assert int(encoded) == len(samples)  # the candidates only: references came from the disk cache


def test_dino_aggregates_order(model_dirs, pool, cache_dir):
    s = [sample(painting(11))]
    v = {a: dino(model_dirs, pool, cache_dir, aggregate=a, k=2).score(s)[0] for a in ("max", "topk", "mean")}
    assert v["max"].value >= v["topk"].value - 1e-12 >= v["mean"].value - 2e-12
    assert v["max"].breakdown["cos_max"] == pytest.approx(v["max"].breakdown["cos"])
    with pytest.raises(ValueError, match="aggregate"):
        dino(model_dirs, pool, cache_dir, aggregate="median")


def test_a_reference_scores_itself_highest(model_dirs, pool, cache_dir):
    ref = next(r for r in pool if r.language == "p5brush" and r.tier == "love")
    reward = dino(model_dirs, pool, cache_dir)
    out = reward.score([sample(ref.image())])[0]
    assert out.value == pytest.approx(1.0, abs=1e-5) and ref.id in out.rationale
    excluded = reward.score([sample(ref.image(), exclude_references=ref.id)])[0]
    assert excluded.value < out.value and excluded.breakdown["references"] == POOL_IDS - 1


def test_unjudged_cases(model_dirs, pool, cache_dir):
    reward = dino(model_dirs, pool, cache_dir)
    # No html references in the tmp pool: an html picture is compared with every language's.
    out = reward.score([sample(painting(1), language="html")])[0]
    assert out.value is not None and out.breakdown["references"] == 5  # the love tier: 3 p5brush, 2 svg
    # A language asked for by name that the pool lacks is unjudged, with the reason.
    out = dino(model_dirs, pool, cache_dir, reference_language="tikz").score(
        [sample(painting(1), language="html")])[0]
    assert out.value is None and "no tikz references" in out.reason
    assert dino(model_dirs, pool, cache_dir, reference_language="svg").score(
        [sample(painting(1), language="html")])[0].breakdown["references"] == 2
    c = clip(model_dirs)
    assert c.score([sample(painting(1), prompt="")])[0].value is None
    assert "no prompt" in c.score([sample(painting(1), prompt="  ")])[0].reason
    assert c.score([sample(None, prompt="")])[0].value == 0.0  # failed render beats a missing prompt


def test_trl_call_interface(model_dirs, pool, cache_dir):
    class FakeRenderer:
        def submit(self, code, language, size=None, seed=0):
            import concurrent.futures

            fut = concurrent.futures.Future()
            fut.set_result(sample(painting(len(code)) if "draw" in code else None, language=language).render)
            return fut

    reward = dino(model_dirs, pool, cache_dir, renderer=FakeRenderer())
    vals = reward(["```js\ndraw()\n```", "```js\nfail()\n```"], prompts=["a hibiscus", "a rose"],
                  language="p5brush")
    assert len(vals) == 2 and 0.0 < vals[0] <= 1.0 and vals[1] == 0.0


def test_a_model_neither_cached_nor_reachable_fails_after_one_request_and_stays_failed(monkeypatch, pool):
    # The libraries retry an unreachable Hub for ~50 s before their error. codepaint asks the local
    # cache, then the Hub once; the failure is remembered, so a second build asks nothing.
    import huggingface_hub.constants

    from codepaint_env.testing.chat_server import LoopbackChatServer

    class DownHub(LoopbackChatServer):
        def __init__(self):
            super().__init__()
            self.paths = []

        def route(self, method, path, body):
            self.paths.append(path)
            return 503, {"error": "down for maintenance"}, None

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False, raising=False)
    embed_models.clear_loaded_models()
    with DownHub() as hub:
        monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", hub.url.removesuffix("/v1"))
        for _ in range(2):
            with pytest.raises(CodePaintError, match="the Hub cannot be reached"):
                rewards.make_reward("dino", model="hf:facebook/dinov2-small", pool=pool, device="cpu")
    # one metadata request in all (huggingface_hub may add its own /api/agent-harnesses lookup)
    assert [p for p in hub.paths if p.startswith("/api/models")] == ["/api/models/facebook/dinov2-small"]
    assert len(hub.paths) <= 2, hub.paths
    embed_models.clear_loaded_models()
