"""Search before drawing, measured: the ``knowledge`` eval with and without the search tool (issue 49).

    .venv/bin/python benchmarks/search/knowledge_search.py                 # the four evals, then the report
    .venv/bin/python benchmarks/search/knowledge_search.py --report-only   # the report from the run folders

For each policy (SmolLM2-135M, then Qwen2.5-Coder-0.5B) and each arm (``none``: one reply per
sample; ``search``: ``--tools search``, the policy may call the card search up to 3 times before it
answers) one ``codepaint eval`` (a niced subprocess, resumed when stopped) of the ``knowledge``
suite's SVG eval split (25 tasks, facts split by fact from the train split), 2 samples a task,
seed 0, temperature 0.7, at most 512 tokens a reply, CTranslate2 int8, into
``runs/knowledge-search-v2/<model>-<arm>/``. Both arms are scored with the same dual reward,
``gate:0.2,checks:0.7,search_recall:0.1`` (without the tool ``search_recall`` is 0 by construction),
so their rewards compare.

The report (``docs/knowledge-search.md``, ``docs/knowledge-search.json``) gives per model, arm and
fact family: samples; gate pass rate (Wilson 95 % over samples); the checks share among gate-passers
(bootstrap 95 % over tasks); the all-stated-checks pass rate among gate-passers (Wilson over those
samples); the tool-call rate (samples with at least one call; Wilson), calls per sample and recall.
Then, per model, search against none paired over tasks: each task's mean checks share over its
samples with a gate failure counted as 0, a two-sided sign-flip permutation test, Holm over the two
models. The measures and tests are learning runs 2 and 3's
(``codepaint_env.policy.learning.experiment.measures`` and ``.stats``): one definition of each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.measures import measures, per_task_share, rows_of
from codepaint_env.policy.learning.stats import bootstrap, holm, paired, wilson

ROOT = Path(__file__).resolve().parents[2]

RUN = ROOT / "runs" / "knowledge-search-v2"
MODELS = ("smollm2-135m", "qwen2.5-coder-0.5b")
DISPLAY = {"smollm2-135m": "SmolLM2-135M", "qwen2.5-coder-0.5b": "Qwen2.5-Coder-0.5B"}
ARMS = ("none", "search")
REWARD = "gate:0.2,checks:0.7,search_recall:0.1"
SAMPLES = 2
MAX_TOKENS = 512
MAX_TOOL_CALLS = 3
DOC_MD = ROOT / "docs" / "knowledge-search.md"
DOC_JSON = ROOT / "docs" / "knowledge-search.json"
#: The page's tail from this line on is another benchmark's (benchmarks/search/knowledge_queries.py): kept.
KEPT = "<!-- kept when the page above is rebuilt"


# --------------------------------------------------------------------------- the evals
def eval_command(model: str, arm: str, out: Path) -> list[str]:
    """The ``codepaint eval`` of one model and arm, niced (the machine is shared), resumable.

    Args:
        model: A bundled policy's name.
        arm: ``none`` or ``search``.
        out: The run folder.

    Returns:
        The command line.
    """
    return ["nice", "-n", "10", str(Path(sys.executable).parent / "codepaint"), "eval", "--model", model,
            "--engine", "ct2", "--suite", "knowledge", "--language", "svg", "--split", "eval",
            "--samples", str(SAMPLES), "--seed", "0", "--temperature", "0.7", "--max-tokens", str(MAX_TOKENS),
            "--reward", REWARD, "--out", str(out), "--resume", "--no-progress",
            *(["--tools", "search", "--max-tool-calls", str(MAX_TOOL_CALLS)] if arm == "search" else [])]


def complete(folder: Path) -> bool:
    """Whether a run folder holds its summary and every task's samples."""
    if not (folder / "summary.json").exists() or not (folder / "run.json").exists():
        return False
    tasks = json.loads((folder / "run.json").read_text()).get("tasks") or []
    return len(rows_of(folder)) >= len(tasks) * SAMPLES > 0


