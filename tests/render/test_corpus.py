"""The renderer and language detection against real public programs nobody here wrote.

The corpus (``make corpus``: scripts/get_corpus.py) is downloaded from npm, PyPI and Debian into
.corpus/ and never committed; tests/support/corpus.py loads its manifest. Its sources, per language:
p5.js's reference examples, p5.brush's README sketches, the W3C SVG 1.1 test suite + librsvg bug
reftests + icon/flag/emoji sets, jQuery UI / Flot / Paper.js example pages, matplotlib's gallery,
and the PGF/TikZ manual's code examples + small TeX Live example documents.
"""

from __future__ import annotations

import collections
import time

import numpy as np
import pytest

from codepaint_env.render import RenderResult, detect_language
from support.corpus import LANGUAGES, CorpusMissing, load_manifest, sample

pytestmark = pytest.mark.browser


def corpus_files():
    """The corpus, or a failure (not a skip) that says to run `make corpus`."""
    try:
        return load_manifest()
    except CorpusMissing as e:
        missing = str(e)
    pytest.fail(missing, pytrace=False)


def test_corpus_is_there_and_covers_every_language():
    files = corpus_files()
    counts = collections.Counter(f.language for f in files)
    assert set(counts) == set(LANGUAGES), counts
    # p5.brush has only ~10 whole sketches on the registries; the others have 100 each.
    assert counts["p5brush"] >= 8, counts
    assert all(counts[lang] >= 90 for lang in LANGUAGES if lang != "p5brush"), counts
    assert all(f.source.split(":", 1)[0] in ("npm", "pypi", "deb") and f.licence for f in files)


def test_detect_language_on_every_corpus_file():
    """Detection from the code alone (no file name) names the language each file is known to be in."""
    files = corpus_files()
    wrong = [(f.path, f.language, got) for f in files if (got := detect_language(f.code)) != f.language]
    assert not wrong, (f"{len(wrong)} of {len(files)} corpus files detected as the wrong language "
                       "(path, expected, got):\n" + "\n".join(map(str, wrong)))


# ---------------------------------------------------------------------------------------------- render
# A fixed sample: per language, the first N files in order of a hash of their path. Sized so the
# test takes about a minute here (2 cores, no GPU: 58 s of rendering measured); p5.brush on
# SwiftShader (~1.5 s a sketch) and python (~1 s: the matplotlib import) cost the most.
SAMPLE = {"p5": 40, "p5brush": 10, "svg": 60, "html": 40, "python": 24, "tikz": 40}

# ok-rate floors, a margin under what was measured on this sample [and on the whole corpus]:
#   p5       0.90 [0.86]: the rest are `blank`: reference examples that only console.log, make a
#            DOM element, or draw on a key press (the canvas stays one colour)
#   p5brush  0.60-0.70 between runs [0.60]: 1.x sketches need an image tip (a blocked local file)
#            or an instance-mode canvas without WEBGL; README's framebuffer example is `blank`
#   svg      1.00 [1.00]
#   html     0.42 [0.56]: these pages load their library from a local path the sandbox blocks:
#            jQuery UI demos still show their markup (ok), Flot's inline code throws
#            (`$ is not defined`: runtime), most Paper.js pages are one empty canvas (blank)
#   python   1.00 [0.98]: the rest save a PDF, not a picture
#   tikz     0.97 [0.98]: one manual example uses a node named in an earlier example
FLOOR = {"p5": 0.8, "p5brush": 0.5, "svg": 0.95, "html": 0.3, "python": 0.9, "tikz": 0.9}

# resvg ("fast") vs Chromium on the SVGs Chromium renders ok, mean |pixel difference| (0-255, RGB)
# per file. Measured on this sample: mean 1.66, median 0.63, p90 2.35, max 24.8; whole corpus:
# mean 2.13, median 0.69, p90 3.13, p95 6.98, max 27.4. Icons, flags and emoji agree to < 0.6;
# the W3C tests with patterns, filter tiles and lighting and `systemLanguage` switches differ most.
FAST_MEAN_BOUND = 4.0
FAST_MEDIAN_BOUND = 1.5
FAST_FILE_BOUND = 40.0


