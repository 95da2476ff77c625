"""Learning runs as plans: one runner reads a plan file, trains, evaluates and reports.

* :mod:`.plan` (the plan's schema) and :mod:`.checks` (:func:`load_plan`: every problem named);
* :mod:`.commands`: what a plan runs, as data (learner settings, ``codepaint eval`` command lines);
* :mod:`.stages`: train (an arm's supervised start first where it has one:
  :mod:`codepaint_env.policy.learning.sft`), which models are ready, evaluate (each resumable);
* :mod:`.runner`: the command line (``benchmarks/learning/run.py PLAN --stage ...``);
* the reports, one a form: :mod:`.warm_start` + :mod:`.warm_start_report` (learning run 2),
  :mod:`.folders` + :mod:`.folders_report` (run 3), :mod:`.rows` + :mod:`.rows_report` +
  :mod:`.pictures` (run 4 and later: from committed per-sample rows; :mod:`.scene_report`: run 5's
  scene measures, template collapse and goal, where a plan asks for them), :mod:`.search` +
  :mod:`.search_report` (the search learner); :mod:`.measures`: runs 2 and 3's measures.

The plans live in ``benchmarks/learning/plans/``. Importing this package loads neither torch nor TRL.
"""

from codepaint_env.policy.learning.experiment.checks import load_plan, plan_from_text
from codepaint_env.policy.learning.experiment.plan import Plan, PlanError

__all__ = ["Plan", "PlanError", "load_plan", "plan_from_text"]
