r"""verifiers: codepaint tasks as a verifiers 0.4 taskset, environment and harness.

verifiers 0.4 (``verifiers.v1``, the only API it ships) has no ``Rubric``, ``SingleTurnEnv``,
``MultiTurnEnv`` or ``datasets.Dataset`` of ``prompt``/``answer``/``info`` rows any more. Its
parts, and what this module gives for each:

* **the rows**: a ``Taskset`` whose ``load()`` yields typed ``Task`` objects.
  :class:`CodePaintTaskset` loads a codepaint suite (:func:`codepaint_env.tasks.load_suite`);
  each :class:`CodePaintTaskData` carries the task's prompt, the language's system prompt
  (:func:`codepaint_env.tasks.prompts.system_prompt`) and the codepaint task itself (``task``).
* **the rubric**: a ``Task``'s ``@vf.reward`` methods. :class:`CodePaintTask` has one,
  ``codepaint``: the codepaint reward spec (``"execution_gate:0.3,visual_checks:0.7"``) built
  once by :func:`rewards.make_reward`, so the gate rule of a composite holds (a program the gate
  fails skips the other components); its breakdown is recorded as ``codepaint/<part>`` metrics.
* **the environment**: an ``Env`` whose ``run(task, agents)`` is the episode.
  :class:`CodePaintVerifiersEnv` with ``max_turns=1`` is the single-turn case
  (``agents.agent.run(task)``, as verifiers' own ``SingleAgentEnv``); with ``max_turns > 1`` it
  holds the rollout open (``agents.agent.interaction(task)``): the policy writes a program, the
  environment renders and scores it (the episode of every door,
  :mod:`codepaint_env.episode`: one record per turn in ``trace.info["codepaint"]``)
  and answers with the feedback text, and with ``images=True`` the picture as an ``image_url``
  part, then the policy edits; the episode's reward is the last program's
  (``reward_aggregation="last"``), the best judged one (``"best"``) or their mean (``"mean"``).
* **the harness**: :class:`CodePaintChatHarness` calls the model in-process through the
  rollout's interception endpoint (verifiers' own contract: "a harness may run its loop
  in-process instead of launching a program"). verifiers' built-in chat harnesses (``null``,
  ``bash``) run a ``uv`` script in a runtime and download ``uv`` when it is missing; this one
  needs no ``uv``, no tool server and no network beyond the model's endpoint, and runs in the
  ``subprocess`` runtime (nothing is executed in it).

Use it from Python (the id ``codepaint-verifiers`` resolves to the top-level package
``codepaint_verifiers``, which re-exports this module)::

    import asyncio
    import verifiers.v1 as vf
    from verifiers.v1.cli.eval.runner import run_eval        # what ``vf eval`` runs
    from verifiers.v1.configs.cli.eval import EvalConfig
    from codepaint_env.integrations.verifiers import load_environment

    env = load_environment("svg", rewards="execution_gate:0.3,visual_checks:0.7", max_turns=3,
                           images=True, keep_last_images=1)
    config = EvalConfig(env=env.config, model="Qwen/Qwen2.5-VL-7B-Instruct", push=False, rich=None,
                        client=vf.EvalClientConfig(base_url="http://localhost:8000/v1"))
    episodes = asyncio.run(run_eval(config))
    [(t.ok, t.rewards["codepaint"]) for e in episodes for t in e.traces]

**Pictures.** ``image_placement="user"`` (default) sends the feedback as a user message, the
picture first; ``"tool"`` offers the policy one function tool, ``submit_code(code)``, and answers
each call with a tool message holding the feedback (and the picture); a reply without a call is
answered with a user message. ``keep_last_images=k`` keeps the pictures of the last ``k`` turns
in each request and replaces older ones by the text :data:`OLDER_PICTURE` (the harness rewrites
the history it sends; verifiers records the rewritten request as a new branch of the trace).

**Search before drawing** (``search_tools=["search"]`` or ``["search", "search_references"]``;
``max_tool_calls``): the harness sends the tools' schemas with every request (and their
instruction in the system prompt), and the episode runs even with ``max_turns=1``: a reply that
calls them and submits nothing is answered by a ``tool`` message per call (the fact cards; the
references with their pictures when ``images=True``) and the policy is asked again, drawing
nothing; every call counts against ``max_tool_calls``. ``trace.info["codepaint"]`` gains
``tool_calls`` and ``retrieved``, and the ``codepaint`` reward records ``codepaint/tool_calls`` and
``codepaint/recall``; the cards reach the reward as the ``retrieved`` column
(``rewards="gate:0.2,checks:0.7,search_recall:0.1"``).

**Three kinds of failure** (docs/RELIABILITY.md). A broken program is a score: the reward's
minimum. A broken installation raises :class:`~codepaint_env.core.errors.DependencyNotInstalled`
with the fix when this module is imported without verifiers. A broken infrastructure (a render
that came back ``error_kind="infra"``, a judge that is down: the codepaint reward is ``None``) is
never a 0: the ``codepaint`` reward raises :class:`NotJudged`, and verifiers records that as it
records every failed rollout: a ``TaskError`` on ``trace.errors``, ``trace.ok`` False (so
``episode.ok`` False), ``trace.rewards["codepaint"]`` left ``None`` (verifiers' "scoring didn't
run"; note ``trace.reward``, a sum over the rewards that ran, reads 0: read ``trace.ok``).
``vf eval --resume`` runs such episodes again (an episode that is not ``ok`` is not complete), and
a retry rule retries them: ``vf.RetryRule(type="TaskError", message="not judged", max_retries=2)`` in the
agent's ``retries`` (a single-turn rollout) or the env's (``--env.retries``: whole episodes). In a
multi-turn episode an unjudged turn before the last is only feedback ("not judged"); the last
turn's reward decides.

Nothing of codepaint imports this module; it needs ``verifiers`` (which pins ``openai<3``:
``scripts/install-trainer-venvs.sh python3 verifiers`` makes ``.venvs/verifiers``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.episode import EpisodeResources, EpisodeSettings, Turn, aggregate, parse_reply
from codepaint_env.episode.messages import OLDER_PICTURE, SUBMIT_TOOL, with_tool_instruction
from codepaint_env.episode.tools import check_tools, schemas, tools_instruction
from rewards.spec import DEFAULT_REWARD

try:
    import verifiers.v1 as vf  # pyright: ignore[reportMissingImports]
    from openai import AsyncOpenAI
    from pydantic import Field, model_validator
    from verifiers.v1.dialects.chat import message_to_wire  # pyright: ignore[reportMissingImports]
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(
        f"the verifiers environment needs verifiers ({e}): pip install verifiers==0.4.0 beside codepaint (it "
        "pins openai<3: scripts/install-trainer-venvs.sh python3 verifiers makes .venvs/verifiers)") from e

if TYPE_CHECKING:
    from codepaint_env.tasks import Task

__all__ = ["OLDER_PICTURE", "PLUGIN_MODULE", "SUBMIT_TOOL", "TASKSET_ID", "CodePaintChatHarness",
           "CodePaintChatHarnessConfig", "CodePaintEnvConfig", "CodePaintTask", "CodePaintTaskData",
           "CodePaintTaskset", "CodePaintTasksetConfig", "CodePaintVerifiersEnv", "NotJudged",
           "keep_last_pictures", "load_environment"]

#: The taskset, environment and harness id (verifiers resolves it to this module).
TASKSET_ID = "codepaint-verifiers"
#: The top-level package verifiers imports for :data:`TASKSET_ID` (``src/codepaint_verifiers``: it
#: re-exports this module; verifiers resolves an id to a top-level module, not a dotted path).
PLUGIN_MODULE = "codepaint_verifiers"


class NotJudged(RuntimeError):
    """The codepaint reward could not judge the rollout's program (infrastructure, not the program)."""


