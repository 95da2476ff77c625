"""The ``sign`` family: road and safety signs and two emblems, drawn on a white page (or filling it).

The cards describe the European (Vienna Convention) forms of the road signs.
"""

from __future__ import annotations

from codepaint_env.tasks.knowledge.draw import bar, disc, poly, rect, regular, ring, sector, square
from codepaint_env.tasks.knowledge.fact import (
    Fact,
    aspect,
    background,
    count,
    not_cut,
    only,
    position,
    relation,
    shape,
    symmetry,
    whole,
)
from codepaint_env.tasks.shapes.geometry import Shape

#: The smallest region a stop sign's octagon is read from: a letter's hole (the O's, the P's) is smaller.
_SIGN_AREA = 0.02


def _stop_letters(
    top: float = 0.42, height: float = 0.16, width: float = 0.11, gap: float = 0.03
) -> list[Shape]:
    """The word STOP in white block letters across the middle (the O's and P's holes red)."""
    st, mid, out = 0.035, top + height / 2, []
    for k, letter in enumerate("STOP"):
        x0 = 0.5 - (4 * width + 3 * gap) / 2 + k * (width + gap)
        x1, y1 = x0 + width, top + height
        bars = {
            "S": [
                (x0, top, x1, top + st),
                (x0, mid - st / 2, x1, mid + st / 2),
                (x0, y1 - st, x1, y1),
                (x0, top, x0 + st, mid),
                (x1 - st, mid, x1, y1),
            ],
            "T": [(x0, top, x1, top + st), ((x0 + x1 - st) / 2, top, (x0 + x1 + st) / 2, y1)],
            "O": [(x0, top, x1, y1)],
            "P": [(x0, top, x1, mid + st / 2), (x0, top, x0 + st, y1)],
        }[letter]
        out += [rect("white", *b) for b in bars]
        if letter in "OP":
            bottom = y1 - st if letter == "O" else mid - st / 2
            out.append(rect("red", x0 + st, top + st, x1 - st, bottom))
    return out


def _sign(
    key: str,
    title: str,
    name: str,
    text: str,
    aliases: tuple[str, ...],
    shapes: list,
    checks: list,
    *,
    canvas: str = "white",
    field: str = "white",
    allow_text: bool = False,
    also: tuple[str, ...] = (),
) -> Fact:
    """A sign; its checks end with ``only`` its scene's colours (and ``also``: others its card allows)."""
    colours = [*(s.colour for s in shapes), *also]
    return Fact(
        id=key,
        title=title,
        name=name,
        aliases=aliases,
        family="sign",
        text=text,
        background=field,
        shapes=tuple(shapes),
        checks=(*checks, only(colours, None if canvas == "fill" else canvas)),
        canvas=canvas,
        allow_text=allow_text,
    )


