"""Difficulty levels of the ``shapes`` generator: unlimited seeded scenes, from one object to several claims.

=====  ==========================================================================================
level  what the prompt asks (and states as checks)
=====  ==========================================================================================
0      one object of one colour on a background ("a large red circle on a cream background"):
       the background, one object of that colour, and "small" / "large" when said
1      an exact count and shape ("three green triangles", "two blue waves"): + the count, the shape
2      a named position ("two yellow stars in the top-right corner"): + where they are
3      two colours and one relation (above, below, left of, right of, touching; objects above or
       below a stripe or wave): + both counts and shapes, the relation
4      the suite's hardest templates: a small object inside a ring or square in a stated place, an
       object between two others in a mirror-symmetric row (several claims, symmetry)
=====  ==========================================================================================

Every level adds the checks any honest picture satisfies (:mod:`.checks`: colours present, sizes,
nothing cut, coverage, contrast, no embedded image), so the mean number of checks grows with the
level. The split is a hash of the description, never an index: a description is ``eval`` when
the first 8 bytes of its SHA-256 are 0 modulo 5 (one in five; hashed as version 4 wrote a
wave's article, :func:`hashed_text`), in every language and at every level, so
:func:`level_scenes` can make as many train scenes as asked without ever making an eval one. A
train scene is also never one of the fixed 120-scene suite's eval scenes.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from functools import lru_cache

from codepaint_env.tasks.shapes.geometry import BANDS, CELL_SHAPES, Shape
from codepaint_env.tasks.shapes.scenes import (
    BACKGROUNDS,
    GROUP_AREAS,
    Drawn,
    Scene,
    _count,
    _shape,
    article,
    band,
    build_scenes,
    colours_for,
    counted,
    indefinite,
    nested,
    object_size,
    pair,
    placed,
    split_of,
    stripes,
    symmetric,
    touching,
)

LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)
EVAL_SHARE = 5  # one description in five is eval
#: Size words a level-0 object may be asked for, and what the prompt states each means: its words,
#: the reach across the canvas its reference is drawn at (the longer side of its box, a share of the
#: canvas), and the bounds the stated ``size`` check holds it to. The prompt says the bound in words
#: ("a small red circle, at most a fifth of the canvas across"), so nothing about size is a hidden
#: rule of the generator's; an object with no size word has none (see docs/visual-checks.md).
SIZE_WORDS: dict[str, tuple[str, tuple[float, float], dict[str, float]]] = {
    "small": ("at most a fifth of the canvas across", (0.1, 0.17), {"max_extent": 0.2}),
    "large": ("at least half the canvas across", (0.55, 0.75), {"min_extent": 0.5}),
}
_EDGE = 0.06  # a large object keeps this far from the canvas's edges: the background shows there


#: Until version 4's descriptions, a lone wave had "a" whatever its colour ("a orange wave"); the
#: ids and splits of level scenes hash the description as it was written then (:func:`hashed_text`).
_WAVE_AS_WRITTEN = re.compile(r"\ban (\w+ wave)\b")


def hashed_text(description: str) -> str:
    """The text a level scene's id and split are hashed from.

    Its description, with a wave's article as version 4 wrote it: fixing "a orange wave" to "an
    orange wave" so moved no scene between train and eval and renamed no task (a run's held-out
    scenes stay held out).
    """
    return _WAVE_AS_WRITTEN.sub(r"a \1", description)


def description_digest(description: str) -> str:
    """The ten hex digits of a level scene's task ids (``shapes-l1-<digest>-svg``)."""
    return hashlib.sha256(hashed_text(description).encode("utf-8")).hexdigest()[:10]


def split_of_description(description: str) -> str:
    """``eval`` for one description in five (by the SHA-256 of :func:`hashed_text`), else ``train``."""
    digest = hashlib.sha256(hashed_text(description).encode("utf-8")).digest()
    return "eval" if int.from_bytes(digest[:8], "big") % EVAL_SHARE == 0 else "train"


def reach(shape: Shape) -> float:
    """How far a shape reaches across the canvas: its box's longer side."""
    left, top, right, bottom = shape.box()
    return max(right - left, bottom - top)


def _large_centre(rng: random.Random, shape: Shape) -> tuple[float, float]:
    """A centre near the middle that keeps a large shape :data:`_EDGE` clear of every edge."""
    left, top, right, bottom = shape.moved(0.5, 0.5).box()
    xs = (max(0.4, _EDGE + 0.5 - left), min(0.6, 1 - _EDGE - (right - 0.5)))
    ys = (max(0.4, _EDGE + 0.5 - top), min(0.6, 1 - _EDGE - (bottom - 0.5)))
    return tuple(round(rng.uniform(*sorted(r)), 3) for r in (xs, ys))  # type: ignore[return-value]