def _resources(reward: str = DEFAULT_REWARD, size: int | None = None, feedback: str = "short"
               ) -> EpisodeResources:
    """One renderer (the resources' own, closed by the env's ``stop``) and one reward for every rollout."""
    settings = EpisodeSettings.from_config(reward=reward, size=size, feedback=feedback)
    return EpisodeResources(settings, own_renderer=True)


# ---------------------------------------------------------------------- the taskset
class CodePaintTaskData(vf.TaskData):  # pyright: ignore[reportUntypedBaseClass]
    """A codepaint task on verifiers' wire (``prompt`` and ``system_prompt`` are verifiers' own).

    Attributes:
        task: The codepaint task (:meth:`codepaint_env.tasks.Task.to_row`).
    """

    task: dict[str, Any] = Field(default_factory=dict)

    def codepaint_task(self) -> Task:
        """The codepaint :class:`~codepaint_env.tasks.Task`."""
        from codepaint_env.tasks import Task

        return Task.from_row(self.task, "verifiers task data")


class CodePaintTask(vf.Task[CodePaintTaskData, vf.State, vf.TaskConfig]):  # pyright: ignore[reportUntypedBaseClass]
    """One codepaint task; its one reward, ``codepaint``, is the codepaint reward of the last program.

    Args:
        data: The task's wire data.
        config: verifiers' task config.
        resources: The taskset's shared renderer, reward and settings (made from the config when not given).
    """

    def __init__(self, data: CodePaintTaskData, config: Any = None, resources: EpisodeResources | None = None
                 ) -> None:
        super().__init__(data, config)
        self.resources = resources if resources is not None else _resources()

    @vf.reward(weight=1.0)
    async def codepaint(self, trace: vf.Trace) -> float:
        """The codepaint reward of the rollout's programs (see the module docstring).

        A multi-turn episode scored every turn as it went (``trace.info["codepaint"]``: the turns'
        records and how they make the reward); a single-turn rollout is scored here.

        Raises:
            NotJudged: The reward could not judge the program (``None``): the rollout is an error.
        """
        record = trace.info.get("codepaint")
        if not record or not record.get("turns"):
            reply = parse_reply(list(trace.assistant_messages[-1:]))
            turn = await self._score_one(reply)
            record = trace.info["codepaint"] = {"turns": [turn.to_dict()], "aggregation": "last"}
        outcome = aggregate([Turn(**t) for t in record["turns"]], record.get("aggregation", "last"))
        trace.record_metric("codepaint/turns", float(outcome.turns))
        if "tool_calls" in record:
            trace.record_metric("codepaint/tool_calls", float(record["tool_calls"]))
            needed = set(self.data.codepaint_task().facts)
            if needed:
                found = needed & set(record.get("retrieved") or [])
                trace.record_metric("codepaint/recall", len(found) / len(needed))
        for name, value in outcome.turn.breakdown.items():
            if value is not None:
                trace.record_metric(f"codepaint/{name}", float(value))
        if outcome.value is None:
            raise NotJudged(f"codepaint reward not judged: {outcome.turn.reason or 'no reason given'}")
        return float(outcome.value)

    async def _score_one(self, reply: Any) -> Turn:
        episode = self.resources.episode(self.data.codepaint_task(), max_turns=1, tools=())
        turn = (await episode.arespond(reply)).turn
        assert turn is not None  # no tools: every reply is drawn
        return turn


