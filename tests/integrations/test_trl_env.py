"""`CodePaintToolEnv`: the adapter on its own, and in real `GRPOTrainer(environment_factory=...)` runs."""

from __future__ import annotations

import functools
import inspect
import json
import math
import os
import pickle

import pytest
from PIL import Image

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # environment_factory is "experimental" in TRL 1.16

from rewards.embed.compat import ensure_torchvision

ensure_torchvision()  # before transformers/TRL import it (CPU torch + CUDA torchvision wheel)

from datasets import Dataset  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402
from transformers.utils import get_json_schema  # noqa: E402
from trl import GRPOTrainer  # noqa: E402
from trl.chat_template_utils import qwen2_5_chat_template  # noqa: E402

from codepaint_env.episode.messages import DREW, DREW_NOTHING  # noqa: E402
from codepaint_env.integrations.trl import CodePaintToolEnv  # noqa: E402
from codepaint_env.tasks import all_tasks, tasks_to_rows  # noqa: E402
from codepaint_env.testing import build_tiny_lm, tiny_grpo_config  # noqa: E402
from rewards.base import Reward, RewardResult, prompt_text  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.embed]

GOOD_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
            'fill="#fdf6e3"/><circle cx="32" cy="32" r="20" fill="#e63946"/></svg>')
BROKEN_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><circle cx='
ROWS = tasks_to_rows(all_tasks(language="svg")[:2])


def svg_env(renderer, **kwargs) -> CodePaintToolEnv:
    kwargs.setdefault("reward", "execution_gate")  # these tests read the gate's values
    return CodePaintToolEnv("CodePaint/SVG-v4", size=64, renderer=renderer, **kwargs)


class Unjudged(Reward):
    """A reward whose judge is always down."""

    id = "always_unjudged"

    def score_one(self, sample):
        return RewardResult.unjudged("judge down")


# --- the adapter without TRL ---------------------------------------------------------------------------


def test_episode_feedback_turn_budget_and_last_reward(renderer):
    env = svg_env(renderer, max_turns=2)
    row = ROWS[0]
    instruction = env.reset(**row)
    assert instruction.startswith("\n\n")  # TRL appends it to the user message as is
    assert "`submit_code`" in instruction and "SVG document" in instruction
    assert "1 more time (2 submissions in all); your last submission is scored" in instruction
    assert env.task.id == row["task_id"]
    assert env.get_reward() == -1.0 == env.no_submission_reward  # nothing submitted yet
    assert (env.turns_left, env.done) == (2, False)

    feedback = env.submit_code(f"```svg\n{GOOD_SVG}\n```")  # fences are fine
    assert feedback.startswith("Turn 1 of 2. The program rendered.")
    assert "Reward: 1.000" in feedback and "You have 1 submission left" in feedback
    assert env.get_reward() == 1.0 and env.history[0]["judged"] and env.history[0]["code"] == GOOD_SVG

    feedback = env.submit_code(BROKEN_SVG)
    assert "Turn 2 of 2. The program failed to render (syntax)" in feedback
    assert "not well-formed" in feedback and "Reward: -1.000" in feedback
    assert "broke the render" in feedback and "That was your last submission." in feedback
    assert env.get_reward() == -1.0  # the last submission counts
    assert (env.turns_left, env.done) == (0, True)

    feedback = env.submit_code(GOOD_SVG)  # over budget: not stepped, not scored
    assert "used all 2 submissions" in feedback and "not scored" in feedback
    assert len(env.history) == 2 and len(env.episode.turns) == 2 and env.get_reward() == -1.0

    # Pooled instances are reset between rollouts: nothing of the old episode survives.
    assert env.reset(**ROWS[1]) is not None
    assert env.task.id == ROWS[1]["task_id"]
    assert env.history == [] and env.get_reward() == -1.0 and env.turns_left == 2


