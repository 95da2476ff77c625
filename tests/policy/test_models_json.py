"""``models.json``: what each evaluated tag is, written by every export, two of which may run at once."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from codepaint_env.policy.learning.experiment.rows import update_models


def test_an_export_replaces_its_tags_and_describes_the_unevaluated_without_hiding_rows(tmp_path):
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"A-s0": {"stage": "A", "rows": "rows-A-s0.jsonl.gz"},
                                "B-s0": {"stage": "B"}}))
    update_models(path, {"B-s0": {"stage": "B", "rows": "rows-B-s0.jsonl.gz"}},
                  {"A-s0": {"stage": "A"}, "B-s1": {"stage": "B"}})
    kept = json.loads(path.read_text())
    assert kept["A-s0"]["rows"] == "rows-A-s0.jsonl.gz"  # exported before: a description does not hide it
    assert kept["B-s0"]["rows"] == "rows-B-s0.jsonl.gz"
    assert kept["B-s1"] == {"stage": "B"}
    assert not path.with_name("models.json.partial").exists()


def _export_many(path: str, worker: int, times: int, start) -> None:
    start.wait()  # all at once, as two evaluations ending together
    for i in range(times):
        update_models(Path(path), {f"w{worker}-{i}": {"rows": f"rows-w{worker}-{i}.jsonl.gz"}}, {})


def test_two_exports_at_once_each_keep_the_others_entries(tmp_path):
    path = tmp_path / "models.json"
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(4)
    workers = [ctx.Process(target=_export_many, args=(str(path), w, 100, start)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(timeout=120)
        assert p.exitcode == 0
    kept = json.loads(path.read_text())
    assert sorted(kept) == sorted(f"w{w}-{i}" for w in range(4) for i in range(100))
