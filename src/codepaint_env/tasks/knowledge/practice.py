"""Practice flags: made-up countries' flags whose cards a model cannot have memorised, so it must read them.

The search learner's supervised start (issue 73 item 5) teaches each train fact once, as the
conversation a rollout with the search tool is: search, read the card, draw. Read from its held-out
rows, a model taught so draws what it remembers more than what the card says: Guinea's card says
"vertical tricolour ... red, yellow and green" and both seeds drew three horizontal bands in those
colours, every sample. A real fact's card and its drawing can be learnt together as one memory; a
made-up flag's cannot, because its name was never seen: the only way to its drawing is its card.

:func:`practice_facts` writes ``n`` such facts under a seed: two or three bands (equal, or a wide
middle band), across or upright, in the colours flags use most, some with one emblem (a disc or a
five-pointed star at the centre, or a triangle at the hoist), named after a made-up country (two or
three syllables; never a real country's or alias's name). Each is a ``banded`` record
(:mod:`.records`), so its card's text, its scene and its reference programs are written by the code
that writes the real cards' ("The flag of Veltoria is a horizontal tricolour in equal bands of ...").
Its checks are the bands' where no emblem cuts them, and the colours it may use (``only``).

**Never a real flag.** A practice flag whose bands are a real banded flag's (the same colours in the
same order, the same way, with or without an emblem; :data:`SAME_TO_CHECKS`) is not written, nor one of
:data:`REAL_LOOKS` (real flags drawn by hand that a practice flag could match, such as Czechia's
triangle), nor one whose emblem another real card pays for (:data:`LIKE_OTHER_CARDS`). The test
``tests/tasks/test_knowledge_practice.py`` renders all :data:`PRACTICE_CARDS` practice flags and holds
each against every real card's stated checks: none passes all of any card's, so nothing of an eval fact
is taught (search-learning-5 taught the first 50: docs/search-learning-5-plan.md). Practice cards are
searched only in the ``practice`` index (the train cards and these), never in evaluation's.
"""

from __future__ import annotations

import random
from functools import cache
from typing import Any

from codepaint_env.tasks.knowledge.cards import Card, card_of
from codepaint_env.tasks.knowledge.catalogue import all_facts
from codepaint_env.tasks.knowledge.fact import Fact
from codepaint_env.tasks.knowledge.records import fact_of, load_records, word

#: The practice flags the ``practice`` search index holds (:func:`practice_facts` under seed 0); a
#: supervised start teaches the first ones.
PRACTICE_CARDS = 400
#: The band colours (the colours flags use most; ``navy`` is the card's "dark blue").
PALETTE: tuple[str, ...] = ("red", "white", "green", "yellow", "navy", "black", "orange")
#: The emblems a practice flag may carry, with how often (``none``: bands alone).
EMBLEMS: dict[str, float] = {"none": 0.4, "disc": 0.2, "star": 0.2, "triangle": 0.2}
#: Real flags drawn by hand (``draw: flag``) whose look a practice flag could take: (bands from the top,
#: emblem, emblem colour). Czechia: white over red, a dark blue triangle at the hoist.
REAL_LOOKS: frozenset[tuple[tuple[str, ...], bool, str, str]] = frozenset({
    (("white", "red"), False, "triangle", "navy"),
})
#: Colours the checks take for one another (``only`` and a band's colour: Lithuania's yellow may be
#: orange, a dark blue may be blue), so a practice flag's bands are compared with a real flag's under them.
SAME_TO_CHECKS: dict[str, str] = {"orange": "yellow", "blue": "navy"}
#: Emblems a real card that is not a flag pays for (found by the test that holds every practice flag
#: against every real card): ``(emblem colour, a band colour it must not lie beside)``. A red or orange
#: disc beside black is the planet Mars's card; a black disc beside white is a die's one.
LIKE_OTHER_CARDS: frozenset[tuple[str, str]] = frozenset({("red", "black"), ("orange", "black"),
                                                          ("black", "white")})
_FIRST = ("Val", "Kor", "Bel", "Tam", "Dor", "Mer", "Sol", "Ard", "Zan", "Lor", "Ves", "Qua", "Nim", "Tor",
          "Ost", "Ram", "Kel", "Fen", "Gal", "Ulm")
_MIDDLE = ("a", "e", "i", "o", "u", "ar", "en", "is", "on", "el")
_LAST = ("ria", "via", "nia", "land", "stan", "mark", "dor", "tia", "ora", "esh")


