"""Vector-env throughput: `gym.make_vec(..., vectorization_mode="sync" | "async")`.

    .venv/bin/python benchmarks/env_bench.py             # about a minute on 2 cores
    .venv/bin/python benchmarks/env_bench.py --num-envs 2 4 --steps 24

Every env steps the same programs (a p5.brush watercolour sketch and an SVG scene) with the
offline ``execution_gate`` reward. ``sync`` steps the envs one after another in this process
(one shared renderer); ``async`` runs each env in its own worker process with its own browser,
so renders overlap. Prints steps per second for both and the ratio, measured in one run.
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym

import codepaint_env  # noqa: F401  (registers the ids)

PROGRAMS = {
    "CodePaint/P5Brush-v0": """function setup() {
  createCanvas(256, 256, WEBGL);
  background('#f6f1e8');
  brush.noStroke();
  brush.fill('#e07a5f', 150); brush.fillBleed(0.3); brush.circle(-30, -10, 80);
  brush.fill('#3d405b', 120); brush.rect(0, 20, 90, 70);
}""",
    "CodePaint/SVG-v0": """<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256">
  <rect width="256" height="256" fill="#f4efe4"/><circle cx="100" cy="120" r="60" fill="#d0583c"/>
  <path d="M20 220 Q128 150 236 220" stroke="#234" stroke-width="6" fill="none"/></svg>""",
}


def bench(env_id: str, mode: str, num_envs: int, steps: int) -> float:
    envs = gym.make_vec(env_id, num_envs=num_envs, vectorization_mode=mode, size=256, max_turns=1000)
    envs.reset(seed=0)
    program = PROGRAMS[env_id]
    # distinct programs per step and env, so the render cache never answers
    envs.step([f"{program}\n<!-- warm {i} -->" if "svg" in env_id.lower() else f"{program}\n// warm {i}"
               for i in range(num_envs)])
    t0 = time.perf_counter()
    for s in range(steps):
        tag = "<!-- s{} e{} -->" if "svg" in env_id.lower() else "// s{} e{}"
        envs.step([program + "\n" + tag.format(s, i) for i in range(num_envs)])
    elapsed = time.perf_counter() - t0
    envs.close()
    return steps * num_envs / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--num-envs", type=int, nargs="+", default=[2, 4])
    ap.add_argument("--steps", type=int, default=12, help="vector steps per measurement")
    args = ap.parse_args()
    print(f"\nenv_bench: {args.steps} vector steps per cell, 256x256, reward execution_gate\n")
    hdr = f"{'env':<24}{'N':>3}{'sync steps/s':>15}{'async steps/s':>15}{'async/sync':>12}"
    print(hdr)
    print("-" * len(hdr))
    for env_id in PROGRAMS:
        for n in args.num_envs:
            sync = bench(env_id, "sync", n, args.steps)
            asyn = bench(env_id, "async", n, args.steps)
            print(f"{env_id:<24}{n:>3}{sync:>15.2f}{asyn:>15.2f}{asyn / sync:>11.2f}x", flush=True)


if __name__ == "__main__":
    main()
