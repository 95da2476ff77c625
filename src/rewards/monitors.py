"""Training monitors: per-batch statistics that show a reward hack as it emerges.

A policy under optimisation drifts towards whatever the reward pays for. Most hacks show in a
few plain statistics of the batch long before they show in a gallery: the share of blank or
near-uniform pictures climbs, colour entropy or edge density collapses (one flat fill) or
explodes (noise), the gate starts flagging text or copies, programs grow or shrink, the
renderer's failure kinds shift, more items come back unjudged. This module measures those on
each rendered sample, and every trainer adapter reports their batch means through the
trainer's own logger:

* TRL: :class:`rewards.base.Reward` logs them through ``log_metric`` (``codepaint/<key>``), so
  W&B, trackio or TensorBoard get them whenever the trainer reports to one;
* verl: in each sample's ``reward_extra_info`` (``codepaint_env.integrations.verl``);
* OpenRLHF: in ``extra_logs`` (``codepaint_env.scoring.openrlhf``).

Every key of :data:`MONITOR_KEYS`, per sample (:func:`sample_monitors`; ``None`` where it does
not apply, e.g. colour entropy for a program that drew nothing):

=====================  =============================================================================
``draws_something``    1 when the program rendered a picture that is not blank
``blank``              1 when it ran and the picture is one uniform colour
``near_uniform``       1 when it drew something but one colour covers at least 97 % of the canvas
``colour_entropy``     Shannon entropy (bits) of the canvas's colours, 4 bits a channel
``edge_density``       share of canvas pixels on an edge (a neighbour differs by more than 24 levels)
``text_flag``          1 when the gate found text on a picture whose task allows none (``None``
                       without a gate)
``copy_flag``          1 when the gate matched a reference-pool picture (``None`` without copy check)
``invented_api``       1 when the program called a function or method that does not exist
``program_chars``      the extracted program's length in characters
``unjudged``           1 when the reward could not judge it (``None`` value; infrastructure)
``failed/<kind>``      1 when the render failed with that kind (every kind of ``ERROR_KINDS``
                       but ``blank``, which has its own key)
``checks/share``       the share of the task's checks the picture passed (``visual_checks``; ``None``
                       where no visual checks ran, e.g. a program the gate failed: so its batch mean
                       is over the samples that passed the gate)
``checks/all_stated``  1 when every check the prompt states passed (same samples)
``checks/<kind>``      the share of the task's checks of that kind passed (every check kind; ``None``
                       for a kind the task lacks): one column per kind, whatever the task
``search/tool_calls``  the tool calls the episode made before this program (the sample's
                       ``tool_calls`` column; ``None`` where the episode offered no tools)
``search/searched``    1 when it made at least one (same samples)
``search/recall``      the share of the task's ``facts`` its searches retrieved (the ``retrieved``
                       column; ``None`` without tools or for a task with no facts)
``search/checks_share_searched``    ``checks/share`` of a program drawn after a search (``None``
                       otherwise): its batch mean beside the next one's says what searching did
``search/checks_share_unsearched``  ``checks/share`` of a program drawn with tools offered and not
                       used
=====================  =============================================================================

:func:`batch_monitors` takes their means over a batch, each over the samples where it applies.
About 1 ms a picture (the canvas is measured at 128 px on its longer side).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from codepaint_env.core.result import ERROR_KINDS, RenderResult
from rewards.checks.spec import CHECK_METRICS

if TYPE_CHECKING:
    from PIL import Image


class Sample(Protocol):
    """What the monitors read of a :class:`rewards.base.Sample` (this module sits below it).

    Its ``meta`` (the task's columns) is read when it has one: the search monitors need it.
    """

    code: str
    render: RenderResult


class RewardResult(Protocol):
    """What the monitors read of a :class:`rewards.base.RewardResult`."""

    value: float | None
    breakdown: dict[str, float | None]
    metrics: dict[str, float | None]

__all__ = ["FAILURE_KINDS", "MONITOR_KEYS", "MONITOR_PREFIX", "SEARCH_MONITORS", "batch_monitors",
           "log_monitors", "monitors_for", "picture_stats", "sample_monitors", "search_monitors"]

#: Prefix of the monitors' names in a trainer's logs.
MONITOR_PREFIX = "codepaint/"
#: Render failure kinds with a ``failed/<kind>`` monitor (``blank`` is its own monitor).
FAILURE_KINDS: tuple[str, ...] = tuple(k for k in ERROR_KINDS if k != "blank")
#: The monitors the visual checks report (:attr:`RewardResult.metrics` of ``visual_checks``).
CHECK_MONITORS: tuple[str, ...] = CHECK_METRICS
#: The monitors of an episode that offers search tools (from the sample's columns).
SEARCH_MONITORS: tuple[str, ...] = ("search/tool_calls", "search/searched", "search/recall",
                                    "search/checks_share_searched", "search/checks_share_unsearched")
#: Every monitor, in the order they are reported.
MONITOR_KEYS: tuple[str, ...] = (
    "draws_something", "blank", "near_uniform", "colour_entropy", "edge_density", "text_flag", "copy_flag",
    "invented_api", "program_chars", "unjudged", *(f"failed/{k}" for k in FAILURE_KINDS), *CHECK_MONITORS,
    *SEARCH_MONITORS)

#: One colour covering at least this share of a canvas makes it near-uniform.
NEAR_UNIFORM_SHARE = 0.97
#: A neighbour differing by more than this (0-255, any channel) marks an edge.
EDGE_STEP = 24
_SIDE = 128


def picture_stats(image: Image.Image) -> dict[str, float]:
    """``near_uniform``, ``colour_entropy`` and ``edge_density`` of one picture."""
    from PIL import Image as PILImage

    im = image.convert("RGB")
    if max(im.size) > _SIDE:
        scale = _SIDE / max(im.size)
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                       PILImage.Resampling.NEAREST)
    a = np.asarray(im, dtype=np.int16)
    q = ((a[..., 0] >> 4) << 8) | ((a[..., 1] >> 4) << 4) | (a[..., 2] >> 4)
    counts = np.bincount(q.ravel(), minlength=4096).astype(np.float64)
    p = counts[counts > 0] / q.size
    entropy = float(-(p * np.log2(p)).sum())
    edges = np.zeros(a.shape[:2], dtype=bool)
    if a.shape[1] > 1:
        edges[:, 1:] |= (np.abs(a[:, 1:] - a[:, :-1]) > EDGE_STEP).any(axis=2)
    if a.shape[0] > 1:
        edges[1:, :] |= (np.abs(a[1:] - a[:-1]) > EDGE_STEP).any(axis=2)
    return {"near_uniform": float(p.max() >= NEAR_UNIFORM_SHARE), "colour_entropy": round(entropy, 4),
            "edge_density": round(float(edges.mean()), 4)}


def _flag(breakdown: Mapping[str, float | None], check: str,
          measure_prefix: str | None = None) -> float | None:
    """1.0 when a gate check named ``check`` failed anywhere in a (possibly composite) breakdown."""
    seen = None
    for key, value in breakdown.items():
        name = key.rsplit("/", 1)[-1]
        if name == check and value is not None:
            seen = max(seen or 0.0, float(value == 0.0))
        elif measure_prefix is not None and name.startswith(measure_prefix):
            seen = 1.0
    return seen


def sample_monitors(sample: Sample, result: RewardResult | None) -> dict[str, float | None]:
    """Every :data:`MONITOR_KEYS` entry for one rendered sample and its reward result."""
    r = sample.render
    out: dict[str, float | None] = dict.fromkeys(MONITOR_KEYS)
    out["draws_something"] = float(bool(r.ok))
    out["blank"] = float(r.error_kind == "blank")
    image = r.canvas_image if r.ok else None
    if image is not None:
        out.update(picture_stats(image))
    breakdown = result.breakdown if result is not None else {}
    out["text_flag"] = _flag(breakdown, "no_text")
    out["copy_flag"] = _flag(breakdown, "not_copy", "copy_of:")
    out["invented_api"] = float(bool(r.unknown_api))
    out["program_chars"] = float(len(sample.code))
    out["unjudged"] = None if result is None else float(result.value is None)
    for kind in FAILURE_KINDS:
        out[f"failed/{kind}"] = float(r.error_kind == kind)
    metrics = getattr(result, "metrics", None) or {}
    for key in CHECK_MONITORS:
        out[key] = metrics.get(key)
    out.update(search_monitors(getattr(sample, "meta", None) or {}, out.get("checks/share")))
    return out


def search_monitors(meta: Mapping[str, Any], checks_share: float | None = None) -> dict[str, float | None]:
    """The :data:`SEARCH_MONITORS` of one sample from its columns (``tool_calls``, ``retrieved``, ``facts``).

    Every one is ``None`` when the sample has no ``tool_calls`` column (its episode offered no tools),
    and ``search/recall`` when the task names no facts or a column is malformed.
    """
    out: dict[str, float | None] = dict.fromkeys(SEARCH_MONITORS)
    calls = meta.get("tool_calls")
    if isinstance(calls, bool) or not isinstance(calls, (int, float)) or not math.isfinite(calls):
        return out
    searched = calls > 0
    out["search/tool_calls"] = float(calls)
    out["search/searched"] = float(searched)
    needed, retrieved = _ids(meta.get("facts")), _ids(meta.get("retrieved"))
    if needed:
        out["search/recall"] = len(needed & retrieved) / len(needed)
    key = "search/checks_share_searched" if searched else "search/checks_share_unsearched"
    out[key] = checks_share
    return out


def _ids(value: Any) -> set[str]:
    """A column of card ids (a list or its JSON text; ``search_recall``'s form) as a set; empty if malformed.

    Read here rather than through :mod:`rewards.search_recall`, which imports :mod:`rewards.base`, which
    imports this module: a monitor never fails, and no import cycle.
    """
    if hasattr(value, "tolist"):  # a numpy array read back from parquet
        value = value.tolist()
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return set()
    if not isinstance(value, (list, tuple)):
        return set()
    return {v for v in value if isinstance(v, str)}


def batch_monitors(rows: Sequence[Mapping[str, float | None]]) -> dict[str, float]:
    """The mean of each monitor over the rows where it applies (keys where none applies left out)."""
    out: dict[str, float] = {}
    for key in MONITOR_KEYS:
        values = [float(v) for row in rows if (v := row.get(key)) is not None and math.isfinite(float(v))]
        if values:
            out[key] = round(sum(values) / len(values), 4)
    return out


def monitors_for(samples: Sequence[Sample], results: Sequence[RewardResult | None]) -> dict[str, float]:
    """:func:`batch_monitors` of a scored batch."""
    return batch_monitors([sample_monitors(s, r) for s, r in zip(samples, results, strict=True)])


def log_monitors(log_metric: Any, samples: Sequence[Sample], results: Sequence[RewardResult | None]) -> None:
    """Log a batch's monitors through a trainer's ``log_metric(name, value)`` (TRL's reward hook)."""
    for key, value in monitors_for(samples, results).items():
        log_metric(MONITOR_PREFIX + key, value)
