"""The gate's checks against reward hacks, one by one: text, copies, degenerate pictures (issue 16).

Real parts: the p5 harness in Chromium for the text instrumentation, RapidOCR for OCR, the
repository's reference pool for copies and for the "no loved or okay reference is flagged"
measurement.
"""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

import rewards
from codepaint_env.tasks import Task, load_suite
from rewards.base import Sample
from rewards.gate.copies import CopyIndex, perceptual_hash
from rewards.gate.degenerate import measure_shape
from rewards.gate.ocr import shared_reader
from rewards.gate.text import instrumented_text, svg_text, text_allowed
from rewards.pool import ReferencePool
from rewards.probes import giant_word, probe_images, write_on
from support.pictures import painting, sample

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pool():
    return ReferencePool()


@pytest.fixture(scope="module")
def gate():
    return rewards.make_reward("execution_gate")


def ref_sample(ref, **meta) -> Sample:
    """A pool reference as an honest sample (excluded from its own copy check)."""
    return Sample.from_image(ref.image_file, language=ref.language, prompt=ref.prompt, subject=ref.subject,
                             exclude_references=[ref.id], **meta)


# ---------------------------------------------------------------------- allow_text
def test_allow_text_column_and_language_default():
    assert text_allowed("p5brush") is False and text_allowed("svg") is True and text_allowed("html") is True
    assert text_allowed("p5brush", True) is True and text_allowed("svg", "false") is False
    with pytest.raises(ValueError, match="allow_text"):
        text_allowed("svg", "maybe")
    clock = next(t for t in load_suite("refinement") if t.subject == "wall_clock")
    hibiscus = load_suite("watercolour")[0]
    counting = next(t for t in load_suite("svg") if t.id == "svg-five-yellow-stars")
    assert clock.text_allowed and clock.columns()["allow_text"] is True
    assert not hibiscus.text_allowed and hibiscus.columns()["allow_text"] is False
    assert not counting.text_allowed  # a policy must not write "5" for five stars
    assert Task(id="t", prompt="p", language="tikz").columns()["allow_text"] is None  # the default applies
    from codepaint_env.tasks import TaskError

    with pytest.raises(TaskError, match="allow_text"):
        Task.from_row({"id": "t", "prompt": "p", "language": "svg", "allow_text": "yes"})


# ---------------------------------------------------------------------- text: instrumentation
def test_svg_text_is_parsed_not_grepped():
    code = ("<svg xmlns='http://www.w3.org/2000/svg' width='64' height='64'><!-- <text>10/10</text> -->"
            "<title>a rose</title><desc>text</desc><style>text{fill:red}</style>"
            "<circle cx='32' cy='32' r='20'/><text x='1' y='9'> </text></svg>")
    assert svg_text(code) == []  # a comment, a title, a description, a style sheet, a blank <text>
    drawn = code.replace("<text x='1' y='9'> </text>", "<text x='1' y='9'>10/<tspan>10</tspan></text>"
                         "<foreignObject><p>WIN</p></foreignObject>")
    assert svg_text(drawn) == [("text", "10/10"), ("foreignObject", "WIN")]
    assert svg_text("<svg><text>unclosed") == []  # not well-formed: it does not render either
    assert instrumented_text("svg", drawn, {}) == ['<text> "10/10"', '<foreignObject> "WIN"']
    assert instrumented_text("p5", "", {"p5.text": 3, "brush.circle": 2}) == ["p5 text() x3"]


def test_text_drawn_by_a_program_is_counted_and_fails_a_no_text_task(renderer, gate):
    codes = [
        # p5.brush with p5's text() on top (the hack), and the same picture without it
        "function setup(){createCanvas(128,128,WEBGL);background(250);brush.fill('#c03050',90);"
        "brush.rect(-40,-40,80,80);fill(0);textSize(20);text('10/10',-30,0)}",
        "function setup(){createCanvas(128,128,WEBGL);background(250);brush.fill('#c03050',90);"
        "brush.rect(-40,-40,80,80)}",
        # plain p5: text() in 2D (counted twice: p5's text() and the canvas's fillText), a graphics
        # buffer's text(), and an empty string (nothing visible: not text)
        "function setup(){createCanvas(96,96);background(240);fill(0);text('A+',10,40);text('  ',1,1);"
        "fill(200,60,60);circle(60,60,40)}",
        "function setup(){createCanvas(96,96);background(240);let g=createGraphics(48,48);g.text('hi',5,20);"
        "image(g,0,0);circle(60,60,30)}",
    ]
    langs = ["p5brush", "p5brush", "p5", "p5"]
    samples = gate.build_samples(codes, language=langs, size=128)
    assert samples[0].render.api_calls.get("p5.text") == 1
    assert samples[2].render.api_calls == {"canvas.fillText": 1, "p5.text": 1}
    assert samples[3].render.api_calls.get("p5.text") == 1
    out = gate.score(samples)
    assert out[0].value == -1 and out[0].breakdown["no_text"] == 0 and "p5 text() x1" in out[0].rationale
    assert out[1].breakdown.get("no_text") == 1 and "ocr_words" in out[1].breakdown
    assert out[2].value == 1 and "no_text" not in out[2].breakdown  # p5 allows text unless the task says
    told = gate.score([Sample(code=s.code, language=s.language, render=s.render, meta={"allow_text": False})
                       for s in samples[2:]])
    assert [r.value for r in told] == [-1, -1]
    allowed = gate.score([Sample(code=samples[0].code, language="p5brush", render=samples[0].render,
                                 meta={"allow_text": True})])[0]
    assert allowed.value == 1 and "no_text" not in allowed.breakdown


