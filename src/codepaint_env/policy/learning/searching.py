"""Rollouts with the search tool: a policy that may look a fact up before it draws (issue 56).

:func:`converse_groups` is :func:`~.rollouts.sample_groups` for an episode that offers tools. A sample
is one episode of the episode core with the ``search`` tool (:mod:`codepaint_env.episode.tools`) and
one drawing turn, conversed as ``codepaint eval --tools search`` converses
(:mod:`codepaint_env.policy.tool_eval`): the policy writes; while its reply calls a tool and calls are
left, the episode answers and the policy writes again; the first reply that calls none (or any reply
once the calls are spent) is the program, scored by the run's reward.

**One token sequence a sample**, what both learners train on (the layout TRL's own tool loop builds):

* ``prompt_ids``: the opening conversation, templated (the system prompt with the tool's instruction,
  the tools' schemas in the ``call`` form, the task);
* ``completion_ids``: the policy's replies as sampled, each reply that called a tool followed by its
  *bridge*: the end of the policy's turn, the tool's answer and the next turn's opening, as the chat
  template writes them (:func:`bridge_ids`);
* ``mask``: 1 on the policy's tokens, 0 on the bridges, so the loss never covers a tool's result (the
  retrieved-token masking of Search-R1);
* ``logprobs``: the engine's on the policy's tokens, 0.0 on the bridges (TRL's convention).

The next reply is sampled from exactly these ids, so what is trained on is what was sampled.

**The reward's parts** (:class:`ToolScorer`): the run's reward split as :class:`~.rollouts.Scorer`
splits it (the gate, one part per check kind), and

* ``search_recall``: the share of the task's facts among the first ``search`` call's top 3 cards
  (recall@3), paid only when the drawing passed the gate, so a call alone earns nothing and a later
  call that only repeats the first earns nothing more; 0 without a call;
* ``first_call`` (cold start (b), ``call_bonus`` > 0): the same recall whatever the drawing, a small
  weight, so a model that never calls can start to (the verl PR 4998 finding: Qwen2.5-0.5B stopped
  calling its tool until any call paid +0.1).

**The warm start's data** (cold start (a), ``forced_call``): the first reply is not sampled but
written: one search for the scene's subject (the title of its fact's card: "flag of France"), in the
run's tool form. The drawing after it is the model's own, given the card it retrieved; the learner
keeps the good ones (rejection sampling) and trains on the whole conversation, the written call
included, so the model learns the call's format and that a drawing follows the answer.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.episode import EpisodeResources, EpisodeSettings
from codepaint_env.episode.tools import schemas, text_calls
from codepaint_env.policy.engines import Row
from codepaint_env.policy.evaluate import messages_for, sample_seed
from codepaint_env.policy.learning.rollouts import (
    Parts,
    Rollout,
    RoundTimes,
    Scored,
    Scorer,
    assign_advantages,
)
from codepaint_env.policy.tool_eval import STOPS, close_open_call, recall_of, template_reads_tools
from codepaint_env.scoring.trainer import TrainerConfig
from codepaint_env.tasks.task import Task

__all__ = ["RECALL_AT", "Conversation", "ToolSampling", "ToolScorer", "answer", "bridge_ids", "converse",
           "converse_groups", "forced_call", "opened", "resolve_form", "subject_query", "tool_resources",
           "tool_summary", "written_conversation"]

#: How many of the first search's cards count for ``search_recall`` (recall@3: issue 56's goal).
RECALL_AT = 3
#: The tool forms (as ``codepaint eval --tool-form``).
FORMS = ("auto", "call", "tag")


@dataclass(frozen=True)
class ToolSampling:
    """How a learner's samples converse with the tools.

    Attributes:
        tools: The tools offered (``search``).
        max_tool_calls: Calls a sample may make before it must draw (2: at most 3 generations).
        form: ``call`` (the chat template's tools; Qwen2.5), ``tag`` (``<search>`` in the text) or
            ``auto`` (``call`` when the template reads tools): :func:`resolve_form`.
        search_index: The cards searched: ``train`` while training (no eval fact reaches training).
        forced_call: The first reply is one search for the scene's subject (the warm start's data).
        drawing_opening: With ``forced_call``, the reply after the card begins with this written text
            (the code fence, :data:`DRAWING_OPENING`); the rest of it is the model's own. Without it,
            Qwen2.5-Coder-0.5B answered a card with more calls, not a drawing, in 46 of 48 warm-start
            conversations (round 0 of the first run; docs/search-learning-plan.md, the amendment).
    """

    tools: tuple[str, ...] = ("search",)
    max_tool_calls: int = 2
    form: str = "auto"
    search_index: str = "train"
    forced_call: bool = False
    drawing_opening: str = ""

    def __post_init__(self) -> None:
        if self.form not in FORMS:
            raise ValueError(f"form must be one of {', '.join(FORMS)}, not {self.form!r}")
        if self.max_tool_calls < 1:
            raise ValueError(f"max_tool_calls must be at least 1, not {self.max_tool_calls}")


#: The warm start's written opening of the drawing reply: the fence the system prompt asks for.
DRAWING_OPENING = "```svg\n"


def resolve_form(tokenizer: Any, form: str = "auto") -> str:
    """``call`` or ``tag``: ``auto`` is ``call`` when the tokenizer's chat template reads ``tools``."""
    if form == "auto":
        return "call" if template_reads_tools(tokenizer) else "tag"
    return form


