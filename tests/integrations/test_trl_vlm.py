"""Vision-language policies: the tiny local VLM, and GRPO runs where the policy sees its pictures.

`CodePaintToolEnv(images=True)` returns each render as an image part of the tool result; these tests check
that TRL 1.16 carries that picture into the model: into the vision tower while it generates after the tool
call, and as `pixel_values` in the training forward pass (forward hooks on the real model, no mocks).
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # environment_factory is "experimental" in TRL 1.16

from rewards.embed.compat import ensure_torchvision

ensure_torchvision()  # before transformers/TRL import it (CPU torch + CUDA torchvision wheel)

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from PIL import Image  # noqa: E402
from transformers import AutoModelForImageTextToText, AutoProcessor  # noqa: E402
from trl.chat_template_utils import (  # noqa: E402
    add_response_schema,
    is_chat_template_prefix_preserving,
    supports_tool_calling,
)

from codepaint_env.envs.vlm_messages import (  # noqa: E402
    DREW,
    DREW_NOTHING,
    REVISE,
    ChatMessages,
    observation_messages,
)
from codepaint_env.integrations.trl import CodePaintToolEnv  # noqa: E402
from codepaint_env.tasks import all_tasks, tasks_to_rows  # noqa: E402
from codepaint_env.testing import (  # noqa: E402
    build_tiny_vlm,
    qwen_tool_call,
    scripted_tool_calls_trainer,
    tiny_grpo_config,
)
from codepaint_env.testing.chat_server import LoopbackChatServer, openai_error  # noqa: E402
from codepaint_env.testing.judge_server import JudgeServer, image_stats  # noqa: E402
from codepaint_env.testing.tiny_vlm import VLM_MARKER_FILE  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.embed]

GOOD_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
            'fill="#fdf6e3"/><circle cx="32" cy="32" r="20" fill="#e63946"/></svg>')
BROKEN_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><circle cx='
ROWS = tasks_to_rows(all_tasks(language="svg")[:2])
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny_vlm(tmp_path_factory):
    return build_tiny_vlm(tmp_path_factory.mktemp("tiny-vlm") / "model")


def test_tiny_vlm_loads_like_a_checkpoint(tiny_vlm, renderer):
    files = {p.name for p in tiny_vlm.iterdir()}
    assert {"config.json", "model.safetensors", "processor_config.json", "tokenizer.json",
            "chat_template.jinja", VLM_MARKER_FILE} <= files
    assert build_tiny_vlm(tiny_vlm) == tiny_vlm  # a matching build is kept as it is
    with pytest.raises(ValueError, match="max_image_side"):
        build_tiny_vlm(tiny_vlm, max_image_side=50)

    processor = AutoProcessor.from_pretrained(tiny_vlm)
    model = AutoModelForImageTextToText.from_pretrained(tiny_vlm)
    assert type(model).__name__ == "Qwen3VLForConditionalGeneration"
    assert sum(p.numel() for p in model.parameters()) < 1_000_000
    # TRL recognises the template: tool calling, prefix preservation, Qwen's tool-call parser.
    assert supports_tool_calling(processor) and is_chat_template_prefix_preserving(processor)
    add_response_schema(processor)
    prompt = processor.apply_chat_template([{"role": "user", "content": [{"type": "text", "text": "Draw."}]}],
                                           add_generation_prompt=True, tokenize=False)
    text = qwen_tool_call("submit_code", {"code": GOOD_SVG})
    call = processor.tokenizer.parse_response(text, prefix=prompt)
    assert call["tool_calls"][0]["function"] == {"name": "submit_code", "arguments": {"code": GOOD_SVG}}

    # A tool message carrying the environment's picture becomes image tokens plus pixel values.
    env = CodePaintToolEnv("CodePaint/SVG-v4", size=256, renderer=renderer, images=True,
                           reward="execution_gate")
    env.reset(**ROWS[0])
    result = env.submit_code(GOOD_SVG)
    conversation = [
        {"role": "user", "content": [{"type": "text", "text": "Draw a red dot."}]},
        {"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": {"name": "submit_code", "arguments": {"code": GOOD_SVG}}}]},
        {"role": "tool", "name": "submit_code", "content": result},
    ]
    enc = processor.apply_chat_template(conversation, add_generation_prompt=True, tokenize=True,
                                        return_dict=True, return_tensors="pt")
    text = processor.tokenizer.decode(enc["input_ids"][0])
    # 256 px resized to 64 px: 4 x 4 patches of 16 px, merged 2 x 2 into 4 image tokens.
    picture = "<|vision_start|>" + "<|image_pad|>" * 4 + "<|vision_end|>"
    # the picture, then what every chat door says of it, then the feedback lines
    drew = "This is what your program drew."
    assert f"<tool_response>\n{picture}{drew}\nTurn 1 of 3. The program rendered." in text
    assert enc["image_grid_thw"].tolist() == [[1, 4, 4]]
    assert enc["pixel_values"].shape == (16, 3 * 2 * 16 * 16)  # patches x (channels x frames x 16 x 16)
    with torch.no_grad():
        out = model(**enc)
    assert out.logits.shape[:2] == enc["input_ids"].shape and torch.isfinite(out.logits).all()


class VisionProbe:
    """Forward hooks on the real model: what reached the vision tower and the model's forward pass."""

    def __init__(self, model):
        self.encoded = []  # (grad enabled, image_grid_thw) for every run of the vision tower
        self.forwards = []  # (grad enabled, pixel_values, image_grid_thw, mm_token_type_ids) if pixels given
        model.model.visual.register_forward_pre_hook(self._on_visual, with_kwargs=True)
        model.register_forward_pre_hook(self._on_forward, with_kwargs=True)

    def _on_visual(self, module, args, kwargs):
        self.encoded.append((torch.is_grad_enabled(), kwargs["grid_thw"].tolist()))

    def _on_forward(self, module, args, kwargs):
        if kwargs.get("pixel_values") is not None:
            self.forwards.append((torch.is_grad_enabled(), kwargs["pixel_values"].detach().clone(),
                                  kwargs["image_grid_thw"].tolist(), kwargs["mm_token_type_ids"].clone()))


