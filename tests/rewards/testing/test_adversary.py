"""The adversary's search, on a toy vocabulary whose truth and reward are known exactly (no renders).

A picture is four digits. The oracle: the first digit is a claim (``first``: it must be 0), the
second another (``second``). The reward pays an honest picture (``0 0 . .``) 1.0 and a wrong one
0.3 plus a little for the last two digits (0.2 less when the second claim is broken too), except
one planted hole, ``3 0 9 9``, which it pays in full and which passes every stated claim by the
reward's account (a false full pass). A broken claim should cost 0.05.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from rewards.testing.adversary import Judgement, Scored, SearchSettings, search

Picture = tuple[int, int, int, int]
HOLE: Picture = (3, 0, 9, 9)
REFERENCE: Picture = (0, 0, 0, 0)


class Digits:
    """Random pictures and one-digit changes."""

    def random(self, rng: random.Random) -> Picture:
        return (rng.randrange(10), rng.randrange(10), rng.randrange(10), rng.randrange(10))

    def mutate(self, picture: Picture, rng: random.Random) -> Picture | None:
        i = rng.randrange(4)
        digits = list(picture)
        digits[i] = (digits[i] + rng.choice((-1, 1))) % 10 if rng.random() < 0.8 else rng.randrange(10)
        return (digits[0], digits[1], digits[2], digits[3])

    def key(self, picture: Picture) -> Picture:
        return picture


def judge(picture: Picture) -> Judgement:
    claims = zip(("first", "second"), picture[:2], strict=True)
    return Judgement(tuple(name for name, digit in claims if digit))


def price(picture: Picture) -> Scored:
    if picture == HOLE:
        return Scored(1.0, True)
    if not judge(picture).wrong:
        return Scored(1.0, True)
    return Scored(slope(picture), False)


def slope(picture: Picture) -> float:
    return 0.3 + 0.03 * (picture[2] + picture[3]) - 0.2 * bool(picture[1])


class Recorder:
    """The evaluate function, remembering every picture it scored (in order)."""

    def __init__(self) -> None:
        self.seen: list[Picture] = []

    def __call__(self, pictures: Sequence[Picture]) -> list[Scored]:
        self.seen += list(pictures)
        return [price(p) for p in pictures]


def run(seed: int = 0, budget: int = 600, **kwargs):
    recorder = Recorder()
    result = search(REFERENCE, Digits(), recorder, judge, reference_value=1.0,
                    cost=lambda broken: 0.05 * len(broken), settings=SearchSettings(budget=budget, seed=seed),
                    **kwargs)
    return result, recorder


def test_the_search_finds_the_planted_hole_within_its_budget():
    result, recorder = run()
    assert result.best is not None and result.best.picture == HOLE and result.best.value == 1.0
    assert result.best.broken == ("first",)
    assert result.full_pass is not None and result.full_pass.picture == HOLE
    assert result.overpaid is not None and result.overpaid.picture == HOLE
    assert result.overpaid.excess == pytest.approx(0.05)  # 1.0 - (1.0 - 0.05)
    assert result.full_passes == result.overpaid_count == 1
    assert result.evaluations == len(recorder.seen) <= 600
    assert result.evaluations_per_second > 0


def test_only_wrong_pictures_are_scored_and_each_once():
    result, recorder = run(budget=300)
    assert all(judge(p).wrong for p in recorder.seen)
    assert len(set(recorder.seen)) == len(recorder.seen)
    assert REFERENCE not in recorder.seen
    assert result.proposals >= result.evaluations + result.not_wrong


def test_a_seed_gives_the_same_search_and_another_seed_another():
    (a, seen_a), (b, seen_b) = run(seed=5, budget=150), run(seed=5, budget=150)
    _, seen_c = run(seed=6, budget=150)
    assert seen_a.seen == seen_b.seen and a.best is not None and b.best is not None
    assert (a.best.picture, a.best.value, a.evaluations) == (b.best.picture, b.best.value, b.evaluations)
    assert seen_c.seen != seen_a.seen


def test_without_the_hole_the_best_wrong_picture_is_the_top_of_the_slope():
    def plain(pictures: Sequence[Picture]) -> list[Scored]:
        return [Scored(slope(p), False) for p in pictures]

    result = search(REFERENCE, Digits(), plain, judge, reference_value=1.0, cost=lambda b: 0.05 * len(b),
                    settings=SearchSettings(budget=400, seed=1))
    assert result.best is not None and result.best.picture[1:] == (0, 9, 9)
    assert result.best.value == pytest.approx(0.84) and result.best.excess == pytest.approx(0.84 - 0.95)
    assert result.full_pass is None and result.overpaid is None and result.overpaid_count == 0


def test_a_candidate_the_confirmation_clears_gives_way_to_the_next():
    def strict(picture: Picture) -> Judgement:  # the exact oracle: the hole breaks nothing after all
        return Judgement() if picture == HOLE else judge(picture)

    result, _ = run(confirm=strict)
    assert result.best is not None and result.best.picture != HOLE and result.best.value < 1.0
    assert result.full_pass is None and result.dropped >= 1


def test_rescoring_decides_what_is_reported():
    def harsher(pictures: Sequence[Picture]) -> list[Scored]:  # at the task's own size the hole is caught
        return [Scored(0.2, False) if p == HOLE else price(p) for p in pictures]

    result, _ = run(rescore=harsher)
    assert result.best is not None and result.best.picture != HOLE
    assert result.full_pass is None and result.rescored >= 1
    assert result.best.searched is not None


class DigitsWithNeighbours(Digits):
    """The same pictures, and every one-digit change of a picture."""

    def neighbours(self, picture: Picture, rng: random.Random) -> list[Picture]:
        out = [(*picture[:i], d, *picture[i + 1:]) for i in range(4) for d in range(10) if d != picture[i]]
        rng.shuffle(out)
        return out  # type: ignore[return-value]


def test_a_hole_one_change_from_the_reference_is_found_by_the_scan():
    near: Picture = (7, 0, 0, 0)

    def holed(pictures: Sequence[Picture]) -> list[Scored]:
        return [Scored(1.0, True) if p == near else Scored(slope(p), False) for p in pictures]

    result = search(REFERENCE, DigitsWithNeighbours(), holed, judge, reference_value=1.0,
                    cost=lambda b: 0.05 * len(b), settings=SearchSettings(budget=40, scan=0.5, seed=2))
    assert result.best is not None and result.best.picture == near
    assert result.evaluations <= 40


@pytest.mark.parametrize("bad", [{"budget": 0}, {"climbers": 0}, {"max_changes": 0}, {"patience": -1},
                                 {"scan": 1.5}])
def test_settings_refuse_what_cannot_run(bad):
    with pytest.raises(ValueError):
        SearchSettings(**bad)
