"""The cross-door contract: a table of rows, each run through every door the way its trainer runs it.

A *row* is a task, a reward spec and the programs a policy answers with, turn by turn:

* ``single-turn``: one program;
* ``broken middle``: three turns, the middle program broken (its feedback says the edit broke the
  render, the next one that it fixed it);
* ``unjudged``: a turn the reward cannot judge (:class:`JudgeDown`: the judge is down for a program
  that asks for it), after a judged one;
* ``checks``: a ``shapes`` task with verifiable checks (``gate:0.2,checks:0.8``): the task's
  reference program, then a program that fails its checks;
* ``pool``: a task without checks scored against the reference pool (``gate:0.3,classic:0.7``);
* ``search then draw``: a ``knowledge`` task (the flag of Sweden) with the search tool on and the
  dual reward ``gate:0.2,checks:0.7,search_recall:0.1``: a search (``{"search": "flag of Sweden"}``,
  each door's way: ``<search>`` in the Gym env's action and SkyRL's completion, ``search()`` on TRL's
  tool env, a ``<tool_call>`` for verl's parser, an OpenAI tool call for verifiers, a ``tool`` action
  for OpenEnv), then a program that fails some checks, then the task's reference: the last scores
  1.0 only if the search's cards reached the reward. The single-turn doors have no tools: they get the
  search's cards as the ``retrieved`` column, as a trainer that searched elsewhere would pass them.

Each door answers, per turn, a *view*: ``value`` (``None``: not judged), ``judged``,
``error_kind``, and where the door shows them, ``feedback`` (the turn's feedback text) and
``message`` (the policy's next message: its ``role``, whether it carries the ``picture``, its
``text``), ``retrieved`` (the cards the episode's searches found by then); and ``episode``, the
episode's value where the door gives one. A search's view has ``tool`` True. The multi-turn doors run
the row as one episode of ``len(turns)`` turns with pictures on; the single-turn doors (reward
functions) score each program on its own. The same programs render through a
:class:`~codepaint_env.testing.StubDispatch` (:func:`stub_renderer`, no browser) or for real.

The doors of ``.venv`` run in the test's process; verl's agent loop, verifiers and OpenEnv run in
their venvs (``python -m support.contract DOOR ROWS OUT [ARGS]``, ``tests/`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from rewards.base import RewardResult, Sample
from rewards.gate import ExecutionGate

SIZE = 96  # every row's render size: small, so real renders stay quick
GOOD = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
        'fill="#fdf6e3"/><circle cx="25" cy="25" r="15" fill="#2a9d8f"/>'
        '<rect x="30" y="36" width="30" height="22" fill="#e76f51"/></svg>')
OTHER = GOOD.replace("#2a9d8f", "#264653")
BROKEN = '<svg xmlns="http://www.w3.org/2000/svg"><circle cx='
MARK = "<!-- judge down -->"
JUDGE_DOWN = GOOD.replace("</svg>", f"{MARK}</svg>")
CHECKS_SPEC = "gate:0.2,checks:0.8"
SEARCH_SPEC = "gate:0.2,checks:0.7,search_recall:0.1"
#: What the search row looks up, and the line every door's answer to it holds (the first card).
QUERY = "flag of Sweden"
FIRST_HIT = "[1] Flag of Sweden (flag-sweden): "
JUDGE_DOWN_SPEC = "support.contract:JudgeDown"
#: The rows' names, in table order.
ROW_NAMES = ("single-turn", "broken middle", "unjudged", "checks", "pool", "search then draw")
#: What an OpenRLHF-style chat template puts around a prompt (the query is it, then the completion).
CHAT_PROMPT = "<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"
END = "<|im_end|>"


class JudgeDown(ExecutionGate):
    """The execution gate, with its judge down for a program that carries :data:`MARK`: ``None``."""

    id = "judge_down"

    def score_one(self, sample: Sample) -> RewardResult:
        if MARK in sample.code:
            return RewardResult.unjudged("judge down")
        return super().score_one(sample)


class Raises(ExecutionGate):
    """A user's reward with a bug: it raises for every program (:data:`FAULT_ROWS`)."""

    id = "raises"

    def score_one(self, sample: Sample) -> RewardResult:
        raise RuntimeError("a bug in the user's reward")