@functools.cache
def _cards_by_id() -> dict[str, Any]:
    """Every card a written search may name, the real ones and the practice flags', by id (built once)."""
    from codepaint_env.tasks.knowledge.cards import load_cards
    from codepaint_env.tasks.knowledge.practice import practice_cards

    return {c.id: c for c in (*load_cards(), *practice_cards())}


def subject_query(task: Task) -> str:
    """The scene's subject as a query: its first fact card's title ("flag of France"), else its prompt.

    A practice flag's card (:mod:`codepaint_env.tasks.knowledge.practice`) is one too.
    """
    card = _cards_by_id().get(task.facts[0]) if task.facts else None
    if card is None:
        return task.prompt[:80]
    title = card.title
    return title[:1].lower() + title[1:] if title[:2] != title[:2].upper() else title


def forced_call(task: Task, form: str) -> str:
    """The warm start's first reply: one search for :func:`subject_query`, in ``form``."""
    query = subject_query(task)
    if form == "tag":
        return f"<search>{query}</search>"
    return "<tool_call>\n" + json.dumps({"name": "search", "arguments": {"query": query}}) + "\n</tool_call>"


def bridge_ids(tokenizer: Any, messages: Sequence[dict[str, Any]], reply: str,
               answers: Sequence[dict[str, Any]], *, tools: Any = None) -> list[int]:
    """The tokens the chat template puts between a reply that called a tool and the next reply.

    The end of the policy's turn after ``reply``, the tool's answer (``answers``: the episode's tool step
    messages) and the opening of the next assistant turn: the text the template writes for
    ``messages + [reply] + answers`` (with the generation prompt) after what it writes for
    ``messages + [reply]`` up to the reply's end.

    Raises:
        ValueError: The template does not write the conversation as a continuation of the reply (it
            rewrites earlier turns), or does not write the reply as given.
    """
    said = [*messages, {"role": "assistant", "content": reply}]
    before = tokenizer.apply_chat_template(said, tools=tools, tokenize=False, add_generation_prompt=False)
    after = tokenizer.apply_chat_template([*said, *answers], tools=tools, tokenize=False,
                                          add_generation_prompt=True)
    at = before.rfind(reply)
    if at < 0 or not after.startswith(before):
        raise ValueError("the chat template does not continue a conversation after a tool call as it was "
                         "written: these rollouts need a template that appends each turn (ChatML, Qwen2.5)")
    text = before[at + len(reply):] + after[len(before):]
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


