r"""GRPO with TRL on codepaint tasks, with codepaint rewards.

Real run (one GPU; a 1.5B-7B instruct/coder model; a judge model behind any OpenAI-compatible API):

    export OPENAI_BASE_URL=http://localhost:8001/v1 OPENAI_API_KEY=...
    export CODEPAINT_JUDGE_MODEL=Qwen/Qwen2.5-VL-7B-Instruct
    accelerate launch examples/grpo_trl.py --model Qwen/Qwen2.5-Coder-1.5B-Instruct --language p5brush \
        --rewards gate:0.1,pairwise_vlm:0.9 --num-generations 8 --max-steps 500 --use-vllm \
        --output-dir runs/grpo-p5brush

Multi-turn refinement (the model submits with a tool, sees feedback, resubmits; TRL's
``environment_factory``; needs a tool-calling chat template such as Qwen2.5's):

    accelerate launch examples/grpo_trl.py --model Qwen/Qwen2.5-Coder-7B-Instruct --multi-turn 3 ...

A vision-language policy that sees each of its pictures (``--vlm``: the tool result is the render as an
image part next to the feedback, ``CodePaintToolEnv(images=True)``; one GPU, vLLM colocated; leave room
in ``--max-completion-length`` for every turn's code, feedback and picture tokens, since TRL drops a tool
result that does not fit):

    accelerate launch examples/grpo_trl.py --vlm --model Qwen/Qwen3-VL-4B-Instruct --language svg \
        --multi-turn 3 --image-size 384 --rewards gate:0.3,classic:0.7 --num-generations 8 \
        --max-completion-length 4096 --max-steps 300 --use-vllm --output-dir runs/grpo-vlm-svg

The model's chat template must render tool calls and images inside tool messages: Qwen3-VL's
(2B/4B/8B-Instruct) does. Qwen2.5-VL's shipped template has no tool calling at all (TRL refuses it
for ``environment_factory``), so Qwen2.5-VL-3B/7B need a tool-calling template first.

Search before drawing (``--tools search``: the environment's ``search(query, k)`` tool method looks up
the ``knowledge`` suite's fact cards before the model submits; its cards reach the reward, by default
``gate:0.2,checks:0.7,search_recall:0.1`` on tasks with checks; implies ``--multi-turn 1``;
``max_tool_calling_iterations`` gets room for ``--max-tool-calls`` more calls):

    accelerate launch examples/grpo_trl.py --model Qwen/Qwen2.5-Coder-1.5B-Instruct --language svg \
        --tasks knowledge --tools search --max-tool-calls 2 --num-generations 8 --use-vllm \
        --output-dir runs/grpo-search

Smoke run (CPU, a tiny local model built on the spot, no download; two GRPO steps with real
renders and real rewards; prints per-step reward statistics):

    .venv/bin/python examples/grpo_trl.py --smoke
    .venv/bin/python examples/grpo_trl.py --vlm --smoke
    .venv/bin/python examples/grpo_trl.py --vlm --smoke --tools search

``--vlm --smoke`` builds a tiny random Qwen3-VL (``codepaint_env.testing.build_tiny_vlm``) and runs two
GRPO steps on SVG tasks with pictures in the tool results; a random model never writes a tool call,
so the first generation's first two completions are scripted ``submit_code`` calls (a sailboat that
renders, a program that does not). It prints what reached the policy's forward pass. With ``--tools
search`` the tasks are the ``knowledge`` suite's (SVG) and the first scripted completion is a ``search``
call for the first task's subject instead (TRL calls the environment's method and appends its cards).

Learning the scene (the ``shapes`` generator's difficulty levels, a curriculum, one advantage per check
kind; CPU-sized with the bundled SmolLM2-135M; ``benchmarks/learning/run.py`` with the plan
``benchmarks/learning/plans/learning-run-2.toml`` runs the whole recipe):

    .venv/bin/python examples/grpo_trl.py --model smollm2-135m --language svg --levels 0,1,2,3,4 \
        --curriculum --split-checks --aggregation normalize_then_sum --rewards gate:0.2,checks:0.8 \
        --max-steps 30 --num-generations 4 --batch-size 8 --output-dir runs/grpo-curriculum

``--levels`` trains on freshly generated train scenes of those levels (uniformly, or through
``codepaint_env.tasks.Curriculum`` with ``--curriculum``: the frontier level's all-stated pass rate kept in
``--band``, the trace in ``curriculum.json``); ``--split-checks`` gives TRL the gate and one function per
check kind (``rewards.reward_funcs(..., split_checks=...)``) so that ``--aggregation normalize_then_sum``
normalises each within its group.

``--rewards`` is ``id:weight,...`` over any registered reward (``gate``, ``classic``,
``pairwise_vlm``, ``pointwise_vlm``, ``group_pairwise``, ``visible_change``, ``dino``, ``clip``...);
weights go to ``GRPOConfig.reward_weights``, judge rewards are passed as async so TRL runs them
concurrently. With ``--multi-turn`` (and ``--vlm``) they make up the environment's reward instead,
scored on each submitted program (``rewards/CodePaintToolEnv/mean``). The system prompt comes from
``codepaint_env.tasks.prompts`` (``--prompt-style allowlist``, the short eight-method prompt, or
``reference``, the long API reference).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path


def build_rewards(spec: str, split_checks: bool | list[str] = False) -> tuple[list, list[float]]:
    """TRL's reward functions and weights for a spec (``rewards.reward_funcs``: gated specs stay gated).

    ``split_checks``: the gate and one function per check kind (the kinds given) instead.
    """
    import rewards

    return rewards.reward_funcs(spec, split_checks=split_checks)


def level_tasks(language: str, levels: list[int], per_level: int, seed: int) -> list:
    """Train tasks of the shapes generator's levels, ``per_level`` scenes each."""
    from codepaint_env.tasks import load_suite

    return [t for level in levels
            for t in load_suite("shapes", level=level, count=per_level, seed=seed, language=language)]