class CodePaintTasksetConfig(vf.TasksetConfig):  # pyright: ignore[reportUntypedBaseClass]
    """Which codepaint tasks load (``--env.taskset.*``), and how they are scored.

    Attributes:
        suite: A built-in suite name (``svg``, ``shapes``, ``watercolour``...) or a JSONL path.
        split: ``train``, ``eval`` or ``None`` (both).
        language: Only this language's tasks (``None``: every task of the suite).
        reward: The codepaint reward spec (default :data:`rewards.spec.DEFAULT_REWARD`, offline).
        size: Render every task at this size (``None``: each task's own).
        feedback: ``short`` or ``full`` feedback text.
    """

    id: str = TASKSET_ID
    suite: str = "svg"
    split: str | None = "train"
    language: str | None = None
    reward: str = DEFAULT_REWARD
    size: int | None = Field(None, ge=16, le=4096)
    feedback: Literal["short", "full"] = "short"


class CodePaintTaskset(vf.Taskset[CodePaintTask, CodePaintTasksetConfig]):  # pyright: ignore[reportUntypedBaseClass]
    """A codepaint suite as verifiers tasks; its renderer and reward are shared by every task.

    Args:
        config: The taskset config.
    """

    def __init__(self, config: CodePaintTasksetConfig) -> None:
        super().__init__(config)
        self.resources = _resources(config.reward, config.size, config.feedback)

    def load(self) -> list[CodePaintTask]:
        """The suite's tasks (see :class:`CodePaintTasksetConfig`).

        Raises:
            ValueError: The suite has no task for the split and language.
        """
        from codepaint_env.tasks import resolve_tasks
        from codepaint_env.tasks.prompts import system_prompt

        cfg = self.config
        found = resolve_tasks(cfg.suite, cfg.language, cfg.split)
        if not found:
            raise ValueError(f"no codepaint task in {cfg.suite!r} (split {cfg.split}, "
                             f"language {cfg.language})")
        return [CodePaintTask(CodePaintTaskData(id=t.id, name=t.id, prompt=t.prompt,
                                                system_prompt=system_prompt(t.language), task=t.to_row()),
                              cfg.task, resources=self.resources)
                for t in found]


