"""One real TRL GRPO step with `CodePaintToolEnv`: its plain tools against its async form, in one run.

    .venv/bin/python benchmarks/speed/trl_async_step.py                  # about 3 minutes on 2 cores
    .venv/bin/python benchmarks/speed/trl_async_step.py --env CodePaint/SVG-v4 --repeats 3

The trainer is TRL's own ``GRPOTrainer(environment_factory=...)``: the tiny local LM
(:func:`codepaint_env.testing.build_tiny_lm`, with TRL's Qwen2.5 chat template so TRL parses tool
calls), one prompt, 8 generations. The random model never writes a tool call, so the step's first
generation is replaced by 8 ``submit_code`` calls (as ``tests/integrations/test_trl_env.py`` drives
TRL's tool loop), each a different program (the render cache serves none of them): every rollout
renders in Chromium and is scored for real (``execution_gate``), then TRL generates after the
feedback, computes the rewards (``get_reward``) and takes the optimizer step.

Measured, alternating the two forms (a fresh trainer for each step; one renderer; the browser and
the reward's workers warmed first):

* ``plain``: ``CodePaintToolEnv(...)``, ``submit_code`` and ``get_reward`` plain methods;
* ``async``: ``CodePaintToolEnv(..., asynchronous=True)``: coroutine functions, awaited by TRL on
  its event loop (``Episode.arespond``: the render and the reward awaited, no thread per call).

Prints each step's wall time (``training_step``: generation, the tool loop, the rewards, the
backward pass) and its tool-loop time (TRL's ``_tool_call_loop``), the medians and the ratio
plain / async. Then, for scale, the same 8 submissions outside TRL: one after another (how
``GRPOTrainer`` 1.16 calls tools: one rollout at a time, awaiting each rollout's own calls before
the next) and awaited together on one loop (how ``trl.experimental.async_grpo``'s rollout worker
awaits the tools of concurrent rollouts; it needs a vLLM server, so it is not run here).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

from rewards.embed.compat import ensure_torchvision

ensure_torchvision()  # before transformers imports it (CPU torch beside the CUDA torchvision wheel)

from datasets import Dataset  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402
from trl import GRPOTrainer  # noqa: E402
from trl.chat_template_utils import qwen2_5_chat_template  # noqa: E402

from codepaint_env.integrations.trl import CodePaintToolEnv  # noqa: E402
from codepaint_env.registration import env_language  # noqa: E402
from codepaint_env.render import Renderer  # noqa: E402
from codepaint_env.tasks import all_tasks, tasks_to_rows  # noqa: E402
from codepaint_env.testing import build_tiny_lm, tiny_grpo_config  # noqa: E402

GENERATIONS = 8
SIZE = 256
_drawn = 0  # programs made so far: each one differs from every other (no render cache hit)


def program(language: str) -> str:
    """A program no earlier call drew: a p5 sketch (or an SVG scene) with its own colours."""
    global _drawn
    _drawn += 1
    r, g, b = (37 * _drawn) % 256, (91 * _drawn) % 256, (53 * _drawn) % 256
    if language == "svg":
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}"><rect width="{SIZE}" '
                f'height="{SIZE}" fill="#f4efe4"/><circle cx="128" cy="120" r="70" fill="rgb({r},{g},{b})"/>'
                "</svg>")
    return (f"function setup() {{\n  createCanvas({SIZE}, {SIZE});\n  background(245, 240, 230);\n"
            "  noFill(); stroke(40, 60, 90); strokeWeight(2);\n"
            "  for (let i = 0; i < 80; i++) bezier(random(256), random(256), random(256), random(256),\n"
            "                                      random(256), random(256), random(256), random(256));\n"
            f"  noStroke(); fill({r}, {g}, {b}); circle(128, 128, 90);\n}}")


def tool_call(code: str) -> str:
    """A Qwen2.5-style ``submit_code`` call, as a tool-calling model writes it."""
    call = json.dumps({"name": "submit_code", "arguments": {"code": code}})
    return f"<tool_call>\n{call}\n</tool_call><|im_end|>"


class Timed(GRPOTrainer):
    """GRPOTrainer whose step opens with 8 ``submit_code`` calls; it times the step and its tool loop."""

    language = "p5"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scripted = False
        self.step_s: list[float] = []
        self.tools_s: list[float] = []

    def _generate_single_turn(self, prompt_ids: Any, *args: Any, **kwargs: Any) -> Any:
        completion_ids, logprobs = super()._generate_single_turn(prompt_ids, *args, **kwargs)
        if not self.scripted:
            self.scripted = True
            for i in range(len(completion_ids)):
                text = tool_call(program(self.language))
                completion_ids[i] = self.processing_class(text, add_special_tokens=False)["input_ids"]
        return completion_ids, logprobs

    def _tool_call_loop(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return super()._tool_call_loop(*args, **kwargs)
        finally:
            self.tools_s.append(time.perf_counter() - start)

    def training_step(self, *args: Any, **kwargs: Any) -> Any:
        """GRPOTrainer's step, timed (its first generation scripted)."""
        self.scripted = False
        start = time.perf_counter()
        try:
            return super().training_step(*args, **kwargs)
        finally:
            self.step_s.append(time.perf_counter() - start)