class Sleeps(ExecutionGate):
    """A reward that hangs: :data:`SLEEP_S` seconds a program, far past the rows' deadline."""

    id = "sleeps"

    def score_one(self, sample: Sample) -> RewardResult:
        time.sleep(SLEEP_S)
        return super().score_one(sample)


#: The fault rows' reward deadline (``CODEPAINT_REWARD_TIMEOUT``) and how long :class:`Sleeps` sleeps.
FAULT_TIMEOUT_S, SLEEP_S = 0.2, 2.0
#: The rows whose reward is at fault, and the words every door's reason says (the Gym env's feedback).
FAULTS = {"the reward raises": ("support.contract:Raises", "RuntimeError: a bug in the user's reward"),
          "the reward sleeps past its deadline": (
              "support.contract:Sleeps", f"'sleeps' ran past its deadline of {FAULT_TIMEOUT_S:g} s")}


def fault_rows() -> list[dict[str, Any]]:
    """One program each, scored by a reward that raises or hangs (run with ``CODEPAINT_REWARD_TIMEOUT``)."""
    single = rows()[0]
    return [{**single, "name": name, "reward": spec, "turns": [GOOD]} for name, (spec, _) in FAULTS.items()]


def rows() -> list[dict[str, Any]]:
    """The rows as JSON: ``name``, ``task`` (:meth:`Task.to_row`), ``reward``, ``turns`` (programs)."""
    from codepaint_env.tasks import load_suite

    svg = dataclasses.replace(load_suite("svg", split="train")[0], size=(SIZE, SIZE))
    shapes = next(t for t in load_suite("shapes", language="svg") if t.id == "shapes-0002-svg")
    shapes = dataclasses.replace(shapes, size=(SIZE, SIZE))
    sweden = next(t for t in load_suite("knowledge", language="svg") if t.facts == ("flag-sweden",))
    sweden = dataclasses.replace(sweden, size=(SIZE, SIZE))
    table = [
        ("single-turn", svg, "execution_gate", [GOOD]),
        ("broken middle", svg, "execution_gate", [GOOD, BROKEN, OTHER]),
        ("unjudged", svg, JUDGE_DOWN_SPEC, [GOOD, JUDGE_DOWN]),
        ("checks", shapes, CHECKS_SPEC, [shapes.reference_programs["svg"], GOOD]),
        ("pool", svg, "gate:0.3,classic:0.7", [GOOD]),
        ("search then draw", sweden, SEARCH_SPEC,
         [{"search": QUERY}, GOOD, sweden.reference_programs["svg"]]),
    ]
    out = [{"name": n, "task": t.to_row(), "reward": r, "turns": p} for n, t, r, p in table]
    from codepaint_env.tasks.knowledge.search import search

    for row in out:
        if any(is_search(t) for t in row["turns"]):
            row["tools"] = ["search"]
            row["retrieved"] = list(search(QUERY).ids)  # what the search finds (k=3, the tool's default)
    return out


def is_search(turn: Any) -> bool:
    """Whether a row's turn is a search (``{"search": query}``) rather than a program."""
    return isinstance(turn, Mapping) and "search" in turn


def programs(row: Mapping[str, Any]) -> list[str]:
    """The row's programs (its drawing turns), in order."""
    return [t for t in row["turns"] if not is_search(t)]


def searched(row: Mapping[str, Any]) -> bool:
    """Whether the row searches (its doors offer the search tool)."""
    return bool(row.get("tools"))


