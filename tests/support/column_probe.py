"""A reward that writes down the task columns it receives, for the test that every column reaches every door.

``support.column_probe:ColumnProbe`` (``tests/`` on ``PYTHONPATH``) is loaded through
:func:`rewards.make_reward` as any third-party reward is, in whatever process a door scores in (a
trainer's venv, a server). For each sample it appends one JSON line to the file named by
:data:`PROBE_FILE`: the sample's value for every column of
:data:`~codepaint_env.tasks.task.TASK_COLUMNS`. It pays 1.0 for a picture and the minimum for a
failed render.
"""

from __future__ import annotations

import json
import os

from codepaint_env.tasks.task import TASK_COLUMNS
from rewards.base import Reward, RewardResult, Sample

#: The environment variable naming the file the probe appends to.
PROBE_FILE = "COLUMN_PROBE_FILE"


class ColumnProbe(Reward):
    """Pays 1.0 for a picture; writes down the task columns of every sample it scores."""

    id = "column_probe"
    value_range = (0.0, 1.0)

    def score_one(self, sample: Sample) -> RewardResult:
        """1.0 for a picture (the minimum for a failed render), after writing the sample's columns down."""
        path = os.environ.get(PROBE_FILE)
        if path:
            line = json.dumps({k: sample.meta.get(k) for k in TASK_COLUMNS}, default=_plain)
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        if not sample.render.ok:
            return self.failed_render(sample)
        return RewardResult(1.0)


def _plain(value: object) -> object:
    """A numpy value (a row read back from parquet) as JSON."""
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(f"not JSON: {value!r}")
