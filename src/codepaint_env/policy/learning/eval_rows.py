"""Per-sample evaluation rows: every held-out sample of a model, small enough to commit (issue 55).

``codepaint eval --out`` writes a folder a level (``rollouts.jsonl``: prompt, completion, render,
reward breakdown, metrics, picture path...). :func:`export_rows` keeps of each sample what a report
is recomputed from and writes one gzip-compressed JSONL a model (``rows-<model>.jsonl.gz``):

* ``task_id``, ``level``, ``sample``;
* ``gate_pass`` (bool) and ``gate`` (the gate's value), ``gate_parts`` (its sub-checks: rendered,
  no_text, not_copy, not_degenerate, known_api...: what the hack monitors read);
* ``checks``: each of the task's checks by name (``kind:subject``) -> ``true`` / ``false`` / ``null``
  (``null``: the check does not apply, or the sample failed the gate and no check ran);
  ``stated``: the names the prompt states; ``weights``: each check's weight;
* ``share`` (the checks share), ``all_stated`` and ``kinds`` (each kind's share): the reward's own
  metrics, ``null`` for a gate failure;
* ``reward``, ``finish_reason``, ``completion_tokens`` and ``program`` (the extracted code;
  ``completion`` too when the reply held more than the code).

The file is written with a zero gzip timestamp and sorted rows, so the same samples give the same
bytes. :func:`read_rows` reads it back.

Models evaluated weeks apart were scored by the checks of their own day. :func:`rescore` renders
and scores every rollout's program again under one reward (today's checks), so that a comparison
between models is one instrument's: ``export_rows(..., rescore_with=spec)``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: The reward components' names in a ``gate:...,checks:...`` breakdown (their registry ids).
GATE_PREFIX = "execution_gate/"
CHECKS_PREFIX = "visual_checks/"


def _checks_of(task: Any) -> list[Any]:
    from rewards.checks.spec import parse_checks

    return list(parse_checks(task.checks)) if getattr(task, "checks", None) else []


def sample_row(row: Mapping[str, Any], task: Any = None) -> dict[str, Any]:
    """One committed row from one ``codepaint eval`` rollout row.

    Args:
        row: A row of ``rollouts.jsonl``.
        task: The row's :class:`~codepaint_env.tasks.Task` (its checks name every verdict, a gate
            failure's too); ``None``: the names the breakdown holds.
    """
    breakdown = row.get("breakdown") or {}
    metrics = row.get("metrics") or {}
    gate_pass = bool(row.get("gate_pass"))
    found = {k[len(CHECKS_PREFIX):]: v for k, v in breakdown.items() if k.startswith(CHECKS_PREFIX)}
    checks = _checks_of(task) if task is not None else []
    stated_all = not any(c.stated for c in checks)  # none marked: every check is stated (the reward's rule)
    names = [c.name for c in checks] or list(found)
    verdicts = {n: None if found.get(n) is None else bool(found[n]) for n in names}
    kinds = {k[len("checks/"):]: v for k, v in metrics.items()
             if k.startswith("checks/") and k not in ("checks/share", "checks/all_stated") and v is not None}
    code = row.get("code") or ""
    out: dict[str, Any] = {
        "task_id": row["task_id"], "level": row.get("level"), "sample": row["sample"],
        "gate_pass": gate_pass, "gate": row.get("gate"),
        "gate_parts": {k[len(GATE_PREFIX):]: v for k, v in breakdown.items() if k.startswith(GATE_PREFIX)},
        "checks": verdicts, "stated": [c.name for c in checks if c.stated or stated_all],
        "weights": {c.name: c.weight for c in checks},
        "share": metrics.get("checks/share") if gate_pass else None,
        "all_stated": metrics.get("checks/all_stated") if gate_pass else None,
        "kinds": kinds if gate_pass else {},
        "reward": row.get("reward"), "finish_reason": row.get("finish_reason"),
        "completion_tokens": row.get("completion_tokens"), "program": code,
    }
    if (row.get("completion") or "").strip() != code.strip():
        out["completion"] = row.get("completion")
    return out


def eval_tasks(levels: Iterable[int], per_level: int, language: str = "svg") -> dict[str, Any]:
    """The held-out scenes ``codepaint eval --suite shapes --level L --split eval`` draws, by id."""
    from codepaint_env.tasks import load_suite

    return {t.id: t for level in levels
            for t in load_suite("shapes", split="eval", language=language, level=level, count=per_level)}


def rows_of_folders(folders: Sequence[Path], tasks: Mapping[str, Any] | None = None,
                    rescore_with: str | None = None) -> list[dict[str, Any]]:
    """The committed rows of every sample in ``codepaint eval`` folders, sorted by level, task, sample.

    ``rescore_with``: a reward spec to score every program again under (:func:`rescore`).
    """
    from codepaint_env.policy.evaluate import read_rows as read_rollouts

    tasks = tasks or {}
    rollouts = [r for folder in folders for r in read_rollouts(Path(folder) / "rollouts.jsonl")]
    if rescore_with is not None:
        rollouts = rescore(rollouts, tasks, rescore_with)
    out = [sample_row(r, tasks.get(r["task_id"])) for r in rollouts]
    return sorted(out, key=lambda r: (-1 if r["level"] is None else r["level"], r["task_id"], r["sample"]))


def write_rows(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write rows as gzip-compressed JSONL (no timestamp in the header: the same rows, the same bytes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in rows)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(text.encode("utf-8"))
    return path


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a ``rows-<model>.jsonl.gz`` (``[]`` when it does not exist)."""
    path = Path(path)
    if not path.exists():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def export_rows(folders: Sequence[Path], path: Path, tasks: Mapping[str, Any] | None = None,
                rescore_with: str | None = None) -> int:
    """Export the samples of ``codepaint eval`` folders to ``path``; how many rows were written.

    Args:
        folders: ``codepaint eval`` output folders (one a level).
        path: The ``rows-<model>.jsonl.gz`` to write.
        tasks: The rows' tasks by id (:func:`eval_tasks`); needed to rescore.
        rescore_with: A reward spec: every program is rendered and scored again under it
            (:func:`rescore`) instead of keeping the verdicts of the day it was evaluated.
    """
    rows = rows_of_folders(folders, tasks, rescore_with=rescore_with)
    write_rows(path, rows)
    return len(rows)


