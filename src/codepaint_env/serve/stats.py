"""What ``/stats`` reports: requests, status codes, latency per endpoint, error kinds, judge cost, faults."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, deque
from collections.abc import Sequence
from typing import Any

from codepaint_env.serve.config import KNOWN_PATHS, WORK_PATHS, Limits


def _percentiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p90": None, "p99": None}
    s = sorted(values)
    return {f"p{p}": round(s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))], 2)
            for p in (50, 90, 99)}


class ServerState:
    """What ``/stats`` reports; ``in_flight`` is only touched on the event loop."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.started = time.monotonic()
        self.in_flight = 0
        self.reading = 0  # bodies being read (only touched on the event loop)
        self._lock = threading.Lock()
        self._requests: dict[str, Counter[str]] = {}
        self._latency: dict[str, deque[float]] = {}
        self._work_latency: deque[float] = deque(maxlen=256)
        self.items: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.cost: dict[str, float] = {}
        self.rejected: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()

    def record(self, path: str, status: int, ms: float) -> None:
        """Count one answered request."""
        key = path if path in KNOWN_PATHS else "other"
        with self._lock:
            self._requests.setdefault(key, Counter())[str(status)] += 1
            if 200 <= status < 300:
                self._latency.setdefault(key, deque(maxlen=2048)).append(ms)
                if path in WORK_PATHS:
                    self._work_latency.append(ms)

    def reject(self, why: str) -> None:
        """Count a request refused before it reached an endpoint."""
        with self._lock:
            self.rejected[why] += 1

    def unauthorized(self, scope: Any) -> None:
        """Count a request the door refused (no or wrong token): answered 401 before the guard."""
        self.reject("unauthorized")
        self.record(str(scope.get("path", "")), 401, 0.0)

    def reward_failed(self) -> None:
        """Count a request whose reward raised while scoring (the server's fault: 5xx, or unjudged)."""
        with self._lock:
            self.faults["reward"] += 1

    def served(self, renders: Sequence[Any], results: Sequence[Any] | None = None) -> None:
        """Count renders answered and, for scores, their values and reported cost."""
        with self._lock:
            self.items["rendered"] += len(renders)
            for r in renders:
                self.kinds[r.error_kind or "ok"] += 1
            for res in results or ():
                self.items["scored"] += 1
                if res.value is None:
                    self.items["unjudged"] += 1
                for k, v in res.cost.items():
                    self.cost[k] = self.cost.get(k, 0.0) + float(v)

    def retry_after_s(self) -> int:
        """Seconds a busy client should wait: the median recent latency, 1 to 60."""
        with self._lock:
            recent = sorted(self._work_latency)
        if not recent:
            return 1
        return max(1, min(60, math.ceil(recent[len(recent) // 2] / 1000)))

    def snapshot(self) -> dict[str, Any]:
        """The counters as JSON."""
        with self._lock:
            endpoints = {
                path: {"requests": sum(codes.values()), "status": dict(sorted(codes.items())),
                       "latency_ms": _percentiles(list(self._latency.get(path, ())))}
                for path, codes in sorted(self._requests.items())
            }
            return {
                "uptime_s": round(time.monotonic() - self.started, 1),
                "in_flight": self.in_flight,
                "endpoints": endpoints,
                "items": {k: self.items.get(k, 0) for k in ("rendered", "scored", "unjudged")},
                "error_kinds": dict(sorted(self.kinds.items())),
                "judge_cost": dict(sorted(self.cost.items())),
                "rejected": {k: self.rejected.get(k, 0)
                             for k in ("unauthorized", "busy", "too_large", "slow_body")},
                "faults": {"reward": self.faults.get("reward", 0)},
            }