def one_step(form: str, model: Path, tokenizer: Any, env_id: str, renderer: Renderer, rows: list[dict],
             work: Path) -> tuple[float, float, list[Any]]:
    """One GRPO step with the ``plain`` or ``async`` form: (step seconds, tool-loop seconds, rewards)."""
    envs: list[CodePaintToolEnv] = []

    def factory() -> CodePaintToolEnv:
        env = CodePaintToolEnv(env_id, size=SIZE, max_turns=1, renderer=renderer, reward="execution_gate",
                               asynchronous=form == "async")
        envs.append(env)
        return env

    Timed.language = env_language(env_id)
    trainer = Timed(model=str(model), processing_class=tokenizer, train_dataset=Dataset.from_list(rows),
                    environment_factory=factory,
                    args=tiny_grpo_config(work / form, max_steps=1, per_device_train_batch_size=GENERATIONS,
                                          num_generations=GENERATIONS, max_completion_length=2048,
                                          max_tool_calling_iterations=1,
                                          generation_kwargs={"max_new_tokens": 8}))
    trainer.train()
    submitted = sum(len(e.history) for e in envs)
    assert submitted == GENERATIONS, f"{submitted} submissions, not {GENERATIONS}: the tool loop did not run"
    rewards = [e.history[-1]["value"] for e in envs if e.history]
    return trainer.step_s[0], sum(trainer.tools_s), rewards


def outside_trl(env_id: str, renderer: Renderer, row: dict) -> tuple[float, float]:
    """The 8 submissions without TRL: (one after another, plain; awaited together, async) seconds."""
    language = env_language(env_id)
    plain = [CodePaintToolEnv(env_id, size=SIZE, max_turns=1, renderer=renderer, reward="execution_gate")
             for _ in range(GENERATIONS)]
    awaited = [CodePaintToolEnv(env_id, size=SIZE, max_turns=1, renderer=renderer, reward="execution_gate",
                                asynchronous=True) for _ in range(GENERATIONS)]
    for env in plain + awaited:
        env.reset(**row)
    start = time.perf_counter()
    for env in plain:
        env.submit_code(program(language))
    one_by_one = time.perf_counter() - start

    async def together() -> None:
        await asyncio.gather(*(env.submit_code(program(language)) for env in awaited))

    start = time.perf_counter()
    asyncio.run(together())
    return one_by_one, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="CodePaint/P5-v4", help="environment id (the programs' language)")
    parser.add_argument("--repeats", type=int, default=2, help="steps of each form (alternating)")
    args = parser.parse_args()
    language = env_language(args.env)
    rows = tasks_to_rows(all_tasks(language=language)[:1])
    renderer = Renderer()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model = build_tiny_lm(work / "tiny-lm")
        tokenizer = AutoTokenizer.from_pretrained(model)
        tokenizer.chat_template = qwen2_5_chat_template
        tokenizer.eos_token = "<|im_end|>"
        # before any timing: the browser started, and the reward workers warm (each builds its OCR engine
        # once), for one call at a time and for 8 at once
        outside_trl(args.env, renderer, rows[0])
        times: dict[str, list[tuple[float, float]]] = {"plain": [], "async": []}
        for n in range(args.repeats):
            for form in ("plain", "async") if n % 2 == 0 else ("async", "plain"):
                step_s, tools_s, rewards = one_step(form, model, tokenizer, args.env, renderer, rows, work)
                times[form].append((step_s, tools_s))
                print(f"{form:>5} step {n + 1}: {step_s:6.2f} s, tool loop {tools_s:6.2f} s "
                      f"(8 renders and rewards; values {sorted(set(rewards))})", flush=True)
        one_by_one, together = outside_trl(args.env, renderer, rows[0])
    renderer.close()
    plain_step, async_step = (statistics.median(s for s, _ in times[f]) for f in ("plain", "async"))
    plain_tools, async_tools = (statistics.median(t for _, t in times[f]) for f in ("plain", "async"))
    print(f"\n{args.env}, {GENERATIONS} generations, median of {args.repeats} step(s) each")
    print(f"GRPO step   plain {plain_step:6.2f} s   async {async_step:6.2f} s   "
          f"plain/async {plain_step / async_step:.2f}")
    print(f"tool loop   plain {plain_tools:6.2f} s   async {async_tools:6.2f} s   "
          f"plain/async {plain_tools / async_tools:.2f}")
    print(f"outside TRL: 8 submissions one after another {one_by_one:.2f} s, awaited together "
          f"{together:.2f} s ({one_by_one / together:.2f}x)")


if __name__ == "__main__":
    main()
