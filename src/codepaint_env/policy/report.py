"""What an evaluation's rows add up to: the summary, pass@k, a bootstrap interval, the gallery, a table.

:func:`summarize` turns the rows of ``rollouts.jsonl`` into ``summary.json``:

* ``draws_something_rate``: the program rendered a picture that is not blank (``RenderResult.ok``);
* ``gate_pass_rate``: ``execution_gate`` passed (rendered, not blank, no made-up API, no hack);
* ``mean_reward``: over the judged samples, with a 95 % bootstrap interval that resamples *tasks*
  (a task's samples share its difficulty, so resampling samples would claim too much precision;
  with a single task, samples are resampled), 2000 resamples, a fixed seed;
* ``invented_api_rate``: the render reported ``unknown_api`` (a made-up function or method);
* ``failure_kinds``: the renders' ``error_kind`` counts; ``finish_reasons``;
* ``pass_at_k``: the unbiased estimator (Chen et al. 2021) ``1 - C(n-c, k) / C(n, k)`` per task,
  averaged over tasks, for drawing something and for passing the gate;
* tokens and seconds per sample (generation, and rendering with scoring) and tokens per second.
"""

from __future__ import annotations

import html
import math
import os
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["bootstrap_ci", "comparison_table", "pass_at_k", "summarize", "write_index"]

BOOTSTRAP_RESAMPLES = 2000


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k of a task with ``n`` samples, ``c`` of them passing.

    Raises:
        ValueError: ``k`` outside ``1..n`` or ``c`` outside ``0..n``.
    """
    if not 1 <= k <= n or not 0 <= c <= n:
        raise ValueError(f"pass@k needs 1 <= k <= n and 0 <= c <= n (n={n}, c={c}, k={k})")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def bootstrap_ci(groups: Sequence[Sequence[float]], *, resamples: int = BOOTSTRAP_RESAMPLES,
                 seed: int = 0) -> tuple[float, float] | None:
    """A 95 % percentile interval of the pooled mean, resampling groups (tasks) with replacement.

    With one group, its values are resampled instead. ``None`` without any value.
    """
    import numpy as np

    groups = [list(g) for g in groups if len(g)]
    if not groups:
        return None
    if len(groups) == 1:
        groups = [[v] for v in groups[0]]
    rng = np.random.default_rng(seed)
    sums = np.array([sum(g) for g in groups])
    counts = np.array([len(g) for g in groups])
    picks = rng.integers(0, len(groups), size=(resamples, len(groups)))
    means = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def _rate(rows: Sequence[Mapping[str, Any]], key: str) -> float | None:
    return round(sum(bool(r.get(key)) for r in rows) / len(rows), 4) if rows else None


def _ks(n: int) -> list[int]:
    ks, k = [], 1
    while k <= n:
        ks.append(k)
        k *= 2
    return sorted({*ks, n}) if n >= 1 else []


def summarize(rows: Sequence[Mapping[str, Any]], *, tasks: Sequence[str], samples: int,
              meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The summary of an evaluation's rows (see the module docstring); ``meta`` is copied in first."""
    by_task: dict[str, list[Mapping[str, Any]]] = {t: [] for t in tasks}
    for r in rows:
        by_task.setdefault(r["task_id"], []).append(r)
    judged = {t: [float(r["reward"]) for r in rs if r.get("reward") is not None] for t, rs in by_task.items()}
    values = [v for vs in judged.values() for v in vs]
    ci = bootstrap_ci(list(judged.values()))
    full = [rs for rs in by_task.values() if rs]
    least = min((len(rs) for rs in full), default=0)
    passes: dict[str, dict[str, float]] = {}
    for name, key in (("draws_something", "draws_something"), ("gate", "gate_pass")):
        counts = [(len(rs), sum(bool(r.get(key)) for r in rs)) for rs in full]
        passes[name] = {str(k): round(statistics.fmean(pass_at_k(n, c, k) for n, c in counts), 4)
                        for k in _ks(least)}
    gen = [float(r.get("generate_seconds") or 0) for r in rows]
    work = [float(r.get("render_score_seconds") or 0) for r in rows]
    tokens = [int(r.get("completion_tokens") or 0) for r in rows]
    return {
        **dict(meta or {}),
        "tasks": len(tasks), "samples_per_task": samples, "samples": len(rows),
        "missing_samples": len(tasks) * samples - len(rows),
        "draws_something_rate": _rate(rows, "draws_something"),
        "gate_pass_rate": _rate(rows, "gate_pass"),
        "mean_reward": {
            "mean": round(statistics.fmean(values), 4) if values else None,
            "ci95": None if ci is None else [round(ci[0], 4), round(ci[1], 4)],
            "judged": len(values), "unjudged": len(rows) - len(values),
            "interval": f"bootstrap over tasks, {BOOTSTRAP_RESAMPLES} resamples",
        },
        "invented_api_rate": round(sum(bool(r["render"].get("unknown_api")) for r in rows) / len(rows), 4)
        if rows else None,
        "failure_kinds": dict(Counter(str(r["render"].get("error_kind")) for r in rows
                                      if not r["render"].get("ok")).most_common()),
        "finish_reasons": dict(Counter(str(r.get("finish_reason")) for r in rows).most_common()),
        "pass_at_k": passes,
        "tokens_per_sample": round(statistics.fmean(tokens), 1) if tokens else None,
        "seconds_per_sample": {"generate": round(statistics.fmean(gen), 3) if gen else None,
                               "render_and_score": round(statistics.fmean(work), 3) if work else None},
        "tokens_per_second": round(sum(tokens) / sum(gen), 1) if sum(gen) > 0 else None,
        **({"checks": checks_summary(rows)} if any(_share(r) is not None for r in rows) else {}),
    }


