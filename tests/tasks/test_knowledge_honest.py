"""Pictures drawn by another hand than the references' pass every check of their card.

The cross-card checks (``test_knowledge_cross_cards.py``) must not demand what a card does not say.
Suite version 3's facts are among them (Latvia's carmine, India's wheel of stroked spokes, Qatar's
maroon, Israel's star as two stroked triangles, a parking sign's P as one stroked path, an amber lamp
in ``#FFBF00``, which the colour terms call ``yellow``, the peace symbol in strokes...).
These SVGs were written by hand from the cards and the official colours (the Union Jack as its
usual SVG is written, with clip paths and strokes; the Dutch blue of one specification, ``#1e4785``,
which the colour terms call ``blue`` and another's ``navy``; France in plain ``#0000ff``; Lithuania's
``#FDB913``, which the checker calls ``orange``; a traffic light with a pole and dim lamps; the
rainbow in CSS ``indigo`` and ``violet``...), at other sizes and placements than the references'.
Each passes every check of its task through resvg; the stop sign writes STOP in stroked lines. (The
stop sign written with an SVG ``<text>`` STOP, and the black suits as the font glyphs, pass too, in
resvg and in Chromium; they are left out here because their letters depend on the fonts installed.)
"""

from __future__ import annotations

import math

from codepaint_env.render import Renderer
from codepaint_env.tasks import load_suite
from rewards.base import Sample
from rewards.checks import VisualChecks

_SVG = 'viewBox="0 0 512 512" width="512" height="512" xmlns="http://www.w3.org/2000/svg"'


def _bands(colours: list[str], *, vertical: bool = False, ratios: list[int] | None = None) -> str:
    weights = ratios or [1] * len(colours)
    edge, out = 0.0, []
    for c, w in zip(colours, weights, strict=True):
        size = 512 * w / sum(weights)
        box = (
            f'x="{edge:.1f}" width="{size:.1f}" height="512"'
            if vertical
            else f'y="{edge:.1f}" width="512" height="{size:.1f}"'
        )
        out.append(f'<rect {box} fill="{c}"/>')
        edge += size
    return f"<svg {_SVG}>{''.join(out)}</svg>"


def _on(colour: str, body: str) -> str:
    return f'<svg {_SVG}><rect width="512" height="512" fill="{colour}"/>{body}</svg>'


_UNION_JACK = (
    f'<svg {_SVG}><svg viewBox="0 0 60 30" width="512" height="512" preserveAspectRatio="none">'
    '<clipPath id="s"><path d="M0,0 v30 h60 v-30 z"/></clipPath>'
    '<clipPath id="t"><path d="M30,15 h30 v15 z v15 h-30 z h-30 v-15 z v-15 h30 z"/></clipPath>'
    '<g clip-path="url(#s)"><path d="M0,0 v30 h60 v-30 z" fill="#012169"/>'
    '<path d="M0,0 L60,30 M60,0 L0,30" stroke="#fff" stroke-width="6"/>'
    '<path d="M0,0 L60,30 M60,0 L0,30" clip-path="url(#t)" stroke="#C8102E" stroke-width="4"/>'
    '<path d="M30,0 v30 M0,15 h60" stroke="#fff" stroke-width="10"/>'
    '<path d="M30,0 v30 M0,15 h60" stroke="#C8102E" stroke-width="6"/></g></svg></svg>'
)


def _octagon(r: float) -> str:
    turns = [math.radians(22.5 + 45 * k) for k in range(8)]
    return " ".join(f"{256 + r * math.sin(t):.1f},{256 - r * math.cos(t):.1f}" for t in turns)


