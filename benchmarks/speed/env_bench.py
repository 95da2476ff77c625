"""Vector-env throughput: `gym.make_vec(..., vectorization_mode="sync" | "async" | "vector_entry_point")`.

    .venv/bin/python benchmarks/speed/env_bench.py             # about three minutes on 2 cores
    .venv/bin/python benchmarks/speed/env_bench.py --num-envs 2 4 8 --steps 24

Every env steps the same programs (a p5 sketch, a p5.brush watercolour sketch and an SVG scene)
with the offline ``execution_gate`` reward. ``sync`` steps the envs one after another in this
process (one shared renderer); ``async`` runs each env in its own worker process with its own
browser, so renders overlap; ``vector`` (``CodePaintVectorEnv``) submits the N renders of a step
together to one shared renderer and scores them in one reward call. Prints steps per second for
each and the ratios, measured in one run.
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym

import codepaint_env  # noqa: F401  (registers the ids)

PROGRAMS = {
    "CodePaint/P5-v4": """function setup() {
  createCanvas(256, 256);
  background(245, 240, 230);
  noFill(); stroke(40, 60, 90); strokeWeight(2);
  for (let i = 0; i < 60; i++) bezier(random(256), random(256), random(256), random(256),
                                      random(256), random(256), random(256), random(256));
  noStroke(); fill(210, 80, 60); circle(128, 128, 90);
}""",
    "CodePaint/P5Brush-v0": """function setup() {
  createCanvas(256, 256, WEBGL);
  background('#f6f1e8');
  brush.noStroke();
  brush.fill('#e07a5f', 150); brush.fillBleed(0.3); brush.circle(-30, -10, 80);
  brush.fill('#3d405b', 120); brush.rect(0, 20, 90, 70);
}""",
    "CodePaint/SVG-v4": """<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256">
  <rect width="256" height="256" fill="#f4efe4"/><circle cx="100" cy="120" r="60" fill="#d0583c"/>
  <path d="M20 220 Q128 150 236 220" stroke="#234" stroke-width="6" fill="none"/></svg>""",
}


MODES = {"sync": "sync", "async": "async", "vector": "vector_entry_point"}


def bench(env_id: str, mode: str, num_envs: int, steps: int) -> float:
    envs = gym.make_vec(env_id, num_envs=num_envs, vectorization_mode=MODES[mode], size=256, max_turns=1000)
    envs.reset(seed=0)
    program = PROGRAMS[env_id]
    # Distinct programs per mode, step and env, so the render cache never answers (the modes
    # share this process's renderer and its cache).
    tag = "<!-- {} {} e{} -->" if "svg" in env_id.lower() else "// {} {} e{}"
    envs.step([program + "\n" + tag.format(mode, "warm", i) for i in range(num_envs)])
    t0 = time.perf_counter()
    for s in range(steps):
        envs.step([program + "\n" + tag.format(mode, s, i) for i in range(num_envs)])
    elapsed = time.perf_counter() - t0
    envs.close()
    return steps * num_envs / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--num-envs", type=int, nargs="+", default=[4, 8])
    ap.add_argument("--steps", type=int, default=12, help="vector steps per measurement")
    args = ap.parse_args()
    print(f"\nenv_bench: {args.steps} vector steps per cell, 256x256, reward execution_gate\n")
    hdr = (f"{'env':<24}{'N':>3}{'sync /s':>10}{'async /s':>10}{'vector /s':>11}{'async/sync':>12}"
           f"{'vector/async':>14}")
    print(hdr)
    print("-" * len(hdr))
    for env_id in PROGRAMS:
        for n in args.num_envs:
            rate = {mode: bench(env_id, mode, n, args.steps) for mode in MODES}
            print(f"{env_id:<24}{n:>3}{rate['sync']:>10.2f}{rate['async']:>10.2f}{rate['vector']:>11.2f}"
                  f"{rate['async'] / rate['sync']:>11.2f}x{rate['vector'] / rate['async']:>13.2f}x",
                  flush=True)


if __name__ == "__main__":
    main()