def test_grpo_two_steps_with_pictures_in_the_tool_results(tiny_vlm, renderer, tmp_path):
    trainer_cls = scripted_tool_calls_trainer([qwen_tool_call("submit_code", {"code": GOOD_SVG}),
                                               qwen_tool_call("submit_code", {"code": BROKEN_SVG})])
    results = []

    def factory() -> CodePaintToolEnv:
        env = CodePaintToolEnv("CodePaint/SVG-v4", size=64, max_turns=2, renderer=renderer, images=True,
                               reward="execution_gate")
        submit = env.submit_code

        @functools.wraps(submit)  # TRL keys tools by __name__
        def recording_submit(code: str):
            result = submit(code)
            results.append(result)
            return result

        env.submit_code = recording_submit  # TRL lists tools on the class: the tool set is unchanged
        return env

    trainer = trainer_cls(
        model=str(tiny_vlm),
        train_dataset=Dataset.from_list(ROWS),
        environment_factory=factory,
        args=tiny_grpo_config(tmp_path / "run", max_completion_length=512, max_tool_calling_iterations=2,
                              generation_kwargs={"max_new_tokens": 24}),
    )
    probe = VisionProbe(trainer.model)
    trainer.train()
    assert trainer.state.global_step == 2

    # The environment answered the two scripted calls: the picture and its feedback, then text alone.
    assert len(results) == 2
    good, broken = results
    assert [part["type"] for part in good] == ["image", "text"] and "Reward: 1.000" in good[1]["text"]
    assert isinstance(broken, str) and "failed to render" in broken

    # The picture reached the model: the vision tower encoded it (4 x 4 patches) while the policy generated
    # after the tool call, and the training forward pass got exactly its pixel values, with its 4 image tokens
    # in the sequence of the rollout that submitted it.
    assert (False, [[1, 4, 4]]) in probe.encoded
    expected = trainer.processing_class.image_processor(images=[good[0]["image"]], return_tensors="pt")
    training = [f for f in probe.forwards if f[0]]
    assert len(training) == 1, [f[2] for f in probe.forwards]
    _, pixel_values, grid, mm_token_type_ids = training[0]
    assert grid == [[1, 4, 4]] and torch.equal(pixel_values, expected["pixel_values"])
    assert mm_token_type_ids.sum(dim=1).tolist() == [4, 0, 0, 0]
    assert (True, [[1, 4, 4]]) in probe.encoded  # and the vision tower ran with gradients

    logs = [e for e in trainer.state.log_history if "reward" in e]
    assert [e["step"] for e in logs] == [1, 2]
    first, second = logs
    assert first["tools/call_frequency"] == 0.5 and first["tools/failure_frequency"] == 0.0
    assert first["rewards/CodePaintToolEnv/mean"] == pytest.approx((1.0 - 1.0 - 1.0 - 1.0) / 4)
    assert second["rewards/CodePaintToolEnv/mean"] == -1.0  # the random model never calls the tool itself
    assert all(math.isfinite(e["loss"]) for e in logs)


