"""Card suits drawn by other hands: where the ``spade``, ``club`` and ``lozenge`` shape rules come from.

    .venv/bin/python benchmarks/validity/suit_glyphs.py    # needs npm (the registry) and the DejaVu fonts

The knowledge suite's spade and club cards were told apart by no check kind (issue 54: both black,
one region on a stem, mirror-symmetric, centred). A person tells them by the top: a spade's is a
point, a club's a round lobe with a notch under it. This measures that on public designs nobody here
drew: the filled spade and club of five npm icon sets (Phosphor, Tabler, Bootstrap, Remix, Material
Design), OpenMoji's colour emoji (a grey fill inside a black outline) and the DejaVu fonts' U+2660 and
U+2663 glyphs. Each is drawn black on white, half the canvas tall, centred, rendered at 512 px, and
measured as the checks do (:func:`rewards.checks.shapes.measures` at the 160 px analysis size).

The diamonds card said "a red rhombus standing on a corner, taller than it is wide" with no shape
check: a tall red rectangle, ellipse or hexagon paid it in full. The same sets' diamonds (Phosphor's
plain diamond, the others' suit) and DejaVu's U+2666 are measured in their box as drawn, where the
``lozenge`` rule reads them, beside the tall shapes it must refuse (drawn here, in the same box).
Writes docs/suit-glyphs.md and docs/suit-glyphs.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "runs" / "suit-glyphs"
DOC, DOC_JSON = ROOT / "docs" / "suit-glyphs.md", ROOT / "docs" / "suit-glyphs.json"
#: npm package -> (spade, club, diamond) paths inside its tarball.
ICON_SETS: dict[str, tuple[str, str, str]] = {
    "@phosphor-icons/core@2.1.1": ("package/assets/fill/spade-fill.svg", "package/assets/fill/club-fill.svg",
                                   "package/assets/fill/diamond-fill.svg"),
    "@tabler/icons@3.52.0": ("package/icons/filled/spade.svg", "package/icons/filled/clubs.svg",
                             "package/icons/filled/diamonds.svg"),
    "bootstrap-icons@1.13.2": ("package/icons/suit-spade-fill.svg", "package/icons/suit-club-fill.svg",
                               "package/icons/suit-diamond-fill.svg"),
    "remixicon@4.9.1": ("package/icons/Game & Sports/poker-spades-fill.svg",
                        "package/icons/Game & Sports/poker-clubs-fill.svg",
                        "package/icons/Game & Sports/poker-diamonds-fill.svg"),
    "@mdi/svg@7.4.47": ("package/svg/cards-spade.svg", "package/svg/cards-club.svg",
                        "package/svg/cards-diamond.svg"),
    "openmoji@17.0.0": ("package/color/svg/2660.svg", "package/color/svg/2663.svg",
                        "package/color/svg/2666.svg"),
}
SUITS = ("spade", "club", "diamond")
#: Tall shapes in a diamond's box (width 0.72 of its height) that the ``lozenge`` rule must refuse.
NEAR_MISSES: dict[str, list[tuple[float, float]] | str] = {
    "a rectangle": [(0, 0), (1, 0), (1, 1), (0, 1)],
    "an ellipse": "ellipse",
    "a hexagon": [(0.5, 0), (1, 0.25), (1, 0.75), (0.5, 1), (0, 0.75), (0, 0.25)],
    "an upright triangle": [(0.5, 0), (1, 1), (0, 1)],
    "a kite": [(0.5, 0), (1, 1 / 3), (0.5, 1), (0, 1 / 3)],
}
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SHOWN = ("tip", "lobes", "widest", "flare", "solidity", "top_corners", "aspect", "holes")
#: What the ``lozenge`` rule reads, in the box as drawn.
SHOWN_LOZENGE = ("extent", "corners", "corner_cells", "middle", "solidity", "holes", "updown", "aspect")


def _tarball(package: str) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    name = subprocess.run(["npm", "pack", package, "--silent"], cwd=CACHE, check=True, capture_output=True,
                          text=True, timeout=300).stdout.strip().splitlines()[-1]
    return CACHE / name


def _place(im: Image.Image) -> Image.Image:
    """The glyph's dark pixels cropped, scaled to half the canvas's height, centred on 512 px white."""
    dark = np.asarray(im.convert("L")) < 128
    ys, xs = np.nonzero(dark)
    crop = im.convert("RGB").crop((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))
    crop = crop.resize((max(1, round(crop.width * 256 / crop.height)), 256), Image.Resampling.LANCZOS)
    out = Image.new("RGB", (512, 512), "white")
    out.paste(crop, ((512 - crop.width) // 2, 128))
    return out


def _svg(code: str) -> Image.Image:
    from codepaint_env.render import default_renderer

    res = default_renderer().render(code.replace("currentColor", "black"), "svg", size=1024, renderer="fast")
    if res.canvas_image is None:
        raise RuntimeError(f"resvg could not draw the icon: {res.error_kind}")
    im = res.canvas_image.convert("RGBA")
    page = Image.new("RGBA", im.size, "white")
    page.alpha_composite(im)
    return _place(page)


def _glyph(char: str) -> Image.Image:
    im = Image.new("RGB", (1200, 1200), "white")
    ImageDraw.Draw(im).text((200, 100), char, font=ImageFont.truetype(FONT, 800), fill="black")
    return _place(im)


def designs() -> dict[tuple[str, str], Image.Image]:
    """Every design's spade, club and diamond, drawn black on white at 512 px."""
    out: dict[tuple[str, str], Image.Image] = {}
    for package, paths in ICON_SETS.items():
        with tarfile.open(_tarball(package)) as tar:
            for suit, path in zip(SUITS, paths, strict=True):
                member = tar.extractfile(path)
                if member is None:
                    raise RuntimeError(f"{package} has no {path}")
                out[(package, suit)] = _svg(member.read().decode("utf-8"))
    for suit, char in zip(SUITS, ("\u2660", "\u2663", "\u2666"), strict=True):
        out[("DejaVu Sans", suit)] = _glyph(char)
    return out


