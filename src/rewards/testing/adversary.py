"""An adversary for a reward: the highest-paying picture that an oracle says is wrong.

    >>> from rewards.testing.adversary import SearchSettings, search
    >>> result = search(reference, vocabulary, evaluate, judge, reference_value=1.0,
    ...                 cost=lambda broken: 0.2 * len(broken), settings=SearchSettings(budget=500))
    ... # doctest: +SKIP
    >>> result.best.value, result.best.broken                              # doctest: +SKIP

A fixed list of hack probes tests the holes someone thought of; a policy trained on a reward
finds the others. :func:`search` looks for them the way a policy would, by trying pictures and
keeping what pays, with a ground truth beside the reward: among the pictures an **oracle** says
break at least one claim of the task (plainly: a claim too close to its threshold to call is no
verdict), it climbs towards the one the reward pays most.

Everything about pictures comes from the caller, so the search knows nothing of shapes, tasks or
renderers (``codepaint_env.tasks.shapes.adversary`` is the ``shapes`` suite's glue):

* a :class:`Vocabulary`: random pictures, one random change of a picture, a key that tells two
  pictures apart (equal keys are scored once);
* ``evaluate``: pictures to :class:`Scored` (the reward's value, and whether the picture passed
  every claim the task states, where the caller knows);
* ``judge``: a picture to a :class:`Judgement` (which claims it breaks, which are too close to
  call), fast enough to screen every proposal; ``confirm``, optionally, the exact (slower)
  verdict that the reported pictures must also get;
* ``cost``: what the broken claims should cost the picture in the reward's own units;
* ``rescore``, optionally: the score that counts for the reported pictures (the search may score
  cheaply, at a small render size, and report what the reward pays at the task's own).

First, where the vocabulary offers ``neighbours``, the reference's one-change neighbours are scored
(every kind of change early, up to ``scan`` of the budget): one change away from an honest drawing
is where a policy lives, and a hole that one change opens is found there for certain. Then hill
climbing with restarts, several climbers at once (an evolution strategy of ``(1 + 1)``
climbers): half start from the best neighbours (or the reference), half from random pictures.
Each step gives every
climber a child (one to ``max_changes`` random changes of its picture); a child the judge does not
find wrong is dropped unscored (it counts as a proposal, not an evaluation), the others are
scored in one batch, and a child at least as good as its parent (the value, then how much more
than its broken claims allow it is paid) replaces it. A climber that has not improved for
``patience`` of its own evaluations restarts: from the best picture found so far, from the
reference, or from a random picture, in turn. The search stops after ``budget`` evaluations
(pictures scored), or ``max_proposals`` proposals. With the same seed, vocabulary, judge and a
deterministic reward, it makes the same pictures in the same order.

Reported, besides the best wrong picture: the best wrong picture that passed every stated claim
(a **false full pass**), and the wrong picture paid most over ``reference - cost(broken)`` (an
**overpaid** picture: the reward took less off than its broken claims are worth). They are drawn
from the best :data:`KEPT` candidates of each kind the search scored, each confirmed and scored
again (``confirm``, ``rescore``) before it is reported.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

__all__ = ["Candidate", "Judgement", "Scored", "SearchResult", "SearchSettings", "Vocabulary", "search"]

P = TypeVar("P")
#: A paid picture within this of ``reference - cost`` is not counted as overpaid (rounding).
EPSILON = 1e-6
#: Candidates of each kind (best, false full pass, overpaid) kept for the confirmation at the end.
KEPT = 6


@dataclass(frozen=True)
class Judgement:
    """What an oracle says of a picture against the task's stated claims.

    Attributes:
        broken: The claims it plainly breaks (their names).
        ambiguous: The claims it fails too close to their threshold to call (no verdict).
    """

    broken: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()

    @property
    def wrong(self) -> bool:
        """Whether it plainly breaks at least one claim."""
        return bool(self.broken)


@dataclass(frozen=True)
class Scored:
    """What the reward made of a picture.

    Attributes:
        value: The reward's value (``None``: not judged).
        stated_pass: Whether it passed every claim the task states (``None``: not known).
    """

    value: float | None
    stated_pass: bool | None = None


class Vocabulary(Protocol[P]):
    """The pictures a search may make: the caller's (see the module docstring)."""

    def random(self, rng: random.Random, /) -> P:
        """A random picture."""
        ...

    def mutate(self, picture: P, rng: random.Random, /) -> P | None:
        """The picture with one random change (``None``: the change drawn does not apply)."""
        ...

    def key(self, picture: P, /) -> Hashable:
        """What tells two pictures apart (equal keys are the same picture, scored once)."""
        ...

    # Optional: ``neighbours(picture, rng) -> Sequence[P]``, the picture's one-change neighbours, in
    # the order to try them (every kind of change early): :func:`search` scores the reference's first.


