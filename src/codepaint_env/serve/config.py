"""The server's settings and its errors: limits, the paths that work, how to install it.

Imports nothing of FastAPI: ``codepaint serve --help`` and the package's ``__init__`` read it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from codepaint_env.core.errors import CodePaintError
from rewards.registry import REGISTRY

#: How to install what the server needs.
INSTALL = "pip install 'codepaint[serve]'"
#: The endpoints that render or score: bounded by ``max_in_flight`` and ``max_body_bytes``.
WORK_PATHS: frozenset[str] = frozenset({"/render", "/score", "/get_reward"})
#: Endpoints counted on their own in ``/stats`` (anything else is counted as ``other``).
KNOWN_PATHS: tuple[str, ...] = ("/render", "/score", "/get_reward", "/health", "/stats")
#: A body over the limit is read and thrown away up to this many times the limit before the 413.
DRAIN_FACTOR = 4
#: Reward ids a request may never name (they need arguments a request cannot give).
NOT_OVER_HTTP: frozenset[str] = frozenset({"composite", "remote"})


def client_rewards(names: str | None = None) -> tuple[str, ...]:
    """The reward ids a request may name, from ``--client-rewards`` (``None``: the default).

    The default is every registered reward that loads no model (building one that does costs a
    worker seconds and memory, at a client's choice); ``"all"`` adds those; otherwise a comma list
    of ids. ``composite`` and ``remote`` are never a client's to pick.

    Raises:
        ValueError: An id that is not registered, or one a request can never name.
    """
    if names is None or not names.strip():
        return tuple(sorted(i for i, s in REGISTRY.items() if not s.loads_model and i not in NOT_OVER_HTTP))
    if names.strip() == "all":
        return tuple(sorted(i for i in REGISTRY if i not in NOT_OVER_HTTP))
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    for n in chosen:
        if n not in REGISTRY:
            known = ', '.join(sorted(REGISTRY))
            raise ValueError(f"--client-rewards: {n!r} is not a registered reward id ({known})")
        if n in NOT_OVER_HTTP:
            raise ValueError(f"--client-rewards: {n!r} needs arguments a request cannot give")
    return tuple(sorted(set(chosen)))


@dataclass(frozen=True)
class Limits:
    """What one server accepts.

    Attributes:
        max_body_bytes: Largest request body; a larger one is answered ``413`` unparsed.
        max_batch: Most items (programs, completions, queries) in one request (``413`` above).
        max_in_flight: Render/score requests running at once; one more is answered ``503``.
        max_size: Largest output side in pixels a request may ask for (``422`` above).
        max_rewards: Rewards named by requests kept built at once (least recently used go first).
        unjudged_reward: What ``/get_reward`` sends for an item that could not be judged
            (OpenRLHF takes floats only; ``extra_logs.judged`` marks such items with 0).
        client_rewards: The reward ids a request may name (:func:`client_rewards`; ``None``:
            those that load no model). The server's own reward is always served.
        body_timeout_s: A request body must arrive within this many seconds (``408`` after).
        max_reading: Bodies being read at once (``503`` above): a request takes a work slot only
            once its body is in, so slow senders never hold the ``max_in_flight`` slots.
    """

    max_body_bytes: int = 16 * 1024 * 1024
    max_batch: int = 256
    max_in_flight: int = 8
    max_size: int = 2048
    max_rewards: int = 8
    unjudged_reward: float = 0.0
    client_rewards: tuple[str, ...] | None = None
    body_timeout_s: float = 30.0
    max_reading: int = 64

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_batch", "max_in_flight", "max_size", "max_rewards",
                     "max_reading"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not (math.isfinite(self.body_timeout_s) and self.body_timeout_s > 0):
            raise ValueError("body_timeout_s must be a positive number of seconds")
        if not math.isfinite(self.unjudged_reward):
            raise ValueError("unjudged_reward must be a finite number")


class BadRequest(CodePaintError):
    """A request the server cannot serve as asked (answered ``status`` with the message)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class ServerFault(CodePaintError):
    """The server failed at a request it accepted (a reward that raised, no renderer): ``500`` with why."""

    status = 500
