r"""verl: codepaint as verl's custom reward function.

A real run (verl 0.9, GRPO, one node; ``pkg://`` makes verl import the installed module)::

    codepaint export parquet --suite svg --split train --out ~/data/cp/train.parquet
    codepaint export parquet --suite svg --split eval --out ~/data/cp/eval.parquet
    CODEPAINT_REWARD=gate:0.3,classic:0.7 python -m verl.trainer.main_ppo \
        algorithm.adv_estimator=grpo \
        data.train_files=$HOME/data/cp/train.parquet data.val_files=$HOME/data/cp/eval.parquet \
        data.train_batch_size=64 data.max_prompt_length=512 data.max_response_length=2048 \
        actor_rollout_ref.model.path=Qwen/Qwen2.5-Coder-7B-Instruct \
        actor_rollout_ref.rollout.name=vllm actor_rollout_ref.rollout.n=8 \
        actor_rollout_ref.actor.ppo_mini_batch_size=32 \
        reward.custom_reward_function.path=pkg://codepaint_env.integrations.verl \
        reward.custom_reward_function.name=compute_score_async \
        trainer.n_gpus_per_node=8 trainer.nnodes=1 trainer.total_epochs=3

Older verl releases name the same settings ``custom_reward_function.path=/path/to/verl.py``
and ``custom_reward_function.name=compute_score`` (verl 0.9 still reads them and moves them
under ``reward.``); with the ``batch`` reward manager (``reward_model.reward_manager=batch``) use
``name=compute_score_batch``. To score on a render box instead of the trainer's nodes, start
``CODEPAINT_TOKEN_FILE=... codepaint serve --host 0.0.0.0`` there and set ``CODEPAINT_SERVE_URL`` and
the same ``CODEPAINT_TOKEN`` / ``CODEPAINT_TOKEN_FILE`` for the trainer. The reward, renderer and
unjudged settings are the environment variables of :mod:`codepaint_env.scoring.trainer`; verl's
``reward.custom_reward_function.reward_kwargs`` may override them, e.g.
``+reward.custom_reward_function.reward_kwargs.reward=classic``.

**Three forms**, one contract (``data_source, solution_str, ground_truth, extra_info``):

* :func:`compute_score_async`: verl 0.9's reward loop (``verl.experimental.reward_loop``) awaits
  an async ``compute_score`` for every sample of a batch at once, so the renders run side by side.
* :func:`compute_score`: the same, blocking (verl runs it in its thread pool, or one sample at a
  time in older verl's ``naive`` manager, which serialises the renders).
* :func:`compute_score_batch`: verl's ``batch`` reward manager (``verl.workers.reward_manager.batch``)
  calls ``compute_score(data_sources=, solution_strs=, ground_truths=, extra_infos=, **reward_kwargs)``
  once per batch: every render concurrently, one reward call (a judge gets one batch).

``extra_info`` carries the task's columns (``language``, ``size``, ``subject``, ``colour_family``,
``task_id``, and ``prompt``, the text judges read), as :mod:`codepaint_env.tasks.parquet`
writes them; verl adds ``num_turns`` and ``rollout_reward_scores``, which are ignored.

**What verl receives, and unjudged items.** verl needs a float per sample. Each form returns a
dict: ``score`` (the float verl trains on), ``value`` (the reward's own value, ``None`` when it
could not be judged), ``judged`` (1.0 or 0.0), ``rendered`` (1.0/0.0, ``None`` when a server
scored) and ``error_kind`` (``""`` when it rendered). verl puts ``score`` in the reward tensor and
the rest in ``reward_extra_info`` (its validation metrics skip ``None`` and strings, so ``value``'s
mean is over judged samples only, and ``judged``'s mean is the judged fraction). An unjudged
sample (judge down, render infrastructure failed) scores ``CODEPAINT_UNJUDGED_REWARD`` (default
0.0) - a made-up number. To mask it: with the batch form and ``CODEPAINT_UNJUDGED_REWARD=group_mean``
it gets the mean of its group's judged values, which makes its GRPO/RLOO advantage exactly zero
(no gradient from it); otherwise watch ``judged`` and stop the run when it falls. A program that
failed to render is not unjudged: it gets the reward's minimum, a real score.

**Training monitors.** Each dict also carries the sample's monitors (:mod:`rewards.monitors`:
``codepaint/draws_something``, ``codepaint/blank``, ``codepaint/colour_entropy``,
``codepaint/text_flag``, ``codepaint/failed/<kind>``...; ``None`` where one does not apply), so
verl reports their batch means beside the reward: the statistics that show a hack as it emerges.

Group rewards (``group_pairwise``) need every completion of a prompt together: the batch form only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from codepaint_env.scoring.trainer import (
    Scored,
    TrainerConfig,
    ascore_batch,
    fill_unjudged,
    score_batch,
    task_columns,
)
from codepaint_env.tasks.parquet import task_rows
from rewards.monitors import MONITOR_KEYS, MONITOR_PREFIX

__all__ = ["compute_score", "compute_score_async", "compute_score_batch", "task_rows", "verl_answer"]

#: The keys of every answer (verl's reward loop needs the same keys for every sample): the score and
#: what it means, then every training monitor (``None`` where a server scored, or where one does not apply).
ANSWER_KEYS: tuple[str, ...] = ("score", "value", "judged", "rendered", "error_kind",
                                *(MONITOR_PREFIX + k for k in MONITOR_KEYS))


def compute_score(data_source: str, solution_str: str, ground_truth: Any,
                  extra_info: Mapping[str, Any] | None = None, **reward_kwargs: Any) -> dict[str, Any]:
    """Score one response (verl's ``custom_reward_function`` contract).

    Args:
        data_source: The row's ``data_source`` (reported, not used to score).
        solution_str: The decoded response: the program, fenced or not.
        ground_truth: The row's ``reward_model.ground_truth`` (the task id; codepaint has no answer key).
        extra_info: The row's ``extra_info``: the task columns and the prompt.
        **reward_kwargs: verl's ``reward_kwargs`` (any :class:`TrainerConfig` field overrides the
            environment's) and whatever else verl passes (ignored).

    Returns:
        ``{"score", "value", "judged", "rendered", "error_kind"}`` (see the module docstring).
    """
    config = _config(reward_kwargs)
    columns, prompt = _row(extra_info, ground_truth, config)
    return verl_answer(score_batch([solution_str], [prompt], [columns], config)[0])


async def compute_score_async(data_source: str, solution_str: str, ground_truth: Any,
                              extra_info: Mapping[str, Any] | None = None,
                              **reward_kwargs: Any) -> dict[str, Any]:
    """:func:`compute_score` as a coroutine: verl's reward loop awaits a batch of them together."""
    config = _config(reward_kwargs)
    columns, prompt = _row(extra_info, ground_truth, config)
    return verl_answer((await ascore_batch([solution_str], [prompt], [columns], config))[0])


def compute_score_batch(data_sources: Sequence[str], solution_strs: Sequence[str],
                        ground_truths: Sequence[Any],
                        extra_infos: Sequence[Mapping[str, Any] | None] | None = None,
                        **reward_kwargs: Any) -> list[dict[str, Any]]:
    """Score a whole batch at once (verl's ``batch`` reward manager contract).

    Every program renders concurrently and the reward is called once. With
    ``CODEPAINT_UNJUDGED_REWARD=group_mean`` an unjudged sample gets its group's judged mean
    (a group: the samples of one dataset row, ``extra_info.index``, else one task).

    Returns:
        One answer per sample, in order (see :func:`compute_score`).
    """
    n = len(solution_strs)
    if len(data_sources) != n or len(ground_truths) != n or (
            extra_infos is not None and len(extra_infos) != n):
        raise ValueError(f"verl batch: {n} solutions, {len(data_sources)} data sources, "
                         f"{len(ground_truths)} ground truths, "
                         f"{'no' if extra_infos is None else len(extra_infos)} extra infos")
    config = _config(reward_kwargs)
    infos = list(extra_infos) if extra_infos is not None else [None] * n
    rows = [_row(info, gt, config) for info, gt in zip(infos, ground_truths, strict=True)]
    scored = score_batch(list(solution_strs), [p for _, p in rows], [c for c, _ in rows], config)
    groups = [(src, _group_key(info, gt))
              for src, info, gt in zip(data_sources, infos, ground_truths, strict=True)]
    fill_unjudged(scored, groups, config)
    return [verl_answer(s) for s in scored]


def verl_answer(scored: Scored) -> dict[str, Any]:
    """The dict verl receives for one sample: ``score`` (a float) and the extra info."""
    return {
        "score": float(scored.reward),
        "value": scored.value,
        "judged": 1.0 if scored.judged else 0.0,
        "rendered": None if scored.rendered is None else float(scored.rendered),
        "error_kind": scored.error_kind or "",
        **{MONITOR_PREFIX + k: scored.monitors.get(k) for k in MONITOR_KEYS},
    }


def _config(reward_kwargs: Mapping[str, Any]) -> TrainerConfig:
    """The environment's configuration with verl's ``reward_kwargs`` over it (other keys ignored)."""
    config = TrainerConfig.from_environ()
    names = {f.name for f in dataclasses.fields(TrainerConfig)}
    overrides = {k: v for k, v in reward_kwargs.items() if k in names}
    return dataclasses.replace(config, **overrides) if overrides else config


def _row(extra_info: Mapping[str, Any] | None, ground_truth: Any, config: TrainerConfig
         ) -> tuple[dict[str, Any], str | None]:
    """A sample's task columns and prompt text from verl's ``extra_info``."""
    info = dict(extra_info or {})
    columns = task_columns(info, config)
    if "task_id" not in columns and isinstance(ground_truth, str) and ground_truth:
        columns["task_id"] = ground_truth
    prompt = info.get("prompt")
    return columns, prompt if isinstance(prompt, str) and prompt else None


def _group_key(info: Mapping[str, Any] | None, ground_truth: Any) -> Any:
    info = info or {}
    for key in ("index", "task_id"):
        value = info.get(key)
        if value is not None:
            return key, value.item() if hasattr(value, "item") else value
    return "ground_truth", str(ground_truth)
