"""An atomic build never removes a finished build of the same thing that another process made meanwhile.

Two learners' evaluations may convert the same model at once; the second to finish used to remove
the first's folder (which its engine reads again at each sampled call) and rename its own in.
"""

from __future__ import annotations

import json

from codepaint_env.testing.build import build_atomically


def test_a_build_finished_meanwhile_by_another_process_is_kept_not_replaced(tmp_path):
    target = tmp_path / "model"
    marker = {"what": "conversion", "key": 1}

    def theirs_finish_during_ours(staging):
        (staging / "weights").write_text("ours")
        (staging / "marker.json").write_text(json.dumps(marker))
        target.mkdir()  # the other process renames its finished build into place now
        (target / "weights").write_text("theirs, being read")
        (target / "marker.json").write_text(json.dumps(marker))

    assert build_atomically(target, marker, "marker.json", overwrite=False,
                            build_into=theirs_finish_during_ours) == target.resolve()
    assert (target / "weights").read_text() == "theirs, being read"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # our staging folder is gone


def test_overwrite_still_replaces_a_finished_build(tmp_path):
    target = tmp_path / "model"
    marker = {"key": 1}

    def build(text):
        def into(staging):
            (staging / "weights").write_text(text)
            (staging / "marker.json").write_text(json.dumps(marker))
        return into

    build_atomically(target, marker, "marker.json", overwrite=False, build_into=build("first"))
    build_atomically(target, marker, "marker.json", overwrite=False, build_into=build("not built"))
    assert (target / "weights").read_text() == "first"  # finished already: returned untouched
    build_atomically(target, marker, "marker.json", overwrite=True, build_into=build("second"))
    assert (target / "weights").read_text() == "second"
