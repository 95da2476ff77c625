"""``codepaint eval``: a policy writes K programs per task of a suite; each is rendered and scored.

    codepaint eval --model smollm2-135m --suite svg --split eval --limit 10 --samples 4 --out runs/eval
    codepaint eval --base-url http://127.0.0.1:8001/v1 --suite svg --limit 10 --samples 4 --out runs/eval
    codepaint eval --model smollm2-135m --suite svg --compare allowlist,none --out runs/eval-styles
    codepaint eval --model qwen2.5-coder-0.5b --engine ct2 --suite knowledge --language svg --tools search \
        --samples 2 --out runs/eval-knowledge-search

The work is :func:`codepaint_env.policy.evaluate.run_eval`. Exit codes: 0 every sample was made and
judged; 4 some sample is missing (the endpoint did not answer) or its reward could not be judged
(``--resume`` makes both again); 2 usage errors (an unknown model or suite, a folder made with other
settings); 1 a broken installation.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_BROKEN, EXIT_NOT_JUDGED, EXIT_OK, EXIT_USAGE

_DESCRIPTION = """\
Evaluate a policy on a task suite: for each task (the first --limit of --split), --samples programs are
written by the policy (--model: a local model loaded in this process, e.g. smollm2-135m,
qwen2.5-coder-0.5b or qwen2.5-coder-1.5b, a checkpoint folder or a Hugging Face id; or --base-url: any
OpenAI-compatible endpoint, e.g. `codepaint policy-server`), extracted, rendered and scored with --reward
(default: the one default reward of every door, offline: gate:0.3,checks:0.7 when the tasks carry checks,
gate:0.3,classic:0.7 when none does; run.json records it).

The run folder (--out): run.json (settings), rollouts.jsonl (one row per sample: task, prompt,
completion, program, render, reward and breakdown, gate, tokens, seconds), images/, summary.json
(draws-something rate, gate pass rate, mean reward with a bootstrap 95% interval over tasks,
invented-API rate, failure kinds, pass@k for drawing something and for the gate, tokens and seconds per
sample) and index.html (every picture with its program and scores). --resume keeps the rows already
there and makes only the missing ones (with the same settings; each sample's seed depends only on
--seed, the task and the sample index, so a resumed run equals a whole one).

run.json and summary.json record what produced the rows (provenance): the codepaint version, the
model's sha256 (a known model's GGUF file, a folder's weight files; an endpoint's /v1/models, with
no hash), the suite with a hash of its tasks, the reward spec, the seeds, and the versions of torch,
transformers and trl. --resume refuses to add rows to a folder whose rows were made under other
provenance, naming what differs.

--compare A,B runs the same evaluation for each variant into --out/VARIANT/ and prints one table:
a variant is a prompt style (allowlist, reference, none: no system prompt; allowlist and reference
differ for p5brush only), a model name or folder, or an endpoint URL (http...).

