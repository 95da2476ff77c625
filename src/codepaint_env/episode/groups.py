"""Group starts: when a door draws the tasks itself, every sample of a GRPO group starts from one task.

GRPO compares the samples of a group with each other, so they must answer the same task. Where the
trainer gives the task (a dataset row, a seed) the door follows it. Where nothing tells the samples
apart, as in TRL's dataset-less mode (``GRPOTrainer(train_dataset=None, environment_factory=...)``:
every rollout is reset with the same placeholder row, an empty prompt, in the order of the generation
batch, whose consecutive ``num_generations`` rollouts are one group), the order of the starts is
all there is, and :class:`GroupStarts` turns it into groups::

    starts = GroupStarts(tasks, group_size=8, seed=0)
    [starts.next() for _ in range(16)]   # 8 times one task, then 8 times another

**The rule.** The ``n``-th start (from 0, counted over every environment of the process that shares
the :class:`GroupStarts`) is in the process's group ``n // group_size``. Group ``g`` of process ``rank``
of ``world`` is the run's group ``g * world + rank`` (each process of a multi-process run draws its own
groups; a group must not straddle two processes: a per-process generation batch that is a multiple of
``group_size``). The run's group ``k`` starts from the task at ``k % len(tasks)`` of the
``k // len(tasks)``-th shuffle of the tasks, seeded by ``(seed, k // len(tasks))``: the groups of one
pass over the tasks all differ, and the sequence is a function of the seed alone
(:meth:`GroupStarts.task_of`). Every group renders with the episode's render seed (the settings' rule:
the same for every sample).

:func:`shared_group_starts` gives the environments of one process that draw from the same tasks with
the same group size and seed one :class:`GroupStarts` (TRL makes one environment per rollout, each
from the factory: they share nothing else). Its count lives as long as the process: a second trainer in
the same process goes on with the sequence where the first left it; a fresh process starts it again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from codepaint_env.tasks import Task

__all__ = ["GroupStarts", "process_rank", "shared_group_starts"]


class GroupStarts:
    """The task of each start of a run whose groups the order of starts defines (see the module docstring).

    Thread-safe: environments that share it may start from several threads.

    Args:
        tasks: The tasks to draw from (in a fixed order: the sequence depends on it).
        group_size: Consecutive starts per group (TRL's ``num_generations``).
        seed: Seeds the sequence of tasks.
        rank: This process's index in a multi-process run (default: :func:`process_rank`).
        world: The number of processes (default: :func:`process_rank`).

    Raises:
        ValueError: No tasks, a group size below 1, or a rank outside ``[0, world)``.
    """

    def __init__(self, tasks: Sequence[Task], group_size: int, seed: int, *, rank: int | None = None,
                 world: int | None = None) -> None:
        if not tasks:
            raise ValueError("no tasks to draw groups from: give the environment tasks, or a dataset")
        if int(group_size) < 1:
            raise ValueError(f"group_size (num_generations) must be at least 1, not {group_size!r}")
        found_rank, found_world = process_rank()
        self.tasks = tuple(tasks)
        self.group_size = int(group_size)
        self.seed = int(seed)
        self.rank = found_rank if rank is None else int(rank)
        self.world = found_world if world is None else int(world)
        if not 0 <= self.rank < self.world:
            raise ValueError(f"rank {self.rank} is not in [0, {self.world})")
        self._starts = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (f"GroupStarts({len(self.tasks)} tasks, group_size={self.group_size}, seed={self.seed}, "
                f"rank={self.rank}/{self.world}, starts={self._starts})")

    @property
    def starts(self) -> int:
        """How many starts have been drawn."""
        return self._starts

    def next(self) -> Task:
        """The task of the next start (see the module docstring's rule)."""
        with self._lock:
            n, self._starts = self._starts, self._starts + 1
        return self.task_of(self.group_of(n))

    def group_of(self, start: int) -> int:
        """The run's group of this process's ``start``-th start."""
        return (start // self.group_size) * self.world + self.rank

    def task_of(self, group: int) -> Task:
        """The task of the run's group ``group``: a function of the seed, the tasks and ``group`` only."""
        rounds, at = divmod(int(group), len(self.tasks))
        order = np.random.default_rng([self.seed, rounds]).permutation(len(self.tasks))
        return self.tasks[int(order[at])]


_SHARED: dict[tuple[tuple[str, ...], int, int, int, int], GroupStarts] = {}
_SHARED_LOCK = threading.Lock()


def shared_group_starts(tasks: Sequence[Task], group_size: int, seed: int) -> GroupStarts:
    """The process's one :class:`GroupStarts` for these tasks (by id), group size, seed and rank."""
    rank, world = process_rank()
    key = (tuple(t.id for t in tasks), int(group_size), int(seed), rank, world)
    with _SHARED_LOCK:
        starts = _SHARED.get(key)
        if starts is None:
            starts = _SHARED[key] = GroupStarts(tasks, group_size, seed, rank=rank, world=world)
        return starts


def process_rank() -> tuple[int, int]:
    """This process's rank and the number of processes of the run.

    ``RANK`` and ``WORLD_SIZE``, as ``torchrun`` and ``accelerate launch`` set them; ``(0, 1)`` without them.
    """
    try:
        world = max(1, int(os.environ.get("WORLD_SIZE", "1")))
        rank = int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0, 1
    return (rank, world) if 0 <= rank < world else (0, 1)
