"""GRPO steps on one GPU with real renders: generation tokens/s and step time, as JSON (one prepared run).

    .venv/bin/python benchmarks/speed/gpu_step.py --out gpu-step.json                 # a GPU: < 8 min
    .venv/bin/python benchmarks/speed/gpu_step.py --device cpu --model tiny --steps 1 --threads 1  # plumbing

Two parts, both on the policy the learners train (``--model``: ``auto`` is Qwen2.5-Coder-0.5B when its
wheels are installed, its float32 conversion from the GGUF made once into the model cache and said
``conversion_cached`` when it was there already; else, or with ``tiny``, the tiny random Llama of
:func:`~codepaint_env.testing.build_tiny_lm`):

* ``decode``: the transformers engine (:class:`~codepaint_env.policy.engines.TransformersEngine`,
  bfloat16 autocast on a GPU) decoding ``--decode-rows`` rows (16, 64, 256 on a GPU) of a shapes
  prompt, each forced to ``--decode-tokens`` tokens (``min_tokens``), sampled at 0.9 with logprobs
  (a GRPO rollout's settings); beside it (``--compare-generate``) plain batched ``model.generate``
  on the same left-padded rows and length, sampled the same way;
* ``grpo``: ``--steps`` real steps of the repository's own GRPO loop
  (:func:`~codepaint_env.policy.learning.grpo.run_grpo`: TRL's ``GRPOTrainer``, LoRA, its rollout
  function) on ``shapes`` levels 0-2 train tasks (``--scenes`` a level), ``--rows`` completions a step
  (``--generations`` a prompt), the reward ``gate:0.3,checks:0.7`` with every SVG rendered by resvg
  (``renderer="fast"``, no browser). The rollouts come from the ct2 engine where CTranslate2's CUDA
  libraries load, else from the transformers engine over the trainer's model (said in
  ``rollout_engine`` and ``ct2``). Each step's ``step_time`` (TRL's: generation, rewards, the backward
  passes), generation seconds and tokens/s (completion tokens / generation seconds) are read from the
  run's ``curves.csv``.

Prints the JSON and writes it to ``--out`` after each part (a run stopped midway keeps what it measured).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

QWEN = "qwen2.5-coder-0.5b"
REWARD = "gate:0.3,checks:0.7"
STARTED = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument("--model", default="auto",
                   help=f"auto ({QWEN} if installed, else tiny), tiny, or a name or folder")
    p.add_argument("--steps", type=int, default=3, help="GRPO steps (0: none)")
    p.add_argument("--rows", type=int, default=None, help="completions a GRPO step (GPU 64, CPU 4)")
    p.add_argument("--generations", type=int, default=None, help="completions a prompt (GPU 8, CPU 2)")
    p.add_argument("--micro", type=int, default=None, help="sequences a backward pass (GPU 16, CPU 2)")
    p.add_argument("--max-tokens", type=int, default=None, help="new tokens a completion (320; tiny: 32)")
    p.add_argument("--scenes", type=int, default=8, help="train scenes a level")
    p.add_argument("--levels", default="0,1,2")
    p.add_argument("--size", type=int, default=256, help="the reward's render size")
    p.add_argument("--lora-rank", type=int, default=32)
    p.add_argument("--decode-rows", default=None, help="rows of the decode part, comma-separated "
                   "(GPU 16,64,256; CPU 4; empty: none)")
    p.add_argument("--decode-tokens", type=int, default=None, help="tokens each decoded row (320; tiny: 32)")
    p.add_argument("--compare-generate", action=argparse.BooleanOptionalAction, default=None,
                   help="also time plain batched model.generate (default: on a GPU)")
    p.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=None,
                   help="GRPO's LoRA passes under bfloat16 autocast (default: on a GPU)")
    p.add_argument("--threads", type=int, default=None, help="torch's CPU threads")
    p.add_argument("--work", default=None, help="the GRPO run's folder (default: a temporary one)")
    p.add_argument("--out", default=None, help="write the JSON here too")
    return p.parse_args(argv)


# --------------------------------------------------------------------------- setup
def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch sees no CUDA GPU here")
    return device


def choose_model(arg: str, work: Path) -> tuple[str, dict[str, Any]]:
    """The model to load (a name or a folder) and what is known of it (its kind, the conversion's cache)."""
    from codepaint_env.policy.loading import KNOWN_MODELS, MARKER_FILE, _marker, cache_root, installed_status
    from codepaint_env.testing import build_tiny_lm
    from codepaint_env.testing.build import read_marker

    name = arg
    if arg == "auto":
        installed, line = installed_status(QWEN)
        log(line)
        name = QWEN if installed else "tiny"
    if name == "tiny":
        return str(build_tiny_lm(work / "tiny-lm", init_std=0.5)), {"kind": "tiny"}
    info: dict[str, Any] = {"kind": name}
    if name in KNOWN_MODELS:
        info["conversion_cached"] = read_marker(cache_root() / name, MARKER_FILE) == _marker(name)
        if not info["conversion_cached"]:
            log(f"{name}: its float32 conversion is not in {cache_root()} yet: the first load makes it")
    return name, info


class FastSvgRenderer:
    """Made the process's default renderer: SVG through resvg (``renderer="fast"``), no browser."""

    @staticmethod
    def install() -> None:
        """Replace the process's default renderer (what the rewards render with)."""
        import codepaint_env.render.renderer as renderer_module
        from codepaint_env.render import Renderer

        class Fast(Renderer):
            def submit(self, code: Any, language: str = "auto", **kwargs: Any) -> Any:
                if language == "svg" and kwargs.get("renderer", "auto") == "auto":
                    kwargs["renderer"] = "fast"
                return super().submit(code, language, **kwargs)

        with renderer_module._default_lock:
            renderer_module._default = Fast()


# --------------------------------------------------------------------------- decode
def prompt_ids(tokenizer: Any) -> tuple[int, ...]:
    from codepaint_env.policy.evaluate import messages_for
    from codepaint_env.tasks import load_suite

    [task] = load_suite("shapes", split="train", language="svg", level=1, count=1)
    text = tokenizer.apply_chat_template(messages_for(task, "allowlist"), tokenize=False,
                                         add_generation_prompt=True)
    return tuple(tokenizer(text, add_special_tokens=False)["input_ids"])


def sync(torch: Any, device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def decode_part(model_name: str, device: str, counts: list[int], tokens: int,
                compare: bool) -> list[dict[str, Any]]:
    """Each row count's tokens/s: the transformers engine, and plain ``model.generate`` beside it."""
    import torch

    from codepaint_env.policy import Row, load_policy
    from codepaint_env.policy.engines import TransformersEngine

    policy = load_policy(model_name, device=device)
    model, tokenizer = policy.model, policy.tokenizer
    autocast = "bfloat16" if device == "cuda" else None
    engine = TransformersEngine(model, tokenizer, autocast=autocast)
    prompt = prompt_ids(tokenizer)
    precision = torch.autocast("cuda", dtype=torch.bfloat16) if device == "cuda" else contextlib.nullcontext()
    engine.decode([Row(prompt, temperature=0.9, max_tokens=4, min_tokens=4, seed=0)])  # warm up
    out = []
    for n in counts:
        rows = [Row(prompt, temperature=0.9, max_tokens=tokens, min_tokens=tokens, seed=i) for i in range(n)]
        sync(torch, device)
        t0 = time.perf_counter()
        choices = engine.decode(rows)
        sync(torch, device)
        seconds = time.perf_counter() - t0
        made = sum(c.completion_tokens for c in choices)
        entry: dict[str, Any] = {"rows": n, "prompt_tokens": len(prompt), "tokens": made,
                                 "seconds": round(seconds, 2), "tokens_per_s": round(made / seconds, 1)}
        log(f"decode {n} rows x {tokens} tokens: {entry['tokens_per_s']} tokens/s (transformers engine)")
        if compare:
            ids = torch.tensor([prompt] * n, device=model.device)
            mask = torch.ones_like(ids)
            sync(torch, device)
            t0 = time.perf_counter()
            with torch.inference_mode(), precision:
                generated = model.generate(input_ids=ids, attention_mask=mask, do_sample=True,
                                           temperature=0.9, top_p=1.0, top_k=0, max_new_tokens=tokens,
                                           min_new_tokens=tokens, pad_token_id=engine.pad_id)
            sync(torch, device)
            seconds = time.perf_counter() - t0
            made = (generated.shape[1] - ids.shape[1]) * n
            entry["generate_tokens_per_s"] = round(made / seconds, 1)
            entry["engine_over_generate"] = round(entry["tokens_per_s"] / entry["generate_tokens_per_s"], 2)
            log(f"decode {n} rows x {tokens} tokens: {entry['generate_tokens_per_s']} tokens/s "
                "(model.generate)")
        out.append(entry)
    del engine, policy, model
    if device == "cuda":
        torch.cuda.empty_cache()
    return out


# --------------------------------------------------------------------------- grpo
def number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def grpo_part(args: argparse.Namespace, model_name: str, device: str, work: Path) -> dict[str, Any]:
    """``--steps`` steps of :func:`run_grpo`; each step's times read from its ``curves.csv``."""
    from codepaint_env.policy.learning.grpo import GRPOSettings, run_grpo
    from codepaint_env.policy.learning.lora import LoraSettings

    levels = tuple(int(x) for x in args.levels.split(","))
    settings = GRPOSettings(model=model_name, device=device, reward=REWARD, language="svg",
                            levels=levels, scenes_per_level=args.scenes,
                            num_generations=args.generations, batch=args.rows, micro=args.micro,
                            steps=args.steps, max_tokens=args.max_tokens, save_every=max(1, args.steps),
                            lora=LoraSettings(rank=args.lora_rank, alpha=2 * args.lora_rank),
                            bf16=args.bf16, threads=args.threads, cpu_budget_s=1e9)
    out = work / "grpo"
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_grpo(settings, out, stop_after=args.steps, log=log)
    wall = time.perf_counter() - t0
    fallbacks = sorted({str(w.message) for w in caught if "ct2 engine unusable" in str(w.message)})
    for line in fallbacks:
        log(line)
    steps = []
    with (out / "curves.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            mean_length = number(row.get("completions/mean_length", ""))
            generate = number(row.get("codepaint/time/generate", ""))
            made = None if mean_length is None else mean_length * args.rows
            step: dict[str, Any] = {
                "step": int(float(row["step"])), "step_time_s": number(row.get("step_time", "")),
                "generate_s": generate, "convert_s": number(row.get("codepaint/time/convert", "")),
                "completion_tokens": made, "mean_length": mean_length,
                "generate_tokens_per_s": None if not made or not generate else round(made / generate, 1),
                "reward": number(row.get("reward", "")),
                "gate_pass_rate": number(row.get("gate_pass_rate", ""))}
            step.update({k.removeprefix("codepaint/"): number(v) for k, v in row.items()
                         if k.startswith("codepaint/time/") and k not in ("codepaint/time/generate",
                                                                           "codepaint/time/convert")})
            steps.append(step)

    def median(key: str, rows: list[dict[str, Any]]) -> float | None:
        values = [s[key] for s in rows if s.get(key) is not None]
        return round(statistics.median(values), 3) if values else None

    later = steps[1:] or steps  # the first step pays CUDA's warm-up
    return {"rows": args.rows, "generations": args.generations, "micro": args.micro,
            "max_tokens": args.max_tokens, "levels": list(levels), "scenes_per_level": args.scenes,
            "reward": REWARD, "renderer": "fast (resvg)", "bf16": args.bf16, "lora_rank": args.lora_rank,
            "rollout_engine": "transformers" if fallbacks else "ct2",
            "fallback": fallbacks[0] if fallbacks else None,
            "steps": steps, "median_step_time_s": median("step_time_s", later),
            "median_generate_s": median("generate_s", later),
            "median_generate_tokens_per_s": median("generate_tokens_per_s", later), "wall_s": round(wall, 1)}


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    import transformers

    from codepaint_env.policy.engines import usable_on

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    gpu = device == "cuda"
    scratch = tempfile.TemporaryDirectory(prefix="gpu-step-") if args.work is None else None
    work = Path(args.work) if args.work is not None else Path(scratch.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    model_name, model_info = choose_model(args.model, work)
    tiny = model_info["kind"] == "tiny"
    args.rows = args.rows or (64 if gpu else 4)
    args.generations = args.generations or (8 if gpu else 2)
    args.micro = args.micro or (16 if gpu else 2)
    args.max_tokens = args.max_tokens or (32 if tiny else 320)
    args.decode_tokens = args.decode_tokens or (32 if tiny else 320)
    args.bf16 = gpu if args.bf16 is None else args.bf16
    compare = gpu if args.compare_generate is None else args.compare_generate
    decode_rows = args.decode_rows if args.decode_rows is not None else ("16,64,256" if gpu else "4")
    counts = [int(x) for x in decode_rows.split(",") if x.strip()]
    if args.rows % args.generations or args.rows % args.micro:
        raise SystemExit(f"--rows {args.rows} must be a multiple of --generations {args.generations} "
                         f"and --micro {args.micro}")
    ct2_ok, ct2_reason = usable_on(device)
    report: dict[str, Any] = {
        "device": device, "gpu": torch.cuda.get_device_name(0) if gpu else None,
        "torch": torch.__version__, "cuda": torch.version.cuda, "transformers": transformers.__version__,
        "python": platform.python_version(), "model": model_name if not tiny else "tiny", **{
            f"model_{k}": v for k, v in model_info.items()},
        "ct2": {"usable": ct2_ok, "reason": ct2_reason}}

    def emit() -> None:
        report["wall_s"] = round(time.perf_counter() - STARTED, 1)
        text = json.dumps(report, indent=1)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")

    try:
        if counts:
            t0 = time.perf_counter()
            report["decode"] = decode_part(model_name, device, counts, args.decode_tokens, compare)
            report["decode_wall_s"] = round(time.perf_counter() - t0, 1)
            emit()
        if args.steps > 0:
            FastSvgRenderer.install()
            report["grpo"] = grpo_part(args, model_name, device, work)
            emit()
    finally:
        emit()
        print(json.dumps(report, indent=1), flush=True)
        if scratch is not None:
            scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
