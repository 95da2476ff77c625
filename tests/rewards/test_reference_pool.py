"""The shipped reference pool: complete, valid, balanced, and reproducible by our renderer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rewards.pool import COLOUR_FAMILIES, ReferencePool

ROOT = Path(__file__).resolve().parents[2] / "reference_pool"


@pytest.fixture(scope="module")
def pool():
    return ReferencePool(ROOT)


def test_the_pool_loads_and_validates(pool):
    assert len(pool) >= 210
    for ref in pool:
        assert ref.size == (512, 512) and ref.seed == 0
        assert ref.code_file.is_file() and ref.image_file.is_file()


def test_watercolour_pool_meets_its_brief(pool):
    brush = pool.filter(language="p5brush")
    assert len(brush) >= 150
    tiers = brush.stats()["tier"]
    assert tiers.get("love", 0) >= 25 and tiers.get("okay", 0) >= 50
    assert tiers.get("reject", 0) >= 30 and tiers.get("supplement", 0) >= 1
    subjects = set(brush.stats()["subject"])
    assert len(subjects) >= 15
    flowers = subjects & {"hibiscus", "rose", "sunflower", "tulip", "water_lily", "poppy"}
    assert "hibiscus" in flowers and len(flowers) >= 3
    for s in ("landscape", "seascape", "still_life", "tree", "city", "abstract", "wall_clock",
              "bicycle", "elephant", "world_map"):
        assert s in subjects, s
    assert subjects & {"bird", "animal"}
    hues = set(brush.stats()["colour_family"]) & set(COLOUR_FAMILIES[:8])
    assert len(hues) >= 7, f"colour families around the wheel: {sorted(hues)}"


def test_svg_and_html_pools(pool):
    svg, html = pool.filter(language="svg"), pool.filter(language="html")
    assert len(svg) >= 40 and len(html) >= 20
    for sub in (svg, html):
        tiers = sub.stats()["tier"]
        assert tiers.get("love", 0) and tiers.get("okay", 0) and tiers.get("reject", 0)


def test_every_reference_has_a_reason_and_a_prompt(pool):
    for ref in pool:
        assert len(ref.reason.split()) >= 3, ref.id
        assert len(ref.prompt.split()) >= 2, ref.id


@pytest.mark.browser
def test_a_sample_of_the_pool_re_renders_to_its_stored_pngs():
    out = subprocess.run([sys.executable, "-m", "codepaint_env.cli", "pool", "--pool", str(ROOT),
                          "verify", "--sample", "8", "--seed", "1"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "verified 8 references" in out.stdout and "0 mismatched" in out.stdout