def near_misses() -> dict[tuple[str, str], Image.Image]:
    """The tall shapes of :data:`NEAR_MISSES`, black on white, 256 px tall and 184 wide, centred."""
    out: dict[tuple[str, str], Image.Image] = {}
    left, top, w, h = 164, 128, 184, 256
    for name, points in NEAR_MISSES.items():
        im = Image.new("RGB", (512, 512), "white")
        draw = ImageDraw.Draw(im)
        if points == "ellipse":
            draw.ellipse((left, top, left + w, top + h), fill="black")
        else:
            draw.polygon([(left + x * w, top + y * h) for x, y in points], fill="black")
        out[(name, "not a diamond")] = im
    return out


def measure(images: dict[tuple[str, str], Image.Image]) -> list[dict[str, Any]]:
    """Each design's measures and what the rules say of it (a diamond's read in its box as drawn)."""
    from rewards.checks.colours import parse_colour
    from rewards.checks.picture import Picture
    from rewards.checks.shapes import is_shape, looks_like, measures

    rows = []
    for (design, suit), im in images.items():
        regions = Picture(im).regions(parse_colour("black"), 20.0, 0.002)
        r = regions[0]
        if suit in ("spade", "club"):
            m = measures(r)
            shown = {k: round(float(m[k]), 3) for k in SHOWN}
            verdicts = {"spade": is_shape(r, "spade"), "club": is_shape(r, "club")}
        else:
            m = measures(r, r.frames[0])
            shown = {k: round(float(m[k]), 3) for k in SHOWN_LOZENGE}
            verdicts = {"lozenge": is_shape(r, "lozenge")}
        rows.append({"design": design, "suit": suit, "black_regions": len(regions), **shown, **verdicts,
                     "looks_like": looks_like(r)})
    return rows


