"""verl: the reward functions through verl's own reward managers, and the parquet dataset builder.

verl 0.9.1 pins transformers<5.11, so it lives in ``.venvs/verl`` (made by
``scripts/install-trainer-venvs.sh``, run by ``make test``). The test there builds a tiny
tokenizer, reads the parquet rows this module writes, makes verl ``DataProto`` batches of
real token ids, and scores them through verl's own code: ``RewardLoopWorker`` (verl 0.9's reward
loop, loading ``compute_score_async`` by ``pkg://`` as ``reward.custom_reward_function.path``
does) and the ``batch`` reward manager (``verl.workers.reward_manager.batch``) with
``compute_score_batch``. The renders are real (Chromium / resvg, in that venv's process).
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from codepaint_env.cli import main as codepaint
from codepaint_env.integrations import verl as cp_verl
from codepaint_env.scoring.trainer import ENV_VARS, Scored, TrainerConfig, fill_unjudged
from codepaint_env.tasks import load_suite
from codepaint_env.tasks.parquet import task_rows

pytestmark = [pytest.mark.browser, pytest.mark.trainer_venv]

ROOT = Path(__file__).resolve().parents[2]
VERL_PYTHON = ROOT / ".venvs" / "verl" / "bin" / "python"

GOOD = ('```svg\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
        'fill="#f4f1e8"/><circle cx="32" cy="30" r="18" fill="#c1272d"/><rect x="30" y="44" width="4" '
        'height="18" fill="#2d6a4f"/></svg>\n```')
BROKEN = "```svg\n<svg xmlns='http://www.w3.org/2000/svg'><circle r='5'\n```"
DEAD_URL = "http://127.0.0.1:9"  # discard port: nothing listens, the connection is refused at once


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


# ---------------------------------------------------------------------- the contract, in .venv
def test_signatures_are_verls() -> None:
    # verl calls compute_score(data_source=, solution_str=, ground_truth=, extra_info=) by keyword
    # (naive managers), and the batch manager compute_score(data_sources=, solution_strs=,
    # ground_truths=, extra_infos=, **reward_kwargs)
    for fn in (cp_verl.compute_score, cp_verl.compute_score_async):
        params = list(inspect.signature(fn).parameters.values())
        assert [p.name for p in params[:4]] == ["data_source", "solution_str", "ground_truth", "extra_info"]
        assert params[3].default is None and params[4].kind is inspect.Parameter.VAR_KEYWORD
    assert inspect.iscoroutinefunction(cp_verl.compute_score_async)
    assert not inspect.iscoroutinefunction(cp_verl.compute_score)
    params = list(inspect.signature(cp_verl.compute_score_batch).parameters)
    assert params[:4] == ["data_sources", "solution_strs", "ground_truths", "extra_infos"]


def test_default_reward_scores_offline_and_a_broken_program_gets_the_minimum(clean_env: Any) -> None:
    row = task_rows(load_suite("svg", split="train")[:1])[0]
    info = {**row["extra_info"], "size": [64, 64], "num_turns": 1, "rollout_reward_scores": {}}
    good = cp_verl.compute_score(row["data_source"], GOOD, row["reward_model"]["ground_truth"], info)
    broken = cp_verl.compute_score(row["data_source"], BROKEN, row["reward_model"]["ground_truth"], info)
    assert set(good) == set(broken) == set(cp_verl.ANSWER_KEYS)
    assert isinstance(good["score"], float) and good["judged"] == 1.0 and good["rendered"] == 1.0
    assert good["error_kind"] == "" and good["value"] == good["score"]
    # gate:0.3,classic:0.7: a failed render is the composite's minimum, a real score (judged)
    reward = TrainerConfig().build_reward()
    assert broken["score"] == reward.value_range[0] and broken["judged"] == 1.0
    assert broken["rendered"] == 0.0 and broken["error_kind"] == "syntax"
    assert good["score"] > broken["score"]


def test_the_task_text_rules_reach_the_gate(clean_env: Any) -> None:
    # A task that allows text (a clock's numerals) keeps allow_text through verl's extra_info;
    # without it, a p5 sketch that writes words would fail the gate's text check.
    clock = ("function setup(){createCanvas(96,96);background(250);fill(20);textSize(18);"
             "text('12', 38, 30);noFill();circle(48,48,80)}")
    base = {"language": "p5", "size": [96, 96], "task_id": "clock"}
    allowed = cp_verl.compute_score("codepaint", clock, "clock", {**base, "allow_text": True, "ocr": False})
    refused = cp_verl.compute_score("codepaint", clock, "clock", {**base, "allow_text": False, "ocr": False})
    lowest = TrainerConfig().build_reward().value_range[0]
    assert allowed["score"] > refused["score"] and refused["score"] == lowest


def test_unjudged_items_get_the_configured_float_and_are_marked(clean_env: Any) -> None:
    clean_env.setenv("CODEPAINT_SERVE_URL", DEAD_URL)
    clean_env.setenv("CODEPAINT_UNJUDGED_REWARD", "-0.25")
    out = cp_verl.compute_score_batch(["codepaint/svg"] * 2, [GOOD, BROKEN], ["a", "b"],
                                      [{"language": "svg"}, {"language": "svg"}])
    for answer in out:
        assert answer["score"] == -0.25 and answer["value"] is None and answer["judged"] == 0.0
        assert answer["rendered"] is None  # a server (here: none) would have rendered


def test_group_mean_gives_an_unjudged_item_zero_grpo_advantage() -> None:
    config = TrainerConfig(unjudged_group_mean=True, unjudged_reward=0.0)
    scored = [Scored(0.2, 0.2, True), Scored(0.0, None, False), Scored(0.8, 0.8, True),
              Scored(0.0, None, False), Scored(0.5, 0.5, True)]
    groups = ["a", "a", "a", "b", "c"]
    fill_unjudged(scored, groups, config)
    assert [s.reward for s in scored] == [0.2, 0.5, 0.8, 0.0, 0.5]  # "b" has no judged item: unchanged
    group_a = [s.reward for s in scored[:3]]
    assert group_a[1] - sum(group_a) / 3 == pytest.approx(0.0)  # GRPO: (r - mean) / std = 0
    assert TrainerConfig.from_environ({"CODEPAINT_UNJUDGED_REWARD": "group_mean"}).unjudged_group_mean
    with pytest.raises(ValueError, match="CODEPAINT_UNJUDGED_REWARD"):
        TrainerConfig.from_environ({"CODEPAINT_UNJUDGED_REWARD": "zero"})
    with pytest.raises(ValueError, match="CODEPAINT_SIZE"):
        TrainerConfig.from_environ({"CODEPAINT_SIZE": "big"})


def test_parquet_rows_are_verls_and_skyrls(tmp_path: Path) -> None:
    out = tmp_path / "svg-train.parquet"
    assert codepaint(["export", "parquet", "--suite", "svg", "--split", "train", "--out", str(out)]) == 0
    table = pq.read_table(out)
    assert table.column_names == ["data_source", "prompt", "ability", "reward_model", "extra_info"]
    rows = table.to_pylist()
    assert len(rows) == len(load_suite("svg", split="train"))
    first = rows[0]
    assert first["data_source"] == "codepaint/svg" and first["ability"] == "creative_code"
    assert [m["role"] for m in first["prompt"]] == ["system", "user"]
    assert first["reward_model"] == {"style": "rule", "ground_truth": first["extra_info"]["task_id"]}
    assert first["extra_info"]["language"] == "svg" and first["extra_info"]["size"] == [512, 512]
    assert first["prompt"][1]["content"] == first["extra_info"]["prompt"]
    assert [r["extra_info"]["index"] for r in rows] == list(range(len(rows)))

    sky = tmp_path / "sky.parquet"
    assert codepaint(["export", "parquet", "--suite", "tikz", "--split", "eval", "--for", "skyrl",
                      "--no-system-prompt", "--out", str(sky)]) == 0
    srow = pq.read_table(sky).to_pylist()[0]
    assert srow["env_class"] == "codepaint" and srow["reward_spec"]["method"] == "rule"
    assert [m["role"] for m in srow["prompt"]] == ["user"] and srow["extra_info"]["split"] == "eval"
    empty = tmp_path / "none.parquet"
    assert codepaint(["export", "parquet", "--suite", "svg", "--language", "tikz", "--out", str(empty)]) == 2


# ---------------------------------------------------------------------- verl's own reward managers
VERL_SCRIPT = r'''
from rewards.embed.compat import ensure_torchvision; ensure_torchvision()  # PyPI torchvision: a CUDA build
import asyncio, json, os, sys
import numpy as np
import torch
from omegaconf import OmegaConf
from transformers import AutoTokenizer

from verl import DataProto
from verl.experimental.reward_loop.reward_loop import RewardLoopWorker
from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager
from verl.trainer.ppo.reward import get_custom_reward_fn
from verl.workers.reward_manager.batch import BatchRewardManager

tok_dir, parquet, out_path, good, broken = sys.argv[1:6]
import pandas as pd  # verl's RLHFDataset reads parquet into rows like these
rows = pd.read_parquet(parquet).to_dict("records")[:2]
tok = AutoTokenizer.from_pretrained(tok_dir)


def batch(responses):
    """A verl rollout batch: left-padded prompts, right-padded responses, as the rollout writes them."""
    items = [(row, text) for row in rows for text in responses]
    prompts = [tok.apply_chat_template(list(r["prompt"]), add_generation_prompt=True, tokenize=True)
               for r, _ in items]
    prompts = [p["input_ids"] if hasattr(p, "keys") else p for p in prompts]
    answers = [tok.encode(t, add_special_tokens=False) + [tok.eos_token_id] for _, t in items]
    lp, lr = max(map(len, prompts)), max(map(len, answers))
    pad = tok.pad_token_id
    p_ids = torch.tensor([[pad] * (lp - len(p)) + p for p in prompts])
    r_ids = torch.tensor([a + [pad] * (lr - len(a)) for a in answers])
    mask = torch.tensor([[0] * (lp - len(p)) + [1] * len(p) + [1] * len(a) + [0] * (lr - len(a))
                         for p, a in zip(prompts, answers)])
    non_tensors = {
        "data_source": np.array([r["data_source"] for r, _ in items], dtype=object),
        "reward_model": np.array([dict(r["reward_model"]) for r, _ in items], dtype=object),
        "extra_info": np.array([{**r["extra_info"], "size": [64, 64]} for r, _ in items], dtype=object),
    }
    return DataProto.from_dict(tensors={"prompts": p_ids, "responses": r_ids, "attention_mask": mask,
                                        "input_ids": torch.cat([p_ids, r_ids], dim=1)},
                               non_tensors=non_tensors), [len(a) for a in answers]


config = OmegaConf.create({
    "actor_rollout_ref": {"model": {"path": tok_dir, "tokenizer_path": None}},
    "reward": {
        "num_workers": 1,
        "custom_reward_function": {"path": "pkg://codepaint_env.integrations.verl",
                                   "name": "compute_score_async", "reward_kwargs": {}},
        "reward_manager": {"source": "register", "name": "naive", "module": {"path": None, "name": "x"}},
        "reward_model": {"enable": False},
        "sandbox_fusion": None,
    },
})
out = {}

# 1. verl 0.9's reward loop: RewardLoopWorker loads compute_score_async by pkg:// and awaits a batch
worker = RewardLoopWorker(config)
assert type(worker.reward_manager) is NaiveRewardManager and worker.reward_manager.is_async_reward_score
data, lengths = batch([good, broken])
results = worker.loop.run_until_complete(worker.compute_score_batch(data))
rm_scores = NaiveRewardManager.assemble_rm_scores(data, [r["reward_score"] for r in results])
out["loop"] = {"scores": [r["reward_score"] for r in results],
               "extra": [r["reward_extra_info"] for r in results],
               "at_last_token": [rm_scores[i, lengths[i] - 1].item() for i in range(len(results))],
               "elsewhere": float(rm_scores.abs().sum() - sum(abs(r["reward_score"]) for r in results))}

# 2. the legacy batch reward manager with compute_score_batch, reward_kwargs from the config
config.reward.custom_reward_function.name = "compute_score_batch"
config.reward.custom_reward_function.reward_kwargs = {"unjudged_reward": -0.5}
fn = get_custom_reward_fn(config)
manager = BatchRewardManager(tok, num_examine=0, compute_score=fn)
data, lengths = batch([good, broken])
res = manager(data, return_dict=True)
out["batch"] = {"scores": [res["reward_tensor"][i, lengths[i] - 1].item() for i in range(len(lengths))],
                "extra": {k: list(v) for k, v in res["reward_extra_info"].items()}}

# 3. the same manager with the reward on a codepaint server that is down: unjudged, marked
os.environ["CODEPAINT_SERVE_URL"] = "http://127.0.0.1:9"
res = manager(batch([good])[0], return_dict=True)
out["down"] = {k: list(v) for k, v in res["reward_extra_info"].items()}
json.dump(out, open(out_path, "w"))
'''


def test_verl_reward_managers_score_through_codepaint(tmp_path: Path) -> None:
    from codepaint_env.testing import build_tiny_lm

    assert VERL_PYTHON.exists(), "no .venvs/verl: run scripts/install-trainer-venvs.sh (make test does)"
    tok_dir = build_tiny_lm(tmp_path / "tiny")
    parquet = tmp_path / "train.parquet"
    assert codepaint(["export", "parquet", "--suite", "svg", "--out", str(parquet)]) == 0
    script = tmp_path / "verl_check.py"
    script.write_text(VERL_SCRIPT)
    out = tmp_path / "out.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEPAINT_")}
    proc = subprocess.run([str(VERL_PYTHON), str(script), str(tok_dir), str(parquet), str(out), GOOD, BROKEN],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    result = json.loads(out.read_text())

    loop = result["loop"]  # rows x [good, broken]
    good_a, broken_a, good_b, broken_b = loop["scores"]
    low = TrainerConfig().build_reward().value_range[0]
    assert broken_a == broken_b == low and good_a > low and good_b > low
    # verl's rm_scores tensor (float32): each score at the response's last valid token, 0 elsewhere
    assert loop["at_last_token"] == pytest.approx(loop["scores"], abs=1e-6)
    assert loop["elsewhere"] == pytest.approx(0.0, abs=1e-5)
    assert [e["judged"] for e in loop["extra"]] == [1.0] * 4
    assert [e["error_kind"] for e in loop["extra"]] == ["", "syntax", "", "syntax"]

    batch = result["batch"]
    assert batch["scores"] == pytest.approx(loop["scores"], abs=1e-6)  # same reward, same renders
    assert batch["extra"]["rendered"] == [1.0, 0.0, 1.0, 0.0]

    down = result["down"]
    assert down["judged"] == [0.0, 0.0] and down["score"] == [-0.5, -0.5] and down["value"] == [None, None]
    sys.stdout.write(proc.stdout[-500:])