--tools search (or search,search_references) lets the policy look things up before it answers: each sample
is a conversation over the episode core in which every reply that calls a tool is answered (the fact cards
of the knowledge suite; reference programs) and the policy asked again, until a reply that calls no tool,
or --max-tool-calls are spent; that reply is the program. A chat template with tools (Qwen2.5's) gets the
tools' schemas and writes <tool_call> blocks; one without (SmolLM2's) is told in the system prompt to write
<search>a few words</search> and gets the result between <information> tags (--tool-form auto, the
default, chooses). Rows add the tool calls, searches, retrieved cards and recall; summary.json a tools
entry (tool-call rate, calls per sample, recall)."""


def add_parser(sub: Any) -> None:
    """Register ``codepaint eval``."""
    from codepaint_env.policy.evaluate import PROMPT_STYLES

    s = sub.add_parser("eval", help="evaluate a policy on a task suite (sample, render, score; summary)",
                       description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    who = s.add_mutually_exclusive_group()
    who.add_argument("--model", "-m", default=None,
                     help="a local policy: smollm2-135m, qwen2.5-coder-0.5b, qwen2.5-coder-1.5b, a "
                     "checkpoint folder or a Hugging Face id")
    who.add_argument("--base-url", default=None,
                     help="an OpenAI-compatible endpoint, e.g. http://127.0.0.1:8001/v1")
    s.add_argument("--served-model", default=None,
                   help="the model id sent to --base-url (default: the first one it lists)")
    s.add_argument("--api-key", default=None, help="for --base-url (default $OPENAI_API_KEY)")
    s.add_argument("--suite", default="svg",
                   help="a built-in suite (svg, html, watercolour...) or a .jsonl file")
    s.add_argument("--language", "--lang", dest="language", default=None,
                   help="only the suite's tasks in this language (e.g. svg of the shapes suite)")
    s.add_argument("--split", default="eval", choices=("eval", "train"), help="default eval")
    s.add_argument("--limit", type=int, default=None, metavar="N",
                   help="the first N tasks of the split (with --level: N scenes, default 100)")
    s.add_argument("--level", type=int, default=None, metavar="L",
                   help="a difficulty level of the generated shapes suite (0-4): its held-out scenes "
                        "(seed 0), e.g. --suite shapes --level 2 --language svg --limit 48")
    s.add_argument("--samples", "-k", type=int, default=4, metavar="K", help="programs per task (default 4)")
    s.add_argument("--out", "-o", required=True, help="the run folder")
    s.add_argument("--reward", "-r", default=None, metavar="SPEC", help="a reward spec (default: see above)")
    s.add_argument("--prompt-style", default="allowlist", choices=PROMPT_STYLES,
                   help="the system prompt: allowlist (default), reference, none")
    s.add_argument("--max-tokens", type=int, default=512, help="most tokens per program (default 512)")
    s.add_argument("--temperature", type=float, default=0.7, help="default 0.7")
    s.add_argument("--top-p", type=float, default=0.95, help="default 0.95")
    s.add_argument("--seed", type=int, default=0, help="every sample's seed derives from it (default 0)")
    s.add_argument("--size", type=int, default=None, metavar="PX", help="render size (default: each task's)")
    s.add_argument("--batch-size", type=int, default=8, metavar="N",
                   help="rows decoded together (--model) or requests in flight (--base-url); default 8")
    s.add_argument("--device", default="auto", help="for --model: auto, cpu, cuda, mps")
    s.add_argument("--threads", type=int, default=None, metavar="N",
                   help="for --model: CPU threads for torch (default: one per core; 1 is often faster on a "
                   "busy machine)")
    s.add_argument("--engine", default="transformers", choices=("transformers", "ct2"),
                   help="for --model: transformers (torch, default) or ct2 (CTranslate2, int8 on a CPU: "
                   "several times faster; the model is converted once per content; docs/local-policy.md)")
    s.add_argument("--compute-type", default=None, metavar="TYPE",
                   help="for --model: transformers float32 (default on a CPU), float16, bfloat16; ct2 int8 "
                   "(default on a CPU), int8_float32, float32, float16 (a GPU)")
    s.add_argument("--tools", default=None, metavar="NAMES",
                   help="search tools the policy may call before answering: search, search_references "
                   "(comma-separated; default none: one reply per sample)")
    s.add_argument("--max-tool-calls", type=int, default=3, metavar="N",
                   help="with --tools: tool calls a sample may make (default 3)")
    s.add_argument("--tool-form", default="auto", choices=("auto", "call", "tag"),
                   help="with --tools: call (the chat template's tools), tag (<search> in the text), auto "
                   "(call when the model's template reads tools; default)")
    s.add_argument("--search-index", default="all", choices=("all", "train", "auto"),
                   help="with --tools: the cards search looks in: all (default: evaluation holds every "
                   "card), train (the train facts' only, as in training) or auto (a train task: train)")
    s.add_argument("--resume", action="store_true",
                   help="keep the rows in --out and make only the missing ones")
    s.add_argument("--compare", default=None, metavar="A,B",
                   help="variants to compare: prompt styles, models or endpoint URLs")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(run=run)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "variant"


def _variants(args: argparse.Namespace, base: Any) -> list[tuple[str, Any]]:
    """``(label, config)`` per --compare variant (or the one run)."""
    import dataclasses

    from codepaint_env.policy.evaluate import PROMPT_STYLES

    if not args.compare:
        return [("run", base)]
    out = []
    for item in [v.strip() for v in args.compare.split(",") if v.strip()]:
        folder = str(Path(args.out) / _slug(item))
        if item in PROMPT_STYLES:
            out.append((item, dataclasses.replace(base, prompt_style=item, out=folder)))
        elif item.startswith(("http://", "https://")):
            out.append((item, dataclasses.replace(base, model=None, base_url=item, out=folder)))
        else:
            out.append((item, dataclasses.replace(base, model=item, base_url=None, out=folder)))
    return out


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``codepaint eval``; returns the exit code."""
    from codepaint_env.core.errors import DependencyNotInstalled, UnknownModel
    from codepaint_env.policy.evaluate import EvalConfig, EvalError, run_eval
    from codepaint_env.policy.report import comparison_table

    if args.model is None and args.base_url is None and not args.compare:
        parser.error("eval: give --model NAME or --base-url URL")
    base = EvalConfig(out=args.out, model=args.model, base_url=args.base_url, served_model=args.served_model,
                      api_key=args.api_key, suite=args.suite, language=args.language, split=args.split,
                      limit=args.limit, level=args.level,
                      samples=args.samples, reward=args.reward, prompt_style=args.prompt_style,
                      max_tokens=args.max_tokens, temperature=args.temperature, top_p=args.top_p,
                      seed=args.seed,
                      size=args.size, batch_size=args.batch_size, device=args.device, threads=args.threads,
                      engine=args.engine, compute_type=args.compute_type,
                      tools=tuple(t.strip() for t in (args.tools or "").split(",") if t.strip()),
                      max_tool_calls=args.max_tool_calls, tool_form=args.tool_form,
                      search_index=args.search_index, resume=args.resume,
                      progress=not args.no_progress)
    variants = _variants(args, base)
    if len(variants) == 1 and args.compare:
        parser.error("--compare: give at least two variants, e.g. allowlist,none")
    loaded: dict[str, Any] = {}  # a model two variants share is loaded once
    results = []
    try:
        for label, config in variants:
            if len(variants) > 1:
                print(f"== {label}", file=sys.stderr, flush=True)
            policy = None
            if config.model is not None and config.model in loaded:
                policy = loaded[config.model]
            elif config.model is not None and len(variants) > 1:
                loaded.clear()  # one model in memory at a time
                config.check()
                from codepaint_env.policy import load_policy

                policy = load_policy(config.model, config.device, engine=config.engine,
                                     compute_type=config.compute_type, threads=config.threads, log=_log)
                loaded[config.model] = policy
                _log(f"eval: loaded {policy.name} on {policy.device} in {policy.load_seconds:.1f} s")
            summary = run_eval(config, policy=policy, log=_log)
            results.append((label, summary))
    except (EvalError, UnknownModel, ValueError) as e:  # ValueError: a device, compute type or architecture
        print(f"codepaint eval: {e}", file=sys.stderr)
        return EXIT_USAGE
    except DependencyNotInstalled as e:
        print(f"codepaint eval: {e}", file=sys.stderr)
        return EXIT_BROKEN
    labels = [label for label, _ in results] if len(results) > 1 else [results[0][1].get("model") or "run"]
    print(comparison_table(list(zip(labels, [s for _, s in results], strict=True))))
    if len(results) > 1:
        (Path(args.out) / "compare.json").write_text(json.dumps(dict(results), indent=2), encoding="utf-8")
    for label, _ in results:
        where = Path(args.out) / _slug(label) if len(results) > 1 else Path(args.out)
        print(f"{label}: {where / 'index.html'}", file=sys.stderr)
    incomplete = any(s["missing_samples"] or s["mean_reward"]["unjudged"] for _, s in results)
    return EXIT_NOT_JUDGED if incomplete else EXIT_OK
