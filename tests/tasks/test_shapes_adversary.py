"""The adversary on ``shapes`` tasks: its pictures, its oracle glue, a planted hole, the command.

Every render is real (resvg at the search's 160 px); budgets are tiny, so each search takes seconds.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest

import rewards
from codepaint_env.cli.main import main
from codepaint_env.scoring.adversary import AdversaryReport, card_row, run_adversary
from codepaint_env.scoring.card_report import Card
from codepaint_env.tasks.shapes.adversary import OracleJudge, Pricer, attack_scene, covered_terms
from codepaint_env.tasks.shapes.drawings import (
    Drawing,
    DrawingVocabulary,
    clear_term,
    from_scene,
    oracle_scene,
    svg,
    trouble,
)
from codepaint_env.tasks.shapes.geometry import Shape
from codepaint_env.tasks.shapes.levels import level_scenes
from codepaint_env.tasks.shapes.oracle import SceneRaster, broken_claims
from codepaint_env.tasks.shapes.suite import scene_tasks
from rewards.base import Reward, RewardResult, Sample
from rewards.checks import VisualChecks, parse_checks
from rewards.checks.regions import label
from rewards.testing.adversary import SearchSettings

SCENES = {level: level_scenes(level, 1, seed=0, split="eval")[0] for level in range(5)}


def checks_of(scene):
    return parse_checks(list(scene_tasks(scene, ("svg",))[0].checks))


class WithoutShapes(Reward):
    """A deliberately weak reward: the task's checks but the ``shape`` ones (a circle passes for a square)."""

    id = "test_without_shapes"
    value_range = (0.0, 1.0)

    def __init__(self) -> None:
        super().__init__()
        self.checks = VisualChecks()

    def score_one(self, sample: Sample) -> RewardResult:
        kept = [c for c in json.loads(sample.meta["checks"]) if c["kind"] != "shape"]
        return self.checks.score_one(replace(sample, meta={**sample.meta, "checks": json.dumps(kept)}))


# ---------------------------------------------------------------------- pictures the oracle can judge
@pytest.mark.parametrize("level", range(5))
def test_the_scene_s_own_picture_breaks_nothing(level):
    scene = SCENES[level]
    judge = OracleJudge(scene, checks_of(scene))
    drawing = from_scene(scene)
    assert trouble(drawing, judge.named) is None
    assert not judge.screen(drawing).wrong and not judge.confirm(drawing).wrong
    assert svg(drawing).startswith("<svg") and svg(drawing).count("fill=") == len(scene.shapes) + 1


def test_random_changes_only_make_pictures_the_oracle_can_judge():
    scene = SCENES[3]
    vocabulary = DrawingVocabulary(scene)
    rng = random.Random(0)
    drawing = from_scene(scene)
    kinds = set()
    for _ in range(300):
        changed = vocabulary.mutate(drawing, rng) if rng.random() < 0.9 else vocabulary.random(rng)
        if changed is None:
            continue
        assert trouble(changed, vocabulary.named) is None
        kinds |= {s.kind for s in changed.shapes}
        drawing = changed
    assert {"rect", "circle", "square"} <= kinds


def test_what_the_oracle_could_not_judge_plainly_is_refused():
    red, white = "#e53935", "#ffffff"
    disc = Shape("circle", red, 0.3, 0.3, 0.1)
    assert trouble(Drawing(white, (disc,))) is None
    assert "page" in (trouble(Drawing(red, (disc,)), frozenset({"red"})) or "")  # the page is a named colour
    assert trouble(Drawing(white, (disc, Shape("circle", white, 0.3, 0.3, 0.05)))) is not None  # an eraser
    assert trouble(Drawing(white, (disc, disc.moved(0.45, 0.3)))) is not None  # two reds touching
    assert clear_term("#e53935") == "red" and clear_term("#ff6000") is None  # between red and orange
    almost_square = Shape("rect", red, 0.5, 0.5, 0.0, width=0.3, height=0.3 / 1.26)  # a hair past 1.25
    assert trouble(Drawing(white, (almost_square,))) is not None
    bar_off_the_edge = Shape("rect", red, 0.9, 0.5, 0.0, width=0.5, height=0.05)  # a stripe? a cut bar?
    assert "stripe" in (trouble(Drawing(white, (bar_off_the_edge,))) or "")
    band = Shape("rect", red, 0.5, 0.5, 0.0, width=1.2, height=0.1)  # a stripe drawn as a wide rectangle
    assert trouble(Drawing(white, (band,))) is None
    (as_seen,) = oracle_scene(SCENES[0], Drawing(white, (band,))).shapes
    assert (as_seen.kind, as_seen.colour, as_seen.y) == ("stripe", "red", 0.5)
    assert as_seen.size == pytest.approx(0.05)


