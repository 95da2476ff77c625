"""OpenRLHF's reward contract, once: its labels in, its ``{"rewards", "scores", "extra_logs"}`` out.

Both ways codepaint serves OpenRLHF speak it: the in-process ``reward_func`` file
(:mod:`codepaint_env.integrations.openrlhf`) and ``codepaint serve``'s ``POST /get_reward``
(:mod:`codepaint_env.serve.app`). The query/prompt split is :func:`completion_from_query`
(:mod:`codepaint_env.render.extract`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from codepaint_env.render import LANGUAGES
from rewards.monitors import MONITOR_KEYS, MONITOR_PREFIX

__all__ = ["openrlhf_answer", "parse_label"]


def parse_label(label: Any) -> tuple[dict[str, Any], str | None]:
    """An OpenRLHF label -> (task columns, the prompt text judges read instead, if it names one).

    A label is ``None`` (nothing), a language name (``"svg"``), or an object of task columns
    (``{"language": "p5brush", "subject": "rose", "size": 256, "prompt": "a red rose"}``), given
    as an object or as its JSON text. ``prompt`` replaces the templated prompt text the reward sees.

    Raises:
        ValueError: A label of another form, or JSON that does not parse.
    """
    if isinstance(label, str) and label.lstrip()[:1] == "{":
        try:
            label = json.loads(label)
        except json.JSONDecodeError as e:
            raise ValueError(f"label is not valid JSON: {e}") from e
        except RecursionError as e:  # 50,000 nested objects: a hostile label, not a crash
            raise ValueError("label is JSON nested too deeply") from e
    if label is None or label == "":
        return {}, None
    if isinstance(label, str) and label in LANGUAGES:
        return {"language": label}, None
    if isinstance(label, Mapping):
        columns = dict(label)
        prompt = columns.pop("prompt", None)
        return columns, prompt if isinstance(prompt, str) and prompt else None
    raise ValueError(f"label {label!r}: a label is null, a language name ({', '.join(LANGUAGES)}) "
                     "or an object of task columns")


def openrlhf_answer(rewards: Sequence[float], judged: Sequence[bool], found: Sequence[bool],
                    value_range: tuple[float, float],
                    rendered: Sequence[bool] | None = None,
                    monitors: Sequence[Mapping[str, float | None]] | None = None) -> dict[str, Any]:
    """OpenRLHF's answer: ``{"rewards", "scores", "extra_logs"}``, floats only.

    Args:
        rewards: What OpenRLHF trains on: the reward's values, an item that could not be judged
            already replaced by the configured unjudged reward (OpenRLHF takes no ``null``, and
            the reward's minimum would punish the program for the infrastructure).
        judged: Whether each item was judged (its reward is not made up).
        found: Whether the prompt was found at the front of each query and cut off.
        value_range: The reward's ``(lo, hi)``: ``scores`` are the rewards rescaled over it and
            clipped to [0, 1] (what OpenRLHF's dynamic filtering reads).
        rendered: Whether each program rendered a picture (``None``: not known here, left out).
        monitors: Each item's training monitors (:func:`rewards.monitors.sample_monitors`), or
            ``None``. A monitor goes into ``extra_logs`` as ``codepaint/<key>`` when every item of
            the batch has a value for it (OpenRLHF takes floats only and averages them), so e.g.
            ``colour_entropy`` is left out of a batch where some program drew nothing.

    Returns:
        ``extra_logs`` hold one float per item, logged by OpenRLHF as their mean: ``judged``
        (1, or 0 for a made-up reward: filter on it, or watch its mean fall below 1 when the
        infrastructure fails), ``prompt_found`` and, when known, ``rendered`` and the monitors.
    """
    lo, hi = value_range
    span = hi - lo
    values = [float(r) for r in rewards]
    logs = {"judged": [1.0 if j else 0.0 for j in judged], "prompt_found": [1.0 if f else 0.0 for f in found]}
    if rendered is not None:
        logs["rendered"] = [1.0 if ok else 0.0 for ok in rendered]
    if monitors:
        for key in MONITOR_KEYS:
            column = [m.get(key) for m in monitors]
            if all(v is not None for v in column):
                logs[MONITOR_PREFIX + key] = [float(v) for v in column]  # type: ignore[arg-type]
    return {"rewards": values,
            "scores": [0.0 if span <= 0 else min(1.0, max(0.0, (v - lo) / span)) for v in values],
            "extra_logs": logs}
