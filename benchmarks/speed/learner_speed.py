"""What a CPU learner's step costs; what batching, prefix reuse and bfloat16 would save (issue 55, item 8).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/speed/learner_speed.py            # ~10 min on one core
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/speed/learner_speed.py --rounds 1 --max-tokens 64   # a look

A learning run's step is a rollout (CTranslate2, int8) then a LoRA pass (torch); learning run 4's
GRPO steps spent 69 of 330 s generating and the rest almost all in the LoRA pass (its curves.csv).
Measured here, on Qwen2.5-Coder-0.5B with one thread as the learners run (two runs share the
machine's two cores), in one run with the variants interleaved round by round:

**Rollouts**: two scenes of ``shapes`` level 0 (train, seed 0) x 8 samples each (a GRPO step's 16
rows), temperature 0.9, up to ``--max-tokens`` new tokens:

* ``logprobs, 16 a call`` (today's learners): the rows ask for logprobs, so at 0.9 the engine fetches
  every step's logits (rows x steps x 152k x 4 bytes) and splits the call to stay under 2 GiB;
* ``no logprobs, 8 a call`` and ``no logprobs, 16 a call``: nothing fetched (neither learner reads
  the rollout's logprobs: expert iteration trains on kept programs, and TRL 1.16's GRPOTrainer uses
  them only with vLLM's importance sampling, which these runs do not use);
* ``no logprobs, 16 a call, prefix reuse``: the tokens the 16 prompts share walked once
  (``CT2Engine(prefix_reuse=True)``).

**LoRA pass**: ``sft_pass`` over 8 sequences (each scene's prompt + a 200-token completion of the
rollout), micro-batches of 2, rank 32 on every linear layer as the learners train: float32 (today)
against ``torch.autocast("cpu", torch.bfloat16)`` (this CPU has AVX512-BF16), and the loss each gives
on the same examples from the same adapter, so a faster pass is shown to compute the same thing.

Writes ``docs/learner-speed.json`` and prints each round and the ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import platform
import sys
import time
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "learner-speed.json"
MODEL = "qwen2.5-coder-0.5b"
#: Rollout variants: (logprobs asked, rows a call, prefix reuse).
ROLLOUTS: dict[str, tuple[bool, int, bool]] = {
    "logprobs, 16 a call": (True, 16, False),
    "no logprobs, 8 a call": (False, 8, False),
    "no logprobs, 16 a call": (False, 16, False),
    "no logprobs, 16 a call, prefix reuse": (False, 16, True),
}


def scene_prompts(policy: Any) -> list[tuple[int, ...]]:
    """Two level-0 SVG scenes as the env asks them, 8 samples each (a GRPO step's 16 rows)."""
    from codepaint_env.policy.evaluate import messages_for
    from codepaint_env.tasks import load_suite

    tasks = [t for t in load_suite("shapes", level=0, count=2, seed=0, split="train") if t.language == "svg"]
    return [tuple(policy.prompt_ids(messages_for(t, "allowlist"))) for t in tasks for _ in range(8)]


def rollouts(args: argparse.Namespace) -> tuple[dict[str, Any], list[tuple[int, ...]], list[list[int]]]:
    """Each rollout variant's tokens per second; the prompts and one variant's completions (for the pass)."""
    from codepaint_env.policy import load_policy
    from codepaint_env.policy.engines import CT2Engine, Row

    policy = load_policy(MODEL, "cpu", engine="ct2", compute_type="int8", threads=1, log=print)
    reusing = CT2Engine(policy.source, device="cpu", compute_type="int8", threads=1, prefix_reuse=True)
    engines = {False: policy.engine, True: reusing}
    prompts = scene_prompts(policy)
    totals = {v: {"tokens": 0, "seconds": 0.0, "calls": 0} for v in ROLLOUTS}
    rounds, completions = [], []
    for r in range(args.rounds):
        for variant, (logprobs, per_call, reuse) in ROLLOUTS.items():
            rows = [Row(p, temperature=0.9, max_tokens=args.max_tokens, seed=1000 * r + i, logprobs=logprobs)
                    for i, p in enumerate(prompts)]
            engine = engines[reuse]
            started = time.perf_counter()
            choices = []
            for at in range(0, len(rows), per_call):
                choices += engine.decode(rows[at:at + per_call])
            seconds = time.perf_counter() - started
            tokens = sum(c.completion_tokens for c in choices)
            t = totals[variant]
            t["tokens"] += tokens
            t["seconds"] += seconds
            rounds.append({"round": r, "variant": variant, "tokens": tokens, "seconds": round(seconds, 2),
                           "tokens_per_s": round(tokens / seconds, 2),
                           "load_average": round(os.getloadavg()[0], 2)})
            print(f"rollout round {r} {variant}: {tokens} tokens in {seconds:.1f} s = {tokens / seconds:.1f} "
                  f"tokens/s (load {os.getloadavg()[0]:.1f})", flush=True)
            if not completions:
                completions = [list(c.token_ids) for c in choices]
    engines[True].close()
    policy.engine.close()
    rates = {v: round(t["tokens"] / t["seconds"], 2) for v, t in totals.items()}
    return {"tokens_per_s": rates, "rounds": rounds}, prompts, completions


def lora_passes(args: argparse.Namespace, prompts: list[tuple[int, ...]],
                completions: list[list[int]]) -> dict[str, Any]:
    """``sft_pass`` over the same 8 examples from the same adapter, float32 against bfloat16 autocast."""
    import torch

    from codepaint_env.policy import load_policy
    from codepaint_env.policy.learning.lora import LoraSettings, bf16_autocast, fresh_adapter, sft_pass

    torch.set_num_threads(1)
    base = load_policy(MODEL, "cpu", threads=1)
    pad = base.tokenizer.pad_token_id or 0
    examples = []
    for p, c in zip(prompts[::2], completions[::2], strict=True):  # 8 sequences, both scenes
        body = (c * 4)[:args.completion_tokens]  # a learner's completion length, from the model's own tokens
        examples.append((list(p), body))
    settings = LoraSettings(rank=32, alpha=64)
    contexts = {"float32": contextlib.nullcontext,
                "bfloat16 autocast": lambda: bf16_autocast("cpu")}
    totals = {v: {"seconds": 0.0, "passes": 0} for v in contexts}
    rounds = []
    model = base.model
    for r in range(args.rounds):
        for variant, context in contexts.items():
            model = fresh_adapter(model, settings, seed=0)  # the same adapter each time
            with context():
                result = sft_pass(model, examples, batch=8, micro=2, pad_id=pad, seed=0)
            totals[variant]["seconds"] += result.seconds
            totals[variant]["passes"] += 1
            rounds.append({"round": r, "variant": variant, "seconds": round(result.seconds, 2),
                           "loss": round(result.mean_loss, 5), "tokens": result.tokens,
                           "load_average": round(os.getloadavg()[0], 2)})
            print(f"lora round {r} {variant}: {result.seconds:.1f} s, loss {result.mean_loss:.5f} over "
                  f"{result.tokens} tokens (load {os.getloadavg()[0]:.1f})", flush=True)
    return {"seconds_per_pass": {v: round(t["seconds"] / t["passes"], 2) for v, t in totals.items()},
            "sequences": len(examples), "tokens_a_sequence": [len(p) + len(c) for p, c in examples],
            "rounds": rounds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=2, help="rounds of every variant (default 2)")
    ap.add_argument("--max-tokens", type=int, default=128, help="new tokens a rollout row (default 128)")
    ap.add_argument("--completion-tokens", type=int, default=200,
                    help="completion tokens a LoRA pass's sequence (default 200)")
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args(argv)
    from codepaint_env.policy.provenance import package_versions

    started, load_before = time.perf_counter(), os.getloadavg()
    rollout, prompts, completions = rollouts(args)
    passes = lora_passes(args, prompts, completions)
    rates, pass_s = rollout["tokens_per_s"], passes["seconds_per_pass"]
    today = rates["logprobs, 16 a call"]
    ratios = {v: round(x / today, 2) for v, x in rates.items()}
    bf16 = round(pass_s["float32"] / pass_s["bfloat16 autocast"], 2)
    report = {"model": MODEL, "rollout": {**rollout, "x_today": ratios},
              "lora_pass": {**passes, "x_float32": bf16},
              "machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version(),
                          "packages": package_versions(("torch", "transformers", "ctranslate2", "peft")),
                          "threads": 1, "load_average_before": [round(x, 2) for x in load_before],
                          "load_average_after": [round(x, 2) for x in os.getloadavg()],
                          "seconds": round(time.perf_counter() - started, 1),
                          "settings": {"rounds": args.rounds, "max_tokens": args.max_tokens,
                                       "completion_tokens": args.completion_tokens}}}
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    for v, x in rates.items():
        print(f"rollout {v}: {x} tokens/s ({ratios[v]}x today's)")
    print(f"LoRA pass: float32 {pass_s['float32']} s, bfloat16 autocast {pass_s['bfloat16 autocast']} s "
          f"({bf16}x)")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
