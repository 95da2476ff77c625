"""`Episode`: one task's turns: render, score, record, feed back, aggregate, end. The core under every door.

An episode is made by :meth:`EpisodeResources.episode
<codepaint_env.episode.resources.EpisodeResources.episode>` (which chose its task) and answers
replies::

    step = episode.respond(reply)        # a program, fenced or not, or a submit_code call
    step.turn                            # the record every door sends (Turn.to_dict())
    step.message                         # the policy's next message (None: the episode is over)
    step.picture                         # the picture in that message (None: none shown)
    step = await episode.arespond(reply) # the same turn for async callers (no thread per call)

It owns everything between a reply and what the trainer sees: extracting the program, the
render, the reward (one ``score`` call for a batch of episodes sharing a reward:
:func:`respond_all`), the turn's reward (absolute or improvement, the no-change penalty, the
unjudged reward), the feedback text, where the picture goes (a user message, or the answer to a
``submit_code`` call), the end (the turn budget, the success threshold) and the episode's value
(:meth:`Episode.outcome`: the last, best or mean turn).

**Blocking or awaited.** :func:`respond_all` and :func:`arespond_all` (:meth:`Episode.respond`,
:meth:`Episode.arespond`) drive one flow (``_Batch``: parse, tool steps, start the renders, the
reward calls, record the turns); only the waiting differs: the blocking driver waits on the render
futures and calls :func:`~rewards.guard.score_guarded`, the async one awaits the futures and
:func:`~rewards.guard.ascore_guarded` on the running loop.

**Tools.** A reply's tool calls are parsed once (:attr:`Reply.calls
<codepaint_env.episode.reply.Reply.calls>`); ``submit_code`` is a turn. :attr:`Episode.tools` is
what the policy is offered, so every door offers what the episode answers. With search tools
(``EpisodeSettings(tools=("search",))``, :mod:`.tools`) a reply that calls them and submits nothing
is a *tool step*: the calls are answered inside the episode (each counted against
``max_tool_calls``), the step's ``turn`` is ``None``, its ``message`` is the tool result and its
``messages`` every answer of the reply; nothing is rendered or scored, no drawing turn is used,
and the episode goes on. ``search`` looks in the train facts' cards only when the task is a train
task (``EpisodeSettings.search_index``, default ``auto``), so no eval fact reaches training. The
calls may be structured (``tool_calls``), ``<tool_call>`` JSON blocks in the text, or
``<search>...</search>`` tags (Search-R1). Once the budget is spent a reply that
still only calls tools is drawn as its program (a drawing turn, its feedback says why), so an
episode ends after at most ``max_turns`` programs and ``max_tool_calls`` tool steps. The searches
are logged (:attr:`Episode.search_log`) and reach every reward as the sample's ``retrieved`` and
``tool_calls`` columns (what ``search_recall`` reads).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from PIL import Image

from codepaint_env.episode.feedback import (
    MAX_CODE_CHARS,
    MAX_TEXT_CHARS,
    cut_note,
    render_line,
    summary,
    turn_feedback,
)
from codepaint_env.episode.messages import (
    EDIT_INSTRUCTION,
    SUBMIT_TOOL,
    feedback_content,
    feedback_message,
    feedback_text,
    with_tool_instruction,
)
from codepaint_env.episode.reply import SUBMIT, Reply, ToolCall, parse_reply
from codepaint_env.episode.step import Step
from codepaint_env.episode.tools import (
    ToolAnswer,
    answer_call,
    answer_messages,
    schemas,
    text_calls,
    tools_instruction,
)
from codepaint_env.episode.turn import Outcome, Turn, aggregate
from codepaint_env.render.extract import extract_code
from rewards.guard import ascore_guarded, score_guarded

if TYPE_CHECKING:
    from codepaint_env.core.result import RenderResult
    from codepaint_env.episode.settings import EpisodeSettings
    from codepaint_env.render.service import RenderService
    from codepaint_env.scoring.trainer import Scored
    from codepaint_env.tasks import Task
    from codepaint_env.tasks.knowledge.search import SearchLog
    from rewards.base import Reward, RewardResult, Sample

__all__ = ["Episode", "EpisodeOver", "Step", "arespond_all", "respond_all"]


class Shared(Protocol):
    """What an episode needs of the resources it shares (:class:`~codepaint_env.episode.EpisodeResources`)."""

    settings: EpisodeSettings

    @property
    def reward(self) -> Reward:
        """The reward object."""
        ...

    @property
    def renderer(self) -> RenderService:
        """The render service."""
        ...

    @property
    def ready(self) -> bool:
        """Whether the reward and the renderer are built."""
        ...

    def prepare(self) -> None:
        """Build the reward and the renderer (a first use would build them)."""
        ...

    def spec_for(self, task: Task) -> str:
        """The reward spec a task is scored with."""
        ...


class EpisodeOver(RuntimeError):
    """A reply to an episode that has ended (start another)."""


class Episode:
    """One task's turns (see the module docstring). Made by :meth:`EpisodeResources.episode`.

    Args:
        resources: The renderer, reward and tasks it shares with other episodes.
        task: Its task.
        settings: How it runs (default: the resources').
        render_seed: The seed its programs render with (default: the settings' rule).
        curriculum: A :class:`~codepaint_env.tasks.Curriculum` told the episode's result when it ends.
    """

    def __init__(self, resources: Shared, task: Task, *, settings: EpisodeSettings | None = None,
                 render_seed: int | None = None, curriculum: Any = None) -> None:
        self.resources = resources
        self.settings = settings if settings is not None else resources.settings
        self.task = task
        self.size: tuple[int, int] = self.settings.render_size(task.size)
        self.render_seed = self.settings.render_seed(render_seed)
        self.curriculum = curriculum
        self.turns: list[Turn] = []
        self.done = False
        #: The last program (extracted), and the last feedback text ("" before the first turn; after a
        #: tool step, its answers' text).
        self.code = ""
        self.feedback = ""
        #: The last step's ``info`` (``{}`` before the first turn).
        self.info: dict[str, Any] = {}
        #: The result of the most recent render (an ``infra`` one included); ``None`` before any.
        self.last_result: RenderResult | None = None
        #: The last render that really happened (not an ``infra`` one): what the next edit is compared with.
        self.last_picture: RenderResult | None = None
        self._last_value: float | None = None
        self._started = 0  # programs sent to the renderer (turn numbers)
        #: The episode's tool calls and the cards they returned (``None`` when it offers no tools).
        self.search_log: SearchLog | None = None
        if self.settings.tools:
            from codepaint_env.tasks.knowledge.search import SearchLog

            self.search_log = SearchLog()
        #: The cards its ``search`` looks in: ``train`` (a train task, by default) or ``all``
        #: (:meth:`EpisodeSettings.index_for <codepaint_env.episode.settings.EpisodeSettings.index_for>`).
        self.search_index: str = self.settings.index_for(task.split)
        #: Tool calls refused because the budget was spent (not run, not counted in the log).
        self.refused_calls = 0
        self._lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None  # arespond's, per loop

    # ------------------------------------------------------------------ what it is
    @property
    def language(self) -> str:
        """The language its programs are written in (the task's)."""
        return self.task.language

    @property
    def max_turns(self) -> int:
        """Programs allowed in the episode."""
        return self.settings.max_turns

    @property
    def reward(self) -> Reward:
        """The reward it scores with (the resources')."""
        return self.resources.reward

    @property
    def tools(self) -> list[dict[str, Any]] | None:
        """The tools the policy is offered (OpenAI's form); ``None`` when there are none.

        ``submit_code`` with tool placement, then the search tools the settings name.
        """
        offered = [SUBMIT_TOOL] if self.settings.image_placement == "tool" else []
        offered += schemas(self.settings.tools)
        return offered or None

    @property
    def tool_calls(self) -> int:
        """Tool calls made so far (refused ones included, over-budget ones not)."""
        return 0 if self.search_log is None else self.search_log.tool_calls

    @property
    def tool_calls_left(self) -> int:
        """Tool calls still allowed (0 without tools)."""
        if self.search_log is None:
            return 0
        return max(0, self.settings.max_tool_calls - self.search_log.tool_calls)

    @property
    def retrieved(self) -> list[str]:
        """The fact cards the episode's searches returned (card ids, once each, first seen first)."""
        return [] if self.search_log is None else self.search_log.retrieved

    def opening(self, messages: Sequence[dict[str, Any]], *, tool_form: str = "call") -> list[dict[str, Any]]:
        """The prompt's chat messages as the policy gets them (the tools' instructions when it has tools).

        Args:
            messages: The prompt's messages (not changed).
            tool_form: How the policy calls search tools: ``call`` (through its chat template's tools)
                or ``tag`` (``<search>...</search>`` in its text; the Gym door, a template without tools).
        """
        out = [dict(m) for m in messages]
        if self.settings.image_placement == "tool":
            out = with_tool_instruction(out)
        said = tools_instruction(self.settings.tools, self.settings.max_tool_calls, form=tool_form)
        if said:
            out = _with_system(out, said)
        return out

    # ------------------------------------------------------------------ the turns
    def start_from(self, code: str) -> dict[str, Any]:
        """Render a starting program as turn 0 (refinement from an existing sketch); its ``info``.

        It is not scored and is no turn: the first reply's edit is compared with its picture.
        """
        self.code = extract_code(code, self.language)
        res = self._submit(self.code).result()
        self.last_result = self.last_picture = res
        self.feedback = "Starting program rendered: " + render_line(res) + cut_note(self.code)
        return {"render": summary(res), "code_truncated": len(self.code) > MAX_CODE_CHARS}

    def respond(self, reply: Any) -> Step:
        """Render and score the program a reply submits; the turn, the next message and its picture.

        Args:
            reply: A program (fenced or not), a chat message or messages, a ``submit_code`` call
                (:func:`~codepaint_env.episode.reply.parse_reply`).

        Raises:
            EpisodeOver: The episode has ended.
            ValueError: A reply of bytes that are not UTF-8.
        """
        return respond_all([self], [reply])[0]

    async def arespond(self, reply: Any) -> Step:
        """:meth:`respond` for async callers: the same turn, awaited on the loop (:func:`arespond_all`).

        Calls on one episode made at once (TRL gathers a message's tool calls) take their turns one
        after another, in the order they were made; the one after the last turn raises
        :class:`EpisodeOver`.

        Raises:
            EpisodeOver: The episode has ended.
            ValueError: A reply of bytes that are not UTF-8.
        """
        async with self._turn_lock():
            return (await arespond_all([self], [reply]))[0]

    def outcome(self, how: str | None = None) -> Outcome:
        """The episode's reward so far (:func:`aggregate`; default: the settings' ``reward_aggregation``)."""
        return aggregate(self.turns, how or self.settings.reward_aggregation)

    def scored(self) -> Scored:
        """The episode's outcome as the float a trainer takes (the settings' unjudged reward if unjudged)."""
        return self.outcome().scored(self.settings.unjudged_reward)

    def picture(self, max_side: int | None = None) -> Image.Image | None:
        """The last program's picture (RGB), at most ``max_side`` a side; ``None`` when none was drawn."""
        picture = None if self.last_result is None else self.last_result.image
        if picture is None:
            return None
        if max_side is not None and max(picture.size) > max_side:
            picture = picture.copy()
            picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return picture

    def message(self, reply: Reply | None = None, *, instruction: str | None = None
                ) -> tuple[dict[str, Any], Image.Image | None]:
        """The last turn's feedback as the policy's next message, and the picture in it.

        Args:
            reply: The reply it answers: a ``submit_code`` call is answered by a ``tool`` message when
                the settings place the feedback there; anything else by a user message.
            instruction: The request that closes the text (default: the settings', else
                :data:`~codepaint_env.episode.messages.EDIT_INSTRUCTION` for the message's kind).

        Raises:
            RuntimeError: No turn yet.
        """
        if not self.turns:
            raise RuntimeError("no turn yet: nothing to give feedback on")
        turn, s = self.turns[-1], self.settings
        tool = reply is not None and reply.tool and s.image_placement == "tool"
        picture = self.picture(s.image_size) if s.images else None
        if instruction is None:
            instruction = s.instruction or EDIT_INSTRUCTION["tool" if tool else "user"]
        text = feedback_text(turn.feedback, instruction=instruction, shown=picture is not None,
                             images=s.images, infra=turn.error_kind == "infra")
        content = feedback_content(text, picture, form=s.picture_form)
        call_id = reply.call_id if tool and reply is not None else None
        return feedback_message(content, tool=tool, tool_call_id=call_id), picture

    # ------------------------------------------------------------------ a turn, in two halves
    def _check_open(self) -> None:
        if self.done:
            raise EpisodeOver(f"the episode ended (turn {len(self.turns)} of {self.max_turns}): "
                              "start another")

    def _turn_lock(self) -> asyncio.Lock:
        """The lock that keeps this episode's awaited turns in order (one per event loop)."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock[0] is not loop:
            self._lock = (loop, asyncio.Lock())
        return self._lock[1]

    def _submit(self, code: str) -> concurrent.futures.Future[RenderResult]:
        return self.resources.renderer.submit(code, self.language, size=self.size, seed=self.render_seed)

    def _begin(self, reply: Reply) -> tuple[str, concurrent.futures.Future[RenderResult]]:
        """Start a turn: extract the program and start its render."""
        code = extract_code(reply.code, self.language)
        self._started += 1
        return code, self._submit(code)

    def _sample(self, code: str, res: RenderResult) -> Sample:
        """What the reward scores for this turn's render."""
        from rewards.base import Sample

        return Sample(code=code, language=self.language, render=res, prompt=self.task.prompt,
                      meta=self._columns(), previous=self.last_picture)

    def _columns(self) -> dict[str, Any]:
        """The sample's columns: the task's, the turn, and with tools ``retrieved`` and ``tool_calls``."""
        columns = {**self.task.columns(), "turn": self._started}
        if self.search_log is not None:
            columns.update(self.search_log.columns())
        return columns

    # ------------------------------------------------------------------ a tool step
    def _calls(self, reply: Reply) -> list[ToolCall]:
        """The reply's calls of tools other than ``submit_code`` (none without tools)."""
        if self.search_log is None:
            return []
        calls = list(reply.calls) or text_calls(reply.text or reply.code)
        return [c for c in calls if c.name != SUBMIT]

    def call_tools(self, calls: Sequence[ToolCall]) -> Step:
        """Answer tool calls a trainer made itself (TRL's tool methods, an OpenEnv action): a tool step.

        Each call counts against ``max_tool_calls``; one past it is answered with a refusal and not
        run (never drawn: only a policy's *reply* that keeps calling tools is drawn, see
        :func:`respond_all`).

        Raises:
            EpisodeOver: The episode has ended.
            ValueError: The episode offers no tools.
        """
        self._check_open()
        if self.search_log is None:
            raise ValueError("this episode offers no tools: give EpisodeSettings(tools=('search',)) "
                             "(or CODEPAINT_TOOLS=search)")
        return self._answer_tools(calls)

    def _answer_tools(self, calls: Sequence[ToolCall]) -> Step:
        """Answer a reply's tool calls (each counted against the budget): a tool step."""
        s, log = self.settings, self.search_log
        assert log is not None
        answers: list[ToolAnswer] = []
        for call in calls:
            answers.append(answer_call(call, s.tools, log, left=self.tool_calls_left, language=self.language,
                                       pictures=s.images, max_side=s.image_size, index=self.search_index))
        self.refused_calls += sum(not a.counted for a in answers)
        messages = answer_messages(answers, form=s.picture_form)
        self.info = {"task_id": self.task.id, "turn": len(self.turns),
                     "tools": [a.to_dict() for a in answers], "tool_calls": log.tool_calls,
                     "tool_calls_left": self.tool_calls_left, "retrieved": log.retrieved}
        step = Step(None, messages[0], None, self.info, tuple(messages))
        self.feedback = step.text[:MAX_TEXT_CHARS]  # what a door without messages shows (the Gym env's obs)
        return step

    def _finish(self, reply: Reply, code: str, res: RenderResult, result: RewardResult,
                note: str = "") -> Step:
        """End a turn with its render and its reward: record it, shape its reward, say what comes next.

        ``note`` opens the feedback (why a reply that only called tools was drawn).
        """
        from rewards.base import Sample
        from rewards.change import measure_change
        from rewards.monitors import sample_monitors

        s, n = self.settings, self._started
        infra = res.error_kind == "infra"
        before = self.last_picture
        change = None if before is None or infra else measure_change(before, res)
        no_change = change is not None and not change.changed
        value = result.value
        if value is None:
            reward = s.unjudged_reward
        elif s.reward_mode == "improvement":
            reward = value - (self._last_value if self._last_value is not None else 0.0)
        else:
            reward = value
        if value is not None and no_change and s.no_change_penalty:  # shaping applies to judged turns only
            reward -= s.no_change_penalty
        self.done = n >= s.max_turns or (
            value is not None and s.success_threshold is not None and value >= s.success_threshold)
        self.code = code
        self.last_result = res
        if not infra:  # the next turn compares with the last picture that was really rendered
            self.last_picture = res
        if value is not None:
            self._last_value = value
        self.feedback = note + turn_feedback(n, s.max_turns, code, res, result, before, change, no_change,
                                             full=s.feedback == "full")
        if self.done and self.curriculum is not None:
            self.curriculum.observe([self.task.level], [result])
        render = summary(res)
        self.info = {
            "task_id": self.task.id, "turn": n, "render": render, "reward": result.to_dict(),
            "reward_spec": self.resources.spec_for(self.task), "judged": value is not None,
            "unknown_api": list(res.unknown_api),
            "visible_change": None if change is None else change.to_dict(), "no_change": no_change,
            "code_truncated": len(code) > MAX_CODE_CHARS,
        }
        if self.search_log is not None:
            self.info.update({"tool_calls": self.tool_calls, "tool_calls_left": self.tool_calls_left,
                              "retrieved": self.retrieved})
        shown = code[:MAX_CODE_CHARS]
        turn = Turn(turn=n, code=shown, value=value, judged=value is not None, reason=result.reason,
                    rendered=bool(render.get("ok")), error_kind=render.get("error_kind"),
                    picture=res.png is not None, no_change=no_change, reward=float(reward),
                    feedback=self.feedback[:MAX_TEXT_CHARS], breakdown=dict(result.breakdown),
                    monitors=sample_monitors(Sample(code=shown, language=self.language, render=res,
                                                    meta=self._columns()), result),
                    tool_calls=self.tool_calls, retrieved=self.retrieved)
        self.turns.append(turn)
        message, picture = (None, None) if self.done else self.message(reply)
        return Step(turn, message, picture, self.info, () if message is None else (message,))


def respond_all(episodes: Sequence[Episode], replies: Sequence[Any]) -> list[Step]:
    """Answer one reply per episode at once: every render concurrently, one ``score`` call per reward.

    :meth:`Episode.respond` is this with one episode; the Gym door's vector env steps its N
    environments through it. A reply that only calls search tools is answered at once (a tool step:
    no render); the others' renders are submitted together (a shared renderer runs them side by
    side), then the samples of episodes sharing a reward object are scored in one call, in order:
    a judge gets one batch, a group reward sees the whole group. That call is guarded
    (:func:`rewards.guard.score_guarded`): a reward that raises, answers the wrong number of results
    or runs past the settings' ``reward_timeout_s`` (the longest of the episodes') leaves each of its
    turns unjudged (``None``, the reason naming the reward and the fault; the turn's reward is the
    settings' ``unjudged_reward``), and the batch completes.

    Raises:
        ValueError: Lengths that differ, or a reply of bytes that are not UTF-8 (no episode has moved).
        EpisodeOver: An episode has ended (no episode has moved).
    """
    batch = _Batch(episodes, replies)
    renders = [future.result() for future in batch.renders]
    calls = batch.reward_calls(renders)
    return batch.finish([score_guarded(c.reward, c.samples, timeout_s=c.timeout_s) for c in calls])


async def arespond_all(episodes: Sequence[Episode], replies: Sequence[Any]) -> list[Step]:
    """:func:`respond_all` for async callers: the same turns, awaited on the running loop.

    The renders are awaited as they are (the render service's futures), and the reward calls
    together, each through :func:`rewards.guard.ascore_guarded`: a reward with an ``ascore`` of its
    own (the VLM judges, a reward on Ray) is awaited with no thread; one with only ``score`` runs on
    the guard's reused workers. The first call on resources whose reward is not built yet builds it
    off the loop (it may load models). The turn logic is :func:`respond_all`'s (one flow, two
    drivers), so both give the same steps. Do not answer one episode twice at once through this
    (:meth:`Episode.arespond` keeps an episode's calls in order).

    Raises:
        ValueError: Lengths that differ, or a reply of bytes that are not UTF-8 (no episode has moved).
        EpisodeOver: An episode has ended (no episode has moved).
    """
    for resources in {id(e.resources): e.resources for e in episodes}.values():
        if not resources.ready:
            await asyncio.to_thread(resources.prepare)
    batch = _Batch(episodes, replies)
    renders = await asyncio.gather(*(asyncio.wrap_future(future) for future in batch.renders))
    calls = batch.reward_calls(renders)
    return batch.finish(await asyncio.gather(*(ascore_guarded(c.reward, c.samples, timeout_s=c.timeout_s)
                                               for c in calls)))


class _RewardCall(NamedTuple):
    """One reward call of a batch: the reward, its samples in order, the longest of their deadlines."""

    reward: Reward
    samples: list[Sample]
    timeout_s: float | None


class _Batch:
    """One reply per episode on its way through a turn: the flow :func:`respond_all` and its async twin share.

    Made, it has parsed the replies, refused a batch with an ended episode, answered the tool steps
    and started every render (:attr:`renders`). A driver waits for the renders its way, makes
    :meth:`reward_calls` its way, and :meth:`finish` records the turns.
    """

    def __init__(self, episodes: Sequence[Episode], replies: Sequence[Any]) -> None:
        if len(episodes) != len(replies):
            raise ValueError(f"{len(replies)} replies for {len(episodes)} episodes")
        self.episodes = list(episodes)
        self.parsed = [parse_reply(r) for r in replies]
        for episode in self.episodes:  # every usage error before any render starts
            episode._check_open()
        self.steps: list[Step | None] = [None] * len(self.episodes)
        self.drawn: list[int] = []
        self.notes: dict[int, str] = {}
        for i, (episode, reply) in enumerate(zip(self.episodes, self.parsed, strict=True)):
            calls = [] if reply.tool else episode._calls(reply)
            if calls and episode.tool_calls_left > 0:
                self.steps[i] = episode._answer_tools(calls)
                continue
            if calls:  # the budget is spent: the reply is the program it ends with
                episode.refused_calls += len(calls)
                self.notes[i] = (f"No tool calls left ({episode.tool_calls} of "
                                 f"{episode.settings.max_tool_calls} used), so this reply was drawn as your "
                                 "program.\n")
            self.drawn.append(i)
        self.started = [self.episodes[i]._begin(self.parsed[i]) for i in self.drawn]
        self.results: list[RenderResult] = []
        self.members: list[list[int]] = []  # positions in drawn, one list per reward call

    @property
    def renders(self) -> list[concurrent.futures.Future[RenderResult]]:
        """The drawn replies' renders, in order."""
        return [future for _, future in self.started]

    def reward_calls(self, results: Sequence[RenderResult]) -> list[_RewardCall]:
        """The reward calls the renders' samples make: one per reward object, in order of first use."""
        self.results = list(results)
        by_reward: dict[int, list[int]] = {}
        for k, i in enumerate(self.drawn):
            by_reward.setdefault(id(self.episodes[i].reward), []).append(k)
        self.members = list(by_reward.values())
        calls = []
        for members in self.members:
            episodes = [self.episodes[self.drawn[k]] for k in members]
            samples = [e._sample(self.started[k][0], self.results[k])
                       for e, k in zip(episodes, members, strict=True)]
            deadlines = [d for e in episodes if (d := e.settings.reward_timeout_s) is not None]
            deadline = max(deadlines, default=None)
            calls.append(_RewardCall(episodes[0].reward, samples, deadline))
        return calls

    def finish(self, scored: Sequence[Sequence[RewardResult]]) -> list[Step]:
        """Record each drawn episode's turn with its reward result (one list per reward call): every step."""
        result: dict[int, RewardResult] = {}
        for members, results in zip(self.members, scored, strict=True):
            result.update(zip(members, results, strict=True))
        for k, i in enumerate(self.drawn):
            self.steps[i] = self.episodes[i]._finish(self.parsed[i], self.started[k][0], self.results[k],
                                                     result[k], self.notes.get(i, ""))
        return [step for step in self.steps if step is not None]


def _with_system(messages: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """``messages`` with ``text`` appended to the system message (a new one first if none)."""
    if messages and messages[0].get("role") == "system" and isinstance(messages[0].get("content"), str):
        system = messages[0]["content"]
        messages[0] = {**messages[0], "content": f"{system}\n\n{text}" if system else text}
    else:
        messages.insert(0, {"role": "system", "content": text})
    return messages