def test_svg_text_fails_where_the_task_allows_none(renderer, gate):
    svg = ("<svg xmlns='http://www.w3.org/2000/svg' width='96' height='96'><rect width='96' height='96' "
           "fill='#fde'/><circle cx='48' cy='48' r='30' fill='#c33'/>"
           "<text x='4' y='90' font-size='9'>5</text></svg>")
    [s] = gate.build_samples([svg], language="svg", size=96, allow_text=[False])
    r = gate.score([s])[0]
    assert r.value == -1 and '<text> "5"' in r.rationale
    assert gate.score([Sample(code=s.code, language="svg", render=s.render)])[0].value == 1  # svg default


# ---------------------------------------------------------------------- text: OCR
def test_ocr_reads_words_on_paintings_and_nothing_in_the_pool(pool):
    reader = shared_reader()
    okay = list(pool.filter(language="p5brush", tier="okay"))[:6]
    for ref in okay[:3]:
        im = ref.image()
        assert not reader.read(im), ref.id
        assert "MASTERPIECE" in reader.read(write_on(im, "10/10 MASTERPIECE")).text
        assert reader.read(giant_word(im.size, ref.subject.upper(), (240, 235, 225)), stop_at_first=True)
    # coloured words straight on a wash (no white band)
    im = okay[3].image().copy()
    from PIL import ImageFont

    ImageDraw.Draw(im).text((40, 60), "WINNER", fill=(30, 90, 200), font=ImageFont.load_default(size=48))
    reading = reader.read(im)
    assert "WIN" in reading.text and reading.words[0].confidence >= 80 and reading.seconds > 0
    # tiny and noisy pictures read nothing
    assert not reader.read(painting(3, 96)) and not reader.read(Image.new("RGB", (8, 8), "white"))


def test_ocr_is_optional_per_task_and_per_gate(pool, gate):
    ref = next(iter(pool.filter(language="p5brush", tier="okay")))
    written = write_on(ref.image(), "10/10 MASTERPIECE")

    def scored(reward, **meta):
        return reward.score([Sample.from_image(written, language="p5brush", exclude_references=[ref.id],
                                               **meta)])[0]

    assert scored(gate).value == -1 and "MASTERPIECE" in scored(gate).rationale
    skipped = scored(gate, ocr=False)  # the task keeps the instrumentation only: pixels are not read
    assert skipped.value == 1 and "ocr_reads" not in skipped.cost and skipped.breakdown["no_text"] == 1
    no_ocr = rewards.make_reward("execution_gate", ocr=False)
    assert scored(no_ocr).value == 1 and scored(no_ocr, ocr=True).value == -1
    assert Task(id="t", prompt="p", language="svg", ocr=False).columns()["ocr"] is False


def test_a_batch_is_checked_side_by_side_with_the_answers_of_one_at_a_time(pool, gate):
    # score() spreads a batch over worker threads (OCR releases the GIL); order and values are
    # those of score_one, sample by sample.
    ref = next(iter(pool.filter(language="p5brush", tier="okay")))
    batch = [sample(painting(i, 256)) for i in range(5)] + [sample(None)]
    batch += [Sample.from_image(write_on(ref.image(), "10/10 MASTERPIECE"), language="p5brush",
                                exclude_references=[ref.id])]
    batch += [sample(painting(9, 256), allow_text=True)]
    together = gate.score(batch)
    alone = [gate.score_one(s) for s in batch]
    assert [(r.value, r.rationale) for r in together] == [(r.value, r.rationale) for r in alone]
    assert together[5].value == -1 and together[6].value == -1 and "MASTERPIECE" in together[6].rationale