def single(rng: random.Random, bg: str) -> Drawn:
    """Level 0: one object (``small``, ``large`` or neither), or one stripe or wave, anywhere."""
    (colour,) = colours_for(rng, bg, 1)
    kind = rng.choice((*CELL_SHAPES, *CELL_SHAPES, *BANDS))  # bands a quarter of the time
    if kind in BANDS:
        y = round(rng.uniform(0.3, 0.7), 3)
        half = round(rng.uniform(0.05, 0.08) if kind == "stripe" else rng.uniform(0.035, 0.05), 3)
        words = indefinite("horizontal", colour, "stripe") if kind == "stripe" else indefinite(colour, "wave")
        strip = Shape(kind, colour, 0.5, y, half, round(rng.uniform(0, 6.283), 3))
        return [strip], words, [_count(colour, 1), _shape(colour, kind)]
    size_word = rng.choice(("", *SIZE_WORDS))
    claims = [_count(colour, 1), _shape(colour, kind)]
    if not size_word:
        shape = placed(rng, kind, colour, [(rng.randrange(3), rng.randrange(3))], object_size(rng, kind))[0]
        return [shape], counted(1, colour, kind), claims
    words, (lo, hi), bounds = SIZE_WORDS[size_word]
    unit = reach(Shape(kind, colour, 0.5, 0.5, 1.0))
    size = round(rng.uniform(lo, hi) / unit, 3)
    if size_word == "large":  # a large object sits near the middle, clear of the edges
        shape = Shape(kind, colour, 0.5, 0.5, size)
        shape = shape.moved(*_large_centre(rng, shape))
    else:
        shape = placed(rng, kind, colour, [(rng.randrange(3), rng.randrange(3))], size)[0]
    claims.append({"kind": "size", "colour": colour, **bounds, "weight": 2, "stated": True,
                   "name": f"size:{colour} {size_word}"})
    return [shape], f"{counted(1, colour, kind, size_word)}, {words},", claims


def counted_objects(rng: random.Random, bg: str) -> Drawn:
    """Level 1: an exact number of objects of one shape and colour (or of stripes or waves), anywhere."""
    if rng.random() < 0.2:
        return stripes(rng, bg)
    (colour,) = colours_for(rng, bg, 1)
    kind = rng.choice(CELL_SHAPES)
    n = rng.choice((1, 2, 2, 3, 3, 4))
    cells = rng.sample([(r, c) for r in range(3) for c in range(3)], n)
    shapes = placed(rng, kind, colour, cells, object_size(rng, kind))
    return shapes, counted(n, colour, kind), [_count(colour, n), _shape(colour, kind)]


def positioned(rng: random.Random, bg: str) -> Drawn:
    """Level 2: objects of one shape and colour in a named area (a corner, the centre, a row, a half)."""
    (colour,) = colours_for(rng, bg, 1)
    kind = rng.choice(CELL_SHAPES)
    n = rng.choice((1, 1, 2, 3))
    area = rng.choice([a for a, (cells, _) in GROUP_AREAS.items() if len(cells) >= n])
    cells, where = GROUP_AREAS[area]
    shapes = placed(rng, kind, colour, rng.sample(cells, n), object_size(rng, kind))
    claims = [_count(colour, n), _shape(colour, kind),
              {"kind": "position", "colour": colour, "area": area, "weight": 2, "stated": True}]
    return shapes, f"{counted(n, colour, kind)} {where}", claims


def related(rng: random.Random, bg: str) -> Drawn:
    """Level 3: two colours and one relation (the suite's ``pair``, ``band`` and ``touching`` templates)."""
    return rng.choice((pair, pair, band, touching))(rng, bg)


def hardest(rng: random.Random, bg: str) -> Drawn:
    """Level 4: the suite's templates with most claims (``nested``, ``symmetric``)."""
    return rng.choice((nested, symmetric))(rng, bg)


#: Each level's scene maker, and the template name its scenes carry.
LEVEL_MAKERS: dict[int, Callable[[random.Random, str], Drawn]] = {
    0: single, 1: counted_objects, 2: positioned, 3: related, 4: hardest}


def level_scene(rng: random.Random, level: int, index: int) -> Scene:
    """One scene of ``level`` (its ``index``: the number it gets in its list)."""
    if level not in LEVEL_MAKERS:
        raise ValueError(f"level must be one of {', '.join(map(str, LEVELS))}, not {level!r}")
    background = rng.choice(BACKGROUNDS)
    shapes, text, claims = LEVEL_MAKERS[level](rng, background)
    description = f"{text} on {article(background)} {background} background"
    return Scene(index, _template(level, claims, shapes), background, tuple(shapes), description,
                 tuple(claims), level)


def _template(level: int, claims: list, shapes: list[Shape]) -> str:
    """The template a level scene came from (the names the fixed suite uses where one applies)."""
    if level == 0:
        return "single"
    if level == 1:
        return "stripes" if shapes[0].is_band else "group"
    if level == 2:
        return "group"
    relations = [c["relation"] for c in claims if c["kind"] == "relation"]
    if any(c["kind"] == "symmetry" for c in claims):
        return "symmetric"
    if relations == ["inside"]:
        return "nested"
    if relations == ["touching"]:
        return "touching"
    return "band" if any(s.is_band for s in shapes) else "pair"


@lru_cache(maxsize=1)
def _fixed_eval_descriptions() -> frozenset[str]:
    return frozenset(s.description for s in build_scenes() if split_of(s) == "eval")


def level_scenes(level: int, count: int, *, seed: int = 0, split: str = "train") -> list[Scene]:
    """``count`` scenes of ``level`` with distinct descriptions, all in ``split``, from ``seed``.

    Raises:
        ValueError: An unknown level or split, or a count the level cannot reach (its distinct
            descriptions in that split run out).
    """
    if split not in ("train", "eval"):
        raise ValueError(f"split must be 'train' or 'eval', not {split!r}")
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count!r}")
    rng = random.Random(f"shapes-level-{level}-seed-{seed}")
    excluded = _fixed_eval_descriptions() if split == "train" else frozenset()
    scenes: list[Scene] = []
    seen: set[str] = set()
    misses = 0
    while len(scenes) < count:
        scene = level_scene(rng, level, len(scenes) + 1)
        fresh = scene.description not in seen and scene.description not in excluded
        if fresh and split_of_description(scene.description) == split:
            seen.add(scene.description)
            scenes.append(scene)
            misses = 0
            continue
        misses += 1
        if misses > 20_000:
            raise ValueError(f"level {level} has no more than {len(scenes)} distinct {split} scenes "
                             f"(asked for {count})")
    return scenes
