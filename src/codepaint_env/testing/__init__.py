"""Helpers for tests and smoke runs that need no downloads.

:func:`build_tiny_lm` writes a tiny random causal language model and a locally trained byte-level
tokenizer to a folder that loads with ``AutoModelForCausalLM`` / ``AutoTokenizer``, the same way a
real checkpoint does; :func:`tiny_grpo_config` is a ``trl.GRPOConfig`` sized for a CPU smoke run.
:func:`build_tiny_vlm` does the same for a vision-language model (Qwen3-VL architecture and processor,
loaded with ``AutoModelForImageTextToText`` / ``AutoProcessor``); :func:`scripted_tool_calls_trainer`
and :func:`qwen_tool_call` drive TRL's tool loop with such a random model.
:class:`StubDispatch` is a render service whose renders are canned (programs map to pictures or
failures, as in httpx's ``MockTransport``): the envs, rewards, ``codepaint serve`` and the trainer
adapters run on it without a browser.
"""

from __future__ import annotations

from codepaint_env.testing.stub_dispatch import StubDispatch, UnstubbedProgram
from codepaint_env.testing.tiny_lm import build_tiny_lm, tiny_grpo_config
from codepaint_env.testing.tiny_vlm import build_tiny_vlm, qwen_tool_call, scripted_tool_calls_trainer

__all__ = ["StubDispatch", "UnstubbedProgram", "build_tiny_lm", "build_tiny_vlm", "qwen_tool_call",
           "scripted_tool_calls_trainer", "tiny_grpo_config"]
