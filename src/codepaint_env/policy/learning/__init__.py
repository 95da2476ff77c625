"""Learners sized for a CPU: expert iteration and LoRA GRPO over a fast rollout engine.

* :mod:`.rollouts`: groups of completions from a generation engine, scored by the reward's parts,
  with the advantages GRPO would give them;
* :mod:`.lora`: the LoRA adapter and a supervised pass over kept completions;
* :mod:`.rft`: expert iteration (ReST-EM / RAFT), round by round, resumable;
* :mod:`.grpo`: TRL's ``GRPOTrainer`` with LoRA, its rollouts from the CTranslate2 engine
  (``rollout_func``), resumable;
* :mod:`.explore`, :mod:`.replay`, :mod:`.graded`, :mod:`.validation`, :mod:`.control`: learning run 4's
  choices (dynamic sampling, a replay buffer balanced by check kind, graded claims, checkpoints chosen
  on validation scenes, the zero-step control);
* :mod:`.options`: those choices as command-line options;
* :mod:`.stats` (paired sign-flip tests, bootstrap and Wilson intervals, Holm), :mod:`.eval_rows`
  (every evaluated sample as a committed row) and :mod:`.compare` (learning run 4's declared
  comparisons and goal, from those rows alone): the reports' measures;
* :mod:`.curves`: a TRL callback that writes a run's learning curves and monitors to one CSV
  (``codepaint_env.integrations.trl_curves`` re-exports it for TRL users).

* :mod:`.experiment`: a learning run as a plan file, read by one runner that trains, evaluates and
  reports (``benchmarks/learning/run.py PLAN``; the plans in ``benchmarks/learning/plans/``;
  docs/experiments.md).

Importing this package loads neither torch nor TRL.
"""
