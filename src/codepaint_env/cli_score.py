r"""``codepaint score`` and ``codepaint judge-server``.

    codepaint score sketch.js page.html --reward execution_gate --reward pairwise_vlm \\
        --prompt "a peach hibiscus in watercolour" [--set model=gpt-4o] [--json]
    codepaint score --list
    codepaint judge-server --port 8900 [--latency-ms 200] [--bias first] [--fail-rate 0.1]

``score`` exit codes: 0 every file got a value from every reward, 4 some value is ``None``
(could not be judged: the reason is printed), 2 usage error, 1 broken installation.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from .cli import EXIT_NOT_JUDGED as EXIT_UNJUDGED


def add_score_parsers(sub: Any) -> None:
    """Register ``codepaint score`` and ``codepaint judge-server``."""
    s = sub.add_parser(
        "score",
        help="score programs with reward backends (gate, judges, similarity)",
        description="Render each FILE and score it with every --reward. Judge rewards use "
        "OPENAI_BASE_URL / OPENAI_API_KEY / CODEPAINT_JUDGE_MODEL or --set base_url=... "
        "model=... (try `codepaint judge-server` for an offline stand-in). Exit 0 when every "
        "value was computed, 4 when some could not be judged (value None, reason printed).",
    )
    s.add_argument("files", nargs="*", metavar="FILE", help="program files (language from the name ending)")
    s.add_argument("--reward", "-r", action="append", metavar="ID",
                   help="reward id, alias or module:Class (repeatable; default execution_gate)")
    s.add_argument("--prompt", default=None, help="the task prompt the programs answer")
    s.add_argument("--lang", default="auto", help="language for every file (default: from each name)")
    s.add_argument("--size", default="512", help="render size W or WxH (default 512)")
    s.add_argument("--seed", type=int, default=0, help="render seed (default 0)")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="reward configuration (JSON values allowed), given to every reward that takes "
                   "KEY; ID.KEY=VALUE for one reward, e.g. --set model=gpt-4o --set pairwise_vlm.k=3")
    s.add_argument("--column", action="append", default=[], metavar="KEY=VALUE",
                   help="a dataset column for every file, e.g. --column subject=rose")
    s.add_argument("--json", action="store_true", help="print JSON (one object per file)")
    s.add_argument("--list", action="store_true", help="list the registered reward ids and exit")

    # Listed for --help; `codepaint judge-server ...` goes straight to rewards.judge.server.serve.
    sub.add_parser(
        "judge-server",
        help="run the stand-in OpenAI-compatible judge on loopback (offline dry runs)",
        description="A real OpenAI-compatible HTTP server whose verdicts come from image "
        "statistics (coverage, colourfulness, edges), with fault injection. Not a real judge: "
        "use it to dry-run judge rewards offline.",
    )


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _pairs(items: list[str], flag: str, parser: argparse.ArgumentParser) -> dict[str, Any]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"{flag} {item!r}: write KEY=VALUE")
        out[key.strip()] = _value(value)
    return out


def _config_for(rid: str, config: dict[str, Any]) -> dict[str, Any]:
    """The --set entries for one reward: ``ID.KEY`` ones, and plain keys its class takes."""
    import rewards
    from rewards.registry import load_entry_point

    cls = load_entry_point(rid) if ":" in rid else rewards.reward_spec(rid).load()
    spec_id = getattr(cls, "id", rid)
    takes = cls.config_keys() if hasattr(cls, "config_keys") else set()
    out = {}
    for key, value in config.items():
        target, dot, name = key.rpartition(".")
        if dot and target in (rid, spec_id):
            out[name] = value
        elif not dot and key in takes:
            out[key] = value
    return out


def run_score(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    r"""``codepaint score``."""
    import rewards
    from rewards.base import RewardResult

    from .render import Renderer, parse_size
    from .render.detect import language_from_path

    if args.list:
        for rid in rewards.list_rewards():
            print(f"{rid:16s} {rewards.REGISTRY[rid].description}")
        print("aliases: " + ", ".join(f"{a}={t}" for a, t in sorted(rewards.ALIASES.items())))
        return 0
    if not args.files:
        parser.error("score: give at least one FILE (or --list)")
    try:
        parse_size(args.size)
    except ValueError as e:
        parser.error(f"--size: {e}")
    config = _pairs(args.set, "--set", parser)
    columns = _pairs(args.column, "--column", parser)
    codes, langs = [], []
    for f in args.files:
        if not os.path.isfile(f):
            parser.error(f"no such file: {f}")
        with open(f, encoding="utf-8", errors="replace") as fh:
            code = fh.read()
        codes.append(code)
        langs.append(args.lang if args.lang != "auto" else language_from_path(f, code))
    ids = args.reward or ["execution_gate"]
    with Renderer(cache_size=len(codes) + 8) as renderer:
        built = []
        for rid in ids:
            try:
                built.append(rewards.make_reward(rid, renderer=renderer, **_config_for(rid, config)))
            except (TypeError, ValueError) as e:
                print(f"codepaint score: --reward {rid}: {e}", file=sys.stderr)
                return 2
        samples = built[0].build_samples(codes, prompts=[args.prompt] * len(codes), language=langs,
                                         size=args.size, seed=args.seed, **columns)
        scored: dict[str, list[RewardResult]] = {}
        for rid, reward in zip(ids, built, strict=True):
            scored[rid] = reward.score(samples)
    unjudged = False
    for i, (f, sample) in enumerate(zip(args.files, samples, strict=True)):
        results = {rid: scored[rid][i] for rid in ids}
        unjudged |= any(r.value is None for r in results.values())
        if args.json:
            print(json.dumps({"file": f, "language": sample.language, "render": sample.render.summary(),
                              "rewards": {rid: r.to_dict() for rid, r in results.items()}}))
            continue
        status = "rendered" if sample.ok else f"render FAILED ({sample.render.error_kind})"
        print(f"{f}  [{sample.language}, {status}]")
        for rid, r in results.items():
            value = "None" if r.value is None else f"{r.value:.3f}"
            why = r.reason if r.value is None else r.rationale
            print(f"  {rid:16s} {value:>7s}  {(why or '')[:160]}")
    return EXIT_UNJUDGED if unjudged else 0
