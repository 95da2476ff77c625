"""The learners build their tensors where the model is: a LoRA pass, a round's training, a GRPO step.

``--device cuda`` failed in :func:`~codepaint_env.policy.learning.lora.sft_pass` with "Expected all
tensors to be on the same device": its batches were built on the CPU. Every tensor handed to the
model's forward is recorded here (a forward pre-hook) and must live where the model's parameters
do. The GRPO step is TRL's own, its rollouts from :func:`~codepaint_env.policy.learning.grpo.
engine_rollouts` asked for ``cuda``: on a machine where CTranslate2 cannot run there, the trainer's
model itself decodes them through the transformers engine. Each test runs on the CPU, and on a GPU
too where torch sees one.
"""

from __future__ import annotations

import importlib.util
import warnings

import pytest

pytestmark = pytest.mark.embed

if any(importlib.util.find_spec(m) is None for m in ("ctranslate2", "torch", "peft", "trl")):
    pytest.skip("needs the local-model and train extras: pip install 'codepaint[local-model,train]'",
                allow_module_level=True)

import torch  # noqa: E402
import transformers  # noqa: E402

from codepaint_env.policy.engines import reset_probes  # noqa: E402
from codepaint_env.policy.learning.lora import (  # noqa: E402
    LoraSettings,
    _padded,
    model_device,
    sft_pass,
    with_adapter,
)
from codepaint_env.testing import build_tiny_lm  # noqa: E402

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]
LORA = LoraSettings(rank=4, alpha=8)
EXAMPLES = [([1, 2, 3], [4, 5, 6, 7]), ([2, 3], [9, 8, 7]), ([5], [6, 6, 6, 6, 6], [1, 0, 1, 1, 0])] * 2


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CODEPAINT_CACHE_DIR", str(tmp_path_factory.mktemp("device-cache")))
        yield


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    torch.set_num_threads(1)
    return build_tiny_lm(tmp_path_factory.mktemp("tiny") / "lm", init_std=0.5)


class ForwardDevices:
    """Records the device of every tensor handed to a model's forward (a forward pre-hook)."""

    def __init__(self, model):
        self.seen: set[str] = set()
        self.calls = 0
        self.autocast: set[bool] = set()
        self.handle = model.register_forward_pre_hook(self, with_kwargs=True)

    def __call__(self, module, args, kwargs):
        self.calls += 1
        for value in [*args, *kwargs.values()]:
            if isinstance(value, torch.Tensor):
                self.seen.add(str(value.device))
        where = next(module.parameters()).device.type
        self.autocast.add(torch.is_autocast_enabled(where))

    def close(self):
        self.handle.remove()


def lora_model(tiny, device):
    base = transformers.AutoModelForCausalLM.from_pretrained(tiny, dtype=torch.float32).to(device)
    return with_adapter(base, LORA)


@pytest.mark.parametrize("device", DEVICES)
def test_a_lora_pass_builds_its_batches_on_the_models_device_and_learns(tiny, device):
    model = lora_model(tiny, device)
    assert model_device(model).type == device
    record = ForwardDevices(model)
    try:
        first = sft_pass(model, EXAMPLES, lr=1e-2, epochs=1, batch=3, micro=2)
        later = sft_pass(model, EXAMPLES, lr=1e-2, epochs=6, batch=3, micro=2)
    finally:
        record.close()
    assert record.calls == 4 + 24 and record.seen == {str(model_device(model))}
    assert first.tokens == 2 * (4 + 3 + 3) and first.steps == 2  # the masked-out tokens are not trained
    assert later.last_loss < first.first_loss / 2
    assert all(p.device.type == device for p in model.parameters())


def test_a_padded_batch_is_made_on_the_device_it_is_given():
    ids, labels, mask = _padded(torch, EXAMPLES[:3], 0, "meta")  # a device without storage: shape only
    assert {t.device.type for t in (ids, labels, mask)} == {"meta"} and ids.shape == (3, 7)
    ids, labels, mask = _padded(torch, EXAMPLES[:3], 0)
    assert ids.device.type == "cpu" and labels[2].tolist() == [-100, 6, -100, 6, 6, -100, -100]
    assert mask.sum().item() == 7 + 5 + 6


@pytest.mark.parametrize("device", DEVICES)
def test_a_rounds_training_runs_its_autocast_where_the_model_is(tiny, device, monkeypatch):
    from codepaint_env.policy.learning import lora
    from codepaint_env.policy.learning.rft import RFTConfig, train_round

    monkeypatch.setattr(lora, "_cpu_has_native_bf16", lambda: True)  # the autocast path, whatever the CPU

    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny)
    model = lora_model(tiny, device)
    config = RFTConfig(model=str(tiny), lora=LORA, seed=3, bf16=True, device="auto")  # auto: where it is
    record = ForwardDevices(model)
    try:
        model, trained = train_round(config, model, tokenizer, list(EXAMPLES), 0)
    finally:
        record.close()
    assert trained.steps > 0 and record.seen == {str(model_device(model))}
    assert record.autocast == {True}  # bfloat16 autocast on the model's own device type


@pytest.mark.parametrize("device", DEVICES)
def test_a_grpo_step_with_rollouts_asked_on_cuda_trains_where_the_model_is(tiny, device, tmp_path):
    from datasets import Dataset
    from trl.trainer.grpo_trainer import GRPOTrainer

    from codepaint_env.policy.learning.grpo import engine_rollouts
    from codepaint_env.testing import tiny_grpo_config

    reset_probes()
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny)
    base = transformers.AutoModelForCausalLM.from_pretrained(tiny, dtype=torch.float32).to(device)
    dataset = Dataset.from_list([{"prompt": [{"role": "user", "content": f"Draw {n} red circles."}]}
                                 for n in range(4)])

    def length(completions, **kwargs) -> list[float | None]:
        return [float(len(str(c))) for c in completions]

    import peft

    config = tiny_grpo_config(tmp_path / "grpo", max_steps=2, num_generations=2,
                              per_device_train_batch_size=2, max_completion_length=10, temperature=1.0,
                              use_cpu=device == "cpu")
    trainer = GRPOTrainer(model=base, reward_funcs=[length], train_dataset=dataset, args=config,
                          processing_class=tokenizer,
                          peft_config=peft.LoraConfig(r=4, lora_alpha=8, target_modules="all-linear",
                                                      task_type="CAUSAL_LM"),
                          rollout_func=engine_rollouts(tokenizer, temperature=1.0, max_tokens=10, seed=1,
                                                       device="cuda"))
    trained = trainer.model
    assert trained is not None
    record = ForwardDevices(trained)
    before = {k: v.detach().clone() for k, v in trained.named_parameters() if "lora_B" in k}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            trainer.train()
    finally:
        record.close()
        reset_probes()
    said = [str(w.message) for w in caught if "ct2 engine unusable" in str(w.message)]
    steps = [log for log in trainer.state.log_history if "codepaint/time/generate" in log]
    if said:  # CTranslate2 cannot run on cuda here: the trainer's model decoded its own rollouts
        assert len(said) == 1 and [log["codepaint/conversion_cached"] for log in steps] == [1.0, 1.0]
    assert trainer.state.global_step == 2 and len(steps) == 2
    assert all(log["completions/mean_length"] > 0 for log in steps)
    assert record.calls > 2 and record.seen == {str(model_device(trained))}
    after = dict(trained.named_parameters())
    assert any(not torch.equal(v, after[k].detach()) for k, v in before.items())  # the step trained