def swedish_flag(size: int = SIZE) -> Image.Image:
    """What the flag of Sweden's reference draws: blue, a yellow Nordic cross toward the hoist."""
    im = Image.new("RGB", (size, size), "#006aa7")
    draw = ImageDraw.Draw(im)
    draw.rectangle((size * 5 // 16, 0, size * 15 // 32, size - 1), fill="#fecc00")
    draw.rectangle((0, size * 13 // 32, size - 1, size * 19 // 32), fill="#fecc00")
    return im


def drawing(circle: str = "#2a9d8f", size: int = 64) -> Image.Image:
    """What :data:`GOOD` draws (:data:`OTHER` with ``circle="#264653"``)."""
    im = Image.new("RGB", (size, size), "#fdf6e3")
    d = ImageDraw.Draw(im)
    d.ellipse((10, 10, 40, 40), fill=circle)
    d.rectangle((30, 36, 60, 58), fill="#e76f51")
    return im


def squares(left: str, right: str) -> Image.Image:
    """What the ``checks`` task asks for: an orange square left of a green one on navy."""
    im = Image.new("RGB", (512, 512), "navy")
    draw = ImageDraw.Draw(im)
    draw.rectangle((80, 200, 200, 320), fill=left)
    draw.rectangle((300, 200, 420, 320), fill=right)
    return im


def stub_renderer() -> Any:
    """A renderer that answers the rows' programs with canned pictures and failures (no browser)."""
    from codepaint_env.render import Renderer
    from codepaint_env.testing import StubDispatch

    table = {r["name"]: r for r in rows()}
    reference = table["checks"]["turns"][0]
    flag = table["search then draw"]["turns"][-1]
    return Renderer(dispatch=StubDispatch({GOOD: drawing(), OTHER: drawing("#264653"), BROKEN: "syntax",
                                           JUDGE_DOWN: drawing(), reference: squares("orange", "green"),
                                           flag: swedish_flag()}))


def task_of(row: Mapping[str, Any]) -> Any:
    """The row's task."""
    from codepaint_env.tasks import Task

    return Task.from_row(row["task"], "a contract row")


def env_id(language: str) -> str:
    """The registered id of a language."""
    from codepaint_env.registration import env_ids

    return next(i for i, lang in env_ids().items() if lang == language)


def view(value: float | None, judged: bool, error_kind: str | None, feedback: str | None = None,
         message: Mapping[str, Any] | None = None, retrieved: Sequence[str] | None = None) -> dict[str, Any]:
    """One turn as a door shows it."""
    return {"value": None if value is None else float(value), "judged": bool(judged),
            "error_kind": error_kind or None, "feedback": feedback,
            "message": None if message is None else dict(message),
            "retrieved": None if retrieved is None else list(retrieved), "tool": False}


def search_view(feedback: str | None = None, message: Mapping[str, Any] | None = None,
                retrieved: Sequence[str] | None = None) -> dict[str, Any]:
    """A search as a door shows it (nothing drawn, nothing judged)."""
    return {**view(None, False, None, feedback, message, retrieved), "tool": True}


def message_view(message: Mapping[str, Any] | str | list[Any] | None, role: str | None = None
                 ) -> dict[str, Any] | None:
    """A chat message (or a tool result's content) as ``{role, picture, text}``."""
    if message is None:
        return None
    if isinstance(message, Mapping):
        role, content = str(message.get("role")), message.get("content")
    else:
        content = message
    parts = content if isinstance(content, list) else [{"type": "text", "text": content or ""}]
    picture = any(_field(p, "type") in ("image", "image_url") for p in parts)
    text = "\n".join(str(_field(p, "text")) for p in parts if _field(p, "type") == "text")
    return {"role": role, "picture": picture, "text": text}


def _field(part: Any, name: str) -> Any:
    return part.get(name) if isinstance(part, Mapping) else getattr(part, name, None)


def _error_kind(monitors: Mapping[str, Any], prefix: str = "") -> str | None:
    if monitors.get(prefix + "blank") == 1.0:
        return "blank"
    failed = [k[len(prefix + "failed/"):] for k, v in monitors.items()
              if k.startswith(prefix + "failed/") and _first(v) == 1.0]
    return failed[0] if failed else None


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value.item() if hasattr(value, "item") else value


# ---------------------------------------------------------------------- the multi-turn doors of .venv
def gym_door(row: Mapping[str, Any], renderer: Any = None) -> dict[str, Any]:
    """``gym.make(id, ...)``: reset on the task, one step per program (the reference door)."""
    import gymnasium as gym

    task = task_of(row)
    env = gym.make(env_id(task.language), reward=row["reward"], tasks=[task], size=task.size,
                   max_turns=len(programs(row)), renderer=renderer, tools=row.get("tools") or ())
    env.reset(options={"task": task})
    turns = []
    for turn in row["turns"]:
        if is_search(turn):  # Search-R1's form: the query in the action, the result in the observation
            obs, reward, terminated, _, info = env.step(f"<search>{turn['search']}</search>")
            drawn = sum(not t["tool"] for t in turns)
            assert reward == 0.0 and not terminated and obs["turn"] == drawn  # no drawing turn used
            turns.append(search_view(obs["feedback"], None, info["retrieved"]))
            continue
        obs, _, _, _, info = env.step(turn)
        turns.append(view(info["reward"]["value"], info["judged"], info["render"]["error_kind"],
                          obs["feedback"], None, info.get("retrieved")))
    record = env.unwrapped.episode.turns  # type: ignore[attr-defined]
    for t, r in zip([t for t in turns if not t["tool"]], record, strict=True):
        t["picture"] = r.picture  # what drew a picture the policy can be shown (the doors' placement)
    for t in turns:
        t.setdefault("picture", False)
    env.close()
    return {"turns": turns}


def trl_env_door(row: Mapping[str, Any], renderer: Any = None, *, asynchronous: bool = False
                 ) -> dict[str, Any]:
    """``CodePaintToolEnv`` as ``GRPOTrainer(environment_factory=...)`` drives it: one tool call a turn.

    With ``asynchronous`` its async form, each call awaited on one event loop (as TRL awaits it on its own).
    """
    from codepaint_env.integrations.trl import CodePaintToolEnv
    from codepaint_env.tasks import tasks_to_rows

    task = task_of(row)
    (data,) = tasks_to_rows([task], system_prompt="Answer with a program.")
    env = CodePaintToolEnv(env_id(task.language), reward=row["reward"], max_turns=len(programs(row)),
                           size=task.size, images=True, renderer=renderer, tools=row.get("tools") or (),
                           asynchronous=asynchronous)
    env.reset(**data)

    def called(result: Any) -> Any:
        return loop.run_until_complete(result) if asynchronous else result

    loop = asyncio.new_event_loop()
    try:
        turns = []
        for turn in row["turns"]:
            if is_search(turn):  # the tool method TRL calls for the policy's search call
                result = called(env.search(turn["search"]))  # type: ignore[attr-defined]
                assert env.episode is not None
                turns.append(search_view(None, message_view(result, role="tool"), env.episode.retrieved))
                continue
            result = called(env.submit_code(turn))
            record = env.history[-1]
            retrieved = record["retrieved"] if searched(row) else None
            turns.append(view(record["value"], record["judged"], record["error_kind"], record["feedback"],
                              message_view(result, role="tool"), retrieved))
        return {"turns": turns, "episode": called(env.get_reward())}
    finally:
        loop.close()


def trl_env_async_door(row: Mapping[str, Any], renderer: Any = None) -> dict[str, Any]:
    """``CodePaintToolEnv(asynchronous=True)``: the async form TRL awaits (:meth:`Episode.arespond`)."""
    return trl_env_door(row, renderer, asynchronous=True)


def skyrl_door(row: Mapping[str, Any], renderer: Any = None) -> dict[str, Any]:
    """``skyrl_gym.make("codepaint", ...)`` on the row's SkyRL parquet row: ``init``, one ``step`` a turn."""
    import skyrl_gym

    from codepaint_env.integrations.skyrl import ENV_ID, register_env
    from codepaint_env.tasks.parquet import task_rows

    register_env()
    (data,) = task_rows([task_of(row)], flavour="skyrl")
    extras = {**{k: v for k, v in data.items() if k not in ("prompt", "env_class")},
              "max_turns": len(programs(row))}
    config: dict[str, Any] = {"reward": row["reward"], "images": True}
    if searched(row):
        config["tools"] = row["tools"]
    env = skyrl_gym.make(ENV_ID, env_config=config, extras=extras)
    env.init(data["prompt"])
    turns = []
    for turn in row["turns"]:
        if is_search(turn):  # a completion that searches (the instruction init added says how)
            step = env.step(f"<search>{turn['search']}</search>")
            assert step["reward"] == 0.0 and not step["done"]
            answer = message_view(step["observations"][0])
            turns.append(search_view(None, answer, step["metadata"]["retrieved"]))
            continue
        step = env.step(turn)
        meta = step["metadata"]
        message = message_view(step["observations"][0]) if step["observations"] else None
        turns.append(view(meta["value"], meta["judged"], meta["error_kind"], meta["feedback"], message,
                          meta["retrieved"] if searched(row) else None))
    env.close()
    return {"turns": turns}


# ---------------------------------------------------------------------- the single-turn doors of .venv
def trl_reward_funcs_door(row: Mapping[str, Any], renderer: Any = None) -> dict[str, Any]:
    """``rewards.reward_funcs(spec)`` as ``GRPOTrainer`` calls each function: every program on its own."""
    from codepaint_env.tasks import tasks_to_rows
    from rewards.factory import reward_funcs

    (data,) = tasks_to_rows([task_of(row)])
    funcs, weights = reward_funcs(row["reward"], renderer=renderer) if renderer is not None else \
        reward_funcs(row["reward"])
    turns = []
    for program in row["turns"]:
        if is_search(program):  # no tools here: the search's cards come as the retrieved column
            turns.append(search_view())
            continue
        logged: dict[str, float] = {}
        columns = {k: [v] for k, v in data.items() if k != "prompt"}
        if searched(row):
            columns["retrieved"] = [row["retrieved"]]
        completion = [{"role": "assistant", "content": program}]
        values = [f(prompts=[data["prompt"]], completions=[completion], log_metric=logged.__setitem__,
                    **columns)[0] for f in funcs]
        value = None if None in values else sum(w * v for w, v in zip(weights, values, strict=True))
        turns.append(view(value, value is not None, _error_kind(logged, "codepaint/")
                          or _error_kind(logged)))
    return {"turns": turns}


def verl_compute_score_door(row: Mapping[str, Any], renderer: Any = None) -> dict[str, Any]:
    """verl's ``compute_score_async`` on the row's parquet ``extra_info``, the spec as ``reward_kwargs``."""
    from codepaint_env.integrations import verl as cp_verl
    from codepaint_env.tasks.parquet import task_rows

    (data,) = task_rows([task_of(row)])
    turns = []
    extra_info = {**data["extra_info"], **({"retrieved": row["retrieved"]} if searched(row) else {})}
    for program in row["turns"]:
        if is_search(program):
            turns.append(search_view())
            continue
        answer = asyncio.run(cp_verl.compute_score_async(
            data["data_source"], program, data["reward_model"]["ground_truth"], extra_info,
            reward=row["reward"]))
        judged = answer["judged"] == 1.0
        turns.append(view(answer["value"] if judged else None, judged, answer["error_kind"]))
    return {"turns": turns}


def openrlhf_door(row: Mapping[str, Any], renderer: Any = None) -> dict[str, Any]:
    """OpenRLHF's ``reward_func`` file in process: the query (templated prompt + completion), the label."""
    import os

    from codepaint_env.integrations.openrlhf import reward_func

    task = task_of(row)
    prompt = CHAT_PROMPT.format(prompt=task.prompt)
    turns = []
    old = os.environ.get("CODEPAINT_REWARD")
    os.environ["CODEPAINT_REWARD"] = row["reward"]  # OpenRLHF passes no reward: the variable names it
    try:
        for program in row["turns"]:
            if is_search(program):
                turns.append(search_view())
                continue
            label = {**task.columns(), "prompt": task.prompt,
                     **({"retrieved": row["retrieved"]} if searched(row) else {})}
            answer = reward_func([prompt + program + END], [prompt], [label])
            logs = answer["extra_logs"]
            judged = _first(list(logs["judged"])) == 1.0
            turns.append(view(float(answer["rewards"][0]) if judged else None, judged,
                              _error_kind({k: _first(list(v)) for k, v in logs.items()}, "codepaint/")))
    finally:
        if old is None:
            os.environ.pop("CODEPAINT_REWARD", None)
        else:
            os.environ["CODEPAINT_REWARD"] = old
    return {"turns": turns}


def serve_score_door(row: Mapping[str, Any], renderer: Any = None) -> dict[str, Any]:
    """``codepaint serve``'s ``POST /score`` (its app, in process): the completions, prompt and columns."""
    from fastapi.testclient import TestClient

    from codepaint_env.serve.app import create_app

    task = task_of(row)
    drawn = programs(row)
    # one JSON text for every completion (a list would be one value per completion)
    columns = {**task.columns(), **({"retrieved": json.dumps(row["retrieved"])} if searched(row) else {})}
    with TestClient(create_app(row["reward"], renderer=renderer)) as client:
        r = client.post("/score", json={"completions": drawn, "prompts": [task.prompt] * len(drawn),
                                        "columns": columns})
        if r.status_code == 500 and row["name"] in FAULTS:  # the server's fault, naming the reward: every
            assert FAULTS[row["name"]][1] in r.json()["error"], r.text  # item None for RemoteReward
            results = iter([{"value": None, "render": {"error_kind": None}}] * len(drawn))
        else:
            r.raise_for_status()
            results = iter(r.json()["results"])
    turns = []
    for turn in row["turns"]:
        if is_search(turn):
            turns.append(search_view())
            continue
        x = next(results)
        turns.append(view(x["value"], x["value"] is not None, x["render"]["error_kind"]))
    return {"turns": turns}


#: The doors of ``.venv``, as the table names them (the Gym env first: the reference).
VENV_DOORS = {"gym": gym_door, "trl_env": trl_env_door, "trl_env_async": trl_env_async_door,
              "skyrl": skyrl_door,
              "trl_reward_funcs": trl_reward_funcs_door, "verl_compute_score": verl_compute_score_door,
              "openrlhf": openrlhf_door, "serve_score": serve_score_door}


# ---------------------------------------------------------------------- the doors of the trainer venvs
def verl_agent_loop_door(table: Sequence[Mapping[str, Any]], work: Path, model: str) -> list[dict[str, Any]]:
    """verl's own ``AgentLoopWorker`` running :class:`CodePaintAgentLoop` (pictures in user messages)."""
    from codepaint_env.tasks.parquet import task_rows, write_parquet
    from support.verl_rollout import batch_of, worker_for

    out = []
    for n, row in enumerate(table):
        parquet = write_parquet(task_rows([task_of(row)]), work / f"contract-verl-{n}.parquet")
        loops = work / f"contract-verl-{n}.yaml"
        loops.write_text(f"- name: cp_contract\n  _target_: codepaint_env.integrations.verl_agent."
                         f"CodePaintAgentLoop\n  max_turns: {len(programs(row))}\n  images: false\n"
                         f"  reward: {json.dumps(row['reward'])}\n"
                         + (f"  search_tools: {json.dumps(row['tools'])}\n" if searched(row) else ""))
        seen: list[str] = []

        def reply(text: str, _row: Mapping[str, Any] = row, _seen: list[str] = seen, **_: Any) -> str:
            _seen.append(text)
            turn = _row["turns"][len(_seen) - 1]
            if is_search(turn):  # a Hermes tool call, what verl's parser reads from a Qwen-style model
                from codepaint_env.testing import qwen_tool_call

                return qwen_tool_call("search", {"query": turn["search"]})
            return turn + END

        worker, dataset = worker_for(model, str(loops), str(parquet), reply)
        result = asyncio.run(worker.generate_sequences(batch_of(dataset, [0], ["cp_contract"])))
        records = iter(result.non_tensor_batch["codepaint_turns"][0])
        extra = {k: result.non_tensor_batch[k] for k in result.meta_info["reward_extra_keys"]}
        turns = []
        for i, turn in enumerate(row["turns"]):
            message = None
            if i + 1 < len(seen):  # the prompt the policy saw next ends with the episode's answer
                message = {"role": "user", "picture": False, "text": seen[i + 1]}
            if is_search(turn):
                turns.append(search_view(None, message))
                continue
            record = next(records)
            turns.append(view(record["value"], record["judged"], record["error_kind"], record["feedback"],
                              message, record["retrieved"] if searched(row) else None))
        value = _first(extra["value"])
        out.append({"turns": turns, "episode": None if extra["judged"][0] != 1.0 else value})
    return out


def verifiers_door(table: Sequence[Mapping[str, Any]], work: Path) -> list[dict[str, Any]]:
    """verifiers' own eval runner on ``load_environment(<the row's task file>)``, pictures shown."""
    import verifiers.v1 as vf  # pyright: ignore[reportMissingImports]
    from verifiers.v1.cli.eval.runner import run_eval  # pyright: ignore[reportMissingImports]
    from verifiers.v1.configs.cli.eval import EvalConfig  # pyright: ignore[reportMissingImports]

    from codepaint_env.integrations import verifiers as cp
    from support.scripted_chat import ScriptedPolicy

    out = []
    for n, row in enumerate(table):
        suite = work / f"contract-verifiers-{n}.jsonl"
        suite.write_text(json.dumps(row["task"]) + "\n")
        with ScriptedPolicy({row["task"]["prompt"]: list(row["turns"])}) as policy:
            env = cp.load_environment(str(suite), rewards=row["reward"], split=None,
                                      max_turns=len(programs(row)), images=True,
                                      search_tools=row.get("tools") or ())
            client = vf.EvalClientConfig(base_url=policy.url, api_key_var="CP_NO_KEY")
            config = EvalConfig(env=env.config, model="scripted", push=False, rich=None, client=client,
                                output_dir=str(work / "contract-verifiers-runs"), num_rollouts=1,
                                select={"limit": 1})
            episodes = asyncio.run(run_eval(config))
            requests = list(policy.requests)
        (trace,) = [t for e in episodes for t in e.traces]
        records = iter((trace.info.get("codepaint") or {}).get("turns") or [])
        turns = []
        for i, turn in enumerate(row["turns"]):
            message = None
            if i + 1 < len(requests):  # the next request ends with the episode's answer
                message = message_view(requests[i + 1]["messages"][-1])
            if is_search(turn):
                assert requests[i + 1]["tools"][0]["function"]["name"] == "search"  # the schema was sent
                turns.append(search_view(None, message))
                continue
            record = next(records)
            turns.append(view(record["value"], record["judged"], record["error_kind"], record["feedback"],
                              message, record["retrieved"] if searched(row) else None))
        score = trace.rewards.get("codepaint")
        out.append({"turns": turns, "episode": None if score is None else score.score})
    return out


def openenv_door(table: Sequence[Mapping[str, Any]], urls: Sequence[str]) -> list[dict[str, Any]]:
    """OpenEnv's own WebSocket client on the served environment of each row: a reset, one step a turn."""
    from openenv.core import GenericEnvClient  # pyright: ignore[reportMissingImports]

    out = []
    for row, url in zip(table, urls, strict=True):
        turns = []
        with GenericEnvClient(base_url=url).sync() as env:
            env.reset(task_id=row["task"]["id"])
            for turn in row["turns"]:
                if is_search(turn):  # an action that calls the tool
                    result = env.step({"tool": "search", "query": turn["search"]})
                    obs = result.observation
                    assert result.reward == 0.0 and not result.done and obs["tool_result"]
                    turns.append(search_view(obs["feedback"], None, obs["retrieved"]))
                    continue
                obs = env.step({"code": turn}).observation
                turns.append(view(obs["value"], bool(obs["judged"]), obs["error_kind"], obs["feedback"], None,
                                  obs["retrieved"] if searched(row) else None))
        out.append({"turns": turns})
    return out


def main(argv: Sequence[str]) -> int:
    """``python -m support.contract DOOR ROWS OUT [ARGS]``: a trainer venv's door over the rows, to ``OUT``.

    ``verl_agent_loop ROWS OUT WORK MODEL``, ``verifiers ROWS OUT WORK``, ``openenv ROWS OUT URLS``.
    """
    door, rows_path, out_path, *rest = argv
    table = json.loads(Path(rows_path).read_text())
    if door == "verl_agent_loop":
        answers = verl_agent_loop_door(table, Path(rest[0]), rest[1])
    elif door == "verifiers":
        answers = verifiers_door(table, Path(rest[0]))
    elif door == "openenv":
        answers = openenv_door(table, json.loads(rest[0]))
    else:
        raise SystemExit(f"unknown door {door!r}")
    Path(out_path).write_text(json.dumps(answers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
