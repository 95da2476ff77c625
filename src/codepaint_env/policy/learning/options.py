"""Learning run 4's choices as command-line options (``benchmarks/learning_run.py --algo rft|grpo``).

Each option's default is learning run 3's behaviour; :data:`RUN4` is what a run-4 seed passes. The
choices that live between rounds (the top-up, the replay buffer, ReST-EM rounds, validation, graded
claims) are expert iteration's: TRL's GRPO samples a fixed group a step and trains on-policy, so for
``grpo`` only ``--k`` (``num_generations``) applies, and :func:`grpo_fields` refuses the rest rather
than ignore them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.explore import ZERO_VARIANCE
from codepaint_env.policy.learning.validation import RULES

#: The options a learning-run-4 seed passes (issue 55), beside ``--algo``, ``--seeds`` and ``--run``.
RUN4 = ("--k 8 --zero-variance top-up --top-up-max 8 --replay 256 --replay-draw 16 --rounds-from base "
        "--validation 8 --validation-samples 2 --select gated")

#: Learning run 4's sampling seed of the held-out evaluation (docs/learning-run-4-plan.md; run 3 used 0).
RUN4_EVAL_SEED = 5055  # 4055 until amendment 1 of docs/learning-run-4-plan.md (its looks were lost)

_RFT_ONLY = {"zero_variance": "keep", "replay": 0, "rounds_from": "last", "graded": False, "validation": 0,
             "prefix_reuse": False}


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
                   help="held-out train scenes a level validated after each round; the checkpoint is chosen "
                        "by --select, its rule written in the run's plan.md first (0: none)")
    g.add_argument("--validation-samples", type=int, default=2, help="samples a validation scene")
    g.add_argument("--select", choices=tuple(RULES), default="gated", help="the checkpoint rule")
    s = ap.add_argument_group("speed (issue 55 item 8; benchmarks/learner_speed.py measured both)")
    s.add_argument("--bf16", action="store_true",
                   help="LoRA passes under bfloat16 autocast (the adapter and optimiser stay float32): 1.9x "
                        "on a CPU with AVX512-BF16 (rft and grpo)")
    s.add_argument("--prefix-reuse", action="store_true",
                   help="rollouts (replies or conversations) walk the prompt tokens a call's rows share "
                        "once, and ask no logprobs (expert iteration reads none): 1.38x tokens/s (rft only)")


def rft_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`~.rft.RFTConfig` fields the options set."""
    return {"k": args.k, "zero_variance": args.zero_variance, "top_up_max": args.top_up_max,
            "replay": args.replay, "replay_draw": args.replay_draw, "rounds_from": args.rounds_from,
            "graded": args.graded, "validation": args.validation,
            "validation_samples": args.validation_samples, "select": args.select,
            "bf16": args.bf16, "prefix_reuse": args.prefix_reuse}


def grpo_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`~.grpo.GRPOSettings` fields the options set (``--k``: ``num_generations``).

    Raises:
        ValueError: an expert-iteration option was given (named, with what to do instead).
    """
    given = [k for k, default in _RFT_ONLY.items() if getattr(args, k) != default]
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise ValueError(f"{flags}: expert iteration's options (--algo rft); GRPO takes --k and --bf16 only")
    return {"num_generations": args.k, "bf16": args.bf16}


def budget_spent(algo: str, folder: Path, budget: float) -> bool:
    """Whether a learner's run folder has spent its CPU budget (rft: its rounds; grpo: its steps)."""
    if algo.startswith("rft"):
        reports = (folder / "rounds").glob("round-*/report.json")
        spent = sum(json.loads(p.read_text())["cpu_s"] for p in reports)
    else:
        path = folder / "cpu_seconds.json"
        spent = json.loads(path.read_text())["cpu_s"] if path.exists() else 0.0
    return spent >= budget