# ---------------------------------------------------------------------- the harness
class CodePaintChatHarnessConfig(vf.HarnessConfig):  # pyright: ignore[reportUntypedBaseClass]
    """The in-process chat harness (``--env.agent.harness.*``).

    Attributes:
        submit_tool: Offer the ``submit_code`` tool (``image_placement="tool"``).
        keep_last_images: Keep the pictures of the last this many turns in a request (``None``: all).
        search_tools: Search tools to offer (their schemas with every request, their instruction in
            the system prompt).
        max_tool_calls: Their budget (said in the instruction).
    """

    id: str = TASKSET_ID
    submit_tool: bool = False
    keep_last_images: int | None = Field(None, ge=1)
    search_tools: list[str] = Field(default_factory=list)
    max_tool_calls: int = Field(3, ge=0)


class CodePaintChatHarness(vf.Harness[CodePaintChatHarnessConfig]):  # pyright: ignore[reportUntypedBaseClass]
    """One model call per segment, made in-process through the rollout's interception endpoint.

    No program is launched and nothing runs in the runtime, so no ``uv`` and no container: the
    interception server records the call into the trace as it does for any harness.
    """

    APPENDS_SYSTEM_PROMPT = True
    SUPPORTS_RESUME = True
    EXECUTES_CODE = False
    NEEDS_CONTAINER = False

    async def launch(self, ctx: Any, trace: Any, runtime: Any, endpoint: str, secret: str,
                     mcp_urls: dict[str, str], data: Any, tool_interception_url: str | None = None) -> Any:
        """Send the conversation (older pictures left out) to the model once.

        Args:
            ctx: The model context (``ctx.model``).
            trace: The rollout's trace.
            runtime: The rollout's runtime (unused: nothing runs in it).
            endpoint: The interception server's ``/v1`` URL.
            secret: Its bearer token.
            mcp_urls: Tool servers (none for codepaint tasks).
            data: This segment's task data: the prompt, or the conversation so far.
            tool_interception_url: Unused (no tool is executed by the harness).

        Returns:
            A successful ``ProgramResult`` (a failed model call raises; verifiers records it).
        """
        system, prompt = self.resolve_prompt(data)
        messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
        if isinstance(prompt, str):
            messages.append({"role": "user", "content": prompt})
        elif prompt is not None:
            messages.extend(m for m in (message_to_wire(m) for m in prompt)
                            if not (m.get("role") == "system" and system))
        if self.config.submit_tool:
            messages = with_tool_instruction(messages)
        said = tools_instruction(self.config.search_tools, self.config.max_tool_calls)
        first = messages[0] if messages else {}
        if said and first.get("role") == "system" and isinstance(first.get("content"), str):
            messages[0] = {**first, "content": f"{first['content']}\n\n{said}"}
        elif said:
            messages.insert(0, {"role": "system", "content": said})
        messages = keep_last_pictures(messages, self.config.keep_last_images)
        kwargs: dict[str, Any] = {"model": ctx.model, "messages": messages}
        offered = ([SUBMIT_TOOL] if self.config.submit_tool else []) + schemas(self.config.search_tools)
        if offered:
            kwargs["tools"] = offered
        async with AsyncOpenAI(base_url=endpoint, api_key=secret, max_retries=2) as client:
            await client.chat.completions.create(**kwargs)
        return vf.ProgramResult(exit_code=0, stdout="", stderr="")


