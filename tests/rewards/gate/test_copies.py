"""Near-copies (:mod:`rewards.gate.copies`): pool pictures and their near-copies match, flat shapes do not.

Real parts: the repository's reference pool (216 references, every tier and language), resvg for
the SVG the ``shapes`` generator wrote, Pillow for the pictures drawn here. Issue 54: the level-0
reference "a yellow triangle on a cream background" (``shapes-l0-4dd7d2c035-svg`` of suite version
3) failed the gate as "a near-copy of reference svg-landscape-03 (SSIM 0.75)"; the similarity was
SSIM in grey, where yellow on cream is nearly flat. It is now SSIM on the R, G and B planes with
IW-SSIM's information weights; the measurement that chose it is in the module docstring and
docs/reference-validity.md.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageEnhance

from codepaint_env.render import default_renderer
from rewards.checks.colours import PALETTE, contrast_ratio, rgb_of
from rewards.gate.copies import CopyIndex, colour_thumbnail, copy_similarity, similarities
from rewards.pool import ReferencePool

#: The level-0 reference the old measure called a copy (suite version 3, train seed 21).
YELLOW_TRIANGLE = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">'
                   '<rect width="400" height="400" fill="#fff3d6"/>'
                   '<polygon points="67.2,285.2 106,352.4 28.4,352.4" fill="yellow"/></svg>')


@pytest.fixture(scope="module")
def pool():
    return ReferencePool()


@pytest.fixture(scope="module")
def index(pool):
    return CopyIndex(pool)


def jpeg(im: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def near_copies(im: Image.Image, rng: np.random.Generator) -> dict[str, Image.Image]:
    """What a copier hands in: the picture, a 256-px round trip, +-8 levels of noise, a JPEG at quality 60."""
    rgb = im.convert("RGB")
    noisy = np.clip(np.asarray(rgb, np.int16) + rng.integers(-8, 9, (*rgb.size[::-1], 3)), 0, 255)
    return {"itself": rgb, "256 px": rgb.resize((256, 256)).resize(rgb.size),
            "noise 8": Image.fromarray(noisy.astype(np.uint8)), "jpeg 60": jpeg(rgb, 60)}


def test_the_yellow_triangle_on_cream_is_not_a_copy_of_the_pale_landscape(pool, index):
    [render] = default_renderer().render_many([YELLOW_TRIANGLE], "svg", size=512, renderer="fast")
    image = render.canvas_image
    landscape = pool["svg-landscape-03"].image()
    assert copy_similarity(colour_thumbnail(image), colour_thumbnail(landscape)) < 0.3  # was 0.75 in grey
    assert index.find(image, "svg") is None
    nearest = index.closest(image)  # any language, whatever the hash says
    assert nearest is not None and nearest.ssim < 0.5


def test_every_pool_reference_matches_itself_and_its_near_copies(pool, index):
    rng = np.random.default_rng(0)
    missed: dict[str, list[str]] = {}
    for ref in pool:
        for name, copy in near_copies(ref.image(), rng).items():
            own = copy_similarity(colour_thumbnail(copy), colour_thumbnail(ref.image()))
            assert own > 0.98, (ref.id, name, own)  # the measure itself never misses a near-copy
            if ref.id not in [m.reference_id for m in index.matches(copy, ref.language)]:
                missed.setdefault(name, []).append(ref.id)  # the hash can (near-blank pictures)
    assert "itself" not in missed and "256 px" not in missed
    # measured: 4 of 216 with noise and 2 with the JPEG are more than 8 hash bits away (reject-tier,
    # near-blank pictures whose low frequencies sit at their median)
    assert all(len(ids) <= 6 for ids in missed.values()), missed


def test_brightness_and_hue_changes_are_still_copies(pool, index):
    caught, tried = 0, 0
    for ref in pool.filter(tier=["love", "okay"]):
        rgb = ref.image().convert("RGB")
        hsv = np.asarray(rgb.convert("HSV"), np.int16).copy()
        hsv[..., 0] = (hsv[..., 0] + 11) % 256  # 15 degrees
        for copy in (ImageEnhance.Brightness(rgb).enhance(0.85),
                     Image.fromarray(hsv.astype(np.uint8), "HSV").convert("RGB")):
            tried += 1
            caught += ref.id in [m.reference_id for m in index.matches(copy, ref.language)]
    assert caught / tried >= 0.9, (caught, tried)


def test_no_two_distinct_pool_references_match(pool, index):
    for ref in pool:
        found = index.matches(ref.image(), ref.language, exclude=[ref.id])
        assert found == [], (ref.id, found)


COLOURS = sorted(PALETTE)


@st.composite
def flat_pictures(draw) -> Image.Image:
    """A page of one palette colour, 1-6 circles, boxes and triangles in colours that stand out from it."""
    background = draw(st.sampled_from(COLOURS))
    inks = [c for c in COLOURS if contrast_ratio(rgb_of(PALETTE[c]), rgb_of(PALETTE[background])) >= 1.5]
    side = draw(st.sampled_from((256, 512)))
    im = Image.new("RGB", (side, side), PALETTE[background])
    pen = ImageDraw.Draw(im)
    for _ in range(draw(st.integers(1, 6))):
        colour = PALETTE[draw(st.sampled_from(inks))]
        size = draw(st.floats(0.04, 0.7)) * side
        x, y = (draw(st.floats(0, side - size)) for _ in range(2))
        kind = draw(st.sampled_from(("circle", "box", "triangle")))
        if kind == "circle":
            pen.ellipse((x, y, x + size, y + size), fill=colour)
        elif kind == "box":
            pen.rectangle((x, y, x + size, y + size * draw(st.floats(0.1, 1.0))), fill=colour)
        else:
            pen.polygon([(x + size / 2, y), (x + size, y + size), (x, y + size)], fill=colour)
    return im


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flat_pictures())
def test_a_flat_shapes_picture_is_no_copy_in_any_language(index, picture):
    for language in ("svg", "html", "p5brush"):
        assert index.find(picture, language) is None


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_similarity_is_one_for_a_picture_itself_symmetric_and_bounded(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.random((3, 64, 64)), rng.random((3, 64, 64)) * rng.random()
    assert copy_similarity(x, x) == pytest.approx(1.0)
    assert copy_similarity(x, y) == pytest.approx(copy_similarity(y, x))
    assert -1 <= copy_similarity(x, y) <= 1
    flat = np.full((3, 64, 64), rng.random())
    assert copy_similarity(flat, flat) == pytest.approx(1.0)  # two wholly flat pictures: their plain SSIM
    assert similarities(x, np.stack([x, y])).shape == (2,)