def test_best_aggregation_single_turn_and_unjudged(renderer):
    env = svg_env(renderer, max_turns=3, reward_aggregation="best", no_submission_reward=-2.0)
    assert "your best submission is scored" in env.reset(**ROWS[0])
    assert env.get_reward() == -2.0
    env.submit_code(GOOD_SVG)
    env.submit_code(BROKEN_SVG)
    assert env.get_reward() == 1.0

    one = svg_env(renderer, max_turns=1)
    assert "You have one submission" in one.reset(**ROWS[0])
    assert "That was your last submission." in one.submit_code(GOOD_SVG)

    # Could not be judged -> None (TRL: NaN, left out of the group baseline, zero advantage), never 0.
    down = svg_env(renderer, reward=Unjudged(renderer=renderer), max_turns=2)
    down.reset(**ROWS[0])
    assert "Reward: not judged (judge down)." in down.submit_code(GOOD_SVG)
    assert down.get_reward() is None and down.history[0]["judged"] is False

    with pytest.raises(ValueError, match="reward_aggregation"):
        CodePaintToolEnv("CodePaint/SVG-v4", reward_aggregation="median")


def test_reset_resolves_the_task(renderer):
    env = svg_env(renderer)
    # An eval-split task is found too (split defaults to None).
    eval_row = tasks_to_rows([t for t in all_tasks(language="svg") if t.split == "eval"][:1])[0]
    env.reset(**eval_row)
    assert env.task.id == eval_row["task_id"]

    # Unknown id: an ad-hoc task from the row (last user message, metadata kept).
    chat = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Draw a blue square."}]
    env.reset(prompt=chat, task_id="my-square", language="svg", subject="square", colour_family="blue")
    task = env.task
    assert (task.id, task.prompt, task.subject, task.colour_family) == ("my-square", "Draw a blue square.",
                                                                       "square", "blue")
    env.reset(prompt=chat, task_id="my-sign", language="svg", allow_text=True, ocr=False)
    assert (env.task.allow_text, env.task.ocr) == (True, False)  # the text rules
    # A plain-text prompt with no id, and multimodal content parts.
    env.reset(prompt="Draw a green triangle.")
    assert (env.task.id, env.task.prompt) == ("custom", "Draw a green triangle.")
    env.reset(prompt=[{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "A moon."}]}])
    assert env.task.prompt == "A moon."

    # No prompt at all (the environment owns the data): it draws a task and returns its prompt.
    text = env.reset()
    assert text.startswith(env.task.prompt) and "`submit_code`" in text

    with pytest.raises(ValueError, match=r"'p5brush'.*'svg' environment"):
        env.reset(prompt="Paint a rose.", language="p5brush")
    fresh = svg_env(renderer)
    assert "No task" in fresh.submit_code(GOOD_SVG)


def test_tool_surface_schema_and_pickle():
    public = {n for n, _ in inspect.getmembers(CodePaintToolEnv, predicate=inspect.isfunction)
              if not n.startswith("_")}
    assert public == {"reset", "get_reward", "submit_code"}  # every other public function would be a tool

    env = CodePaintToolEnv("CodePaint/SVG-v4", size=64)  # the class is a zero-arg factory too
    schema = get_json_schema(env.submit_code)["function"]
    assert schema["name"] == "submit_code"
    assert schema["parameters"]["required"] == ["code"]
    assert schema["parameters"]["properties"]["code"]["type"] == "string"
    assert "complete program" in schema["parameters"]["properties"]["code"]["description"]
    assert isinstance(CodePaintToolEnv(), CodePaintToolEnv) and CodePaintToolEnv().language == "p5brush"

    copy = pickle.loads(pickle.dumps(env))  # pickles as its configuration (a fresh environment)
    assert isinstance(copy, CodePaintToolEnv) and copy.language == "svg" and copy.max_turns == 3
    assert copy.resources.settings.size == (64, 64)


