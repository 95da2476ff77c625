r"""Evolve the system prompt with GEPA against any codepaint reward, or compare prompts side by side.

Real run (a policy model behind an OpenAI-compatible API; a judge for the reward; a reflection model
that rewrites the prompt, often a larger one; all three may be one endpoint):

    export OPENAI_BASE_URL=http://localhost:8001/v1 OPENAI_API_KEY=... \
        CODEPAINT_JUDGE_MODEL=Qwen/Qwen2.5-VL-7B-Instruct
    .venv/bin/python examples/evolve_prompt.py --policy-base-url http://localhost:8000/v1 \
        --policy-model Qwen/Qwen2.5-Coder-7B-Instruct --reflection-model Qwen/Qwen2.5-72B-Instruct \
        --rewards gate:0.3,pairwise_vlm:0.7 --seed-prompt reference --iterations 200 \
        --output-dir runs/evolve-prompt

Compare the built-in prompts (the eight-method allowlist and the long API reference), no evolution:

    .venv/bin/python examples/evolve_prompt.py --policy-base-url http://localhost:8000/v1 \
        --policy-model Qwen/Qwen2.5-Coder-7B-Instruct --compare allowlist,reference --samples 4

Offline with a real model on this machine: ``--local-policy smollm2-135m`` loads SmolLM2-135M-Instruct
(the ``local-model`` extra ships it; ``codepaint_env.policy``) and serves it in this process on a
loopback OpenAI-compatible server (requests batched); it is the policy, and the reflection model
unless ``--reflection-base-url`` names another (a 135M model is a weak reflection model). The judge
is whatever ``OPENAI_BASE_URL`` names (offline: ``codepaint judge-server``), or use a gate-only reward:

    .venv/bin/python examples/evolve_prompt.py --local-policy smollm2-135m --rewards execution_gate \
        --compare allowlist,reference --samples 2 --val-tasks 4 --max-tokens 512 --size 256
    # or the model in its own process:
    codepaint policy-server --model smollm2-135m --port 8001 &
    .venv/bin/python examples/evolve_prompt.py --policy-base-url http://127.0.0.1:8001/v1 \
        --policy-model smollm2-135m --rewards execution_gate --compare allowlist,reference

Offline smoke for tests (no model: a SCRIPTED policy and reflection on a loopback server, the
stand-in judge; deterministic; it shows the pipeline works, not what a model does). With
``--local-policy NAME`` the smoke's policy is that real model instead (the reflection stays scripted):

    .venv/bin/python examples/evolve_prompt.py --smoke
    .venv/bin/python examples/evolve_prompt.py --smoke --compare allowlist,reference
    .venv/bin/python examples/evolve_prompt.py --smoke --local-policy smollm2-135m --max-tokens 256

A candidate system prompt is scored by having the policy write ``--samples`` programs per task,
rendering them and scoring them with ``--rewards`` (``id:weight,...``; a gate component gates the
others); a task's score is the mean reward of its judged programs. GEPA's reflection model gets,
per task, the program, the render error, the made-up API it called (``unknown_api``), the judge's
rationale and the reward, and proposes a new prompt. Run folder (``--output-dir``):

* ``candidates.csv`` / ``candidates.json``: per candidate, the iteration it was found, its parent,
  GEPA's validation score, mean reward (judged programs), invented-API rate (share of programs
  with ``unknown_api``), render failure rate, unjudged programs, prompt length; ``candidates.jsonl``
  is rewritten as the run goes;
* ``pareto_front.json``: GEPA's front (per validation task, the candidates with the best score)
  and the trade-off front (no other candidate has a higher reward, a lower invented-API rate and
  a shorter prompt);
* ``best_prompt.txt``; ``evolution.png`` (reward and invented-API rate against iterations);
* ``gepa/``: GEPA's state and log (run the same command again to resume);
* with ``--compare``: ``compare.csv`` / ``compare.json`` instead.

GEPA needs a number for every task: a task none of whose programs could be judged counts 0 for it
and shows in the ``unjudged`` column; an evaluation where most programs could not be judged stops
the run with the judge's reason.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

try:
    from gepa.api import optimize
    from gepa.core.adapter import EvaluationBatch, GEPAAdapter
    from gepa.core.callbacks import GEPACallback, IterationEndEvent, ValsetEvaluatedEvent
except ImportError as e:  # a broken installation: say how to fix it
    raise SystemExit(f"examples/evolve_prompt.py needs GEPA ({e}): pip install 'codepaint[evolve]'") from None

from codepaint_env.render import Renderer
from codepaint_env.render.extract import extract_code
from codepaint_env.tasks import Task, all_tasks, builtin_suites, load_suite, load_tasks
from codepaint_env.tasks.prompts import system_prompt
from rewards.base import Reward, Sample

COMPONENT = "system_prompt"
SCRIPTED_NOTE = ("SCRIPTED policy and reflection (codepaint_env.testing.scripted_policy): a fixed rule, "
                 "not a model; the figures show that the pipeline works, not what a model does")


class ChatModel:
    """One model behind an OpenAI-compatible chat API; also GEPA's reflection ``LanguageModel``."""

    def __init__(self, base_url: str | None, model: str, api_key: str | None, *, temperature: float,
                 max_tokens: int) -> None:
        import openai

        self.client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", max_retries=3)
        self.model, self.temperature, self.max_tokens = model, temperature, max_tokens

    def chat(self, messages: list[dict[str, Any]], seed: int | None = None) -> str:
        """The reply's text."""
        kwargs: dict[str, Any] = {} if seed is None else {"seed": seed}
        reply = self.client.chat.completions.create(model=self.model, messages=messages,  # type: ignore[arg-type]
                                                    temperature=self.temperature,
                                                    max_tokens=self.max_tokens, **kwargs)
        return reply.choices[0].message.content or ""

    def __call__(self, prompt: str | list[dict[str, Any]]) -> str:
        """GEPA's reflection call: a prompt (or messages) in, text out."""
        return self.chat([{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt)


@dataclass
class Candidate:
    """What one candidate prompt did on the validation tasks."""

    index: int
    iteration: int
    parents: list[int]
    prompt: str
    val_score: float
    programs: list[dict[str, Any]] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        """The table row."""
        return {"candidate": self.index, "iteration": self.iteration,
                "parents": " ".join(map(str, self.parents)), "val_score": round(self.val_score, 4),
                **summarize(self.programs), "prompt_chars": len(self.prompt),
                "prompt_words": len(self.prompt.split())}


def summarize(programs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean reward (judged programs), invented-API rate, render failure rate, unjudged count."""
    n = len(programs)
    judged = [p["value"] for p in programs if p["value"] is not None]
    return {"programs": n,
            "mean_reward": round(sum(judged) / len(judged), 4) if judged else None,
            "invented_api_rate": round(sum(bool(p["unknown_api"]) for p in programs) / n, 4) if n else None,
            "render_failure_rate": round(sum(not p["ok"] for p in programs) / n, 4) if n else None,
            "unjudged": n - len(judged)}


Programs = list[dict[str, Any]]  # one record per program written for a task


class CodepaintPromptAdapter(GEPAAdapter[Task, Programs, Programs]):
    """GEPA's adapter: a candidate is ``{"system_prompt": text}``, a data instance a :class:`Task`."""

    def __init__(self, policy: ChatModel, reward: Reward, renderer: Renderer, *, language: str, size: int,
                 samples: int, concurrency: int) -> None:
        self.policy, self.reward, self.renderer = policy, reward, renderer
        self.language, self.size, self.samples, self.concurrency = language, size, samples, concurrency
        self.last: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (prompt, task id) -> programs

    def _write(self, job: tuple[str, Task, int]) -> tuple[str, str | None]:
        system, task, seed = job
        try:
            messages = [{"role": "system", "content": system}, {"role": "user", "content": task.prompt}]
            return self.policy.chat(messages, seed=seed), None
        except Exception as e:  # the endpoint, not the program: unjudged
            return "", f"policy request failed: {type(e).__name__}: {e}"

    def run(self, system: str, tasks: list[Task]) -> list[list[dict[str, Any]]]:
        """Per task, a record per program: code, render outcome, unknown_api, reward, rationale."""
        jobs = [(system, t, s) for t in tasks for s in range(self.samples)]
        with ThreadPoolExecutor(self.concurrency) as pool:
            replies = list(pool.map(self._write, jobs))
        codes = [extract_code(text, self.language) for text, _ in replies]
        renders = self.renderer.render_many(codes, self.language, size=self.size)
        samples = [Sample(code=c, language=self.language, render=r, prompt=t.prompt,
                          meta={**t.columns(), "size": (self.size, self.size)})
                   for c, r, (_, t, _) in zip(codes, renders, jobs, strict=True)]
        results = self.reward.score(samples)
        per_task: dict[str, list[dict[str, Any]]] = {t.id: [] for t in tasks}
        for (_, t, seed), code, res, rr, (_, failed) in zip(jobs, codes, renders, results, replies,
                                                            strict=True):
            per_task[t.id].append({
                "task_id": t.id, "prompt": t.prompt, "sample": seed, "code": code, "ok": res.ok,
                "error_kind": res.error_kind, "messages": list(res.messages[:3]),
                "unknown_api": list(res.unknown_api),
                "value": None if failed else rr.value, "reason": failed or rr.reason,
                "rationale": rr.rationale, "breakdown": dict(rr.breakdown)})
        unjudged = sum(p["value"] is None for ps in per_task.values() for p in ps)
        if unjudged * 2 > len(jobs):
            reasons = {p["reason"] for ps in per_task.values() for p in ps if p["value"] is None}
            raise RuntimeError(f"{unjudged} of {len(jobs)} programs could not be judged: "
                               f"{sorted(reasons)[:3]}")
        for t in tasks:
            self.last[(system, t.id)] = per_task[t.id]
        return [per_task[t.id] for t in tasks]

    def evaluate(self, batch: list[Task], candidate: dict[str, str],
                 capture_traces: bool = False) -> EvaluationBatch[Programs, Programs]:
        """GEPA: score ``candidate`` on ``batch`` (a task's score: mean reward of its judged programs)."""
        per_task = self.run(candidate[COMPONENT], batch)
        scores = []
        for programs in per_task:
            judged = [p["value"] for p in programs if p["value"] is not None]
            scores.append(sum(judged) / len(judged) if judged else 0.0)
        return EvaluationBatch(outputs=per_task, scores=scores,
                               trajectories=per_task if capture_traces else None)

    def make_reflective_dataset(self, candidate: dict[str, str],
                                eval_batch: EvaluationBatch[Programs, Programs],
                                components_to_update: list[str]) -> dict[str, list[dict[str, Any]]]:
        """GEPA: per task, the program and what went wrong, for the reflection model."""
        records = []
        for programs, score in zip(eval_batch.trajectories or [], eval_batch.scores, strict=True):
            records.append({"Inputs": {"task": _task_prompt(programs)},
                            "Generated Outputs": programs[0]["code"][:3000] or "(no code in the reply)",
                            "Feedback": feedback(programs, score)})
        return {c: records for c in components_to_update}


def _task_prompt(programs: list[dict[str, Any]]) -> str:
    return str(programs[0].get("prompt") or programs[0]["task_id"])


def feedback(programs: list[dict[str, Any]], score: float) -> str:
    """What the reflection model reads about one task's programs."""
    lines = [f"task score {score:.3f} (mean reward of {len(programs)} program(s); higher is better)"]
    for i, p in enumerate(programs, 1):
        parts = [f"program {i}:"]
        if not p["ok"]:
            first = p["messages"][0] if p["messages"] else ""
            parts.append(f"render failed ({p['error_kind']}) {first}".strip())
        else:
            parts.append("rendered")
        if p["unknown_api"]:
            parts.append(f"invented API: {', '.join(p['unknown_api'])} (not p5.brush methods; the gate "
                         "fails the program)")
        value = p["value"]
        parts.append(f"reward unjudged: {p['reason']}" if value is None else f"reward {value:.3f}")
        if p["rationale"]:
            parts.append(f"judge: {p['rationale'][:600]}")
        lines.append("; ".join(parts))
    return "\n".join(lines)


class Recorder:
    """A GEPA callback: one :class:`Candidate` per validation evaluation, kept in ``candidates.jsonl``."""

    def __init__(self, adapter: CodepaintPromptAdapter, val: list[Task], out: Path) -> None:
        self.adapter, self.val, self.path = adapter, val, out / "candidates.jsonl"
        self.candidates: dict[int, Candidate] = {}
        if self.path.exists():  # a resumed run
            for line in self.path.read_text().splitlines():
                c = Candidate(**json.loads(line))
                self.candidates[c.index] = c

    def on_iteration_end(self, event: IterationEndEvent) -> None:
        """One console line per iteration."""
        verdict = "accepted" if event["proposal_accepted"] else "not better on its minibatch"
        print(f"iteration {event['iteration']}: the proposed prompt was {verdict}", flush=True)

    def on_valset_evaluated(self, event: ValsetEvaluatedEvent) -> None:
        """Record the candidate GEPA just scored on the validation tasks."""
        prompt = event["candidate"][COMPONENT]
        programs = [p for i in event["scores_by_val_id"]
                    for p in self.adapter.last.get((prompt, self.val[i].id), [])]
        c = Candidate(event["candidate_idx"], event["iteration"], list(event["parent_ids"]), prompt,
                      float(event["average_score"]), programs)
        known = self.candidates.get(c.index)
        if known is not None and not programs:  # a resumed run re-announcing what it had measured
            return
        self.candidates[c.index] = c
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(k.__dict__) + "\n" for k in self.candidates.values()))
        tmp.replace(self.path)
        s = summarize(programs)
        print(f"  candidate {c.index} (iteration {c.iteration}): reward {s['mean_reward']}, invented API "
              f"{s['invented_api_rate']:.0%}, render failures {s['render_failure_rate']:.0%}, "
              f"{len(prompt)} chars", flush=True)


class IterationStopper:
    """Stop GEPA after ``n`` iterations."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self, gepa_state: Any) -> bool:
        """True once ``n`` iterations have run."""
        return gepa_state.i + 1 >= self.n


class FileLogger:
    """GEPA's log, to a file only (the console gets one line per iteration and candidate)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path

    def log(self, message: str) -> None:
        """Append one message."""
        with self.path.open("a") as fh:
            fh.write(f"{message}\n")


def trade_off_front(rows: list[dict[str, Any]]) -> list[int]:
    """Candidates no other beats on reward (higher), invented-API rate (lower) and length (shorter)."""
    def key(r: dict[str, Any]) -> tuple[float, float, float]:
        return (-(r["mean_reward"] if r["mean_reward"] is not None else float("-inf")),
                r["invented_api_rate"] or 0.0, r["prompt_chars"])

    front = []
    for r in rows:
        k = key(r)
        if not any(all(a <= b for a, b in zip(key(o), k, strict=True)) and key(o) != k for o in rows):
            front.append(r["candidate"])
    return front


def write_table(rows: list[dict[str, Any]], stem: Path) -> None:
    """``stem.csv`` and ``stem.json``."""
    stem.with_suffix(".json").write_text(json.dumps(rows, indent=2))
    with stem.with_suffix(".csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """A plain text table."""
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def plot(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    """Reward and invented-API rate of each candidate against the iteration it was found."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    rows = sorted(rows, key=lambda r: (r["iteration"], r["candidate"]))
    it = [r["iteration"] for r in rows]
    reward = [r["mean_reward"] if r["mean_reward"] is not None else float("nan") for r in rows]
    best, top = [], float("-inf")
    for v in reward:
        top = max(top, v) if v == v else top
        best.append(top)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(it, reward, "o", color="tab:blue", label="mean reward (candidate)")
    ax.step(it, best, where="post", color="tab:blue", alpha=0.6, label="best so far")
    ax.set_xlabel("GEPA iteration")
    ax.set_ylabel("mean reward", color="tab:blue")
    ax2 = ax.twinx()
    ax2.plot(it, [r["invented_api_rate"] for r in rows], "s--", color="tab:red", label="invented-API rate")
    ax2.set_ylabel("invented-API rate", color="tab:red")
    ax2.set_ylim(-0.05, 1.05)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.legend(loc="lower center", ncol=3, fontsize=8, frameon=False)
    ax.set_title(title, fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def load_prompt(spec: str, language: str) -> str:
    """``allowlist`` / ``reference`` (the built-in prompts) or a text file."""
    if spec in ("allowlist", "reference"):
        return system_prompt(language, spec)
    return Path(spec).read_text(encoding="utf-8").strip()


def choose_tasks(spec: str | None, split: str, language: str, limit: int, seed: int) -> list[Task]:
    """Up to ``limit`` tasks of ``split`` from a suite name, a JSONL file, or every built-in suite."""
    if spec is None:
        tasks = all_tasks(split=split, language=language)
    elif spec in builtin_suites():
        tasks = load_suite(spec, split=split, language=language)
    else:
        tasks = [t for t in load_tasks(spec) if t.split == split and t.language == language]
    if limit and len(tasks) > limit:
        tasks = random.Random(seed).sample(tasks, limit)
    if not tasks:
        raise SystemExit(f"no {language} tasks in split {split!r} of {spec or 'the built-in suites'}")
    return tasks


def build_reward(spec: str, renderer: Renderer) -> Reward:
    """The reward a spec names (``rewards.make_reward``: a composite is gated by its gate component)."""
    import rewards

    return rewards.make_reward(spec, renderer=renderer)


def compare(adapter: CodepaintPromptAdapter, styles: list[str], tasks: list[Task], args: Any,
            out: Path) -> int:
    """Measure each prompt on ``tasks``; write compare.csv/json."""
    rows = []
    for style in styles:
        prompt = load_prompt(style, args.language)
        programs = [p for ps in adapter.run(prompt, tasks) for p in ps]
        rows.append({"prompt": style, **summarize(programs), "prompt_chars": len(prompt),
                     "prompt_words": len(prompt.split())})
    write_table(rows, out / "compare")
    print()
    print_table(rows, list(rows[0]))
    return 0


def evolve(adapter: CodepaintPromptAdapter, train: list[Task], val: list[Task], reflection: ChatModel,
           args: Any, out: Path, title: str) -> int:
    """Run GEPA; write the table, the fronts, the best prompt and the plot."""
    recorder = Recorder(adapter, val, out)
    seed_prompt = load_prompt(args.seed_prompt, args.language)
    result = optimize(
        seed_candidate={COMPONENT: seed_prompt}, trainset=train, valset=val, adapter=adapter,
        reflection_lm=reflection, reflection_minibatch_size=args.minibatch,
        callbacks=[cast(GEPACallback, recorder)],
        stop_callbacks=[IterationStopper(args.iterations)], perfect_score=adapter.reward.value_range[1],
        run_dir=str(out / "gepa"), logger=FileLogger(out / "gepa" / "run_log.txt"), seed=args.seed,
        display_progress_bar=False)
    front = {val[i].id: sorted(c) for i, c in result.per_val_instance_best_candidates.items()}
    on_front = {c for cs in front.values() for c in cs}
    rows = [{**c.row(), "gepa_front": c.index in on_front, "best": c.index == result.best_idx}
            for c in sorted(recorder.candidates.values(), key=lambda c: c.index)]
    trade = trade_off_front(rows)
    write_table(rows, out / "candidates")
    (out / "pareto_front.json").write_text(json.dumps({
        "gepa_front_per_task": front, "trade_off_front": trade,
        "prompts": {str(c.index): c.prompt for c in recorder.candidates.values()
                    if c.index in on_front or c.index in trade}}, indent=2))
    best = result.best_candidate
    (out / "best_prompt.txt").write_text((best[COMPONENT] if isinstance(best, dict) else best) + "\n")
    plot(rows, out / "evolution.png", title)
    print()
    print_table(rows, ["candidate", "iteration", "parents", "val_score", "mean_reward", "invented_api_rate",
                       "render_failure_rate", "unjudged", "prompt_chars", "gepa_front", "best"])
    print(f"\nbest prompt (candidate {result.best_idx}) -> {out / 'best_prompt.txt'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Evolve or compare; returns the exit status."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--policy-base-url", default=os.environ.get("OPENAI_BASE_URL"))
    ap.add_argument("--policy-api-key", default=os.environ.get("OPENAI_API_KEY"))
    ap.add_argument("--policy-model", default=None, help="required unless --smoke or --local-policy")
    ap.add_argument("--local-policy", default=None, metavar="NAME",
                    help="serve a local model in this process as the policy: smollm2-135m, a checkpoint "
                    "folder or a Hugging Face id (codepaint_env.policy)")
    ap.add_argument("--threads", type=int, default=None,
                    help="--local-policy: CPU threads for torch (1 is often faster on a busy machine)")
    ap.add_argument("--reflection-base-url", default=None, help="default: the policy's")
    ap.add_argument("--reflection-api-key", default=None, help="default: the policy's")
    ap.add_argument("--reflection-model", default=None, help="default: the policy model")
    ap.add_argument("--rewards", default="gate:0.3,pairwise_vlm:0.7", help="id:weight,... (judges: "
                    "OPENAI_BASE_URL, OPENAI_API_KEY, CODEPAINT_JUDGE_MODEL)")
    ap.add_argument("--language", default="p5brush")
    ap.add_argument("--tasks", default=None,
                    help="a suite name or a JSONL file (default: every built-in suite)")
    ap.add_argument("--train-tasks", type=int, default=12, help="train-split tasks GEPA reflects on")
    ap.add_argument("--val-tasks", type=int, default=8, help="eval-split tasks candidates are scored on")
    ap.add_argument("--samples", type=int, default=2, help="programs per task and evaluation")
    ap.add_argument("--seed-prompt", default="reference", help="allowlist, reference, or a text file")
    ap.add_argument("--iterations", type=int, default=None, help="GEPA iterations (default 200; smoke 3)")
    ap.add_argument("--minibatch", type=int, default=3, help="tasks per reflection step")
    ap.add_argument("--compare", default=None, help="comma-separated prompts to measure instead of evolving")
    ap.add_argument("--size", type=int, default=512, help="render size")
    ap.add_argument("--temperature", type=float, default=0.7)
    ap.add_argument("--max-tokens", type=int, default=4096)
    ap.add_argument("--concurrency", type=int, default=8, help="policy requests in flight")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--output-dir", default=None, help="default runs/evolve-prompt[-smoke]")
    ap.add_argument("--smoke", action="store_true",
                    help="offline: scripted policy and reflection, stand-in judge")
    args = ap.parse_args(argv)
    out = Path(args.output_dir or ("runs/evolve-prompt-smoke" if args.smoke else "runs/evolve-prompt"))
    out.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        local = stack.enter_context(local_policy_server(args)) if args.local_policy else None
        if args.smoke:
            return smoke(args, out, local)
        if local is not None:
            if args.reflection_base_url is None:
                print("evolve_prompt: the local policy is also the reflection model (weak at that size); "
                      "give --reflection-base-url and --reflection-model for a stronger one", file=sys.stderr)
                args.reflection_base_url, args.reflection_api_key = local.url, "local"
                args.reflection_model = args.reflection_model or local.model
            args.policy_base_url, args.policy_api_key, args.policy_model = local.url, "local", local.model
        if not args.policy_model:
            ap.error("--policy-model is required (or --local-policy NAME, or --smoke)")
        return evolve_or_compare(args, out)


def local_policy_server(args: Any) -> Any:
    """``--local-policy``: the model served in this process on loopback, as a context manager."""
    from codepaint_env.policy import PolicyLimits, load_policy
    from codepaint_env.policy.inprocess import PolicyServerThread

    policy = load_policy(args.local_policy, threads=args.threads,
                         log=lambda m: print(f"evolve_prompt: {m}", file=sys.stderr))
    print(f"evolve_prompt: local policy {policy.name} on {policy.device}, loaded in "
          f"{policy.load_seconds:.1f} s", file=sys.stderr)
    limits = PolicyLimits(max_batch=max(1, args.concurrency), max_queue=max(64, args.concurrency),
                          max_tokens=args.max_tokens, default_max_tokens=min(512, args.max_tokens))
    return PolicyServerThread(policy, limits=limits)


def evolve_or_compare(args: Any, out: Path) -> int:
    """A run against real endpoints: the policy, the reflection model, the reward's judge."""
    args.iterations = args.iterations or 200
    policy = ChatModel(args.policy_base_url, args.policy_model, args.policy_api_key,
                       temperature=args.temperature, max_tokens=args.max_tokens)
    reflection = ChatModel(args.reflection_base_url or args.policy_base_url,
                           args.reflection_model or args.policy_model,
                           args.reflection_api_key or args.policy_api_key, temperature=1.0,
                           max_tokens=args.max_tokens)
    val = choose_tasks(args.tasks, "eval", args.language, args.val_tasks, args.seed)
    train = choose_tasks(args.tasks, "train", args.language, args.train_tasks, args.seed)
    print(f"policy: {args.policy_model} at {args.policy_base_url}; reflection: {reflection.model}; "
          f"reward: {args.rewards}; {len(train)} train / {len(val)} validation tasks, "
          f"{args.samples} sample(s) per task")
    return run(args, out, policy, reflection, train, val, title=f"{args.policy_model}, {args.rewards}")


def run(args: Any, out: Path, policy: ChatModel, reflection: ChatModel, train: list[Task], val: list[Task],
        title: str) -> int:
    """Compare or evolve with a renderer and the reward."""
    with Renderer() as renderer:
        reward = build_reward(args.rewards, renderer)
        adapter = CodepaintPromptAdapter(policy, reward, renderer, language=args.language, size=args.size,
                                         samples=args.samples, concurrency=args.concurrency)
        if args.compare:
            return compare(adapter, [s.strip() for s in args.compare.split(",") if s.strip()], val, args, out)
        return evolve(adapter, train, val, reflection, args, out, title)


def smoke(args: Any, out: Path, local: Any = None) -> int:
    """Offline: the scripted policy and reflection (or the local model as the policy), the stand-in judge."""
    from codepaint_env.cli.demo import DEMO_EPISODES
    from codepaint_env.testing.judge_server import JudgeServer
    from codepaint_env.testing.scripted_policy import POLICY_MODEL, REFLECTION_MODEL, ScriptedPolicyServer

    tasks_by_id = {t.id: t for t in all_tasks(language="p5brush")}
    tasks = [tasks_by_id[ep.task_id] for ep in DEMO_EPISODES]
    # the demo's first drafts: light to render (the good edits take seconds each on a software GPU)
    programs = {tasks_by_id[ep.task_id].prompt: [ep.program("draft")] for ep in DEMO_EPISODES}
    args.language, args.size, args.samples = "p5brush", min(args.size, 128), min(args.samples, 1)
    args.iterations, args.minibatch = args.iterations or 3, 2
    shutil.rmtree(out / "gepa", ignore_errors=True)
    (out / "candidates.jsonl").unlink(missing_ok=True)
    with ScriptedPolicyServer(programs) as server, JudgeServer() as judge:
        os.environ.update(OPENAI_BASE_URL=judge.url, OPENAI_API_KEY="x", CODEPAINT_JUDGE_MODEL="standin",
                          CODEPAINT_CACHE_DIR=str(out / "judge-cache"))
        policy = ChatModel(server.url, POLICY_MODEL, "x", temperature=0.0, max_tokens=args.max_tokens)
        if local is not None:  # a real model writes the programs
            policy = ChatModel(local.url, local.model, "local", temperature=0.7, max_tokens=args.max_tokens)
        reflection = ChatModel(server.url, REFLECTION_MODEL, "x", temperature=0.0, max_tokens=args.max_tokens)
        note = (f"policy: {local.model} (a real local model) at {local.url}; reflection: "
                f"{REFLECTION_MODEL} (SCRIPTED, not a model)" if local is not None else
                f"{SCRIPTED_NOTE}.\npolicy: {POLICY_MODEL} at {server.url}; reflection: {REFLECTION_MODEL}")
        print(f"smoke: {note}; judge: the stand-in judge at {judge.url} (image statistics, not taste); "
              f"reward: {args.rewards}; {len(tasks)} tasks (train = validation), {args.size} px")
        who = f"{local.model} policy" if local is not None else "SCRIPTED policy"
        status = run(args, out, policy, reflection, tasks, tasks, title=f"{who}, {args.rewards}")
        print(f"scripted server: {server.stats()}")
    return status


if __name__ == "__main__":
    sys.exit(main())
