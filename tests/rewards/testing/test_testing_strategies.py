"""The public test kit's strategies (rewards.testing): what they draw, and what they refuse."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rewards.base import Sample
from rewards.testing import LANGUAGES, PICTURE_KINDS, PROGRAM_KINDS, pictures, programs, samples, tasks
from rewards.testing.programs import MAX_CODE_BYTES, Scene, Shape, decorate, program


def first(strategy):
    """One value a strategy draws (derandomized: the same every run; no shrinking)."""
    drawn = []

    @settings(max_examples=1, database=None, derandomize=True, deadline=None, phases=[Phase.generate])
    @given(strategy)
    def draw(value):
        drawn.append(value)

    draw()
    return drawn[0]


FAST = settings(max_examples=10, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(kind=st.sampled_from(PICTURE_KINDS), data=st.data())
def test_pictures_are_rgb_squares_of_the_asked_size(kind, data):
    image = data.draw(pictures(kind, size=48))
    assert image.mode == "RGB" and image.size == (48, 48)


@FAST
@given(batch=samples(min_size=2, max_size=5))
def test_samples_carry_prompts_task_columns_and_a_previous_render(batch):
    assert 2 <= len(batch) <= 5
    for s in batch:
        assert isinstance(s, Sample) and s.prompt
        assert {"task_id", "subject", "colour_family", "checks"} <= set(s.meta)
        assert s.previous is not None and s.previous.ok is not None
        if s.render.error_kind is None:
            assert s.ok and s.render.png


def test_samples_mix_in_failed_and_infra_renders():
    seen: set[str] = set()

    @settings(max_examples=25, deadline=None, database=None, derandomize=True)
    @given(batch=samples(min_size=6, max_size=6))
    def draw(batch):
        seen.update("infra" if s.render.error_kind == "infra" else "ok" if s.ok else "failed" for s in batch)

    draw()  # derandomized: the same 25 batches every run
    assert seen == {"ok", "failed", "infra"}


def test_samples_without_failures_are_all_pictures():
    @FAST
    @given(batch=samples(failures=False, infra=False, kind="painting"))
    def check(batch):
        assert all(s.ok for s in batch)

    check()


SCENE = Scene((240, 235, 220), (Shape("circle", (200, 40, 40), 0.4, 0.5, 0.2),
                                 Shape("rect", (30, 60, 160), 0.7, 0.3, 0.1)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_programs_of_every_kind_in_every_language(language):
    for kind in PROGRAM_KINDS:
        if kind == "timeout" and language in ("svg", "tikz"):
            with pytest.raises(ValueError, match="cannot run forever"):
                programs(language, kind)
            continue
        code = program(SCENE, language, kind)
        assert (code.strip() and code != program(SCENE, language, "valid")) or kind == "valid"
        assert (len(code.encode()) > MAX_CODE_BYTES) == (kind == "too_large")


@FAST
@given(code=programs("svg", "valid"), comment=st.text(max_size=30), spaces=st.integers(0, 4))
def test_valid_svg_programs_are_xml_with_or_without_a_comment(code, comment, spaces):
    ET.fromstring(code)
    ET.fromstring(decorate(code, "svg", comment, spaces).strip())


def test_valid_svg_programs_render_with_resvg_and_broken_ones_fail():
    from codepaint_env.render import default_renderer

    renderer = default_renderer()
    good = renderer.render(first(programs("svg", "valid")), "svg", size=64, renderer="fast")
    bad = renderer.render(first(programs("svg", "syntax")), "svg", size=64, renderer="fast")
    assert good.ok, good.messages
    assert not bad.ok and bad.error_kind == "syntax", (bad.error_kind, bad.messages)


def test_unknown_kinds_and_languages_are_named():
    with pytest.raises(ValueError, match="choose from"):
        pictures("sunset")
    with pytest.raises(ValueError, match=r"rewards\.testing writes"):
        programs("cobol")
    with pytest.raises(ValueError, match="choose from"):
        programs("svg", "elegant")


@FAST
@given(task=tasks(level=(0, 1)))
def test_tasks_come_from_the_shapes_generator_with_checks(task):
    assert task.suite == "shapes" and task.level in (0, 1) and task.checks


def test_svg_samples_are_rendered_by_resvg():
    batch = first(samples(svg=True, failures=False, infra=False, min_size=2, max_size=2))
    assert all(s.language == "svg" and s.render.renderer != "image" for s in batch)


def test_importing_without_hypothesis_says_how_to_install_it():
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "try:\n    import rewards.testing\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'codepaint[testing]'" in out