def test_a_claim_about_a_covered_object_is_no_verdict():
    scene = SCENES[2]  # two purple stars in a row across the middle, on black
    (colour,) = {s.colour for s in scene.shapes}
    judge = OracleJudge(scene, checks_of(scene))
    drawing = from_scene(scene)
    star = drawing.shapes[0]
    cover = Shape("circle", "#26c6da", star.x + star.size * 0.6, star.y, star.size * 0.8)  # cyan, unnamed
    covered = replace(drawing, shapes=(*drawing.shapes, cover))
    assert colour in covered_terms(SceneRaster(oracle_scene(scene, covered)))
    verdict = judge.confirm(covered)
    assert verdict.broken == ("only",)  # a cyan object the prompt does not name: plainly broken
    assert not any(name.endswith(colour) or f":{colour} " in name for name in verdict.broken)
    assert judge.screen(covered).broken == ("only",)


def test_an_object_the_edge_cuts_into_specks_is_no_verdict():
    # L3-25 of adversary-v8: a yellow star above the top edge shows two tips, each a speck to the
    # checks (under min_area) and together an object to the oracle: "two yellow objects" is no verdict
    scene = level_scenes(3, 50, seed=54, split="eval")[24]  # a yellow circle below a pink star on navy
    assert scene.description == "a yellow circle below a pink star on a navy background"
    tips = Shape("star", "#fdd835", 0.416, -0.0965, 0.165)
    drawing = Drawing("#1a237e", (Shape("star", "#f48fb1", 0.461, 0.234, 0.056), tips,
                                  Shape("circle", "#fdd835", 0.506, 0.517, 0.047)))
    raster = SceneRaster(oracle_scene(scene, drawing))
    labels, n = label(raster.owner == 1)
    parts = sorted((labels == k).mean() for k in range(1, n + 1))
    assert n == 2 and all(0.0005 < a < 0.0015 for a in parts)  # two tips, each under min_area
    assert raster.area(1) >= 0.0015  # together over it
    assert "yellow" in covered_terms(raster)
    verdict = OracleJudge(scene, checks_of(scene)).confirm(drawing)
    assert not any("yellow" in name for name in verdict.broken)
    assert any("yellow" in name for name in verdict.ambiguous)


def test_symmetry_is_the_row_on_the_page_not_a_disc_of_the_stated_background():
    # L4-26 of adversary-v8: two blue circles of unlike sizes around an orange star, on an off-centre
    # cream disc filling most of a brown page; cream is the stated background. The checks read the
    # near-symmetric disc and passed symmetry at 88 %; they and the oracle now read the row
    scene = level_scenes(4, 50, seed=54, split="eval")[25]
    assert "mirror-symmetric" in scene.description and scene.background == "cream"
    drawing = Drawing("#795548", (Shape("circle", "#fff3d6", 0.447, 0.431, 0.444),
                                  Shape("circle", "#1e88e5", 0.135, 0.793, 0.073),
                                  Shape("circle", "#1e88e5", 0.795, 0.839, 0.103),
                                  Shape("star", "#fb8c00", 0.47, 0.79, 0.09)))
    checks = checks_of(scene)
    (symmetry,) = [c for c in checks if c.kind == "symmetry"]
    task = scene_tasks(scene, ("svg",))[0]
    pricer = Pricer(rewards.make_reward("gate:0.3,checks:0.7"), task.prompt, task.columns())
    verdicts, _ = pricer.verdicts(svg(drawing), 512)
    assert verdicts["background"] is False and verdicts[symmetry.name] is False
    assert symmetry.name in OracleJudge(scene, checks).confirm(drawing).broken
    honest, _ = pricer.verdicts(task.reference_programs["svg"], 512)
    assert honest[symmetry.name] is True
    # the same symmetric row on a brown page with a centred cream disc: the row is symmetric
    row = from_scene(scene)
    on_disc = Drawing("#795548", (Shape("circle", "#fff3d6", 0.5, 0.5, 0.45), *row.shapes))
    verdicts, _ = pricer.verdicts(svg(on_disc), 512)
    assert verdicts[symmetry.name] is True


# ---------------------------------------------------------------------- the search on a scene
def test_the_adversary_finds_a_planted_hole_and_its_claims_agree_with_the_oracle():
    scene = SCENES[2]  # two purple stars: one of another kind, in its place, pays in full
    found = attack_scene(WithoutShapes(), scene, label="L2-01", settings=SearchSettings(budget=40, seed=0))
    best = found.best
    assert found.reference == 1.0 and best is not None and best.drawing is not None
    assert best.value == pytest.approx(1.0)  # a wrong picture paid in full
    assert best.broken and all(name.startswith("shape:") for name in best.broken)  # it broke only shapes
    assert found.overpaid is not None and found.overpaid.excess > 0
    truth = broken_claims(checks_of(scene), scene, oracle_scene(scene, best.drawing))
    assert set(best.broken) <= {c.name for c in truth.broken}
    assert svg(best.drawing) == best.svg


