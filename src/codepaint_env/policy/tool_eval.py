r"""`codepaint eval --tools search`: the policy may look things up before it answers (issue 49).

Each sample is one episode of the episode core (:mod:`codepaint_env.episode`) with the search
tools on and one drawing turn: the policy is asked, and while its reply calls a tool the episode
answers it (a tool step) and the policy is asked again with the answer in the conversation; the
first reply that calls no tool (or any reply once ``max_tool_calls`` are spent) is the program,
rendered and scored by the run's reward, in one batch per round. So a sample makes at most
``max_tool_calls + 1`` generations.

How a policy calls a tool (``tool_form``):

* ``call``: the tools' schemas go to the chat template (``tools=``), and the model writes
  ``<tool_call>{"name": "search", "arguments": {"query": "..."}}</tool_call>`` (Qwen2.5's
  template, the Hermes form) or, from an endpoint, OpenAI ``tool_calls``; each call is answered by
  a ``tool`` message;
* ``tag``: for a chat template without tools (SmolLM2's): the system prompt describes the tool
  (:func:`~codepaint_env.episode.tools.tools_instruction`), the model writes
  ``<search>a few words</search>`` (generation stops at the closing tag) and the answer comes back in
  a user message between ``<information>`` and ``</information>``, as in Search-R1.

``auto`` (the default) is ``call`` when the model's chat template reads ``tools`` (and for an
endpoint), else ``tag``.

``search`` looks in every card by default (``EvalConfig.search_index="all"``: evaluation holds every
card); ``train`` gives the training index (the train facts' cards only), ``auto`` a task's own.

Each row adds to the single-turn eval's fields: ``tool_calls`` (calls the episode counted),
``searched`` (at least one), ``searches`` (each call: tool, query, card ids, error), ``retrieved``
(card ids), ``recall`` (the share of the task's ``facts`` retrieved; ``None`` without facts),
``replies`` (every reply of the conversation, the program's last) and ``tool_form``.
"""

from __future__ import annotations

import json
import pathlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codepaint_env.episode import EpisodeResources, EpisodeSettings, respond_all
from codepaint_env.episode.tools import schemas
from codepaint_env.scoring.trainer import TrainerConfig

if TYPE_CHECKING:
    from codepaint_env.episode import Episode, Step
    from codepaint_env.tasks import Task

__all__ = ["STOPS", "TOOL_FORMS", "ToolEval", "close_open_call", "recall_of", "template_reads_tools",
           "tools_summary"]

#: How the policy calls tools (see the module docstring).
TOOL_FORMS: tuple[str, ...] = ("auto", "call", "tag")
#: Where generation stops in each form (the closing tag is put back: the stop string is cut off).
STOPS = {"call": ("</tool_call>",), "tag": ("</search>", "</search_references>")}
_OPENERS = (("<tool_call>", "</tool_call>"), ("<search_references>", "</search_references>"),
            ("<search>", "</search>"))


def template_reads_tools(tokenizer: Any) -> bool:
    """Whether a tokenizer's chat template renders a ``tools`` list (Qwen2.5's does, SmolLM2's does not)."""
    template = getattr(tokenizer, "chat_template", None) or ""
    if isinstance(template, dict):  # several named templates
        template = " ".join(str(t) for t in template.values())
    return bool(re.search(r"\btools\b", str(template)))


def close_open_call(text: str) -> str:
    """``text`` with the closing tag of a call cut off by a stop string put back."""
    for opener, closer in _OPENERS:
        at = text.rfind(opener)
        if at >= 0 and text.find(closer, at) < 0:
            return text + closer
    return text


def recall_of(facts: Sequence[str], retrieved: Sequence[str]) -> float | None:
    """The share of ``facts`` in ``retrieved`` (``None`` without facts): what ``search_recall`` gives."""
    needed = list(dict.fromkeys(facts))
    if not needed:
        return None
    found = set(retrieved)
    return sum(f in found for f in needed) / len(needed)


@dataclass
class _Chat:
    """One sample's conversation and its episode."""

    task: Task
    k: int
    episode: Episode
    messages: list[dict[str, Any]]
    replies: list[str] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    error: str | None = None
    step: Step | None = None
    pending: Any = None


