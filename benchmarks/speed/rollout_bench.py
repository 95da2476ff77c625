"""Rollout speed of every generation engine on both bundled policies: the same prompts, interleaved, one run.

    .venv/bin/python benchmarks/speed/rollout_bench.py                 # both models, 2 rounds: ~20 min here
    .venv/bin/python benchmarks/speed/rollout_bench.py --models smollm2-135m --rounds 1   # a quick look

The prompts are a learning run's: the 8 SVG scenes of ``load_suite("shapes", level=0, count=8,
seed=0, split="train")``, each asked as the env asks it (the language's system prompt, then the task;
:func:`codepaint_env.policy.evaluate.messages_for`), sampled at temperature 0.9 with up to 192 new
tokens, 16 rows (each scene twice, as a learner samples a group; ``--rows``) decoded together in one
``generate_rows`` call, no logprobs asked (generation speed). For each model both engines are loaded
first, then the rounds alternate engines (transformers, ct2, transformers, ct2...; with ``--extras``,
ct2 with prefix reuse, with logprobs and seeding each row alone after them in each round), each round
with its own seeds, the same for every engine, so a machine busy with other work slows all alike.
Each engine computes with the threads it runs best with on this busy 2-core machine (torch 1,
CTranslate2 its default of one per core; the options say what the other settings gave).
``tokens_per_s`` is all rounds' sampled tokens over their decoding seconds. ``conversion_s`` is
CTranslate2's conversion of the model's float32 folder (the bundled GGUF read once by transformers,
shared by both engines and not counted), made afresh into a temporary cache for the measurement
once the modules it imports are imported (what a learning run pays each round);
the transformers engine converts nothing (``null``).

Writes ``docs/rollout-bench.json``: ``{"models": {model: {engine: {"tokens_per_s", "conversion_s"}}},
"machine": {...}}`` (``machine``: the CPU, cores, load, package versions and this run's settings and
per-round figures), and prints each round and the ct2/transformers ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sys
import tempfile
import time
from typing import Any

from codepaint_env.policy import load_policy
from codepaint_env.policy.engines import CT2Engine, Row, convert_folder
from codepaint_env.policy.evaluate import messages_for
from codepaint_env.policy.loading import KNOWN_MODELS, convert_bundled
from codepaint_env.policy.local import LocalPolicy
from codepaint_env.policy.provenance import package_versions
from codepaint_env.tasks import load_suite

MODELS = ("smollm2-135m", "qwen2.5-coder-0.5b")
ENGINES = ("transformers", "ct2")
OUT = pathlib.Path(__file__).resolve().parents[2] / "docs" / "rollout-bench.json"


def prompts() -> list[list[dict[str, str]]]:
    """The 8 SVG scenes of shapes level 0 (train, seed 0), as the env asks them."""
    tasks = [t for t in load_suite("shapes", level=0, count=8, seed=0, split="train") if t.language == "svg"]
    assert len(tasks) == 8, len(tasks)
    return [messages_for(t, "allowlist") for t in tasks]


def grouped(ids: list[Any], rows: int) -> list[Any]:
    """``rows`` prompts for one call, as a learner samples its group of one scene.

    Each scene's prompt ``rows / 8`` times in a row (16: every scene twice); the first ``rows`` scenes
    for fewer than 8.
    """
    if rows <= len(ids):
        return ids[:rows]
    each = -(-rows // len(ids))
    return [p for p in ids for _ in range(each)][:rows]


def cpu_name() -> str:
    from codepaint_env.policy.learning.provenance import cpu_fields

    return cpu_fields().get("model name") or platform.processor() or "unknown"


def warm_imports(folder: pathlib.Path) -> None:
    """Import what a conversion imports (once a process: several seconds here), so it is not counted."""
    import ctranslate2.converters.transformers  # noqa: F401
    import transformers

    config = transformers.AutoConfig.from_pretrained(str(folder))
    for architecture in config.architectures or ():
        getattr(transformers, architecture)


#: What each round decodes: the two engines (the JSON's figures: generation, no logprobs asked) and,
#: beside them, what the ct2 options cost (``--extras``): logprobs at the benchmark's temperature
#: (CTranslate2's step logits fetched) and one seed per row (each row decoded alone).
VARIANTS = {"transformers": ("transformers", False), "ct2": ("ct2", False),
            "ct2 prefix_reuse": ("ct2_prefix", False), "ct2+logprobs": ("ct2", True),
            "ct2 seeding=row": ("ct2_row", False)}


def load_engines(name: str, args: argparse.Namespace) -> tuple[dict[str, LocalPolicy], dict[str, Any]]:
    """The engines of a model, and CTranslate2's conversion of it timed afresh."""
    folder = convert_bundled(name, log=print)  # the float32 folder both engines start from (cached)
    warm_imports(folder)
    with tempfile.TemporaryDirectory(prefix="rollout-bench-") as tmp:
        started = time.perf_counter()
        fresh = convert_folder(folder, quantization=args.compute_type, cache_dir=tmp)
        conversion_s = time.perf_counter() - started
        print(f"{name}: CTranslate2 {args.compute_type} conversion {conversion_s:.1f} s {fresh.seconds}",
              flush=True)
    started = time.perf_counter()
    policies = {"transformers": load_policy(name, "cpu", threads=args.transformers_threads)}
    print(f"{name}: transformers loaded in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    policies["ct2"] = load_policy(name, "cpu", engine="ct2", compute_type=args.compute_type,
                                  threads=args.ct2_threads, log=print)
    print(f"{name}: ct2 loaded in {time.perf_counter() - started:.1f} s", flush=True)
    if "ct2 prefix_reuse" in args.variants:  # the rows' shared prompt tokens walked once
        source = policies["ct2"].source
        engine = CT2Engine(source, device="cpu", compute_type=args.compute_type, threads=args.ct2_threads,
                           prefix_reuse=True)
        policies["ct2_prefix"] = LocalPolicy(engine, name=name)
    if "ct2 seeding=row" in args.variants:
        ct2 = policies["ct2"]
        policies["ct2_row"] = LocalPolicy(CT2Engine(ct2.source, device="cpu", compute_type=args.compute_type,
                                                    threads=args.ct2_threads, seeding="row"), name=name)
    return policies, {"transformers": None, "ct2": round(conversion_s, 1)}


