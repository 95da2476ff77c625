"""Reference-pool embeddings, computed once per model and pool and cached in memory and on disk.

The key (:func:`reference_key`) is a SHA-256 over everything the vectors depend on: the model's
identity (its source, configuration and a fingerprint of its weights), its preprocessing (a
hash of the transform's description), the selected references' content (the filtered pool's
``content_hash``, which changes when any selected reference or rating changes) and the filter
itself (language and tiers). Files are ``.npz`` (``ids``, ``vectors``, ``meta``) under
``$CODEPAINT_CACHE_DIR/embeddings/``, else ``~/.cache/codepaint/embeddings/``, written
atomically (a temporary file, then a rename), so processes can share the folder. After the first
load the vectors stay in memory for the life of the process.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Bumped when the file layout or the meaning of the vectors changes.
FORMAT_VERSION = 1


def default_cache_dir() -> Path:
    """``$CODEPAINT_CACHE_DIR/embeddings`` or ``~/.cache/codepaint/embeddings``."""
    root = os.environ.get("CODEPAINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "codepaint")
    return Path(root) / "embeddings"


@dataclass(frozen=True)
class ReferenceEmbeddings:
    """Unit-norm embeddings of a filtered pool's references.

    Attributes:
        ids: Reference ids, in row order.
        vectors: ``[len(ids), d]`` float32, one unit vector per reference.
        key: The cache key.
        source: Where they came from this time: ``computed``, ``disk`` or ``memory``.
        path: The cache file (``None`` when the disk cache is off or nothing was selected).
    """

    ids: tuple[str, ...]
    vectors: np.ndarray
    key: str
    source: str
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.ids)


_MEMORY: dict[str, ReferenceEmbeddings] = {}
_LOCK = threading.Lock()


def clear_memory_cache() -> None:
    """Forget the in-memory copies (the disk files stay)."""
    with _LOCK:
        _MEMORY.clear()


def _tiers(tiers: Iterable[str] | str) -> tuple[str, ...]:
    return (tiers,) if isinstance(tiers, str) else tuple(sorted(set(tiers)))


def reference_key(encoder: Any, pool: Any, *, language: str, tiers: Iterable[str] | str) -> str:
    """The cache key of ``pool``'s ``language`` references in ``tiers``, embedded by ``encoder``."""
    import hashlib

    sub = pool.filter(language=language, tier=_tiers(tiers))
    payload = {"v": FORMAT_VERSION, "model": encoder.model_id, "preprocess": encoder.preprocess_id,
               "pool": sub.content_hash, "language": language, "tiers": list(_tiers(tiers))}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def cache_file(cache_dir: Path, encoder: Any, language: str, key: str) -> Path:
    """The file for one key: ``<model>-<language>-<key prefix>.npz`` (readable, unique by key)."""
    model = "".join(c if c.isalnum() or c in "-_." else "_" for c in encoder.name.split("/")[-1])[-48:]
    return cache_dir / f"{model or 'model'}-{language}-{key[:32]}.npz"


def reference_embeddings(
    encoder: Any,
    pool: Any,
    *,
    language: str,
    tiers: Iterable[str] | str = ("love",),
    cache_dir: str | os.PathLike[str] | bool | None = None,
    batch_size: int = 32,
) -> ReferenceEmbeddings:
    """The embeddings of ``pool``'s ``language`` references in ``tiers``: memory, else disk, else computed.

    Args:
        encoder: A loaded :class:`~rewards.embed.models.Encoder`.
        pool: A :class:`~rewards.pool.ReferencePool`.
        language: The references' language.
        tiers: Their tiers.
        cache_dir: The folder for ``.npz`` files (``None``: :func:`default_cache_dir`; ``False``: no
            disk cache, memory only).
        batch_size: Images per forward pass when computing.

    Returns:
        The embeddings (zero rows when no reference matches; nothing is written then).
    """
    key = reference_key(encoder, pool, language=language, tiers=tiers)
    with _LOCK:
        hit = _MEMORY.get(key)
        if hit is not None:
            return ReferenceEmbeddings(hit.ids, hit.vectors, key, "memory", hit.path)
        folder = None if cache_dir is False else (
            default_cache_dir() if cache_dir in (None, True) else Path(cache_dir).expanduser())
        path = None if folder is None else cache_file(folder, encoder, language, key)
        found = _read(path, key) if path is not None else None
        if found is not None:
            emb = ReferenceEmbeddings(found[0], found[1], key, "disk", path)
        else:
            sub = pool.filter(language=language, tier=_tiers(tiers))
            refs = sorted(sub, key=lambda r: r.id)
            ids = tuple(r.id for r in refs)
            vecs = encoder.encode_images([r.image() for r in refs], batch_size=batch_size) if refs else (
                np.zeros((0, 0), dtype=np.float32))
            if path is not None and ids:
                try:
                    _write(path, key, ids, vecs, {"model": encoder.name, "language": language,
                                                  "tiers": list(_tiers(tiers)), "pool": str(pool.root)})
                except OSError as e:  # a read-only cache folder costs speed, not correctness
                    warnings.warn(f"could not write the embedding cache {path}: {e}", RuntimeWarning,
                                  stacklevel=2)
                    path = None
            emb = ReferenceEmbeddings(ids, vecs, key, "computed", path if ids else None)
        _MEMORY[key] = emb
        return emb


def _read(path: Path, key: str) -> tuple[tuple[str, ...], np.ndarray] | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            ids = tuple(str(i) for i in z["ids"])
            vecs = np.asarray(z["vectors"], dtype=np.float32)
    except (OSError, ValueError, KeyError):
        return None  # unreadable or truncated: recompute and overwrite
    if meta.get("key") != key or vecs.ndim != 2 or vecs.shape[0] != len(ids) or not np.isfinite(vecs).all():
        return None
    return ids, vecs


def _write(path: Path, key: str, ids: tuple[str, ...], vecs: np.ndarray, info: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"key": key, "version": FORMAT_VERSION, **info}, sort_keys=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, ids=np.array(ids, dtype=str), vectors=vecs.astype(np.float32), meta=np.array(meta))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