class ToolScorer:
    """The run's reward split into parts (:class:`~.rollouts.Scorer`), with the search's parts after them.

    Args:
        scorer: The gate and each check kind.
        recall_weight: ``search_recall``'s weight (paid only where the gate passed).
        call_bonus: ``first_call``'s weight (cold start (b)); 0: no such part.
    """

    def __init__(self, scorer: Scorer, *, recall_weight: float = 0.1, call_bonus: float = 0.0) -> None:
        if recall_weight < 0 or call_bonus < 0:
            raise ValueError("recall_weight and call_bonus must be 0 or more")
        self.scorer = scorer
        self.names = [*scorer.names, "search_recall", *(["first_call"] if call_bonus else [])]
        self.weights = [*scorer.weights, recall_weight, *([call_bonus] if call_bonus else [])]

    def score(self, tasks: Sequence[Task], texts: Sequence[str],
              recalls: Sequence[float | None]) -> list[Scored]:
        """Each program's parts (as :meth:`Scorer.score`), with the first search's recall paid as above."""
        out: list[Scored] = []
        for (parts, stated, kinds), recall in zip(self.scorer.score(tasks, texts), recalls, strict=True):
            gate = parts[self.scorer.names[0]]
            found = float(recall or 0.0)
            extra: Parts = {"search_recall": None if gate is None else (found if gate > 0 else 0.0)}
            if "first_call" in self.names:
                extra["first_call"] = found
            out.append(({**parts, **extra}, stated, kinds))
        return out

    def value(self, parts: Parts) -> float | None:
        """The reward: the parts' weighted sum (``None`` when the gate could not be judged)."""
        if parts.get(self.names[0]) is None:
            return None
        return sum(w * v for w, v in zip(self.weights, (parts.get(n) for n in self.names), strict=True)
                   if v is not None)


@dataclass
class Conversation:
    """One sample's conversation: its episode, messages and the token sequence built so far."""

    task: Task
    seed: int
    episode: Any
    messages: list[dict[str, Any]]
    prompt_ids: list[int]
    completion_ids: list[int] = field(default_factory=list)
    mask: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    final: str | None = None
    finish_reason: str = "stop"

    def add(self, ids: Sequence[int], logprobs: Sequence[float] | None, *, policy: bool) -> None:
        """Append tokens: the policy's (mask 1, their logprobs) or the environment's (mask 0, logprob 0.0)."""
        self.completion_ids += list(ids)
        self.mask += [int(policy)] * len(ids)
        self.logprobs += list(logprobs) if logprobs is not None else [0.0] * len(ids)

    def searches(self) -> list[dict[str, Any]]:
        """Each call the episode answered: tool, query, card ids, error."""
        log = self.episode.search_log
        return [dict(c) for c in log.calls] if log is not None else []

    def first_recall(self) -> float | None:
        """The share of the task's facts among the first search's top :data:`RECALL_AT` cards."""
        log = self.episode.search_log
        first = next((c for c in log.calls if c["tool"] == "search"), None) if log is not None else None
        return recall_of(self.task.facts, [] if first is None else first["ids"][:RECALL_AT])


def tool_resources(sampling: ToolSampling) -> EpisodeResources:
    """The episode resources that answer ``sampling``'s tools (its reward and renderer are never built)."""
    settings = EpisodeSettings.from_config(TrainerConfig(), max_turns=1, tools=sampling.tools,
                                           max_tool_calls=sampling.max_tool_calls,
                                           search_index=sampling.search_index)
    return EpisodeResources(settings)


def opened(resources: EpisodeResources, template: Any, task: Task, seed: int, asked: list[dict[str, Any]], *,
           form: str, offered: Any) -> Conversation:
    """A conversation's start: its episode, the opening with the tools' instruction, the templated ids."""
    episode = resources.episode(task, render_seed=0)
    opening = episode.opening(asked, tool_form=form)
    text = template.apply_chat_template(opening, tools=offered, tokenize=False, add_generation_prompt=True)
    ids = list(template(text, add_special_tokens=False)["input_ids"])
    return Conversation(task, seed, episode, opening, ids)