def mean_diff(a, b) -> float:
    x = np.asarray(a.convert("RGB"), dtype=np.int16)
    y = np.asarray(b.convert("RGB"), dtype=np.int16)
    assert x.shape == y.shape
    return float(np.abs(x - y).mean())


def test_render_corpus_sample(renderer):
    files = sample(corpus_files(), SAMPLE)
    t0 = time.monotonic()
    results = renderer.render_many([f.code for f in files], [f.language for f in files], size=256)
    elapsed = time.monotonic() - t0
    assert len(results) == len(files)
    assert all(isinstance(r, RenderResult) for r in results)

    by_lang: dict[str, list] = collections.defaultdict(list)
    for f, r in zip(files, results, strict=True):
        by_lang[f.language].append((f, r))
    report = []
    for lang, pairs in by_lang.items():
        rate = sum(r.ok for _, r in pairs) / len(pairs)
        kinds = collections.Counter(r.error_kind for _, r in pairs if not r.ok)
        report.append(f"{lang}: ok {rate:.2f} of {len(pairs)} {dict(kinds)}")
    summary = "\n".join(report) + f"\n({elapsed:.0f} s)"
    print(summary)
    for lang, pairs in by_lang.items():
        rate = sum(r.ok for _, r in pairs) / len(pairs)
        failed = [(f.path, r.error_kind, (r.messages or [""])[0][:120]) for f, r in pairs if not r.ok]
        assert rate >= FLOOR[lang], f"{lang}: ok-rate {rate:.2f} < {FLOOR[lang]}\n{summary}\n" + "\n".join(
            map(str, failed))

    # SVG: what Chromium renders ok, resvg renders too, and the two pictures agree.
    svg = [(f, r) for f, r in by_lang["svg"] if r.ok]
    fast = renderer.render_many([f.code for f, _ in svg], "svg", size=256, renderer="fast")
    not_ok = [(f.path, x.error_kind, x.messages[:1]) for (f, _), x in zip(svg, fast, strict=True) if not x.ok]
    assert not not_ok, f"Chromium rendered these, resvg did not: {not_ok}"
    diffs = {f.path: mean_diff(r.image, x.image) for (f, r), x in zip(svg, fast, strict=True)}
    worst = sorted(diffs.items(), key=lambda kv: -kv[1])[:5]
    v = np.array(list(diffs.values()))
    print(f"resvg vs Chromium over {len(v)}: mean {v.mean():.2f} p50 {np.median(v):.2f} "
          f"p90 {np.percentile(v, 90):.2f} max {v.max():.2f}; {worst}")
    assert v.mean() <= FAST_MEAN_BOUND, f"mean |difference| {v.mean():.2f}; worst: {worst}"
    assert np.median(v) <= FAST_MEDIAN_BOUND, f"median |difference| {np.median(v):.2f}; worst: {worst}"
    assert worst[0][1] <= FAST_FILE_BOUND, f"resvg and Chromium disagree: {worst}"


def test_p5_1x_reference_examples_render_with_the_1x_engine(renderer):
    """p5.js 1.11's own examples that use API p5.js 2 removed render, and with p5.js 1.x."""
    files = [f for f in corpus_files() if "/p5-1x-reference/" in f.path]
    assert len(files) >= 5, "run `make corpus`: no p5.js 1.x examples in .corpus/"
    results = renderer.render_many([f.code for f in files], "p5", size=128)
    bad = [(f.path, r.error_kind, r.messages[:2]) for f, r in zip(files, results, strict=True)
           if not r.ok or "+p5-1.11." not in r.renderer]
    assert not bad, bad
