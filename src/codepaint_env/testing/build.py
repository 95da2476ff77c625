"""What the tiny test models (:mod:`.tiny_lm`, :mod:`.tiny_vlm`) share to build themselves locally.

Importing torch, tokenizers and transformers with an install hint when one is missing
(:func:`import_deps`), the idempotent, atomic build into a folder that a marker file names as finished
(:func:`build_atomically`), and a byte-level BPE tokenizer trained on a small built-in corpus of
creative-code snippets and prompts (:func:`train_byte_bpe`; the corpus is package data,
``data/tiny_lm_corpus.json``, read once on first use).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import pathlib
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled

__all__ = ["INSTALL_HINT", "build_atomically", "build_lock", "corpus", "dependency_hint", "import_deps",
           "read_marker", "train_byte_bpe"]

INSTALL_HINT = "pip install 'codepaint[train]'"

#: The corpus that the BPE merges are learned from, a JSON list of strings (p5.js, p5.brush, SVG,
#: HTML/CSS, Python and English prompts). Any text encodes (the tokenizer is byte-level); this only
#: decides which character sequences get their own tokens, so editing it changes every tiny build.
_CORPUS_FILE = "tiny_lm_corpus.json"


def dependency_hint(what: str) -> str:
    """The message for a missing dependency of the tiny models."""
    return f"{what} is needed for tiny-model test runs; install it with: {INSTALL_HINT}"


def import_deps() -> tuple[Any, Any]:
    """Import torch, tokenizers and transformers and return ``(torch, transformers)``.

    Raises:
        DependencyNotInstalled: One of them is missing.
    """
    try:
        import torch
    except ImportError as exc:
        raise DependencyNotInstalled(dependency_hint("torch")) from exc
    try:
        import tokenizers  # noqa: F401
    except ImportError as exc:
        raise DependencyNotInstalled(dependency_hint("tokenizers")) from exc
    from rewards.embed.compat import ensure_torchvision

    ensure_torchvision()  # transformers imports it while loading models
    try:
        import transformers
    except ImportError as exc:
        raise DependencyNotInstalled(dependency_hint("transformers")) from exc
    return torch, transformers


def read_marker(path: pathlib.Path, marker_file: str) -> dict[str, Any] | None:
    """The parameters of the finished build in ``path`` (its marker file), or ``None``."""
    try:
        data = json.loads((path / marker_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def save_quietly(transformers: Any, model: Any, out: pathlib.Path) -> None:
    """``model.save_pretrained(out)`` without transformers' progress bars (restored as they were)."""
    bars = transformers.utils.logging.is_progress_bar_enabled()
    transformers.utils.logging.disable_progress_bar()
    try:
        model.save_pretrained(out)
    finally:
        if bars:
            transformers.utils.logging.enable_progress_bar()


@contextlib.contextmanager
def build_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock on building ``path`` (a ``.<name>.lock`` file beside it) until the block ends.

    Two processes that find a shared cache folder unbuilt at once (two seeds' learners started
    together) would otherwise both build it, and the second's rename would delete the first's folder
    while the first was loading from it. Check the folder's marker inside the lock: the second process
    waits for the first's build, then finds it done.
    """
    target = pathlib.Path(path).expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_atomically(path: str | os.PathLike, marker: dict[str, Any], marker_file: str, *, overwrite: bool,
                     build_into: Callable[[pathlib.Path], None]) -> pathlib.Path:
    """The idempotent, atomic build both tiny models share (see :func:`~.tiny_lm.build_tiny_lm`).

    ``build_into(folder)`` fills an empty sibling folder and writes ``marker`` to ``marker_file``
    last; the folder is then renamed into place. A matching finished build is returned untouched.

    Raises:
        ValueError: ``path`` is a filesystem root.
        FileExistsError: ``path`` is a file, or a non-empty folder holding no tiny model (without
            ``overwrite``).
    """
    target = pathlib.Path(path).expanduser().resolve()
    if target.parent == target:
        raise ValueError(f"cannot build into {target}")
    existing = read_marker(target, marker_file)
    if existing == marker and not overwrite:
        return target
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder")
    if target.is_dir() and existing is None and not overwrite and any(target.iterdir()):
        raise FileExistsError(
            f"{target} is not empty and holds no tiny model; pass overwrite=True to replace it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        build_into(staging)
        if not overwrite and read_marker(target, marker_file) == marker:
            return target  # another process finished the same build meanwhile: keep theirs (it may be in use)
        if target.exists():
            shutil.rmtree(target)
        try:
            os.replace(staging, target)
        except OSError:
            # Another process finished the same build between our rmtree and rename: keep theirs.
            if read_marker(target, marker_file) != marker:
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


@functools.cache
def corpus() -> tuple[str, ...]:
    """The built-in tokenizer corpus (package data, read on first use and cached)."""
    text = (resources.files("codepaint_env.testing") / "data" / _CORPUS_FILE).read_text(encoding="utf-8")
    texts = json.loads(text)
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ValueError(f"{_CORPUS_FILE} must be a JSON list of strings")
    return tuple(texts)


def train_byte_bpe(vocab_size: int, special_tokens: Sequence[str]) -> Any:
    """A byte-level BPE ``tokenizers.Tokenizer`` trained on the built-in corpus (lossless on any text)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=1,
        special_tokens=list(special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus(), trainer=trainer)
    return tok