# --- observation -> chat messages for a VLM policy behind an OpenAI-compatible endpoint -------------------


def _picture_of(part) -> np.ndarray:
    """The pixels of an `image_url` part's PNG data URL."""
    url = part["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))


def test_chat_messages_wrapper_shows_the_last_picture(renderer):
    base = gym.make("CodePaint/SVG-v4", size=64, max_turns=3, renderer=renderer)
    env = ChatMessages(base, system="Be brief.")
    obs, info = env.reset(options={"prompt": "A red dot on cream."})
    assert info["messages"] == [{"role": "system", "content": "Be brief."},
                                {"role": "user", "content": "A red dot on cream."}]

    obs, _, _, _, info = env.step(GOOD_SVG)
    system, request, answer, shown = info["messages"]
    assert (system["role"], request["content"]) == ("system", "A red dot on cream.")
    assert answer == {"role": "assistant", "content": f"```svg\n{GOOD_SVG}\n```"}
    assert shown["role"] == "user" and [p["type"] for p in shown["content"]] == ["image_url", "text"]
    assert np.array_equal(_picture_of(shown["content"][0]), obs["image"])  # the render, pixel for pixel
    text = shown["content"][1]["text"]
    assert text.startswith(DREW) and obs["feedback"] in text and text.endswith(REVISE)

    obs, _, _, _, info = env.step(BROKEN_SVG)  # nothing drawn: no picture, and the policy is told so
    shown = info["messages"][-1]
    assert [p["type"] for p in shown["content"]] == ["text"]
    assert shown["content"][0]["text"].startswith(DREW_NOTHING)

    # The stateless form infers "nothing drawn" from the all-zero observation image; pictures downscale.
    assert [p["type"] for p in observation_messages(obs)[-1]["content"]] == ["text"]
    image = np.full((96, 48, 3), 200, np.uint8)
    big = {"prompt": "p", "code": "c", "image": image, "feedback": "f", "turn": 1}
    part = observation_messages(big, max_side=32, detail="low")[-1]["content"][0]
    assert _picture_of(part).shape == (32, 16, 3) and part["image_url"]["detail"] == "low"


def test_a_vlm_endpoint_receives_the_picture(renderer):
    """The stand-in judge as the policy endpoint: it describes the images a request carries."""
    import openai

    env = ChatMessages(gym.make("CodePaint/SVG-v4", size=64, max_turns=3, renderer=renderer))
    env.reset(options={"prompt": "A red dot on cream."})
    obs, _, _, _, info = env.step(GOOD_SVG)
    with JudgeServer() as server:
        client = openai.OpenAI(base_url=server.url, api_key="x")
        reply = client.chat.completions.create(model="policy", messages=info["messages"])
        text = reply.choices[0].message.content
        stats = image_stats(Image.fromarray(obs["image"]))
        assert text.startswith(f"Image 1: {stats['coverage']:.0%} of the canvas is painted")  # ~31 %: the dot
        assert f"({stats['colourfulness']:.0f})" in text and "Image 2" not in text
        _, _, _, _, info = env.step(BROKEN_SVG)
        reply = client.chat.completions.create(model="policy", messages=info["messages"])
        assert "send images to get a critique" in reply.choices[0].message.content  # text only this time


def test_self_refine_shows_the_policy_its_picture(tmp_path):
    """examples/self_refine.py, the stand-in as policy and judge: the revision request carries the picture.

    The stand-in answers the first (text-only) request with a sentence; as HTML that renders as a page of
    text, whose picture goes back with the critique. The stand-in's answer to that request describes it.
    """
    with JudgeServer() as server:
        out = subprocess.run(
            [sys.executable, "examples/self_refine.py", "--policy-model", "standin",
             "--judge-model", "standin", "--base-url", server.url, "--api-key", "x", "--language", "html",
             "--prompt", "a poster",
             "--iterations", "2", "--size", "128", "--output-dir", str(tmp_path / "run")],
            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    first = (tmp_path / "run" / "iter-01" / "program.txt").read_text()
    second = (tmp_path / "run" / "iter-02" / "program.txt").read_text()
    assert "send images to get a critique" in first  # the first request has no picture yet
    stats = image_stats(Image.open(tmp_path / "run" / "iter-01" / "render.png").convert("RGB"))
    assert second.startswith(f"Image 1: {stats['coverage']:.0%} of the canvas is painted")


class TextOnlyEndpoint(LoopbackChatServer):
    """The loopback stand-in server as a text model's endpoint: a request with images is a 400."""

    def __init__(self):
        super().__init__()
        self.bodies = []
        self.start()

    def complete(self, body):
        body = json.loads(body)
        self.bodies.append(body)
        if "image_url" in json.dumps(body["messages"]):
            return 400, openai_error("this model does not accept images"), None
        return 200, {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                     "choices": [{"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": "<svg/>"}}]}, None

    def close(self):
        self.stop()


def _self_refine_module():
    spec = importlib.util.spec_from_file_location("self_refine", ROOT / "examples" / "self_refine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_self_refine_policy_falls_back_to_text_when_images_are_rejected(capsys):
    import openai

    module = _self_refine_module()
    endpoint = TextOnlyEndpoint()
    try:
        history = [{"code": "<svg/>", "critique": "Too empty.", "image": Image.new("RGB", (8, 8), "red")}]
        auto = module.ModelPolicy("text-model", endpoint.url, "x", "svg", images="auto")
        assert auto.write("a dot", history) == "<svg/>" and auto.write("a dot", history) == "<svg/>"
        # auto: tried once with the picture (400), then text only, and never the picture again.
        with_picture = ["image_url" in json.dumps(b) for b in endpoint.bodies]
        assert with_picture == [True, False, False] and auto.images == "no"
        err = capsys.readouterr().err
        assert "rejected the picture (Error code: 400 - this model does not accept images)" in err

        strict = module.ModelPolicy("text-model", endpoint.url, "x", "svg", images="yes")
        with pytest.raises(openai.BadRequestError, match="does not accept images"):
            strict.write("a dot", history)
        never = module.ModelPolicy("text-model", endpoint.url, "x", "svg", images="no")
        assert never.write("a dot", history) == "<svg/>"
        assert "image_url" not in json.dumps(endpoint.bodies[-1])
    finally:
        endpoint.close()
