"""Every door into codepaint, driven the way its trainer drives it: for the cross-door contract test.

A *case* is a task row, a completion and a reward spec. Each door function scores a list of cases
through one door and answers, per case, what that door tells its trainer: ``value`` (``None``: not
judged), ``judged`` and ``error_kind`` (``None``: it rendered), as :func:`outcome` shapes it.

The doors of ``.venv`` run in the test's process; those that need a trainer's venv run there
(``python -m support.doors verl|verifiers|openenv CASES OUT ...``, ``tests/`` on ``PYTHONPATH``).
Rows are written by the row writers each trainer is given (``tasks_to_rows`` for TRL, the parquet
builder for verl and SkyRL, task files for verifiers and OpenEnv, ``Task.columns()`` for a
served request), never built by hand. With :data:`~support.column_probe.PROBE_FILE` set, the
probe reward (``support.column_probe:ColumnProbe``) writes down the columns it received; each door
function sets it to ``<probe_dir>/<door>.jsonl`` for its own cases.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from codepaint_env.tasks.task import Task
from support.column_probe import PROBE_FILE

#: What a trainer's row is sent as the end of a model's turn (Qwen's template; OpenRLHF strips it).
END = "<|im_end|>"
#: OpenRLHF's query: the chat-templated prompt, then the response.
CHAT_PROMPT = "<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"


def case(task: Task, completion: str, reward: str) -> dict[str, Any]:
    """A case as JSON: the task's row (:meth:`Task.to_row`), the completion and the reward spec."""
    return {"row": task.to_row(), "completion": completion, "reward": reward}


def task_of(c: Mapping[str, Any]) -> Task:
    """The case's task."""
    return Task.from_row(c["row"], "a door case")


def outcome(value: float | None, judged: bool, error_kind: str | None) -> dict[str, Any]:
    """What a door tells its trainer about one case."""
    return {"value": None if value is None else float(value), "judged": bool(judged),
            "error_kind": error_kind or None}


def error_kind_of(monitors: Mapping[str, Any], prefix: str = "codepaint/") -> str | None:
    """The error kind the training monitors of one sample name (``None``: it rendered)."""
    if monitors.get(prefix + "blank") == 1.0:
        return "blank"
    failed = [k[len(prefix + "failed/"):] for k, v in monitors.items()
              if k.startswith(prefix + "failed/") and _first(v) == 1.0]
    return failed[0] if failed else None


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


@contextlib.contextmanager
def probing(probe_dir: str | Path | None, door: str) -> Iterator[None]:
    """While inside, the probe reward of this process writes to ``<probe_dir>/<door>.jsonl``."""
    if probe_dir is None:
        yield
        return
    old = os.environ.get(PROBE_FILE)
    os.environ[PROBE_FILE] = str(Path(probe_dir) / f"{door}.jsonl")
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(PROBE_FILE, None)
        else:
            os.environ[PROBE_FILE] = old


def rounds(cases: Sequence[Mapping[str, Any]], key: Any) -> list[list[int]]:
    """Case indices in rounds where ``key(case)`` is unique (one task per prompt in a batch, say)."""
    out: list[list[int]] = []
    taken: list[set[Any]] = []
    for i, c in enumerate(cases):
        k = key(c)
        for members, keys in zip(out, taken, strict=True):
            if k not in keys:
                members.append(i)
                keys.add(k)
                break
        else:
            out.append([i])
            taken.append({k})
    return out


