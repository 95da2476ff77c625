r"""``codepaint score``: render program files and score them (a stand-in judge: ``codepaint judge-server``).

    codepaint score sketch.js page.html --reward execution_gate --reward pairwise_vlm \\
        --prompt "a peach hibiscus in watercolour" [--set model=gpt-4o] [--json]
    codepaint score --list

``score`` exit codes: 0 every file got a value from every reward, 4 some value is ``None``
(could not be judged: the reason is printed), 2 usage error, 1 broken installation.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_BROKEN, EXIT_USAGE
from codepaint_env.cli.exit_codes import EXIT_NOT_JUDGED as EXIT_UNJUDGED
from codepaint_env.core.errors import DependencyNotInstalled
from rewards.spec import DEFAULT_REWARD


def add_parser(sub: Any) -> None:
    """Register ``codepaint score``."""
    s = sub.add_parser(
        "score",
        help="score programs with reward backends (gate, judges, similarity)",
        description="Render each FILE and score it with every --reward. Judge rewards use "
        "OPENAI_BASE_URL / OPENAI_API_KEY / CODEPAINT_JUDGE_MODEL or --set base_url=... "
        "model=... (try `codepaint judge-server` for an offline stand-in). Exit 0 when every "
        "value was computed, 4 when some could not be judged (value None, reason printed).",
    )
    s.add_argument("files", nargs="*", metavar="FILE", help="program files (language from the name ending)")
    s.add_argument("--reward", "-r", action="append", metavar="SPEC",
                   help="reward: an id, an alias, module:Class or weighted ids such as gate:0.3,classic:0.7 "
                   "(repeatable; default: `default`, every door's default: gate:0.3,checks:0.7 for a "
                   "file given a --column checks=..., else gate:0.3,classic:0.7)")
    s.add_argument("--prompt", default=None, help="the task prompt the programs answer")
    s.add_argument("--language", "--lang", dest="language", default="auto",
                   help="language for every file (default: from each name)")
    s.add_argument("--size", default="512", help="render size W or WxH (default 512)")
    s.add_argument("--seed", type=int, default=0, help="render seed (default 0)")
    s.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="reward configuration (JSON values allowed), given to every reward that takes "
                   "KEY; ID.KEY=VALUE for one reward, e.g. --set model=gpt-4o --set pairwise_vlm.k=3")
    s.add_argument("--column", action="append", default=[], metavar="KEY=VALUE",
                   help="a dataset column for every file, e.g. --column subject=rose")
    s.add_argument("--json", action="store_true", help="print JSON (one object per file)")
    s.add_argument("--list", action="store_true", help="list the registered reward ids and exit")

    s.set_defaults(run=run)


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


def _shorten(text: str, width: int) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[:width - 1].rsplit(" ", 1)[0] if " " in text[:width - 1] else text[:width - 1]
    return cut.rstrip(" ,;:|") + "…"


_SIMPLE = {"int": int, "float": (int, float), "bool": bool, "str": str}


def _check_types(cls: Any, rid: str, settings: dict[str, Any]) -> None:
    """Refuse a ``--set`` value whose type is not the one the reward's constructor names.

    Raises:
        TypeError: ``--set k=x`` for an int ``k`` used to fail deep inside, as "'<' not
            supported between instances of 'str' and 'int'"; now it names the setting.
    """
    import inspect

    for klass in getattr(cls, "__mro__", ()):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for name, param in inspect.signature(init).parameters.items():
            if name not in settings or not isinstance(param.annotation, str):
                continue
            want = _SIMPLE.get(param.annotation.replace(" ", "").removesuffix("|None"))
            value = settings[name]
            if want is None or value is None:
                continue
            if not isinstance(value, want) or (want is not bool and isinstance(value, bool)):
                raise TypeError(f"--set {name}={value!r}: {rid}'s {name} is {param.annotation}")


def _build(spec: str, config: dict[str, Any], renderer: Any) -> Any:
    """The reward ``spec`` names, with the --set entries meant for it (each component's, for weighted ones).

    ``ID.KEY`` entries go to the component with that id; plain keys to every component that takes them.
    """
    import rewards
    from rewards.instantiate import reward_class

    plan = rewards.parse_spec(spec)
    parts = []
    for c in plan.components:
        cls = reward_class(c.reward)
        rid = getattr(cls, "id", None)
        takes = cls.config_keys() if hasattr(cls, "config_keys") else set()
        own = {}
        for key, value in config.items():
            target, dot, name = key.rpartition(".")
            if dot and target in (c.reward, rid):
                own[name] = value
            elif not dot and key in takes:
                own[key] = value
        _check_types(cls, rid or str(c.reward), own)
        parts.append((c.reward, c.weight, own))
    if not plan.weighted:
        return rewards.make_reward(parts[0][0], renderer=renderer, **parts[0][2])
    return rewards.make_reward(parts, renderer=renderer, name=spec)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    r"""``codepaint score``."""
    import rewards
    from codepaint_env.render import Renderer, parse_size
    from codepaint_env.render.detect import language_from_path
    from codepaint_env.render.retry import COMMAND_RETRIES, describe_retries
    from rewards.base import RewardResult

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
        langs.append(args.language if args.language != "auto" else language_from_path(f, code))
    ids = args.reward or [DEFAULT_REWARD]
    with Renderer(cache_size=len(codes) + 8, infra_retries=COMMAND_RETRIES) as renderer:
        built = []
        for rid in ids:
            try:
                built.append(_build(rid, config, renderer))
            except DependencyNotInstalled as e:  # a broken installation, not the user's usage
                print(f"codepaint score: --reward {rid}: {e}", file=sys.stderr)
                return EXIT_BROKEN
            except (TypeError, ValueError, KeyError) as e:
                print(f"codepaint score: --reward {rid}: {e}", file=sys.stderr)
                return EXIT_USAGE
        samples = built[0].build_samples(codes, prompts=[args.prompt] * len(codes), language=langs,
                                         size=args.size, seed=args.seed,
                                         **{k: [v] * len(codes) for k, v in columns.items()})
        scored: dict[str, list[RewardResult]] = {}
        for rid, reward in zip(ids, built, strict=True):
            scored[rid] = reward.score(samples)
        retried = renderer.stats()
    if retried["infra_retries"]:
        print(f"codepaint score: {describe_retries(retried)}", file=sys.stderr)
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
            print(f"  {rid:16s} {value:>7s}  {_shorten(why or '', 160)}")
    return EXIT_UNJUDGED if unjudged else 0