def run_model(name: str, chats: list[list[dict[str, str]]], args: argparse.Namespace) -> dict[str, Any]:
    policies, conversion = load_engines(name, args)
    ids = [policies["transformers"].prompt_ids(c) for c in chats]
    for policy in policies.values():
        assert [policy.prompt_ids(c) for c in chats] == ids, "the engines tokenize alike"
    totals = {v: {"tokens": 0, "seconds": 0.0, "stopped": 0, "rows": 0} for v in args.variants}
    rounds = []
    for r in range(args.rounds):
        for variant in args.variants:
            key, logprobs = VARIANTS[variant]
            policy = policies[key]
            rows = [Row(p, temperature=args.temperature, top_p=1.0, max_tokens=args.max_tokens,
                        seed=1000 * r + i, logprobs=logprobs) for i, p in enumerate(grouped(ids, args.rows))]
            started = time.perf_counter()
            choices = policy.generate_rows(rows)
            seconds = time.perf_counter() - started
            tokens = sum(c.completion_tokens for c in choices)
            stopped = sum(c.finish_reason == "stop" for c in choices)
            t = totals[variant]
            t["tokens"] += tokens
            t["seconds"] += seconds
            t["stopped"] += stopped
            t["rows"] += len(rows)
            rounds.append({"round": r, "variant": variant, "tokens": tokens, "seconds": round(seconds, 2),
                           "tokens_per_s": round(tokens / seconds, 2), "stopped": stopped,
                           "load_average": round(os.getloadavg()[0], 2)})
            print(f"{name} round {r} {variant}: {tokens} tokens in {seconds:.1f} s = {tokens / seconds:.1f} "
                  f"tokens/s, {stopped}/{len(rows)} stopped by themselves, load {os.getloadavg()[0]:.1f}",
                  flush=True)
    rates = {v: round(t["tokens"] / t["seconds"], 2) for v, t in totals.items()}
    result = {e: {"tokens_per_s": rates[e], "conversion_s": conversion[e]} for e in ENGINES}
    if "ct2 prefix_reuse" in rates:
        result["ct2_prefix_reuse"] = {"tokens_per_s": rates["ct2 prefix_reuse"],
                                      "conversion_s": conversion["ct2"]}
    loads = {}
    for key in ("ct2", "ct2_prefix", "ct2_row"):
        engine = policies[key].engine if key in policies else None
        if isinstance(engine, CT2Engine):
            loads[key] = {"loads": engine.loads, "waited_s": round(engine.load_seconds, 2)}
    for policy in policies.values():
        policy.engine.close()
    return {"result": result, "rates": rates, "rounds": rounds, "ct2_generator_loads": loads}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=sorted(KNOWN_MODELS))
    ap.add_argument("--rows", type=int, default=16,
                    help="rows a generate call (default 16, a learner's: the 8 scenes twice; 8: one each)")
    ap.add_argument("--extras", nargs="*", default=["ct2 prefix_reuse", "ct2+logprobs", "ct2 seeding=row"],
                    choices=[v for v in VARIANTS if v not in ENGINES],
                    help="what the ct2 options cost, measured beside the engines (default: both)")
    ap.add_argument("--rounds", type=int, default=2, help="rounds per engine (default 2)")
    ap.add_argument("--temperature", type=float, default=0.9)
    ap.add_argument("--max-tokens", type=int, default=192)
    ap.add_argument("--compute-type", default="int8", help="the ct2 engine's (default int8)")
    ap.add_argument("--transformers-threads", type=int, default=1,
                    help="torch's threads (default 1: on a machine busy with other work, two threads that "
                    "meet at every matrix product wait for each other: SmolLM2 made 1.7 tokens/s with 2 "
                    "here, 12.3 with 1)")
    ap.add_argument("--ct2-threads", type=int, default=None,
                    help="CTranslate2's intra_threads (default: its own, one per core; SmolLM2 made 53.1 "
                    "tokens/s with 2 here, 17.3 with 1)")
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args()
    args.variants = [*ENGINES, *args.extras]
    chats = prompts()
    load_before = os.getloadavg()
    started = time.perf_counter()
    runs = {name: run_model(name, chats, args) for name in args.models}
    machine = {
        "cpu": cpu_name(), "cores": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": package_versions(("torch", "transformers", "ctranslate2")),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "run": {"prompts": "8 SVG scenes of shapes level 0 (train, seed 0), system prompt + task",
                "temperature": args.temperature, "top_p": 1.0, "max_tokens": args.max_tokens,
                "rows_per_call": args.rows, "rounds": args.rounds,
                "threads": {"transformers": args.transformers_threads,
                            "ct2": args.ct2_threads or os.cpu_count()},
                "ct2_compute_type": args.compute_type, "ct2_seeding": "batch", "logprobs": False,
                "transformers_dtype": "float32", "seconds": round(time.perf_counter() - started, 1),
                "tokens_per_s_by_variant": {n: r["rates"] for n, r in runs.items()},
                "rounds_by_model": {n: r["rounds"] for n, r in runs.items()},
                "ct2_generator_loads": {n: r["ct2_generator_loads"] for n, r in runs.items()}},
    }
    report = {"models": {n: r["result"] for n, r in runs.items()}, "machine": machine}
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for name, r in runs.items():
        res = r["result"]
        if "transformers" in res and "ct2" in res:
            ratio = res["ct2"]["tokens_per_s"] / res["transformers"]["tokens_per_s"]
            print(f"{name}: transformers {res['transformers']['tokens_per_s']} tokens/s, ct2 "
                  f"{res['ct2']['tokens_per_s']} tokens/s: ct2 is {ratio:.2f}x "
                  f"(conversion {res['ct2']['conversion_s']} s)")
            if "ct2_prefix_reuse" in res:
                reuse = res["ct2_prefix_reuse"]["tokens_per_s"] / res["transformers"]["tokens_per_s"]
                print(f"{name}: ct2 with prefix reuse {res['ct2_prefix_reuse']['tokens_per_s']} tokens/s: "
                      f"{reuse:.2f}x transformers")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
