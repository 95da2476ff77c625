"""The ``spade`` and ``club`` shapes: a pointed top against a round lobe, drawn here by another hand.

The rules were set on six public designs (benchmarks/validity/suit_glyphs.py, docs/suit-glyphs.md); these
drawings are neither those nor the knowledge suite's references: a spade from a polygon, a club from
three discs of another size on a thin stem, each at several sizes and a small turn.
"""

from __future__ import annotations

import math

import pytest
from PIL import Image, ImageDraw

from rewards.checks.colours import parse_colour
from rewards.checks.picture import Picture
from rewards.checks.shapes import is_shape

SIDE = 512


Point = tuple[float, float]


def _turned(points: list[Point], degrees: float, cx: float, cy: float) -> list[Point]:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in points]


def spade(size: float, turn: float = 0.0) -> Image.Image:
    """A spade: a blade of two arcs meeting in a point, two lower lobes, a stem."""
    im = Image.new("RGB", (SIDE, SIDE), "white")
    d = ImageDraw.Draw(im)
    cx, top, s = SIDE / 2, SIDE / 2 - size / 2, size
    blade = [(cx, top)]
    for k in range(1, 21):  # the right side, a curve from the point to the shoulder
        t = k / 20
        blade.append((cx + 0.5 * s * math.sin(t * math.pi / 2) ** 1.3, top + 0.62 * s * t))
    blade += [(cx + 0.08 * s, top + 0.72 * s), (cx + 0.16 * s, top + s), (cx - 0.16 * s, top + s),
              (cx - 0.08 * s, top + 0.72 * s)]
    blade += [(2 * cx - x, y) for x, y in reversed(blade[1:21])]
    d.polygon(_turned(blade, turn, cx, SIDE / 2), fill="black")
    for side in (-1, 1):  # the lower lobes round off the blade's shoulders
        x, y, r = cx + side * 0.25 * s, top + 0.6 * s, 0.24 * s
        (x, y), = _turned([(x, y)], turn, cx, SIDE / 2)
        d.ellipse((x - r, y - r, x + r, y + r), fill="black")
    return im


def club(size: float, turn: float = 0.0) -> Image.Image:
    """A club: three round lobes and a stem that flares at the base."""
    im = Image.new("RGB", (SIDE, SIDE), "white")
    d = ImageDraw.Draw(im)
    cx, top, s = SIDE / 2, SIDE / 2 - size / 2, size
    r = 0.21 * s
    for x, y in ((cx, top + r), (cx - 0.27 * s, top + 0.55 * s), (cx + 0.27 * s, top + 0.55 * s)):
        (x, y), = _turned([(x, y)], turn, cx, SIDE / 2)
        d.ellipse((x - r, y - r, x + r, y + r), fill="black")
    stem = [(cx - 0.05 * s, top + 0.4 * s), (cx + 0.05 * s, top + 0.4 * s), (cx + 0.18 * s, top + s),
            (cx - 0.18 * s, top + s)]
    d.polygon(_turned(stem, turn, cx, SIDE / 2), fill="black")
    return im


def _region(im: Image.Image):
    regions = Picture(im).regions(parse_colour("black"), 20.0, 0.002)
    assert len(regions) == 1
    return regions[0]


@pytest.mark.parametrize("size", [180, 260, 340])
@pytest.mark.parametrize("turn", [-4.0, 0.0, 4.0])
def test_a_spade_and_a_club_drawn_by_another_hand_are_their_own_suit(size, turn):
    s, c = _region(spade(size, turn)), _region(club(size, turn))
    assert is_shape(s, "spade") and not is_shape(s, "club")
    assert is_shape(c, "club") and not is_shape(c, "spade")


@pytest.mark.parametrize("outline", [
    [(256, 150), (370, 350), (142, 350)],  # a triangle
    [(256, 130), (356, 256), (256, 382), (156, 256)],  # a diamond: a point on top, but no stem
    [(256, 150), (340, 330), (256, 300), (172, 330)],  # an arrowhead
])
def test_plain_shapes_are_no_suit(outline):
    im = Image.new("RGB", (SIDE, SIDE), "white")
    ImageDraw.Draw(im).polygon(outline, fill="black")
    region = _region(im)
    assert not is_shape(region, "spade") and not is_shape(region, "club")


def test_a_disc_is_no_club():
    im = Image.new("RGB", (SIDE, SIDE), "white")
    ImageDraw.Draw(im).ellipse((156, 156, 356, 356), fill="black")
    assert not is_shape(_region(im), "club") and not is_shape(_region(im), "spade")
