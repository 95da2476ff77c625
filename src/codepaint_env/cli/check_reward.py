"""``codepaint check-reward``: the invariants a trainer relies on, checked on any reward spec.

    codepaint check-reward execution_gate
    codepaint check-reward my_pkg.rewards:Sharpness --examples 200 --seed 3 --json
    codepaint check-reward default --suite shapes --count 10 --card docs/reward-cards/default
    codepaint check-reward default --adversary 3 --evals-per-scene 500 --no-invariants --out runs/adv
    codepaint check-reward checks --templates 250 --template-budget 300 --no-invariants --out runs/tpl

Prints a table of invariants and their verdicts (passed, failed, skipped and why), and for a
broken one hypothesis' shrunk counterexample and the file it was saved to. With ``--card DIR``, also
the false-pass / false-fail audit (:mod:`codepaint_env.scoring.reward_card`) on ``--count`` held-out
scenes per level (``--levels``, default 0-4), or ``--count`` scenes of the fixed suite in all with
``--fixed-suite``; the card gains an adversary row (``--card-adversary`` evaluations a scene) and a
template section (``--card-templates`` evaluations, on all the card's scenes at once).

With ``--adversary N``, the adversary (:mod:`codepaint_env.scoring.adversary`) attacks N held-out
scenes of each of ``--levels``: ``--evals-per-scene`` pictures scored a scene, searching for the
best-paid picture the scene oracle says breaks a stated claim. It prints a table per level and
writes ``report.json``, ``report.md`` and the pictures (SVG and PNG) under ``--out``.

With ``--templates N``, the template adversary (:mod:`codepaint_env.scoring.templates`) searches
for the one scene-blind SVG program (it reads only the prompt's colour words) paid most on average
over N held-out scenes spread over ``--levels`` (``--suite knowledge``: N eval facts, fact-blind):
``--template-budget`` template evaluations. It prints the best template's mean reward and checks
share per level, and writes its report under ``--out`` (``--out``/templates with ``--adversary``).
A measurement: it changes the exit code only with ``--template-max-share X`` (1 when the best
template's mean checks share, or its mean reward where the tasks have no checks, is above X).

Exit codes: 0 every invariant holds (and the adversary found no false full pass and no overpaid
picture), 1 one breaks (or it found one), 2 usage error (an unknown reward, a bad flag). Needs
hypothesis (``pip install 'codepaint[testing]'``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_BROKEN, EXIT_OK, EXIT_USAGE

LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)  # the shapes generator's levels (the card's default)
COUNT = 10  # the card's scenes per level (codepaint_env.scoring.reward_card.COUNT)
EVALS_PER_SCENE = 500  # the adversary's pictures scored a scene (--adversary)
CARD_TEMPLATES = 100  # the card's template section: templates scored on all the card's scenes at once
CARD_ADVERSARY = 100  # the card's adversary row: pictures scored a scene, on ...
CARD_ADVERSARY_SCENES = 2  # ... the first scenes of each level (10 of 50: ~75 s a card on a quiet core)
TEMPLATE_BUDGET = 300  # the template search's evaluations (--templates: N renders and a batch score each)

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
        "The same check in Python: rewards.testing.check_reward(reward). --adversary N: per scene, "
        "the best wrong picture's value against the reference's, the stated claims it broke (the scene "
        "oracle's, from the picture's geometry), whether it passed every stated check (a false full pass) "
        "and whether it was paid more than the reference minus its broken claims' share (their weight over "
        "the task's total, times the checks' weight in the reward: 0.7 under gate:0.3,checks:0.7); the exit "
        "code is 1 when either is found. Audit your own reward the same way: any SPEC, then look at "
        "DIR/pictures/.",
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
    s.add_argument("--suite", default="shapes",
                   help="the suite the --card audit and --templates draw from (shapes; --templates also "
                   "knowledge: its eval facts, fact-blind templates)")
    s.add_argument("--count", type=int, default=COUNT, metavar="N",
                   help=f"the --card audit's scenes PER LEVEL: N held-out eval scenes of each of --levels "
                   f"(default {COUNT}: {COUNT * len(LEVELS)} scenes over levels 0-4); with --fixed-suite, N "
                   "scenes of the fixed suite IN ALL")
    s.add_argument("--levels", type=_levels, default=LEVELS, metavar="L,L",
                   help="the generator's levels --card and --adversary draw from (default 0,1,2,3,4)")
    s.add_argument("--fixed-suite", action="store_true",
                   help="audit --count scenes of the fixed 120-scene shapes suite instead of level scenes")
    s.add_argument("--card-templates", type=int, default=CARD_TEMPLATES, metavar="E",
                   help="the --card's template section: template evaluations, each on all the card's scenes "
                   f"(default {CARD_TEMPLATES}; 0: no section)")
    s.add_argument("--card-adversary", type=int, default=CARD_ADVERSARY, metavar="E",
                   help=f"the --card's adversary row: pictures the adversary scores a scene, on the first "
                   f"{CARD_ADVERSARY_SCENES} of each level's scenes (default {CARD_ADVERSARY}; 0: no row)")
    s.add_argument("--adversary", type=int, default=0, metavar="N",
                   help="run the adversary on N held-out scenes PER LEVEL of --levels: for each, the "
                   "best-paid picture (any shapes, colours, sizes, frames, fills, extra objects) that the "
                   "scene oracle says breaks a claim the prompt states; prints a table per level; writes "
                   "--out")
    s.add_argument("--evals-per-scene", type=int, default=EVALS_PER_SCENE, metavar="E",
                   help=f"the adversary's budget: pictures rendered and scored a scene (default "
                   f"{EVALS_PER_SCENE}; ~10-30 a second on one core)")
    s.add_argument("--templates", type=int, default=0, metavar="N",
                   help="search for the one scene-blind SVG template (kind, count, size, layout, page, "
                   "frame, fill; only the prompt's colour words read) paid most over N held-out scenes IN "
                   "ALL, spread over --levels; prints its mean reward and checks share per level; writes "
                   "--out (0: off)")
    s.add_argument("--template-budget", type=int, default=TEMPLATE_BUDGET, metavar="E",
                   help=f"the template search's evaluations, each N renders and one batch score (default "
                   f"{TEMPLATE_BUDGET})")
    s.add_argument("--template-max-share", type=float, default=None, metavar="X",
                   help="exit 1 when the best template's mean checks share is above X (default: the "
                   "template search is a measurement and leaves the exit code alone)")
    s.add_argument("--out", default="codepaint-adversary", metavar="DIR",
                   help="where the adversary writes report.json, report.md and pictures/ (default "
                   "./codepaint-adversary)")
    s.add_argument("--no-invariants", action="store_true",
                   help="skip the invariants: run only the audits asked for (--card, --adversary, "
                   "--templates)")
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
    if args.adversary < 0 or args.evals_per_scene < 1 or args.card_adversary < 0:
        parser.error("--adversary and --card-adversary are counts (0: off) and --evals-per-scene at least 1")
    if args.templates < 0 or args.template_budget < 1:
        parser.error("--templates is a count (0: off) and --template-budget at least 1")
    if args.templates and args.suite not in ("shapes", "knowledge"):
        parser.error(f"--templates runs on --suite shapes or knowledge, not {args.suite!r}")
    if args.no_invariants and args.card is None and not args.adversary and not args.templates:
        parser.error("--no-invariants leaves nothing to run: add --card DIR, --adversary N or --templates N")
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
    report = None
    if not args.no_invariants:
        report = check_reward(reward, examples=args.examples, seed=args.seed, save_dir=args.save_dir,
                              raises=False, skip=dict.fromkeys(args.skip, "--skip"))
    card_path = None
    if args.card is not None:
        card_path = _card(reward, args, parser)
    adversary = None
    if args.adversary:
        from codepaint_env.scoring.adversary import run_adversary

        adversary = run_adversary(reward, spec=args.spec, count=args.adversary, seed=args.seed,
                                  budget=args.evals_per_scene, levels=args.levels,
                                  progress=None if args.json else _progress)
        adversary.write(args.out)
    templates = None
    templates_dir = Path(args.out) / "templates" if args.adversary else Path(args.out)  # not over --adversary
    if args.templates:
        from codepaint_env.scoring.templates import run_templates

        try:
            templates = run_templates(reward, spec=args.spec, count=args.templates, seed=args.seed,
                                      budget=args.template_budget, suite=args.suite, levels=args.levels,
                                      progress=None if args.json else _template_progress)
        except ValueError as e:
            parser.error(f"--templates: {e}")
        templates.write(templates_dir)
    broken = ((report is not None and not report.ok) or (adversary is not None and adversary.found)
              or _over_share(templates, args.template_max_share))
    if args.json:
        print(json.dumps({"spec": args.spec, **(report.to_dict() if report is not None else {}),
                          "card": None if card_path is None else str(card_path),
                          "adversary": None if adversary is None else {
                              "report": str(Path(args.out) / "report.json"), "levels": adversary.rows()},
                          "templates": None if templates is None else {
                              "report": str(templates_dir / "report.json"), "best": templates.best.describe(),
                              "overall": templates.overall, "levels": templates.levels}},
                         indent=2))
        return EXIT_INVARIANT_BROKEN if broken else EXIT_OK
    if adversary is not None:
        print(f"\nadversary ({args.evals_per_scene} pictures scored a scene, seed {args.seed}):\n"
              f"{adversary.to_table()}\npictures and report: {Path(args.out) / 'report.md'}")
    if templates is not None:
        print(f"\n{templates.to_table()}\npictures and report: {templates_dir / 'report.md'}")
    if report is not None:
        print(report.to_table())
        for failure in report.failures[:1]:
            print(f"\nfirst broken invariant: {failure.name}: {failure.why}\n"
                  f"shrunk counterexample:\n{failure.counterexample}\nsaved to {failure.saved}\n"
                  f"reproduce: codepaint check-reward {args.spec} --examples {args.examples} "
                  f"--seed {args.seed}")
    if card_path is not None:
        print(f"\nreward card: {card_path}")
    return EXIT_INVARIANT_BROKEN if broken else EXIT_OK


def _card(reward: Any, args: argparse.Namespace, parser: argparse.ArgumentParser) -> Path:
    """The reward card (and its adversary row, on the card's own scenes); the path of card.md."""
    from codepaint_env.scoring.adversary import card_row, run_adversary
    from codepaint_env.scoring.reward_card import audit, audit_scenes

    try:
        scenes = audit_scenes(args.suite, args.count, args.seed, levels=args.levels, fixed=args.fixed_suite)
        card = audit(reward, spec=args.spec, suite=args.suite, count=args.count, seed=args.seed,
                     levels=args.levels, fixed=args.fixed_suite, scenes=scenes)
    except ValueError as e:
        parser.error(str(e))
    if args.card_adversary:
        seen: dict[int | None, int] = {}
        firsts = []
        for label, scene in scenes:
            seen[scene.level] = seen.get(scene.level, 0) + 1
            if seen[scene.level] <= CARD_ADVERSARY_SCENES:
                firsts.append((label, scene))
        found = run_adversary(reward, spec=args.spec, count=CARD_ADVERSARY_SCENES, seed=args.seed,
                              budget=args.card_adversary, levels=args.levels, scenes=firsts)
        card.adversary = {**card_row(found.attacks, card.value_range[0]), "budget": args.card_adversary,
                          "scenes": [label for label, _ in firsts]}
    if args.card_templates > 0 and args.suite == "shapes" and not args.fixed_suite:
        from codepaint_env.scoring.card_report import template_row
        from codepaint_env.scoring.templates import run_templates

        found_t = run_templates(reward, spec=args.spec, count=args.count * len(args.levels), seed=args.seed,
                                budget=args.card_templates, levels=args.levels)
        card.templates = template_row(found_t)
    return card.write(args.card)


def _over_share(templates: Any, limit: float | None) -> bool:
    """Whether the best template's mean checks share (its mean reward without checks) is above ``limit``."""
    if templates is None or limit is None:
        return False
    measured = templates.share if templates.share is not None else templates.value
    return measured is not None and measured > limit


def _template_progress(evaluations: int, value: float | None, best: float | None) -> None:
    """One line every 10 template evaluations."""
    if evaluations % 10 == 0:
        print(f"  templates: {evaluations} evaluated, last {_val(value)}, best {_val(best)}",
              file=sys.stderr, flush=True)


def _val(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _progress(attack: Any) -> None:
    """One line per attacked scene, as it is done."""
    best = attack.best
    what = (attack.skipped or "no wrong picture scored") if best is None else (
        f"best wrong {best.value:.3f} (reference {attack.reference:.3f}), breaks {', '.join(best.broken)}"
        + ("; FALSE FULL PASS" if attack.false_full_pass else "")
        + (f"; overpaid by {attack.overpaid.excess:.3f}" if attack.overpaid is not None else ""))
    print(f"  {attack.label}: {what} [{attack.evaluations} scored, {attack.evaluations_per_second:.0f}/s]",
          file=sys.stderr, flush=True)
