"""The invariants :func:`rewards.testing.check_reward` checks, one function each.

Each invariant is an :class:`Invariant`: a name, when it applies (from what the reward declares),
the strategy its examples come from, and a function that returns ``None`` when the example keeps
it or a :class:`Broken` saying how the reward broke it (and which sample shows it).
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from rewards.base import RewardResult, Sample
from rewards.testing.programs import decorate
from rewards.testing.strategies import pictures, samples

#: Two values this close are equal: a reward computed in another order or batch may differ in the last
#: bits (float32 inference batched differently differs in the 7th digit; a real bug is far larger).
TOLERANCE = 1e-6


@dataclass
class Broken:
    """How an example breaks an invariant: what happened, and the sample that shows it."""

    why: str
    index: int | None = None


@dataclass
class Invariant:
    """One property a trainer relies on.

    Attributes:
        name: Its name in reports and errors (``finite_in_range``, ...).
        description: What it asks of the reward, in one line.
        skip: Why it does not apply to a reward (``None``: it applies).
        examples: The strategy of examples (a batch of samples, or a tuple with one).
        holds: ``None`` when the example keeps the invariant, else :class:`Broken`.
        budget: The share of ``check_reward(examples=...)`` it runs (1: all; costlier ones fewer).
    """

    name: str
    description: str
    skip: Callable[[Any], str | None]
    examples: Callable[[Any], st.SearchStrategy[Any]]
    holds: Callable[[Any, Any], Broken | None]
    budget: float = 1.0


def declared_range(reward: Any) -> tuple[float, float]:
    """The reward's ``value_range`` as two floats (``(0, 1)`` when it declares none)."""
    lo, hi = getattr(reward, "value_range", (0.0, 1.0))
    return float(lo), float(hi)


#: Values already computed, per reward and batch, while :func:`remembering` is on.
_memo: dict[tuple[int, tuple[Any, ...]], list[RewardResult]] | None = None


@contextlib.contextmanager
def remembering() -> Iterator[None]:
    """Remember values while checking: :func:`scored` scores a batch once per deterministic reward.

    The invariants share examples (the same seed draws the same batches). The ``deterministic``
    and ``no_mutation`` invariants always score afresh.
    """
    global _memo
    _memo = {}
    try:
        yield
    finally:
        _memo = None


def batch_key(batch: Sequence[Sample]) -> tuple[Any, ...]:
    """What a deterministic reward's values depend on: each sample's program, prompt, columns, pixels."""
    def render(r: Any) -> Any:
        return None if r is None else (r.ok, r.error_kind, r.sha256, tuple(r.messages))

    return tuple((s.code, s.language, s.prompt, json.dumps(s.meta, sort_keys=True, default=repr),
                  render(s.render), render(s.previous)) for s in batch)


def scored(reward: Any, batch: Sequence[Sample], *, fresh: bool = False) -> list[RewardResult]:
    """``reward.score(batch)`` on a copy of the batch (the caller's samples stay as drawn).

    Args:
        reward: The reward.
        batch: The samples.
        fresh: Score again even when :func:`remembering` holds the values.
    """
    remember = _memo is not None and not fresh and _is_deterministic(reward)
    key = (id(reward), batch_key(batch)) if remember else None
    if _memo is not None and key is not None and key in _memo:
        return list(_memo[key])
    out = list(reward.score(copy.deepcopy(list(batch))))
    if _memo is not None and key is not None and len(out) == len(batch):
        _memo[key] = list(out)
    return out


def values(results: Sequence[Any]) -> list[float | None]:
    """The values of results (a bare number passes as itself)."""
    return [r.value if isinstance(r, RewardResult) else r for r in results]


def same(a: float | None, b: float | None) -> bool:
    """Equal values (``None`` only equals ``None``; numbers within :data:`TOLERANCE`)."""
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _first_difference(a: Sequence[float | None], b: Sequence[float | None]) -> int | None:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=True)) if not same(x, y)), None)


def _is_deterministic(reward: Any) -> bool:
    return bool(getattr(reward, "deterministic", True))


def _groups(reward: Any) -> bool:
    return bool(getattr(reward, "scores_groups", False))


def _batches(reward: Any) -> st.SearchStrategy[list[Sample]]:
    return samples(max_size=6)


def _never(reward: Any) -> str | None:
    return None


# ---------------------------------------------------------------------- the invariants
def one_value_per_sample(reward: Any, batch: list[Sample]) -> Broken | None:
    """One :class:`RewardResult` per sample, in order."""
    out = scored(reward, batch)
    if len(out) != len(batch):
        return Broken(f"score() returned {len(out)} results for {len(batch)} samples")
    wrong = next((i for i, r in enumerate(out) if not isinstance(r, RewardResult)), None)
    if wrong is not None:
        got = f"{type(out[wrong]).__name__} {out[wrong]!r}"
        return Broken(f"score() returned {got}, not a RewardResult", wrong)
    return None


