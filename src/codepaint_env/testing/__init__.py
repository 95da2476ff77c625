"""Helpers for tests and smoke runs that need no downloads.

:func:`build_tiny_lm` writes a tiny random causal language model and a locally trained byte-level
tokenizer to a folder that loads with ``AutoModelForCausalLM`` / ``AutoTokenizer``, the same way a
real checkpoint does; :func:`tiny_grpo_config` is a ``trl.GRPOConfig`` sized for a CPU smoke run.
"""

from __future__ import annotations

from .tiny_lm import build_tiny_lm, tiny_grpo_config

__all__ = ["build_tiny_lm", "tiny_grpo_config"]
