"""A wave is a band of even thickness: the rule that tells it from a star's cap cut by the canvas's edge.

L1-46 of the issue 54 adversary (v9): a lone purple star run off the bottom edge, whose cap (54 % of
the canvas wide, 24 % tall) fitted a wave's aspect, extent and solidity, was paid as one of "three
purple waves". ``Region.evenness`` (mean inner distance over the greatest) is about 0.5 for a band,
about 1/3 for anything that tapers; :data:`rewards.checks.shapes.EVEN` lies between.
"""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from codepaint_env.render import default_renderer
from rewards.base import Sample
from rewards.checks import VisualChecks
from rewards.checks.regions import Region, inner_distance
from rewards.checks.shapes import EVEN

#: The adversary's picture, as it wrote it (runs/adversary-v9/pictures/L1-46-best.svg).
STAR_CAP = """<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">
<rect width="400" height="400" fill="#fff3d6"/>
<polygon points="264.67,303.67 297.54,375.29 376.25,378.75 318.3,432.13 339.34,508.06 270.66,469.45 \
204.94,512.92 220.45,435.66 158.79,386.6 237.06,377.47" fill="#8e24aa"/>
</svg>"""
SHAPE = [{"kind": "shape", "colour": "purple", "shape": "wave"}]


def _wave(amplitude: float, periods: float, stroke: float) -> str:
    xs = np.linspace(-0.05, 1.05, 200)
    ys = 0.5 + amplitude * np.sin(2 * np.pi * periods * xs)
    pts = " ".join(f"{400 * x:.2f},{400 * y:.2f}" for x, y in zip(xs, ys, strict=True))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">'
            '<rect width="400" height="400" fill="#fff3d6"/>'
            f'<polyline points="{pts}" fill="none" stroke="#8e24aa" '
            f'stroke-width="{400 * stroke:.2f}"/></svg>')


def _shape_verdict(code: str, size: int) -> float | None:
    render = default_renderer().render(code, "svg", size=size, renderer="fast")
    assert render.ok, render.messages
    [result] = VisualChecks().score([Sample(code=code, language="svg", render=render,
                                            meta={"checks": json.dumps(SHAPE)})])
    return result.breakdown["shape:purple"]


def test_a_star_s_cap_cut_by_the_edge_is_not_a_wave():
    for size in (160, 512):
        assert _shape_verdict(STAR_CAP, size) == 0.0


def test_waves_drawn_with_one_stroke_are_waves_at_every_amplitude():
    for amplitude, periods, stroke in ((0.03, 1, 0.02), (0.12, 4, 0.06), (0.12, 1, 0.02), (0.05, 2, 0.06)):
        for size in (160, 512):
            wave = _wave(amplitude, periods, stroke)
            assert _shape_verdict(wave, size) == 1.0, (amplitude, periods, stroke, size)


def _grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:n, 0:n] + 0.5
    return yy / n, xx / n


def test_evenness_is_a_half_for_a_band_and_a_third_for_what_tapers():
    for n in (40, 160, 512):
        y, x = _grid(n)
        band = abs(y - 0.5) < 0.06
        tapering = {"disc": (x - 0.5) ** 2 + (y - 0.5) ** 2 < 0.16,
                    "square": (abs(x - 0.5) < 0.4) & (abs(y - 0.5) < 0.4),
                    "triangle": (y > 0.1) & (y < 0.9) & (abs(x - 0.5) < (y - 0.1) / 2)}
        assert Region(band, 0, 0, n, n).evenness > 0.45
        for name, mask in tapering.items():
            assert Region(mask, 0, 0, n, n).evenness < EVEN, (name, n)


def _brute(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask, 1, constant_values=False)
    off = np.argwhere(~padded)
    out = np.zeros(mask.shape)
    for y, x in np.argwhere(mask):
        out[y, x] = np.sqrt(((off - (y + 1, x + 1)) ** 2).sum(axis=1)).min() - 0.5
    return out


@settings(max_examples=60, deadline=None, derandomize=True)
@given(mask=arrays(bool, st.tuples(st.integers(1, 20), st.integers(1, 30)), elements=st.booleans()))
def test_inner_distance_is_the_euclidean_distance_to_the_outline(mask):
    assert np.allclose(inner_distance(mask), _brute(mask))