def finite_in_range(reward: Any, batch: list[Sample]) -> Broken | None:
    """Every value finite or ``None``, inside the declared ``value_range``."""
    lo, hi = declared_range(reward)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
        return Broken(f"value_range {(lo, hi)} is not two finite numbers, low first")
    for i, v in enumerate(values(scored(reward, batch))):
        if v is None:
            continue
        if not isinstance(v, (int, float)) or not math.isfinite(v):
            return Broken(f"value {v!r} is not a finite number or None", i)
        if not lo - TOLERANCE <= v <= hi + TOLERANCE:
            return Broken(f"value {v!r} is outside the declared value_range {(lo, hi)}", i)
    return None


def infra_not_judged(reward: Any, batch: list[Sample]) -> Broken | None:
    """An ``infra`` render (the infrastructure failed, not the program) gets ``None``."""
    for i, (s, r) in enumerate(zip(batch, scored(reward, batch), strict=True)):
        if s.render.error_kind == "infra" and r.value is not None:
            return Broken(f"an infra render (the infrastructure failed, not the program) got {r.value!r}, "
                          "not None", i)
    return None


def failed_render_never_outscores(reward: Any, batch: list[Sample]) -> Broken | None:
    """No failed render scores above a picture (within one prompt's group for group rewards)."""
    results = values(scored(reward, batch))
    groups: dict[Any, list[int]] = {}
    for i, s in enumerate(batch):
        groups.setdefault(s.prompt if _groups(reward) else None, []).append(i)
    for members in groups.values():
        ok = [i for i in members if batch[i].ok and results[i] is not None]
        bad = [i for i in members if not batch[i].ok and batch[i].render.error_kind != "infra"
               and results[i] is not None]
        if ok and bad:
            worst_ok = min(ok, key=lambda i: results[i])  # type: ignore[arg-type, return-value]
            best_bad = max(bad, key=lambda i: results[i])  # type: ignore[arg-type, return-value]
            if results[best_bad] > results[worst_ok] + TOLERANCE:  # type: ignore[operator]
                kind = batch[best_bad].render.error_kind
                return Broken(f"a failed render ({kind}) got {results[best_bad]!r}, more than a picture's "
                              f"{results[worst_ok]!r} (sample {worst_ok})", best_bad)
    return None


def permutation_equivariant(reward: Any, drawn: tuple[list[Sample], list[int]]) -> Broken | None:
    """Scoring the batch reordered gives the values reordered."""
    batch, order = drawn
    before = values(scored(reward, batch))
    after = values(scored(reward, [batch[i] for i in order]))
    wrong = _first_difference([before[i] for i in order], after)
    if wrong is not None:
        return Broken(f"sample {order[wrong]} got {before[order[wrong]]!r} in the batch's order and "
                      f"{after[wrong]!r} when the batch was reordered as {order}", order[wrong])
    return None


def _permuted(reward: Any) -> st.SearchStrategy[tuple[list[Sample], list[int]]]:
    return samples(min_size=2, max_size=6).flatmap(
        lambda b: st.tuples(st.just(b), st.permutations(range(len(b)))))


def same_input_same_value(reward: Any, batch: list[Sample]) -> Broken | None:
    """The same batch scored twice gives the same values."""
    first, second = values(scored(reward, batch, fresh=True)), values(scored(reward, batch, fresh=True))
    wrong = _first_difference(first, second)
    if wrong is not None:
        return Broken(f"the same batch scored twice gave {first[wrong]!r}, then {second[wrong]!r}", wrong)
    return None


def does_not_mutate_samples(reward: Any, batch: list[Sample]) -> Broken | None:
    """``score`` leaves the program, prompt, columns and renders of its samples as they were."""
    mine = copy.deepcopy(batch)
    before = [fingerprint(s) for s in mine]
    reward.score(mine)
    for i, (s, was) in enumerate(zip(mine, before, strict=True)):
        now = fingerprint(s)
        if now != was:
            changed = [k for k in was if was[k] != now[k]]
            return Broken(f"score() changed the sample's {', '.join(changed)}", i)
    return None


def fingerprint(s: Sample) -> dict[str, Any]:
    """What a reward must leave as it found it: the program, prompt, columns and renders."""
    def render(r: Any) -> Any:
        return None if r is None else (r.ok, r.error_kind, r.png, r.sha256, tuple(r.messages), r.language)

    return {"code": s.code, "language": s.language, "prompt": s.prompt,
            "meta": pickle.dumps(s.meta), "render": render(s.render), "previous": render(s.previous)}


def batch_of_one(reward: Any, batch: list[Sample]) -> Broken | None:
    """Each sample scored alone gets the value it got inside the batch."""
    together = values(scored(reward, batch))
    for i, s in enumerate(batch):
        [alone] = values(scored(reward, [s]))
        if not same(alone, together[i]):
            return Broken(f"sample {i} got {together[i]!r} in a batch of {len(batch)} and {alone!r} alone", i)
    return None