def facts() -> list[Fact]:
    """Every sign."""
    cross = [bar("red", 0.5, 0.5, 0.6, 0.2), bar("red", 0.5, 0.5, 0.2, 0.6)]
    blades = [sector("black", 0.5, 0.5, 0.12, 0.4, a - 30, a + 30) for a in (60, 180, 300)]
    return [
        _sign(
            "sign-stop",
            "Stop sign",
            "a stop sign",
            "A stop sign is a red regular octagon with a thin white border and the word STOP in white "
            "capital letters across its middle.",
            ("STOP sign", "octagonal stop sign"),
            [
                regular("white", 0.5, 0.5, 0.42, 8, 22.5),
                regular("red", 0.5, 0.5, 0.38, 8, 22.5),
                *_stop_letters(),
            ],
            [
                *(
                    whole(c, _SIGN_AREA)
                    for c in (
                        count("red", 1),
                        position("red", "centre"),
                        not_cut("red"),
                        aspect("red", 0.8, 1.25),
                    )
                ),
                count("white", lo=3),
            ],
            allow_text=True,
        ),
        _sign(
            "sign-give-way",
            "Give way sign",
            "a give way sign",
            "A give way (yield) sign is an equilateral triangle standing on one corner, pointing down, with "
            "a broad red border and a white (in some countries yellow) inside.",
            ("yield sign", "give way triangle"),
            [
                poly("red", [(0.1, 0.18), (0.9, 0.18), (0.5, 0.87)]),
                poly("white", [(0.24, 0.26), (0.76, 0.26), (0.5, 0.71)]),
            ],
            [
                count("red", 1),
                position("red", "centre"),
                not_cut("red"),
                symmetry("vertical"),
                aspect("red", 1.05, 1.35),
            ],
            also=("yellow",),
        ),
        _sign(
            "sign-no-entry",
            "No entry sign",
            "a no entry sign",
            "A no entry sign is a red disc with a white horizontal bar across its middle.",
            ("do not enter sign", "no entry road sign"),
            [disc("red", 0.5, 0.5, 0.4), bar("white", 0.5, 0.5, 0.6, 0.14)],
            [
                count("red", 1),
                count("white", 2),
                position("red", "centre"),
                not_cut("red"),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
        ),
        _sign(
            "sign-priority-road",
            "Priority road sign",
            "a priority road sign",
            "A priority road sign is a yellow square turned 45 degrees to stand on a corner (a diamond), "
            "with a "
            "white border.",
            ("priority road diamond", "main road sign"),
            [square("white", 0.5, 0.5, 0.3, 45), square("yellow", 0.5, 0.5, 0.24, 45)],
            [
                count("yellow", 1),
                position("yellow", "centre"),
                not_cut("yellow"),
                aspect("yellow", 0.8, 1.25),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
        ),
        _sign(
            "sign-no-stopping",
            "No stopping sign",
            "a no stopping sign",
            "A no stopping (clearway) sign is a blue disc with a red border and a red X crossing it from "
            "edge "
            "to edge.",
            ("clearway sign", "no standing sign"),
            [
                ring("red", 0.5, 0.5, 0.42, 0.8),
                disc("blue", 0.5, 0.5, 0.34),
                bar("red", 0.5, 0.5, 0.7, 0.08, 45),
                bar("red", 0.5, 0.5, 0.7, 0.08, -45),
            ],
            [
                count("red", 1),
                count("blue", 4),
                position("red", "centre"),
                not_cut("red"),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
        ),
        _sign(
            "sign-no-parking",
            "No parking sign",
            "a no parking sign",
            "A no parking sign is a blue disc with a red border and a single red diagonal bar from the upper "
            "left to the lower right.",
            ("no parking road sign",),
            [
                ring("red", 0.5, 0.5, 0.42, 0.8),
                disc("blue", 0.5, 0.5, 0.34),
                bar("red", 0.5, 0.5, 0.7, 0.08, 45),
            ],
            [count("red", 1), count("blue", 2), not_cut("red")],
        ),
        _sign(
            "sign-first-aid",
            "First aid sign",
            "the first aid safety sign",
            "The first aid safety sign (ISO 7010 E003) is a green square with a white cross of equal arms in "
            "the centre.",
            ("first aid symbol", "ISO 7010 E003"),
            [
                rect("green", 0, 0, 1, 1),
                bar("white", 0.5, 0.5, 0.56, 0.18),
                bar("white", 0.5, 0.5, 0.18, 0.56),
            ],
            [
                background("green"),
                count("white", 1),
                position("white", "centre"),
                not_cut("white"),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
            canvas="fill",
            field="green",
        ),
        _sign(
            "emblem-red-cross",
            "Red Cross emblem",
            "the Red Cross emblem",
            "The Red Cross emblem is a red cross of equal arms (a Greek cross) on a white ground.",
            ("red cross symbol", "International Red Cross emblem"),
            cross,
            [
                count("red", 1),
                count("white", 1),
                position("red", "centre"),
                not_cut("red"),
                shape("red", "cross"),
                aspect("red", 0.8, 1.25),
                symmetry("vertical"),
                symmetry("horizontal"),
            ],
        ),
        _sign(
            "emblem-red-crescent",
            "Red Crescent emblem",
            "the Red Crescent emblem",
            "The Red Crescent emblem is a red crescent on a white ground, its horns pointing to the right.",
            ("red crescent symbol",),
            [disc("red", 0.5, 0.5, 0.3), disc("white", 0.58, 0.5, 0.26)],
            [
                count("red", 1),
                position("red", "left-half"),
                relation("red", "left_of", "white", 0.02),  # its body left, its opening right
                not_cut("red"),
                symmetry("horizontal"),
            ],
        ),
        _sign(
            "sign-radiation",
            "Radiation warning symbol",
            "the radiation warning symbol",
            "The radiation warning symbol (the trefoil) is black on yellow: a small black disc in the "
            "centre and "
            "three black blades, each a sixty-degree sector, one pointing down and two up at either side.",
            ("radiation trefoil", "ionizing radiation sign", "nuclear hazard symbol"),
            [rect("yellow", 0, 0, 1, 1), disc("black", 0.5, 0.5, 0.08), *blades],
            [background("yellow"), count("black", 4), symmetry("vertical")],
            canvas="fill",
            field="yellow",
        ),
    ]