def keep_last_pictures(messages: list[dict[str, Any]], keep: int | None) -> list[dict[str, Any]]:
    """``messages`` with the pictures of all but the last ``keep`` messages that have one replaced.

    Args:
        messages: OpenAI chat messages (not changed).
        keep: How many of the latest messages with pictures keep them (``None``: all).

    Returns:
        The messages; an older picture part becomes ``{"type": "text", "text": OLDER_PICTURE}``.
    """
    if keep is None:
        return messages
    with_pictures = [i for i, m in enumerate(messages) if _has_picture(m)]
    older = set(with_pictures[:-keep]) if len(with_pictures) > keep else set()
    out = []
    for i, m in enumerate(messages):
        if i in older:
            m = {**m, "content": [{"type": "text", "text": OLDER_PICTURE} if _is_picture(p) else p
                                  for p in m["content"]]}
        out.append(m)
    return out


def _is_picture(part: Any) -> bool:
    return isinstance(part, Mapping) and part.get("type") in ("image_url", "image")


def _has_picture(message: Mapping[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and any(_is_picture(p) for p in content)


# ---------------------------------------------------------------------- the environment
class CodePaintEnvConfig(vf.EnvConfig):  # pyright: ignore[reportUntypedBaseClass]
    """The environment (``--env.*``): the taskset, the one ``agent`` seat and the episode's shape.

    Attributes:
        agent: The policy's seat (default: :class:`CodePaintChatHarness` in the ``subprocess``
            runtime, set up from the fields below).
        max_turns: Programs per episode (1: single-turn).
        images: Send each picture with the feedback (a vision-language policy).
        image_placement: ``user`` (a user message) or ``tool`` (the ``submit_code`` tool's result).
        keep_last_images: Pictures of the last this many turns stay in a request (``None``: all).
        reward_aggregation: The episode's reward: the ``last`` program's, the ``best`` judged one,
            or the ``mean`` of the judged ones.
        search_tools: Search tools offered before drawing (``search``, ``search_references``).
        max_tool_calls: Their budget per episode.
    """

    taskset: CodePaintTasksetConfig = CodePaintTasksetConfig()
    agent: vf.AgentConfig = vf.AgentConfig(runtime=vf.SubprocessConfig())
    max_turns: int = Field(1, ge=1, le=32)
    images: bool = False
    image_placement: Literal["user", "tool"] = "user"
    keep_last_images: int | None = Field(None, ge=1)
    reward_aggregation: Literal["last", "best", "mean"] = "last"
    search_tools: list[Literal["search", "search_references"]] = Field(default_factory=list)
    max_tool_calls: int = Field(3, ge=0, le=64)

    @model_validator(mode="after")
    def _harness_follows_the_episode(self) -> CodePaintEnvConfig:
        """The codepaint harness's tool and picture settings are this config's; others are refused."""
        wanted = {"submit_tool": self.image_placement == "tool", "keep_last_images": self.keep_last_images,
                  "search_tools": list(self.search_tools), "max_tool_calls": self.max_tool_calls}
        harness = self.agent.harness
        if harness is None:
            self.agent = self.agent.model_copy(update={"harness": CodePaintChatHarnessConfig(**wanted)})
        elif isinstance(harness, CodePaintChatHarnessConfig):
            if {k: getattr(harness, k) for k in wanted} != wanted:
                self.agent = self.agent.model_copy(update={"harness": harness.model_copy(update=wanted)})
        elif self.max_turns > 1 or self.image_placement == "tool" or self.search_tools:
            raise ValueError(f"a multi-turn, tool-placement or search codepaint episode needs the "
                             f"{TASKSET_ID!r} harness, not {harness.id!r}")
        return self


class CodePaintVerifiersEnv(vf.Env[CodePaintEnvConfig]):  # pyright: ignore[reportUntypedBaseClass]
    """The codepaint episode (see the module docstring); ``stop()`` closes the shared renderer."""

    async def run(self, task: Any, agents: Any) -> None:
        """One episode: one program (``max_turns=1``), or write, look, edit until ``max_turns``.

        Args:
            task: A :class:`CodePaintTask`.
            agents: The episode's agents (the one seat, ``agent``).
        """
        cfg = self.config
        if cfg.max_turns == 1 and not cfg.search_tools:
            await agents.agent.run(task)
            return
        episode = task.resources.episode(
            task.data.codepaint_task(), max_turns=cfg.max_turns, images=cfg.images,
            image_placement=cfg.image_placement, reward_aggregation=cfg.reward_aggregation,
            tools=tuple(cfg.search_tools), max_tool_calls=cfg.max_tool_calls)
        async with agents.agent.interaction(task) as chat:
            segment = await chat.turn()
            while not segment.terminated:
                step = await episode.arespond(list(segment.messages))
                record: dict[str, Any] = {"turns": [t.to_dict() for t in episode.turns],
                                          "aggregation": cfg.reward_aggregation}
                if episode.search_log is not None:
                    record.update(tool_calls=episode.tool_calls, retrieved=episode.retrieved)
                chat.trace.info["codepaint"] = record
                if step.message is None:
                    break
                segment = await chat.turn(list(step.messages))

    async def stop(self) -> None:
        """Close the taskset's renderer when the environment stops serving."""
        resources = getattr(self.taskset, "resources", None)
        if resources is not None:
            await asyncio.to_thread(resources.close)


def load_environment(suite: str = "svg", *, rewards: str | None = None, max_turns: int = 1,
                     images: bool = False, image_placement: Literal["user", "tool"] = "user",
                     keep_last_images: int | None = None,
                     reward_aggregation: Literal["last", "best", "mean"] = "last",
                     split: str | None = "train", language: str | None = None, size: int | None = None,
                     feedback: Literal["short", "full"] = "short", search_tools: Any = (),
                     max_tool_calls: int = 3) -> CodePaintVerifiersEnv:
    """A verifiers environment over a codepaint suite (see the module docstring).

    Args:
        suite: A built-in suite name or a JSONL path of tasks.
        rewards: The codepaint reward spec (``"execution_gate:0.3,visual_checks:0.7"``; default
            :data:`rewards.spec.DEFAULT_REWARD`).
        max_turns: Programs per episode (1: single-turn).
        images: Send each picture with the feedback.
        image_placement: ``"user"`` or ``"tool"``.
        keep_last_images: Pictures of the last this many turns stay in a request (``None``: all).
        reward_aggregation: ``"last"``, ``"best"`` or ``"mean"`` (see :class:`CodePaintEnvConfig`).
        split: ``"train"``, ``"eval"`` or ``None``.
        language: Only this language's tasks.
        size: Render size (``None``: each task's own).
        feedback: ``"short"`` or ``"full"`` feedback text.
        search_tools: Search tools offered before drawing (``["search"]`` or ``"search,search_references"``).
        max_tool_calls: Their budget per episode.

    Returns:
        The environment (its config is ``env.config``, what ``vf.EvalConfig(env=...)`` takes).

    Raises:
        pydantic.ValidationError: A value out of range.
        ValueError: No task matches.
    """
    taskset = CodePaintTasksetConfig(suite=suite, split=split, language=language, size=size,
                                     feedback=feedback, **({"reward": rewards} if rewards else {}))
    config = CodePaintEnvConfig(taskset=taskset, max_turns=max_turns, images=images,
                                image_placement=image_placement, keep_last_images=keep_last_images,
                                reward_aggregation=reward_aggregation,
                                search_tools=list(check_tools(search_tools)), max_tool_calls=max_tool_calls)
    env = vf.load_environment(config)
    assert isinstance(env, CodePaintVerifiersEnv)
    return env
