"""SkyRL-Gym: the codepaint ``BaseTextEnv``, made by the real ``skyrl_gym.make``, stepped as SkyRL steps it.

``skyrl-gym`` installs beside codepaint (the ``skyrl`` extra, in ``all``). The rows come from the
parquet builder (``--for skyrl``), read back as SkyRL reads them; the renders and rewards are real.
The loop that steps the env (:func:`rollout`) is written here: SkyRL's trainer and its generator
(``skyrl[skyrl-train]``) do not install on a CPU machine (docs/trainers.md says why).
"""

from __future__ import annotations

import base64
import copy
import io
from typing import Any

import pyarrow.parquet as pq
import pytest
import skyrl_gym
from omegaconf import OmegaConf
from PIL import Image
from skyrl_gym.envs.base_text_env import BaseTextEnv

from codepaint_env.cli import main as codepaint
from codepaint_env.integrations.skyrl import ENV_ID, CodePaintTextEnv, register_env
from codepaint_env.scoring.trainer import ENV_VARS

pytestmark = pytest.mark.browser

RED_DOT = ('```svg\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
           'fill="#fffbe6"/><circle cx="32" cy="32" r="22" fill="#d62828"/></svg>\n```')
RED_DOT_MOVED = RED_DOT.replace('cx="32"', 'cx="20"')
BROKEN = "```svg\n<svg xmlns='http://www.w3.org/2000/svg'><circle\n```"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="module")
def row(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("skyrl") / "svg.parquet"
    assert codepaint(["export", "parquet", "--suite", "svg", "--for", "skyrl", "--out", str(out)]) == 0
    first = pq.read_table(out).to_pylist()[0]
    first["extra_info"]["size"] = [64, 64]  # small canvases keep the test quick
    return first


def extras(row: dict[str, Any], max_turns: int) -> dict[str, Any]:
    # SkyRL's generator passes the row's fields other than the prompt, and sets max_turns
    extra = {k: copy.deepcopy(v) for k, v in row.items() if k not in ("prompt", "env_class")}
    return {**extra, "max_turns": max_turns}


def rollout(env: BaseTextEnv, prompt: list[dict[str, Any]], actions: list[str]) -> list[dict[str, Any]]:
    """What SkyRL's generator does with an env (written here, not SkyRL's): init, then step until done."""
    chat, _ = env.init(copy.deepcopy(prompt))
    outputs = []
    for action in actions:
        out = env.step(action)
        outputs.append(out)
        chat += [{"role": "assistant", "content": action}, *out["observations"]]
        if out["done"]:
            break
    env.close()
    return outputs


def test_registered_and_made_by_skyrl_gym(row: dict[str, Any]) -> None:
    register_env()
    register_env()  # again: a no-op
    env = skyrl_gym.make(ENV_ID, env_config=OmegaConf.create({}), extras=extras(row, 1))
    assert isinstance(env, CodePaintTextEnv) and isinstance(env, BaseTextEnv)
    [out] = rollout(env, row["prompt"], [RED_DOT])
    assert set(out) >= {"observations", "reward", "done", "metadata"}
    assert out["done"] is True and out["observations"] == []
    assert isinstance(out["reward"], float) and out["reward"] > 0  # gate:0.3,classic:0.7 on a drawing
    assert out["metadata"]["judged"] is True and out["metadata"]["task_id"] == row["extra_info"]["task_id"]
    metrics = env.get_metrics()
    assert metrics["turns"] == 1 and metrics["judged"] == 1.0
    assert CodePaintTextEnv.aggregate_metrics([metrics, metrics])["turns"] == 1.0


def test_multi_turn_refinement_with_pictures(row: dict[str, Any]) -> None:
    register_env()
    env = skyrl_gym.make(ENV_ID, env_config=OmegaConf.create({"images": True, "no_change_penalty": 0.1}),
                         extras=extras(row, 3))
    first, second, third = rollout(env, row["prompt"], [BROKEN, RED_DOT, RED_DOT])
    # turn 1: the program failed: the gate's minimum, feedback in text (no picture to show)
    assert first["done"] is False and first["metadata"]["error_kind"] == "syntax"
    [msg] = first["observations"]
    assert msg["role"] == "user" and "failed to render" in msg["content"]
    assert msg["content"].endswith("Reply with the complete edited program.")
    # turn 2: it rendered: the picture comes back as an image_url part before the feedback text
    assert second["done"] is False and second["reward"] > first["reward"]
    [msg] = second["observations"]
    image_part, text_part = msg["content"]
    assert image_part["type"] == "image_url" and text_part["type"] == "text"
    url = image_part["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as im:
        assert im.size == (64, 64)
        assert im.convert("RGB").getpixel((32, 32))[0] > 180  # the red dot is in the picture
    assert "Turn 2 of 3" in text_part["text"]
    # turn 3: the same program again: nothing changed, penalised, and the turn budget ends it
    assert third["done"] is True and third["observations"] == [] and third["metadata"]["no_change"] is True
    assert third["reward"] == pytest.approx(second["reward"] - 0.1)
    assert env.get_metrics()["turns"] == 3


def test_text_only_by_default_and_unjudged_turns_marked(row: dict[str, Any], monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setenv("CODEPAINT_SERVE_URL", "http://127.0.0.1:9")  # the scoring server is down
    env = CodePaintTextEnv({"unjudged_reward": -0.5}, extras(row, 2))
    first, second = rollout(env, row["prompt"], [RED_DOT, RED_DOT_MOVED])
    assert isinstance(first["observations"][0]["content"], str)  # text-only unless images: true
    assert "not judged" in first["observations"][0]["content"]
    assert first["reward"] == -0.5 and first["metadata"]["judged"] is False
    assert first["metadata"]["reason"].startswith("infra")
    assert second["done"] is True and env.get_metrics()["judged"] == 0.0


def test_bad_config_and_rows_say_what_is_wrong(row: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="unknown key"):
        CodePaintTextEnv({"imags": True}, extras(row, 1))
    with pytest.raises(ValueError, match=r"extra_info\.prompt"):
        CodePaintTextEnv({}, {"reward_spec": {}, "extra_info": {}})