def test_a_seed_gives_the_same_search():
    reward = rewards.make_reward("visual_checks")
    runs = [attack_scene(reward, SCENES[0], label="L0-01", settings=SearchSettings(budget=24, seed=3))
            for _ in range(2)]
    a, b = runs
    assert a.best is not None and b.best is not None
    assert (a.best.svg, a.best.value, a.best.broken, a.evaluations, a.proposals) == \
        (b.best.svg, b.best.value, b.best.broken, b.evaluations, b.proposals)


# ---------------------------------------------------------------------- reports, the card row, the command
def test_the_report_adds_up_levels_and_the_card_row_judges_by_the_card_s_rule(tmp_path):
    reward = rewards.make_reward("visual_checks")
    report = run_adversary(reward, spec="visual_checks", count=1, budget=12, levels=(0,),
                           scenes=[("L0-01", SCENES[0])])
    assert isinstance(report, AdversaryReport) and len(report.attacks) == 1
    rows = report.rows()
    assert [r["level"] for r in rows] == ["0", "all"]
    assert rows[0]["evaluations"] == report.attacks[0].evaluations
    assert "level" in report.to_table() and "| 0 |" in report.to_markdown()
    row = card_row(report.attacks, 0.0)
    best = report.attacks[0].best
    assert best is not None and row["n"] == 1
    assert row["wrong"] == int((1.0 - best.value) < 0.5 * best.worth)
    card = Card("visual_checks", "visual_checks", "shapes", 1, 0, (0.0, 1.0), adversary={**row, "budget": 12})
    assert "adversary (best of 12 pictures scored a scene" in card.to_markdown()
    assert card.to_dict()["adversary"]["n"] == 1
    report.write(tmp_path)
    assert (tmp_path / "pictures" / "L0-01-best.svg").exists()
    assert (tmp_path / "pictures" / "L0-01-best.png").exists()


def test_check_reward_adversary_runs_end_to_end(tmp_path, capsys):
    code = main(["check-reward", "visual_checks", "--adversary", "1", "--levels", "0", "--evals-per-scene",
                 "12", "--no-invariants", "--out", str(tmp_path)])
    out = capsys.readouterr()
    assert code in (0, 1)
    assert "false full pass" in out.out and "report.md" in out.out
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["budget"] == 12 and len(report["scenes"]) == 1 and report["levels"] == [0]
    scene = report["scenes"][0]
    assert scene["evaluations"] <= 12 and (tmp_path / "pictures" / f"{scene['label']}-best.svg").exists()
    assert code == (1 if scene["false_full_pass"] or scene["overpaid_any"] else 0)


def _verdicts(scene, drawing) -> dict:
    task = scene_tasks(scene, ("svg",))[0]
    pricer = Pricer(rewards.make_reward("gate:0.3,checks:0.7"), task.prompt, task.columns())
    return pricer.verdicts(svg(drawing), 512)[0]


def test_a_frame_in_the_page_s_ring_does_not_make_a_row_symmetric():
    # L4-08 of adversary-v9: a ghost-white frame 0.6 % wide round a cream page (the stated background)
    # moved the axis to the canvas's middle and lifted triangles of unlike sizes from 67 % to 90 %
    scene = level_scenes(4, 50, seed=54, split="eval")[7]
    assert scene.description.startswith("a purple star between two blue triangles in a mirror-symmetric row")
    row = (Shape("triangle", "#1e88e5", 0.167, 0.167, 0.096), Shape("star", "#8e24aa", 0.5, 0.167, 0.092),
           Shape("triangle", "#1e88e5", 0.833, 0.167, 0.083))
    framed = Drawing("#f8f8ff", (Shape("rect", "#fff3d6", 0.5, 0.5, 0.0, width=0.988, height=0.988), *row))
    checks = checks_of(scene)
    (symmetry,) = [c for c in checks if c.kind == "symmetry"]
    assert _verdicts(scene, framed)[symmetry.name] is False
    assert symmetry.name in OracleJudge(scene, checks).confirm(framed).broken
    even = (row[0], row[1], replace(row[0], x=0.833))  # the same row, mirror-symmetric, in the same frame
    assert _verdicts(scene, replace(framed, shapes=(framed.shapes[0], *even)))[symmetry.name] is True


