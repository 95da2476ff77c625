"""A supervised start on the environment's own reference programs (issue 73 item 3, arm B).

The ``shapes`` generator writes one reference program for every scene (``task.reference_programs``). Arm
B fine-tunes the base on those of **train** scenes before its learner starts: a LoRA adapter
(:mod:`.lora`, the same :func:`~.lora.sft_pass` expert iteration fits its kept programs with) trained on
``(prompt, fenced reference program + end of turn)`` pairs, the prompt the chat every rollout and every
evaluation asks in (:func:`~codepaint_env.policy.evaluate.messages_for`, the ``allowlist`` system
prompt), until its CPU budget (``cpu_budget_s``: the plan's ``sft_budget_s``, process CPU seconds as
the learners count them, from loading the model to saving it) is spent or ``epochs`` passes are done.

The data (:func:`sft_tasks`): ``scenes`` train scenes a level, drawn under their own seed
(:data:`SFT_SEED` + the run's seed), the learner's validation scenes left out; a program longer than
the learner's ``max_tokens`` is left out too (the model could never finish it). The ``shapes`` levels
choose their eval scenes by a hash and never make them for train, so no eval scene is among them;
``data.json`` records every task id trained on, and the tests hold them against the eval scenes.

**With the search tool** (``suite = "knowledge"``, ``tools = "search"``: the search learner's
supervised start, issue 73 item 5): the train facts of the knowledge suite (the learner's validation
facts left out), each taught as the whole conversation a rollout with the tool is
(:func:`~.searching.written_conversation`): one search for the fact's subject, the card the train
index answers with (masked out of the loss), then the fact's reference program. A fact whose card is not
among the search's top :data:`~.searching.RECALL_AT` stops the start (its program would not follow
from what the model read: the index or the written query is broken; every train fact's is found,
``tests/policy/test_learning_search.py``). The knowledge suite holds its eval facts apart by a
hash of the fact (never a train row), and the train index holds no eval card. ``practice`` (the plan's
``sft_practice``) adds that many made-up flags (:mod:`codepaint_env.tasks.knowledge.practice`), each
taught the same way, searched in the ``practice`` index (the train cards and theirs): a card the model
cannot have memorised, so the drawing follows only from reading it.

The run folder (``<run>/<arm>-sft-s<seed>``) holds ``config.json``, ``data.json``, ``adapter/``,
``final/`` (the base with the adapter merged: what the arm's learner starts from, and what is evaluated
as the supervised start alone) and ``report.json`` (written last: its presence is "done"). A finished
start is skipped; one stopped part way starts again (it is at most its budget).
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.settings import LearnerSettings, check_resume
from codepaint_env.tasks.knowledge.practice import PRACTICE_CARDS

#: The seed the supervised start's scenes are drawn under (plus the run's seed): its own, not the
#: rounds', GRPO's (5000) or validation's.
SFT_SEED = 9000
#: The chat's system prompt style (``codepaint eval``'s and the learners' default).
PROMPT_STYLE = "allowlist"

Log = Callable[[str], None]


@dataclass
class SFTConfig(LearnerSettings):
    """A supervised start (see the module docstring; the shared fields: :class:`LearnerSettings`).

    ``cpu_budget_s`` is the start's own budget (inside its arm's); ``validation``: the learner's
    validation scenes a level, left out of the data; ``practice``: made-up flags taught beside the
    knowledge suite's train facts (see the module docstring; 0: none).
    """

    cpu_budget_s: float = 1800.0
    scenes: int = 400
    epochs: int = 3
    batch: int = 8
    micro: int = 2
    validation: int = 0
    suite: str = "shapes"
    tools: str = ""
    tool_form: str = "auto"
    max_tool_calls: int = 2
    practice: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.practice and not (self.suite == "knowledge" and self.tools == "search"):
            raise ValueError("practice flags are taught with the search tool, on the knowledge suite")
        if not 0 <= self.practice <= PRACTICE_CARDS:
            raise ValueError(f"practice must be 0 to {PRACTICE_CARDS} (the practice index's), "
                             f"not {self.practice}")
        if (self.suite, self.tools) not in (("shapes", ""), ("knowledge", "search")):
            raise ValueError("a supervised start teaches the shapes generator's scenes (no tools) or the "
                             f"knowledge suite's facts with tools='search', not suite={self.suite!r} "
                             f"with tools={self.tools!r}")
        if min(self.scenes, self.epochs, self.batch, self.micro) < 1:
            raise ValueError("scenes, epochs, batch and micro must be at least 1")


def checked_settings(raw: Mapping[str, Any], start: str,
                     keys: Mapping[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A plan arm's ``sft_*`` settings, checked: ``(the good ones, [(key, problem)...])``.

    Args:
        raw: The arm's ``sft_*`` settings as the plan gives them.
        start: The arm's ``start`` (they need ``sft``).
        keys: Each plan key's :class:`SFTConfig` field (the plan's ``SFT_KEYS``).
    """
    if raw and start != "sft":
        return {}, [(next(iter(raw)), "a supervised start's setting: the arm needs start = \"sft\"")]
    defaults, out, problems = SFTConfig(), {}, []
    for key, value in raw.items():
        default = getattr(defaults, keys[key])
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if isinstance(default, float) and number:
            out[key] = float(value)
        elif isinstance(default, int) and number and isinstance(value, int):
            out[key] = value
        else:
            problems.append((key, f"expected {'a number' if isinstance(default, float) else 'an integer'} "
                                  f"(like its default {default!r}), not {value!r}"))
    return out, problems