def check_kinds(tasks) -> list[str]:
    """The check kinds the tasks use (a function each with ``--split-checks``), in the spec's order."""
    from rewards.checks import KINDS

    used = {c["kind"] for t in tasks for c in t.checks}
    return [k for k in KINDS if k in used]


def resolve_model(name: str) -> str:
    """A model argument as TRL takes it: a bundled name (``smollm2-135m``) becomes its converted folder."""
    from codepaint_env.policy.loading import KNOWN_MODELS, convert_bundled

    if name in KNOWN_MODELS:
        return str(convert_bundled(name, log=print))
    return name


def default_rewards(tasks) -> str:
    """The offline verifiable reward for tasks that carry visual checks, else the judge recipe."""
    if tasks and all(getattr(t, "checks", None) for t in tasks):
        return "gate:0.2,checks:0.8"
    return "gate:0.1,pairwise_vlm:0.9"


def warm_start(model: str, language: str, args, *, cuda: bool) -> str:
    """Supervised fine-tuning on programs from the shapes generator; returns the tuned model's folder."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    from codepaint_env.tasks.shapes.warm_start import warm_start_rows

    levels = tuple(args.levels) if args.levels else None
    rows = warm_start_rows(language, args.warm_start, max_chars=args.warm_start_max_chars, levels=levels,
                           seed=1027 + args.seed)
    out = Path(args.output_dir) / "warm-start"
    config = SFTConfig(output_dir=str(out), num_train_epochs=args.warm_start_epochs,
                       per_device_train_batch_size=8, learning_rate=args.warm_start_lr,
                       lr_scheduler_type="cosine", warmup_steps=3, logging_steps=4, save_strategy="no",
                       bf16=cuda, use_cpu=not cuda, seed=args.seed, report_to=args.report_to,
                       completion_only_loss=True, gradient_checkpointing=False)
    trainer = SFTTrainer(model=model, train_dataset=Dataset.from_list(rows), args=config)
    trainer.train()
    final = out / "final" if args.max_steps else Path(args.output_dir) / "final"
    trainer.save_model(str(final))
    losses = [e["loss"] for e in trainer.state.log_history if "loss" in e]
    trend = (f"loss {losses[0]:.3f} -> {losses[-1]:.3f}" if losses
             else f"mean loss {trainer.state.log_history[-1].get('train_loss')}")
    print(f"warm start: {len(rows)} programs, {trend}; saved to {final}")
    return str(final)


def timed(trainer_cls):
    """The trainer class, logging the seconds each step spends generating (``codepaint/time/generate``).

    With the reward parts' ``codepaint/time/render`` and ``codepaint/time/score``, the split of a step.
    """
    import time

    class Timed(trainer_cls):
        def _generate(self, prompts):
            start = time.perf_counter()
            try:
                return super()._generate(prompts)
            finally:
                mode = "train" if self.model.training else "eval"
                self._metrics[mode]["codepaint/time/generate"].append(time.perf_counter() - start)

    Timed.__name__ = trainer_cls.__name__
    return Timed


def watch_pictures(model) -> dict[str, int]:
    """Count the pictures given to the policy's forward pass (generation and training), via a forward hook.

    transformers' ``generate`` encodes pictures before its first forward (``mm_encoder_outputs``), so a
    forward that gets either pixel values or encoded pictures counts; ``image_grid_thw`` (Qwen-VL) has a
    row per picture.
    """
    import torch

    counts = {"generation": 0, "training": 0}

    def count(module, args, kwargs) -> None:
        pixels, encoded = kwargs.get("pixel_values"), kwargs.get("mm_encoder_outputs")
        grid = kwargs.get("image_grid_thw")
        if pixels is None and not (encoded and encoded.get("image") is not None):
            return
        n = len(grid) if grid is not None else (1 if pixels is None else int(pixels.shape[0]))
        counts["training" if torch.is_grad_enabled() else "generation"] += n

    model.register_forward_pre_hook(count, with_kwargs=True)
    return counts


def main(argv: list[str] | None = None) -> int:
    """Train; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None,
                    help="smollm2-135m (bundled, CPU-sized), a checkpoint folder or a Hub id "
                         "(required unless --smoke)")
    ap.add_argument("--language", default=None, help="task language (default p5brush; svg for --vlm --smoke)")
    ap.add_argument("--tasks", default=None, help="a task suite name or JSONL file (default: the language's)")
    ap.add_argument(
        "--rewards",
        default=None,
        help="id:weight,... (default gate:0.1,pairwise_vlm:0.9; smoke: gate:0.3,classic:0.7)",
    )
    ap.add_argument("--prompt-style", default="allowlist", choices=("allowlist", "reference"))
    ap.add_argument("--multi-turn", type=int, default=0, help="refinement turns (environment_factory)")
    ap.add_argument("--tools", default=None, metavar="NAMES",
                    help="search tools the environment offers before drawing: search, search_references "
                         "(implies --multi-turn 1)")
    ap.add_argument("--max-tool-calls", type=int, default=3, help="with --tools: tool calls per episode")
    ap.add_argument("--vlm", action="store_true",
                    help="a vision-language policy: each tool result carries the render (default 3 turns)")
    ap.add_argument("--image-size", type=int, default=None,
                    help="with --vlm: cap the longer side of the picture shown to the policy (pixels)")
    ap.add_argument("--num-generations", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=None,
                    help="completions per step (a multiple of --num-generations; default: one prompt's)")
    ap.add_argument("--micro-batch", type=int, default=None, metavar="N",
                    help="completions per forward/backward pass (a divisor of the batch; the step still "
                         "generates and averages the whole batch): less memory for a larger model")
    ap.add_argument("--max-steps", type=int, default=500,
                    help="GRPO steps (0 with --warm-start: warm start only)")
    ap.add_argument("--learning-rate", type=float, default=1e-6)
    ap.add_argument("--temperature", type=float, default=1.0, help="sampling temperature of the rollouts")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--warm-start", type=int, default=0, metavar="N",
                    help="first a supervised warm start on N programs from the shapes generator (fresh "
                         "scenes, no eval scene), in --language")
    ap.add_argument("--warm-start-lr", type=float, default=5e-5)
    ap.add_argument("--warm-start-epochs", type=float, default=1.0)
    ap.add_argument("--warm-start-max-chars", type=int, default=900,
                    help="leave out warm-start programs longer than this (keeps a CPU warm start short)")
    ap.add_argument("--levels", type=_levels, default=None, metavar="0,1,2",
                    help="train (and warm-start) on the shapes generator's levels (generated train scenes)")
    ap.add_argument("--per-level", type=int, default=200, help="with --levels: scenes per level (uniform)")
    ap.add_argument("--curriculum", action="store_true",
                    help="with --levels: sample levels through codepaint_env.tasks.Curriculum")
    ap.add_argument("--band", type=_band, default=(0.4, 0.75), metavar="LOW,HIGH",
                    help="the curriculum's target all-stated pass rate at its frontier (default 0.4,0.75)")
    ap.add_argument("--min-samples", type=int, default=16,
                    help="the curriculum's gate-passing samples at the frontier before it may move")
    ap.add_argument("--split-checks", action="store_true",
                    help="the gate and one reward function per check kind "
                         "(for --aggregation normalize_then_sum)")
    ap.add_argument("--aggregation", default="sum_then_normalize",
                    choices=("sum_then_normalize", "normalize_then_sum"),
                    help="TRL's multi_objective_aggregation "
                         "(normalize_then_sum: each function normalised alone)")
    ap.add_argument("--report-to", default="none", help="trackio, wandb, tensorboard... (default none)")
    ap.add_argument("--max-completion-length", type=int, default=1024)
    ap.add_argument("--use-vllm", action="store_true", help="generate with vLLM (colocate) when installed")
    ap.add_argument("--output-dir", default="runs/grpo")
    ap.add_argument("--smoke", action="store_true", help="two CPU steps on a tiny local model")
    args = ap.parse_args(argv)

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    from rewards.embed.compat import ensure_torchvision

    ensure_torchvision()
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from codepaint_env.tasks import resolve_tasks, tasks_to_rows
    from codepaint_env.tasks.prompts import system_prompt

    tools = tuple(t.strip() for t in (args.tools or "").split(",") if t.strip())
    if args.vlm and not args.multi_turn:
        args.multi_turn = 2 if args.smoke else 3  # the pictures come back as tool results
    if tools and not args.multi_turn:
        args.multi_turn = 1  # the tools belong to the environment: one submission, searches before it
    if tools and args.smoke and not args.vlm:
        ap.error("--tools --smoke runs the tool loop on the tiny VLM (its chat template calls tools): "
                 "add --vlm")
    if tools and args.smoke and not args.tasks:
        args.tasks = "knowledge"
    language = args.language or ("svg" if args.vlm and args.smoke else "p5brush")
    if args.vlm and args.smoke and language != "svg":
        ap.error("--vlm --smoke scripts SVG submissions; leave --language out or use --language svg")
    if args.curriculum and not args.levels:
        ap.error("--curriculum samples the shapes levels: give --levels too, e.g. --levels 0,1,2,3,4")
    batch = args.batch_size or args.num_generations
    micro = args.micro_batch or batch
    if micro < 1 or batch % micro:
        ap.error(f"--micro-batch {micro} must divide the batch ({batch} completions a step)")
    tasks = (level_tasks(language, args.levels, args.per_level, args.seed) if args.levels
             else resolve_tasks(args.tasks, language, "train"))
    split = check_kinds(tasks) if args.split_checks else False
    curriculum = None
    if args.curriculum:
        from codepaint_env.tasks import Curriculum

        curriculum = Curriculum(language=language, levels=args.levels, start=min(args.levels),
                                band=args.band, min_samples=args.min_samples, seed=args.seed)
    # turns to submit in, plus room for the tool calls before a submission
    iterations = args.multi_turn + (args.max_tool_calls if tools else 0)
    trainer_cls = GRPOTrainer
    if args.smoke and args.vlm:
        from codepaint_env.testing import (
            build_tiny_vlm,
            qwen_tool_call,
            scripted_tool_calls_trainer,
            tiny_grpo_config,
        )

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        model = str(build_tiny_vlm(Path(tempfile.gettempdir()) / "codepaint-tiny-vlm"))
        tasks = tasks[:4]
        spec = args.rewards or ("gate:0.2,checks:0.7,search_recall:0.1" if tools else "gate:0.3,classic:0.7")
        funcs, weights = build_rewards(spec)
        # Room for the tool calls and their feedback; each generation capped (it dominates on a CPU).
        config = tiny_grpo_config(args.output_dir, max_completion_length=1536,
                                  max_tool_calling_iterations=iterations,
                                  generation_kwargs={"max_new_tokens": 24})
        sailboat = (Path(__file__).resolve().parents[1] / "src/codepaint_env/cli/demo_sketches/sailboat.svg")
        first = qwen_tool_call("submit_code", {"code": sailboat.read_text(encoding="utf-8")})
        if tools:  # look the first task's thing up (TRL calls the environment's search method)
            first = qwen_tool_call(tools[0], {"query": tasks[0].prompt.split(",")[0].removeprefix("Draw ")})
        trainer_cls = scripted_tool_calls_trainer([
            first,
            qwen_tool_call("submit_code", {"code": '<svg xmlns="http://www.w3.org/2000/svg"><circle cx='}),
        ])
    elif args.smoke:
        from codepaint_env.testing import build_tiny_lm, tiny_grpo_config

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        model = str(build_tiny_lm(Path(tempfile.gettempdir()) / "codepaint-tiny-lm"))
        tasks = tasks[:4]
        spec = args.rewards or ("gate:0.2,checks:0.8" if args.levels else "gate:0.3,classic:0.7")
        funcs, weights = build_rewards(spec, split)
        if curriculum is not None:
            funcs, weights = [*funcs, curriculum.feedback(funcs, spec)], [*weights, 0.0]
        config = tiny_grpo_config(args.output_dir, reward_weights=weights,
                                  multi_objective_aggregation=args.aggregation,
                                  shuffle_dataset=curriculum is None, max_steps=2)
    else:
        if not args.model:
            ap.error("--model is required (or --smoke)")
        import torch

        model = resolve_model(args.model)
        spec = args.rewards or default_rewards(tasks)
        if tools and not args.rewards and spec == "gate:0.2,checks:0.8":
            spec = "gate:0.2,checks:0.7,search_recall:0.1"  # the dual reward: the picture and what was found
        funcs, weights = build_rewards(spec, split)
        if curriculum is not None:
            funcs, weights = [*funcs, curriculum.feedback(funcs, spec)], [*weights, 0.0]
        cuda = torch.cuda.is_available()
        if args.warm_start:
            model = warm_start(model, language, args, cuda=cuda)
            if args.max_steps == 0:
                print(f"warm start only (--max-steps 0): the model is in {model}")
                return 0
        use_vllm = args.use_vllm and importlib.util.find_spec("vllm") is not None
        if args.use_vllm and not use_vllm:
            print("grpo_trl: vLLM is not installed; generating with transformers", file=sys.stderr)
        config = GRPOConfig(
            output_dir=args.output_dir,
            num_generations=args.num_generations,
            max_steps=args.max_steps,
            learning_rate=args.learning_rate,
            max_completion_length=args.max_completion_length,
            per_device_train_batch_size=micro,
            gradient_accumulation_steps=batch // micro,  # TRL generates the batch once, then slices it
            reward_weights=None if args.multi_turn else weights,  # multi-turn: the environment's reward
            logging_steps=1,
            use_vllm=use_vllm,
            vllm_mode="colocate",
            bf16=cuda,
            use_cpu=not cuda,
            gradient_checkpointing=cuda,  # TRL turns it on; a CPU run of a small model is faster without
            seed=args.seed,
            temperature=args.temperature,
            save_strategy="no",
            report_to=args.report_to,
            max_tool_calling_iterations=iterations or None,
            multi_objective_aggregation=args.aggregation,
            shuffle_dataset=curriculum is None,  # a shuffle buffer would read ahead of the curriculum
        )
    rows = tasks_to_rows(
        tasks,
        system_prompt(language, args.prompt_style) if language == "p5brush" else system_prompt(language),
    )
    dataset = Dataset.from_list(rows) if curriculum is None else curriculum.dataset(
        system_prompt(language, args.prompt_style) if language == "p5brush" else system_prompt(language))
    kwargs = {}
    if args.multi_turn:
        from codepaint_env import ENV_IDS
        from codepaint_env.integrations.trl import CodePaintToolEnv

        env_id = next(k for k, v in ENV_IDS.items() if v == language)
        composite = [(f, w) for f, w in zip(funcs, weights, strict=True)]
        kwargs["environment_factory"] = lambda: CodePaintToolEnv(
            env_id, reward=[(getattr(f, "reward", f), w) for f, w in composite], max_turns=args.multi_turn,
            images=args.vlm, image_size=args.image_size, tools=tools,
            **({"max_tool_calls": args.max_tool_calls} if tools else {}),
            **({"size": 128} if args.smoke else {}),
        )
    # Multi-turn, the environment owns the reward (the same components and weights, on each submitted
    # program); as reward functions they would score the last assistant message, which holds no program.
    reward_funcs = None if args.multi_turn else funcs
    from codepaint_env.integrations.trl_curves import LearningCurves

    curves = LearningCurves(Path(args.output_dir) / "curves.csv")
    trainer = timed(trainer_cls)(model=model, reward_funcs=reward_funcs, train_dataset=dataset, args=config,
                          callbacks=[curves], **kwargs)
    pictures = watch_pictures(trainer.model) if args.vlm else None
    trainer.train()
    if curriculum is not None:
        import json

        state = Path(args.output_dir) / "curriculum.json"
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps(curriculum.state(), indent=1) + "\n", encoding="utf-8")
        print(f"curriculum: frontier level {curriculum.frontier} after {curriculum.recorded} samples, "
              f"{len(curriculum.trace)} decisions ({state})")
    if not args.smoke:
        final = Path(args.output_dir) / "final"
        trainer.save_model(str(final))
        print(f"saved the trained model to {final} (evaluate it: codepaint eval --model {final} ...)")
    print(f"\nrewards: {spec}; curves: {curves.path}")
    for entry in trainer.state.log_history:
        if "reward" in entry:
            parts = "  ".join(
                f"{k[len('rewards/'):-len('/mean')]} {v:+.3f}"
                for k, v in entry.items()
                if k.startswith("rewards/") and k.endswith("/mean") and v is not None
            )
            std = entry.get("reward_std", 0)
            print(f"step {entry['step']}: reward {entry['reward']:+.3f} ± {std:.3f}  {parts}")
    if pictures is not None:
        print(f"pictures in the policy's forward passes: {pictures['generation']} while generating, "
              f"{pictures['training']} in training")
    if tools:
        calls = [e[k] for e in trainer.state.log_history for k in e if k.startswith("tools/call_frequency")]
        print(f"tool calls logged by TRL: {calls}")
    return 0


def _levels(text: str) -> list[int]:
    try:
        levels = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"levels are whole numbers separated by commas (0,1,2), not {text!r}") from None
    if not levels or not all(0 <= x <= 4 for x in levels):
        raise argparse.ArgumentTypeError(f"levels are 0-4, not {text!r}")
    return levels


def _band(text: str) -> tuple[float, float]:
    try:
        low, high = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"the band is LOW,HIGH (0.4,0.75), not {text!r}") from None
    return low, high


if __name__ == "__main__":
    sys.exit(main())
