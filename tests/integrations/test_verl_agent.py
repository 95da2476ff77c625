"""verl's agent loop: codepaint's write-look-edit loop run by verl's own ``AgentLoopWorker``.

verl 0.9.1 lives in ``.venvs/verl`` (``scripts/install-trainer-venvs.sh``). The script below runs
there: it builds verl's ``AgentLoopWorker`` from verl's own trainer config (its rollout and model
config, the tokenizer and processor it loads, the agent loops it registers from
``agent_loop_config_path``: the shipped ``verl_agent.yaml`` plus three variants), makes the batch
with verl's ``RLHFDataset`` from the rows ``codepaint export parquet`` writes, and calls
``generate_sequences``: verl instantiates :class:`CodePaintAgentLoop` per trajectory, pads the
outputs, builds the processor's ``multi_modal_inputs`` and the ``rm_scores`` tensor. The policy is
a tiny local Qwen3-VL (``build_tiny_vlm``: its tokenizer, processor and chat template), and for the
text-only case a tiny local causal LM (``build_tiny_lm``: no processor, no pictures). The only
stand-in is the rollout server (a vLLM engine needs a GPU; ``tests/support/verl_rollout.py``, shared
with the cross-door test): verl's ``LLMServerClient`` routes to a
scripted server that answers each request with the next scripted reply for the prompt's task, and
records what it was sent (the pictures). Renders and rewards are real (codepaint's renderer and
the default ``gate:0.3,classic:0.7``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codepaint_env.scoring.trainer import TrainerConfig
from codepaint_env.tasks import load_suite
from codepaint_env.tasks.parquet import task_rows, write_parquet

pytestmark = [pytest.mark.browser, pytest.mark.trainer_venv]

ROOT = Path(__file__).resolve().parents[2]
VERL_PYTHON = ROOT / ".venvs" / "verl" / "bin" / "python"
SHIPPED_YAML = ROOT / "src" / "codepaint_env" / "integrations" / "verl_agent.yaml"
DEAD_URL = "http://127.0.0.1:9"  # discard port: nothing listens, the connection is refused at once
END = "<|im_end|>"


def _svg(body: str) -> str:
    return ('```svg\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" '
            f'height="64" fill="#f4f1e8"/>{body}</svg>\n```')


PROGRAMS = {
    "good": _svg('<circle cx="32" cy="30" r="18" fill="#c1272d"/><rect x="30" y="44" width="4" height="18" '
                 'fill="#2d6a4f"/>'),
    "edited": _svg('<circle cx="32" cy="28" r="20" fill="#e05a47"/><circle cx="32" cy="28" r="5" '
                   'fill="#f2c14e"/><rect x="30" y="44" width="4" height="18" fill="#2d6a4f"/>'),
    "edited2": _svg('<circle cx="30" cy="26" r="22" fill="#d1495b"/><circle cx="30" cy="26" r="6" '
                    'fill="#edae49"/><rect x="29" y="44" width="4" height="18" fill="#00798c"/>'),
    "broken": "```svg\n<svg xmlns='http://www.w3.org/2000/svg'><circle r='5'\n```",
}

# Three variants beside the shipped entry (codepaint_agent: 3 turns, pictures in user messages).
VARIANTS = """
- name: cp_keep1
  _target_: codepaint_env.integrations.verl_agent.CodePaintAgentLoop
  max_turns: 3
  keep_last_images: 1
- name: cp_tool2
  _target_: codepaint_env.integrations.verl_agent.CodePaintAgentLoop
  max_turns: 2
  image_placement: tool
- name: cp_best
  _target_: codepaint_env.integrations.verl_agent.CodePaintAgentLoop
  max_turns: 2
  reward_aggregation: best