def sft_config(learner: Mapping[str, Any], own: Mapping[str, Any]) -> SFTConfig:
    """The start's configuration: the learner's shared fields (model, LoRA, levels...) and its own."""
    shared = {f.name for f in fields(LearnerSettings)} | {"validation", "suite", "tools", "tool_form",
                                                          "max_tool_calls"}
    base = {k: v for k, v in learner.items()  # a draft's placeholders (TBD) left to the defaults
            if k in shared and k != "cpu_budget_s" and not (isinstance(v, str) and v.startswith("TBD"))}
    return SFTConfig(**{**base, **own})


def sft_tasks(config: SFTConfig) -> list[Any]:
    """The train scenes the start is fitted on: ``scenes`` a level, the validation scenes left out."""
    from codepaint_env.policy.learning.validation import validation_tasks
    from codepaint_env.tasks import load_suite

    held = (validation_tasks(config.levels, config.validation, config.language, suite=config.suite)
            if config.validation else [])
    ids, prompts = {t.id for t in held}, {t.prompt for t in held}
    if config.suite == "knowledge":  # every train fact (they have no levels), sorted by id
        facts = load_suite("knowledge", split="train", language=config.language)
        taught = sorted((t for t in facts if t.id not in ids), key=lambda t: t.id)[:config.scenes]
        return taught + practice_tasks(config.practice, config.language)
    return [t for level in config.levels
            for t in load_suite("shapes", level=level, count=config.scenes, seed=SFT_SEED + config.seed,
                                split="train", language=config.language)
            if t.id not in ids and t.prompt not in prompts]


def practice_tasks(n: int, language: str) -> list[Any]:
    """The first ``n`` practice flags' tasks in ``language`` (train tasks, searched in ``practice``)."""
    import dataclasses

    from codepaint_env.tasks.knowledge.practice import practice_facts
    from codepaint_env.tasks.knowledge.suite import fact_tasks

    return [dataclasses.replace(t, split="train")
            for f in practice_facts(PRACTICE_CARDS)[:n] for t in fact_tasks(f, (language,))]


def end_of_turn(tokenizer: Any) -> int:
    """The token a reply ends with: ``<|im_end|>`` where the tokenizer has it, else its EOS."""
    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    if isinstance(im_end, int) and im_end != tokenizer.unk_token_id:
        return im_end
    if tokenizer.eos_token_id is None:
        raise ValueError("the tokenizer names no end-of-turn token")
    return int(tokenizer.eos_token_id)


def reply_of(task: Any) -> str:
    """The reply the start teaches for a task: its reference program in the fence its prompt asks for."""
    from codepaint_env.core.languages import language

    program = task.reference_programs[task.language]
    return f"```{language(task.language).fence}\n{program.strip()}\n```"


def sft_examples(tokenizer: Any, tasks: Sequence[Any], max_tokens: int,
                 sampling: Any = None) -> tuple[list[Any], list[str]]:
    """``(examples, skipped task ids)``: each task's prompt ids and reply ids.

    A reply over ``max_tokens`` tokens (its end of turn included) is skipped: the model could not finish it.
    With ``sampling`` (a :class:`~.searching.ToolSampling`): each example is ``(prompt ids, the
    conversation's ids, its mask)`` (:func:`search_examples`).
    """
    from codepaint_env.policy.evaluate import messages_for

    if sampling is not None:
        return search_examples(tokenizer, tasks, max_tokens, sampling)
    end = end_of_turn(tokenizer)
    examples, skipped = [], []
    for task in tasks:
        text = tokenizer.apply_chat_template(messages_for(task, PROMPT_STYLE), tokenize=False,
                                             add_generation_prompt=True)
        prompt = list(tokenizer(text, add_special_tokens=False)["input_ids"])
        reply = [*tokenizer(reply_of(task), add_special_tokens=False)["input_ids"], end]
        if len(reply) > max_tokens:
            skipped.append(task.id)
            continue
        examples.append((prompt, reply))
    return examples, skipped