def test_images_true_returns_the_picture_next_to_the_feedback(renderer):
    env = svg_env(renderer, max_turns=3, images=True)
    assert env.images and not svg_env(renderer).images
    env.reset(**ROWS[0])
    result = env.submit_code(GOOD_SVG)
    # The form TRL 1.16 passes into a VLM's forward pass: an image part, then the text part.
    assert isinstance(result, list) and [part["type"] for part in result] == ["image", "text"]
    picture, text = result[0]["image"], result[1]["text"]
    assert isinstance(picture, Image.Image) and picture.mode == "RGB" and picture.size == (64, 64)
    assert picture.getpixel((32, 32)) == (230, 57, 70) and picture.getpixel((2, 2)) == (253, 246, 227)
    # Every chat door's feedback: a policy shown its picture is told what it is (the episode core's words).
    assert text.startswith(f"{DREW}\nTurn 1 of 3. The program rendered.")
    assert "You have 2 submissions left" in text
    assert env.history[0]["feedback"] in text

    # No picture (the program failed before drawing anything): the feedback text alone, a plain string.
    broken = env.submit_code(BROKEN_SVG)
    assert isinstance(broken, str) and "failed to render (syntax)" in broken
    assert broken.startswith(f"{DREW_NOTHING}\n")

    # The default is text only: the same submission gives the same text, and no picture.
    plain = svg_env(renderer, max_turns=3)
    plain.reset(**ROWS[0])
    # a text policy is never told of pictures
    assert plain.submit_code(GOOD_SVG) == text.removeprefix(f"{DREW}\n")


def test_image_size_downscales_and_pickles(renderer):
    env = CodePaintToolEnv("CodePaint/SVG-v4", size=(96, 48), renderer=renderer, images=True, image_size=32)
    env.reset(**ROWS[0])
    picture = env.submit_code(GOOD_SVG)[0]["image"]
    assert picture.size == (32, 16)  # the longer side capped, the aspect ratio kept
    small = CodePaintToolEnv("CodePaint/SVG-v4", size=64, renderer=renderer, images=True, image_size=512)
    small.reset(**ROWS[0])
    assert small.submit_code(GOOD_SVG)[0]["image"].size == (64, 64)  # never upscaled

    env = CodePaintToolEnv("CodePaint/SVG-v4", size=64, images=True, image_size=32)
    copy = pickle.loads(pickle.dumps(env))
    assert copy.images and copy.resources.settings.image_size == 32
    with pytest.raises(ValueError, match="image_size"):
        CodePaintToolEnv("CodePaint/SVG-v4", images=True, image_size=0)


# --- a real GRPOTrainer run --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tool_tokenizer(tmp_path_factory):
    """The tiny LM's tokenizer with a chat template that TRL accepts for tool calling.

    `build_tiny_lm`'s ChatML-like template drops `tool_calls` and tool messages, so TRL 1.16 refuses it
    (`supports_tool_calling`), and `add_response_schema` only knows the templates of real model families.
    Its tokenizer has the same `<|im_start|>` / `<|im_end|>` special tokens as Qwen2.5, so we give it TRL's
    own copy of the Qwen2.5 template, verbatim (`trl.chat_template_utils.qwen2_5_chat_template`): TRL then
    sets the matching response parser and the template is prefix-preserving. `<|im_end|>` becomes the eos
    token as in Qwen2.5, so TRL's tool-suffix slicing trims the assistant turn at the token generation
    stops on (the model's generation config already stops on it).
    """
    path = build_tiny_lm(tmp_path_factory.mktemp("tiny-lm") / "model")
    tok = AutoTokenizer.from_pretrained(path)
    tok.chat_template = qwen2_5_chat_template
    tok.eos_token = "<|im_end|>"
    return str(path), tok


def _tool_call(code: str) -> str:
    """A Qwen2.5-style tool call, as a tool-calling model would write it."""
    call = json.dumps({"name": "submit_code", "arguments": {"code": code}})
    return f"<tool_call>\n{call}\n</tool_call><|im_end|>"