def _name(rng: random.Random) -> str:
    middle = rng.choice(_MIDDLE) if rng.random() < 0.5 else ""
    return rng.choice(_FIRST) + middle + rng.choice(_LAST)


def _bands(rng: random.Random) -> list[str]:
    """Two or three band colours, no two neighbours alike (three may repeat the first: red, white, red)."""
    n = rng.choice((2, 3, 3))
    colours = [rng.choice(PALETTE)]
    while len(colours) < n:
        c = rng.choice(PALETTE)
        if c != colours[-1]:
            colours.append(c)
    return colours


def _emblem(rng: random.Random, colours: list[str], vertical: bool) -> tuple[str, str]:
    """An emblem and its colour (``("none", "")`` for none), unlike every band (it may reach them all)."""
    kind = rng.choices(list(EMBLEMS), weights=list(EMBLEMS.values()))[0]
    if kind == "triangle" and vertical:  # a hoist triangle over upright bands hides the first band
        kind = "none"
    if kind == "none":
        return kind, ""
    return kind, rng.choice([c for c in PALETTE if c not in colours])


def _emblem_record(kind: str, colour: str) -> tuple[list[list[Any]], str]:
    """The emblem's shapes (a record's ``emblem``) and the sentence its card adds."""
    named = f"{'An' if word(colour)[0] in 'aeiou' else 'A'} {word(colour)}"
    if kind == "disc":
        return [["disc", colour, 0.5, 0.5, 0.2]], f"{named} disc is at its centre."
    if kind == "star":
        return [["star", colour, 0.5, 0.5, 0.22]], f"{named} five-pointed star is at its centre."
    return ([["triangle", colour, [0, 0], [0.45, 0.5], [0, 1]]],
            f"{named} triangle is at the hoist, its base the whole hoist and its tip near the centre.")


def _real_names() -> set[str]:
    return {w.lower() for f in all_facts() for w in (f.title, f.name, *f.aliases)}


def _taken(name: str, names: set[str]) -> bool:
    """Whether a made-up name is in a real name (or a practice one), or a real country's is in it."""
    low = name.lower()
    return any(low in known or (len(known) >= 4 and known in low) for known in names)


def _real_bands() -> set[tuple[tuple[str, ...], bool]]:
    return {(tuple(SAME_TO_CHECKS.get(str(c), str(c)) for c in r["colours"]), bool(r["vertical"]))
            for r in load_records("flags.json") if r.get("draw") == "banded"}


@cache
def practice_facts(n: int, seed: int = 0) -> tuple[Fact, ...]:
    """``n`` practice flags under ``seed`` (see the module docstring), the same for the same arguments.

    Raises:
        ValueError: A negative ``n``.
    """
    if n < 0:
        raise ValueError(f"the number of practice flags must be 0 or more, not {n}")
    rng, names, real, seen = random.Random(seed), _real_names(), _real_bands(), set()
    names |= {f.name.removeprefix("the flag of ").lower() for f in all_facts() if f.family == "flag"}
    out: list[Fact] = []
    while len(out) < n:
        colours, vertical = _bands(rng), rng.random() < 0.5
        ratios = [1, 2, 1] if len(colours) == 3 and rng.random() < 0.2 else None
        kind, colour = _emblem(rng, colours, vertical)
        look = (tuple(colours), vertical, kind, colour)
        name = _name(rng)
        bands = (tuple(SAME_TO_CHECKS.get(c, c) for c in colours), vertical)
        like_other = any((colour, c) in LIKE_OTHER_CARDS for c in colours)
        if _taken(name, names) or look in seen or look in REAL_LOOKS or bands in real or like_other:
            continue
        seen.add(look)
        names.add(name.lower())
        record: dict[str, Any] = {"id": f"practice-flag-{name.lower()}", "draw": "banded", "country": name,
                                  "colours": colours, "vertical": vertical, "aliases": [f"{name}'s flag"]}
        if ratios:
            record["ratios"] = ratios
        if kind != "none":
            record["emblem"], record["note"] = _emblem_record(kind, colour)
            record["auto"] = False  # the emblem cuts a band: only the colours are checked
        out.append(fact_of(record))
    return tuple(out)


@cache
def practice_cards() -> tuple[Card, ...]:
    """The cards of the :data:`PRACTICE_CARDS` practice flags the ``practice`` index holds."""
    return tuple(card_of(f) for f in practice_facts(PRACTICE_CARDS))
