r"""verl: a multi-turn codepaint agent loop: the policy writes a program, sees its picture, edits it.

:class:`CodePaintAgentLoop` is a verl 0.9 ``AgentLoopBase`` (``verl.experimental.agent_loop``).
One trajectory: the policy writes a program; codepaint renders and scores it (the episode of
every door, :mod:`codepaint_env.episode`: the task from every column of the row's
``extra_info``, one record per turn); the picture
and the feedback text go back to the policy as the next message (a user message, or the result
of a ``submit_code`` tool call); the policy edits; up to ``max_turns`` programs. The trajectory's
reward is set by the loop (``reward_score``), so verl scores nothing else.

A real run (verl 0.9, GRPO, a vision-language policy; register the loop with
``agent_loop_config_path`` and make it the default, or name it in an ``agent_name`` column)::

    codepaint export parquet --suite svg --split train --out ~/data/cp/train.parquet
    codepaint export parquet --suite svg --split eval --out ~/data/cp/eval.parquet
    LOOPS=$(python -m codepaint_env.integrations.verl_agent)      # the shipped verl_agent.yaml
    CODEPAINT_REWARD=gate:0.3,classic:0.7 python -m verl.trainer.main_ppo \
        algorithm.adv_estimator=grpo \
        data.train_files=$HOME/data/cp/train.parquet data.val_files=$HOME/data/cp/eval.parquet \
        data.max_prompt_length=1024 data.max_response_length=4096 \
        actor_rollout_ref.model.path=Qwen/Qwen2.5-VL-7B-Instruct \
        actor_rollout_ref.rollout.name=vllm actor_rollout_ref.rollout.n=8 \
        actor_rollout_ref.rollout.agent.agent_loop_config_path="$LOOPS" \
        actor_rollout_ref.rollout.agent.default_agent_loop=codepaint_agent \
        reward.custom_reward_function.path=pkg://codepaint_env.integrations.verl \
        reward.custom_reward_function.name=compute_score_async ...

``python -m codepaint_env.integrations.verl_agent`` prints the path of the YAML shipped beside this
module (``verl_agent.yaml``: one loop, ``codepaint_agent``, three turns, pictures in user
messages); copy it to change the settings: every key but ``name`` and ``_target_`` is an argument
of :class:`CodePaintAgentLoop`, and several entries may register several variants. The reward,
renderer and ``codepaint serve`` URL are the environment variables of
:mod:`codepaint_env.scoring.trainer` (``CODEPAINT_REWARD``, ``CODEPAINT_SERVE_URL``...), read in
the agent-loop worker's process; the custom reward function above only scores what reaches verl
without a ``reward_score`` (nothing from this loop).

**The token sequence.** verl trains one sequence per trajectory: the prompt, then the policy's
replies (``response_mask`` 1) and codepaint's messages (``response_mask`` 0: the feedback, the
picture's placeholder tokens, the chat template's markers), tokenized turn by turn with verl's
Continuous Token builder (``ct_build_initial_tokens``, ``ct_merge_assistant_token``,
``ct_merge_context_msg``), so the policy's tokens are the ones it generated. The pictures go to
the rollout server with each request (``image_data``) and to the trainer in
``multi_modal_data["images"]`` (PIL images, in the order of their placeholders), which verl's
worker turns into the processor's ``multi_modal_inputs``.

**Pictures** (``images``; default: when the model has a multimodal processor). With
``image_placement="user"`` (default) the feedback is a user message, the picture first, then
"This is what your program drew." and the feedback; with ``"tool"`` the policy is given one
function tool, ``submit_code(code)`` (its schema in the chat template's ``tools``, parsed with
verl's tool parser, ``rollout.multi_turn.format``), and each call is answered by a tool message
holding the picture and the feedback; a reply without a call is still scored (its program is
extracted from the text) and answered by a user message. ``keep_last_images=k`` keeps the
pictures of the last ``k`` turns in the context: an older picture's tokens are replaced by the
text :data:`OLDER_PICTURE` (the same rule as the verifiers adapter). verl trains one sequence, so
the earlier replies are then trained in the context without that picture, while they were
sampled with it in view: their rollout log-probs (``response_logprobs``, used by rollout
correction) come from a slightly different context. Leave it unset for an exactly on-policy
sequence; ``image_size`` downscales the pictures instead (fewer image tokens each).

**Search before drawing** (``search_tools: [search]`` or ``[search, search_references]``, or
``CODEPAINT_TOOLS``; ``max_tool_calls``): the tools' schemas go to the chat template with the
others and the replies are parsed with verl's tool parser (``rollout.multi_turn.format``, e.g.
``hermes`` for Qwen); a reply that calls them and submits nothing is a search step of the episode:
nothing is drawn, each call is answered by a ``tool`` message (the fact cards, or reference
programs with their pictures when pictures are shown), tokenized into the sequence with
``response_mask`` 0, and the policy goes on. ``num_turns`` counts those messages; the cards found
reach the reward as the ``retrieved`` column (``CODEPAINT_REWARD=gate:0.2,checks:0.7,search_recall:0.1``),
and ``reward_extra_info`` gains ``tool_calls`` and ``recall``. (verl's own ``tools`` argument stays unused:
the loop's tools are the episode's.)

**Rewards.** ``reward_score`` is the reward of the last program (``reward_aggregation="last"``,
default: the program the policy ends with is its answer), the best judged one (``"best"``) or the
mean of the judged ones (``"mean"``).
A program that failed to render is not unjudged: it gets the reward's minimum, a real score.
A turn that could not be judged (the judge or a ``codepaint serve`` server down, the render
infrastructure failed: the reward is ``None``) is never scored 0 silently: when the trajectory's
reward is unjudged it gets ``CODEPAINT_UNJUDGED_REWARD`` (default 0.0; verl needs a float) and is
marked: ``extra_fields["reward_extra_info"]`` (verl's ``reward_extra_info``: the keys of
:func:`codepaint_env.integrations.verl.verl_answer`, ``score``, ``value`` (``None``), ``judged``
(0.0), ``rendered``, ``error_kind``, the training monitors of :mod:`rewards.monitors` as
``codepaint/...``, plus ``turns`` and ``unjudged_turns``), and each turn in
``extra_fields["codepaint_turns"]`` (the turn's record,
:class:`~codepaint_env.episode.Turn`: ``judged``, ``reason``...) and
``extra_fields["turn_scores"]`` (``None``). Watch the ``judged`` mean.
``CODEPAINT_UNJUDGED_REWARD=group_mean`` needs the whole group and is refused here (one loop sees
one trajectory).

**Three kinds of failure** (docs/RELIABILITY.md): a broken program is the reward's minimum; a
broken infrastructure is an unjudged turn, marked as above; a broken installation raises
:class:`~codepaint_env.core.errors.DependencyNotInstalled` with the fix when this module is
imported without verl's agent-loop dependencies (verl 0.9.1 imports ``cachetools``, ``fastapi``
and ``uvicorn`` there, which only its ``verl-core``/``vllm`` extras install).

Nothing of codepaint imports this module; ``scripts/install-trainer-venvs.sh`` makes
``.venvs/verl``, where ``tests/integrations/test_verl_agent.py`` runs it under verl's own
``AgentLoopWorker``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

from PIL import Image

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.episode import (
    Episode,
    EpisodeResources,
    EpisodeSettings,
    Reply,
    parse_reply,
    task_from_row,
)
from codepaint_env.episode.messages import OLDER_PICTURE, SUBMIT_TOOL
from codepaint_env.episode.tools import schemas
from codepaint_env.integrations.verl import verl_answer

try:
    from verl.experimental.agent_loop.agent_loop import (  # pyright: ignore[reportMissingImports]
        AgentLoopBase,
        AgentLoopOutput,
    )
    from verl.experimental.agent_loop.tool_parser import ToolParser  # pyright: ignore[reportMissingImports]
    from verl.tools.schemas import (  # pyright: ignore[reportMissingImports]
        OpenAIFunctionCallSchema,
        OpenAIFunctionParsedSchema,
        OpenAIFunctionToolSchema,
    )
    from verl.utils.profiler import simple_timer  # pyright: ignore[reportMissingImports]
    from verl.utils.rollout_trace import rollout_trace_op  # pyright: ignore[reportMissingImports]
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(
        f"the codepaint agent loop needs verl 0.9's agent loop ({e}): pip install verl==0.9.1 cachetools "
        "fastapi uvicorn beside codepaint (verl pins transformers<5.11; scripts/install-trainer-venvs.sh "
        "makes .venvs/verl)") from e

__all__ = ["AGENT_LOOP_CONFIG", "AGENT_NAME", "OLDER_PICTURE", "SUBMIT_TOOL", "CodePaintAgentLoop"]

#: The agent-loop YAML shipped beside this module (``agent_loop_config_path``).
AGENT_LOOP_CONFIG = Path(__file__).with_suffix(".yaml")
#: The name it registers the loop under (``default_agent_loop`` or a row's ``agent_name``).
AGENT_NAME = "codepaint_agent"
_PLACEMENTS = ("user", "tool")


@dataclass
class _Picture:
    """The pictures of one answer in the context: where its messages' tokens are, their text-only stand-in.

    An answer is a turn's feedback (one message, one picture) or a search step's (its messages,
    the references' pictures).
    """

    images: list[Image.Image]
    start: int  # the messages' tokens are ids[start:end]
    end: int
    message_indices: list[int]
    text_messages: list[dict[str, Any]] = field(default_factory=list)  # OLDER_PICTURE for the pictures
    text_ids: list[int] = field(default_factory=list)
    text_mask: list[int] = field(default_factory=list)
    text_logprobs: list[float] | None = None
    shown: bool = True


@dataclass
class _Context:
    """The trajectory's token stream (prompt, then the response), its masks and its pictures."""

    ids: list[int]
    mask: list[int] = field(default_factory=list)  # over the response: 1 policy, 0 environment
    logprobs: list[float] = field(default_factory=list)
    prompt_images: list[Any] = field(default_factory=list)
    pictures: list[_Picture] = field(default_factory=list)

    def images(self) -> list[Any]:
        """Every picture in the context, in the order of its placeholders."""
        return self.prompt_images + [image for p in self.pictures if p.shown for image in p.images]

    def hide(self, picture: _Picture, messages: list[dict[str, Any]]) -> None:
        """Swap ``picture``'s message for its text-only stand-in, in the tokens and in ``messages``."""
        n = len(self.ids)
        start, end = picture.start, picture.end
        new = picture.text_ids
        self.ids[start:end] = new
        first = n - len(self.mask)  # where the response starts
        self.mask[start - first:end - first] = picture.text_mask
        if self.logprobs and picture.text_logprobs is not None:
            self.logprobs[start - first:end - first] = picture.text_logprobs
        delta = len(new) - (end - start)
        picture.end = start + len(new)
        picture.shown = False
        for index, text_message in zip(picture.message_indices, picture.text_messages, strict=True):
            messages[index] = text_message
        for later in self.pictures:
            if later.start > start:
                later.start += delta
                later.end += delta


class CodePaintAgentLoop(AgentLoopBase):  # pyright: ignore[reportUntypedBaseClass]
    """Write, look, edit: a codepaint episode as one verl trajectory (see the module docstring).

    verl's ``AgentLoopWorker`` builds one per trajectory with ``hydra.utils.instantiate`` from the
    agent-loop YAML entry: verl's own arguments (its config, the server client, tokenizer,
    processor, dataset class...) go to ``AgentLoopBase``; the entry's keys are these.

    Args:
        max_turns: Programs per trajectory (1: single-turn).
        images: Send each picture back (``None``: when the model has a multimodal processor).
        image_placement: ``"user"`` (a user message) or ``"tool"`` (the ``submit_code`` tool's result).
        keep_last_images: Pictures of the last this many turns stay in the context (``None``: all).
        image_size: Downscale each picture so its longer side is at most this many pixels.
        reward: A reward spec over ``CODEPAINT_REWARD`` (``None``: the environment's).
        reward_aggregation: ``"last"`` (the last program's reward), ``"best"`` (the best judged) or
            ``"mean"`` (the mean of the judged ones).
        search_tools: Search tools offered (``["search"]``...; ``None``: ``CODEPAINT_TOOLS``, else none).
        max_tool_calls: Their budget per trajectory (``None``: ``CODEPAINT_MAX_TOOL_CALLS``, else 3).
        feedback: ``"short"`` or ``"full"`` feedback text (see ``CodePaintEnv``).
        success_threshold: End the trajectory when a program's reward reaches it (``None``: never).
        *args, **kwargs: verl's (``AgentLoopBase``): ``trainer_config``, ``server_manager``,
            ``tokenizer``, ``processor``, ``dataset_cls``, ``data_config``, ``hf_model_type``,
            ``tools`` (verl's configured tools: not offered; this loop has its one tool).

    Raises:
        ValueError: A setting out of range, pictures asked of a model without a multimodal
            processor, or ``CODEPAINT_UNJUDGED_REWARD=group_mean``.
    """

    def __init__(self, *args: Any, max_turns: int = 3, images: bool | None = None,
                 image_placement: str = "user", keep_last_images: int | None = None,
                 image_size: int | None = None, reward: str | None = None,
                 reward_aggregation: str = "last", feedback: str = "short",
                 success_threshold: float | None = None, search_tools: Any = None,
                 max_tool_calls: int | None = None, **kwargs: Any) -> None:
        kwargs.pop("tools", None)
        super().__init__(*args, **kwargs)
        if keep_last_images is not None and int(keep_last_images) < 1:
            raise ValueError(f"keep_last_images must be at least 1 or None (all), not {keep_last_images!r}")
        multimodal = (getattr(self.processor, "image_processor", None) is not None
                      and self.continuous_token_builder.supports_multimodal())
        if images and not multimodal:
            raise ValueError("images=True needs a vision-language model with its multimodal processor "
                             "(actor_rollout_ref.model.path of a VL model); set images: false for a "
                             "text model")
        settings = EpisodeSettings.from_config(
            reward=reward, max_turns=int(max_turns), images=multimodal if images is None else bool(images),
            image_placement=image_placement, image_size=None if image_size is None else int(image_size),
            reward_aggregation=reward_aggregation, feedback=feedback, success_threshold=success_threshold,
            picture_form="image", tools=None if search_tools is None else _names(search_tools),
            max_tool_calls=None if max_tool_calls is None else int(max_tool_calls))
        if settings.config.unjudged_group_mean:
            raise ValueError("CODEPAINT_UNJUDGED_REWARD=group_mean needs the whole group, and an agent loop "
                             "scores one trajectory: give a number (an unjudged trajectory is marked "
                             "judged=0.0 in reward_extra_info)")
        #: The episodes' settings and resources (the reward: built once per configuration and process).
        self.resources = EpisodeResources(settings)
        self.keep_last_images = None if keep_last_images is None else int(keep_last_images)
        self.response_length = int(self.rollout_config.response_length)
        self.tool_schema = OpenAIFunctionToolSchema.model_validate(SUBMIT_TOOL)
        offered = ([SUBMIT_TOOL] if settings.image_placement == "tool" else []) + schemas(settings.tools)
        #: Every tool offered (verl's schema objects), and their names.
        self.tool_schemas = [OpenAIFunctionToolSchema.model_validate(t) for t in offered]
        self.tool_names = {t["function"]["name"] for t in offered}
        self.tool_parser = (ToolParser.get_tool_parser(self.rollout_config.multi_turn.format, self.tokenizer)
                            if offered else None)

    @property
    def settings(self) -> EpisodeSettings:
        """How the trajectories' episodes run."""
        return self.resources.settings

    # ------------------------------------------------------------------ the trajectory
    @rollout_trace_op
    async def run(self, sampling_params: dict[str, Any], priority: int = 0, **kwargs: Any) -> Any:
        """One trajectory (verl's ``AgentLoopBase.run``).

        Args:
            sampling_params: verl's sampling parameters for each generation.
            priority: The request priority (verl's).
            **kwargs: The dataset row: ``raw_prompt`` (the chat), ``extra_info`` (the task's
                columns, as :mod:`codepaint_env.tasks.parquet` writes them).

        Returns:
            An ``AgentLoopOutput`` with ``reward_score`` set (see the module docstring).
        """
        priority = int(priority)
        info = dict(kwargs.get("extra_info") or {})
        task, seed = task_from_row(
            info, self.settings.config, where="a codepaint verl row (extra_info)",
            prompt=info.get("prompt") or list(kwargs.get("raw_prompt") or []), default_id="verl-task",
            hint=" (write the rows with codepaint export parquet)")
        episode = self.resources.episode(task, render_seed=seed)
        messages = episode.opening(kwargs["raw_prompt"])
        tools = ([t.model_dump(exclude_unset=True, exclude_none=True) for t in self.tool_schemas]
                 if episode.tools else None)

        multi_modal = await self.process_multi_modal_info(messages)
        videos, audios = multi_modal.get("videos"), multi_modal.get("audios")
        mm_processor_kwargs = self._get_mm_processor_kwargs(audios)
        self._assert_mm_supported(bool(multi_modal))
        ctx = _Context(ids=[], prompt_images=list(multi_modal.get("images") or []))
        ctx.ids = await self.ct_build_initial_tokens(messages, tools=tools, images=ctx.prompt_images or None,
                                                     videos=videos, audios=audios, mm_inputs_out={})
        mm_processor_output = None  # codepaint prompts carry no video (SGLang's payload is for videos)

        full_determinism = getattr(self.rollout_config, "full_determinism", False)
        request_id = f"det-{priority}" if full_determinism else uuid4().hex
        metrics: dict[str, Any] = {}
        extra_fields: dict[str, Any] = {}
        env_messages = 0
        while True:  # the episode ends the loop (its turn budget, its success threshold)
            params = dict(sampling_params)
            params["max_tokens"] = max(1, self.response_length - len(ctx.mask))
            images = ctx.images()
            with simple_timer("generate_sequences", metrics):
                out = await self.server_manager.generate(
                    request_id=request_id, prompt_ids=ctx.ids, sampling_params=params,
                    image_data=images or None, video_data=videos, audio_data=audios,
                    mm_processor_output=mm_processor_output, mm_processor_kwargs=mm_processor_kwargs,
                    priority=priority)
            if "num_preempted" not in metrics:  # -1: the server does not say (verl's convention)
                metrics["num_preempted"] = out.num_preempted if out.num_preempted is not None else -1
            elif out.num_preempted is not None:
                metrics["num_preempted"] = max(metrics["num_preempted"], 0) + out.num_preempted
            if not extra_fields:
                extra_fields.update(out.extra_fields or {})
            elif out.extra_fields.get("max_global_steps") is not None:
                extra_fields["max_global_steps"] = out.extra_fields["max_global_steps"]
            logprobs = ctx.logprobs if (ctx.logprobs or out.log_probs) else None
            merged, ctx.mask, new_logprobs = await self.ct_merge_assistant_token(
                ctx.ids, out.token_ids, ctx.mask, logprobs, assistant_logprobs=out.log_probs or None)
            ctx.ids = merged.token_ids
            ctx.logprobs = new_logprobs or []

            reply, assistant = await self._reply(out.token_ids)
            with simple_timer("compute_score", metrics):
                step = await episode.arespond(reply)
            if step.message is None or len(ctx.mask) >= self.response_length:
                break

            # the episode's answer: the feedback with its picture (if any) as the next message, or a search
            # step's answers (a tool message per call, the references' pictures in them)
            messages.append(assistant)
            new = list(step.messages)
            pictures = _images_in(new)
            if pictures:
                self._assert_mm_supported(True)
            previous = list(messages)
            merged, mask, logprobs = await self.ct_merge_context_msg(
                previous, [*previous, *new], ctx.ids, ctx.mask, ctx.logprobs or None, tools=tools)
            if len(mask) >= self.response_length:  # the answer does not fit: the trajectory ends here
                break
            start = len(ctx.ids) - merged.removed_prefix_token_count
            shown = None
            if pictures:
                shown = _Picture(pictures, start, len(merged.token_ids),
                                 list(range(len(messages), len(messages) + len(new))))
                if self.keep_last_images is not None:
                    await self._text_stand_in(shown, previous, new, ctx, tools)
            ctx.ids, ctx.mask = merged.token_ids, mask
            if ctx.logprobs:
                ctx.logprobs = logprobs or []
            messages.extend(new)
            env_messages += len(new)
            if shown is not None:
                ctx.pictures.append(shown)
                if self.keep_last_images is not None:
                    for older in [p for p in ctx.pictures if p.shown][:-self.keep_last_images]:
                        ctx.hide(older, messages)

        return self._output(ctx, episode, metrics, extra_fields, env_messages, mm_processor_kwargs,
                            multi_modal)

    # ------------------------------------------------------------------ the pieces
    async def _reply(self, token_ids: Sequence[int]) -> tuple[Reply, dict[str, Any]]:
        """The reply (its tool calls, if any: the episode parses them) and it as a chat message."""
        text = await asyncio.to_thread(self.tokenizer.decode, list(token_ids), skip_special_tokens=True)
        if self.tool_parser is None:
            return parse_reply(text), {"role": "assistant", "content": text}
        content, calls = await self.tool_parser.extract_tool_calls(list(token_ids), self.tool_schemas)
        ours = [c for c in calls if c.name in self.tool_names]
        submit = SUBMIT_TOOL["function"]["name"]
        reply = parse_reply(text, [c for c in ours if c.name == submit][:1] or ours)
        if not reply.calls:
            return reply, {"role": "assistant", "content": text}
        tool_calls = []
        for call in [c for c in ours if c.name == submit][:1] or ours:
            function, _ = OpenAIFunctionCallSchema.from_openai_function_parsed_schema(
                OpenAIFunctionParsedSchema(name=call.name, arguments=call.arguments))
            tool_call: dict[str, Any] = {"type": "function", "function": function.model_dump()}
            if reply.tool and call.name == submit and reply.call_id is not None:
                tool_call["id"] = reply.call_id
            tool_calls.append(tool_call)
        return reply, {"role": "assistant", "content": content or "", "tool_calls": tool_calls}

    async def _text_stand_in(self, shown: _Picture, previous: list[dict[str, Any]], new: list[dict[str, Any]],
                             ctx: _Context, tools: list[dict[str, Any]] | None) -> None:
        """Tokenize ``new`` with :data:`OLDER_PICTURE` for their pictures, at the same place."""
        text_messages = [_text_only(m) for m in new]
        merged, mask, logprobs = await self.ct_merge_context_msg(
            previous, [*previous, *text_messages], ctx.ids, ctx.mask, ctx.logprobs or None, tools=tools)
        first = len(merged.token_ids) - len(mask)
        shown.text_messages = text_messages
        shown.text_ids = merged.token_ids[shown.start:]
        shown.text_mask = mask[shown.start - first:]
        shown.text_logprobs = None if logprobs is None else logprobs[shown.start - first:]

    def _output(self, ctx: _Context, episode: Episode, metrics: dict[str, Any],
                extra_fields: dict[str, Any], env_messages: int, mm_processor_kwargs: dict[str, Any],
                multi_modal: Mapping[str, Any]) -> Any:
        """The ``AgentLoopOutput``: the sequence, its pictures, the reward and what marks it."""
        n = len(ctx.mask)
        response_ids = ctx.ids[len(ctx.ids) - n:] if n else []
        prompt_ids = ctx.ids[:len(ctx.ids) - n]
        multi_modal_data = {k: v for k, v in multi_modal.items() if k != "images"}
        images = ctx.images()
        if images:
            multi_modal_data["images"] = images

        turns = episode.turns
        outcome = episode.outcome()
        scored = episode.scored()
        search = {}
        if episode.search_log is not None:
            needed = set(episode.task.facts)
            search = {"tool_calls": float(episode.tool_calls),
                      "recall": len(needed & set(episode.retrieved)) / len(needed) if needed else None}
        extra_fields.update({
            "reward_extra_info": {**verl_answer(scored), "turns": float(outcome.turns),
                                  "unjudged_turns": float(outcome.unjudged_turns), **search},
            "turn_scores": [t.value for t in turns],
            "tool_rewards": [],
            "codepaint_turns": [t.to_dict() for t in turns],
        })
        return AgentLoopOutput(
            prompt_ids=prompt_ids,
            response_ids=response_ids[:self.response_length],
            response_mask=ctx.mask[:self.response_length],
            response_logprobs=ctx.logprobs[:self.response_length] if ctx.logprobs else None,
            multi_modal_data=multi_modal_data,
            mm_processor_kwargs=mm_processor_kwargs,
            reward_score=scored.reward,
            num_turns=1 + len(turns) + env_messages,
            metrics=metrics,
            extra_fields=extra_fields,
        )


def _names(tools: Any) -> tuple[str, ...]:
    """Tool names from the YAML: a list (an OmegaConf ``ListConfig`` too) or a comma-separated string."""
    if isinstance(tools, str):
        return tuple(t.strip() for t in tools.split(",") if t.strip())
    return tuple(str(t) for t in tools)


def _images_in(messages: Sequence[dict[str, Any]]) -> list[Image.Image]:
    """The PIL pictures in messages' content parts (``{"type": "image", "image": ...}``), in order."""
    return [p["image"] for m in messages if isinstance(m.get("content"), list) for p in m["content"]
            if isinstance(p, dict) and p.get("type") == "image"]


def _text_only(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` with its pictures left out (:data:`OLDER_PICTURE` before its text)."""
    content = message.get("content")
    if not isinstance(content, list) or not any(p.get("type") == "image" for p in content):
        return message
    text = "\n".join(p["text"] for p in content if p.get("type") == "text")
    return {**message, "content": [{"type": "text", "text": f"{OLDER_PICTURE}\n{text}"}]}


if __name__ == "__main__":  # the YAML's path, for agent_loop_config_path=$(python -m ...)
    sys.stdout.write(f"{AGENT_LOOP_CONFIG}\n")