def rescore(rollouts: Sequence[Mapping[str, Any]], tasks: Mapping[str, Any], spec: str,
            renderer: Any = None) -> list[dict[str, Any]]:
    """The rollout rows with their render, reward, breakdown, metrics and gate made again under ``spec``.

    Each program is rendered as ``codepaint eval`` renders it (the task's size, seed 0) and scored by
    ``spec`` and by the execution gate; everything the policy wrote (prompt, completion, code) is kept.

    Args:
        rollouts: Rows of ``rollouts.jsonl``.
        tasks: Their tasks by id (every row's task must be there).
        spec: The reward spec (``gate:0.2,checks:0.8``...).
        renderer: A render service (default: a local ``Renderer``, closed at the end).

    Raises:
        KeyError: A row's task is not in ``tasks``.
    """
    import rewards
    from codepaint_env.policy.evaluate import gate_passed, judge_programs
    from rewards.spec import GATE_ID

    own = renderer is None
    if renderer is None:
        from codepaint_env.render import Renderer

        renderer = Renderer()
    try:
        reward = rewards.make_reward(spec, renderer=renderer)
        gate = reward if spec == GATE_ID else rewards.make_reward(GATE_ID, renderer=renderer)
        programs = [(tasks[r["task_id"]], r.get("code") or "") for r in rollouts]
        samples, scored, gated = judge_programs(programs, renderer, reward, gate)
    finally:
        if own:
            renderer.close()
    return [{**r, "render": s.render.to_dict(), "draws_something": bool(s.render.ok), "reward": res.value,
             "reward_reason": res.reason, "breakdown": res.breakdown, "metrics": res.metrics,
             "rationale": res.rationale[:500], "gate": g.value, "gate_pass": gate_passed(g, gate)}
            for r, s, res, g in zip(rollouts, samples, scored, gated, strict=True)]
