"""Learning runs 4 and 5's learner choices as command-line options (a plan's ``settings`` name the fields).

Each option's default is learning run 3's behaviour; :data:`RUN4` is what a run-4 seed passes, so a
recorded command means today what it meant then. The choices that live between rounds (the top-up, the
replay buffer, ReST-EM rounds, graded claims, the bound on a round's training) are expert iteration's:
TRL's GRPO samples a fixed group a step and trains on-policy, so :func:`grpo_fields` refuses them
rather than ignore them. Validation (``--validation``, ``--validation-samples``, ``--select``) and
``--gate-failure`` apply to both; ``--validate-every`` and ``--scenes-per-step`` are GRPO's.

Issue 73's fixes are options whose defaults keep runs 3 and 4's learners (``--gate-failure neutral``,
``--replay-background any``, no ``--train-max``, no GRPO validation): :data:`RUN5_RFT` and
:data:`RUN5_GRPO` turn them on.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.explore import ZERO_VARIANCE
from codepaint_env.policy.learning.replay import BACKGROUND_SUCCESS
from codepaint_env.policy.learning.rollouts import GATE_FAILURE
from codepaint_env.policy.learning.validation import RULES

#: The options a learning-run-4 seed passes (issue 55), beside ``--algo``, ``--seeds`` and ``--run``.
RUN4 = ("--k 8 --zero-variance top-up --top-up-max 8 --replay 256 --replay-draw 16 --rounds-from base "
        "--validation 8 --validation-samples 2 --select gated")

#: Learning run 4's sampling seed of the held-out evaluation (docs/learning-run-4-plan.md; run 3 used 0).
RUN4_EVAL_SEED = 5055  # 4055 until amendment 1 of docs/learning-run-4-plan.md (its looks were lost)

#: Issue 73's expert iteration (rft), beside ``--scenes`` :data:`RUN5_RFT_SCENES`: a gate failure counts 0,
#: the adapter carried over (a bounded pass over each round's kept and 16 replayed), a background success
#: only on a non-white page, and twice run 4's distinct scenes a round for the same samples (4 a scene,
#: topped up to 8 where a stated kind has no success, against run 4's 8 topped up to 16).
RUN5_RFT = ("--k 4 --zero-variance top-up --top-up-max 4 --replay 256 --replay-draw 16 --rounds-from last "
            "--train-max 96 --validation 8 --validation-samples 2 --select all --gate-failure zero "
            "--replay-background non-white")
#: rft's distinct scenes a round in run 5 (``--scenes``; run 4 sampled 16).
RUN5_RFT_SCENES = 32
#: Issue 73's LoRA GRPO: a gate failure counts 0, the step chosen on validation, and 4 distinct prompts
#: a step of 16 completions (run 4: 2 prompts x 8).
RUN5_GRPO = ("--k 4 --scenes-per-step 4 --gate-failure zero --validation 8 --validation-samples 2 "
             "--validate-every 5 --select all")

_RFT_ONLY = {"zero_variance": "keep", "replay": 0, "rounds_from": "last", "graded": False,
             "prefix_reuse": False, "replay_background": "any", "train_max": 0}
_GRPO_ONLY = {"validate_every": 5, "scenes_per_step": 0}


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """Add learning run 4's options to a learning run's parser (defaults: learning run 3's behaviour)."""
    g = ap.add_argument_group("learning run 4 (issue 55; rft only unless said)")
    g.add_argument("--zero-variance", choices=ZERO_VARIANCE, default="keep",
                   help="a group with no variance in a check kind: top-up (more samples where a stated kind "
                        "has no success), drop (no kind varies: never kept) or keep (default)")
    g.add_argument("--top-up-max", type=int, default=8, help="top-up: most samples a group gets beyond --k")
    g.add_argument("--replay", type=int, default=0,
                   help="the replay buffer's cap: kept programs reused across rounds, balanced by check kind "
                        "(0: none)")
    g.add_argument("--replay-draw", type=int, default=16,
                   help="--rounds-from last: buffer entries of earlier rounds added to a round's training")
    g.add_argument("--rounds-from", choices=("last", "base"), default="last",
                   help="each round fine-tunes the last model (default) or the base on everything kept "
                        "(ReST-EM)")
    g.add_argument("--graded", action="store_true",
                   help="size, position and coverage claims give partial credit by distance in the reward")
    g.add_argument("--validation", type=int, default=0,
                   help="held-out train scenes a level validated after each round (grpo: every "
                        "--validate-every steps); the checkpoint is chosen by --select, its rule written in "
                        "the run's plan.md first (0: none; rft and grpo)")
    g.add_argument("--validation-samples", type=int, default=2, help="samples a validation scene")
    g.add_argument("--select", choices=tuple(RULES), default="gated", help="the checkpoint rule")
    add_run5_arguments(ap)
    s = ap.add_argument_group("speed (issue 55 item 8; benchmarks/speed/learner_speed.py measured both)")
    s.add_argument("--bf16", action="store_true",
                   help="LoRA passes under bfloat16 autocast (the adapter and optimiser stay float32): 1.9x "
                        "on a CPU with AVX512-BF16 (rft and grpo); float32, with a warning, where bfloat16 "
                        "is not native (an AVX2-only CPU: 37x slower)")
    s.add_argument("--prefix-reuse", action="store_true",
                   help="rollouts (replies or conversations) walk the prompt tokens a call's rows share "
                        "once, and ask no logprobs (expert iteration reads none): 1.38x tokens/s (rft only)")


def add_run5_arguments(ap: argparse.ArgumentParser) -> None:
    """Add issue 73's options (each default: runs 3 and 4's learner)."""
    g = ap.add_argument_group("learners without run 4's flaws (issue 73)")
    g.add_argument("--gate-failure", choices=GATE_FAILURE, default="neutral",
                   help="what a gate failure counts in each check part's advantage: neutral (left out, "
                        "runs 3 and 4) or zero (the part's minimum); rft and grpo")
    g.add_argument("--replay-background", choices=BACKGROUND_SUCCESS, default="any",
                   help="rft's replay buffer counts a background success on any page (run 4) or only on a "
                        "stated non-white one")
    g.add_argument("--train-max", type=int, default=0,
                   help="rft: the most examples a round trains on, its own kept first (0: no bound)")
    g.add_argument("--validate-every", type=int, default=5,
                   help="grpo with --validation: validate every this many steps (and the last)")
    g.add_argument("--scenes-per-step", type=int, default=0,
                   help="grpo: distinct prompts a step, --k completions each (0: --batch's, 16 // --k)")


def _refused(args: argparse.Namespace, defaults: dict[str, Any], learner: str, takes: str) -> None:
    """Raise if an option of ``defaults`` (another learner's) is set away from its default."""
    given = [k for k, default in defaults.items() if getattr(args, k, default) != default]
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise ValueError(f"{flags}: {learner}'s options; {takes}")


def rft_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`~.rft.RFTConfig` fields the options set.

    Raises:
        ValueError: a GRPO-only option was given.
    """
    _refused(args, _GRPO_ONLY, "GRPO", "expert iteration validates every round and samples --scenes a round")
    return {"k": args.k, "zero_variance": args.zero_variance, "top_up_max": args.top_up_max,
            "replay": args.replay, "replay_draw": args.replay_draw, "rounds_from": args.rounds_from,
            "graded": args.graded, "validation": args.validation,
            "validation_samples": args.validation_samples, "select": args.select,
            "bf16": args.bf16, "prefix_reuse": args.prefix_reuse, "gate_failure": args.gate_failure,
            "replay_background": args.replay_background, "train_max": args.train_max}


def grpo_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`~.grpo.GRPOSettings` fields the options set (``--k``: ``num_generations``).

    Raises:
        ValueError: an expert-iteration option was given (named, with what to do instead).
    """
    _refused(args, _RFT_ONLY, "expert iteration", "GRPO takes --k, --bf16, --gate-failure, the validation "
             "options, --validate-every and --scenes-per-step (--algo rft for the rest)")
    return {"num_generations": args.k, "bf16": args.bf16, "gate_failure": args.gate_failure,
            "validation": args.validation, "validation_samples": args.validation_samples,
            "select": args.select, "validate_every": args.validate_every,
            "scenes_per_step": args.scenes_per_step}


def cpu_spent(algo: str, folder: Path) -> float:
    """The process CPU seconds a learner's run folder has spent (rft: its rounds; grpo: its steps)."""
    if algo.startswith("rft"):
        reports = (folder / "rounds").glob("round-*/report.json")
        return float(sum(json.loads(p.read_text())["cpu_s"] for p in reports))
    path = folder / "cpu_seconds.json"
    return float(json.loads(path.read_text())["cpu_s"]) if path.exists() else 0.0


def budget_spent(algo: str, folder: Path, budget: float) -> bool:
    """Whether a learner's run folder has spent its CPU budget (rft: its rounds; grpo: its steps)."""
    return cpu_spent(algo, folder) >= budget