@dataclass(frozen=True)
class SearchSettings:
    """How hard the adversary searches."""

    budget: int = field(default=2000, metadata={"help": "pictures scored (reward evaluations) at most"})
    climbers: int = field(default=6, metadata={"help": "climbers at once (half from the reference)"})
    max_changes: int = field(default=3, metadata={"help": "changes a child makes at most (1 + geometric)"})
    patience: int = field(default=0, metadata={
        "help": "a climber's evaluations without improvement before it restarts (0: budget / (3 x climbers), "
        "at least 15)"})
    max_proposals: int = field(default=0, metadata={
        "help": "proposals (judged pictures, scored or not) at most (0: 40 x budget)"})
    scan: float = field(default=0.3, metadata={
        "help": "the share of the budget the scan of the reference's one-change neighbours may use"})
    seed: int = field(default=0, metadata={"help": "seeds every random choice"})

    def __post_init__(self) -> None:
        if self.budget < 1:
            raise ValueError(f"budget must be at least 1 evaluation, not {self.budget}")
        if self.climbers < 1:
            raise ValueError(f"climbers must be at least 1, not {self.climbers}")
        if self.max_changes < 1:
            raise ValueError(f"max_changes must be at least 1, not {self.max_changes}")
        if not 0.0 <= self.scan <= 1.0:
            raise ValueError(f"scan is a share of the budget, in [0, 1], not {self.scan}")
        if self.patience < 0 or self.max_proposals < 0:
            raise ValueError("patience and max_proposals are counts (0: the default), not negative")

    @property
    def restart_after(self) -> int:
        """Evaluations without improvement before a climber restarts."""
        return self.patience or max(15, self.budget // (3 * self.climbers))

    @property
    def proposal_cap(self) -> int:
        """Proposals at most."""
        return self.max_proposals or 40 * self.budget


@dataclass
class Candidate(Generic[P]):
    """A wrong picture the search scored.

    Attributes:
        picture: The picture.
        value: The reward's value.
        broken: The claims it breaks (the judge's; after :func:`search`, the confirmation's).
        cost: What those claims are worth (``cost(broken)``).
        excess: ``value - (reference_value - cost)``: above 0, paid more than its broken claims allow.
        stated_pass: Whether it passed every stated claim (``None``: not known).
        origin: ``reference`` or ``random``: where its climber started.
        evaluation: Which evaluation it was (from 1).
        ambiguous: The claims it fails too close to call.
        searched: The value the search saw (``value`` is the rescored one, once reported).
    """

    picture: P
    value: float
    broken: tuple[str, ...]
    cost: float
    excess: float
    stated_pass: bool | None
    origin: str
    evaluation: int
    ambiguous: tuple[str, ...] = ()
    searched: float | None = None

    @property
    def fitness(self) -> tuple[float, float]:
        """What the climbers maximise: the value, then the excess."""
        return (self.value, self.excess)


@dataclass
class SearchResult(Generic[P]):
    """What :func:`search` found.

    Attributes:
        reference_value: The reward's value for the task's reference picture.
        best: The highest-paying wrong picture (``None``: no wrong picture was scored).
        full_pass: The highest-paying wrong picture that passed every stated claim (a false full pass).
        overpaid: The wrong picture with the largest excess, when that excess is above 0.
        evaluations: Pictures scored.
        proposals: Pictures proposed (judged).
        not_wrong: Proposals the judge found break no claim (dropped unscored).
        full_passes: Scored wrong pictures that passed every stated claim (as the search scored them).
        overpaid_count: Scored wrong pictures paid more than ``reference_value - cost`` (as the search
            scored them).
        unjudged: Scored pictures the reward did not judge (``None``).
        dropped: Candidates the confirmation found not wrong after all.
        rescored: Candidates scored again for the report.
        seconds: Wall time of the search.
    """

    reference_value: float
    best: Candidate[P] | None = None
    full_pass: Candidate[P] | None = None
    overpaid: Candidate[P] | None = None
    evaluations: int = 0
    proposals: int = 0
    not_wrong: int = 0
    full_passes: int = 0
    overpaid_count: int = 0
    unjudged: int = 0
    dropped: int = 0
    rescored: int = 0
    seconds: float = 0.0

    @property
    def evaluations_per_second(self) -> float:
        """Pictures scored per second of search."""
        return self.evaluations / self.seconds if self.seconds > 0 else 0.0


@dataclass
class _Climber(Generic[P]):
    origin: str
    start: P
    current: Candidate[P] | None = None
    stale: int = 0
    fresh: bool = True  # its start picture has not been proposed yet (random starts)


def search(reference: P, vocabulary: Vocabulary[P], evaluate: Callable[[Sequence[P]], Sequence[Scored]],
           judge: Callable[[P], Judgement], *, reference_value: float,
           cost: Callable[[tuple[str, ...]], float], settings: SearchSettings | None = None,
           confirm: Callable[[P], Judgement] | None = None,
           rescore: Callable[[Sequence[P]], Sequence[Scored]] | None = None) -> SearchResult[P]:
    """Search for the highest-paying wrong picture (see the module docstring).

    Args:
        reference: The task's reference picture (honest: the judge finds it breaks nothing).
        vocabulary: Random pictures and changes (and, optionally, ``neighbours``).
        evaluate: Scores a batch of pictures (one :class:`Scored` each, in order).
        judge: The oracle's verdict on a picture, for every proposal.
        reference_value: The reward's value for the reference.
        cost: What a set of broken claims should cost, in the reward's units.
        settings: Budget, climbers, seed (default :class:`SearchSettings`).
        confirm: The exact verdict the reported pictures must get (default: the judge's stands).
        rescore: The score that counts for the reported pictures (default: the search's stands).

    Returns:
        The best, false-full-pass and overpaid candidates, and the counts.
    """
    s = settings or SearchSettings()
    rng = random.Random(f"adversary-{s.seed}")
    t0 = time.perf_counter()
    run = _Run(SearchResult(reference_value), vocabulary, evaluate, judge, cost, reference_value, s)
    scanned = run.scan(reference, rng)
    climbers = []
    for i in range(s.climbers):
        if i % 2 == 0:
            start = scanned[i // 2] if i // 2 < len(scanned) else None
            climbers.append(_Climber("reference", reference, current=start, fresh=False))
        else:
            climbers.append(_Climber("random", vocabulary.random(rng)))
    while run.room():
        batch: list[tuple[_Climber[P], P]] = []
        for climber in climbers:
            if not run.room(len(batch)):
                break
            child = _propose(climber, vocabulary, rng, s.max_changes)
            known = run.propose(child, [p for _, p in batch])
            if isinstance(known, Candidate):
                _step(climber, known)
            elif known is _NEW and child is not None:
                batch.append((climber, child))
        for (climber, _), cand in zip(batch, run.score([p for _, p in batch], [c.origin for c, _ in batch]),
                                      strict=True):
            if cand is None:
                climber.stale += 1
            else:
                _step(climber, cand)
        for i, climber in enumerate(climbers):
            if climber.stale >= s.restart_after:
                climbers[i] = _restart(climber, i, reference, vocabulary, rng, run.kept["best"])
    run.out.seconds = time.perf_counter() - t0
    _report(run.out, run.kept, confirm, rescore, cost, reference_value)
    return run.out


_NEW = object()  # a proposal to score


class _Run(Generic[P]):
    """One search's state: what was judged and scored, and the candidates kept."""

    def __init__(self, out: SearchResult[P], vocabulary: Vocabulary[P],
                 evaluate: Callable[[Sequence[P]], Sequence[Scored]], judge: Callable[[P], Judgement],
                 cost: Callable[[tuple[str, ...]], float], reference_value: float,
                 settings: SearchSettings) -> None:
        self.out, self.vocabulary, self.evaluate, self.judge = out, vocabulary, evaluate, judge
        self.cost, self.reference_value, self.settings = cost, reference_value, settings
        self.seen: dict[Hashable, Candidate[P] | None] = {}  # key -> candidate (None: not wrong, unjudged)
        self.verdicts: dict[Hashable, Judgement] = {}
        self.kept: dict[str, list[Candidate[P]]] = {"best": [], "full_pass": [], "overpaid": []}

    def room(self, pending: int = 0) -> bool:
        """Whether another evaluation (after ``pending`` ones) and another proposal fit the budget."""
        s = self.settings
        return self.out.evaluations + pending < s.budget and self.out.proposals < s.proposal_cap

    def propose(self, picture: P | None, pending: Sequence[P]) -> Candidate[P] | object | None:
        """Judge a proposal: its candidate when already scored, ``_NEW`` to score it, else ``None``."""
        self.out.proposals += 1
        if picture is None:
            return None
        key = self.vocabulary.key(picture)
        if key in self.seen:
            return self.seen[key]
        if any(self.vocabulary.key(p) == key for p in pending):
            return None
        verdict = self.judge(picture)
        if not verdict.wrong:
            self.seen[key] = None
            self.out.not_wrong += 1
            return None
        self.verdicts[key] = verdict
        return _NEW

    def score(self, pictures: Sequence[P], origins: Sequence[str]) -> list[Candidate[P] | None]:
        """Score judged-wrong pictures in one batch; their candidates (``None``: not judged)."""
        if not pictures:
            return []
        scores = list(self.evaluate(pictures))
        if len(scores) != len(pictures):
            raise ValueError(f"evaluate returned {len(scores)} scores for {len(pictures)} pictures")
        out: list[Candidate[P] | None] = []
        for picture, origin, scored in zip(pictures, origins, scores, strict=True):
            self.out.evaluations += 1
            key = self.vocabulary.key(picture)
            if scored.value is None or not math.isfinite(scored.value):
                self.out.unjudged += 1
                self.seen[key] = None
                out.append(None)
                continue
            verdict = self.verdicts.pop(key)
            spent = float(self.cost(verdict.broken))
            value = float(scored.value)
            cand = Candidate(picture, value, verdict.broken, spent, value - (self.reference_value - spent),
                             scored.stated_pass, origin, self.out.evaluations, verdict.ambiguous)
            self.seen[key] = cand
            self.out.full_passes += bool(cand.stated_pass)
            self.out.overpaid_count += cand.excess > EPSILON
            _keep(self.kept, cand)
            out.append(cand)
        return out

    def scan(self, reference: P, rng: random.Random) -> list[Candidate[P]]:
        """Score the reference's one-change neighbours (up to ``scan`` of the budget); the best first."""
        neighbours = getattr(self.vocabulary, "neighbours", None)
        if neighbours is None or self.settings.scan <= 0:
            return []
        cap = max(1, int(self.settings.scan * self.settings.budget))
        found: list[Candidate[P]] = []
        batch: list[P] = []
        for picture in neighbours(reference, rng):
            if self.out.evaluations + len(batch) >= cap or not self.room(len(batch)):
                break
            if self.propose(picture, batch) is _NEW:
                batch.append(picture)
            if len(batch) == self.settings.climbers:
                found += [c for c in self.score(batch, ["reference"] * len(batch)) if c is not None]
                batch = []
        found += [c for c in self.score(batch, ["reference"] * len(batch)) if c is not None]
        return sorted(found, key=lambda c: (c.fitness, -c.evaluation), reverse=True)


def _propose(climber: _Climber[P], vocabulary: Vocabulary[P], rng: random.Random,
             max_changes: int) -> P | None:
    """A child of the climber's picture (a random start's own picture first)."""
    if climber.fresh and climber.origin == "random":
        climber.fresh = False
        return climber.start
    picture = climber.current.picture if climber.current is not None else climber.start
    changes = 1
    while changes < max_changes and rng.random() < 0.5:
        changes += 1
    child: P | None = picture
    for _ in range(changes):
        child = vocabulary.mutate(child, rng) if child is not None else None
    return child


def _step(climber: _Climber[P], cand: Candidate[P]) -> None:
    """Accept the child when it is at least as good as the climber's picture."""
    if climber.current is None or cand.fitness > climber.current.fitness:
        climber.current, climber.stale = cand, 0
    elif cand.fitness == climber.current.fitness:
        climber.current = cand  # drift along a plateau
        climber.stale += 1
    else:
        climber.stale += 1


def _restart(old: _Climber[P], index: int, reference: P, vocabulary: Vocabulary[P], rng: random.Random,
             best: list[Candidate[P]]) -> _Climber[P]:
    """A climber started afresh: from the best so far, the reference or a random picture, in turn."""
    turn = rng.randrange(3)
    if turn == 0 and best:
        top = best[0]
        return _Climber(top.origin, top.picture, current=top, fresh=False)
    if turn == 1 or (turn == 0 and index % 2 == 0):
        return _Climber("reference", reference, fresh=False)
    return _Climber("random", vocabulary.random(rng))


def _keep(kept: dict[str, list[Candidate[P]]], cand: Candidate[P]) -> None:
    """Keep the candidate in each list it ranks in (best by fitness, full passes, overpaid by excess)."""
    lists: list[tuple[str, Callable[[Candidate[P]], tuple[float, float]]]] = [("best", lambda c: c.fitness)]
    if cand.stated_pass:
        lists.append(("full_pass", lambda c: c.fitness))
    if cand.excess > EPSILON:
        lists.append(("overpaid", lambda c: (c.excess, c.value)))
    for name, rank in lists:
        group = kept[name]
        group.append(cand)
        group.sort(key=lambda c: (rank(c), -c.evaluation), reverse=True)
        del group[KEPT:]


def _report(out: SearchResult[P], kept: dict[str, list[Candidate[P]]],
            confirm: Callable[[P], Judgement] | None,
            rescore: Callable[[Sequence[P]], Sequence[Scored]] | None,
            cost: Callable[[tuple[str, ...]], float], reference_value: float) -> None:
    """Confirm and rescore the kept candidates; report the best, false full pass and overpaid among them."""
    pool = list({c.evaluation: c for group in kept.values() for c in group}.values())
    pool.sort(key=lambda c: c.evaluation)
    if confirm is not None:
        checked = []
        for c in pool:
            verdict = confirm(c.picture)
            if not verdict.wrong:
                out.dropped += 1
                continue
            checked.append(Candidate(c.picture, c.value, verdict.broken, float(cost(verdict.broken)), 0.0,
                                     c.stated_pass, c.origin, c.evaluation, verdict.ambiguous))
        pool = checked
    for c in pool:
        c.searched = c.value
    if rescore is not None and pool:
        again = list(rescore([c.picture for c in pool]))
        out.rescored = len(pool)
        kept_pool = []
        for c, scored in zip(pool, again, strict=True):
            if scored.value is None or not math.isfinite(scored.value):
                continue
            c.value, c.stated_pass = float(scored.value), scored.stated_pass
            kept_pool.append(c)
        pool = kept_pool
    for c in pool:
        c.excess = c.value - (reference_value - c.cost)
    order = sorted(pool, key=lambda c: (c.fitness, -c.evaluation), reverse=True)
    out.best = order[0] if order else None
    out.full_pass = next((c for c in order if c.stated_pass), None)
    overpaid = sorted((c for c in pool if c.excess > EPSILON),
                      key=lambda c: (c.excess, c.value, -c.evaluation), reverse=True)
    out.overpaid = overpaid[0] if overpaid else None