def test_a_thin_ring_of_a_colour_near_the_page_is_an_object_of_another_colour():
    # L0-07 of adversary-v9: a cream ring with a band 1.1 % of the canvas wide on a white page (cream is
    # within ΔE 17 of white, under the tolerance) passed `only`: thin objects were traced by ΔE from
    # the page, not by colour term as everything else
    scene = level_scenes(0, 50, seed=54, split="eval")[6]
    assert scene.description.startswith("a large orange square")
    square = from_scene(scene).shapes[0]
    ring = Shape("ring", "#fff3d6", 0.88, 0.9, 0.035, inner=0.684)  # a band 1.1 % wide, 0.2 % of the canvas
    drawing = Drawing("#ffffff", (square, ring))
    assert _verdicts(scene, drawing)["only"] is False
    assert "only" in OracleJudge(scene, checks_of(scene)).confirm(drawing).broken
    assert _verdicts(scene, from_scene(scene))["only"] is True


def test_an_object_nearly_cut_in_two_is_in_pieces_to_the_oracle():
    # L1-05 of adversary-v9: a grey square across an orange wave left a hairline under it; the checks
    # counted two orange regions, the oracle one wave: pieces joined by a neck under THIN are pieces
    scene = level_scenes(1, 50, seed=54, split="eval")[4]
    assert scene.description == "two orange triangles on a cream background"
    stripe = Shape("stripe", "#fb8c00", 0.5, 0.5, 0.04)  # 0.46-0.54
    bar = Shape("rect", "#9e9e9e", 0.5, 0.487, 0.0, width=0.02, height=0.094)  # down to 0.534: a 0.6 % neck
    drawing = Drawing("#fff3d6", (stripe, bar))
    raster = SceneRaster(oracle_scene(scene, drawing))
    assert label(raster.owner == 0)[1] == 1  # one object on the oracle's grid, under 5 % of it covered
    assert "orange" in covered_terms(raster)
    apart = replace(drawing, shapes=(stripe, replace(bar, y=0.465, height=0.05)))  # a 5 % neck: one object
    assert "orange" not in covered_terms(SceneRaster(oracle_scene(scene, apart)))


def test_a_mark_painted_inside_an_object_is_another_object_and_an_outline_is_not():
    # an outline hugs its object with the page on its outer side; a star of another colour painted
    # inside a square has the square all round it: an object the prompt does not name, to the checks
    # (they let it pass as the square's outline, every pixel of it within the outline's reach) and the oracle
    scene = level_scenes(0, 50, seed=54, split="eval")[6]  # a large orange square on white
    square = from_scene(scene).shapes[0]
    checks = checks_of(scene)
    marked = Drawing("#ffffff", (square, Shape("star", "#8e24aa", square.x, square.y, 0.05)))  # purple
    assert _verdicts(scene, marked)["only"] is False
    assert "only" in OracleJudge(scene, checks).confirm(marked).broken
    frame = replace(square, colour="#3e2723", size=square.size + 0.008)  # a dark outline 0.8 % wide
    outlined = Drawing("#ffffff", (frame, square))
    assert _verdicts(scene, outlined)["only"] is True
    assert "only" not in OracleJudge(scene, checks).confirm(outlined).broken


def test_a_rectangle_the_canvas_cuts_into_a_bar_is_refused_as_a_stripe_is():
    # L1-26 of adversary-v9 ("two horizontal purple stripes"): a 0.75 x 0.30 rectangle run off the
    # bottom-right corner shows a bar 0.74 x 0.21; a rectangle to the oracle, a stripe to the checks
    # and to some people: no plain verdict, like a stripe that runs off one edge
    corner = Shape("rect", "#8e24aa", 0.635, 0.937, 0.0, width=0.752, height=0.297)
    assert trouble(Drawing("#fff3d6", (corner,)), frozenset({"purple"})) is not None
    inside = replace(corner, y=0.6)  # the same rectangle inside the canvas: a rectangle, plainly
    assert trouble(Drawing("#fff3d6", (inside,)), frozenset({"purple"})) is None


def test_default_is_priced_as_the_composite_it_picks_for_the_task():
    """`check-reward default` and `check-reward gate:0.3,checks:0.7` price a shapes task alike (issue 72)."""
    from codepaint_env.tasks.shapes.adversary import checks_share

    task = scene_tasks(level_scenes(0, 1, split="eval")[0], ("svg",))[0]
    default = rewards.make_reward("default")
    assert checks_share(default, task.columns()) == pytest.approx(0.7)
    assert checks_share(rewards.make_reward("gate:0.3,checks:0.7"), task.columns()) == pytest.approx(0.7)
    # a task without checks: classic, held to the card's margin rule
    assert checks_share(default, {**task.columns(), "checks": None}) is None
    found = attack_scene(default, level_scenes(0, 1, split="eval")[0], label="L0-01",
                         settings=SearchSettings(budget=20, seed=0))
    assert found.cost_rule == "checks"