# ---------------------------------------------------------------------- the doors of .venv
def gym_door(cases: Sequence[Mapping[str, Any]], probe_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """``gym.make(id, reward=spec, tasks=[task], size=...)``: one reset and one step per case."""
    import gymnasium as gym

    import codepaint_env

    ids = {language: env_id for env_id, language in codepaint_env.env_ids().items()}
    out = []
    with probing(probe_dir, "gym"):
        for c in cases:
            task = task_of(c)
            env = gym.make(ids[task.language], reward=c["reward"], tasks=[task], size=task.size)
            env.reset(options={"task": task})
            _, _, _, _, info = env.step(c["completion"])
            out.append(outcome(info["reward"]["value"], info["judged"], info["render"]["error_kind"]))
            env.close()
    return out


def trl_rows(tasks: Sequence[Task]) -> list[dict[str, Any]]:
    """TRL's dataset rows of ``tasks`` (``tasks_to_rows`` through ``datasets.Dataset``, as TRL reads them)."""
    from datasets import Dataset

    from codepaint_env.tasks import tasks_to_rows

    data = Dataset.from_list(tasks_to_rows(tasks, system_prompt="Answer with a program."))
    return [data[i] for i in range(len(data))]


def trl_reward_funcs_door(cases: Sequence[Mapping[str, Any]], probe_dir: str | Path | None = None
                          ) -> list[dict[str, Any]]:
    """``rewards.reward_funcs(spec)`` called as ``GRPOTrainer`` calls each reward function.

    TRL passes the conversational prompt and completion, every dataset column as a list and its
    ``log_metric`` hook (the monitors logged through it name the error kind), and sums the
    functions' values with their weights.
    """
    from rewards.factory import reward_funcs

    out = []
    with probing(probe_dir, "trl_reward_funcs"):
        for c in cases:
            (row,) = trl_rows([task_of(c)])
            funcs, weights = reward_funcs(c["reward"])
            logged: dict[str, float] = {}
            columns = {k: [v] for k, v in row.items() if k != "prompt"}
            completion = [{"role": "assistant", "content": c["completion"]}]
            values = [f(prompts=[row["prompt"]], completions=[completion], log_metric=logged.__setitem__,
                        **columns)[0] for f in funcs]
            value = None if None in values else sum(w * v for w, v in zip(weights, values, strict=True))
            out.append(outcome(value, value is not None, error_kind_of(logged)))
    return out


def trl_env_door(cases: Sequence[Mapping[str, Any]], probe_dir: str | Path | None = None
                 ) -> list[dict[str, Any]]:
    """``CodePaintToolEnv`` as ``GRPOTrainer(environment_factory=...)`` drives it.

    ``reset(**row)``, one ``submit_code`` tool call, ``get_reward()``.
    """
    import codepaint_env
    from codepaint_env.integrations.trl import CodePaintToolEnv

    ids = {language: env_id for env_id, language in codepaint_env.env_ids().items()}
    out = []
    with probing(probe_dir, "trl_env"):
        for c in cases:
            task = task_of(c)
            (row,) = trl_rows([task])
            env = CodePaintToolEnv(ids[task.language], reward=c["reward"], max_turns=1, size=task.size)
            env.reset(**row)
            env.submit_code(c["completion"])
            value = env.get_reward()
            last = env.history[-1]
            out.append(outcome(value, last["judged"], last["error_kind"]))
            env.resources.close()
    return out


def skyrl_door(cases: Sequence[Mapping[str, Any]], work: Path, probe_dir: str | Path | None = None
               ) -> list[dict[str, Any]]:
    """``skyrl_gym.make("codepaint", ...)`` on the parquet rows (``--for skyrl``), as SkyRL runs them."""
    import pyarrow.parquet as pq
    import skyrl_gym

    from codepaint_env.integrations.skyrl import ENV_ID, register_env
    from codepaint_env.tasks.parquet import task_rows, write_parquet

    register_env()
    out = []
    with probing(probe_dir, "skyrl"):
        for i, c in enumerate(cases):
            path = write_parquet(task_rows([task_of(c)], flavour="skyrl"), work / f"skyrl-{i}.parquet")
            (row,) = pq.read_table(path).to_pylist()
            extras = {**{k: v for k, v in row.items() if k not in ("prompt", "env_class")}, "max_turns": 1}
            env = skyrl_gym.make(ENV_ID, env_config={"reward": c["reward"]}, extras=extras)
            env.init(row["prompt"])
            step = env.step(c["completion"])
            meta = step["metadata"]
            out.append(outcome(meta["value"], meta["judged"], meta["error_kind"]))
            env.close()
    return out


def serve_score_door(cases: Sequence[Mapping[str, Any]], url: str, *, own_reward: bool = False
                     ) -> list[dict[str, Any]]:
    """``POST /score`` on a ``codepaint serve``: the completion, the prompt and the task's columns.

    With ``own_reward`` the request names no reward (the server's own: a reward a request may not name).
    """
    import httpx

    out = []
    for c in cases:
        task = task_of(c)
        body: dict[str, Any] = {"completions": [c["completion"]], "prompts": [task.prompt],
                                "columns": task.columns()}
        if not own_reward:
            body["reward"] = c["reward"]
        r = httpx.post(f"{url}/score", json=body, timeout=120)
        r.raise_for_status()
        (item,) = r.json()["results"]
        out.append(outcome(item["value"], item["value"] is not None, item["render"]["error_kind"]))
    return out


def openrlhf_door(cases: Sequence[Mapping[str, Any]], url: str, *, own_reward: bool = False
                  ) -> list[dict[str, Any]]:
    """``POST /get_reward`` as OpenRLHF's remote reward client sends it: queries, prompts, labels.

    The label is the task's columns and its prompt (what ``--label_key extra_info`` carries); the
    reward is ``?reward=SPEC`` (or the server's own). OpenRLHF receives floats: an unjudged item is
    the server's unjudged reward and ``extra_logs.judged`` 0; the monitors name the error kind.
    """
    import httpx

    out = []
    for c in cases:
        task = task_of(c)
        prompt = CHAT_PROMPT.format(prompt=task.prompt)
        body = {"query": [prompt + c["completion"] + END], "prompts": [prompt],
                "labels": [{**task.columns(), "prompt": task.prompt}]}
        params = {} if own_reward else {"reward": c["reward"]}
        r = httpx.post(f"{url}/get_reward", json=body, params=params, timeout=120)
        r.raise_for_status()
        answer = r.json()
        logs = answer["extra_logs"]
        judged = _first(logs["judged"]) == 1.0
        out.append(outcome(answer["rewards"][0] if judged else None, judged, error_kind_of(logs)))
    return out


# ---------------------------------------------------------------------- the doors of the trainer venvs
def verl_doors(cases: Sequence[Mapping[str, Any]], work: Path, model: str,
               probe_dir: str | Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """verl (``.venvs/verl``): ``compute_score_async`` and the agent loop, on the parquet rows.

    verl's ``RLHFDataset`` reads the rows; ``compute_score_async`` gets each row's ``extra_info``
    with the spec as ``reward_kwargs`` (what verl's reward loop passes); verl's ``AgentLoopWorker``
    runs :class:`CodePaintAgentLoop` (one loop per spec, one turn) with the completion as the
    scripted policy's reply (:mod:`support.verl_rollout`).
    """
    from codepaint_env.integrations import verl as cp_verl
    from codepaint_env.tasks.parquet import task_rows, write_parquet
    from support.verl_rollout import batch_of, worker_for

    tasks = _unique_tasks(cases)
    parquet = write_parquet(task_rows(list(tasks.values())), work / "verl.parquet")
    specs = sorted({c["reward"] for c in cases})
    loops = work / "verl_loops.yaml"
    loops.write_text("".join(
        f"- name: cp_door_{n}\n  _target_: codepaint_env.integrations.verl_agent.CodePaintAgentLoop\n"
        f"  max_turns: 1\n  images: false\n  reward: {json.dumps(spec)}\n" for n, spec in enumerate(specs)))
    replies: dict[str, str] = {}  # the task's prompt -> this batch's completion

    def reply(text: str, **_: Any) -> str:
        (prompt,) = [p for p in replies if p in text]
        return replies[prompt] + END

    worker, dataset = worker_for(model, str(loops), str(parquet), reply)
    index = {task_id: i for i, task_id in enumerate(tasks)}
    score, loop = [None] * len(cases), [None] * len(cases)
    with probing(probe_dir, "verl_compute_score"):
        for i, c in enumerate(cases):
            row = dataset[index[c["row"]["id"]]]
            answer = asyncio.run(cp_verl.compute_score_async(
                row["data_source"], c["completion"], row["reward_model"]["ground_truth"], row["extra_info"],
                reward=c["reward"]))
            score[i] = outcome(answer["value"], answer["judged"] == 1.0, answer["error_kind"])
    with probing(probe_dir, "verl_agent_loop"):
        for members in rounds(cases, lambda c: c["row"]["prompt"]):
            replies.clear()
            replies.update({cases[i]["row"]["prompt"]: cases[i]["completion"] for i in members})
            batch = batch_of(dataset, [index[cases[i]["row"]["id"]] for i in members],
                             [f"cp_door_{specs.index(cases[i]['reward'])}" for i in members])
            result = asyncio.run(worker.generate_sequences(batch))
            extra = {k: result.non_tensor_batch[k] for k in result.meta_info["reward_extra_keys"]}
            for j, i in enumerate(members):
                value, judged = _plain(extra["value"][j]), extra["judged"][j] == 1.0
                loop[i] = outcome(value, judged, extra["error_kind"][j])
    return {"verl_compute_score": score, "verl_agent_loop": loop}  # type: ignore[dict-item]


def verifiers_door(cases: Sequence[Mapping[str, Any]], work: Path, probe_dir: str | Path | None = None
                   ) -> list[dict[str, Any]]:
    """verifiers (``.venvs/verifiers``): its own eval runner on ``load_environment(<task file>)``.

    One run per reward spec and round (a scripted policy on loopback answers each task's prompt
    with the completion: :mod:`support.scripted_chat`); the task file is the rows
    (:meth:`Task.to_row`) as a JSONL suite.
    """
    import verifiers.v1 as vf  # pyright: ignore[reportMissingImports]
    from verifiers.v1.cli.eval.runner import run_eval  # pyright: ignore[reportMissingImports]
    from verifiers.v1.configs.cli.eval import EvalConfig  # pyright: ignore[reportMissingImports]

    from codepaint_env.integrations import verifiers as cp
    from support.scripted_chat import ScriptedPolicy

    out: list[Any] = [None] * len(cases)
    with probing(probe_dir, "verifiers"):
        for n, members in enumerate(rounds(cases, lambda c: (c["row"]["prompt"], c["reward"]))):
            for spec in sorted({cases[i]["reward"] for i in members}):
                group = [i for i in members if cases[i]["reward"] == spec]
                suite = work / f"verifiers-{n}-{group[0]}.jsonl"
                suite.write_text("".join(json.dumps(cases[i]["row"]) + "\n" for i in group))
                script = {cases[i]["row"]["prompt"]: [cases[i]["completion"]] for i in group}
                with ScriptedPolicy(script) as policy:
                    env = cp.load_environment(str(suite), rewards=spec, split=None, max_turns=1)
                    client = vf.EvalClientConfig(base_url=policy.url, api_key_var="CP_NO_KEY")
                    config = EvalConfig(env=env.config, model="scripted", push=False, rich=None,
                                        client=client, output_dir=str(work / "verifiers-runs"),
                                        num_rollouts=1, select={"limit": len(group)})
                    episodes = asyncio.run(run_eval(config))
                traces = {t.task.data.prompt: t for e in episodes for t in e.traces}
                for i in group:
                    trace = traces[cases[i]["row"]["prompt"]]
                    score = trace.rewards.get("codepaint")
                    value = None if score is None else score.score
                    turns = (trace.info.get("codepaint") or {}).get("turns") or [{}]
                    out[i] = outcome(value, trace.ok and value is not None, turns[-1].get("error_kind"))
    return out


def openenv_door(cases: Sequence[Mapping[str, Any]], urls: Sequence[str]) -> list[dict[str, Any]]:
    """OpenEnv (``.venvs/openenv``): its own WebSocket client on the served environment of each case.

    ``urls[i]`` serves case ``i``'s task (``--tasks``, its reward ``--reward``); each case is a
    ``reset(task_id=...)`` and one ``step``.
    """
    from openenv.core import GenericEnvClient  # pyright: ignore[reportMissingImports]

    out = []
    for c, url in zip(cases, urls, strict=True):
        with GenericEnvClient(base_url=url).sync() as env:
            env.reset(task_id=c["row"]["id"])
            obs = env.step({"code": c["completion"]}).observation
        out.append(outcome(obs["value"], bool(obs["judged"]), obs["error_kind"]))
    return out


def _unique_tasks(cases: Sequence[Mapping[str, Any]]) -> dict[str, Task]:
    tasks: dict[str, Task] = {}
    for c in cases:
        tasks.setdefault(c["row"]["id"], task_of(c))
    return tasks


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def main(argv: Sequence[str]) -> int:
    """``python -m support.doors DOOR CASES OUT [ARGS...]``: a trainer venv's doors, answers to ``OUT``.

    ``verl CASES OUT WORK MODEL PROBE_DIR``, ``verifiers CASES OUT WORK PROBE_DIR``,
    ``openenv CASES OUT URLS`` (a JSON list).
    """
    door, cases_path, out_path, *rest = argv
    cases = json.loads(Path(cases_path).read_text())
    if door == "verl":
        work, model, probe_dir = rest
        answers: Any = verl_doors(cases, Path(work), model, probe_dir)
    elif door == "verifiers":
        work, probe_dir = rest
        answers = {"verifiers": verifiers_door(cases, Path(work), probe_dir)}
    elif door == "openenv":
        answers = {"openenv": openenv_door(cases, json.loads(rest[0]))}
    else:
        raise SystemExit(f"unknown door {door!r}")
    Path(out_path).write_text(json.dumps(answers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
