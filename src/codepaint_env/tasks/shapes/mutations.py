"""Scenes changed in one way, to measure what the checks notice (``benchmarks/validity/shapes_validity.py``).

Each mutation changes the scene, not a picture: the programs are written again from the mutant.
``recolour`` (one object another palette colour), ``move`` (one object to a free cell),
``remove`` (one object), ``duplicate`` (one object copied into a free cell), ``background`` (another
background colour), ``mirror`` (the scene reflected left-right) and ``cut`` (an object in an edge
cell pushed over the canvas edge). A mutant keeps the generator's rules (two objects of one colour
never touch, an object colour stands apart from the background); a mutation that cannot apply to a
scene gives ``None``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from codepaint_env.tasks.shapes.geometry import Shape, mirrored
from codepaint_env.tasks.shapes.scenes import BACKGROUNDS, MIN_DELTA_E, OBJECT_COLOURS, Scene, cell_centre
from rewards.checks.colours import parse_colour

_CELL_REACH = 0.14  # how far an object may reach from a cell's centre
_GAP = 0.03  # the least gap between two objects of one colour


def _lab(colour: str) -> np.ndarray:
    return np.array(parse_colour(colour).lab)


def _far(a: str, b: str) -> bool:
    return float(np.linalg.norm(_lab(a) - _lab(b))) >= MIN_DELTA_E


def _gap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """The gap between two boxes (negative when they overlap)."""
    return max(a[0] - b[2], b[0] - a[2], a[1] - b[3], b[1] - a[3])


def valid(scene: Scene, *, allow_cut: bool = False) -> bool:
    """Whether a scene keeps the generator's rules."""
    shapes = scene.shapes
    if any(not _far(s.colour, scene.background) for s in shapes):
        return False
    for i, a in enumerate(shapes):
        box = a.box()
        inside = box[0] >= 0.01 and box[1] >= 0.01 and box[2] <= 0.99 and box[3] <= 0.99
        if not (allow_cut or a.is_band or inside):
            return False
        for b in shapes[i + 1:]:
            if a.colour == b.colour and _gap(box, b.box()) < _GAP:
                return False
    return True


def free_cells(scene: Scene, ignore: int | None = None) -> list[tuple[float, float]]:
    """Centres of the grid cells no object (but ``ignore``) reaches into."""
    out = []
    for row in range(3):
        for col in range(3):
            x, y = cell_centre((row, col))
            cell = (x - _CELL_REACH, y - _CELL_REACH, x + _CELL_REACH, y + _CELL_REACH)
            if all(_gap(cell, s.box()) > 0.01 for i, s in enumerate(scene.shapes) if i != ignore):
                out.append((round(x, 3), round(y, 3)))
    return out


def _clear(scene: Scene, shape: Shape, ignore: int | None = None) -> bool:
    """Whether ``shape`` keeps clear of every object of the scene (but ``ignore``)."""
    return all(_gap(shape.box(), s.box()) > 0.01 for i, s in enumerate(scene.shapes) if i != ignore)


def _with(scene: Scene, shapes: list[Shape], **changes: str) -> Scene:
    return replace(scene, shapes=tuple(shapes), **changes)


def recolour(scene: Scene, rng: random.Random) -> Scene | None:
    """One object in another palette colour."""
    order = list(range(len(scene.shapes)))
    rng.shuffle(order)
    for i in order:
        colours = [c for c in OBJECT_COLOURS if c != scene.shapes[i].colour]
        rng.shuffle(colours)
        for colour in colours:
            shapes = list(scene.shapes)
            shapes[i] = replace(shapes[i], colour=colour)
            mutant = _with(scene, shapes)
            if valid(mutant):
                return mutant
    return None


def move(scene: Scene, rng: random.Random) -> Scene | None:
    """One object moved to the centre of a free cell."""
    candidates = [i for i, s in enumerate(scene.shapes) if not s.is_band]
    rng.shuffle(candidates)
    for i in candidates:
        cells = free_cells(scene, ignore=i)
        rng.shuffle(cells)
        for x, y in cells:
            shapes = list(scene.shapes)
            shapes[i] = shapes[i].moved(x, y)
            mutant = _with(scene, shapes)
            if _clear(scene, shapes[i], ignore=i) and valid(mutant):
                return mutant
    return None


def remove(scene: Scene, rng: random.Random) -> Scene | None:
    """One object taken away."""
    if len(scene.shapes) < 2:
        return None
    i = rng.randrange(len(scene.shapes))
    return _with(scene, [s for j, s in enumerate(scene.shapes) if j != i])


def duplicate(scene: Scene, rng: random.Random) -> Scene | None:
    """One object copied into a free cell (drawn last)."""
    candidates = [i for i, s in enumerate(scene.shapes) if not s.is_band]
    rng.shuffle(candidates)
    for i in candidates:
        cells = free_cells(scene)
        rng.shuffle(cells)
        for x, y in cells:
            copy = scene.shapes[i].moved(x, y)
            mutant = _with(scene, [*scene.shapes, copy])
            if _clear(scene, copy) and valid(mutant):
                return mutant
    return None


def background(scene: Scene, rng: random.Random) -> Scene | None:
    """Another background colour (one every object's colour stands apart from)."""
    options = [b for b in BACKGROUNDS if b != scene.background and _far(b, scene.background)
               and all(_far(b, s.colour) for s in scene.shapes)]
    return replace(scene, background=rng.choice(options)) if options else None


def mirror(scene: Scene, rng: random.Random) -> Scene | None:
    """The scene reflected left-right."""
    return _with(scene, [mirrored(s) for s in scene.shapes])


def cut(scene: Scene, rng: random.Random) -> Scene | None:
    """An object alone in an edge cell pushed over that edge (its centre a quarter of its size inside)."""
    candidates = []
    for i, s in enumerate(scene.shapes):
        alone = all(_gap(s.box(), o.box()) > 0 for j, o in enumerate(scene.shapes) if j != i)
        if s.is_band or not alone:
            continue
        edges = [e for e, near in (("left", s.x < 1 / 3), ("right", s.x > 2 / 3), ("top", s.y < 1 / 3),
                                   ("bottom", s.y > 2 / 3)) if near]
        candidates += [(i, e) for e in edges]
    if not candidates:
        return None
    i, edge = rng.choice(candidates)
    s = scene.shapes[i]
    inset = round(0.25 * s.size, 3)
    x, y = {"left": (inset, s.y), "right": (1 - inset, s.y), "top": (s.x, inset),
            "bottom": (s.x, 1 - inset)}[edge]
    shapes = list(scene.shapes)
    shapes[i] = s.moved(x, y)
    mutant = _with(scene, shapes)
    return mutant if valid(mutant, allow_cut=True) else None


#: Every mutation, by name.
MUTATIONS: dict[str, Callable[[Scene, random.Random], Scene | None]] = {
    "recolour": recolour, "move": move, "remove": remove, "duplicate": duplicate, "background": background,
    "mirror": mirror, "cut": cut,
}


def seeded_mutant(scene: Scene, name: str, seed: int) -> Scene | None:
    """Mutation ``name`` of ``scene``, from a generator seeded by the scene, the mutation and ``seed``.

    One mutant's draws never shift another's, so adding a scene or a mutation leaves the others as
    they were (a level scene's key names its level: level scenes are numbered within their level).

    Raises:
        KeyError: An unknown mutation (the names: :data:`MUTATIONS`).
    """
    where = f"{scene.index}" if scene.level is None else f"l{scene.level}-{scene.index}"
    return MUTATIONS[name](scene, random.Random(f"{seed}-{where}-{name}"))
