"""Rollouts for a learner on a CPU: groups of completions from a fast engine, scored, with advantages.

A *group* is ``k`` completions of one task, sampled by a generation engine
(:mod:`codepaint_env.policy.engines`: CTranslate2 int8 in a learning run) from the chat the task is
asked in (:func:`~codepaint_env.policy.evaluate.messages_for`). Each completion is scored by the
reward split into parts (:func:`rewards.reward_funcs` with ``split_checks``: the gate and one part per
check kind, sharing one render per completion), and gets the advantage GRPO would give it with
``multi_objective_aggregation="normalize_then_sum"``: each part normalised within its group (its
mean taken away, divided by its standard deviation), then summed with the parts' weights. A part
that does not apply (``None``: a check kind the task lacks, a kind scored only where the gate
passed) counts 0 in the sum, as TRL's ``nansum`` does.

What a gate failure counts in a check part is :data:`GATE_FAILURE`'s choice. The scorer gives it
``None`` on every check part (it drew nothing to check). ``neutral`` (learning runs 3 and 4) leaves it
so: the failure stays out of each check part's statistics and gets 0 there, the same as a gate-passer
at its group's mean, so a gate-passer that drew worse than its group can rank below it (in run 4's
rft groups a third of the gate-passers ranked below their group's failures). ``zero`` (issue 73)
counts it 0, the part's minimum, on every check part its group judged: a broken program gets the
least, so no gate failure's advantage is above a gate-passer's of its group
(:func:`failures_count_zero`). A ``None`` gate (the renderer could not judge: infrastructure) is never
a failure and never a score: it stays out either way. :func:`ranking` measures both rules on the same
samples.

:func:`sample_groups` returns :class:`Rollout` records (prompt and completion token ids, the
engine's log-probabilities, the reward, its parts, the advantage), what both learners consume: expert
iteration keeps the gate-passers that beat their group (:mod:`.rft`), GRPO trains on all of them
(:mod:`.grpo`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from tqdm import tqdm

from codepaint_env.policy.engines import Row
from codepaint_env.policy.evaluate import messages_for, sample_seed
from codepaint_env.tasks.task import Task

#: The reward every learner here trains against (learning runs 1-3; the substrate table's).
REWARD = "gate:0.2,checks:0.8"
#: What a gate failure counts in each check part's advantage (see the module docstring).
GATE_FAILURE = ("neutral", "zero")
_EPS = 1e-4  # TRL's: the standard deviation's floor when normalising a group
_NOT_KINDS = ("checks/share", "checks/all_stated")
Parts = dict[str, float | None]
Scored = tuple[Parts, "bool | None", "dict[str, float] | None"]


@dataclass
class Rollout:
    """One completion of a group, scored.

    Attributes:
        task_id: The task it answers.
        level: The task's level (``shapes`` generator), or ``None``.
        group: The index of its group in the round.
        prompt_ids: The chat template applied to the task's messages, as token ids.
        completion_ids: The sampled tokens (the end-of-turn token included).
        logprobs: The engine's log-probability of each sampled token.
        text: The reply.
        finish_reason: ``stop`` or ``length``.
        value: The reward (the parts' weighted sum; ``None`` when it could not be judged).
        parts: Each part's value (``gate``, ``checks/<kind>``...), ``None`` where it does not apply.
        advantage: The group-normalised, weighted sum of the parts (see the module docstring).
        gate_passed: Whether the execution gate passed.
        all_stated: Whether every check the prompt states passed (``None``: the gate failed).
        kinds: Each check kind's weighted share of its checks passed (``None`` where the gate failed).
        dropped: Its group carried no check kind's signal and was dropped (:mod:`.explore`).
        mask: With tools (:mod:`.searching`): 1 on each completion token the policy wrote, 0 on the
            tokens the environment put between its replies (a tool's answer); ``None``: all the policy's.
        replies: With tools: every reply of the conversation, the program's last (``text``).
        searches: With tools: each call the episode answered (tool, query, card ids, error).
        first_recall: With tools: the share of the task's facts among the first search's top 3 cards
            (``None``: the task names no facts).
        page: The page (background) colour the task states, ``None`` where it states none or it was
            not recorded (rows before issue 73); the replay buffer reads it (:mod:`.replay`).
    """

    task_id: str
    level: int | None
    group: int
    prompt_ids: list[int]
    completion_ids: list[int]
    logprobs: list[float] | None
    text: str
    finish_reason: str
    value: float | None = None
    parts: dict[str, float | None] = field(default_factory=dict)
    advantage: float = 0.0
    gate_passed: bool = False
    all_stated: bool | None = None
    kinds: dict[str, float] | None = None
    dropped: bool = False
    mask: list[int] | None = None
    replies: list[str] | None = None
    searches: list[dict[str, Any]] | None = None
    first_recall: float | None = None
    page: str | None = None

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """What makes two rollouts the same sample: the task, the program and the replies before it."""
        return self.task_id, self.text, tuple(self.replies or ())

    @property
    def example(self) -> tuple[list[int], list[int], list[int] | None]:
        """``(prompt_ids, completion_ids, mask)``: what :func:`~.lora.sft_pass` trains on."""
        return self.prompt_ids, self.completion_ids, self.mask

    def to_dict(self, *, tokens: bool = False) -> dict[str, Any]:
        """JSON-ready; the token ids and log-probabilities only with ``tokens``."""
        out = asdict(self)
        if not tokens:
            for key in ("prompt_ids", "completion_ids", "logprobs", "mask"):
                out.pop(key)
        return out


class Scorer:
    """The reward split into its parts, scoring completions against their tasks' columns.

    Args:
        spec: A gated spec with checks (default :data:`REWARD`).
        kinds: The check kinds to give a part each (default: every kind).
        graded: A failed size, position or coverage claim's part earns partial credit by its distance
            from passing (:mod:`.graded`); the verdicts, ``kinds`` and ``all_stated`` stay as scored.
        gate_failure: What a gate failure counts in a check part's advantage (:data:`GATE_FAILURE`);
            the parts stay as scored (``None``), :func:`assign_advantages` reads it.
        **config: As :func:`rewards.make_reward` (``renderer``, ``size``...).
    """

    def __init__(self, spec: str = REWARD, kinds: Sequence[str] | None = None, *, graded: bool = False,
                 gate_failure: str = "neutral", **config: Any) -> None:
        import rewards

        self.spec = spec
        self.graded = graded
        self.gate_failure = check_gate_failure(gate_failure)
        self.funcs, self.weights = rewards.reward_funcs(spec, split_checks=list(kinds) if kinds else True,
                                                        async_judges=False, **config)
        if not all(hasattr(f, "shared") for f in self.funcs):
            raise ValueError(f"{spec!r} is not a gated spec with visual checks (e.g. {REWARD})")
        self.names = [str(getattr(f, "__name__", f"part{i}")) for i, f in enumerate(self.funcs)]

    def score(self, tasks: Sequence[Task], texts: Sequence[str]) -> list[Scored]:
        """Each completion's parts, whether every stated check passed and each kind's pass share.

        ``texts[i]`` answers ``tasks[i]``; the last two are ``None`` where the gate failed.

        One render and one scoring pass for the batch (the parts share the composite).
        """
        columns: dict[str, list[Any]] = {}
        for task in tasks:
            for key, value in task.columns().items():
                columns.setdefault(key, []).append(value)
        shared = self.funcs[0].shared
        samples, results, _ = shared.results(list(texts), [t.prompt for t in tasks], columns)
        out: list[Scored] = []
        for sample, result in zip(samples, results, strict=True):
            parts = {name: f.value(sample, result) for name, f in zip(self.names, self.funcs, strict=True)}
            metrics = result.metrics or {}
            if parts[self.names[0]] != 1.0:
                out.append((parts, None, None))
                continue
            if self.graded:
                parts = self._graded(parts, sample, result)
            stated = metrics.get("checks/all_stated")
            kinds = {k.split("/", 1)[1]: float(v) for k, v in metrics.items()
                     if k.startswith("checks/") and k not in _NOT_KINDS and v is not None}
            out.append((parts, None if stated is None else bool(stated), kinds))
        return out

    def _graded(self, parts: Parts, sample: Any, result: Any) -> Parts:
        """``parts`` with each present check kind's part graded (:func:`.graded.graded_parts`)."""
        from codepaint_env.policy.learning.graded import graded_parts
        from rewards.split import CHECKS_ID

        composite = self.funcs[0].shared.composite
        name, checks = next((n, r) for n, r, _ in composite.components if getattr(r, "id", None) == CHECKS_ID)
        graded = graded_parts(sample, result, name, int(getattr(checks, "analysis_side", 160)))
        if graded is None:
            return parts
        return {k: (graded.get(k.split("/", 1)[1], 0.0) if k.startswith("checks/") and v is not None else v)
                for k, v in parts.items()}

    def value(self, parts: dict[str, float | None]) -> float | None:
        """The reward: the parts' weighted sum (``None`` when the gate could not be judged)."""
        if parts.get(self.names[0]) is None:
            return None
        return sum(w * v for w, v in zip(self.weights, (parts[n] for n in self.names), strict=True)
                   if v is not None)


class Weighted(Protocol):
    """A reward in parts: the parts' names (the gate's first) and their weights (:class:`Scorer`'s)."""

    names: list[str]
    weights: list[float]


def checks_score(r: Rollout) -> float:
    """The sum of a rollout's check parts (what its task's checks paid it; 0 where the gate failed)."""
    return sum(v for k, v in r.parts.items() if k.startswith("checks/") and v is not None)


def check_gate_failure(rule: str) -> str:
    """``rule``, if it is one of :data:`GATE_FAILURE`.

    Raises:
        ValueError: it is not.
    """
    if rule not in GATE_FAILURE:
        raise ValueError(f"gate_failure must be one of {', '.join(GATE_FAILURE)}, not {rule!r}")
    return rule


def failed_gate(parts: dict[str, float | None], gate: str) -> bool:
    """Whether the gate judged the program and failed it (a ``None`` gate, not judged, is no failure)."""
    value = parts.get(gate)
    return value is not None and value <= 0


def passed_gate(parts: dict[str, float | None], gate: str) -> bool:
    """Whether the gate judged the program and passed it."""
    return (parts.get(gate) or 0.0) > 0


def failures_count_zero(group: Sequence[dict[str, float | None]], gate: str) -> list[dict[str, float | None]]:
    """The group's parts, each gate failure's check parts 0 where the group judged that part.

    A check part the group judged for no sample (a kind the task lacks, or a group with no
    gate-passer) stays ``None``; a sample whose gate is ``None`` (infrastructure) is left as it is.
    """
    judged = {name for p in group for name, v in p.items() if name.startswith("checks/") and v is not None}
    out = []
    for p in group:
        zeros = {name: 0.0 for name in judged if p.get(name) is None} if failed_gate(p, gate) else {}
        out.append({**p, **zeros})
    return out


def advantages(groups: Sequence[Sequence[dict[str, float | None]]], names: Sequence[str],
               weights: Sequence[float], *, gate_failure: str = "neutral") -> list[list[float]]:
    """``normalize_then_sum`` advantages: each part standardised in its group, then weighted and summed.

    ``names[0]`` is the gate; ``gate_failure`` says what a failure counts in the check parts
    (:data:`GATE_FAILURE`; ``zero``: :func:`failures_count_zero` first).
    """
    check_gate_failure(gate_failure)
    out = []
    for group in groups:
        if gate_failure == "zero" and names:
            group = failures_count_zero(group, names[0])
        total = [0.0] * len(group)
        for name, weight in zip(names, weights, strict=True):
            present = [(i, p[name]) for i, p in enumerate(group) if p.get(name) is not None]
            if len(present) < 2:
                continue
            values = [float(v) for _, v in present]  # type: ignore[arg-type]
            mean = sum(values) / len(values)
            std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
            for (i, _), v in zip(present, values, strict=True):
                total[i] += weight * (v - mean) / (std + _EPS)
        out.append(total)
    return out


def passers_below_failures(groups: Sequence[Sequence[dict[str, float | None]]],
                           advantage: Sequence[Sequence[float]], gate: str) -> tuple[int, int]:
    """``(gate-passers ranked below a failure of their group, gate-passers in groups with a failure)``.

    A gate-passer ranks below when its advantage is less than some gate failure's in its group.
    """
    below = total = 0
    for group, adv in zip(groups, advantage, strict=True):
        failures = [a for p, a in zip(group, adv, strict=True) if failed_gate(p, gate)]
        if not failures:
            continue
        passers = [a for p, a in zip(group, adv, strict=True) if passed_gate(p, gate)]
        total += len(passers)
        below += sum(a < max(failures) - 1e-9 for a in passers)
    return below, total


def ranking(groups: Sequence[Sequence[dict[str, float | None]]], names: Sequence[str],
            weights: Sequence[float]) -> dict[str, Any]:
    """How gate-passers rank against the gate failures of their groups under each :data:`GATE_FAILURE` rule.

    The same samples' advantages computed both ways (issue 73's measure of the change):
    ``passers_below_failure_<rule>`` is the share of the gate-passers in groups with a failure that
    rank below one of them (``None``: no such passer); ``mixed_groups`` counts the groups with both a
    passer and a failure, ``passers_in_mixed_groups`` their passers.
    """
    gate = names[0]
    out: dict[str, Any] = {"mixed_groups": sum(
        any(failed_gate(p, gate) for p in g) and any(passed_gate(p, gate) for p in g) for g in groups)}
    for rule in GATE_FAILURE:
        below, total = passers_below_failures(
            groups, advantages(groups, names, weights, gate_failure=rule), gate)
        out["passers_in_mixed_groups"] = total
        out[f"passers_below_failure_{rule}"] = round(below / total, 4) if total else None
    return out


@dataclass
class RoundTimes:
    """Where a round's seconds went."""

    generate: float = 0.0
    score: float = 0.0
    train: float = 0.0
    convert: float = 0.0
    validate: float = 0.0

    @property
    def sampling(self) -> float:
        """The seconds that made the round's samples: converting the weights, generating, scoring."""
        return self.convert + self.generate + self.score

    def to_dict(self) -> dict[str, float]:
        """JSON-ready, rounded."""
        return {k: round(v, 2) for k, v in asdict(self).items()}


def sample_groups(engine: Any, tasks: Sequence[Task], k: int, scorer: Scorer, *, temperature: float = 0.9,
                  top_p: float = 1.0, max_tokens: int = 320, seed: int = 0, prompt_style: str = "allowlist",
                  batch: int = 16, times: RoundTimes | None = None, first: int = 0,
                  groups: Sequence[int] | None = None, logprobs: bool = True) -> list[Rollout]:
    """``k`` completions of each task from ``engine``, scored, with advantages (see the module docstring).

    Args:
        engine: A generation engine (``decode(rows) -> choices``, ``tokenizer``).
        tasks: The tasks, one group each.
        k: Completions per task.
        scorer: The reward's parts.
        temperature: Sampling temperature.
        top_p: Nucleus sampling.
        max_tokens: Most new tokens a completion.
        seed: The round's seed (each row's seed derives from it, the task and the sample's index).
        prompt_style: The system prompt's style (``codepaint eval``'s ``--prompt-style``).
        batch: Rows decoded together.
        times: Adds the seconds spent generating and scoring.
        first: The first sample's index in each group (a group topped up continues its seeds).
        groups: Each task's group index (default: its position in ``tasks``).
        logprobs: Ask the engine for each token's logprob (False: none fetched, so an engine with
            ``prefix_reuse`` can reuse the prompt; expert iteration reads none).
    """
    started = time.perf_counter()
    template = engine.tokenizer
    rows: list[Row] = []
    owners: list[tuple[int, Task]] = []
    labels = list(range(len(tasks))) if groups is None else list(groups)
    for g, task in zip(labels, tasks, strict=True):
        text = template.apply_chat_template(messages_for(task, prompt_style), tokenize=False,
                                            add_generation_prompt=True)
        prompt = tuple(template(text, add_special_tokens=False)["input_ids"])
        for i in range(first, first + k):
            rows.append(Row(prompt, temperature=temperature, top_p=top_p, max_tokens=max_tokens,
                            seed=sample_seed(seed, task.id, i), logprobs=logprobs))
            owners.append((g, task))
    choices = []
    with tqdm(total=len(rows), desc="sampling", unit="row", mininterval=30) as bar:
        for start in range(0, len(rows), batch):
            choices += engine.decode(rows[start:start + batch])
            bar.update(len(rows[start:start + batch]))
    generated = time.perf_counter()
    scored = scorer.score([t for _, t in owners], [c.text for c in choices])
    rollouts = [Rollout(task_id=task.id, level=task.level, group=g, prompt_ids=list(row.prompt_ids),
                        completion_ids=list(choice.token_ids), logprobs=choice.logprobs, text=choice.text,
                        finish_reason=choice.finish_reason, value=scorer.value(p), parts=p,
                        gate_passed=(p.get(scorer.names[0]) or 0.0) > 0, all_stated=stated, kinds=kinds)
                for (g, task), row, choice, (p, stated, kinds) in zip(owners, rows, choices, scored,
                                                                       strict=True)]
    assign_advantages(rollouts, scorer)
    if times is not None:
        times.generate += generated - started
        times.score += time.perf_counter() - generated
    return rollouts


def gate_failure_of(scorer: Any) -> str:
    """The :data:`GATE_FAILURE` rule a scorer carries (a wrapping scorer's inner one's; else ``neutral``)."""
    rule = getattr(scorer, "gate_failure", None)
    if rule is None:
        rule = getattr(getattr(scorer, "scorer", None), "gate_failure", None)
    return str(rule or "neutral")


def grouped_parts(rollouts: Sequence[Rollout]) -> tuple[list[list[int]], list[list[Parts]]]:
    """Each group's rollout indices (in order) and their parts."""
    grouped: dict[int, list[int]] = {}
    for i, r in enumerate(rollouts):
        grouped.setdefault(r.group, []).append(i)
    indices = list(grouped.values())
    return indices, [[rollouts[i].parts for i in idx] for idx in indices]


def assign_advantages(rollouts: Sequence[Rollout], scorer: Weighted) -> None:
    """Set each rollout's advantage within its group (:func:`advantages`; again after a group grows).

    A gate failure counts as the scorer's ``gate_failure`` says (:func:`gate_failure_of`).
    """
    indices, parts = grouped_parts(rollouts)
    adv = advantages(parts, scorer.names, scorer.weights, gate_failure=gate_failure_of(scorer))
    for idx, values in zip(indices, adv, strict=True):
        for i, a in zip(idx, values, strict=True):
            rollouts[i].advantage = a


def round_ranking(rollouts: Sequence[Rollout], scorer: Weighted) -> dict[str, Any]:
    """:func:`ranking` of a round's groups."""
    return ranking(grouped_parts(rollouts)[1], scorer.names, scorer.weights)