class FirstTurnScripted(GRPOTrainer):
    """Replaces the first two completions of the first generation with `submit_code` tool calls.

    The random tiny model never writes a parseable tool call, so this is how the test drives TRL's tool loop
    (parsing, calling our tool, appending its result, generating after it) through the environment.
    `_generate_single_turn` is a private TRL 1.16 method: the plain run below does not depend on it.
    """

    scripted = (_tool_call(GOOD_SVG), _tool_call(BROKEN_SVG))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scripted_done = False
        self.conversations = []  # the completions (assistant and tool messages) after each tool loop

    def _generate_single_turn(self, prompt_ids, *args, **kwargs):
        completion_ids, logprobs = super()._generate_single_turn(prompt_ids, *args, **kwargs)
        if not self.scripted_done:
            self.scripted_done = True
            for i, text in enumerate(self.scripted):
                completion_ids[i] = self.processing_class(text, add_special_tokens=False)["input_ids"]
        return completion_ids, logprobs

    def _tool_call_loop(self, *args, **kwargs):
        out = super()._tool_call_loop(*args, **kwargs)
        self.conversations.append(out[1])
        return out


def _run(trainer_cls, tool_tokenizer, renderer, output_dir, reward="execution_gate", rewarded=None):
    model_path, tok = tool_tokenizer
    instances, resets, submissions = [], [], []

    def factory() -> CodePaintToolEnv:
        env = CodePaintToolEnv("CodePaint/SVG-v4", size=64, max_turns=2, renderer=renderer, reward=reward)
        reset, submit, get_reward = env.reset, env.submit_code, env.get_reward

        def recording_reward():  # what TRL receives for each rollout, and whether it submitted
            value = get_reward()
            if rewarded is not None:
                rewarded.append((bool(env.history), value))
            return value

        def counting_reset(**example):
            resets.append(example["task_id"])
            return reset(**example)

        @functools.wraps(submit)  # TRL keys tools by __name__
        def recording_submit(code: str) -> str:
            feedback = submit(code)
            submissions.append((code, feedback))
            return feedback

        # Instance attributes: TRL calls them, but lists tools on the class, so the tool set is unchanged.
        env.reset, env.submit_code, env.get_reward = counting_reset, recording_submit, recording_reward
        instances.append(env)
        return env

    trainer = trainer_cls(
        model=model_path,
        processing_class=tok,
        train_dataset=Dataset.from_list(ROWS),
        environment_factory=factory,
        # Room in the completion budget for a tool call and its feedback (~450 tokens with this small
        # vocabulary), but each generation capped at 32 new tokens: generation dominates the run time.
        args=tiny_grpo_config(output_dir, max_completion_length=512, max_tool_calling_iterations=2,
                              generation_kwargs={"max_new_tokens": 32}),
    )
    trainer.train()
    assert trainer.state.global_step == 2
    # One probe instance, pooled, grown to one per concurrent rollout (1 prompt x 4 generations); each
    # rollout reset on its own row: 4 resets per step, every group on one task.
    assert len(instances) == 4
    assert len(resets) == 8 and set(resets) <= {r["task_id"] for r in ROWS}
    assert len(set(resets[:4])) == 1 and len(set(resets[4:])) == 1
    logs = [e for e in trainer.state.log_history if "reward" in e]
    assert [e["step"] for e in logs] == [1, 2]
    for entry in logs:
        assert math.isfinite(entry["rewards/CodePaintToolEnv/mean"]) and math.isfinite(entry["loss"])
        assert entry["reward"] == entry["rewards/CodePaintToolEnv/mean"]  # the only reward source
    return trainer, logs, submissions


def test_grpo_trains_two_steps_with_the_environment(tool_tokenizer, renderer, tmp_path):
    _, logs, submissions = _run(GRPOTrainer, tool_tokenizer, renderer, tmp_path / "run")
    # The random model never calls the tool: every rollout scores the no-submission reward.
    assert submissions == []
    for entry in logs:
        assert entry["rewards/CodePaintToolEnv/mean"] == -1.0 and entry["tools/call_frequency"] == 0.0