def search_examples(tokenizer: Any, tasks: Sequence[Any], max_tokens: int,
                    sampling: Any) -> tuple[list[Any], list[str]]:
    """The conversations with the tool taught (see the module docstring): ``(examples, skipped ids)``.

    Skipped: a program over ``max_tokens`` tokens.

    Raises:
        ValueError: The written search does not find a fact's card in its top
            :data:`~.searching.RECALL_AT` (the program would not follow from what the model read).
    """
    from codepaint_env.policy.learning.searching import RECALL_AT, tool_resources, written_conversation

    end, resources = end_of_turn(tokenizer), tool_resources(sampling)
    examples, skipped = [], []
    for task in tasks:
        drawing = reply_of(task)
        if len(tokenizer(drawing, add_special_tokens=False)["input_ids"]) + 1 > max_tokens:
            skipped.append(task.id)
            continue
        chat = written_conversation(tokenizer, task, sampling, drawing, prompt_style=PROMPT_STYLE, end=end,
                                    resources=resources)
        found = chat.searches()[0]["ids"][:RECALL_AT] if chat.searches() else []
        if not set(task.facts) <= set(found):
            raise ValueError(f"{task.id}: the written search {chat.replies[0]!r} does not find its card "
                             f"({', '.join(task.facts)}) in its top {RECALL_AT}: {found}")
        examples.append((chat.prompt_ids, chat.completion_ids, chat.mask))
    return examples, skipped


def tool_sampling(config: SFTConfig) -> Any:
    """How the start's conversations use the tool (``None``: no tool, the prompt and its program)."""
    if not config.tools:
        return None
    from codepaint_env.policy.learning.searching import ToolSampling

    return ToolSampling(tools=(config.tools,), max_tool_calls=config.max_tool_calls, form=config.tool_form,
                        search_index="practice" if config.practice else "train", forced_call=True)


def done(folder: Path) -> bool:
    """Whether a supervised start finished in ``folder`` (its report and merged model are there)."""
    return (folder / "report.json").exists() and (folder / "final" / "config.json").exists()


def spent(folder: Path, planned: float) -> float:
    """The CPU seconds a start took (``planned``: its budget, while it is not done)."""
    if not done(folder):
        return planned
    return float(json.loads((folder / "report.json").read_text())["cpu_s"])


def run_sft(config: SFTConfig, out: str | Path, *, log: Log = print) -> Path:
    """Fit (or skip, when done) the supervised start into ``out``; returns its merged model's folder."""
    from codepaint_env.policy import load_policy
    from codepaint_env.policy.learning.lora import (
        bf16_autocast,
        fresh_adapter,
        model_device,
        save_merged,
        sft_pass,
    )
    from codepaint_env.policy.loading import import_torch

    out = Path(out)
    final = out / "final"
    if done(out):
        return final
    out.mkdir(parents=True, exist_ok=True)
    check_resume(out, config)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    policy = load_policy(config.model, device=config.device, threads=config.threads)
    tokenizer = policy.tokenizer
    tasks = sft_tasks(config)
    examples, skipped = sft_examples(tokenizer, tasks, config.max_tokens, tool_sampling(config))
    kept = [t for t in tasks if t.id not in set(skipped)]
    (out / "data.json").write_text(json.dumps({
        "split": "train", "seed": SFT_SEED + config.seed, "levels": list(config.levels),
        "task_ids": [t.id for t in kept], "skipped_longer_than_max_tokens": skipped,
        "splits": sorted({t.split for t in tasks})}, indent=1) + "\n")
    torch, _ = import_torch()
    model = fresh_adapter(policy.model, config.lora, seed=config.seed)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.lr,
                                  weight_decay=0.0)
    where = model_device(model).type
    precision = bf16_autocast(where) if config.bf16 else contextlib.nullcontext()
    losses: list[float] = []
    tokens = steps = seen = 0
    stopped = "epochs"
    rng = random.Random(config.seed)
    with torch.random.fork_rng(), precision:
        torch.manual_seed(config.seed)
        for epoch in range(config.epochs):
            order = list(range(len(examples)))
            rng.shuffle(order)
            for start in range(0, len(order), config.batch):
                if time.process_time() - cpu0 >= config.cpu_budget_s:
                    stopped = "budget"
                    break
                chunk = [examples[i] for i in order[start:start + config.batch]]
                step = sft_pass(model, chunk, lr=config.lr, batch=config.batch, micro=config.micro,
                                pad_id=tokenizer.pad_token_id or 0, seed=config.seed * 1000 + epoch,
                                optimizer=optimizer)
                losses.append(step.mean_loss)
                tokens, steps, seen = tokens + step.tokens, steps + step.steps, seen + step.sequences
            if stopped == "budget":
                break
    model.save_pretrained(str(out / "adapter"))
    save_merged(model, tokenizer, final)
    report = {"examples": len(examples), "sequences_seen": seen, "passes": round(seen / len(examples), 3)
              if examples else 0.0, "optimizer_steps": steps, "train_tokens": tokens, "stopped_by": stopped,
              "loss": {"first": losses[0] if losses else None, "last": losses[-1] if losses else None,
                       "curve": [round(v, 4) for v in losses[:: max(1, len(losses) // 50)]]},
              "wall_s": round(time.perf_counter() - wall0, 1), "cpu_s": round(time.process_time() - cpu0, 1),
              "cpu_budget_s": config.cpu_budget_s}
    (out / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    log(f"sft: {len(examples)} reference programs of {len(tasks)} train scenes ({len(skipped)} longer than "
        f"{config.max_tokens} tokens left out), {seen} sequences in {steps} steps ({stopped}), loss "
        f"{report['loss']['first']} -> {report['loss']['last']}; {report['cpu_s']} CPU s")
    return final
