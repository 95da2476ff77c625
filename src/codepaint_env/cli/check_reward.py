"""``codepaint check-reward``: the invariants a trainer relies on, checked on any reward spec.

    codepaint check-reward execution_gate
    codepaint check-reward my_pkg.rewards:Sharpness --examples 200 --seed 3 --json
    codepaint check-reward default --suite shapes --count 10 --card docs/reward-cards/default

Prints a table of invariants and their verdicts (passed, failed, skipped and why), and for a
broken one hypothesis' shrunk counterexample and the file it was saved to. With ``--card DIR``, also
the false-pass / false-fail audit (:mod:`codepaint_env.scoring.reward_card`) on ``--count`` held-out
scenes per level (``--levels``, default 0-4), or ``--count`` scenes of the fixed suite in all with
``--fixed-suite``. Exit codes: 0 every
invariant holds, 1 one breaks, 2 usage error (an unknown reward, a bad flag). Needs hypothesis
(``pip install 'codepaint[testing]'``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_BROKEN, EXIT_OK, EXIT_USAGE

LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)  # the shapes generator's levels (the card's default)
COUNT = 10  # the card's scenes per level (codepaint_env.scoring.reward_card.COUNT)

#: Exit code when the reward breaks an invariant.
EXIT_INVARIANT_BROKEN = EXIT_BROKEN


def add_parser(sub: Any) -> None:
    """Register ``codepaint check-reward``."""
    s = sub.add_parser(
        "check-reward",
        help="check a reward against the invariants a trainer relies on (hypothesis)",
        description="Check a reward the way Gymnasium's check_env checks an environment: one value per "
        "sample, finite values inside its value_range, reordering the batch reorders the values, a "
        "pickle round trip, comments change no value, a failed render never outscores a picture, the "
        "same input gives the same value, samples are not mutated, a batch of one equals the same "
        "sample in a batch. Which apply follows what the reward declares (value_range, deterministic, "
        "scores_groups, reads_code). Pictures are drawn without a browser. Exit 0 when every "
        "invariant holds, 1 when one breaks (its shrunk counterexample is saved and its path printed).",
        epilog="SPEC is any reward spec: an id (execution_gate), an alias, weighted ids "
        "(gate:0.3,classic:0.7) or your own module:Class (its module importable: on PYTHONPATH). "
        "The same check in Python: rewards.testing.check_reward(reward).",
    )
    s.add_argument("spec", metavar="SPEC", help="the reward: an id, weighted ids, or module:Class")
    s.add_argument("--examples", type=int, default=50, metavar="N",
                   help="examples hypothesis tries per invariant (default 50; costlier invariants try fewer)")
    s.add_argument("--seed", type=int, default=0, metavar="S",
                   help="seed of the examples: the same seed finds the same counterexample (default 0)")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="reward configuration (JSON values allowed), e.g. --set fail_value=0")
    s.add_argument("--save-dir", default=None, metavar="DIR",
                   help="where counterexamples are saved (default: codepaint-check-reward in the temporary "
                   "folder)")
    s.add_argument("--skip", action="append", default=[], metavar="INVARIANT",
                   help="an invariant that does not apply to this reward (repeatable; reported as skipped)")
    s.add_argument("--card", default=None, metavar="DIR",
                   help="also audit the reward on --suite's scenes (false fails of honest variants, false "
                   "passes of hack probes and of wrong-scene mutants that break a claim the prompt states) "
                   "and write DIR/card.md, card.json and example pictures (DIR/examples/ is written afresh)")
    s.add_argument("--suite", default="shapes", help="the suite the --card audit draws scenes from (shapes)")
    s.add_argument("--count", type=int, default=COUNT, metavar="N",
                   help=f"the --card audit's scenes PER LEVEL: N held-out eval scenes of each of --levels "
                   f"(default {COUNT}: {COUNT * len(LEVELS)} scenes over levels 0-4); with --fixed-suite, N "
                   "scenes of the fixed suite IN ALL")
    s.add_argument("--levels", type=_levels, default=LEVELS, metavar="L,L",
                   help="the generator's levels the --card audit draws from (default 0,1,2,3,4)")
    s.add_argument("--fixed-suite", action="store_true",
                   help="audit --count scenes of the fixed 120-scene shapes suite instead of level scenes")
    s.add_argument("--json", action="store_true", help="print the report as JSON")
    s.set_defaults(run=run)


def _levels(text: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"write levels like 0,1,2, not {text!r}") from None
    if not levels or any(lv not in LEVELS for lv in levels):
        raise argparse.ArgumentTypeError(f"levels are {', '.join(map(str, LEVELS))}, not {text!r}")
    return levels


def _config(items: list[str], parser: argparse.ArgumentParser) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--set {item!r}: write KEY=VALUE")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Build the reward, check it, print the report; the exit code."""
    if args.examples < 1:
        parser.error(f"--examples must be at least 1, not {args.examples}")
    try:
        from rewards.testing import check_reward
    except ImportError as e:
        print(f"codepaint check-reward: {e}", file=sys.stderr)
        return EXIT_BROKEN
    import rewards

    config = _config(args.set, parser)
    try:
        reward = rewards.make_reward(args.spec, **config)
    except (ValueError, TypeError, ImportError, AttributeError) as e:
        print(f"codepaint check-reward: cannot build the reward {args.spec!r}: {e}", file=sys.stderr)
        return EXIT_USAGE
    from rewards.testing import INVARIANTS

    names = [inv.name for inv in INVARIANTS]
    for name in args.skip:
        if name not in names:
            parser.error(f"--skip {name!r}: not an invariant; the invariants: {', '.join(names)}")
    report = check_reward(reward, examples=args.examples, seed=args.seed, save_dir=args.save_dir,
                          raises=False, skip=dict.fromkeys(args.skip, "--skip"))
    card_path = None
    if args.card is not None:
        from codepaint_env.scoring.reward_card import audit

        try:
            card = audit(reward, spec=args.spec, suite=args.suite, count=args.count, seed=args.seed,
                         levels=args.levels, fixed=args.fixed_suite)
        except ValueError as e:
            parser.error(str(e))
        card_path = card.write(args.card)
    if args.json:
        print(json.dumps({"spec": args.spec, **report.to_dict(),
                          "card": None if card_path is None else str(card_path)}, indent=2))
    else:
        print(report.to_table())
        for failure in report.failures[:1]:
            print(f"\nfirst broken invariant: {failure.name}: {failure.why}\n"
                  f"shrunk counterexample:\n{failure.counterexample}\nsaved to {failure.saved}\n"
                  f"reproduce: codepaint check-reward {args.spec} --examples {args.examples} "
                  f"--seed {args.seed}")
        if card_path is not None:
            print(f"\nreward card: {card_path}")
    return EXIT_OK if report.ok else EXIT_INVARIANT_BROKEN
