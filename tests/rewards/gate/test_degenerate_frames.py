"""No degenerate picture pays, in any language (issue 54).

A flat fill in a thin frame of another colour, and a border drawn round an empty page, are
degenerate in every language: the gate's ``a frame`` verdict (nothing is drawn inside; the frame
only takes the picture's most common colour off the blank verdict). A page-sized shape of the
asked background's colour on another page, with the scene's object beside it, fails the
background claim. Each is written by the ``shapes`` suite's own writers in all five languages and
rendered by the real renderers (SVG by resvg, p5.js and HTML in Chromium, Python and TikZ in the
sandbox). And the verdict's threshold is checked against every picture that is not degenerate:
the pool's references and the suites' references keep most of their paint off the edges.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import rewards
from codepaint_env.render.resvg.fast_svg import render_svg_fast
from codepaint_env.tasks import load_suite
from codepaint_env.tasks.knowledge.catalogue import all_facts
from codepaint_env.tasks.knowledge.suite import scene_of
from codepaint_env.tasks.shapes.checks import scene_checks
from codepaint_env.tasks.shapes.geometry import Shape
from codepaint_env.tasks.shapes.levels import level_scenes
from codepaint_env.tasks.shapes.programs import LANGUAGES, reference_programs
from codepaint_env.tasks.shapes.scenes import Scene
from rewards.gate.degenerate import MAX_AT_EDGES, measure_shape
from rewards.pool import ReferencePool, default_pool_dir

FRAME = 3 / 512  # learning run 3's frame: 3 pixels of a 512-pixel canvas
SPEC = "gate:0.3,checks:0.7"


def scene_and_tasks(level: int = 0, seed: int = 8):
    scene = level_scenes(level, 1, seed=seed, split="eval")[0]
    tasks = {t.language: t for t in load_suite("shapes", level=level, count=1, seed=seed, split="eval")}
    assert all(t.prompt.startswith("Draw " + scene.description) for t in tasks.values())
    return scene, tasks


def probes(scene: Scene) -> dict[str, Scene]:
    """The degenerate pictures of a scene, as scenes its writers draw in every language."""
    colour, bg = scene.shapes[0].colour, scene.background
    other_page = "white" if bg != "white" else "cream"
    full = Shape("rect", colour, 0.5, 0.5, 0.0, width=1 - 2 * FRAME, height=1 - 2 * FRAME)
    band = 0.03
    border = (Shape("rect", colour, 0.5, band / 2, 0.0, width=1.0, height=band),
              Shape("rect", colour, 0.5, 1 - band / 2, 0.0, width=1.0, height=band),
              Shape("rect", colour, band / 2, 0.5, 0.0, width=band, height=1.0),
              Shape("rect", colour, 1 - band / 2, 0.5, 0.0, width=band, height=1.0))
    page_sized = (Shape("circle", bg, 0.5, 0.5, 0.47), replace(scene.shapes[0], x=0.5, y=0.5, size=0.1))
    return {"framed_fill": replace(scene, shapes=(full,)), "border_only": replace(scene, shapes=border),
            "background_coloured_page": replace(scene, background=other_page, shapes=page_sized)}


@pytest.mark.browser
def test_a_framed_fill_a_border_and_a_page_of_the_background_colour_do_not_pay_in_any_language(renderer):
    scene, tasks = scene_and_tasks()
    reward = rewards.make_reward(SPEC, renderer=renderer, size=256)
    table = {}
    for language in LANGUAGES:
        task = tasks[language]
        programs = {"reference": task.reference_programs[language],
                    **{name: reference_programs(s)[language] for name, s in probes(scene).items()}}
        columns = {k: v for k, v in task.columns().items() if k != "size"}
        n = len(programs)
        samples = reward.build_samples(list(programs.values()), prompts=[task.prompt] * n,
                                       **{k: [v] * n for k, v in columns.items()})
        results = reward.score(samples)
        by_name = dict(zip(programs, results, strict=True))
        table[language] = {k: r.value for k, r in by_name.items()}
        assert by_name["reference"].value == pytest.approx(1.0), (language, by_name["reference"].rationale)
        for name in ("framed_fill", "border_only"):
            result = by_name[name]
            assert result.value == pytest.approx(-0.3), (language, name, result.rationale)
            assert "a frame" in result.rationale, (language, name, result.rationale)
        page = by_name["background_coloured_page"]
        assert page.breakdown.get("checks/background") == 0.0 or "background" in page.rationale, \
            (language, page.rationale)
        assert page.value is not None and page.value < 1.0
    print("\nvalues under", SPEC, json.dumps(table))


def test_no_good_picture_has_its_paint_along_the_edges():
    """What chose the 98 %: every picture that is not degenerate keeps far more of its paint inside."""
    pool = ReferencePool(default_pool_dir())
    worst = 0.0
    for ref in pool.filter(tier=["love", "okay", "supplement"]):
        shape = measure_shape(ref.image())
        worst = max(worst, shape.at_edges)
        assert shape.problem(ref.language) is None, ref.id
    assert worst < 0.7 < MAX_AT_EDGES, worst


def test_the_verdict_is_the_frames_and_not_the_language():
    from PIL import Image, ImageDraw

    framed = Image.new("RGB", (256, 256), "navy")
    ImageDraw.Draw(framed).rectangle((2, 2, 253, 253), fill="cyan")
    inside = framed.copy()
    ImageDraw.Draw(inside).ellipse((100, 100, 140, 140), fill="red")
    for language in ("svg", "p5", "html", "python", "tikz", "p5brush"):
        assert "a frame" in (measure_shape(framed).problem(language) or ""), language
        assert measure_shape(inside).problem(language) is None, language


def test_the_suites_references_keep_their_paint_inside():
    scenes = [s for level in range(5) for s in level_scenes(level, 20, seed=2)]
    pictures = [reference_programs(s)["svg"] for s in scenes]
    pictures += [reference_programs(scene_of(f))["svg"] for f in all_facts()]
    worst = max(measure_shape(render_svg_fast(code, 256, 256).image).at_edges for code in pictures)
    assert worst < 0.7, worst
    assert scene_checks(scenes[0])  # the scenes are the suite's own
