"""A trainer step's reward time: one GRPO batch through gate + classic + pairwise_vlm, as TRL calls them.

    .venv/bin/python benchmarks/speed/step_bench.py            # 8 prompts x 8 completions, about 2 minutes
    .venv/bin/python benchmarks/speed/step_bench.py --groups 4 --latency-ms 200

The batch: ``--groups`` watercolour tasks from the task suite, ``--group-size`` completions each
(GRPO's G), built from the task's own loved/okay pool references (stand-ins for policy output),
with one repeated completion (identical samples are common early in training), one broken
program and one blank canvas per group. The reward functions are what
``examples/grpo_trl.py --rewards gate:0.2,classic:0.3,pairwise_vlm:0.5`` gives TRL: the gate and
``classic`` called one after the other (sync), ``pairwise_vlm`` awaited (async) against the
stand-in judge (``codepaint judge-server`` in-process, ``--latency-ms`` per request). The gate's
copy check is off: the completions are pool programs, and it would fail them all (a real policy's
output is not a copy; with it on, the judge would be skipped for most of the batch).

Prints, measured in one run (this machine is noisy): wall time of the step (split into render,
scoring and judging), renders (must equal the distinct completions: the render cache serves the
rest), judge requests, and the ratio of the step's render time to the floor: the sum of the
renders' in-page times divided by the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path

import rewards
from codepaint_env.render import Renderer
from codepaint_env.tasks import load_suite
from codepaint_env.testing.judge_server import JudgeServer

ROOT = Path(__file__).resolve().parents[2]
BROKEN = "function setup() { createCanvas(512, 512, WEBGL); background('#f7f0e4'); brush.fill('#c33', 200"
BLANK = "function setup() { createCanvas(512, 512, WEBGL); background('#f7f0e4'); }"


def pool_programs() -> dict[str, list[str]]:
    """The loved and okay p5brush references' programs, by subject."""
    rows = [json.loads(line) for line in (ROOT / "reference_pool" / "manifest.jsonl").read_text().splitlines()
            if line.strip()]
    out: dict[str, list[str]] = {}
    for r in rows:
        if r["language"] == "p5brush" and r["tier"] in ("love", "okay"):
            out.setdefault(r["subject"], []).append((ROOT / "reference_pool" / r["code_path"]).read_text())
    return out


def batch(groups: int, size: int) -> tuple[list[str], list[str], list[str]]:
    """(prompts, completions, subjects): ``groups`` tasks x ``size`` completions."""
    programs = pool_programs()
    every = [code for subject in sorted(programs) for code in programs[subject]]
    tasks = [t for t in load_suite("watercolour") if t.subject in programs][:groups]
    prompts, completions, subjects = [], [], []
    used: set[str] = set()
    for g, task in enumerate(tasks):
        # the task's own subject first, then others; no program in two groups
        fresh = [c for c in programs[task.subject or ""] + every[g * size:] + every if c not in used]
        group = list(dict.fromkeys(fresh))[: size - 3]
        used.update(group)
        group += [group[0], BROKEN, BLANK]  # a repeated completion, a broken one, a blank canvas
        for code in group:
            prompts.append(task.prompt)
            completions.append(f"```js\n{code}\n```")
            subjects.append(task.subject or "")
    return prompts, completions, subjects


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--groups", type=int, default=8, help="prompts in the batch (default 8)")
    ap.add_argument("--group-size", type=int, default=8, help="completions per prompt, GRPO's G (default 8)")
    ap.add_argument("--size", type=int, default=256, help="render size (default 256)")
    ap.add_argument("--latency-ms", type=float, default=200.0, help="stand-in judge latency (default 200)")
    args = ap.parse_args()
    prompts, completions, subjects = batch(args.groups, args.group_size)
    distinct = len(set(completions))
    columns = {"language": ["p5brush"] * len(completions), "subject": subjects}

    with JudgeServer(latency_s=args.latency_ms / 1000) as judge, Renderer(timeout_s=60) as renderer:
        os.environ.update(OPENAI_BASE_URL=judge.url, OPENAI_API_KEY="anything",
                          CODEPAINT_JUDGE_MODEL="stand-in")
        common = {"renderer": renderer, "size": args.size}
        gate = rewards.make_reward("execution_gate", copy_check=False, **common)
        classic = rewards.make_reward("classic", **common)
        pairwise = rewards.make_reward("pairwise_vlm", **common).as_async()  # type: ignore[attr-defined]
        renderer.render(BLANK + "//", "p5brush", size=args.size)  # the browser started, not part of the step
        before = renderer.stats()

        t0 = time.perf_counter()
        gate_values = gate(completions, prompts=prompts, **columns)  # renders the batch (TRL: sync, in order)
        t_gate = time.perf_counter()
        classic(completions, prompts=prompts, **columns)
        t_classic = time.perf_counter()
        judged = asyncio.run(pairwise(completions, prompts=prompts, **columns))  # TRL awaits async ones
        t_end = time.perf_counter()

        after = renderer.stats()
        renders = after["renders"] - before["renders"] - (after["cache_hits"] - before["cache_hits"])
        results = renderer.render_many([c for c in dict.fromkeys(completions)], "p5brush", size=args.size,
                                       extract=True)  # cached: the step's own results, for their timings
        page_s = sum(r.timings_ms.get("page", 0.0) for r in results) / 1000
        requests = judge.stats()["requests"]

    cores = os.cpu_count() or 1
    floor = page_s / cores
    print(f"\nstep_bench: {len(completions)} completions ({args.groups} prompts x {args.group_size}), "
          f"{distinct} distinct, {args.size}px, {cores} cores, judge latency {args.latency_ms:.0f} ms\n")
    print(f"step wall time        {t_end - t0:7.2f} s")
    print(f"  gate (renders)      {t_gate - t0:7.2f} s")
    print(f"  classic             {t_classic - t_gate:7.2f} s")
    print(f"  pairwise_vlm        {t_end - t_classic:7.2f} s   ({sum(v is not None for v in judged)} judged, "
          f"{requests} judge requests)")
    print(f"renders in the step   {renders:7d}     (distinct completions: {distinct})")
    print(f"gate passed           {sum(v == 1.0 for v in gate_values):7d}")
    print(f"render floor          {floor:7.2f} s   (sum of in-page times {page_s:.1f} s / {cores} cores)")
    print(f"render time / floor   {(t_gate - t0) / floor:7.2f}x")


if __name__ == "__main__":
    main()
