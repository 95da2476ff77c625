"""sha256 of model files, remembered by ``(path, size, mtime)`` so a 500 MB file is read once, not per run.

    >>> from codepaint_env.policy.hashing import file_sha256                # doctest: +SKIP
    >>> file_sha256("model.gguf")        # reads the file the first time; later calls read the cache

The cache is one JSON file, ``$CODEPAINT_CACHE_DIR/sha256.json`` (else
``~/.cache/codepaint/sha256.json``): ``{absolute path: {"bytes", "mtime_ns", "sha256"}}``. An entry
counts only while the file's size and modification time (nanoseconds) are what they were when it
was hashed; a file rewritten in place gets a new mtime and is read again. Writes are atomic (a
sibling file renamed into place); two processes writing at once can lose each other's new entry,
which costs one more read later, never a wrong hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import tempfile
import threading
from collections.abc import Iterable
from typing import Any

__all__ = ["cache_file", "file_sha256", "files_sha256", "remember"]

_CHUNK = 1 << 20
_LOCK = threading.Lock()


def cache_file() -> pathlib.Path:
    """``$CODEPAINT_CACHE_DIR/sha256.json`` or ``~/.cache/codepaint/sha256.json``."""
    home = os.path.join(os.path.expanduser("~"), ".cache", "codepaint")
    return pathlib.Path(os.environ.get("CODEPAINT_CACHE_DIR") or home) / "sha256.json"


def _read_cache(path: pathlib.Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: pathlib.Path, data: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".sha256-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written costs a re-read next time, nothing else


def remember(path: str | os.PathLike[str], digest: str) -> None:
    """Record ``digest`` as the sha256 of ``path`` as it is now (its caller has just hashed it)."""
    target = pathlib.Path(path).resolve()
    _store(target, target.stat(), digest)


def _store(target: pathlib.Path, st: os.stat_result, digest: str) -> None:
    with _LOCK:
        cache = cache_file()
        data = _read_cache(cache)
        data[str(target)] = {"bytes": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest}
        _write_cache(cache, data)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 (hex) of a file: from the cache while its size and mtime are unchanged, else read.

    Raises:
        OSError: The file cannot be read.
    """
    target = pathlib.Path(path).resolve()
    st = target.stat()
    entry = _read_cache(cache_file()).get(str(target))
    if isinstance(entry, dict) and isinstance(entry.get("sha256"), str) \
            and (entry.get("bytes"), entry.get("mtime_ns")) == (st.st_size, st.st_mtime_ns):
        return entry["sha256"]
    digest = hashlib.sha256()
    with target.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    value = digest.hexdigest()
    _store(target, st, value)
    return value


def files_sha256(files: Iterable[tuple[str, str | os.PathLike[str]]]) -> tuple[str, list[dict[str, Any]]]:
    """One sha256 over several named files, and each file's own.

    Args:
        files: ``(name, path)`` pairs; ``name`` is what the combined hash covers besides the
            contents (a path relative to the model folder), so renaming a file changes it.

    Returns:
        ``(combined, entries)``: ``combined`` is the sha256 of the lines ``name<TAB>sha256``
        (sorted by name, each ending in a newline); ``entries`` are ``{"name", "bytes", "sha256"}``.
    """
    entries = []
    for name, path in sorted(files, key=lambda f: f[0]):
        entries.append({"name": name, "bytes": os.path.getsize(path), "sha256": file_sha256(path)})
    listing = "".join(f"{e['name']}\t{e['sha256']}\n" for e in entries)
    return hashlib.sha256(listing.encode()).hexdigest(), entries