#: STOP in stroked lines (no font): S, T, O, P, 60 px wide, 90 tall, from x = 118.
_STOP_WORD = (
    '<g fill="none" stroke="#fff" stroke-width="16" stroke-linecap="square">'
    '<path d="M178,211 H118 V256 H178 V301 H118"/><path d="M198,211 H258 M228,211 V301"/>'
    '<rect x="278" y="211" width="60" height="90"/><path d="M358,301 V211 H418 V256 H358"/></g>'
)
_STAR = "256,110 290,215 400,215 311,280 345,385 256,320 167,385 201,280 112,215 222,215"
HONEST: dict[str, str] = {
    "sign-stop": _on(
        "#fff",
        f'<polygon points="{_octagon(210)}" fill="#c1272d" stroke="#fff" stroke-width="10"/>{_STOP_WORD}',
    ),
    "flag-uk": _UNION_JACK,
    "flag-netherlands": _bands(["#AE1C28", "#fff", "#1e4785"]),
    "flag-france": _bands(["#0000ff", "#fff", "#EF4135"], vertical=True),
    "flag-lithuania": _bands(["#FDB913", "#006A44", "#C1272D"]),
    "flag-russia": _bands(["#fff", "#0039A6", "#D52B1E"]),
    "flag-romania": _bands(["#002B7F", "#FCD116", "#CE1126"], vertical=True),
    "flag-colombia": _bands(["#FCD116", "#003893", "#CE1126"], ratios=[2, 1, 1]),
    "flag-mauritius": _bands(["#EA2839", "#1A206D", "#FFD500", "#00A551"]),
    "flag-bolivia": _bands(["#D52B1E", "#F9E300", "#007934"]),
    "flag-norway": _on(
        "#BA0C2F",
        '<rect x="140" width="93" height="512" fill="#fff"/>'
        '<rect y="210" width="512" height="93" fill="#fff"/>'
        '<rect x="163" width="47" height="512" fill="#00205B"/>'
        '<rect y="233" width="512" height="47" fill="#00205B"/>',
    ),
    "flag-japan": _on("#fff", '<circle cx="256" cy="256" r="154" fill="#BC002D"/>'),
    "flag-vietnam": _on("#DA251D", f'<polygon points="{_STAR}" fill="#FFFF00"/>'),
    "emblem-red-cross": _on(
        "#fff",
        '<rect x="206" y="106" width="100" height="300" fill="#ED1C24"/>'
        '<rect x="106" y="206" width="300" height="100" fill="#ED1C24"/>',
    ),
    "suit-hearts": _on(
        "#fff",
        '<path d="M256 440 C 80 320, 60 170, 160 130 C 210 110, 250 150, 256 180 C 262 150, 302 110, 352 130 '
        'C 452 170, 432 320, 256 440 Z" fill="red"/>',
    ),
    "sign-give-way": _on(
        "#fff",
        '<polygon points="56,110 456,110 256,456" fill="#c1272d"/>'
        '<polygon points="126,150 386,150 256,375" fill="#fff"/>',
    ),
    "traffic-light-go": _on(
        "#fff",
        '<rect x="206" y="380" width="100" height="132" fill="#333"/>'
        '<rect x="176" y="40" width="160" height="360" rx="30" fill="#111"/>'
        '<circle cx="256" cy="110" r="45" fill="#400"/>'
        '<circle cx="256" cy="220" r="45" fill="#430"/><circle cx="256" cy="330" r="45" fill="#0c0"/>',
    ),
    "rainbow-stripes": _bands(["red", "orange", "yellow", "green", "blue", "indigo", "violet"]),
    # suite version 3's facts, in their official colours and drawn otherwise than the references
    "flag-latvia": _bands(["#9E3039", "#fff", "#9E3039"], ratios=[2, 1, 2]),
    "flag-botswana": _bands(["#6DA9D2", "#fff", "#000", "#fff", "#6DA9D2"], ratios=[9, 1, 4, 1, 9]),
    "flag-transgender-pride": _bands(["#5BCEFA", "#F5A9B8", "#fff", "#F5A9B8", "#5BCEFA"]),
    "flag-india": _bands(["#FF9933", "#fff", "#138808"])[:-6]
    + '<circle cx="256" cy="256" r="70" fill="none" stroke="#000080" stroke-width="10"/>'
    + "".join(
        f'<line x1="256" y1="256" x2="{256 + 70 * math.sin(k * math.pi / 12):.1f}" '
        f'y2="{256 - 70 * math.cos(k * math.pi / 12):.1f}" stroke="#000080" stroke-width="3"/>'
        for k in range(24)
    )
    + "</svg>",
    "flag-bahamas": _bands(["#00778B", "#FFC72C", "#00778B"])[:-6]
    + '<polygon points="0,0 222,256 0,512" fill="#000"/></svg>',
    "flag-greece": _bands(["#0D5EAF", "#fff"] * 4 + ["#0D5EAF"])[:-6]
    + '<rect width="190" height="284" fill="#0D5EAF"/><rect x="76" width="38" height="284" fill="#fff"/>'
    + '<rect y="114" width="190" height="57" fill="#fff"/></svg>',
    "flag-qatar": _on(
        "#8A1538",
        '<path d="M0,0 H150 L200,28 L150,57 L200,85 L150,114 L200,142 L150,171 L200,199 '
        "L150,228 L200,256 L150,284 L200,313 L150,341 L200,370 L150,398 L200,427 L150,455 L200,484 "
        'L150,512 H0 Z" fill="#fff"/>',
    ),
    "flag-israel": _on(
        "#fff",
        '<rect y="50" width="512" height="75" fill="#0038B8"/>'
        '<rect y="387" width="512" height="75" fill="#0038B8"/>'
        '<g fill="none" stroke="#0038B8" stroke-width="12"><polygon points="256,160 339,304 173,304"/>'
        '<polygon points="256,352 339,208 173,208"/></g>',
    ),
    "sign-parking": _on(
        "#fff",
        '<rect x="96" y="96" width="320" height="320" rx="24" fill="#1E5AA8"/>'
        '<path d="M210,370 V150 H280 A55,55 0 0 1 280,260 H210" fill="none" stroke="#fff" '
        'stroke-width="34"/>',
    ),
    "traffic-light-caution": _on(
        "#fff",
        '<rect x="236" y="380" width="40" height="132" fill="#555"/>'
        '<rect x="186" y="30" width="140" height="360" rx="20" fill="#222"/>'
        '<circle cx="256" cy="95" r="42" fill="#500"/><circle cx="256" cy="210" r="42" fill="#FFBF00"/>'
        '<circle cx="256" cy="325" r="42" fill="#050"/>',
    ),
    "symbol-peace": _on(
        "#fff",
        '<g fill="none" stroke="#000" stroke-width="30"><circle cx="256" cy="256" r="180"/>'
        '<path d="M256,76 V436 M256,256 L129,383 M256,256 L383,383"/></g>',
    ),
}


def test_drawings_by_another_hand_pass_every_check_of_their_card():
    tasks = {t.facts[0]: t for t in load_suite("knowledge", language="svg")}
    ids = list(HONEST)
    renderer = Renderer(timeout_s=30, cache_size=0)
    try:
        results = renderer.render_many([HONEST[i] for i in ids], "svg", size=160, renderer="fast")
    finally:
        renderer.close()
    samples = [
        Sample(code=HONEST[i], language="svg", render=r, meta={"checks": tasks[i].columns()["checks"]})
        for i, r in zip(ids, results, strict=True)
    ]
    failed = {
        i: out.rationale
        for i, out in zip(ids, VisualChecks().score(samples), strict=True)
        if out.value != 1.0
    }
    assert failed == {}
