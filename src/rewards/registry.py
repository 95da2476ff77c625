"""The reward registry: ids -> lazy specs, as Gymnasium registers environments. Data only.

A registration is an entry point ``"module:Class"`` plus default keyword arguments, so nothing is
imported until a reward is made (:func:`rewards.make_reward`, in :mod:`rewards.factory`):
``import rewards`` loads no torch, open_clip or playwright.

    >>> from rewards.registry import register_reward
    >>> register_reward("sharpness", "my_pkg.rewards:Sharpness", radius=2)   # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.core.errors import CodePaintError, DependencyNotInstalled, UnknownReward


@dataclass(frozen=True)
class RewardSpec:
    """A registered reward: where its class lives and the keyword arguments it starts with."""

    id: str
    entry_point: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    extra: str | None = None  # the pip extra its backend needs, named in errors
    loads_model: bool = False  # building it loads model weights (a server lets clients pick it only if told)

    def load(self) -> type:
        """Import and return the class."""
        return load_entry_point(self.entry_point, extra=self.extra, reward_id=self.id)


REGISTRY: dict[str, RewardSpec] = {}
#: Short names accepted everywhere an id is.
ALIASES: dict[str, str] = {
    "gate": "execution_gate",
    "exec": "execution_gate",
    "pairwise": "pairwise_vlm",
    "pointwise": "pointwise_vlm",
    "static": "pointwise_vlm",
    "group": "group_pairwise",
    "pref_grpo": "group_pairwise",
    "change": "visible_change",
    "checks": "visual_checks",
}


def register_reward(id: str, entry_point: str, *, description: str = "", extra: str | None = None,
                    loads_model: bool = False, overwrite: bool = False, **kwargs: Any) -> RewardSpec:
    """Register a reward id.

    Args:
        id: The id users pass to :func:`make_reward`.
        entry_point: ``"package.module:ClassName"``.
        description: One line for ``list_rewards`` and ``codepaint score --list``.
        extra: The pip extra the backend needs (``embed``...), named when its import fails.
        loads_model: Building it loads model weights (seconds and memory): ``codepaint serve``
            lets a request name it only when its operator allows it (``--client-rewards``).
        overwrite: Replace an existing registration instead of raising.
        **kwargs: Default keyword arguments (the caller's override them).

    Raises:
        ValueError: The id is taken (and not ``overwrite``) or the entry point is malformed.
    """
    if ":" not in entry_point:
        raise ValueError(f"entry_point must look like 'package.module:Class', not {entry_point!r}")
    if id in REGISTRY and not overwrite:
        raise ValueError(f"reward id {id!r} is already registered (pass overwrite=True to replace it)")
    spec = RewardSpec(id, entry_point, dict(kwargs), description, extra, loads_model)
    REGISTRY[id] = spec
    return spec


def list_rewards() -> list[str]:
    """The registered reward ids, sorted."""
    return sorted(REGISTRY)


def reward_spec(id: str) -> RewardSpec:
    """The spec registered under ``id`` (or an alias).

    Raises:
        UnknownReward: With the nearest registered ids.
    """
    key = ALIASES.get(id, id)
    if key in REGISTRY:
        return REGISTRY[key]
    near = difflib.get_close_matches(id, [*REGISTRY, *ALIASES], n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else ""
    raise UnknownReward(
        f"unknown reward {id!r}{hint} Registered: {', '.join(list_rewards())}. A class of your own "
        "works as 'package.module:ClassName'."
    )


def load_entry_point(entry_point: str, *, extra: str | None = None, reward_id: str | None = None) -> type:
    """Import ``"module:Class"``.

    Raises:
        DependencyNotInstalled: The module's import needs a package that is missing.
        UnknownReward: The module or class does not exist.
    """
    module_name, _, attr = entry_point.partition(":")
    what = f"reward {reward_id!r} ({entry_point})" if reward_id else repr(entry_point)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and (module_name == e.name or module_name.startswith(e.name + ".")):
            if reward_id:
                raise CodePaintError(
                    f"{what} is registered but its module is not part of this version of codepaint"
                ) from e
            raise UnknownReward(f"no module {module_name!r} for {what}") from e
        install = f"pip install 'codepaint[{extra}]'" if extra else f"pip install {e.name}"
        raise DependencyNotInstalled(f"{what} needs the package {e.name!r}: {install}") from e
    try:
        return getattr(module, attr)
    except AttributeError:
        raise UnknownReward(f"module {module_name!r} has no attribute {attr!r} ({what})") from None


# ---------------------------------------------------------------------- built-in ids
register_reward("execution_gate", "rewards.gate:ExecutionGate",
                description="1 when the program rendered a non-blank picture with no unknown API "
                "(and, for HTML, passes the linter checks); else -1")
register_reward("pairwise_vlm", "rewards.judge.pairwise:PairwiseJudgeReward",
                description="win rate against k references from the rated pool, judged by a VLM in "
                "both orders (OpenAI-compatible API)")
register_reward("pointwise_vlm", "rewards.judge.pointwise:PointwiseJudgeReward",
                description="VLM rubric scores (instruction alignment, aesthetics, structure), 0-1")
register_reward("group_pairwise", "rewards.judge.group:GroupPairwiseReward",
                description="win rate within the group of completions for one prompt (Pref-GRPO)")
register_reward("composite", "rewards.composite:CompositeReward",
                description="weighted sum of rewards with an optional gate (weight 0 = logged only)")
register_reward("visible_change", "rewards.change:VisibleChange",
                description="how much of the picture an edit changed (refinement): fraction of pixels")
register_reward("classic", "rewards.classic:ClassicReward",
                description="offline colour + structure similarity to pool references (no weights)")
register_reward("visual_checks", "rewards.checks:VisualChecks",
                description="share of the task's verifiable checks (colours, counts, shapes, positions, "
                "relations...) its picture passes; needs the `checks` column (no model)")
register_reward("search_recall", "rewards.search_recall:SearchRecall",
                description="share of the task's fact cards (`facts` column) the episode's searches "
                "retrieved (`retrieved` column); the text half of a dual reward with the checks (no model)")
register_reward("dino", "rewards.embed.dino:DinoReward", extra="embed", loads_model=True,
                description="DINOv2 image-image similarity to pool references")
register_reward("clip", "rewards.embed.clip:ClipReward", extra="embed", loads_model=True,
                description="CLIP/SigLIP text-image similarity between prompt and render")
register_reward("interactive", "rewards.interactive:InteractiveReward",
                description="clicks an HTML page's controls and awards working interactions")
register_reward("default", "rewards.default:DefaultReward",
                description="what every door uses when no reward is named: gate:0.3,checks:0.7 for a task "
                "with checks, gate:0.3,classic:0.7 otherwise (offline)")
register_reward("remote", "rewards.remote:RemoteReward",
                description="the value a `codepaint serve` server gives (POST /score over HTTP; url=...)")
