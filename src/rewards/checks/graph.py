"""The claim graph: which of a task's checks a picture is paid for, given which passed.

A flat share of independent claims pays a picture that ignores the scene: one disc per colour word,
on the stated background, kept colour, ``only``, ``not_cut``, contrast and the page, and earned
0.734 of the ``shapes`` share on held-out scenes while drawing none of their kinds (issue 72). So
credit follows the scene, as GenEval counts an object right only when its kind is, and as Arena-T2I
Hard arranges a prompt's yes/no checks as a dependency graph (a failed parent zeroes its children):

* **Roots: an object's kind.** For each colour the task names, its kind claims: its ``shape``
  checks; a colour without one (a flag's band) is known by its ``aspect``, then by ``colour``
  (present); a colour with none of these by all its claims together (a conjunction, as GenEval
  counts an object: each of them pays only when all of them pass). A band known by its ``aspect``
  is known by its ``position`` with it (a conjunction too): thin stripes in common flag colours are
  horizontal bands, the right kind for every banded flag, and only where a band lies tells Hungary
  from Bulgaria. A root pays when it passes.
* **The count** pays once the kind is found; the object as stated is its kind and its count, as
  GenEval counts "two cyan squares" right only as two (one cyan square drawn for every prompt earned
  0.75 on "two cyan squares" with the kind alone; with the count a root of its own, one blob of the
  colour earned every "a cyan stripe"'s count).
* **Object claims** (``colour``, ``size``, ``aspect``, ``position`` of that colour) pay only when
  they pass and the object as stated is found (its kind and count pass).
* **An object inside another** (a relation ``inside``: a flag's emblem on its field) is found only
  with its container: every claim of the inner object waits on the container as stated too. A yellow
  disc in the middle of a white page is not Argentina's sun unless the white band it sits on is
  there; alone it paid the fact-blind picture on Argentina, Brazil and the caution light (issue 72).
  An honest picture draws both, so it is paid as before.
* **Relations** pay once both their objects are found as stated; **symmetry** once every object is.
* **The page** (``background``, ``coverage``) pays once some object is found as stated: a page with
  nothing of the scene on it is not the scene.
* **Guards** (``only``, ``not_cut``, ``contrast``, ``no_image``, and a ``count`` of none): what any
  honest picture keeps, so they earn nothing when kept; each one broken multiplies the value by
  :data:`GUARD_FACTOR`. A ``contrast`` between named areas (a die's pip against its face) is a claim
  about the picture, paid as the page is.
* Any other claim (``svg_elements``, a program's) pays when it passes.

The value is the paid claims' weight over the weight of every applied claim, times the guards'
factor. It never falls when one more check passes and never rises when one more fails (each
claim's pay is a conjunction of passes, the factor a product over failures:
``tests/rewards/checks/test_claim_graph.py`` asserts it with hypothesis, on verdicts and on
pictures). Why a graph and not GenEval's all-or-nothing per object: a scene's objects still earn
partial credit one by one (a right kind in the wrong place pays its kind), which is what a policy
can climb; and why the page waits for an object: the template adversary
(:mod:`rewards.testing.templates`) reads the background's colour word as easily as the objects'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rewards.checks.spec import Check

#: What each broken guard multiplies the value by.
GUARD_FACTOR = 0.5
#: The guards: kept by any honest picture whatever the prompt says, so a condition, not credit.
GUARD_KINDS: frozenset[str] = frozenset({"only", "not_cut", "contrast", "no_image"})
#: Claims about one colour's object, by their colour field.
OBJECT_KINDS: frozenset[str] = frozenset({"colour", "count", "size", "aspect", "position", "shape"})
#: Claims about the page: paid once some object is found.
PAGE_KINDS: frozenset[str] = frozenset({"background", "coverage"})
#: The kinds that say what an object is, in the order a colour's kind claims are chosen from.
KIND_ORDER: tuple[str, ...] = ("shape", "aspect", "colour")
#: The kind that says how many: always part of a colour's root.
COUNT = "count"


@dataclass(frozen=True)
class Node:
    """One check's place in the graph.

    Attributes:
        check: The check.
        guard: Whether it is a guard (no credit; a failure costs :data:`GUARD_FACTOR`).
        needs_all: Names of the checks that must all pass for it to pay.
        needs_any: Groups of check names, one of which must pass whole for it to pay (the page).
    """

    check: Check
    guard: bool
    needs_all: tuple[str, ...] = ()
    needs_any: tuple[tuple[str, ...], ...] = ()

    @property
    def parents(self) -> tuple[str, ...]:
        """Every check it may wait on."""
        return tuple(dict.fromkeys([*self.needs_all, *(n for g in self.needs_any for n in g)]))


def is_guard(check: Check) -> bool:
    """Whether a check is a guard: kept by any picture that draws nothing wrong, so no credit.

    The guard kinds (:data:`GUARD_KINDS`), but a ``contrast`` between named areas (a die's pip against
    its face) is a claim about the picture; and a ``count`` of none ("no red", a ``count`` or ``max``
    of 0) is a guard: any picture without that colour keeps it, so as a root it paid a blue disc on a
    stop light's card.
    """
    if check.kind == "contrast":
        return not any(check.params[side][0] == "area" for side in ("a", "b"))
    if check.kind == COUNT:
        return check.params.get("count") == 0 or check.params.get("max") == 0
    return check.kind in GUARD_KINDS


def _colour_of(check: Check) -> str | None:
    colour = check.params.get("colour")
    return None if colour is None else colour.name


def _by_colour(checks: Sequence[Check]) -> dict[str, list[Check]]:
    by_colour: dict[str, list[Check]] = {}
    for c in checks:
        if c.kind in OBJECT_KINDS and not is_guard(c) and (name := _colour_of(c)) is not None:
            by_colour.setdefault(name, []).append(c)
    return by_colour


def roots(checks: Sequence[Check]) -> dict[str, tuple[str, ...]]:
    """Each colour's kind claims, the root of its object (see the module docstring).

    A colour with no kind claim (an emblem a card states only by its count, size and place) is known by
    all its claims together: each alone paid a fact-blind picture that had the colour somewhere (a
    yellow stripe earned Brazil's "one yellow region"; the template adversary, 0.089 of the knowledge
    share from ``count`` alone).

    Returns:
        Colour name -> the names of its root's checks.
    """
    out: dict[str, tuple[str, ...]] = {}
    for colour, mine in _by_colour(checks).items():
        for kind in KIND_ORDER:
            names = tuple(c.name for c in mine if c.kind == kind)
            if names:
                if kind == "aspect":  # a band is known by its proportions and where it lies, together
                    names = (*names, *(c.name for c in mine if c.kind == "position"))
                out[colour] = names
                break
        else:  # no claim says what it is: it is what all its claims say, together
            out[colour] = tuple(c.name for c in mine)
    return out


def objects(checks: Sequence[Check]) -> dict[str, tuple[str, ...]]:
    """Each colour's object as stated: its kind claims and its count claims, which the rest waits on."""
    kinds = roots(checks)
    return {colour: tuple(dict.fromkeys([*kinds.get(colour, ()), *(c.name for c in mine if c.kind == COUNT)]))
            for colour, mine in _by_colour(checks).items() if colour in kinds}