"""

VERL_SCRIPT = r'''
import asyncio, hashlib, json, os, sys
from support.verl_rollout import batch_of, worker_for  # first: it readies torchvision for verl
from codepaint_env.integrations.verl_agent import OLDER_PICTURE  # a missing dependency says its fix
import numpy as np
import torch

from codepaint_env.render import default_renderer
from codepaint_env.render.extract import extract_code

vlm, lm, parquet, loops, spec_path, out_path = sys.argv[1:7]
spec = json.load(open(spec_path))
calls = {}  # row -> what the rollout server was sent, turn by turn


def digest(image):
    return hashlib.sha256(np.asarray(image.convert("RGB")).tobytes()).hexdigest()[:16]


def reply(text, *, tok, prompt_ids, sampling_params, image_data):
    """The next scripted reply for the prompt's task; what the rollout server was sent, recorded."""
    row = next(i for i, r in enumerate(spec["rows"]) if r["prompt"] in text)
    turn = text.count("<|im_start|>assistant") - 1  # the replies so far (the last one is the one asked)
    calls.setdefault(row, []).append({
        "turn": turn, "images": [digest(im) for im in image_data or []],
        "image_tokens": prompt_ids.count(tok.convert_tokens_to_ids("<|image_pad|>")),
        "max_tokens": sampling_params.get("max_tokens")})
    return spec["rows"][row]["replies"][turn]


renderer = default_renderer()
pictures = {name: renderer.render(extract_code(text, "svg"), "svg", size=(512, 512), seed=0).image
            for name, text in spec["programs"].items() if name != "broken"}


def run(worker, dataset, rows):
    tok, processor = worker.tokenizer, worker.processor
    image_pad = tok.convert_tokens_to_ids("<|image_pad|>")
    batch = batch_of(dataset, rows, [spec["rows"][i]["agent"] for i in rows])
    out = asyncio.run(worker.generate_sequences(batch))
    P = out.batch["prompts"].shape[1]
    results = []
    for j, i in enumerate(rows):
        mask = out.batch["response_mask"][j].bool()
        valid = out.batch["attention_mask"][j, P:].bool()
        resp = out.batch["responses"][j]
        used = spec["rows"][i]["replies"][:len(calls[i])]
        seq = out.batch["input_ids"][j][out.batch["attention_mask"][j].bool()].tolist()
        mmi = out.non_tensor_batch["multi_modal_inputs"][j]
        expected = [pictures[name] for name in spec["rows"][i]["pictures"]]
        if expected:  # the trainer's pixel_values are the processor's for exactly these renders
            want = processor.image_processor(images=expected, return_tensors="pt")["pixel_values"]
            pixels = bool(torch.equal(mmi["pixel_values"], want))
        else:
            pixels = "pixel_values" not in mmi
        rm = out.batch["rm_scores"][j]
        last = int(valid.sum()) - 1
        logprobs = out.batch["rollout_log_probs"][j]
        results.append({
            "calls": calls[i],
            "policy_ids": resp[mask].tolist(),
            "reply_ids": [t for r in used for t in tok.encode(r, add_special_tokens=False)],
            "env_text": tok.decode(resp[valid & ~mask].tolist()),
            "sequence_image_tokens": seq.count(image_pad),
            "images": 0 if "image_grid_thw" not in mmi else int(mmi["image_grid_thw"].shape[0]),
            "pixels_match": pixels,
            "logprobs_where_policy": bool(torch.equal(logprobs != 0, mask)),
            "rm_at_last": rm[last].item(), "rm_elsewhere": float(rm.abs().sum() - abs(rm[last])),
            "reward_extra": {k: out.non_tensor_batch[k][j] for k in out.meta_info["reward_extra_keys"]},
            "turn_scores": list(out.non_tensor_batch["turn_scores"][j]),
            "codepaint_turns": list(out.non_tensor_batch["codepaint_turns"][j]),
            "num_turns": int(out.non_tensor_batch["__num_turns__"][j]),
            "older_pictures": tok.decode(seq).count(OLDER_PICTURE),
            "tool_responses": tok.decode(seq).count("<tool_response>"),
        })
    return results


vl_worker, vl_data = worker_for(vlm, loops, parquet, reply)
assert vl_worker.processor is not None, (
    "verl loaded no processor for the tiny Qwen3-VL (its video processor needs torchvision): "
    "pip install torchvision==0.28.0 into .venvs/verl")
text_worker, text_data = worker_for(lm, loops, parquet, reply)
result = {"pictures": {name: digest(im) for name, im in pictures.items()},
          "rows": run(vl_worker, vl_data, [0, 1, 2, 3]), "text": run(text_worker, text_data, [5])}
