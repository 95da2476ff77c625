"""`JudgmentCache`: a persistent sqlite store of paid-for judgments.

Keys are SHA-256 digests of everything that determines an answer (see
:meth:`JudgeClient.cache_key <rewards.judge.client.JudgeClient.cache_key>`: endpoint, model,
rubric version, decoding parameters, prompt text, image pixel hashes, reference ids). Only
replies that parsed into a valid verdict are stored; errors never are. Safe across threads and
processes (WAL journal, short transactions).

Default location: ``$CODEPAINT_CACHE_DIR/judge.sqlite``, else ``~/.cache/codepaint/judge.sqlite``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from codepaint_env.core.pickling import PicklesAsArguments


def default_cache_path() -> Path:
    """``$CODEPAINT_CACHE_DIR/judge.sqlite`` or ``~/.cache/codepaint/judge.sqlite``."""
    root = os.environ.get("CODEPAINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "codepaint")
    return Path(root) / "judge.sqlite"


class JudgmentCache(PicklesAsArguments):
    """Key -> (reply text, model) for judgments that parsed.

    Args:
        path: The sqlite file (its folder is created).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS judgments (key TEXT PRIMARY KEY, text TEXT NOT NULL, "
                "model TEXT, meta TEXT, created REAL)"
            )
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def get(self, key: str) -> str | None:
        """The stored reply text for ``key``, or ``None``."""
        with self._lock:
            row = self._db().execute("SELECT text FROM judgments WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def put(self, key: str, text: str, *, model: str = "", meta: dict[str, Any] | None = None) -> None:
        """Store a reply that parsed (callers never store errors)."""
        with self._lock:
            self._db().execute(
                "INSERT OR REPLACE INTO judgments (key, text, model, meta, created) VALUES (?, ?, ?, ?, ?)",
                (key, text, model, json.dumps(meta or {}, sort_keys=True), time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db().execute("SELECT COUNT(*) FROM judgments").fetchone()[0])

    def clear(self) -> None:
        """Delete every stored judgment."""
        with self._lock:
            self._db().execute("DELETE FROM judgments")

    def close(self) -> None:
        """Close the connection (reopened on next use)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

