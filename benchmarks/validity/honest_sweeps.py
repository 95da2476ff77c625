"""Sweeps for benchmarks/validity/honest_drawings.py: one kind of picture, sorted into bins, against a check.

Where a check stops accepting an honest picture (a triangle by its smallest angle, a thin stripe by
how little it is turned, two small objects one above the other by how far apart their centres are),
or starts accepting a wrong one (a square turned a little asked for as a circle, a straight band
asked for as a wave). The pictures are the honest artist's outlines (:mod:`rewards.testing.honest_shapes`)
on a white page, rendered with resvg at 512 px.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

#: Honest (or wrong) pictures of one kind, sorted into bins, against one check: where the checks stop
#: accepting an honest picture, or start accepting a wrong one. Each: ``(name, the check, whether
#: passing is right, what the bins count, the bin width, how many)``.
SWEEPS: tuple[tuple[str, dict[str, Any], bool, str, float, int], ...] = (
    ("triangles (angles 40-80 degrees, any turn) by their smallest angle",
     {"kind": "shape", "colour": "red", "shape": "triangle"}, True, "degrees", 5.0, 400),
    ("thin stripes (3-8 % of the canvas thick) turned under 1.5 degrees",
     {"kind": "shape", "colour": "red", "shape": "stripe"}, True, "degrees turned", 0.25, 300),
    ("a square turned a little, asked for as a circle",
     {"kind": "shape", "colour": "red", "shape": "circle"}, False, "degrees turned", 2.0, 200),
    ("a straight band turned a little, asked for as a wave",
     {"kind": "shape", "colour": "red", "shape": "wave"}, False, "degrees turned", 2.0, 200),
    ("a small red circle wholly above a small blue one (6-10 % across, 2-4 % apart)",
     {"kind": "relation", "a": "red", "relation": "above", "b": "blue"}, True,
     "% of the canvas between their centres", 1.0, 200),
)


def sweep_pictures(name: str, n: int, seed: int) -> list[tuple[float, list[Any]]]:
    """A sweep's pictures (their objects), each with the value it is binned by."""
    import random

    from rewards.testing.honest_shapes import Look, Obj, sample_look

    rng = random.Random(f"sweep:{seed}:{name}")
    out: list[tuple[float, list[Any]]] = []
    for _ in range(n):
        if name.startswith("triangles"):
            look = sample_look(rng, "triangle")
            out.append((min(look.angles), [Obj(0, "red", look, rng.uniform(0.1, 0.5), 0.5, 0.5)]))
        elif name.startswith("thin stripes"):
            turn = rng.choice((-1, 1)) * rng.uniform(0.0, 1.5)
            obj = Obj(0, "red", Look("stripe", turn), rng.uniform(0.03, 0.08), 0.5, rng.uniform(0.2, 0.8))
            out.append((abs(turn), [obj]))
        elif name.startswith("a small red circle"):
            ra, rb, gap = rng.uniform(0.06, 0.1), rng.uniform(0.06, 0.1), rng.uniform(0.02, 0.04)
            y = rng.uniform(0.3, 0.7)
            a = Obj(0, "red", Look("circle"), ra, 0.5, y - gap / 2 - ra / 2)
            b = Obj(1, "blue", Look("circle"), rb, 0.5 + rng.uniform(-0.02, 0.02), y + gap / 2 + rb / 2)
            out.append((100 * (b.y - a.y), [a, b]))
        else:
            turn = rng.uniform(-8.0, 8.0)
            square = "square" in name
            kind, reach = ("square", rng.uniform(0.1, 0.6)) if square else ("stripe", rng.uniform(0.03, 0.2))
            out.append((abs(turn), [Obj(0, "red", Look(kind, turn), reach, 0.5, 0.5)]))
    return out


def run_sweeps(seed: int, size: int = 512) -> list[dict[str, Any]]:
    """Every sweep's pass counts per bin."""
    import random

    from codepaint_env.render import Renderer
    from rewards.checks.evaluate import evaluate
    from rewards.checks.picture import Picture
    from rewards.checks.spec import parse_checks
    from rewards.testing.honest_shapes import svg_document

    out = []
    renderer = Renderer(cache_size=0)
    fills = {"red": "red", "blue": "blue"}
    try:
        for name, check, right, unit, width, n in SWEEPS:
            pictures = sweep_pictures(name, n, seed)
            svgs = [svg_document(objs, fills, "white", random.Random(i))
                    for i, (_, objs) in enumerate(pictures)]
            images = renderer.render_many(svgs, "svg", size=size, renderer="fast", progress=name[:24])
            checks = parse_checks([check])
            bins: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for (value, _), res, svg in zip(pictures, images, svgs, strict=True):
                if res.canvas_image is None:
                    raise RuntimeError(f"render failed ({res.error_kind}) for {svg[:200]!r}")
                lo = math.floor(value / width) * width
                key = f"{lo:g}-{lo + width:g}"
                bins[key][0] += bool(evaluate(checks, Picture(res.canvas_image), svg, "svg")[0].passed)
                bins[key][1] += 1
            ordered = dict(sorted(bins.items(), key=lambda kv: float(kv[0].split("-")[0])))
            out.append({"name": name, "check": check, "passing_is_right": right, "unit": unit,
                        "bins": ordered})
    finally:
        renderer.close()
    return out