os.environ["CODEPAINT_SERVE_URL"] = "http://127.0.0.1:9"  # the reward's server is down: nothing is judged
os.environ["CODEPAINT_UNJUDGED_REWARD"] = "-0.25"
result["down"] = run(vl_worker, vl_data, [4])
json.dump(result, open(out_path, "w"), default=lambda o: o.item() if hasattr(o, "item") else str(o))
'''


def _tool(program: str) -> str:
    from codepaint_env.testing import qwen_tool_call

    code = program.removeprefix("```svg\n").removesuffix("\n```")
    return qwen_tool_call("submit_code", {"code": code})


def test_verls_agent_loop_worker_runs_the_write_look_edit_loop(tmp_path: Path) -> None:
    from codepaint_env.testing import build_tiny_lm, build_tiny_vlm

    assert VERL_PYTHON.exists(), "no .venvs/verl: run scripts/install-trainer-venvs.sh (make test does)"
    vlm, lm = build_tiny_vlm(tmp_path / "tiny-vlm"), build_tiny_lm(tmp_path / "tiny-lm")
    tasks = load_suite("svg", split="train")[:6]
    write_parquet(task_rows(tasks), tmp_path / "train.parquet")
    loops = tmp_path / "agent_loops.yaml"
    loops.write_text(SHIPPED_YAML.read_text() + VARIANTS)
    p = PROGRAMS
    rows = [  # agent, replies (scripted beyond max_turns where the test checks the limit), pictures expected
        ("codepaint_agent", [p["good"] + END, p["edited"] + END, p["broken"] + END, p["good"] + END],
         ["good", "edited"]),
        ("cp_keep1", [p["good"] + END, p["edited"] + END, p["edited2"] + END], ["edited"]),
        ("cp_tool2", [_tool(p["good"]), _tool(p["edited"]), _tool(p["edited2"])], ["good"]),
        ("cp_best", [p["edited"] + END, p["broken"] + END], ["edited"]),
        ("codepaint_agent", [p["good"] + END, p["edited"] + END, p["edited2"] + END], ["good", "edited"]),
        ("codepaint_agent", [p["broken"] + END, p["good"] + END, p["edited"] + END], []),  # a text model
    ]
    spec = {"programs": PROGRAMS,
            "rows": [{"agent": a, "replies": r, "pictures": pics, "prompt": t.prompt}
                     for (a, r, pics), t in zip(rows, tasks, strict=True)]}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    script = tmp_path / "verl_agent_check.py"
    script.write_text(VERL_SCRIPT)
    out = tmp_path / "out.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEPAINT_")}
    env["PYTHONPATH"] = str(ROOT / "tests")  # support.verl_rollout: verl's worker, the scripted server
    proc = subprocess.run([str(VERL_PYTHON), str(script), str(vlm), str(lm), str(tmp_path / "train.parquet"),
                           str(loops), str(tmp_path / "spec.json"), str(out)],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    result = json.loads(out.read_text())
    pics = result["pictures"]
    low = TrainerConfig().build_reward().value_range[0]
    user, keep1, tool, best = result["rows"]

    # every trajectory: the policy's tokens (mask 1) are exactly the scripted replies it was asked for,
    # verl's rm_scores hold the reward at the last response token, rollout log-probs sit on policy tokens
    for row in [*result["rows"], *result["text"], *result["down"]]:
        assert row["policy_ids"] == row["reply_ids"]
        assert row["rm_elsewhere"] == pytest.approx(0.0, abs=1e-6)
        assert row["rm_at_last"] == pytest.approx(row["reward_extra"]["score"], abs=1e-6)
        assert row["logprobs_where_policy"] and row["pixels_match"]
        assert row["images"] == len(row["calls"][-1]["images"])  # the sequence's pictures: the last request's

    # 1. the shipped loop: three turns (a fourth reply was scripted: max_turns holds); each picture
    # comes back with the next request, the render of the program before it, and stays in the sequence
    assert [c["turn"] for c in user["calls"]] == [0, 1, 2]
    assert [c["images"] for c in user["calls"]] == [[], [pics["good"]], [pics["good"], pics["edited"]]]
    assert user["images"] == 2 and user["sequence_image_tokens"] == user["calls"][-1]["image_tokens"] > 0
    assert user["calls"][1]["max_tokens"] < user["calls"][0]["max_tokens"] == 2048  # the budget left
    good, edited, broken = user["turn_scores"]
    assert good > low and edited > low and broken == low  # real renders: a broken program is the minimum
    assert user["reward_extra"]["score"] == broken  # the last program's reward
    assert user["reward_extra"]["judged"] == 1.0 and user["reward_extra"]["error_kind"] == "syntax"
    # the training monitors of the trajectory's program, beside the reward (verl logs their means)
    assert user["reward_extra"]["codepaint/draws_something"] == 0.0
    assert user["reward_extra"]["codepaint/failed/syntax"] == 1.0
    assert keep1["reward_extra"]["codepaint/draws_something"] == 1.0
    assert keep1["reward_extra"]["codepaint/colour_entropy"] > 0
    assert user["env_text"].count("This is what your program drew.") == 2
    assert "Turn 2 of 3" in user["env_text"] and "Reply with the complete edited program." in user["env_text"]
    assert user["num_turns"] == 1 + 3 + 2 and user["reward_extra"]["turns"] == 3.0

    # 2. keep_last_images=1: the third request shows the latest picture only; the older one's tokens
    # became the stand-in text, in the request and in the trained sequence
    assert [c["images"] for c in keep1["calls"]] == [[], [pics["good"]], [pics["edited"]]]
    assert keep1["images"] == 1 and keep1["older_pictures"] == 1
    one_picture = user["calls"][1]["image_tokens"]
    assert keep1["calls"][2]["image_tokens"] == keep1["sequence_image_tokens"] == one_picture

    # 3. pictures in tool results: two submit_code calls answered (max_turns=2 of three scripted)
    assert [c["images"] for c in tool["calls"]] == [[], [pics["good"]]]
    assert tool["tool_responses"] == 1 and tool["images"] == 1
    assert [t["turn"] for t in tool["codepaint_turns"]] == [1, 2] and tool["turn_scores"][1] > low

    # 4. reward_aggregation=best: an edit that broke the program does not cost the trajectory
    assert best["turn_scores"][1] == low < best["turn_scores"][0] == best["reward_extra"]["score"]
    assert [c["images"] for c in best["calls"]] == [[], [pics["edited"]]]

    # 5. a text model (no processor): the same loop without pictures, images left off by default
    (text,) = result["text"]
    assert [c["images"] for c in text["calls"]] == [[], [], []] and text["images"] == 0
    assert "failed to render (syntax)" in text["env_text"] and "The program rendered." in text["env_text"]
    assert "drew" not in text["env_text"]  # no picture is shown, so none is spoken of
    broken, good, edited = text["turn_scores"]
    assert broken == low < good and text["reward_extra"]["score"] == edited > low

    # 6. the reward's server is down: every turn unjudged and marked, the trajectory gets the configured
    # float (not a silent 0), and the pictures still came back (the programs rendered)
    (down,) = result["down"]
    assert down["turn_scores"] == [None, None, None]
    assert [t["judged"] for t in down["codepaint_turns"]] == [False, False, False]
    extra = down["reward_extra"]
    assert extra["judged"] == 0.0 and extra["value"] is None and extra["score"] == -0.25 == down["rm_at_last"]
    assert down["env_text"].count("This is what your program drew.") == 2
    assert extra["unjudged_turns"] == 3.0 and extra["codepaint/unjudged"] == 1.0
    assert "not judged" in down["env_text"]
    assert [c["images"] for c in down["calls"]] == [[], [pics["good"]], [pics["good"], pics["edited"]]]
    sys.stdout.write(proc.stdout[-500:])


def test_without_verl_the_import_says_how_to_install_it() -> None:
    # a broken installation raises with the fix (sys.modules["verl"] = None: verl cannot be imported)
    code = "import sys; sys.modules['verl'] = None; import codepaint_env.integrations.verl_agent"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "DependencyNotInstalled" in proc.stderr and "pip install verl==0.9.1" in proc.stderr
