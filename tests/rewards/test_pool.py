"""ReferencePool: loading, validation errors, filters, matched sampling, and the pool CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from rewards.pool import (
    COLOUR_FAMILIES,
    TIERS,
    PoolError,
    ReferencePool,
    colour_distance,
)

SUBJECTS = ["rose", "tulip", "landscape", "seascape"]


def make_pool(root: Path, n: int = 24) -> Path:
    """A small synthetic pool: real files, rows that cycle through subjects, tiers and colours."""
    (root / "code").mkdir(parents=True)
    (root / "renders").mkdir()
    rows = []
    for i in range(n):
        rid = f"p5brush-{SUBJECTS[i % 4]}-{i:02d}"
        (root / "code" / f"{rid}.js").write_text(f"// {rid}\nfunction setup(){{}}")
        Image.new("RGB", (8, 8), (i * 10 % 256, 80, 120)).save(root / "renders" / f"{rid}.png")
        rows.append({
            "id": rid, "language": "p5brush", "prompt": f"a {SUBJECTS[i % 4]}",
            "subject": SUBJECTS[i % 4], "palette": ["#aabbcc", "#112233"],
            "colour_family": COLOUR_FAMILIES[i % len(COLOUR_FAMILIES)], "tier": TIERS[i % 4],
            "reason": "test row", "code_path": f"code/{rid}.js", "image_path": f"renders/{rid}.png",
            "sha256": "0" * 64, "size": [8, 8], "seed": 0, "renderer": "test",
        })
    (root / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


@pytest.fixture
def pool(tmp_path):
    return ReferencePool(make_pool(tmp_path / "pool"))


def test_load_filter_and_lookup(pool):
    assert len(pool) == 24
    loves = pool.filter(tier="love")
    assert len(loves) == 6 and all(r.tier == "love" for r in loves)
    assert len(pool.filter(tier=["love", "okay"], subject="rose")) == 6
    ref = pool["p5brush-rose-00"]
    assert ref.code().startswith("// p5brush-rose-00") and ref.image().size == (8, 8)
    with pytest.raises(KeyError, match="no reference"):
        pool["nope"]
    with pytest.raises(ValueError, match="unknown"):
        pool.filter(tier="favourite")


def test_bad_rows_are_named(tmp_path):
    root = make_pool(tmp_path / "p")
    lines = (root / "manifest.jsonl").read_text().splitlines()
    bad = json.loads(lines[3])
    bad["tier"] = "great"
    bad["palette"] = ["red"]
    lines[3] = json.dumps(bad)
    lines[5] = "{not json"
    dup = json.loads(lines[7])
    dup["id"] = json.loads(lines[6])["id"]
    lines[7] = json.dumps(dup)
    (root / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    (root / "renders" / "p5brush-rose-08.png").unlink()
    with pytest.raises(PoolError) as e:
        ReferencePool(root)
    msg = str(e.value)
    assert "manifest.jsonl:4" in msg and "'tier'" in msg and "'palette'" in msg
    assert "manifest.jsonl:6: not valid JSON" in msg
    assert "manifest.jsonl:8" in msg and "duplicate id" in msg
    assert "image_path 'renders/p5brush-rose-08.png' does not exist" in msg


def test_missing_pool_says_what_to_do(tmp_path):
    with pytest.raises(PoolError, match="codepaint pool add"):
        ReferencePool(tmp_path / "empty")


def test_matched_sampling_prefers_subject_then_colour(pool):
    got = pool.sample(6, 1, match={"subject": "rose", "colour_family": "red"})
    assert [r.subject for r in got] == ["rose"] * 6
    got = pool.sample(8, 1, match={"subject": "rose", "colour_family": "red"})
    assert [r.subject for r in got[:6]] == ["rose"] * 6 and got[6].subject != "rose"
    rest = pool.filter(subject=["tulip", "landscape", "seascape"])
    best = min(colour_distance(r.colour_family, "red") for r in rest)
    assert colour_distance(got[6].colour_family, "red") == best


def test_sampling_is_seeded(pool):
    import numpy as np

    a = [r.id for r in pool.sample(5, 42)]
    assert a == [r.id for r in pool.sample(5, 42)]
    assert a != [r.id for r in pool.sample(5, 43)]
    assert len(pool.sample(5, np.random.default_rng(0))) == 5
    assert pool.sample(100, 0) and len(pool.sample(100, 0)) == 24
    assert all(r.id != "p5brush-rose-00" for r in pool.sample(24, 0, exclude=["p5brush-rose-00"]))


@settings(max_examples=60, deadline=None)
@given(k=st.integers(0, 30), seed=st.integers(0, 2**32), subject=st.sampled_from([*SUBJECTS, None]),
       family=st.sampled_from([*COLOUR_FAMILIES, None]))
def test_sample_invariants(tmp_path_factory, k, seed, subject, family):
    pool = _shared_pool(tmp_path_factory)
    match = None if subject is None and family is None else {"subject": subject,
                                                             "colour_family": family}
    got = pool.sample(k, seed, match=match)
    ids = [r.id for r in got]
    assert len(ids) == min(k, len(pool)) and len(set(ids)) == len(ids)
    assert ids == [r.id for r in pool.sample(k, seed, match=match)]
    if subject is not None and got:
        same = [r.subject == subject for r in got]
        assert same == sorted(same, reverse=True)  # every same-subject pick comes first


_POOL: dict = {}


def _shared_pool(factory):
    if "p" not in _POOL:
        _POOL["p"] = ReferencePool(make_pool(factory.mktemp("shared") / "pool"))
    return _POOL["p"]


def test_colour_distance_is_a_symmetric_ranking():
    for a in COLOUR_FAMILIES:
        assert colour_distance(a, a) == 0
        for b in COLOUR_FAMILIES:
            assert colour_distance(a, b) == colour_distance(b, a)
    assert colour_distance("red", "orange") < colour_distance("red", "green")
    assert colour_distance("pink", "red") == 1  # the wheel wraps
    assert colour_distance("brown", "orange") < colour_distance("brown", "blue")
    assert colour_distance("neutral", "blue") > colour_distance("red", "teal")


def test_content_hash_changes_with_a_rating(tmp_path):
    root = make_pool(tmp_path / "p")
    h1 = ReferencePool(root).content_hash
    text = (root / "manifest.jsonl").read_text().replace('"reason": "test row"', '"reason": "x"', 1)
    (root / "manifest.jsonl").write_text(text)
    assert ReferencePool(root).content_hash != h1
    assert ReferencePool(root).content_hash == ReferencePool(root).content_hash


def test_schema_file_agrees_with_the_loader():
    import jsonschema

    from rewards.pool import REQUIRED

    repo = Path(__file__).resolve().parents[2]
    schema = json.loads((repo / "reference_pool" / "manifest.schema.json").read_text())
    assert set(schema["required"]) == set(REQUIRED)
    assert schema["properties"]["tier"]["enum"] == list(TIERS)
    good = json.loads((Path(__file__).parents[1] / "support" / "data" / "pool_row.json").read_text())
    jsonschema.validate(good, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**good, "tier": "great"}, schema)


CLI = [sys.executable, "-m", "codepaint_env.cli", "pool"]


@pytest.mark.browser  # `codepaint pool add` renders the program
def test_cli_add_stats_sheet_verify(tmp_path):
    root = tmp_path / "mypool"
    sk = tmp_path / "rose.p5.js"
    sk.write_text("function setup(){createCanvas(64,64);background(250,240,235);noStroke();"
                  "fill(200,40,70);circle(32,30,30);fill(60,120,60);rect(30,44,4,20);}")
    svg = tmp_path / "sea.svg"
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><rect width='10' "
                   "height='6' fill='#ffb38a'/><rect y='6' width='10' height='4' fill='#2e5f8a'/></svg>")
    def run(*a):
        return subprocess.run([*CLI, "--pool", str(root), *a], capture_output=True, text=True,
                                        timeout=180)
    out = run("add", str(sk), "--tier", "okay", "--reason", "a clear rose", "--prompt", "a red rose",
              "--subject", "rose", "--size", "64")
    assert out.returncode == 0, out.stderr
    assert "p5-rose-01" in out.stdout
    out = run("add", str(svg), "--tier", "love", "--reason", "calm", "--prompt", "sea at dusk",
              "--subject", "seascape", "--size", "64", "--colour-family", "orange")
    assert out.returncode == 0, out.stderr
    assert run("add", str(svg), "--tier", "superb", "--reason", "x", "--prompt", "x", "--subject",
               "x").returncode == 2
    pool = ReferencePool(root)
    assert len(pool) == 2 and pool["p5-rose-01"].colour_family in ("red", "pink")
    assert all(len(r.palette) >= 1 for r in pool)
    out = run("stats")
    assert out.returncode == 0 and "okay 1" in out.stdout and "love 1" in out.stdout
    # list and show, with --pool before or after the command name
    out = subprocess.run([*CLI, "list", "--tier", "love", "--pool", str(root)], capture_output=True,
                         text=True, timeout=180)
    assert out.returncode == 0 and out.stdout.split()[:2] == ["svg-seascape-01", "svg"], out.stderr
    assert "p5-rose-01" not in out.stdout and "1 of 2 references" in out.stderr
    out = run("show", "p5-rose-01")
    assert out.returncode == 0 and "a clear rose" in out.stdout and "circle(32,30,30)" in out.stdout
    assert str(pool["p5-rose-01"].image_file) in out.stdout
    out = run("show", "p5-rose-1")
    assert out.returncode == 2 and "did you mean p5-rose-01" in out.stderr
    sheet = tmp_path / "sheet.png"
    out = run("contact-sheet", "--tier", "love", "-o", str(sheet))
    assert out.returncode == 0 and Image.open(sheet).size[0] > 64
    out = run("verify")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "verified 2 references" in out.stdout and "0 mismatched" in out.stdout
    # a tampered render is caught
    img = Image.open(pool["svg-seascape-01"].image_file).convert("RGB")
    img.paste((0, 0, 0), (0, 0, 40, 40))
    img.save(pool["svg-seascape-01"].image_file)
    out = run("verify")
    assert out.returncode == 1 and "MISMATCH" in out.stdout and "1 mismatched" in out.stdout
    # re-rendering repairs it and refreshes the manifest
    assert run("render").returncode == 0
    assert run("verify").returncode == 0


@pytest.mark.browser  # `codepaint pool import` renders each program
def test_cli_import_is_all_or_nothing(tmp_path):
    root = tmp_path / "pool"
    folder = tmp_path / "staging"
    folder.mkdir()
    (folder / "sun.p5.js").write_text("function setup(){createCanvas(64,64);background(30,60,120);"
                                      "fill(250,200,40);noStroke();circle(32,32,24);}")
    (folder / "broken.p5.js").write_text("function setup( {")
    good = {"file": "sun.p5.js", "tier": "okay", "reason": "a clean sun", "prompt": "a sun",
            "subject": "abstract"}
    bad = {**good, "file": "broken.p5.js", "tier": "reject", "reason": "does not parse"}
    (folder / "ratings.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    def run(*a):
        return subprocess.run([*CLI, "--pool", str(root), *a], capture_output=True, text=True,
                                        timeout=180)
    out = run("import", str(folder / "ratings.jsonl"), "--size", "64")
    assert out.returncode == 3 and "broken.p5.js: does not render" in out.stderr
    assert not (root / "manifest.jsonl").exists()  # nothing added
    (folder / "ratings.jsonl").write_text(json.dumps(good) + "\n")
    out = run("import", str(folder / "ratings.jsonl"), "--size", "64")
    assert out.returncode == 0, out.stderr
    ref = ReferencePool(root)["p5-abstract-01"]
    assert ref.palette[0].startswith("#") and ref.colour_family in COLOUR_FAMILIES
