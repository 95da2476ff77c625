"""Vision-language policies: the tiny local VLM, and GRPO runs where the policy sees its pictures.

`CodePaintToolEnv(images=True)` returns each render as an image part of the tool result; these tests check
that TRL 1.16 carries that picture into the model: into the vision tower while it generates after the tool
call, and as `pixel_values` in the training forward pass (forward hooks on the real model, no mocks).
"""

from __future__ import annotations

import functools
import math
import os

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # environment_factory is "experimental" in TRL 1.16

from codepaint_env.compat import ensure_torchvision

ensure_torchvision()  # before transformers/TRL import it (CPU torch + CUDA torchvision wheel)

import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import AutoModelForImageTextToText, AutoProcessor  # noqa: E402
from trl.chat_template_utils import (  # noqa: E402
    add_response_schema,
    is_chat_template_prefix_preserving,
    supports_tool_calling,
)

from codepaint_env.tasks import all_tasks, tasks_to_rows  # noqa: E402
from codepaint_env.testing import (  # noqa: E402
    build_tiny_vlm,
    qwen_tool_call,
    scripted_tool_calls_trainer,
    tiny_grpo_config,
)
from codepaint_env.testing.tiny_vlm import VLM_MARKER_FILE  # noqa: E402
from codepaint_env.trl_env import CodePaintToolEnv  # noqa: E402

GOOD_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
            'fill="#fdf6e3"/><circle cx="32" cy="32" r="20" fill="#e63946"/></svg>')
BROKEN_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><circle cx='
ROWS = tasks_to_rows(all_tasks(language="svg")[:2])


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
    env = CodePaintToolEnv("CodePaint/SVG-v0", size=256, renderer=renderer, images=True)
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
    assert f"<tool_response>\n{picture}Turn 1 of 3. The program rendered." in text
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
        env = CodePaintToolEnv("CodePaint/SVG-v0", size=64, max_turns=2, renderer=renderer, images=True)
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