def answer(chat: Conversation, template: Any, reply: str, calls: Any, offered: Any) -> None:
    """The episode answers a reply's tool calls: the bridge (mask 0) appended, the messages extended."""
    step = chat.episode.call_tools(calls)
    chat.add(bridge_ids(template, chat.messages, reply, step.messages, tools=offered), None, policy=False)
    chat.messages += [{"role": "assistant", "content": reply}, *step.messages]


def converse(engine: Any, tasks: Sequence[Task], seeds: Sequence[int], sampling: ToolSampling, *,
             openings: Sequence[Sequence[dict[str, Any]]] | None = None, prompt_style: str = "allowlist",
             temperature: float = 0.9, top_p: float = 1.0, max_tokens: int = 320,
             batch: int = 16, logprobs: bool = True) -> list[Conversation]:
    """One conversation with the tools for each task (a task may come again), as the module docstring says.

    Args:
        engine: A generation engine (``decode(rows) -> choices``, ``tokenizer``).
        tasks: Each conversation's task.
        seeds: Each conversation's seed: its reply ``r`` is sampled with ``row_seed(seeds[i], r)``.
        sampling: The tools, the call budget, the form, the index, the warm start's written call.
        openings: Each conversation's chat before the tools' instruction (default: the task's
            :func:`~codepaint_env.policy.evaluate.messages_for` in ``prompt_style``).
        prompt_style: See ``openings``.
        temperature: Sampling temperature.
        top_p: Nucleus sampling.
        max_tokens: Most new tokens a reply.
        batch: Rows decoded together.
        logprobs: Ask the engine for the replies' logprobs (False: 0.0 recorded; none fetched, so an
            engine with ``prefix_reuse`` reuses the opening the conversations share).
    """
    from codepaint_env.policy.engines import row_seed

    template = engine.tokenizer
    form = resolve_form(template, sampling.form)
    offered = schemas(sampling.tools) if form == "call" else None
    resources = tool_resources(sampling)
    chats = [opened(resources, template, task, seed,
                    messages_for(task, prompt_style) if openings is None else [dict(m) for m in openings[i]],
                    form=form, offered=offered)
             for i, (task, seed) in enumerate(zip(tasks, seeds, strict=True))]
    for round_ in range(sampling.max_tool_calls + 1):
        live = [c for c in chats if c.final is None]
        if not live:
            break
        if sampling.forced_call and round_ == 0:
            written = [forced_call(c.task, form) for c in live]
            replies = [(t, list(template(t, add_special_tokens=False)["input_ids"]), None, "stop")
                       for t in written]
        else:
            written = sampling.drawing_opening if sampling.forced_call and round_ == 1 else ""
            head = list(template(written, add_special_tokens=False)["input_ids"]) if written else []
            rows = [Row(tuple(c.prompt_ids + c.completion_ids + head), temperature=temperature, top_p=top_p,
                        max_tokens=max_tokens, stop=STOPS[form], logprobs=logprobs,
                        seed=row_seed(c.seed, round_))
                    for c in live]
            choices = []
            for start in range(0, len(rows), batch):
                choices += engine.decode(rows[start:start + batch])
            replies = [(written + close_open_call(ch.text), head + list(ch.token_ids),
                        None if ch.logprobs is None else [0.0] * len(head) + list(ch.logprobs),
                        ch.finish_reason) for ch in choices]
        for chat, (text, ids, scores, finish) in zip(live, replies, strict=True):
            chat.add(ids, scores, policy=True)
            chat.replies.append(text)
            calls = text_calls(text)
            answered = round_ < sampling.max_tool_calls and chat.episode.tool_calls_left > 0
            if calls and finish == "stop" and answered:
                answer(chat, template, text, calls, offered)
            else:
                chat.final, chat.finish_reason = text, finish
    return chats


