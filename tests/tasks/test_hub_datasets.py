"""codepaint's data as Hub datasets: written in the Hub's layout, opened back with `datasets`."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from datasets import load_dataset
from PIL import Image

from codepaint_env.tasks import load_suite
from codepaint_env.tasks.hub_datasets import rollouts_dataset, save_for_hub
from rewards.pool import ReferencePool


def test_the_pool_round_trips_with_its_pictures(tmp_path):
    pool = ReferencePool()
    out = tmp_path / "pool"
    r = subprocess.run(
        [sys.executable, "-m", "codepaint_env.cli", "export", "pool", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    card = (out / "README.md").read_text()
    assert "path: data/train-00000-of-00001.parquet" in card and "`image`" in card
    ds = load_dataset("parquet", data_dir=str(out / "data"), split="train")
    assert len(ds) == len(pool) and sorted(ds["id"]) == sorted(ref.id for ref in pool)
    row = ds[0]
    ref = pool[row["id"]]
    assert row["tier"] == ref.tier and row["code"] == ref.code()
    assert isinstance(row["image"], Image.Image) and row["image"].size == ref.size
    assert row["image"].convert("RGB").tobytes() == Image.open(ref.image_file).convert("RGB").tobytes()


def test_a_suite_has_one_schema_for_every_row(tmp_path):
    out = tmp_path / "svg"
    r = subprocess.run(
        [sys.executable, "-m", "codepaint_env.cli", "export", "tasks", "--suite", "svg", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    for split in ("train", "eval"):
        ds = load_dataset(
            "parquet", data_files=str(out / "data" / f"{split}-00000-of-00001.parquet"), split="train"
        )
        tasks = load_suite("svg", split=split)
        assert [row["id"] for row in ds] == [t.id for t in tasks]
        assert ds[0]["prompt"] == tasks[0].prompt


def test_rollouts_keep_their_pictures_and_nested_values_as_json(tmp_path):
    png = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(png, format="PNG")
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.png").write_bytes(png.getvalue())
    rows = [
        {
            "task_id": "t1",
            "completion": "<svg/>",
            "reward": 0.5,
            "breakdown": {"gate": 1.0},
            "render": {"ok": True, "messages": []},
            "png": "pics/a.png",
        },
        {
            "task_id": "t2",
            "completion": "x",
            "reward": None,
            "breakdown": {},
            "render": {"ok": False, "messages": ["syntax"]},
        },
    ]
    (tmp_path / "rollouts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    files = save_for_hub(
        {"train": rollouts_dataset(tmp_path / "rollouts.jsonl")},
        tmp_path / "out",
        title="t",
        command="rollouts",
    )
    ds = load_dataset("parquet", data_files=[str(f) for f in files], split="train")
    assert ds[0]["image"].size == (8, 6) and ds[1]["image"] is None
    assert json.loads(ds[0]["breakdown"]) == {"gate": 1.0} and json.loads(ds[1]["render"])["messages"] == [
        "syntax"
    ]
    assert ds[1]["reward"] is None


@pytest.mark.parametrize("bad", ["nope"])
def test_an_unknown_suite_is_a_clear_error(tmp_path, bad):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "codepaint_env.cli",
            "export",
            "tasks",
            "--suite",
            bad,
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0 and "unknown task suite 'nope'" in r.stderr


def test_codepaint_export_writes_each_kind_with_a_card_the_hub_reads(tmp_path):
    def export(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "codepaint_env.cli", "export", *args],
                              capture_output=True, text=True, timeout=300)

    r = export("tasks", "--suite", "shapes", "--out", str(tmp_path / "shapes"))
    assert r.returncode == 0, r.stderr
    card = (tmp_path / "shapes" / "README.md").read_text()
    header = card.split("---")[1]
    assert "rl-environment" in header and "split: eval" in header and "split: train" in header
    assert "codepaint export tasks --suite shapes" in card
    # the folder as the Hub serves it: the card's configs name the splits ("eval" stays "eval").
    # A cache of this test's own: datasets keys a local folder's cache by its name, not its files, so
    # the shared ~/.cache served an earlier run's "shapes" (checks of an older suite) as this one
    hub_cache = str(tmp_path / "hf-cache")
    ds = load_dataset(str(tmp_path / "shapes"), split="eval", cache_dir=hub_cache)
    tasks = load_suite("shapes", split="eval")
    assert len(ds) == len(tasks) and ds[0]["id"] == tasks[0].id
    assert json.loads(ds[0]["checks"]) == json.loads(json.dumps(list(tasks[0].checks)))
    (tmp_path / "pic.png").write_bytes(_png())
    row = {"task_id": "t", "reward": 1.0, "image": "pic.png"}  # codepaint eval's row: its picture's path
    (tmp_path / "rollouts.jsonl").write_text(json.dumps(row) + "\n")
    r = export("rollouts", str(tmp_path / "rollouts.jsonl"), "--out", str(tmp_path / "roll"))
    assert r.returncode == 0, r.stderr
    ds = load_dataset("parquet", data_dir=str(tmp_path / "roll" / "data"), split="train", cache_dir=hub_cache)
    assert ds[0]["image"].size == (8, 6) and ds[0]["reward"] == 1.0
    unknown = export("tasks", "--suite", "nope", "--out", str(tmp_path / "x"))
    assert unknown.returncode == 2 and "shapes" in unknown.stderr  # names the suites
    assert "rollouts.jsonl" in export("rollouts", "--out", str(tmp_path / "y")).stderr


def _png() -> bytes:
    png = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(png, format="PNG")
    return png.getvalue()
