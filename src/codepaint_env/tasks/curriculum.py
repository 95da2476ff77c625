"""`Curriculum`: difficulty levels sampled so that the policy stays at its frontier.

A small policy at a hard level fails every check, so every GRPO advantage is zero; at an easy one
it passes every check, with the same result. :class:`Curriculum` keeps the *frontier* level where
the policy's all-stated-checks pass rate (among the programs that pass the gate) is inside a
target band, as RLVE's adaptive environments and reasoning-gym's curricula do:

* tasks come from the levels of a sliding window ending at the frontier (``window`` levels, drawn
  uniformly), fresh from the ``shapes`` generator's train split (:mod:`.shapes.levels`);
* every scored sample at the frontier is recorded (:meth:`Curriculum.record`): whether it passed
  the gate and whether every stated check passed;
* once ``min_samples`` gate-passing samples are recorded there, their pass rate decides: at or
  above the band's top the frontier moves up a level, below its bottom it moves down, and the
  count starts again at the new frontier; inside the band it stays.

The trace of every move (:attr:`Curriculum.trace`) and the frontier are what a learning run plots.

In TRL: the curriculum is the dataset (an iterable one, read as training goes) and a reward
function of weight 0 feeds the results back (and logs ``codepaint/curriculum/frontier`` and the
batch's mean ``codepaint/curriculum/level`` with the training monitors)::

    curriculum = Curriculum(language="svg")
    funcs, weights = rewards.reward_funcs("gate:0.2,checks:0.8", split_checks=True)
    funcs, weights = [*funcs, curriculum.feedback(funcs)], [*weights, 0.0]
    trainer = GRPOTrainer(model, reward_funcs=funcs, train_dataset=curriculum.dataset(system_prompt),
                          args=GRPOConfig(reward_weights=weights, shuffle_dataset=False, max_steps=...))

In Gymnasium: ``env.reset(options={"curriculum": curriculum})`` draws the episode's task from it,
and the episode's last step records its result.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codepaint_env.core.pickling import PicklesAsArguments
from codepaint_env.tasks.task import Task

if TYPE_CHECKING:
    from rewards.base import RewardResult

__all__ = ["Curriculum", "CurriculumFeedback", "LevelMove"]


@dataclass(frozen=True)
class LevelMove:
    """One decision of the curriculum: where the frontier was, the pass rate seen there, where it went."""

    samples: int  # samples recorded in all, when it was decided
    level: int
    pass_rate: float
    gate_passed: int  # gate-passing samples the rate is over
    to: int


@dataclass
class _Tally:
    gate_passed: int = 0
    all_stated: int = 0
    seen: int = 0


@dataclass
class Curriculum:
    """Levels of the ``shapes`` generator, kept at the policy's frontier (see the module docstring).

    Attributes:
        language: The language of the tasks.
        levels: The levels in play, easiest first.
        start: The first frontier.
        band: ``(low, high)``: the all-stated pass rate (among gate-passing samples) to keep.
        window: How many levels, ending at the frontier, tasks are drawn from.
        min_samples: Gate-passing samples at the frontier before it may move.
        seed: Seeds both the level draws and the generated scenes.
        chunk: Scenes generated at a time per level (each chunk from its own seed).
    """

    language: str = "svg"
    levels: Sequence[int] = (0, 1, 2, 3, 4)
    start: int = 0
    band: tuple[float, float] = (0.4, 0.75)
    window: int = 2
    min_samples: int = 24
    seed: int = 0
    chunk: int = 64
    frontier: int = field(init=False)
    trace: list[LevelMove] = field(init=False, default_factory=list)
    recorded: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.levels = tuple(sorted(self.levels))
        low, high = self.band
        if not 0.0 <= low < high <= 1.0:
            raise ValueError(f"band must be (low, high) with 0 <= low < high <= 1, not {self.band!r}")
        if self.start not in self.levels:
            raise ValueError(f"start must be one of the levels {list(self.levels)}, not {self.start!r}")
        if self.window < 1 or self.min_samples < 1 or self.chunk < 1:
            raise ValueError("window, min_samples and chunk must be at least 1")
        self.frontier = self.start
        self._rng = random.Random(f"curriculum-{self.seed}")
        self._tally = _Tally()
        self._queues: dict[int, list[Task]] = {}
        self._chunks: dict[int, int] = {}

    # ------------------------------------------------------------------ sampling
    def active_levels(self) -> list[int]:
        """The levels tasks are drawn from now: the window ending at the frontier."""
        i = self.levels.index(self.frontier)
        return list(self.levels[max(0, i - self.window + 1): i + 1])

    def sample(self) -> Task:
        """The next task: a level of the window, then that level's next generated train scene."""
        level = self._rng.choice(self.active_levels())
        queue = self._queues.setdefault(level, [])
        if not queue:
            from codepaint_env.tasks.loading import load_suite

            k = self._chunks.get(level, 0)
            self._chunks[level] = k + 1
            queue += load_suite("shapes", level=level, count=self.chunk, seed=self.seed * 100_003 + k,
                                split="train", language=self.language)
            self._rng.shuffle(queue)
        return queue.pop()

    def __iter__(self) -> Iterator[Task]:
        """Tasks without end (each drawn when asked for, so a move shows in the next one)."""
        while True:
            yield self.sample()

    # ------------------------------------------------------------------ feedback
    def record(self, level: int | None, *, gate_passed: bool, all_stated: bool | None) -> None:
        """One scored sample of ``level``: only the frontier's count (see the module docstring)."""
        self.recorded += 1
        if level != self.frontier:
            return
        t = self._tally
        t.seen += 1
        if gate_passed and all_stated is not None:
            t.gate_passed += 1
            t.all_stated += int(all_stated)
        if t.gate_passed >= self.min_samples:
            self._decide()

    def observe(self, levels: Sequence[int | None], results: Sequence[RewardResult | None]) -> None:
        """Record a scored batch: each sample's level and its (gated composite) reward result."""
        for level, result in zip(levels, results, strict=True):
            if result is None or result.value is None:
                continue  # unjudged: infrastructure says nothing about the policy
            gate_passed = not result.breakdown.get("gated")
            stated = result.metrics.get("checks/all_stated")
            self.record(level, gate_passed=gate_passed, all_stated=None if stated is None else stated >= 1.0)

    def _decide(self) -> None:
        t = self._tally
        rate = t.all_stated / t.gate_passed
        i = self.levels.index(self.frontier)
        low, high = self.band
        to = self.frontier
        if rate >= high and i + 1 < len(self.levels):
            to = self.levels[i + 1]
        elif rate < low and i > 0:
            to = self.levels[i - 1]
        self.trace.append(LevelMove(self.recorded, self.frontier, round(rate, 4), t.gate_passed, to))
        self.frontier = to
        self._tally = _Tally()

    # ------------------------------------------------------------------ trainers
    def row(self, task: Task, system_prompt: str | None = None) -> dict[str, Any]:
        """A TRL dataset row for a task: the conversational prompt and the task's columns."""
        messages = ([{"role": "system", "content": system_prompt}] if system_prompt else [])
        return {"prompt": [*messages, {"role": "user", "content": task.prompt}], **task.columns()}

    def dataset(self, system_prompt: str | None = None) -> Any:
        """A ``datasets.IterableDataset`` of rows drawn as training reads them (TRL's ``train_dataset``).

        Give TRL ``shuffle_dataset=False``: a shuffle buffer would draw a thousand rows ahead, at the
        frontier of that moment.
        """
        from datasets import IterableDataset

        return IterableDataset.from_generator(_rows, gen_kwargs={"curriculum": _Handle(self),
                                                                  "system_prompt": system_prompt})

    def feedback(self, funcs: Sequence[Any] | None = None, spec: str | None = None) -> CurriculumFeedback:
        """The weight-0 TRL reward function that feeds each scored batch back (see the module docstring).

        Args:
            funcs: The reward functions of :func:`rewards.reward_funcs` with ``split_checks``: the
                batch is read from their shared scoring, not scored again.
            spec: Otherwise, the gated spec to score with (renders come from the render cache).
        """
        from rewards.split import RewardPart, SharedScoring

        shared = next((f.shared for f in funcs or () if isinstance(f, RewardPart)), None)
        if shared is None:
            from rewards import make_reward
            from rewards.composite import CompositeReward

            spec = spec or "gate:0.2,checks:0.8"
            composite = make_reward(spec)
            if not isinstance(composite, CompositeReward) or composite.gate is None:
                raise ValueError(f"the curriculum reads the gate and the visual checks: give a gated spec "
                                 f"such as gate:0.2,checks:0.8, not {spec!r}")
            shared = SharedScoring(composite)
        return CurriculumFeedback(_Handle(self), shared)

    def state(self) -> dict[str, Any]:
        """The frontier, the samples recorded and every move so far (JSON-ready)."""
        return {"frontier": self.frontier, "recorded": self.recorded,
                "trace": [m.__dict__ for m in self.trace]}


