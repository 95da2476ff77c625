r"""A ``shapes`` prompt read by a grammar of its own: what the honest artist (:mod:`.honest`) is asked for.

The honest artist stands in for a person who reads the prompt and draws it, so it reads only the
prompt's words, never the generator's scene: this module and :mod:`.honest` import nothing from
:mod:`codepaint_env.tasks` (the ``rewards`` package sits below the tasks layer, and the import
contract in pyproject.toml keeps it there). The grammar::

    prompt      := "Draw " scene " on " a-or-an COLOUR " background, " MEDIUM ". No text." [defined]
    scene       := things [reach] [where] [spacing]
                 | things RELATION things [where]              (above, below, to the left of,
                                                                to the right of, touching, inside)
                 | things " between " things " in a mirror-symmetric row " ROW
    things      := NUMBER [SIZE] ["horizontal"] COLOUR KIND    (a, an, one ... four; small, large;
                                                                circle, square, triangle, star,
                                                                ring, stripe, wave; plural after 2+)
    reach       := (", " | " (") ("at most" | "at least") FRACTION " the canvas across" ("," | ")")
    where       := " in the top-left corner" | ... | " in the centre" | " in a row along the top"
                 | " in a row across the middle" | " in a column down the left side" | ...
                 | " in the top half" | " on the left half" | ...
    spacing     := ", evenly spaced from top to bottom" | ", one under the other"   (until suite v4)
    defined     := " (cream is #fff3d6.)" | " Define these colours first: \definecolor{..}{HTML}{..}"

A prompt the grammar cannot read raises :class:`PromptError` naming the words it could not read,
so a new prompt form is noticed rather than drawn wrongly.

What the words mean for a drawing (the artist's reading, decided here and documented in
docs/honest-drawings.md): a size word with a stated reach ("at most a fifth of the canvas
across") bounds the object's box's longer side; ``small`` without one (the object inside another)
is small *for its container*; a named area holds each object's whole box (``in the centre``: its
box in the middle ninth, or a larger object centred near the middle of the canvas); a row or a
column lines its objects up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rewards.checks.colour_names import TERMS

#: The object kinds, singular -> plural.
KINDS: dict[str, str] = {"circle": "circles", "square": "squares", "triangle": "triangles", "star": "stars",
                         "ring": "rings", "stripe": "stripes", "wave": "waves"}
#: The kinds that span the canvas's width.
BAND_KINDS: frozenset[str] = frozenset({"stripe", "wave"})
NUMBERS: dict[str, int] = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
SIZE_WORDS: tuple[str, ...] = ("small", "large")
#: What "small" and "large" mean when the prompt states no reach (prompts before suite version 4):
#: the reach version 4 states for them.
UNSTATED_REACH: dict[str, tuple[float | None, float | None]] = {"small": (None, 0.2), "large": (0.5, None)}
FRACTIONS: dict[str, float] = {
    "half": 1 / 2, "a third of": 1 / 3, "a quarter of": 1 / 4, "a fifth of": 1 / 5, "a sixth of": 1 / 6,
    "a tenth of": 1 / 10, "two thirds of": 2 / 3, "three quarters of": 3 / 4, "two fifths of": 2 / 5,
    "three fifths of": 3 / 5}
_T = 1 / 3
#: Where words put objects: ``words -> (name, (left, top, right, bottom), arrangement)``; the
#: arrangement is ``free``, ``row`` (lined up across), ``column`` (lined up down) or ``centre``.
WHERE: dict[str, tuple[str, tuple[float, float, float, float], str]] = {
    "in the top-left corner": ("top-left corner", (0, 0, _T, _T), "free"),
    "in the top-right corner": ("top-right corner", (2 * _T, 0, 1, _T), "free"),
    "in the bottom-left corner": ("bottom-left corner", (0, 2 * _T, _T, 1), "free"),
    "in the bottom-right corner": ("bottom-right corner", (2 * _T, 2 * _T, 1, 1), "free"),
    "in the centre": ("centre", (_T, _T, 2 * _T, 2 * _T), "centre"),
    "in the center": ("centre", (_T, _T, 2 * _T, 2 * _T), "centre"),
    "in the middle": ("centre", (_T, _T, 2 * _T, 2 * _T), "centre"),
    "in a row along the top": ("top row", (0, 0, 1, _T), "row"),
    "in a row across the middle": ("middle row", (0, _T, 1, 2 * _T), "row"),
    "in a row along the bottom": ("bottom row", (0, 2 * _T, 1, 1), "row"),
    "in a column down the left side": ("left column", (0, 0, _T, 1), "column"),
    "in a column down the middle": ("middle column", (_T, 0, 2 * _T, 1), "column"),
    "in a column down the right side": ("right column", (2 * _T, 0, 1, 1), "column"),
    **{f"{p} the {side} half": (f"{side} half", box, "free")
       for p in ("in", "on")
       for side, box in (("top", (0, 0, 1, 0.5)), ("bottom", (0, 0.5, 1, 1)),
                         ("left", (0, 0, 0.5, 1)), ("right", (0.5, 0, 1, 1)))},
}
#: The rows a mirror-symmetric row may run along.
ROWS: dict[str, str] = {"along the top": "in a row along the top",
                        "across the middle": "in a row across the middle",
                        "along the bottom": "in a row along the bottom"}
RELATIONS: dict[str, str] = {"above": "above", "below": "below", "to the left of": "left_of",
                             "to the right of": "right_of", "touching": "touching", "inside": "inside"}
_COLOURS = sorted({*TERMS, "gray"}, key=len, reverse=True)
_COLOUR = "(?:" + "|".join(_COLOURS) + ")"
_KIND = "(?:" + "|".join(sorted([*KINDS, *KINDS.values()], key=len, reverse=True)) + ")"
_THINGS = re.compile(
    rf"(?P<number>{'|'.join(NUMBERS)}) (?:(?P<size>{'|'.join(SIZE_WORDS)}) )?(?P<horizontal>horizontal )?"
    rf"(?P<colour>{_COLOUR}) (?P<kind>{_KIND})\b")
_REACH = re.compile(rf"(?P<open>, |\s\()(?P<bound>at most|at least) (?P<fraction>{'|'.join(FRACTIONS)}) "
                    r"the canvas across(?P<close>,|\))")
_SPACING = {", evenly spaced from top to bottom": "even", ", one under the other": "stacked"}
_ITEM = r"[a-z]+ is #[0-9a-fA-F]{6}"
_DEFINED_CSS = re.compile(rf"^\s*\((?P<items>{_ITEM}(?:, {_ITEM})*)\.\)\s*$")
_DEFINED_TIKZ = re.compile(r"\\definecolor\{(?P<name>[a-z]+)\}\{HTML\}\{(?P<hex>[0-9a-fA-F]{6})\}")


class PromptError(ValueError):
    """A prompt the grammar cannot read: the message quotes the words it stopped at."""


@dataclass(frozen=True)
class Things:
    """Objects of one colour and kind, as the words ask for them.

    Attributes:
        count: How many.
        colour: The colour term.
        kind: One of :data:`KINDS`.
        size: ``""``, ``small`` or ``large``.
        min_reach: The least reach across the canvas the words state (box's longer side, a fraction).
        max_reach: The most.
        reach_stated: Whether the words state the reach ("at most a fifth of the canvas across").
    """

    count: int
    colour: str
    kind: str
    size: str = ""
    min_reach: float | None = None
    max_reach: float | None = None
    reach_stated: bool = False

    @property
    def band(self) -> bool:
        """Whether they span the canvas (stripes, waves)."""
        return self.kind in BAND_KINDS


@dataclass(frozen=True)
class Where:
    """A named area: its words, its box ``(left, top, right, bottom)`` and how objects line up in it."""

    name: str
    box: tuple[float, float, float, float]
    arrangement: str


@dataclass(frozen=True)
class Request:
    """What a prompt asks for.

    Attributes:
        prompt: The prompt.
        background: The background's colour term.
        groups: The objects, first the subject (``a`` in a relation), then the other.
        relation: ``above``, ``below``, ``left_of``, ``right_of``, ``touching``, ``inside``,
            ``between`` (the first group between two of the second) or ``None``.
        where: Where the objects are (for ``inside``: the pair; for ``between``: the row).
        spacing: ``even`` or ``stacked`` (stripes' and waves' words until suite version 4), or ``""``.
        defined: Colours the prompt defines, ``term -> #rrggbb``.
    """

    prompt: str
    background: str
    groups: tuple[Things, ...]
    relation: str | None = None
    where: Where | None = None
    spacing: str = ""
    defined: dict[str, str] = field(default_factory=dict)

    @property
    def colours(self) -> tuple[str, ...]:
        """The object colours, in order, once each."""
        return tuple(dict.fromkeys(g.colour for g in self.groups))


def _term(word: str) -> str:
    return "grey" if word == "gray" else word


class _Reader:
    """A cursor over the description: each step reads words at the cursor or raises :class:`PromptError`."""

    def __init__(self, text: str, prompt: str) -> None:
        self.text, self.prompt, self.at = text, prompt, 0

    @property
    def rest(self) -> str:
        return self.text[self.at:]

    def fail(self, what: str) -> PromptError:
        rest = self.rest or "(the end)"
        return PromptError(f"could not read {rest!r} (expected {what}) in {self.prompt!r}")

    def literal(self, *options: str) -> str | None:
        for option in sorted(options, key=len, reverse=True):
            if self.rest.startswith(option):
                self.at += len(option)
                return option
        return None

    def things(self) -> Things:
        m = _THINGS.match(self.rest)
        if m is None:
            raise self.fail("a number, a colour and a kind, e.g. 'three yellow stars'")
        count, kind_word = NUMBERS[m["number"]], m["kind"]
        plural = kind_word in KINDS.values()
        kind = kind_word if not plural else next(k for k, p in KINDS.items() if p == kind_word)
        if plural != (count > 1):
            raise self.fail(f"'{m['number']}' with the {'singular' if count > 1 else 'plural'} of {kind}")
        if m["horizontal"] and kind != "stripe":
            raise self.fail(f"'horizontal' only before stripes, not {kind_word}")
        self.at += m.end()
        size = m["size"] or ""
        lo, hi = UNSTATED_REACH.get(size, (None, None))
        stated = False
        r = _REACH.match(self.rest)
        if r is not None:
            if (r["open"] == " (") != (r["close"] == ")"):
                raise self.fail("a reach in parentheses or between commas")
            value = FRACTIONS[r["fraction"]]
            lo, hi = (None, value) if r["bound"] == "at most" else (value, None)
            if (size == "small" and lo is not None) or (size == "large" and hi is not None):
                raise self.fail(f"a reach that agrees with '{size}'")
            stated = True
            self.at += r.end()
        return Things(count, _term(m["colour"]), kind, size, lo, hi, stated)

    def where(self) -> Where | None:
        for words, (name, box, arrangement) in sorted(WHERE.items(), key=lambda kv: -len(kv[0])):
            if self.rest.startswith(" " + words):
                self.at += len(words) + 1
                return Where(name, box, arrangement)
        return None


def parse_prompt(prompt: str) -> Request:
    """Read a ``shapes`` prompt (any language's: the medium is not the artist's business).

    Raises:
        PromptError: Words the grammar cannot read, quoted in the message.
    """
    head, sep, tail = prompt.partition(". No text.")
    if not sep:
        raise PromptError(f"could not find '. No text.' in {prompt!r}")
    defined = parse_definitions(tail, prompt)
    if not head.startswith("Draw "):
        raise PromptError(f"could not read {head[:30]!r} (expected 'Draw ...') in {prompt!r}")
    m = re.match(rf"^(?P<scene>.+) on (?:a|an) (?P<bg>{_COLOUR}) background, [^,]+(?:\([^)]*\))?$",
                 head[len("Draw "):])
    if m is None:
        raise PromptError(f"could not read {head!r} (expected '... on a <colour> background, <medium>') "
                          f"in {prompt!r}")
    return parse_scene(m["scene"], _term(m["bg"]), prompt, defined)


def parse_definitions(tail: str, prompt: str = "") -> dict[str, str]:
    """The colours a prompt defines after ``No text.`` (``term -> #rrggbb``)."""
    tail = tail.strip()
    if not tail:
        return {}
    if tail.startswith("Define these colours first:"):
        found = {m["name"]: "#" + m["hex"].lower() for m in _DEFINED_TIKZ.finditer(tail)}
        rest = _DEFINED_TIKZ.sub("", tail[len("Define these colours first:"):]).strip()
        if not found or rest:
            raise PromptError(f"could not read {tail!r} (expected \\definecolor lines) in {prompt!r}")
        return found
    m = _DEFINED_CSS.match(tail)
    if m is None:
        raise PromptError(f"could not read {tail!r} (expected '(cream is #fff3d6.)') in {prompt!r}")
    return {name: value.lower() for name, value in (item.split(" is ") for item in m["items"].split(", "))}


def parse_scene(scene: str, background: str, prompt: str = "", defined: dict[str, str] | None = None
                ) -> Request:
    """Read a scene's words (the part between ``Draw`` and ``on a ... background``).

    Raises:
        PromptError: Words the grammar cannot read.
    """
    r = _Reader(scene, prompt or scene)
    first = r.things()
    defined = dict(defined or {})
    if r.literal(" between "):
        second = r.things()
        if first.count != 1 or second.count != 2 or not r.literal(" in a mirror-symmetric row "):
            raise r.fail("'a X between two Ys in a mirror-symmetric row ...'")
        row = r.literal(*ROWS)
        if row is None:
            raise r.fail(f"one of {', '.join(map(repr, ROWS))}")
        name, box, _ = WHERE[ROWS[row]]
        request = Request(prompt, background, (first, second), "between", Where(name, box, "row"), "",
                          defined)
    else:
        relation = r.literal(*(" " + w + " " for w in RELATIONS))
        if relation is not None:
            second = r.things()
            if second.count != 1:
                raise r.fail("one object after a relation")
            rel = RELATIONS[relation.strip()]
            where = r.where()
            if rel == "inside":
                if first.count != 1:
                    raise r.fail("one object inside another")
                if not first.reach_stated:  # "a small X inside a Y": small for its container, not the canvas
                    first = Things(first.count, first.colour, first.kind, first.size)
            request = Request(prompt, background, (first, second), rel, where, "", defined)
        else:
            where = r.where()
            spacing = r.literal(*_SPACING)
            request = Request(prompt, background, (first,), None, where,
                              _SPACING[spacing] if spacing else "", defined)
    if r.rest:
        raise r.fail("the end of the scene's words")
    if len(set(request.colours)) != len(request.groups):
        raise r.fail("a different colour for each kind of object")
    if background in request.colours:
        raise r.fail("objects of another colour than the background")
    return request
