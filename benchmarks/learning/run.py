"""Every learning run: a plan file read by one runner (codepaint_env.policy.learning.experiment.runner).

    .venv/bin/python benchmarks/learning/run.py benchmarks/learning/plans/learning-run-4.toml --stage report
    .venv/bin/python benchmarks/learning/run.py PLAN                    # train, evaluate, report (resumes)
    .venv/bin/python benchmarks/learning/run.py PLAN --stage commands   # what the plan runs, as JSON
    .venv/bin/python benchmarks/learning/run.py --help                  # every stage and option

The plans: benchmarks/learning/plans/ (learning runs 2-4, the search learner, run 5's draft); how a
run is planned, resumed, evaluated and reported: docs/experiments.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from codepaint_env.policy.learning.experiment.runner import main

ROOT = Path(__file__).resolve().parents[2]

if __name__ == "__main__":
    sys.exit(main(root=ROOT))
