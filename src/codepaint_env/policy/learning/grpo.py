"""LoRA GRPO on a CPU: TRL's ``GRPOTrainer`` with its rollouts from the CTranslate2 engine.

TRL's ``GRPOTrainer(rollout_func=...)`` hands generation to a function: :func:`engine_rollouts`
converts the policy being trained (its LoRA adapter merged into a copy, int8, once per content:
:func:`~codepaint_env.policy.engines.engine_from_model`) and samples the step's completions with
CTranslate2, returning their prompt and completion token ids and log-probabilities
(:func:`~codepaint_env.policy.engines.trl_rollout`). The rollouts are on-policy: a conversion each
step (the weights changed), timed as ``codepaint/time/convert`` beside ``codepaint/time/generate``
and the reward parts' ``codepaint/time/render`` and ``codepaint/time/score``.

The rest is TRL's: LoRA on every linear layer (``peft_config``), ``beta=0`` (no reference model), a
learning rate around 1e-4, the reward split into the gate and one part per check kind with
``multi_objective_aggregation="normalize_then_sum"`` (:func:`rewards.reward_funcs`), levels drawn
uniformly or through the :class:`~codepaint_env.tasks.Curriculum`; a weight-0 function logs the share
of each step's groups with variance in a check kind (``codepaint/useful_groups``,
:class:`~.explore.UsefulGroups`). Checkpoints (the adapter and
the optimiser) are saved every ``save_every`` steps and a run resumes from the last one; a callback
ends the run once its CPU budget is spent. ``final/`` is the merged model (the last step).

Issue 73's changes, each off by default (learning runs 3 and 4 ran without them; the weight-0
:class:`Ranking` logs its measures whatever the settings):

* ``gate_failure="zero"``: a gate failure counts 0 on each check part its group judged
  (:class:`FailuresCountZero`), not ``None``; :class:`Ranking` logs how the step's gate-passers rank
  against their groups' failures under either rule (``codepaint/passers_below_failure_*``);
* ``validation``: the policy is validated on held-out train scenes before the first step, every
  ``validate_every`` steps and when it stops (:class:`StepValidator`); ``chosen/`` is the step the
  rule written in ``plan.md`` picks (:class:`~.validation.ValidatedSteps`), as rft picks its round;
* ``scenes_per_step``: distinct prompts a step (``num_generations`` completions each), in place of
  ``batch``; ``codepaint/distinct_prompts`` logs them.

With ``tools="search"`` (issue 56) the scenes are the knowledge suite's train facts and each completion
is a conversation with the search tool (:func:`tool_rollouts`, :mod:`.searching`): the tools' answers
are masked out of the loss (TRL's ``env_mask``), the reward's parts score the last reply
(:class:`OnProgram`), and ``search_recall`` (:class:`SearchPart`) pays the first search's recall@3
where the gate passed; ``call_bonus`` (cold start (b)) pays it whatever the drawing, and
``init_adapter`` (cold start (a)) starts from a warm start's adapter.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.explore import UsefulGroups
from codepaint_env.policy.learning.lora import bf16_in_force, load_adapter, save_merged
from codepaint_env.policy.learning.memory import release_memory
from codepaint_env.policy.learning.settings import LearnerSettings, check_resume


@dataclass
class GRPOSettings(LearnerSettings):
    """A LoRA GRPO run (see the module docstring; the shared fields: :class:`LearnerSettings`)."""

    scenes_per_level: int = 400
    num_generations: int = 4
    batch: int = 16
    micro: int = 2
    steps: int = 500
    beta: float = 0.0
    save_every: int = 2
    suite: str = "shapes"  # or "knowledge": the train facts
    tools: str = ""  # "search": each completion is a conversation with the search tool (issue 56)
    max_tool_calls: int = 2
    tool_form: str = "auto"
    recall_weight: float = 0.1  # search_recall's weight (the first search's recall@3, where the gate passed)
    call_bonus: float = 0.0  # cold start (b): the first search's recall@3 paid whatever the drawing
    init_adapter: str = ""  # cold start (a): a LoRA adapter merged into the policy first (a warm start's)
    scenes_per_step: int = 0  # distinct prompts a step (0: batch // num_generations, runs 3 and 4)
    validation: int = 0  # held-out train scenes a level validated every validate_every steps (0: none)
    validation_samples: int = 2
    validate_every: int = 5
    select: str = "gated"  # the rule that picks the checkpoint (:data:`.validation.RULES`)

    @property
    def generations(self) -> int:
        """Completions a step: ``scenes_per_step`` x ``num_generations`` where that is set, else ``batch``."""
        return self.scenes_per_step * self.num_generations if self.scenes_per_step else self.batch

    def __post_init__(self) -> None:
        from codepaint_env.policy.learning.validation import RULES

        super().__post_init__()
        if min(self.scenes_per_step, self.validation) < 0 or self.validate_every < 1:
            raise ValueError("scenes_per_step and validation must be 0 or more, validate_every 1 or more")
        if self.validation_samples < 1:
            raise ValueError(f"validation_samples must be at least 1, not {self.validation_samples}")
        if self.select not in RULES:
            raise ValueError(f"select must be one of {', '.join(RULES)}, not {self.select!r}")
        if self.generations % self.micro:
            raise ValueError(f"a step's {self.generations} completions must split into micro-batches of "
                             f"{self.micro}")
        if self.validation and self.curriculum:
            raise ValueError("validation with the curriculum: its draws are not kept off the validation "
                             "scenes")
        if self.suite not in ("shapes", "knowledge"):
            raise ValueError(f"suite must be 'shapes' or 'knowledge', not {self.suite!r}")
        if self.tools not in ("", "search"):
            raise ValueError(f"tools must be '' or 'search', not {self.tools!r}")
        if self.call_bonus and not self.tools:
            raise ValueError("call_bonus needs tools='search'")
        if self.prefix_reuse:
            raise ValueError("prefix_reuse: GRPO's rollouts hand TRL their logprobs, which stop the reuse; "
                             "expert iteration (rft) takes it")


def _engine_for(trainer: Any, tokenizer: Any, *, device: str, threads: int | None) -> tuple[Any, Any]:
    """The trainer's policy converted for this step, and a call that logs the step's times.

    The call appends ``codepaint/time/convert``, ``codepaint/time/generate`` and
    ``codepaint/conversion_cached`` to the trainer's metrics and returns them.
    """
    from codepaint_env.policy.engines import engine_from_model

    started = time.perf_counter()
    # the device's own compute type (int8 on the CPU, float16 on a GPU; ``auto`` resolved first); on a
    # GPU where CTranslate2 cannot run, the trainer's model itself through the transformers engine
    engine, conversion = engine_from_model(trainer.model, tokenizer, device=device, threads=threads)
    converted = time.perf_counter()

    def done() -> Any:
        metrics = trainer._metrics["train"]
        metrics["codepaint/time/convert"].append(converted - started)
        metrics["codepaint/time/generate"].append(time.perf_counter() - converted)
        metrics["codepaint/conversion_cached"].append(float(conversion.cached))
        return metrics

    return engine, done


def engine_rollouts(tokenizer: Any, *, temperature: float, max_tokens: int, seed: int = 0,
                    threads: int | None = None, batch: int = 16, device: str = "cpu") -> Any:
    """A ``rollout_func`` for TRL's ``GRPOTrainer``: the trainer's policy converted, sampled with CTranslate2.

    Args:
        tokenizer: The policy's tokenizer (its chat template makes the prompts).
        temperature: Sampling temperature (TRL's ``GRPOConfig.temperature`` should be the same: its
            log-probabilities of these tokens are taken at it).
        max_tokens: Most new tokens a completion.
        seed: Seeds each step's rows (with the step and the row's index).
        threads: The engine's threads.
        batch: Rows decoded together.
        device: Where the engine runs (``cpu``: int8; ``cuda``: float16, or the transformers engine
            over the trainer's model where CTranslate2's CUDA libraries do not load).
    """
    from codepaint_env.policy.engines import Row, row_seed, trl_rollout

    def rollout(prompts: list[Any], trainer: Any) -> dict[str, Any]:
        engine, done = _engine_for(trainer, tokenizer, device=device, threads=threads)
        rows = []
        for i, prompt in enumerate(prompts):
            text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True) \
                if isinstance(prompt, list) else str(prompt)
            ids = tuple(tokenizer(text, add_special_tokens=False)["input_ids"])
            rows.append(Row(ids, temperature=temperature, max_tokens=max_tokens, logprobs=True,
                            seed=row_seed(seed * 1_000_003 + trainer.state.global_step, i)))
        choices = []
        for start in range(0, len(rows), batch):
            choices += engine.decode(rows[start:start + batch])
        engine.close()
        done()
        return trl_rollout(rows, choices)

    return rollout


def tool_rollouts(tokenizer: Any, tasks: list[Any], sampling: Any, *, temperature: float, max_tokens: int,
                  seed: int = 0, threads: int | None = None, batch: int = 16, device: str = "cpu") -> Any:
    """A ``rollout_func`` whose completions are conversations with the search tool (:mod:`.searching`).

    Each prompt TRL hands over is conversed with the tools from the policy converted to CTranslate2 (as
    :func:`engine_rollouts`); the completion is the whole conversation after the prompt, with
    ``env_mask`` (TRL's name for it) 0 on the tools' answers, so the loss is on the policy's tokens only.
    Extra fields reach the reward functions: ``program`` (the last reply: what is drawn and scored,
    :class:`OnProgram`), ``first_recall`` and ``tool_calls``.

    Args:
        tokenizer: The policy's tokenizer.
        tasks: The tasks the dataset's prompts come from (a prompt's last user message is its task's prompt).
        sampling: A :class:`~.searching.ToolSampling`.
        temperature: Sampling temperature.
        max_tokens: Most new tokens a reply.
        seed: Seeds each step's conversations (with the step and the prompt's index).
        threads: The engine's threads.
        batch: Rows decoded together.
        device: Where the engine runs.
    """
    from codepaint_env.policy.engines import row_seed
    from codepaint_env.policy.learning.searching import converse

    by_prompt = {t.prompt: t for t in tasks}

    def rollout(prompts: list[Any], trainer: Any) -> dict[str, Any]:
        engine, done = _engine_for(trainer, tokenizer, device=device, threads=threads)
        asked = [by_prompt[next(m["content"] for m in reversed(p) if m["role"] == "user")] for p in prompts]
        seeds = [row_seed(seed * 1_000_003 + trainer.state.global_step, i) for i in range(len(prompts))]
        chats = converse(engine, asked, seeds, sampling, openings=prompts, temperature=temperature,
                         max_tokens=max_tokens, batch=batch)
        engine.close()
        metrics = done()
        calls = [len(c.searches()) for c in chats]
        metrics["codepaint/tool_call_rate"].append(sum(n > 0 for n in calls) / len(chats))
        return {"prompt_ids": [c.prompt_ids for c in chats],
                "completion_ids": [c.completion_ids for c in chats],
                "logprobs": [c.logprobs for c in chats], "env_mask": [c.mask for c in chats],
                "program": [c.final or "" for c in chats],
                "first_recall": [float(c.first_recall() or 0.0) for c in chats], "tool_calls": calls}

    return rollout


class OnProgram:
    """A TRL reward function scored on each sample's program (its last reply), not its whole conversation.

    With tools a completion is the conversation (the calls and the cards between them); the reward's
    parts score the program the rollout function hands over as ``program`` (:func:`tool_rollouts`).
    """

    def __init__(self, func: Any) -> None:
        self.func = func
        self.__name__ = getattr(func, "__name__", "reward")

    def __call__(self, completions: Any, **kwargs: Any) -> Any:
        """``func`` on the programs."""
        return self.func(list(kwargs["program"]), **kwargs)


class SearchPart:
    """A TRL reward function: the first search's recall@3 (``first_recall``), paid where the gate passed.

    ``gated=False`` is cold start (b)'s ``first_call``: the same recall whatever the drawing.
    """

    def __init__(self, gate: Any, *, gated: bool = True) -> None:
        self.gate = gate
        self.gated = gated
        self.__name__ = "search_recall" if gated else "first_call"

    def __call__(self, completions: Any, **kwargs: Any) -> list[float | None]:
        """One value per completion."""
        recalls = [float(r) for r in kwargs["first_recall"]]
        if not self.gated:
            return list(recalls)
        gates = OnProgram(self.gate)(completions, **kwargs)
        return [None if g is None else (r if g > 0 else 0.0) for g, r in zip(gates, recalls, strict=True)]


def set_aside_stale_state(out: Path, log: Any = print) -> Path | None:
    """Move a run's records aside when its weights are gone (a checkout that kept the rows, not ``runs/``).

    GRPO is on-policy: its steps cannot be trained again from saved rows, as a ReST-EM round can. A
    folder whose ``cpu_seconds.json`` counts steps but holds no ``checkpoint-*`` would resume from the
    base while counting the lost steps' CPU against the budget; its records (and its validated steps)
    move to ``lost-N/`` and the run starts again. Returns that folder, or ``None`` when nothing was stale.
    """
    spent_file = out / "cpu_seconds.json"
    if not spent_file.exists() or any(out.glob("checkpoint-*")):
        return None
    n = 0
    while (out / f"lost-{n}").exists():
        n += 1
    lost = out / f"lost-{n}"
    lost.mkdir()
    # validation/: the lost steps' records and chosen adapter
    for name in ("cpu_seconds.json", "curves.csv", "curriculum.json", "validation"):
        if (out / name).exists():
            (out / name).rename(lost / name)
    log(f"grpo: {out} counted {json.loads((lost / 'cpu_seconds.json').read_text()).get('step')} step(s) but "
        f"holds no checkpoint (its weights are gone): its records moved to {lost.name}/, starting again")
    return lost


class FailuresCountZero:
    """A check part as a TRL reward function where a gate failure counts 0, not ``None`` (issue 73).

    The part's values and the gate's (both read from the batch's shared scoring) are grouped as TRL
    groups them (``num_generations`` consecutive completions); in each group a gate failure's
    ``None`` becomes 0 where the group judged the part (:func:`~.rollouts.failures_count_zero`), so
    ``normalize_then_sum`` ranks it at the part's minimum instead of leaving it out. A ``None`` gate
    (infrastructure) stays ``None``.

    Args:
        part: The check part (a :class:`rewards.split.RewardPart`).
        gate: The gate part.
        num_generations: Completions a prompt.
    """

    def __init__(self, part: Any, gate: Any, num_generations: int) -> None:
        self.part = part
        self.gate = gate
        self.k = num_generations
        self.__name__ = getattr(part, "__name__", "part")

    def __call__(self, completions: Any, **kwargs: Any) -> list[float | None]:
        """The part's values, each gate failure's 0 where its group judged the part."""
        from codepaint_env.policy.learning.rollouts import failures_count_zero

        values = list(self.part(completions, **kwargs))
        gates = list(self.gate(completions, **kwargs))
        out: list[float | None] = []
        for start in range(0, len(values), self.k):
            group = [{"gate": g, "checks/part": v} for g, v in zip(gates[start:start + self.k],
                                                                  values[start:start + self.k], strict=True)]
            out += [p["checks/part"] for p in failures_count_zero(group, "gate")]
        return out


class Ranking:
    """A weight-0 TRL reward function: logs how a step's gate-passers rank against their groups' failures.

    ``codepaint/passers_below_failure_neutral`` and ``..._zero``: the share of gate-passers in groups
    with a gate failure whose advantage is below a failure's, under either rule
    (:func:`~.rollouts.ranking`, on the parts as scored); ``codepaint/mixed_groups``; and
    ``codepaint/distinct_prompts``, the step's distinct prompts. Its value is 0 on every completion.

    Args:
        funcs: The reward functions of :func:`rewards.reward_funcs` with ``split_checks`` (the gate's first).
        weights: Their weights.
        num_generations: Completions a prompt.
    """

    def __init__(self, funcs: list[Any], weights: list[float], num_generations: int) -> None:
        self.funcs = funcs
        self.names = [str(getattr(f, "part", f.__name__)) for f in funcs]
        self.weights = list(weights)
        self.k = num_generations
        self.__name__ = "ranking"

    def __call__(self, completions: Any, *, prompts: Any = None, **kwargs: Any) -> list[float]:
        """0 for every completion (the figures go to the step's metrics)."""
        from codepaint_env.policy.learning.rollouts import ranking

        samples, results, _ = self.funcs[0].shared.results(completions, prompts, kwargs)
        parts = [{n: f.value(s, r) for n, f in zip(self.names, self.funcs, strict=True)}
                 for s, r in zip(samples, results, strict=True)]
        groups = [parts[i:i + self.k] for i in range(0, len(parts), self.k)]
        figures = ranking(groups, self.names, self.weights)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric):
            for rule in ("neutral", "zero"):
                value = figures[f"passers_below_failure_{rule}"]
                if value is not None:
                    log_metric(f"codepaint/passers_below_failure_{rule}", value)
            log_metric("codepaint/mixed_groups", figures["mixed_groups"])
            log_metric("codepaint/distinct_prompts", len({repr(p) for p in prompts or ()}))
        return [0.0] * len(completions)


def split_parts(settings: GRPOSettings, funcs: list[Any],
                weights: list[float]) -> tuple[list[Any], list[float]]:
    """The reward's parts as TRL gets them, with the metrics (weight 0) after them.

    With ``gate_failure="zero"`` each check part is :class:`FailuresCountZero`; the metrics
    (:class:`~.explore.UsefulGroups`, :class:`Ranking`) read the parts as scored.
    """
    k = settings.num_generations
    parts = list(funcs)
    if settings.gate_failure == "zero":
        parts = [FailuresCountZero(f, funcs[0], k) if str(getattr(f, "part", "")).startswith("checks/") else f
                 for f in funcs]
    return [*parts, UsefulGroups(funcs, k), Ranking(funcs, weights, k)], [*weights, 0.0, 0.0]


class StepValidator:
    """Validates the policy at a GRPO step into the run's :class:`~.validation.ValidatedSteps`.

    The base (step 0) before training, then every ``validate_every`` steps and the step the run stops
    at; the engine is converted as a rollout converts it, so the next step's rollout finds the
    conversion cached.

    Args:
        settings: The run's settings.
        out: The run folder.
        tokenizer: The policy's tokenizer.
        tasks: The validation scenes (never trained on).
        scorer: Scores by verdict (:func:`.validation.validate`).
        sampler: What samples a scene (:func:`~.rollouts.sample_groups`, or a conversation with tools).
        log: A ``print``-like callable.
    """

    def __init__(self, settings: GRPOSettings, out: Path, tokenizer: Any, tasks: list[Any], scorer: Any,
                 sampler: Any, log: Any = print) -> None:
        from codepaint_env.policy.learning.validation import ValidatedSteps

        self.settings = settings
        self.tokenizer = tokenizer
        self.tasks = tasks
        self.scorer = scorer
        self.sampler = sampler
        self.log = log
        self.steps = ValidatedSteps(out, settings.select)

    def due(self, step: int, stopping: bool) -> bool:
        """Whether step ``step`` is validated (every ``validate_every`` steps, and the last)."""
        return stopping or step % self.settings.validate_every == 0

    def __call__(self, model: Any, step: int) -> dict[str, Any]:
        """Validate ``model`` as step ``step``; its figures (``chosen``: whether the rule now picks it)."""
        from codepaint_env.policy.engines import engine_from_model
        from codepaint_env.policy.learning.validation import validate

        started = time.perf_counter()
        engine, _ = engine_from_model(model, self.tokenizer, device=self.settings.device,
                                      threads=self.settings.threads)
        figures = validate(engine, self.tasks, self.scorer, samples=self.settings.validation_samples,
                           max_tokens=self.settings.max_tokens, sampler=self.sampler)
        engine.close()
        release_memory()
        figures["seconds"] = round(time.perf_counter() - started, 1)
        chosen = self.steps.add(step, figures, model if step else None)
        self.log(f"grpo: step {step} validated: gate {figures['gate_pass']}, checks share among gate-passers "
                 f"{figures['checks_share_gated']}{' (chosen so far)' if chosen else ''}")
        return {**figures, "chosen": chosen}


def _validator(settings: GRPOSettings, out: Path, tokenizer: Any, held: list[Any],
               log: Any) -> StepValidator | None:
    """The run's :class:`StepValidator` (``None`` without validation); ``plan.md`` written first."""
    if not held:
        return None
    from functools import partial

    from codepaint_env.policy.learning.rollouts import Scorer, sample_groups
    from codepaint_env.policy.learning.validation import write_plan

    write_plan(out, settings.select, held, settings.validation_samples,
               note=f"For LoRA GRPO a round is a validated step: the base (step 0), then every "
                    f"{settings.validate_every} steps and each step the run stops at; N is the step.")
    scorer: Any = Scorer(settings.reward)
    sampler: Any = sample_groups
    if settings.tools:
        from codepaint_env.policy.learning.searching import ToolSampling, ToolScorer, converse_groups

        scorer = ToolScorer(scorer, recall_weight=settings.recall_weight, call_bonus=settings.call_bonus)
        sampler = partial(converse_groups, sampling=ToolSampling(
            tools=(settings.tools,), max_tool_calls=settings.max_tool_calls, form=settings.tool_form,
            search_index="train"))
    return StepValidator(settings, out, tokenizer, held, scorer, sampler, log)


def _policy_model(settings: GRPOSettings, device: str | None = None) -> tuple[Any, Any]:
    """The policy GRPO starts from (a warm start's adapter merged in where set) and its tokenizer."""
    from codepaint_env.policy import load_policy

    policy = load_policy(settings.model, device=device or settings.device, threads=settings.threads)
    model = policy.model
    if settings.init_adapter:  # cold start (a): the warm start's adapter, merged; GRPO's LoRA goes on top
        from codepaint_env.policy.learning.lora import with_adapter

        model = with_adapter(model, adapter=settings.init_adapter).merge_and_unload()
    return model, policy.tokenizer


def _tasks(settings: GRPOSettings) -> tuple[list[Any], list[Any]]:
    """The train scenes GRPO draws its prompts from, and the validation scenes (kept out of them)."""
    from codepaint_env.policy.learning.validation import validation_tasks
    from codepaint_env.tasks import load_suite

    held = (validation_tasks(settings.levels, settings.validation, settings.language, suite=settings.suite)
            if settings.validation else [])
    if settings.suite == "knowledge":
        tasks = load_suite("knowledge", split="train", language=settings.language)
    else:
        tasks = [t for level in settings.levels
                 for t in load_suite("shapes", level=level, count=settings.scenes_per_level, split="train",
                                     seed=5000 + settings.seed, language=settings.language)]
    ids = {t.id for t in held}
    return [t for t in tasks if t.id not in ids], held


def run_grpo(settings: GRPOSettings, out: str | Path, *, stop_after: int | None = None,
             log: Any = print) -> Path:
    """Run (or resume) LoRA GRPO into ``out``; returns the merged model's folder (``final/``).

    ``stop_after``: at most this many steps in this call (a GPU lent in pieces of 10 minutes).
    """
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    import peft
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl.trainer.grpo_config import GRPOConfig
    from trl.trainer.grpo_trainer import GRPOTrainer

    import rewards
    from codepaint_env.policy.learning.curves import LearningCurves
    from codepaint_env.tasks import Curriculum, tasks_to_rows
    from codepaint_env.tasks.prompts import system_prompt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    check_resume(out, settings)
    model, tokenizer = _policy_model(settings)
    prompt = system_prompt(settings.language)
    tasks, held = _tasks(settings)
    validator = _validator(settings, out, tokenizer, held, log)
    kinds = sorted({c["kind"] for t in tasks for c in t.checks})
    funcs, weights = split_parts(settings, *rewards.reward_funcs(settings.reward, split_checks=kinds,
                                                                 async_judges=False))
    rollout_func = engine_rollouts(tokenizer, temperature=settings.temperature,
                                   max_tokens=settings.max_tokens, seed=settings.seed,
                                   threads=settings.threads, batch=settings.batch, device=settings.device)
    if settings.tools:
        from codepaint_env.policy.learning.searching import ToolSampling

        searches: list[Any] = [SearchPart(funcs[0])] + ([SearchPart(funcs[0], gated=False)]
                                                        if settings.call_bonus else [])
        funcs = [*(OnProgram(f) for f in funcs), *searches]
        weights = [*weights, settings.recall_weight, *([settings.call_bonus] if settings.call_bonus else [])]
        sampling = ToolSampling(tools=(settings.tools,), max_tool_calls=settings.max_tool_calls,
                                form=settings.tool_form, search_index="train")
        rollout_func = tool_rollouts(tokenizer, tasks, sampling, temperature=settings.temperature,
                                     max_tokens=settings.max_tokens, seed=settings.seed,
                                     threads=settings.threads, batch=settings.batch, device=settings.device)
    curriculum = None
    if settings.curriculum:
        curriculum = Curriculum(language=settings.language, levels=list(settings.levels),
                                start=min(settings.levels), seed=settings.seed)
        funcs, weights = [*funcs, curriculum.feedback(funcs, settings.reward)], [*weights, 0.0]
        dataset = curriculum.dataset(prompt)
    else:
        dataset = Dataset.from_list(tasks_to_rows(tasks, prompt))
    lora = settings.lora
    # with tools a completion is every reply (each up to max_tokens) and the cards' answers between them
    completion_length = settings.max_tokens + (settings.max_tool_calls * (settings.max_tokens + 512)
                                               if settings.tools else 0)
    config = GRPOConfig(
        output_dir=str(out), num_generations=settings.num_generations, max_steps=settings.steps,
        learning_rate=settings.lr, beta=settings.beta, max_completion_length=completion_length,
        per_device_train_batch_size=settings.micro,
        gradient_accumulation_steps=settings.generations // settings.micro,
        reward_weights=weights, multi_objective_aggregation="normalize_then_sum",
        temperature=settings.temperature, logging_steps=1, use_cpu=settings.device == "cpu",
        bf16=bf16_in_force(settings.bf16, settings.device),  # float32 where bfloat16 is slower
        gradient_checkpointing=False, seed=settings.seed, save_strategy="steps",
        save_steps=settings.save_every, save_total_limit=2, report_to="none",
        shuffle_dataset=curriculum is None)
    budget = settings.cpu_budget_s
    spent_file = out / "cpu_seconds.json"
    set_aside_stale_state(out, log)
    spent_before = json.loads(spent_file.read_text())["cpu_s"] if spent_file.exists() else 0.0
    cpu0 = time.process_time()
    steps_here = [0]

    def spent_now() -> float:
        return spent_before + time.process_time() - cpu0

    class Budget(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            release_memory()
            steps_here[0] += 1
            stopping = spent_now() >= budget or (stop_after is not None and steps_here[0] >= stop_after)
            if validator is not None and validator.due(state.global_step,
                                                       stopping or state.global_step >= state.max_steps):
                validator(kwargs["model"], state.global_step)  # its CPU counts in the budget
                stopping = stopping or spent_now() >= budget
            spent = spent_now()
            spent_file.write_text(json.dumps({"cpu_s": round(spent, 1), "step": state.global_step}) + "\n")
            if stopping:
                log(f"grpo: stopping at step {state.global_step} ({spent:.0f} CPU s of {budget:.0f})")
                control.should_training_stop = True
                control.should_save = True
            return control

    trainer = GRPOTrainer(
        model=model, reward_funcs=funcs, train_dataset=dataset, args=config, processing_class=tokenizer,
        peft_config=peft.LoraConfig(r=lora.rank, lora_alpha=lora.alpha, lora_dropout=lora.dropout,
                                    target_modules=lora.targets, task_type="CAUSAL_LM", bias="none"),
        rollout_func=rollout_func,
        callbacks=[LearningCurves(out / "curves.csv"), Budget()])
    checkpoints = sorted(out.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    if spent_before >= budget:
        if not checkpoints:
            raise RuntimeError(f"grpo: {out} has spent its CPU budget but holds no checkpoint to merge")
        log(f"grpo: {out} has spent its CPU budget already ({spent_before:.0f} s); "
            f"merging {checkpoints[-1].name}")
        load_adapter(trainer.model, checkpoints[-1])
    else:
        log(f"grpo: {settings.model}, LoRA rank {lora.rank}, {settings.generations} completions a step "
            f"({settings.num_generations} a prompt); resuming from {checkpoints[-1].name}" if checkpoints
            else f"grpo: {settings.model}, LoRA rank {lora.rank}, {settings.generations} completions a step")
        if validator is not None and not validator.steps.records():
            validator(trainer.model, 0)  # the base: its LoRA starts at zero
        trainer.train(resume_from_checkpoint=str(checkpoints[-1]) if checkpoints else None)
        trainer.save_state()
    if curriculum is not None:
        (out / "curriculum.json").write_text(json.dumps(curriculum.state(), indent=1) + "\n")
    final = save_merged(trainer.model, tokenizer, out / "final")
    if validator is not None:
        del trainer, model
        release_memory()
        base, _ = _policy_model(settings, device="cpu")
        validator.steps.save_chosen(base, tokenizer)
    return final
