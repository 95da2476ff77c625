"""What shape a region looks like, from five scale-free measures of it.

* ``aspect``: its box's width over height;
* ``extent``: the share of its box the region fills (holes filled): 1 square, 0.785 disc,
  0.5 triangle, about 0.36 five-pointed star;
* ``solidity``: the share of its convex hull it fills: about 1 for convex shapes, 0.6 for a star,
  under 0.8 for a wave;
* ``holes``: the share of the filled region that is hole: 0.36 for a ring of inner radius 0.6;
* ``corners``: how much of the four corners of its box it fills (right triangles with legs a
  quarter of the box's shorter side): 1 square, 0 disc and star, 0.5 upright triangle.

A shape is a conjunction of ranges of these (:data:`SHAPE_RULES`): squares are axis-aligned,
triangles upright, stripes and waves horizontal. The ranges were set on the ``shapes`` suite's 600
references rendered at 160 and 512 pixels (objects of radius 5 % of the canvas and up), with a
margin on each side.
"""

from __future__ import annotations

from rewards.checks.regions import Region

_INF = float("inf")
_ROUND = (0.8, 1.25)  # the aspect of a shape as wide as it is tall
_SOLID = (0.0, 0.25)  # holes: none to speak of (a small object inside a square leaves one)
#: ``shape -> {measure: (low, high)}``: a region is the shape when every measure is in its range.
SHAPE_RULES: dict[str, dict[str, tuple[float, float]]] = {
    "circle": {"aspect": _ROUND, "extent": (0.62, 0.9), "solidity": (0.85, _INF), "holes": _SOLID,
               "corners": (0.0, 0.45)},
    "square": {"aspect": _ROUND, "extent": (0.85, _INF), "holes": _SOLID, "corners": (0.6, _INF)},
    "triangle": {"aspect": (0.7, 1.6), "extent": (0.38, 0.68), "solidity": (0.78, _INF), "holes": _SOLID,
                 "corners": (0.15, 0.6)},
    "star": {"aspect": _ROUND, "extent": (0.0, 0.55), "solidity": (0.0, 0.72), "holes": _SOLID},
    "ring": {"aspect": _ROUND, "extent": (0.62, 0.9), "holes": (0.25, _INF), "corners": (0.0, 0.45)},
    "stripe": {"aspect": (3.0, _INF), "extent": (0.8, _INF)},
    "wave": {"aspect": (2.0, _INF), "extent": (0.0, 0.8), "holes": _SOLID},
}


def measures(region: Region) -> dict[str, float]:
    """The five measures of a region (see the module docstring)."""
    return {"aspect": region.aspect, "extent": region.extent, "solidity": region.solidity,
            "holes": region.hole_share, "corners": region.corners}


def is_shape(region: Region, shape: str) -> bool:
    """Whether the region looks like ``shape``."""
    m = measures(region)
    return all(lo <= m[key] <= hi for key, (lo, hi) in SHAPE_RULES[shape].items())


def looks_like(region: Region) -> str:
    """Words for what a region looks like: ``"a star"``, or its measures when no shape fits."""
    for shape in SHAPE_RULES:
        if is_shape(region, shape):
            return f"a {shape}"
    m = measures(region)
    return (f"no known shape (width/height {m['aspect']:.2f}, fills {m['extent']:.0%} of its box, "
            f"{m['solidity']:.0%} of its hull)")