def containers(checks: Sequence[Check]) -> dict[str, tuple[str, ...]]:
    """Each colour's containers: the colours a relation ``inside`` puts it in, and theirs, and so on."""
    direct: dict[str, list[str]] = {}
    for c in checks:
        if c.kind == "relation" and c.params.get("relation") == "inside":
            direct.setdefault(c.params["a"].name, []).append(c.params["b"].name)
    out: dict[str, tuple[str, ...]] = {}
    for colour in direct:
        seen: list[str] = []
        todo = list(direct[colour])
        while todo:
            outer = todo.pop(0)
            if outer != colour and outer not in seen:
                seen.append(outer)
                todo.extend(direct.get(outer, ()))
        out[colour] = tuple(seen)
    return out


def _housed(found: Mapping[str, tuple[str, ...]], outer: Mapping[str, tuple[str, ...]]
            ) -> dict[str, tuple[str, ...]]:
    """What each colour's claims wait on beyond its own object: its containers' objects as stated."""
    return {colour: tuple(dict.fromkeys(n for o in outer.get(colour, ()) for n in found.get(o, ())))
            for colour in found}


def build(checks: Sequence[Check]) -> list[Node]:
    """Every check's node, in the checks' order."""
    kinds, found = roots(checks), objects(checks)
    housing = _housed(found, containers(checks))
    joint = {colour for colour, mine in _by_colour(checks).items()  # known by several claims together
             if not any(c.kind in ("shape", "colour") for c in mine)}
    every = tuple(dict.fromkeys(n for names in found.values() for n in names))
    nodes = []
    for c in checks:
        if is_guard(c):
            nodes.append(Node(c, guard=True))
        elif c.kind in OBJECT_KINDS and (colour := _colour_of(c)) in kinds:
            if c.name in kinds[colour]:  # a kind claim; in a conjunction, with the others
                needs: tuple[str, ...] = (tuple(n for n in kinds[colour] if n != c.name)
                                          if colour in joint else ())
            elif c.kind == COUNT:
                needs = kinds[colour]
            else:
                needs = found[colour]
            needs = tuple(dict.fromkeys([*needs, *housing.get(colour, ())]))
            nodes.append(Node(c, guard=False, needs_all=needs))
        elif c.kind == "relation":
            both = [*found.get(c.params["a"].name, ()), *found.get(c.params["b"].name, ())]
            nodes.append(Node(c, guard=False, needs_all=tuple(dict.fromkeys(both))))
        elif c.kind == "symmetry":
            nodes.append(Node(c, guard=False, needs_all=every))
        elif c.kind in PAGE_KINDS or c.kind == "contrast":  # a contrast between areas: of the picture
            nodes.append(Node(c, guard=False, needs_any=tuple(tuple(dict.fromkeys([*names, *housing[colour]]))
                                                               for colour, names in found.items())))
        else:
            nodes.append(Node(c, guard=False))
    return nodes