def pickle_round_trip(reward: Any, batch: list[Sample]) -> Broken | None:
    """The reward pickles; its copy keeps its name and (if deterministic) its values."""
    try:
        twin = pickle.loads(pickle.dumps(reward))
    except Exception as e:
        return Broken(f"the reward does not survive pickle (a trainer sends it to workers): "
                      f"{type(e).__name__}: {e}")
    if getattr(twin, "__name__", None) != getattr(reward, "__name__", None):
        return Broken(f"its __name__ changed from {reward.__name__!r} to {getattr(twin, '__name__', None)!r}")
    if not _is_deterministic(reward):
        return None
    mine, theirs = values(scored(reward, batch)), values(scored(twin, batch))
    wrong = _first_difference(mine, theirs)
    if wrong is not None:
        return Broken(f"the unpickled copy gave {theirs[wrong]!r} where the reward gave {mine[wrong]!r}",
                      wrong)
    return None


def ignores_comments(reward: Any, drawn: tuple[Sample, str, int]) -> Broken | None:
    """A comment and whitespace added to a picture's program change no value."""
    s, comment, spaces = drawn
    twin = copy.deepcopy(s)
    twin.code = decorate(s.code, s.language, comment, spaces)
    plain, commented = values(scored(reward, [s])), values(scored(reward, [twin]))
    if not same(plain[0], commented[0]):
        return Broken(f"the same picture got {plain[0]!r}, and {commented[0]!r} once a comment "
                      f"({comment!r}) and {spaces} spaces were added to its program", 0)
    return None


def _commented(reward: Any) -> st.SearchStrategy[tuple[Sample, str, int]]:
    one = samples(min_size=1, max_size=1, failures=False, infra=False).map(lambda b: b[0])
    text = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=40)
    return st.tuples(one, text, st.integers(0, 6))


def _reads_code(reward: Any) -> str | None:
    if getattr(reward, "reads_code", False):
        return "the reward declares reads_code = True (it may score the program's text)"
    return None


def pairwise_symmetric(reward: Any, pair: tuple[Any, Any]) -> Broken | None:
    """``compare(a, a)`` is a tie; ``compare(a, b)`` and ``compare(b, a)`` sum to 1."""
    a, b = pair
    tie = reward.compare(a, a.copy())
    if not same(getattr(tie, "score", tie), 0.5):
        return Broken(f"compare(a, a) gave {getattr(tie, 'score', tie)!r}, not a tie (0.5)")
    ab, ba = reward.compare(a, b), reward.compare(b, a)
    ab, ba = getattr(ab, "score", ab), getattr(ba, "score", ba)
    if ab is not None and ba is not None and not same(ab, 1 - ba):
        return Broken(f"compare(a, b) gave {ab!r} and compare(b, a) {ba!r}: they should sum to 1")
    return None


def _no_compare(reward: Any) -> str | None:
    if callable(getattr(reward, "compare", None)):
        return None
    return "not a pairwise judge (no compare(first, second) method)"


def _pairs(reward: Any) -> st.SearchStrategy[tuple[Any, Any]]:
    return st.tuples(pictures("painting"), pictures())


def _nondeterministic(reward: Any) -> str | None:
    return None if _is_deterministic(reward) else "the reward declares deterministic = False"


def _group_or_nondeterministic(reward: Any) -> str | None:
    if _groups(reward):
        return "the reward declares scores_groups = True (a sample's value depends on its group)"
    return _nondeterministic(reward)


#: In the order they are checked: a root cause (nondeterminism, mutation) before what it breaks.
INVARIANTS: tuple[Invariant, ...] = (
    Invariant("one_value_per_sample", "score() returns one RewardResult per sample, in order",
              _never, _batches, one_value_per_sample),
    Invariant("finite_in_range", "every value is finite or None, inside the declared value_range",
              _never, _batches, finite_in_range),
    Invariant("infra_not_judged", "a render the infrastructure could not do gets None",
              _never, _batches, infra_not_judged),
    Invariant("deterministic", "the same batch twice gives the same values",
              _nondeterministic, _batches, same_input_same_value),
    Invariant("no_mutation", "score() leaves its samples as it found them",
              _never, _batches, does_not_mutate_samples),
    Invariant("pickle_round_trip", "the reward pickles, and its unpickled copy scores as it does",
              _never, _batches, pickle_round_trip, budget=0.2),
    Invariant("failed_render_never_outscores", "a failed render never scores above a picture"
              " (within a prompt's group for group rewards)", _never, _batches,
              failed_render_never_outscores),
    Invariant("permutation_equivariant", "reordering the batch reorders the values",
              _nondeterministic, _permuted, permutation_equivariant),
    Invariant("batch_of_one", "a sample alone gets the value it gets inside a batch",
              _group_or_nondeterministic, _batches, batch_of_one, budget=0.5),
    Invariant("ignores_comments", "a comment or whitespace added to the program changes no value",
              _reads_code, _commented, ignores_comments),
    Invariant("pairwise_symmetry", "compare(a, a) is a tie and compare(a, b) == 1 - compare(b, a)",
              _no_compare, _pairs, pairwise_symmetric, budget=0.5),
)