def test_grpo_tool_loop_calls_submit_code(tool_tokenizer, renderer, tmp_path):
    trainer, logs, submissions = _run(FirstTurnScripted, tool_tokenizer, renderer, tmp_path / "run")
    assert [code for code, _ in submissions] == [GOOD_SVG, BROKEN_SVG]
    assert "Reward: 1.000" in submissions[0][1] and "failed to render" in submissions[1][1]
    # The feedback went back into both conversations as the tool's answer (not rolled back as too long).
    first_batch = trainer.conversations[0]
    for i, (code, feedback) in enumerate(submissions):
        call, answer = first_batch[i][0], first_batch[i][1]
        assert call["tool_calls"][0]["function"] == {"name": "submit_code", "arguments": {"code": code}}
        assert answer == {"role": "tool", "name": "submit_code", "content": feedback}
    assert all(len(c) == 1 for c in first_batch[2:])  # the untouched rollouts made no call
    first, second = logs
    assert first["tools/call_frequency"] == 0.5 and first["tools/failure_frequency"] == 0.0
    assert first["rewards/CodePaintToolEnv/mean"] == pytest.approx((1.0 - 1.0 - 1.0 - 1.0) / 4)
    assert first["rewards/CodePaintToolEnv/std"] > 0  # a real learning signal within the group
    assert second["rewards/CodePaintToolEnv/mean"] == -1.0


def test_grpo_with_a_reward_that_raises_never_sees_the_no_submission_penalty_for_a_submission(
        tool_tokenizer, renderer, tmp_path):
    rewarded = []
    _, _, submissions = _run(FirstTurnScripted, tool_tokenizer, renderer, tmp_path / "run",
                             reward="support.contract:Raises", rewarded=rewarded)
    assert [code for code, _ in submissions] == [GOOD_SVG, BROKEN_SVG]  # the batch went on past the fault
    assert all("Reward: not judged (the reward 'raises' failed: RuntimeError" in f for _, f in submissions)
    assert len(rewarded) == 8  # 2 steps x 4 rollouts
    assert [r for submitted, r in rewarded if submitted] == [None, None]  # unjudged, never -1.0
    assert all(r == -1.0 for submitted, r in rewarded if not submitted)  # the others submitted nothing


# --- without a dataset: the environment draws, one task per GRPO group --------------------------------------


def test_grpo_without_a_dataset_starts_each_group_from_one_task(tool_tokenizer, tmp_path):
    from codepaint_env.episode.groups import GroupStarts

    model_path, tok = tool_tokenizer
    seed, group_size = 5701, 4  # a seed of this test's own: the process's count of its starts begins here
    starts, instances = [], []

    def factory() -> CodePaintToolEnv:
        env = CodePaintToolEnv("CodePaint/SVG", max_turns=1, num_generations=group_size, task_seed=seed)
        reset = env.reset

        def recording_reset(**example):
            text = reset(**example)
            starts.append((example, env.task.id, env.episode.render_seed, text))
            return text

        env.reset = recording_reset
        instances.append(env)
        return env

    trainer = GRPOTrainer(model=model_path, processing_class=tok, train_dataset=None,
                          environment_factory=factory,
                          args=tiny_grpo_config(tmp_path / "run", per_device_train_batch_size=8,
                                                num_generations=group_size, max_completion_length=16))
    trainer.train()
    assert trainer.state.global_step == 2 and len(instances) == 8
    # TRL gave every rollout the same placeholder row: the order of the starts is all that tells groups apart.
    assert len(starts) == 16 and all(example == starts[0][0] for example, *_ in starts)
    assert prompt_text(starts[0][0]["prompt"]) == ""
    groups = [starts[i:i + group_size] for i in range(0, len(starts), group_size)]
    for group in groups:  # one task and one render seed per group, its prompt shown to every sample
        assert len({(task_id, render_seed) for _, task_id, render_seed, _ in group}) == 1
        assert len({text for *_, text in group}) == 1
    tasks = [group[0][1] for group in groups]
    assert len(set(tasks)) == 4  # the groups differ
    # ... and the run's sequence is the rule's, a function of the seed alone.
    drawn_from = instances[0].resources.tasks
    assert tasks == [GroupStarts(drawn_from, group_size, seed).task_of(g).id for g in range(4)]
    assert tasks != [GroupStarts(drawn_from, group_size, seed + 1).task_of(g).id for g in range(4)]