@dataclass(frozen=True)
class Credit:
    """What a picture is paid, check by check.

    Attributes:
        value: The claims' paid weight over their applied weight, times the guards' factor; ``None``
            when no check applies.
        paid: Each applied claim's paid share of the value (0 for a failed or unpaid claim; guards
            are absent): these sum to ``value``.
        unpaid: Claims that passed but wait on a failed parent: name -> the failed parents' names.
        broken_guards: The names of the guards that failed.
        factor: What the broken guards multiply the claims' share by.
    """

    value: float | None
    paid: dict[str, float]
    unpaid: dict[str, tuple[str, ...]]
    broken_guards: tuple[str, ...]
    factor: float


def credit(checks: Sequence[Check], verdicts: Mapping[str, float | bool | None]) -> Credit:
    """The credit of one picture from its checks' verdicts (1/True passed, 0/False failed, ``None`` n/a).

    A verdict between 0 and 1 (a graded credit) pays that fraction of its weight, its children
    waiting on a full pass of it.
    """
    applied = [n for n in build(checks) if verdicts.get(n.check.name) is not None]
    passed = {n.check.name for n in applied if float(verdicts[n.check.name] or 0) >= 1.0}

    def open_(node: Node) -> tuple[str, ...]:
        """The parents that keep the node from paying (an empty tuple: none)."""
        missing = [p for p in node.needs_all if verdicts.get(p) is not None and p not in passed]
        groups = [[p for p in g if verdicts.get(p) is not None] for g in node.needs_any]
        groups = [g for g in groups if g]
        if groups and not any(all(p in passed for p in g) for g in groups):
            missing += [p for g in groups for p in g if p not in passed]
        return tuple(dict.fromkeys(missing))

    broken = tuple(n.check.name for n in applied if n.guard and n.check.name not in passed)
    factor = GUARD_FACTOR ** len(broken)
    claims = [n for n in applied if not n.guard]
    if not applied:
        return Credit(None, {}, {}, (), 1.0)
    total = sum(n.check.weight for n in claims)
    paid: dict[str, float] = {}
    unpaid: dict[str, tuple[str, ...]] = {}
    for n in claims:
        verdict = float(verdicts[n.check.name] or 0)
        waiting = open_(n)
        if waiting:
            paid[n.check.name] = 0.0
            if verdict > 0:
                unpaid[n.check.name] = waiting
        else:
            paid[n.check.name] = factor * n.check.weight * verdict / total
    earned = sum(n.check.weight * float(verdicts[n.check.name] or 0) for n in claims if not open_(n))
    value = min(1.0, factor * earned / total) if claims else factor  # one sum: no 1.0000000000000002
    return Credit(value, paid, unpaid, broken, factor)