def _share(row: Mapping[str, Any], key: str = "checks/share") -> float | None:
    value = (row.get("metrics") or {}).get(key)
    return None if value is None else float(value)


def checks_summary(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """How much of the scene the samples drew (tasks with visual checks), overall and per level.

    Two denominators, each named: ``*_gated`` is over the samples that passed the gate (what the
    policy drew when it drew), ``*_all`` over every sample, a gate failure counting as 0 (what a
    reward mean shows). ``share``: the share of a task's checks passed; ``all_stated``: every check
    the prompt states passed; ``kinds``: the share of each check kind's checks, over gate-passers.
    """
    def block(rs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        gated = [r for r in rs if r.get("gate_pass") and _share(r) is not None]

        def mean(values: list[float]) -> float | None:
            return round(statistics.fmean(values), 4) if values else None

        kinds: dict[str, list[float]] = {}
        for r in gated:
            for key, value in (r.get("metrics") or {}).items():
                if key.startswith("checks/") and key not in ("checks/share", "checks/all_stated") \
                        and value is not None:
                    kinds.setdefault(key.split("/", 1)[1], []).append(float(value))
        return {
            "samples": len(rs), "gate_passed": len(gated),
            "share_gated": mean([_share(r) or 0.0 for r in gated]),
            "share_all": mean([(_share(r) or 0.0) if r.get("gate_pass") else 0.0 for r in rs]),
            "all_stated_gated": mean([_share(r, "checks/all_stated") or 0.0 for r in gated]),
            "all_stated_all": mean([(_share(r, "checks/all_stated") or 0.0) if r.get("gate_pass") else 0.0
                                    for r in rs]),
            "kinds_gated": {k: mean(v) for k, v in sorted(kinds.items())},
        }

    out = block(rows)
    levels = sorted({int(r["level"]) for r in rows if r.get("level") is not None})
    if levels:
        out["by_level"] = {str(lv): block([r for r in rows if r.get("level") == lv]) for lv in levels}
    return out


def _fmt(value: Any, pct: bool = False, digits: int = 3) -> str:
    if value is None:
        return "-"
    return f"{value:.0%}" if pct else (f"{value:.{digits}f}" if isinstance(value, float) else str(value))


def comparison_table(summaries: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """A plain-text table of runs side by side (``(label, summary)`` each)."""
    header = ("variant", "samples", "draws", "gate", "mean reward [95% CI]", "invented API", "tokens/sample",
              "s/sample (gen)")
    rows: list[tuple[str, ...]] = [header]
    for label, s in summaries:
        mr = s.get("mean_reward") or {}
        ci = mr.get("ci95")
        reward = _fmt(mr.get("mean")) + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")
        secs = (s.get("seconds_per_sample") or {}).get("generate")
        rows.append((label, str(s.get("samples")), _fmt(s.get("draws_something_rate"), True),
                     _fmt(s.get("gate_pass_rate"), True), reward, _fmt(s.get("invented_api_rate"), True),
                     _fmt(s.get("tokens_per_sample"), digits=1), _fmt(secs, digits=2)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


_STYLE = """body{font-family:system-ui,sans-serif;margin:24px;background:#f4f2ee;color:#222}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:18px}
figure{margin:0;background:#fff;border-radius:10px;padding:10px;box-shadow:0 2px 8px #0002}
figure.bad{outline:3px solid #e07a5f} img{width:100%;display:block;border-radius:6px;background:#fff}
.noimg{aspect-ratio:1;display:flex;align-items:center;justify-content:center;background:#eee;color:#999}
figcaption{font-size:13px;margin-top:8px} .s{float:right;font-weight:600} .bad .s{color:#c0392b}
.ok .s{color:#2e7d32} .m{color:#666;margin-top:4px} .unk{color:#c0392b}
pre{white-space:pre-wrap;word-break:break-word;font-size:11px;background:#f7f7f7;padding:6px;max-height:320px;
overflow:auto} table{border-collapse:collapse;margin-bottom:18px}
td{padding:2px 10px;border-bottom:1px solid #ddd}"""


def write_index(path: str | os.PathLike[str], rows: Sequence[Mapping[str, Any]],
                summary: Mapping[str, Any]) -> str:
    """A self-contained ``index.html``: the summary, then every picture with its program and scores."""
    e = html.escape
    facts = [("model", summary.get("model")), ("suite", f"{summary.get('suite')}/{summary.get('split')}"),
             ("prompt style", summary.get("prompt_style")), ("reward", summary.get("reward")),
             ("samples", summary.get("samples")),
             ("draws something", _fmt(summary.get("draws_something_rate"), True)),
             ("gate pass", _fmt(summary.get("gate_pass_rate"), True)),
             ("mean reward", _fmt((summary.get("mean_reward") or {}).get("mean"))),
             ("invented API", _fmt(summary.get("invented_api_rate"), True))]
    model = (summary.get("provenance") or {}).get("model") or {}
    if model:
        facts.append(("model sha256", model.get("sha256") or f"none: {model.get('reason')}"))
    table = "".join(f"<tr><td>{e(k)}</td><td>{e(str(v))}</td></tr>" for k, v in facts)
    tiles = []
    for r in sorted(rows, key=lambda r: (r["task_id"], r["sample"])):
        render = r["render"]
        ok = bool(render.get("ok"))
        status = "ok" if ok else str(render.get("error_kind"))
        img = (f'<img loading="lazy" src="{e(r["image"])}" alt="{e(r["task_id"])}">' if r.get("image")
               else '<div class="noimg">no picture</div>')
        unknown = ", ".join(render.get("unknown_api") or [])
        breakdown = ", ".join(f"{k} {_fmt(v)}" for k, v in (r.get("breakdown") or {}).items())
        messages = "; ".join((render.get("messages") or [])[:3])
        tiles.append(
            f'<figure class="{"ok" if ok else "bad"}">{img}<figcaption>'
            f'<b>{e(r["task_id"])}</b> #{r["sample"]} <span class="s">{e(status)}</span>'
            f'<div class="m">reward {_fmt(r.get("reward"))} · gate {"pass" if r.get("gate_pass") else "fail"}'
            f' · {r.get("completion_tokens")} tokens ({e(str(r.get("finish_reason")))})</div>'
            + (f'<div class="m unk">unknown API: {e(unknown)}</div>' if unknown else "")
            + (f'<div class="m">{e(breakdown)}</div>' if breakdown else "")
            + (f'<div class="m">{e(messages)}</div>' if messages else "")
            + f'<div class="m">{e(r["prompt"])}</div>'
            + f"<details><summary>program</summary><pre>{e(r.get('code') or '')}</pre></details>"
            + f"<details><summary>completion</summary><pre>{e(r.get('completion') or '')}</pre></details>"
            + "</figcaption></figure>")
    title = f"codepaint eval: {summary.get('model')} on {summary.get('suite')}"
    doc = (f'<!doctype html><html><head><meta charset="utf-8"><title>{e(title)}</title>'
           f'<style>{_STYLE}</style>'
           f'</head><body><h1>{e(title)}</h1><table>{table}</table><div class="grid">{"".join(tiles)}</div>'
           "</body></html>")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(doc)
    return os.fspath(path)