def test_a_broken_ocr_installation_raises_with_the_fix():
    # without the OCR packages: building the gate raises (never a silent pass), ocr=False works
    for package in ("rapidocr", "onnxruntime"):
        script = (
            "import sys\n"
            f"sys.modules[{package!r}] = None  # the standard way to make a module missing\n"
            "import rewards\n"
            "rewards.make_reward('execution_gate', ocr=False)\n"
            "try:\n    rewards.make_reward('execution_gate')\n"
            "except Exception as e:\n    print(type(e).__name__, e)\n")
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("DependencyNotInstalled") and "codepaint[ocr]" in out.stdout
        assert package in out.stdout and "ocr=False" in out.stdout


# ---------------------------------------------------------------------- copies
def test_copies_of_pool_pictures_are_found_and_distinct_references_are_not(pool):
    index = CopyIndex(pool)
    for language in ("p5brush", "svg", "html"):
        for ref in pool.filter(language=language, tier=["love", "okay"]):
            assert index.find(ref.image(), language, exclude=[ref.id]) is None, ref.id
    ref = pool["p5brush-hibiscus-03"] if "p5brush-hibiscus-03" in pool else next(iter(pool))
    im = ref.image()
    rng = np.random.default_rng(0)
    jitter = Image.fromarray(np.clip(np.asarray(im, np.int16) + rng.integers(-8, 9, (*im.size[::-1], 3)),
                                     0, 255).astype(np.uint8))
    for copy in (im, im.resize((256, 256)), jitter):
        match = index.find(copy, ref.language)
        assert match is not None and match.reference_id == ref.id and match.ssim > 0.9
    assert perceptual_hash(im).shape == (64,)


def test_gate_fails_a_copy_names_it_and_can_penalise_instead(pool, gate, renderer):
    ref = next(iter(pool.filter(language="svg", tier="love")))
    [rendered] = gate.build_samples([ref.code()], language="svg", size=512)  # a re-render of its program
    r = gate.score([rendered])[0]
    assert r.value == -1 and r.breakdown["not_copy"] == 0 and r.breakdown[f"copy_of:{ref.id}"] > 0.9
    assert ref.id in r.rationale
    lenient = rewards.make_reward("execution_gate", copy_penalty=0.5)
    assert lenient.score([rendered])[0].value == pytest.approx(0.5)
    excluded = Sample(code=rendered.code, language="svg", render=rendered.render,
                      meta={"exclude_references": [ref.id]})
    assert gate.score([excluded])[0].value == 1  # scoring the pool itself
    assert rewards.make_reward("execution_gate", copy_check=False).score([rendered])[0].value == 1


def test_the_pairwise_judge_never_meets_a_near_copy_of_the_candidate(pool):
    judge = rewards.make_reward("pairwise_vlm", k=3, base_url="http://127.0.0.1:9/v1", model="x", cache=False)
    loves = list(pool.filter(language="p5brush", tier="love"))
    # a task whose draw includes a reference; a candidate copying that reference must not meet it
    for ref in loves:
        task = {"task_id": f"task-{ref.id}", "subject": ref.subject, "colour_family": ref.colour_family}
        drawn = judge.references_for(Sample.from_image(painting(1, 64), prompt=ref.prompt, **task))
        if ref.id in [r.id for r in drawn]:
            break
    else:
        pytest.fail("no draw met its own reference")
    copy = Sample.from_image(ref.image(), prompt=ref.prompt, **task)
    met = [r.id for r in judge.references_for(copy)]
    assert ref.id not in met and len(met) == 3


# ---------------------------------------------------------------------- degenerate pictures
def test_degenerate_probes_fail_and_no_good_reference_is_degenerate(pool, gate):
    for ref in pool.filter(tier=["love", "okay", "supplement"]):
        assert measure_shape(ref.image()).problem(ref.language) is None, ref.id
    honest = ref_sample(next(iter(pool.filter(language="p5brush", tier="okay"))))
    probes = probe_images(honest, [], random.Random(0), ("flat_block", "near_uniform", "noise"))
    results = {name: gate.score([Sample.from_image(im, language="p5brush", prompt=honest.prompt)])[0]
               for name, im in probes.items()}
    assert results["flat_block"].value == -1 and "flat block" in results["flat_block"].rationale
    assert results["near_uniform"].value == -1 and "near-uniform" in results["near_uniform"].rationale
    assert results["noise"].value == 1  # the gate is not a judge: noise is for the scoring rewards
    # a flat block is a fine SVG; a near-uniform SVG is not
    svg_flat = gate.score([sample(probes["flat_block"], language="svg")])[0]
    svg_empty = gate.score([sample(probes["near_uniform"], language="svg")])[0]
    assert svg_flat.value == 1 and svg_empty.value == -1
    # synthetic translucent-shape paintings (what other tests score) are not flat blocks
    assert all(measure_shape(painting(s)).problem("p5brush") is None for s in range(60))
    off = rewards.make_reward("execution_gate", degenerate_check=False)
    assert off.score([Sample.from_image(probes["flat_block"], language="p5brush")])[0].value == 1
