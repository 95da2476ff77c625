r"""OpenRLHF: codepaint as OpenRLHF's reward, in process or over HTTP.

**In process** (this file is the ``reward_func`` file OpenRLHF loads)::

    codepaint export parquet --suite svg --out ~/data/cp/train.parquet
    REWARD_FILE=$(python -c 'import codepaint_env.integrations.openrlhf as m; print(m.__file__)')
    CODEPAINT_REWARD=gate:0.3,classic:0.7 python -m openrlhf.cli.train_ppo_ray \
        --pretrain Qwen/Qwen2.5-Coder-7B-Instruct --prompt_data ~/data/cp/train.parquet \
        --input_key prompt --label_key extra_info --apply_chat_template \
        --reward.remote_url "$REWARD_FILE" \
        --advantage_estimator group_norm --n_samples_per_prompt 8 \
        --vllm_num_engines 2 --actor_num_gpus_per_node 4 --ref_num_gpus_per_node 2

(``--reward.remote_url`` is OpenRLHF 0.11's name; older releases call it ``--remote_rm_url``.)
OpenRLHF loads the file with ``importlib`` and calls ``reward_func(queries, prompts, labels)``
from a thread per sample; the renders of concurrent calls run side by side in one renderer.

**Over HTTP**: run ``codepaint serve`` (on the trainer's node or a render box) and point OpenRLHF
at its ``/get_reward``, the same contract served::

    codepaint serve --reward gate:0.3,classic:0.7 --host 0.0.0.0 --token "$TOKEN" --port 8000
    python -m openrlhf.cli.train_ppo_ray ... \
        --reward.remote_url "http://codepaint:$TOKEN@render-box:8000/get_reward"

**The contract.** ``queries`` are prompt + response as OpenRLHF decodes them (special tokens
kept); ``prompts`` the prompts; ``labels`` the ``--label_key`` column. The response is what
follows the prompt in the query, end-of-turn and padding tokens cut from its end. A label is
``None``, a language name (``"svg"``), or task columns (an object, or its JSON text) such as the
parquet builder's ``extra_info`` (``language``, ``size``, ``subject``, ``task_id``, and
``prompt``, the text judges read instead of the templated prompt). The answer is
``{"rewards", "scores", "extra_logs"}``, torch tensors with one value per query: ``rewards``
(what OpenRLHF trains on), ``scores`` (the same rescaled to 0-1 over the reward's range, which
OpenRLHF's dynamic filtering reads), ``extra_logs``: ``judged`` (1, or 0 for an item that could
not be judged, whose reward is ``CODEPAINT_UNJUDGED_REWARD``, default 0.0 - watch its mean),
``prompt_found`` and, when rendered in this process, ``rendered``. The configuration is that of
:mod:`codepaint_env.scoring.trainer` (environment variables; ``CODEPAINT_SERVE_URL`` makes
this file a client of a ``codepaint serve`` server).
"""

# OpenRLHF loads this file by its path (importlib, module name "reward_func"): absolute imports only.
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from codepaint_env.render.extract import END_TOKENS, completion_from_query
from codepaint_env.scoring import trainer as scoring
from codepaint_env.scoring.openrlhf import openrlhf_answer, parse_label
from codepaint_env.scoring.trainer import TrainerConfig, fill_unjudged, score_batch, task_columns

__all__ = ["END_TOKENS", "completion_from_query", "label_row", "reward_func"]



def reward_func(queries: Sequence[str], prompts: Sequence[str] | None, labels: Sequence[Any] | None = None,
                **kwargs: Any) -> dict[str, Any]:
    """OpenRLHF's reward function: score each query's response (see the module docstring).

    Args:
        queries: Prompt + response per sample, as OpenRLHF decodes them.
        prompts: The prompts (cut from the front of the queries).
        labels: The ``--label_key`` values: ``None``, a language name, or task columns.
        **kwargs: Anything else OpenRLHF passes (ignored).

    Returns:
        ``{"rewards": Tensor[n], "scores": Tensor[n], "extra_logs": {name: Tensor[n]}}`` (lists
        where torch is not installed).

    Raises:
        ValueError: Lists of different lengths, or a label of another form (a broken dataset).
    """
    n = len(queries)
    prompt_list: list[str | None] = [None] * n if prompts is None else list(prompts)
    label_list: list[Any] = [None] * n if labels is None else list(labels)
    if len(prompt_list) != n or len(label_list) != n:
        raise ValueError(f"{n} queries, {len(prompt_list)} prompts, {len(label_list)} labels")
    config = TrainerConfig.from_environ()
    cut = [completion_from_query(q, p) for q, p in zip(queries, prompt_list, strict=True)]
    rows, judge_prompts = [], []
    for label, prompt in zip(label_list, prompt_list, strict=True):
        columns, override = label_row(label)
        rows.append(task_columns(columns, config))
        judge_prompts.append(override if override is not None else prompt)
    scored = score_batch([c for c, _ in cut], judge_prompts, rows, config)
    fill_unjudged(scored, [str(p) for p in judge_prompts], config)
    rendered = [s.rendered for s in scored]
    answer = openrlhf_answer([s.reward for s in scored], [s.judged for s in scored], [f for _, f in cut],
                             scoring.reward_for(config).value_range,
                             rendered=None if None in rendered else [bool(r) for r in rendered],
                             monitors=[s.monitors for s in scored])
    return {"rewards": _tensor(answer["rewards"]), "scores": _tensor(answer["scores"]),
            "extra_logs": {k: _tensor(v) for k, v in answer["extra_logs"].items()}}


#: A label -> (task columns, the prompt judges read instead): see ``scoring.openrlhf.parse_label``.
label_row = parse_label


def _tensor(values: list[float]) -> Any:
    try:
        import torch
    except ImportError:  # OpenRLHF always has torch; a plain caller gets lists
        return values
    return torch.tensor(values, dtype=torch.float32)
