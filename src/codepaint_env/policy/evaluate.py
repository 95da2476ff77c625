"""`run_eval`: a policy writes K programs per task, each extracted, rendered and scored into a run folder.

    >>> from codepaint_env.policy.evaluate import EvalConfig, run_eval          # doctest: +SKIP
    >>> summary = run_eval(EvalConfig(out="runs/eval", model="smollm2-135m", suite="svg", limit=10,
    ...                               samples=4))                                 # doctest: +SKIP

The policy is a local model (``model``: :func:`~codepaint_env.policy.load_policy`, called directly,
``batch_size`` rows decoded together) or any OpenAI-compatible endpoint (``base_url``: one request
per sample, ``batch_size`` in flight, so a ``codepaint policy-server`` batches them). Every sample
has its own seed, a function of ``seed``, the task id and the sample index, so a resumed run
writes what a whole run would have written; with the bundled model, the endpoint path and the
local path sample the same tokens (up to float rounding between batch shapes).

The run folder:

* ``run.json``: the configuration (``--resume`` refuses a folder made with another one) and the
  provenance of its rows (:mod:`~codepaint_env.policy.provenance`: versions, the model's sha256,
  the suite's hash...; ``--resume`` refuses to add rows made under another);
* ``rollouts.jsonl``: one row per sample, appended as samples finish (so a stopped run loses at
  most one batch): task id, sample index, system prompt style, prompt, completion, extracted code,
  the render (:meth:`RenderResult.to_dict`), the reward value, reason and breakdown, the gate's
  value and pass, tokens, seconds, the picture's path;
* ``images/``: the pictures; ``summary.json``: :func:`~codepaint_env.policy.report.summarize`, and
  the provenance;
  ``index.html``: every picture with its program and scores.

A sample the endpoint could not answer (after the client's retries) is not written: it is counted,
reported, and ``--resume`` asks for it again. A sample written with no reward (an ``infra`` render, a
judge that did not answer) is made again by ``--resume`` too.

With ``tools`` (``codepaint eval --tools search``) each sample is a conversation in which the policy
may call the search tools before it answers (:mod:`~codepaint_env.policy.tool_eval`): its rows add
the tool calls, the searches, the retrieved cards and the recall, and ``summary.json`` a ``tools``
entry (tool-call rate, calls per sample, recall).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pathlib
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from codepaint_env.core.errors import CodePaintError
from codepaint_env.policy.local import LocalPolicy, Row, row_seed
from codepaint_env.policy.report import summarize, write_index
from codepaint_env.render.extract import extract_code
from codepaint_env.render.service import RenderService
from codepaint_env.tasks import Task, builtin_suites, default_reward, load_suite, load_tasks
from codepaint_env.tasks.prompts import system_prompt
from rewards.spec import GATE_ID

__all__ = ["PROMPT_STYLES", "EvalConfig", "EvalError", "choose_tasks", "default_reward", "messages_for",
           "run_eval"]

#: ``allowlist`` and ``reference``: :func:`codepaint_env.tasks.prompts.system_prompt` (they differ for
#: p5brush only: other languages have one prompt); ``none``: no system message, the task alone.
PROMPT_STYLES: tuple[str, ...] = ("allowlist", "reference", "none")
#: The configuration fields a resumed run must share with the run it continues.
_SAME_ON_RESUME = ("model", "base_url", "served_model", "suite", "language", "level", "split", "prompt_style",
                   "reward",
                   "max_tokens", "temperature", "top_p", "seed", "size", "engine", "compute_type", "tools",
                   "max_tool_calls", "tool_form", "search_index")
#: What a run.json written before a field existed meant by its absence.
_BEFORE_THE_FIELD = {"engine": "transformers", "compute_type": None, "tools": [], "max_tool_calls": 3,
                     "tool_form": "auto", "search_index": "all"}


class EvalError(CodePaintError):
    """An evaluation that cannot run as configured (the message says what to change)."""


@dataclass
class EvalConfig:
    """What to evaluate and how.

    Attributes:
        out: The run folder.
        model: A local policy (``smollm2-135m``, a folder, a Hub id); or
        base_url: an OpenAI-compatible endpoint (``http://127.0.0.1:8001/v1``).
        served_model: The model id sent to ``base_url`` (default: the first ``/v1/models`` lists).
        api_key: For ``base_url`` (default ``$OPENAI_API_KEY``, else a placeholder).
        suite: A built-in suite name or a task file (``.jsonl``).
        language: Only the suite's tasks in this language (``None``: all); e.g. ``svg`` of ``shapes``.
        split: ``eval`` or ``train``.
        limit: The first ``limit`` tasks of the split (``None``: all); with ``level``, how many
            scenes to generate (``None``: :data:`~codepaint_env.tasks.loading.DEFAULT_LEVEL_COUNT`).
        level: A difficulty level of a generated suite (``shapes``: 0-4): its tasks of ``split``,
            generated from seed 0 (the same held-out scenes for every model).
        samples: Programs per task (K).
        reward: A reward spec (default :func:`default_reward`).
        prompt_style: One of :data:`PROMPT_STYLES`.
        max_tokens, temperature, top_p: Sampling.
        seed: Every sample's seed derives from it, the task id and the sample index.
        size: Render size in pixels (``None``: each task's own).
        batch_size: Rows decoded together (local) or requests in flight (endpoint).
        device: For a local model.
        threads: CPU threads for a local model (``None``: the engine's default).
        engine: For a local model: ``transformers`` or ``ct2`` (CTranslate2;
            :func:`~codepaint_env.policy.load_policy`).
        compute_type: For a local model: the engine's compute type (``None``: its default, ``float32``
            for transformers on a CPU, ``int8`` for ct2 on a CPU).
        tools: Search tools the policy may call before it answers (``("search",)``; empty: none, the
            single-turn eval); see :mod:`~codepaint_env.policy.tool_eval`.
        max_tool_calls: With ``tools``, the tool calls a sample may make.
        tool_form: With ``tools``: ``call`` (the chat template's tools), ``tag`` (``<search>`` in the
            text) or ``auto`` (``call`` when the template reads tools).
        search_index: With ``tools``: the cards ``search`` looks in: ``all`` (default: evaluation
            holds every card), ``train`` (the train facts' only) or ``auto`` (a train task: ``train``).
        resume: Keep the rows already in the folder and make only the missing ones.
        progress: Show a tqdm bar.
    """

    out: str | os.PathLike[str]
    model: str | None = None
    base_url: str | None = None
    served_model: str | None = None
    api_key: str | None = None
    suite: str = "svg"
    language: str | None = None
    split: str = "eval"
    limit: int | None = None
    level: int | None = None
    samples: int = 4
    reward: str | None = None
    prompt_style: str = "allowlist"
    max_tokens: int = 512
    temperature: float = 0.7
    top_p: float = 0.95
    seed: int = 0
    size: int | None = None
    batch_size: int = 8
    device: str = "auto"
    threads: int | None = None
    engine: str = "transformers"
    compute_type: str | None = None
    tools: tuple[str, ...] = ()
    max_tool_calls: int = 3
    tool_form: str = "auto"
    search_index: str = "all"
    resume: bool = False
    progress: bool = True

    def check(self) -> None:
        """Raise :class:`EvalError` naming the first setting that cannot work."""
        if (self.model is None) == (self.base_url is None):
            raise EvalError("give a model (a local policy) or a base URL (an OpenAI-compatible endpoint), "
                            "not both")
        if self.prompt_style not in PROMPT_STYLES:
            raise EvalError(f"prompt style {self.prompt_style!r}: choose one of {', '.join(PROMPT_STYLES)}")
        for name in ("samples", "max_tokens", "batch_size"):
            if getattr(self, name) < 1:
                raise EvalError(f"{name} must be at least 1")
        if self.limit is not None and self.limit < 1:
            raise EvalError("limit must be at least 1")
        if self.size is not None and not 16 <= self.size <= 4096:
            raise EvalError("size must be between 16 and 4096")
        if not 0 <= self.temperature <= 2 or not 0 < self.top_p <= 1:
            raise EvalError("temperature must be in [0, 2] and top_p in (0, 1]")
        from codepaint_env.policy.local import ENGINES

        if self.engine not in ENGINES:
            raise EvalError(f"engine {self.engine!r}: one of {', '.join(ENGINES)}")
        from codepaint_env.episode.tools import check_tools
        from codepaint_env.policy.tool_eval import TOOL_FORMS

        try:
            self.tools = check_tools(self.tools)
        except ValueError as e:
            raise EvalError(str(e)) from None
        if self.tool_form not in TOOL_FORMS:
            raise EvalError(f"tool form {self.tool_form!r}: one of {', '.join(TOOL_FORMS)}")
        if self.max_tool_calls < 0:
            raise EvalError("max_tool_calls must be at least 0")
        from codepaint_env.episode.settings import SEARCH_INDEXES

        if self.search_index not in SEARCH_INDEXES:
            raise EvalError(f"search index {self.search_index!r}: one of {', '.join(SEARCH_INDEXES)}")

    def record(self) -> dict[str, Any]:
        """What ``run.json`` holds (no API key)."""
        d = dataclasses.asdict(self)
        for k in ("api_key", "out", "resume", "progress", "batch_size", "device", "threads"):
            d.pop(k)
        d["tools"] = list(self.tools)  # as run.json reads back
        return d


def choose_tasks(suite: str, split: str, limit: int | None, language: str | None = None,
                 level: int | None = None) -> list[Task]:
    """The first ``limit`` tasks of ``split`` (in ``language``) in a built-in suite or task file (file order).

    With ``level``, ``limit`` scenes of that generated level instead (each in ``language``, or in
    every language), from seed 0.

    Raises:
        EvalError: No such suite or file, no task in that split, or a level the suite does not have.
    """
    if level is not None:
        from codepaint_env.tasks import TaskError

        try:
            return load_suite(suite, split=split, language=language, level=level, count=limit)
        except TaskError as e:
            raise EvalError(str(e)) from None
    if suite in builtin_suites():
        tasks = load_suite(suite, split=split)
    elif suite.endswith(".jsonl") or os.path.sep in suite:
        tasks = [t for t in load_tasks(suite) if t.split == split]
    else:
        raise EvalError(f"unknown suite {suite!r}: a built-in suite ({', '.join(builtin_suites())}) or a "
                        ".jsonl task file")
    if language is not None:
        languages = sorted({t.language for t in tasks})
        tasks = [t for t in tasks if t.language == language]
        if not tasks:
            raise EvalError(f"no {language!r} tasks in split {split!r} of {suite} "
                            f"(it has {', '.join(languages)})")
    if not tasks:
        raise EvalError(f"no tasks in split {split!r} of {suite}")
    return tasks[:limit] if limit else tasks


def messages_for(task: Task, style: str) -> list[dict[str, str]]:
    """The chat a task is asked in: the style's system prompt (none for ``none``), then the task."""
    if style == "none":
        return [{"role": "user", "content": task.prompt}]
    return [{"role": "system", "content": system_prompt(task.language, style)},
            {"role": "user", "content": task.prompt}]


def sample_seed(seed: int, task_id: str, index: int) -> int:
    """The request seed of sample ``index`` of a task (stable across runs, resumes and machines)."""
    digest = hashlib.sha256(f"{seed}/{task_id}/{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


# --------------------------------------------------------------------------- generating
@dataclass
class Reply:
    """One sample's reply (``error`` set when the endpoint could not answer)."""

    text: str = ""
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None


class LocalWriter:
    """Samples from a :class:`LocalPolicy` in this process, ``batch_size`` rows at a time."""

    def __init__(self, policy: LocalPolicy, config: EvalConfig) -> None:
        self.policy, self.config = policy, config
        self.name = policy.name

    def write(self, jobs: Sequence[tuple[Task, int]]) -> list[Reply]:
        """One reply per ``(task, sample index)``."""
        c = self.config
        rows = [Row(self.policy.prompt_ids(messages_for(t, c.prompt_style)), c.temperature, c.top_p,
                    c.max_tokens, (), row_seed(sample_seed(c.seed, t.id, k), 0), logprobs=False)
                for t, k in jobs]
        choices = self.policy.generate_rows(rows)
        return [Reply(ch.text, ch.finish_reason, len(r.prompt_ids), ch.completion_tokens)
                for ch, r in zip(choices, rows, strict=True)]


class EndpointWriter:
    """Samples from an OpenAI-compatible endpoint: one request per sample, ``batch_size`` in flight."""

    def __init__(self, config: EvalConfig) -> None:
        import openai

        assert config.base_url is not None
        self.config = config
        key = config.api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        self.client = openai.OpenAI(base_url=config.base_url, api_key=key, max_retries=5, timeout=600)
        self.name = config.served_model or self._first_model()

    def _first_model(self) -> str:
        try:
            models = [m.id for m in self.client.models.list()]
        except Exception as e:  # the endpoint, not the run: say which
            raise EvalError(f"cannot list the models of {self.config.base_url}: "
                            f"{type(e).__name__}: {e}") from e
        if not models:
            raise EvalError(f"{self.config.base_url} lists no model; give one (--served-model)")
        return models[0]

    def _one(self, job: tuple[Task, int]) -> Reply:
        task, k = job
        c = self.config
        try:
            reply = self.client.chat.completions.create(
                model=self.name, messages=messages_for(task, c.prompt_style),  # type: ignore[arg-type]
                temperature=c.temperature, top_p=c.top_p, max_tokens=c.max_tokens,
                seed=sample_seed(c.seed, task.id, k))
        except Exception as e:  # counted, not written: --resume asks again
            return Reply(error=f"{type(e).__name__}: {e}"[:300])
        choice = reply.choices[0]
        usage = reply.usage
        return Reply(choice.message.content or "", choice.finish_reason,
                     usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0)

    def write(self, jobs: Sequence[tuple[Task, int]]) -> list[Reply]:
        """One reply per ``(task, sample index)``, requests in parallel."""
        with ThreadPoolExecutor(max(1, min(len(jobs), self.config.batch_size))) as pool:
            return list(pool.map(self._one, jobs))


# --------------------------------------------------------------------------- the run folder
def read_rows(path: pathlib.Path) -> list[dict[str, Any]]:
    """The rows of a ``rollouts.jsonl`` (a line cut short by a stopped run is skipped)."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and "task_id" in row and "sample" in row:
            rows.append(row)
    return rows


def _ask_again_for_the_unjudged(kept: list[dict[str, Any]], out: pathlib.Path,
                                log: Callable[[str], None]) -> list[dict[str, Any]]:
    """The kept rows less those with no reward (an infra render, a judge down), dropped from the file too.

    Such a row says nothing about the program, so a resumed run makes the sample again (its seed
    gives the same completion) rather than keep a hole in the results.
    """
    unjudged = [r for r in kept if r.get("reward") is None]
    if not unjudged:
        return kept
    judged = [r for r in kept if r.get("reward") is not None]
    path = out / "rollouts.jsonl"
    partial = path.with_suffix(".jsonl.partial")
    partial.write_text("".join(json.dumps(r, allow_nan=False) + "\n" for r in judged), encoding="utf-8")
    partial.replace(path)
    reason = unjudged[0].get("reward_reason") or "no reason"
    more = " ..." if len(unjudged) > 1 else ""
    log(f"eval: {len(unjudged)} kept samples were not judged ({reason}{more}); making them again")
    return judged


def _prepare_folder(config: EvalConfig, out: pathlib.Path, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows to keep: the folder's rows on ``resume`` (after checking its run.json), else none."""
    run_file = out / "run.json"
    if config.resume and run_file.exists():
        before = json.loads(run_file.read_text(encoding="utf-8"))
        differ = [k for k in _SAME_ON_RESUME if before.get(k, _BEFORE_THE_FIELD.get(k)) != record.get(k)]
        if differ:
            what = ", ".join(f"{k}: {before.get(k, _BEFORE_THE_FIELD.get(k))!r} then, {record.get(k)!r} now"
                             for k in differ)
            raise EvalError(f"{out} was made with other settings ({what}); resume with the same settings "
                            "or choose another --out")
        return read_rows(out / "rollouts.jsonl")
    for name in ("rollouts.jsonl", "summary.json", "index.html"):
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / "images", ignore_errors=True)
    return []


def _settle_provenance(config: EvalConfig, out: pathlib.Path, tasks: Sequence[Task], spec: str, *, kept: bool,
                       adding: bool) -> dict[str, Any] | None:
    """The provenance of the rows the folder will hold (:func:`~codepaint_env.policy.provenance.describe`).

    Rows kept and none to add: the folder's own (nothing new is made, so nothing is asked of the
    model or endpoint). Rows kept and more to add: this run's, which must be the folder's.

    Raises:
        EvalError: Kept rows were made under other provenance (or before it was recorded).
    """
    from codepaint_env.policy.provenance import describe, differences

    before = None
    if kept:
        try:
            before = json.loads((out / "run.json").read_text(encoding="utf-8")).get("provenance")
        except (OSError, ValueError, AttributeError):
            before = None
        if not adding:
            return before
    now = describe(tasks=tasks, suite=config.suite, reward=spec, seed=config.seed, model=config.model,
                   base_url=config.base_url, served_model=config.served_model, api_key=config.api_key,
                   split=config.split, language=config.language, level=config.level, limit=config.limit)
    if kept and not isinstance(before, dict):
        raise EvalError(f"{out} holds rows made before codepaint recorded what made them (no provenance in "
                        "its run.json), so new rows could not be told apart from them; choose another --out")
    if kept and isinstance(before, dict):
        differ = differences(before, now)
        if differ:
            raise EvalError(f"{out} holds rows made under other provenance ({'; '.join(differ)}); "
                            "resuming would mix them with rows made now: restore what made them, or choose "
                            "another --out")
    return now


def run_eval(config: EvalConfig, *, policy: LocalPolicy | None = None, renderer: RenderService | None = None,
             log: Callable[[str], None] = print) -> dict[str, Any]:
    """Evaluate a policy on a suite (see the module docstring); returns the summary it wrote.

    Args:
        config: What to evaluate.
        policy: A loaded policy to use instead of loading ``config.model`` (loaded only when there
            is something to generate).
        renderer: The render service (default: a local ``Renderer``, closed at the end).
        log: Where progress lines go.

    Raises:
        EvalError: A setting that cannot work, a folder made with other settings, an unreachable endpoint.
        UnknownModel, DependencyNotInstalled: From loading the model.
    """
    from tqdm import tqdm

    import rewards

    config.check()
    tasks = choose_tasks(config.suite, config.split, config.limit, config.language, config.level)
    spec = config.reward or default_reward(tasks)
    record = {**config.record(), "reward": spec, "tasks": [t.id for t in tasks]}
    out = pathlib.Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    kept = _ask_again_for_the_unjudged(_prepare_folder(config, out, record), out, log)
    wanted = {(t.id, k) for t in tasks for k in range(config.samples)}
    done = {(r["task_id"], r["sample"]) for r in kept} & wanted
    todo = [(t, k) for t in tasks for k in range(config.samples) if (t.id, k) not in done]
    record["provenance"] = _settle_provenance(config, out, tasks, spec, kept=bool(done), adding=bool(todo))
    (out / "run.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    log(f"eval: {len(tasks)} tasks x {config.samples} samples of {config.suite}/{config.split}, "
        f"reward {spec}, "
        f"prompt style {config.prompt_style}"
        + (f", tools {','.join(config.tools)} (at most {config.max_tool_calls} calls)"
           if config.tools else "")
        + f": {len(done)} done already, {len(todo)} to do")
    failed = 0
    retried: dict[str, Any] = {"infra_retries": 0, "infra_retry_s": 0.0}
    started = time.perf_counter()
    if todo:
        writer: LocalWriter | EndpointWriter
        if config.base_url is not None:
            writer = EndpointWriter(config)
        else:
            if policy is None:
                from codepaint_env.policy.local import load_policy

                assert config.model is not None
                policy = load_policy(config.model, config.device, engine=config.engine,
                                     compute_type=config.compute_type, threads=config.threads, log=log)
                log(f"eval: loaded {policy.name} ({policy.engine.kind} {policy.engine.compute_type}) on "
                    f"{policy.device} in {policy.load_seconds:.1f} s")
            writer = LocalWriter(policy, config)
        own_renderer = renderer is None
        if renderer is None:
            from codepaint_env.render import Renderer
            from codepaint_env.render.retry import COMMAND_RETRIES

            renderer = Renderer(infra_retries=COMMAND_RETRIES)
        try:
            reward = rewards.make_reward(spec, renderer=renderer)
            gate = reward if spec in (GATE_ID, "gate") else rewards.make_reward(GATE_ID, renderer=renderer)
            tool_eval = None
            if config.tools:
                from codepaint_env.policy.tool_eval import ToolEval

                tool_eval = ToolEval(config, writer, renderer, reward, gate, messages_for=messages_for,
                                     sample_seed=sample_seed)
                log(f"eval: the policy calls tools in the {tool_eval.form} form")
            with (out / "rollouts.jsonl").open("a", encoding="utf-8") as sink, \
                    tqdm(total=len(todo), desc=f"eval {writer.name}", unit="sample",
                         disable=not config.progress) as bar:
                for at in range(0, len(todo), config.batch_size):
                    chunk = todo[at:at + config.batch_size]
                    rows = (tool_eval.run_chunk(chunk, out) if tool_eval is not None else
                            _run_chunk(chunk, writer, renderer, reward, gate, config, out))
                    failed += sum(r is None for r in rows)
                    for row in rows:
                        if row is not None:
                            sink.write(json.dumps(row, allow_nan=False) + "\n")
                    sink.flush()
                    bar.update(len(chunk))
            retried = _retries(renderer)
        finally:
            if own_renderer:
                renderer.close()
    all_rows = [r for r in read_rows(out / "rollouts.jsonl") if (r["task_id"], r["sample"]) in wanted]
    name = record["model"] if config.model is not None else (
        config.served_model or (all_rows[0]["model"] if all_rows else None))
    summary = summarize(all_rows, tasks=[t.id for t in tasks], samples=config.samples,
                        meta={"model": name, "base_url": config.base_url, "suite": config.suite,
                              "split": config.split, "prompt_style": config.prompt_style, "reward": spec,
                              "max_tokens": config.max_tokens, "temperature": config.temperature,
                              "top_p": config.top_p, "seed": config.seed,
                              "engine": None if config.base_url is not None else config.engine,
                              "compute_type": None if config.base_url is not None else config.compute_type})
    if policy is not None:
        summary["engine"] = policy.describe()  # the compute type the engine chose, where it was left to it
    summary["this_run"] = {"generated": len(todo) - failed, "endpoint_failures": failed,
                           "wall_seconds": round(time.perf_counter() - started, 2), **retried}
    summary["provenance"] = record["provenance"]
    if config.tools:
        from codepaint_env.policy.tool_eval import tools_summary

        summary["tools"] = {"tools": list(config.tools), "max_tool_calls": config.max_tool_calls,
                            "tool_form": next((r.get("tool_form") for r in all_rows), None),
                            **tools_summary(all_rows)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    write_index(out / "index.html", all_rows, summary)
    if retried["infra_retries"]:
        from codepaint_env.render.retry import describe_retries

        log(f"eval: {describe_retries(retried)}")
    if failed:
        log(f"eval: {failed} samples got no answer from the endpoint; run again with --resume to ask again")
    return summary


def _retries(renderer: RenderService) -> dict[str, Any]:
    """The renderer's ``infra_retries`` and ``infra_retry_s`` (zeros for a service that keeps none)."""
    got = renderer.stats()
    return {"infra_retries": got.get("infra_retries", 0), "infra_retry_s": got.get("infra_retry_s", 0.0)}


def judge_programs(programs: Sequence[tuple[Task, str]], renderer: RenderService, reward: Any, gate: Any,
                   size: int | None = None) -> tuple[list[Any], list[Any], list[Any]]:
    """Render each ``(task, code)`` as an evaluation does and score it by the reward and the gate.

    Args:
        programs: Each program with its task.
        renderer: The render service (the task's size, seed 0).
        reward: The reward.
        gate: The execution gate (``reward`` itself when the reward is the gate).
        size: A square render size instead of each task's own.

    Returns:
        The samples, the reward's results and the gate's.
    """
    from rewards.base import Sample

    futures = []
    for task, code in programs:
        side = (size, size) if size else task.size
        futures.append((side, renderer.submit(code, task.language, size=side, seed=0)))
    samples = [Sample(code=code, language=f.result().language, render=f.result(), prompt=task.prompt,
                      meta={**task.columns(), "size": list(side)})
               for (task, code), (side, f) in zip(programs, futures, strict=True)]
    scored = reward.score(samples) if samples else []
    gated = scored if gate is reward else (gate.score(samples) if samples else [])
    return samples, scored, gated


def gate_passed(result: Any, gate: Any) -> bool:
    """Whether the gate's result passed (judged and above the gate's fail value)."""
    return result.value is not None and result.value > getattr(gate, "fail_value", -1.0)


def _run_chunk(chunk: Sequence[tuple[Task, int]], writer: LocalWriter | EndpointWriter,
               renderer: RenderService, reward: Any, gate: Any, config: EvalConfig,
               out: pathlib.Path) -> list[dict[str, Any] | None]:
    """Generate, extract, render and score one chunk; one row per sample (``None``: no answer)."""
    t0 = time.perf_counter()
    replies = writer.write(chunk)
    t1 = time.perf_counter()
    live = [(job, reply) for job, reply in zip(chunk, replies, strict=True) if reply.error is None]
    programs = [(task, extract_code(reply.text, task.language)) for (task, _), reply in live]
    samples, scored, gated = judge_programs(programs, renderer, reward, gate, size=config.size)
    t2 = time.perf_counter()
    by_job: dict[tuple[str, int], dict[str, Any]] = {}
    images = out / "images"
    for ((task, k), reply), sample, res, g in zip(live, samples, scored, gated, strict=True):
        r = sample.render
        image = None
        if r.png is not None:
            images.mkdir(exist_ok=True)
            image = f"images/{task.id}-{k}.png"
            (out / image).write_bytes(r.png)
        by_job[(task.id, k)] = {
            "task_id": task.id, "sample": k, "model": writer.name, "prompt_style": config.prompt_style,
            "prompt": task.prompt, "language": task.language, "completion": reply.text, "code": sample.code,
            "finish_reason": reply.finish_reason, "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens, "render": r.to_dict(), "image": image,
            "draws_something": bool(r.ok), "reward": res.value, "reward_reason": res.reason,
            "breakdown": res.breakdown, "metrics": res.metrics, "level": task.level,
            "rationale": res.rationale[:500], "gate": g.value,
            "gate_pass": gate_passed(g, gate),
            "generate_seconds": round((t1 - t0) / len(chunk), 4),
            "render_score_seconds": round((t2 - t1) / max(1, len(live)), 4),
        }
    return [by_job.get((t.id, k)) for t, k in chunk]
