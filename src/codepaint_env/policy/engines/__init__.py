"""Generation engines behind :class:`~codepaint_env.policy.LocalPolicy`: one interface, two back ends.

    >>> from codepaint_env.policy.engines import Row, engine_from_model     # doctest: +SKIP
    >>> engine, conversion = engine_from_model(peft_model, tokenizer)      # int8, once per content
    >>> [c] = engine.decode([Row(prompt_ids, temperature=0.9, max_tokens=192, seed=7)])
    >>> c.text, c.token_ids, c.logprobs

An engine has ``kind``, ``tokenizer``, ``device``, ``compute_type``, ``end_ids``, ``pad_id``,
``decode(rows) -> choices`` (:class:`Row` in, :class:`Choice` out), ``parameters()``,
``describe()`` and ``close()``:

* :class:`TransformersEngine` (:mod:`.transformers_engine`): torch, its own batched loop (one forward
  pass and one batched choice a step, on the model's device); a row's tokens depend only on its
  prompt, settings and seed.
* :class:`CT2Engine` (:mod:`.ct2_engine`): CTranslate2, int8 on the CPU by default; seeds per batch
  (or per row, slower), see its docstring. On a GPU only where its CUDA libraries load
  (:func:`usable_on`): elsewhere :func:`engine_from_model` and :func:`engine_from_name` give a
  :class:`TransformersEngine` instead, with a one-line warning.

:mod:`.conversion` moves weights into CTranslate2 (a model in memory, a LoRA model merged into a copy,
a folder, a known name), once per content. :func:`trl_rollout` shapes rows and choices for TRL's
``rollout_func``. Importing this package loads neither torch nor CTranslate2.
"""

from __future__ import annotations

from typing import Any, Protocol

from codepaint_env.policy.engines.conversion import (
    Conversion,
    convert_folder,
    convert_model,
    convert_name,
    ct2_cache,
    ct2_unusable,
    engine_from_model,
    engine_from_name,
    prune,
)
from codepaint_env.policy.engines.ct2_engine import (
    COMPUTE_TYPES,
    CT2Engine,
    default_compute_type,
    reset_probes,
    usable_on,
)
from codepaint_env.policy.engines.rows import Choice, Row, row_seed, trl_rollout
from codepaint_env.policy.engines.transformers_engine import TransformersEngine

__all__ = ["COMPUTE_TYPES", "CT2Engine", "Choice", "Conversion", "Engine", "Row", "TransformersEngine",
           "convert_folder", "convert_model", "convert_name", "ct2_cache", "ct2_unusable",
           "default_compute_type", "engine_from_model", "engine_from_name", "prune", "reset_probes",
           "row_seed", "trl_rollout", "usable_on"]


class Engine(Protocol):
    """What :class:`~codepaint_env.policy.LocalPolicy` needs of an engine."""

    kind: str
    tokenizer: Any
    device: str
    compute_type: str
    end_ids: frozenset[int]
    pad_id: int

    def decode(self, rows: list[Row]) -> list[Choice]:
        """One choice per row, in order."""
        ...

    def parameters(self) -> int:
        """The model's parameter count (0 when unknown)."""
        ...

    def describe(self) -> dict[str, Any]:
        """``engine``, ``compute_type``, ``device`` and what else a run record should hold."""
        ...

    def close(self) -> None:
        """Release what the engine holds."""
        ...
