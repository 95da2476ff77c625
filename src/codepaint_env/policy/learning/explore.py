"""Dynamic sampling (DAPO) for expert iteration: which groups carry a check kind's signal, and the rest.

Advantages are taken per check kind within a group (:mod:`.rollouts`). A kind whose judged values
are all equal in a group (none of its samples paints the background, say) gives that group no
signal for it; a group with no variance in *any* check kind teaches the scene nothing (at most the
gate). Learning run 3 sampled 4 a scene, and no black background was ever painted, so that kind
never spoke. DAPO's remedy (Yu et al., 2025: "over-sample and filter out" groups with no variance;
AIME 30 -> 50 in half the steps) is a choice here (``zero_variance``):

* ``keep``: today's behaviour (every group as sampled);
* ``top-up``: a group in which a check kind its task states has no success (every judged sample
  failed it, or no sample passed the gate) gets ``k`` more samples at a time, up to ``top_up_max``
  more; their seeds continue the group's. A kind every sample passes is not topped up: the signal
  looked for is the rare success (a painted background), and topping up for a rare failure would
  top up nearly every group for ``no_image``. What stays flat after the cap is kept as it is;
* ``drop``: a group with no variance in any check kind is dropped (its samples are marked
  ``dropped`` and never kept), so the gate alone cannot make a group's samples worth keeping.

:class:`GroupStats` is what a round's record logs: the share of *useful* groups (variance in at
least one check kind) among the first ``k`` samples and after the top-up, the samples added, the
groups dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from codepaint_env.policy.learning.rollouts import Rollout, assign_advantages, sample_groups
from codepaint_env.tasks.task import Task

#: The choices of ``zero_variance``.
ZERO_VARIANCE = ("keep", "top-up", "drop")


def kind_values(group: Sequence[Rollout]) -> dict[str, list[float]]:
    """Each check kind's judged values in a group (its ``checks/<kind>`` parts that are not ``None``)."""
    out: dict[str, list[float]] = {}
    for r in group:
        for name, value in r.parts.items():
            if name.startswith("checks/") and value is not None:
                out.setdefault(name.split("/", 1)[1], []).append(float(value))
    return out


def useful(group: Sequence[Rollout]) -> bool:
    """Whether a group has variance in at least one check kind (two judged values that differ)."""
    return any(max(v) > min(v) for v in kind_values(group).values())


def starved(group: Sequence[Rollout], task: Task) -> list[str]:
    """The check kinds ``task`` states that no judged sample of ``group`` earned anything for.

    Every stated kind when no sample passed the gate.
    """
    values = kind_values(group)
    stated = dict.fromkeys(str(c["kind"]) for c in task.checks)
    return [kind for kind in stated if not any(v > 0 for v in values.get(kind, []))]


def by_group(rollouts: Sequence[Rollout]) -> dict[int, list[Rollout]]:
    """The rollouts of each group, in order."""
    out: dict[int, list[Rollout]] = {}
    for r in rollouts:
        out.setdefault(r.group, []).append(r)
    return out


@dataclass
class GroupStats:
    """A round's groups: how many carried a check kind's signal, before and after topping up."""

    groups: int = 0
    useful_first: int = 0  # among the first k samples of each group
    useful: int = 0  # after the top-up (what the round learns from)
    topped_up: int = 0
    top_up_samples: int = 0
    dropped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the shares of useful groups."""
        def share(n: int) -> float | None:
            return round(n / self.groups, 4) if self.groups else None

        return {"groups": self.groups, "useful_groups_first": share(self.useful_first),
                "useful_groups": share(self.useful), "topped_up_groups": self.topped_up,
                "top_up_samples": self.top_up_samples, "dropped_groups": self.dropped}


def explore(engine: Any, tasks: Sequence[Task], k: int, scorer: Any, *, zero_variance: str = "keep",
            top_up_max: int = 8, sampler: Callable[..., list[Rollout]] = sample_groups,
            **sampling: Any) -> tuple[list[Rollout], GroupStats]:
    """``k`` samples of each task (:func:`~.rollouts.sample_groups`), then the groups' zero variance handled.

    Args:
        engine: The generation engine.
        tasks: One group each.
        k: Samples a group to begin with.
        scorer: The reward's parts (a :class:`~.rollouts.Scorer`, or what ``sampler`` takes).
        zero_variance: ``keep``, ``top-up`` or ``drop`` (see the module docstring).
        top_up_max: With ``top-up``: the most samples a group may get beyond ``k``.
        sampler: What samples a group: :func:`~.rollouts.sample_groups` (one reply), or a conversation
            with tools (:func:`~.searching.converse_groups` with its ``sampling`` bound).
        **sampling: As :func:`~.rollouts.sample_groups` (``temperature``, ``seed``, ``times``...).

    Returns:
        Every rollout (the dropped marked ``dropped``) and the round's :class:`GroupStats`.
    """
    if zero_variance not in ZERO_VARIANCE:
        raise ValueError(f"zero_variance must be one of {', '.join(ZERO_VARIANCE)}, not {zero_variance!r}")
    rollouts = sampler(engine, tasks, k, scorer, **sampling)
    groups = by_group(rollouts)
    stats = GroupStats(groups=len(groups), useful_first=sum(useful(g) for g in groups.values()))
    if zero_variance == "top-up":
        size, topped = k, set()
        while size < k + top_up_max:
            want = [g for g, task in enumerate(tasks) if starved(groups.get(g, []), task)]
            if not want:
                break
            n = min(k, k + top_up_max - size)
            more = sampler(engine, [tasks[g] for g in want], n, scorer, first=size, groups=want, **sampling)
            rollouts += more
            topped.update(want)
            stats.top_up_samples += len(more)
            size += n
            groups = by_group(rollouts)
        rollouts.sort(key=lambda r: r.group)  # each group's samples together, in their order
        assign_advantages(rollouts, scorer)
        stats.topped_up = len(topped)
    stats.useful = sum(useful(g) for g in groups.values())
    if zero_variance == "drop":
        for group in groups.values():
            if not useful(group):
                stats.dropped += 1
                for r in group:
                    r.dropped = True
    return rollouts, stats


class UsefulGroups:
    """A weight-0 TRL reward function: logs the share of a GRPO step's groups that are useful.

    ``codepaint/useful_groups`` (the share of groups of ``num_generations`` consecutive completions
    with variance in at least one check kind, as :func:`useful`); its value is the share itself, on
    every completion. It reads the batch from the parts' shared scoring (no second render).

    Args:
        funcs: The reward functions of :func:`rewards.reward_funcs` with ``split_checks``.
        num_generations: Completions a prompt (TRL puts a group's completions together).
    """

    def __init__(self, funcs: Sequence[Any], num_generations: int) -> None:
        self.parts = [f for f in funcs if str(getattr(f, "part", "")).startswith("checks/")]
        self.shared = funcs[0].shared
        self.k = num_generations
        self.__name__ = "useful_groups"

    def __call__(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                 **kwargs: Any) -> list[float | None]:
        """The step's share of useful groups, for every completion (logged as a metric too)."""
        samples, results, _ = self.shared.results(completions, prompts, kwargs)
        values = [[f.value(s, r) for f in self.parts] for s, r in zip(samples, results, strict=True)]
        groups = [values[i:i + self.k] for i in range(0, len(values), self.k)]
        n = sum(any(len({v[j] for v in g if v[j] is not None}) > 1 for j in range(len(self.parts)))
                for g in groups)
        share = n / len(groups) if groups else 0.0
        log_metric = kwargs.get("log_metric")
        if callable(log_metric):
            log_metric("codepaint/useful_groups", share)
        return [share] * len(completions)
