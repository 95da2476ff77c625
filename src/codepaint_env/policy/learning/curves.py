"""A TRL callback that keeps a run's learning curves and its training monitors in one CSV.

codepaint's rewards log their components and the training monitors (:mod:`rewards.monitors`,
``codepaint/<key>``) through TRL's own ``log_metric``, so whatever the trainer reports to (W&B,
trackio, TensorBoard) gets them. :class:`LearningCurves` also writes every logged step to a CSV
file a person can plot without any of those, and prints one line per step with the statistics
that show a hack as it emerges::

    trainer = GRPOTrainer(..., callbacks=[LearningCurves("runs/grpo/curves.csv")])

Columns: ``step``, then every key the trainer logged (``reward``, ``reward_std``,
``completions/mean_length``, ``rewards/<function>/mean``, ``codepaint/draws_something``...), and
``gate_pass_rate`` (1 minus a gated composite's ``.../gated`` mean) when a gate is part of the reward.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

__all__ = ["WATCHED", "LearningCurves"]

#: The statistics the per-step line shows (when logged): reward, length and the hack monitors.
WATCHED: tuple[tuple[str, str], ...] = (
    ("reward", "reward"), ("codepaint/draws_something", "draws"), ("gate_pass_rate", "gate"),
    ("codepaint/blank", "blank"), ("codepaint/near_uniform", "uniform"),
    ("codepaint/colour_entropy", "entropy"),
    ("codepaint/edge_density", "edges"), ("codepaint/text_flag", "text"), ("codepaint/copy_flag", "copy"),
    ("codepaint/invented_api", "invented"), ("codepaint/program_chars", "chars"),
    ("codepaint/unjudged", "unjudged"))


class LearningCurves(TrainerCallback):
    """Write each logged training step to a CSV (rewritten whole each step) and print a summary line.

    Args:
        path: The CSV file (its folder is made).
        echo: Print a line per step with :data:`WATCHED`.
    """

    def __init__(self, path: str | os.PathLike[str], *, echo: bool = True) -> None:
        self.path = Path(path)
        self.echo = echo
        self.rows: list[dict[str, Any]] = []

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None,
               **kwargs: Any) -> None:
        """Record one log entry (training steps only: entries without a reward are left out)."""
        if not logs or "reward" not in logs:
            return
        row: dict[str, Any] = {"step": state.global_step}
        for key, value in logs.items():
            if isinstance(value, (int, float)) and math.isfinite(float(value)):
                row[key] = value
        gated = [v for k, v in row.items() if k.endswith("/gated")]
        if gated:
            row["gate_pass_rate"] = round(1.0 - sum(gated) / len(gated), 4)
        self.rows.append(row)
        self._write()
        if self.echo:
            parts = [f"{label} {row[key]:.3g}" for key, label in WATCHED if key in row]
            print(f"step {row['step']}: " + "  ".join(parts), flush=True)

    def _write(self) -> None:
        keys: list[str] = []
        for row in self.rows:
            keys += [k for k in row if k not in keys]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        with tmp.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=keys)
            writer.writeheader()
            writer.writerows(self.rows)
        tmp.replace(self.path)