def run_evals(models: list[str]) -> None:
    """Each model's two arms, the first model's first; a finished folder is skipped, a stopped one resumed.

    Args:
        models: The policies, in order.

    Raises:
        SystemExit: An eval failed (its exit status).
    """
    for model in models:
        for arm in ARMS:
            out = RUN / f"{model}-{arm}"
            if complete(out):
                print(f"[{model} {arm}] done: {out}", flush=True)
                continue
            command = eval_command(model, arm, out)
            print(f"[{model} {arm}] {' '.join(command)}", flush=True)
            start = time.monotonic()
            rc = subprocess.call(command, cwd=ROOT, env={**os.environ, "TRL_EXPERIMENTAL_SILENCE": "1"})
            seconds = time.monotonic() - start
            wall = out / "driver-seconds.json"
            spent = json.loads(wall.read_text()).get("seconds", 0.0) if wall.exists() else 0.0
            wall.write_text(json.dumps({"seconds": round(spent + seconds, 1)}) + "\n")
            print(f"[{model} {arm}] exit {rc} after {seconds:.0f} s", flush=True)
            if rc != 0:
                raise SystemExit(f"[{model} {arm}] eval failed (exit {rc})")


# --------------------------------------------------------------------------- measures
def families() -> dict[str, str]:
    """Each eval task's fact family (its first fact's card's ``family``), by task id."""
    from codepaint_env.tasks import load_suite
    from codepaint_env.tasks.knowledge.cards import load_cards

    family = {card.id: card.family for card in load_cards()}
    return {t.id: (family.get(t.facts[0], "?") if t.facts else "?")
            for t in load_suite("knowledge", split="eval", language="svg")}


def share_all(row: dict[str, Any]) -> float:
    """A sample's checks share with a gate failure (or no checks result) counted as 0."""
    share = (row.get("metrics") or {}).get("checks/share")
    return float(share) if row.get("gate_pass") and share is not None else 0.0


def per_task(rows: list[dict[str, Any]], value: Any) -> dict[str, float]:
    """Each task's mean of ``value(row)`` over its samples."""
    out: dict[str, list[float]] = {}
    for r in rows:
        out.setdefault(r["task_id"], []).append(float(value(r)))
    return {t: statistics.fmean(v) for t, v in out.items()}


def interval(ci: tuple[float, float] | None) -> list[float] | None:
    """An interval rounded for the JSON."""
    return None if ci is None else [round(ci[0], 4), round(ci[1], 4)]


def summarise(rows: list[dict[str, Any]], arm: str) -> dict[str, Any]:
    """The table's figures over some samples of one model and arm.

    Args:
        rows: The samples (rollouts.jsonl rows).
        arm: ``none`` (no tool: no calls, recall 0 by construction) or ``search``.

    Returns:
        samples, tasks, gate pass [Wilson], checks share among gate-passers [bootstrap over tasks],
        all-stated pass among gate-passers [Wilson], the checks share with gate failures as 0, the
        tool-call rate [Wilson], calls per sample, recall [bootstrap over tasks], refused calls.
    """
    m = measures(rows)
    gated = [r for r in rows
             if r.get("gate_pass") and (r.get("metrics") or {}).get("checks/share") is not None]
    all_stated = sum(1 for r in gated if (r.get("metrics") or {}).get("checks/all_stated"))
    searched = sum(1 for r in rows if r.get("searched"))
    calls = [int(r.get("tool_calls") or 0) for r in rows]
    recalls = per_task(rows, lambda r: r.get("recall") or 0.0)
    return {
        "samples": len(rows), "tasks": len({r["task_id"] for r in rows}),
        "draws_something": m["draws_something"],
        "gate_pass": m["gate_pass"],
        "gate_pass_ci": interval(wilson(sum(bool(r.get("gate_pass")) for r in rows), len(rows))),
        "gate_passers": len(gated),
        "checks_share_gated": m["checks_share_gated"],
        "checks_share_gated_ci": interval(bootstrap(list(per_task_share(rows).values()))),
        "all_stated_gated": round(all_stated / len(gated), 4) if gated else None,
        "all_stated_gated_ci": interval(wilson(all_stated, len(gated))),
        "checks_share_all": m["checks_share_all"],
        "tool_call_rate": round(searched / len(rows), 4) if rows else None,
        "tool_call_rate_ci": interval(wilson(searched, len(rows))) if arm == "search" else None,
        "calls_per_sample": round(statistics.fmean(calls), 4) if calls else None,
        "recall": round(statistics.fmean(recalls.values()), 4) if recalls else None,
        "recall_ci": interval(bootstrap(list(recalls.values()))) if arm == "search" else None,
        "refused_calls": sum(int(r.get("refused_calls") or 0) for r in rows),
        "prompt_tokens": round(statistics.fmean([r.get("prompt_tokens") or 0 for r in rows]), 1)
        if rows else None,
        "completion_tokens": round(statistics.fmean([r.get("completion_tokens") or 0 for r in rows]), 1)
        if rows else None,
    }


