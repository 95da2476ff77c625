"""Colour terms: a check that names a colour passes for any colour a person calls by that name.

Properties over the labelled table (CSS / X11 names, xcolor's base colours as TikZ renders them,
the palette), over each language's own spelling of every palette colour, and over arbitrary
colours (hypothesis); the near-boundary colours are the table in docs/visual-checks.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from codepaint_env.tasks.shapes.programs import LANGUAGES as SHAPES_LANGUAGES
from codepaint_env.tasks.shapes.scenes import BACKGROUNDS, OBJECT_COLOURS
from codepaint_env.tasks.shapes.vocabulary import defined, honest_values, spelling
from rewards.checks import VisualChecks
from rewards.checks.colour_names import NAMED_COLOURS, TERMS, boundary_table, term_of, terms_of
from rewards.checks.colours import PALETTE, parse_colour
from support.shapes_pictures import checked

DOC = Path(__file__).resolve().parents[3] / "docs" / "visual-checks.md"
LABELLED = [(name, hex_value, term) for name, (hex_value, term) in NAMED_COLOURS.items() if term]
SCENE_COLOURS = (*OBJECT_COLOURS, *BACKGROUNDS)


def rgb(hex_value: str) -> tuple[int, int, int]:
    return int(hex_value[1:3], 16), int(hex_value[3:5], 16), int(hex_value[5:7], 16)


def flat(value) -> Image.Image:
    """A canvas of one colour with a small mark in the middle (a uniform canvas is a blank render)."""
    image = Image.new("RGB", (48, 48), value)
    mark = (255, 255, 255) if sum(image.getpixel((0, 0))) < 384 else (0, 0, 0)
    image.paste(mark, (21, 21, 27, 27))
    return image


def test_every_term_has_a_palette_value_and_parses_as_itself():
    assert set(PALETTE) == set(TERMS)
    for term in TERMS:
        colour = parse_colour(term)
        assert colour.term == term and term_of(colour.rgb) == term
    assert parse_colour("gray").term == "grey"
    assert parse_colour("#123456").term is None  # a hex colour is matched by distance, not by term


@pytest.mark.parametrize(("name", "hex_value", "term"), LABELLED, ids=[n for n, _, _ in LABELLED])
def test_a_labelled_named_colour_is_called_by_its_term(name, hex_value, term):
    assert term_of(rgb(hex_value)) == term


@pytest.mark.parametrize("name", ["navy", "darkblue", "midnightblue"])
def test_the_css_navies_pass_a_navy_background_check(name):
    """The case the old check got wrong: fill="navy" failed a navy background (ΔE to a hidden hex)."""
    image = flat(NAMED_COLOURS[name][0])
    result = VisualChecks().score([checked(image, [{"kind": "background", "colour": "navy"}])])[0]
    assert result.value == 1.0, result.rationale


@pytest.mark.parametrize("language", sorted(SHAPES_LANGUAGES))
@pytest.mark.parametrize("colour", SCENE_COLOURS)
def test_each_languages_own_spelling_of_a_palette_colour_is_that_colour(language, colour):
    written = spelling(language, colour)
    if colour in defined(language, [colour]):  # the prompt defines it: the program writes that value
        value = PALETTE[colour]
    else:
        key = written if language != "tikz" else f"xcolor:{written}"
        value = NAMED_COLOURS[key][0]
    assert term_of(rgb(value)) == colour, (language, written, value)


@pytest.mark.parametrize("colour", SCENE_COLOURS)
def test_every_honest_value_of_a_colour_fails_every_other_colour_check(colour):
    for value in honest_values(colour):
        image = flat(value)
        for other in SCENE_COLOURS:
            check = {"kind": "colour", "colour": other, "min_area": 0.5}  # the canvas, not the mark
            passed = VisualChecks().score([checked(image, [check])])[0].value == 1.0
            assert passed == (other == colour), (colour, value, other)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)), min_size=1,
                max_size=40))
def test_a_picture_names_each_pixel_as_the_colour_alone_is_named(colours):
    """The per-picture path (unique colours, vectorised) agrees with naming each colour alone."""
    pixels = np.array(colours, dtype=np.uint8).reshape(1, -1, 3)
    names = [TERMS[i] for i in terms_of(pixels)[0]]
    assert names == [term_of(c) for c in colours]
    assert all(n in TERMS for n in names)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(LABELLED), st.integers(-2, 2), st.integers(-2, 2), st.integers(-2, 2))
def test_a_colour_two_levels_from_a_labelled_one_keeps_its_term_off_a_boundary(item, dr, dg, db):
    """Nudged by two levels a channel, a labelled colour keeps its term, except where another term's
    labelled colour is within a few ΔE (those pairs are the documented near-boundary cases)."""
    from codepaint_env.core.images import srgb_to_lab

    _, hex_value, term = item
    r, g, b = rgb(hex_value)
    nudged = (min(255, max(0, r + dr)), min(255, max(0, g + dg)), min(255, max(0, b + db)))
    lab = srgb_to_lab(np.array(rgb(hex_value), dtype=np.uint8))
    others = [srgb_to_lab(np.array(rgb(h), dtype=np.uint8))
              for h, t in NAMED_COLOURS.values() if t and t != term]
    margin = min(float(np.linalg.norm(lab - o)) for o in others)
    if margin > 6:  # two levels a channel move a colour by at most ~3 ΔE
        assert term_of(nudged) == term


def test_the_near_boundary_colours_are_documented():
    """docs/visual-checks.md lists every named colour people disagree on, with the term it gets."""
    text = DOC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z:]+)` \| `#[0-9a-f]{6}` \| (\w+) \|$", text, re.M))
    assert rows == {name: term for name, _, term in boundary_table()}