def write(rows: list[dict[str, Any]]) -> None:
    """docs/suit-glyphs.md and .json."""
    from rewards.checks.shapes import FLARE, LOBES, LOZENGE, TIP

    pairs = [r for r in rows if r["suit"] in ("spade", "club")]
    one_colour = [r for r in pairs if not r["design"].startswith("openmoji")]
    right = sum(r[r["suit"]] and not r["club" if r["suit"] == "spade" else "spade"] for r in one_colour)
    tips = {s: [r["tip"] for r in one_colour if r["suit"] == s] for s in ("spade", "club")}
    lines = [
        "# Card suits drawn by other hands", "",
        "Measured by `benchmarks/validity/suit_glyphs.py`: where the `spade`, `club` and `lozenge` shape "
        "rules (`rewards.checks.shapes`) come from. Each design is drawn black on white, half the canvas "
        "tall, rendered at 512 px and read by the checks at 160 px.", "",
        "## Spades and clubs", "",
        "`tip`: the outline's width 5 % of the height "
        "down over its width 20 % down (a point grows as the depth, a round lobe as its square root); "
        "`lobes`: how far the outline narrows under the top lobe before its widest row (a share of the "
        "box's width); `flare`: how far it widens again below its widest row, at the stem's base (both "
        "cards say \"on a short stem that flares at the base\"; a diamond, a heart or a disc: 0).", "",
        f"**Rules**: a spade has `tip` ≤ {TIP}, a club `tip` ≥ {TIP} and `lobes` ≥ {LOBES}; both `flare` ≥ "
        f"{FLARE} (the least of the one-colour designs' {min(r['flare'] for r in one_colour):.3f}, halved). "
        "The one-colour "
        f"designs' spades have `tip` {min(tips['spade']):.2f}-{max(tips['spade']):.2f}, their clubs "
        f"{min(tips['club']):.2f}-{max(tips['club']):.2f}; the threshold lies between the two. "
        f"**{right} of {len(one_colour)}** one-colour designs are their own suit and not the other. "
        "OpenMoji draws a grey fill inside a black outline: its black region is the outline (holes), "
        "which neither rule takes, as the card asks for a black suit.", "",
        "| design | suit | " + " | ".join(SHOWN).replace("_", " ") + " | spade | club | looks like |",
        "| --- | --- | " + " | ".join("---:" for _ in SHOWN) + " | --- | --- | --- |",
    ]
    for r in pairs:
        cells = [f"{r[k]:.3f}" for k in SHOWN] + ["yes" if r["spade"] else "no", "yes" if r["club"] else "no"]
        lines.append(f"| {r['design']} | {r['suit']} | {' | '.join(cells)} | {r['looks_like']} |")
    lines += diamond_lines([r for r in rows if r["suit"] not in ("spade", "club")], LOZENGE)
    DOC.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {"tip": TIP, "lobes": LOBES, "flare": FLARE, "lozenge": {k: list(v) for k, v in LOZENGE.items()},
            "rows": rows}
    DOC_JSON.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")


def diamond_lines(rows: list[dict[str, Any]], rule: dict[str, tuple[float, float]]) -> list[str]:
    """The diamonds section of docs/suit-glyphs.md: the public designs and the tall shapes refused."""
    designs = [r for r in rows if r["suit"] == "diamond" and not r["design"].startswith("openmoji")]
    misses = [r for r in rows if r["suit"] != "diamond"]
    took = sum(r["lozenge"] for r in designs)
    refused = sum(not r["lozenge"] for r in misses)

    def span(key: str) -> str:
        return f"{min(r[key] for r in designs):.2f}-{max(r[key] for r in designs):.2f}"

    ranges = ", ".join(f"`{k}` {lo:g}-{hi:g}".replace("-inf", " and up") for k, (lo, hi) in rule.items())
    out = ["", "## Diamonds", "",
           "The diamonds card says \"a red rhombus standing on a corner, taller than it is wide\"; before "
           "the `lozenge` rule its checks (one red region, centred, not cut, half the canvas across, "
           "mirror-symmetric both ways, taller than wide, only red on white) paid a tall red rectangle in "
           "full, and the search learner's fact-blind floor reached 0.857 on it. A lozenge is read in its "
           "box as drawn: `extent` (the share of the box it fills), `corners` (the box's four corner "
           "triangles, legs a quarter of the shorter side), `corner cells` (the greatest corner ninth), "
           "`middle` (the centre ninth), `updown` (top corner ninths less bottom ones).", "",
           f"**Rule** (`LOZENGE`): {ranges}. The one-colour designs have `extent` {span('extent')}, "
           f"`corners` {span('corners')}, `corner cells` {span('corner_cells')}, `solidity` "
           f"{span('solidity')}: **{took} of {len(designs)}** are lozenges, and **{refused} of "
           f"{len(misses)}** tall shapes in the same box are not. Phosphor's is its plain diamond (a square "
           "on its corner, which the card's aspect refuses as not taller); OpenMoji's black region is "
           "again its outline.", "",
           "| design | what | " + " | ".join(SHOWN_LOZENGE).replace("_", " ") + " | lozenge | looks like |",
           "| --- | --- | " + " | ".join("---:" for _ in SHOWN_LOZENGE) + " | --- | --- |"]
    for r in rows:
        cells = [f"{r[k]:.3f}" for k in SHOWN_LOZENGE] + ["yes" if r["lozenge"] else "no"]
        out.append(f"| {r['design']} | {r['suit']} | {' | '.join(cells)} | {r['looks_like']} |")
    return out


def main() -> int:
    rows = measure({**designs(), **near_misses()})
    for r in rows:
        verdicts = " ".join(f"{k} {r[k]!s:5}" for k in ("spade", "club", "lozenge") if k in r)
        print(f"{r['design']:28} {r['suit']:13} {verdicts} {r['looks_like']}")
    write(rows)
    print(f"wrote {DOC.relative_to(ROOT)} and {DOC_JSON.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