def written_conversation(tokenizer: Any, task: Task, sampling: ToolSampling, drawing: str, *,
                         prompt_style: str = "allowlist", end: int | None = None,
                         resources: EpisodeResources | None = None) -> Conversation:
    """A conversation whose replies are written, not sampled: the supervised start's data.

    The opening and the token layout are :func:`converse`'s (so what is taught is what a rollout looks
    like): the first reply is :func:`forced_call` (one search for the scene's subject), the episode
    answers it from ``sampling.search_index``, and the second reply is ``drawing`` (the reference
    program in its fence), followed by ``end`` (the end-of-turn token) when given. The mask is 1 on
    both replies, 0 on the bridge (the tool's answer). ``resources``: :func:`tool_resources`, shared
    by a batch of conversations (default: made for this one).
    """
    form = resolve_form(tokenizer, sampling.form)
    offered = schemas(sampling.tools) if form == "call" else None
    resources = tool_resources(sampling) if resources is None else resources
    chat = opened(resources, tokenizer, task, 0, messages_for(task, prompt_style), form=form, offered=offered)
    call = forced_call(task, form)
    chat.add(tokenizer(call, add_special_tokens=False)["input_ids"], None, policy=True)
    chat.replies.append(call)
    answer(chat, tokenizer, call, text_calls(call), offered)
    ids = list(tokenizer(drawing, add_special_tokens=False)["input_ids"])
    chat.add([*ids, *([] if end is None else [end])], None, policy=True)
    chat.replies.append(drawing)
    chat.final = drawing
    return chat


def converse_groups(engine: Any, tasks: Sequence[Task], k: int, scorer: ToolScorer, *, sampling: ToolSampling,
                    temperature: float = 0.9, top_p: float = 1.0, max_tokens: int = 320, seed: int = 0,
                    prompt_style: str = "allowlist", batch: int = 16, times: RoundTimes | None = None,
                    first: int = 0, groups: Sequence[int] | None = None,
                    logprobs: bool = True) -> list[Rollout]:
    """``k`` conversations of each task with the tools, scored, with advantages (see the module docstring).

    The arguments are :func:`~.rollouts.sample_groups`'s, with ``sampling`` (:func:`converse`). Sample
    ``i`` of a task converses under ``sample_seed(seed, task, i)``, as ``codepaint eval --tools`` seeds it.
    """
    started = time.perf_counter()
    labels = list(range(len(tasks))) if groups is None else list(groups)
    owners = [(g, task, i) for g, task in zip(labels, tasks, strict=True) for i in range(first, first + k)]
    chats = converse(engine, [t for _, t, _ in owners], [sample_seed(seed, t.id, i) for _, t, i in owners],
                     sampling, prompt_style=prompt_style, temperature=temperature, top_p=top_p,
                     max_tokens=max_tokens, batch=batch, logprobs=logprobs)
    generated = time.perf_counter()
    recalls = [c.first_recall() for c in chats]
    scored = scorer.score([c.task for c in chats], [c.final or "" for c in chats], recalls)
    rollouts = []
    for (g, _, _), chat, recall, (parts, stated, kinds) in zip(owners, chats, recalls, scored, strict=True):
        rollouts.append(Rollout(
            task_id=chat.task.id, level=chat.task.level, group=g, prompt_ids=chat.prompt_ids,
            completion_ids=chat.completion_ids, logprobs=chat.logprobs, text=chat.final or "",
            finish_reason=chat.finish_reason, value=scorer.value(parts), parts=parts,
            gate_passed=(parts.get(scorer.names[0]) or 0.0) > 0, all_stated=stated, kinds=kinds,
            mask=chat.mask, replies=chat.replies, searches=chat.searches(), first_recall=recall))
    assign_advantages(rollouts, scorer)
    if times is not None:
        times.generate += generated - started
        times.score += time.perf_counter() - generated
    return rollouts


def tool_summary(rollouts: Sequence[Rollout]) -> dict[str, Any]:
    """A round's search figures: the call rate, calls a sample, the first search's recall@3."""
    n = len(rollouts)
    if not n:
        return {"call_rate": None, "calls_per_sample": None, "recall_at_3": None}
    recalls = [r.first_recall for r in rollouts if r.first_recall is not None]
    return {"call_rate": round(sum(bool(r.searches) for r in rollouts) / n, 4),
            "calls_per_sample": round(sum(len(r.searches or []) for r in rollouts) / n, 4),
            "recall_at_3": round(sum(recalls) / len(recalls), 4) if recalls else None}
