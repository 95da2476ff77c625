"""The rewards a server scores with: its own and those requests name (built once, LRU dropped)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection
from typing import Any

from codepaint_env.core.errors import CodePaintError
from codepaint_env.serve.config import NOT_OVER_HTTP, BadRequest, client_rewards


def build_reward(spec: str, renderer: Any, *, trusted: bool, allowed: Collection[str] | None = None) -> Any:
    """A reward from a spec (:func:`rewards.make_reward`; ``trusted=False``: registered ids only).

    Every component renders with ``renderer``; ``composite`` and ``remote`` cannot be named over
    HTTP; an untrusted spec may name only the ids in ``allowed`` (``None``: any registered id).

    Raises:
        BadRequest: An unknown id, a malformed spec or weight, a reward that cannot be built here (with why).
    """
    from rewards import make_reward, parse_spec

    text = spec.strip()
    try:
        plan = parse_spec(text, trusted=trusted)
        for rid in plan.ids():
            if rid in NOT_OVER_HTTP:
                raise BadRequest(f"reward {text!r}: {rid!r} cannot be served by name: write components with "
                                 "weights, e.g. 'gate:0.3,classic:0.7'")
            if not trusted and allowed is not None and rid not in allowed:
                raise BadRequest(f"reward {text!r}: {rid!r} is not one a request may name on this server "
                                 f"(it may name {', '.join(allowed)}; rewards that load a model are "
                                 "allowed by the server's operator: codepaint serve --client-rewards)")
        return make_reward(text, trusted=trusted, renderer=renderer)
    except BadRequest:
        raise
    except (KeyError, ValueError, TypeError, CodePaintError) as e:  # UnknownReward, RewardSpecError...
        raise BadRequest(f"reward {text!r} cannot be built on this server: {e}") from e


class RewardBook:
    """The server's reward, and those requests name (built on first use, least recently used dropped).

    Args:
        default: The spec requests that name none get (built now: a bad one fails at start-up).
        renderer: What every reward renders with.
        max_rewards: How many request-named rewards stay built.
        allowed: The reward ids a request may name (``None``: those that load no model).
    """

    def __init__(self, default: str, renderer: Any, max_rewards: int,
                 allowed: Collection[str] | None = None) -> None:
        self.default_spec = default.strip()
        self.renderer = renderer
        self.max_rewards = max_rewards
        self.allowed = tuple(allowed) if allowed is not None else client_rewards()
        self.default = build_reward(self.default_spec, renderer, trusted=True)
        self._built: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, spec: str | None) -> tuple[str, Any]:
        """``(spec, reward)`` for a request's ``reward`` field (``None``: the server's own).

        Raises:
            BadRequest: The spec cannot be built (see :func:`build_reward`).
        """
        key = (spec or "").strip()
        if not key or key == self.default_spec:
            return self.default_spec, self.default
        with self._lock:
            if key in self._built:
                self._built.move_to_end(key)
                return key, self._built[key]
        reward = build_reward(key, self.renderer, trusted=False, allowed=self.allowed)  # outside the lock
        with self._lock:
            self._built[key] = reward
            while len(self._built) > self.max_rewards:
                self._built.popitem(last=False)
        return key, reward

    def names(self) -> list[str]:
        """The specs built so far (the server's own first)."""
        with self._lock:
            return [self.default_spec, *self._built]