def with_without(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The search arm's samples split by whether they called the tool: their count and checks share (all)."""
    out: dict[str, Any] = {}
    for name, part in (("searched", [r for r in rows if r.get("searched")]),
                       ("not_searched", [r for r in rows if not r.get("searched")])):
        out[name] = {"samples": len(part), "gate_pass": round(statistics.fmean(
            [float(bool(r.get("gate_pass"))) for r in part]), 4) if part else None,
            "checks_share_all": round(statistics.fmean([share_all(r) for r in part]), 4) if part else None}
    return out


def call_attempts(rows: list[dict[str, Any]]) -> int:
    """Samples any of whose replies write a call's opening tag (``<search``, ``<tool_call>``), parsed or not.

    Args:
        rows: The search arm's samples.

    Returns:
        How many tried to call a tool, whether or not the call could be read.
    """
    def tagged(reply: Any) -> bool:
        return "<search" in str(reply) or "<tool_call>" in str(reply)

    return sum(1 for r in rows if any(tagged(x) for x in r.get("replies") or []))


def queries(rows: list[dict[str, Any]], limit: int = 6) -> list[dict[str, Any]]:
    """A few of the search arm's calls as made: task, query, what came back (the first ``limit``)."""
    out = []
    for r in rows:
        for call in r.get("searches") or []:
            out.append({"task_id": r["task_id"], "sample": r["sample"], "query": call.get("query"),
                        "cards": call.get("ids"),
                        "error": call.get("error")})
    return out[:limit]


def collect() -> dict[str, Any]:
    """Every figure of the report, from the run folders."""
    family = families()
    table: dict[str, Any] = {}
    pvalues: list[float] = []
    comparisons: list[dict[str, Any]] = []
    for model in MODELS:
        arms = {arm: rows_of(RUN / f"{model}-{arm}") for arm in ARMS}
        if not all(arms.values()):
            continue
        entry: dict[str, Any] = {}
        for arm, rows in arms.items():
            folder = RUN / f"{model}-{arm}"
            run = json.loads((folder / "run.json").read_text()) if (folder / "run.json").exists() else {}
            summary_path = folder / "summary.json"
            summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
            wall = folder / "driver-seconds.json"
            names = sorted({family.get(r["task_id"], "?") for r in rows})
            entry[arm] = {
                "folder": str(folder.relative_to(ROOT)), "complete": complete(folder),
                "tool_form": next((r.get("tool_form") for r in rows if r.get("tool_form")), None),
                "provenance": {k: (run.get("provenance") or {}).get(k) for k in ("codepaint", "model_sha256",
                                                                                  "suite_sha256")},
                "seconds_per_sample": summary.get("seconds_per_sample"),
                "wall_seconds": json.loads(wall.read_text()).get("seconds") if wall.exists() else None,
                "overall": summarise(rows, arm),
                "families": {f: summarise([r for r in rows if family.get(r["task_id"], "?") == f], arm)
                             for f in names},
            }
            if arm == "search":
                entry[arm]["with_without_a_call"] = with_without(rows)
                entry[arm]["samples_writing_a_call_tag"] = call_attempts(rows)
                entry[arm]["example_calls"] = queries(rows)
        before = per_task(arms["none"], share_all)
        after = per_task(arms["search"], share_all)
        diff, p, n = paired(before, after)
        gate_diff, _, _ = paired(per_task(arms["none"], lambda r: bool(r.get("gate_pass"))),
                                 per_task(arms["search"], lambda r: bool(r.get("gate_pass"))))
        comparisons.append({"model": model, "measure": "per-task mean checks share, gate failures as 0",
                            "none": round(statistics.fmean(before.values()), 4),
                            "search": round(statistics.fmean(after.values()), 4),
                            "difference": round(diff, 4), "p": round(p, 4), "tasks": n,
                            "gate_pass_difference": round(gate_diff, 4)})
        pvalues.append(p)
        table[model] = entry
    for c, adjusted in zip(comparisons, holm(pvalues), strict=True):
        c["p_holm"] = round(adjusted, 4)
        c["comparisons"] = len(pvalues)
    return {"settings": {"suite": "knowledge", "language": "svg", "split": "eval", "samples": SAMPLES,
                         "seed": 0, "temperature": 0.7, "max_tokens": MAX_TOKENS, "engine": "ct2 int8 (CPU)",
                         "reward": REWARD, "max_tool_calls": MAX_TOOL_CALLS, "arms": list(ARMS)},
            "models": table, "paired": comparisons}


# --------------------------------------------------------------------------- the report
def shown(model: str) -> str:
    """A policy's display name."""
    return DISPLAY.get(model, model)


def pct(v: float | None) -> str:
    """A share as a percentage, or a dash."""
    return "—" if v is None else f"{100 * v:.0f} %"


def num(v: float | None, digits: int = 2) -> str:
    """A number, or a dash."""
    return "—" if v is None else f"{v:.{digits}f}"


def ci(c: list[float] | None, as_pct: bool = True) -> str:
    """An interval in brackets, or nothing."""
    if c is None:
        return ""
    return f" [{pct(c[0])}, {pct(c[1])}]" if as_pct else f" [{num(c[0])}, {num(c[1])}]"


def row_md(label: str, arm: str, s: dict[str, Any]) -> str:
    """One table row: a model, arm or family and its figures."""
    tool = "—" if arm == "none" else f"{pct(s['tool_call_rate'])}{ci(s['tool_call_rate_ci'])}"
    calls = "—" if arm == "none" else num(s["calls_per_sample"])
    recall = "0 (no tool)" if arm == "none" else f"{num(s['recall'])}{ci(s['recall_ci'], as_pct=False)}"
    return (f"| {label} | {arm} | {s['samples']} | {pct(s['gate_pass'])}{ci(s['gate_pass_ci'])} | "
            f"{num(s['checks_share_gated'])}{ci(s['checks_share_gated_ci'], as_pct=False)} | "
            f"{pct(s['all_stated_gated'])}{ci(s['all_stated_gated_ci'])} | {tool} | {calls} | {recall} |")


HEADER = ("| {first} | arm | samples | gate pass [Wilson 95 %] | "
          "checks share, gate-passers [bootstrap 95 %] | all stated checks, gate-passers [Wilson] | "
          "tool-call rate [Wilson] | calls / sample | recall |\n"
          "|---|---|---:|---|---|---|---|---:|---|")


def findings(data: dict[str, Any]) -> list[str]:
    """What the tool did and did not change, in words drawn from the figures."""
    out = []
    for c in data["paired"]:
        model = c["model"]
        search = data["models"][model]["search"]
        none = data["models"][model]["none"]
        s = search["overall"]
        ww = search["with_without_a_call"]
        verdict = ("a difference this test detects" if c["p_holm"] < 0.05
                   else "no difference this test detects")
        calls = (f"called the tool in {pct(s['tool_call_rate'])} of samples "
                 f"({num(s['calls_per_sample'])} calls a sample, form `{search['tool_form']}`)")
        if s["tool_call_rate"]:
            calls += (f", with a mean recall of {num(s['recall'])} (the share of the task's facts its "
                      "searches retrieved); "
                      f"samples that searched: {ww['searched']['samples']}, checks share (gate failures "
                      f"as 0) {num(ww['searched']['checks_share_all'])}, against "
                      f"{num(ww['not_searched']['checks_share_all'])} for the "
                      f"{ww['not_searched']['samples']} that did not (not randomised: descriptive)")
        else:
            calls += (f": {search['samples_writing_a_call_tag']} of its {s['samples']} samples wrote a "
                      "`<search` or `<tool_call>` tag at all, so the episode had nothing to answer")
        unused = "" if s["tool_call_rate"] else (
            " With no call made, the search arm differs from the other only in its prompt (the tool's "
            f"description: {num(s['prompt_tokens'], 0)} prompt tokens a sample against "
            f"{num(none['overall']['prompt_tokens'], 0)}), so any difference between the arms comes from "
            "that longer prompt (and chance), not from anything retrieved.")
        stated = [x for x in (none["overall"]["all_stated_gated"], s["all_stated_gated"]) if x is not None]
        if stated and not any(stated):
            unused += " No gate-passing sample of either arm passed every check its task states."
        out.append(
            f"* **{shown(model)}** {calls}. It drew something (rendered, not blank) in "
            f"{pct(none['overall']['draws_something'])} of samples without the tool and "
            f"{pct(s['draws_something'])} with it. Gate pass {pct(none['overall']['gate_pass'])} "
            f"without the tool, {pct(s['gate_pass'])} with it; checks share over all samples (gate "
            f"failures as 0) {num(c['none'])} → {num(c['search'])} (paired over {c['tasks']} tasks: "
            f"{c['difference']:+.3f}, "
            f"sign-flip p {num(c['p'], 3)}, Holm over {c['comparisons']} {num(c['p_holm'], 3)}): {verdict}."
            + unused)
    return out


def markdown(data: dict[str, Any]) -> str:
    """docs/knowledge-search.md from the collected figures."""
    st = data["settings"]
    tasks = next(iter(data["models"].values()))["none"]["overall"]["tasks"]
    lines = [
        "# Search before drawing, measured: the knowledge suite with and without the search tool",
        "",
        "<!-- written by benchmarks/search/knowledge_search.py "
        "(--report-only rebuilds it from runs/knowledge-search-v2/) -->",
        "",
        f"`codepaint eval --suite knowledge --language svg --split eval` ({tasks} tasks whose facts never "
        f"appear in train; {st['samples']} samples a task, seed {st['seed']}, temperature "
        f"{st['temperature']}, at most {st['max_tokens']} tokens a reply, {st['engine']}), each policy "
        "twice: `none` (one reply) and `search` (`--tools search`: the policy may call the BM25 card "
        "search up to "
        f"{st['max_tool_calls']} times before it answers; [docs/knowledge.md](knowledge.md)). Both arms are "
        f"scored by `{st['reward']}`, so rewards compare; without the tool `search_recall` is 0 by "
        "construction. "
        "Every figure below comes from these runs (`runs/knowledge-search-v2/<model>-<arm>/rollouts.jsonl`); "
        "the machine was a shared 2-core CPU, so seconds are noisy.",
        "",
        "## What the tool did and did not change",
        "",
        *findings(data),
        "",
        "## Overall",
        "",
        HEADER.format(first="policy"),
    ]
    for model, entry in data["models"].items():
        for arm in ARMS:
            lines.append(row_md(shown(model), arm, entry[arm]["overall"]))
    lines += ["", "Gate pass and the tool-call rate: Wilson over samples (two a task, so the intervals are "
              "a little narrow); checks share: the mean share of a task's checks passed among samples that "
              "passed the gate, bootstrap over tasks; all stated checks: the share of gate-passers that "
              "passed every check the task states, Wilson over those samples; recall: the share of the "
              "task's facts the sample's searches retrieved, bootstrap over tasks.", "",
              "## Per fact family", "",
              "Most eval facts are flags; the other families have one to three tasks each, so their "
              "intervals are wide (or absent) and they are listed to show where the tool was used, not to "
              "rank them.", ""]
    for model, entry in data["models"].items():
        lines += [f"### {shown(model)}", "", HEADER.format(first="family")]
        for f in entry["none"]["families"]:
            for arm in ARMS:
                s = entry[arm]["families"].get(f)
                if s:
                    lines.append(row_md(f"{f} ({s['tasks']} task{'s' if s['tasks'] != 1 else ''})", arm, s))
        lines.append("")
    lines += ["## Paired: search against none", "",
              "Per task, the mean checks share over its samples with a gate failure counted as 0; the "
              "difference search − none, a two-sided sign-flip permutation test over tasks (20,000 flips), "
              "Holm-adjusted over the two models.", "",
              "| policy | none | search | difference | tasks | p | p (Holm) | gate pass difference |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for c in data["paired"]:
        lines.append(f"| {shown(c['model'])} | {num(c['none'], 3)} | "
                     f"{num(c['search'], 3)} | {c['difference']:+.3f} | {c['tasks']} | {num(c['p'], 3)} | "
                     f"{num(c['p_holm'], 3)} | "
                     f"{c['gate_pass_difference']:+.3f} |")
    lines += ["", "## Cost and calls", "",
              "| policy | arm | tool form | prompt tokens / sample | completion tokens / sample | "
              "generate s / sample | eval wall s |",
              "|---|---|---|---:|---:|---:|---:|"]
    for model, entry in data["models"].items():
        for arm in ARMS:
            e = entry[arm]
            sps = (e["seconds_per_sample"] or {}).get("generate")
            lines.append(f"| {shown(model)} | {arm} | {e['tool_form'] or '—'} | "
                         f"{num(e['overall']['prompt_tokens'], 0)} | "
                         f"{num(e['overall']['completion_tokens'], 0)} | {num(sps, 1)} | "
                         f"{num(e['wall_seconds'], 0)} |")
    lines.append("")
    for model, entry in data["models"].items():
        calls = entry["search"]["example_calls"]
        if calls:
            lines += [f"{shown(model)}'s first calls (query → cards):", ""]
            lines += [f"* `{c['task_id']}` #{c['sample']}: {json.dumps(c['query'])} → {c['cards']}"
                      + (f" (error: {c['error']})" if c["error"] else "") for c in calls]
            lines.append("")
    lines += ["Reproduce: `.venv/bin/python benchmarks/search/knowledge_search.py` (resumes a stopped eval; "
              "`--report-only` rebuilds this page and `docs/knowledge-search.json`).", ""]
    return "\n".join(lines)


def report() -> None:
    """Write docs/knowledge-search.md and docs/knowledge-search.json from the run folders."""
    data = collect()
    if not data["models"]:
        print("no model has both arms yet: nothing to report", flush=True)
        return
    DOC_JSON.write_text(json.dumps(data, indent=2) + "\n")
    kept = DOC_MD.read_text() if DOC_MD.exists() else ""
    kept = kept[kept.index(KEPT):] if KEPT in kept else ""  # knowledge_queries.py's section
    DOC_MD.write_text(markdown(data) + ("\n" + kept if kept else ""))
    print(f"wrote {DOC_MD.relative_to(ROOT)} and {DOC_JSON.relative_to(ROOT)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the evals (unless ``--report-only``), then write the report.

    Args:
        argv: The command line (default ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report-only", action="store_true", help="rebuild the docs from the run folders")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated, in order")
    args = parser.parse_args(argv)
    if not args.report_only:
        for model in [m for m in args.models.split(",") if m]:
            run_evals([model])
            try:  # each model's figures once its two arms are done; a report bug must not stop the evals
                report()
            except Exception:
                traceback.print_exc()
        return 0
    report()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