class ToolEval:
    """The multi-turn eval of one run (see the module docstring).

    Args:
        config: The run's :class:`~codepaint_env.policy.evaluate.EvalConfig` (``tools``, ``max_tool_calls``,
            ``tool_form``, sampling, size, seed).
        writer: Its ``LocalWriter`` or ``EndpointWriter``.
        renderer: The render service.
        reward: The reward object (every sample's program is scored with it).
        gate: The gate reward (``reward`` itself when the spec is the gate).
        messages_for: The chat a task is asked in (``messages_for(task, style)``).
        sample_seed: The seed of a task's sample (``sample_seed(seed, task_id, index)``); round ``r`` of
            the conversation samples with ``row_seed(sample_seed(...), r)``.
    """

    def __init__(self, config: Any, writer: Any, renderer: Any, reward: Any, gate: Any, *,
                 messages_for: Any, sample_seed: Any) -> None:
        self.config, self.writer, self.renderer = config, writer, renderer
        self.reward, self.gate = reward, gate
        self.messages_for, self.sample_seed = messages_for, sample_seed
        settings = EpisodeSettings.from_config(TrainerConfig(), max_turns=1, tools=tuple(config.tools),
                                               max_tool_calls=config.max_tool_calls, size=config.size,
                                               search_index=getattr(config, "search_index", "all"))
        self.resources = EpisodeResources(settings, reward=reward, renderer=renderer)
        policy = getattr(writer, "policy", None)
        form = config.tool_form
        if form == "auto":
            form = "call" if policy is None or template_reads_tools(policy.tokenizer) else "tag"
        #: ``call`` or ``tag``: how this run's policy calls tools.
        self.form: str = form
        self.schemas = schemas(settings.tools)

    def run_chunk(self, chunk: Sequence[tuple[Task, int]], out: pathlib.Path) -> list[dict[str, Any] | None]:
        """Converse, draw and score one chunk; one row per sample (``None``: the endpoint did not answer)."""
        from rewards.base import Sample

        c = self.config
        t0 = time.perf_counter()
        chats = []
        for task, k in chunk:
            episode = self.resources.episode(task, render_seed=0)
            chats.append(_Chat(task, k, episode, episode.opening(self.messages_for(task, c.prompt_style),
                                                                 tool_form=self.form)))
        generate = 0.0
        for round_ in range(c.max_tool_calls + 1):
            live = [chat for chat in chats if chat.step is None and chat.error is None]
            if not live:
                break
            g0 = time.perf_counter()
            self._write(live, round_)
            generate += time.perf_counter() - g0
            ready = [chat for chat in live if chat.error is None]
            if not ready:
                continue
            steps = respond_all([chat.episode for chat in ready], [chat.pending for chat in ready])
            for chat, step in zip(ready, steps, strict=True):
                if step.tool:
                    chat.messages += [_assistant(chat.pending), *step.messages]
                else:
                    chat.step = step
        done = [chat for chat in chats if chat.step is not None]
        samples = [Sample(code=chat.episode.code, language=chat.task.language,
                          render=chat.episode.last_result,  # type: ignore[arg-type]  (drawn: a result)
                          prompt=chat.task.prompt, meta=chat.task.columns()) for chat in done]
        gated = ([None] * len(done) if self.gate is self.reward else
                 (self.gate.score(samples) if samples else []))
        t2 = time.perf_counter()
        rows: dict[tuple[str, int], dict[str, Any]] = {}
        for chat, g in zip(done, gated, strict=True):
            rows[(chat.task.id, chat.k)] = self._row(chat, g, out, generate / len(chunk),
                                                     (t2 - t0 - generate) / max(1, len(done)))
        return [rows.get((t.id, k)) for t, k in chunk]

    # ------------------------------------------------------------------ generating
    def _write(self, chats: Sequence[_Chat], round_: int) -> None:
        policy = getattr(self.writer, "policy", None)
        if policy is not None:
            self._write_local(policy, chats, round_)
        else:
            for chat in chats:
                self._write_endpoint(chat, round_)

    def _write_local(self, policy: Any, chats: Sequence[_Chat], round_: int) -> None:
        from codepaint_env.policy.local import Row, row_seed

        c = self.config
        tools = self.schemas if self.form == "call" else None
        rows = []
        for chat in chats:
            text = policy.tokenizer.apply_chat_template(chat.messages, tools=tools, tokenize=False,
                                                        add_generation_prompt=True)
            ids = tuple(policy.tokenizer(text, add_special_tokens=False)["input_ids"])
            rows.append(Row(ids, c.temperature, c.top_p, c.max_tokens, STOPS[self.form],
                            row_seed(self.sample_seed(c.seed, chat.task.id, chat.k), round_), logprobs=False))
        for chat, row, choice in zip(chats, rows, policy.generate_rows(rows), strict=True):
            text = close_open_call(choice.text)
            chat.replies.append(text)
            chat.pending = text
            chat.prompt_tokens += len(row.prompt_ids)
            chat.completion_tokens += choice.completion_tokens
            chat.finish_reason = choice.finish_reason

    def _write_endpoint(self, chat: _Chat, round_: int) -> None:
        from codepaint_env.policy.local import row_seed

        c, writer = self.config, self.writer
        extra: dict[str, Any] = ({"tools": self.schemas} if self.form == "call" else
                                 {"stop": list(STOPS["tag"])})
        try:
            reply = writer.client.chat.completions.create(
                model=writer.name, messages=chat.messages, temperature=c.temperature, top_p=c.top_p,
                max_tokens=c.max_tokens,
                seed=row_seed(self.sample_seed(c.seed, chat.task.id, chat.k), round_), **extra)
        except Exception as e:  # counted, not written: --resume asks again
            chat.error = f"{type(e).__name__}: {e}"[:300]
            return
        choice = reply.choices[0]
        content = close_open_call(choice.message.content or "")
        message: dict[str, Any] = {"role": "assistant", "content": content}
        calls = [{"id": t.id, "type": "function", "function": {"name": t.function.name,
                                                               "arguments": t.function.arguments}}
                 for t in (choice.message.tool_calls or []) if getattr(t, "function", None) is not None]
        if calls:
            message["tool_calls"] = calls
        chat.replies.append(message["content"] if not calls else json.dumps(message))
        chat.pending = message
        usage = reply.usage
        chat.prompt_tokens += usage.prompt_tokens if usage else 0
        chat.completion_tokens += usage.completion_tokens if usage else 0
        chat.finish_reason = choice.finish_reason

    # ------------------------------------------------------------------ the row
    def _row(self, chat: _Chat, gate: Any, out: pathlib.Path, generate_s: float, score_s: float
             ) -> dict[str, Any]:
        c, task, episode = self.config, chat.task, chat.episode
        step = chat.step
        assert step is not None and step.turn is not None and episode.last_result is not None
        turn, res = step.turn, episode.last_result
        result = step.info.get("reward") or {}
        gate_value = turn.value if gate is None else gate.value
        fail = getattr(self.gate, "fail_value", -1.0)
        image = None
        if res.png is not None:
            (out / "images").mkdir(exist_ok=True)
            image = f"images/{task.id}-{chat.k}.png"
            (out / image).write_bytes(res.png)
        log = episode.search_log
        searches = [] if log is None else [dict(call) for call in log.calls]
        return {
            "task_id": task.id, "sample": chat.k, "model": self.writer.name, "prompt_style": c.prompt_style,
            "prompt": task.prompt, "language": task.language, "completion": chat.replies[-1] if chat.replies
            else "", "code": episode.code, "finish_reason": chat.finish_reason,
            "prompt_tokens": chat.prompt_tokens, "completion_tokens": chat.completion_tokens,
            "render": res.to_dict(), "image": image, "draws_something": bool(res.ok), "reward": turn.value,
            "reward_reason": turn.reason, "breakdown": dict(turn.breakdown),
            "metrics": result.get("metrics", {}),
            "level": task.level, "rationale": str(result.get("rationale", ""))[:500], "gate": gate_value,
            "gate_pass": gate_value is not None and gate_value > fail,
            "generate_seconds": round(generate_s, 4), "render_score_seconds": round(score_s, 4),
            "tool_form": self.form, "tool_calls": episode.tool_calls, "searched": episode.tool_calls > 0,
            "refused_calls": episode.refused_calls, "searches": searches, "retrieved": episode.retrieved,
            "recall": recall_of(task.facts, episode.retrieved), "replies": chat.replies,
        }


def _assistant(reply: Any) -> dict[str, Any]:
    """The conversation's assistant message for a reply (a text, or an endpoint's message)."""
    if isinstance(reply, dict):
        return dict(reply)
    return {"role": "assistant", "content": str(reply)}


def tools_summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the tools did over a run's rows: the tool-call rate, calls per sample, recall."""
    if not rows:
        return {"samples": 0}
    calls = [int(r.get("tool_calls") or 0) for r in rows]
    recalls = [float(r["recall"]) for r in rows if r.get("recall") is not None]
    searched = [r for r in rows if r.get("searched")]
    return {"samples": len(rows), "tool_call_rate": round(len(searched) / len(rows), 4),
            "tool_calls_per_sample": round(sum(calls) / len(rows), 4),
            "recall": round(sum(recalls) / len(recalls), 4) if recalls else None,
            "refused_calls": sum(int(r.get("refused_calls") or 0) for r in rows)}
