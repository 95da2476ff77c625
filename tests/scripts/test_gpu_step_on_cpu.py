"""benchmarks/speed/gpu_step.py, the prepared GPU check (issue 73 item 6), run on the CPU as a user would.

No GPU is lent to this machine, so the script's own ``--device cpu`` path is what CI can run: real GRPO
steps on the tiny model with real renders, its JSON as the GPU run would write it.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from support.watchdog import run

ROOT = Path(__file__).resolve().parents[2]


def test_the_gpu_script_runs_grpo_steps_on_the_cpu_and_writes_its_figures(tmp_path):
    out = tmp_path / "gpu-step.json"
    done = run([sys.executable, str(ROOT / "benchmarks" / "speed" / "gpu_step.py"), "--device", "cpu",
                "--model", "tiny", "--steps", "2", "--out", str(out)], limit_s=300, capture_output=True,
               text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(out.read_text())
    assert data["device"] == "cpu" and data["gpu"] is None and data["model_kind"] == "tiny"
    assert data["decode"] and all(d["tokens_per_s"] > 0 for d in data["decode"])
    steps = data["grpo"]["steps"]
    assert [s["step"] for s in steps] == [1, 2]
    for s in steps:  # every figure a real, finite measurement; a reward the trainer can take
        assert s["step_time_s"] > 0 and s["generate_tokens_per_s"] > 0 and s["completion_tokens"] > 0
        assert math.isfinite(s["reward"]) and 0.0 <= s["gate_pass_rate"] <= 1.0
    assert data["grpo"]["median_step_time_s"] > 0