class _Handle:
    """The one curriculum object, handed to ``datasets`` by reference.

    ``datasets`` hashes and may copy its generator's arguments: a copy would never see the feedback.
    """

    _live: dict[int, Curriculum] = {}  # noqa: RUF012 (process-wide: the curricula this process made)

    def __init__(self, curriculum: Curriculum) -> None:
        self.key = id(curriculum)
        _Handle._live[self.key] = curriculum

    @property
    def curriculum(self) -> Curriculum:
        return _Handle._live[self.key]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_handle_of, (self.key,))


def _handle_of(key: int) -> _Handle:
    handle = object.__new__(_Handle)
    handle.key = key
    return handle


def _rows(curriculum: _Handle, system_prompt: str | None) -> Iterator[dict[str, Any]]:
    live = curriculum.curriculum
    for task in live:
        yield live.row(task, system_prompt)


class CurriculumFeedback(PicklesAsArguments):
    """A TRL reward function of weight 0: records each batch in the curriculum; its value is the level."""

    def __init__(self, curriculum: _Handle, shared: Any) -> None:
        self.handle = curriculum
        self.shared = shared
        self.__name__ = "curriculum"

    def __call__(self, completions: Sequence[Any], *, prompts: Sequence[Any] | None = None,
                 **kwargs: Any) -> list[float | None]:
        """Feed the batch back; the value is the sample's level (weight 0: it is logged, never paid)."""
        curriculum = self.handle.curriculum
        _, results, _ = self.shared.results(completions, prompts, kwargs)
        levels = _column(kwargs.get("level"), len(completions))
        curriculum.observe(levels, results)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric):
            log_metric("codepaint/curriculum/frontier", float(curriculum.frontier))
            known = [lv for lv in levels if lv is not None]
            if known:
                log_metric("codepaint/curriculum/level", sum(known) / len(known))
        return [None if lv is None else float(lv) for lv in levels]


def _column(value: Any, n: int) -> list[int | None]:
    if isinstance(value, Mapping) or value is None:
        return [None] * n
    if isinstance(value, (list, tuple)):
        return [None if v is None else int(v) for v in value]
    return [int(value)] * n
